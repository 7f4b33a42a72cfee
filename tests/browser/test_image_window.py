"""The display window of a 16-bit DICOM in a real JupyterLab: a synthetic CT slice written by
pydicom opens with its file's window; dragging the window changes the pixels drawn and not
the stored coordinates; keys cycle presets and reset."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.unit.dicom_helpers import ct_slice, write_dicom

from .test_image_regions import Canvas

pytestmark = pytest.mark.browser
pytest.importorskip("pydicom", reason="the dicom extra is part of the test extra")

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
    box = canvas.root.locator(".nbl-window-pad").bounding_box()
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
