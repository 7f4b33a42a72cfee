"""VideoAnnotator driven through its page protocol: frames asked for by number, tracks stored."""

from __future__ import annotations

import io
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import nblabel as nl
from nblabel import schema
from nblabel.formats.mot import write_mot
from tests.unit.video_samples import make_video, read_number, square_box

W, H = 160, 120


@pytest.fixture
def videos(tmp_path: Path) -> list[str]:
    return [
        str(make_video(tmp_path / "walk.mp4", 40, width=W, height=H)),
        str(make_video(tmp_path / "vfr.webm", 6, width=W, height=H, codec="libvpx-vp9",
                       pts_ms=[0, 40, 80, 300, 340, 1000])),
    ]  # fmt: skip


def make(items: Any, tmp_path: Path, **kw: Any) -> nl.VideoAnnotator:
    kw.setdefault("labels", ["square", "circle"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.VideoAnnotator(items, **kw)


def box(frame: int, x: float, y: float, w: float = 12, h: float = 12, **kw: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "kind": "box",
        "label": "square",
        "x": x,
        "y": y,
        "width": w,
        "height": h,
        "frame": frame,
        "track_id": "1",
        "outside": False,
        **kw,
    }


def ask(page: Any, item_id: str, frames: list[int]) -> None:
    page.widget._on_message(
        page.widget, {"type": "frames", "item_id": item_id, "frames": frames}, []
    )


def frames_sent(
    page: Any, count: int, wait: float = 20.0
) -> list[tuple[dict[str, Any], list[bytes]]]:
    deadline = time.monotonic() + wait
    while True:
        found = [(m, b) for m, b in list(page.sent) if m.get("type") == "frame"]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


def picture(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_hello_sends_the_video_info_times_and_frame_zero(videos, tmp_path, drive):
    page = drive(make(videos, tmp_path))
    page.hello()
    message, buffers = page.item_at(0)
    item = message["item"]
    assert (item["frames"], item["width"], item["height"], item["fps"]) == (40, W, H, 25.0)
    assert item["duration"] == pytest.approx(1.6)
    assert item["mime"] == "image/jpeg"
    assert (item["display_width"], item["display_height"]) == (W, H)
    assert len(buffers) == 2
    times = np.frombuffer(buffers[0], dtype="<f8")
    np.testing.assert_allclose(times, np.arange(40) / 25)
    assert read_number(picture(buffers[1])) == 0
    assert page.widget.video_info()["frames"] == 40


def test_the_page_gets_frame_k_for_frame_k_the_one_to_show_first(videos, tmp_path, drive):
    page = drive(make(videos, tmp_path))
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    page.clear()
    asked = [17, 18, 19, 16, 3, 39]
    ask(page, item_id, asked)
    got = frames_sent(page, len(asked))
    # 17 first (the frame to show); then the frames decoded on the way to it (16 and 3: the
    # file has one keyframe, at 0) before those that need more decoding, each in its order
    assert [m["frame"] for m, _ in got] == [17, 16, 3, 18, 19, 39]
    for message, buffers in got:
        assert message["item_id"] == item_id
        assert message["time"] == pytest.approx(message["frame"] / 25)
        assert (message["display_width"], message["display_height"]) == (W, H)
        assert read_number(picture(buffers[0])) == message["frame"]


def test_a_newer_wish_replaces_the_frames_not_sent_yet(videos, tmp_path, drive):
    page = drive(make(videos, tmp_path))
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    page.clear()
    ask(page, item_id, list(range(40)))
    ask(page, item_id, [5])  # the person jumped: the rest of the first list is dropped
    time.sleep(1.0)
    got = [m["frame"] for m, _ in frames_sent(page, 1)]
    assert got[-1] == 5
    assert len(got) < 41


def test_variable_frame_rate_times_come_from_the_file(videos, tmp_path, drive):
    page = drive(make(videos, tmp_path))
    page.hello()
    page.goto(1)
    message, buffers = page.item_at(1)
    assert message["item"]["variable_frame_rate"] is True
    np.testing.assert_allclose(
        np.frombuffer(buffers[0], dtype="<f8"), [0, 0.04, 0.08, 0.3, 0.34, 1.0], atol=1e-3
    )
    page.clear()
    ask(page, message["item"]["id"], [5, 3])
    got = frames_sent(page, 2)
    assert [(m["frame"], round(m["time"], 3)) for m, _ in got] == [(5, 1.0), (3, 0.3)]
    assert [read_number(picture(b[0])) for _, b in got] == [5, 3]


def test_a_track_drawn_on_frames_0_and_30_interpolates_to_the_square(videos, tmp_path, drive):
    """The issue's check, through the protocol: the box at frame 15 is within 2 px."""
    w = make(videos, tmp_path)
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    first, last = box(0, *square_box(0, W, H)[:2]), box(30, *square_box(30, W, H)[:2])
    assert page.edit(item_id, [first])["type"] == "saved"
    assert page.edit(item_id, [last])["type"] == "saved"
    stored = w.annotations
    assert sorted(stored["frame"].tolist()) == [0, 30]
    assert set(stored["track_id"]) == {"1"}
    assert (stored["image_width"] == W).all()
    assert (stored["image_height"] == H).all()
    schema.validate(stored)
    per_frame = w.per_frame
    at15 = per_frame[per_frame["frame"] == 15].iloc[0]
    x, y, bw, bh = square_box(15, W, H)
    assert abs(at15["x"] - x) <= 2
    assert abs(at15["y"] - y) <= 2
    assert (at15["width"], at15["height"]) == (bw, bh)
    assert not bool(at15["keyframe"])
    # held to the last frame (39), as the page shows it
    assert per_frame["frame"].max() == 39
    assert len(per_frame) == 40
    # and the MOT export has every frame, 1-based
    lines = write_mot(w.annotations, n_frames=40, classes=["square"]).splitlines()
    assert lines[0].startswith("1,1,")
    assert len(lines) == 40


def test_ending_and_resuming_a_track(videos, tmp_path, drive):
    w = make(videos, tmp_path)
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    rows = [box(0, 10, 30), box(10, 30, 30), box(12, 34, 30, outside=True), box(20, 60, 40)]
    assert page.edit(item_id, rows)["type"] == "saved"
    frames = w.per_frame["frame"].tolist()
    assert frames == [*range(12), *range(20, 40)]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([box(40, 0, 0)], "frame 40 is past the last frame (39)"),
        ([box(3, 155, 0)], "is outside the 160x120 frame"),
        ([box(3, 0, 0), box(3, 5, 5)], "track '1' would have two keyframes on frame 3"),
        ([box(3, 0, 0), box(5, 0, 0, label="circle")], "track '1' would have two labels"),
        ([box(3, 0, 0, track_id=None)], "a box needs a track_id"),
        ([box(-1, 0, 0)], "a box needs a frame"),
        ([box(3, 0, 0, outside="yes")], "outside must be true or false"),
        ([box(3, 0, 0, width=float("nan"))], "width must be finite"),
        ([box(3, 0, 0, label="dog")], "label 'dog' is not allowed"),
    ],
)
def test_bad_boxes_are_rejected_with_the_stored_truth(videos, tmp_path, drive, rows, message):
    w = make(videos, tmp_path)
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    answer = page.edit(item_id, rows)
    assert answer["type"] == "rejected"
    assert message in answer["message"]
    assert answer["rows"] == []
    assert w.annotations.empty


def test_whole_video_labels(videos, tmp_path, drive):
    w = make(videos, tmp_path, clip_labels=["day", "night"])
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    assert page.label(item_id, "night")["type"] == "saved"
    framed = {"id": "x", "kind": "label", "label": "day", "frame": 3}
    answer = page.edit(item_id, [framed])
    assert answer["type"] == "rejected"
    assert "a whole-video label has no frame" in answer["message"]
    assert w.annotations["label"].tolist() == ["night"]


def test_bad_videos_are_named_and_navigation_goes_on(videos, tmp_path, drive):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video" * 10)
    w = make([str(junk), videos[0]], tmp_path)
    page = drive(w)
    page.hello()
    message, buffers = page.item_at(0)
    assert "not a readable video file" in message["item"]["error"]
    assert "junk.mp4" in message["item"]["error"]
    assert buffers == []
    assert "junk.mp4" in next(iter(w.errors))
    page.goto(1)
    assert page.item_at(1)[0]["item"]["frames"] == 40
    page.clear()
    ask(page, str(junk), [0])
    ask_bad = frames_sent(page, 1)
    assert "not a readable video file" in ask_bad[0][0]["error"]
    page.clear()
    page.widget._on_message(page.widget, {"type": "frames", "item_id": "x", "frames": "all"}, [])
    assert "frames must be a list of frame numbers" in page.sent[-1][0]["error"]
    page.clear()
    ask(page, w.item_ids[1], [99])
    assert "frame 99 is out of range" in frames_sent(page, 1)[0][0]["error"]


def test_options_are_checked(videos, tmp_path):
    with pytest.raises(ValueError, match=r"tools: \['polygon'\] must be \['box'\] or \[\]"):
        make(videos, tmp_path, tools=["polygon"])
    with pytest.raises(ValueError, match="nothing to label"):
        make(videos, tmp_path, tools=[])
    with pytest.raises(ValueError, match="max_side"):
        make(videos, tmp_path, max_side=4)
    with pytest.raises(ValueError, match="quality"):
        make(videos, tmp_path, quality=0)
    w = make(videos, tmp_path, tools=[], clip_labels=["day"])
    assert w.kinds == ("label",)
    w.close()
