"""Skips and comments are flags in QA, never labels (issue 12, "a queue that guides")."""

from __future__ import annotations

import pandas as pd

from nblabel import qa, schema


def table() -> pd.DataFrame:
    rows = [
        {"item_id": f"i{k}", "annotator": who, "kind": "label", "label": lab}
        for k in range(4)
        for who, lab in (("ana", "cat"), ("bo", "cat" if k else "dog"))
    ]
    rows += [
        {"item_id": "i9", "annotator": "ana", "kind": "skip", "label": "skip", "text": "blurry"},
        {"item_id": "i9", "annotator": "bo", "kind": "skip", "label": "skip"},
        {"item_id": "i2", "annotator": "bo", "kind": "comment", "label": "comment",
         "text": "ask the vet"},
    ]  # fmt: skip
    return schema.from_records(rows)


def test_flags_lists_skips_with_their_reason_and_comments():
    out = qa.flags(table())
    assert out[["item_id", "annotator", "flag", "text"]].to_numpy().tolist() == [
        ["i2", "bo", "comment", "ask the vet"],
        ["i9", "ana", "skip", "blurry"],
        ["i9", "bo", "skip", None],
    ]
    assert "created_at" in out.columns
    assert qa.flags(pd.DataFrame({"item_id": ["a"], "annotator": ["x"], "label": ["c"]})).empty


def test_skips_are_not_labels_and_the_report_counts_them():
    df = table()
    labels_only = df[df["kind"].astype(str) == "label"]
    # the skipped item is not an item with labels: agreement is the same without the flags
    assert qa.percent_agreement(df) == qa.percent_agreement(labels_only)
    assert "skip" not in set(qa.consensus(df)["label"])
    notes = qa.report(df).notes
    assert (
        "1 item skipped and 1 item commented on (skips and comments are flags, not labels: "
        "nblabel.qa.flags lists them)"
    ) in notes
