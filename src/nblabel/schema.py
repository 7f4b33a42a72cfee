"""The annotation table: one row per annotation, the contract between every part of nblabel.

Widgets write it, the store keeps it, QA and formats read it. Everything that
knows a column's name, dtype or meaning asks this module.

Columns
-------
Common to every kind:

``id`` (str)
    Stable id of the annotation (a uuid4 hex string unless given).
``item_id`` (str)
    Stable id of the item: given by the user (a Series or DataFrame index) or
    derived from the path or the content.
``annotator`` (str)
    Who made it. Models are annotators too; see ``source``.
``kind`` (category)
    What the row is; :data:`KIND_SPECS` says which columns each kind uses:
    ``label`` (whole item), ``box``, ``polygon``, ``mask``, ``point``, ``span``,
    ``segment``, ``relation`` (between two annotations of one item), ``skip``
    (the annotator passed on the item; a reason may be in ``text``) and
    ``comment`` (a note in ``text``); ``rejection`` (a model's suggestion the
    annotator rejected, kept as a negative example: its label, score and
    geometry, and in ``extra`` its ``kind``, ``suggestion_id`` and ``rule``).
``label`` (str)
    The class.
``source`` (category)
    ``human``, ``model`` (pre-annotations, suggestions) or ``review`` (a
    reviewer's adjudicated version).
``score`` (float)
    Model confidence; NaN for people.
``created_at``, ``updated_at`` (datetime64, UTC)
    When the annotation was first made and last changed.
``elapsed`` (float)
    Seconds the item had been on screen when this edit was made; NaN if unknown.

Geometry, NaN or None where it does not apply:

- image: ``x``, ``y``, ``width``, ``height`` in pixels of the original image
  as shown upright (EXIF orientation applied), origin top-left;
  ``points`` a list of ``[x, y]``; ``mask`` a COCO RLE dict
  ``{"size": [h, w], "counts": str}``; ``image_width``, ``image_height``.
- text: ``start``, ``end`` as character offsets into the item's text (Python
  ``str`` indexing, end exclusive) and ``text`` the covered string.
- audio: ``start``, ``end`` in seconds and ``text`` the transcript.
- video frame ranges ("pedestrian crossing from frame 120 to 180"): kind
  ``segment`` with ``frame`` its first frame and ``extra["last_frame"]`` its
  last (inclusive), both in presentation order (see :mod:`nblabel.video`);
  ``start``/``end`` are the same range in seconds (``start`` the first frame's
  time, ``end`` the time the last frame ends), so a frame range is also a time
  segment that audio-style tools (QA, WebVTT, RTTM) read. A segment without
  ``frame`` is a plain time segment.

- keypoints: ``x``, ``y`` (kind ``point``); ``label`` names the point. Points of one
  skeleton instance (one person) share a ``track_id`` and ``outside`` is True on a point
  marked not visible (COCO's ``v=1``); see :mod:`nblabel.skeleton`.
- relations: ``from_id`` and ``to_id`` name two annotations of the same item.
- video and image stacks: ``frame`` (the frame or slice, from 0), ``track_id``
  (the track a box belongs to) and ``outside`` (True on the keyframe where a
  tracked object leaves the view).

``extra`` (a JSON object, or None) carries what an imported format has and
the table does not (a COCO category id, ``iscrowd``, a Label Studio region id),
so that round trips are lossless.

``start`` and ``end`` are float64 so one column serves seconds and offsets;
text offsets are whole numbers, exact in float64.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = [
    "COLUMNS",
    "KINDS",
    "SOURCES",
    "Column",
    "SchemaError",
    "coerce",
    "empty",
    "from_records",
    "is_missing",
    "validate",
    "validate_rows",
]

SOURCES: Final = ("human", "model", "review")


@dataclass(frozen=True)
class KindSpec:
    """Which columns one kind of annotation uses, beyond the common ones.

    ``required`` must be filled in every row of the kind; ``optional`` may be.
    ``kernel`` lists the columns of the kind that the kernel fills in (the page
    never sends them: an image's size is known to the kernel, not the page).
    """

    name: str
    doc: str
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    kernel: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of this kind beyond the common ones, required first."""
        return (*self.required, *self.optional)


_IMAGE: Final = ("image_width", "image_height")
_TRACK: Final = ("frame", "track_id", "outside")

#: The table of kinds: the one place that says which columns each kind uses.
#: Every other list (what a page may send, what a suggestion carries, what a
#: widget keeps) is derived from it.
KIND_SPECS: Final[Mapping[str, KindSpec]] = {
    k.name: k
    for k in (
        KindSpec("label", "the whole item (or a frame of it)", (), (*_IMAGE, "frame"), _IMAGE),
        KindSpec(
            "box",
            "an axis-aligned box in original image pixels",
            ("x", "y", "width", "height"),
            (*_IMAGE, *_TRACK),
            kernel=_IMAGE,
        ),
        KindSpec("polygon", "a polygon's [x, y] vertices", ("points",), (*_IMAGE, "frame"), _IMAGE),
        KindSpec("mask", "a COCO RLE mask", ("mask",), (*_IMAGE, "frame"), _IMAGE),
        KindSpec("point", "a keypoint", ("x", "y"), (*_IMAGE, *_TRACK), _IMAGE),
        KindSpec("span", "characters start:end of a text", ("start", "end"), ("text",)),
        KindSpec(
            "segment",
            "seconds start-end of audio or video; on video also its frames (frame, "
            "extra['last_frame'])",
            ("start", "end"),
            ("text", "frame", "extra"),
        ),
        KindSpec("relation", "a link from one annotation to another", ("from_id", "to_id")),
        KindSpec("skip", "the annotator passed on the item; why, in text", (), ("text",)),
        KindSpec("comment", "a note on the item, in text", ("text",)),
        KindSpec(
            "rejection",
            "a suggestion the annotator rejected: its label, score and geometry; "
            "extra holds its kind, id and rule",
            ("extra",),
            (
                "x",
                "y",
                "width",
                "height",
                "points",
                "mask",
                "start",
                "end",
                "text",
                "frame",
                *_IMAGE,
            ),
            _IMAGE,
        ),
    )
}
KINDS: Final = tuple(KIND_SPECS)

#: The geometry columns each kind must fill in (beyond the common ones).
REQUIRED_BY_KIND: Final[Mapping[str, tuple[str, ...]]] = {
    k.name: k.required for k in KIND_SPECS.values()
}

#: Columns a page sends for every annotation, whatever its kind.
_PAGE_COMMON: Final = ("id", "kind", "label")


def page_fields(kinds: Iterable[str]) -> frozenset[str]:
    """The fields a page may send for annotations of ``kinds`` (the kernel fills the rest)."""
    out = set(_PAGE_COMMON)
    for name in kinds:
        spec = KIND_SPECS[name]
        out.update(c for c in spec.columns if c not in spec.kernel)
    return frozenset(out)


def kind_columns(kinds: Iterable[str]) -> tuple[str, ...]:
    """Every geometry column that annotations of ``kinds`` may use, in table order."""
    used = {c for name in kinds for c in KIND_SPECS[name].columns}
    return tuple(c for c in COLUMN_NAMES if c in used)


class SchemaError(ValueError):
    """An annotation table (or one row of it) does not fit the schema.

    ``column`` and ``row`` name the offending cell where there is one.
    """

    def __init__(self, message: str, *, column: str | None = None, row: Any = None) -> None:
        where = []
        if isinstance(row, np.generic):
            row = row.item()  # "row 2", not "row np.int64(2)"
        if row is not None:
            where.append(f"row {row!r}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.column = column
        self.row = row


@dataclass(frozen=True)
class Column:
    """One column of the annotation table."""

    name: str
    dtype: str  # "str", "category", "float", "int", "bool", "datetime", "object"
    doc: str
    required: bool = False  # must be present and non-missing in every row


COLUMNS: Final[tuple[Column, ...]] = (
    Column("id", "str", "stable id of the annotation", required=True),
    Column("item_id", "str", "stable id of the item", required=True),
    Column("annotator", "str", "who made it", required=True),
    Column("kind", "category", "what the row is (see KIND_SPECS)", required=True),
    Column("label", "str", "the class", required=True),
    Column("source", "category", "human, model or review", required=True),
    Column("score", "float", "model confidence; NaN for people"),
    Column("created_at", "datetime", "first made (UTC)"),
    Column("updated_at", "datetime", "last changed (UTC)"),
    Column("elapsed", "float", "seconds the item had been shown at this edit"),
    Column("x", "float", "box left, original image pixels"),
    Column("y", "float", "box top, original image pixels"),
    Column("width", "float", "box width, original image pixels"),
    Column("height", "float", "box height, original image pixels"),
    Column("points", "object", "polygon vertices as a list of [x, y]"),
    Column("mask", "object", "COCO RLE dict {'size': [h, w], 'counts': str}"),
    Column("image_width", "int", "width of the original image"),
    Column("image_height", "int", "height of the original image"),
    Column("start", "float", "span start (character) or segment start (seconds)"),
    Column("end", "float", "span end, exclusive (character) or segment end (seconds)"),
    Column("text", "str", "covered text (span), transcript (segment), note or skip reason"),
    Column("from_id", "str", "relation: the annotation it starts at"),
    Column("to_id", "str", "relation: the annotation it points to"),
    Column("frame", "int", "video frame or image slice, from 0"),
    Column("track_id", "str", "the track a box or point belongs to (video)"),
    Column("outside", "bool", "True on the keyframe where a tracked object leaves the view"),
    Column("extra", "object", "what an imported format carries beyond the table (JSON object)"),
)

COLUMN_NAMES: Final = tuple(c.name for c in COLUMNS)
_BY_NAME: Final = {c.name: c for c in COLUMNS}


def _dtype(column: Column) -> Any:
    if column.dtype == "str":
        return object
    if column.dtype == "category":
        values = KINDS if column.name == "kind" else SOURCES
        return pd.CategoricalDtype(list(values))
    if column.dtype == "float":
        return "float64"
    if column.dtype == "int":
        return "Int64"
    if column.dtype == "datetime":
        return "datetime64[ns, UTC]"
    if column.dtype == "bool":
        return "boolean"
    return object


DTYPES: Final[Mapping[str, Any]] = {c.name: _dtype(c) for c in COLUMNS}


def empty() -> pd.DataFrame:
    """An annotation table with no rows and every column in its dtype."""
    return pd.DataFrame({name: pd.Series(dtype=DTYPES[name]) for name in COLUMN_NAMES})


def from_records(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build an annotation table from dicts; missing columns are filled with NaN/None."""
    rows = list(records)
    if not rows:
        return empty()
    unknown = sorted({k for r in rows for k in r} - set(COLUMN_NAMES))
    if unknown:
        raise SchemaError(f"unknown column(s) {unknown}; known columns are {list(COLUMN_NAMES)}")
    data = {name: [r.get(name) for r in rows] for name in COLUMN_NAMES}
    return coerce(pd.DataFrame(data))


def is_missing(value: Any) -> bool:
    """True when one cell holds no value: None, NaN (of any float type), ``pd.NA`` or NaT.

    The one test of "missing" for single values in nblabel. Text (even empty),
    numbers, lists, dicts and arrays are values, never missing.

    >>> [is_missing(v) for v in (None, float("nan"), np.float32("nan"), pd.NA, pd.NaT)]
    [True, True, True, True, True]
    >>> [is_missing(v) for v in ("", 0, [], {"size": [1, 1]}, np.datetime64("NaT"))]
    [False, False, False, False, True]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


_is_missing = is_missing


_NOT_TEXT: Final = (list, tuple, dict, set, frozenset, np.ndarray, bytes, bytearray)


def coerce(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with every schema column present, in schema order and dtype.

    Extra columns (item metadata joined in by the user) are kept after the
    schema columns. Raises :class:`SchemaError` naming the column and row of
    a value that cannot be converted.
    """
    # Columns are gathered in a dict and framed once: inserting 27 columns one by
    # one costs more than the checks themselves on a small frame.
    out: dict[str, pd.Series] = {}
    for column in COLUMNS:
        name = column.name
        if name not in df.columns:
            out[name] = _absent(column, df.index)
            continue
        series = df[name]
        try:
            if column.dtype == "str":
                out[name] = _to_text(series, name)
            elif column.dtype == "category":
                values = KINDS if name == "kind" else SOURCES
                bad = ~series.isna() & ~series.isin(values)
                if bad.any():
                    row = series.index[bad.to_numpy()][0]
                    raise SchemaError(
                        f"{_value_at(series, bad)!r} is not one of {list(values)}",
                        column=name,
                        row=row,
                    )
                out[name] = series.astype(DTYPES[name])
            elif column.dtype == "float":
                out[name] = _to_float(series, name)
            elif column.dtype == "int":
                numbers = _to_float(series, name)
                bad = numbers.notna() & ((numbers % 1 != 0) | ~np.isfinite(numbers))
                if bad.any():
                    row = series.index[bad.to_numpy()][0]
                    raise SchemaError(
                        f"{_value_at(series, bad)!r} is not a whole number", column=name, row=row
                    )
                out[name] = numbers.astype("Int64")
            elif column.dtype == "bool":
                out[name] = _to_bool(series, name)
            elif column.dtype == "datetime":
                out[name] = _to_datetime(series, name)
            else:
                out[name] = series.astype(object).where(series.notna(), None)
        except SchemaError:
            raise
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"cannot convert to {column.dtype}: {exc}", column=name) from exc
    extra = [c for c in df.columns if c not in _BY_NAME]
    for name in extra:
        out[name] = df[name]
    index = df.index
    return pd.DataFrame(
        {
            k: v if v.index is index else pd.Series(v.array, index=index, dtype=v.dtype)
            for k, v in out.items()
        },
        index=index,
        copy=False,
    )


def _absent(column: Column, index: pd.Index) -> pd.Series:
    """A column of missing values in the column's dtype."""
    n = len(index)
    if column.dtype in ("str", "object"):
        return pd.Series(np.full(n, None, dtype=object), index=index, dtype=object)
    if column.dtype == "float":
        return pd.Series(np.full(n, np.nan), index=index)
    if column.dtype == "category":
        codes = pd.Categorical.from_codes(np.full(n, -1), dtype=DTYPES[column.name])
        return pd.Series(codes, index=index)
    empty: pd.Series = pd.Series(
        np.full(n, None, dtype=object), index=index, dtype=DTYPES[column.name]
    )
    return empty


def _value_at(series: pd.Series, bad: Any) -> Any:
    """The first flagged value, as plain Python (``1.5``, not ``np.float64(1.5)``)."""
    value = series.iloc[int(np.flatnonzero(np.asarray(bad, dtype=bool))[0])]
    return value.item() if isinstance(value, np.generic) else value


def _to_float(series: pd.Series, name: str) -> pd.Series:
    converted = pd.to_numeric(series, errors="coerce").astype("float64")
    bad = converted.isna() & ~series.isna()
    if bad.any():
        row = series.index[bad.to_numpy()][0]
        raise SchemaError(f"{_value_at(series, bad)!r} is not a number", column=name, row=row)
    return converted


def _to_bool(series: pd.Series, name: str) -> pd.Series:
    if series.dtype == bool or isinstance(series.dtype, pd.BooleanDtype):
        return series.astype("boolean")
    ok = series.map(lambda v: is_missing(v) or isinstance(v, (bool, np.bool_)) or v in (0, 1))
    bad = ~ok.astype(bool)
    if bad.any():
        row = series.index[bad.to_numpy()][0]
        raise SchemaError(f"{_value_at(series, bad)!r} is not True or False", column=name, row=row)
    return pd.Series(
        [None if is_missing(v) else bool(v) for v in series], index=series.index, dtype="boolean"
    )


def _to_text(series: pd.Series, name: str) -> pd.Series:
    """A text column as object values (str or None); lists, dicts and bytes are refused."""
    values = series.to_numpy(dtype=object, copy=True)
    missing = pd.isna(values) if len(values) else np.zeros(0, dtype=bool)
    # infer_dtype scans in C: the common case (all text) needs no Python loop.
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        bad = np.fromiter((isinstance(v, _NOT_TEXT) for v in values), dtype=bool, count=len(values))
        if bad.any():
            row = series.index[bad][0]
            value = values[bad][0]
            raise SchemaError(
                f"{value!r} is a {type(value).__name__}, not a text", column=name, row=row
            )
        keep = ~missing
        values[keep] = [str(v) for v in values[keep]]
    values[missing] = None
    return pd.Series(values, index=series.index, dtype=object)


def _to_datetime(series: pd.Series, name: str) -> pd.Series:
    """A date/time column in UTC (naive values are taken as UTC); bad values name their row."""
    if isinstance(series.dtype, pd.DatetimeTZDtype) or series.dtype.kind == "M":
        return pd.to_datetime(series, utc=True).astype("datetime64[ns, UTC]")
    try:
        out = pd.to_datetime(series, utc=True, errors="coerce", format="ISO8601")
    except (TypeError, ValueError):
        out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
    failed = (out.isna() & series.notna()).to_numpy(dtype=bool)
    if failed.any():  # other spellings ("March 1, 2024"), parsed one by one
        retry = pd.to_datetime(series[failed], utc=True, errors="coerce", format="mixed")
        out = out.astype("datetime64[ns, UTC]")
        out[failed] = retry
        bad = (out.isna() & series.notna()).to_numpy(dtype=bool)
        if bad.any():
            row = series.index[bad][0]
            raise SchemaError(
                f"{_value_at(series, bad)!r} is not a date/time", column=name, row=row
            )
    return out.astype("datetime64[ns, UTC]")


def validate(
    df: pd.DataFrame, *, kinds: Sequence[str] | None = None, unique_ids: bool = True
) -> pd.DataFrame:
    """Check an annotation table and return it coerced to the schema.

    Every error names the column and the row (by index label; a table built
    from a list of dicts numbers its rows from 0). Checks, a column at a time:
    the required columns are present and filled (None, NaN and empty text are
    missing), ``kind``/``source`` take known values, numbers are finite, whole
    where the column is whole, ids are unique (unless ``unique_ids=False``:
    the store accepts several edits of one id in one batch, the last wins),
    each row has the geometry its kind needs, boxes have non-negative size,
    spans and segments have ``start <= end``, masks are RLE dicts and polygons
    have at least three ``[x, y]`` points.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    for column in COLUMNS:
        if column.required and column.name not in df.columns:
            raise SchemaError("required column is missing", column=column.name)
    out = coerce(df)
    _check_rules(
        _Cells({name: out[name] for name in _RULE_COLUMNS}),
        out["kind"].cat.codes.to_numpy(),
        out.index,
        kinds=kinds,
        unique_ids=unique_ids,
    )
    return out


def validate_rows(
    records: Sequence[Mapping[str, Any]],
    *,
    kinds: Sequence[str] | None = None,
    unique_ids: bool = True,
) -> list[dict[str, Any]] | None:
    """:func:`validate` for a few rows given as dicts, without building a DataFrame.

    Returns the rows with every schema column (missing ones None, or NaN in a
    float column), checked by the same rules as :func:`validate`, which raise the
    same :class:`SchemaError` (rows are named by position). Only values already
    of their column's type are taken (text as ``str``, numbers as ``int`` or
    ``float``, flags as ``bool``, no date/time given); when a row holds anything
    that would need converting, this returns None: call :func:`validate` on a
    DataFrame of the rows instead, which converts it or says why it cannot.
    """
    out: list[dict[str, Any]] = []
    for record in records:
        if not set(record) <= _COLUMN_SET:
            return None
        row: dict[str, Any] = {}
        for column in COLUMNS:
            value = _plain_cell(column, record.get(column.name))
            if value is _CONVERT:
                return None
            row[column.name] = value
        out.append(row)
    required = [c.name for c in COLUMNS if c.required]
    missing = next((c for c in required if not any(c in r for r in records)), None)
    if missing is not None and out:
        raise SchemaError("required column is missing", column=missing)
    _check_rules(
        _Cells({name: [r[name] for r in out] for name in _RULE_COLUMNS}),
        np.array([_KIND_CODES.get(r["kind"], -1) for r in out], dtype=np.int64),
        range(len(out)),
        kinds=kinds,
        unique_ids=unique_ids,
    )
    return out


_COLUMN_SET: Final = frozenset(COLUMN_NAMES)
_KIND_CODES: Final = {name: code for code, name in enumerate(KINDS)}
#: The columns the rules of :func:`_check_rules` look at.
_RULE_COLUMNS: Final = tuple(
    c.name
    for c in COLUMNS
    if c.required
    or c.dtype == "float"
    or c.name in ("points", "mask")
    or any(c.name in spec.required for spec in KIND_SPECS.values())
)
_CONVERT: Final = object()  # "this value needs coerce()": the row path hands over


def _plain_cell(column: Column, value: Any) -> Any:
    """``value`` as :func:`coerce` would store it, or ``_CONVERT`` when that takes converting."""
    if is_missing(value):
        return np.nan if column.dtype == "float" else None
    kind = column.dtype
    if kind == "str":
        return value if isinstance(value, str) else _CONVERT
    if kind == "category":
        known = KINDS if column.name == "kind" else SOURCES
        return value if isinstance(value, str) and value in known else _CONVERT
    if isinstance(value, (bool, np.bool_)):
        return bool(value) if kind == "bool" else _CONVERT
    if kind == "float" and isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if kind == "int" and isinstance(value, (int, np.integer)) and -(2**53) < int(value) < 2**53:
        return int(value)  # exact in float64, as coerce() has it
    if kind == "object":
        return value
    return _CONVERT  # dates, whole numbers given as floats, text in a number column...


class _Cells:
    """The columns the rules read, as numpy arrays made on first use (from Series or lists)."""

    def __init__(self, columns: Mapping[str, Any]) -> None:
        self._columns = columns
        self._arrays: dict[str, np.ndarray[Any, Any]] = {}

    def __getitem__(self, name: str) -> np.ndarray[Any, Any]:
        found = self._arrays.get(name)
        if found is None:
            dtype = "float64" if _BY_NAME[name].dtype == "float" else object
            values = self._columns[name]
            if isinstance(values, pd.Series):
                found = values.to_numpy(dtype=dtype)
            else:  # one cell at a time: a list of points stays one cell
                found = np.empty(len(values), dtype=dtype)
                for i, value in enumerate(values):
                    found[i] = value
            self._arrays[name] = found
        return found


def _check_rules(
    cells: _Cells,
    kind_codes: np.ndarray[Any, Any],
    rows: Sequence[Any] | pd.Index,
    *,
    kinds: Sequence[str] | None,
    unique_ids: bool,
) -> None:
    """The row rules of :func:`validate`, on columns already in their types; raise SchemaError.

    ``rows`` are the row labels errors name; ``kind_codes`` are positions in KINDS.
    """

    def first(mask: np.ndarray[Any, Any]) -> Any:
        return rows[int(np.flatnonzero(mask)[0])]

    def at(mask: np.ndarray[Any, Any], name: str) -> Any:
        return cells[name][int(np.flatnonzero(mask)[0])]

    for column in COLUMNS:
        if column.required:
            values = cells[column.name]
            absent = pd.isna(values)
            if column.dtype == "str":
                absent = absent | (values == "")
            if absent.any():
                raise SchemaError(
                    "missing value (None, NaN or empty text) in a required column",
                    column=column.name,
                    row=first(absent),
                )
    for column in COLUMNS:
        if column.dtype == "float":
            infinite = np.isinf(cells[column.name])
            if infinite.any():
                raise SchemaError(
                    f"{at(infinite, column.name)!r} is not a finite number",
                    column=column.name,
                    row=first(infinite),
                )
    if unique_ids:
        dup = pd.Series(cells["id"]).duplicated().to_numpy()
        if dup.any():
            raise SchemaError(
                f"duplicate annotation id {at(dup, 'id')!r}", column="id", row=first(dup)
            )
    if kinds is not None:
        wanted = [_KIND_CODES[k] for k in kinds if k in _KIND_CODES]
        bad = ~np.isin(kind_codes, wanted)
        if bad.any():
            raise SchemaError(
                f"kind {KINDS[int(kind_codes[bad][0])]!r} is not accepted here "
                f"(expected {list(kinds)})",
                column="kind",
                row=first(bad),
            )
    for code, (kind, needed) in enumerate(REQUIRED_BY_KIND.items()):
        of_kind = kind_codes == code  # the categories are KINDS, in this order
        if not needed or not of_kind.any():
            continue
        for name in needed:
            missing = of_kind & pd.isna(cells[name])
            if missing.any():
                raise SchemaError(
                    f"a {kind!r} annotation needs {name!r}", column=name, row=first(missing)
                )
    _check_geometry(cells, rows)


def _check_geometry(cells: _Cells, rows: Sequence[Any] | pd.Index) -> None:
    for name in ("width", "height"):
        neg = np.flatnonzero(cells[name] < 0)
        if len(neg):
            raise SchemaError("must not be negative", column=name, row=rows[int(neg[0])])
    start, end = cells["start"], cells["end"]
    inverted = np.flatnonzero(end < start)
    if len(inverted):
        i = int(inverted[0])
        raise SchemaError(f"end {end[i]:g} is before start {start[i]:g}", column="end", row=rows[i])
    for name, check in (("mask", mask_problem), ("points", points_problem)):
        values = cells[name]
        for i in np.flatnonzero(pd.notna(values)).tolist():  # only the rows that have one
            problem = check(values[i])
            if problem:
                raise SchemaError(problem, column=name, row=rows[i])


def mask_problem(value: Any) -> str | None:
    """Why ``value`` is not a COCO RLE mask dict, or None (also None for a missing mask)."""
    if value is None:
        return None
    if not (isinstance(value, Mapping) and "size" in value and "counts" in value):
        return "a mask must be a COCO RLE dict with 'size' and 'counts'"
    size = value["size"]
    if not (
        isinstance(size, Sequence)
        and len(size) == 2
        and all(isinstance(v, (int, np.integer)) and v >= 0 for v in size)
    ):
        return f"a mask's size must be [height, width], got {size!r}"
    return None


def points_problem(value: Any) -> str | None:
    """Why ``value`` is not a polygon's list of [x, y] points, or None (also for a missing one)."""
    if value is None:
        return None
    try:
        pts = np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        pts = np.empty((0,))
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 3 or not np.isfinite(pts).all():
        return "a polygon needs at least three finite [x, y] points"
    return None
