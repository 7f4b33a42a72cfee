"""What QA scores against: known answers given, or a reviewer's rows (``gold="review"``).

The one place that says what ``gold="review"`` means for every QA function
that takes ``gold``: the rows a reviewer stored (``source == "review"``, of
kind ``label``) are the true labels of their items, and they are not votes
themselves: the annotators scored are the other rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._frame import of_kind

__all__ = ["REVIEW", "reviewed", "split_gold", "without_review"]

#: The text ``gold=`` takes for "the reviewers' rows of df".
REVIEW = "review"


def _is_review(df: pd.DataFrame) -> npt.NDArray[np.bool_]:
    return (df["source"].astype(object) == REVIEW).to_numpy(dtype=bool)


def without_review(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` less the reviewers' rows (all of it when there is no ``source`` column)."""
    if "source" not in df.columns:
        return df
    return df.loc[~_is_review(df)]


def reviewed(df: pd.DataFrame, *, func: str) -> pd.DataFrame:
    """The reviewers' whole-item labels of ``df`` as gold: columns ``item_id`` and ``label``.

    Raises ValueError (naming ``func``) when ``df`` has no ``source`` column,
    or when reviewers gave one item different labels (the gold must be one
    answer per item).
    """
    if "source" not in df.columns:
        raise ValueError(f"{func}: gold='review' needs a 'source' column in df")
    rows = of_kind(df.loc[_is_review(df)], "label")
    rows = rows.loc[rows["label"].notna().to_numpy()]
    labels = rows.groupby("item_id", sort=False, observed=True)["label"].nunique()
    torn = sorted((str(i) for i in labels.index[labels.to_numpy() > 1]), key=str)
    if torn:
        raise ValueError(
            f"{func}: gold='review': the reviewed item(s) {torn[:5]} have several different "
            "review labels; keep one per item (say, the latest reviewer's)"
        )
    out = rows.drop_duplicates("item_id")[["item_id", "label"]]
    return out.reset_index(drop=True)


def split_gold(df: pd.DataFrame, gold: Any, *, func: str) -> tuple[pd.DataFrame, Any]:
    """``(rows to score, gold)``: ``gold="review"`` becomes the reviewed labels of ``df``.

    With ``gold="review"`` the rows to score are ``df`` less the reviewers'
    rows; with any other ``gold`` (a frame, Series, dict or None) they are
    ``df`` as given and ``gold`` is returned unchanged. Other text is an error
    naming ``func``.
    """
    if isinstance(gold, str):
        if gold != REVIEW:
            raise ValueError(f"{func}: gold must be 'review' when given as text, got {gold!r}")
        return without_review(df), reviewed(df, func=func)
    return df, gold
