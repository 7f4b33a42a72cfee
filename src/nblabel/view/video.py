"""Static view of one video frame with its boxes, drawn with matplotlib.

Called by :func:`nblabel.plot_item` for video items (a source with a video suffix,
or ``frame=`` given). Tracks are expanded with :func:`nblabel.video.interpolate`
first, so the boxes drawn are the ones the widget shows on that frame, keyframes
and interpolated alike; the title says which are keyframes, and names the frame
ranges (kind ``segment`` with frames) the frame lies in. Axes are in pixels
of the upright frame (rotation applied), the frame box coordinates use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..video import VideoReader, frame_ranges, interpolate
from . import image

__all__ = ["plot"]


def plot(
    rows: pd.DataFrame,
    source: Any,
    *,
    item: str,
    frame: int = 0,
    ax: Any = None,
    n_frames: int | Mapping[str, int] | None = None,
    labels: Sequence[str] | Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Draw frame ``frame`` of the video ``source`` with the boxes shown on it; return the Axes.

    ``rows`` are the item's annotations (keyframes of tracks, frame labels, boxes on
    frames), or :func:`~nblabel.video.interpolate`'s output (then drawn as they are).
    Keyframes are interpolated with ``n_frames`` (default: the video's frame count, so
    a track's last box holds to the end, as the widget shows it). ``labels`` colours the
    boxes as the widget's ``labels`` (names, or specs with a ``color``). Other options
    are those of :func:`nblabel.view.image.plot`.
    """
    with VideoReader(source, item_id=item) as reader:
        pixels = reader.rgb(frame)
        time = float(reader.times[frame])
        if n_frames is None:
            n_frames = reader.info.frames
    if "keyframe" in rows.columns:  # already one row per frame (interpolate's output)
        shown = rows
    elif len(rows):
        shown = interpolate(rows, n_frames=n_frames)
    else:
        shown = rows.assign(keyframe=None)
    ranges = frame_ranges(shown) if len(shown) else shown
    covering = [
        f"{label} ({first}–{last})"
        for label, first, last in zip(
            ranges.get("label", []),
            ranges.get("first_frame", []),
            ranges.get("last_frame", []),
            strict=True,
        )
        if first <= frame <= last
    ]
    segment = shown["kind"].astype(str) == "segment"
    on_frame = shown["frame"].notna() & (shown["frame"] == frame) & ~segment
    whole_item = shown["frame"].isna() & (shown["kind"].astype(str) == "label")
    keys = int(shown.loc[on_frame, "keyframe"].fillna(False).astype(bool).sum())
    boxes = int((on_frame & (shown["kind"].astype(str) != "label")).sum())
    ax = image.plot(shown[on_frame | whole_item], pixels, item=item, ax=ax, labels=labels, **kwargs)
    detail = f"frame {frame} ({time:.3f} s): {boxes} box(es), {keys} of them keyframe(s)"
    if covering:
        detail += f"; in {', '.join(covering)}"
    ax.set_title(f"{ax.get_title()}\n{detail}", fontsize=9)
    return ax
