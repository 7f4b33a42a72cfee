"""Keypoints in a real JupyterLab: a skeleton placed by clicks lands at exact original pixels,
a drag moves a point by the drag's distance, a point marked not visible is stored as such."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from .test_image_regions import Canvas

pytestmark = pytest.mark.browser

SKELETON = {"name": "fish", "points": ["head", "fin", "tail"],
            "edges": [["head", "fin"], ["fin", "tail"]]}  # fmt: skip


def image(width: int, height: int) -> bytes:
    yy, xx = np.mgrid[0:height, 0:width]
    pixels = np.stack([xx * 255 // width, yy * 255 // height, (xx + yy) % 255], axis=-1)
    buf = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def cell() -> str:
    # a 400 x 300 image sent to the page as a 100-pixel copy: coordinates stay original
    return (
        "import nblabel as nl\n"
        f"w = nl.ImageAnnotator(['fish.png'], labels=['fish'], tools=['point'],\n"
        f"                      skeleton={json.dumps(SKELETON)}, display_size=100,\n"
        "                      annotator='ana', store='labels.db')\n"
        "w"
    )


def points(nb) -> dict[str, dict[str, object]]:
    rows = nb.eval_json(
        "w.annotations[['label', 'x', 'y', 'outside', 'track_id']]"
        ".astype(object).where(w.annotations[['label', 'x', 'y', 'outside', 'track_id']]"
        ".notna(), None).to_dict('records')"
    )
    return {r["label"]: r for r in rows}


def test_a_skeleton_placed_by_clicks_lands_at_exact_pixels(lab):
    nb = lab.open_notebook([cell()], cwd_files={"fish.png": image(400, 300)})
    c = Canvas(lab, nb)
    assert nb.eval_json("w._sizes['fish.png']") == [400, 300]
    nxt = c.root.locator(".nbl-point-next")
    expect(nxt).to_have_text("next: head (1 of 3, a new fish)")
    want = {"head": (52.25, 61.5), "fin": (180.0, 140.75), "tail": (333.5, 250.0)}
    c.click(*want["head"])
    expect(nxt).to_have_text("next: fin (2 of 3)")
    lab.page.keyboard.down("Shift")  # Shift+click: placed, not visible
    c.click(*want["fin"])
    lab.page.keyboard.up("Shift")
    expect(nxt).to_have_text("next: tail (3 of 3)")
    c.click(*want["tail"])
    c.saved()
    expect(nxt).to_have_text("next: head (1 of 3, a new fish)")
    got = points(nb)
    assert sorted(got) == ["fin", "head", "tail"]
    for name, (x, y) in want.items():
        assert abs(got[name]["x"] - x) <= 0.5, (name, got[name], x)
        assert abs(got[name]["y"] - y) <= 0.5, (name, got[name], y)
    assert got["fin"]["outside"] is True
    assert got["head"]["outside"] is None
    assert got["tail"]["outside"] is None
    assert len({r["track_id"] for r in got.values()}) == 1
    # every point's label tag is in the accessible text
    tags = c.root.locator(".nbl-shape-tag")
    expect(tags).to_have_count(3)
    expect(c.root.locator('.nbl-shape-tag[aria-label="point fin (not visible)"]')).to_have_count(1)
    assert nb.eval_json("len(w.store.history())") == 3  # one write per placed point

    # a drag moves the tail by the drag's distance, grabbed 2 px off its centre
    before = got["tail"]
    c.drag((before["x"] + 2, before["y"] - 1), (before["x"] + 2 - 40, before["y"] - 1 - 30))
    c.saved()
    after = points(nb)["tail"]
    assert abs(after["x"] - (before["x"] - 40)) <= 0.5
    assert abs(after["y"] - (before["y"] - 30)) <= 0.5
    assert nb.eval_json("len(w.store.history())") == 4
    # a click on it that does not move writes nothing
    c.click(after["x"], after["y"])
    nb.wait_for_comm_idle()
    assert nb.eval_json("len(w.store.history())") == 4
    # i marks the selected point not visible; the arrow nudges it by one pixel
    lab.page.keyboard.press("i")
    lab.page.keyboard.press("ArrowRight")
    c.saved()
    tail = points(nb)["tail"]
    assert tail["outside"] is True
    assert tail["x"] == pytest.approx(after["x"] + 1)
    # undo twice: visible again, at the dragged place
    lab.page.keyboard.press("z")
    lab.page.keyboard.press("z")
    c.saved()
    tail = points(nb)["tail"]
    assert tail["outside"] is None
    assert tail["x"] == pytest.approx(after["x"])
    # the next click starts a second fish; s skips its fin
    c.click(30, 280)
    expect(nxt).to_have_text("next: fin (2 of 3)")
    lab.page.keyboard.press("s")
    expect(nxt).to_have_text("next: tail (3 of 3)")
    c.click(60, 290)
    c.saved()
    rows = nb.eval_json("w.annotations[['label', 'track_id']].values.tolist()")
    assert len(rows) == 5
    assert len({t for _, t in rows}) == 2
    assert lab.page_errors == []
