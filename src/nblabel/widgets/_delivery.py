"""Items to the page: loaded in a worker thread, cached, prefetched, sent once.

:class:`Delivery` is the part of :class:`nblabel.widgets._base.Annotator`
that makes and sends the ``item`` message documented there.
"""

from __future__ import annotations

import functools
import logging
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

from ._protocol import _ECHOED, Payload, _jsonable
from ._suggestions import fingerprint

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ..items import Item, ItemQueue
    from ._loop import VisitOrder
    from ._suggestions import Suggestions
    from ._team import Team

log = logging.getLogger("nblabel")


class Delivery:
    """Loading, caching, prefetching and sending items (set up by ``Annotator.__init__``)."""

    PREFETCH: ClassVar[int] = 2
    CACHE: ClassVar[int] = 8

    # Set by Annotator.__init__ (declared for the type checker).
    _queue: ItemQueue
    _visit: VisitOrder
    _lock: Any
    _wire: Any
    _cache: OrderedDict[int, Future[Payload]]
    _pool: ThreadPoolExecutor
    _browser_has: set[int]
    _sent_at: dict[int, str]
    _told: set[str]
    _errors: dict[str, str]
    _suggestions: Suggestions
    _page_fields: frozenset[str]
    _team: Team
    position: int

    if TYPE_CHECKING:

        def send(self, content: Any, buffers: Any = None) -> None: ...
        def set_trait(self, name: str, value: Any) -> None: ...
        def _load(self, item: Item) -> Payload: ...
        def _ask_suggest(self, index: int) -> None: ...
        def _read_rejections(self, item_id: str) -> None: ...
        def _item_rows(self, item_id: str) -> dict[str, dict[str, Any]]: ...
        def _to_page(self, item_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]: ...
        def _suggestion_problem(self, payload: Any, row: Any) -> str | None: ...

    def _payload(self, index: int) -> Future[Payload]:
        """The payload of the item at queue index ``index`` (loaded in the prefetch thread)."""
        with self._lock:
            future = self._cache.get(index)
            if future is None:
                future = self._pool.submit(self._load_safely, index)
                self._cache[index] = future
                while len(self._cache) > self.CACHE:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(index)
        self._ask_suggest(index)
        return future

    def _page_rows(self, item_id: str) -> list[dict[str, Any]]:
        return self._rows_to_page(item_id, self._item_rows(item_id).values())

    def _rows_to_page(
        self, item_id: str, rows: Iterable[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        """Stored rows of an item as the page takes them: set fields only (no NaN), converted."""
        fields = self._page_fields | _ECHOED
        return self._to_page(item_id, [_jsonable(r, fields) for r in rows])

    def _page_suggestions(self, item_id: str, ids: Any = None) -> list[dict[str, Any]]:
        open_ = self._suggestions.for_item(item_id, ids)
        if open_:  # what the annotator already has is not suggested again
            have = {fingerprint(r) for r in self._item_rows(item_id).values()}
            open_ = [s for s in open_ if fingerprint(s) not in have]
        return self._to_page(item_id, open_)

    def _load_safely(self, index: int) -> Payload:
        item = self._queue[index]
        try:
            meta, buffers = self._load(item)
        except Exception as exc:  # a broken item must not break the queue
            log.warning("nblabel: item %r could not be loaded: %s", item.id, exc)
            meta, buffers = {"error": f"{exc}"}, []
        error = meta.get("error")
        if error:
            self._errors[item.id] = str(error)
        else:
            found = self._suggestions.check_item(
                item.id, lambda row: self._suggestion_problem(meta, row)
            )
            if found:
                meta = {**meta, "warnings": found}
            self._read_rejections(item.id)
        return {"id": item.id, "name": item.name, "meta": dict(item.meta), **meta}, buffers

    def _send_item(self, position: int | None, *, reply: bool = False) -> int:
        """Send the item at ``position`` (None: the current one); return the position sent.

        The payload is awaited outside the lock; if the order changed meanwhile,
        the position is looked up again, so the page never gets an item at a
        position the current order gives to another.
        """
        for _ in range(8):
            where = self.position if position is None else position
            index = self._visit.index(where)
            wanted = where not in self._browser_has  # as the page said, before the wait
            payload, buffers = self._payload(index).result()
            with self._wire:
                now = self.position if position is None else position
                if now != where or self._visit.index(where) != index:
                    continue
                media = wanted or where not in self._browser_has
                self._send_payload(where, payload, buffers if media else None, reply=reply)
                return where
        raise RuntimeError("nblabel: the order kept changing while an item was sent")

    def _send_payload(
        self,
        position: int,
        payload: dict[str, Any],
        buffers: list[bytes] | None,
        *,
        reply: bool = False,
    ) -> None:
        with self._wire:
            item_id = self._visit.id_at(position)
            message = {
                "type": "item",
                "position": position,
                "item": payload,
                "rows": self._page_rows(item_id),
                "suggestions": self._page_suggestions(item_id),
                "media": buffers is not None and bool(buffers),
                "reply": reply,  # the answer to a goto: the page counts these (see session.js)
                # review=True: every annotator's rows of the item (widgets/_team.py)
                **self._team.page_rows(item_id, functools.partial(self._rows_to_page, item_id)),
            }
            self.set_trait("n_errors", len(self._errors))
            self.send(message, buffers=buffers or [])
            self._told.add(item_id)
            if buffers:
                self._browser_has.add(position)
                self._sent_at[position] = item_id

    def _prefetch(self, position: int) -> None:
        self._queue.ensure(position + self.PREFETCH)
        count = len(self._queue)
        ahead = [p for p in range(position + 1, position + 1 + self.PREFETCH) if p < count]
        if position > 0:
            ahead.append(position - 1)
        for p in ahead:
            if p in self._browser_has:
                continue
            index = self._visit.index(p)
            future = self._payload(index)
            future.add_done_callback(functools.partial(self._push, index))

    def _push(self, index: int, future: Future[Payload]) -> None:
        """Send a prefetched item to the page as soon as it is ready (from the worker)."""
        if future.cancelled():
            return
        try:
            payload, buffers = future.result()
            with self._wire:
                position = self._visit.position(index)
                if position in self._browser_has:
                    return
                self._send_payload(position, payload, buffers)
        except Exception:
            log.exception("nblabel: could not prefetch item %d", index)
