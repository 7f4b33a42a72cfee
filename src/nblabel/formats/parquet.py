"""Parquet: the annotation table itself, every column and dtype kept (needs pyarrow).

``points``, ``mask`` and ``extra`` (JSON values of any shape) are stored as
JSON text and parsed back; every other schema column keeps its pandas dtype
(categories, nullable ``Int64`` and ``boolean``, UTC datetimes). Columns
beyond the schema (item metadata) are written as pandas writes them.

Lossless rules: everything, including row order and the index, as long as
``points``/``mask``/``extra`` hold JSON values (a numpy array of points is
read back as a list).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import pandas as pd

from .. import schema
from ._common import FormatError, PathLike, atomic_write_with, dumps_json, missing

__all__ = ["read_parquet", "to_parquet"]

_JSON: Final = ("points", "mask", "extra")
_META: Final = b"nblabel"


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - the test extra installs pyarrow
        raise ImportError("Parquet needs pyarrow: pip install 'nblabel[parquet]'") from exc
    return pa, pq


def to_parquet(df: pd.DataFrame, path: PathLike) -> Path:
    """Write the annotation frame ``df`` (validated) to a Parquet file, atomically."""
    pa, pq = _pyarrow()
    out = schema.validate(df).copy()
    for name in _JSON:
        out[name] = [None if missing(v) else dumps_json(v) for v in out[name]]
    table = pa.Table.from_pandas(out, preserve_index=True)
    meta = dict(table.schema.metadata or {})
    meta[_META] = json.dumps({"json_columns": list(_JSON)}).encode()
    table = table.replace_schema_metadata(meta)
    return atomic_write_with(path, lambda tmp: pq.write_table(table, tmp))


def read_parquet(path: PathLike) -> pd.DataFrame:
    """Read a file written by :func:`to_parquet` back into the annotation frame."""
    _, pq = _pyarrow()
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid / OSError
        raise FormatError(f"not a Parquet file: {exc}", source=str(path)) from exc
    meta = table.schema.metadata or {}
    if _META not in meta:
        raise FormatError(
            "was not written by nblabel.formats.to_parquet (no nblabel metadata)", source=str(path)
        )
    columns = json.loads(meta[_META])["json_columns"]
    df = table.to_pandas()
    for name in columns:
        df[name] = [None if missing(v) else json.loads(v) for v in df[name]]
    return schema.validate(df)
