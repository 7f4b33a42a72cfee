"""Agreement on keypoints: COCO's object keypoint similarity (OKS) between annotators.

Keypoints are ``point`` rows (see :mod:`nblabel.skeleton`): ``label`` names the keypoint,
``track_id`` groups the points of one instance (a person). Rows without a ``track_id``
form one instance per item and annotator (landmarks of a single object).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import _args, geometry, rle
from ..schema import is_missing
from ..skeleton import sigma_of
from ._frame import check_frame
from .structured import FloatArray, _max_matching, _pairs

__all__ = ["keypoint_agreement"]

_EPS = float(np.spacing(1))  # COCO's guard against a zero area


class _Instance:
    """One annotator's instance on one item: its keypoints by name and its area."""

    __slots__ = ("area", "points")

    def __init__(self, points: dict[str, tuple[float, float]], area: float) -> None:
        self.points = points
        self.area = area


def _region_area(row: Mapping[Any, Any]) -> float:
    kind = row["kind"]
    if kind == "box":
        return float(row["width"]) * float(row["height"])
    if kind == "polygon":
        return geometry.polygon_area(row["points"])
    if kind == "mask":
        return float(rle.area(row["mask"]))
    return 0.0


def _regions(df: pd.DataFrame) -> dict[tuple[Any, Any, Any], float]:
    """The area of each instance's region rows, by (item_id, annotator, track_id)."""
    regions: dict[tuple[Any, Any, Any], float] = {}
    if "kind" in df.columns and "track_id" in df.columns:
        kinds = df["kind"].astype(object)
        mask = kinds.isin(["box", "polygon", "mask"]).to_numpy() & df["track_id"].notna().to_numpy()
        for row in df.loc[mask].to_dict("records"):
            key = (row["item_id"], row["annotator"], row["track_id"])
            regions[key] = regions.get(key, 0.0) + _region_area(row)
    return regions


def _instances(
    points: pd.DataFrame, regions: Mapping[tuple[Any, Any, Any], float], func: str
) -> dict[Any, list[_Instance]]:
    """``{(item_id, annotator): [instance, ...]}`` of the point rows, with each one's area."""
    n = len(points)
    tracks = points["track_id"].to_numpy(object) if "track_id" in points.columns else [None] * n
    labels = points["label"].to_numpy(object)
    x_all = points["x"].to_numpy(np.float64)
    y_all = points["y"].to_numpy(np.float64)
    sized = {"image_width", "image_height"} <= set(points.columns)
    widths: Any = points["image_width"].to_numpy(object) if sized else [None] * n
    heights: Any = points["image_height"].to_numpy(object) if sized else [None] * n
    grouped: dict[tuple[Any, Any, Any], list[int]] = {}
    for k, (item, annotator, track) in enumerate(
        zip(points["item_id"], points["annotator"], tracks, strict=True)
    ):
        key = (item, annotator, None if is_missing(track) else track)
        grouped.setdefault(key, []).append(k)
    out: dict[Any, list[_Instance]] = {}
    for (item, annotator, track), rows in grouped.items():
        names = [labels[k] for k in rows]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            where = "item" if track is None else f"instance {track!r} of item"
            raise ValueError(
                f"{func}: {where} {item!r} by {annotator!r} has keypoint(s) {twice} more than "
                "once; give each instance its own track_id"
            )
        xs, ys = x_all[rows], y_all[rows]
        area = regions.get((item, annotator, track), 0.0)
        if area <= 0:  # no region: the points' tight box, else the whole image
            area = float((xs.max() - xs.min()) * (ys.max() - ys.min()))
        if area <= 0:
            w, h = widths[rows[0]], heights[rows[0]]
            area = 0.0 if is_missing(w) or is_missing(h) else float(w) * float(h)
        if area <= 0:
            raise ValueError(
                f"{func}: the keypoints of item {item!r} by {annotator!r} have no scale: give the "
                "instance a box (same track_id) or the rows image_width and image_height"
            )
        points_by_name = {n: (float(x), float(y)) for n, x, y in zip(names, xs, ys, strict=True)}
        out.setdefault((item, annotator), []).append(_Instance(points_by_name, area))
    return out


def _oks(a: _Instance, b: _Instance, sigmas: Mapping[str, float] | None) -> float:
    """OKS of two instances over the keypoints either has (one alone scores 0)."""
    names = list(dict.fromkeys([*a.points, *b.points]))
    area = (a.area + b.area) / 2
    total = 0.0
    for name in names:
        pa, pb = a.points.get(name), b.points.get(name)
        if pa is None or pb is None:
            continue
        d2 = (pa[0] - pb[0]) ** 2 + (pa[1] - pb[1]) ** 2
        var = (2 * sigma_of(name, sigmas)) ** 2
        total += math.exp(-d2 / var / (area + _EPS) / 2)
    return total / len(names)


def _distances(a: _Instance, b: _Instance) -> list[float]:
    shared = [n for n in a.points if n in b.points]
    return [math.dist(a.points[n], b.points[n]) for n in shared]


def _check_sigmas(sigmas: Any, func: str) -> dict[str, float] | None:
    if sigmas is None:
        return None
    if not isinstance(sigmas, Mapping):
        raise TypeError(
            f"{func}: sigmas must be a dict keypoint name -> sigma, got {type(sigmas).__name__}"
        )
    return {str(k): _args.number(v, f"sigmas[{k!r}]", func=func, low=0) for k, v in sigmas.items()}


def keypoint_agreement(
    df: pd.DataFrame, *, oks: float = 0.5, sigmas: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Agreement of keypoints between every pair of annotators: COCO's object keypoint similarity.

    For two instances (a person placed by each annotator on the same item) the
    OKS is the mean, over the keypoints either placed, of
    ``exp(-d² / (2 s² (2σ)²))`` where ``d`` is the distance between the two
    placements of the keypoint, ``s²`` the object's area and ``σ`` the
    keypoint's sigma; a keypoint only one of them placed counts 0. When both
    placed the same keypoints and the areas are equal this is pycocotools'
    ``computeOks``. The area is the instance's region (a ``box``, polygon or
    mask row with the same ``item_id``, ``annotator`` and ``track_id``), else
    the tight box of its points, else the image; two instances use the mean of
    their areas. Not-visible points (``outside=True``, COCO's ``v=1``) count as
    placed, as in COCO. Instances on an item are matched one-to-one (optimal
    matching: the most pairs with OKS >= ``oks``, then the highest total).

    Parameters
    ----------
    oks
        The OKS a pair of instances needs to count as a match (COCO's AP
        thresholds run from 0.5 to 0.95).
    sigmas
        Per-keypoint sigmas by name. Names not given take COCO's person sigmas
        when they are COCO person keypoints (``nose``, ``left_eye``...), else
        :data:`nblabel.skeleton.DEFAULT_SIGMA` (the mean of COCO's, about 0.067).

    Returns
    -------
    DataFrame
        ``annotator_a``, ``annotator_b``, ``n_items`` (items both annotated),
        ``n_a``, ``n_b`` (their instances there), ``matches``,
        ``f1 = 2 * matches / (n_a + n_b)``, ``mean_oks`` of the matches and
        ``mean_distance``: the mean distance in pixels between the keypoints
        both placed in the matched instances.

    References
    ----------
    Lin et al. (2014), Microsoft COCO: Common Objects in Context; the keypoint
    evaluation at https://cocodataset.org/#keypoints-eval.

    >>> from nblabel import schema
    >>> rows = [dict(item_id="a.jpg", annotator=who, kind="point", label=name, x=x, y=10.0,
    ...              source="human", id=f"{who}{name}", image_width=100, image_height=50)
    ...         for who, dx in (("ana", 0.0), ("bo", 1.0))
    ...         for name, x in (("nose", 20.0 + dx), ("left_eye", 30.0))]
    >>> keypoint_agreement(schema.from_records(rows))[["matches", "f1", "mean_distance"]]
       matches   f1  mean_distance
    0        1  1.0            0.5
    """
    func = "keypoint_agreement"
    threshold = _args.number(oks, "oks", func=func, low=0, high=1, low_closed=True)
    sigmas_ = _check_sigmas(sigmas, func)
    check_frame(df, ("item_id", "annotator", "label", "x", "y"), func=func)
    records = []
    regions = _regions(df)
    for a, b, shared, ra, rb in _pairs(df, "point", ("label", "x", "y"), func):
        ia = _instances(ra, regions, func)
        ib = _instances(rb, regions, func)
        n_a = sum(len(ia.get((item, a), [])) for item in shared)
        n_b = sum(len(ib.get((item, b), [])) for item in shared)
        found: list[float] = []
        dist: list[float] = []
        for item in shared:
            xa, xb = ia.get((item, a), []), ib.get((item, b), [])
            if not xa or not xb:
                continue
            sim: FloatArray = np.array([[_oks(p, q, sigmas_) for q in xb] for p in xa])
            i, j = _max_matching(sim, sim >= threshold)
            found.extend(sim[i, j].tolist())
            for r, c in zip(i, j, strict=True):
                dist.extend(_distances(xa[r], xb[c]))
        total = n_a + n_b
        records.append(
            {
                "annotator_a": a,
                "annotator_b": b,
                "n_items": len(shared),
                "n_a": n_a,
                "n_b": n_b,
                "matches": len(found),
                "f1": 2 * len(found) / total if total else float("nan"),
                "mean_oks": float(np.mean(found)) if found else float("nan"),
                "mean_distance": float(np.mean(dist)) if dist else float("nan"),
            }
        )
    columns = ["annotator_a", "annotator_b", "n_items", "n_a", "n_b", "matches", "f1"]
    return pd.DataFrame.from_records(records, columns=[*columns, "mean_oks", "mean_distance"])
