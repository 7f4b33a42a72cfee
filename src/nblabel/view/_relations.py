"""Relations between image regions in the static image view: an arrow from one region's
centre to the other's, the relation's label at its middle (drawn literally), and each
relation as a line of text under the image (``box person → holds → box cup``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import rle
from .._literal import LITERAL
from ..schema import is_missing

__all__ = ["draw_relations", "relation_lines"]


def centre(record: Mapping[Any, Any]) -> tuple[float, float] | None:
    """The middle of a region's bounding box, in image pixels (a point is itself); None
    for a row that is not a region or lacks its geometry. The page's arrows end there too."""
    kind = str(record.get("kind"))

    def got(*names: str) -> bool:
        return all(not is_missing(record.get(n)) for n in names)

    if kind == "point" and got("x", "y"):
        return float(record["x"]), float(record["y"])
    if kind == "box" and got("x", "y", "width", "height"):
        return (
            float(record["x"]) + float(record["width"]) / 2,
            float(record["y"]) + float(record["height"]) / 2,
        )
    if kind == "polygon" and got("points") and len(record["points"]):
        pts = np.asarray(record["points"], dtype=float)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        return float(lo[0] + hi[0]) / 2, float(lo[1] + hi[1]) / 2
    if kind == "mask" and got("mask"):
        x, y, w, h = rle.bbox(record["mask"])
        return float(x) + float(w) / 2, float(y) + float(h) / 2
    return None


def _relations(rows: pd.DataFrame) -> tuple[list[Mapping[Any, Any]], dict[str, Mapping[Any, Any]]]:
    if rows.empty or "kind" not in rows.columns or "from_id" not in rows.columns:
        return [], {}
    records: list[Mapping[Any, Any]] = list(rows.to_dict("records"))
    by_id = {str(r.get("id")): r for r in records if r.get("kind") != "relation"}
    return [r for r in records if r.get("kind") == "relation"], by_id


def relation_lines(rows: pd.DataFrame) -> list[str]:
    """Each relation among ``rows`` as a line of text, ``kind label → relation → kind label``."""
    relations, by_id = _relations(rows)

    def name(ident: Any) -> str:
        r = by_id.get(str(ident))
        return f"{r.get('kind')} {r.get('label')}" if r is not None else f"(no region {ident!r})"

    return sorted(
        f"{name(r.get('from_id'))} → {r.get('label')} → {name(r.get('to_id'))}" for r in relations
    )


def draw_relations(ax: Any, rows: pd.DataFrame, color: Callable[[str], Any]) -> list[str]:
    """Draw an arrow per relation whose two ends are regions among ``rows`` (coloured
    by the relation's label) and return every relation as a line of text."""
    relations, by_id = _relations(rows)
    for r in relations:
        a, b = by_id.get(str(r.get("from_id"))), by_id.get(str(r.get("to_id")))
        start, end = (centre(a) if a else None), (centre(b) if b else None)
        if start is None or end is None:
            continue
        c = color(str(r.get("label")))
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={
                "arrowstyle": "-|>",
                "color": c,
                "linewidth": 2,
                "shrinkA": 0,
                "shrinkB": 4,
            },
        )
        ax.text(
            (start[0] + end[0]) / 2,
            (start[1] + end[1]) / 2,
            str(r.get("label")),
            color=c,
            fontsize=8,
            ha="center",
            va="center",
            bbox={"facecolor": "white", "edgecolor": c, "pad": 1, "alpha": 0.85},
            **LITERAL,
        )
    return relation_lines(rows)
