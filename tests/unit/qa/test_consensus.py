"""Consensus, gold accuracy, disagreements."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from qa_helpers import long_frame

from nblabel import qa


def test_majority_with_tie_reported() -> None:
    frame = long_frame([["x", "x", "y"], ["x", "y", None], ["z", "z", "z"]])
    out = qa.consensus(frame).set_index("item_id")
    assert out.loc["item0", "label"] == "x"
    assert out.loc["item0", "confidence"] == pytest.approx(2 / 3)
    assert out.loc["item0", "n_annotators"] == 3
    assert out.loc["item1", "label"] is None
    assert bool(out.loc["item1", "tie"])
    assert out.loc["item1", "candidates"] == ("x", "y")
    assert out.loc["item2", "confidence"] == 1.0


def test_dawid_skene_downweights_a_random_annotator(rng: np.random.Generator) -> None:
    n, k = 400, 3
    truth = rng.integers(0, k, n)
    good = [np.where(rng.random(n) < 0.85, truth, rng.integers(0, k, n)) for _ in range(2)]
    noise = [rng.integers(0, k, n) for _ in range(3)]
    matrix = np.stack(good + noise, axis=1)
    frame = long_frame(matrix.tolist())
    majority = qa.consensus(frame)
    ds = qa.consensus(frame, "dawid_skene")
    order = [int(i[4:]) for i in ds["item_id"]]
    acc_ds = np.mean(ds["label"].to_numpy() == truth[order])
    acc_mv = np.mean(majority["label"].to_numpy() == truth[order])
    assert acc_ds > acc_mv + 0.1
    assert ds["confidence"].between(0, 1).all()


def test_gold_accuracy_per_annotator_and_label() -> None:
    frame = long_frame([["x", "x"], ["y", "x"], ["y", "y"], ["x", "y"]], raters=["a", "b"])
    gold = {"item0": "x", "item1": "y", "item2": "y"}
    result = qa.gold_accuracy(frame, gold)
    by = result.by_annotator.set_index("annotator")
    assert by.loc["a", "accuracy"] == 1.0
    assert by.loc["b", "accuracy"] == pytest.approx(2 / 3)
    assert by.loc["b", "n"] == 3
    lab = result.by_label.set_index(["annotator", "label"])
    assert lab.loc[("b", "y"), "recall"] == 0.5
    assert lab.loc[("b", "x"), "precision"] == 0.5
    conf = result.confusion["b"]
    assert conf.loc["y", "x"] == 1
    assert conf.loc["y", "y"] == 1
    # gold as a frame (e.g. an expert's annotations) gives the same
    gold_frame = pd.DataFrame({"item_id": list(gold), "label": list(gold.values())})
    same = qa.gold_accuracy(frame, gold_frame)
    pd.testing.assert_frame_equal(same.by_annotator, result.by_annotator)
    with pytest.raises(TypeError, match="gold must be"):
        qa.gold_accuracy(frame, 3)


def test_disagreements_ranked() -> None:
    frame = long_frame([["x", "x", "x"], ["x", "y", "z"], ["x", "x", "y"], ["q", None, None]])
    out = qa.disagreements(frame)
    assert list(out["item_id"]) == ["item1", "item2", "item0"]
    assert out.loc[0, "n_labels"] == 3
    assert out.loc[0, "labels"] == {"x": 1, "y": 1, "z": 1}
    assert out.loc[0, "entropy"] == pytest.approx(np.log2(3))


def test_per_label_one_vs_rest() -> None:
    frame = long_frame([["x", "x"], ["y", "y"], ["x", "y"], ["y", "y"]])
    out = qa.per_label(frame).set_index("label")
    # x: pairs (x,x) agree once; one x/y disagreement -> positive agreement 2*1/(2*1+1)
    assert out.loc["x", "positive_agreement"] == pytest.approx(2 / 3)
    assert out.loc["y", "positive_agreement"] == pytest.approx(4 / 5)
    assert out.loc["x", "n"] == 3
