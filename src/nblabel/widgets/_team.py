"""The team side of a widget: who may write which rows, and which item comes next.

:class:`Team` is what :class:`nblabel.widgets._base.Annotator` asks at three
moments: before an edit is written (:meth:`Team.check_edit`), when the
person moves (:meth:`Team.route`, which also serves ``w.next()``), and when
the widget closes. It knows no SQL: the leases, the counts and the owners of
annotation ids come from :mod:`nblabel.routing`.

Without ``overlap`` the queue is everyone's (each person sees every item);
the ownership rules apply all the same: a widget only ever changes or deletes
its own annotator's rows of the item on screen.

With ``review=True`` the widget is a reviewer's: its queue is the items that
at least ``k`` annotators have labeled (``k`` = ``overlap``, 2 when not
given), the most contested first (as :func:`nblabel.qa.disagreements` ranks
them); each item message carries every annotator's rows (``team``); the
reviewer's rows are stored with ``source="review"`` and never replace an
annotator's; and the page's ``accept`` message stores one annotator's version
as the reviewer's in one step.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import routing
from ..items import Item, ItemQueue
from ..store import Store, new_id

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["GoldQueue", "Positions", "Team", "TeamError", "gold_queue"]

log = logging.getLogger("nblabel")


class TeamError(ValueError):
    """An edit this annotator may not make (another's rows, or an item that is not theirs)."""


class Positions:
    """A widget's positions as the team code sees them: item ids in visiting order.

    Wraps the queue and the widget's visiting order (``order=``), so routing
    moves through positions as the page does. ``ids`` is cached until the queue
    grows or the order changes.
    """

    def __init__(self, queue: ItemQueue, visit: Any) -> None:
        self._queue = queue
        self._visit = visit
        self._key: tuple[int, int] | None = None
        self._ids: list[str] = []

    @property
    def ids(self) -> list[str]:
        """Item ids known so far, in visiting order (do not modify)."""
        key = (len(self._queue), id(self._visit._maps))
        if key != self._key:
            self._ids = self._visit.ids()
            self._key = key
        return self._ids

    @property
    def exhausted(self) -> bool:
        return self._queue.exhausted

    def __len__(self) -> int:
        return len(self._queue)

    def ensure(self, position: int) -> bool:
        return self._queue.ensure(position)

    def position_of(self, item_id: str) -> int | None:
        index = self._queue.position_of(item_id)
        return None if index is None else int(self._visit.position(index))


def _check_overlap(overlap: Any) -> int | None:
    if overlap is None:
        return None
    if isinstance(overlap, bool) or not isinstance(overlap, int) or overlap < 1:
        raise ValueError(f"overlap: expected a whole number of annotators >= 1, got {overlap!r}")
    return overlap


def _check_lease(lease: Any) -> float:
    if lease is None:
        return routing.DEFAULT_LEASE
    if isinstance(lease, bool) or not isinstance(lease, (int, float)) or not lease > 0:
        raise ValueError(f"lease: expected a number of seconds > 0, got {lease!r}")
    return float(lease)


def _check_gold(gold: Any, gold_rate: Any) -> tuple[pd.DataFrame, float] | None:
    if gold is None:
        if gold_rate is not None:
            raise ValueError("gold_rate: give gold= (the known answers) too")
        return None
    if not isinstance(gold, pd.DataFrame):
        raise TypeError(f"gold: expected a DataFrame of known answers, got {type(gold).__name__}")
    missing = [c for c in ("item_id", "label") if c not in gold.columns]
    if missing:
        raise ValueError(f"gold: missing column(s) {missing}; it has {list(gold.columns)}")
    if gold.empty:
        raise ValueError("gold: no rows")
    rate = 0.1 if gold_rate is None else gold_rate
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < 1:
        raise ValueError(f"gold_rate: expected a share between 0 and 1, got {gold_rate!r}")
    return gold, float(rate)


class GoldQueue(ItemQueue):
    """A widget's queue with gold items mixed in: one in every ``1 / rate`` positions.

    Gold items come in an order of their own for each annotator (seeded by the
    name), each at most once, and not those the annotator already labeled.
    Positions are made as the queue advances, so a generator of items stays lazy.
    """

    def __init__(self, items: ItemQueue, gold: ItemQueue, *, rate: float, seed: str) -> None:
        # Not ItemQueue.__init__: the two queues hold the items; this one holds the order.
        self._items = items
        self._gold = gold
        self._sources = items._sources
        self._frame = None
        self._iter = None
        self._ids = []
        self._values = []
        self._position = {}
        self._refs: list[tuple[bool, int]] = []  # (is gold, position in its own queue)
        self._period = max(2, round(1 / rate))
        digest = hashlib.blake2b(seed.encode("utf-8"), digest_size=8).digest()
        self._random = random.Random(int.from_bytes(digest, "big"))
        self._order = list(range(len(gold)))
        self._random.shuffle(self._order)
        self._next_user = 0
        self._slot = self._random.randrange(self._period)
        # Items of known number are laid out at once (n_items is then right); a
        # generator's a chunk at a time, as the queue advances.
        self._read(2**62 if items.exhausted else self.CHUNK)

    @property
    def gold_ids(self) -> set[str]:
        """The ids of the gold items (all of them, shown or not yet)."""
        return set(self._gold.ids)

    @property
    def exhausted(self) -> bool:
        return self._items.exhausted and self._next_user >= len(self._items)

    def _append(self, gold: bool, index: int) -> None:
        queue = self._gold if gold else self._items
        self._position[queue.ids[index]] = len(self._ids)
        self._ids.append(queue.ids[index])
        self._values.append(queue.values[index])  # noqa: PD011 (ItemQueue.values, a list)
        self._refs.append((gold, index))

    def _grow(self) -> bool:
        """Add the next position; False at the end of the user's items."""
        block, offset = divmod(len(self._ids), self._period)
        if offset == 0 and block:
            self._slot = self._random.randrange(self._period)
        if offset == self._slot and self._order:
            self._append(True, self._order.pop())
            return True
        if not self._items.ensure(self._next_user):
            return False
        self._append(False, self._next_user)
        self._next_user += 1
        return True

    def ensure(self, position: int) -> bool:
        while position >= len(self._ids) and self._grow():
            pass
        return 0 <= position < len(self._ids)

    def _read(self, count: int) -> int:
        before = len(self._ids)
        while len(self._ids) < before + count and self._grow():
            pass
        return len(self._ids) - before

    def __getitem__(self, position: int) -> Item:
        if not self.ensure(position):
            raise IndexError(f"item {position} is outside the queue")
        gold, index = self._refs[position]
        return (self._gold if gold else self._items)[index]


def gold_queue(
    items: ItemQueue, gold: pd.DataFrame, *, rate: float, annotator: str, skip: Iterable[str]
) -> GoldQueue:
    """``items`` with the items of ``gold`` mixed in (see :class:`GoldQueue`).

    A gold item is what its ``item`` column holds (the path, text... as the
    widget takes items), else its ``item_id`` (a path is its own id). Gold items
    in ``skip`` (labeled by this annotator already) are left out.
    """
    skipped = {str(i) for i in skip}
    first = gold.drop_duplicates("item_id")
    first = first.loc[~first["item_id"].astype(str).isin(skipped).to_numpy()]
    ids = [str(i) for i in first["item_id"]]
    clash = [i for i in ids if items.position_of(i) is not None]
    if clash:
        raise ValueError(f"gold: item(s) {clash[:3]} are also in items; gold items are extra")
    sources = first["item"] if "item" in first.columns else first["item_id"]
    series = pd.Series(list(sources), index=ids, dtype=object)
    extra = ItemQueue(series, items._sources) if ids else None
    if extra is None:
        return GoldQueue(items, _EmptyQueue(), rate=rate, seed=annotator)
    return GoldQueue(items, extra, rate=rate, seed=annotator)


class _EmptyQueue(ItemQueue):
    """No gold left for this annotator."""

    def __init__(self) -> None:
        self._ids = []
        self._values = []
        self._position = {}
        self._iter = None


class Team:
    """Ownership checks and overlap routing for one widget.

    Parameters
    ----------
    store, annotator, kinds
        The widget's store, annotator and annotation kinds.
    overlap
        ``k``: how many annotators each item should end with; ``None`` for no routing.
    lease
        Seconds an item on screen stays this annotator's without renewal; the
        widget renews it every third of that while it is open.
    review
        A reviewer's widget: items with at least ``overlap`` (default 2)
        annotators, disagreements first; rows stored as ``source="review"``.
    gold, gold_rate
        Known answers (``item_id``, ``label``..., and ``item`` when the id is
        not the item itself) mixed into the queue as extra items, a share
        ``gold_rate`` (default 0.1) of it; see :meth:`mix`.
    """

    def __init__(
        self,
        store: Store,
        annotator: str,
        kinds: Sequence[str],
        *,
        overlap: int | None = None,
        lease: float | None = None,
        review: bool = False,
        gold: pd.DataFrame | None = None,
        gold_rate: float | None = None,
    ) -> None:
        self._gold_spec = _check_gold(gold, gold_rate)
        #: Ids of the gold items mixed into this widget's queue.
        self.gold_ids: set[str] = set()
        if not isinstance(review, bool):
            raise TypeError(f"review: expected True or False, got {review!r}")
        self.store = store
        self.annotator = annotator
        self.kinds = tuple(kinds)
        self.overlap = _check_overlap(overlap)
        self.lease = _check_lease(lease)
        self.review = review
        self.router: routing.Router | None = None
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        # review: the items to review, most contested first (read when the widget opens)
        self._order: list[str] = []
        # overlap: the items that have all their annotators (the page's "team: m complete")
        self._complete: set[str] = set()
        # review with gold: each annotator's accuracy on the gold items, for the reviewer
        self._gold_scores: dict[str, float] = {}
        if review:
            return  # a reviewer takes no leases and counts toward no overlap
        if self.overlap is not None:
            self.router = routing.Router(
                store, annotator, overlap=self.overlap, lease=self.lease, kinds=kinds
            )

    @property
    def routed(self) -> bool:
        """Whether moves go through :meth:`route` (``overlap`` given, or a review)."""
        return self.router is not None or self.review

    @property
    def source(self) -> str:
        """The ``source`` of the rows this widget writes."""
        return "review" if self.review else "human"

    def mix(self, queue: ItemQueue, done: set[str]) -> ItemQueue:
        """The widget's queue with the gold items mixed in (``queue`` itself without gold).

        Gold items are extra items, shown to each annotator at most once (not
        those in ``done``), in an order of their own per annotator; the page is
        not told which they are, and they count toward no ``overlap``.
        """
        if self._gold_spec is None or self.review:
            return queue  # a reviewer sees the annotators' scores on gold, not gold items
        gold, rate = self._gold_spec
        mixed = gold_queue(queue, gold, rate=rate, annotator=self.annotator, skip=done)
        self.gold_ids = mixed.gold_ids
        return mixed

    def _claim(self, candidates: Iterable[str]) -> str | None:
        """The first candidate this annotator may take (leased); gold items need no lease."""
        assert self.router is not None
        pending: list[str] = []
        for item_id in candidates:
            if item_id not in self.gold_ids:
                pending.append(item_id)
                if len(pending) < 256:
                    continue
            found = self.router.claim(pending) if pending else None
            pending = []
            if found is not None:
                return found
            if item_id in self.gold_ids:
                return item_id
        return self.router.claim(pending) if pending else None

    # -- who may write what -----------------------------------------------------------------
    def check_edit(
        self,
        item_id: str,
        upserts: Sequence[str],
        deletes: Sequence[str],
        *,
        labeled: bool,
    ) -> None:
        """Raise :class:`TeamError` unless this annotator may make the edit.

        ``upserts`` and ``deletes`` are annotation ids; ``labeled`` says whether
        this annotator already has rows on the item. A delete must name this
        annotator's rows of this item (ids the store never saw are ignored, as
        the store ignores them); an upsert must not reuse the id of a row made by
        someone else, on another item, or from another source than this widget's
        (a reviewer edits their review rows, an annotator their human rows). With ``overlap``,
        an item this annotator has not labeled must be theirs to take.
        """
        found = routing.owners(self.store, [*upserts, *deletes])
        for ident in deletes:
            owner = found.get(ident)
            if owner is None:
                continue
            if owner.annotator != self.annotator:
                raise TeamError(
                    f"item {item_id!r}: annotation {ident!r} was made by {owner.annotator!r}; "
                    f"annotator {self.annotator!r} may delete only their own annotations"
                )
            if owner.item_id != item_id:
                raise TeamError(
                    f"item {item_id!r}: annotation {ident!r} belongs to item {owner.item_id!r}"
                )
        for ident in upserts:
            owner = found.get(ident)
            if owner is None:
                continue
            if owner.annotator != self.annotator:
                raise TeamError(
                    f"item {item_id!r}: annotation {ident!r} was made by {owner.annotator!r}; "
                    f"annotator {self.annotator!r} may not overwrite it (give the row a new id)"
                )
            if owner.item_id != item_id:
                raise TeamError(
                    f"item {item_id!r}: annotation {ident!r} belongs to item {owner.item_id!r}"
                )
            if owner.source != self.source:  # a reviewer's own review rows are theirs to edit
                raise TeamError(
                    f"item {item_id!r}: annotation {ident!r} is a {owner.source!r} row; "
                    f"this widget writes {self.source!r} rows and may not overwrite it "
                    "(give the row a new id)"
                )
        routed = (
            self.router is not None
            and not labeled
            and (upserts or deletes)
            and item_id not in self.gold_ids
        )
        # An item this widget holds needs a read only (the heartbeat renews the lease);
        # another needs a claim, which writes a lease.
        if routed and self.router is not None and not self._may_take(item_id):
            raise TeamError(
                f"item {item_id!r} already has {self.overlap} other annotator(s) "
                f"(overlap={self.overlap}): it is not for annotator {self.annotator!r}"
            )

    def _may_take(self, item_id: str) -> bool:
        assert self.router is not None
        if item_id in self.router.held and self.router.available([item_id]):
            return True
        return self.router.claim([item_id]) is not None

    # -- routing ----------------------------------------------------------------------------
    def _candidates(
        self, queue: Positions | ItemQueue, done: set[str], start: int, *, forward: bool, wrap: bool
    ) -> Iterator[str]:
        """Ids of items this annotator has not labeled, from ``start`` on (or back)."""
        if forward:
            position = max(start, 0)
            while queue.ensure(position):
                item_id = queue.ids[position]
                if item_id not in done:
                    yield item_id
                position += 1
            if wrap:
                for position in range(min(start, len(queue))):
                    item_id = queue.ids[position]
                    if item_id not in done:
                        yield item_id
            return
        for position in range(min(start, len(queue) - 1), -1, -1):
            item_id = queue.ids[position]
            if item_id not in done:
                yield item_id

    def first(self, queue: Positions | ItemQueue, done: set[str]) -> tuple[int, bool]:
        """Where a routed widget opens, and whether nothing is left for this annotator."""
        if self.review:
            self._order = self._review_order(queue)
            left = [i for i in self._order if i not in done]
            opened = left[0] if left else (self._order[0] if self._order else None)
            position = queue.position_of(opened) if opened is not None else None
            return position or 0, not left
        assert self.router is not None
        item_id = self._claim(self._candidates(queue, done, 0, forward=True, wrap=False))
        if item_id is not None:
            position = queue.position_of(item_id)
            assert position is not None
            return position, False
        mine = next((i for i, x in enumerate(queue.ids) if x in done), 0)
        return mine, self.finished(queue, done)

    def route(
        self, queue: Positions | ItemQueue, done: set[str], current: int, target: int
    ) -> tuple[int | None, bool]:
        """Where a move from ``current`` towards ``target`` lands, and whether all is done.

        ``target`` itself when this annotator labeled it or may take it; else the
        next item they may take, searching on in the direction of the move
        (forward moves wrap around the queue). ``None`` when there is none now.
        """
        if self.review:
            return self._review_step(queue, done, current, target)
        assert self.router is not None
        if queue.ensure(target) and queue.ids[target] in done:
            return target, False
        forward = target >= current
        candidates = (
            i
            for i in self._candidates(queue, done, target, forward=forward, wrap=forward)
            if i != queue.ids[current]
        )
        item_id = self._claim(candidates)
        if item_id is None:
            return None, self.finished(queue, done)
        position = queue.position_of(item_id)
        assert position is not None
        return position, False

    def unlabeled(
        self, queue: Positions | ItemQueue, done: set[str], start: int, step: int, *, wrap: bool
    ) -> tuple[int | None, bool]:
        """The page's next (``step`` 1) or previous (-1) unlabeled key, as routing sees it.

        The nearest position past ``start`` whose item is this annotator's to
        label: not labeled by them, and (with ``overlap``) not full with other
        annotators nor leased by them (the item found is leased here); for a
        reviewer, the nearest item of the review order not reviewed yet. From
        the other end too when ``wrap``. Returns ``(position, finished)``, the
        position ``None`` when there is none now.
        """
        if self.review:
            return self._review_unlabeled(queue, done, start, step, wrap=wrap)
        assert self.router is not None
        item_id = self._claim(self._walk(queue, done, start, step, wrap=wrap))
        if item_id is None:
            return None, self.finished(queue, done)
        return queue.position_of(item_id), False

    def _walk(
        self, queue: Positions | ItemQueue, done: set[str], start: int, step: int, *, wrap: bool
    ) -> Iterator[str]:
        """Ids not labeled by this annotator, from ``start + step`` on in direction ``step``."""
        if step > 0:
            yield from self._candidates(queue, done, start + 1, forward=True, wrap=wrap)
            return
        yield from self._candidates(queue, done, start - 1, forward=False, wrap=False)
        if wrap:
            while queue.ensure(len(queue)):  # the other end: read a generator to its end
                pass
            for position in range(len(queue) - 1, max(start, 0) - 1, -1):
                item_id = queue.ids[position]
                if item_id not in done:
                    yield item_id

    def _review_unlabeled(
        self, queue: Positions | ItemQueue, done: set[str], start: int, step: int, *, wrap: bool
    ) -> tuple[int | None, bool]:
        for fresh in (False, True):
            if fresh:  # all ranked items reviewed: the annotators may have finished more since
                self._order = self._review_order(queue)
            order = self._order
            here = queue.ids[start] if queue.ensure(start) else None
            rank = order.index(here) if here in order else (-1 if step > 0 else len(order))
            if step > 0:
                seq = order[rank + 1 :] + (order[: rank + 1] if wrap else [])
            else:
                seq = order[:rank][::-1] + (order[rank:][::-1] if wrap else [])
            found = next((i for i in seq if i not in done), None)
            if found is not None:
                return queue.position_of(found), False
            if any(i not in done for i in order):
                return None, False  # some are left, only not that way
        return None, True

    def left(self, queue: Positions | ItemQueue, done: set[str]) -> int:
        """How many items are this annotator's to do now: for a reviewer, the items of the
        review not reviewed yet; with ``overlap``, those not full with others nor held by them."""
        if self.review:
            return sum(i not in done for i in self._order)
        assert self.router is not None
        undone = list(self._candidates(queue, done, 0, forward=True, wrap=False))
        gold = [i for i in undone if i in self.gold_ids]
        return len(gold) + len(self.router.available(i for i in undone if i not in self.gold_ids))

    def finished(self, queue: Positions | ItemQueue, done: set[str]) -> bool:
        """Whether no item can ever come to this annotator again (leases aside).

        Items that others hold a lease on may come back when the lease expires,
        so they keep this False.
        """
        assert self.router is not None
        undone = list(self._candidates(queue, done, 0, forward=True, wrap=False))
        if any(i in self.gold_ids for i in undone):
            return False  # a gold item is everyone's until they have seen it
        return len(self.router.complete(undone)) == len(undone)

    # -- team progress ----------------------------------------------------------------------
    def complete(self, item_ids: Sequence[str]) -> int:
        """How many of ``item_ids`` have all ``overlap`` annotators (-1 without overlap)."""
        if self.router is None:
            return -1
        k = self.router.overlap
        counts = self.router.annotator_counts(i for i in item_ids if i not in self.gold_ids)
        self._complete = {i for i, n in counts.items() if n >= k}
        return len(self._complete)

    def complete_after_edit(self, item_id: str) -> int:
        """:meth:`complete` again after an edit of one item: one query, for that item."""
        if self.router is None:
            return -1
        if item_id in self.gold_ids:
            return len(self._complete)
        counts = self.router.annotator_counts([item_id])
        if counts.get(item_id, 0) >= self.router.overlap:
            self._complete.add(item_id)
        else:
            self._complete.discard(item_id)
        return len(self._complete)

    # -- review -----------------------------------------------------------------------------
    def _team_rows(self, item_ids: Sequence[str]) -> pd.DataFrame:
        """The annotators' (human) rows of the widget's kinds on ``item_ids``, not this one's."""
        df = self.store.annotations(kind=list(self.kinds), item_ids=list(item_ids))
        human = (df["source"].astype(object) == "human").to_numpy(dtype=bool)
        others = (df["annotator"].astype(object) != self.annotator).to_numpy(dtype=bool)
        return df.loc[human & others]

    def _review_order(self, queue: Positions | ItemQueue) -> list[str]:
        """Items of the queue with at least k annotators, the most contested first."""
        k = self.overlap or 2
        if not queue.exhausted:
            raise ValueError(
                "review: a review ranks every item, so it needs items of known number "
                "(a list, Series or DataFrame), not a generator"
            )
        ids = list(queue.ids)
        rows = self._team_rows(ids)
        counts = rows.groupby("item_id", observed=True)["annotator"].nunique()
        eligible = {str(i) for i, n in counts.items() if n >= k}
        ranked: list[str] = []
        labels = rows.loc[(rows["kind"].astype(object) == "label").to_numpy(dtype=bool)]
        if len(labels):
            from ..qa.consensus import disagreements

            try:
                table = disagreements(labels, min_annotators=1)
                ranked = [str(i) for i in table["item_id"] if str(i) in eligible]
            except ValueError:  # several labels per annotator and item: no ranking
                ranked = []
        seen = set(ranked)
        self._gold_scores = self._score_gold()
        return ranked + [i for i in ids if i in eligible and i not in seen]

    def _score_gold(self) -> dict[str, float]:
        """Each annotator's accuracy on the gold items so far (a reviewer's view)."""
        if self._gold_spec is None:
            return {}
        from ..qa.consensus import gold_accuracy

        gold = self._gold_spec[0]
        rows = self._team_rows(sorted({str(i) for i in gold["item_id"]}))
        labels = rows.loc[(rows["kind"].astype(object) == "label").to_numpy(dtype=bool)]
        if labels.empty:
            return {}
        scores = gold_accuracy(labels, gold).by_annotator
        return {
            str(a): float(x) for a, x in zip(scores["annotator"], scores["accuracy"], strict=True)
        }

    def _review_step(
        self, queue: Positions | ItemQueue, done: set[str], current: int, target: int
    ) -> tuple[int | None, bool]:
        order = self._order
        left = [i for i in order if i not in done]
        here = queue.ids[current] if queue.ensure(current) else None
        rank = order.index(here) if here in order else -1
        if target >= current:
            after = [i for i in order[rank + 1 :] if i not in done]
            found = after[0] if after else next((i for i in left if i != here), None)
        else:
            before = order[:rank] if rank >= 0 else []
            found = before[-1] if before else None
        if found is None:
            if target >= current and not left:
                # Everything ranked is reviewed: the annotators may have finished more since.
                self._order = self._review_order(queue)
                if any(i not in done for i in self._order):
                    return self._review_step(queue, done, current, target)
            return None, not left
        return queue.position_of(found), False

    def page_rows(
        self, item_id: str, to_page: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
    ) -> dict[str, Any]:
        """What a review page shows beside the reviewer's own rows: every annotator's."""
        if not self.review:
            return {}
        rows = self._team_rows([item_id])
        by: dict[str, list[dict[str, Any]]] = {}
        for record in rows.to_dict("records"):
            by.setdefault(str(record["annotator"]), []).append(
                {str(k): v for k, v in record.items()}
            )
        names = sorted(by)
        team: dict[str, Any] = {"annotators": names, "rows": {n: to_page(by[n]) for n in names}}
        if self._gold_spec is not None:
            team["gold_accuracy"] = {
                n: self._gold_scores[n] for n in names if n in self._gold_scores
            }
        return {"team": team}

    def accepted(
        self, item_id: str, annotator: str, current: Mapping[str, Mapping[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """The edit that makes ``annotator``'s version of the item the reviewer's.

        Returns ``(upserts, deletes)``: copies of their rows under new ids (a
        relation's ends follow), and the reviewer's current rows of the item.
        """
        if not self.review:
            raise TeamError(f"item {item_id!r}: accepting a version is for a review (review=True)")
        rows = self._team_rows([item_id])
        mine = rows.loc[(rows["annotator"].astype(object) == annotator).to_numpy(dtype=bool)]
        if mine.empty:
            raise TeamError(f"item {item_id!r}: annotator {annotator!r} has no annotations on it")
        records = mine.to_dict("records")
        fresh = {str(r["id"]): new_id() for r in records}
        upserts: list[dict[str, Any]] = []
        for record in records:
            row = {str(k): v for k, v in record.items() if k not in ("created_at", "updated_at")}
            row["id"] = fresh[str(record["id"])]
            for end in ("from_id", "to_id"):
                if isinstance(row.get(end), str) and row[end] in fresh:
                    row[end] = fresh[row[end]]
            row.update(annotator=self.annotator, source="review")
            upserts.append(row)
        return upserts, list(current)

    def shown(self, item_id: str, done: set[str]) -> None:
        """The item on screen is now ``item_id``: hold it, give back the others."""
        if self.router is None:
            return
        for held in self.router.held - {item_id}:
            self.router.release(held)
        if item_id not in done and item_id not in self.router.held and item_id not in self.gold_ids:
            self.router.claim([item_id])  # may fail: then an edit on it is refused
        self._start_heartbeat()

    # -- heartbeat --------------------------------------------------------------------------
    def _start_heartbeat(self) -> None:
        if self._heartbeat is not None or self.router is None:
            return
        self._heartbeat = threading.Thread(
            target=self._beat, name="nblabel-lease", daemon=True, args=(self.router,)
        )
        self._heartbeat.start()

    def _beat(self, router: routing.Router) -> None:
        while not self._stop.wait(router.lease / 3):
            try:
                router.renew()
            except Exception:  # a busy or unreachable store: try again at the next beat
                log.warning("nblabel: could not renew the lease", exc_info=True)

    def close(self) -> None:
        """Stop renewing and give back every lease (the labels stay)."""
        self._stop.set()
        if self.router is not None:
            try:
                self.router.release()
            except Exception:
                log.warning("nblabel: could not give back the leases", exc_info=True)
