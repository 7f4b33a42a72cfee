"""Relations between image regions, driven through the image widget's page protocol
(SQLite and PostgreSQL): stored with both ends and a label, cascade delete and refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import nblabel as nl
from nblabel import schema

from .test_image_regions import box


def make(photos: list[str], tmp_path: Path, **kw: Any) -> nl.ImageAnnotator:
    kw.setdefault("labels", ["person", "cup"])
    kw.setdefault("relations", ["holds", "next_to"])
    kw.setdefault("tools", ["box", "polygon", "brush", "point"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.ImageAnnotator(photos, **kw)


def relation(a: str, b: str, label: str, ident: str) -> dict[str, Any]:
    return {"id": ident, "kind": "relation", "label": label, "from_id": a, "to_id": b}


def stored(w: nl.ImageAnnotator) -> tuple[pd.DataFrame, int]:
    df = w.store.annotations().sort_values("id").reset_index(drop=True)
    return df.drop(columns=["created_at", "updated_at"]), len(w.store.history())


@pytest.fixture
def linked(photos, tmp_path, drive):
    """A widget, its page, the first item and two boxes with a relation between them."""
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.item_at(0)
    item = w.item_ids[0]
    rows = [
        box("person", 5, 5, 30, 50, label="person"),
        box("cup", 40, 20, 10, 10, label="cup"),
        relation("person", "cup", "holds", "r1"),
    ]
    assert page.edit(item, rows)["type"] == "saved"
    return w, page, item


def refused(w: nl.ImageAnnotator, page: Any, item: str, rows: list[dict], *words: str) -> str:
    before, n_history = stored(w)
    answer = page.edit(item, rows)
    assert answer["type"] == "rejected", answer
    for word in (repr(item), *words):
        assert word in answer["message"], (word, answer["message"])
    after, n_after = stored(w)
    pd.testing.assert_frame_equal(after, before)
    assert n_after == n_history
    return str(answer["message"])


def test_a_relation_between_boxes_is_stored_with_its_ends_and_label(linked):
    w, page, item = linked
    df = w.annotations
    schema.validate(df)
    row = df[df["kind"] == "relation"].iloc[0]
    assert (row["id"], row["from_id"], row["to_id"], row["label"]) == (
        "r1",
        "person",
        "cup",
        "holds",
    )
    assert (row["item_id"], row["annotator"]) == (item, "ana")
    assert "relation" in w.kinds
    assert w.relations == ["holds", "next_to"]
    # the page is sent the relation back as stored
    page.clear()
    page.goto(1)
    page.goto(0)
    sent = [r for r in page.item_at(0)[0]["rows"] if r["kind"] == "relation"]
    assert [(r["from_id"], r["to_id"], r["label"]) for r in sent] == [("person", "cup", "holds")]


def test_polygons_masks_and_points_are_ends_too(linked):
    w, page, item = linked
    poly = {"id": "poly", "kind": "polygon", "label": "cup", "points": [[1, 1], [9, 1], [5, 8]]}
    mask = {
        "id": "mask",
        "kind": "mask",
        "label": "cup",
        "mask": {"size": [60, 80], "counts": [100, 20, 4680]},
    }
    point = {"id": "pt", "kind": "point", "label": "person", "x": 12.5, "y": 7.25}
    rows = [
        poly,
        mask,
        point,
        relation("pt", "poly", "holds", "r2"),
        relation("mask", "person", "next_to", "r3"),
    ]
    assert page.edit(item, rows)["type"] == "saved", page.edit
    df = w.annotations.set_index("id")
    assert df.loc["r2", ["from_id", "to_id", "label"]].tolist() == ["pt", "poly", "holds"]
    assert df.loc["r3", ["from_id", "to_id", "label"]].tolist() == ["mask", "person", "next_to"]


def test_deleting_a_box_with_its_relation_in_one_edit_and_undo_brings_both_back(linked):
    w, page, item = linked
    before, _ = stored(w)
    page.goto(1)
    page.goto(0)
    page_rows = {r["id"]: r for r in page.item_at(0)[0]["rows"]}
    assert page.edit(item, delete=["cup", "r1"])["type"] == "saved"
    assert set(w.annotations["id"]) == {"person"}
    history = w.store.history()
    assert set(history.loc[history["op"] == "delete", "id"]) == {"cup", "r1"}
    assert page.edit(item, [page_rows["cup"], page_rows["r1"]])["type"] == "saved"
    after, _ = stored(w)
    pd.testing.assert_frame_equal(after, before)


def test_deleting_a_box_and_leaving_its_relation_is_refused(linked):
    w, page, item = linked
    before, n_history = stored(w)
    answer = page.edit(item, delete=["cup"])
    assert answer["type"] == "rejected"
    for word in (repr(item), "'r1'", "'cup'", "not an annotation of this item"):
        assert word in answer["message"]
    after, n_after = stored(w)
    pd.testing.assert_frame_equal(after, before)
    assert n_after == n_history


def test_a_relation_to_a_region_that_does_not_exist_is_refused(linked):
    w, page, item = linked
    bad = relation("person", "ghost", "holds", "r-ghost")
    refused(w, page, item, [bad], "'r-ghost'", "'ghost'", "not an annotation of this item")


def test_a_relation_to_a_region_of_another_item_is_refused_naming_it(linked):
    w, page, item = linked
    page.goto(1)
    other = w.item_ids[1]
    page.item_at(1)
    assert page.edit(other, [box("far", 1, 1, 5, 5, label="cup")])["type"] == "saved"
    page.goto(0)
    message = refused(
        w, page, item, [relation("person", "far", "holds", "r-far")], "'r-far'", "another item"
    )
    assert repr(other) in message


def test_a_relation_from_a_region_to_itself_is_refused(linked):
    w, page, item = linked
    refused(w, page, item, [relation("cup", "cup", "holds", "r-self")], "'r-self'", "itself")


def test_a_whole_image_label_is_not_an_end(linked):
    w, page, item = linked
    assert page.edit(item, [{"id": "whole", "kind": "label", "label": "person"}])["type"] == "saved"
    refused(
        w,
        page,
        item,
        [relation("person", "whole", "holds", "r-lab")],
        "'r-lab'",
        "'label'",
        "'box'",
    )


def test_an_unknown_relation_label_is_refused_naming_the_labels(linked):
    w, page, item = linked
    bad = relation("cup", "person", "owns", "r-owns")
    refused(w, page, item, [bad], "'r-owns'", "'owns'", "holds", "next_to")


def test_the_same_relation_twice_is_refused(linked):
    w, page, item = linked
    refused(w, page, item, [relation("person", "cup", "holds", "r-twin")], "'r-twin'", "'r1'")


def test_a_relation_without_relations_configured_is_refused(photos, tmp_path, drive):
    w = make(photos, tmp_path, relations=None)
    assert "relation" not in w.kinds
    assert w.relations == []
    page = drive(w)
    page.hello()
    page.item_at(0)
    item = w.item_ids[0]
    assert (
        page.edit(item, [box("a", 1, 1, 5, 5, label="cup"), box("b", 9, 9, 5, 5, label="cup")])[
            "type"
        ]
        == "saved"
    )
    refused(w, page, item, [relation("a", "b", "holds", "r-x")], "'r-x'", "relations=")


def test_relation_labels_take_specs_and_bad_arguments_name_relations(photos, tmp_path):
    w = make(photos, tmp_path, relations={"holds": {"hotkey": "q", "color": "tab:red"}, "on": "on"})
    assert w.relations == ["holds", "on"]
    assert w.relation_specs["holds"]["hotkey"] == "q"
    with pytest.raises(ValueError, match="relations"):
        make(photos, tmp_path, relations=[])
    with pytest.raises(ValueError, match="relations"):
        make(photos, tmp_path, relations={"holds": {"hotkey": "l"}})  # l starts a relation
    with pytest.raises(ValueError, match="tools"):
        make(photos, tmp_path, tools=[])


def test_relations_on_a_stack_need_no_frame(tmp_path, drive):
    import numpy as np

    volume = np.zeros((3, 20, 30), dtype=np.uint16)
    w = make([volume], tmp_path, tools=["box"], stack=True)
    page = drive(w)
    page.hello()
    page.item_at(0)
    item = w.item_ids[0]
    a = {**box("a", 1, 1, 5, 5, label="cup"), "frame": 1}
    b = {**box("b", 9, 9, 5, 5, label="cup"), "frame": 1}
    assert page.edit(item, [a, b, relation("a", "b", "next_to", "r")])["type"] == "saved"
    row = w.annotations.set_index("id").loc["r"]
    assert (row["from_id"], row["to_id"]) == ("a", "b")
