"""Which item an annotator gets next: the visiting order, and team routing on the store.

**Visiting order**, pure functions on ids, scores and sets (no widgets, no
SQL). A widget with ``order=`` visits its items as a permutation of the queue: position ``k``
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

**Team routing**, on the store. With ``overlap=k`` every item should end
with exactly ``k`` annotators. An item is *available* to annotator A while
fewer than ``k`` other annotators have labeled it (current, human rows of the
widget's kinds) or hold an unexpired lease on it. Showing an item to A takes a
lease on it (:meth:`Router.claim`); the widget renews it while A works on the
item and gives it back when A moves on (:meth:`Router.release`). The lease of
a kernel that crashed simply expires, and the item returns to the pool.

Leases live in their own table, ``nblabel_leases(item_id, annotator,
expires_at)``, created on first use in the store's database. A claim reads
the counts and writes the lease in one transaction that no other claim can
interleave with: on SQLite the store's ``BEGIN IMMEDIATE`` (one writer at a
time, across processes), on PostgreSQL a transaction-scoped advisory lock.
Times are the database's: the SQLite file's machine clock, or PostgreSQL's
``clock_timestamp()``, so kernels on different machines agree on expiry.

This module also answers "who owns these annotation ids" (:func:`owners`),
which the widgets ask before they let an edit delete or overwrite a row.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .store import Store, annotations_table

__all__ = ["DEFAULT_LEASE", "Owner", "Router", "order_scores", "owners", "visiting_order"]


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


# -- team routing: leases and overlap on the store ----------------------------------------

#: Seconds an item shown to an annotator stays theirs without being renewed.
DEFAULT_LEASE: Final = 300.0
#: Candidates examined per query while looking for an available item.
_CHUNK: Final = 256
#: PostgreSQL advisory lock that serialises claims (an arbitrary 63-bit constant).
_CLAIM_LOCK: Final = 0x6E626C6162656C01  # "nblabel" + 1

_metadata = sa.MetaData()
leases_table = sa.Table(
    "nblabel_leases",
    _metadata,
    sa.Column("item_id", sa.Text, primary_key=True),
    sa.Column("annotator", sa.Text, primary_key=True),
    # Seconds since the epoch, by the database's clock (a float compares the same everywhere).
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Index("ix_nblabel_leases_expires", "expires_at"),
)

# Engines whose leases table is known to exist (created once per engine, per process).
_ready: weakref.WeakSet[Engine] = weakref.WeakSet()
_ready_lock = threading.Lock()


def _engine(store: Store) -> Engine:
    engine = store._connect()
    with _ready_lock:
        if engine in _ready:
            return engine
        with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE, so two creators queue
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (_CLAIM_LOCK,))
            _metadata.create_all(conn, checkfirst=True)
        _ready.add(engine)
    return engine


def _reading(store: Store) -> Connection:
    """A read-only connection (SQLite: a plain BEGIN, which does not queue behind writers)."""
    return store._connect().connect().execution_options(nblabel_read=True)


def _db_now(conn: Connection) -> float:
    if conn.dialect.name == "postgresql":
        found = conn.exec_driver_sql("SELECT extract(epoch FROM clock_timestamp())").scalar_one()
        return float(found)
    return time.time()


def _chunks(values: Iterable[str], size: int = _CHUNK) -> Iterator[list[str]]:
    chunk: list[str] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(frozen=True)
class Owner:
    """Who wrote an annotation id, on which item, and whether it is deleted."""

    annotator: str
    item_id: str
    source: str
    deleted: bool


def owners(store: Store, ids: Iterable[str]) -> dict[str, Owner]:
    """The stored owner of each of ``ids`` that the store has ever held (tombstones too).

    An id the store has never seen is left out.
    """
    wanted = sorted({str(i) for i in ids})
    if not wanted or not store._exists():
        return {}
    t = annotations_table
    found: dict[str, Owner] = {}
    with _reading(store) as conn:
        for chunk in _chunks(wanted, 500):
            rows = conn.execute(
                sa.select(t.c.id, t.c.annotator, t.c.item_id, t.c.source, t.c.deleted).where(
                    t.c.id.in_(chunk)
                )
            ).all()
            for ident, annotator, item_id, source, deleted in rows:
                found[str(ident)] = Owner(str(annotator), str(item_id), str(source), bool(deleted))
    return found


class Router:
    """Leases and overlap for one annotator of one widget on a shared store.

    Parameters
    ----------
    store
        The team's store.
    annotator
        Who is labeling.
    overlap
        How many annotators each item should end with (``k >= 1``).
    lease
        Seconds an item shown to this annotator stays theirs without renewal.
    kinds
        The annotation kinds that count as "labeled" (the widget's kinds).
    """

    def __init__(
        self,
        store: Store,
        annotator: str,
        *,
        overlap: int,
        lease: float = DEFAULT_LEASE,
        kinds: Sequence[str] = ("label",),
    ) -> None:
        if isinstance(overlap, bool) or not isinstance(overlap, int) or overlap < 1:
            raise ValueError(
                f"overlap: expected a whole number of annotators >= 1, got {overlap!r}"
            )
        if isinstance(lease, bool) or not isinstance(lease, (int, float)) or not lease > 0:
            raise ValueError(f"lease: expected a number of seconds > 0, got {lease!r}")
        self.store = store
        self.annotator = annotator
        self.overlap = overlap
        self.lease = float(lease)
        self.kinds = tuple(kinds)
        self._held: set[str] = set()
        self._lock = threading.Lock()

    @property
    def held(self) -> set[str]:
        """The items this router holds a lease on."""
        with self._lock:
            return set(self._held)

    # -- counting ---------------------------------------------------------------------------
    def _others(self, conn: Connection, item_ids: list[str], now: float) -> dict[str, set[str]]:
        """item id -> the OTHER annotators who labeled it or hold an unexpired lease on it."""
        t, lt = annotations_table, leases_table
        labeled = sa.select(t.c.item_id, t.c.annotator).where(
            t.c.item_id.in_(item_ids),
            t.c.deleted.is_(False),
            t.c.source == "human",
            t.c.kind.in_(self.kinds),
            t.c.annotator != self.annotator,
        )
        leased = sa.select(lt.c.item_id, lt.c.annotator).where(
            lt.c.item_id.in_(item_ids),
            lt.c.expires_at > now,
            lt.c.annotator != self.annotator,
        )
        out: dict[str, set[str]] = {}
        for item_id, annotator in conn.execute(sa.union(labeled, leased)).all():
            out.setdefault(str(item_id), set()).add(str(annotator))
        return out

    def _labeled_by_others(self, conn: Connection, item_ids: list[str]) -> dict[str, int]:
        t = annotations_table
        query = (
            sa.select(t.c.item_id, sa.func.count(sa.distinct(t.c.annotator)))
            .where(
                t.c.item_id.in_(item_ids),
                t.c.deleted.is_(False),
                t.c.source == "human",
                t.c.kind.in_(self.kinds),
                t.c.annotator != self.annotator,
            )
            .group_by(t.c.item_id)
        )
        return {str(i): int(n) for i, n in conn.execute(query).all()}

    def available(self, item_ids: Iterable[str]) -> list[str]:
        """Those of ``item_ids`` this annotator may take now (a read; nothing is claimed)."""
        engine = _engine(self.store)
        out: list[str] = []
        with engine.connect().execution_options(nblabel_read=True) as conn:
            now = _db_now(conn)
            for chunk in _chunks(item_ids):
                others = self._others(conn, chunk, now)
                out += [i for i in chunk if len(others.get(i, ())) < self.overlap]
        return out

    def complete(self, item_ids: Iterable[str]) -> list[str]:
        """Those of ``item_ids`` that ``overlap`` other annotators have labeled (leases aside).

        Such an item can never come back to this annotator.
        """
        engine = _engine(self.store)
        out: list[str] = []
        with engine.connect().execution_options(nblabel_read=True) as conn:
            for chunk in _chunks(item_ids):
                counts = self._labeled_by_others(conn, chunk)
                out += [i for i in chunk if counts.get(i, 0) >= self.overlap]
        return out

    def annotator_counts(self, item_ids: Iterable[str]) -> dict[str, int]:
        """item id -> how many annotators (this one too) have labeled it; unlabeled left out."""
        t = annotations_table
        engine = _engine(self.store)
        out: dict[str, int] = {}
        with engine.connect().execution_options(nblabel_read=True) as conn:
            for chunk in _chunks(item_ids):
                query = (
                    sa.select(t.c.item_id, sa.func.count(sa.distinct(t.c.annotator)))
                    .where(
                        t.c.item_id.in_(chunk),
                        t.c.deleted.is_(False),
                        t.c.source == "human",
                        t.c.kind.in_(self.kinds),
                    )
                    .group_by(t.c.item_id)
                )
                out.update({str(i): int(n) for i, n in conn.execute(query).all()})
        return out

    # -- leases -----------------------------------------------------------------------------
    def claim(self, item_ids: Iterable[str]) -> str | None:
        """Take a lease on the first of ``item_ids`` available to this annotator; return it.

        ``None`` when none is available. Safe with many processes: the check and
        the lease are one transaction that no other claim interleaves with.
        Claiming an item this annotator already holds renews the lease.
        """
        engine = _engine(self.store)
        for chunk in _chunks(item_ids):
            # A read first, which does not block other writers; then each candidate is
            # checked again and leased under the lock, so two claims never both win.
            candidates = self.available(chunk)
            for item_id in candidates:
                if self._claim_one(engine, item_id):
                    return item_id
        return None

    def _claim_one(self, engine: Engine, item_id: str) -> bool:
        with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (_CLAIM_LOCK,))
            now = _db_now(conn)
            if len(self._others(conn, [item_id], now).get(item_id, ())) >= self.overlap:
                return False
            self._write_lease(conn, [item_id], now + self.lease)
        with self._lock:
            self._held.add(item_id)
        return True

    def _write_lease(self, conn: Connection, item_ids: list[str], expires: float) -> None:
        lt = leases_table
        rows = [
            {"item_id": i, "annotator": self.annotator, "expires_at": expires} for i in item_ids
        ]
        dialect = conn.dialect.name
        if dialect in ("sqlite", "postgresql"):
            from sqlalchemy.dialects import postgresql, sqlite

            insert: Any = sqlite.insert if dialect == "sqlite" else postgresql.insert
            stmt = insert(lt)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[lt.c.item_id, lt.c.annotator],
                    set_={"expires_at": stmt.excluded.expires_at},
                ),
                rows,
            )
            return
        conn.execute(
            lt.delete().where(lt.c.annotator == self.annotator, lt.c.item_id.in_(item_ids))
        )
        conn.execute(lt.insert(), rows)

    def renew(self) -> None:
        """Push back the expiry of every lease this router holds (the widget's heartbeat)."""
        held = sorted(self.held)
        if not held:
            return
        engine = _engine(self.store)
        with engine.begin() as conn:
            self._write_lease(conn, held, _db_now(conn) + self.lease)

    def release(self, item_id: str | None = None) -> None:
        """Give back the lease on ``item_id`` (every lease this router holds when None)."""
        with self._lock:
            gone = sorted(self._held) if item_id is None else [item_id]
            self._held.difference_update(gone)
        if not gone:
            return
        lt = leases_table
        engine = _engine(self.store)
        with engine.begin() as conn:
            conn.execute(
                lt.delete().where(lt.c.annotator == self.annotator, lt.c.item_id.in_(gone))
            )

    def holders(self, item_ids: Sequence[str]) -> dict[str, set[str]]:
        """item id -> everyone (this annotator too) with an unexpired lease on it."""
        lt = leases_table
        engine = _engine(self.store)
        out: dict[str, set[str]] = {}
        with engine.connect().execution_options(nblabel_read=True) as conn:
            now = _db_now(conn)
            for chunk in _chunks(item_ids):
                rows = conn.execute(
                    sa.select(lt.c.item_id, lt.c.annotator).where(
                        lt.c.item_id.in_(chunk), lt.c.expires_at > now
                    )
                ).all()
                for item_id, annotator in rows:
                    out.setdefault(str(item_id), set()).add(str(annotator))
        return out
