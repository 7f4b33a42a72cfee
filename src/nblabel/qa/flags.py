"""Items people flagged instead of labeling: skips (with their reason) and comments.

A skip (``kind="skip"``, the reason in ``text``) and a comment (``kind="comment"``) are
rows of the annotation table, but they are not labels: agreement, consensus, progress
and the label plots leave them out. :func:`flags` lists them for review, and
:func:`nblabel.qa.report` counts them in its notes.

>>> import pandas as pd
>>> df = pd.DataFrame({
...     "item_id": ["a", "b", "b"], "annotator": ["ana", "ana", "bo"],
...     "kind": ["label", "skip", "comment"], "label": ["cat", "skip", "comment"],
...     "text": [None, "blurry", "ask the vet"]})
>>> flags(df)[["item_id", "annotator", "flag", "text"]].values.tolist()
[['b', 'ana', 'skip', 'blurry'], ['b', 'bo', 'comment', 'ask the vet']]
"""

from __future__ import annotations

import pandas as pd

from ._frame import check_frame

__all__ = ["FLAG_KINDS", "flags"]

#: The kinds of rows that flag an item rather than label it.
FLAG_KINDS = ("skip", "comment")


def flags(df: pd.DataFrame) -> pd.DataFrame:
    """One row per skip or comment: ``item_id``, ``annotator``, ``flag`` and ``text``.

    ``flag`` is ``"skip"`` or ``"comment"``; ``text`` is the skip's reason or the
    comment (None when a skip gave no reason); ``created_at`` is kept when ``df`` has
    it. Sorted by item, then annotator. A frame without a ``kind`` column holds labels
    only, so it has no flags.
    """
    check_frame(df, ["item_id", "annotator"], func="flags")
    columns = ["item_id", "annotator", "flag", "text"]
    if "created_at" in df.columns:
        columns.append("created_at")
    if "kind" not in df.columns:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    kinds = df["kind"].astype(object)
    rows = df.loc[kinds.isin(FLAG_KINDS).to_numpy(dtype=bool)]
    text = rows["text"] if "text" in rows.columns else pd.Series(None, index=rows.index)
    out = pd.DataFrame(
        {
            "item_id": rows["item_id"].astype(object),
            "annotator": rows["annotator"].astype(object),
            "flag": rows["kind"].astype(str),
            "text": text.astype(object).where(text.notna(), None),
        }
    )
    if "created_at" in df.columns:
        out["created_at"] = rows["created_at"]
    return out.sort_values(["item_id", "annotator"], kind="stable").reset_index(drop=True)


def summary(df: pd.DataFrame) -> str | None:
    """A one-line count of the flags, for :func:`nblabel.qa.report`'s notes (None: no flags)."""
    found = flags(df)
    if found.empty:
        return None
    parts = []
    for flag, word in (("skip", "skipped"), ("comment", "commented on")):
        items = found.loc[found["flag"] == flag, "item_id"].nunique()
        if items:
            parts.append(f"{items} item{'s' if items != 1 else ''} {word}")
    return (
        f"{' and '.join(parts)} (skips and comments are flags, not labels: "
        "nblabel.qa.flags lists them)"
    )
