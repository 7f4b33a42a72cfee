"""Bad input: clear errors and warnings that name the problem and the rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from qa_helpers import long_frame

from nblabel import qa
from nblabel.schema import empty


def test_empty_frame_gives_nan_with_reason() -> None:
    for frame in (empty(), pd.DataFrame(columns=["item_id", "annotator", "label"])):
        with pytest.warns(qa.AgreementWarning, match="no label annotations"):
            assert np.isnan(qa.krippendorff_alpha(frame))
        with pytest.warns(qa.AgreementWarning, match="no label annotations"):
            assert np.isnan(qa.fleiss_kappa(frame))
        assert qa.consensus(frame).empty
        assert qa.disagreements(frame).empty


def test_one_annotator() -> None:
    frame = long_frame([["x"], ["y"]], raters=["solo"])
    with pytest.warns(qa.AgreementWarning, match="two or more annotators"):
        assert np.isnan(qa.fleiss_kappa(frame))
    with pytest.warns(qa.AgreementWarning, match="two or more annotators"):
        assert np.isnan(qa.krippendorff_alpha(frame))
    with pytest.raises(ValueError, match="b='other' is not an annotator"):
        qa.cohen_kappa(frame, "solo", "other")


def test_single_category_is_undefined() -> None:
    frame = long_frame([["x", "x"], ["x", "x"]])
    with pytest.warns(qa.AgreementWarning, match="every rating is 'x'"):
        assert np.isnan(qa.fleiss_kappa(frame))
    with pytest.warns(qa.AgreementWarning, match="undefined"):
        assert np.isnan(qa.cohen_kappa(frame, "r0", "r1"))
    assert qa.percent_agreement(frame) == 1.0


def test_missing_labels_are_dropped_with_rows_named() -> None:
    frame = long_frame([["x", "y"], ["x", "x"], ["y", "y"]])
    frame.loc[5, "label"] = None
    with pytest.warns(qa.AgreementWarning, match=r"1 row\(s\) with a missing 'label' \(index 5\)"):
        value = qa.krippendorff_alpha(frame)
    assert np.isfinite(value)


def test_missing_item_or_annotator_is_an_error() -> None:
    frame = long_frame([["x", "y"], ["x", "x"]])
    frame.loc[2, "annotator"] = None
    with pytest.raises(ValueError, match=r"'annotator' is missing in row\(s\) 2"):
        qa.fleiss_kappa(frame)


def test_same_annotator_twice_names_item_and_annotator() -> None:
    frame = long_frame([["x", "y"], ["x", "x"]])
    frame = pd.concat(
        [frame, pd.DataFrame([{"item_id": "item1", "annotator": "r0", "label": "y"}])],
        ignore_index=True,
    )
    for f in (qa.fleiss_kappa, qa.krippendorff_alpha, qa.percent_agreement, qa.consensus):
        with pytest.raises(ValueError, match=r"annotator 'r0' gave item 'item1' 2 labels") as err:
            f(frame)
        assert "per_label" in str(err.value)
        assert "drop_duplicates" in str(err.value)
    # per_label accepts multi-label data
    assert set(qa.per_label(frame)["label"]) == {"x", "y"}


def test_unknown_categories_are_named() -> None:
    frame = long_frame([["a", "b"], ["c", "a"]])
    with pytest.raises(ValueError, match=r"label\(s\) 'c' are not in categories") as err:
        qa.cohen_kappa(frame, "r0", "r1", categories=["a", "b"])
    assert "rows" in str(err.value)
    with pytest.raises(ValueError, match="duplicate"):
        qa.fleiss_kappa(frame, categories=["a", "a", "b", "c"])


def test_numeric_categories_match_string_labels() -> None:
    # the schema stores labels as str; categories=[1, 2, 3] still matches them
    frame = long_frame([["1", "2"], ["3", "3"], ["2", "2"]])
    assert qa.cohen_kappa(
        frame, "r0", "r1", weights="linear", categories=[1, 2, 3]
    ) == pytest.approx(qa.cohen_kappa(frame, "r0", "r1", weights="linear"))


def test_mixed_types_warn() -> None:
    frame = long_frame([[1, "1"], ["x", "x"], [1, 1]])
    frame["label"] = frame["label"].astype(object)
    with pytest.warns(qa.AgreementWarning, match="mixes types"):
        qa.fleiss_kappa(frame)


def test_not_a_frame_and_missing_columns() -> None:
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        qa.fleiss_kappa([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"missing column\(s\) \['annotator'\]"):
        qa.fleiss_kappa(pd.DataFrame({"item_id": ["a"], "label": ["x"]}))


def test_bad_options() -> None:
    frame = long_frame([["x", "y"], ["x", "x"]])
    with pytest.raises(ValueError, match="weights"):
        qa.cohen_kappa(frame, "r0", "r1", weights="cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level"):
        qa.krippendorff_alpha(frame, level="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs numeric labels"):
        qa.krippendorff_alpha(frame, level="interval")
    with pytest.raises(ValueError, match="same annotator"):
        qa.cohen_kappa(frame, "r0", "r0")
    with pytest.raises(ValueError, match="unknown metric"):
        qa.pairwise(frame, "nope")
    with pytest.raises(ValueError, match="method"):
        qa.consensus(frame, "mean")  # type: ignore[arg-type]


def test_interval_on_ordered_categories_uses_positions() -> None:
    frame = long_frame([["lo", "hi"], ["mid", "mid"], ["hi", "hi"], ["lo", "lo"]])
    value = qa.krippendorff_alpha(frame, level="interval", categories=["lo", "mid", "hi"])
    numeric = long_frame([[0, 2], [1, 1], [2, 2], [0, 0]])
    assert value == pytest.approx(qa.krippendorff_alpha(numeric, level="interval"))


def test_ordinal_without_categories_warns_for_text() -> None:
    frame = long_frame([["lo", "hi"], ["mid", "mid"], ["hi", "hi"]])
    with pytest.warns(qa.AgreementWarning, match="sorted order"):
        qa.krippendorff_alpha(frame, level="ordinal")


def test_numeric_string_labels_sort_numerically() -> None:
    frame = long_frame([["2", "10"], ["10", "10"], ["2", "2"], ["1", "2"]])
    # quadratic weights by position: 1 < 2 < 10, not "1" < "10" < "2"
    by_text = qa.cohen_kappa(frame, "r0", "r1", weights="quadratic")
    by_cats = qa.cohen_kappa(frame, "r0", "r1", weights="quadratic", categories=["1", "2", "10"])
    assert by_text == pytest.approx(by_cats)


def test_kind_column_filters_label_rows() -> None:
    frame = long_frame([["x", "y"], ["x", "x"], ["y", "y"]]).assign(kind="label")
    extra = pd.DataFrame([{"item_id": "item0", "annotator": "r0", "label": "car", "kind": "box"}])
    both = pd.concat([frame, extra], ignore_index=True)
    assert qa.fleiss_kappa(both) == pytest.approx(qa.fleiss_kappa(frame))


def test_warnings_point_at_the_callers_line() -> None:
    frame = long_frame([["x", "y"], ["x", "x"], ["lo", "hi"]])
    frame.loc[1, "label"] = None
    for call in (
        lambda: qa.fleiss_kappa(frame),
        lambda: qa.krippendorff_alpha(frame, level="ordinal"),
        lambda: qa.plot_label_distribution(frame),
        lambda: qa.fleiss_kappa(frame[frame["annotator"] == "r0"]),
    ):
        with pytest.warns(qa.AgreementWarning) as record:
            call()
        assert all(w.filename == __file__ for w in record), [w.filename for w in record]


def test_ordered_categorical_labels_need_no_categories() -> None:
    frame = long_frame([["lo", "hi"], ["mid", "mid"], ["hi", "hi"], ["lo", "mid"]])
    ordered = frame.assign(
        label=pd.Categorical(frame["label"], categories=["lo", "mid", "hi"], ordered=True)
    )
    value = qa.krippendorff_alpha(ordered, level="ordinal")
    expected = qa.krippendorff_alpha(frame, level="ordinal", categories=["lo", "mid", "hi"])
    assert value == pytest.approx(expected)
