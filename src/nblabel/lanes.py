"""Interval lanes: overlapping spans and segments stacked so that no two overlapping share one.

The static views (:func:`nblabel.plot_item` for text and audio) stack intervals
by the same rule as the widgets' pages (``js/lib/lanes.js``), so a figure shows
overlapping spans or speaker turns in the rows the widget showed them in:

- intervals are taken by start; at equal starts the longer one first; at equal
  start and end, in the order given;
- each takes the lowest lane free at its start, so outer intervals sit below
  the ones nested in them;
- intervals that only touch (one's end equals the other's start) may share a lane.

>>> layout_lanes([(2, 4), (0, 10), (8, 12), (12, 14)])
([1, 0, 1, 0], 2)
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

__all__ = ["lane_order", "layout_lanes"]


def lane_order(intervals: Iterable[tuple[float, float]]) -> list[int]:
    """The order intervals are laid out in: by start, longer first, then as given."""
    items = list(intervals)
    return sorted(range(len(items)), key=lambda i: (items[i][0], -items[i][1], i))


def layout_lanes(intervals: Iterable[tuple[float, float]]) -> tuple[list[int], int]:
    """A lane for each ``(start, end)`` interval, and the number of lanes used.

    The lanes come in the input order; the number of lanes is the most
    intervals covering one point (0 for none).
    """
    items = [(float(start), float(end)) for start, end in intervals]
    lanes = [0] * len(items)
    busy: list[tuple[float, int]] = []  # (end, lane)
    free: list[int] = []
    depth = 0
    for i in lane_order(items):
        start, end = items[i]
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane = depth
            depth += 1
        lanes[i] = lane
        heapq.heappush(busy, (end, lane))
    return lanes, depth
