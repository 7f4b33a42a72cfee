"""Relations between spans, driven through the text widget's page protocol (both backends)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import nblabel as nl
from nblabel import schema
from nblabel.widgets.text import text_items

from .test_text_protocol import EMOJI_DOC, span

DOC = "Ada works for Acme in Zürich."
OTHER = "Bo lives in Oslo."


def make(tmp_path: Path, items: Any = None, **kw: Any) -> nl.TextAnnotator:
    kw.setdefault("labels", ["PER", "ORG", "LOC"])
    kw.setdefault("relations", ["works_for", "located_in"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.TextAnnotator([DOC, OTHER] if items is None else items, **kw)


def relation(a: dict[str, Any], b: dict[str, Any], label: str, ident: str | None = None) -> dict:
    return {
        "id": ident or uuid.uuid4().hex,
        "kind": "relation",
        "label": label,
        "from_id": a["id"],
        "to_id": b["id"],
    }


def stored(w: nl.TextAnnotator) -> tuple[pd.DataFrame, int]:
    """The store's rows (sorted, comparable) and the length of its history."""
    df = w.store.annotations().sort_values("id").reset_index(drop=True)
    return df.drop(columns=["created_at", "updated_at"]), len(w.store.history())


@pytest.fixture
def linked(tmp_path, drive):
    """A widget, its page, the first item's id and two stored spans with a relation."""
    w = make(tmp_path)
    page = drive(w)
    page.hello()
    item = w.item_ids[0]
    ada, acme = span(DOC, "Ada", "PER"), span(DOC, "Acme", "ORG")
    rel = relation(ada, acme, "works_for")
    assert page.edit(item, [ada, acme, rel])["type"] == "saved"
    return w, page, item, ada, acme, rel


def test_a_relation_is_stored_with_both_ends_and_its_label(linked):
    w, page, item, ada, acme, rel = linked
    df = w.annotations
    schema.validate(df)
    row = df[df["kind"] == "relation"].iloc[0]
    assert (row["id"], row["from_id"], row["to_id"], row["label"]) == (
        rel["id"],
        ada["id"],
        acme["id"],
        "works_for",
    )
    assert (row["item_id"], row["annotator"], row["source"]) == (item, "ana", "human")
    # the page is sent the relation as it stored it
    page.clear()
    page.goto(1)
    page.goto(0)
    message, _ = page.item_at(0)
    sent = [r for r in message["rows"] if r["kind"] == "relation"]
    assert [(r["from_id"], r["to_id"], r["label"]) for r in sent] == [
        (ada["id"], acme["id"], "works_for")
    ]


def test_relations_on_emoji_text_name_spans_by_id_whatever_the_offsets(tmp_path, drive):
    w = make(tmp_path, [EMOJI_DOC])
    page = drive(w)
    page.hello()
    item = w.item_ids[0]
    coder, place = span(EMOJI_DOC, "👩‍💻", "PER"), span(EMOJI_DOC, "Zürich 🇨🇭", "LOC")
    rel = relation(coder, place, "located_in")
    assert page.edit(item, [coder, place, rel])["type"] == "saved"
    df = w.annotations.set_index("id")
    assert df.loc[coder["id"], "text"] == "👩‍💻"
    assert df.loc[place["id"], "text"] == "Zürich 🇨🇭"
    assert (df.loc[rel["id"], "from_id"], df.loc[rel["id"], "to_id"]) == (coder["id"], place["id"])


def test_deleting_a_span_with_its_relations_in_one_edit_and_undo_brings_both_back(linked):
    w, page, item, ada, acme, rel = linked
    before, _ = stored(w)
    page.goto(1)
    page.goto(0)  # the rows as the page holds them, from the store
    page_rows = {r["id"]: r for r in page.item_at(0)[0]["rows"]}
    assert page.edit(item, delete=[acme["id"], rel["id"]])["type"] == "saved"
    assert set(w.annotations["id"]) == {ada["id"]}
    history = w.store.history()
    assert set(history.loc[history["op"] == "delete", "id"]) == {acme["id"], rel["id"]}
    # undo, as the page sends it: the two rows it had, back in one edit
    assert page.edit(item, [page_rows[acme["id"]], page_rows[rel["id"]]])["type"] == "saved"
    after, _ = stored(w)
    pd.testing.assert_frame_equal(after, before)


def test_deleting_a_span_and_leaving_its_relation_is_refused_and_nothing_changes(linked):
    w, page, item, _ada, acme, rel = linked
    before, n_history = stored(w)
    answer = page.edit(item, delete=[acme["id"]])
    assert answer["type"] == "rejected"
    assert repr(item) in answer["message"]
    assert repr(rel["id"]) in answer["message"]
    assert repr(acme["id"]) in answer["message"]
    assert "not an annotation of this item" in answer["message"]
    after, n_after = stored(w)
    pd.testing.assert_frame_equal(after, before)
    assert n_after == n_history
    assert {r["id"] for r in answer["rows"]} == set(before["id"])  # the page is told the truth


def refused(w: nl.TextAnnotator, page: Any, item: str, rows: list[dict], *words: str) -> str:
    before, n_history = stored(w)
    answer = page.edit(item, rows)
    assert answer["type"] == "rejected", answer
    for word in (repr(item), *words):
        assert word in answer["message"], (word, answer["message"])
    after, n_after = stored(w)
    pd.testing.assert_frame_equal(after, before)
    assert n_after == n_history
    return str(answer["message"])


def test_a_relation_to_a_span_that_does_not_exist_is_refused(linked):
    w, page, item, ada, _acme, _rel = linked
    ghost = {"id": "no-such-span"}
    bad = relation(ada, ghost, "works_for", ident="r-ghost")
    refused(w, page, item, [bad], "'r-ghost'", "'no-such-span'", "not an annotation of this item")


def test_a_relation_to_a_span_of_another_item_is_refused_naming_that_item(linked):
    w, page, item, ada, _acme, _rel = linked
    page.goto(1)
    other_item = w.item_ids[1]
    oslo = span(OTHER, "Oslo", "LOC")
    assert page.edit(other_item, [oslo])["type"] == "saved"
    page.goto(0)
    bad = relation(ada, oslo, "located_in", ident="r-far")
    message = refused(w, page, item, [bad], "'r-far'", repr(oslo["id"]), "another item")
    assert repr(other_item) in message


def test_a_relation_from_a_span_to_itself_is_refused(linked):
    w, page, item, ada, _acme, _rel = linked
    refused(w, page, item, [relation(ada, ada, "works_for", ident="r-self")], "'r-self'", "itself")


def test_an_unknown_relation_label_is_refused_naming_the_labels(linked):
    w, page, item, ada, acme, _rel = linked
    bad = relation(acme, ada, "owns", ident="r-owns")
    refused(w, page, item, [bad], "'r-owns'", "'owns'", "works_for", "located_in")


def test_a_relation_to_a_document_label_is_refused(linked):
    w, page, item, ada, _acme, _rel = linked
    w.doc_labels = ["news"]
    doc = {"id": "doc-label", "kind": "label", "label": "news"}
    assert page.edit(item, [doc])["type"] == "saved"
    refused(w, page, item, [relation(ada, doc, "works_for", ident="r-doc")], "'r-doc'", "'label'")


def test_the_same_relation_twice_is_refused(linked):
    w, page, item, ada, acme, rel = linked
    twin = relation(ada, acme, "works_for", ident="r-twin")
    refused(w, page, item, [twin], "'r-twin'", repr(rel["id"]))


def test_a_relation_without_relations_configured_is_refused(tmp_path, drive):
    w = make(tmp_path, relations=None)
    assert "relation" not in w.kinds
    page = drive(w)
    page.hello()
    item = w.item_ids[0]
    ada, acme = span(DOC, "Ada", "PER"), span(DOC, "Acme", "ORG")
    assert page.edit(item, [ada, acme])["type"] == "saved"
    refused(w, page, item, [relation(ada, acme, "works_for", ident="r-x")], "'r-x'", "relations=")


def test_relation_labels_take_specs_like_labels(tmp_path):
    w = make(
        tmp_path,
        relations={"works_for": {"hotkey": "w", "color": "tab:red"}, "located_in": "where"},
    )
    assert w.relations == ["works_for", "located_in"]
    assert w.relation_specs == {
        "works_for": {"hotkey": "w", "color": "#d62728"},
        "located_in": {"description": "where"},
    }


@pytest.mark.parametrize(
    ("relations", "error", "words"),
    [
        ([], ValueError, "relations: give at least one"),
        ("works_for", TypeError, "relations: expected a list"),
        (["a", "a"], ValueError, "relations: 'a' appears more than once"),
        ({"a": {"hotkey": "n"}}, ValueError, "relations: the hotkey 'n' of label 'a'"),
        ({"a": {"hotkey": "r"}}, ValueError, "start a relation"),
    ],
)
def test_bad_relations_arguments_are_refused_by_name(tmp_path, relations, error, words):
    with pytest.raises(error, match=words):
        make(tmp_path, relations=relations)


def test_relation_predictions_are_listed_as_problems_not_shown(tmp_path, drive):
    item = text_items([DOC])[0].id
    preds = pd.DataFrame(
        [
            {"item_id": item, "kind": "span", "label": "PER", "start": 0, "end": 3, "score": 0.9},
            {
                "item_id": item,
                "kind": "relation",
                "label": "works_for",
                "from_id": "a",
                "to_id": "b",
            },
        ]
    )
    w = make(tmp_path, [DOC], predictions=preds)
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    assert [s["kind"] for s in message["suggestions"]] == ["span"]
    problems = w.prediction_problems
    assert any("relations are not shown as suggestions" in p for p in problems), problems


def test_the_widget_s_relations_go_to_label_studio_and_doccano_and_back(linked, tmp_path):
    from nblabel.formats import (
        read_label_studio,
        read_spans_jsonl,
        to_label_studio,
        write_spans_jsonl,
    )

    w, page, item, _ada, acme, _rel = linked
    zurich = span(DOC, "Zürich", "LOC")
    there = relation(acme, zurich, "located_in")
    assert page.edit(item, [zurich, there])["type"] == "saved"
    df = w.annotations

    def ends(frame: pd.DataFrame) -> set[tuple[str, str, str]]:
        text = frame.set_index("id")["text"]
        rel = frame[frame["kind"].astype(str) == "relation"]
        return {(text[r.from_id], text[r.to_id], str(r.label)) for r in rel.itertuples()}

    want = {("Ada", "Acme", "works_for"), ("Acme", "Zürich", "located_in")}
    assert ends(df) == want
    tasks = to_label_studio(df, data={item: {"text": DOC}})
    assert ends(read_label_studio(tasks)) == want
    path = write_spans_jsonl(df, {item: DOC}, tmp_path / "doccano.jsonl")
    _texts, back = read_spans_jsonl(path)
    assert ends(back) == want
    # and the store takes them back as they are (ids of the doccano file)
    w.store.upsert(back.assign(annotator="doccano"))
    mine = w.store.annotations(annotator="doccano")
    assert ends(mine) == want
    agreement = nl.qa.relation_agreement(w.store.annotations())
    row = agreement.iloc[0]
    assert (row["n_a"], row["n_b"], row["matches"], row["f1"]) == (2, 2, 2, 1.0)
