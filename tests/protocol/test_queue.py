"""A queue that guides (issue 12): next and previous unlabeled, the end of the queue, skips
with a reason and comments, driven by the page's messages and asserted in the store."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

import nblabel as nl


def make(photos: list[str], tmp_path: Path, **kw: object) -> nl.ImageAnnotator:
    kw.setdefault("labels", ["cat", "dog", "bird"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.ImageAnnotator(photos, **kw)  # type: ignore[arg-type]


def unlabeled(page, step: int, start: int, *, wrap: bool = False) -> dict:
    page.clear()
    page._send({"type": "unlabeled", "step": step, "from": start, "wrap": wrap, "cached": []})
    answers = [m for m, _ in page.sent if m.get("type") in ("item", "queue_end")]
    replies = [m for m in answers if m.get("type") == "queue_end" or m.get("reply")]
    assert len(replies) == 1, page.sent
    return replies[0]


def row(kind: str, label: str, text: str | None = None) -> dict:
    out = {"id": uuid.uuid4().hex, "kind": kind, "label": label}
    if text is not None:
        out["text"] = text
    return out


def test_next_and_previous_unlabeled_skip_what_this_annotator_labeled(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    ids = w.item_ids
    assert len(ids) >= 4
    page.label(ids[1], "cat")
    page.label(ids[2], "dog")
    # someone else's label does not count for ana
    bo = drive(make(photos, tmp_path, annotator="bo"))
    bo.hello()
    bo.label(ids[3], "cat")
    reply = unlabeled(page, +1, 0)
    assert reply["position"] == 3
    assert reply["reply"]
    assert w.position == 3
    reply = unlabeled(page, -1, 3)
    assert reply["position"] == 0
    assert w.position == 0


def test_the_end_of_the_queue_says_how_many_are_labeled_and_skipped(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    ids = w.item_ids
    for item in ids[:-1]:
        page.label(item, "cat")
    last = len(ids) - 1
    # past the last item: one left (the last), no wrap asked
    end = unlabeled(page, +1, last)
    assert end == {"type": "queue_end", "step": 1, "items": len(ids), "done": last,
                   "skipped": 0, "left": 1}  # fmt: skip
    # with wrap, the one left is found
    assert unlabeled(page, +1, last, wrap=True)["position"] == last
    answer = page.edit(ids[last], [row("skip", "skip", "blurry, ask the expert")])
    assert answer["type"] == "saved"
    end = unlabeled(page, +1, 0, wrap=True)
    assert end["type"] == "queue_end"
    assert (end["items"], end["done"], end["skipped"], end["left"]) == (len(ids), len(ids), 1, 0)
    assert w.n_done == len(ids)
    skips = w.annotations.query("kind == 'skip'")
    assert skips[["label", "text"]].values.tolist() == [["skip", "blurry, ask the expert"]]


def test_a_comment_keeps_its_text_and_counts_as_done_as_in_the_contract(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    item = w.item_ids[0]
    assert page.edit(item, [row("comment", "comment", "is this a fox?")])["type"] == "saved"
    assert w.n_done == 1
    assert unlabeled(page, +1, -1)["position"] == 1
    rows = w.annotations[["kind", "text"]].astype(str).values.tolist()
    assert rows == [["comment", "is this a fox?"]]
    # a skip or comment takes its fixed label only
    answer = page.edit(item, [row("skip", "cat")])
    assert answer["type"] == "rejected"
    assert "'skip'" in answer["message"]


@pytest.mark.parametrize("kind", ["skip", "comment"])
def test_every_widget_makes_skips_and_comments(kind):
    assert kind in nl.ImageAnnotator.KINDS
    assert kind in nl.TextAnnotator.KINDS
    assert kind in nl.AudioAnnotator.KINDS
