"""Keypoints in the static image view: dots, their names and the skeleton's edges."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from .._literal import LITERAL
from ..schema import is_missing
from ..skeleton import Skeleton, as_skeleton

__all__ = ["draw_edges", "draw_point"]


def _placed(record: Mapping[Any, Any]) -> bool:
    return not is_missing(record.get("x")) and not is_missing(record.get("y"))


def _hidden(record: Mapping[Any, Any]) -> bool:
    value = record.get("outside")
    return not is_missing(value) and bool(value)


def draw_point(ax: Any, record: Mapping[Any, Any], c: Any, text: str | None) -> None:
    """One keypoint: a dot with a white rim (a ring when not visible) and its name."""
    if not _placed(record):
        return
    x, y = float(record["x"]), float(record["y"])
    hidden = _hidden(record)
    ax.plot(
        [x],
        [y],
        marker="o",
        markersize=7,
        markerfacecolor="none" if hidden else c,
        markeredgecolor=c if hidden else "white",
        markeredgewidth=1.5,
        linestyle="none",
        zorder=4,
    )
    if text is not None:
        ax.annotate(
            f"{text} (not visible)" if hidden else text,
            (x, y),
            xytext=(5, 3),
            textcoords="offset points",
            color="white",
            fontsize=7,
            bbox={"facecolor": c, "edgecolor": "none", "pad": 1, "alpha": 0.8},
            zorder=5,
            **LITERAL,
        )


def _skeleton_of(rows: pd.DataFrame, given: Any) -> Skeleton | None:
    if given is not None:
        return as_skeleton(given)
    if "extra" not in rows.columns:
        return None
    for extra in rows["extra"]:
        coco = extra.get("coco") if isinstance(extra, Mapping) else None
        if isinstance(coco, Mapping) and "keypoints" in coco:
            try:
                return Skeleton.from_coco({**coco, "name": coco.get("category") or "object"})
            except ValueError:
                return None
    return None


def draw_edges(ax: Any, rows: pd.DataFrame, skeleton: Any, color: Callable[[str], Any]) -> None:
    """The skeleton's edges between the placed points of each instance (dashed to hidden ones)."""
    sk = _skeleton_of(rows, skeleton)
    if sk is None or not sk.edges or "kind" not in rows.columns or "track_id" not in rows.columns:
        return
    points = rows[(rows["kind"].astype(str) == "point") & rows["track_id"].notna()]
    who = points["annotator"] if "annotator" in points.columns else pd.Series("", points.index)
    instances: dict[tuple[Any, Any], dict[str, Mapping[Any, Any]]] = {}
    for annotator, record in zip(who, points.to_dict("records"), strict=True):
        if _placed(record):
            key = (annotator, record["track_id"])
            instances.setdefault(key, {})[str(record.get("label"))] = record
    for named in instances.values():
        for a, b in sk.edges:
            ra, rb = named.get(a), named.get(b)
            if ra is None or rb is None:
                continue
            ax.plot(
                [float(ra["x"]), float(rb["x"])],
                [float(ra["y"]), float(rb["y"])],
                color=color(a),
                linewidth=2,
                linestyle="--" if _hidden(ra) or _hidden(rb) else "-",
                zorder=3,
            )
