"""gold="review": a reviewer's rows as the gold answers, in every QA function that takes gold.

Every expected figure is a hand count of the small team below.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from nblabel.qa import consensus, gold_accuracy, plot_confusion, progress, report


def row(item: str, who: str, label: str, source: str = "human", kind: str = "label") -> dict:
    return {"item_id": item, "annotator": who, "kind": kind, "label": label, "source": source}


@pytest.fixture
def team() -> pd.DataFrame:
    """Four items, three annotators, one reviewer who decided i1, i2 and i3 (not i4)."""
    return pd.DataFrame(
        [
            row("i1", "ana", "cat"),
            row("i1", "bob", "dog"),
            row("i1", "rev", "cat", "review"),
            row("i2", "ana", "dog"),
            row("i2", "bob", "dog"),
            row("i2", "cy", "cat"),
            row("i2", "rev", "cat", "review"),  # the reviewer sides with the minority
            row("i3", "bob", "cat"),
            row("i3", "cy", "dog"),
            row("i3", "rev", "dog", "review"),
            row("i3", "rev", "cat", "review", kind="box"),  # not a whole-item label: no gold
            row("i4", "ana", "cat"),
            row("i4", "cy", "cat"),
            row("i4", "m", "dog", "model"),
        ]
    )


def test_gold_accuracy_scores_against_the_reviewed_labels(team):
    got = gold_accuracy(team, "review").by_annotator.set_index("annotator")
    # gold: i1 cat, i2 cat, i3 dog. ana: i1 cat (right), i2 dog (wrong) -> 1/2.
    # bob: i1 dog (wrong), i2 dog (wrong), i3 cat (wrong) -> 0/3. cy: i2 cat, i3 dog -> 2/2.
    assert list(got.index) == ["ana", "bob", "cy"]  # the reviewer is not scored
    assert list(got["n"]) == [2, 3, 2]
    assert list(got["correct"]) == [1, 0, 2]
    assert list(got["accuracy"]) == [0.5, 0.0, 1.0]


def test_review_as_gold_is_the_same_as_the_reviewed_labels_given_by_hand(team):
    by_hand = gold_accuracy(
        team.loc[team["source"] != "review"], {"i1": "cat", "i2": "cat", "i3": "dog"}
    )
    pd.testing.assert_frame_equal(gold_accuracy(team, "review").by_annotator, by_hand.by_annotator)


def test_consensus_takes_the_review_where_there_is_one_and_the_vote_elsewhere(team):
    out = consensus(team, gold="review").set_index("item_id")
    assert list(out.index) == ["i1", "i2", "i3", "i4"]
    assert out["label"].to_dict() == {"i1": "cat", "i2": "cat", "i3": "dog", "i4": "cat"}
    assert out["decided"].to_dict() == {"i1": True, "i2": True, "i3": True, "i4": False}
    # The votes are the annotators' (and the model's on i4); the reviewer is no vote.
    assert out["n_annotators"].to_dict() == {"i1": 2, "i2": 3, "i3": 2, "i4": 3}
    assert out.loc[["i1", "i2", "i3"], "confidence"].tolist() == [1.0, 1.0, 1.0]
    assert out.loc["i4", "confidence"] == pytest.approx(2 / 3)
    assert not out["tie"].any()  # i1 and i3 were 1-1 ties: the review broke them
    assert out.loc["i1", "candidates"] == ()


def test_consensus_without_gold_is_unchanged_and_votes_the_reviewer_in(team):
    out = consensus(team).set_index("item_id")
    assert "decided" not in out.columns
    # i1: ana cat, bob dog, rev cat -> cat 2/3; i3: bob cat, cy dog, rev dog -> dog.
    assert out.loc["i1", "label"] == "cat"
    assert out.loc["i1", "n_annotators"] == 3


def test_consensus_with_known_answers_adds_items_only_decided():
    df = pd.DataFrame([row("a", "ana", "x"), row("a", "bob", "y")])
    out = consensus(df, gold={"a": "y", "b": "x"}).set_index("item_id")
    assert out["label"].to_dict() == {"a": "y", "b": "x"}
    assert out["n_annotators"].to_dict() == {"a": 2, "b": 0}
    assert out["decided"].all()


def test_dawid_skene_consensus_takes_the_review_too(team):
    out = consensus(team, "dawid_skene", gold="review").set_index("item_id")
    assert out.loc[["i1", "i2", "i3"], "label"].tolist() == ["cat", "cat", "dog"]


def test_progress_and_gold_accuracy_read_review_through_one_rule(team):
    table = progress(team, gold="review").set_index("annotator")
    direct = gold_accuracy(team, "review").by_annotator.set_index("annotator")["accuracy"]
    assert table["gold_accuracy"].to_dict() == direct.to_dict()


def test_report_and_confusion_take_review_as_gold(team):
    out = report(team, gold="review")
    assert out.gold is not None
    assert list(out.gold["annotator"]) == ["ana", "bob", "cy"]
    # The reviewer is no vote in the other panels either: i1 is ana cat, bob dog.
    i1 = out.disagreements.set_index("item_id").loc["i1", "labels"]
    assert i1 == {"cat": 1, "dog": 1}
    ax = plot_confusion(team, "bob", gold="review")
    # bob against the review: i1 cat->dog, i2 cat->dog, i3 dog->cat.
    image = ax.images[0].get_array()
    assert np.asarray(image).sum() == 3


def test_two_reviewers_who_disagree_on_an_item_are_named(team):
    torn = pd.concat([team, pd.DataFrame([row("i1", "rev2", "dog", "review")])])
    with pytest.raises(ValueError, match=r"gold_accuracy: gold='review'.*\['i1'\]"):
        gold_accuracy(torn, "review")


def test_gold_review_needs_a_source_column_and_other_text_is_refused():
    df = pd.DataFrame({"item_id": ["a"], "annotator": ["ana"], "label": ["x"]})
    with pytest.raises(ValueError, match="consensus: gold='review' needs a 'source' column"):
        consensus(df, gold="review")
    with pytest.raises(ValueError, match="gold_accuracy: gold must be 'review' when given as text"):
        gold_accuracy(df, "reviewed")


def test_a_review_of_no_item_scores_nothing():
    df = pd.DataFrame([row("a", "ana", "x"), row("a", "bob", "y")])
    got = gold_accuracy(df, "review").by_annotator
    assert got.empty
    assert math.isnan(progress(df, gold="review")["gold_accuracy"].iloc[0])
