"""The store keeps every acknowledged write: across processes, under contention, through SIGKILL.

Each test runs on SQLite and on PostgreSQL (``store_url`` in tests/conftest.py).
Writers are real processes running nblabel; the checks read the database back.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.unit.test_store import Raw

from nblabel.store import Store

HELPERS = Path(__file__).parent / "_helpers"

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


def _env() -> dict[str, str]:
    root = Path(__file__).resolve().parents[2]
    paths = [str(root / "src"), str(root), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def test_writes_are_durable_across_stores_and_processes(store_url: str) -> None:
    first = Store(store_url)
    first.upsert(
        [
            {"id": "a", "item_id": "i", "annotator": "ana", "kind": "polygon", "label": "cat",
             "points": [[0, 0], [3, 0], [0, 4]]},
            {"id": "b", "item_id": "i", "annotator": "ana", "kind": "label", "label": "cat"},
        ]
    )  # fmt: skip
    # A new Store object in this process sees it (the first one is still open).
    assert sorted(Store(store_url).annotations()["id"]) == ["a", "b"]
    proc = subprocess.run(
        [sys.executable, "-c", _CROSS_PROCESS, store_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_env(),
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert sorted(seen["ids"]) == ["a", "b"]
    assert seen["points"] == [[[0, 0], [3, 0], [0, 4]]]
    # What the child wrote before dying is there, for the old and for a new Store.
    assert sorted(first.annotations()["id"]) == ["a", "b", "from-child"]
    first.close()
    assert sorted(Store(store_url).annotations()["id"]) == ["a", "b", "from-child"]


def test_eight_writers_on_a_fresh_store_lose_nothing(store_url: str, tmp_path: Path) -> None:
    """8 processes use a store that does not exist yet at the same moment, 1,000 writes each."""
    if "://" not in store_url:
        store_url = str(Path(store_url).parent / "shared" / "labels.db")  # made by a writer
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    names, n, batch = [f"w{i}" for i in range(8)], 1000, 50
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(HELPERS / "writer.py"),
                store_url,
                str(barrier),
                name,
                str(n),
                str(batch),
                "1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
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
        began = time.monotonic()
        outputs = [p.communicate(timeout=240) for p in procs]
        print(f"8 writers took {time.monotonic() - began:.1f} s after the barrier")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert err == ""  # nothing surfaced: no SQLITE_BUSY, no race on CREATE TABLE, no warnings
    summaries = {s["name"]: s for s in (json.loads(out) for out, _ in outputs)}
    deleted = {d for s in summaries.values() for d in s["deleted"]}
    assert len(deleted) == len(names) * (n // 10)

    store = Store(store_url)
    df = store.annotations()
    expected = {f"{name}-{i}" for name in names for i in range(n)} - deleted
    assert len(df) == len(expected)
    assert set(df["id"]) == expected
    assert (df.groupby("annotator").size() == n - n // 10).all()
    assert (df["label"] == "L" + df["id"].str.split("-").str[1]).all()

    hist = store.history()
    assert len(hist) == len(names) * (n + n // 10)
    assert hist["seq"].is_monotonic_increasing
    assert hist["seq"].is_unique
    for name in names:
        mine = hist[hist["annotator"] == name]
        assert (mine["op"] == "upsert").sum() == n
        assert set(mine.loc[mine["op"] == "delete", "id"]) == set(summaries[name]["deleted"])
        # Each writer's own events are in the order it made them.
        ups = mine.loc[mine["op"] == "upsert", "id"]
        assert list(ups) == [f"{name}-{i}" for i in range(n)]
    # The writers really did overlap: run one after another, the log would switch
    # writer exactly seven times.
    switches = (hist["annotator"] != hist["annotator"].shift()).sum() - 1
    assert switches > len(names) - 1
    raw = Raw(store_url)
    assert raw.sql("SELECT count(*) FROM nblabel_annotations WHERE deleted = ?", (True,)) == [
        (len(deleted),)
    ]
    assert raw.sql("SELECT value FROM nblabel_meta") == [("3",)]
    if raw.sqlite:
        assert raw.sql("PRAGMA integrity_check") == [("ok",)]
    store.close()


def test_a_writer_killed_at_random_moments_loses_no_acknowledged_edit(store_url: str) -> None:
    """SIGKILL an editing process again and again: every edit it acknowledged is stored."""
    rng = random.Random(0)
    live: set[str] = set()  # what the stored edits leave live
    acked, start, previous = 0, 0, "-"
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, str(HELPERS / "editor.py"), store_url, "ed", str(start), previous],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        assert proc.stdout is not None
        # Up to the first acknowledged edit: the process is connected and writing
        # (however slow the machine), then it dies at a random moment.
        seen: list[str] = []
        while not seen or not seen[-1].startswith("ACK"):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "the editor died"
            seen.append(line)
        time.sleep(rng.uniform(0.0, 0.5))
        os.kill(proc.pid, signal.SIGKILL)
        out = proc.stdout.read()  # through the same buffer readline() filled
        assert proc.wait(timeout=30) == -signal.SIGKILL
        if proc.stderr is not None:
            proc.stderr.close()
        proc.stdout.close()
        pending: tuple[str, str] | None = None  # the edit tried and not acknowledged
        for line in [*seen, *out.splitlines()]:
            if not line.strip():
                continue
            word, ident, gone = line.split()
            if word == "TRY":
                pending = (ident, gone)
            else:
                assert (ident, gone) == pending
                acked += 1
                live.add(ident)
                live.discard(gone)
                pending = None
        store = Store(store_url)
        ids = set(store.annotations()["id"])
        store.close()
        # Every acknowledged edit is stored. The edit in flight when the process died
        # is stored whole or not at all (one transaction).
        if pending is None or ids == live:
            assert ids == live
        else:
            new, gone = pending
            assert ids == (live | {new}) - {gone}, (sorted(ids), sorted(live), pending)
            live = ids
        # The next process starts where the store is, as a reloaded page does.
        newest = max(live, key=lambda i: int(i.rsplit("-", 1)[1]), default=None)
        start = (int(newest.rsplit("-", 1)[1]) + 1) if newest else start + 1
        previous = newest or "-"
    assert acked >= 6, "the writer hardly got an edit through"
    hist = Store(store_url).history()
    assert hist["seq"].is_unique
    assert set(hist.loc[hist["op"] == "upsert", "id"]) >= live
    assert len(live) == 1  # each edit replaced the one before


def test_threads_reading_while_the_first_write_creates_the_store_share_one_engine(
    store_url: str,
) -> None:
    """A widget's prefetch thread reads while its first edit creates the store: one engine.

    Before, each thread that found no engine made and prepared its own; one was
    kept, the other leaked with its pool, and the edit raced the other's schema setup.
    """
    store = Store(store_url)
    engines: set[int] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                store.annotations(annotator="ana", item_ids=["b"])
                store.history(item_ids=["b"])
            except BaseException as exc:  # every failure is reported below
                errors.append(exc)
            if store._engine is not None:
                engines.add(id(store._engine))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        first = {"id": "cat", "item_id": "a", "annotator": "ana", "kind": "label", "label": "cat"}
        store.apply(upsert=[first])
        store.apply(upsert=[{**first, "id": "bird", "label": "bird"}], delete=["cat"])
        time.sleep(0.2)
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert errors == []
    assert engines == {id(store._engine)}
    history = store.history()
    assert history["op"].tolist() == ["upsert", "delete", "upsert"]
    assert history["label"].tolist() == ["cat", "cat", "bird"]
    store.close()


_READ_AND_CLOSE = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
print(con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0], flush=True)
con.close()  # the last connection SQLite knows of checkpoints and removes the WAL
"""

_COUNT = """
import sys
from nblabel.store import Store
print(len(Store(sys.argv[1]).annotations()), flush=True)
"""


def test_a_second_store_on_an_open_file_keeps_the_first_ones_writes(tmp_path: Path) -> None:
    """Opening the file again in the same process must not drop the first store's locks.

    SQLite's locks are POSIX locks: closing *any* descriptor of the database
    file in a process releases every lock the process holds on it. A second
    ``Store`` that peeked at the file's header with ``open()`` did that; a
    reader in another process then found no other connection, checkpointed
    and deleted the WAL under the first store, whose later writes went to an
    unlinked file: shown as saved, never seen by anyone else.
    """
    path = str(tmp_path / "team.db")
    first = Store(path)
    row = {"item_id": "i", "annotator": "ana", "kind": "label", "label": "cat"}
    first.upsert([{**row, "id": "a"}])
    assert len(Store(path).annotations()) == 1  # a second store in this process
    subprocess.run(
        [sys.executable, "-c", _READ_AND_CLOSE, path], capture_output=True, timeout=60, check=True
    )
    first.upsert([{**row, "id": "b"}])
    counted = subprocess.run(
        [sys.executable, "-c", _COUNT, path],
        capture_output=True, text=True, timeout=60, check=True, env=_env(),
    )  # fmt: skip
    assert counted.stdout.strip() == "2", counted.stderr
