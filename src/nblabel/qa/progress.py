"""Team progress: how much each annotator has done, how fast, and how well.

Both functions take the annotation DataFrame (a store's, ``store.annotations()``,
read again as the team works) and know nothing of widgets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .._literal import LITERAL
from ._frame import check_frame, of_kind
from ._gold import split_gold
from .consensus import gold_accuracy

__all__ = ["PROGRESS_COLUMNS", "plot_progress", "progress"]

#: The columns of :func:`progress`, in order.
PROGRESS_COLUMNS = (
    "annotator",
    "items",
    "items_per_hour",
    "median_seconds",
    "agreement",
    "gold_accuracy",
)


def _people(df: pd.DataFrame) -> pd.DataFrame:
    """The rows people made: ``source`` human (all rows when there is no ``source``)."""
    if "source" not in df.columns:
        return df
    source = df["source"].astype(object)
    return df.loc[source.isna().to_numpy() | (source == "human").to_numpy(dtype=bool)]


def _label_set(values: pd.Series) -> Any:
    return frozenset(str(v) for v in values)


def _agreement(labels: pd.DataFrame) -> pd.Series:
    """Per annotator: the share of (item, other annotator) pairs where both gave the same labels."""
    grouped = labels.groupby(["item_id", "annotator"], sort=False, observed=True)["label"]
    sets = grouped.agg(_label_set)
    agree: dict[Any, int] = {}
    pairs: dict[Any, int] = {}
    for _, group in sets.groupby(level="item_id", sort=False, observed=True):
        if len(group) < 2:
            continue
        names = group.index.get_level_values("annotator")
        values = list(group)
        for i, name in enumerate(names):
            same = sum(values[i] == values[j] for j in range(len(values)) if j != i)
            agree[name] = agree.get(name, 0) + same
            pairs[name] = pairs.get(name, 0) + len(values) - 1
    return pd.Series({name: agree[name] / pairs[name] for name in pairs}, dtype=np.float64)


def progress(df: pd.DataFrame, *, gold: Any = None) -> pd.DataFrame:
    """One row per annotator: items done, speed, agreement with the others and gold accuracy.

    Only rows people made count (``source`` ``"human"``; a model's
    suggestions and a reviewer's rows are left out).

    Parameters
    ----------
    df
        Annotations in the schema; ``item_id`` and ``annotator`` are needed,
        ``label``, ``kind``, ``elapsed`` and ``source`` are used when present.
    gold
        Known answers to score against, as :func:`nblabel.qa.gold_accuracy`
        takes them (a frame with ``item_id`` and ``label``, a Series or a
        dict), or ``"review"``: the reviewers' rows of ``df``
        (``source="review"``). ``None``: ``gold_accuracy`` is NaN.

    Returns
    -------
    DataFrame
        ``annotator``; ``items``: distinct items with at least one row of
        theirs; ``items_per_hour``: items per hour of time spent on them, from
        ``elapsed`` (an item's time is the largest ``elapsed`` of its rows:
        how long it had been shown at the last edit); ``median_seconds``: the
        median of those times; ``agreement``: over the items they share with
        others, the share of (item, other annotator) pairs that gave the same
        whole-item label(s); ``gold_accuracy``: the share of gold items they
        labeled right. NaN where there is nothing to measure (no ``elapsed``,
        no shared item, no gold item). Sorted by annotator.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": ["a", "a", "b"], "annotator": ["ana", "bob", "ana"],
    ...                    "label": ["x", "x", "y"], "elapsed": [10.0, 20.0, 30.0]})
    >>> progress(df, gold={"b": "n"})[["annotator", "items", "median_seconds", "agreement",
    ...                                 "gold_accuracy"]]
      annotator  items  median_seconds  agreement  gold_accuracy
    0       ana      2            20.0        1.0            0.0
    1       bob      1            20.0        1.0            NaN
    """
    check_frame(df, ("item_id", "annotator"), func="progress")
    if gold is not None and not isinstance(gold, (pd.DataFrame, pd.Series, dict, str)):
        raise TypeError(
            "progress: gold must be a DataFrame (item_id, label), a Series, a dict or 'review', "
            f"got {type(gold).__name__}"
        )
    _, truth = split_gold(df, gold, func="progress")  # "review": the reviewers' labels
    people = _people(df)
    out = pd.DataFrame(
        {
            "annotator": pd.Series(
                sorted(people["annotator"].dropna().unique(), key=str), dtype=object
            )
        }
    )
    by = people.groupby("annotator", sort=False, observed=True)
    out["items"] = out["annotator"].map(by["item_id"].nunique()).fillna(0).astype(np.int64)
    if "elapsed" in people.columns:
        timed = people.loc[people["elapsed"].notna().to_numpy()]
        seconds = timed.groupby(["annotator", "item_id"], observed=True)["elapsed"].max()
        per = seconds.groupby(level="annotator", observed=True)
        total = per.sum()
        count = per.size()
        rate = (3600.0 * count / total.where(total > 0)).astype(np.float64)
        out["items_per_hour"] = out["annotator"].map(rate).astype(np.float64)
        out["median_seconds"] = out["annotator"].map(per.median()).astype(np.float64)
    else:
        out["items_per_hour"] = np.nan
        out["median_seconds"] = np.nan
    labels = of_kind(people, "label") if "label" in people.columns else people.iloc[:0]
    labels = labels.loc[labels["label"].notna().to_numpy()] if len(labels) else labels
    out["agreement"] = out["annotator"].map(_agreement(labels)).astype(np.float64)
    if truth is None or len(labels) == 0:
        out["gold_accuracy"] = np.nan
    else:
        scored = gold_accuracy(labels, truth).by_annotator.set_index("annotator")["accuracy"]
        out["gold_accuracy"] = out["annotator"].map(scored).astype(np.float64)
    return out[list(PROGRESS_COLUMNS)]


def plot_progress(df: pd.DataFrame, *, ax: Axes | None = None, gold: Any = None) -> Axes:
    """Items done per annotator as bars, each with its speed, agreement and gold accuracy.

    ``df`` is the annotation DataFrame (what :func:`progress` takes); ``gold``
    as for :func:`progress`. Draws on ``ax`` if given, else on a new figure;
    returns the Axes.
    """
    table = progress(df, gold=gold)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.0, 0.5 + 0.45 * max(len(table), 1)), layout="constrained")
    names = [str(a) for a in table["annotator"]]
    positions = np.arange(len(table))
    ax.barh(positions, table["items"].to_numpy(), color="#4c78a8")
    ax.set_yticks(positions, names, **LITERAL)
    ax.invert_yaxis()
    ax.set_xlabel("items done", **LITERAL)
    ax.set_title("Team progress", **LITERAL)
    most = float(np.max(table["items"].to_numpy())) if len(table) else 0.0
    ax.set_xlim(0, max(most, 1.0) * 1.6)
    counts = table["items"].to_numpy(dtype=np.float64)
    for y, count, row in zip(positions, counts, table.itertuples(index=False), strict=True):
        ax.text(
            float(count) + max(most, 1.0) * 0.02,
            float(y),
            _summary(row),
            va="center",
            fontsize=8,
            **LITERAL,
        )
    return ax


def _summary(row: Any) -> str:
    parts = [f"{int(row.items)}"]
    if np.isfinite(row.items_per_hour):
        parts.append(f"{row.items_per_hour:.0f}/h")
    if np.isfinite(row.median_seconds):
        parts.append(f"median {row.median_seconds:.1f} s")
    if np.isfinite(row.agreement):
        parts.append(f"agreement {row.agreement:.0%}")
    if np.isfinite(row.gold_accuracy):
        parts.append(f"gold {row.gold_accuracy:.0%}")
    return " · ".join(parts)
