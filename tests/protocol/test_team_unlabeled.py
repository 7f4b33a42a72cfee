"""The page's next/previous-unlabeled keys (``unlabeled`` messages) under team routing.

With ``overlap``, an item that is full with other annotators, or that another
annotator holds a lease on, is not "unlabeled for me": the keys pass over it,
and say the queue is at its end when nothing is left this way. A reviewer's
keys follow the review order (the most contested first) and pass over items
that are not up for review.
"""

from __future__ import annotations

from typing import Any

import pytest

from nblabel.routing import Router
from nblabel.store import Store

from .conftest import PageDriver
from .test_team import _close_stores, labeled, location, widget  # noqa: F401 (fixtures)


def unlabeled(page: PageDriver, step: int, *, wrap: bool = True) -> dict[str, Any]:
    """Press the page's unlabeled key; the kernel's answer (the item shown, or the queue end)."""
    before = len(page.sent)
    w = page.widget
    page._send({"type": "unlabeled", "step": step, "from": w.position, "wrap": wrap, "cached": []})
    answers = [
        m
        for m, _ in page.sent[before:]
        if m.get("type") == "queue_end" or (m.get("type") == "item" and m.get("reply"))
    ]
    assert len(answers) == 1, answers
    return answers[0]


@pytest.fixture
def crowded(location: str) -> tuple[str, Router]:  # noqa: F811
    """Six documents, overlap 2: d01 labeled by bob and cy; d03 by bob and leased by dan."""
    Store(location).upsert(
        [
            {"item_id": i, "annotator": a, "kind": "label", "label": "pos"}
            for i, a in (("d01", "bob"), ("d01", "cy"), ("d03", "bob"))
        ]
    )
    dan = Router(Store(location), "dan", overlap=2, lease=600, kinds=["label"])
    assert dan.claim(["d03"]) == "d03"
    return location, dan


def test_the_unlabeled_keys_pass_over_items_full_or_leased_by_others(crowded, drive):
    db, dan = crowded
    page = drive(widget(db, "ana", overlap=2))
    w = page.widget
    assert w.current_item == "d00"
    assert page.label("d00", "pos")["type"] == "saved"
    answer = unlabeled(page, 1)
    assert (answer["position"], w.current_item) == (2, "d02")  # d01 is full
    assert w._team.router.held == {"d02"}  # the item found is held, d00 given back
    assert page.label("d02", "neg")["type"] == "saved"
    assert unlabeled(page, 1)["position"] == 4  # d03: bob labeled it and dan holds it
    # Back from d04: d03 (dan's), d02 and d00 (done), d01 (full); then from the other end.
    assert unlabeled(page, -1)["position"] == 5
    assert page.label("d05", "pos")["type"] == "saved"
    assert unlabeled(page, 1)["position"] == 4  # forward wraps round to d04 again
    assert page.label("d04", "pos")["type"] == "saved"
    end = unlabeled(page, 1)
    assert end["type"] == "queue_end"
    # 6 items, 4 done by ana; d01 is full and d03 dan's: nothing is left for ana now.
    assert (end["items"], end["done"], end["left"]) == (6, 4, 0)
    assert w.current_item == "d04"  # the page stays where it is
    assert w.finished is False  # d03 may come back when dan's lease ends
    dan.release()
    answer = unlabeled(page, -1, wrap=False)
    assert (answer["type"], answer["position"]) == ("item", 3)  # now d03 is ana's to take
    assert w._team.router.held == {"d03"}


def test_without_wrap_the_unlabeled_key_stops_at_the_end(crowded, drive):
    db, _dan = crowded
    page = drive(widget(db, "ana", overlap=2))
    page.hello()
    page.goto(5)
    assert page.widget.current_item == "d05"
    end = unlabeled(page, 1, wrap=False)
    assert end["type"] == "queue_end"
    assert end["left"] == 4  # d00, d02, d04 and d05 (held here) are ana's to take; d01, d03 not
    assert unlabeled(page, 1, wrap=True)["position"] == 0


def test_the_unlabeled_keys_finish_when_every_item_has_its_annotators(location, drive):  # noqa: F811
    Store(location).upsert(
        [
            {"item_id": f"d{i:02d}", "annotator": a, "kind": "label", "label": "pos"}
            for i in range(1, 3)
            for a in ("bob", "cy")
        ]
    )
    page = drive(widget(location, "ana", n=3, overlap=2))
    w = page.widget
    assert page.label("d00", "pos")["type"] == "saved"
    end = unlabeled(page, 1)
    assert end["type"] == "queue_end"
    assert w.finished is True


def test_without_overlap_the_unlabeled_keys_go_to_every_item(crowded, drive):
    db, _dan = crowded
    page = drive(widget(db, "ana"))
    assert page.label("d00", "pos")["type"] == "saved"
    assert unlabeled(page, 1)["position"] == 1  # nobody is routed: d01 is ana's too


def test_a_reviewers_unlabeled_keys_follow_the_review_order(labeled, drive):  # noqa: F811
    page = drive(widget(labeled, "rev", n=5, review=True))
    w = page.widget
    page.hello()
    assert w.current_item == "d01"  # review order: d01, d02 (contested), then d00 (agreed)
    assert unlabeled(page, 1)["position"] == 2
    # From d02 the next in the review order is d00, not d03 (one annotator: no review).
    assert unlabeled(page, 1)["position"] == 0
    assert unlabeled(page, -1)["position"] == 2
    page._send({"type": "accept", "seq": 1, "item_id": "d02", "annotator": "cy"})
    page._send({"type": "accept", "seq": 2, "item_id": "d01", "annotator": "ana"})
    assert unlabeled(page, 1)["position"] == 0  # d00 is the one left
    page._send({"type": "accept", "seq": 3, "item_id": "d00", "annotator": "bob"})
    end = unlabeled(page, 1)
    assert (end["type"], end["done"], end["left"]) == ("queue_end", 3, 0)
    assert w.finished is True
