"""ImageAnnotator's assisted drawing through the page protocol: masks from the wand and
the superpixel brush, and the ``superpixels`` message that sends a label image."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import nblabel as nl
from nblabel import rle


def make(paths: list[str], tmp_path: Path, **kw: Any) -> nl.ImageAnnotator:
    kw.setdefault("labels", ["cat", "dog"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.ImageAnnotator(paths, **kw)


def answer(page: Any, kind: str, wait: float = 60.0) -> tuple[dict[str, Any], list[bytes]]:
    """The first message of type ``kind`` the widget sent (from its worker thread)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = [(m, b) for m, b in page.sent if m.get("type") == kind]
        if found:
            return found[0]
        time.sleep(0.02)
    raise AssertionError(f"no {kind!r} message: {page.sent}")


def halves(tmp_path: Path) -> str:
    """A 120x90 PNG: dark left half, bright yellow right half."""
    pixels = np.zeros((90, 120, 3), np.uint8)
    pixels[:, 60:] = (250, 210, 20)
    path = tmp_path / "halves.png"
    Image.fromarray(pixels).save(path)
    return str(path)


def test_wand_masks_are_stored_like_brush_masks(photos, tmp_path, drive):
    w = make(photos, tmp_path, tools=["wand"])
    assert w.tools == ["wand"]
    page = drive(w)
    page.hello()
    page.item_at(0)
    # the page sends plain run lengths; the store keeps pycocotools' string
    mask = {"size": [60, 80], "counts": [60 * 10, 60 * 5, 60 * 65]}
    row = {"id": "m1", "kind": "mask", "label": "dog", "mask": mask}
    assert page.edit(photos[0], [row])["type"] == "saved"
    df = w.annotations
    assert df["kind"].tolist() == ["mask"]
    assert rle.area(df["mask"].iloc[0]) == 300
    assert rle.decode(df["mask"].iloc[0])[:, 10:15].all()


def test_mask_suggestions_show_with_the_wand_alone(photos, tmp_path, drive):
    full = rle.encode(np.ones((60, 80), bool))
    predictions = pd.DataFrame(
        {"item_id": [photos[0]], "kind": ["mask"], "label": ["cat"], "score": [0.8]}
    )
    predictions["mask"] = [full]
    w = make(photos, tmp_path, tools=["wand"], predictions=predictions)
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    assert [s["kind"] for s in message["suggestions"]] == ["mask"]
    assert w.prediction_problems == []


def test_superpixels_message_sends_an_int32_label_image(tmp_path, drive):
    path = halves(tmp_path)
    w = make([path], tmp_path, tools=["superpixel"], superpixels={"n_segments": 24})
    assert "superpixels" in w.message_types()
    page = drive(w)
    page.hello()
    page.item_at(0)
    page._send({"type": "superpixels", "item_id": path, "frame": None})
    msg, buffers = answer(page, "superpixels")
    assert "error" not in msg, msg
    assert (msg["item_id"], msg["frame"], msg["width"], msg["height"]) == (path, None, 120, 90)
    labels = np.frombuffer(buffers[0], "<i4").reshape(90, 120)
    assert msg["count"] == labels.max() + 1 >= 4
    assert np.array_equal(labels, w.superpixel_labels(path))
    # superpixels follow the edge between the halves
    assert not set(np.unique(labels[:, :59])) & set(np.unique(labels[:, 61:]))
    # a mask painted from them is a mask like any other
    mask = rle.encode(np.isin(labels, np.unique(labels[:, 61:])))
    row = {"id": "s1", "kind": "mask", "label": "cat", "mask": mask}
    assert page.edit(path, [row])["type"] == "saved"
    assert rle.area(w.annotations["mask"].iloc[0]) == int(np.isin(labels, labels[:, 61:]).sum())


def test_superpixels_of_a_large_image_come_at_max_side(tmp_path, drive):
    path = tmp_path / "wide.png"
    Image.fromarray(np.zeros((300, 600), np.uint8)).save(path)
    w = make([str(path)], tmp_path, tools=["superpixel"], superpixels={"max_side": 200})
    labels = w.superpixel_labels(str(path))
    assert labels.shape == (100, 200)


def test_superpixel_errors_are_answered_and_named(photos, tmp_path, drive):
    w = make(photos, tmp_path, tools=["superpixel", "brush"])
    page = drive(w)
    page.hello()
    page._send({"type": "superpixels", "item_id": "nope.jpg", "frame": None})
    msg, buffers = answer(page, "superpixels")
    assert msg["error"] == "'nope.jpg' is not one of this widget's items"
    assert buffers == []
    page.clear()
    page._send({"type": "superpixels", "item_id": photos[0], "frame": 3})
    msg, _ = answer(page, "superpixels")
    assert "single image, not a stack" in msg["error"]
    with pytest.raises(KeyError, match="not one of this widget's items"):
        w.superpixel_labels("nope.jpg")


def test_superpixels_need_their_tool(photos, tmp_path, drive):
    w = make(photos, tmp_path, tools=["brush"])
    page = drive(w)
    page._send({"type": "superpixels", "item_id": photos[0], "frame": None})
    msg, _ = answer(page, "superpixels")
    assert msg["error"] == "this widget has no 'superpixel' tool"
    with pytest.raises(ValueError, match="superpixel_labels: the widget has no 'superpixel' tool"):
        w.superpixel_labels(photos[0])
    with pytest.raises(ValueError, match="superpixels: options given, but 'superpixel' is not"):
        make(photos, tmp_path, tools=["brush"], superpixels={"n_segments": 10})
    with pytest.raises(ValueError, match=r"superpixels: unknown option\(s\) \['size'\]"):
        make(photos, tmp_path, tools=["superpixel"], superpixels={"size": 10})
