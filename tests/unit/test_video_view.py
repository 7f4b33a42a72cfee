"""plot_item on a video: the frame asked for, with the boxes shown on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from video_samples import make_video, read_number, square_box

from nblabel import schema
from nblabel.video import interpolate
from nblabel.view import plot_item

mpl.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def test_plot_item_draws_the_frame_and_its_interpolated_boxes(tmp_path: Path) -> None:
    from matplotlib.patches import Rectangle

    path = make_video(tmp_path / "walk.mp4", 40, width=160, height=120)
    rows = []
    for f in (0, 30):
        x, y, w, h = square_box(f, 160, 120)
        rows.append(
            {"id": f"k{f}", "item_id": "walk", "annotator": "ana", "kind": "box",
             "label": "square", "x": x, "y": y, "width": w, "height": h, "frame": f,
             "track_id": "1"}
        )  # fmt: skip
    rows.append({"id": "c", "item_id": "walk", "annotator": "ana", "kind": "label", "label": "day"})
    rows.append(  # a frame range over frame 15 (and one starting on it: named, not drawn)
        {"id": "r", "item_id": "walk", "annotator": "ana", "kind": "segment",
         "label": "crossing", "frame": 10, "start": 0.4, "end": 0.8, "extra": {"last_frame": 19}}
    )  # fmt: skip
    rows.append(
        {"id": "r2", "item_id": "walk", "annotator": "ana", "kind": "segment",
         "label": "waiting", "frame": 15, "start": 0.6, "end": 0.64}
    )  # fmt: skip
    df = schema.from_records(rows)
    ax = plot_item(df, "walk", str(path), frame=15)
    shown = np.asarray(ax.images[0].get_array())
    assert read_number(shown) == 15
    boxes = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() < 100]
    assert len(boxes) == 1
    x, y, w, h = square_box(15, 160, 120)
    assert boxes[0].get_xy() == pytest.approx((x, y), abs=1e-9)
    assert (boxes[0].get_width(), boxes[0].get_height()) == (w, h)
    title = ax.get_title()
    assert "walk: day" in title
    assert "frame 15 (0.600 s): 1 box(es), 0 of them keyframe(s)" in title
    assert "in crossing (10–19), waiting (15–15)" in title
    ax = plot_item(df, "walk", path, frame=30)
    assert "1 of them keyframe(s)" in ax.get_title()
    assert "crossing" not in ax.get_title()
    # interpolate()'s output is drawn as it is (its keyframe column kept)
    ax = plot_item(interpolate(df), "walk", path, frame=15)
    assert "1 box(es), 0 of them keyframe(s)" in ax.get_title()
