"""Relation agreement, checked against counts made by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from nblabel import qa
from nblabel.schema import from_records
from nblabel.store import Store


def span(ident: str, item: str, who: str, start: int, end: int, label: str) -> dict[str, Any]:  # noqa: PLR0917
    return {
        "id": ident,
        "item_id": item,
        "annotator": who,
        "kind": "span",
        "label": label,
        "start": start,
        "end": end,
    }


def rel(ident: str, item: str, who: str, a: str, b: str, label: str) -> dict[str, Any]:  # noqa: PLR0917
    return {
        "id": ident,
        "item_id": item,
        "annotator": who,
        "kind": "relation",
        "label": label,
        "from_id": a,
        "to_id": b,
    }


def corpus() -> pd.DataFrame:
    rows = [
        # d1: ana and bo agree on works_for; bo's located_in ends one character short
        span("A1", "d1", "ana", 0, 3, "PER"),
        span("A2", "d1", "ana", 14, 18, "ORG"),
        span("A3", "d1", "ana", 22, 28, "LOC"),
        rel("ar1", "d1", "ana", "A1", "A2", "works_for"),
        rel("ar2", "d1", "ana", "A2", "A3", "located_in"),
        span("B1", "d1", "bo", 0, 3, "PER"),
        span("B2", "d1", "bo", 14, 18, "ORG"),
        span("B3", "d1", "bo", 22, 27, "LOC"),
        rel("br1", "d1", "bo", "B1", "B2", "works_for"),
        rel("br2", "d1", "bo", "B2", "B3", "located_in"),
        {"id": "C0", "item_id": "d1", "annotator": "cy", "kind": "label", "label": "none"},
        # d2: bo matches ana's reversed link; bo's other link has another label
        span("A4", "d2", "ana", 0, 2, "PER"),
        span("A5", "d2", "ana", 5, 9, "ORG"),
        rel("ar3", "d2", "ana", "A4", "A5", "works_for"),
        rel("ar4", "d2", "ana", "A5", "A4", "works_for"),
        span("B4", "d2", "bo", 0, 2, "PER"),
        span("B5", "d2", "bo", 5, 9, "ORG"),
        rel("br3", "d2", "bo", "B5", "B4", "works_for"),
        rel("br4", "d2", "bo", "B4", "B5", "located_in"),
        span("C4", "d2", "cy", 0, 2, "PER"),
        span("C5", "d2", "cy", 5, 9, "ORG"),
        rel("cr1", "d2", "cy", "C4", "C5", "works_for"),
        # d3: bo alone, so it counts for no pair
        span("B6", "d3", "bo", 0, 2, "PER"),
        span("B7", "d3", "bo", 4, 6, "ORG"),
        rel("br5", "d3", "bo", "B6", "B7", "works_for"),
    ]
    return from_records([{"source": "human", **r} for r in rows])


EXPECTED = pd.DataFrame(
    {
        "annotator_a": ["ana", "ana", "bo"],
        "annotator_b": ["bo", "cy", "cy"],
        "n_items": [2, 2, 2],
        "n_a": [4, 4, 4],
        "n_b": [4, 1, 1],
        # ana-bo: works_for on d1, the reversed works_for on d2
        # ana-cy: works_for on d2; bo-cy: none (bo's d2 works_for runs the other way)
        "matches": [2, 1, 0],
        "precision": [2 / 4, 1 / 1, 0 / 1],
        "recall": [2 / 4, 1 / 4, 0 / 4],
        "f1": [4 / 8, 2 / 5, 0.0],
    }
)


def test_relation_agreement_matches_the_hand_count() -> None:
    got = qa.relation_agreement(corpus())
    pd.testing.assert_frame_equal(got, EXPECTED, check_dtype=False)


def test_relation_agreement_on_the_store_s_own_frame(tmp_path: Path) -> None:
    store = Store(tmp_path / "labels.db")
    try:
        store.upsert(corpus())
        got = qa.relation_agreement(store.annotations())
    finally:
        store.close()
    pd.testing.assert_frame_equal(got, EXPECTED, check_dtype=False)


def test_a_relation_counts_once_per_copy_and_labels_must_agree() -> None:
    base = [
        span("a1", "d", "ana", 0, 3, "PER"),
        span("a2", "d", "ana", 5, 8, "ORG"),
        span("b1", "d", "bo", 0, 3, "PER"),
        span("b2", "d", "bo", 5, 8, "LOC"),  # same offsets, another span label
        rel("ra", "d", "ana", "a1", "a2", "works_for"),
        rel("rb", "d", "bo", "b1", "b2", "works_for"),
    ]
    row = qa.relation_agreement(from_records(base)).iloc[0]
    assert row["matches"] == 0  # the ends must agree on their labels too
    twice = [
        *base[:3],
        span("b2", "d", "bo", 5, 8, "ORG"),
        rel("ra", "d", "ana", "a1", "a2", "works_for"),
        rel("rb", "d", "bo", "b1", "b2", "works_for"),
        span("b3", "d", "bo", 5, 8, "ORG"),
        rel("rc", "d", "bo", "b1", "b3", "works_for"),  # the same link again
    ]
    row = qa.relation_agreement(from_records(twice)).iloc[0]
    assert (row["n_a"], row["n_b"], row["matches"]) == (1, 2, 1)
    assert row["f1"] == pytest.approx(2 / 3)


def test_no_relations_on_shared_items_gives_nan_scores() -> None:
    frame = from_records([span("a", "d", "ana", 0, 1, "PER"), span("b", "d", "bo", 0, 1, "PER")])
    row = qa.relation_agreement(frame).iloc[0]
    assert (row["n_a"], row["n_b"], row["matches"]) == (0, 0, 0)
    assert np.isnan(row["f1"])
    assert np.isnan(row["precision"])


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (rel("r9", "d1", "ana", "A1", "nowhere", "works_for"), "its to_id 'nowhere' is not"),
        (
            rel("r9", "d1", "ana", "A4", "A1", "works_for"),
            "its from_id 'A4' is an annotation of item 'd2'",
        ),
        (rel("r9", "d1", "ana", "B1", "A1", "works_for"), "by 'bo', not of item 'd1' by 'ana'"),
    ],
)
def test_bad_relations_are_named_by_row_and_id(bad: dict[str, Any], words: str) -> None:
    frame = pd.concat([corpus(), from_records([{"source": "human", **bad}])], ignore_index=True)
    with pytest.raises(ValueError, match="relation_agreement: relation row") as info:
        qa.relation_agreement(frame)
    assert "'r9'" in str(info.value)
    assert words in str(info.value)


def test_a_frame_without_the_relation_columns_is_refused_by_name() -> None:
    with pytest.raises(
        ValueError, match=r"relation_agreement: df is missing column\(s\) \['from_id'"
    ):
        qa.relation_agreement(pd.DataFrame({"id": [], "item_id": [], "annotator": []}))
