"""nblabel.qa.progress and plot_progress, checked against counts made by hand."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from nblabel.qa.progress import PROGRESS_COLUMNS, plot_progress, progress


def row(item: str, who: str, label: str, elapsed: float | None = None, **more: object) -> dict:
    return {
        "item_id": item,
        "annotator": who,
        "kind": more.pop("kind", "label"),
        "label": label,
        "source": more.pop("source", "human"),
        "elapsed": np.nan if elapsed is None else elapsed,
        **more,
    }


@pytest.fixture
def team() -> pd.DataFrame:
    return pd.DataFrame(
        [
            row("i1", "ana", "pos", 10),
            row("i2", "ana", "neg", 20),
            row("i3", "ana", "pos", 30),
            row("i3", "ana", "pos", 40, kind="box"),  # the item's last edit: 40 s on screen
            row("i4", "ana", "pos"),  # no time known
            row("i1", "bob", "pos", 5),
            row("i2", "bob", "pos", 15),
            row("i1", "cy", "neg", 60),
            row("i4", "model-x", "neg", source="model"),  # a suggestion: not a person
            row("i2", "rev", "neg", 3, source="review"),  # a reviewer's decision
        ]
    )


def test_progress_matches_a_hand_count(team):
    out = progress(team, gold={"i1": "pos", "i2": "neg"})
    assert tuple(out.columns) == PROGRESS_COLUMNS
    got = out.set_index("annotator")
    assert list(got.index) == ["ana", "bob", "cy"]  # no model, no reviewer
    assert list(got["items"]) == [4, 2, 1]
    # ana: items i1, i2, i3 timed at 10, 20 and 40 s (i3's largest elapsed); i4 untimed.
    assert got.loc["ana", "items_per_hour"] == pytest.approx(3600 * 3 / 70)
    assert got.loc["ana", "median_seconds"] == 20
    assert got.loc["bob", "items_per_hour"] == pytest.approx(3600 * 2 / 20)
    assert got.loc["bob", "median_seconds"] == 10
    assert got.loc["cy", "items_per_hour"] == pytest.approx(60.0)
    # i1: ana pos, bob pos, cy neg; i2: ana neg, bob pos.
    # ana: agrees with bob on i1, not with cy on i1, not with bob on i2 -> 1/3.
    assert got.loc["ana", "agreement"] == pytest.approx(1 / 3)
    assert got.loc["bob", "agreement"] == pytest.approx(1 / 3)
    assert got.loc["cy", "agreement"] == 0.0
    # gold i1 pos, i2 neg: ana 2/2, bob 1/2, cy 0/1.
    assert list(got["gold_accuracy"]) == [1.0, 0.5, 0.0]


def test_reviewed_rows_serve_as_gold(team):
    got = progress(team, gold="review").set_index("annotator")
    # The reviewer decided i2 is neg: ana right, bob wrong, cy never saw i2.
    assert got.loc["ana", "gold_accuracy"] == 1.0
    assert got.loc["bob", "gold_accuracy"] == 0.0
    assert math.isnan(got.loc["cy", "gold_accuracy"])


def test_what_cannot_be_measured_is_nan():
    df = pd.DataFrame({"item_id": ["a", "b"], "annotator": ["ana", "bob"], "label": ["x", "y"]})
    out = progress(df)
    assert list(out["items"]) == [1, 1]
    for column in ("items_per_hour", "median_seconds", "agreement", "gold_accuracy"):
        assert out[column].isna().all(), column


def test_multi_label_items_agree_when_the_label_sets_match():
    df = pd.DataFrame(
        {
            "item_id": ["a", "a", "a", "a", "b", "b"],
            "annotator": ["ana", "ana", "bob", "bob", "ana", "bob"],
            "label": ["x", "y", "y", "x", "x", "y"],
        }
    )
    got = progress(df).set_index("annotator")
    assert got.loc["ana", "agreement"] == 0.5  # a: {x, y} both; b: x vs y


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match=r"progress: df is missing column\(s\) \['annotator'\]"):
        progress(pd.DataFrame({"item_id": ["a"]}))
    df = pd.DataFrame({"item_id": ["a"], "annotator": ["ana"], "label": ["x"]})
    with pytest.raises(TypeError, match="progress: gold must be"):
        progress(df, gold=[1, 2])
    with pytest.raises(ValueError, match="gold must be 'review' when given as text"):
        progress(df, gold="gold.csv")
    with pytest.raises(ValueError, match="gold='review' needs a 'source' column"):
        progress(df, gold="review")


def test_plot_progress_draws_one_bar_per_annotator_with_its_figures(team):
    fig, ax = plt.subplots()
    team.loc[team["annotator"] == "cy", "annotator"] = "$cy$"
    assert plot_progress(team, ax=ax, gold={"i1": "pos", "i2": "neg"}) is ax
    widths = [p.get_width() for p in ax.patches]
    assert widths == [1, 4, 2]  # sorted by name: $cy$, ana, bob
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["$cy$", "ana", "bob"]
    assert not any(t.get_parse_math() for t in ax.get_yticklabels())  # names stay text
    notes = [t.get_text() for t in ax.texts]
    assert notes[1] == "4 · 154/h · median 20.0 s · agreement 33% · gold 100%"
    plt.close(fig)


def test_plot_progress_makes_its_own_axes():
    df = pd.DataFrame({"item_id": ["a"], "annotator": ["ana"], "label": ["x"]})
    ax = plot_progress(df)
    assert [t.get_text() for t in ax.texts] == ["1"]
    plt.close(ax.figure)
