"""Informativeness scores for active learning: which items a model most needs labeled.

Each function takes a model's class probabilities for ``n`` items and ``k``
classes and returns one score per item, **higher = ask first**, ready to pass
as a widget's ``order=``::

    proba = pd.DataFrame(model.predict_proba(X), index=item_ids)
    w = nl.ImageAnnotator(paths, labels=labels, order=nl.active.entropy(proba))

With ``p`` one item's probabilities sorted from most to least likely
(``p[0] >= p[1] >= ...``):

``least_confidence``  ``1 - p[0]``
    How far the best guess is from certain. In ``[0, 1 - 1/k]``.
``margin``  ``1 - (p[0] - p[1])``
    How close the two best guesses are. In ``[0, 1]``; with one class,
    ``p[1]`` is taken as 0.
``entropy``  ``-sum(p * ln p)`` (nats, ``0 ln 0 = 0``)
    The uncertainty over every class. In ``[0, ln k]``.

These are the usual definitions (Settles, *Active Learning Literature
Survey*, 2009), the ones of scikit-activeml's ``uncertainty_scores`` and of
modAL's uncertainty, margin and entropy sampling (which rank by ``-margin``).

Input rules, the same for all three:

- ``proba`` is an ``n x k`` array-like or a DataFrame whose index gives the
  item ids (its columns are the classes). A 1-D array is refused: for a
  binary model's ``p(positive)`` pass ``np.column_stack([1 - p, p])``.
- The result is a ``pandas.Series`` named after the score, indexed by the
  DataFrame's index, by ``ids=`` when given, else ``0..n-1``.
- A missing (NaN) or infinite probability, a negative one or one above 1
  raises ``ValueError`` naming the item. A row must sum to 1 (within
  ``1e-3``); with ``normalize=True`` each row is divided by its sum instead
  (a row summing to 0 is still an error).
- One class column is allowed (a model that has seen one class so far is
  certain of everything): every score is 0.
- Ties keep the input's order when sorted with a stable sort, which is how
  the widgets sort an ``order=``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["entropy", "least_confidence", "margin"]

#: How far a row's sum may be from 1 (scikit-activeml uses the same tolerance).
SUM_TOLERANCE = 1e-3


def least_confidence(
    proba: Any, *, ids: Sequence[Any] | None = None, normalize: bool = False
) -> pd.Series:
    """``1 - max(p)`` per item: how far the model's best guess is from certain.

    >>> least_confidence([[0.9, 0.1], [0.5, 0.5]]).round(2).tolist()
    [0.1, 0.5]
    """
    p, index = _probabilities(proba, ids, normalize, "least_confidence")
    scores = 1.0 - p.max(axis=1) if p.shape[1] else np.zeros(len(p))
    return pd.Series(scores, index=index, name="least_confidence", dtype="float64")


def margin(proba: Any, *, ids: Sequence[Any] | None = None, normalize: bool = False) -> pd.Series:
    """``1 - (p[0] - p[1])`` per item, ``p`` sorted descending: how close the top two are.

    >>> margin([[0.6, 0.3, 0.1], [0.4, 0.4, 0.2]]).round(2).tolist()
    [0.7, 1.0]
    """
    p, index = _probabilities(proba, ids, normalize, "margin")
    if p.shape[1] >= 2:
        top = -np.partition(-p, 1, axis=1)[:, :2]
        scores = 1.0 - (top[:, 0] - top[:, 1])
    else:  # one class: the runner-up has probability 0
        scores = 1.0 - p[:, 0]
    return pd.Series(scores, index=index, name="margin", dtype="float64")


def entropy(proba: Any, *, ids: Sequence[Any] | None = None, normalize: bool = False) -> pd.Series:
    """``-sum(p * ln p)`` per item (nats; ``0 ln 0 = 0``): the uncertainty over all classes.

    >>> entropy([[1.0, 0.0], [0.5, 0.5]]).round(4).tolist()
    [0.0, 0.6931]
    """
    p, index = _probabilities(proba, ids, normalize, "entropy")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    scores = terms.sum(axis=1)
    return pd.Series(np.maximum(scores, 0.0), index=index, name="entropy", dtype="float64")


def _probabilities(
    proba: Any, ids: Sequence[Any] | None, normalize: bool, func: str
) -> tuple[np.ndarray, pd.Index]:
    """``proba`` as a float (n, k) array and the index of the result; errors name the item."""
    if not isinstance(normalize, bool):
        raise TypeError(f"{func}: normalize must be True or False, got {normalize!r}")
    if isinstance(proba, pd.DataFrame):
        if ids is not None:
            raise TypeError(f"{func}: ids come from the DataFrame's index; do not pass ids=")
        index = proba.index
        try:
            values = proba.to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{func}: proba must hold numbers ({exc})") from exc
    else:
        if isinstance(proba, pd.Series):
            raise TypeError(
                f"{func}: proba is a Series (one number per item); pass the n x k class "
                "probabilities, e.g. a DataFrame of model.predict_proba(X) indexed by item id"
            )
        try:
            values = np.asarray(proba, dtype="float64")
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{func}: proba must be an n x k array of numbers ({exc})") from exc
        index = pd.RangeIndex(len(values)) if ids is None else pd.Index(list(ids))
    if values.ndim != 2:
        raise ValueError(
            f"{func}: proba must be 2-D (n items x k classes), got {values.ndim}-D; for a "
            "binary model's p(positive) pass np.column_stack([1 - p, p])"
        )
    if len(index) != len(values):
        raise ValueError(f"{func}: {len(index)} ids for {len(values)} rows of proba")
    if values.shape[1] == 0:
        raise ValueError(f"{func}: proba has no class columns")

    named = isinstance(proba, pd.DataFrame) or ids is not None

    def item(row: int) -> str:
        return f"item {index[row]!r} (row {row})" if named else f"row {row}"

    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"{func}: {item(row)} has a missing or infinite probability "
            f"({float(values[row, col])!r} in column {col})"
        )
    out_of_range = (values < 0) | ((values > 1 + SUM_TOLERANCE) & (not normalize))
    if out_of_range.any():
        row, col = np.argwhere(out_of_range)[0]
        raise ValueError(
            f"{func}: {item(row)} has probability {float(values[row, col])!r} in column {col}, "
            "outside [0, 1]"
        )
    sums = values.sum(axis=1)
    if normalize:
        zero = sums <= 0
        if zero.any():
            raise ValueError(f"{func}: {item(int(np.argmax(zero)))} sums to 0; cannot normalize")
        values = values / sums[:, None]
    else:
        off = np.abs(sums - 1.0) > SUM_TOLERANCE
        if off.any():
            row = int(np.argmax(off))
            raise ValueError(
                f"{func}: {item(row)} sums to {sums[row]:.6g}, not 1; pass normalize=True "
                "to divide each row by its sum"
            )
    return values, index
