"""A reviewer's merge and the undo of an accept, as the page sends them: ordinary edits.

The page builds an accept as one edit (delete the reviewer's rows of the item, upsert
copies of an annotator's rows under new ids) and a take (a merge) as an upsert of one
copy; undoing an accept sends the inverse edit, which upserts the reviewer's earlier rows
under their own ids again. Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import uuid
from typing import Any

from nblabel.store import Store

from .test_team import _close_stores, doc_label, labeled, location, review_rows, widget

__all__ = ["_close_stores", "labeled", "location"]  # fixtures used by name


def span(start: int, end: int, ident: str | None = None) -> dict[str, Any]:
    return {
        "id": ident or uuid.uuid4().hex,
        "kind": "span",
        "label": "X",
        "start": start,
        "end": end,
    }


def test_a_merge_stores_one_annotation_of_each_annotator_as_review_rows(labeled, drive):
    store = Store(labeled)
    page = drive(widget(labeled, "rev", n=5, review=True))
    # d01: ana's span (X at 0-8) and bob's document label (neg), each copied under a new id.
    assert page.edit("d01", [span(0, 8, "take-1")])["type"] == "saved"
    assert page.edit("d01", [doc_label("neg", "take-2")])["type"] == "saved"
    assert review_rows(store, "d01") == [("label", "neg", None), ("span", "X", 0.0)]
    mine = store.annotations(annotator="rev").set_index("id")
    assert sorted(mine.index) == ["take-1", "take-2"]
    originals = store.annotations(annotator=["ana", "bob"], item_ids=["d01"])
    assert sorted(originals["id"]) == ["ana-d01", "ana-span", "bob-d01"]
    assert set(originals["source"]) == {"human"}


def test_undoing_an_accept_brings_back_the_reviewers_rows_under_their_ids(labeled, drive):
    store = Store(labeled)
    page = drive(widget(labeled, "rev", n=5, review=True))
    assert page.edit("d01", [doc_label("neg", "mine")])["type"] == "saved"
    # Accept ana's version, as the page builds it.
    accept = page.edit("d01", [doc_label("pos", "copy-1"), span(0, 8, "copy-2")], delete=["mine"])
    assert accept["type"] == "saved"
    assert review_rows(store, "d01") == [("label", "pos", None), ("span", "X", 0.0)]
    # z: the inverse edit upserts the reviewer's deleted row under its own id.
    undo = page.edit("d01", [doc_label("neg", "mine")], delete=["copy-1", "copy-2"])
    assert undo["type"] == "saved", undo
    assert review_rows(store, "d01") == [("label", "neg", None)]
    assert list(store.annotations(annotator="rev")["id"]) == ["mine"]
    # A reviewer also edits their own review row in place (a label changed, say).
    assert page.edit("d01", [doc_label("pos", "mine")])["type"] == "saved"
    assert review_rows(store, "d01") == [("label", "pos", None)]


def test_a_review_row_is_not_overwritten_by_the_same_persons_annotator_widget(labeled, drive):
    store = Store(labeled)
    review = drive(widget(labeled, "rev", n=5, review=True))
    assert review.edit("d01", [doc_label("neg", "rev-1")])["type"] == "saved"
    plain = drive(widget(labeled, "rev", n=5))
    answer = plain.edit("d01", [doc_label("pos", "rev-1")])
    assert answer["type"] == "rejected"
    assert answer["message"] == (
        "item 'd01': annotation 'rev-1' is a 'review' row; this widget writes 'human' rows "
        "and may not overwrite it (give the row a new id)"
    )
    assert review_rows(store, "d01") == [("label", "neg", None)]
