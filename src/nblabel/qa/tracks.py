"""Agreement on video tracks: per-frame IoU and CLEAR-MOT / identity summaries.

Tracks are compared **frame by frame over their interpolated boxes** (see
:func:`nblabel.video.interpolate`), so two annotators who put their keyframes on
different frames but drew the same motion agree fully. For each pair of
annotators, the first (``annotator_a``, or ``reference=``) plays the ground truth
of the MOT benchmarks and the second the tracker:

* per frame, boxes are matched one-to-one (same label, IoU >= ``iou``). As in
  CLEAR MOT, a pair matched on the previous frame is kept while its IoU stays
  above the threshold; the rest are matched by the Hungarian algorithm (most
  pairs, then highest total IoU). A reference track matched to a different track
  than the last time it was matched is an **identity switch**;
* ``mota = 1 - (misses + false_positives + id_switches) / n_a`` (it can be
  negative), ``motp_iou`` the mean IoU of the matched boxes;
* identity measures (Ristani et al.): each reference track is paired with at most
  one of the other's tracks for the whole video so that the number of frames on
  which paired tracks match (``idtp``) is the largest; ``idf1 = 2 idtp / (n_a +
  n_b)``, ``idp = idtp / n_b``, ``idr = idtp / n_a``.

These are the definitions of ``py-motmetrics`` (CLEAR MOT: Bernardin &
Stiefelhagen 2008; identity: Ristani et al. 2016), computed here directly: that
package's last release (1.4.0, 2022) calls ``np.asfarray``, which NumPy 2.0 removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ..video.tracks import interpolate
from ._frame import check_frame, of_kind
from .structured import _box_iou, _max_matching

__all__ = ["track_agreement", "track_frame_agreement"]

FloatArray = npt.NDArray[np.float64]
_GEOMETRY = ["x", "y", "width", "height"]


def _per_frame_boxes(
    df: pd.DataFrame, n_frames: int | Mapping[str, int] | None, func: str
) -> tuple[pd.DataFrame, dict[Any, set[Any]]]:
    """Interpolated boxes (one per track and frame) and the items each annotator annotated."""
    check_frame(df, ("item_id", "annotator", "kind"), func=func)
    seen: dict[Any, set[Any]] = {
        a: set(g.dropna()) for a, g in df.groupby("annotator", sort=True, observed=True)["item_id"]
    }
    boxes = of_kind(df, "box")
    if "frame" not in boxes.columns:
        boxes = boxes.iloc[:0].assign(frame=pd.array([], dtype="Int64"))
    boxes = boxes.loc[boxes["frame"].notna().to_numpy()]
    shown = interpolate(boxes, n_frames=n_frames)
    shown = shown[(shown["kind"] == "box").to_numpy()].copy()
    # a box with a frame but no track is a track of its own
    untracked = shown["track_id"].isna().to_numpy()
    shown.loc[untracked, "track_id"] = "box:" + shown.loc[untracked, "id"].astype(str)
    shown["frame"] = shown["frame"].astype(np.int64)
    return shown, seen


def _pairs(seen: Mapping[Any, set[Any]], reference: Any | None, func: str) -> list[tuple[Any, Any]]:
    names = list(seen)
    if reference is None:
        return list(combinations(names, 2))
    if reference not in seen:
        raise ValueError(f"{func}: reference annotator {reference!r} has no rows; have {names}")
    return [(reference, b) for b in names if b != reference]


def _frame_match(
    ga: pd.DataFrame, gb: pd.DataFrame, iou: float, last: dict[Any, Any], current: dict[Any, Any]
) -> tuple[list[tuple[Any, Any, float]], int]:
    """Match one frame's boxes (CLEAR MOT); return the matches and the identity switches.

    ``current`` maps each reference track to the track it was matched with on the
    previous frame; ``last`` to the one it was matched with last (ever). Both are
    updated.
    """
    ta, tb = ga["track_id"].to_numpy(), gb["track_id"].to_numpy()
    if len(ta) == 0 or len(tb) == 0:
        current.clear()
        return [], 0
    sim = _box_iou(ga[_GEOMETRY].to_numpy(np.float64), gb[_GEOMETRY].to_numpy(np.float64))
    valid = (sim >= iou) & (ga["label"].to_numpy()[:, None] == gb["label"].to_numpy()[None, :])
    pairs: list[tuple[int, int]] = []
    index_b = {t: j for j, t in enumerate(tb)}
    free_a = np.ones(len(ta), dtype=bool)
    free_b = np.ones(len(tb), dtype=bool)
    for i, t in enumerate(ta):
        j = index_b.get(current.get(t))
        if j is not None and valid[i, j] and free_b[j]:
            pairs.append((i, j))
            free_a[i] = free_b[j] = False
    rest_a, rest_b = np.flatnonzero(free_a), np.flatnonzero(free_b)
    if len(rest_a) and len(rest_b):
        r, c = _max_matching(sim[np.ix_(rest_a, rest_b)], valid[np.ix_(rest_a, rest_b)])
        pairs.extend(zip(rest_a[r].tolist(), rest_b[c].tolist(), strict=True))
    switches = 0
    current.clear()
    matches = []
    for i, j in pairs:
        a, b = ta[i], tb[j]
        if a in last and last[a] != b:
            switches += 1
        last[a] = b
        current[a] = b
        matches.append((a, b, float(sim[i, j])))
    return matches, switches


def _compare(
    ra: pd.DataFrame, rb: pd.DataFrame, iou: float
) -> tuple[list[dict[str, Any]], dict[tuple[Any, Any], int]]:
    """Per-frame records for one item and one pair; and the identity counts per track pair."""
    records: list[dict[str, Any]] = []
    last: dict[Any, Any] = {}
    current: dict[Any, Any] = {}
    fa: dict[Any, pd.DataFrame] = dict(iter(ra.groupby("frame", sort=False)))
    fb: dict[Any, pd.DataFrame] = dict(iter(rb.groupby("frame", sort=False)))
    empty = ra.iloc[:0]
    for frame in sorted(set(fa) | set(fb)):
        ga, gb = fa.get(frame, empty), fb.get(frame, empty)
        matches, switches = _frame_match(ga, gb, iou, last, current)
        ious = [m[2] for m in matches]
        records.append(
            {
                "frame": int(frame),
                "n_a": len(ga),
                "n_b": len(gb),
                "matches": len(matches),
                "misses": len(ga) - len(matches),
                "false_positives": len(gb) - len(matches),
                "id_switches": switches,
                "mean_iou": float(np.mean(ious)) if ious else float("nan"),
            }
        )
    # identity: on how many frames each pair of tracks overlaps enough, whatever CLEAR MOT chose
    return records, _identity_counts(ra, rb, iou)


def _identity_counts(ra: pd.DataFrame, rb: pd.DataFrame, iou: float) -> dict[tuple[Any, Any], int]:
    """Frames on which track a's box and track b's box overlap by ``iou`` with one label."""
    merged = ra[["frame", "track_id", "label", *_GEOMETRY]].merge(
        rb[["frame", "track_id", "label", *_GEOMETRY]], on=["frame", "label"], suffixes=("_a", "_b")
    )
    if merged.empty:
        return {}
    a = merged[[f"{c}_a" for c in _GEOMETRY]].to_numpy(np.float64)
    b = merged[[f"{c}_b" for c in _GEOMETRY]].to_numpy(np.float64)
    ix1, iy1 = np.maximum(a[:, 0], b[:, 0]), np.maximum(a[:, 1], b[:, 1])
    ix2 = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    iy2 = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(union > 0, inter / union, 0.0)
    hits = merged[overlap >= iou].groupby(["track_id_a", "track_id_b"]).size()
    return {(a, b): int(n) for (a, b), n in zip(hits.index.tolist(), hits.tolist(), strict=True)}


def _idtp(counts: Mapping[tuple[Any, Any], int]) -> int:
    """The largest number of matched frames with each track paired to at most one other."""
    if not counts:
        return 0
    ta = sorted({k[0] for k in counts}, key=str)
    tb = sorted({k[1] for k in counts}, key=str)
    ia, ib = {t: i for i, t in enumerate(ta)}, {t: j for j, t in enumerate(tb)}
    weight = np.zeros((len(ta), len(tb)))
    for (a, b), n in counts.items():
        weight[ia[a], ib[b]] = n
    r, c = linear_sum_assignment(weight, maximize=True)
    return int(weight[r, c].sum())


def track_frame_agreement(
    df: pd.DataFrame,
    *,
    iou: float = 0.5,
    n_frames: int | Mapping[str, int] | None = None,
    reference: Any | None = None,
) -> pd.DataFrame:
    """Per-frame agreement of two annotators' tracks, for every pair and every shared video.

    ``df`` is an annotation table with keyframe rows (kind ``box``, ``frame``,
    ``track_id``); they are interpolated first (``n_frames`` as in
    :func:`nblabel.video.interpolate`). Pairs are every two annotators, or each one
    against ``reference``; items are those both annotated (any row of any kind).

    Returns one row per (item, pair, frame on which either has a box):
    ``item_id``, ``annotator_a``, ``annotator_b``, ``frame``, ``n_a``, ``n_b``,
    ``matches``, ``misses`` (a's boxes unmatched), ``false_positives`` (b's),
    ``id_switches`` and ``mean_iou`` of the matched boxes (NaN with no match).
    See the module's docstring for the matching rule.
    """
    rows, _ = _per_item_pair(df, iou, n_frames, reference, "track_frame_agreement")
    columns = [
        "item_id", "annotator_a", "annotator_b", "frame", "n_a", "n_b", "matches", "misses",
        "false_positives", "id_switches", "mean_iou",
    ]  # fmt: skip
    return pd.DataFrame.from_records(rows, columns=columns)


def _per_item_pair(
    df: pd.DataFrame,
    iou: float,
    n_frames: int | Mapping[str, int] | None,
    reference: Any | None,
    func: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if not 0 < iou <= 1:
        raise ValueError(f"{func}: iou must be in (0, 1], got {iou!r}")
    shown, seen = _per_frame_boxes(df, n_frames, func)
    by_key = dict(iter(shown.groupby(["annotator", "item_id"], sort=False, observed=True)))
    empty = shown.iloc[:0]
    frames: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for a, b in _pairs(seen, reference, func):
        for item in sorted(seen[a] & seen[b], key=str):
            ra, rb = by_key.get((a, item), empty), by_key.get((b, item), empty)
            records, identity = _compare(ra, rb, iou)
            head = {"item_id": item, "annotator_a": a, "annotator_b": b}
            frames.extend({**head, **r} for r in records)
            items.append(
                {
                    **head,
                    "frames": len(records),
                    "n_a": len(ra),
                    "n_b": len(rb),
                    "tracks_a": ra["track_id"].nunique(),
                    "tracks_b": rb["track_id"].nunique(),
                    "matches": sum(r["matches"] for r in records),
                    "misses": sum(r["misses"] for r in records),
                    "false_positives": sum(r["false_positives"] for r in records),
                    "id_switches": sum(r["id_switches"] for r in records),
                    "iou_sum": sum(r["mean_iou"] * r["matches"] for r in records if r["matches"]),
                    "idtp": _idtp(identity),
                }
            )
    return frames, items


def track_agreement(
    df: pd.DataFrame,
    *,
    iou: float = 0.5,
    n_frames: int | Mapping[str, int] | None = None,
    reference: Any | None = None,
    by_item: bool = False,
) -> pd.DataFrame:
    """CLEAR-MOT and identity summaries of track agreement between annotators.

    Options as :func:`track_frame_agreement`. Returns one row per pair of annotators
    (per item and pair with ``by_item=True``): ``annotator_a``, ``annotator_b``,
    ``n_items``, ``frames`` (frames on which either has a box), ``n_a``, ``n_b``
    (boxes over those frames), ``tracks_a``, ``tracks_b``, ``matches``, ``misses``,
    ``false_positives``, ``id_switches``, ``mota``, ``motp_iou``, ``idtp``, ``idf1``,
    ``idp``, ``idr``. With ``a`` as the reference, a MOTA of 0.9 means misses, false
    positives and identity switches together are a tenth of a's boxes; an IDF1 of 0.9
    means 90% of the boxes are on the right track for the whole video.
    """
    _, items = _per_item_pair(df, iou, n_frames, reference, "track_agreement")
    table = pd.DataFrame.from_records(
        items,
        columns=[
            "item_id", "annotator_a", "annotator_b", "frames", "n_a", "n_b", "tracks_a",
            "tracks_b", "matches", "misses", "false_positives", "id_switches", "iou_sum", "idtp",
        ],
    )  # fmt: skip
    table["n_items"] = 1
    if not by_item:
        table = (
            table.drop(columns="item_id")
            .groupby(["annotator_a", "annotator_b"], sort=False, as_index=False)
            .sum()
        )
    n_a = table["n_a"].to_numpy(np.float64)
    n_b = table["n_b"].to_numpy(np.float64)
    errors = table[["misses", "false_positives", "id_switches"]].sum(axis=1).to_numpy(np.float64)
    idtp = table["idtp"].to_numpy(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["mota"] = np.where(n_a > 0, 1 - errors / n_a, np.nan)
        table["motp_iou"] = np.where(
            table["matches"] > 0, table["iou_sum"] / table["matches"].replace(0, 1), np.nan
        )
        table["idf1"] = np.where(n_a + n_b > 0, 2 * idtp / (n_a + n_b), np.nan)
        table["idp"] = np.where(n_b > 0, idtp / n_b, np.nan)
        table["idr"] = np.where(n_a > 0, idtp / n_a, np.nan)
    columns = [
        *(["item_id"] if by_item else []),
        "annotator_a", "annotator_b", "n_items", "frames", "n_a", "n_b", "tracks_a", "tracks_b",
        "matches", "misses", "false_positives", "id_switches", "mota", "motp_iou", "idtp",
        "idf1", "idp", "idr",
    ]  # fmt: skip
    return table[columns].reset_index(drop=True)
