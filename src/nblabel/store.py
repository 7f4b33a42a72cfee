"""The store: where every annotation lands, durably, before the page calls it saved.

A :class:`Store` is a SQL database reached through SQLAlchemy Core. By default
it is a SQLite file (``./nblabel.db``) in WAL mode, created on the first
write; any SQLAlchemy URL works, so a team can point every notebook at one
PostgreSQL database (``Store("postgresql+psycopg://user@host/db")``).

Two tables:

``nblabel_annotations``
    The current state: one row per annotation id. A deleted annotation stays
    as a tombstone (``deleted = 1``) so that its history is never lost.
``nblabel_events``
    Every write ever made, in order (``op`` is ``upsert`` or ``delete``), with
    the full row as written. :meth:`Store.history` reads it.

Every method that writes commits before it returns. Every statement is
parameterised.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import schema

__all__ = ["DEFAULT_PATH", "Store", "StoreError", "new_id"]

DEFAULT_PATH: Final = "nblabel.db"
SCHEMA_VERSION: Final = 2

_FLOAT_COLS: Final = tuple(c.name for c in schema.COLUMNS if c.dtype == "float")
_INT_COLS: Final = tuple(c.name for c in schema.COLUMNS if c.dtype == "int")
_STR_COLS: Final = tuple(
    c.name for c in schema.COLUMNS if c.dtype in ("str", "category") and c.name != "id"
)
_BOOL_COLS: Final = tuple(c.name for c in schema.COLUMNS if c.dtype == "bool")
_JSON_COLS: Final = tuple(c.name for c in schema.COLUMNS if c.dtype == "object")


class StoreError(RuntimeError):
    """A write or read could not be done; the message says which and why."""


def new_id() -> str:
    """A fresh annotation id."""
    return uuid.uuid4().hex


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
    sa.Index("ix_nblabel_annotations_annotator_item", "annotator", "item_id"),
    sa.Index("ix_nblabel_annotations_item", "item_id"),
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
)
meta_table = sa.Table(
    "nblabel_meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

_ROW_COLS: Final = tuple(
    c.name for c in annotations_table.columns if c.name not in ("deleted", "version")
)


def _sqlite_url(path: str | os.PathLike[str]) -> str:
    return "sqlite:///" + str(Path(path).expanduser().absolute())


def _is_url(text: str) -> bool:
    return "://" in text


class Store:
    """Annotations, durably: a SQLite file by default, any SQLAlchemy URL for teams.

    Parameters
    ----------
    location
        A path to a SQLite file (created on the first write, with its
        folder), a SQLAlchemy URL such as ``"postgresql+psycopg://ana@db/labels"``,
        or ``None`` for ``./nblabel.db``.
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
            raise TypeError("location: pass the Store itself, not Store(store)")
        if not isinstance(location, (str, os.PathLike)):
            raise TypeError(
                f"location: expected a file path or a SQLAlchemy URL, got {type(location).__name__}"
            )
        text = os.fspath(location)
        if not text:
            raise ValueError("location: must not be empty")
        self.url = text if _is_url(text) else _sqlite_url(text)
        self._busy_timeout = busy_timeout
        self._engine: Engine | None = None

    # -- connection -------------------------------------------------------------------------
    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def path(self) -> Path | None:
        """The SQLite file, or ``None`` for a server database."""
        if not self.is_sqlite:
            return None
        return Path(sa.engine.make_url(self.url).database or "")

    def __repr__(self) -> str:
        where = str(self.path) if self.path is not None else sa.engine.make_url(self.url)
        return f"Store({str(where)!r})"

    def _exists(self) -> bool:
        path = self.path
        return path is None or path.exists()

    def _connect(self) -> Engine:
        if self._engine is not None:
            return self._engine
        if self.is_sqlite:
            path = self.path
            assert path is not None
            path.parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(self.url, connect_args={"timeout": self._busy_timeout})
            _make_sqlite_durable(engine, self._busy_timeout)
        else:
            engine = sa.create_engine(self.url, pool_pre_ping=True)
        metadata.create_all(engine)
        with engine.begin() as conn:
            found = conn.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
            ).scalar_one_or_none()
            if found is None:
                conn.execute(
                    meta_table.insert(), {"key": "schema_version", "value": str(SCHEMA_VERSION)}
                )
            elif int(found) > SCHEMA_VERSION:
                raise StoreError(
                    f"{self!r} was written by a newer nblabel (schema {found}); upgrade nblabel"
                )
            elif int(found) < SCHEMA_VERSION:
                _migrate(conn)
                conn.execute(
                    meta_table.update()
                    .where(meta_table.c.key == "schema_version")
                    .values(value=str(SCHEMA_VERSION))
                )
        self._engine = engine
        return engine

    def _reader(self) -> Connection:
        return self._connect().connect().execution_options(nblabel_read=True)

    def close(self) -> None:
        """Release the database connections (the data stays)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- writes -----------------------------------------------------------------------------
    def upsert(self, rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> list[str]:
        """Insert or update annotations; return their ids, in order.

        Each row is a mapping of schema columns. ``id`` is made when missing;
        ``source`` defaults to ``"human"``; ``created_at`` of an existing
        annotation is kept unless the row gives one; ``updated_at`` is now. A
        row that is invalid (unknown kind, missing label, ...) raises
        :class:`nblabel.schema.SchemaError` naming the row and column, and
        nothing of the call is written. The write is committed when this returns.
        """
        return self.apply(upsert=rows)[0]

    def delete(self, ids: str | Iterable[str]) -> int:
        """Delete annotations by id; return how many were live.

        A delete is a tombstone: the row leaves :meth:`annotations` but stays
        in :meth:`history`. Unknown or already deleted ids are ignored.
        """
        return len(self.apply(delete=ids)[1])

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
        ids that were live.
        """
        records = _records(upsert)
        id_list = [delete] if isinstance(delete, str) else [str(i) for i in delete]
        if not records and not id_list:
            return [], []
        if not records and not self._exists():
            return [], []
        now = _now()
        prepared = [_prepare(r, i, now) for i, r in enumerate(records)]
        t = annotations_table
        engine = self._connect()
        with engine.begin() as conn:
            gone: list[dict[str, Any]] = []
            if id_list:
                live = (
                    conn.execute(
                        sa.select(*[t.c[c] for c in _ROW_COLS]).where(
                            t.c.id.in_(id_list), t.c.deleted.is_(False)
                        )
                    )
                    .mappings()
                    .all()
                )
                gone = [dict(r) for r in live]
                if gone:
                    conn.execute(
                        t.update()
                        .where(t.c.id.in_([r["id"] for r in gone]))
                        .values(deleted=True, updated_at=now, version=t.c.version + 1)
                    )
            if prepared:
                _upsert(conn, prepared)
            # Deletes first: an edit that replaces a label reads as "remove, then add".
            events = [{**r, "op": "delete", "recorded_at": now, "updated_at": now} for r in gone]
            events += [{**_sql(r), "op": "upsert", "recorded_at": now} for r in prepared]
            if events:
                conn.execute(events_table.insert(), events)
        return [r["id"] for r in prepared], [r["id"] for r in gone]

    # -- reads ------------------------------------------------------------------------------
    def annotations(
        self,
        *,
        annotator: str | Sequence[str] | None = None,
        item_ids: Sequence[str] | None = None,
        kind: str | Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The current annotations (tombstones left out) as a DataFrame in the schema.

        Filters are optional; ``item_ids`` is applied after the query when it
        is long, so a widget over 100,000 items costs one query, not one each.
        """
        t = annotations_table
        query = sa.select(*[t.c[c] for c in _ROW_COLS]).where(t.c.deleted.is_(False))
        query = _filter(query, t, annotator=annotator, kind=kind)
        small_ids = item_ids is not None and len(item_ids) <= 500
        if small_ids:
            assert item_ids is not None
            query = query.where(t.c.item_id.in_([str(i) for i in item_ids]))
        df = self._read(query.order_by(t.c.created_at, t.c.id))
        if item_ids is not None and not small_ids:
            df = df[df["item_id"].isin([str(i) for i in item_ids])].reset_index(drop=True)
        return df

    def history(self, *, item_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Every write ever made, oldest first: the schema's columns, ``op`` and ``recorded_at``."""
        e = events_table
        query = sa.select(e.c.seq, e.c.op, e.c.recorded_at, *[e.c[c] for c in _ROW_COLS])
        small_ids = item_ids is not None and len(item_ids) <= 500
        if small_ids:
            assert item_ids is not None
            query = query.where(e.c.item_id.in_([str(i) for i in item_ids]))
        df = self._read(query.order_by(e.c.seq), extra=("seq", "op", "recorded_at"))
        if item_ids is not None and not small_ids:
            df = df[df["item_id"].isin([str(i) for i in item_ids])].reset_index(drop=True)
        return df

    def item_ids_done(
        self, *, annotator: str | None = None, kinds: Sequence[str] | None = None
    ) -> set[str]:
        """The items with at least one current annotation (of ``annotator``, of ``kinds``).

        One SQL aggregate: a widget opens on a million items without reading their rows.
        """
        if not self._exists():
            return set()
        t = annotations_table
        query = sa.select(t.c.item_id).where(t.c.deleted.is_(False))
        query = _filter(query, t, annotator=annotator, kind=kinds)
        with self._reader() as conn:
            result = conn.execute(query)
            # The driver's own rows: SQLAlchemy's row objects cost more than the query here.
            rows = result.cursor.fetchall() if result.cursor is not None else []
            result.close()
        return {row[0] for row in rows}

    def annotators(self) -> list[str]:
        """Everyone (and every model) with at least one current annotation."""
        if not self._exists():
            return []
        t = annotations_table
        with self._reader() as conn:
            rows = (
                conn.execute(
                    sa.select(t.c.annotator)
                    .where(t.c.deleted.is_(False))
                    .distinct()
                    .order_by(t.c.annotator)
                )
                .scalars()
                .all()
            )
        return list(rows)

    def _read(self, query: sa.Select[Any], extra: Sequence[str] = ()) -> pd.DataFrame:
        if not self._exists():
            out = schema.empty()
            for name in extra:
                out[name] = pd.Series(dtype=object)
            return out[[*extra, *schema.COLUMN_NAMES]]  # same order as a read from a file
        with self._reader() as conn:
            result = conn.execute(query)
            keys = list(result.keys())
            data = result.all()
        frame = pd.DataFrame.from_records(data, columns=keys)
        for name in _JSON_COLS:
            # _missing, not `is None`: pandas 3 infers a str dtype for a text column
            # that mixes NULLs and strings, and SQL NULL then arrives as NaN.
            frame[name] = [None if _missing(v) else json.loads(v) for v in frame[name]]
        out = schema.coerce(frame)
        if "recorded_at" in out.columns:
            out["recorded_at"] = pd.to_datetime(out["recorded_at"], utc=True)
        front = [*extra, *schema.COLUMN_NAMES]
        return out[front]


def _filter(
    query: sa.Select[Any],
    t: sa.Table,
    *,
    annotator: str | Sequence[str] | None,
    kind: str | Sequence[str] | None,
) -> sa.Select[Any]:
    if annotator is not None:
        names = [annotator] if isinstance(annotator, str) else list(annotator)
        query = query.where(t.c.annotator.in_(names))
    if kind is not None:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        query = query.where(t.c.kind.in_(kinds))
    return query


def _records(rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> list[dict[str, Any]]:
    if isinstance(rows, pd.DataFrame):
        return [
            {k: v for k, v in zip(rows.columns, values, strict=True) if k in schema.COLUMN_NAMES}
            for values in rows.itertuples(index=False, name=None)
        ]
    if isinstance(rows, Mapping):
        raise TypeError("rows: expected a list of mappings or a DataFrame, got a single mapping")
    return [dict(r) for r in rows]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _prepare(row: Mapping[str, Any], position: int, now: datetime) -> dict[str, Any]:  # noqa: PLR0915
    """One schema row as the SQL values to write, checked; errors name the row and column."""
    unknown = sorted(set(row) - set(schema.COLUMN_NAMES))
    if unknown:
        raise schema.SchemaError(f"unknown column(s) {unknown}", row=position)
    out: dict[str, Any] = {}
    ident = row.get("id")
    out["id"] = new_id() if _missing(ident) else str(ident)
    for name in _STR_COLS:
        value = row.get(name)
        if isinstance(value, (list, tuple, dict, set, np.ndarray, bytes)):
            raise schema.SchemaError(
                f"{value!r} is a {type(value).__name__}, not a text", column=name, row=position
            )
        out[name] = None if _missing(value) else str(value)
    if out["source"] is None:
        out["source"] = "human"
    for name in ("item_id", "annotator", "kind", "label"):
        if not out[name]:
            raise schema.SchemaError(
                "required value is missing or empty", column=name, row=position
            )
    if out["kind"] not in schema.KINDS:
        raise schema.SchemaError(
            f"{out['kind']!r} is not one of {list(schema.KINDS)}", column="kind", row=position
        )
    if out["source"] not in schema.SOURCES:
        raise schema.SchemaError(
            f"{out['source']!r} is not one of {list(schema.SOURCES)}", column="source", row=position
        )
    for name in _FLOAT_COLS:
        value = row.get(name)
        if _missing(value):
            out[name] = None
            continue
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise schema.SchemaError(
                f"{value!r} is not a number", column=name, row=position
            ) from exc
        if not math.isfinite(number):
            raise schema.SchemaError(f"{value!r} is not a finite number", column=name, row=position)
        out[name] = number
    for name in _INT_COLS:
        value = row.get(name)
        if _missing(value):
            out[name] = None
            continue
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise schema.SchemaError(
                f"{value!r} is not a whole number", column=name, row=position
            ) from exc
        if not number.is_integer():
            raise schema.SchemaError(f"{value!r} is not a whole number", column=name, row=position)
        out[name] = int(number)
    for name in _BOOL_COLS:
        value = row.get(name)
        if _missing(value):
            out[name] = None
        elif isinstance(value, (bool, np.bool_)) or value in (0, 1):
            out[name] = bool(value)
        else:
            raise schema.SchemaError(f"{value!r} is not True or False", column=name, row=position)
    for name in _JSON_COLS:
        value = row.get(name)
        out[name] = None if _missing(value) else json.dumps(_plain(value), separators=(",", ":"))
    for name in schema.REQUIRED_BY_KIND[out["kind"]]:
        if out[name] is None:
            raise schema.SchemaError(
                f"a {out['kind']!r} annotation needs {name!r}", column=name, row=position
            )
    for name in ("width", "height"):
        if out[name] is not None and out[name] < 0:
            raise schema.SchemaError("must not be negative", column=name, row=position)
    for name, check in (("mask", schema.mask_problem), ("points", schema.points_problem)):
        problem = check(row.get(name)) if not _missing(row.get(name)) else None
        if problem:
            raise schema.SchemaError(problem, column=name, row=position)
    if out["start"] is not None and out["end"] is not None and out["end"] < out["start"]:
        raise schema.SchemaError(
            f"end {out['end']} is before start {out['start']}", column="end", row=position
        )
    created = row.get("created_at")
    out["created_at"] = now if _missing(created) else _utc(created, position)
    out["updated_at"] = now
    out["_keep_created"] = _missing(created)
    return out


def _utc(value: Any, position: int) -> datetime:
    """A given created_at as a UTC datetime (naive means UTC).

    SQLite's DateTime drops the offset, so an aware non-UTC value must be
    converted here or it reads back shifted by its offset.
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise schema.SchemaError(
            f"{value!r} is not a date/time", column="created_at", row=position
        ) from exc
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()


def _plain(value: Any) -> Any:
    """numpy arrays and scalars inside points/masks as plain JSON values."""
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


def _sql(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _upsert(conn: Connection, prepared: list[dict[str, Any]]) -> None:
    # Rows whose created_at was not given keep the stored one on update. One
    # statement per consecutive run of rows that agree on this (order kept),
    # so a row that gives created_at cannot make its neighbours lose theirs.
    for keep_created, run in itertools.groupby(prepared, key=lambda r: r["_keep_created"]):
        _upsert_run(conn, [_sql(r) for r in run], keep_created=keep_created)


def _upsert_run(conn: Connection, rows: list[dict[str, Any]], *, keep_created: bool) -> None:
    t = annotations_table
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        from sqlalchemy.dialects import postgresql, sqlite

        insert: Any = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = insert(t)
        update: dict[str, Any] = {c: stmt.excluded[c] for c in _ROW_COLS if c != "id"}
        if keep_created:
            del update["created_at"]
        update["deleted"] = sa.false()
        update["version"] = t.c.version + 1
        conn.execute(
            stmt.on_conflict_do_update(index_elements=[t.c.id], set_=update),
            [{**r, "deleted": False, "version": 1} for r in rows],
        )
        return
    for r in rows:  # other databases: portable, slower path
        found = conn.execute(sa.select(t.c.version).where(t.c.id == r["id"])).scalar_one_or_none()
        if found is None:
            conn.execute(t.insert(), {**r, "deleted": False, "version": 1})
        else:
            values = {k: v for k, v in r.items() if k != "id"}
            if keep_created:
                values.pop("created_at")
            conn.execute(
                t.update().where(t.c.id == r["id"]),
                {**values, "deleted": False, "version": found + 1},
            )


def _migrate(conn: Connection) -> None:
    """Bring an older store's tables up to this version: add the columns it lacks."""
    inspector = sa.inspect(conn)
    for table in (annotations_table, events_table):
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')


def _make_sqlite_durable(engine: Engine, busy_timeout: float) -> None:
    """WAL journal, full sync on commit, and BEGIN IMMEDIATE so writers queue instead of failing."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get("nblabel_read", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
