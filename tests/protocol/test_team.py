"""Team labeling on one store: who may write what, who is labeling, overlap routing and leases.

The concurrency tests run each annotator in a separate process (``spawn``: a
fresh interpreter, as a separate kernel is) that drives a real widget with
the page's messages, all on one SQLite file.
"""

from __future__ import annotations

import getpass
import itertools
import multiprocessing
import queue
import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from nblabel import TextAnnotator
from nblabel.qa.progress import progress
from nblabel.routing import Router, leases_table, owners
from nblabel.store import Store

from .conftest import PageDriver

LABELS = ["pos", "neg"]


@pytest.fixture(autouse=True)
def _close_stores(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Close every store these tests open (many per test), so no database connection leaks."""
    opened: list[Store] = []
    connect = Store._connect

    def tracked(self: Store) -> Any:
        opened.append(self)
        return connect(self)

    monkeypatch.setattr(Store, "_connect", tracked)
    yield
    for store in opened:
        store.close()


@pytest.fixture
def location(tmp_path: Path) -> str:
    """A fresh store file. The protocol suite runs each test on SQLite and on PostgreSQL (its
    autouse ``protocol_backend`` fixture sends a file path to a PostgreSQL database)."""
    return str(tmp_path / "team.db")


def docs(n: int) -> pd.Series:
    return pd.Series(
        [f"document number {i}" for i in range(n)], index=[f"d{i:02d}" for i in range(n)]
    )


def widget(store: Any, annotator: str, n: int = 6, **options: Any) -> TextAnnotator:
    return TextAnnotator(
        docs(n), doc_labels=LABELS, labels=["X"], annotator=annotator, store=store, **options
    )


def doc_label(label: str, ident: str | None = None) -> dict[str, Any]:
    return {"id": ident or uuid.uuid4().hex, "kind": "label", "label": label}


def annotators_per_item(store: Store) -> dict[str, set[str]]:
    df = store.annotations(kind="label")
    return {str(k): set(v) for k, v in df.groupby("item_id")["annotator"]}


# -- who may write what --------------------------------------------------------------------------


@pytest.fixture
def two(location: str, drive: Any) -> tuple[Store, PageDriver, PageDriver]:
    db = location
    ana, bob = drive(widget(db, "ana")), drive(widget(db, "bob"))
    assert ana.edit("d00", [doc_label("pos", "ana-1")])["type"] == "saved"
    assert bob.edit("d00", [doc_label("neg", "bob-1")])["type"] == "saved"
    return Store(db), ana, bob


def test_deleting_another_annotators_row_is_refused_and_nothing_changes(two):
    store, _ana, bob = two
    before = store.history()
    answer = bob.edit("d00", delete=["ana-1"])
    assert answer["type"] == "rejected"
    assert answer["message"] == (
        "item 'd00': annotation 'ana-1' was made by 'ana'; "
        "annotator 'bob' may delete only their own annotations"
    )
    assert [r["id"] for r in answer["rows"]] == ["bob-1"]  # the page is told bob's truth
    assert set(store.annotations()["id"]) == {"ana-1", "bob-1"}
    assert len(store.history()) == len(before)


def test_overwriting_another_annotators_row_is_refused_and_nothing_changes(two):
    store, _ana, bob = two
    answer = bob.edit("d00", [doc_label("neg", "ana-1")], delete=["bob-1"])
    assert answer["type"] == "rejected"
    assert "annotation 'ana-1' was made by 'ana'" in answer["message"]
    assert "may not overwrite it" in answer["message"]
    df = store.annotations().set_index("id")
    assert (df.loc["ana-1", "annotator"], df.loc["ana-1", "label"]) == ("ana", "pos")
    assert df.loc["bob-1", "label"] == "neg"  # the delete of the same edit did not happen


def test_a_deleted_row_of_another_annotator_cannot_be_revived_under_its_id(two):
    store, ana, bob = two
    assert ana.edit("d00", delete=["ana-1"])["type"] == "saved"
    answer = bob.edit("d00", [doc_label("pos", "ana-1")])
    assert answer["type"] == "rejected"
    assert "was made by 'ana'" in answer["message"]
    assert "ana-1" not in set(store.annotations()["id"])


def test_own_rows_of_another_item_cannot_be_moved_or_deleted_through_this_item(two):
    store, ana, _bob = two
    answer = ana.edit("d01", delete=["ana-1"])
    assert answer["type"] == "rejected"
    assert answer["message"] == "item 'd01': annotation 'ana-1' belongs to item 'd00'"
    answer = ana.edit("d01", [doc_label("neg", "ana-1")])
    assert answer["type"] == "rejected"
    assert store.annotations().set_index("id").loc["ana-1", "item_id"] == "d00"


def test_a_model_or_review_row_is_not_overwritten_by_an_annotators_edit(two):
    store, ana, _bob = two
    store.upsert(
        [
            {
                "id": "m-1",
                "item_id": "d01",
                "annotator": "ana",
                "kind": "label",
                "label": "neg",
                "source": "model",
            }
        ]
    )
    answer = ana.edit("d01", [doc_label("pos", "m-1")])
    assert answer["type"] == "rejected"
    assert "is a 'model' row" in answer["message"]
    assert store.annotations().set_index("id").loc["m-1", "source"] == "model"


def test_own_edits_still_go_through(two):
    store, ana, _bob = two
    assert ana.edit("d00", [doc_label("neg", "ana-2")], delete=["ana-1"])["type"] == "saved"
    assert ana.edit("d00", [doc_label("pos", "ana-2")])["type"] == "saved"
    assert ana.edit("d00", delete=["never-stored"])["type"] == "saved"  # ignored, as the store does
    mine = store.annotations(annotator="ana")
    assert list(zip(mine["id"], mine["label"], strict=True)) == [("ana-2", "pos")]


def test_owners_reads_tombstones_too(two):
    store, ana, _bob = two
    ana.edit("d00", delete=["ana-1"])
    found = owners(store, ["ana-1", "bob-1", "nope"])
    assert set(found) == {"ana-1", "bob-1"}
    assert (found["ana-1"].annotator, found["ana-1"].deleted) == ("ana", True)
    assert (found["bob-1"].item_id, found["bob-1"].source) == ("d00", "human")


# -- who is labeling -----------------------------------------------------------------------------


def test_the_default_annotator_is_the_hub_user_then_the_variable_then_the_login(
    tmp_path, monkeypatch
):
    db = tmp_path / "who.db"
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-ana")
    monkeypatch.setenv("NBLABEL_ANNOTATOR", "env-bob")
    w = TextAnnotator(["x"], labels=["X"], store=db)
    assert w.annotator == "hub-ana"
    w.close()
    monkeypatch.delenv("JUPYTERHUB_USER")
    w = TextAnnotator(["x"], labels=["X"], store=db)
    assert w.annotator == "env-bob"
    w.close()
    monkeypatch.delenv("NBLABEL_ANNOTATOR")
    w = TextAnnotator(["x"], labels=["X"], store=db)
    assert w.annotator == getpass.getuser()
    w.close()
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-ana")
    w = TextAnnotator(["x"], labels=["X"], store=db, annotator="given")
    assert w.annotator == "given"  # an explicit name always wins
    w.close()


# -- routing with overlap, in one process --------------------------------------------------------


def test_overlap_routes_each_item_to_exactly_k_annotators(location, drive):
    db = location
    pages = [drive(widget(db, name, n=7, overlap=2)) for name in ("ana", "bob", "cy")]
    active = list(pages)
    rounds = 0
    while active and rounds < 100:
        rounds += 1
        for page in list(active):
            w = page.widget
            if w.current_item not in w._done and w.current_item in w._team.router.held:
                assert page.label(w.current_item, "pos")["type"] == "saved"
            if not w.next() and w.finished:
                active.remove(page)  # else others hold the rest: ask again next round
    assert not active
    per_item = annotators_per_item(Store(db))
    assert set(per_item) == {f"d{i:02d}" for i in range(7)}
    assert all(len(names) == 2 for names in per_item.values()), per_item
    counts = Store(db).annotations().groupby("annotator")["item_id"].nunique()
    assert counts.sum() == 14
    assert all(p.widget.finished for p in pages)
    assert [p.widget.next() for p in pages] == [False, False, False]
    assert [p.widget.team_complete for p in pages] == [7, 7, 7]  # "team: 7 items complete"


def test_team_progress_counts_items_with_all_their_annotators(location, drive):
    ana, bob = (drive(widget(location, name, overlap=2)) for name in ("ana", "bob"))
    assert (ana.widget.team_complete, bob.widget.team_complete) == (0, 0)
    assert ana.label("d00", "pos")["type"] == "saved"
    assert ana.widget.team_complete == 0  # one of two annotators
    assert bob.label("d00", "neg")["type"] == "saved"
    assert bob.widget.team_complete == 1  # counted at once, by the edit's own item
    assert ana.widget.next()
    assert ana.widget.team_complete == 1  # others' work is counted when one moves on
    plain = widget(location, "cy")
    assert plain.team_complete == -1  # without overlap there is no team count
    plain.close()


def test_a_shown_item_is_held_and_others_open_on_the_next_one(location, drive):
    db = location
    ana = widget(db, "ana", overlap=1)
    bob = widget(db, "bob", overlap=1)
    assert (ana.current_item, bob.current_item) == ("d00", "d01")
    assert not ana.finished
    ana.close()  # closing gives the lease back
    cy = widget(db, "cy", overlap=1)
    assert cy.current_item == "d00"
    bob.close()
    cy.close()


def test_an_edit_on_an_item_that_has_k_other_annotators_is_refused(location, drive):
    db = location
    Store(db).upsert(
        [{"item_id": "d01", "annotator": a, "kind": "label", "label": "pos"} for a in ("bob", "cy")]
    )
    ana = drive(widget(db, "ana", overlap=2))
    answer = ana.edit("d01", [doc_label("neg")])
    assert answer["type"] == "rejected"
    assert answer["message"] == (
        "item 'd01' already has 2 other annotator(s) (overlap=2): it is not for annotator 'ana'"
    )
    assert set(Store(db).annotations()["annotator"]) == {"bob", "cy"}
    assert ana.edit("d02", [doc_label("neg")])["type"] == "saved"  # one with room is fine


def test_the_pages_next_key_skips_items_that_are_full(location, drive):
    db = location
    Store(db).upsert(
        [
            {"item_id": i, "annotator": a, "kind": "label", "label": "pos"}
            for i in ("d01", "d02")
            for a in ("bob", "cy")
        ]
    )
    page = drive(widget(db, "ana", overlap=2))
    page.hello()
    assert page.widget.position == 0
    page.goto(1)  # "n" on d00: d01 and d02 are full, d03 is next for ana
    reply = [m for m, _ in page.sent if m.get("type") == "item" and m.get("reply")]
    assert reply[-1]["position"] == 3
    assert page.widget.current_item == "d03"
    assert page.widget._team.router.held == {"d03"}  # d00 was given back


def test_next_is_false_while_another_kernel_holds_the_last_item_then_finishes(location):
    db = location
    ana = widget(db, "ana", n=2, overlap=1)
    bob = widget(db, "bob", n=2, overlap=1)
    assert (ana.current_item, bob.current_item) == ("d00", "d01")
    PageDriver(ana).label("d00", "pos")
    assert ana.next() is False
    assert ana.finished is False  # d01 is only held, so it may come back
    PageDriver(bob).label("d01", "neg")
    assert ana.next() is False
    assert ana.finished is True
    ana.close()
    bob.close()


def test_an_expired_lease_returns_the_item_to_the_pool(location):
    db = location
    store = Store(db)
    crashed = Router(store, "ana", overlap=1, lease=2.0)
    assert crashed.claim(["d00", "d01"]) == "d00"
    other = Router(store, "bob", overlap=1, lease=2.0)
    assert other.claim(["d00"]) is None
    time.sleep(2.1)  # ana's kernel died: nobody renews
    assert other.claim(["d00"]) == "d00"
    assert crashed.claim(["d00"]) is None


def test_the_widget_renews_its_lease_while_open(location):
    db = location
    ana = widget(db, "ana", overlap=1, lease=1.0)
    time.sleep(3.0)  # three lease lengths: only the heartbeat keeps d00 ana's
    bob = Router(Store(db), "bob", overlap=1)
    assert bob.claim(["d00"]) is None
    ana.close()
    assert bob.claim(["d00"]) == "d00"


def test_without_overlap_nothing_is_routed(location, drive):
    db = location
    ana, bob = widget(db, "ana"), widget(db, "bob")
    assert (ana.current_item, bob.current_item) == ("d00", "d00")
    assert ana.next() is True
    assert ana.current_item == "d01"
    with Store(db)._connect().connect() as conn:
        assert not conn.dialect.has_table(conn, leases_table.name)
    ana.close()
    bob.close()


def test_bad_overlap_and_lease_name_the_argument(tmp_path):
    with pytest.raises(ValueError, match="overlap: expected a whole number"):
        widget(tmp_path / "x.db", "ana", overlap=0)
    with pytest.raises(ValueError, match="lease: expected a number of seconds"):
        widget(tmp_path / "x.db", "ana", overlap=2, lease=-1)


# -- routing with overlap, several processes -----------------------------------------------------


def _annotate(db: str, name: str, options: dict[str, Any], out: Any) -> None:
    """One annotator's kernel: label what the queue offers until nothing is left."""
    n, overlap, lease, pause = (options[k] for k in ("n", "overlap", "lease", "pause"))
    from tests.protocol.conftest import PageDriver as Driver

    w = TextAnnotator(
        docs(n),
        doc_labels=LABELS,
        labels=["X"],
        annotator=name,
        store=db,
        overlap=overlap,
        lease=lease,
    )
    page = Driver(w)
    page.hello()
    labeled, refused = [], []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        item = w.current_item
        if item not in w._done and item in w._team.router.held:
            time.sleep(pause)
            answer = page.label(item, LABELS[len(labeled) % 2])
            (labeled if answer["type"] == "saved" else refused).append(item)
        if not w.next():
            if w.finished:
                break
            time.sleep(0.05)  # the rest is held by others: wait for their leases
    out.put(("done", name, {"labeled": labeled, "refused": refused, "finished": w.finished}))
    w.close()


def _spawn(
    db: str, names: list[str], *, n: int, lease: float, pauses: dict[str, float]
) -> tuple[dict[str, Any], dict[str, Any]]:
    # One queue per process: a process killed while it writes to a queue may leave the
    # queue's lock held, which must not stall the others' reports.
    ctx = multiprocessing.get_context("spawn")
    outs = {name: ctx.Queue() for name in names}
    procs = {
        name: ctx.Process(
            target=_annotate,
            args=(
                db,
                name,
                {"n": n, "overlap": 2, "lease": lease, "pause": pauses.get(name, 0.0)},
                outs[name],
            ),
        )
        for name in names
    }
    for p in procs.values():
        p.start()
    return outs, procs


@pytest.fixture
def kernels() -> Any:
    """Start annotator processes; any still running when the test ends is killed."""
    started: list[Any] = []

    def start(*args: Any, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        outs, procs = _spawn(*args, **kwargs)
        started.extend(procs.values())
        return outs, procs

    yield start
    for proc in started:
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=10)


def _collect(
    outs: dict[str, Any], procs: dict[str, Any], wanted: set[str], timeout: float = 150
) -> dict[str, Any]:
    """Each wanted process's final report (what it labeled, what was refused, finished)."""
    results: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    for name in sorted(wanted):
        while name not in results and time.monotonic() < deadline:
            try:
                kind, _, value = outs[name].get(timeout=1)
            except queue.Empty:
                continue
            if kind == "done":
                results[name] = value
        procs[name].join(timeout=30)
    return results


def test_three_kernels_with_overlap_two_label_thirty_items_exactly_twice(location, kernels):
    db = Store(location).url  # the real database: spawned kernels do not share this process's
    Store(db)._connect()  # the tables exist before three processes race to make them
    names = ["ana", "bob", "cy"]
    outs, procs = kernels(db, names, n=30, lease=5.0, pauses={})
    results = _collect(outs, procs, set(names))
    assert set(results) == set(names), results
    for name, result in results.items():
        assert result["finished"], name
        assert result["refused"] == [], (name, result)
        assert procs[name].exitcode == 0
    per_item = annotators_per_item(Store(db))
    assert sorted(per_item) == [f"d{i:02d}" for i in range(30)]
    assert {len(v) for v in per_item.values()} == {2}, per_item
    assert sum(len(r["labeled"]) for r in results.values()) == 60
    assert all(len(r["labeled"]) > 0 for r in results.values())  # all three took part
    # The team's progress, read from the same store (each edit said 1.25 s on screen).
    table = progress(Store(db).annotations()).set_index("annotator")
    assert table["items"].to_dict() == {n: len(r["labeled"]) for n, r in results.items()}
    assert (table["items_per_hour"] == 3600 / 1.25).all()
    assert table["agreement"].notna().all()


def test_a_killed_kernels_items_go_to_the_others_after_its_leases_expire(location, kernels):
    db = Store(location).url  # the real database: spawned kernels do not share this process's
    Store(db)._connect()
    # cy starts first and is slow (it holds each item a while before labeling it); once it
    # has labeled three, ana and bob start, and cy is killed while it holds an item.
    outs, procs = kernels(db, ["cy"], n=30, lease=1.5, pauses={"cy": 0.4})
    store = Store(db)
    ids = list(docs(30).index)
    watcher = Router(store, "eve", overlap=2)

    def held_by_cy() -> set[str]:
        return {i for i, who in watcher.holders(ids).items() if "cy" in who}

    deadline = time.monotonic() + 120
    while len(store.item_ids_done(annotator="cy")) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    more_outs, more_procs = kernels(db, ["ana", "bob"], n=30, lease=1.5, pauses={})
    outs.update(more_outs)
    procs.update(more_procs)
    while not held_by_cy() and time.monotonic() < deadline:
        time.sleep(0.01)
    procs["cy"].kill()
    procs["cy"].join(timeout=10)
    held = held_by_cy()
    assert held, "cy died holding a lease"
    results = _collect(outs, procs, {"ana", "bob"})
    assert set(results) == {"ana", "bob"}
    for name in ("ana", "bob"):
        assert results[name]["finished"], name
        assert procs[name].exitcode == 0
    per_item = annotators_per_item(store)
    assert sorted(per_item) == [f"d{i:02d}" for i in range(30)]
    assert {len(v) for v in per_item.values()} == {2}, per_item
    cy_items = {i for i, who in per_item.items() if "cy" in who}
    assert len(cy_items) >= 3
    for item in held - cy_items:
        assert per_item[item] == {"ana", "bob"}  # what cy held and never labeled went to the others


# -- review ----------------------------------------------------------------------------------


@pytest.fixture
def labeled(location: str) -> str:
    """Five documents: d00 agreed, d01 and d02 contested, d03 with one annotator, d04 none."""

    def label(item: str, who: str, value: str) -> dict[str, Any]:
        return {
            "id": f"{who}-{item}",
            "item_id": item,
            "annotator": who,
            "kind": "label",
            "label": value,
        }

    Store(location).upsert(
        [
            label("d00", "ana", "pos"),
            label("d00", "bob", "pos"),
            label("d01", "ana", "pos"),
            label("d01", "bob", "neg"),
            label("d02", "ana", "neg"),
            label("d02", "bob", "pos"),
            label("d02", "cy", "neg"),
            label("d03", "ana", "pos"),
            {
                "id": "ana-span",
                "item_id": "d01",
                "annotator": "ana",
                "kind": "span",
                "label": "X",
                "start": 0,
                "end": 8,
                "text": "document",
            },
        ]
    )
    return location


def review_rows(store: Store, item: str) -> list[tuple[str, str, Any]]:
    df = store.annotations(annotator="rev", item_ids=[item])
    assert set(df["source"]) <= {"review"}
    return sorted(
        (k, lab, s if pd.notna(s) else None)
        for k, lab, s in zip(df["kind"], df["label"], df["start"], strict=True)
    )


def test_a_review_opens_the_contested_items_first_with_every_annotators_rows(labeled, drive):
    page = drive(widget(labeled, "rev", n=5, review=True))
    w = page.widget
    assert (w.current_item, w.finished) == ("d01", False)  # agreement 1/2 comes first
    page.hello()
    message, _ = page.item_at(1)
    assert message["team"]["annotators"] == ["ana", "bob"]
    ana = message["team"]["rows"]["ana"]
    assert sorted((r["kind"], r["label"]) for r in ana) == [("label", "pos"), ("span", "X")]
    assert [(r["kind"], r["label"]) for r in message["team"]["rows"]["bob"]] == [("label", "neg")]
    assert message["rows"] == []  # the reviewer's own version: none yet
    order = [w.current_item]
    for _ in range(3):
        assert w.next()
        order.append(w.current_item)
    # d03 has one annotator, d04 none; past the end, the first one not yet reviewed.
    assert order == ["d01", "d02", "d00", "d01"]
    assert w.finished is False


def test_accepting_a_version_stores_it_as_review_rows_and_replaces_the_last_choice(labeled, drive):
    store = Store(labeled)
    page = drive(widget(labeled, "rev", n=5, review=True))
    page.hello()
    answer = page._send({"type": "accept", "seq": 1, "item_id": "d01", "annotator": "bob"})
    assert answer is None
    assert [m["type"] for m, _ in page.sent if m.get("seq") == 1] == ["saved"]
    assert review_rows(store, "d01") == [("label", "neg", None)]
    page._send({"type": "accept", "seq": 2, "item_id": "d01", "annotator": "ana", "elapsed": 4.0})
    assert [m["type"] for m, _ in page.sent if m.get("seq") == 2] == ["saved"]
    assert review_rows(store, "d01") == [("label", "pos", None), ("span", "X", 0.0)]
    again = [m for m, _ in page.sent if m.get("type") == "item" and m["position"] == 1][-1]
    assert sorted(r["kind"] for r in again["rows"]) == ["label", "span"]  # the page sees it
    # The annotators' own rows are untouched.
    originals = store.annotations(annotator=["ana", "bob"], item_ids=["d01"])
    assert sorted(originals["id"]) == ["ana-d01", "ana-span", "bob-d01"]
    assert set(originals["source"]) == {"human"}


def test_a_reviewer_edits_as_review_and_cannot_touch_an_annotators_rows(labeled, drive):
    store = Store(labeled)
    page = drive(widget(labeled, "rev", n=5, review=True))
    assert page.edit("d02", [doc_label("neg", "rev-1")])["type"] == "saved"
    assert store.annotations().set_index("id").loc["rev-1", "source"] == "review"
    answer = page.edit("d02", delete=["bob-d02"])
    assert answer["type"] == "rejected"
    assert "was made by 'bob'" in answer["message"]
    answer = page.edit("d02", [doc_label("neg", "cy-d02")])
    assert answer["type"] == "rejected"
    assert store.annotations().set_index("id").loc["cy-d02", "annotator"] == "cy"


def test_accept_is_refused_outside_a_review_and_for_someone_without_rows(labeled, drive):
    plain = drive(widget(labeled, "rev", n=5))
    plain._send({"type": "accept", "seq": 1, "item_id": "d01", "annotator": "bob"})
    (answer,) = [m for m, _ in plain.sent if m.get("seq") == 1]
    assert answer["type"] == "rejected"
    assert answer["message"] == "item 'd01': accepting a version is for a review (review=True)"
    page = drive(widget(labeled, "rev2", n=5, review=True))
    page._send({"type": "accept", "seq": 1, "item_id": "d01", "annotator": "zed"})
    (answer,) = [m for m, _ in page.sent if m.get("seq") == 1]
    assert answer["message"] == "item 'd01': annotator 'zed' has no annotations on it"
    assert Store(labeled).annotations(annotator=["rev", "rev2"]).empty


def test_a_finished_review_is_what_qa_scores_the_annotators_against(labeled, drive):
    page = drive(widget(labeled, "rev", n=5, review=True))
    w = page.widget
    page._send({"type": "accept", "seq": 1, "item_id": "d01", "annotator": "ana"})
    assert w.next()
    assert w.current_item == "d02"
    assert page.edit("d02", [doc_label("neg")])["type"] == "saved"
    assert w.next()
    page._send({"type": "accept", "seq": 3, "item_id": "d00", "annotator": "bob"})
    assert w.next() is False
    assert w.finished is True
    table = progress(Store(labeled).annotations(), gold="review").set_index("annotator")
    # bob labels d03 meanwhile: it now has two annotators, and the review goes on to it.
    Store(labeled).upsert([{"item_id": "d03", "annotator": "bob", "kind": "label", "label": "neg"}])
    assert w.next() is True
    assert (w.current_item, w.finished) == ("d03", False)
    # review: d00 pos, d01 pos, d02 neg. ana 3/3; bob d00 only, 1/3; cy d02, 1/1.
    assert table["gold_accuracy"].to_dict() == {"ana": 1.0, "bob": pytest.approx(1 / 3), "cy": 1.0}
    assert "rev" not in table.index  # a reviewer is not an annotator in the progress table


# -- gold items ----------------------------------------------------------------------------------


def gold_answers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": ["g0", "g1", "g2"],
            "kind": "label",
            "label": ["pos", "neg", "pos"],
            "item": ["a known good film", "a known bad film", "another good one"],
        }
    )


def test_gold_items_are_extra_items_mixed_in_at_the_rate_given(location, drive):
    page = drive(widget(location, "ana", n=12, gold=gold_answers(), gold_rate=0.25))
    w = page.widget
    ids = w.item_ids
    assert w.n_items == 15
    assert sorted(i for i in ids if i.startswith("g")) == ["g0", "g1", "g2"]
    assert [i for i in ids if i.startswith("d")] == [f"d{i:02d}" for i in range(12)]  # in order
    for block in range(3):  # one gold item in each block of four positions
        assert sum(i.startswith("g") for i in ids[block * 4 : block * 4 + 4]) == 1
    again = widget(location, "ana", n=12, gold=gold_answers(), gold_rate=0.25)
    assert again.item_ids == ids  # the same annotator gets the same order
    again.close()
    # The page is not told: a gold item's message is any item's.
    position = ids.index("g1")
    page.goto(position)
    message, buffers = page.item_at(position)
    assert buffers[0].decode("utf-8") == "a known bad film"  # the gold item's own text
    assert "gold" not in str(sorted(message["item"]))
    assert "gold" not in message


def test_gold_answers_are_stored_like_any_label_and_scored_by_qa(location, drive):
    from nblabel.qa import gold_accuracy

    gold = gold_answers()
    for name, answers in (("ana", ["pos", "neg", "pos"]), ("bob", ["neg", "neg", "pos"])):
        page = drive(widget(location, name, n=4, gold=gold, gold_rate=0.5))
        for item, label in zip(["g0", "g1", "g2"], answers, strict=True):
            assert page.label(item, label)["type"] == "saved"
        assert page.label("d00", "pos")["type"] == "saved"
    df = Store(location).annotations()
    assert set(df.loc[df["item_id"] == "g0", "source"]) == {"human"}
    scores = gold_accuracy(df, gold).by_annotator.set_index("annotator")
    assert scores["correct"].to_dict() == {"ana": 3, "bob": 2}
    assert scores["accuracy"].to_dict() == {"ana": 1.0, "bob": pytest.approx(2 / 3)}
    # Each gold item is shown once: reopened, ana's queue has no gold left.
    reopened = widget(location, "ana", n=4, gold=gold, gold_rate=0.5)
    assert reopened.item_ids == [f"d{i:02d}" for i in range(4)]
    reopened.close()


def test_gold_items_go_to_everyone_and_count_toward_no_overlap(location, drive):
    pages = [
        drive(widget(location, name, n=6, overlap=1, gold=gold_answers(), gold_rate=0.25))
        for name in ("ana", "bob")
    ]
    active = list(pages)
    for _ in range(60):
        for page in list(active):
            w = page.widget
            item = w.current_item
            if item not in w._done and (item in w._team.gold_ids or item in w._team.router.held):
                assert page.label(item, "pos")["type"] == "saved"
            if not w.next() and w.finished:
                active.remove(page)
        if not active:
            break
    assert not active
    per_item = annotators_per_item(Store(location))
    assert all(per_item[f"d{i:02d}"] in ({"ana"}, {"bob"}) for i in range(6))  # overlap 1
    assert all(per_item[g] == {"ana", "bob"} for g in ("g0", "g1", "g2"))
    assert [p.widget.team_complete for p in pages if p.widget.next() is False] == [6, 6]


def test_bad_gold_names_the_argument(tmp_path):
    db = tmp_path / "g.db"
    with pytest.raises(ValueError, match="gold_rate: give gold= "):
        widget(db, "ana", gold_rate=0.1)
    with pytest.raises(ValueError, match=r"gold: missing column\(s\) \['label'\]"):
        widget(db, "ana", gold=pd.DataFrame({"item_id": ["g"]}))
    with pytest.raises(ValueError, match="gold_rate: expected a share between 0 and 1"):
        widget(db, "ana", gold=gold_answers(), gold_rate=1.5)
    clash = pd.DataFrame({"item_id": ["d01"], "label": ["pos"], "item": ["x"]})
    with pytest.raises(ValueError, match=r"gold: item\(s\) \['d01'\] are also in items"):
        widget(db, "ana", gold=clash)


def test_gold_mixed_into_a_generator_keeps_it_lazy(tmp_path, drive):
    pulled: list[int] = []

    def texts() -> Any:
        i = 0
        while True:
            pulled.append(i)
            yield f"text number {i}"
            i += 1

    w = TextAnnotator(
        texts(),
        labels=["X"],
        doc_labels=LABELS,
        annotator="ana",
        store=tmp_path / "lazy.db",
        gold=gold_answers(),
        gold_rate=0.5,
    )
    page = drive(w)
    assert len(pulled) < 600  # a chunk, not the endless rest
    assert w.item_ids[:6].count("g0") + w.item_ids[:6].count("g1") + w.item_ids[:6].count("g2") == 3
    page.goto(700)
    assert page.item_at(700)[1][0].decode("utf-8").startswith("text number")
    assert len(pulled) < 2000


def test_a_review_needs_items_of_known_number(tmp_path):
    with pytest.raises(ValueError, match="review: a review ranks every item"):
        TextAnnotator(
            (f"text {i}" for i in itertools.count()),
            labels=["X"],
            store=tmp_path / "r.db",
            review=True,
        )


def test_a_reviewer_sees_each_annotators_gold_accuracy_an_annotator_does_not(labeled, drive):
    gold = gold_answers()
    answers = {"ana": ["pos", "neg", "pos"], "bob": ["neg", "neg", "pos"]}
    for name, labels in answers.items():
        page = drive(widget(labeled, name, n=5, gold=gold, gold_rate=0.5))
        for item, label in zip(["g0", "g1", "g2"], labels, strict=True):
            assert page.label(item, label)["type"] == "saved"
        page.hello()
        assert all("team" not in m for m, _ in page.items())  # never shown to an annotator
    review = drive(widget(labeled, "rev", n=5, review=True, gold=gold))
    assert "g0" not in review.widget.item_ids  # no gold items in a review
    review.hello()
    message, _ = review.item_at(review.widget.position)
    assert message["team"]["gold_accuracy"] == {"ana": 1.0, "bob": pytest.approx(2 / 3)}
