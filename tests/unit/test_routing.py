"""nblabel.routing: the visiting order of an ordered queue."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nblabel.routing import order_scores, visiting_order

NAN = math.nan


def test_highest_first_unscored_after_skipped_last_ties_in_queue_order():
    scores = [0.5, NAN, 0.9, 0.5, 0.1, 0.9]
    skip = [False, False, False, False, True, True]
    assert visiting_order(scores, skip=skip).tolist() == [2, 0, 3, 1, 5, 4]


def test_the_head_stays_in_front_as_given():
    assert visiting_order([0.1, 0.2, 0.3, 0.4], head=[3, 0]).tolist() == [3, 0, 2, 1]
    with pytest.raises(ValueError, match=r"head: indices must lie in 0\.\.3"):
        visiting_order([0.1, 0.2, 0.3, 0.4], head=[4])
    with pytest.raises(ValueError, match="skip: expected 2 flags"):
        visiting_order([0.1, 0.2], skip=[True])


@given(
    st.lists(st.one_of(st.floats(-5, 5), st.just(NAN)), min_size=0, max_size=40),
    st.data(),
)
def test_always_a_permutation_with_the_head_first(scores, data):
    n = len(scores)
    skip = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    head = data.draw(st.lists(st.integers(0, max(n - 1, 0)), unique=True, max_size=n)) if n else []
    perm = visiting_order(scores, skip=skip, head=head)
    assert sorted(perm.tolist()) == list(range(n))
    assert perm[: len(head)].tolist() == head
    tail = perm[len(head) :]
    keys = [(skip[i], math.isnan(scores[i]), -(0 if math.isnan(scores[i]) else scores[i]), i)
            for i in tail]  # fmt: skip
    assert keys == sorted(keys)


def test_order_scores_names_what_is_wrong():
    got = order_scores(pd.Series({1: 2.0, "b": None}))
    assert list(got.index) == ["1", "b"]
    assert got["1"] == 2.0
    assert np.isnan(got["b"])
    assert order_scores(pd.DataFrame({"s": [1.0]}, index=["a"])).to_dict() == {"a": 1.0}
    with pytest.raises(TypeError, match="order: expected a pandas Series"):
        order_scores({"a": 1.0})
    with pytest.raises(TypeError, match="scores must be numbers, got dtype bool"):
        order_scores(pd.Series({"a": True}))
    with pytest.raises(ValueError, match="item 'a' has two scores"):
        order_scores(pd.Series([1, 2], index=["a", "a"]))
    assert np.isnan(order_scores(pd.Series({"a": np.nan}))["a"])
