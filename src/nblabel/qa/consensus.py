"""Consensus labels, accuracy against gold, and the adjudication queue."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .. import _args
from ._frame import FloatArray, Ratings, ratings
from ._gold import split_gold

__all__ = ["GoldAccuracy", "consensus", "disagreements", "gold_accuracy"]


def _majority(r: Ratings) -> pd.DataFrame:
    table, m = r.counts()
    table = table.toarray() if hasattr(table, "toarray") else table
    rated = m > 0
    top = table.max(axis=1)
    is_top = (table == top[:, None]) & rated[:, None]
    n_top = is_top.sum(axis=1)
    first = np.argmax(table, axis=1)
    tie = n_top > 1
    cats = np.asarray(r.categories, dtype=object)
    label = np.where(tie | ~rated, None, cats[first])
    candidates: list[tuple[Any, ...]] = [()] * r.n_items
    for i in np.flatnonzero(tie):
        candidates[i] = tuple(cats[is_top[i]])
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = np.where(rated, top / np.where(rated, m, 1), np.nan)
    return pd.DataFrame(
        {
            "item_id": np.asarray(r.items, dtype=object),
            "label": pd.Series(label, dtype=object),
            "confidence": confidence,
            "n_annotators": m.astype(np.int64),
            "tie": tie,
            "candidates": candidates,
        }
    )[rated].reset_index(drop=True)


def _dawid_skene(r: Ratings, max_iter: int, tol: float) -> tuple[FloatArray, FloatArray]:
    """EM of Dawid & Skene (1979): item posteriors and annotator confusion matrices."""
    k, n_r, n_i = r.n_categories, r.n_raters, r.n_items
    table, m = r.counts()
    table = table.toarray() if hasattr(table, "toarray") else table
    post = (table + 1e-9) / (m[:, None] + k * 1e-9)
    smoothing = 0.01
    conf = np.zeros((n_r, k, k))
    for _ in range(max_iter):
        # M-step: class priors and confusion[a, true, given]
        prior = post.mean(axis=0)
        for t in range(k):
            w = post[r.item, t]
            conf[:, t, :] = np.bincount(
                r.rater * k + r.value, weights=w, minlength=n_r * k
            ).reshape(n_r, k)
        conf += smoothing
        conf /= conf.sum(axis=2, keepdims=True)
        # E-step
        log_conf = np.log(conf)
        log_post = np.tile(np.log(np.maximum(prior, 1e-300)), (n_i, 1))
        for t in range(k):
            log_post[:, t] += np.bincount(
                r.item, weights=log_conf[r.rater, t, r.value], minlength=n_i
            )
        log_post -= log_post.max(axis=1, keepdims=True)
        new = np.exp(log_post)
        new /= new.sum(axis=1, keepdims=True)
        done = float(np.abs(new - post).max()) < tol
        post = new
        if done:
            break
    return post, conf


def consensus(
    df: pd.DataFrame,
    method: Literal["majority", "dawid_skene"] = "majority",
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    gold: Any = None,
) -> pd.DataFrame:
    """One consensus label per item.

    Parameters
    ----------
    method : "majority" or "dawid_skene"
        ``majority``: the most frequent label; ``confidence`` is its share of
        the votes. A tie is not broken: ``label`` is None, ``tie`` True and
        ``candidates`` lists the tied labels, for a human to adjudicate.
        ``dawid_skene``: each annotator's confusion matrix and the class
        priors are estimated by EM, and each item gets the most probable true
        label; ``confidence`` is its posterior probability. Careless or biased
        annotators are down-weighted automatically; ties are reported as for
        ``majority`` when the top posteriors are equal.
    gold : DataFrame, Series, dict or "review", optional
        Decided answers that override the vote where they exist: a frame with
        ``item_id`` and ``label``, a Series or dict item_id -> label, or
        ``"review"``: the reviewers' label rows of ``df`` (``source="review"``),
        which then are no votes themselves. A decided item's ``label`` is the
        decision, with ``confidence`` 1.0 and no tie; ``n_annotators`` still
        counts the votes (0 for an item only decided).

    Returns
    -------
    DataFrame
        ``item_id``, ``label``, ``confidence``, ``n_annotators``, ``tie``,
        ``candidates``; with ``gold``, also ``decided`` (True where the label
        is the given or reviewed answer).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": ["a", "a", "a"], "annotator": ["ana", "bob", "rev"],
    ...                    "label": ["x", "y", "y"], "source": ["human", "human", "review"]})
    >>> consensus(df, gold="review")[["item_id", "label", "n_annotators", "tie", "decided"]]
      item_id label  n_annotators    tie  decided
    0       a     y             2  False     True

    References
    ----------
    Dawid, A. P. & Skene, A. M. (1979). Maximum likelihood estimation of
    observer error-rates using the EM algorithm. Applied Statistics 28(1).
    """
    _args.choice(method, "method", func="consensus", choices=("majority", "dawid_skene"))
    max_iter = _args.whole(max_iter, "max_iter", func="consensus", minimum=1)
    tol = _args.number(tol, "tol", func="consensus", low=0)
    df, decided = split_gold(df, gold, func="consensus")
    out = _vote(df, method, max_iter, tol)
    if gold is None:
        return out
    return _decide(out, _gold_series(decided, func="consensus").dropna())


def _decide(out: pd.DataFrame, truth: pd.Series) -> pd.DataFrame:
    """The vote ``out`` with the decided labels ``truth`` (item_id -> label) put in."""
    truth = pd.Series(truth.to_numpy(), index=pd.Index(truth.index).map(str))
    truth = truth[~truth.index.duplicated()]
    keys = out["item_id"].map(str)
    extra = truth.index.difference(pd.Index(keys))
    if len(extra):
        added = pd.DataFrame(
            {
                "item_id": pd.Series(list(extra), dtype=object),
                "label": pd.Series([None] * len(extra), dtype=object),
                "confidence": np.nan,
                "n_annotators": np.zeros(len(extra), dtype=np.int64),
                "tie": False,
                "candidates": [()] * len(extra),
            }
        )
        out = pd.concat([out, added], ignore_index=True) if len(out) else added
        keys = out["item_id"].map(str)
    hit = keys.isin(truth.index).to_numpy()
    out = out.copy()
    labels = out["label"].astype(object).to_numpy(copy=True)
    labels[hit] = truth.reindex(keys[hit]).to_numpy()
    out["label"] = pd.Series(labels, index=out.index, dtype=object)
    out.loc[hit, "confidence"] = 1.0
    out["tie"] = out["tie"].astype(bool) & ~hit
    candidates = list(out["candidates"])
    out["candidates"] = [() if h else c for h, c in zip(hit, candidates, strict=True)]
    out["decided"] = hit
    return out.reset_index(drop=True)


def _vote(df: pd.DataFrame, method: str, max_iter: int, tol: float) -> pd.DataFrame:
    r = ratings(df, func="consensus")
    columns = ["item_id", "label", "confidence", "n_annotators", "tie", "candidates"]
    if len(r.value) == 0:
        return pd.DataFrame(columns=columns)
    out = _majority(r)
    if method == "majority":
        return out
    post, _ = _dawid_skene(r, max_iter, tol)
    _, m = r.counts()
    post = post[m > 0]
    best = post.max(axis=1)
    is_top = np.isclose(post, best[:, None], rtol=0, atol=1e-9)
    tie = is_top.sum(axis=1) > 1
    cats = np.asarray(r.categories, dtype=object)
    out["label"] = pd.Series(np.where(tie, None, cats[np.argmax(post, axis=1)]), dtype=object)
    out["confidence"] = best
    out["tie"] = tie
    out["candidates"] = [tuple(cats[row]) if t else () for row, t in zip(is_top, tie, strict=True)]
    return out


def _gold_series(gold: Any, *, func: str = "gold_accuracy") -> pd.Series:
    if isinstance(gold, pd.DataFrame):
        if not {"item_id", "label"} <= set(gold.columns):
            raise ValueError(
                f"{func}: gold must have columns 'item_id' and 'label', has {list(gold.columns)}"
            )
        from ._frame import of_kind

        g = of_kind(gold, "label")
        dup = g["item_id"].duplicated(keep=False).to_numpy()
        if dup.any():
            raise ValueError(
                f"{func}: gold has several labels for item(s) "
                f"{sorted(set(g['item_id'][dup]), key=str)[:5]}"
            )
        return pd.Series(g["label"].to_numpy(), index=g["item_id"].to_numpy())
    if isinstance(gold, pd.Series):
        return gold
    if isinstance(gold, Mapping):
        return pd.Series(dict(gold))
    raise TypeError(
        f"{func}: gold must be a DataFrame (item_id, label), a Series, a dict "
        f"item_id -> label or 'review', got {type(gold).__name__}"
    )


@dataclass(frozen=True)
class GoldAccuracy:
    """Result of :func:`gold_accuracy`.

    Attributes
    ----------
    by_annotator : DataFrame
        ``annotator``, ``n`` (gold items labeled), ``correct``, ``accuracy``.
    by_label : DataFrame
        ``annotator``, ``label`` (gold label), ``n``, ``correct``, ``recall``
        (share of items of that gold label the annotator got right) and
        ``precision`` (share of the annotator's uses of the label that were right).
    confusion : dict
        annotator -> DataFrame, gold labels as rows, given labels as columns.
    """

    by_annotator: pd.DataFrame
    by_label: pd.DataFrame
    confusion: dict[Hashable, pd.DataFrame] = field(repr=False)

    def __repr__(self) -> str:
        return f"GoldAccuracy(by_annotator=\n{self.by_annotator.to_string(index=False)}\n)"


def gold_accuracy(df: pd.DataFrame, gold: Any) -> GoldAccuracy:
    """Accuracy of each annotator against gold (reference) labels.

    Parameters
    ----------
    gold : DataFrame, Series, dict or "review"
        The true label of some items: a frame with ``item_id`` and ``label``
        (e.g. an expert's annotations), a Series indexed by item_id, a dict,
        or ``"review"``: the reviewers' label rows of ``df``
        (``source="review"``, as a widget with ``review=True`` stores them),
        which are then not scored themselves.

    Returns
    -------
    GoldAccuracy
        ``.by_annotator``, ``.by_label`` and ``.confusion`` (one confusion
        matrix per annotator). Only items that have a gold label count.
    """
    df, gold = split_gold(df, gold, func="gold_accuracy")
    truth = _gold_series(gold).dropna()
    r = ratings(df, func="gold_accuracy")
    truth_text = pd.Series(truth.to_numpy(), index=pd.Index(truth.index).map(str))
    keys = pd.Index(r.items).map(str)
    gold_of_item = truth_text.reindex(keys).to_numpy()
    expected = gold_of_item[r.item]
    has = pd.notna(expected)
    given = np.asarray(r.categories, dtype=object)[r.value]
    # compare as the schema stores labels (str) unless both sides agree on type
    gold_lab = np.array([str(v) for v in expected[has]], dtype=object)
    given_lab = np.array([str(v) for v in given[has]], dtype=object)
    frame = pd.DataFrame(
        {
            "annotator": np.asarray(r.raters, dtype=object)[r.rater[has]],
            "gold": gold_lab,
            "given": given_lab,
        }
    )
    frame["correct"] = frame["gold"] == frame["given"]
    by_ann = (
        frame.groupby("annotator", sort=True)
        .agg(n=("correct", "size"), correct=("correct", "sum"))
        .reset_index()
    )
    by_ann["accuracy"] = by_ann["correct"] / by_ann["n"]
    by_label = (
        frame.groupby(["annotator", "gold"], sort=True)
        .agg(n=("correct", "size"), correct=("correct", "sum"))
        .reset_index()
        .rename(columns={"gold": "label"})
    )
    by_label["recall"] = by_label["correct"] / by_label["n"]
    used = frame.groupby(["annotator", "given"]).agg(
        used=("correct", "size"), right=("correct", "sum")
    )
    prec = (used["right"] / used["used"]).rename("precision")
    prec.index = prec.index.set_names(["annotator", "label"])
    by_label = by_label.merge(prec.reset_index(), on=["annotator", "label"], how="left")
    labels = sorted(set(frame["gold"]) | set(frame["given"]), key=str)
    confusion: dict[Hashable, pd.DataFrame] = {
        a: pd.crosstab(g["gold"], g["given"])
        .reindex(index=labels, columns=labels, fill_value=0)
        .rename_axis(index="gold", columns="given")
        for a, g in frame.groupby("annotator", sort=True)
    }
    return GoldAccuracy(by_ann, by_label, confusion)


def disagreements(df: pd.DataFrame, *, min_annotators: int = 2) -> pd.DataFrame:
    """Items ranked by disagreement: the queue for adjudication.

    Returns
    -------
    DataFrame
        One row per item labeled by at least ``min_annotators``: ``item_id``,
        ``n_annotators``, ``n_labels`` (distinct), ``agreement`` (share of the
        most common label), ``entropy`` (bits, of the label shares) and
        ``labels`` (label -> count). Sorted with the most contested first
        (lowest agreement, then highest entropy); fully agreed items come last.
    """
    min_annotators = _args.whole(min_annotators, "min_annotators", func="disagreements", minimum=1)
    r = ratings(df, func="disagreements")
    columns = ["item_id", "n_annotators", "n_labels", "agreement", "entropy", "labels"]
    if len(r.value) == 0:
        return pd.DataFrame(columns=columns)
    table, m = r.counts()
    table = table.toarray() if hasattr(table, "toarray") else table
    keep = m >= min_annotators
    t, mm = table[keep], m[keep]
    share = t / mm[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nansum(np.where(share > 0, share * np.log2(share), 0.0), axis=1)
    cats = list(r.categories)
    labels = [{cats[j]: int(row[j]) for j in np.flatnonzero(row)} for row in t]
    out = pd.DataFrame(
        {
            "item_id": np.asarray(r.items, dtype=object)[keep],
            "n_annotators": mm.astype(np.int64),
            "n_labels": (t > 0).sum(axis=1),
            "agreement": share.max(axis=1) if len(share) else np.empty(0),
            "entropy": entropy,
            "labels": labels,
        }
    )
    return out.sort_values(
        ["agreement", "entropy"], ascending=[True, False], kind="stable"
    ).reset_index(drop=True)
