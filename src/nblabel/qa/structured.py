"""Agreement on structured annotations: boxes, masks, text spans, audio segments.

Each function compares every pair of annotators on the items **both**
annotated (an item counts as annotated by someone who left any row on it, of
any kind, so a "nothing to box here" label row makes an empty answer count)
and returns one row per pair: ``annotator_a``, ``annotator_b``, then the
metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import linear_sum_assignment

from .. import _args, rle
from ._frame import check_frame, of_kind

__all__ = ["box_agreement", "mask_agreement", "segment_agreement", "span_agreement"]

FloatArray = npt.NDArray[np.float64]


def _pairs(
    df: pd.DataFrame, kind: str, columns: tuple[str, ...], func: str
) -> Iterator[tuple[Any, Any, list[Any], pd.DataFrame, pd.DataFrame]]:
    """Yield (a, b, shared items, a's rows of kind, b's rows of kind) for each pair."""
    check_frame(df, ("item_id", "annotator", *columns), func=func)
    seen: dict[Any, set[Any]] = {
        a: set(g.dropna()) for a, g in df.groupby("annotator", sort=True, observed=True)["item_id"]
    }
    rows = of_kind(df, kind)
    if "label" in rows.columns:
        missing = rows["label"].isna().to_numpy()
        if missing.any():
            raise ValueError(f"{func}: {kind} row(s) {list(rows.index[missing])[:5]} have no label")
    for column in columns:
        bad = rows[column].isna().to_numpy()
        if bad.any():
            raise ValueError(
                f"{func}: {kind} row(s) {list(rows.index[bad])[:5]} have no {column!r}"
            )
    by_annotator = dict(iter(rows.groupby("annotator", sort=True, observed=True)))
    empty = rows.iloc[:0]
    for a, b in combinations(list(seen), 2):
        shared = sorted(seen[a] & seen[b], key=str)
        if not shared:
            continue
        ra = by_annotator.get(a, empty)
        rb = by_annotator.get(b, empty)
        yield a, b, shared, ra[ra["item_id"].isin(shared)], rb[rb["item_id"].isin(shared)]


def _max_matching(score: FloatArray, valid: npt.NDArray[np.bool_]) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one matching with the most valid pairs, then the highest total score."""
    if score.size == 0 or not valid.any():
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    big = min(score.shape) + 1.0
    weight = np.where(valid, big + score, 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    keep = valid[rows, cols]
    return rows[keep], cols[keep]


def _box_iou(a: FloatArray, b: FloatArray) -> FloatArray:
    """IoU of boxes (x, y, width, height): an (len(a), len(b)) matrix."""
    ax1, ay1 = a[:, 0:1], a[:, 1:2]
    ax2, ay2 = ax1 + a[:, 2:3], ay1 + a[:, 3:4]
    bx1, by1 = b[:, 0], b[:, 1]
    bx2, by2 = bx1 + b[:, 2], by1 + b[:, 3]
    iw = np.clip(np.minimum(ax2, bx2) - np.maximum(ax1, bx1), 0, None)
    ih = np.clip(np.minimum(ay2, by2) - np.maximum(ay1, by1), 0, None)
    inter = iw * ih
    union = a[:, 2:3] * a[:, 3:4] + b[:, 2] * b[:, 3] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(union > 0, inter / union, 0.0), dtype=np.float64)


def _groups(rows: pd.DataFrame) -> dict[Any, pd.DataFrame]:
    return dict(iter(rows.groupby(["item_id", "label"], sort=False, observed=True)))


def _matched(
    ra: pd.DataFrame,
    rb: pd.DataFrame,
    similarity: Callable[[pd.DataFrame, pd.DataFrame], FloatArray],
    threshold: float,
    strict: bool = False,
) -> list[float]:
    """Similarities of the optimal same-(item, label) matches above threshold."""
    ga, gb = _groups(ra), _groups(rb)
    found: list[float] = []
    for key, xa in ga.items():
        xb = gb.get(key)
        if xb is None:
            continue
        sim = similarity(xa, xb)
        valid = sim > threshold if strict else sim >= threshold
        i, j = _max_matching(sim, valid)
        found.extend(sim[i, j].tolist())
    return found


def box_agreement(df: pd.DataFrame, *, iou: float = 0.5) -> pd.DataFrame:
    """Agreement of bounding boxes between every pair of annotators.

    Boxes of the same label on the same item are matched one-to-one (optimal,
    Hungarian matching: the most pairs with IoU >= ``iou``, then the highest
    total IoU). A box left unmatched counts against both annotators.

    Returns
    -------
    DataFrame
        ``annotator_a``, ``annotator_b``, ``n_items`` (items both annotated),
        ``n_a``, ``n_b`` (their boxes on those items), ``matches``,
        ``f1 = 2 * matches / (n_a + n_b)`` and ``mean_iou`` of the matches.
        An F1 of 0.8 at IoU 0.5 means 80% of the boxes have a same-label
        counterpart overlapping at least half.

    References
    ----------
    Everingham et al. (2010), The PASCAL Visual Object Classes (VOC) Challenge.
    """
    iou = _args.number(iou, "iou", func="box_agreement", low=0, high=1)
    geometry = ("label", "x", "y", "width", "height")

    def similarity(xa: pd.DataFrame, xb: pd.DataFrame) -> FloatArray:
        cols = ["x", "y", "width", "height"]
        return _box_iou(xa[cols].to_numpy(np.float64), xb[cols].to_numpy(np.float64))

    records = []
    for a, b, shared, ra, rb in _pairs(df, "box", geometry, "box_agreement"):
        ious = _matched(ra, rb, similarity, iou)
        total = len(ra) + len(rb)
        records.append(
            {
                "annotator_a": a,
                "annotator_b": b,
                "n_items": len(shared),
                "n_a": len(ra),
                "n_b": len(rb),
                "matches": len(ious),
                "f1": 2 * len(ious) / total if total else float("nan"),
                "mean_iou": float(np.mean(ious)) if ious else float("nan"),
            }
        )
    columns = ["annotator_a", "annotator_b", "n_items", "n_a", "n_b", "matches", "f1", "mean_iou"]
    return pd.DataFrame.from_records(records, columns=columns)


def _span_overlap(xa: pd.DataFrame, xb: pd.DataFrame) -> FloatArray:
    sa, ea = xa["start"].to_numpy(np.float64), xa["end"].to_numpy(np.float64)
    sb, eb = xb["start"].to_numpy(np.float64), xb["end"].to_numpy(np.float64)
    inter = np.minimum(ea[:, None], eb[None, :]) - np.maximum(sa[:, None], sb[None, :])
    return np.asarray(np.clip(inter, 0, None), dtype=np.float64)


def span_agreement(df: pd.DataFrame) -> pd.DataFrame:
    """Agreement of text spans (named entities) between every pair of annotators.

    ``exact_f1``: a span counts as agreed only if the other annotator marked
    the same ``(start, end, label)`` on the item; ``F1 = 2 * agreed / (n_a +
    n_b)``, the pairwise F1 reported by NER corpus papers (equal to treating
    one annotator as gold; symmetric). ``overlap_f1`` relaxes this to
    same-label spans that share at least one character, matched one-to-one.

    References
    ----------
    Hripcsak, G. & Rothschild, A. S. (2005). Agreement, the F-measure, and
    reliability in information retrieval. JAMIA 12(3).
    """
    records = []
    key = ["item_id", "start", "end", "label"]
    for a, b, shared, ra, rb in _pairs(df, "span", ("label", "start", "end"), "span_agreement"):
        ca = ra.groupby(key, observed=True).size()
        cb = rb.groupby(key, observed=True).size()
        joined = pd.concat([ca, cb], axis=1, join="inner")
        exact = int(joined.min(axis=1).sum()) if len(joined) else 0
        overlaps = _matched(ra, rb, _span_overlap, 0.0, strict=True)
        total = len(ra) + len(rb)
        records.append(
            {
                "annotator_a": a,
                "annotator_b": b,
                "n_items": len(shared),
                "n_a": len(ra),
                "n_b": len(rb),
                "exact_matches": exact,
                "exact_f1": 2 * exact / total if total else float("nan"),
                "overlap_f1": 2 * len(overlaps) / total if total else float("nan"),
            }
        )
    columns = [
        "annotator_a",
        "annotator_b",
        "n_items",
        "n_a",
        "n_b",
        "exact_matches",
        "exact_f1",
        "overlap_f1",
    ]
    return pd.DataFrame.from_records(records, columns=columns)


def _union_masks(rows: pd.DataFrame, func: str) -> dict[Any, npt.NDArray[np.bool_]]:
    out: dict[Any, npt.NDArray[np.bool_]] = {}
    for index, label, value in zip(rows.index, rows["label"], rows["mask"], strict=True):
        try:
            mask = rle.decode(value)
        except rle.RLEError as exc:
            raise ValueError(f"{func}: row {index!r}: {exc}") from exc
        if label in out:
            if out[label].shape != mask.shape:
                raise ValueError(
                    f"{func}: row {index!r}: mask size {list(mask.shape)} differs "
                    f"from other masks of the item {list(out[label].shape)}"
                )
            out[label] = out[label] | mask
        else:
            out[label] = mask
    return out


def mask_agreement(df: pd.DataFrame, *, per_class: bool = False) -> pd.DataFrame:
    """Agreement of segmentation masks between every pair of annotators.

    For each item both annotated and each class, each annotator's masks of
    that class are merged; intersection and union pixels are summed over the
    items, giving a per-class IoU (Jaccard) and Dice (F1). ``mean_iou`` and
    ``mean_dice`` average them over the classes present in either annotator.

    Parameters
    ----------
    per_class : bool
        Also return ``iou[<label>]`` and ``dice[<label>]`` columns.

    Returns
    -------
    DataFrame
        ``annotator_a``, ``annotator_b``, ``n_items``, ``n_classes``,
        ``mean_iou``, ``mean_dice`` (and per-class columns). Dice is always
        >= IoU; 0.9 IoU is tight agreement on object boundaries.
    """
    per_class = _args.flag(per_class, "per_class", func="mask_agreement")
    records = []
    for a, b, shared, ra, rb in _pairs(df, "mask", ("label", "mask"), "mask_agreement"):
        inter: dict[Any, float] = {}
        union: dict[Any, float] = {}
        size: dict[Any, float] = {}
        ma_all = {i: _union_masks(g, "mask_agreement") for i, g in ra.groupby("item_id")}
        mb_all = {i: _union_masks(g, "mask_agreement") for i, g in rb.groupby("item_id")}
        for item in shared:
            ma, mb = ma_all.get(item, {}), mb_all.get(item, {})
            for label in set(ma) | set(mb):
                x, y = ma.get(label), mb.get(label)
                if x is not None and y is not None and x.shape != y.shape:
                    raise ValueError(
                        f"mask_agreement: item {item!r}: {a!r} and {b!r} masks "
                        f"have different sizes {list(x.shape)} and {list(y.shape)}"
                    )
                sx = float(x.sum()) if x is not None else 0.0
                sy = float(y.sum()) if y is not None else 0.0
                both = float((x & y).sum()) if x is not None and y is not None else 0.0
                inter[label] = inter.get(label, 0.0) + both
                union[label] = union.get(label, 0.0) + sx + sy - both
                size[label] = size.get(label, 0.0) + sx + sy
        labels = sorted((lab for lab in union if size[lab] > 0), key=str)
        iou = {lab: inter[lab] / union[lab] for lab in labels}
        dice = {lab: 2 * inter[lab] / size[lab] for lab in labels}
        record: dict[str, Any] = {
            "annotator_a": a,
            "annotator_b": b,
            "n_items": len(shared),
            "n_classes": len(labels),
            "mean_iou": float(np.mean(list(iou.values()))) if labels else float("nan"),
            "mean_dice": float(np.mean(list(dice.values()))) if labels else float("nan"),
        }
        if per_class:
            for lab in labels:
                record[f"iou[{lab}]"] = iou[lab]
                record[f"dice[{lab}]"] = dice[lab]
        records.append(record)
    base = ["annotator_a", "annotator_b", "n_items", "n_classes", "mean_iou", "mean_dice"]
    out = pd.DataFrame.from_records(records)
    return out if len(out) else pd.DataFrame(columns=base)


_NONE = "\x00<unlabeled>"


def _frames(rows: pd.DataFrame, n_frames: int, frame: float) -> npt.NDArray[np.object_]:
    """Label of each frame (by its centre); later segments win where they overlap."""
    out = np.full(n_frames, _NONE, dtype=object)
    centres = (np.arange(n_frames) + 0.5) * frame
    ordered = rows.sort_values("start", kind="stable")
    for start, end, label in zip(ordered["start"], ordered["end"], ordered["label"], strict=True):
        lo = int(np.searchsorted(centres, start, side="left"))
        hi = int(np.searchsorted(centres, end, side="left"))
        out[lo:hi] = label
    return out


def segment_agreement(df: pd.DataFrame, *, frame: float = 0.01) -> pd.DataFrame:
    """Agreement of audio segments between every pair of annotators.

    Each item's timeline (0 to the latest segment end of either annotator) is
    cut into frames of ``frame`` seconds; a frame takes the label of the
    segment covering its centre, or "unlabeled", which is a category of its
    own. Frames of all shared items are pooled.

    Returns
    -------
    DataFrame
        ``annotator_a``, ``annotator_b``, ``n_items``, ``seconds`` compared,
        ``kappa`` (frame-level Cohen's kappa), ``overlap`` (seconds both gave
        the same label over seconds either labeled, an IoU of labeled time)
        and ``frame_agreement`` (share of frames in agreement, silence included).
    """
    frame = _args.number(frame, "frame", func="segment_agreement", low=0, unit=" (seconds)")
    records = []
    columns = ("label", "start", "end")
    for a, b, shared, ra, rb in _pairs(df, "segment", columns, "segment_agreement"):
        xs: list[npt.NDArray[np.object_]] = []
        ys: list[npt.NDArray[np.object_]] = []
        ga = dict(iter(ra.groupby("item_id")))
        gb = dict(iter(rb.groupby("item_id")))
        for item in shared:
            sa, sb = ga.get(item, ra.iloc[:0]), gb.get(item, rb.iloc[:0])
            end = max(sa["end"].max() if len(sa) else 0.0, sb["end"].max() if len(sb) else 0.0)
            n_frames = int(np.ceil(end / frame - 1e-9)) if end > 0 else 0
            xs.append(_frames(sa, n_frames, frame))
            ys.append(_frames(sb, n_frames, frame))
        x = np.concatenate(xs) if xs else np.empty(0, dtype=object)
        y = np.concatenate(ys) if ys else np.empty(0, dtype=object)
        records.append(
            {
                "annotator_a": a,
                "annotator_b": b,
                "n_items": len(shared),
                "seconds": len(x) * frame,
                **_frame_scores(x, y),
            }
        )
    cols = [
        "annotator_a",
        "annotator_b",
        "n_items",
        "seconds",
        "kappa",
        "overlap",
        "frame_agreement",
    ]
    return pd.DataFrame.from_records(records, columns=cols)


def _frame_scores(x: npt.NDArray[np.object_], y: npt.NDArray[np.object_]) -> dict[str, float]:
    if len(x) == 0:
        return {"kappa": float("nan"), "overlap": float("nan"), "frame_agreement": float("nan")}
    codes, _ = pd.factorize(np.concatenate([x, y]))
    cx, cy = codes[: len(x)], codes[len(x) :]
    k = int(codes.max()) + 1
    table = np.bincount(cx * k + cy, minlength=k * k).reshape(k, k).astype(np.float64)
    n = table.sum()
    po = np.trace(table) / n
    pe = float((table.sum(axis=1) * table.sum(axis=0)).sum() / n**2)
    kappa = (po - pe) / (1 - pe) if pe < 1 else float("nan")
    labeled_x, labeled_y = x != _NONE, y != _NONE
    either = float((labeled_x | labeled_y).sum())
    same = float((labeled_x & (x == y)).sum())
    return {
        "kappa": float(kappa),
        "overlap": same / either if either else float("nan"),
        "frame_agreement": float(po),
    }
