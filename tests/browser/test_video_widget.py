"""VideoAnnotator in a real JupyterLab: the frame shown is the frame asked for, and a
track drawn on two frames of a moving square follows it in between."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.unit.video_samples import make_video, read_number, square_box

pytestmark = pytest.mark.browser

W, H = 160, 120
CELL = (
    "import nblabel as nl\n"
    "w = nl.VideoAnnotator(['walk.mp4'], labels=['square', 'other'], annotator='ana',\n"
    "                      store='labels.db')\n"
    "w"
)


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = make_video(tmp_path_factory.mktemp("video") / "walk.mp4", 40, width=W, height=H)
    return Path(path).read_bytes()


class Player:
    def __init__(self, lab, nb) -> None:
        self.lab, self.nb = lab, nb
        self.root = nb.widget(".nbl-root")
        self.canvas = self.root.locator(".nbl-video-canvas")
        self.canvas.scroll_into_view_if_needed()
        expect(self.canvas).to_have_attribute("data-shown", "0", timeout=20_000)

    def shown(self, k: int) -> None:
        expect(self.canvas).to_have_attribute("data-shown", str(k), timeout=20_000)

    def pixels(self) -> np.ndarray:
        data = self.canvas.evaluate(
            """(c) => {
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height);
              return {w: c.width, h: c.height, px: Array.from(d.data)};
            }"""
        )
        return np.asarray(data["px"], dtype=np.uint8).reshape(data["h"], data["w"], 4)[..., :3]

    def at(self, x: float, y: float) -> tuple[float, float]:
        box = self.canvas.bounding_box()
        assert box is not None
        s = box["width"] / W
        return box["x"] + x * s, box["y"] + y * s

    def drag(self, a: tuple[float, float], b: tuple[float, float]) -> None:
        mouse = self.lab.page.mouse
        mouse.move(*self.at(*a))
        mouse.down()
        mouse.move(*self.at(*b), steps=5)
        mouse.up()

    def saved(self) -> None:
        expect(self.root).to_have_attribute("data-status", "saved")
        self.nb.wait_for_comm_idle()


def test_step_to_frame_k_shows_frame_k(lab, walk):
    nb = lab.open_notebook([CELL], cwd_files={"walk.mp4": walk})
    p = Player(lab, nb)
    assert read_number(p.pixels()) == 0
    # step with keys: seven frames forward, two back, then one second (25 frames) forward
    p.canvas.click(position={"x": 150, "y": 110})  # focus (a tiny click draws nothing)
    for _ in range(7):
        lab.page.keyboard.press(".")
    p.shown(7)
    assert read_number(p.pixels()) == 7
    lab.page.keyboard.press(",")
    lab.page.keyboard.press("ArrowLeft")
    p.shown(5)
    assert read_number(p.pixels()) == 5
    lab.page.keyboard.press("Shift+ArrowRight")
    p.shown(30)
    assert read_number(p.pixels()) == 30
    assert nb.eval_json("len(w.annotations)") == 0
    assert lab.page_errors == []


def test_a_track_drawn_on_frames_0_and_30_is_within_2_px_at_frame_15(lab, walk):
    nb = lab.open_notebook([CELL], cwd_files={"walk.mp4": walk})
    p = Player(lab, nb)
    p.canvas.click(position={"x": 150, "y": 110})
    x0, y0, w, h = square_box(0, W, H)
    p.drag((x0, y0), (x0 + w, y0 + h))  # track 1 starts on frame 0
    p.saved()
    lab.page.keyboard.press("g")
    lab.page.keyboard.type("30")
    lab.page.keyboard.press("Enter")
    p.shown(30)
    # the box is held from frame 0 (dashed); move it onto the square: a keyframe on 30
    x30, y30, _, _ = square_box(30, W, H)
    p.drag((x0 + w / 2, y0 + h / 2), (x30 + w / 2, y30 + h / 2))
    p.saved()
    keys = nb.eval_json(
        "w.annotations.sort_values('frame')[['frame', 'track_id', 'x', 'y', 'width']]"
        ".values.tolist()"
    )
    assert [k[0] for k in keys] == [0, 30], keys
    assert keys[0][1] == keys[1][1]
    assert abs(keys[1][2] - x30) <= 1, keys
    at15 = nb.eval_json(
        "w.per_frame.query('frame == 15')[['x', 'y', 'width', 'height']].values.tolist()"
    )
    x15, y15, _, _ = square_box(15, W, H)
    assert len(at15) == 1
    assert abs(at15[0][0] - x15) <= 2
    assert abs(at15[0][1] - y15) <= 2
    # step to 15: the page draws that interpolated box over the frame showing 15
    lab.page.keyboard.press("g")
    lab.page.keyboard.type("15")
    lab.page.keyboard.press("Enter")
    p.shown(15)
    assert read_number(p.pixels()) == 15
    assert lab.page_errors == []


def test_a_track_ends_with_o_and_resumes_where_it_is_drawn_again(lab, walk):
    nb = lab.open_notebook([CELL], cwd_files={"walk.mp4": walk})
    p = Player(lab, nb)
    p.canvas.click(position={"x": 150, "y": 110})
    keys = lab.page.keyboard
    x0, y0, w, h = square_box(0, W, H)
    p.drag((x0, y0), (x0 + w, y0 + h))  # track 1 starts on frame 0, and stays selected
    p.saved()
    for _ in range(10):
        keys.press(".")
    p.shown(10)
    keys.press("o")  # the object leaves on frame 10
    p.saved()
    keys.press("g")
    keys.type("20")
    keys.press("Enter")
    p.shown(20)
    x20, y20, _, _ = square_box(20, W, H)
    p.drag((x20, y20), (x20 + w, y20 + h))  # back in view: the selected track resumes
    p.saved()
    rows = nb.eval_json(
        "w.annotations.sort_values('frame')[['frame', 'track_id', 'outside']].values.tolist()"
    )
    assert [(r[0], r[2]) for r in rows] == [(0, False), (10, True), (20, False)], rows
    assert len({r[1] for r in rows}) == 1, rows
    frames = nb.eval_json("w.per_frame['frame'].tolist()")
    assert frames == [*range(10), *range(20, 40)]
    # Esc deselects: a box drawn now starts a second track
    keys.press("Escape")
    p.drag((100, 80), (120, 100))
    p.saved()
    assert nb.eval_json("w.annotations['track_id'].nunique()") == 2
    assert lab.page_errors == []
