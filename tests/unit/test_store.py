"""The SQL store, on real SQLite files in tmp_path and a real PostgreSQL server (no mocks).

``store`` and ``store_url`` (tests/conftest.py) run each test on both backends;
``Raw`` reads and writes the database with SQLAlchemy's bare driver calls,
bypassing nblabel, so the tests check what is really stored.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from tests.conftest import BACKENDS, make_location

from nblabel import schema
from nblabel.schema import SchemaError
from nblabel.store import CATEGORICAL_READS, SCHEMA_VERSION, Store, StoreError

RLE = {"size": [480, 640], "counts": "PPYo0`0a:N2N1O1N2O001N101O0O2O0O1O1"}
INJECTION = "x'); DROP TABLE nblabel_annotations; --"
TABLES = ("nblabel_annotations", "nblabel_events", "nblabel_meta")


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


class Raw:
    """The database under a store, through the bare driver (no nblabel code)."""

    def __init__(self, location: str) -> None:
        url = location if "://" in location else "sqlite:///" + location
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        self.sqlite = url.startswith("sqlite")

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if not self.sqlite:
            query = query.replace("?", "%s")
        with self.engine.begin() as conn:
            result = conn.exec_driver_sql(query, params)
            return [tuple(r) for r in result.all()] if result.returns_rows else []

    def tables(self) -> set[str]:
        return set(sa.inspect(self.engine).get_table_names())

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        have = self.tables()
        return {t: self.sql(f"SELECT * FROM {t} ORDER BY 1") for t in TABLES if t in have}


@pytest.fixture
def raw(store_url: str) -> Raw:
    return Raw(store_url)


def _read_dtypes() -> dict[str, Any]:
    """The dtypes of a frame read from a store: the schema's, with three more categoricals."""
    dtypes: dict[str, Any] = schema.empty().dtypes.to_dict()
    return {**dtypes, **dict.fromkeys(CATEGORICAL_READS, "category")}


def _by_id(df: pd.DataFrame) -> pd.DataFrame:
    return df.set_index("id", drop=False)


# -- creation -----------------------------------------------------------------------------


def test_a_fresh_store_reads_empty_and_creates_no_file(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "labels.db"
    s = Store(path)
    df = s.annotations()
    assert len(df) == 0
    assert df.dtypes.to_dict() == _read_dtypes()
    hist = s.history()
    assert len(hist) == 0
    assert list(hist.columns) == ["seq", "op", "recorded_at", *schema.COLUMN_NAMES]
    assert s.annotators() == []
    assert s.delete(["nothing"]) == 0
    assert s.apply() == ([], [])
    assert s.count_done() == 0
    assert s.item_ids_done() == set()
    assert not path.exists()
    assert not path.parent.exists()
    assert s.path == path.absolute()


def test_the_first_write_creates_the_file_and_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "labels.db"
    s = Store(str(path))
    s.upsert([_row("one")])
    s.close()
    assert path.is_file()
    assert Raw(str(path)).sql("SELECT id FROM nblabel_annotations") == [("one",)]


def test_sqlite_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "labels.db"
    Store(path).upsert([_row("one")])
    raw = Raw(str(path))
    assert raw.sql("PRAGMA journal_mode") == [("wal",)]


def test_a_new_store_records_its_schema_version(store: Store, raw: Raw) -> None:
    store.upsert([_row("one")])
    assert raw.sql("SELECT value FROM nblabel_meta WHERE key = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]


def test_a_store_from_a_newer_schema_refuses(store_url: str, raw: Raw) -> None:
    raw.sql("CREATE TABLE nblabel_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    raw.sql("INSERT INTO nblabel_meta VALUES ('schema_version', '999')")
    s = Store(store_url)
    with pytest.raises(StoreError, match=r"written by a newer nblabel \(schema 999\); upgrade"):
        s.annotations()
    with pytest.raises(StoreError, match="newer nblabel"):
        s.upsert([_row("one")])
    assert raw.sql("SELECT value FROM nblabel_meta") == [("999",)]
    assert raw.tables() == {"nblabel_meta"}


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
    assert df.dtypes.to_dict() == _read_dtypes()
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


def test_update_keeps_created_at_and_bumps_updated_at(store: Store, raw: Raw) -> None:
    store.upsert([_row("a1")])
    first = _by_id(store.annotations()).loc["a1"]
    time.sleep(0.01)
    store.upsert([_row("a1", label="dog")])
    second = _by_id(store.annotations()).loc["a1"]
    assert len(store.annotations()) == 1
    assert second["label"] == "dog"
    assert second["created_at"] == first["created_at"]
    assert second["updated_at"] > first["updated_at"]
    assert raw.sql("SELECT version FROM nblabel_annotations WHERE id = 'a1'") == [(2,)]


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


def test_delete_is_a_tombstone(store: Store, raw: Raw) -> None:
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
    assert raw.sql("SELECT id, deleted, label FROM nblabel_annotations ORDER BY id") == [
        ("a", True, "cat"),
        ("b", False, "dog"),
    ]
    # Deleting again, or an unknown id, changes nothing.
    assert store.delete(["a", "zzz"]) == 0
    assert len(store.history()) == 3


def test_re_upsert_of_a_deleted_id_resurrects_it(store: Store, raw: Raw) -> None:
    store.upsert([_row("a")])
    store.delete(["a"])
    assert store.annotators() == []
    store.upsert([_row("a", label="owl")])
    df = store.annotations()
    assert list(df["id"]) == ["a"]
    assert df.at[0, "label"] == "owl"
    assert store.annotators() == ["ana"]
    assert list(store.history()["op"]) == ["upsert", "delete", "upsert"]
    assert raw.sql("SELECT deleted, version FROM nblabel_annotations") == [(False, 3)]


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


def test_apply_upserting_and_deleting_one_id_is_refused_by_name(store: Store, raw: Raw) -> None:
    store.upsert([_row("a"), _row("b")])
    before = raw.dump()
    with pytest.raises(
        StoreError, match=r"annotation id\(s\) \['a'\] are both upserted and deleted"
    ):
        store.apply(upsert=[_row("a", label="dog"), _row("c")], delete=["a", "b"])
    assert raw.dump() == before


@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        pytest.param({"kind": "bogus"}, "kind", "'bogus' is not one of", id="bad-kind"),
        pytest.param({"label": None}, "label", "missing value", id="label-none"),
        pytest.param({"label": ""}, "label", "missing value", id="label-empty"),
        pytest.param({"label": np.nan}, "label", "missing value", id="label-nan"),
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
    store: Store, raw: Raw, bad: dict[str, Any], column: str, message: str
) -> None:
    store.upsert([_row("keep"), _row("victim")])
    before = raw.dump()
    row = _row("bad", **bad)
    if bad.get("label", "x") is None:
        del row["label"]  # absent, not just None
    with pytest.raises(SchemaError) as info:
        store.apply(upsert=[_row("fresh"), _row("keep", label="changed"), row], delete=["victim"])
    assert info.value.row == 2
    assert info.value.column == column
    assert message in str(info.value)
    assert f"row 2, column {column!r}" in str(info.value)
    assert raw.dump() == before


def test_an_unknown_column_fails_naming_the_row(store: Store, raw: Raw) -> None:
    store.upsert([_row("keep")])
    before = raw.dump()
    with pytest.raises(SchemaError, match=r"row 1: unknown column\(s\) \['colour'\]") as info:
        store.upsert([_row("ok"), _row("bad", colour="red")])
    assert info.value.row == 1
    assert raw.dump() == before


def test_a_database_failure_mid_transaction_rolls_everything_back(store: Store, raw: Raw) -> None:
    store.upsert([_row("keep"), _row("victim")])
    if raw.sqlite:
        raw.sql(
            "CREATE TRIGGER boom BEFORE INSERT ON nblabel_events WHEN NEW.label = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'boom'); END"
        )
    else:
        raw.sql(
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.label = 'boom' THEN "
            "RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        raw.sql(
            "CREATE TRIGGER boom BEFORE INSERT ON nblabel_events "
            "FOR EACH ROW EXECUTE FUNCTION boom()"
        )
    before = raw.dump()
    with pytest.raises(sa.exc.DBAPIError, match="boom"):
        store.apply(
            upsert=[_row("fresh"), _row("keep", label="changed"), _row("x", label="boom")],
            delete=["victim"],
        )
    assert raw.dump() == before
    assert sorted(store.annotations()["id"]) == ["keep", "victim"]
    # The store is still usable afterwards.
    store.upsert([_row("fresh")])
    assert sorted(store.annotations()["id"]) == ["fresh", "keep", "victim"]


def test_rows_must_be_a_list_not_one_mapping(store: Store) -> None:
    with pytest.raises(TypeError, match="got a single mapping"):
        store.upsert(_row("a"))  # type: ignore[arg-type]


# -- filters ------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """900 annotations, shared by the read-only filter tests."""
    store = Store(make_location(request.param, tmp_path_factory.mktemp("filled"), request))
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
    assert df.dtypes.to_dict() == _read_dtypes()
    combined = filled.annotations(item_ids=wanted, annotator="ana")
    assert sorted(combined["item_id"]) == [i for i in expected if int(i) % 3 == 0]


def test_item_ids_are_compared_as_text(filled: Store) -> None:
    assert sorted(filled.annotations(item_ids=[7, 8])["item_id"]) == ["7", "8"]
    assert list(filled.history(item_ids=[7])["item_id"]) == ["7"]
    assert len(filled.annotations(item_ids=[])) == 0


# -- parameterised SQL --------------------------------------------------------------------


def test_values_are_stored_literally(store: Store, raw: Raw) -> None:
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
    assert set(TABLES) <= raw.tables()
    assert raw.sql("SELECT count(*) FROM nblabel_events") == [(5,)]
    assert raw.sql("SELECT label FROM nblabel_annotations WHERE item_id = ?", (INJECTION,)) == [
        (INJECTION,)
    ]


# -- bulk writes and vectorised checks ----------------------------------------------------


def _boxes(n: int, *, index: Any = None) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "item_id": [f"img{i // 2:05d}" for i in range(n)],
            "annotator": "ana",
            "kind": "box",
            "label": rng.choice(["cat", "dog"], n),
            "x": rng.random(n) * 100,
            "y": rng.random(n) * 100,
            "width": rng.random(n) * 10,
            "height": rng.random(n) * 10,
            "image_width": 640,
            "image_height": 480,
        },
        index=index,
    )


def test_a_bulk_upsert_stores_every_row_and_one_event_each(store: Store, raw: Raw) -> None:
    frame = _boxes(3000)
    ids = store.upsert(frame)
    assert len(set(ids)) == 3000
    df = store.annotations()
    assert len(df) == 3000
    got = df.set_index("id").loc[ids]
    np.testing.assert_array_equal(got["x"].to_numpy(), frame["x"].to_numpy())
    assert list(got["label"]) == list(frame["label"])
    assert (got["image_width"] == 640).all()
    assert raw.sql("SELECT count(*) FROM nblabel_events") == [(3000,)]
    assert store.count_done(annotator="ana") == 1500


def test_errors_in_a_frame_name_its_index_label(store: Store, raw: Raw) -> None:
    frame = _boxes(50, index=[f"r{i}" for i in range(50)])
    frame.loc["r37", "height"] = -2.0
    store.upsert([_row("keep")])
    before = raw.dump()
    with pytest.raises(SchemaError, match=r"^row 'r37', column 'height': must not be negative"):
        store.upsert(frame)
    assert raw.dump() == before


@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        pytest.param({"image_width": 1.5}, "image_width", "1.5 is not a whole number", id="1.5"),
        pytest.param({"image_width": "wide"}, "image_width", "'wide' is not a number", id="wide"),
        pytest.param(
            {"annotator": ["a", "b"]}, "annotator", "['a', 'b'] is a list, not a text", id="list"
        ),
        pytest.param({"label": {"x": 1}}, "label", "is a dict, not a text", id="dict"),
        pytest.param({"outside": "yes"}, "outside", "'yes' is not True or False", id="bool"),
    ],
)
def test_store_and_schema_refuse_a_bad_cell_alike(
    store: Store, raw: Raw, bad: dict[str, Any], column: str, message: str
) -> None:
    """One rule, one message: schema.coerce and the store say the same, by row and column."""
    rows = [_row("ok"), _row("bad", **bad)]
    with pytest.raises(SchemaError) as by_schema:
        schema.coerce(pd.DataFrame(rows))
    store.upsert([_row("keep")])
    before = raw.dump()
    with pytest.raises(SchemaError) as by_store:
        store.upsert(rows)
    assert str(by_store.value) == str(by_schema.value)
    assert (by_store.value.row, by_store.value.column) == (1, column)
    assert message in str(by_store.value)
    assert raw.dump() == before


@pytest.mark.parametrize("column", ["label", "text", "item_id", "annotator"])
def test_nul_characters_are_refused_alike_on_every_backend(
    store: Store, raw: Raw, column: str
) -> None:
    store.upsert([_row("keep")])
    before = raw.dump()
    rows = [_row("ok", text="fine"), _row("bad", **{column: "a\x00b"})]
    with pytest.raises(StoreError, match=rf"^row 1, column '{column}': text contains a NUL"):
        store.upsert(rows)
    assert raw.dump() == before


def test_nul_inside_json_values_is_escaped_and_round_trips(store: Store) -> None:
    store.upsert([_row("x", extra={"note": "a\x00b"})])
    assert store.annotations().at[0, "extra"] == {"note": "a\x00b"}


# -- errors name what the user gave -------------------------------------------------------


@pytest.mark.parametrize("location", [123, 4.5, b"labels.db", ["labels.db"]])
def test_location_of_the_wrong_type_is_a_type_error(location: Any) -> None:
    with pytest.raises(TypeError, match=r"^store: expected a file path or a SQLAlchemy URL"):
        Store(location)


@pytest.mark.parametrize("location", ["", "   "])
def test_an_empty_location_names_the_store_argument(location: str) -> None:
    with pytest.raises(ValueError, match=r"^store: must not be empty"):
        Store(location)


def test_a_store_of_a_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="store: pass the Store itself"):
        Store(Store(tmp_path / "x.db"))  # type: ignore[arg-type]


def test_a_folder_as_the_store_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=rf"^store: '{tmp_path}' is a folder; give a file path"):
        Store(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_text_file_as_the_store_is_refused_and_kept(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n" * 100)
    with pytest.raises(StoreError, match=r"notes.txt' exists and is not a SQLite database"):
        Store(notes)
    assert notes.read_text() == "my notes\n" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("url", ["foo://bar/baz", "mysql+nodriver://u@h/db"])
def test_an_unknown_url_scheme_is_refused_by_name(url: str) -> None:
    with pytest.raises(StoreError, match=r"is not a path or a database URL nblabel can use"):
        Store(url)


def test_an_unreachable_server_is_a_store_error_naming_it() -> None:
    with socket_closed_port() as port:
        url = f"postgresql+psycopg://ana:secret@127.0.0.1:{port}/labels"
        s = Store(url)
        with pytest.raises(StoreError, match=rf"^store: cannot open .*127.0.0.1:{port}/labels"):
            s.annotations()
        with pytest.raises(StoreError) as info:
            s.upsert([_row("a")])
    assert "secret" not in str(info.value)  # the password is not shown


def socket_closed_port() -> Any:
    """A context giving a local port that nothing listens on."""
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed() -> Iterator[int]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        yield port

    return closed()


@pytest.mark.parametrize("rows", [None, 123, "a", b"x"])
def test_upsert_of_something_not_rows_names_the_argument(store: Store, raw: Raw, rows: Any) -> None:
    store.upsert([_row("keep")])
    before = raw.dump()
    with pytest.raises(TypeError, match=r"^rows: expected a list of mappings or a DataFrame"):
        store.upsert(rows)
    with pytest.raises(TypeError, match=r"^upsert: expected a list of mappings or a DataFrame"):
        store.apply(upsert=rows)
    assert raw.dump() == before


def test_a_row_that_is_not_a_mapping_is_named(store: Store) -> None:
    with pytest.raises(TypeError, match=r"^rows: row 1 is a int, not a mapping"):
        store.upsert([_row("a"), 7])  # type: ignore[list-item]


@pytest.mark.parametrize("ids", [None, 123, 4.5, {"id": "a"}])
def test_delete_of_something_not_ids_names_the_argument(store: Store, raw: Raw, ids: Any) -> None:
    store.upsert([_row("keep")])
    before = raw.dump()
    with pytest.raises(TypeError, match=r"^ids: expected an annotation id \(str\) or a list"):
        store.delete(ids)
    with pytest.raises(TypeError, match=r"^delete: expected an annotation id"):
        store.apply(delete=ids)
    assert raw.dump() == before


def test_read_filters_of_the_wrong_type_name_the_argument(store: Store) -> None:
    store.upsert([_row("a")])
    with pytest.raises(TypeError, match=r"^item_ids: expected a list of item ids, got str"):
        store.annotations(item_ids="img-1.jpg")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^annotator: expected a name or a list of names"):
        store.annotations(annotator=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^since: 'yesterday-ish' is not a date/time"):
        store.annotations(since="yesterday-ish")


# -- incremental and aggregate reads ------------------------------------------------------


def test_since_reads_only_what_changed(store: Store) -> None:
    store.upsert([_row("a"), _row("b", item_id="img-2.jpg")])
    mark = store.annotations()["updated_at"].max()
    time.sleep(0.01)
    store.upsert([_row("b", item_id="img-2.jpg", label="dog"), _row("c", item_id="img-3.jpg")])
    store.delete("a")
    changed = store.annotations(since=mark + pd.Timedelta(microseconds=1))
    assert sorted(changed["id"]) == ["b", "c"]
    assert (
        list(store.annotations(since=pd.Timestamp.now(tz="UTC") + pd.Timedelta("1h"))["id"]) == []
    )
    # naive and text times mean UTC
    naive = (mark + pd.Timedelta(microseconds=1)).tz_localize(None)
    assert sorted(store.annotations(since=naive)["id"]) == ["b", "c"]
    assert sorted(store.annotations(since=naive.isoformat())["id"]) == ["b", "c"]
    # the delete is in the history read with the same mark
    recent = store.history(since=mark + pd.Timedelta(microseconds=1))
    assert list(zip(recent["op"], recent["id"], strict=True)) == [
        ("upsert", "b"),
        ("upsert", "c"),
        ("delete", "a"),
    ]


def test_filter_by_label(store: Store) -> None:
    store.upsert([_row("a"), _row("b", label="dog"), _row("c", label="owl")])
    assert list(store.annotations(label="dog")["id"]) == ["b"]
    assert sorted(store.annotations(label=["cat", "owl"])["id"]) == ["a", "c"]
    assert len(store.annotations(label=[])) == 0


def test_done_items_come_from_sql_aggregates(store: Store) -> None:
    rows = [_row(f"a{i}", item_id=f"item{i}") for i in range(0, 20, 2)]  # ana: even items
    rows += [_row("b1", item_id="item1", annotator="ben")]
    rows += [_row("box", item_id="item3", kind="box", x=0, y=0, width=1, height=1)]
    store.upsert(rows)
    store.delete("a18")
    evens = {f"item{i}" for i in range(0, 18, 2)}
    assert store.item_ids_done(annotator="ana", kinds=["label"]) == evens
    assert store.count_done(annotator="ana", kinds=["label"]) == 9
    assert store.item_ids_done(annotator="ana") == evens | {"item3"}
    assert store.count_done(annotator="ana", kinds="box") == 1
    assert store.count_done() == 11
    assert store.item_ids_done(annotator=["ben"]) == {"item1"}
    wanted = ["item0", "item1", "item2", "item5"]
    assert store.item_ids_done(annotator="ana", item_ids=wanted) == {"item0", "item2"}
    assert store.count_done(annotator="ana", item_ids=wanted) == 2
    long = [f"item{i}" for i in range(10_000)]  # through the temporary table
    assert store.item_ids_done(annotator="ana", kinds=["label"], item_ids=long) == evens
    assert store.count_done(item_ids=long) == 11
    assert store.count_done(item_ids=[]) == 0


# -- schema migrations --------------------------------------------------------------------

# The tables as nblabel 0.1 (schema version 1) made them, written out by hand.
_V1_COLUMNS = """
    item_id TEXT NOT NULL, annotator TEXT NOT NULL, kind TEXT NOT NULL,
    label TEXT NOT NULL, source TEXT NOT NULL,
    score FLOAT, elapsed FLOAT, x FLOAT, y FLOAT, width FLOAT, height FLOAT,
    start FLOAT, "end" FLOAT, image_width INTEGER, image_height INTEGER,
    points TEXT, mask TEXT, text TEXT,
    created_at {time} NOT NULL, updated_at {time} NOT NULL
"""
_V1 = [
    "CREATE TABLE nblabel_annotations (id TEXT NOT NULL PRIMARY KEY, "
    + _V1_COLUMNS
    + ", deleted BOOLEAN NOT NULL, version INTEGER NOT NULL)",
    "CREATE TABLE nblabel_events (seq {serial}, op TEXT NOT NULL, "
    "recorded_at {time} NOT NULL, id TEXT NOT NULL, " + _V1_COLUMNS + ")",
    "CREATE INDEX ix_nblabel_annotations_annotator_item "
    "ON nblabel_annotations (annotator, item_id)",
    "CREATE INDEX ix_nblabel_annotations_item ON nblabel_annotations (item_id)",
    "CREATE INDEX ix_nblabel_events_id ON nblabel_events (id)",
    "CREATE TABLE nblabel_meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
    "INSERT INTO nblabel_meta VALUES ('schema_version', '1')",
]


def test_a_version_1_store_is_upgraded_in_place(store_url: str, raw: Raw) -> None:
    kinds = (
        {"time": "DATETIME", "serial": "INTEGER NOT NULL PRIMARY KEY"}
        if raw.sqlite
        else {"time": "TIMESTAMP WITH TIME ZONE", "serial": "SERIAL PRIMARY KEY"}
    )
    for statement in _V1:
        raw.sql(statement.format(**kinds))
    made = "2024-03-01 10:00:00.000000" if raw.sqlite else "2024-03-01 10:00:00+00"
    values = ("old", "img.jpg", "ana", "polygon", "cat", "human", "[[0,0],[4,0],[4,3]]", made)
    raw.sql(
        "INSERT INTO nblabel_annotations (id, item_id, annotator, kind, label, source, points, "
        "created_at, updated_at, deleted, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
        + ("0, 1)" if raw.sqlite else "false, 1)"),
        (*values, made),
    )
    raw.sql(
        "INSERT INTO nblabel_events (op, recorded_at, id, item_id, annotator, kind, label, "
        "source, points, created_at, updated_at) VALUES ('upsert', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (made, *values, made),
    )

    s = Store(store_url)
    df = s.annotations()
    assert list(df["id"]) == ["old"]
    assert df.at[0, "points"] == [[0, 0], [4, 0], [4, 3]]
    assert df.at[0, "created_at"] == pd.Timestamp("2024-03-01T10:00:00", tz="UTC")
    assert raw.sql("SELECT value FROM nblabel_meta") == [(str(SCHEMA_VERSION),)]
    columns = {c["name"] for c in sa.inspect(raw.engine).get_columns("nblabel_events")}
    assert {"from_id", "to_id", "frame", "track_id", "outside", "extra"} <= columns
    indexes = {i["name"] for i in sa.inspect(raw.engine).get_indexes("nblabel_annotations")}
    assert {"ix_nblabel_annotations_updated", "ix_nblabel_annotations_done"} <= indexes
    assert "ix_nblabel_annotations_annotator_item" not in indexes
    # The upgraded store takes the new columns and keeps its history.
    s.upsert([_row("pt", kind="point", x=1, y=2, frame=3, track_id="t1", outside=True)])
    got = _by_id(s.annotations())
    assert got.at["pt", "frame"] == 3
    assert got.at["pt", "outside"]
    assert list(s.history()["id"]) == ["old", "pt"]
    s.close()
    # A second open finds it current and changes nothing.
    before = raw.dump()
    Store(store_url).annotations()
    assert raw.dump() == before


def test_a_failed_migration_leaves_the_old_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    con = sqlite3.connect(path)
    for statement in _V1:
        con.execute(statement.format(time="DATETIME", serial="INTEGER NOT NULL PRIMARY KEY"))
    # A view named like the index that version 3 creates makes the upgrade fail midway.
    con.execute("CREATE VIEW ix_nblabel_annotations_updated AS SELECT 1")
    con.commit()
    con.close()
    raw = Raw(str(path))
    before = raw.dump()
    columns = [c["name"] for c in sa.inspect(raw.engine).get_columns("nblabel_annotations")]
    with pytest.raises(StoreError, match="cannot open"):
        Store(path).annotations()
    assert raw.dump() == before
    after = [c["name"] for c in sa.inspect(raw.engine).get_columns("nblabel_annotations")]
    assert after == columns  # version 2's columns were rolled back with the rest


def test_qa_reads_a_store_frame_without_re_encoding(store: Store) -> None:
    """The categorical columns a store returns give QA the same answers as plain text."""
    from nblabel import qa

    rng = np.random.default_rng(1)
    labels = np.array(["cat", "dog", "owl"], dtype=object)
    rows = [
        _row(f"{who}{i}", item_id=f"item{i}", annotator=who, label=labels[rng.integers(0, 3)])
        for i in range(200)
        for who in ("ana", "ben", "cy")
    ]
    store.upsert(rows)
    df = store.annotations()
    for name in CATEGORICAL_READS:
        assert isinstance(df[name].dtype, pd.CategoricalDtype)
    plain = df.astype(dict.fromkeys(CATEGORICAL_READS, object))
    assert qa.cohen_kappa(df, "ana", "ben") == qa.cohen_kappa(plain, "ana", "ben")
    assert qa.krippendorff_alpha(df) == pytest.approx(qa.krippendorff_alpha(plain), abs=1e-12)
