"""Agreement with scikit-learn, statsmodels and the krippendorff package on random data."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from qa_helpers import long_frame
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats import inter_rater

from nblabel import qa


def _noisy(rng: np.random.Generator, n: int, raters: int, k: int, noise: float) -> np.ndarray:
    truth = rng.integers(0, k, n)
    random = rng.integers(0, k, (n, raters))
    return np.where(rng.random((n, raters)) < noise, random, truth[:, None])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_matches_sklearn(seed: int, weights: str | None) -> None:
    rng = np.random.default_rng(seed)
    m = _noisy(rng, 300, 2, 4, 0.5)
    names = np.array(["a", "b", "c", "d"])
    frame = long_frame(names[m].tolist(), raters=["x", "y"])
    ours = qa.cohen_kappa(frame, "x", "y", weights=weights)  # type: ignore[arg-type]
    theirs = cohen_kappa_score(names[m[:, 0]], names[m[:, 1]], weights=weights)
    assert ours == pytest.approx(theirs, abs=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_fleiss_matches_statsmodels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = _noisy(rng, 200, 5, 3, 0.6)
    table, _ = inter_rater.aggregate_raters(m)
    assert qa.fleiss_kappa(long_frame(m.tolist())) == pytest.approx(
        inter_rater.fleiss_kappa(table, method="fleiss"), abs=1e-10
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff_with_missing(seed: int, level: str) -> None:
    rng = np.random.default_rng(seed)
    m = _noisy(rng, 150, 4, 5, 0.5).astype(float) + 1
    m[rng.random(m.shape) < 0.3] = np.nan
    ours = qa.krippendorff_alpha(long_frame(m.tolist()), level=level)  # type: ignore[arg-type]
    theirs = krippendorff.alpha(reliability_data=m.T, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-10)


def test_alpha_matches_krippendorff_continuous_values(rng: np.random.Generator) -> None:
    m = np.round(rng.normal(10, 3, (100, 3)), 1)
    m[rng.random(m.shape) < 0.2] = np.nan
    frame = long_frame(m.tolist())
    ours = qa.krippendorff_alpha(frame, level="interval")
    theirs = krippendorff.alpha(reliability_data=m.T, level_of_measurement="interval")
    assert ours == pytest.approx(theirs, abs=1e-10)


def test_scott_pi_matches_alpha_limit(rng: np.random.Generator) -> None:
    # Krippendorff (2011): for two coders, nominal alpha = 1 - (1 - pi) n/(n - 1)... i.e.
    # alpha = pi + (1 - pi) / n with n pairable values; check the identity.
    m = _noisy(rng, 120, 2, 3, 0.5)
    frame = long_frame(m.tolist(), raters=["a", "b"])
    pi = qa.scott_pi(frame, "a", "b")
    alpha = qa.krippendorff_alpha(frame)
    n = 2 * len(m)
    assert alpha == pytest.approx(pi + (1 - pi) / n, abs=1e-10)


def test_pairwise_matches_cohen(rng: np.random.Generator) -> None:
    m = _noisy(rng, 100, 3, 3, 0.5)
    frame = long_frame(m.tolist(), raters=["a", "b", "c"])
    table = qa.pairwise(frame)
    assert table.loc["a", "c"] == pytest.approx(qa.cohen_kappa(frame, "a", "c"))
    assert table.loc["c", "b"] == pytest.approx(qa.cohen_kappa(frame, "b", "c"))
    assert np.allclose(np.diag(table.to_numpy()), 1.0)
    for metric in [
        "scott_pi",
        "percent_agreement",
        "gwet_ac1",
        "fleiss_kappa",
        "krippendorff_alpha",
    ]:
        t = qa.pairwise(frame, metric)
        assert np.allclose(t.to_numpy(), t.to_numpy().T)
    custom = qa.pairwise(frame, qa.scott_pi)
    assert custom.loc["a", "b"] == pytest.approx(qa.pairwise(frame, "scott_pi").loc["a", "b"])


def test_categorical_and_string_columns_agree(rng: np.random.Generator) -> None:
    m = _noisy(rng, 3000, 3, 4, 0.4)
    frame = long_frame(np.array(["w", "x", "y", "z"])[m].tolist())
    cat = frame.astype("category")
    for f in (qa.fleiss_kappa, qa.krippendorff_alpha, qa.gwet_ac1, qa.percent_agreement):
        assert f(cat) == pytest.approx(f(frame), abs=1e-12)
    # grouped (sorted by item) and shuffled rows give the same result
    shuffled = frame.sample(frac=1, random_state=3)
    assert qa.krippendorff_alpha(shuffled) == pytest.approx(qa.krippendorff_alpha(frame))
    assert isinstance(frame, pd.DataFrame)


@pytest.mark.parametrize("weights", [None, "quadratic"])
def test_cohen_large_sorted_and_shuffled_frames_agree(
    rng: np.random.Generator, weights: str | None
) -> None:
    # >= 10,000 rows sorted by item take the aligned fast path; shuffled rows do not.
    m = _noisy(rng, 6000, 3, 4, 0.5)
    names = np.array(["w", "x", "y", "z"])
    frame = long_frame(names[m].tolist(), raters=["a", "b", "c"])
    frame["item_id"] = frame["item_id"].str.replace("item", "").str.zfill(5)  # sortable ids
    shuffled = frame.sample(frac=1, random_state=5)
    expected = cohen_kappa_score(names[m[:, 0]], names[m[:, 2]], weights=weights)
    for data in (frame, shuffled):
        value = qa.cohen_kappa(data, "a", "c", weights=weights)  # type: ignore[arg-type]
        assert value == pytest.approx(expected, abs=1e-10)
    assert qa.scott_pi(frame, "a", "c") == pytest.approx(qa.scott_pi(shuffled, "a", "c"))
    with pytest.raises(ValueError, match="not in categories"):
        qa.cohen_kappa(frame, "a", "c", categories=["w", "x"])
