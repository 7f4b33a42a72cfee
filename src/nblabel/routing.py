"""Which item an annotator gets next: the visiting order of a widget's queue.

Pure functions on ids, scores and sets (no widgets, no SQL). A widget with
``order=`` visits its items as a permutation of the queue: position ``k``
shows the ``k``-th item of the current order. :func:`visiting_order` makes
that permutation from one score per item (higher = sooner):

- the ``head`` (positions already visited, kept as they are so that
  "previous" still goes back to what the person saw) comes first;
- then the items still wanted, by score from highest to lowest, items with
  no score (NaN) after every scored one, ties in queue order;
- then the items not wanted now (``skip``: those this annotator has already
  labeled), in the same order.

``skip`` is the seam for team routing: ``overlap=`` (items already labeled by
enough people) adds its items to ``skip``, so an ordered queue respects both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["order_scores", "visiting_order"]


def order_scores(order: Any, *, name: str = "order") -> pd.Series:
    """Check a Series of scores by item id; return it as float64 scores indexed by ``str`` ids.

    Ids are compared as text (the widgets' item ids are ``str``). A missing
    score (NaN) means "no opinion": the item goes after every scored one.
    Errors name ``name`` and the offending id. Vectorised: a million scores
    take well under a second.
    """
    if isinstance(order, pd.DataFrame) and order.shape[1] == 1:
        order = order.iloc[:, 0]
    if not isinstance(order, pd.Series):
        raise TypeError(
            f"{name}: expected a pandas Series of scores indexed by item id (higher = sooner), "
            f"got {type(order).__name__}"
        )
    if pd.api.types.is_bool_dtype(order.dtype):
        raise TypeError(f"{name}: scores must be numbers, got dtype {order.dtype}")
    values = pd.to_numeric(order, errors="coerce").astype("float64")
    bad = (values.isna() & order.notna()).to_numpy()
    if bad.any():
        position = int(np.argmax(bad))
        raise TypeError(
            f"{name}: the score of item {order.index[position]!r} is "
            f"{order.iloc[position]!r}, not a number"
        )
    index = pd.Index(order.index.astype(str), dtype=object)
    twice = index.duplicated()
    if twice.any():
        raise ValueError(f"{name}: item {index[int(np.argmax(twice))]!r} has two scores")
    return pd.Series(values.to_numpy(), index=index, name="score")


def visiting_order(
    scores: Sequence[float] | np.ndarray,
    *,
    skip: Sequence[bool] | np.ndarray | None = None,
    head: Sequence[int] | np.ndarray = (),
) -> np.ndarray:
    """Queue indices in visiting order (see the module docstring).

    ``scores[i]`` is item ``i``'s score (NaN: none), ``skip[i]`` is True for
    an item not wanted now, ``head`` lists queue indices to keep in front, in
    their order. Returns an int64 permutation of ``range(len(scores))``.

    >>> visiting_order([0.1, 0.9, float("nan"), 0.5], skip=[False, False, False, True]).tolist()
    [1, 0, 2, 3]
    >>> visiting_order([0.1, 0.9, 0.3, 0.5], head=[0]).tolist()
    [0, 1, 3, 2]
    """
    s = np.asarray(scores, dtype="float64")
    n = len(s)
    skipped = np.zeros(n, dtype=bool) if skip is None else np.asarray(skip, dtype=bool)
    if skipped.shape != (n,):
        raise ValueError(f"skip: expected {n} flags, got {skipped.shape}")
    front = np.asarray(head, dtype="int64")
    if front.size and (front.min() < 0 or front.max() >= n):
        raise ValueError(f"head: indices must lie in 0..{n - 1}")
    rest = np.ones(n, dtype=bool)
    rest[front] = False
    tail = np.flatnonzero(rest)
    ts = s[tail]
    # lexsort: the last key sorts first. Wanted before skipped, scored before NaN,
    # higher before lower; ties keep queue order (tail is ascending, lexsort is stable).
    keys = (np.where(np.isnan(ts), 0.0, -ts), np.isnan(ts), skipped[tail])
    return np.concatenate([front, tail[np.lexsort(keys)]]).astype("int64")
