"""VideoAnnotator in a real JupyterLab: frame ranges marked with [ and ], and a model's
track suggested, accepted whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.unit.video_samples import make_video

pytestmark = pytest.mark.browser

W, H = 160, 120
CELL = (
    "import nblabel as nl\n"
    "import pandas as pd\n"
    "from nblabel import schema\n"
    "model = schema.from_records([\n"
    "    {'item_id': 'walk', 'annotator': 'm', 'kind': 'box', 'label': 'square', 'id': f'k{f}',\n"
    "     'score': 0.8, 'frame': f, 'track_id': '5', 'x': 8 + 2 * f, 'y': 24 + f,\n"
    "     'width': 12, 'height': 12} for f in (0, 20)])\n"
    "w = nl.VideoAnnotator(pd.Series(['walk.mp4'], index=['walk']),\n"
    "                      labels=['square', 'other'], annotator='ana',\n"
    "                      frame_labels=['crossing', 'waiting'], predictions=model,\n"
    "                      store='labels.db')\n"
    "w"
)


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = make_video(tmp_path_factory.mktemp("video") / "walk.mp4", 40, width=W, height=H)
    return Path(path).read_bytes()


def test_a_frame_range_is_marked_shown_edited_and_undone(lab, walk):
    nb = lab.open_notebook([CELL], cwd_files={"walk.mp4": walk})
    root = nb.widget(".nbl-root")
    canvas = root.locator(".nbl-video-canvas")
    canvas.scroll_into_view_if_needed()
    expect(canvas).to_have_attribute("data-shown", "0", timeout=20_000)
    canvas.click(position={"x": 150, "y": 110})  # focus
    keys = lab.page.keyboard
    # in at 5, label "waiting" (l), out at 12
    for _ in range(5):
        keys.press(".")
    keys.press("[")
    expect(root.locator(".nbl-mark-in")).to_contain_text("in at frame 5")
    keys.press("l")
    for _ in range(7):
        keys.press(".")
    keys.press("]")
    band = root.locator(".nbl-range-band").first
    expect(band).to_have_text("waiting")
    expect(root.locator(".nbl-range-list")).to_contain_text("waiting: frames 5–12")
    expect(root).to_have_attribute("data-status", "saved")
    got = nb.eval_json(
        "[(r.label, int(r.frame), r.extra['last_frame'], round(r.start, 3), round(r.end, 3))"
        " for r in w.annotations.itertuples()]"
    )
    assert got == [["waiting", 5, 12, 0.2, 0.52]]
    # the selected range's end moves to frame 15 with ]
    keys.press(".")
    keys.press(".")
    keys.press(".")
    keys.press("]")
    expect(root.locator(".nbl-range-list")).to_contain_text("waiting: frames 5–15")
    expect(root).to_have_attribute("data-status", "saved")
    assert nb.eval_json("w.annotations.extra.iloc[0]") == {"last_frame": 15}
    # undo: back to 12; Delete removes it; redo... undo brings it back
    keys.press("z")
    expect(root.locator(".nbl-range-list")).to_contain_text("waiting: frames 5–12")
    expect(root).to_have_attribute("data-status", "saved")
    assert nb.eval_json("w.annotations.extra.iloc[0]") == {"last_frame": 12}
    keys.press("Delete")
    expect(root.locator(".nbl-range-band")).to_have_count(0)
    expect(root).to_have_attribute("data-status", "saved")
    assert nb.eval_json("len(w.annotations)") == 0
    keys.press("z")
    expect(root.locator(".nbl-range-band")).to_have_count(1)
    expect(root).to_have_attribute("data-status", "saved")
    assert nb.eval_json("len(w.annotations)") == 1
    # the help lists the keys
    keys.press("?")
    help_text = root.locator(".nbl-help").inner_text()
    for phrase in (
        "frame range: mark its first frame",
        "faster playback",
        "accept the selected suggested",
    ):
        assert phrase in help_text
    assert lab.page_errors == []


def test_a_suggested_track_is_accepted_whole(lab, walk):
    nb = lab.open_notebook([CELL], cwd_files={"walk.mp4": walk})
    root = nb.widget(".nbl-root")
    canvas = root.locator(".nbl-video-canvas")
    canvas.scroll_into_view_if_needed()
    expect(canvas).to_have_attribute("data-shown", "0", timeout=20_000)
    item = root.locator("[data-suggested-track]")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("square track, frames 0–20 (0.80)")
    # click the suggested box on the frame: it is selected; a accepts the whole track
    box = canvas.bounding_box()
    assert box is not None
    s = box["width"] / W
    lab.page.mouse.click(box["x"] + 14 * s, box["y"] + 30 * s)
    expect(item).to_have_class("nbl-selected")
    lab.page.keyboard.press("a")
    expect(root.locator("[data-suggested-track]")).to_have_count(0)
    expect(root).to_have_attribute("data-status", "saved")
    got = nb.eval_json(
        "w.annotations.sort_values('frame')[['frame', 'x', 'source', 'track_id']].values.tolist()"
    )
    assert [g[:3] for g in got] == [[0, 8.0, "human"], [20, 48.0, "human"]]
    assert got[0][3] == got[1][3]
    assert lab.page_errors == []
