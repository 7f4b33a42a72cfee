"""The store's read path: filters as SQL, long id lists as a temporary table, rows decoded.

Part of :mod:`nblabel.store`: :meth:`nblabel.store.Store.annotations`,
:meth:`~nblabel.store.Store.history` and the done-item counts build their
queries with :class:`_Where` and turn the driver's rows into the schema's
DataFrame with :func:`_decode`, a column at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import schema
from .tables import (
    _BOOL_COLS,
    _FLOAT_COLS,
    _IN_LIMIT,
    _INT_COLS,
    _JSON_COLS,
    _TIME_COLS,
    CATEGORICAL_READS,
    _param,
    _sql_time,
)


def _false(conn: Connection) -> str:
    return "0" if conn.dialect.name == "sqlite" else "FALSE"


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


def _empty(extra: Sequence[str]) -> pd.DataFrame:
    """The frame a read returns when nothing can match: the schema, then ``extra`` columns."""
    out = schema.empty()
    for name in CATEGORICAL_READS:
        out[name] = out[name].astype("category")
    for name in extra:
        out[name] = pd.Series(dtype="Int64" if name == "seq" else object)
    if "recorded_at" in extra:
        out["recorded_at"] = pd.Series(dtype="datetime64[ns, UTC]")
    return out[[*extra, *schema.COLUMN_NAMES]]
