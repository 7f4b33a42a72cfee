"""ImageAnnotator's keypoints and skeletons through the page protocol (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import nblabel as nl

SKELETON = {
    "name": "fish",
    "points": ["head", "fin", "tail"],
    "edges": [("head", "fin"), ("fin", "tail")],
}


def make(photos: list[str], tmp_path: Path, **kw: Any) -> nl.ImageAnnotator:
    kw.setdefault("labels", ["cat", "dog"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    kw.setdefault("tools", ["point", "box"])
    return nl.ImageAnnotator(photos, **kw)


def point(ident: str, x: float, y: float, label: str, **kw: Any) -> dict[str, Any]:
    return {"id": ident, "kind": "point", "label": label, "x": x, "y": y, **kw}


def test_points_are_stored_in_original_pixels_labeled_by_key(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.item_at(0)
    assert page.edit(photos[0], [point("p1", 10.25, 20.5, "cat")])["type"] == "saved"
    assert page.edit(photos[0], [point("p2", 80, 0, "dog")])["type"] == "saved"  # on the edge
    assert page.edit(photos[0], [point("p1", 11.25, 21.5, "dog")])["type"] == "saved"  # moved
    df = w.annotations.set_index("id")
    assert df.loc["p1", ["x", "y"]].tolist() == [11.25, 21.5]
    assert df.loc["p1", "label"] == "dog"
    assert df["kind"].astype(str).tolist() == ["point", "point"]
    assert df["image_width"].tolist() == [80, 80]
    assert page.edit(photos[0], delete=["p2"])["type"] == "saved"
    assert w.annotations["id"].tolist() == ["p1"]


@pytest.mark.parametrize(("x", "y"), [(-0.5, 3), (81, 3), (3, 60.01), (float("nan"), 3)])
def test_a_point_outside_the_image_is_refused_naming_item_and_row(photos, tmp_path, drive, x, y):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.item_at(0)
    assert page.edit(photos[0], [point("keep", 1, 1, "cat")])["type"] == "saved"
    answer = page.edit(photos[0], [point("bad", x, y, "cat")])
    assert answer["type"] == "rejected"
    assert repr(photos[0]) in answer["message"]
    assert "'bad'" in answer["message"]
    assert w.annotations["id"].tolist() == ["keep"]  # nothing stored changed


def test_a_skeleton_instance_and_its_checks(photos, tmp_path, drive):
    w = make(photos, tmp_path, skeleton=SKELETON)
    assert w.skeleton == nl.Skeleton(
        ["head", "fin", "tail"], [("head", "fin"), ("fin", "tail")], "fish"
    )
    assert w.skeleton_spec == {
        "name": "fish",
        "points": ["head", "fin", "tail"],
        "edges": [["head", "fin"], ["fin", "tail"]],
    }
    page = drive(w)
    page.hello()
    page.item_at(0)
    rows = [
        point("h", 10, 10, "head", track_id="t1"),
        point("f", 20, 10, "fin", track_id="t1", outside=True),
        point("t", 30, 10, "tail", track_id="t1"),
        point("h2", 50, 10, "head", track_id="t2"),
    ]
    assert page.edit(photos[0], rows)["type"] == "saved"
    df = w.annotations.set_index("id")
    assert df.loc["f", "outside"] is True or bool(df.loc["f", "outside"]) is True
    assert df["outside"].isna().sum() == 3
    assert df.loc[["h", "f", "t"], "track_id"].tolist() == ["t1"] * 3
    # the same skeleton point twice in one instance
    twice = page.edit(photos[0], [point("h3", 12, 12, "head", track_id="t1")])
    assert twice["type"] == "rejected"
    assert "'t1'" in twice["message"]
    assert "'head' twice" in twice["message"]
    # an unknown point name
    unknown = page.edit(photos[0], [point("x", 12, 12, "nose", track_id="t2")])
    assert unknown["type"] == "rejected"
    assert "'nose'" in unknown["message"]
    assert "head" in unknown["message"]
    # a skeleton point without an instance
    lone = page.edit(photos[0], [point("y", 12, 12, "fin")])
    assert lone["type"] == "rejected"
    assert "track_id" in lone["message"]
    # a visibility that is not true or false
    odd = page.edit(photos[0], [point("z", 12, 12, "fin", track_id="t2", outside="no")])
    assert odd["type"] == "rejected"
    assert "outside" in odd["message"]
    assert sorted(w.annotations["id"]) == ["f", "h", "h2", "t"]
    # whole-image labels and boxes still take the widget's labels
    assert page.edit(photos[0], [{"id": "b", "kind": "box", "label": "cat", "x": 0, "y": 0,
                                  "width": 5, "height": 5}])["type"] == "saved"  # fmt: skip


def test_skeleton_arguments_are_checked():
    with pytest.raises(ValueError, match="point tool"):
        nl.ImageAnnotator(["a.jpg"], labels=["x"], tools=["box"], skeleton=SKELETON)
    with pytest.raises(ValueError, match="skeleton: edge 0"):
        nl.ImageAnnotator(
            ["a.jpg"],
            labels=["x"],
            tools=["point"],
            skeleton={"points": ["a"], "edges": [("a", "b")]},
        )
    with pytest.raises(TypeError, match="skeleton: expected"):
        nl.ImageAnnotator(["a.jpg"], labels=["x"], tools=["point"], skeleton=["a", "b"])
