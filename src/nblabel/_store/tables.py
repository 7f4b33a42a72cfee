"""The store's layout: its tables, the column groups, and SQL pieces reads and writes share.

Part of :mod:`nblabel.store` (which documents the tables); nothing here is public
except what that module re-exports.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, Final

import sqlalchemy as sa

from .. import schema


class StoreError(RuntimeError):
    """A write or read could not be done; the message says which and why."""

    __module__ = "nblabel.store"  # where users import it from, and where tracebacks say it is


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


def _param(dialect: sa.engine.Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _sql_time(value: datetime, dialect: sa.engine.Dialect) -> Any:
    """A UTC datetime as the driver stores it (SQLite: the text SQLAlchemy writes)."""
    if dialect.name == "sqlite":
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value
