"""The model in the loop, widget side: ``order=``, ``suggest=`` and stored rejections.

:class:`VisitOrder` maps a widget's positions to its queue: without
``order=`` position ``k`` is queue item ``k``; with one, positions follow a
permutation made by :func:`nblabel.routing.visiting_order`. The rules of
re-ordering are documented on :meth:`ModelLoop.reorder`. :class:`ModelLoop`
is the part of :class:`nblabel.widgets._base.Annotator` that runs the
user's ``order`` and ``suggest`` callables in their own threads and keeps
rejected suggestions in the store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd

from .. import schema
from ..items import Item, ItemQueue
from ..routing import order_scores, visiting_order
from ..store import Store, new_id
from ._suggestions import Suggestions, fingerprint

if TYPE_CHECKING:
    from ._base import Payload

log = logging.getLogger("nblabel")

__all__ = [
    "CheckedOrder",
    "ModelLoop",
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


class ModelLoop:
    """``order=``, ``suggest=`` and rejections: the part of ``Annotator`` that runs user models.

    Both callables run in threads of their own (``nblabel-order``,
    ``nblabel-suggest``), never on the path of a page's message. What they
    change reaches the page as the ``order`` and ``suggestions`` messages
    documented in :mod:`nblabel.widgets._base`, sent under the widget's
    ``_wire`` lock so that the page hears of positions in one consistent order.
    """

    # Set by Annotator.__init__ (declared for the type checker).
    _order: CheckedOrder | None
    _order_pool: ThreadPoolExecutor
    _order_waiting: Future[None] | None
    _suggest: Callable[[Any], pd.DataFrame] | None
    _suggest_pool: ThreadPoolExecutor
    _live: set[str]
    _visit: VisitOrder
    _queue: ItemQueue
    _lock: Any
    _wire: Any
    _told: set[str]
    _done: set[str]
    _browser_has: set[int]
    _moving: bool
    _suggestions: Suggestions
    _store: Store
    _annotator: str
    position: int

    if TYPE_CHECKING:

        @property
        def annotations(self) -> pd.DataFrame: ...
        def send(self, content: Any, buffers: Any = None) -> None: ...
        def set_trait(self, name: str, value: Any) -> None: ...
        def _payload(self, index: int) -> Future[Payload]: ...
        def _page_suggestions(self, item_id: str, ids: Any = None) -> list[dict[str, Any]]: ...
        def _prefetch(self, position: int) -> None: ...
        def _first_undone(self, start: int = 0) -> int: ...
        def _suggestion_problem(
            self, payload: Mapping[str, Any], row: Mapping[str, Any]
        ) -> str | None: ...
        def _has_rule_suggestions(self) -> bool: ...
        def _rule_suggestions(self, item: Item) -> pd.DataFrame | None: ...

    def reorder(self, order: OrderSource | None = None) -> Future[None]:
        """Work out the visiting order again, in a worker thread; return its Future.

        ``order`` replaces the widget's ``order=`` when given: a Series of scores
        by item id (higher = sooner) or a callable ``order(annotations) ->
        Series``, called with ``w.annotations``. The callable also runs by
        itself every ``reorder_every`` saved edits.

        How the order maps onto positions: the queue is visited as a
        permutation, position ``k`` showing the ``k``-th item of the order.
        A new order keeps the positions up to the current one as they are
        ("previous" still goes back through what was seen) and fills the later
        ones with the items this annotator has not labeled, highest score
        first (items without a score after them, ties in queue order), then
        the labeled ones. So "next" is always the highest-scoring unlabeled
        item of the latest order. Before the page has shown anything, the whole
        queue is ordered and the widget opens on the best item.

        The page never waits: it keeps the old order until the new one is
        ready. An exception in ``order`` is logged, set in :attr:`order_error`
        (shown in the page) and raised by the Future's ``result()``; the last
        order stays. A generator of items is ordered as far as it has been
        read; items read later come after those, sorted by their scores when a
        Series gave them, until the next re-ordering.
        """
        if order is not None:
            self._order = check_order(order)
        source = self._order
        if source is None:
            raise ValueError("reorder: this widget has no order= (pass one to reorder)")
        with self._lock:
            waiting = self._order_waiting
            if waiting is not None and not waiting.running() and not waiting.done():
                return waiting  # one run still queued: it will see the newest annotations
            future = self._order_pool.submit(self._run_order)
            self._order_waiting = future
            return future

    def _rejection_rows(self, item_id: str, ids: Any) -> list[dict[str, Any]]:
        """The ``rejection`` rows that keep the rejected suggestions (stored with the edit)."""
        out = []
        for ident in ids:
            row = self._suggestions.row(item_id, str(ident))
            if row is None:
                continue
            kind = row.pop("kind")
            extra = row.pop("extra", None)
            keep = set(schema.KIND_SPECS["rejection"].optional)
            out.append(
                {
                    **{k: v for k, v in row.items() if k in keep},
                    "id": new_id(),
                    "item_id": item_id,
                    "annotator": self._annotator,
                    "kind": "rejection",
                    "label": row["label"],
                    "source": "human",  # a person's decision about a model's proposal
                    "score": row.get("score"),
                    "extra": {
                        **(extra if isinstance(extra, Mapping) else {}),
                        "kind": kind,
                        "suggestion_id": str(ident),
                    },
                }
            )
        return out

    @property
    def _suggests(self) -> bool:
        return self._suggest is not None or self._has_rule_suggestions()

    def _read_rejections(self, item_id: str) -> None:
        """Hide the suggestions this annotator rejected before (in any kernel) on an item."""
        if not self._suggests and not self._suggestions.has_any(item_id):
            return
        if self._suggestions.has_rejections_for(item_id):
            return
        try:
            stored = self._store.annotations(
                annotator=self._annotator, kind="rejection", item_ids=[item_id]
            )
        except Exception:  # a read that fails must not hide the item
            log.exception("nblabel: could not read the rejections of item %r", item_id)
            return
        rows = stored.to_dict("records")
        self._suggestions.set_rejected(
            item_id, {fingerprint({str(k): v for k, v in r.items()}) for r in rows}
        )

    @property
    def rejections(self) -> pd.DataFrame:
        """The suggestions this annotator rejected on these items, read from the store.

        ``kind="rejection"`` rows: the suggestion's ``label``, ``score`` and
        geometry, and in ``extra`` its ``kind``, ``suggestion_id`` and (for a
        text rule) ``rule``. Negative examples for the next model.
        """
        return self._store.annotations(
            annotator=self._annotator, kind="rejection", item_ids=self._queue.ids
        )

    def _not_wanted(self) -> Collection[str]:
        """Items an ordered queue puts last: those this annotator has labeled.

        The seam for team routing: ``overlap=`` adds the items that already have
        enough annotators, so "next" respects both the order and the overlap.
        """
        return self._done

    # -- live suggestions ---------------------------------------------------------------------
    def _ask_suggest(self, index: int) -> None:
        """Start ``suggest`` (and the widget's rules) for an item, once, in their own thread."""
        if not self._suggests:
            return
        item_id = self._queue.ids[index]
        with self._lock:
            if item_id in self._live:
                return
            self._live.add(item_id)
        self._suggest_pool.submit(self._run_suggest, index)

    def _run_suggest(self, index: int) -> None:
        item = self._queue[index]
        made: list[tuple[str, Any]] = []
        problems: list[str] = []
        if self._suggest is not None:
            try:
                made.append(("suggest", self._suggest(self._queue.given(index))))
            except Exception as exc:  # named per item, and the queue goes on
                log.warning("nblabel: suggest failed on item %r", item.id, exc_info=True)
                problems.append(f"suggest failed on item {item.id!r}: {type(exc).__name__}: {exc}")
        if self._has_rule_suggestions():
            try:
                made.append(("rule", self._rule_suggestions(item)))
            except Exception as exc:
                log.warning("nblabel: rules failed on item %r", item.id, exc_info=True)
                problems.append(f"rules failed on item {item.id!r}: {type(exc).__name__}: {exc}")
        self._suggestions.note(problems)
        # The loaded item (off the page's path: this is the suggest thread) says which
        # suggestions fit it (boxes inside the image, spans inside the text).
        payload, _ = self._payload(index).result()
        added: list[str] = []
        if not payload.get("error"):
            for origin, frame in made:
                ids, found = self._suggestions.add(
                    item.id,
                    frame,
                    origin=origin,
                    problem=lambda row: self._suggestion_problem(payload, row),
                )
                added += ids
                problems += found
        with self._wire:
            if item.id not in self._told or not (added or problems):
                return  # the item message will carry them
            self.send(
                {
                    "type": "suggestions",
                    "item_id": item.id,
                    "suggestions": self._page_suggestions(item.id, set(added)) if added else [],
                    "problems": problems,
                }
            )

    # -- order ----------------------------------------------------------------------------------
    def _run_order(self) -> None:
        """Call ``order`` (in the order thread) and apply what it returns.

        The new permutation is worked out without holding the page's lock, then
        swapped in if the person did not move meanwhile (else worked out again).
        """
        with self._lock:
            self._order_waiting = None
        source = self._order
        try:
            if callable(source):
                scores = check_order(source(self.annotations), name="order() result")
            else:
                scores = source
            if not isinstance(scores, pd.Series):
                raise TypeError("order() must return a Series of scores by item id")
            for _attempt in range(5):
                shown = bool(self._told)
                keep = self.position if shown else -1
                perm, matched, based_on = self._visit.plan(
                    scores, skip=self._not_wanted(), keep=keep
                )
                if len(scores) and not matched and self._queue.exhausted:
                    raise ValueError(
                        f"order: none of its {len(scores)} ids is an item id "
                        f"(first: {scores.index[0]!r}; items: {self._queue.ids[:3]}...)"
                    )
                with self._wire:
                    now = self.position if self._told else -1
                    same = bool(self._told) == shown and now == keep
                    if same and self._visit.commit(perm, scores, based_on):
                        break
            else:
                with self._wire:  # the person kept moving: order while they wait a moment
                    shown = bool(self._told)
                    keep = self.position if shown else -1
                    self._visit.apply(scores, skip=self._not_wanted(), keep=keep)
        except Exception as exc:
            message = f"order failed, the previous order stays: {type(exc).__name__}: {exc}"
            log.warning("nblabel: %s", message, exc_info=True)
            self.set_trait("order_error", message)
            raise
        with self._wire:
            self.set_trait("order_error", "")
            if not shown:
                self._moving = True
                try:
                    self.position = self._first_undone()
                finally:
                    self._moving = False
                return
            self._browser_has = {p for p in self._browser_has if p <= keep}
            self.send({"type": "order", "keep": keep})
            self._prefetch(self.position)
