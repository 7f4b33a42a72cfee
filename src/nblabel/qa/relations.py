"""Agreement on relations: links between two annotations of one item.

A relation row names its two ends by annotation id (``from_id``, ``to_id``). Ids
differ from one annotator to the next, so two annotators' relations are compared
by what their ends *are*: each end is read from the same annotator's rows as its
kind, geometry and label (a span's ``start``, ``end`` and ``label``), and two
relations agree when both ends agree exactly and so do the relation labels.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from typing import Any

import pandas as pd

from ._frame import check_frame
from .structured import _pairs

__all__ = ["relation_agreement"]

#: The columns that say where an end is, by its kind.
_GEOMETRY: dict[str, tuple[str, ...]] = {
    "span": ("start", "end"),
    "segment": ("start", "end"),
    "box": ("x", "y", "width", "height"),
    "point": ("x", "y"),
}

_FUNC = "relation_agreement"


def _value(value: Any) -> Hashable:
    """A geometry value as a key: whole floats as ints, so 3.0 and 3 agree."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, Hashable) else repr(value)


def _end_keys(df: pd.DataFrame) -> dict[str, tuple[Any, Any, tuple[Hashable, ...]]]:
    """annotation id -> (annotator, item_id, (kind, label, *geometry)) for every possible end."""
    out: dict[str, tuple[Any, Any, tuple[Hashable, ...]]] = {}
    if "kind" not in df.columns or "id" not in df.columns:
        return out
    for kind, columns in _GEOMETRY.items():
        rows = df.loc[(df["kind"] == kind).to_numpy(dtype=bool, na_value=False)]
        if rows.empty:
            continue
        present = [c for c in columns if c in rows.columns]
        for record in rows[["id", "annotator", "item_id", "label", *present]].to_dict("records"):
            geometry = tuple(_value(record.get(c)) for c in columns)
            out[str(record["id"])] = (
                record["annotator"],
                record["item_id"],
                (kind, str(record["label"]), *geometry),
            )
    return out


def _relation_keys(rows: pd.DataFrame, ends: dict[str, Any]) -> Counter[tuple[Hashable, ...]]:
    """Each relation as (item, its from end, its to end, its label), counted."""
    out: Counter[tuple[Hashable, ...]] = Counter()
    for index, record in zip(rows.index, rows.to_dict("records"), strict=True):
        where = f"{_FUNC}: relation row {index!r} (id {record.get('id')!r})"
        keys = []
        for field in ("from_id", "to_id"):
            end = record.get(field)
            found = ends.get(str(end)) if isinstance(end, str) else None
            if found is None:
                raise ValueError(
                    f"{where}: its {field} {end!r} is not a span, segment, box or point in df"
                )
            annotator, item, key = found
            if item != record["item_id"] or annotator != record["annotator"]:
                raise ValueError(
                    f"{where}: its {field} {end!r} is an annotation of item {item!r} by "
                    f"{annotator!r}, not of item {record['item_id']!r} by {record['annotator']!r}"
                )
            keys.append(key)
        out[(record["item_id"], keys[0], keys[1], str(record["label"]))] += 1
    return out


def relation_agreement(df: pd.DataFrame) -> pd.DataFrame:
    """Agreement of relations (entity links) between every pair of annotators.

    Two relations agree when they are on the same item, their ``from`` ends
    agree exactly (same kind, ``label`` and geometry: a span's ``start`` and
    ``end``; a box's ``x``, ``y``, ``width``, ``height``), so do their ``to``
    ends, and their relation labels are the same. Matches are counted one to one
    (a relation given twice by one annotator matches at most twice).

    Items count as in :func:`nblabel.qa.span_agreement`: those both annotators
    left any row on. With ``annotator_a`` taken as the reference, ``recall =
    matches / n_a`` and ``precision = matches / n_b``; ``f1 = 2 * matches /
    (n_a + n_b)`` is symmetric, like ``span_agreement``'s ``exact_f1``.

    Returns
    -------
    DataFrame
        ``annotator_a``, ``annotator_b``, ``n_items``, ``n_a``, ``n_b`` (their
        relations on those items), ``matches``, ``precision``, ``recall``,
        ``f1`` (NaN where a count is 0).

    Examples
    --------
    >>> import pandas as pd
    >>> def span(i, who, start, end, label):
    ...     return dict(id=i, item_id="d", annotator=who, kind="span", label=label,
    ...                 start=start, end=end, from_id=None, to_id=None)
    >>> def rel(i, who, a, b, label):
    ...     return dict(id=i, item_id="d", annotator=who, kind="relation", label=label,
    ...                 start=None, end=None, from_id=a, to_id=b)
    >>> df = pd.DataFrame([
    ...     span("a1", "ana", 0, 3, "PER"), span("a2", "ana", 14, 18, "ORG"),
    ...     rel("ar", "ana", "a1", "a2", "works_for"),
    ...     span("b1", "bo", 0, 3, "PER"), span("b2", "bo", 14, 18, "ORG"),
    ...     rel("br", "bo", "b1", "b2", "works_for"), rel("bx", "bo", "b2", "b1", "owns"),
    ... ])
    >>> relation_agreement(df)[["matches", "precision", "recall", "f1"]].round(3)
       matches  precision  recall     f1
    0        1        0.5     1.0  0.667
    """
    check_frame(df, ("id", "item_id", "annotator", "from_id", "to_id"), func=_FUNC)
    ends = _end_keys(df)
    records = []
    for a, b, shared, ra, rb in _pairs(df, "relation", ("label", "from_id", "to_id"), _FUNC):
        ca, cb = _relation_keys(ra, ends), _relation_keys(rb, ends)
        matches = sum((ca & cb).values())
        n_a, n_b = len(ra), len(rb)
        records.append(
            {
                "annotator_a": a,
                "annotator_b": b,
                "n_items": len(shared),
                "n_a": n_a,
                "n_b": n_b,
                "matches": matches,
                "precision": matches / n_b if n_b else float("nan"),
                "recall": matches / n_a if n_a else float("nan"),
                "f1": 2 * matches / (n_a + n_b) if n_a + n_b else float("nan"),
            }
        )
    columns = [
        "annotator_a",
        "annotator_b",
        "n_items",
        "n_a",
        "n_b",
        "matches",
        "precision",
        "recall",
        "f1",
    ]
    return pd.DataFrame.from_records(records, columns=columns)
