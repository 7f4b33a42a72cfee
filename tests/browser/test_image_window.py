"""The display window of a 16-bit DICOM in a real JupyterLab: a synthetic CT slice written by
pydicom opens with its file's window; dragging the window changes the pixels drawn and not
the stored coordinates; keys cycle presets and reset."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.unit.dicom_helpers import ct_slice, write_dicom

from .test_image_regions import Canvas

pytestmark = pytest.mark.browser

BODY = (190, 96)  # a soft-tissue pixel (about 50 HU) of the synthetic slice


def dicom_bytes(tmp_path) -> bytes:
    return write_dicom(tmp_path / "ct.dcm", ct_slice(height=192, width=256)).read_bytes()


GREY_AT = """([px, py]) => {
    const c = document.querySelector('.nbl-root .nbl-canvas');
    const r = c.getBoundingClientRect();
    const x = Math.floor((px - r.left) * c.width / r.width);
    const y = Math.floor((py - r.top) * c.height / r.height);
    return c.getContext('2d').getImageData(x, y, 1, 1).data[0];
}"""


def grey_at(canvas: Canvas, x: float, y: float) -> int:
    """The grey level the page drew at original pixel (x, y)."""
    return canvas.lab.page.evaluate(GREY_AT, list(canvas.at(x + 0.5, y + 0.5)))


def wait_darker(canvas: Canvas, x: float, y: float, below: int) -> None:
    """Wait until the page draws pixel (x, y) darker than ``below`` (a frame or two)."""
    canvas.lab.page.wait_for_function(
        f"([p, below]) => ({GREY_AT})(p) < below", arg=[list(canvas.at(x + 0.5, y + 0.5)), below]
    )


def drag_pad(canvas: Canvas, dx: float, dy: float) -> None:
    pad = canvas.root.locator(".nbl-window-pad")
    pad.scroll_into_view_if_needed()  # a tall stage can push the bar below the fold
    box = pad.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    canvas.mouse.move(x, y)
    canvas.mouse.down()
    canvas.mouse.move(x + dx, y + dy, steps=5)
    canvas.mouse.up()


def test_window_drag_changes_the_display_not_the_coordinates(lab, tmp_path):
    code = (
        "import nblabel as nl\n"
        "w = nl.ImageAnnotator(['ct.dcm'], labels=['lesion'], tools=['box'],\n"
        "                      annotator='rad', store='labels.db')\n"
        "w"
    )
    nb = lab.open_notebook([code], cwd_files={"ct.dcm": dicom_bytes(tmp_path)})
    canvas = Canvas(lab, nb)
    root = canvas.root
    bar = root.locator(".nbl-window")
    expect(bar).to_be_visible()
    expect(root).to_have_attribute("data-window", "40/400")
    expect(bar.locator(".nbl-window-text")).to_have_text("L 40 W 400 HU")
    expect(root.locator(".nbl-chip", has_text="pixel spacing")).to_have_text(
        "pixel spacing: 0.7 × 0.75 mm"
    )
    before = grey_at(canvas, *BODY)
    assert 120 <= before <= 150  # about 50 HU in a 40/400 window
    canvas.drag((100, 60), (160, 120))
    canvas.saved()
    box = [[100.0, 60.0, 60.0, 60.0]]
    assert canvas.boxes() == box
    edits = nb.eval_json("len(w.store.history())")
    drag_pad(canvas, 0, 60)  # down: a higher level, soft tissue goes dark
    expect(root).not_to_have_attribute("data-window", "40/400")
    wait_darker(canvas, *BODY, below=before - 40)
    center = float(root.get_attribute("data-window").split("/")[0])
    assert center > 200
    # The window is display only: the same box, no edit sent, the item's size unchanged.
    nb.wait_for_comm_idle()
    assert canvas.boxes() == box
    assert nb.eval_json("len(w.store.history())") == edits
    assert nb.eval_json("w.annotations[['image_width', 'image_height']].values.tolist()") == [
        [256, 192]
    ]
    # Keys: presets, then the file's default again.
    root.focus()
    lab.page.keyboard.press("Shift+W")
    expect(root).to_have_attribute("data-window", "40/400")
    lab.page.keyboard.press("w")
    expect(root).not_to_have_attribute("data-window", "40/400")
    lab.page.keyboard.press("w")
    expect(root).to_have_attribute("data-window", "40/80")  # brain
    lab.page.keyboard.press("Shift+W")
    expect(root).to_have_attribute("data-window", "40/400")
    assert lab.page_errors == []


def test_without_region_tools_a_drag_on_the_image_windows_and_keys_still_label(lab, tmp_path):
    code = (
        "import nblabel as nl\n"
        "w = nl.ImageAnnotator(['ct.dcm'], labels=['normal', 'lesion'], annotator='rad',\n"
        "                      store='labels.db', advance=False)\n"
        "w"
    )
    nb = lab.open_notebook([code], cwd_files={"ct.dcm": dicom_bytes(tmp_path)})
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    image = root.locator(".nbl-canvas")
    box = image.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    lab.page.mouse.move(x, y)
    lab.page.mouse.down()
    lab.page.mouse.move(x + 80, y, steps=4)  # right: a wider window
    lab.page.mouse.up()
    lab.page.wait_for_function(
        "() => document.querySelector('.nbl-root').dataset.window !== '40/400'"
    )
    width = float(root.get_attribute("data-window").split("/")[1])
    assert width > 600
    lab.page.keyboard.press("2")
    expect(root).to_have_attribute("data-status", "saved")
    nb.wait_for_comm_idle()
    assert nb.eval_json("w.annotations['label'].tolist()") == ["lesion"]


def test_a_stack_is_browsed_by_keys_and_regions_keep_their_slice(lab, tmp_path):
    slices = np.stack([ct_slice(height=192, width=256, seed=i) + 60 * i for i in range(3)])
    data = write_dicom(tmp_path / "series.dcm", slices.astype(np.uint16)).read_bytes()
    code = (
        "import nblabel as nl\n"
        "w = nl.ImageAnnotator(['series.dcm'], labels=['lesion'], tools=['box'],\n"
        "                      annotator='rad', store='labels.db')\n"
        "w"
    )
    nb = lab.open_notebook([code], cwd_files={"series.dcm": data})
    canvas = Canvas(lab, nb)
    root = canvas.root
    expect(root).to_have_attribute("data-frame", "0")
    expect(root.locator(".nbl-slice-text")).to_have_text("slice 1 / 3")
    first = grey_at(canvas, *BODY)
    root.focus()
    lab.page.keyboard.press("ArrowDown")
    lab.page.keyboard.press("ArrowDown")
    expect(root).to_have_attribute("data-frame", "2")
    expect(root.locator(".nbl-slice-text")).to_have_text("slice 3 / 3")
    # Slice 3 is 120 HU brighter: in the 40/400 window, about 76 grey levels.
    canvas.lab.page.wait_for_function(
        f"([p, above]) => ({GREY_AT})(p) > above",
        arg=[list(canvas.at(BODY[0] + 0.5, BODY[1] + 0.5)), first + 50],
    )
    canvas.drag((100, 60), (160, 120))
    canvas.saved()
    lab.page.keyboard.press("Home")
    expect(root).to_have_attribute("data-frame", "0")
    canvas.drag((20, 20), (50, 40))
    canvas.saved()
    rows = nb.eval_json(
        "w.annotations.sort_values('frame')[['frame', 'x', 'y', 'width', 'height']].values.tolist()"
    )
    assert rows == [[0, 20.0, 20.0, 30.0, 20.0], [2, 100.0, 60.0, 60.0, 60.0]]
    ids = nb.eval_json(
        "{str(int(f)): i for f, i in zip(w.annotations['frame'], w.annotations['id'])}"
    )
    # Back on slice 3, only its own box is there: a click selects it, and a click where
    # slice 1's box is selects nothing.
    lab.page.keyboard.press("End")
    expect(root).to_have_attribute("data-frame", "2")
    lab.page.keyboard.press("v")
    canvas.click(130, 90)
    expect(root).to_have_attribute("data-selected", ids["2"])
    canvas.click(35, 30)
    expect(root).to_have_attribute("data-selected", "")
    lab.page.keyboard.press("Home")
    expect(root).to_have_attribute("data-frame", "0")
    canvas.click(35, 30)
    expect(root).to_have_attribute("data-selected", ids["0"])
    assert lab.page_errors == []
