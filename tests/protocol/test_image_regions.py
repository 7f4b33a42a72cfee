"""ImageAnnotator's boxes, polygons and brush masks, driven through the page protocol."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pycocotools import mask as coco

import nblabel as nl
from nblabel import rle

LABELS = ["cat", "dog", "bird"]


def make(photos: list[str], tmp_path: Path, **kw: Any) -> nl.ImageAnnotator:
    kw.setdefault("labels", LABELS)
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    kw.setdefault("tools", ["box", "polygon", "brush"])
    return nl.ImageAnnotator(photos, **kw)


def box(
    ident: str, x: float, y: float, w: float, h: float, *, label: str = "cat"
) -> dict[str, Any]:
    return {"id": ident, "kind": "box", "label": label, "x": x, "y": y, "width": w, "height": h}


def events(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("select op, id from nblabel_events order by seq").fetchall()


def test_boxes_are_stored_in_original_pixels_one_write_per_edit(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.item_at(0)
    for i in range(5):  # five boxes, five edits
        assert page.edit(photos[0], [box(f"b{i}", 10 * i, 5, 8, 9)])["type"] == "saved"
    # moving one box writes that box only
    assert page.edit(photos[0], [box("b3", 31, 6, 8, 9, label="dog")])["type"] == "saved"
    ops = events(tmp_path / "labels.db")
    assert len(ops) == 6
    assert ops[-1][1] == "b3"
    df = w.annotations.set_index("id")
    assert df.loc["b3", ["x", "y", "width", "height"]].tolist() == [31.0, 6.0, 8.0, 9.0]
    assert df.loc["b3", "label"] == "dog"
    assert set(df["kind"]) == {"box"}
    assert df["image_width"].tolist() == [80] * 5
    assert df["image_height"].tolist() == [60] * 5
    # delete is a tombstone: gone from the frame, kept in the store
    assert page.edit(photos[0], delete=["b1"])["type"] == "saved"
    assert "b1" not in set(w.annotations["id"])
    with sqlite3.connect(tmp_path / "labels.db") as conn:
        deleted = conn.execute("select deleted from nblabel_annotations where id='b1'")
        assert deleted.fetchone() == (1,)


def test_whole_image_labels_still_work_beside_regions(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.item_at(0)
    assert page.edit(photos[0], [box("b0", 0, 0, 80, 60)])["type"] == "saved"
    assert page.edit(photos[0], [{"id": "l0", "kind": "label", "label": "dog"}])["type"] == "saved"
    # single-label still applies to whole-image labels only
    answer = page.edit(photos[0], [{"id": "l1", "kind": "label", "label": "cat"}])
    assert answer["type"] == "rejected"
    assert "one label per item" in answer["message"]
    assert sorted(w.annotations["kind"].astype(str)) == ["box", "label"]


def test_a_polygon_is_stored_as_points(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.item_at(0)
    pts = [[1, 2], [30, 2], [30, 40], [5, 50]]
    poly = {"id": "p0", "kind": "polygon", "label": "bird", "points": pts}
    assert page.edit(photos[0], [poly])["type"] == "saved"
    assert w.annotations["points"].tolist() == [pts]


def test_a_mask_sent_as_runs_is_stored_as_pycocotools_would_encode_it(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.item_at(0)
    mask = np.zeros((60, 80), dtype=np.uint8)
    yy, xx = np.mgrid[0:60, 0:80]
    mask[(yy - 30) ** 2 + (xx - 40) ** 2 < 15**2] = 1
    mask[0, 0] = 1  # starts with a 1: the first run of 0s is empty
    runs = rle.runs(mask)
    row = {"id": "m0", "kind": "mask", "label": "cat", "mask": {"size": [60, 80], "counts": runs}}
    assert page.edit(photos[0], [row])["type"] == "saved"
    stored = w.annotations["mask"].iloc[0]
    expected = coco.encode(np.asfortranarray(mask))
    assert stored["counts"].encode("ascii") == expected["counts"]
    assert stored["size"] == [60, 80]
    assert int(coco.area(expected)) == rle.area(stored)
    # the page gets the compressed form back, and undo re-sends it unchanged
    page.clear()
    page.goto(0, cached=[0])
    message, _ = page.item_at(0)
    assert message["rows"][0]["mask"] == stored
    assert page.edit(photos[0], [message["rows"][0]])["type"] == "saved"
    assert w.annotations["mask"].iloc[0] == stored


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (box("x", 70, 0, 20, 10), "outside the 80x60 image"),
        (box("x", -1, 0, 5, 5), "outside the 80x60 image"),
        (box("x", float("nan"), 0, 5, 5), "non-finite"),
        ({"id": "x", "kind": "polygon", "label": "cat", "points": [[0, 0], [1, 1]]}, "three"),
        (
            {"id": "x", "kind": "polygon", "label": "cat", "points": [[0, 0], [90, 1], [3, 3]]},
            "point 1 (90, 1) lies outside",
        ),
        (
            {"id": "x", "kind": "mask", "label": "cat", "mask": {"size": [60, 80], "counts": [5]}},
            "cover 5 pixels",
        ),
        (
            {"id": "x", "kind": "mask", "label": "cat", "mask": {"size": [6, 8], "counts": [48]}},
            "is not the image's [60, 80]",
        ),
        (box("x", 0, 0, 5, 5, label="horse"), "'horse'"),
    ],
)
def test_bad_regions_are_rejected_naming_the_item(photos, tmp_path, drive, row, expected):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.item_at(0)
    answer = page.edit(photos[0], [row])
    assert answer["type"] == "rejected"
    assert expected in answer["message"]
    assert photos[0] in answer["message"]
    assert len(w.annotations) == 0


def test_tools_choose_the_kinds(photos, tmp_path, drive):
    w = make(photos, tmp_path, tools=["box"])
    assert w.tools == ["box"]
    assert w.advance is False  # drawing several shapes per image: no auto-advance
    page = drive(w)
    page.hello()
    page.item_at(0)
    poly = {"id": "p", "kind": "polygon", "label": "cat", "points": [[0, 0], [9, 0], [9, 9]]}
    answer = page.edit(photos[0], [poly])
    assert answer["type"] == "rejected"
    assert "kind 'polygon' is not one of ['label', 'box', 'skip', 'comment']" in answer["message"]
    with pytest.raises(ValueError, match="tools: 'lasso' is not one of"):
        make(photos, tmp_path, tools=["lasso"])
    with pytest.raises(TypeError, match="tools: expected a list"):
        make(photos, tmp_path, tools="box")


def model_predictions(photos: list[str]) -> pd.DataFrame:
    full = rle.encode(np.ones((60, 80), bool))
    return pd.DataFrame(
        {
            "item_id": [photos[0]] * 6 + [photos[1]],
            "kind": ["box", "box", "box", "box", "polygon", "mask", "box"],
            "label": ["cat", "dog", "horse", "cat", "bird", "cat", "dog"],
            "score": [0.9, 0.4, 0.8, 0.7, 0.6, 0.5, 0.95],
            "x": [1.5, 60.0, 1.0, float("nan"), None, None, 0.0],
            "y": [2.0, 50.0, 1.0, 1.0, None, None, 0.0],
            "width": [10.0, 30.0, 5.0, 5.0, None, None, 8.0],
            "height": [10.0, 20.0, 5.0, 5.0, None, None, 8.0],
            "points": [None, None, None, None, [[0, 0], [10, 0], [5, 9]], None, None],
            "mask": [None, None, None, None, None, full, None],
            "annotator": "detector",
            "source": "model",
        },
        index=[f"r{i}" for i in range(7)],
    )


def test_region_predictions_load_as_suggestions_and_bad_rows_are_named(photos, tmp_path, drive):
    with pytest.warns(UserWarning, match="2 of 7 predictions cannot be shown"):
        w = make(photos, tmp_path, predictions=model_predictions(photos))
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    # the box outside the image is named once the image (and its size) is known
    problems = w.prediction_problems
    assert any("predictions row 'r2'" in p and "'horse'" in p for p in problems)
    assert any("predictions row 'r3'" in p and "x is missing" in p for p in problems)
    assert any("'prediction-r1'" in p and "outside the 80x60 image" in p for p in problems)
    assert any("outside the 80x60 image" in w_ for w_ in message["item"]["warnings"])
    kinds = sorted(s["kind"] for s in message["suggestions"])
    assert kinds == ["box", "mask", "polygon"]
    best = next(s for s in message["suggestions"] if s["kind"] == "box")
    assert (best["x"], best["y"], best["score"]) == (1.5, 2.0, 0.9)
    # accepting (as edited by the person) stores a human box and resolves the suggestion
    page.seq += 1
    page._send(
        {
            "type": "edit",
            "seq": page.seq,
            "item_id": photos[0],
            "upsert": [box("h1", 2, 2, 10, 10)],
            "delete": [],
            "accepted": [best["id"]],
            "rejected": [],
        }
    )
    df = w.annotations
    assert df[["id", "kind", "source", "annotator"]].to_numpy().tolist() == [
        ["h1", "box", "human", "ana"]
    ]
    page.clear()
    page.goto(0, cached=[0])
    message, _ = page.item_at(0)
    assert best["id"] not in {s["id"] for s in message["suggestions"]}


def test_region_predictions_need_their_tool(photos, tmp_path):
    with pytest.warns(UserWarning, match="predictions cannot be shown"):
        w = make(photos, tmp_path, tools=["box"], predictions=model_predictions(photos))
    assert any("kind 'polygon'" in p for p in w.prediction_problems)
