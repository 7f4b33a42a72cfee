"""nblabel.active: the usual uncertainty scores, written out here and checked against
scikit-activeml's implementation; bad probabilities are refused naming the item."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nblabel import active

SCORES = (active.least_confidence, active.margin, active.entropy)


def _by_hand(p: list[float]) -> tuple[float, float, float]:
    """The textbook formulas (Settles 2009), one item at a time, with nothing vectorised."""
    ranked = sorted(p, reverse=True)
    least = 1 - ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else 0.0
    marg = 1 - (ranked[0] - runner_up)
    ent = -sum(x * math.log(x) for x in p if x > 0)
    return least, marg, ent


def test_scores_match_the_formulas_written_out():
    rows = [[0.7, 0.2, 0.1], [1 / 3, 1 / 3, 1 / 3], [1.0, 0.0, 0.0], [0.45, 0.45, 0.1]]
    for func, k in zip(SCORES, range(3), strict=True):
        got = func(rows).to_numpy()
        want = [_by_hand(r)[k] for r in rows]
        np.testing.assert_allclose(got, want, atol=1e-12, err_msg=func.__name__)
    # a few by value: the most uncertain item scores highest under all three
    assert active.least_confidence(rows).idxmax() == 1
    assert active.entropy(rows)[1] == pytest.approx(math.log(3))
    assert active.margin(rows)[3] == pytest.approx(1.0)  # a tie at the top: margin 0


def test_a_dataframe_gives_a_series_by_item_id_and_ids_can_be_passed():
    proba = pd.DataFrame([[0.9, 0.1], [0.6, 0.4]], index=["a.jpg", "b.jpg"], columns=["cat", "dog"])
    s = active.entropy(proba)
    assert s.name == "entropy"
    assert list(s.index) == ["a.jpg", "b.jpg"]
    assert s.idxmax() == "b.jpg"
    t = active.margin(proba.to_numpy(), ids=["a", "b"])
    assert list(t.index) == ["a", "b"]
    assert t["b"] == pytest.approx(0.8)
    with pytest.raises(TypeError, match="ids come from the DataFrame's index"):
        active.margin(proba, ids=["x", "y"])
    with pytest.raises(ValueError, match="3 ids for 2 rows"):
        active.margin(proba.to_numpy(), ids=["a", "b", "c"])


def test_ties_keep_the_input_order_under_a_stable_sort():
    proba = pd.DataFrame([[0.5, 0.5], [0.9, 0.1], [0.5, 0.5], [0.5, 0.5]], index=list("wxyz"))
    for func in SCORES:
        ranked = func(proba).sort_values(ascending=False, kind="stable")
        assert list(ranked.index) == ["w", "y", "z", "x"], func.__name__


def test_one_class_means_certain():
    proba = pd.DataFrame({"cat": [1.0, 1.0]}, index=["a", "b"])
    for func in SCORES:
        assert func(proba).tolist() == [0.0, 0.0], func.__name__


def test_nan_and_bad_probabilities_are_named_by_item():
    proba = pd.DataFrame([[0.5, 0.5], [np.nan, 0.5]], index=["good.jpg", "broken.jpg"])
    for func in SCORES:
        with pytest.raises(ValueError, match=r"item 'broken\.jpg' \(row 1\) has a missing"):
            func(proba)
    with pytest.raises(ValueError, match=r"row 1 has probability 1\.2 in column 0"):
        active.entropy([[0.5, 0.5], [1.2, -0.2]])
    with pytest.raises(ValueError, match=r"item 'b' \(row 1\) sums to 0\.8, not 1"):
        active.margin([[0.5, 0.5], [0.4, 0.4]], ids=["a", "b"])
    with pytest.raises(ValueError, match="must be 2-D"):
        active.entropy(np.array([0.2, 0.8]))
    with pytest.raises(TypeError, match="proba is a Series"):
        active.entropy(pd.Series([0.2, 0.8]))
    with pytest.raises(ValueError, match="sums to 0; cannot normalize"):
        active.entropy([[0.0, 0.0]], normalize=True)


def test_normalize_divides_each_row_by_its_sum():
    got = active.least_confidence([[2.0, 2.0], [3.0, 1.0]], normalize=True)
    assert got.tolist() == pytest.approx([0.5, 0.25])


def test_no_items_gives_an_empty_series():
    assert active.entropy(np.empty((0, 3))).empty


probabilities = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 20), st.integers(1, 6)),
    elements=st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False),
).filter(lambda a: (a.sum(axis=1) > 1e-6).all())


@settings(deadline=None)  # the first call imports scikit-activeml
@given(probabilities)
def test_scores_are_those_of_scikit_activeml(raw):
    from skactiveml import pool as skactiveml  # in the test extra: a missing one fails

    p = raw / raw.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        active.least_confidence(p).to_numpy(),
        skactiveml.uncertainty_scores(p, method="least_confident"),
        atol=1e-12,
    )
    np.testing.assert_allclose(
        active.entropy(p).to_numpy(),
        skactiveml.uncertainty_scores(p, method="entropy"),
        atol=1e-12,
    )
    if p.shape[1] >= 2:  # scikit-activeml needs two classes for a margin
        np.testing.assert_allclose(
            active.margin(p).to_numpy(),
            skactiveml.uncertainty_scores(p, method="margin_sampling"),
            atol=1e-12,
        )
    # the bounds of the docstring
    k = p.shape[1]
    assert (active.least_confidence(p) <= 1 - 1 / k + 1e-12).all()
    assert (active.entropy(p) <= math.log(k) + 1e-12).all()
    assert ((active.margin(p) >= -1e-12) & (active.margin(p) <= 1 + 1e-12)).all()
