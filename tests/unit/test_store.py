"""The SQL store, on real SQLite files in tmp_path (no mocks)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from nblabel import schema
from nblabel.schema import SchemaError
from nblabel.store import Store, StoreError

HELPERS = Path(__file__).parent / "_helpers"
RLE = {"size": [480, 640], "counts": "PPYo0`0a:N2N1O1N2O001N101O0O2O0O1O1"}
INJECTION = "x'); DROP TABLE nblabel_annotations; --"


def _row(ident: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": ident,
        "item_id": "img-1.jpg",
        "annotator": "ana",
        "kind": "label",
        "label": "cat",
    }
    base.update(extra)
    return base


def _sql(path: Path, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read the file with the stdlib driver, bypassing nblabel and SQLAlchemy."""
    con = sqlite3.connect(path)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: _sql(path, f"SELECT * FROM {table} ORDER BY 1")
        for table in ("nblabel_annotations", "nblabel_events", "nblabel_meta")
    }


def _by_id(df: pd.DataFrame) -> pd.DataFrame:
    return df.set_index("id", drop=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "labels.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    s = Store(db)
    yield s
    s.close()


# -- creation -----------------------------------------------------------------------------


def test_a_fresh_store_reads_empty_and_creates_no_file(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "labels.db"
    s = Store(path)
    df = s.annotations()
    assert len(df) == 0
    assert df.dtypes.to_dict() == schema.empty().dtypes.to_dict()
    hist = s.history()
    assert len(hist) == 0
    assert list(hist.columns) == ["seq", "op", "recorded_at", *schema.COLUMN_NAMES]
    assert s.annotators() == []
    assert s.delete(["nothing"]) == 0
    assert s.apply() == ([], [])
    assert not path.exists()
    assert not path.parent.exists()
    assert s.path == path.absolute()


def test_the_first_write_creates_the_file_and_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "labels.db"
    s = Store(str(path))
    s.upsert([_row("one")])
    s.close()
    assert path.is_file()
    assert _sql(path, "SELECT id FROM nblabel_annotations") == [("one",)]


def test_sqlite_file_is_in_wal_mode(store: Store, db: Path) -> None:
    store.upsert([_row("one")])
    assert _sql(db, "PRAGMA journal_mode") == [("wal",)]
    assert _sql(db, "SELECT value FROM nblabel_meta WHERE key = 'schema_version'") == [("2",)]


@pytest.mark.parametrize("location", [123, 4.5, b"labels.db", ["labels.db"]])
def test_location_of_the_wrong_type_is_a_type_error(location: Any) -> None:
    with pytest.raises(TypeError, match=r"^location: expected a file path or a SQLAlchemy URL"):
        Store(location)


def test_location_must_not_be_empty_or_a_store(db: Path) -> None:
    with pytest.raises(ValueError, match="location: must not be empty"):
        Store("")
    with pytest.raises(TypeError, match="location: pass the Store itself"):
        Store(Store(db))  # type: ignore[arg-type]


def test_a_store_from_a_newer_schema_refuses(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE nblabel_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    con.execute("INSERT INTO nblabel_meta VALUES ('schema_version', '999')")
    con.commit()
    con.close()
    s = Store(db)
    with pytest.raises(StoreError, match=r"written by a newer nblabel \(schema 999\); upgrade"):
        s.annotations()
    with pytest.raises(StoreError, match="newer nblabel"):
        s.upsert([_row("one")])
    assert _sql(db, "SELECT value FROM nblabel_meta") == [("999",)]
    tables = {r[0] for r in _sql(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "nblabel_annotations" in tables:
        assert _sql(db, "SELECT count(*) FROM nblabel_annotations") == [(0,)]


# -- writes and reads ---------------------------------------------------------------------


def test_upsert_then_annotations_round_trips_every_column(store: Store) -> None:
    t0 = pd.Timestamp("2024-03-01T10:00:00", tz="UTC")
    rows = [
        _row("lab", created_at=t0, elapsed=2.5),
        _row(
            "box",
            kind="box",
            label="dog",
            x=10.5,
            y=20.0,
            width=30.25,
            height=40.0,
            image_width=640,
            image_height=480,
            created_at=t0 + pd.Timedelta(seconds=1),
        ),
        _row(
            "poly",
            kind="polygon",
            points=np.array([[0.5, 1.0], [4.0, 0.0], [4.0, 3.0]]),
            created_at=t0 + pd.Timedelta(seconds=2),
        ),
        _row("msk", kind="mask", mask=RLE, created_at=t0 + pd.Timedelta(seconds=3)),
        _row(
            "spn",
            item_id="doc-1",
            kind="span",
            label="PER",
            start=4,
            end=9,
            text="Ada L",
            created_at=t0 + pd.Timedelta(seconds=4),
        ),
        _row(
            "seg",
            item_id="clip.wav",
            kind="segment",
            label="SPEAKER_01",
            start=0.25,
            end=1.75,
            text="hello, world",
            created_at=t0 + pd.Timedelta(seconds=5),
        ),
        _row(
            "mod",
            annotator="yolo-v8",
            source="model",
            score=0.875,
            created_at=t0 + pd.Timedelta(seconds=6),
        ),
    ]
    before = pd.Timestamp.now(tz="UTC")
    ids = store.upsert(rows)
    after = pd.Timestamp.now(tz="UTC")
    assert ids == ["lab", "box", "poly", "msk", "spn", "seg", "mod"]

    df = store.annotations()
    assert df.dtypes.to_dict() == schema.empty().dtypes.to_dict()
    assert list(df["id"]) == ids  # ordered by created_at
    schema.validate(df)
    got = _by_id(df)
    assert got.at["box", "x"] == 10.5
    assert got.at["box", "width"] == 30.25
    assert got.at["box", "image_width"] == 640
    assert got.at["box", "image_height"] == 480
    assert got.at["lab", "image_width"] is pd.NA
    assert got.at["poly", "points"] == [[0.5, 1.0], [4.0, 0.0], [4.0, 3.0]]
    assert got.at["lab", "points"] is None
    assert got.at["msk", "mask"] == RLE
    assert got.at["spn", "start"] == 4.0
    assert got.at["spn", "end"] == 9.0
    assert got.at["spn", "text"] == "Ada L"
    assert got.at["seg", "start"] == 0.25
    assert got.at["seg", "text"] == "hello, world"
    assert got.at["mod", "score"] == 0.875
    assert got.at["mod", "source"] == "model"
    assert got.at["mod", "annotator"] == "yolo-v8"
    assert np.isnan(got.at["lab", "score"])
    assert got.at["lab", "elapsed"] == 2.5
    assert got.at["lab", "source"] == "human"
    for i, ident in enumerate(ids):
        assert got.at[ident, "created_at"] == t0 + pd.Timedelta(seconds=i)
        assert before <= got.at[ident, "updated_at"] <= after
    assert str(got["created_at"].dt.tz) == "UTC"


def test_created_at_with_an_offset_keeps_the_instant(store: Store) -> None:
    berlin = pd.Timestamp("2024-01-01T12:00:00", tz="Europe/Berlin")
    store.upsert([_row("tz", created_at=berlin), _row("naive", created_at="2024-01-01 12:00")])
    got = _by_id(store.annotations())
    assert got.at["tz", "created_at"] == pd.Timestamp("2024-01-01T11:00:00", tz="UTC")
    assert got.at["naive", "created_at"] == pd.Timestamp("2024-01-01T12:00:00", tz="UTC")


def test_ids_are_made_when_missing_and_source_defaults_to_human(store: Store) -> None:
    ids = store.upsert([{"item_id": "a", "annotator": "ana", "kind": "label", "label": "cat"}] * 2)
    assert len(ids) == 2
    assert ids[0] != ids[1]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    df = store.annotations()
    assert sorted(df["id"]) == sorted(ids)
    assert set(df["source"]) == {"human"}


def test_update_keeps_created_at_and_bumps_updated_at(store: Store, db: Path) -> None:
    store.upsert([_row("a1")])
    first = _by_id(store.annotations()).loc["a1"]
    time.sleep(0.01)
    store.upsert([_row("a1", label="dog")])
    second = _by_id(store.annotations()).loc["a1"]
    assert len(store.annotations()) == 1
    assert second["label"] == "dog"
    assert second["created_at"] == first["created_at"]
    assert second["updated_at"] > first["updated_at"]
    assert _sql(db, "SELECT version FROM nblabel_annotations WHERE id = 'a1'") == [(2,)]


def test_a_row_giving_created_at_does_not_reset_its_neighbours(store: Store) -> None:
    store.upsert([_row("old")])
    kept = _by_id(store.annotations()).at["old", "created_at"]
    time.sleep(0.01)
    given = pd.Timestamp("2020-05-05T05:05:05", tz="UTC")
    store.upsert([_row("old", label="dog"), _row("new", created_at=given)])
    got = _by_id(store.annotations())
    assert got.at["old", "created_at"] == kept
    assert got.at["old", "label"] == "dog"
    assert got.at["new", "created_at"] == given


def test_the_same_id_twice_in_one_batch_ends_with_the_last(store: Store) -> None:
    given = pd.Timestamp("2020-05-05T05:05:05", tz="UTC")
    store.upsert([_row("a", label="one", created_at=given), _row("a", label="two")])
    got = _by_id(store.annotations())
    assert len(got) == 1
    assert got.at["a", "label"] == "two"
    assert list(store.history()["label"]) == ["one", "two"]


def test_a_frame_read_back_can_be_written_back(store: Store) -> None:
    store.upsert([_row("a", kind="polygon", points=[[0, 0], [1, 0], [1, 1]]), _row("b")])
    df = store.annotations()
    df["label"] = ["fox", "owl"]
    df["extra_metadata"] = "ignored"
    time.sleep(0.01)
    store.upsert(df)
    again = _by_id(store.annotations())
    assert list(again["label"]) == ["fox", "owl"]
    assert again.at["a", "points"] == [[0, 0], [1, 0], [1, 1]]
    assert list(again["created_at"]) == list(df["created_at"])
    assert "extra_metadata" not in again.columns


def test_delete_is_a_tombstone(store: Store, db: Path) -> None:
    store.upsert([_row("a"), _row("b", label="dog")])
    assert store.delete("a") == 1
    df = store.annotations()
    assert list(df["id"]) == ["b"]
    hist = store.history()
    assert list(zip(hist["op"], hist["id"], strict=True)) == [
        ("upsert", "a"),
        ("upsert", "b"),
        ("delete", "a"),
    ]
    assert hist["seq"].is_monotonic_increasing
    deleted = hist[hist["op"] == "delete"].iloc[0]
    assert deleted["label"] == "cat"  # the full row as it was
    assert deleted["item_id"] == "img-1.jpg"
    assert _sql(db, "SELECT id, deleted, label FROM nblabel_annotations ORDER BY id") == [
        ("a", 1, "cat"),
        ("b", 0, "dog"),
    ]
    # Deleting again, or an unknown id, changes nothing.
    assert store.delete(["a", "zzz"]) == 0
    assert len(store.history()) == 3


def test_re_upsert_of_a_deleted_id_resurrects_it(store: Store, db: Path) -> None:
    store.upsert([_row("a")])
    store.delete(["a"])
    assert store.annotators() == []
    store.upsert([_row("a", label="owl")])
    df = store.annotations()
    assert list(df["id"]) == ["a"]
    assert df.at[0, "label"] == "owl"
    assert store.annotators() == ["ana"]
    assert list(store.history()["op"]) == ["upsert", "delete", "upsert"]
    assert _sql(db, "SELECT deleted, version FROM nblabel_annotations") == [(0, 3)]


def test_apply_upserts_and_deletes_together(store: Store) -> None:
    store.upsert([_row("cat-label")])
    up, gone = store.apply(upsert=[_row("dog-label", label="dog")], delete=["cat-label", "nope"])
    assert (up, gone) == (["dog-label"], ["cat-label"])
    assert list(store.annotations()["label"]) == ["dog"]
    hist = store.history()
    # One edit reads as "remove, then add", in one transaction.
    assert list(zip(hist["op"], hist["id"], strict=True)) == [
        ("upsert", "cat-label"),
        ("delete", "cat-label"),
        ("upsert", "dog-label"),
    ]
    assert hist["recorded_at"].iloc[1] == hist["recorded_at"].iloc[2]


def test_apply_deleting_and_upserting_one_id_leaves_it_live(store: Store) -> None:
    store.upsert([_row("a")])
    assert store.apply(upsert=[_row("a", label="dog")], delete=["a"]) == (["a"], ["a"])
    assert list(store.annotations()["label"]) == ["dog"]
    assert list(store.history()["op"]) == ["upsert", "delete", "upsert"]


@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        pytest.param({"kind": "bogus"}, "kind", "'bogus' is not one of", id="bad-kind"),
        pytest.param({"label": None}, "label", "missing or empty", id="label-none"),
        pytest.param({"label": ""}, "label", "missing or empty", id="label-empty"),
        pytest.param({"label": np.nan}, "label", "missing or empty", id="label-nan"),
        pytest.param({"source": "robot"}, "source", "'robot' is not one of", id="bad-source"),
        pytest.param(
            {"kind": "box", "x": 1, "y": 1, "width": 2},
            "height",
            "needs 'height'",
            id="box-no-height",
        ),
        pytest.param({"x": "left"}, "x", "'left' is not a number", id="x-not-a-number"),
        pytest.param({"score": float("inf")}, "score", "not a finite number", id="score-inf"),
        pytest.param(
            {"kind": "span", "start": 5, "end": 2}, "end", "is before start", id="span-inverted"
        ),
        pytest.param(
            {"created_at": "not a date"}, "created_at", "not a date/time", id="created-at-garbage"
        ),
    ],
)
def test_an_invalid_row_fails_the_whole_apply(
    store: Store, db: Path, bad: dict[str, Any], column: str, message: str
) -> None:
    store.upsert([_row("keep"), _row("victim")])
    before = _dump(db)
    row = _row("bad", **bad)
    if bad.get("label", "x") is None:
        del row["label"]  # absent, not just None
    with pytest.raises(SchemaError) as info:
        store.apply(upsert=[_row("fresh"), _row("keep", label="changed"), row], delete=["victim"])
    assert info.value.row == 2
    assert info.value.column == column
    assert message in str(info.value)
    assert f"row 2, column {column!r}" in str(info.value)
    assert _dump(db) == before


def test_an_unknown_column_fails_naming_the_row(store: Store, db: Path) -> None:
    store.upsert([_row("keep")])
    before = _dump(db)
    with pytest.raises(SchemaError, match=r"row 1: unknown column\(s\) \['colour'\]") as info:
        store.upsert([_row("ok"), _row("bad", colour="red")])
    assert info.value.row == 1
    assert _dump(db) == before


def test_a_database_failure_mid_transaction_rolls_everything_back(store: Store, db: Path) -> None:
    store.upsert([_row("keep"), _row("victim")])
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON nblabel_events WHEN NEW.label = 'boom' "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    con.commit()
    con.close()
    before = _dump(db)
    with pytest.raises(sa.exc.DBAPIError, match="boom"):
        store.apply(
            upsert=[_row("fresh"), _row("keep", label="changed"), _row("x", label="boom")],
            delete=["victim"],
        )
    assert _dump(db) == before
    assert sorted(store.annotations()["id"]) == ["keep", "victim"]
    # The store is still usable afterwards.
    store.upsert([_row("fresh")])
    assert sorted(store.annotations()["id"]) == ["fresh", "keep", "victim"]


def test_rows_must_be_a_list_not_one_mapping(store: Store) -> None:
    with pytest.raises(TypeError, match="got a single mapping"):
        store.upsert(_row("a"))  # type: ignore[arg-type]


# -- filters ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """900 annotations, shared by the read-only filter tests."""
    store = Store(tmp_path_factory.mktemp("filled") / "labels.db")
    rows = []
    for i in range(900):
        rows.append(
            _row(
                f"a{i:04d}",
                item_id=str(i),
                annotator=("ana", "ben", "cy")[i % 3],
                kind="box" if i % 2 else "label",
                x=0,
                y=0,
                width=1,
                height=1,
            )
        )
    store.upsert(rows)
    yield store
    store.close()


def test_filter_by_annotator(filled: Store) -> None:
    assert set(filled.annotations(annotator="ben")["annotator"]) == {"ben"}
    assert len(filled.annotations(annotator="ben")) == 300
    both = filled.annotations(annotator=["ana", "cy"])
    assert set(both["annotator"]) == {"ana", "cy"}
    assert len(both) == 600
    assert len(filled.annotations(annotator="nobody")) == 0
    assert filled.annotators() == ["ana", "ben", "cy"]


def test_filter_by_kind(filled: Store) -> None:
    boxes = filled.annotations(kind="box")
    assert len(boxes) == 450
    assert set(boxes["kind"]) == {"box"}
    assert len(filled.annotations(kind=["box", "label"])) == 900
    assert len(filled.annotations(kind="polygon")) == 0
    assert len(filled.annotations(kind="box", annotator="ana")) == 150


@pytest.mark.parametrize("n", [3, 500, 501, 700])
def test_filter_by_item_ids_short_and_long(filled: Store, n: int) -> None:
    wanted = [str(i) for i in range(0, 2 * n, 2)] + ["not-there"]
    df = filled.annotations(item_ids=wanted)
    expected = sorted(i for i in wanted if i != "not-there" and int(i) < 900)
    assert sorted(df["item_id"]) == expected
    assert list(df.index) == list(range(len(df)))
    assert df.dtypes.to_dict() == schema.empty().dtypes.to_dict()
    combined = filled.annotations(item_ids=wanted, annotator="ana")
    assert sorted(combined["item_id"]) == [i for i in expected if int(i) % 3 == 0]


def test_item_ids_are_compared_as_text(filled: Store) -> None:
    assert sorted(filled.annotations(item_ids=[7, 8])["item_id"]) == ["7", "8"]
    assert list(filled.history(item_ids=[7])["item_id"]) == ["7"]
    assert len(filled.annotations(item_ids=[])) == 0


# -- parameterised SQL --------------------------------------------------------------------


def test_values_are_stored_literally(store: Store, db: Path) -> None:
    nasty = [INJECTION, "Robert'); DELETE FROM nblabel_events; --", 'a "quoted" \\ label', "猫 🐱"]
    rows = [
        _row(f"id-{k}{v}", item_id=v, annotator=v, label=v, text=v) for k, v in enumerate(nasty)
    ]
    store.upsert(rows)
    store.delete([f"id-0{INJECTION}"])
    df = store.annotations()
    assert sorted(df["label"]) == sorted(nasty[1:])
    got = store.annotations(item_ids=[INJECTION, nasty[1]], annotator=nasty[1])
    assert list(got["item_id"]) == [nasty[1]]
    assert list(store.history(item_ids=[INJECTION])["op"]) == ["upsert", "delete"]
    tables = {r[0] for r in _sql(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"nblabel_annotations", "nblabel_events", "nblabel_meta"} <= tables
    assert _sql(db, "SELECT count(*) FROM nblabel_events") == [(5,)]
    assert _sql(db, "SELECT label FROM nblabel_annotations WHERE item_id = ?", (INJECTION,)) == [
        (INJECTION,)
    ]


# -- durability and concurrency -----------------------------------------------------------

_CROSS_PROCESS = """
import json, os, sys
from nblabel.store import Store
s = Store(sys.argv[1])
df = s.annotations()
print(json.dumps({"ids": list(df["id"]), "labels": list(df["label"]),
                  "points": [p for p in df["points"] if p is not None]}), flush=True)
s.upsert([{"id": "from-child", "item_id": "x", "annotator": "child", "kind": "label",
           "label": "owl"}])
os._exit(0)  # no close, no cleanup: like a kernel that dies right after the write
"""


def test_writes_are_durable_across_stores_and_processes(db: Path) -> None:
    first = Store(db)
    first.upsert([_row("a", kind="polygon", points=[[0, 0], [3, 0], [0, 4]]), _row("b")])
    # A new Store object in this process sees it (the first one is still open).
    assert sorted(Store(db).annotations()["id"]) == ["a", "b"]

    proc = subprocess.run(
        [sys.executable, "-c", _CROSS_PROCESS, str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert sorted(seen["ids"]) == ["a", "b"]
    assert seen["points"] == [[[0, 0], [3, 0], [0, 4]]]
    # What the child wrote before dying is there, for the old and for a new Store.
    assert sorted(first.annotations()["id"]) == ["a", "b", "from-child"]
    first.close()
    assert sorted(Store(db).annotations()["id"]) == ["a", "b", "from-child"]


def test_concurrent_writer_processes_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shared" / "labels.db"  # created by whichever writer gets there first
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    names, n = ["w0", "w1", "w2"], 80
    procs = [
        subprocess.Popen(
            [sys.executable, str(HELPERS / "writer.py"), str(db), str(barrier), name, str(n), "3"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    try:
        deadline = time.monotonic() + 60
        while len(list(barrier.glob("ready-*"))) < len(names):
            assert time.monotonic() < deadline, "writers never got ready"
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            time.sleep(0.01)
        (barrier / "go").touch()
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert err == ""  # nothing surfaced: no SQLITE_BUSY, no warnings
    summaries = {s["name"]: s for s in (json.loads(out) for out, _ in outputs)}
    deleted = {d for s in summaries.values() for d in s["deleted"]}
    assert len(deleted) == 3 * (n // 10)

    store = Store(db)
    df = store.annotations()
    expected = {f"{name}-{i}" for name in names for i in range(n)} - deleted
    assert len(df) == len(expected)
    assert set(df["id"]) == expected
    assert (df.groupby("annotator").size() == n - n // 10).all()
    for ident, label in zip(df["id"], df["label"], strict=True):
        assert label == "L" + ident.split("-")[1]

    hist = store.history()
    assert len(hist) == 3 * (n + n // 10)
    assert list(hist["seq"]) == sorted(hist["seq"])
    assert len(set(hist["seq"])) == len(hist)
    for name in names:
        mine = hist[hist["annotator"] == name]
        assert (mine["op"] == "upsert").sum() == n
        assert set(mine.loc[mine["op"] == "delete", "id"]) == set(summaries[name]["deleted"])
        # Each writer's own events are in the order it made them.
        ups = mine.loc[mine["op"] == "upsert", "id"]
        assert list(ups) == [f"{name}-{i}" for i in range(n)]
    # The writers really did overlap: run one after another, the log would switch
    # writer exactly twice.
    switches = (hist["annotator"] != hist["annotator"].shift()).sum() - 1
    assert switches > len(names) - 1
    assert _sql(db, "SELECT count(*) FROM nblabel_annotations WHERE deleted = 1") == [
        (3 * (n // 10),)
    ]
    assert _sql(db, "PRAGMA integrity_check") == [("ok",)]
    store.close()
