"""The store: where every annotation lands, durably, before the page calls it saved.

A :class:`Store` is a SQL database reached through SQLAlchemy. By default it
is a SQLite file (``./nblabel.db``) in WAL mode, created on the first write;
a team points every notebook at one PostgreSQL database instead
(``Store("postgresql+psycopg://user@host/db")``, with ``pip install
nblabel[postgres]``). Both behave the same and pass the same test-suite.

Three tables:

``nblabel_annotations``
    The current state: one row per annotation id. A deleted annotation stays
    as a tombstone (``deleted`` true) so that its history is never lost.
``nblabel_events``
    Every write ever made, in order (``op`` is ``upsert`` or ``delete``), with
    the full row as written. :meth:`Store.history` reads it.
``nblabel_meta``
    ``schema_version``. A store made by an older nblabel is upgraded in place
    on first use, in one transaction (see :data:`MIGRATIONS`).

Every method that writes commits before it returns. Every value travels as a
bound parameter; SQL text is only ever built from this module's own column
names and placeholders.

Writes are bulk operations: the rows of one call are checked a column at a
time by :func:`nblabel.schema.validate` (the one home of the row rules), then
sent in one ``executemany`` for the rows and one for the history. A few rows
given as mappings (a widget's edit) are checked by the same rules with
:func:`nblabel.schema.validate_rows`, without a DataFrame in between. Reads build
the DataFrame a column at a time and decode JSON only where a value is present.

Text containing the NUL character (``"\\x00"``) is refused on every backend
with a :class:`StoreError` naming the row and column: PostgreSQL cannot store
it in a text column, and a store must behave the same whatever its backend.

This module holds :class:`Store`; its parts live in ``nblabel._store``:
``tables`` (the layout), ``migrations`` (creating and upgrading it),
``write`` (the write path) and ``read`` (the read path).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ._store.migrations import MIGRATIONS, _make_sqlite_durable, _prepare_schema, _reason
from ._store.read import _decode, _empty, _false, _id_filter, _ids_table, _Where
from ._store.tables import (
    _ROW_COLS,
    CATEGORICAL_READS,
    SCHEMA_VERSION,
    StoreError,
    _sql_time,
    annotations_table,
    events_table,
    meta_table,
    metadata,
)
from ._store.write import (
    _batch,
    _events_sql,
    _id_list,
    _new_ids,  # noqa: F401  (benchmarks make ids in bulk with it)
    _now,
    _rows,
    _tombstone,
    _upsert_sql,
    new_id,
)

__all__ = [
    "CATEGORICAL_READS",
    "DEFAULT_PATH",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Store",
    "StoreError",
    "annotations_table",
    "events_table",
    "meta_table",
    "metadata",
    "new_id",
]

DEFAULT_PATH: Final = "nblabel.db"


def _sqlite_url(path: str | os.PathLike[str]) -> str:
    return "sqlite:///" + str(Path(path).expanduser().absolute())


def _is_url(text: str) -> bool:
    return "://" in text


def _is_sqlite(path: Path) -> bool:
    """Whether the file at ``path`` is a SQLite database, asked of SQLite itself.

    Never with ``open()``: SQLite's locks are POSIX locks, and closing any
    descriptor of the file in this process releases every lock this process
    holds on it, including those of a store already open on the same file.
    Another process would then take this one's WAL for abandoned, checkpoint
    it and delete it, and this process's later writes would go to an
    unlinked file. SQLite's own connections share their descriptors and keep
    the locks.
    """
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        con.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError:
        return False
    finally:
        con.close()
    return True


class Store:
    """Annotations, durably: a SQLite file by default, a PostgreSQL URL for teams.

    Parameters
    ----------
    location
        A path to a SQLite file (created on the first write, with its
        folder), a SQLAlchemy URL such as ``"postgresql+psycopg://ana@db/labels"``,
        or ``None`` for ``./nblabel.db``. The widgets pass their ``store=``
        argument here, so errors about it start with ``store:``.
    busy_timeout
        Seconds a SQLite writer waits for another process's write to finish.

    Examples
    --------
    >>> store = Store("labels.db")
    >>> ids = store.upsert([{"item_id": "a.jpg", "annotator": "ana",
    ...                      "kind": "label", "label": "cat"}])
    >>> store.annotations()[["item_id", "annotator", "kind", "label", "source"]]
      item_id annotator   kind label source
    0   a.jpg       ana  label   cat  human
    """

    def __init__(
        self, location: str | os.PathLike[str] | None = None, *, busy_timeout: float = 30.0
    ) -> None:
        if location is None:
            location = DEFAULT_PATH
        if isinstance(location, Store):
            raise TypeError("store: pass the Store itself, not Store(store)")
        if not isinstance(location, (str, os.PathLike)):
            raise TypeError(
                f"store: expected a file path or a SQLAlchemy URL, got {type(location).__name__}"
            )
        text = os.fspath(location)
        if not isinstance(text, str):
            raise TypeError(f"store: expected a file path or a SQLAlchemy URL, got {text!r}")
        if not text.strip():
            raise ValueError("store: must not be empty (give a file path or a SQLAlchemy URL)")
        self.url = text if _is_url(text) else _sqlite_url(text)
        try:
            url = sa.engine.make_url(self.url)
            url.get_dialect()
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
            scheme = text.split("://", 1)[0]
            raise StoreError(
                f"store: {text!r} is not a path or a database URL nblabel can use "
                f"(unknown scheme {scheme!r}); give a file path, sqlite:///path or "
                "postgresql+psycopg://user@host/database"
            ) from exc
        self._shown = url.render_as_string(hide_password=True) if not self.is_sqlite else text
        self._busy_timeout = busy_timeout
        self._engine: Engine | None = None
        self._opening = threading.Lock()
        self._check_file()

    # -- connection -------------------------------------------------------------------------
    @property
    def is_sqlite(self) -> bool:
        """Whether this store is a SQLite file (else a server database)."""
        return self.url.startswith("sqlite")

    @property
    def path(self) -> Path | None:
        """The SQLite file, or ``None`` for a server database."""
        if not self.is_sqlite:
            return None
        return Path(sa.engine.make_url(self.url).database or "")

    def __repr__(self) -> str:
        where = str(self.path) if self.path is not None else self._shown
        return f"Store({where!r})"

    def _check_file(self) -> None:
        """A folder or a file that is not SQLite, given as the store, is refused by name."""
        path = self.path
        if path is None or str(path) in ("", ":memory:"):
            return
        if path.is_dir():
            raise StoreError(
                f"store: {str(path)!r} is a folder; give a file path, "
                f"such as {str(path / DEFAULT_PATH)!r}"
            )
        if path.is_file() and path.stat().st_size > 0 and not _is_sqlite(path):
            raise StoreError(
                f"store: {str(path)!r} exists and is not a SQLite database; "
                "give a new file name or an nblabel store"
            )

    def _exists(self) -> bool:
        path = self.path
        return path is None or path.exists()

    def _connect(self) -> Engine:
        engine = self._engine
        if engine is not None:
            return engine
        # One engine per store, made once: a widget's prefetch thread reads while the
        # first edit creates the file, and two engines racing to open it would each
        # create and prepare the database, and one of them (with its pool) would leak.
        with self._opening:
            if self._engine is None:
                self._engine = self._open()
            return self._engine

    def _open(self) -> Engine:
        self._check_file()
        try:
            engine = self._create_engine()
            try:
                with engine.begin() as conn:
                    _prepare_schema(conn, self)
            except BaseException:
                engine.dispose()
                raise
        except StoreError:
            raise
        except (sa.exc.DBAPIError, OSError) as exc:
            raise StoreError(f"store: cannot open {self._shown!r}: {_reason(exc)}") from exc
        return engine

    def _create_engine(self) -> Engine:
        if self.is_sqlite:
            path = self.path
            assert path is not None
            path.parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(self.url, connect_args={"timeout": self._busy_timeout})
            _make_sqlite_durable(engine, self._busy_timeout)
            return engine
        try:
            return sa.create_engine(self.url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise StoreError(
                f"store: {self._shown!r} needs the database driver {exc.name!r}; "
                "install it with: pip install 'nblabel[postgres]'"
            ) from exc

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with (
            self._connect().connect().execution_options(nblabel_read=True) as conn,
            conn.begin(),
        ):
            yield conn

    def close(self) -> None:
        """Release the database connections (the data stays)."""
        with self._opening:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # -- writes -----------------------------------------------------------------------------
    def upsert(self, rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> list[str]:
        """Insert or update annotations; return their ids, in order.

        ``rows`` is a list of mappings of schema columns, or a DataFrame (columns
        outside the schema are ignored). ``id`` is made when missing;
        ``source`` defaults to ``"human"``; ``created_at`` of an existing
        annotation is kept unless the row gives one; ``updated_at`` is now. One
        id given twice ends with its last row (both are in the history).

        A row that breaks a rule of :func:`nblabel.schema.validate` raises
        :class:`nblabel.schema.SchemaError` naming the row (the DataFrame's
        index label; a list's position) and the column, and nothing of the
        call is written. The write is committed when this returns.
        """
        return self._apply(rows, (), rows_arg="rows", ids_arg="ids")[0]

    def delete(self, ids: str | Iterable[str]) -> int:
        """Delete annotations by id; return how many were live.

        A delete is a tombstone: the row leaves :meth:`annotations` but stays
        in :meth:`history`. Unknown or already deleted ids are ignored.
        """
        return len(self._apply((), ids, rows_arg="rows", ids_arg="ids")[1])

    def apply(
        self,
        *,
        upsert: Iterable[Mapping[str, Any]] | pd.DataFrame = (),
        delete: str | Iterable[str] = (),
    ) -> tuple[list[str], list[str]]:
        """Upsert some annotations and tombstone others in one transaction.

        This is what a widget calls for one finished edit (say, a label
        changed from "cat" to "dog"): either all of it is stored or none.
        Returns ``(upserted_ids, deleted_ids)``; ``deleted_ids`` lists only the
        ids that were live. One id in both ``upsert`` and ``delete`` has no
        single meaning and raises :class:`StoreError` naming it.
        """
        return self._apply(upsert, delete, rows_arg="upsert", ids_arg="delete")

    def _apply(
        self, rows: Any, ids: Any, *, rows_arg: str, ids_arg: str
    ) -> tuple[list[str], list[str]]:
        given = _rows(rows, rows_arg)
        id_list = _id_list(ids, ids_arg)
        if given is None and not id_list:
            return [], []
        if given is None and not self._exists():
            return [], []
        now = _now()
        batch = _batch(given) if given is not None else None
        if batch is not None and id_list:
            both = sorted(set(batch.ids) & set(id_list))
            if both:
                raise StoreError(
                    f"{rows_arg}/{ids_arg}: annotation id(s) {both[:5]} are both upserted and "
                    "deleted in one call; send either the new row or the delete"
                )
        engine = self._connect()
        dialect = engine.dialect
        with engine.begin() as conn:
            gone = _tombstone(conn, id_list, now) if id_list else []
            events = [("delete", _sql_time(now, dialect), *row) for row in gone]
            if batch is not None:
                values = batch.sql_rows(now, dialect)
                if values:
                    conn.exec_driver_sql(_upsert_sql(dialect), [(*v, k) for v, k in values])
                    stamp = _sql_time(now, dialect)
                    events += [("upsert", stamp, *v) for v, _ in values]
            if events:
                conn.exec_driver_sql(_events_sql(dialect), events)
        return (batch.ids if batch is not None else []), [row[0] for row in gone]

    # -- reads ------------------------------------------------------------------------------
    def annotations(
        self,
        *,
        annotator: str | Sequence[str] | None = None,
        item_ids: Iterable[Any] | None = None,
        kind: str | Sequence[str] | None = None,
        label: str | Sequence[str] | None = None,
        since: Any = None,
    ) -> pd.DataFrame:
        """The current annotations (tombstones left out) as a DataFrame in the schema.

        Every filter runs in SQL. ``annotator``, ``kind`` and ``label`` take one
        value or a list; ``item_ids`` any iterable of ids (compared as text; a
        long list goes through a temporary table, so a handful of ids costs
        one indexed lookup and a million one join). ``since`` (a datetime, a
        pandas Timestamp or an ISO string; naive means UTC) keeps annotations
        changed at or after that time: keep the largest ``updated_at`` you
        have seen and pass it next time to read only what changed; deletes
        are in :meth:`history` with the same ``since``.

        Rows come oldest first (``created_at``, then ``id``) with a fresh
        RangeIndex. The columns have the schema's dtypes, except that
        ``item_id``, ``annotator`` and ``label`` (like ``kind`` and ``source``)
        are pandas categoricals (:data:`CATEGORICAL_READS`): they compare, group
        and print like text, and :mod:`nblabel.qa` uses their codes directly,
        which makes agreement on a million rows several times faster. To write a
        label that is not among a column's categories into a cell, first
        convert it: ``df["label"] = df["label"].astype(object)``.
        """
        where = _Where()
        where.add("deleted", "=", False)
        where.values("annotator", annotator, "annotator")
        where.values("kind", kind, "kind")
        where.values("label", label, "label")
        where.since("updated_at", since)
        ids = _id_filter(item_ids)
        return self._read("nblabel_annotations", where, ids, order='"created_at", "id"')

    def history(self, *, item_ids: Iterable[Any] | None = None, since: Any = None) -> pd.DataFrame:
        """Every write ever made, oldest first: ``seq``, ``op``, ``recorded_at``, then the schema.

        ``op`` is ``upsert`` or ``delete``; a delete row holds the annotation as it
        was. ``since`` keeps writes recorded at or after that time.
        """
        where = _Where()
        where.since("recorded_at", since)
        return self._read(
            "nblabel_events",
            where,
            _id_filter(item_ids),
            order='"seq"',
            extra=("seq", "op", "recorded_at"),
        )

    def annotators(self) -> list[str]:
        """Everyone (and every model) with at least one current annotation."""
        if not self._exists():
            return []
        with self._reading() as conn:
            found = conn.exec_driver_sql(
                "SELECT DISTINCT annotator FROM nblabel_annotations "
                f"WHERE deleted = {_false(conn)} ORDER BY annotator"
            ).all()
        return [r[0] for r in found]

    def item_ids_done(
        self,
        *,
        annotator: str | Sequence[str] | None = None,
        kinds: str | Sequence[str] | None = None,
        item_ids: Iterable[Any] | None = None,
    ) -> set[str]:
        """The item ids that have at least one current annotation, from SQL alone.

        Filters as in :meth:`annotations`: by ``annotator``, by ``kinds`` (one
        kind or a list) and to the given ``item_ids``. No annotation row is
        loaded: this is how a widget over a million items learns which are done.
        """
        sql, params, ids = self._done_query("DISTINCT item_id", annotator, kinds, item_ids)
        if sql is None:
            return set()
        with self._reading() as conn, _ids_table(conn, ids):
            return {r[0] for r in conn.exec_driver_sql(sql, params)}

    def count_done(
        self,
        *,
        annotator: str | Sequence[str] | None = None,
        kinds: str | Sequence[str] | None = None,
        item_ids: Iterable[Any] | None = None,
    ) -> int:
        """How many items have at least one current annotation (one SQL aggregate).

        Takes the filters of :meth:`item_ids_done` and returns ``len`` of its
        answer without sending the ids.
        """
        sql, params, ids = self._done_query("COUNT(DISTINCT item_id)", annotator, kinds, item_ids)
        if sql is None:
            return 0
        with self._reading() as conn, _ids_table(conn, ids):
            return int(conn.exec_driver_sql(sql, params).scalar_one())

    def _done_query(
        self, what: str, annotator: Any, kinds: Any, item_ids: Any
    ) -> tuple[str | None, tuple[Any, ...], list[str] | None]:
        ids = _id_filter(item_ids)
        if not self._exists() or (ids is not None and not ids):
            return None, (), ids
        where = _Where()
        where.add("deleted", "=", False)
        where.values("annotator", annotator, "annotator")
        where.values("kind", kinds, "kinds")
        dialect = self._connect().dialect
        clause, params = where.sql(dialect, ids)
        return f"SELECT {what} FROM nblabel_annotations WHERE {clause}", params, ids

    def _read(
        self,
        table: str,
        where: _Where,
        ids: list[str] | None,
        *,
        order: str,
        extra: Sequence[str] = (),
    ) -> pd.DataFrame:
        if not self._exists() or (ids is not None and not ids):
            return _empty(extra)
        keys = [*extra, *_ROW_COLS]
        engine = self._connect()
        clause, params = where.sql(engine.dialect, ids)
        columns = ", ".join(f'"{k}"' for k in keys)
        sql = f"SELECT {columns} FROM {table} WHERE {clause} ORDER BY {order}"
        with self._reading() as conn, _ids_table(conn, ids):
            rows = conn.exec_driver_sql(sql, params).all()
        return _decode(rows, keys, extra)
