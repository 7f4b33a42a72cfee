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
#: ``order=`` once checked: ``{item_id: score}`` or the callable.
CheckedOrder: TypeAlias = "dict[str, float] | Callable[[pd.DataFrame], pd.Series]"


def check_order(order: Any, *, name: str = "order") -> Any:
    """``order=`` checked: None, a callable (kept as is) or ``{item_id: score}`` from a Series."""
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
    """Position <-> queue index for one widget; the queue's own order until an order is applied."""

    def __init__(self, queue: ItemQueue) -> None:
        self._queue = queue
        self._lock = threading.Lock()
        # (perm, inv): perm[position] = queue index, inv[queue index] = position.
        self._maps: tuple[np.ndarray, np.ndarray] | None = None
        self._scores: dict[str, float] = {}

    @property
    def ordered(self) -> bool:
        """True once an order has been applied."""
        return self._maps is not None

    def _current(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The maps, grown to cover items a generator has yielded since the last order."""
        maps = self._maps
        if maps is None or len(maps[0]) >= len(self._queue):
            return maps
        with self._lock:
            perm = self._maps[0] if self._maps is not None else np.arange(0)
            n = len(self._queue)
            if len(perm) < n:
                ids = self._queue.ids
                new = np.arange(len(perm), n)
                scores = [self._scores.get(ids[i], np.nan) for i in new]
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

    def apply(self, scores: dict[str, float], *, skip: Collection[str], keep: int) -> None:
        """Order the positions after ``keep`` by ``scores``; the items in ``skip`` go last."""
        maps = self._current()
        with self._lock:
            ids = self._queue.ids
            n = len(ids)
            perm = np.arange(n) if maps is None else maps[0]
            values = np.fromiter((scores.get(i, np.nan) for i in ids), dtype="float64", count=n)
            skipped = np.fromiter((i in skip for i in ids), dtype=bool, count=n)
            head = perm[: max(keep + 1, 0)]
            new = visiting_order(values, skip=skipped, head=head)
            self._scores = scores
            self._maps = (new, _inverse(new))


def _inverse(perm: np.ndarray) -> np.ndarray:
    inv = np.empty_like(perm)
    inv[perm] = np.arange(len(perm))
    return inv
