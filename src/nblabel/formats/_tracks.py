"""Helpers shared by the video track formats (MOT, CVAT for video)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from ._common import FormatError

_NAMESPACE = uuid.UUID("5b0e2c36-8d2c-4d0e-9a57-3f1f0c7d9e11")


def row_id(*parts: object) -> str:
    """A stable annotation id from the parts that identify a row (re-imports upsert, not add)."""
    return uuid.uuid5(_NAMESPACE, "\x1f".join(str(p) for p in parts)).hex


def one_value(df: pd.DataFrame, column: str, given: str | None, what: str) -> str:
    """The single value of ``column`` in ``df``, or ``given``; an error names the choices."""
    values = sorted(df[column].dropna().astype(str).unique())
    if given is not None:
        if given not in values:
            raise FormatError(f"{what} {given!r} has no rows; the table has {values}")
        return given
    if len(values) != 1:
        raise FormatError(
            f"the table has {len(values)} {what}s {values}; a file holds one: "
            f"choose one with {column}="
        )
    return str(values[0])


def numeric_track_ids(track_ids: pd.Series, *, start: int) -> pd.Series:
    """Track ids as integers: kept when every id is a whole number, else numbered from ``start``.

    Renumbering follows the sorted order of the ids, so it is the same on every export.
    """
    text = track_ids.astype(str)
    if text.str.fullmatch(r"\d+").all():
        return text.astype(np.int64)
    order = {t: i + start for i, t in enumerate(sorted(text.unique()))}
    return text.map(order).astype(np.int64)


def class_ids(
    labels: pd.Series,
    classes: Mapping[str, int] | list[str] | tuple[str, ...] | None,
    default: Mapping[str, int],
) -> npt.NDArray[np.int64]:
    """Each label's class id, from ``classes`` (a mapping, or a list numbered from 1)."""
    codes, uniques = pd.factorize(labels.to_numpy(dtype=object))
    names = [str(u) for u in uniques]
    if classes is None:
        mapping: Mapping[str, int] = default
        unknown = sorted(set(names) - set(mapping))
        if unknown:
            raise FormatError(
                f"label(s) {unknown} have no class id: pass classes= (a list, numbered from 1, "
                f"or a mapping label -> id); the default classes are {list(default)}"
            )
    else:
        mapping = (
            {str(k): int(v) for k, v in classes.items()}
            if isinstance(classes, Mapping)
            else {str(name): i + 1 for i, name in enumerate(classes)}
        )
        unknown = sorted(set(names) - set(mapping))
        if unknown:
            raise FormatError(f"label(s) {unknown} are not in classes {list(mapping)}")
    return np.asarray([mapping[n] for n in names], dtype=np.int64)[codes]


def class_names(
    classes: Mapping[str, int] | list[str] | tuple[str, ...] | None, default: Mapping[str, int]
) -> dict[int, str]:
    """Class id -> label, the inverse of what :func:`class_ids` uses."""
    if classes is None:
        mapping: Mapping[str, int] = default
    elif isinstance(classes, Mapping):
        mapping = {str(k): int(v) for k, v in classes.items()}
    else:
        mapping = {str(name): i + 1 for i, name in enumerate(classes)}
    return {v: k for k, v in mapping.items()}


def fmt_number(value: float) -> str:
    """A number as the shortest text that reads back exactly; whole numbers without ``.0``."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def exact_csv(table: pd.DataFrame) -> str:
    """``table`` as header-less CSV whose numbers read back exactly (see :func:`fmt_number`)."""
    columns = {}
    for name in table.columns:
        values = table[name].to_numpy(dtype=np.float64)
        whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 1e15)
        if whole.all():
            columns[name] = values.astype(np.int64)
        else:  # whole numbers as ints, the rest as floats (written by repr: exact)
            mixed = values.astype(object)
            mixed[whole] = values[whole].astype(np.int64).astype(object)
            columns[name] = mixed
    return str(pd.DataFrame(columns).to_csv(header=False, index=False, lineterminator="\n"))


def tracked_boxes(df: pd.DataFrame, what: str) -> pd.DataFrame:
    """The table's boxes; a box without a frame is an error naming the row (no silent drop).

    Rows of other kinds (whole-item labels, comments, skips) are not boxes and are left out.
    """
    table = schema.coerce(df)
    boxes = table[(table["kind"] == "box").to_numpy()]
    no_frame = boxes["frame"].isna().to_numpy()
    if no_frame.any():
        row = boxes.index[np.flatnonzero(no_frame)[0]]
        raise schema.SchemaError(
            f"{what} carries boxes on video frames; this box has no frame", column="frame", row=row
        )
    return boxes
