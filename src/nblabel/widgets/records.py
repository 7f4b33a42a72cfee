"""RecordAnnotator: label the rows of a DataFrame (transactions, tickets, products) as cards.

Each row of the DataFrame is one item; its index value is the item id. The
kernel formats the row's fields when the row is shown (never the whole frame
up front), so a DataFrame of a million rows opens at once.

Item payload: ``{"fields": n, "context": n}`` and one binary buffer, the card
as UTF-8 JSON::

    {"fields": [{"name", "text", "kind", "highlight"}, ...],
     "context": [{"name", "text", "kind", "highlight"}, ...],
     "flag": column name or null}

``text`` is the value formatted in Python by its column's dtype; ``kind`` is
the raw kind of the value (``"int"``, ``"float"``, ``"bool"``, ``"date"``,
``"datetime"``, ``"timedelta"``, ``"text"``, ``"missing"``), so the page can
align numbers; ``flag`` names the boolean ``highlight=`` column when it is
true on this row. No message types beyond the base protocol.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
import os
import pathlib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..items import Item, ItemQueue, Sources
from ..store import Store
from ._base import Annotator, Payload

__all__ = ["RECORD_SOURCES", "RecordAnnotator", "format_value"]

_STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"

#: Text longer than this many characters is cut on the card (the data is untouched).
MAX_TEXT = 10_000

Highlight = Callable[[pd.Series], Any] | str | None


def _name(value: Any, _kind: str) -> str:
    return f"row {value}"


#: Items of a record widget: each is its id (str), its row found by its queue position.
#: The kind "path" is the queue's fast path for values that are their own ids, so a
#: million rows are queued without per-row work.
RECORD_SOURCES = Sources(
    what="record",
    expected="a row id (str)",
    kind_of=lambda value: "path" if isinstance(value, str) else None,
    name=_name,
    singles=(),
)


# -- formatting ---------------------------------------------------------------------------------
def _column_kind(column: pd.Series) -> str:
    """The kind of a column's values by its dtype; ``"object"`` means: look at each value.

    A datetime column whose every value is at midnight is a column of dates (one
    vectorised check when the widget opens); otherwise every value shows its time.
    """
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = column.dropna()
        naive = getattr(dtype, "tz", None) is None
        return "date" if naive and bool((stamps == stamps.dt.normalize()).all()) else "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    return "object"


def _value_kind(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (numbers.Integral, np.integer)):
        return "int"
    if isinstance(value, (numbers.Real, np.floating)):
        return "float"
    if isinstance(value, (pd.Timestamp, _dt.datetime, np.datetime64)):
        return "datetime"
    if isinstance(value, _dt.date):
        return "date"
    if isinstance(value, (pd.Timedelta, _dt.timedelta, np.timedelta64)):
        return "timedelta"
    return "text"


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    try:
        return bool(pd.api.types.is_scalar(value) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def _format_float(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    magnitude = abs(value)
    if magnitude and (magnitude >= 1e15 or magnitude < 1e-4):
        return f"{value:.4g}"
    # Ten significant digits at most (no float noise: 0.1 + 0.2 is 0.3), thousands separated.
    short = f"{value:.10g}"
    decimals = len(short.split(".")[1]) if "." in short and "e" not in short else 0
    text = f"{value:,.{decimals}f}"
    return "0" if text == "-0" else text


def format_value(value: Any, kind: str = "object") -> tuple[str, str]:
    """A value as a card shows it: ``(text, kind)``, formatted by ``kind`` (a column's dtype).

    Integers get thousands separators (``12,345``), floats up to ten significant
    digits (``1,234.5``), booleans ``yes``/``no``, timestamps ``2024-03-01
    14:05:09`` (with the zone when aware; kind ``"date"``, a column whose every
    value is at midnight, shows the date alone), missing values ``—`` with kind
    ``"missing"``. Anything else is its ``str``.

    >>> format_value(1234567)
    ('1,234,567', 'int')
    >>> format_value(0.1 + 0.2, "float")
    ('0.3', 'float')
    >>> format_value(pd.Timestamp("2024-03-01"), "date")
    ('2024-03-01', 'date')
    """
    if _is_missing(value):
        return "—", "missing"
    if kind == "object":
        kind = _value_kind(value)
    if kind == "bool":
        return ("yes" if bool(value) else "no"), "bool"
    if kind == "int":
        return f"{int(value):,}", "int"
    if kind == "float":
        number = float(value)
        if number.is_integer() and abs(number) < 1e15:
            return f"{int(number):,}", "float"
        return _format_float(number), "float"
    if kind == "date":
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            return value.isoformat(), "date"
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is None and stamp == stamp.normalize():
            return stamp.strftime("%Y-%m-%d"), "date"
    if kind in ("datetime", "date"):
        stamp = pd.Timestamp(value)
        text = stamp.strftime("%Y-%m-%d %H:%M:%S")
        if stamp.microsecond:
            text += f".{stamp.microsecond:06d}".rstrip("0")
        if stamp.tzinfo is not None:
            text += f" {stamp.tzname() or stamp.strftime('%z')}"
        return text, "datetime"
    if kind == "timedelta":
        return str(pd.Timedelta(value)), "timedelta"
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    elif isinstance(value, (Mapping, list, tuple)):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = str(value)
    else:
        text = str(value)
    if len(text) > MAX_TEXT:
        text = f"{text[:MAX_TEXT]}… ({len(text) - MAX_TEXT:,} more characters)"
    return text, "text"


# -- checking the DataFrame ---------------------------------------------------------------------
def _record_ids(df: pd.DataFrame) -> list[str]:
    """The item ids (the index as str); an error names the first row that cannot be an id.

    Vectorised where pandas allows it: ids for a million rows take a fraction of a second.
    """
    index = df.index
    if isinstance(index, pd.MultiIndex):
        keys = index.tolist()
        missing = [i for i, key in enumerate(keys) if any(_is_missing(p) for p in key)]
        ids = [" / ".join(str(p) for p in key) for key in keys]
    else:
        values = index.tolist()
        if index.dtype == object:
            for i, value in enumerate(values):
                if not isinstance(value, Hashable):
                    raise TypeError(
                        f"df: row {i} has the index value {value!r}, a {type(value).__name__}, "
                        "which cannot be an item id; give the DataFrame an index of str or int "
                        "ids"
                    )
        missing = np.flatnonzero(pd.isna(index)).tolist() if index.hasnans else []
        # A str-typed index holds str already; anything else (ints, objects) is made str.
        ids = values if isinstance(index.dtype, pd.StringDtype) else [str(v) for v in values]
    if missing:
        raise ValueError(
            f"df: row {missing[0]} has a missing index value ({index[missing[0]]!r}); every "
            "row needs an id (its index value), e.g. df.reset_index(drop=True) for 0, 1, 2..."
        )
    if len(set(ids)) != len(ids):
        seen: dict[str, int] = {}
        for i, ident in enumerate(ids):
            first = seen.setdefault(ident, i)
            if first != i:
                raise ValueError(
                    f"df: rows {first} and {i} have the same id {ident!r} (the index gives the "
                    "item ids; make it unique, e.g. with df.reset_index())"
                )
    return ids


def _columns(df: pd.DataFrame, given: Any, name: str) -> list[Any]:
    """Column labels named by ``given`` (one label or a list), each checked against ``df``."""
    if given is None:
        return []
    listed = [given] if isinstance(given, str) or not isinstance(given, Iterable) else list(given)
    out: list[Any] = []
    for column in listed:
        if not isinstance(column, Hashable) or column not in df.columns:
            shown = [str(c) for c in df.columns]
            raise ValueError(f"{name}: {column!r} is not a column of df (columns: {shown})")
        if column in out:
            raise ValueError(f"{name}: {column!r} appears more than once")
        out.append(column)
    return out


class RecordAnnotator(Annotator):
    """Label the rows of a DataFrame, one readable card per row, keyboard first.

    Parameters
    ----------
    df
        The records: one row per item, its index value the item id (unique,
        not missing). Rows are formatted only when shown, so a large frame
        opens at once.
    labels
        The classes, in key order: key ``1`` chooses the first.
    fields
        The columns shown on the card, in order, with their names (default:
        every column not in ``context``).
    multi_label
        Allow several labels per record (the keys toggle them).
    highlight
        What to emphasise: a callable ``row -> field names`` (``row`` a pandas
        Series; return a set of column names, or ``True`` for the whole card),
        e.g. ``lambda r: {"amount"} if r.amount > 1000 else set()``; or the
        name of a boolean column, which flags the whole card where it is true.
    context
        Columns shown smaller under the card (ids, timestamps, free notes).
    annotator
        Who is labeling; defaults to ``$NBLABEL_ANNOTATOR`` or the login name.
    store
        A SQLite file path, a SQLAlchemy URL, a :class:`nblabel.Store`, or
        ``None`` for ``./nblabel.db``.
    predictions
        A model's labels (``item_id``, ``kind="label"``, ``label``, ``score``)
        shown as suggestions to accept (``a``) or reject.
    advance
        Go to the next record after a label is chosen; defaults to on for
        single-label, off for multi-label.

    Numbers, dates and booleans are formatted by their column's dtype (see
    :func:`format_value`); numbers line up on the right; long text wraps.

    Keys: ``1``-``9`` label, ``0``/``Backspace`` clear, ``a`` accept the best
    suggestion, ``n``/``→`` next, ``p``/``←`` previous, ``z`` undo,
    ``Shift+z``/``y`` redo, ``?`` help.

    Examples
    --------
    >>> import pandas as pd
    >>> transactions = pd.DataFrame({"amount": [12.5, 4200.0],
    ...                              "merchant": ["cafe", "jeweller"],
    ...                              "time": ["09:10", "23:40"]})
    >>> w = RecordAnnotator(transactions, labels=["ok", "fraud"],
    ...                     fields=["amount", "merchant", "time"],
    ...                     highlight=lambda r: {"amount"} if r.amount > 1000 else set(),
    ...                     annotator="ana", store="labels.db")
    >>> w          # in a notebook, the widget; as text:
    RecordAnnotator: 0 / 2 labeled by 'ana', showing 'row 0'
    >>> w.annotations[["item_id", "label"]]                # one row per label, as you go
    Empty DataFrame
    Columns: [item_id, label]
    Index: []
    """

    _esm = _STATIC / "records.js"
    _css = _STATIC / "records.css"

    KINDS: ClassVar[tuple[str, ...]] = ("label",)

    def __init__(
        self,
        df: pd.DataFrame,
        *,
        labels: Sequence[str],
        fields: Sequence[Hashable] | None = None,
        multi_label: bool = False,
        highlight: Highlight = None,
        context: Sequence[Hashable] | None = None,
        annotator: str | None = None,
        store: Store | str | os.PathLike[str] | None = None,
        predictions: pd.DataFrame | None = None,
        advance: bool | None = None,
    ) -> None:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df: expected a pandas DataFrame, got {type(df).__name__}")
        if len(df) == 0:
            raise ValueError("df: the DataFrame has no rows")
        if not df.columns.is_unique:
            twice = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
            raise ValueError(f"df: the column name(s) {twice} appear more than once")
        context_ = _columns(df, context, "context")
        if fields is None:
            fields_ = [c for c in df.columns if c not in context_]
        else:
            fields_ = _columns(df, fields, "fields")
            if not fields_:
                raise ValueError("fields: name at least one column to show")
        both = [c for c in fields_ if c in context_]
        if both:
            raise ValueError(f"context: {both[0]!r} is also in fields; show it in one place")
        self._highlight_column: Any = None
        self._highlight_fn: Callable[[pd.Series], Any] | None = None
        if isinstance(highlight, str):
            if highlight not in df.columns:
                raise ValueError(
                    f"highlight: {highlight!r} is not a column of df "
                    f"(columns: {[str(c) for c in df.columns]})"
                )
            dtype = df[highlight].dtype
            if not pd.api.types.is_bool_dtype(dtype):
                raise TypeError(
                    f"highlight: the column {highlight!r} must hold booleans (it is {dtype}); "
                    "or give a function row -> field names"
                )
            self._highlight_column = highlight
        elif callable(highlight):
            self._highlight_fn = highlight
        elif highlight is not None:
            raise TypeError(
                "highlight: expected a function row -> field names or the name of a boolean "
                f"column, got {type(highlight).__name__}"
            )
        ids = _record_ids(df)
        self._df = df
        self._fields = fields_
        self._context = context_
        self._column_kinds = {c: _column_kind(df[c]) for c in (*fields_, *context_)}
        # The queue holds the ids; a row is read and formatted when it is shown.
        super().__init__(
            ItemQueue(ids, RECORD_SOURCES),
            labels=labels,
            annotator=annotator,
            store=store,
            multi_label=multi_label,
            advance=advance,
            predictions=predictions,
        )

    # -- public -----------------------------------------------------------------------------------
    @property
    def fields(self) -> list[str]:
        """The columns shown on the card, in order (as text)."""
        return [str(c) for c in self._fields]

    @property
    def context(self) -> list[str]:
        """The columns shown smaller under the card (as text)."""
        return [str(c) for c in self._context]

    def card(self, item_id: str) -> dict[str, Any]:
        """The card of a record as the page gets it (see the module docstring)."""
        position = self._position_of(str(item_id))
        if position is None:
            raise KeyError(f"{item_id!r} is not one of this widget's items")
        return self._card(self._item(position))

    # -- hooks ------------------------------------------------------------------------------------
    def _card(self, item: Item) -> dict[str, Any]:
        position = self._position_of(item.id)
        if position is None:  # pragma: no cover - items come from the queue
            raise KeyError(item.id)
        label = self._df.index[position]
        row = self._df.iloc[position]
        marked: set[str] = set()
        whole = False
        if self._highlight_fn is not None:
            try:
                chosen = self._highlight_fn(row)
            except Exception as exc:
                raise ValueError(f"row {label!r}: highlight failed: {exc!r}") from exc
            if isinstance(chosen, (bool, np.bool_)):
                whole = bool(chosen)
            elif chosen is not None:
                names = [chosen] if isinstance(chosen, str) else list(chosen)
                known = {str(c): c for c in (*self._fields, *self._context)}
                unknown = [n for n in names if str(n) not in known]
                if unknown:
                    raise ValueError(
                        f"row {label!r}: highlight named {unknown}, which are not shown "
                        f"(fields: {self.fields}, context: {self.context})"
                    )
                marked = {str(n) for n in names}
        flag = None
        if self._highlight_column is not None:
            value = row[self._highlight_column]
            if not _is_missing(value) and bool(value):
                flag = str(self._highlight_column)
        if whole:
            flag = "highlight"

        def entry(column: Any) -> dict[str, Any]:
            text, kind = format_value(row[column], self._column_kinds[column])
            return {
                "name": str(column),
                "text": text,
                "kind": kind,
                "highlight": str(column) in marked,
            }

        return {
            "fields": [entry(c) for c in self._fields],
            "context": [entry(c) for c in self._context],
            "flag": flag,
        }

    def _load(self, item: Item) -> Payload:
        try:
            card = self._card(item)
        except ValueError as exc:
            return {"error": str(exc)}, []
        data = json.dumps(card, ensure_ascii=False, allow_nan=False).encode("utf-8")
        return {"fields": len(card["fields"]), "context": len(card["context"])}, [data]
