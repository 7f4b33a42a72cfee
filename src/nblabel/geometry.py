"""Checks and measures of image regions in original-image pixels (no widget, no DOM).

Pixel convention (the one every nblabel image tool uses): the image spans the
continuous rectangle ``[0, width] x [0, height]`` with the origin at the top-left
corner of the top-left pixel; pixel ``(i, j)`` covers ``[i, i + 1) x [j, j + 1)``.
A box is ``x, y, width, height`` (COCO style) in those units; polygon points are
``[x, y]`` in the same units. The page snaps box edges and polygon vertices to
whole pixels when a drag ends, so stored coordinates drawn in the widget are
whole numbers; predictions may carry fractions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["box_problem", "clip_box", "points_problem", "polygon_area"]


def _finite(*values: Any) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in values)
    except (TypeError, ValueError):
        return False


def box_problem(box: Sequence[Any], size: tuple[int, int]) -> str | None:
    """Why ``box`` ``(x, y, width, height)`` cannot lie on an image of ``size`` (w, h), or None."""
    x, y, width, height = box
    image_width, image_height = size
    if not _finite(x, y, width, height):
        return f"box ({x}, {y}, {width}, {height}) has a missing or non-finite coordinate"
    x, y, width, height = float(x), float(y), float(width), float(height)
    if width < 0 or height < 0:
        return f"box width {width:g} and height {height:g} must not be negative"
    if x < 0 or y < 0 or x + width > image_width or y + height > image_height:
        return (
            f"box x={x:g} y={y:g} width={width:g} height={height:g} lies outside the "
            f"{image_width}x{image_height} image"
        )
    return None


def points_problem(points: Any, size: tuple[int, int]) -> str | None:
    """Why a polygon cannot lie on an image of ``size`` (w, h), or None."""
    image_width, image_height = size
    try:
        pts = np.asarray(points, dtype="float64")
    except (TypeError, ValueError):
        return "polygon points must be a list of [x, y] numbers"
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 3:
        return "a polygon needs at least three [x, y] points"
    if not np.isfinite(pts).all():
        return "a polygon point has a missing or non-finite coordinate"
    outside = (pts[:, 0] < 0) | (pts[:, 0] > image_width) | (pts[:, 1] < 0)
    outside |= pts[:, 1] > image_height
    if outside.any():
        k = int(np.flatnonzero(outside)[0])
        return (
            f"polygon point {k} ({pts[k, 0]:g}, {pts[k, 1]:g}) lies outside the "
            f"{image_width}x{image_height} image"
        )
    return None


def clip_box(box: Sequence[float], size: tuple[int, int]) -> tuple[float, float, float, float]:
    """The part of ``box`` inside an image of ``size`` (zero size when they do not overlap)."""
    x, y, width, height = box
    image_width, image_height = size
    x0, y0 = min(max(x, 0.0), image_width), min(max(y, 0.0), image_height)
    x1 = min(max(x + width, 0.0), image_width)
    y1 = min(max(y + height, 0.0), image_height)
    return (x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0))


def polygon_area(points: Sequence[Sequence[float]]) -> float:
    """Area enclosed by a simple polygon (shoelace formula), in square pixels."""
    pts = np.asarray(points, dtype="float64")
    if len(pts) < 3:
        return 0.0
    x, y = pts[:, 0], pts[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)
