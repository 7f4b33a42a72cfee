"""The store's write path: rows checked by the schema, made into SQL values, sent in bulk.

Part of :mod:`nblabel.store`: :meth:`nblabel.store.Store.apply` (and so
``upsert`` and ``delete``) turns its rows into a :class:`_Batch`, tombstones
with :func:`_tombstone`, and writes rows and history with one
``executemany`` each (:func:`_upsert_sql`, :func:`_events_sql`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
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
    _ROW_COLS,
    _TEXT_COLS,
    StoreError,
    _param,
    _quoted,
    _sql_time,
)


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


#: Upserts of at most this many rows (given as mappings) are checked row by row with
#: :func:`nblabel.schema.validate_rows`: a widget's edit is one or two rows, and
#: building a DataFrame for them costs several times the write itself.
_ROW_PATH_LIMIT = 32


def _rows(rows: Any, argument: str) -> pd.DataFrame | list[Mapping[str, Any]] | None:
    """The rows of an upsert, their container and columns checked (None when there are none)."""
    if isinstance(rows, pd.DataFrame):
        keep = [c for c in rows.columns if c in schema.COLUMN_NAMES]
        return rows.loc[:, keep].copy() if len(rows) else None
    return _records(rows, argument) or None


def _batch(rows: pd.DataFrame | list[Mapping[str, Any]]) -> _Batch | _RowBatch:
    """The rows of :func:`_rows`, checked by the schema and ready to write."""
    if isinstance(rows, pd.DataFrame):
        return _Batch(rows)
    if len(rows) <= _ROW_PATH_LIMIT:
        small = _RowBatch.of(rows)
        if small is not None:
            return small
    keys = set().union(*rows)
    columns = [c for c in schema.COLUMN_NAMES if c in keys]
    return _Batch(pd.DataFrame.from_records(rows, columns=columns))


def _records(rows: Any, argument: str) -> list[Mapping[str, Any]]:
    """A list of mappings of schema columns, or a TypeError/SchemaError naming the bad row."""
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
    known = set(schema.COLUMN_NAMES)
    for position, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise TypeError(
                f"{argument}: row {position} is a {type(record).__name__}, not a mapping"
            )
    for position, record in enumerate(records):
        if not set(record) <= known:
            found = sorted(str(k) for k in set(record) - known)
            raise schema.SchemaError(
                f"unknown column(s) {found}; known columns are {list(schema.COLUMN_NAMES)}",
                row=position,
            )
    return records


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


class _RowBatch:
    """The rows of a small upsert, checked by :func:`nblabel.schema.validate_rows`.

    The same defaults and checks as :class:`_Batch` (a missing ``id`` made,
    ``source`` "human", text without NUL), with no DataFrame in between.
    """

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.ids: list[str] = [r["id"] for r in rows]

    @classmethod
    def of(cls, records: list[Mapping[str, Any]]) -> _RowBatch | None:
        """The checked rows, or None when one needs converting (the DataFrame path does it)."""
        rows: list[dict[str, Any]] = []
        for record in records:
            if not schema.is_missing(record.get("created_at")):
                return None  # a creation time to keep: parsed by the DataFrame path
            row = dict(record)
            if schema.is_missing(row.get("id")):
                row["id"] = _new_ids(1)[0]
            if schema.is_missing(row.get("source")):
                row["source"] = "human"
            rows.append(row)
        checked = schema.validate_rows(rows, unique_ids=False)
        if checked is None:
            return None
        for name in _TEXT_COLS:
            for position, row in enumerate(checked):
                value = row[name]
                if isinstance(value, str) and "\x00" in value:
                    raise _nul_error(position, name)
        return cls(checked)

    def sql_rows(self, now: datetime, dialect: sa.engine.Dialect) -> list[tuple[Any, bool]]:
        """As :meth:`_Batch.sql_rows`: no row keeps a given creation time (it has none)."""
        stamp = _sql_time(now, dialect)
        out: list[tuple[Any, bool]] = []
        for row in self.rows:
            values = tuple(
                stamp if name in ("created_at", "updated_at") else _sql_value(row[name], name)
                for name in _ROW_COLS
            )
            out.append((values, True))
        return out


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
    raise _nul_error(row, name)


def _nul_error(row: Any, name: str) -> StoreError:
    return StoreError(
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
            out[present] = [_json(v) for v in series.to_numpy()[present]]
        return list(out.tolist())
    values = series.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return list(values.tolist())


def _sql_value(value: Any, name: str) -> Any:
    """One checked cell as :func:`_sql_values` gives it (a row of ``validate_rows``)."""
    if schema.is_missing(value):
        return None
    if name in _FLOAT_COLS:
        return float(value)
    if name in _INT_COLS:
        return int(value)
    if name in _BOOL_COLS:
        return bool(value)
    if name in _JSON_COLS:
        return _json(value)
    return value


def _json(value: Any) -> str:
    return json.dumps(_plain(value), separators=(",", ":"))


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
