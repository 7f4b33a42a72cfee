"""Which of a model's rows the video page can show as suggestions.

Box keyframes (a model's tracks) and frame ranges are shown where they stand:
the box on its frame, interpolated between a track's keyframes as the person's
tracks are, and the range as a band on the timeline. A row that does not fit
the loaded video is left out with a message naming why (see
``VideoAnnotator.prediction_problems``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..schema import is_missing

__all__ = ["suggestion_problem"]

#: Box coordinates may pass the frame's edge by this much (a model's rounding).
_EDGE = 0.5


def _frame_problem(value: Any, frames: int, what: str) -> str | None:
    if value is None or is_missing(value):
        return f"{what} has no frame"
    try:
        k = int(value)
    except (TypeError, ValueError):
        return f"{what} on frame {value!r} is not on a frame of the video"
    if k != value or not 0 <= k < frames:
        return f"{what} on frame {value!r} is not a frame of the video (0 to {frames - 1})"
    return None


def suggestion_problem(payload: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
    """Why ``row`` cannot be shown on the video ``payload`` describes, or None."""
    kind = row.get("kind")
    frames = int(payload.get("frames", 0))
    if kind == "label":
        if not is_missing(row.get("frame")) and row.get("frame") is not None:
            return "a label on one frame is not shown (give a frame range: kind 'segment')"
        return None
    if kind == "segment":
        found = _frame_problem(row.get("frame"), frames, "a frame range")
        if found:
            return found
        extra = row.get("extra")
        last = extra.get("last_frame") if isinstance(extra, Mapping) else None
        if last is None:
            return 'a frame range needs extra={"last_frame": k}'
        found = _frame_problem(last, frames, "a frame range's end")
        if found:
            return found
        if int(last) < int(row["frame"]):
            return f"a frame range's last frame {last} is before its first {row['frame']}"
        return None
    if kind != "box":
        return None
    found = _frame_problem(row.get("frame"), frames, "a box")
    if found:
        return found
    width, height = float(payload.get("width", 0)), float(payload.get("height", 0))
    x, y, w, h = (float(row[k]) for k in ("x", "y", "width", "height"))
    if w < 0 or h < 0:
        return f"box ({x:g}, {y:g}, {w:g}, {h:g}) has a negative size"
    if x < -_EDGE or y < -_EDGE or x + w > width + _EDGE or y + h > height + _EDGE:
        return (
            f"box ({x:g}, {y:g}, {w:g}, {h:g}) on frame {row['frame']} is outside the "
            f"{width:g}x{height:g} frame"
        )
    return None
