"""Video: frame-accurate decoding (PyAV) and keyframe tracks.

* :class:`VideoReader` gives frame ``k`` of a video (presentation order, see
  :mod:`nblabel.video.reader` for the exact rule, rotation and errors) as an
  RGB array or a display-size JPEG/WebP image. It needs the optional extra:
  ``pip install "nblabel[video]"``; PyAV is imported only when a video is opened.
* :func:`interpolate` expands a track's keyframe rows to one row per frame
  (see :mod:`nblabel.video.tracks` for the rule); it needs only pandas.
* :func:`frame_ranges` lists the frame ranges ("crossing from frame 120 to
  180": rows of kind ``segment``) with their first and last frames; see
  :mod:`nblabel.video.segments`.
"""

from __future__ import annotations

from .reader import VIDEO_SUFFIXES, DisplayFrame, VideoError, VideoInfo, VideoReader
from .segments import frame_range, frame_ranges
from .tracks import interpolate, track_keys

__all__ = [
    "VIDEO_SUFFIXES",
    "DisplayFrame",
    "VideoError",
    "VideoInfo",
    "VideoReader",
    "frame_range",
    "frame_ranges",
    "interpolate",
    "track_keys",
]
