"""Plots draw on the given Axes, return it, and never touch pyplot state then."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from qa_helpers import long_frame

from nblabel import qa


@pytest.fixture
def frame(rng: np.random.Generator) -> pd.DataFrame:
    truth = rng.integers(0, 3, 120)
    m = np.where(rng.random((120, 4)) < 0.7, truth[:, None], rng.integers(0, 3, (120, 4)))
    m[:, 3] = np.where(rng.random(120) < 0.5, 2, m[:, 3])  # r3 over-uses "c"
    out = long_frame(np.array(["a", "b", "c"])[m].tolist())
    out["lighting"] = np.where(out["item_id"].str[-1].isin(list("02468")), "day", "night")
    return out


PLOTS = [
    lambda df, ax: qa.plot_agreement(df, ax=ax),
    lambda df, ax: qa.plot_agreement(df, metric="gwet_ac1", ax=ax),
    lambda df, ax: qa.plot_per_label(df, ax=ax),
    lambda df, ax: qa.plot_label_distribution(df, ax=ax),
    lambda df, ax: qa.plot_label_distribution(df, by="annotator", normalize=True, ax=ax),
    lambda df, ax: qa.plot_label_distribution(df, by="lighting", ax=ax),
    lambda df, ax: qa.plot_bias(df, ax=ax),
    lambda df, ax: qa.plot_bias(df, by="lighting", ax=ax),
    lambda df, ax: qa.plot_confusion(df, "r0", "r1", ax=ax),
    lambda df, ax: qa.plot_confusion(
        df, "r0", gold={"item0": "a", "item1": "b"}, normalize="rows", ax=ax
    ),
]


@pytest.mark.parametrize("plot", PLOTS)
def test_plot_on_given_axes_leaves_pyplot_alone(plot, frame: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    plt.close("all")
    fig = Figure()
    ax = fig.add_subplot()
    assert plot(frame, ax) is ax
    assert plt.get_fignums() == []
    assert ax.has_data() or ax.images


@pytest.mark.parametrize("plot", PLOTS)
def test_plot_without_axes_makes_a_figure(plot, frame: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    ax = plot(frame, None)
    assert isinstance(ax, Axes)


def test_bias_flags_the_biased_annotator(frame: pd.DataFrame) -> None:
    bias = qa.label_bias(frame)
    assert bias.p_value < 1e-3
    assert bool(bias.flagged.loc["r3", "c"])
    assert bias.residuals.loc["r3", "c"] > bias.critical
    assert 0 < bias.cramers_v < 1
    # chi-square agrees with scipy
    from scipy.stats import chi2_contingency

    assert bias.chi2 == pytest.approx(chi2_contingency(bias.table)[0])
    with pytest.raises(ValueError, match="two values of 'annotator'"):
        qa.label_bias(frame[frame["annotator"] == "r0"])


def test_report(frame: pd.DataFrame) -> None:
    result = qa.report(frame, gold={"item0": "a"}, by="lighting")
    assert set(result.summary["statistic"]) >= {"fleiss_kappa", "krippendorff_alpha"}
    assert result.gold is not None
    assert isinstance(result.figure, Figure)
    html = result._repr_html_()
    assert "<img" in html
    assert "fleiss_kappa" in html
    assert plt.get_fignums() == []


def test_confusion_needs_one_reference(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        qa.plot_confusion(frame, "r0")
