"""Property tests: perfect agreement, invariance to renaming and row order, symmetry."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qa_helpers import long_frame

from nblabel import qa

matrices = st.integers(2, 4).flatmap(
    lambda raters: st.lists(
        st.lists(st.integers(0, 3), min_size=raters, max_size=raters), min_size=2, max_size=25
    )
)
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MULTI = [qa.fleiss_kappa, qa.krippendorff_alpha, qa.gwet_ac1, qa.percent_agreement]


def _quiet(f, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qa.AgreementWarning)
        return f(*args, **kwargs)


def _same(x: float, y: float) -> bool:
    return (np.isnan(x) and np.isnan(y)) or abs(x - y) < 1e-9


@SETTINGS
@given(st.lists(st.integers(0, 3), min_size=2, max_size=30), st.integers(2, 5))
def test_perfect_agreement_gives_one(labels: list[int], raters: int) -> None:
    frame = long_frame([[v] * raters for v in labels])
    for f in MULTI:
        value = _quiet(f, frame)
        if len(set(labels)) > 1 or f is qa.percent_agreement:
            assert value == pytest.approx(1.0)
        else:
            assert np.isnan(value) or value == pytest.approx(1.0)
    if len(set(labels)) > 1:
        assert qa.cohen_kappa(frame, "r0", "r1") == pytest.approx(1.0)
        assert qa.scott_pi(frame, "r0", "r1") == pytest.approx(1.0)


@SETTINGS
@given(matrices, st.permutations(["p", "q", "r", "s"]), st.randoms(use_true_random=False))
def test_invariant_to_renaming_labels_and_reordering_rows(
    matrix: list[list[int]], names: list[str], random: object
) -> None:
    frame = long_frame(matrix)
    renamed = frame.assign(label=frame["label"].map(dict(enumerate(names))))
    shuffled = renamed.sample(frac=1, random_state=np.random.RandomState(7))
    for f in MULTI:
        base = _quiet(f, frame)
        assert _same(base, _quiet(f, renamed))
        assert _same(base, _quiet(f, shuffled))
    base = _quiet(qa.cohen_kappa, frame, "r0", "r1")
    assert _same(base, _quiet(qa.cohen_kappa, shuffled, "r0", "r1"))


@SETTINGS
@given(matrices)
def test_pairwise_metrics_are_symmetric(matrix: list[list[int]]) -> None:
    frame = long_frame(matrix)
    for f in (qa.cohen_kappa, qa.scott_pi):
        assert _same(_quiet(f, frame, "r0", "r1"), _quiet(f, frame, "r1", "r0"))
    for weights in ("linear", "quadratic"):
        assert _same(
            _quiet(qa.cohen_kappa, frame, "r0", "r1", weights=weights),
            _quiet(qa.cohen_kappa, frame, "r1", "r0", weights=weights),
        )


@SETTINGS
@given(matrices)
def test_renaming_annotators_does_not_change_anything(matrix: list[list[int]]) -> None:
    frame = long_frame(matrix)
    other = frame.assign(annotator="z" + frame["annotator"])
    for f in MULTI:
        assert _same(_quiet(f, frame), _quiet(f, other))


@SETTINGS
@given(matrices)
def test_coefficients_are_bounded(matrix: list[list[int]]) -> None:
    frame = long_frame(matrix)
    for f in MULTI:
        value = _quiet(f, frame)
        assert np.isnan(value) or value <= 1.0 + 1e-12
    assert 0.0 <= _quiet(qa.percent_agreement, frame) <= 1.0
