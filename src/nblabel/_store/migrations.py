"""Opening a store's database: tables created or upgraded once, SQLite made durable.

Part of :mod:`nblabel.store`. :data:`MIGRATIONS` lists the upgrades from each
older ``schema_version``; :func:`_prepare_schema` runs them, or creates the
tables, in the transaction that opens a store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .tables import (
    SCHEMA_VERSION,
    StoreError,
    _param,
    annotations_table,
    events_table,
    meta_table,
    metadata,
)

if TYPE_CHECKING:
    from ..store import Store

#: Key of the PostgreSQL advisory lock held while a store is created or migrated.
_LOCK_KEY: Final = 0x6E626C6162656C  # "nblabel"


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
