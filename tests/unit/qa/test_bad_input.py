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
    with pytest.raises(ValueError, match=r"metric must be one of .* or a function f\(df, a, b\)"):
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


# -- every numeric and keyword argument is checked the same way ---------------------------

_FRAME = long_frame([["x", "y"], ["x", "x"], ["y", "y"]])
_STRUCTURED = pd.DataFrame(
    columns=["item_id", "annotator", "kind", "label", "x", "y", "width", "height", "mask"]
)
_SEGMENTS = pd.DataFrame(columns=["item_id", "annotator", "kind", "label", "start", "end"])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: qa.disagreements(_FRAME, min_annotators="two"),
            TypeError,
            r"^disagreements: min_annotators must be a whole number >= 1, got 'two' \(str\)$",
        ),
        (
            lambda: qa.disagreements(_FRAME, min_annotators=1.5),
            TypeError,
            r"min_annotators must be a whole number >= 1, got 1.5 \(float\)",
        ),
        (
            lambda: qa.disagreements(_FRAME, min_annotators=True),
            TypeError,
            r"min_annotators must be a whole number >= 1, got True \(bool\)",
        ),
        (
            lambda: qa.disagreements(_FRAME, min_annotators=0),
            ValueError,
            r"min_annotators must be a whole number >= 1, got 0$",
        ),
        (
            lambda: qa.consensus(_FRAME, "dawid_skene", max_iter="100"),
            TypeError,
            r"^consensus: max_iter must be a whole number >= 1, got '100' \(str\)",
        ),
        (
            lambda: qa.consensus(_FRAME, "dawid_skene", tol=-1),
            ValueError,
            r"^consensus: tol must be a number > 0, got -1",
        ),
        (
            lambda: qa.consensus(_FRAME, ["majority"]),
            ValueError,
            r"^consensus: method must be one of 'majority', 'dawid_skene', got \['majority'\]",
        ),
        (
            lambda: qa.cohen_kappa(_FRAME, "r0", "r1", weights=2),
            ValueError,
            r"^cohen_kappa: weights must be one of None, 'linear', 'quadratic', got 2 \(int\)",
        ),
        (
            lambda: qa.pairwise(_FRAME, ["cohen_kappa"]),
            ValueError,
            r"^pairwise: metric must be one of .*, got \['cohen_kappa'\] \(list\)",
        ),
        (
            lambda: qa.plot_agreement(_FRAME, metric="kappa"),
            ValueError,
            r"^plot_agreement: metric must be one of 'cohen_kappa', .*got 'kappa'",
        ),
        (
            lambda: qa.box_agreement(_STRUCTURED, iou="0.5"),
            TypeError,
            r"^box_agreement: iou must be a number in \(0, 1\], got '0.5' \(str\)",
        ),
        (
            lambda: qa.box_agreement(_STRUCTURED, iou=float("nan")),
            ValueError,
            r"^box_agreement: iou must be a number in \(0, 1\], got nan",
        ),
        (
            lambda: qa.segment_agreement(_SEGMENTS, frame=None),
            TypeError,
            r"^segment_agreement: frame must be a number > 0 \(seconds\), got None",
        ),
        (
            lambda: qa.segment_agreement(_SEGMENTS, frame=0),
            ValueError,
            r"^segment_agreement: frame must be a number > 0 \(seconds\), got 0",
        ),
        (
            lambda: qa.mask_agreement(_STRUCTURED, per_class="no"),
            TypeError,
            r"^mask_agreement: per_class must be True or False, got 'no' \(str\)",
        ),
        (
            lambda: qa.plot_label_distribution(_FRAME, normalize="yes"),
            TypeError,
            r"^plot_label_distribution: normalize must be True or False, got 'yes'",
        ),
        (
            lambda: qa.plot_label_distribution(_FRAME, by="lighting"),
            ValueError,
            r"^plot_label_distribution: by='lighting' is not a column of df; the columns are",
        ),
        (
            lambda: qa.plot_label_distribution(_FRAME, by=["annotator"]),
            TypeError,
            r"^plot_label_distribution: by must name one column of df, got \['annotator'\]",
        ),
        (
            lambda: qa.label_bias(_FRAME, alpha=5),
            ValueError,
            r"^label_bias: alpha must be a number in \(0, 1\), got 5",
        ),
        (
            lambda: qa.plot_bias(_FRAME, by="shift"),
            ValueError,
            r"^plot_bias: by='shift' is not a column of df",
        ),
        (
            lambda: qa.plot_confusion(_FRAME, "r0", "r1", normalize="columns"),
            ValueError,
            r"^plot_confusion: normalize must be one of None, 'rows', 'all', got 'columns'",
        ),
        (
            lambda: qa.report(_FRAME, top="ten"),
            TypeError,
            r"^report: top must be a whole number >= 0, got 'ten' \(str\)",
        ),
        (
            lambda: qa.report(_FRAME, by="shift"),
            ValueError,
            r"^report: by='shift' is not a column of df",
        ),
    ],
)
def test_bad_arguments_name_the_function_the_argument_and_the_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_good_arguments_of_the_same_kinds_still_work() -> None:
    assert len(qa.disagreements(_FRAME, min_annotators=np.int64(2))) == 3
    assert len(qa.disagreements(_FRAME, min_annotators=2.0)) == 3
    assert qa.consensus(_FRAME, "dawid_skene", max_iter=5, tol=1e-3)["label"].notna().any()
    assert len(qa.pairwise(_FRAME, lambda df, a, b: 0.5)) == 2
