"""Input checks and reshaping shared by every QA function.

QA functions accept the full annotation table (see :mod:`nblabel.schema`) or a
hand-built frame with just the columns they need. This module turns such a
frame into integer codes (item, annotator, label) without looping in Python,
and raises errors that name the offending argument, rows, items and annotators.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]

#: Largest dense items x categories count matrix we build (cells).
_DENSE_LIMIT = 50_000_000


class AgreementWarning(UserWarning):
    """A QA result is undefined or was computed on less data than given."""


def _show(values: Sequence[Any], limit: int = 5) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:limit])
    more = len(values) - limit
    return f"{shown}, ... ({more} more)" if more > 0 else shown


def check_frame(df: Any, columns: Sequence[str], *, func: str) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with ``columns``; return it."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{func}: df must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{func}: df is missing column(s) {missing}; it has {list(df.columns)}. "
            "Build it with nblabel.schema.from_records or rename your columns."
        )
    return df


def of_kind(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Rows of ``kind``; a frame without a ``kind`` column is all ``label`` rows."""
    if "kind" not in df.columns:
        return df if kind == "label" else df.iloc[:0]
    mask = (df["kind"] == kind).to_numpy(dtype=bool, na_value=kind == "label")
    if mask.all():
        return df
    return df.loc[mask]


def drop_missing(df: pd.DataFrame, column: str, *, func: str, stacklevel: int = 4) -> pd.DataFrame:
    """Drop rows whose ``column`` is missing, with a warning naming them."""
    na = df[column].isna().to_numpy()
    if not na.any():
        return df
    rows = df.index[na]
    warnings.warn(
        f"{func}: ignored {len(rows)} row(s) with a missing {column!r} "
        f"(index {_show(list(rows))}); a missing rating is not a category",
        AgreementWarning,
        stacklevel=stacklevel,
    )
    return df.loc[~na]


def _grouped(sample: npt.NDArray[Any]) -> bool:
    """Whether equal values mostly come in runs (judged on a sample)."""
    return bool(np.count_nonzero(sample[1:] != sample[:-1]) < len(sample) // 3)


def codes(series: pd.Series) -> tuple[IntArray, pd.Index]:
    """Integer codes and uniques of a column, vectorised.

    Categorical columns use their codes (free). String columns that are grouped
    (equal values in consecutive rows, as a store writes them) are factorised on
    their run heads only, which is several times faster than hashing every row.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        found = series.cat.codes.to_numpy().astype(np.intp)
        categories = pd.Index(series.cat.categories)
        used = np.bincount(found + 1, minlength=len(categories) + 1)[1:] > 0
        if used.all():
            return found, categories
        remap = np.append(np.cumsum(used) - 1, -1)  # position -1 maps missing to -1
        return remap[found], categories[used]
    values = series.to_numpy()
    n = len(values)
    if values.dtype == object and n > 1000 and _grouped(values[:2000]):
        change = np.empty(n, dtype=bool)
        change[0] = True
        np.not_equal(values[1:], values[:-1], out=change[1:])
        heads = np.flatnonzero(change)
        if len(heads) < n // 2:
            head_codes, uniques = pd.factorize(values[heads])
            lengths = np.diff(heads, append=n)
            found = np.repeat(head_codes.astype(np.intp, copy=False), lengths)
            return found, pd.Index(uniques)
    found, uniques = pd.factorize(values)
    return found.astype(np.intp, copy=False), pd.Index(uniques)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _sorted_uniques(uniques: pd.Index, func: str, labels: pd.Series) -> pd.Index:
    """Sort observed labels for a stable output order; warn about mixed types."""
    if len(uniques) == 0:
        return uniques
    if uniques.dtype == object:
        kinds = {type(v).__name__ for v in uniques}
        numbers = [v for v in uniques if _is_number(v)]
        if numbers and len(numbers) < len(uniques):
            text = [v for v in uniques if not _is_number(v)]
            example = labels.index[labels.isin([numbers[0]]).to_numpy()][:3]
            warnings.warn(
                f"{func}: the label column mixes types ({', '.join(sorted(kinds))}); "
                f"e.g. {numbers[0]!r} (rows {list(example)}) and {text[0]!r} are different "
                "categories. Convert labels with df['label'].astype(str) if they should match.",
                AgreementWarning,
                stacklevel=4,
            )
            mixed: pd.Index = pd.Index(
                sorted(uniques, key=lambda v: (not _is_number(v), str(v))), dtype=object
            )
            return mixed
    as_numbers = numeric_values(uniques)
    out: pd.Index
    if as_numbers is not None and uniques.dtype != bool:
        out = pd.Index(uniques[np.argsort(as_numbers, kind="stable")])
        return out
    try:
        out = pd.Index(uniques).sort_values()
    except TypeError:
        out = pd.Index(sorted(uniques, key=str), dtype=object)
    return out


@dataclass(frozen=True)
class Ratings:
    """Label annotations as integer codes: one entry per (item, annotator) rating."""

    item: IntArray
    rater: IntArray
    value: IntArray
    items: pd.Index
    raters: pd.Index
    categories: pd.Index

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_raters(self) -> int:
        return len(self.raters)

    @property
    def n_categories(self) -> int:
        return len(self.categories)

    def subset(self, mask: npt.NDArray[np.bool_]) -> Ratings:
        """Ratings where ``mask`` is true (codes and labels kept)."""
        return Ratings(
            self.item[mask],
            self.rater[mask],
            self.value[mask],
            self.items,
            self.raters,
            self.categories,
        )

    def counts(self) -> tuple[Any, FloatArray]:
        """Items x categories count matrix (dense, or scipy sparse if huge) and row sums."""
        k = max(self.n_categories, 1)
        if self.n_items * k <= _DENSE_LIMIT:
            dense = np.bincount(self.item * k + self.value, minlength=self.n_items * k)
            table = dense.reshape(self.n_items, k).astype(np.float64)
            return table, table.sum(axis=1)
        from scipy import sparse

        ones = np.ones(len(self.item))
        table = sparse.csr_matrix((ones, (self.item, self.value)), shape=(self.n_items, k))
        return table, np.asarray(table.sum(axis=1)).ravel()

    def by_rater(self) -> npt.NDArray[np.intp]:
        """Raters x items matrix of category codes, -1 where a rater gave no label."""
        out = np.full((self.n_raters, self.n_items), -1, dtype=np.intp)
        out[self.rater, self.item] = self.value
        return out


def _match_categories(
    uniques: pd.Index, categories: Sequence[Hashable], *, func: str, labels: pd.Series
) -> tuple[IntArray, pd.Index]:
    cats = pd.Index(list(categories))
    if cats.has_duplicates:
        dup = cats[cats.duplicated()].tolist()
        raise ValueError(f"{func}: categories has duplicate value(s) {_show(dup)}")
    position = cats.get_indexer(uniques)
    unknown = position < 0
    if unknown.any():
        # The schema stores labels as str: let categories=[1, 2, 3] match "1", "2", "3".
        as_text = pd.Index([str(c) for c in cats])
        if not as_text.has_duplicates:
            retry = as_text.get_indexer(pd.Index([str(u) for u in uniques]))
            position = np.where(unknown, retry, position)
            unknown = position < 0
    if unknown.any():
        bad = [uniques[int(i)] for i in np.flatnonzero(unknown)]
        rows = labels.index[labels.isin(bad).to_numpy()]
        raise ValueError(
            f"{func}: label(s) {_show(bad)} are not in categories={list(cats)!r} "
            f"(rows {_show(list(rows))}); add them to categories or filter those rows"
        )
    return position.astype(np.intp), cats


def duplicate_ratings(item: IntArray, rater: IntArray, n_items: int, n_raters: int) -> IntArray:
    """Positions of ratings whose (item, rater) pair occurs more than once."""
    key = item * max(n_raters, 1) + rater
    if len(key) == 0:
        return np.empty(0, dtype=np.intp)
    if n_items * n_raters <= 4 * len(key) + 1_000_000:
        counts = np.bincount(key, minlength=n_items * n_raters)
        if counts.max() <= 1:
            return np.empty(0, dtype=np.intp)
        return np.flatnonzero(counts[key] > 1)
    order = np.argsort(key, kind="stable")
    sk = key[order]
    same = sk[1:] == sk[:-1]
    if not same.any():
        return np.empty(0, dtype=np.intp)
    flag = np.zeros(len(sk), dtype=bool)
    flag[1:] |= same
    flag[:-1] |= same
    return np.sort(order[flag])


def ratings(
    df: pd.DataFrame,
    *,
    func: str,
    categories: Sequence[Hashable] | None = None,
    allow_multiple: bool = False,
) -> Ratings:
    """Encode the ``label`` rows of ``df`` as :class:`Ratings`.

    Raises a ValueError naming the items and annotators when an annotator gave
    an item more than one label (unless ``allow_multiple``), and when a label is
    not in ``categories``. Rows with a missing label are dropped with a warning.
    """
    check_frame(df, ("item_id", "annotator", "label"), func=func)
    rows = of_kind(df, "label")
    # codes mark missing values with -1: cheaper than isna() on string columns
    value, uniques = codes(rows["label"])
    missing = value < 0
    if missing.any():
        warnings.warn(
            f"{func}: ignored {int(missing.sum())} row(s) with a missing 'label' "
            f"(index {_show(list(rows.index[missing]))}); a missing rating is not a category",
            AgreementWarning,
            stacklevel=3,
        )
        rows = rows.loc[~missing]
        value = value[~missing]
    item, items = codes(rows["item_id"])
    rater, raters = codes(rows["annotator"])
    for column, found in (("item_id", item), ("annotator", rater)):
        if (found < 0).any():
            raise ValueError(
                f"{func}: column {column!r} is missing in row(s) "
                f"{_show(list(rows.index[found < 0]))}"
            )
    labels = rows["label"]
    if categories is not None:
        position, cats = _match_categories(uniques, categories, func=func, labels=labels)
        value = position[value] if len(value) else value
    else:
        declared = isinstance(labels.dtype, pd.CategoricalDtype)
        cats = (
            pd.Index(labels.cat.categories) if declared else _sorted_uniques(uniques, func, labels)
        )
        value = cats.get_indexer(uniques)[value] if len(value) else value
    out = Ratings(item, rater, value.astype(np.intp, copy=False), items, raters, cats)
    if not allow_multiple:
        dup = duplicate_ratings(item, rater, len(items), len(raters))
        if len(dup):
            raise_multiple(out, dup, rows.index, func=func)
    return out


def raise_multiple(r: Ratings, dup: IntArray, index: pd.Index, *, func: str) -> None:
    """Raise the error for an annotator who labeled an item more than once."""
    pairs: dict[tuple[Any, Any], list[Any]] = {}
    for pos in dup[:200]:
        key = (r.items[r.item[pos]], r.raters[r.rater[pos]])
        pairs.setdefault(key, []).append(r.categories[r.value[pos]])
    described = [
        f"annotator {a!r} gave item {i!r} {len(v)} labels {v!r}" for (i, a), v in pairs.items()
    ]
    raise ValueError(
        f"{func}: needs one label per item and annotator, but "
        + "; ".join(described[:3])
        + (f"; ... ({len(described) - 3} more pairs)" if len(described) > 3 else "")
        + f" (rows {_show(list(index[dup]))}). For multi-label data use per_label(df); "
        "to keep each annotator's last label use "
        "df.drop_duplicates(['item_id', 'annotator'], keep='last')."
    )


def numeric_values(categories: pd.Index) -> FloatArray | None:
    """Categories as numbers (str digits included), or None if any is not a number."""
    values = pd.to_numeric(pd.Series(list(categories), dtype=object), errors="coerce")
    arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if len(arr) and np.isnan(arr).any():
        return None
    return arr


def check_annotator(r: Ratings, name: Any, *, func: str, argument: str) -> int:
    """Code of annotator ``name``; a ValueError listing the annotators if unknown."""
    where = r.raters.get_indexer(pd.Index([name]))[0]
    if where < 0:
        raise ValueError(
            f"{func}: {argument}={name!r} is not an annotator in df; "
            f"annotators are {_show(list(r.raters), 20)}"
        )
    return int(where)
