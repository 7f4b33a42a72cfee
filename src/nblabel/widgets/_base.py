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
        one transaction, then answers ``{"type": "saved", "seq": s,
        "saved_edits": n}`` (``n`` edits saved so far; the page copies it into
        the ``saved_edits`` trait), or
        ``{"type": "rejected", "seq": s, "message": ..., "rows": [...]}``
        with the item's stored rows so the page can show the truth.
    ``{"type": "unlabeled", "step": +1 | -1, "from": k, "wrap": bool, "cached": [...]}``
        go to the nearest item after (before) ``k`` this annotator has not
        labeled; answered as a ``goto``, or with ``{"type": "queue_end",
        "items", "done", "skipped", "left"}`` when there is none.
    ``{"type": "accept", "seq": s, "item_id": id, "annotator": name, "elapsed": seconds}``
        a reviewer (``review=True``) takes one annotator's version of the
        item; answered as an edit, then with the item again. Kept for other
        pages and callers: nblabel's own page sends an accept as one ``edit``
        instead (the reviewer's rows of the item deleted, copies of the
        annotator's rows upserted under new ids), and a merge ("take" one
        annotation) as an ``edit`` upserting one copy, so the page's undo
        (``z``) undoes them; the kernel stores a reviewer's rows with
        ``source="review"``, and a reviewer may overwrite only their own
        review rows (that is how an undo brings the earlier ones back).

kernel -> browser
    ``{"type": "item", "position": k, "item": {...}, "rows": [...],
    "suggestions": [...], "media": bool, "reply": bool}`` with the media as
    binary buffers; ``reply`` marks the answer to a ``goto``.
    ``{"type": "suggestions", "item_id": id, "suggestions": [...], "problems": [...]}``
        suggestions for an item the page was already sent, made later by
        ``suggest=`` (or a text widget's ``patterns=``) in a worker thread: the
        page adds them to the item's open suggestions and shows the problems
        (a failed ``suggest``, rows that could not be shown) as warnings.
    ``{"type": "order", "keep": k}``
        the visiting order changed (``order=``): positions up to ``k`` show the
        same items as before, later positions other items, so the page drops
        what it holds for them; the next items follow as ``item`` messages.
    A reviewer's item also has ``team``: ``{"annotators": [name, ...],
    "rows": {name: [row, ...]}}``, every annotator's rows of the item (and,
    with ``gold=``, ``"gold_accuracy": {name: share}``).

The page draws every edit at once and marks it saved on ``saved``: the
store write comes first, so nothing shown as saved is ever lost.

A widget adds message types of its own with :func:`handles` (the audio
widget's playback chunks, the video widget's frames); it never overrides the
dispatch. The rows a page may send are those of :func:`nblabel.schema.page_fields`
for the widget's kinds: the table of kinds in :mod:`nblabel.schema` is the one
place that says which fields a kind has.
"""

from __future__ import annotations

import logging
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

from .. import schema
from ..items import Item, ItemQueue
from ..store import Store
from . import _params, _static
from ._checks import (
    _check_annotator,
    _check_instructions,
    _check_labels,
    _check_store,
    label_list_validator,
)
from ._delivery import Delivery
from ._edits import Edits
from ._labels import LabelsArg, parse_labels
from ._loop import (
    CheckedOrder,
    ModelLoop,
    OrderSource,
    VisitOrder,
    check_order,
    check_reorder_every,
    check_suggest,
)
from ._protocol import Payload, _collect_handlers, handles
from ._suggestions import Suggestions
from ._team import Positions, Team

__all__ = [
    "Annotator",
    "Payload",
    "_check_labels",
    "handles",
    "label_list_validator",
]

log = logging.getLogger("nblabel")


class Annotator(Edits, Delivery, ModelLoop, anywidget.AnyWidget):
    """Base of every nblabel widget: one item at a time, every edit stored before "saved".

    The widget contract
    -------------------
    A widget family is a subclass that sets ``_esm``/``_css`` (its bundle in
    ``nblabel/static``), the class variable ``KINDS`` (every annotation kind
    the family can make, each a key of :data:`nblabel.schema.KIND_SPECS`), and
    passes to ``Annotator.__init__`` an :class:`nblabel.items.ItemQueue` and
    ``kinds=`` (the kinds this instance makes; ``KINDS`` when not given). It
    implements :meth:`_load` and, where its data needs them, these hooks; each
    has a default that suits a widget that needs nothing more:

    ``_load(item) -> (payload, buffers)``
        the item for the page (required). A failure returns
        ``{"error": message}``; it is shown, listed in ``errors``, and the queue
        goes on.
    ``_kind_labels(labels) -> {kind: [label, ...]}``
        the labels each kind may take (default: ``labels`` for every kind).
    ``_row_defaults(item) -> {column: value}``
        columns the kernel fills in on every row of the item, from the kinds'
        ``kernel`` columns (an image's size).
    ``_normalise_row(item, row) -> row``
        check and convert one row from the page, whose fields are already
        restricted to its kind's (raise ``ValueError`` naming what is wrong).
    ``_check_edit(item, rows)``
        the item's rows as they would be after an edit (raise ``ValueError``).
    ``_suggestion_problem(payload, row) -> str | None``
        why a prediction cannot be shown on the loaded item.
    ``_to_page(item_id, rows) -> rows``
        stored rows and suggestions as the page wants them (say, offsets in
        UTF-16 code units).
    ``_static_source(item) -> (source, options)``
        what :func:`nblabel.plot_item` draws for the static view saved with the
        notebook (default: the item as given, no options).
    ``_rule_suggestions(item) -> DataFrame | None``
        suggestions the widget makes itself (the text widget's ``patterns=``),
        computed with ``suggest=`` in a worker thread; only called when
        ``_has_rule_suggestions()`` is True.

    Every widget takes ``order=`` / ``reorder_every=`` (the visiting order,
    see :meth:`reorder`) and ``suggest=`` (a model's live suggestions).

    Message types of its own are methods marked with :func:`handles`.
    """

    KINDS: ClassVar[tuple[str, ...]] = ("label",)
    #: Items whose stored rows are kept in memory (the rest are read again when shown).
    ROW_CACHE: ClassVar[int] = 256
    _message_handlers: ClassVar[dict[str, str]] = {}

    labels = traitlets.List(traitlets.Unicode(), minlen=1).tag(sync=True)
    #: label name -> {"color", "hotkey", "description"} for the labels given with a spec
    label_specs = traitlets.Dict().tag(sync=True)
    #: What the annotators are asked to do: markdown or plain text, shown (as text, never
    #: HTML) above the widget, collapsible, and in the help.
    instructions = traitlets.Unicode("").tag(sync=True)
    multi_label = traitlets.Bool(False).tag(sync=True)
    advance = traitlets.Bool(True).tag(sync=True)
    annotator = traitlets.Unicode(read_only=True).tag(sync=True)
    n_items = traitlets.Int(read_only=True).tag(sync=True)
    n_done = traitlets.Int(0, read_only=True).tag(sync=True)
    n_errors = traitlets.Int(0, read_only=True).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    #: With ``overlap``: True when no item is left for this annotator (see ``next()``).
    finished = traitlets.Bool(False, read_only=True).tag(sync=True)
    #: ``review=True``: the page shows every annotator's version of the item and accept keys.
    review = traitlets.Bool(False, read_only=True).tag(sync=True)
    #: With ``overlap``: items of the queue that have all their annotators (-1 without).
    team_complete = traitlets.Int(-1, read_only=True).tag(sync=True)
    #: Suggestions (predictions) scoring below this are hidden in the page.
    threshold = traitlets.Float(0.0, min=0.0, max=1.0).tag(sync=True)
    #: Why the last re-ordering failed ("" when it worked); the previous order stays.
    order_error = traitlets.Unicode("", read_only=True).tag(sync=True)
    #: How many edits of this widget the store has saved; set by the page when it hears
    #: "saved", so that a reactive notebook (marimo) re-runs the cells that read the widget
    #: after each edit (marimo follows only trait changes that come from the page).
    saved_edits = traitlets.Int(0).tag(sync=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__doc__ = _params.expand(cls.__doc__)  # the shared parameters, written once
        cls._message_handlers = _collect_handlers(cls)
        unknown = [k for k in cls.KINDS if k not in schema.KIND_SPECS]
        if unknown:
            raise TypeError(
                f"{cls.__name__}.KINDS: {unknown} are not kinds of nblabel.schema.KIND_SPECS"
            )

    #: The page's keys of every widget (a label's hotkey may not be one of them).
    SHARED_KEYS: ClassVar[Mapping[str, str]] = {
        **{str(k): "choose the k-th label" for k in range(10)},
        "n": "next item", "p": "previous item", "z": "undo", "y": "redo", "Z": "redo",
        "u": "next unlabeled item", "U": "previous unlabeled item", "k": "skip",
        "c": "comment", "?": "help", "/": "find a label", "A": "accept a version (review)",
    }  # fmt: skip
    #: The widget page's own keys, key -> what it does.
    PAGE_KEYS: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def _reserved_keys(cls) -> dict[str, str]:
        return {**cls.SHARED_KEYS, **cls.PAGE_KEYS}

    def _start_loop_workers(self) -> None:
        """The threads of ``order=`` and ``suggest=`` (the page never waits on them)."""
        self._edits_since_order = 0
        self._order_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nblabel-order")
        self._order_waiting: Future[None] | None = None
        self._suggest_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nblabel-suggest")
        self._live: set[str] = set()  # items whose live suggestions were asked for

    @classmethod
    def _check_kinds(cls, kinds: Sequence[str] | None) -> tuple[str, ...]:
        """The kinds an instance makes: some of the family's ``KINDS`` (all when None)."""
        kinds_ = tuple(cls.KINDS if kinds is None else kinds)
        if not kinds_ or any(k not in cls.KINDS for k in kinds_):
            raise ValueError(f"kinds: {list(kinds_)} must be some of {list(cls.KINDS)}")
        return kinds_

    @classmethod
    def message_types(cls) -> list[str]:
        """The page's message types this widget handles."""
        return list(cls._message_handlers)

    def __init__(
        self,
        items: ItemQueue,
        *,
        labels: LabelsArg,
        annotator: str | None,
        store: Store | str | os.PathLike[str] | None,
        multi_label: bool,
        advance: bool | None,
        predictions: pd.DataFrame | None = None,
        kinds: Sequence[str] | None = None,
        order: OrderSource | None = None,
        reorder_every: int | None = 10,
        suggest: Callable[[Any], pd.DataFrame] | None = None,
        instructions: str | None = None,
        overlap: int | None = None,
        lease: float | None = None,
        review: bool = False,
        gold: pd.DataFrame | None = None,
        gold_rate: float | None = None,
    ) -> None:
        _check_instructions(instructions)
        names, label_specs = parse_labels(labels, reserved=self._reserved_keys())
        labels_ = _check_labels(names)
        order_ = check_order(order)
        self._reorder_every = check_reorder_every(reorder_every)
        self._suggest = check_suggest(suggest)
        if not labels_:
            raise ValueError("labels: give at least one label")
        if not isinstance(multi_label, bool):
            raise TypeError(f"multi_label: expected True or False, got {multi_label!r}")
        kinds_ = self._check_kinds(kinds)
        self._kinds = kinds_
        self._page_fields = schema.page_fields(kinds_)
        self._queue = items
        self._store = _check_store(store)
        self._owns_store = not isinstance(store, Store)  # made here: closed with the widget
        annotator_ = _check_annotator(annotator)
        self._annotator = annotator_
        # item_id -> {annotation id -> stored row}, for the items shown lately: what the page
        # is told, kept in step with the store by every edit, read from the store when an item
        # comes back after it left the cache. An edit never reads the whole store.
        self._rows: OrderedDict[str, dict[str, dict[str, Any]]] = OrderedDict()
        # Items this annotator has annotated (of this widget's kinds): one SQL aggregate at
        # open, then kept in step by each edit. Opening costs one query, not one row per item.
        self._done: set[str] = set(self._store.item_ids_done(annotator=annotator_, kinds=kinds_))
        # Team labeling (widgets/_team.py): who may write what, overlap routing, gold, review.
        self._join_team(overlap=overlap, lease=lease, review=review, gold=gold, gold_rate=gold_rate)
        self._errors: dict[str, str] = {}
        self._suggestions = Suggestions(
            predictions,
            item_ids=items.ids if items.exhausted else None,
            kinds=kinds_,
            labels=self._kind_labels(labels_),
        )
        self._lock = threading.RLock()
        # Held while a message that depends on the visiting order is made and sent, and
        # while the order changes: the page hears of positions in one consistent order.
        self._wire = threading.RLock()
        # Payloads by queue index (not position: a re-ordering leaves them valid).
        self._cache: OrderedDict[int, Future[Payload]] = OrderedDict()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nblabel-prefetch")
        self._browser_has: set[int] = set()
        self._sent_at: dict[int, str] = {}  # position -> the item whose media the page got there
        self._told: set[str] = set()  # items the page has had an item message for
        self._moving = True  # no item messages while the traits are first set
        self._on_save = CallbackDispatcher()
        self._visit = VisitOrder(self._queue)  # the queue with any gold items mixed in
        self._order: CheckedOrder | None = order_
        self._start_loop_workers()
        if isinstance(order_, pd.Series):  # scores known now: the first item is the best one
            self._visit.apply(order_, skip=self._not_wanted(), keep=-1)
        self._saved_edits = 0  # the page copies it into the saved_edits trait
        first, finished = self._team_first()
        super().__init__(
            labels=labels_,
            label_specs=label_specs,
            instructions=instructions or "",
            multi_label=multi_label,
            advance=(not multi_label) if advance is None else bool(advance),
            position=first,
        )
        self.set_trait("annotator", annotator_)
        self._team_started(first, finished)
        self._sync_counts()
        self._moving = False
        self.on_msg(self._on_message)
        if callable(order_):
            self.reorder()

    # -- team labeling (widgets/_team.py) ------------------------------------------------------
    def _join_team(self, **options: Any) -> None:
        """Ownership checks, and routing, gold or review as ``options`` ask; gold is mixed in."""
        self._team = Team(self._store, self._annotator, self._kinds, **options)
        self._queue = self._team.mix(self._queue, self._done)

    def _team_first(self) -> tuple[int, bool]:
        """Where the widget opens, and whether nothing is left for this annotator."""
        # The widget's positions (the visiting order) as the team code sees them.
        self._positions = Positions(self._queue, self._visit)
        if self._team.routed:
            return self._team.first(self._positions, self._done)
        return self._first_undone(), False

    def _team_started(self, first: int, finished: bool) -> None:
        self.set_trait("finished", finished)
        self.set_trait("review", self._team.review)
        self.set_trait("team_complete", self._team.complete(self._positions.ids))
        if self._team.routed and self._queue.ensure(first):
            self._team.shown(self._visit.id_at(first), self._done)

    # -- public API ---------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        """The store every edit of this widget is written to."""
        return self._store

    @property
    def kinds(self) -> tuple[str, ...]:
        """The annotation kinds this widget makes."""
        return self._kinds

    @property
    def item_ids(self) -> list[str]:
        """The ids of this widget's items in visiting order: ``item_ids[position]`` is shown at
        ``position`` (the queue's order unless ``order=`` says otherwise; of a generator:
        those read so far)."""
        return self._visit.ids()

    @property
    def current_item(self) -> str:
        """The id of the item on screen."""
        return self._visit.id_at(self.position)

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
            annotator=self.annotator, kind=list(self._kinds), item_ids=self._queue.ids
        )

    def on_save(self, callback: Callable[[dict[str, Any]], Any], *, remove: bool = False) -> Any:
        """Call ``callback(event)`` after each edit is stored; usable as a decorator.

        ``event`` has ``item_id``, ``upserted`` (ids) and ``deleted`` (ids).
        An exception in the callback is shown, and the edit stays saved.
        """
        self._on_save.register_callback(callback, remove=remove)
        return callback

    def next(self) -> bool:
        """Show the next item; False when there is none.

        With ``overlap``, the next item this annotator may label (the queue
        wraps around); False when none is available now, and then ``finished``
        says whether one may still come back (another kernel's lease expiring).
        """
        if self._team.routed:  # team routing (widgets/_team.py)
            target, finished = self._team.route(
                self._positions, self._done, self.position, self.position + 1
            )
            self.set_trait("finished", finished)
            self.set_trait("team_complete", self._team.complete(self._positions.ids))
            if target is None:
                return False
            self.position = target
            return True
        if self._queue.ensure(self.position + 1):
            self.position += 1
            return True
        return False

    def previous(self) -> None:
        """Show the previous item."""
        self.position = max(self.position - 1, 0)

    def close(self) -> None:
        """Close the widget's views and stop prefetching (the store keeps everything).

        A store the widget opened from a path or URL has its connections released too;
        a :class:`Store` you passed stays open for you.
        """
        for name in ("_pool", "_order_pool", "_suggest_pool"):
            pool = getattr(self, name, None)  # absent when the constructor raised
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        team = getattr(self, "_team", None)
        if team is not None:
            team.close()  # team routing: give back the leases
        if getattr(self, "_owns_store", False):
            self._store.close()
        super().close()

    # -- subclass hooks -----------------------------------------------------------------------
    def _load(self, item: Item) -> Payload:
        """The item's payload for the browser; record a load failure in ``payload['error']``."""
        raise NotImplementedError

    def _kind_labels(self, labels: list[str]) -> dict[str, list[str]]:
        """The labels allowed for each annotation kind (default: ``labels`` for every kind)."""
        return dict.fromkeys(self._kinds, labels)

    def _row_defaults(self, item: Item) -> dict[str, Any]:
        """Columns the kernel adds to every row of ``item`` (image size, ...)."""
        return {}

    def _normalise_row(self, item: Item, row: dict[str, Any]) -> dict[str, Any]:
        """Check and convert one row from the page (its fields are its kind's); raise ValueError."""
        return row

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

    def _to_page(self, item_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows (stored or suggested) of an item as the page takes them."""
        return rows

    def _static_source(self, item: Item) -> tuple[Any, dict[str, Any]]:
        """The item and options for :func:`nblabel.plot_item`, for the static view."""
        return item.source, {}

    # -- kernel-less view -------------------------------------------------------------------
    def __repr__(self) -> str:
        return _static.plain_text(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The live widget, and a static HTML view for viewers without a kernel."""
        return _static.mimebundle(self, super()._repr_mimebundle_(**kwargs))

    def _has_rule_suggestions(self) -> bool:
        """True when :meth:`_rule_suggestions` makes any (say, the text widget's patterns)."""
        return False

    def _rule_suggestions(self, item: Item) -> pd.DataFrame | None:
        """Suggestions the widget makes itself for an item, in the annotation schema."""
        return None

    # -- items --------------------------------------------------------------------------------
    def _item(self, position: int) -> Item:
        return self._queue[self._visit.index(position)]

    def _position_of(self, item_id: str) -> int | None:
        index = self._queue.position_of(item_id)
        return None if index is None else self._visit.position(index)

    def _item_rows(self, item_id: str) -> dict[str, dict[str, Any]]:
        """The item's stored rows of this annotator and widget (cached for recent items)."""
        with self._lock:
            found = self._rows.get(item_id)
            if found is not None:
                self._rows.move_to_end(item_id)
                return found
        stored = self._store.annotations(
            annotator=self._annotator, kind=list(self._kinds), item_ids=[item_id]
        )
        rows = {str(r["id"]): {str(k): v for k, v in r.items()} for r in stored.to_dict("records")}
        with self._lock:
            # Rows kept while this read was on its way (an edit, from another thread) are
            # newer than what it read: they stay, and a stale read never replaces them.
            found = self._rows.get(item_id)
            if found is not None:
                self._rows.move_to_end(item_id)
                return found
            self._keep_rows(item_id, rows)
        return rows

    def _keep_rows(self, item_id: str, rows: dict[str, dict[str, Any]]) -> None:
        with self._lock:
            self._rows[item_id] = rows
            self._rows.move_to_end(item_id)
            while len(self._rows) > self.ROW_CACHE:
                self._rows.popitem(last=False)

    def _first_undone(self, start: int = 0) -> int:
        """The first position from ``start`` this annotator has not annotated (else ``start``)."""
        position = start
        while self._queue.ensure(position):
            ids = self._visit.ids()
            for i in range(position, len(ids)):
                if ids[i] not in self._done:
                    return i
            position = len(ids)
        return start if start < len(self._queue) else 0

    def _sync_counts(self) -> None:
        ids = self._queue.ids
        count = len(self._done.intersection(ids))
        self.set_trait("n_items", len(ids))
        self.set_trait("n_done", count)

    # -- traits -------------------------------------------------------------------------------
    @traitlets.validate("position")
    def _valid_position(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not self._queue.ensure(value):
            raise traitlets.TraitError(
                f"position: {value} is outside the queue (0 to {len(self._queue) - 1})"
            )
        return value

    _valid_labels = label_list_validator("labels")

    @traitlets.observe("position")
    def _position_changed(self, change: dict[str, Any]) -> None:
        if len(self._queue) != self.n_items:
            self._sync_counts()  # a generator was read further
        self._team.shown(self._visit.id_at(change["new"]), self._done)  # team routing: the lease
        if not self._moving:
            self._send_item(change["new"])
            self._prefetch(change["new"])

    # -- protocol -----------------------------------------------------------------------------
    def _on_message(self, _widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, Mapping):
            return
        kind = content.get("type")
        name = self._message_handlers.get(kind) if isinstance(kind, str) else None
        if name is None:
            log.warning("nblabel: the page sent a message of unknown type %r", kind)
            return
        try:
            getattr(self, name)(content, buffers)
        except Exception:  # never let a message kill the comm; say what happened
            log.exception("nblabel: could not handle a %r message from the page", kind)

    @handles("hello")
    def _hello(self, content: Mapping[str, Any], _buffers: Any) -> None:
        self._browser_has = self._trusted(content.get("cached", []))
        self._prefetch(self._send_item(None))

    @handles("goto")
    def _goto(self, content: Mapping[str, Any], _buffers: Any) -> None:
        position = max(0, int(content["position"]))
        if not self._queue.ensure(position):
            position = len(self._queue) - 1
        if self._team.routed and position != self.position:  # team routing: skip others' items
            target, finished = self._team.route(
                self._positions, self._done, self.position, position
            )
            self.set_trait("finished", finished)
            position = self.position if target is None else target
        self._show(position, content.get("cached", []))

    def _show(self, position: int, cached: Any) -> None:
        """Move to ``position`` (already routed) and answer the page as a goto is answered."""
        self._browser_has = self._trusted(cached)
        self._moving = True
        try:
            self.position = position
        finally:
            self._moving = False
        self._send_item(position, reply=True)
        self._prefetch(position)

    def _trusted(self, cached: Any) -> set[int]:
        """The positions whose media the page says it holds, less those a re-ordering changed.

        The page may claim a position before it heard of a new order: a claim
        counts only if the media sent at that position was of the item now there.
        """
        out = set()
        for p in cached:
            position = int(p)
            sent = self._sent_at.get(position)
            if sent is None or (
                self._queue.ensure(position) and sent == self._visit.id_at(position)
            ):
                out.add(position)
        return out

    # -- a queue that guides ------------------------------------------------------------------
    @handles("unlabeled")
    def _goto_unlabeled(self, content: Mapping[str, Any], _buffers: Any) -> None:
        """``{"type": "unlabeled", "step": +1 | -1, "from": k, "wrap": bool, "cached": [...]}``:
        go to the nearest item after (``step`` +1) or before (-1) position ``k`` that this
        annotator has not labeled, from the other end of the queue too when ``wrap``. The
        kernel answers as it answers a goto, or with ``{"type": "queue_end", ...}`` (the
        counts of :meth:`_queue_summary`) when there is none.
        """
        step = -1 if int(content.get("step", 1)) < 0 else 1
        start = int(content.get("from", self.position))
        wrap = bool(content.get("wrap", False))
        if self._team.routed:  # an item full with others, or leased by them, is not "for me"
            target, finished = self._team.unlabeled(
                self._positions, self._done, start, step, wrap=wrap
            )
            self.set_trait("finished", finished)
        else:
            target = self._unlabeled_from(start, step)
            if target is None and wrap:
                target = self._unlabeled_from(-1 if step > 0 else len(self._queue), step)
        if target is None:
            summary = self._queue_summary()
            if self._team.routed:  # what is left is what this annotator may still take
                summary["left"] = self._team.left(self._positions, self._done)
            self.send({"type": "queue_end", "step": step, **summary})
            return
        self._show(target, content.get("cached", []))

    def _unlabeled_from(self, start: int, step: int) -> int | None:
        """The nearest position past ``start`` (in direction ``step``) not labeled yet, or None."""
        position = start + step
        while position >= 0 and self._queue.ensure(position):
            if self._visit.id_at(position) not in self._done:  # positions follow order=
                return position
            position += step
        return None

    def _queue_summary(self) -> dict[str, int]:
        """How far this annotator is: items, items labeled (skips included), skipped, left."""
        ids = self._queue.ids
        skipped = 0
        if "skip" in self._kinds:
            skips = self._store.item_ids_done(annotator=self._annotator, kinds=["skip"])
            skipped = len(skips.intersection(ids))
        done = len(self._done.intersection(ids))
        return {"items": len(ids), "done": done, "skipped": skipped, "left": len(ids) - done}


Annotator._message_handlers = _collect_handlers(Annotator)
