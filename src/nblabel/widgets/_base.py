"""What every nblabel annotator shares: the item queue, the store and the browser protocol.

The protocol (browser <-> kernel), all as anywidget custom messages:

browser -> kernel
    ``{"type": "hello", "cached": [pos, ...]}``
        a view appeared (first render or page reload); the kernel answers
        with the current item and prefetches the next ones.
    ``{"type": "goto", "position": k, "cached": [pos, ...]}``
        the person moved to item ``k``. The browser may already be showing
        it from its prefetch cache; the kernel answers with the item's
        current annotations (and its media only when not cached).
    ``{"type": "edit", "seq": s, "item_id": id, "upsert": [row, ...],
    "delete": [annotation_id, ...], "accepted": [suggestion_id, ...],
    "rejected": [suggestion_id, ...], "elapsed": seconds}``
        one finished edit (``accepted``/``rejected`` are optional: suggestions
        the person took, as the rows in ``upsert``, or dismissed). The kernel
        checks it, writes it to the store in
        one transaction, then answers ``{"type": "saved", "seq": s}``, or
        ``{"type": "rejected", "seq": s, "message": ..., "rows": [...]}``
        with the item's stored rows so the page can show the truth.

kernel -> browser
    ``{"type": "item", "position": k, "item": {...}, "rows": [...],
    "suggestions": [...], "media": bool, "reply": bool}`` with the media as
    binary buffers; ``reply`` marks the answer to a ``goto``.

The page draws every edit at once and marks it saved on ``saved``: the
store write comes first, so nothing shown as saved is ever lost.
"""

from __future__ import annotations

import functools
import getpass
import logging
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ClassVar

import anywidget
import pandas as pd
import traitlets
from ipywidgets import CallbackDispatcher

from ..items import Item
from ..store import Store
from ._suggestions import Suggestions

__all__ = ["Annotator", "Payload", "label_list_validator"]

log = logging.getLogger("nblabel")

#: An item ready for the browser: its JSON part and its binary buffers.
Payload = tuple[dict[str, Any], list[bytes]]

#: Row fields a browser may send for an annotation; the kernel fills in the rest.
_BROWSER_FIELDS = frozenset(
    {"id", "kind", "label", "x", "y", "width", "height", "points", "mask", "start", "end", "text"}
)


def _check_labels(labels: Any, name: str = "labels") -> list[str]:
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise TypeError(f"{name}: expected a list of label names, got {type(labels).__name__}")
    out: list[str] = []
    for i, label in enumerate(labels):
        if not isinstance(label, str):
            raise TypeError(f"{name}: entry {i} is a {type(label).__name__}, not a str")
        if not label.strip():
            raise ValueError(f"{name}: entry {i} is empty")
        if label in out:
            raise ValueError(f"{name}: {label!r} appears more than once")
        out.append(label)
    return out


def label_list_validator(name: str) -> Any:
    """A traitlets validator for a trait holding label names (``labels``, ``doc_labels``...).

    A list set later from Python is checked like the constructor's argument; the
    TraitError names the trait.
    """

    @traitlets.validate(name)
    def _valid(self: Any, proposal: dict[str, Any]) -> list[str]:
        try:
            return _check_labels(proposal["value"], name)
        except (TypeError, ValueError) as exc:
            raise traitlets.TraitError(str(exc)) from exc

    return _valid


def _check_store(store: Any) -> Store:
    if store is None or isinstance(store, (str, os.PathLike)):
        return Store(store)
    if isinstance(store, Store):
        return store
    raise TypeError(
        f"store: expected a path, a SQLAlchemy URL or a Store, got {type(store).__name__}"
    )


def _check_annotator(annotator: Any) -> str:
    if annotator is None:
        annotator = os.environ.get("NBLABEL_ANNOTATOR") or getpass.getuser()
    if not isinstance(annotator, str):
        raise TypeError(f"annotator: expected a name (str), got {type(annotator).__name__}")
    if not annotator.strip():
        raise ValueError("annotator: must not be empty")
    return annotator


def _jsonable(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row as the browser sees it: only its fields that are set."""
    out: dict[str, Any] = {}
    for key in _BROWSER_FIELDS | {"source", "score"}:
        value = row.get(key)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        out[key] = value
    return out


class Annotator(anywidget.AnyWidget):
    """Base of every nblabel widget: one item at a time, every edit stored before "saved".

    Subclasses set ``KINDS`` (the annotation kinds they make), implement
    :meth:`_load` (an item's payload for the browser) and may extend
    :meth:`_check_edit`.
    """

    KINDS: ClassVar[tuple[str, ...]] = ("label",)
    PREFETCH: ClassVar[int] = 2
    CACHE: ClassVar[int] = 8

    labels = traitlets.List(traitlets.Unicode(), minlen=1).tag(sync=True)
    multi_label = traitlets.Bool(False).tag(sync=True)
    advance = traitlets.Bool(True).tag(sync=True)
    annotator = traitlets.Unicode(read_only=True).tag(sync=True)
    n_items = traitlets.Int(read_only=True).tag(sync=True)
    n_done = traitlets.Int(0, read_only=True).tag(sync=True)
    n_errors = traitlets.Int(0, read_only=True).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    #: Suggestions (predictions) scoring below this are hidden in the page.
    threshold = traitlets.Float(0.0, min=0.0, max=1.0).tag(sync=True)

    def __init__(
        self,
        items: list[Item],
        *,
        labels: Sequence[str],
        annotator: str | None,
        store: Store | str | os.PathLike[str] | None,
        multi_label: bool,
        advance: bool | None,
        predictions: pd.DataFrame | None = None,
    ) -> None:
        labels_ = _check_labels(labels)
        if not labels_:
            raise ValueError("labels: give at least one label")
        if not isinstance(multi_label, bool):
            raise TypeError(f"multi_label: expected True or False, got {multi_label!r}")
        self._items = items
        self._ids = [item.id for item in items]
        self._position_of = {ident: i for i, ident in enumerate(self._ids)}
        self._store = _check_store(store)
        annotator_ = _check_annotator(annotator)
        # item_id -> {annotation id -> stored row}: what the browser is told, kept in step
        # with the store by every edit, so an edit never has to read the whole store.
        self._rows: dict[str, dict[str, dict[str, Any]]] = {}
        stored = self._store.annotations(
            annotator=annotator_, kind=list(self.KINDS), item_ids=self._ids
        )
        for record in stored.to_dict("records"):
            row = {str(k): v for k, v in record.items()}
            self._rows.setdefault(row["item_id"], {})[row["id"]] = row
        self._errors: dict[str, str] = {}
        self._suggestions = Suggestions(
            predictions,
            item_ids=self._position_of,
            kinds=self.KINDS,
            labels=self._kind_labels(labels_),
        )
        self._lock = threading.RLock()
        self._cache: OrderedDict[int, Future[Payload]] = OrderedDict()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nblabel-prefetch")
        self._browser_has: set[int] = set()
        self._moving = True  # no item messages while the traits are first set
        self._on_save = CallbackDispatcher()
        first = next((i for i, ident in enumerate(self._ids) if not self._rows.get(ident)), 0)
        super().__init__(
            labels=labels_,
            multi_label=multi_label,
            advance=(not multi_label) if advance is None else bool(advance),
            position=first,
        )
        self.set_trait("annotator", annotator_)
        self.set_trait("n_items", len(items))
        self.set_trait("n_done", sum(1 for ident in self._ids if self._rows.get(ident)))
        self._moving = False
        self.on_msg(self._on_message)

    # -- public API ---------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        """The store every edit of this widget is written to."""
        return self._store

    @property
    def item_ids(self) -> list[str]:
        """The ids of this widget's items, in queue order."""
        return list(self._ids)

    @property
    def current_item(self) -> str:
        """The id of the item on screen."""
        return self._ids[self.position]

    @property
    def errors(self) -> dict[str, str]:
        """Items that could not be shown so far: item id -> what went wrong."""
        return dict(self._errors)

    @property
    def prediction_problems(self) -> list[str]:
        """Why some rows of ``predictions`` are not shown, one message per row."""
        return list(self._suggestions.problems)

    @property
    def annotations(self) -> pd.DataFrame:
        """This widget's current annotations (this annotator, these items), read from the store."""
        return self._store.annotations(
            annotator=self.annotator, kind=list(self.KINDS), item_ids=self._ids
        )

    def on_save(self, callback: Callable[[dict[str, Any]], Any], *, remove: bool = False) -> Any:
        """Call ``callback(event)`` after each edit is stored; usable as a decorator.

        ``event`` has ``item_id``, ``upserted`` (ids) and ``deleted`` (ids).
        An exception in the callback is shown, and the edit stays saved.
        """
        self._on_save.register_callback(callback, remove=remove)
        return callback

    def next(self) -> None:
        """Show the next item."""
        self.position = min(self.position + 1, len(self._ids) - 1)

    def previous(self) -> None:
        """Show the previous item."""
        self.position = max(self.position - 1, 0)

    def close(self) -> None:
        """Close the widget's views and stop prefetching (the store keeps everything)."""
        pool = getattr(self, "_pool", None)  # absent when the constructor raised
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        super().close()

    # -- subclass hooks -----------------------------------------------------------------------
    def _load(self, item: Item) -> Payload:
        """The item's payload for the browser; record a load failure in ``payload['error']``."""
        raise NotImplementedError

    def _kind_labels(self, labels: list[str]) -> dict[str, list[str]]:
        """The labels allowed for each annotation kind (default: ``labels`` for every kind)."""
        return dict.fromkeys(self.KINDS, labels)

    def _browser_suggestions(self, item_id: str) -> list[dict[str, Any]]:
        """An item's open suggestions as the page gets them."""
        return self._suggestions.for_item(item_id)

    def _row_defaults(self, item: Item) -> dict[str, Any]:
        """Columns the kernel adds to every row of ``item`` (image size, ...)."""
        return {}

    def _suggestion_problem(self, payload: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
        """Why a prediction cannot be shown on a loaded item (``payload``), or None."""
        return None

    def _check_edit(self, item: Item, rows: list[dict[str, Any]]) -> None:
        """Raise ValueError if the item's annotations after an edit are not allowed."""
        labels = [r["label"] for r in rows if r["kind"] == "label"]
        if not self.multi_label and len(labels) > 1:
            raise ValueError(
                f"item {item.id!r} would have {len(labels)} labels {labels}, "
                f"but this widget takes one label per item"
            )
        if len(set(labels)) != len(labels):
            raise ValueError(f"item {item.id!r} would have the same label twice")

    # -- traits -------------------------------------------------------------------------------
    @traitlets.validate("position")
    def _valid_position(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not 0 <= value < len(self._ids):
            raise traitlets.TraitError(
                f"position: {value} is outside the queue (0 to {len(self._ids) - 1})"
            )
        return value

    _valid_labels = label_list_validator("labels")

    @traitlets.observe("position")
    def _position_changed(self, change: dict[str, Any]) -> None:
        if not self._moving:
            self._send_item(change["new"], with_media=change["new"] not in self._browser_has)
            self._prefetch(change["new"])

    # -- protocol -----------------------------------------------------------------------------
    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, Mapping):
            return
        kind = content.get("type")
        try:
            if kind == "hello":
                self._browser_has = {int(p) for p in content.get("cached", [])}
                self._send_item(self.position, with_media=self.position not in self._browser_has)
                self._prefetch(self.position)
            elif kind == "goto":
                self._goto(int(content["position"]), content.get("cached", []))
            elif kind == "edit":
                self._edit(content)
        except Exception:  # never let a message kill the comm; say what happened
            log.exception("nblabel: could not handle a %r message from the page", kind)

    def _goto(self, position: int, cached: Sequence[int]) -> None:
        position = max(0, min(position, len(self._ids) - 1))
        self._browser_has = {int(p) for p in cached}
        self._moving = True
        try:
            self.position = position
        finally:
            self._moving = False
        self._send_item(position, with_media=position not in self._browser_has, reply=True)
        self._prefetch(position)

    def _edit(self, content: Mapping[str, Any]) -> None:
        seq = content.get("seq")
        item_id = str(content.get("item_id"))
        position = self._position_of.get(item_id)
        if position is None:
            self.send(
                {
                    "type": "rejected",
                    "seq": seq,
                    "item_id": item_id,
                    "message": f"unknown item {item_id!r}",
                    "rows": [],
                }
            )
            return
        item = self._items[position]
        current = self._rows.get(item_id, {})
        try:
            upserts = [
                self._row_from_browser(item, r, content.get("elapsed"))
                for r in content.get("upsert", [])
            ]
            deletes = [str(i) for i in content.get("delete", [])]
            resolved = [
                str(i) for i in (*content.get("accepted", ()), *content.get("rejected", ()))
            ]
            after = {k: v for k, v in current.items() if k not in deletes}
            after.update({r["id"]: r for r in upserts})
            self._check_edit(item, list(after.values()))
            upserted, deleted = self._store.apply(upsert=upserts, delete=deletes)
        except Exception as exc:  # a bad edit or a failed write: the page must know
            log.warning("nblabel: edit on item %r not saved: %s", item_id, exc)
            message = str(exc) if repr(item_id) in str(exc) else f"item {item_id!r}: {exc}"
            self.send(
                {
                    "type": "rejected",
                    "seq": seq,
                    "item_id": item_id,
                    "message": message,
                    "rows": self._browser_rows(item_id),
                }
            )
            return
        self._suggestions.resolve(item_id, resolved)
        # n_done moves by this item alone: the work of an edit never grows with the dataset.
        self.set_trait("n_done", self.n_done + bool(after) - bool(current))
        if after:
            self._rows[item_id] = after
        else:
            self._rows.pop(item_id, None)
        self.send({"type": "saved", "seq": seq, "item_id": item_id})
        self._on_save({"item_id": item_id, "upserted": upserted, "deleted": deleted})

    def _row_from_browser(self, item: Item, row: Any, elapsed: Any) -> dict[str, Any]:
        if not isinstance(row, Mapping):
            raise TypeError("an annotation must be an object")
        # source/score come back on rows the page got from the kernel (undo): ignored.
        unknown = set(row) - _BROWSER_FIELDS - {"source", "score"}
        if unknown:
            raise ValueError(f"unknown annotation field(s) {sorted(unknown)}")
        out = {k: row[k] for k in _BROWSER_FIELDS if k in row}
        if not isinstance(out.get("id"), str) or not out["id"]:
            raise ValueError("an annotation needs an id")
        if out.get("kind") not in self.KINDS:
            raise ValueError(f"kind {out.get('kind')!r} is not one of {list(self.KINDS)}")
        allowed = self._kind_labels(list(self.labels)).get(out["kind"], [])
        if out.get("label") not in allowed:
            raise ValueError(
                f"label {out.get('label')!r} is not allowed on a {out['kind']!r} annotation "
                f"(allowed: {allowed})"
            )
        out.update(self._row_defaults(item))
        out.update(item_id=item.id, annotator=self.annotator, source="human")
        if isinstance(elapsed, (int, float)) and elapsed >= 0:
            out["elapsed"] = float(elapsed)
        return out

    # -- items and prefetch -------------------------------------------------------------------
    def _payload(self, position: int) -> Future[Payload]:
        with self._lock:
            future = self._cache.get(position)
            if future is None:
                future = self._pool.submit(self._load_safely, position)
                self._cache[position] = future
                while len(self._cache) > self.CACHE:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(position)
            return future

    def _browser_rows(self, item_id: str) -> list[dict[str, Any]]:
        return [_jsonable(r) for r in self._rows.get(item_id, {}).values()]

    def _load_safely(self, position: int) -> Payload:
        item = self._items[position]
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
        return {"id": item.id, "name": item.name, "meta": dict(item.meta), **meta}, buffers

    def _send_item(self, position: int, *, with_media: bool, reply: bool = False) -> None:
        future = self._payload(position)
        payload, buffers = future.result()
        self._send_payload(position, payload, buffers if with_media else None, reply=reply)

    def _send_payload(
        self,
        position: int,
        payload: dict[str, Any],
        buffers: list[bytes] | None,
        *,
        reply: bool = False,
    ) -> None:
        item_id = self._ids[position]
        message = {
            "type": "item",
            "position": position,
            "item": payload,
            "rows": self._browser_rows(item_id),
            "suggestions": self._browser_suggestions(item_id),
            "media": buffers is not None and bool(buffers),
            "reply": reply,  # the answer to a goto: the page counts these (see session.js)
        }
        self.set_trait("n_errors", len(self._errors))
        self.send(message, buffers=buffers or [])
        if buffers:
            self._browser_has.add(position)

    def _prefetch(self, position: int) -> None:
        ahead = [p for p in range(position + 1, position + 1 + self.PREFETCH) if p < len(self._ids)]
        if position > 0:
            ahead.append(position - 1)
        for p in ahead:
            if p in self._browser_has:
                continue
            future = self._payload(p)
            future.add_done_callback(functools.partial(self._push, p))

    def _push(self, position: int, future: Future[Payload]) -> None:
        """Send a prefetched item to the page as soon as it is ready (from the worker)."""
        if future.cancelled() or position in self._browser_has:
            return
        try:
            payload, buffers = future.result()
            self._send_payload(position, payload, buffers)
        except Exception:
            log.exception("nblabel: could not prefetch item %d", position)
