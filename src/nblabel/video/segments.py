"""Frame ranges of a video: "pedestrian crossing from frame 120 to 180".

A frame range is a row of kind ``segment`` (see :mod:`nblabel.schema`):

* ``frame`` is its first frame and ``extra["last_frame"]`` its last one
  (inclusive), both in presentation order (see :mod:`nblabel.video.reader`);
* ``start`` is the first frame's time and ``end`` the time the last frame ends
  (the next frame's time, or the video's duration after the last frame), in
  seconds from frame 0, so the same row is a time segment that audio-style
  tools read (segment agreement, WebVTT, RTTM).

The frames are the truth: :func:`frame_range` derives the seconds from them and
the video's frame times, never the other way round, so variable-frame-rate
videos keep exact frame numbers. Tracks (:func:`nblabel.video.interpolate`) and
MOT files leave frame ranges out; CVAT for video 1.1 has no place for them
(see :mod:`nblabel.formats.cvat`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import schema

__all__ = ["frame_range", "frame_ranges"]


def frame_range(
    times: Sequence[float] | np.ndarray, duration: float, first: Any, last: Any
) -> dict[str, Any]:
    """The columns of a frame range from ``first`` to ``last`` (inclusive).

    ``times`` are the video's frame times in seconds (``VideoReader.times``) and
    ``duration`` its length. Returns ``frame``, ``start``, ``end`` and ``extra``
    (``{"last_frame": last}``). Raises ``ValueError`` naming the frame when the
    range is not a range of frames of the video.
    """
    n = len(times)
    for name, value in (("first frame", first), ("last frame", last)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"the {name} must be a whole number, got {value!r}")
        if not 0 <= int(value) < n:
            raise ValueError(f"the {name} {value} is not a frame of the video (0 to {n - 1})")
    first, last = int(first), int(last)
    if last < first:
        raise ValueError(f"the last frame {last} is before the first frame {first}")
    end = float(times[last + 1]) if last + 1 < n else float(duration)
    return {
        "frame": first,
        "start": float(times[first]),
        "end": max(end, float(times[last])),
        "extra": {"last_frame": last},
    }


def _last_frame(extra: Any) -> Any:
    if isinstance(extra, Mapping):
        value = extra.get("last_frame")
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return int(value)
    return pd.NA


def frame_ranges(df: pd.DataFrame) -> pd.DataFrame:
    """The frame ranges of an annotation table, with ``first_frame`` and ``last_frame`` columns.

    The rows of kind ``segment`` that have a ``frame`` (frame ranges of videos), in
    the schema, with two more columns (``Int64``): ``first_frame`` (the row's
    ``frame``) and ``last_frame`` (from ``extra["last_frame"]``; the first frame when
    the row has none, a range of one frame).
    """
    table = schema.coerce(df)
    keep = ((table["kind"] == "segment") & table["frame"].notna()).to_numpy()
    out = table[keep].copy()
    last = pd.array([_last_frame(v) for v in out["extra"]], dtype="Int64")
    out["first_frame"] = out["frame"].astype("Int64")
    out["last_frame"] = pd.Series(last, index=out.index).fillna(out["first_frame"])
    return out
