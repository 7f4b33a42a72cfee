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
sent in one ``executemany`` for the rows and one for the history. Reads build
the DataFrame a column at a time and decode JSON only where a value is present.

Text containing the NUL character (``"\\x00"``) is refused on every backend
with a :class:`StoreError` naming the row and column: PostgreSQL cannot store
it in a text column, and a store must behave the same whatever its backend.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import schema

__all__ = [
    "CATEGORICAL_READS",
    "DEFAULT_PATH",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Store",
    "StoreError",
    "new_id",
]

DEFAULT_PATH: Final = "nblabel.db"
#: The layout this nblabel writes. 1: first release; 2: columns from_id, to_id,
#: frame, track_id, outside, extra; 3: indexes for incremental reads and for
#: counting done items without loading rows (replacing the annotator/item one).
SCHEMA_VERSION: Final = 3

_FLOAT_COLS: Final = tuple(c.name for c in schema.COLUMNS if c.dtype == "float")
_INT_COLS: Final = tuple(c.name for c in schema.COLUMNS if c.dtype == "int")
_STR_COLS: Final = tuple(
    c.name for c in schema.COLUMNS if c.dtype in ("str", "category") and c.name != "id"
)
_BOOL_COLS: Final = tuple(c.name for c in schema.COLUMNS if c.dtype == "bool")
_JSON_COLS: Final = tuple(c.name for c in schema.COLUMNS if c.dtype == "object")
_TIME_COLS: Final = ("created_at", "updated_at")
_TEXT_COLS: Final = tuple(c.name for c in schema.COLUMNS if c.dtype == "str")
#: Filters given as a list longer than this go through a temporary table.
_IN_LIMIT: Final = 500
#: Text columns that reads return as pandas categoricals: few distinct values
#: repeated over many rows, so QA works on their codes without hashing text.
CATEGORICAL_READS: Final = ("item_id", "annotator", "label")
#: Key of the PostgreSQL advisory lock held while a store is created or migrated.
_LOCK_KEY: Final = 0x6E626C6162656C  # "nblabel"


class StoreError(RuntimeError):
    """A write or read could not be done; the message says which and why."""


def new_id() -> str:
    """A fresh annotation id (a uuid4 as 32 hex digits)."""
    return _new_ids(1)[0]


def _new_ids(n: int) -> list[str]:
    """``n`` fresh uuid4 hex ids, made in one go (a million in well under a second)."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw.tobytes().hex()
    return [text[i : i + 32] for i in range(0, 32 * n, 32)]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _columns() -> list[sa.Column[Any]]:
    cols: list[sa.Column[Any]] = [
        sa.Column("item_id", sa.Text, nullable=False),
        sa.Column("annotator", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
    ]
    cols += [sa.Column(n, sa.Float, nullable=True) for n in _FLOAT_COLS]
    cols += [sa.Column(n, sa.Integer, nullable=True) for n in _INT_COLS]
    cols += [sa.Column(n, sa.Boolean, nullable=True) for n in _BOOL_COLS]
    cols += [sa.Column(n, sa.Text, nullable=True) for n in _JSON_COLS]
    cols += [
        sa.Column(n, sa.Text, nullable=True)
        for n in _STR_COLS
        if n not in ("item_id", "annotator", "kind", "label", "source")
    ]
    cols += [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]
    return cols


metadata = sa.MetaData()
annotations_table = sa.Table(
    "nblabel_annotations",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    *_columns(),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("version", sa.Integer, nullable=False, default=1),
    # Covers "which items has this annotator done" (item_ids_done, count_done): the
    # answer is read from the index alone, without visiting a row.
    sa.Index("ix_nblabel_annotations_done", "annotator", "item_id", "kind", "deleted"),
    sa.Index("ix_nblabel_annotations_item", "item_id"),
    sa.Index("ix_nblabel_annotations_updated", "updated_at"),
)
events_table = sa.Table(
    "nblabel_events",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("op", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("id", sa.Text, nullable=False),
    *_columns(),
    sa.Index("ix_nblabel_events_id", "id"),
    sa.Index("ix_nblabel_events_recorded", "recorded_at"),
)
meta_table = sa.Table(
    "nblabel_meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: The stored columns of one annotation, in table order (``id`` first).
_ROW_COLS: Final = tuple(
    c.name for c in annotations_table.columns if c.name not in ("deleted", "version")
)


# -- migrations ---------------------------------------------------------------------------


def _add_columns(conn: Connection, columns: Mapping[str, sa.types.TypeEngine[Any]]) -> None:
    inspector = sa.inspect(conn)
    for table in ("nblabel_annotations", "nblabel_events"):
        have = {c["name"] for c in inspector.get_columns(table)}
        for name, kind in columns.items():
            if name not in have:
                sql_type = kind.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f'ALTER TABLE {table} ADD COLUMN "{name}" {sql_type}')


def _to_v2(conn: Connection) -> None:
    """Version 2: the columns of points, relations, tracks and imported extras."""
    _add_columns(
        conn,
        {
            "frame": sa.Integer(),
            "outside": sa.Boolean(),
            "extra": sa.Text(),
            "from_id": sa.Text(),
            "to_id": sa.Text(),
            "track_id": sa.Text(),
        },
    )


def _to_v3(conn: Connection) -> None:
    """Version 3: indexes for ``since=`` reads and for done items from the index alone."""
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_nblabel_annotations_annotator_item")
    for table in (annotations_table, events_table):
        for index in table.indexes:
            index.create(conn, checkfirst=True)


#: Upgrades, in order: ``(version it brings the store to, function)``. Each runs
#: in the one transaction that also records the new ``schema_version``.
MIGRATIONS: Final[tuple[tuple[int, Callable[[Connection], None]], ...]] = (
    (2, _to_v2),
    (3, _to_v3),
)


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
    >>> store = Store("labels.db")                          # doctest: +SKIP
    >>> store.upsert([{"item_id": "a.jpg", "annotator": "ana",
    ...                "kind": "label", "label": "cat"}])   # doctest: +SKIP
    >>> store.annotations()                                 # doctest: +SKIP
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
        if self._engine is not None:
            return self._engine
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
        self._engine = engine
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
        frame = _frame(rows, rows_arg)
        id_list = _id_list(ids, ids_arg)
        if frame is None and not id_list:
            return [], []
        if frame is None and not self._exists():
            return [], []
        now = _now()
        batch = _Batch(frame) if frame is not None else None
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
            out = schema.empty()
            for name in CATEGORICAL_READS:
                out[name] = out[name].astype("category")
            for name in extra:
                out[name] = pd.Series(dtype="Int64" if name == "seq" else object)
            if "recorded_at" in extra:
                out["recorded_at"] = pd.Series(dtype="datetime64[ns, UTC]")
            return out[[*extra, *schema.COLUMN_NAMES]]
        keys = [*extra, *_ROW_COLS]
        engine = self._connect()
        clause, params = where.sql(engine.dialect, ids)
        columns = ", ".join(f'"{k}"' for k in keys)
        sql = f"SELECT {columns} FROM {table} WHERE {clause} ORDER BY {order}"
        with self._reading() as conn, _ids_table(conn, ids):
            rows = conn.exec_driver_sql(sql, params).all()
        return _decode(rows, keys, extra)


# -- reading ------------------------------------------------------------------------------


def _false(conn: Connection) -> str:
    return "0" if conn.dialect.name == "sqlite" else "FALSE"


def _param(dialect: sa.engine.Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


def _id_filter(item_ids: Iterable[Any] | None) -> list[str] | None:
    if item_ids is None:
        return None
    if isinstance(item_ids, (str, bytes)) or not isinstance(item_ids, Iterable):
        raise TypeError(
            f"item_ids: expected a list of item ids, got {type(item_ids).__name__}"
            + (f" {item_ids!r}; wrap one id in a list" if isinstance(item_ids, str) else "")
        )
    return list(dict.fromkeys(str(i) for i in item_ids))


class _Where:
    """A WHERE clause made of this module's column names and bound parameters."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str, Any]] = []

    def add(self, column: str, op: str, value: Any) -> None:
        self.parts.append((column, op, value))

    def values(self, column: str, value: Any, argument: str) -> None:
        if value is None:
            return
        if isinstance(value, str):
            self.add(column, "in", [value])
            return
        if not isinstance(value, Iterable) or isinstance(value, (bytes, Mapping)):
            raise TypeError(
                f"{argument}: expected a name or a list of names, got {type(value).__name__}"
            )
        self.add(column, "in", [str(v) for v in value])

    def since(self, column: str, value: Any) -> None:
        if value is None:
            return
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"since: {value!r} is not a date/time") from exc
        if pd.isna(stamp):
            raise ValueError(f"since: {value!r} is not a date/time")
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        self.add(column, ">=", stamp.to_pydatetime())

    def sql(self, dialect: sa.engine.Dialect, ids: list[str] | None) -> tuple[str, tuple[Any, ...]]:
        p = _param(dialect)
        text: list[str] = []
        params: list[Any] = []
        for column, op, value in self.parts:
            if op == "in":
                if not value:
                    text.append("1 = 0")
                    continue
                text.append(f'"{column}" IN ({", ".join([p] * len(value))})')
                params.extend(value)
            elif isinstance(value, datetime):
                text.append(f'"{column}" {op} {p}')
                params.append(_sql_time(value, dialect))
            elif isinstance(value, bool):  # a literal: SQLite keeps booleans as 0/1
                literal = ("1" if value else "0") if dialect.name == "sqlite" else str(value)
                text.append(f'"{column}" {op} {literal}')
            else:
                text.append(f'"{column}" {op} {p}')
                params.append(value)
        if ids is not None:
            if len(ids) <= _IN_LIMIT:
                text.append(f'"item_id" IN ({", ".join([p] * len(ids))})')
                params.extend(ids)
            else:
                text.append('"item_id" IN (SELECT item_id FROM nblabel_ids)')
        return (" AND ".join(text) or "1 = 1"), tuple(params)


@contextmanager
def _ids_table(conn: Connection, ids: list[str] | None) -> Iterator[None]:
    """A temporary table ``nblabel_ids`` holding a long id list for one query."""
    if ids is None or len(ids) <= _IN_LIMIT:
        yield
        return
    sqlite = conn.dialect.name == "sqlite"
    conn.exec_driver_sql(
        "CREATE TEMP TABLE nblabel_ids (item_id TEXT PRIMARY KEY)"
        + ("" if sqlite else " ON COMMIT DROP")
    )
    try:
        conn.exec_driver_sql(
            f"INSERT INTO nblabel_ids (item_id) VALUES ({_param(conn.dialect)})",
            [(i,) for i in ids],
        )
        yield
    finally:
        if sqlite:
            conn.exec_driver_sql("DROP TABLE temp.nblabel_ids")


def _decode(rows: Sequence[Any], keys: Sequence[str], extra: Sequence[str]) -> pd.DataFrame:
    """Rows as the driver returns them -> a DataFrame in the schema, a column at a time."""
    n = len(rows)
    if n:
        transposed = zip(*rows, strict=True)
        columns = dict(zip(keys, (np.array(c, dtype=object) for c in transposed), strict=True))
    else:
        columns = {k: np.empty(0, dtype=object) for k in keys}
    out: dict[str, Any] = {}
    for name in extra:
        if name == "seq":
            out[name] = pd.array(columns[name], dtype="Int64")
        elif name == "recorded_at":
            out[name] = _times(columns[name])
        else:
            out[name] = columns[name]
    for name in schema.COLUMN_NAMES:
        values = columns[name]
        dtype = schema.DTYPES[name]
        if name in _FLOAT_COLS:
            out[name] = values.astype("float64") if n else np.empty(0)
        elif name in _INT_COLS:
            out[name] = pd.array(values, dtype="Int64")
        elif name in _BOOL_COLS:
            out[name] = pd.array(values, dtype="boolean")
        elif name in _JSON_COLS:
            present = pd.notna(values) if n else np.zeros(0, dtype=bool)
            for i in np.flatnonzero(present):  # only where a value is present
                values[i] = json.loads(values[i])
            out[name] = values
        elif name in _TIME_COLS:
            out[name] = _times(values)
        elif isinstance(dtype, pd.CategoricalDtype):
            out[name] = pd.Categorical(values, dtype=dtype)
        elif name in CATEGORICAL_READS:
            out[name] = pd.Categorical(values)
        else:
            out[name] = values
    frame = pd.DataFrame(out, copy=False)
    for name in schema.COLUMN_NAMES:  # object columns stay object under pandas 3
        if (
            schema.DTYPES[name] is object
            and name not in CATEGORICAL_READS
            and frame[name].dtype != object
        ):
            frame[name] = frame[name].astype(object)
    return frame


def _times(values: np.ndarray[Any, Any]) -> pd.DatetimeIndex:
    if len(values) and isinstance(values[0], str):  # SQLite keeps ISO text (UTC)
        return pd.to_datetime(values, utc=True, format="ISO8601").as_unit("ns")
    return pd.to_datetime(values, utc=True).as_unit("ns")


# -- writing ------------------------------------------------------------------------------


def _frame(rows: Any, argument: str) -> pd.DataFrame | None:
    """The rows of an upsert as a DataFrame of schema columns (None when there are none)."""
    if isinstance(rows, pd.DataFrame):
        keep = [c for c in rows.columns if c in schema.COLUMN_NAMES]
        return rows.loc[:, keep].copy() if len(rows) else None
    if rows is None or isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
        raise TypeError(
            f"{argument}: expected a list of mappings or a DataFrame, got {type(rows).__name__}"
        )
    if isinstance(rows, Mapping):
        raise TypeError(
            f"{argument}: expected a list of mappings or a DataFrame, got a single mapping; "
            "wrap it in a list"
        )
    records = list(rows)
    if not records:
        return None
    keys: set[str] = set()
    for position, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise TypeError(
                f"{argument}: row {position} is a {type(record).__name__}, not a mapping"
            )
        keys.update(record)
    unknown = keys - set(schema.COLUMN_NAMES)
    if unknown:
        position = next(i for i, r in enumerate(records) if not set(r) <= set(schema.COLUMN_NAMES))
        found = sorted(str(k) for k in set(records[position]) - set(schema.COLUMN_NAMES))
        raise schema.SchemaError(
            f"unknown column(s) {found}; known columns are {list(schema.COLUMN_NAMES)}",
            row=position,
        )
    return pd.DataFrame.from_records(records, columns=[c for c in schema.COLUMN_NAMES if c in keys])


def _id_list(ids: Any, argument: str) -> list[str]:
    if isinstance(ids, str):
        return [ids]
    if ids is None or isinstance(ids, (bytes, Mapping)) or not isinstance(ids, Iterable):
        raise TypeError(
            f"{argument}: expected an annotation id (str) or a list of ids, "
            f"got {type(ids).__name__}"
        )
    return list(dict.fromkeys(str(i) for i in ids))


class _Batch:
    """The rows of one upsert, checked by the schema and made into SQL values."""

    def __init__(self, frame: pd.DataFrame) -> None:
        n = len(frame)
        if "id" in frame.columns:
            missing = frame["id"].isna().to_numpy(dtype=bool)
            if missing.any():
                ids = frame["id"].to_numpy(dtype=object, copy=True)
                ids[missing] = _new_ids(int(missing.sum()))
                frame["id"] = ids
        else:
            frame["id"] = _new_ids(n)
        if "source" in frame.columns:
            frame["source"] = frame["source"].astype(object).where(frame["source"].notna(), "human")
        else:
            frame["source"] = "human"
        if "created_at" in frame.columns:
            self.keep_created = frame["created_at"].isna().to_numpy(dtype=bool)
        else:
            self.keep_created = np.ones(n, dtype=bool)
        checked = schema.validate(frame, unique_ids=False)
        for name in _TEXT_COLS:
            _refuse_nul(checked[name], name)
        self.frame = checked
        self.ids: list[str] = checked["id"].tolist()

    def sql_rows(self, now: datetime, dialect: sa.engine.Dialect) -> list[tuple[Any, bool]]:
        """One tuple of values per row in ``_ROW_COLS`` order, and its keep-created flag."""
        df = self.frame
        stamp = _sql_time(now, dialect)
        columns: list[list[Any]] = []
        for name in _ROW_COLS:
            series = df[name]
            if name == "created_at":
                values = np.full(len(df), stamp, dtype=object)
                given = ~self.keep_created
                if given.any():
                    values[given] = _sql_times(series.to_numpy()[given], dialect)
                columns.append(values.tolist())
            elif name == "updated_at":
                columns.append([stamp] * len(df))
            else:
                columns.append(_sql_values(series, name))
        return list(zip(zip(*columns, strict=True), self.keep_created.tolist(), strict=True))


def _refuse_nul(series: pd.Series, name: str) -> None:
    values = series.to_numpy(dtype=object)
    present = values[pd.notna(values)] if len(values) else values
    if "\x00" not in "".join(present):
        return
    has = np.fromiter(
        (isinstance(v, str) and "\x00" in v for v in values), dtype=bool, count=len(values)
    )
    row = series.index[has][0]
    if isinstance(row, np.generic):
        row = row.item()
    raise StoreError(
        f"row {row!r}, column {name!r}: text contains a NUL character ('\\x00'), which "
        "PostgreSQL cannot store; nblabel refuses it on every backend. Remove it, e.g. "
        "with .str.replace('\\x00', '')"
    )


def _sql_values(series: pd.Series, name: str) -> list[Any]:
    """A checked column as plain Python values, None where missing."""
    if name in _FLOAT_COLS:
        arr = series.to_numpy(dtype="float64")
        out = arr.astype(object)
        out[np.isnan(arr)] = None
        return list(out.tolist())
    if name in _INT_COLS or name in _BOOL_COLS:
        missing = series.isna().to_numpy(dtype=bool)
        if missing.all():
            return [None] * len(series)
        kind = "int64" if name in _INT_COLS else bool
        out = np.array(series.to_numpy(dtype=kind, na_value=0).tolist(), dtype=object)
        out[missing] = None
        return list(out.tolist())
    if name in _JSON_COLS:
        out = np.full(len(series), None, dtype=object)
        present = series.notna().to_numpy(dtype=bool)
        if present.any():
            out[present] = [
                json.dumps(_plain(v), separators=(",", ":")) for v in series.to_numpy()[present]
            ]
        return list(out.tolist())
    values = series.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return list(values.tolist())


def _sql_time(value: datetime, dialect: sa.engine.Dialect) -> Any:
    """A UTC datetime as the driver stores it (SQLite: the text SQLAlchemy writes)."""
    if dialect.name == "sqlite":
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _sql_times(values: np.ndarray[Any, Any], dialect: sa.engine.Dialect) -> list[Any]:
    stamps = pd.DatetimeIndex(values).tz_convert("UTC")
    if dialect.name == "sqlite":
        text = np.datetime_as_string(stamps.tz_localize(None).to_numpy("datetime64[us]"), "us")
        return [t.replace("T", " ") for t in text.tolist()]
    return list(stamps.to_pydatetime())


def _plain(value: Any) -> Any:
    """numpy arrays and scalars inside points/masks/extra as plain JSON values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("ascii")
    return value


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _upsert_sql(dialect: sa.engine.Dialect) -> str:
    p = _param(dialect)
    false = "0" if dialect.name == "sqlite" else "FALSE"
    t = "nblabel_annotations"
    sets = [f'"{c}" = excluded."{c}"' for c in _ROW_COLS if c not in ("id", "created_at")]
    sets.append(
        f'"created_at" = CASE WHEN {p} THEN {t}."created_at" ELSE excluded."created_at" END'
    )
    sets += [f'"deleted" = {false}', f'"version" = {t}."version" + 1']
    return (
        f'INSERT INTO {t} ({_quoted(_ROW_COLS)}, "deleted", "version") '
        f"VALUES ({', '.join([p] * len(_ROW_COLS))}, {false}, 1) "
        f'ON CONFLICT ("id") DO UPDATE SET {", ".join(sets)}'
    )


def _events_sql(dialect: sa.engine.Dialect) -> str:
    p = _param(dialect)
    cols = ("op", "recorded_at", *_ROW_COLS)
    return f"INSERT INTO nblabel_events ({_quoted(cols)}) VALUES ({', '.join([p] * len(cols))})"


def _tombstone(conn: Connection, ids: list[str], now: datetime) -> list[tuple[Any, ...]]:
    """Mark the live ones of ``ids`` deleted; return their rows as they were (in ``ids`` order)."""
    dialect = conn.dialect
    p = _param(dialect)
    stamp = _sql_time(now, dialect)
    false, true = ("0", "1") if dialect.name == "sqlite" else ("FALSE", "TRUE")
    found: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(ids), _IN_LIMIT):
        chunk = ids[start : start + _IN_LIMIT]
        marks = ", ".join([p] * len(chunk))
        if dialect.name == "sqlite":  # BEGIN IMMEDIATE: no other writer can interleave
            rows = conn.exec_driver_sql(
                f"SELECT {_quoted(_ROW_COLS)} FROM nblabel_annotations "
                f'WHERE "deleted" = {false} AND "id" IN ({marks})',
                tuple(chunk),
            ).all()
            if rows:
                conn.exec_driver_sql(
                    f'UPDATE nblabel_annotations SET "deleted" = {true}, "updated_at" = {p}, '
                    f'"version" = "version" + 1 WHERE "id" = {p}',
                    [(stamp, r[0]) for r in rows],
                )
        else:  # one statement: two writers deleting one id cannot both see it live
            rows = conn.exec_driver_sql(
                f'UPDATE nblabel_annotations SET "deleted" = {true}, "updated_at" = {p}, '
                f'"version" = "version" + 1 WHERE "deleted" = {false} AND "id" IN ({marks}) '
                f"RETURNING {_quoted(_ROW_COLS)}",
                (stamp, *chunk),
            ).all()
        stamp_at = _ROW_COLS.index("updated_at")
        for row in rows:
            values = list(row)
            values[stamp_at] = stamp
            found[values[0]] = tuple(values)
    return [found[i] for i in ids if i in found]


# -- schema and connections ---------------------------------------------------------------


def _prepare_schema(conn: Connection, store: Store) -> None:
    """Create or upgrade the tables, once, however many processes start at the same moment.

    SQLite: the transaction is BEGIN IMMEDIATE, so writers queue. PostgreSQL: a
    transaction-scoped advisory lock does the same for the DDL.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
    inspector = sa.inspect(conn)
    found: str | None = None
    if inspector.has_table("nblabel_meta"):
        found = conn.execute(
            sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
        ).scalar_one_or_none()
    if found is not None and int(found) > SCHEMA_VERSION:
        raise StoreError(
            f"{store!r} was written by a newer nblabel (schema {found}); upgrade nblabel"
        )
    if found is None:
        metadata.create_all(conn)
        # Idempotent even without the lock: a second writer's insert does nothing.
        conn.exec_driver_sql(
            "INSERT INTO nblabel_meta (key, value) VALUES ({p}, {p}) "
            "ON CONFLICT (key) DO NOTHING".format(p=_param(conn.dialect)),
            ("schema_version", str(SCHEMA_VERSION)),
        )
        return
    version = int(found)
    if version == SCHEMA_VERSION:
        return
    for target, step in MIGRATIONS:
        if target > version:
            step(conn)
    conn.execute(
        meta_table.update()
        .where(meta_table.c.key == "schema_version")
        .values(value=str(SCHEMA_VERSION))
    )


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__


def _make_sqlite_durable(engine: Engine, busy_timeout: float) -> None:
    """WAL journal, full sync on commit, and BEGIN IMMEDIATE so writers queue instead of failing."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        # 64 MiB of page cache instead of 2: index pages of a million-row store stay in
        # memory, so bulk writes with random ids do not wait on the disk for every row.
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get("nblabel_read", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
