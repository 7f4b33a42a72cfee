"""What every format module shares: errors that say where, atomic writes, building frames."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .. import schema

__all__ = ["FormatError"]

PathLike = str | os.PathLike[str]


class FormatError(ValueError):
    """A file or object is not valid in its format, or a frame cannot be written in it.

    The message starts with where: the file, the line or JSON path, and the field.
    ``source``, ``where`` and ``field`` hold the parts (None when they do not apply).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        where: str | None = None,
        field: str | None = None,
    ) -> None:
        parts = [p for p in (source, where) if p]
        place = ":".join(parts)
        if field:
            place = f"{place} {field}" if place else field
        super().__init__(f"{place}: {message}" if place else message)
        self.source = source
        self.where = where
        self.field = field


def row_error(message: str, row: Any, column: str | None = None) -> FormatError:
    """An error about one row of an annotation frame (named by its index label)."""
    if isinstance(row, np.generic):
        row = row.item()
    return FormatError(
        message, where=f"row {row!r}", field=f"column {column!r}" if column else None
    )


# -- files ------------------------------------------------------------------------------------


def source_name(value: Any) -> str:
    """How an error names a file or an in-memory object."""
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    return f"<{type(value).__name__}>"


def read_text(path: PathLike, *, encoding: str = "utf-8") -> str:
    """The text of a file; a missing file or bad encoding raises naming the file."""
    try:
        return Path(path).read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        raise FormatError(f"not {encoding} text: {exc}", source=os.fspath(path)) from exc


def lines(text: str) -> list[str]:
    """The lines of a file's text, split at ``\n`` only (``\r\n`` too), never at the other
    characters ``str.splitlines`` breaks at (``\x85``, ``\u2028``), which JSON may hold."""
    out = text.split("\n")
    if out and out[-1] == "":
        out.pop()
    return [line.removesuffix("\r") for line in out]


def load_json(value: Any, *, expect: tuple[type, ...]) -> tuple[Any, str]:
    """A JSON document given as a path or already loaded, and the name errors use for it."""
    name = source_name(value)
    if isinstance(value, (str, os.PathLike)):
        text = read_text(value)
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(
                f"not valid JSON: {exc.msg}", source=name, where=f"line {exc.lineno}"
            ) from exc
    if not isinstance(value, expect):
        kinds = " or ".join(t.__name__ for t in expect)
        raise FormatError(f"expected a JSON {kinds}, got {type(value).__name__}", source=name)
    return value, name


def atomic_write(path: PathLike, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` through a temporary file beside it and ``os.replace``.

    A reader never sees a half-written file, and a failed write leaves the
    old file (or no file) in place.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def atomic_write_many(files: Mapping[Path, str | bytes]) -> list[Path]:
    """Write several files, each atomically; every file's content is made before the first write."""
    return [atomic_write(path, data) for path, data in files.items()]


def atomic_write_with(path: PathLike, write: Callable[[Path], object]) -> Path:
    """Let ``write`` fill a temporary path beside ``path``, then move it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def dumps_json(value: Any) -> str:
    """Compact JSON with numpy values made plain; NaN refused (it is not JSON)."""
    return json.dumps(plain(value), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def plain(value: Any) -> Any:
    """numpy arrays and scalars inside a value as plain JSON values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


# -- values -----------------------------------------------------------------------------------


def missing(value: Any) -> bool:
    """None, NaN, NA or NaT."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def number(value: Any, *, source: str, where: str, field: str) -> float:
    """A finite number from a parsed file, or an error naming where it was."""
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is int:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, str):
            try:
                out = float(value)
            except ValueError:
                raise FormatError(
                    f"{value!r} is not a number", source=source, where=where, field=field
                ) from None
        else:
            raise FormatError(f"{value!r} is not a number", source=source, where=where, field=field)
    else:
        out = float(value)
    if not math.isfinite(out):
        raise FormatError(
            f"{value!r} is not a finite number", source=source, where=where, field=field
        )
    return out


def whole(value: Any, *, source: str, where: str, field: str) -> int:
    """A whole number from a parsed file, or an error naming where it was."""
    out = number(value, source=source, where=where, field=field)
    if not out.is_integer():
        raise FormatError(
            f"{value!r} is not a whole number", source=source, where=where, field=field
        )
    return int(out)


def resolve_source(source: str | None, score: Any) -> str:
    """``source`` as given, else ``model`` for a row with a score and ``human`` for one without."""
    if source is not None:
        return source
    return "human" if missing(score) else "model"


_EMPTY: Mapping[str, Any] = MappingProxyType({})


def extra_of(value: Any, key: str) -> Mapping[str, Any]:
    """The part of a row's ``extra`` that one format keeps (empty when absent); read only."""
    if type(value) is dict or isinstance(value, Mapping):
        part = value.get(key)
        if type(part) is dict or isinstance(part, Mapping):
            return part
    return _EMPTY


# -- frames -----------------------------------------------------------------------------------


def build_frame(
    records: list[dict[str, Any]], origins: Sequence[str] | None = None
) -> pd.DataFrame:
    """A validated annotation frame from row dicts; a bad row raises naming where it came from."""
    if not records:
        return schema.empty()
    present = {k for r in records for k in r}
    unknown = present - set(schema.COLUMN_NAMES)
    if unknown:  # a reader's own mistake, never the file's
        raise RuntimeError(f"a reader made unknown columns {sorted(unknown)}")
    data = {
        name: [r.get(name) for r in records] if name in present else [None] * len(records)
        for name in schema.COLUMN_NAMES
    }
    try:
        return schema.validate(pd.DataFrame(data))
    except schema.SchemaError as exc:
        if origins is not None and isinstance(exc.row, int) and 0 <= exc.row < len(origins):
            raise FormatError(
                str(exc).split(": ", 1)[-1], where=origins[exc.row], field=exc.column
            ) from exc
        raise


def check_frame(df: pd.DataFrame, kinds: Iterable[str], *, fmt: str) -> pd.DataFrame:
    """``df`` validated, with every row of a kind ``fmt`` can write (else an error naming rows)."""
    out = schema.validate(df)
    allowed = list(kinds)
    bad = ~out["kind"].isin(allowed)
    if bad.any():
        rows = list(out.index[bad.to_numpy()][:5])
        kinds_found = sorted(set(out.loc[bad, "kind"].astype(str)))
        raise FormatError(
            f"{fmt} carries only {allowed} rows; rows {rows} are {kinds_found} "
            f"(select the rows to write, e.g. df[df.kind.isin({allowed})])",
            field="column 'kind'",
        )
    return out


def records(df: pd.DataFrame) -> Iterable[tuple[Any, dict[str, Any]]]:
    """``(index label, row dict)`` for each row, faster than ``iterrows``."""
    cols = list(df.columns)
    for label, values in zip(df.index, df.itertuples(index=False, name=None), strict=True):
        yield label, dict(zip(cols, values, strict=True))


def texts_series(texts: Any, *, name: str = "texts") -> pd.Series:
    """Documents as a Series of str indexed by item id (from a Series or a mapping)."""
    if isinstance(texts, pd.Series):
        out = texts
    elif isinstance(texts, Mapping):
        out = pd.Series(dict(texts), dtype=object)
    else:
        raise TypeError(
            f"{name}: expected a Series or a mapping item id -> text, got {type(texts).__name__}"
        )
    for key, value in out.items():
        if not isinstance(value, str):
            raise TypeError(f"{name}: the text of item {key!r} is a {type(value).__name__}")
    return pd.Series(list(out.to_numpy()), index=[str(i) for i in out.index], dtype=object)


def new_texts(items: dict[str, str]) -> pd.Series:
    """Documents read from a file, as a Series of str named ``text`` indexed by item id."""
    return pd.Series(
        list(items.values()),
        index=pd.Index(list(items), dtype=object, name="item_id"),
        dtype=object,
        name="text",
    )
