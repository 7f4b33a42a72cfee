"""Keypoints in ImageAnnotator: the kernel's checks of ``point`` rows and of skeleton instances.

The page places, moves and labels points (``js/image/points.js``); the kernel checks
every point it is sent before the store sees it: inside the image, a known keypoint
name, a visibility flag that is True or False, and, with a skeleton, one instance
(``track_id``) never holding the same keypoint twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from ..skeleton import Skeleton

__all__ = ["check_instances", "normalise_point", "point_problem"]


def point_problem(row: Mapping[str, Any], size: tuple[int, int]) -> str | None:
    """Why a ``point`` row cannot lie on an image of ``size`` (w, h), or None.

    >>> point_problem({"id": "p1", "x": 12, "y": 3}, (10, 10))
    "point 'p1' at x=12 y=3 lies outside the 10x10 image (0 <= x <= 10, 0 <= y <= 10)"
    """
    x, y = row.get("x"), row.get("y")
    name = f"point {row.get('id')!r}" if row.get("id") is not None else "a point"
    try:
        fx, fy = float(x), float(y)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"{name} needs numbers x and y, got x={x!r} y={y!r}"
    if isinstance(x, bool) or isinstance(y, bool) or not (math.isfinite(fx) and math.isfinite(fy)):
        return f"{name} needs finite numbers x and y, got x={x!r} y={y!r}"
    w, h = size
    if not (0 <= fx <= w and 0 <= fy <= h):
        return (
            f"{name} at x={fx:g} y={fy:g} lies outside the {w}x{h} image "
            f"(0 <= x <= {w}, 0 <= y <= {h})"
        )
    return None


def normalise_point(row: dict[str, Any], skeleton: Skeleton | None) -> dict[str, Any]:
    """Check a page's ``point`` row (beyond its place) and give it plain types; raise ValueError."""
    name = f"point {row.get('id')!r}"
    row["x"], row["y"] = float(row["x"]), float(row["y"])
    outside = row.get("outside")
    if outside is not None and not isinstance(outside, bool):
        raise ValueError(f"{name}: outside (not visible) must be true or false, got {outside!r}")
    track = row.get("track_id")
    if track is not None and (not isinstance(track, str) or not track):
        raise ValueError(f"{name}: track_id (its instance) must be a non-empty text, got {track!r}")
    if skeleton is not None and track is None:
        raise ValueError(
            f"{name} ({row.get('label')!r}) has no track_id: with a skeleton every point "
            "belongs to an instance"
        )
    return row


def check_instances(item_id: str, rows: Iterable[Mapping[str, Any]], skeleton: Skeleton) -> None:
    """Raise ValueError if an instance (``track_id``) of ``item_id`` holds a keypoint twice."""
    seen: dict[tuple[Any, Any, Any], Any] = {}
    for row in rows:
        if row.get("kind") != "point" or row.get("track_id") is None:
            continue
        label = row.get("label")
        if label not in skeleton:
            raise ValueError(
                f"item {item_id!r}: point {row.get('id')!r} is named {label!r}, which is not one "
                f"of the skeleton's points {list(skeleton.points)}"
            )
        key = (row.get("frame"), row["track_id"], label)
        if key in seen:
            raise ValueError(
                f"item {item_id!r}: instance {row['track_id']!r} would have {label!r} twice "
                f"(points {seen[key]!r} and {row.get('id')!r})"
            )
        seen[key] = row.get("id")
