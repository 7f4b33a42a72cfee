"""The model in the loop (issue 15), driven by the page's own messages: ``order=`` decides
what "next" shows, ``suggest=`` runs off the page's path, and rejections outlive the kernel."""

from __future__ import annotations

import itertools
import re
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from nblabel import ImageAnnotator, TextAnnotator
from nblabel.store import Store

DOCS = pd.Series(
    {"a": "alpha beta", "b": "bravo", "c": "charlie delta", "d": "delta echo", "e": "echo"}
)


def text_widget(tmp_path: Any, **kwargs: Any) -> TextAnnotator:
    options: dict[str, Any] = {
        "labels": ["PER"],
        "doc_labels": ["pos", "neg"],
        "annotator": "ana",
        "store": tmp_path / "loop.db",
        **kwargs,
    }
    return TextAnnotator(DOCS, **options)


def shown(page: Any, position: int) -> str:
    """The item id the page is shown at ``position`` after pressing there (a goto)."""
    page.goto(position)
    return str(page.item_at(position)[0]["item"]["id"])


def wait_for(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def label_row(label: str) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "kind": "label", "label": label}


# -- order= -----------------------------------------------------------------------------------


def test_a_series_order_decides_what_next_shows(tmp_path, drive):
    plain = text_widget(tmp_path)
    assert plain.item_ids == ["a", "b", "c", "d", "e"]
    w = text_widget(tmp_path, order=pd.Series({"c": 0.9, "a": 0.1, "d": 0.5, "zz": 1.0}))
    # highest first; unscored items (b, e) after the scored ones, in queue order
    assert w.item_ids == ["c", "d", "a", "b", "e"]
    page = drive(w)
    page.hello()
    assert page.item_at(0)[0]["item"]["id"] == "c"
    assert w.current_item == "c"
    assert [shown(page, p) for p in (1, 2, 3)] == ["d", "a", "b"]
    assert w.current_item == "b"
    # an edit finds its item whatever its position
    assert page.edit("d", [label_row("pos")])["type"] == "saved"
    assert w.annotations["item_id"].tolist() == ["d"]


def test_labeled_items_go_last_and_the_widget_opens_on_the_best_unlabeled(tmp_path):
    Store(tmp_path / "loop.db").upsert(
        [{"item_id": "c", "annotator": "ana", "kind": "label", "label": "pos"}]
    )
    w = text_widget(tmp_path, order=pd.Series({"c": 0.9, "a": 0.1, "d": 0.5}))
    assert w.item_ids == ["d", "a", "b", "e", "c"]
    assert (w.position, w.current_item) == (0, "d")
    w.close()


def test_a_reordering_callable_changes_what_next_shows(tmp_path, drive):
    calls: list[list[str]] = []

    def order(annotations: pd.DataFrame) -> pd.Series:
        labeled = sorted(annotations["item_id"])
        calls.append(labeled)
        if not labeled:
            return pd.Series({"a": 3.0, "b": 2.0, "c": 1.0})
        return pd.Series({"e": 9.0, "d": 8.0, "b": 7.0})  # the model changed its mind

    w = text_widget(tmp_path, order=order, reorder_every=2)
    # order() ran at open, in its own thread; reorder() waits for it (and runs it once more)
    w.reorder().result(timeout=5)
    assert w.item_ids[:3] == ["a", "b", "c"]
    page = drive(w)
    page.hello()
    assert page.item_at(0)[0]["item"]["id"] == "a"
    page.label("a", "pos")
    assert shown(page, 1) == "b"
    page.label("b", "neg")  # the second saved edit: order() runs again, in its thread
    wait_for(lambda: calls[-1] == ["a", "b"] and w.item_ids[2] == "e")
    orders = [m for m, _ in page.sent if m["type"] == "order"]
    assert orders == [{"type": "order", "keep": 1}]
    # what was seen stays in place; next is the highest-scoring unlabeled item
    assert w.item_ids == ["a", "b", "e", "d", "c"]
    assert shown(page, 2) == "e"
    assert shown(page, 0) == "a"
    # w.reorder() asks at once; its Future says when the new order is in place
    w.reorder(pd.Series({"c": 5.0})).result(timeout=5)
    assert w.item_ids == ["a", "c", "d", "e", "b"]  # kept: a (on screen); b is labeled
    assert shown(page, 1) == "c"


def test_the_page_never_waits_for_order_and_a_failure_keeps_the_last_order(tmp_path, drive):
    release = threading.Event()
    state = {"fail": False}

    def order(annotations: pd.DataFrame) -> pd.Series:
        release.wait(10)
        if state["fail"]:
            raise RuntimeError("model not trained yet")
        return pd.Series({"e": 1.0})

    w = text_widget(tmp_path, order=order, reorder_every=None)
    page = drive(w)
    page.hello()
    start = time.monotonic()
    assert page.item_at(0)[0]["item"]["id"] == "a"  # the queue's order while order() runs
    page.label("a", "pos")
    assert shown(page, 1) == "b"
    assert time.monotonic() - start < 2
    release.set()
    wait_for(lambda: w.item_ids[2] == "e")
    assert w.order_error == ""
    before = w.item_ids
    state["fail"] = True
    future = w.reorder()
    with pytest.raises(RuntimeError, match="model not trained yet"):
        future.result(timeout=5)
    assert "order failed, the previous order stays: RuntimeError: model not trained yet" in (
        w.order_error
    )
    assert w.item_ids == before
    state["fail"] = False
    w.reorder().result(timeout=5)
    assert w.order_error == ""


def test_a_bad_order_is_refused_by_name(tmp_path):
    with pytest.raises(TypeError, match="order: expected a pandas Series of scores"):
        text_widget(tmp_path, order=[3, 2, 1])
    with pytest.raises(ValueError, match="order: item 'a' has two scores"):
        text_widget(tmp_path, order=pd.Series([1.0, 2.0], index=["a", "a"]))
    with pytest.raises(TypeError, match="the score of item 'a' is 'high', not a number"):
        text_widget(tmp_path, order=pd.Series({"a": "high"}))
    with pytest.raises(ValueError, match="reorder_every: expected a whole number"):
        text_widget(tmp_path, order=lambda df: pd.Series(), reorder_every=0)
    w = text_widget(tmp_path, order=lambda df: pd.Series({"nope": 1.0}))
    wait_for(lambda: w.order_error != "")
    assert "none of its 1 ids is an item id" in w.order_error
    with pytest.raises(ValueError, match="reorder: this widget has no order="):
        text_widget(tmp_path).reorder()
    w.close()


def test_a_page_claim_made_before_a_reorder_is_not_trusted(tmp_path, drive):
    w = text_widget(tmp_path, order=pd.Series({"a": 3.0, "b": 2.0, "c": 1.0}))
    page = drive(w)
    page.hello()
    page.items(count=3)  # a at 0, prefetched b at 1 and c at 2, with their media
    w.reorder(pd.Series({"d": 1.0})).result(timeout=5)
    page.clear()
    # the page had not heard of the new order yet: it says it holds position 1
    page.goto(1, cached=[0, 1, 2])
    message, _ = page.item_at(1)
    assert message["item"]["id"] == "d"
    # d's media reached the page at position 1: with the answer, or pushed by the prefetch
    # after the reorder (then the answer rightly trusts the claim and sends none again)
    sent = [b for m, b in page.sent if m.get("type") == "item" and m["position"] == 1]
    assert any(sent), "the media of the new item at position 1 was sent"


def test_an_ordered_generator_orders_what_it_has_read(tmp_path, drive):
    def words() -> Iterator[str]:
        for i in itertools.count():
            yield f"doc {i}"

    ids = {f"doc {i}": i for i in range(600)}
    scores = pd.Series({_text_id(t): float(i % 7) for t, i in ids.items()})
    w = TextAnnotator(words(), labels=["X"], annotator="ana", store=tmp_path / "g.db", order=scores)
    first = w.item_ids[:256]
    assert [scores[i] for i in first[:3]] == [6.0, 6.0, 6.0]
    page = drive(w)
    page.hello()
    page.goto(300)  # past the first chunk: the next items come in by their own scores
    assert len(w.item_ids) > 300
    later = w.item_ids[256:]
    assert scores[later[0]] == 6.0
    assert w.item_ids[:256] == first


def _text_id(text: str) -> str:
    from nblabel.items import content_id

    return content_id(text)


# -- suggest= ---------------------------------------------------------------------------------


def test_a_slow_suggest_does_not_delay_the_item_and_arrives_as_its_own_message(tmp_path, drive):
    release = threading.Event()
    asked: list[Any] = []

    def suggest(item: Any) -> pd.DataFrame:
        asked.append(item)
        release.wait(10)
        return pd.DataFrame({"kind": ["label"], "label": ["pos"], "score": [0.8]})

    w = text_widget(tmp_path, suggest=suggest)
    page = drive(w)
    start = time.monotonic()
    page.hello()
    message, _ = page.item_at(0)
    assert time.monotonic() - start < 2  # the item did not wait for the model
    assert message["suggestions"] == []
    release.set()
    wait_for(lambda: any(m["type"] == "suggestions" for m, _ in page.sent))
    late = next(m for m, _ in page.sent if m["type"] == "suggestions" and m["item_id"] == "a")
    assert late["problems"] == []
    [suggestion] = late["suggestions"]
    assert (suggestion["kind"], suggestion["label"], suggestion["score"]) == ("label", "pos", 0.8)
    assert asked[0] == "alpha beta"  # the item as the user gave it
    # prefetched items are asked for too, and their suggestions ride on their item message
    wait_for(lambda: w._suggestions.has_any("b"))
    page.clear()
    page.goto(1)
    assert [s["label"] for s in page.item_at(1)[0]["suggestions"]] == ["pos"]
    # accepting stores a human row, like a prediction
    page._send(
        {
            "type": "edit",
            "seq": 99,
            "item_id": "a",
            "upsert": [{"id": "h1", "kind": "label", "label": "pos", "score": 0.8}],
            "delete": [],
            "accepted": [suggestion["id"]],
        }
    )
    assert w.annotations[["id", "label", "source"]].to_numpy().tolist() == [["h1", "pos", "human"]]


def test_suggest_failures_are_named_per_item(tmp_path, drive):
    def suggest(item: Any) -> pd.DataFrame:
        if item.startswith("bravo"):
            raise ValueError("no features")
        if item.startswith("charlie"):
            return pd.DataFrame({"kind": ["label", "label"], "label": ["pos", "maybe"]})
        return pd.DataFrame({"kind": ["label"], "label": ["neg"]})

    w = text_widget(tmp_path, suggest=suggest)
    page = drive(w)
    page.hello()
    for p in (1, 2, 3):
        page.goto(p)
    wait_for(lambda: len(w.prediction_problems) >= 2)
    problems = w.prediction_problems
    assert "suggest failed on item 'b': ValueError: no features" in problems
    assert any(
        p.startswith("suggest on item 'c', row 1: label 'maybe' is not one of") for p in problems
    )
    page.clear()
    page.goto(2)
    assert [s["label"] for s in page.item_at(2)[0]["suggestions"]] == ["pos"]


def test_suggest_gets_a_dataframe_row_for_a_dataframe_of_items(tmp_path, drive):
    frame = pd.DataFrame({"text": ["one", "two"], "lang": ["en", "fr"]}, index=["x", "y"])
    rows: list[pd.Series] = []

    def suggest(row: pd.Series) -> pd.DataFrame:
        rows.append(row)
        return pd.DataFrame({"kind": ["label"], "label": ["pos" if row["lang"] == "en" else "neg"]})

    w = TextAnnotator(
        frame,
        column="text",
        labels=["X"],
        doc_labels=["pos", "neg"],
        store=tmp_path / "f.db",
        suggest=suggest,
    )
    page = drive(w)
    page.hello()
    wait_for(lambda: len(rows) == 2)
    assert rows[0].name == "x"
    assert rows[0].to_dict() == {"text": "one", "lang": "en"}


def test_stored_rejections_survive_a_new_widget(tmp_path, drive):
    def suggest(item: Any) -> pd.DataFrame:
        return pd.DataFrame(
            {"kind": ["label", "label"], "label": ["pos", "neg"], "score": [0.7, 0.3]}
        )

    w = text_widget(tmp_path, suggest=suggest)
    page = drive(w)
    page.hello()
    wait_for(lambda: w._suggestions.has_any("a"))
    page.clear()
    page.goto(0)
    assert len(page.item_at(0)[0]["suggestions"]) == 2
    pos = next(s for s in page.item_at(0)[0]["suggestions"] if s["label"] == "pos")
    page._send(
        {
            "type": "edit",
            "seq": 1,
            "item_id": "a",
            "upsert": [],
            "delete": [],
            "rejected": [pos["id"]],
        }
    )
    assert page.sent[-1][0] == {"type": "saved", "seq": 1, "item_id": "a", "saved_edits": 1}
    w.close()
    stored = Store(tmp_path / "loop.db").annotations(kind="rejection")
    assert stored[["item_id", "annotator", "label", "score", "source"]].to_numpy().tolist() == [
        ["a", "ana", "pos", 0.7, "human"]
    ]
    assert stored["extra"].iloc[0] == {"kind": "label", "suggestion_id": pos["id"]}
    assert w.rejections["id"].tolist() == stored["id"].tolist()
    assert text_widget(tmp_path).annotations.empty  # a rejection is not an annotation

    # a new widget (a new kernel, say) on the same store: the rejection holds
    again = text_widget(tmp_path, suggest=suggest)
    page = drive(again)
    page.hello()
    wait_for(lambda: again._suggestions.has_any("a"))
    page.clear()
    page.goto(0)
    assert [s["label"] for s in page.item_at(0)[0]["suggestions"]] == ["neg"]
    # another annotator still sees it: a rejection is one person's judgement
    bob = text_widget(tmp_path, suggest=suggest, annotator="bob")
    page = drive(bob)
    page.hello()
    wait_for(lambda: bob._suggestions.has_any("a"))
    page.clear()
    page.goto(0)
    assert sorted(s["label"] for s in page.item_at(0)[0]["suggestions"]) == ["neg", "pos"]


def test_predictions_rejected_once_are_not_shown_again(photos, tmp_path, drive):
    predictions = pd.DataFrame(
        {"item_id": [photos[0]], "kind": ["label"], "label": ["cat"], "score": [0.9]}
    )
    db = tmp_path / "p.db"
    w = ImageAnnotator(photos, labels=["cat", "dog"], annotator="ana", store=db,
                       predictions=predictions)  # fmt: skip
    page = drive(w)
    page.hello()
    [cat] = page.item_at(0)[0]["suggestions"]
    page._send(
        {"type": "edit", "seq": 1, "item_id": photos[0], "upsert": [], "delete": [],
         "rejected": [cat["id"]]}
    )  # fmt: skip
    w.close()
    again = ImageAnnotator(photos, labels=["cat", "dog"], annotator="ana", store=db,
                           predictions=predictions)  # fmt: skip
    page = drive(again)
    page.hello()
    assert page.item_at(0)[0]["suggestions"] == []


# -- patterns= (text) -------------------------------------------------------------------------


def test_text_patterns_are_suggestions_named_by_their_rule(tmp_path, drive):
    docs = pd.Series({"d1": "🎉 Acme paid 12 EUR to Initech.", "d2": "nothing"})
    w = TextAnnotator(
        docs,
        labels=["ORG", "MONEY"],
        annotator="ana",
        store=tmp_path / "rules.db",
        patterns={"ORG": ["Acme", "Initech"], "MONEY": {"amount": re.compile(r"\d+ EUR")}},
    )
    page = drive(w)
    page.hello()
    wait_for(lambda: w._suggestions.has_any("d1"))
    page.clear()
    page.goto(0)
    got = page.item_at(0)[0]["suggestions"]
    # offsets on the wire are UTF-16 units: the emoji counts two
    assert sorted((s["start"], s["end"], s["label"], s["rule"]) for s in got) == [
        (3, 7, "ORG", "Acme"),
        (13, 19, "MONEY", "amount"),
        (23, 30, "ORG", "Initech"),
    ]
    money = next(s for s in got if s["label"] == "MONEY")
    # accepting echoes the suggestion's fields back (rule included): a human span is stored
    accepted = {k: v for k, v in money.items() if k not in ("id",)} | {"id": "h1"}
    answer = page.edit("d1", [accepted])
    assert answer["type"] == "saved", answer
    assert w.annotations[["text", "label"]].to_numpy().tolist() == [["12 EUR", "MONEY"]]
    # a rejected rule match is kept with its rule, in code points
    initech = next(s for s in got if s["label"] == "ORG" and s["rule"] == "Initech")
    page._send({"type": "edit", "seq": 9, "item_id": "d1", "upsert": [], "delete": [],
                "rejected": [initech["id"]]})  # fmt: skip
    rejected = w.store.annotations(kind="rejection")
    assert rejected[["start", "end", "text"]].to_numpy().tolist() == [[22.0, 29.0, "Initech"]]
    assert rejected["extra"].iloc[0]["rule"] == "Initech"
    with pytest.raises(ValueError, match="patterns: 'LOC' is not one of the span labels"):
        TextAnnotator(docs, labels=["ORG"], store=tmp_path / "x.db", patterns={"LOC": ["Paris"]})
