"""ImageAnnotator's region tools in a real JupyterLab: a person's drags, clicks and keys,
asserted as exact original-pixel coordinates in the kernel's DataFrame."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LABELS = ["car", "person", "tree"]


def photo(width: int, height: int, seed: int = 0) -> bytes:
    """A smooth real JPEG (compresses well even at 12 megapixels)."""
    yy, xx = np.mgrid[0:height:8, 0:width:8]
    small = np.stack(
        [(xx * 255 // width), (yy * 255 // height), ((xx + yy + seed * 40) % 255)], axis=-1
    ).astype(np.uint8)
    image = Image.fromarray(small).resize((width, height))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def cell(tools: list[str], extra: str = "", pre: str = "") -> str:
    return (
        "import nblabel as nl, pandas as pd\n"
        f"{pre}"
        f"w = nl.ImageAnnotator(['big.jpg'], labels={LABELS!r}, tools={tools!r},\n"
        f"                      annotator='ana', store='labels.db'{extra})\n"
        "w"
    )


class Canvas:
    """Mouse at original-image pixel positions, through the view the page shows."""

    def __init__(self, lab, nb) -> None:
        self.lab = lab
        self.nb = nb
        self.root = nb.widget(".nbl-root")
        expect(self.root).to_have_attribute("data-drawn", "0")
        self.overlay = self.root.locator(".nbl-overlay")
        self.overlay.scroll_into_view_if_needed()
        self.mouse = lab.page.mouse

    @property
    def view(self) -> tuple[float, float, float]:
        scale, tx, ty = (float(v) for v in self.root.get_attribute("data-view").split())
        return scale, tx, ty

    def at(self, x: float, y: float) -> tuple[float, float]:
        box = self.overlay.bounding_box()
        scale, tx, ty = self.view
        return box["x"] + tx + x * scale, box["y"] + ty + y * scale

    def drag(self, a: tuple[float, float], b: tuple[float, float], *, steps: int = 6) -> None:
        self.mouse.move(*self.at(*a))
        self.mouse.down()
        self.mouse.move(*self.at(*b), steps=steps)
        self.mouse.up()

    def click(self, x: float, y: float) -> None:
        self.mouse.click(*self.at(x, y))

    def saved(self) -> None:
        expect(self.root).to_have_attribute("data-status", "saved")
        self.nb.wait_for_comm_idle()

    def boxes(self) -> list[list[float]]:
        return self.nb.eval_json(
            "w.annotations.query(\"kind == 'box'\")[['x', 'y', 'width', 'height']].values.tolist()"
        )


def test_boxes_drawn_moved_resized_relabelled_nudged_and_deleted(lab):
    nb = lab.open_notebook([cell(["box"])], cwd_files={"big.jpg": photo(4000, 3000)})
    c = Canvas(lab, nb)
    # the page has a 2048-pixel copy; the canvas shows it smaller still
    assert nb.eval_json("w._sizes['big.jpg']") == [4000, 3000]
    scale, _, _ = c.view
    assert scale < 0.5
    c.drag((1000, 500), (2000, 1400))
    c.saved()
    assert c.boxes() == [[1000.0, 500.0, 1000.0, 900.0]]
    assert nb.eval_json("w.annotations['label'].tolist()") == ["car"]
    # move by the body, resize by the south-east corner and the west edge
    c.lab.page.keyboard.press("v")
    c.drag((1500, 1000), (1700, 900))
    c.saved()
    assert c.boxes() == [[1200.0, 400.0, 1000.0, 900.0]]
    c.drag((2200, 1300), (2600, 1500))
    c.saved()
    assert c.boxes() == [[1200.0, 400.0, 1400.0, 1100.0]]
    c.drag((1200, 950), (1000, 950))
    c.saved()
    assert c.boxes() == [[1000.0, 400.0, 1600.0, 1100.0]]
    # keys on the selection: label 2, nudge right by 1 and down by 10
    c.lab.page.keyboard.press("2")
    c.lab.page.keyboard.press("ArrowRight")
    c.lab.page.keyboard.press("Shift+ArrowDown")
    c.saved()
    assert c.boxes() == [[1001.0, 410.0, 1600.0, 1100.0]]
    assert nb.eval_json("w.annotations['label'].tolist()") == ["person"]
    # one store write per finished edit: draw + 3 drags + relabel + 2 nudges
    assert nb.eval_json("len(w.store.history())") == 7
    c.lab.page.keyboard.press("Delete")
    c.saved()
    assert c.boxes() == []
    assert nb.eval_json("w.store.history()['op'].tolist()[-1]") == "delete"
    assert lab.page_errors == []


def test_zoomed_and_panned_drawing_lands_on_exact_pixels(lab):
    nb = lab.open_notebook([cell(["box"])], cwd_files={"big.jpg": photo(4000, 3000)})
    c = Canvas(lab, nb)
    fit_scale, fit_tx, fit_ty = c.view
    box = c.overlay.bounding_box()
    assert fit_scale == pytest.approx(min(box["width"] / 4000, box["height"] / 3000))
    c.root.focus()
    c.lab.page.keyboard.press("+")
    c.lab.page.keyboard.press("+")
    scale, tx, ty = c.view
    assert scale == pytest.approx(fit_scale * 1.25**2)
    # zoom keeps the image point at the canvas centre where it was
    cx, cy = box["width"] / 2, box["height"] / 2
    assert (cx - tx) / scale == pytest.approx((cx - fit_tx) / fit_scale)
    # pan with Space+drag, 120 CSS pixels left and 80 up
    c.lab.page.keyboard.down(" ")
    start = (box["x"] + cx, box["y"] + cy)
    c.mouse.move(*start)
    c.mouse.down()
    c.mouse.move(start[0] - 120, start[1] - 80, steps=4)
    c.mouse.up()
    c.lab.page.keyboard.up(" ")
    panned = c.view
    assert panned[1] == pytest.approx(tx - 120)
    assert panned[2] == pytest.approx(ty - 80)
    # a wheel zoom too, then a box at known image pixels
    c.mouse.move(*c.at(2100, 1600))
    c.mouse.wheel(0, -200)
    expect(c.root).not_to_have_attribute("data-view", " ".join(str(v) for v in panned))
    c.drag((2011, 1523), (2187, 1699))
    c.saved()
    assert c.boxes() == [[2011.0, 1523.0, 176.0, 176.0]]
    c.lab.page.keyboard.press("f")  # fit again
    assert c.view == pytest.approx((fit_scale, fit_tx, fit_ty))


def test_polygon_vertices_closed_moved_inserted_and_deleted(lab):
    nb = lab.open_notebook([cell(["polygon"])], cwd_files={"big.jpg": photo(1600, 1200)})
    c = Canvas(lab, nb)
    for x, y in [(100, 100), (900, 120), (800, 700), (150, 600)]:
        c.click(x, y)
    c.click(100, 100)  # back on the first vertex closes it
    c.saved()
    points = "w.annotations['points'].tolist()"
    assert nb.eval_json(points) == [[[100, 100], [900, 120], [800, 700], [150, 600]]]
    c.drag((800, 700), (1000, 900))  # move a vertex of the selected polygon
    c.saved()
    assert nb.eval_json(points) == [[[100, 100], [900, 120], [1000, 900], [150, 600]]]
    c.drag((125, 350), (50, 350))  # drag the middle of an edge: a new vertex
    c.saved()
    assert nb.eval_json(points) == [[[100, 100], [900, 120], [1000, 900], [150, 600], [50, 350]]]
    c.lab.page.keyboard.down("Alt")
    c.click(900, 120)  # Alt+click deletes a vertex
    c.lab.page.keyboard.up("Alt")
    c.saved()
    assert nb.eval_json(points) == [[[100, 100], [1000, 900], [150, 600], [50, 350]]]
    c.lab.page.keyboard.press("v")  # with the polygon tool a drag inside would draw
    c.drag((400, 500), (500, 450))  # the whole polygon
    c.saved()
    assert nb.eval_json(points) == [[[200, 50], [1100, 850], [250, 550], [150, 300]]]
    assert nb.eval_json("len(w.store.history())") == 5


def test_a_brush_stroke_paints_its_capsule_as_a_pycocotools_mask(lab):
    nb = lab.open_notebook([cell(["brush"])], cwd_files={"big.jpg": photo(3840, 2160)})
    c = Canvas(lab, nb)
    c.root.focus()
    c.lab.page.keyboard.press("]")  # a bigger brush: 20 -> 26 CSS pixels
    expect(c.root.locator(".nbl-brush-size")).to_have_text("brush 26px")
    scale, _, _ = c.view
    radius = 13 / scale
    c.drag((1000, 1000), (2500, 1000), steps=30)
    c.saved()
    stats = nb.eval_json(
        "(lambda m: [m['size'], __import__('nblabel').rle.area(m),"
        " __import__('nblabel').rle.encode(__import__('nblabel').rle.decode(m)) == m,"
        " int(__import__('pycocotools.mask', fromlist=['area']).area("
        "{'size': m['size'], 'counts': m['counts'].encode()}))])(w.annotations['mask'].iloc[0])"
    )
    size, area, canonical, coco_area = stats
    capsule = 2 * radius * 1500 + math.pi * radius**2
    assert size == [2160, 3840]
    assert canonical
    assert coco_area == area
    assert abs(area - capsule) / capsule < 0.02
    # Shift+drag erases from the selected mask across the middle
    c.mouse.move(*c.at(1750, 800))
    c.lab.page.keyboard.down("Shift")
    c.mouse.down()
    c.mouse.move(*c.at(1750, 1200), steps=8)
    c.mouse.up()
    c.lab.page.keyboard.up("Shift")
    c.saved()
    erased = nb.eval_json("__import__('nblabel').rle.area(w.annotations['mask'].iloc[0])")
    cut = 2 * radius * 2 * radius  # a band 2r wide across a stroke 2r tall, roughly
    assert abs((area - erased) - cut) / cut < 0.2
    assert nb.eval_json("len(w.annotations)") == 1


def test_undo_redo_hide_and_help(lab):
    nb = lab.open_notebook(
        [cell(["box", "polygon", "brush"])], cwd_files={"big.jpg": photo(800, 600)}
    )
    c = Canvas(lab, nb)
    c.drag((100, 100), (300, 200))
    c.saved()
    c.lab.page.keyboard.press("v")  # with the box tool a drag inside it would draw
    c.drag((200, 150), (250, 250))  # the new box is selected: move it
    c.saved()
    assert c.boxes() == [[150.0, 200.0, 200.0, 100.0]]
    keys = c.lab.page.keyboard
    keys.press("z")
    c.saved()
    assert c.boxes() == [[100.0, 100.0, 200.0, 100.0]]
    keys.press("Control+z")
    c.saved()
    assert c.boxes() == []
    keys.press("Shift+Z")
    c.saved()
    assert c.boxes() == [[100.0, 100.0, 200.0, 100.0]]
    keys.press("Control+y")
    c.saved()
    assert c.boxes() == [[150.0, 200.0, 200.0, 100.0]]
    keys.press("h")
    expect(c.root).to_have_attribute("data-hidden", "true")
    keys.press("h")
    expect(c.root).to_have_attribute("data-hidden", "false")
    keys.press("o")
    nb.wait_for_comm_idle()
    assert nb.eval_json("w.opacity") == 0.75
    keys.press("Shift+Digit3")  # a whole-image label beside the regions
    c.saved()
    assert nb.eval_json("sorted(w.annotations['kind'].astype(str))") == ["box", "label"]
    keys.press("?")
    help_box = c.root.locator(".nbl-help")
    expect(help_box).to_be_visible()
    for key in ("v", "b", "g", "r", "e", "[ / ]", "h", "o", "f", "Delete / Backspace", "Arrows",
                "Enter", "wheel / + / −", "Space+drag / middle drag", "Shift+1 – 9", "a / x",
                "z / Ctrl+z", "Shift+z / y / Ctrl+y"):  # fmt: skip
        expect(help_box.locator("kbd", has_text=key).first).to_be_visible()
    assert lab.page_errors == []


def test_model_boxes_are_accepted_edited_or_rejected(lab):
    pre = (
        "preds = pd.DataFrame({'item_id': 'big.jpg', 'kind': 'box',\n"
        "    'label': ['car', 'person', 'tree', 'car'], 'score': [0.9, 0.6, 0.3, 0.8],\n"
        "    'x': [100.0, 400.0, 50.0, 700.0], 'y': [100.0, 100.0, 400.0, 500.0],\n"
        "    'width': [100.0, 150.0, 60.0, 300.0], 'height': [80.0, 100.0, 60.0, 300.0],\n"
        "    'source': 'model', 'annotator': 'detr'}, index=['r0', 'r1', 'r2', 'outside'])\n"
    )
    nb = lab.open_notebook(
        [cell(["box"], ", predictions=preds", pre)], cwd_files={"big.jpg": photo(800, 600)}
    )
    c = Canvas(lab, nb)
    # the box that leaves the image is named, the rest load
    expect(c.root.locator(".nbl-notice")).to_contain_text("'prediction-outside'")
    expect(c.root.locator(".nbl-notice")).to_contain_text("outside the 800x600 image")
    expect(c.root.locator(".nbl-in-place")).to_have_text("3 shown in place")
    c.root.locator(".nbl-threshold").fill("0.5")  # hides the 0.3 one
    expect(c.root.locator(".nbl-in-place")).to_have_text("2 shown in place")
    c.root.focus()
    c.lab.page.keyboard.press("a")  # accept the best (0.9) as it is
    c.saved()
    assert c.boxes() == [[100.0, 100.0, 100.0, 80.0]]
    c.lab.page.keyboard.press("v")
    c.drag((475, 150), (495, 170))  # moving a suggestion accepts the moved box
    c.saved()
    assert sorted(c.boxes()) == [[100.0, 100.0, 100.0, 80.0], [420.0, 120.0, 150.0, 100.0]]
    rows = nb.eval_json("w.annotations[['label', 'source', 'annotator']].values.tolist()")
    assert rows == [["car", "human", "ana"], ["person", "human", "ana"]]
    c.lab.page.keyboard.press("f")
    c.root.locator(".nbl-threshold").fill("0")
    c.root.focus()
    c.lab.page.keyboard.press("x")  # reject the last one (tree, 0.3)
    c.saved()
    assert nb.eval_json("w._suggestions.for_item('big.jpg')") == []
    assert len(c.boxes()) == 2
