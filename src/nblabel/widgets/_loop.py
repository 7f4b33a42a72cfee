"""The model in the loop, widget side: the visiting order of a queue and the options behind it.

:class:`VisitOrder` maps a widget's positions to its queue: without
``order=`` position ``k`` is queue item ``k``; with one, positions follow a
permutation made by :func:`nblabel.routing.visiting_order`. The rules of
re-ordering are documented on :meth:`nblabel.widgets._base.Annotator.reorder`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from ..items import ItemQueue
from ..routing import order_scores, visiting_order

__all__ = [
    "CheckedOrder",
    "OrderSource",
    "VisitOrder",
    "check_order",
    "check_reorder_every",
    "check_suggest",
]

#: What ``order=`` takes: scores by item id, or a callable that makes them from the annotations.
OrderSource: TypeAlias = "pd.Series | Callable[[pd.DataFrame], pd.Series]"
#: ``order=`` once checked: scores by ``str`` item id (see ``order_scores``) or the callable.
CheckedOrder: TypeAlias = "pd.Series | Callable[[pd.DataFrame], pd.Series]"


def check_order(order: Any, *, name: str = "order") -> Any:
    """``order=`` checked: None, a callable (kept as is) or scores by ``str`` item id."""
    if order is None or callable(order):
        return order
    return order_scores(order, name=name)


def check_reorder_every(every: Any) -> int | None:
    """``reorder_every=``: a whole number of saved edits >= 1, or None (only on ``reorder()``)."""
    if every is None:
        return None
    if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
        raise ValueError(
            f"reorder_every: expected a whole number of saved edits >= 1 (or None), got {every!r}"
        )
    return int(every)


def check_suggest(suggest: Any) -> Callable[[Any], pd.DataFrame] | None:
    """``suggest=``: None or a callable ``suggest(item) -> DataFrame``."""
    if suggest is None:
        return None
    if callable(suggest):
        return suggest  # type: ignore[no-any-return]
    raise TypeError(
        "suggest: expected a callable suggest(item) -> DataFrame of suggestions, got "
        f"{type(suggest).__name__} (for a fixed DataFrame, use predictions=)"
    )


class VisitOrder:
    """Position <-> queue index for one widget; the queue's own order until an order is applied.

    Working out an order (:meth:`plan`) takes no lock, so the page's messages
    go on meanwhile; :meth:`commit` swaps it in if nothing moved since.
    """

    def __init__(self, queue: ItemQueue) -> None:
        self._queue = queue
        self._lock = threading.Lock()
        # (perm, inv): perm[position] = queue index, inv[queue index] = position.
        self._maps: tuple[np.ndarray, np.ndarray] | None = None
        self._scores = pd.Series(dtype="float64")

    def _current(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The maps, grown to cover items a generator has yielded since the last order."""
        maps = self._maps
        if maps is None or len(maps[0]) >= len(self._queue):
            return maps
        with self._lock:
            perm = self._maps[0] if self._maps is not None else np.arange(0)
            n = len(self._queue)
            if len(perm) < n:
                new = np.arange(len(perm), n)
                fresh = pd.Index(self._queue.ids[len(perm) : n], dtype=object)
                scores = self._scores.reindex(fresh).to_numpy(dtype="float64", na_value=np.nan)
                perm = np.concatenate([perm, new[visiting_order(scores)]])
                self._maps = (perm, _inverse(perm))
            return self._maps

    def index(self, position: int) -> int:
        """The queue index shown at ``position``."""
        self._queue.ensure(position)
        maps = self._current()
        return position if maps is None else int(maps[0][position])

    def position(self, index: int) -> int:
        """The position that shows queue index ``index``."""
        maps = self._current()
        return index if maps is None else int(maps[1][index])

    def id_at(self, position: int) -> str:
        """The item id shown at ``position``."""
        return self._queue.ids[self.index(position)]

    def ids(self) -> list[str]:
        """Every item id read so far, in visiting order."""
        maps = self._current()
        ids = self._queue.ids
        return list(ids) if maps is None else [ids[i] for i in maps[0]]

    def plan(
        self, scores: pd.Series, *, skip: Collection[str], keep: int
    ) -> tuple[np.ndarray, int, Any]:
        """A new permutation: positions up to ``keep`` as now, the rest by ``scores``.

        Returns ``(perm, matched, based_on)``: ``matched`` counts the items that
        have a score; pass ``based_on`` to :meth:`commit`.
        """
        maps = self._current()
        ids = self._queue.ids
        n = len(ids) if maps is None else len(maps[0])
        index = pd.Index(ids[:n], dtype=object)
        values = scores.reindex(index).to_numpy(dtype="float64", na_value=np.nan)
        skipped = index.isin(list(skip))
        perm = np.arange(n) if maps is None else maps[0]
        new = visiting_order(values, skip=skipped, head=perm[: max(keep + 1, 0)])
        return new, int(np.count_nonzero(~np.isnan(values))), maps

    def commit(self, perm: np.ndarray, scores: pd.Series, based_on: Any) -> bool:
        """Swap in a planned permutation; False (nothing changed) if the maps moved meanwhile."""
        with self._lock:
            if self._maps is not based_on:
                return False
            self._maps = (perm, _inverse(perm))
            self._scores = scores
            return True

    def apply(self, scores: pd.Series, *, skip: Collection[str], keep: int) -> int:
        """Plan and commit at once (nothing else may move meanwhile); return ``matched``."""
        while True:
            perm, matched, based_on = self.plan(scores, skip=skip, keep=keep)
            if self.commit(perm, scores, based_on):
                return matched


def _inverse(perm: np.ndarray) -> np.ndarray:
    inv = np.empty_like(perm)
    inv[perm] = np.arange(len(perm))
    return inv
