"""Published reference values, to 1e-4."""

from __future__ import annotations

import numpy as np
import pytest
from qa_helpers import long_frame

from nblabel import qa
from nblabel.schema import from_records

nan = np.nan

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability, section C
# ("nominal data, any number of observers, missing data"), 4 observers x 12 units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]


def _k2011(as_text: bool) -> object:
    matrix = np.array(KRIPPENDORFF_2011, dtype=float).T
    rows = [
        [None if np.isnan(v) else (str(int(v)) if as_text else int(v)) for v in r] for r in matrix
    ]
    return long_frame(rows, raters=["A", "B", "C", "D"])


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
@pytest.mark.parametrize("as_text", [True, False])
def test_krippendorff_2011_worked_example(level: str, expected: float, as_text: bool) -> None:
    # Published to three decimals; the exact values (nominal 0.7434...) also match
    # the krippendorff package, checked in test_against_libraries.
    alpha = qa.krippendorff_alpha(_k2011(as_text), level=level)  # type: ignore[arg-type]
    assert alpha == pytest.approx(expected, abs=5e-4)


def test_krippendorff_2011_nominal_exact() -> None:
    # 1 - (n - 1) D_o / D_e with the coincidence matrix of the paper: alpha = 0.743421...
    assert qa.krippendorff_alpha(_k2011(True)) == pytest.approx(0.7434210526, abs=1e-4)  # type: ignore[arg-type]


# Fleiss, J. L. (1971), Table 1: 30 patients x 6 psychiatrists x 5 diagnoses,
# kappa = 0.430. The data as printed in statsmodels' test_inter_rater.py (diagnoses).
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4],
    [2, 2, 2, 5, 5, 5],
    [2, 3, 3, 3, 3, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3],
    [3, 3, 3, 3, 5, 5],
    [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4],
    [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4],
    [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3],
    [1, 4, 4, 4, 4, 4],
    [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5],
    [1, 1, 1, 1, 1, 2],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 4, 4, 4, 4, 4],
    [2, 2, 4, 5, 5, 5],
    [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4],
    [1, 1, 1, 1, 5, 5],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3],
    [5, 5, 5, 5, 5, 5],
]


def test_fleiss_1971_table() -> None:
    kappa = qa.fleiss_kappa(long_frame(FLEISS_1971))
    assert kappa == pytest.approx(0.430, abs=5e-4)
    # statsmodels' own test pins the unrounded value
    assert kappa == pytest.approx(0.43023, abs=1e-4)


def test_fleiss_1971_rows_are_counts_not_raters() -> None:
    # In Fleiss' table the columns are not fixed raters; giving every rating its own
    # annotator name must not change kappa (it only depends on counts per item).
    frame = long_frame(FLEISS_1971)
    shuffled = frame.assign(annotator=frame["annotator"].sample(frac=1, random_state=1).to_numpy())
    shuffled = shuffled.drop_duplicates(["item_id", "annotator"])
    assert len(shuffled) < len(frame)  # sanity: the shuffle did create collisions
    assert qa.fleiss_kappa(frame) == pytest.approx(0.43023, abs=1e-4)


def _two(y1: list[int], y2: list[int]) -> object:
    return long_frame(list(zip(y1, y2, strict=True)), raters=["a", "b"])


def test_cohen_artstein_poesio_table_1() -> None:
    # scikit-learn test_cohen_kappa: Artstein & Poesio (2008), Table 1 -> 0.348
    y1 = [0] * 40 + [1] * 60
    y2 = [0] * 20 + [1] * 20 + [0] * 10 + [1] * 50
    assert qa.cohen_kappa(_two(y1, y2), "a", "b") == pytest.approx(0.348, abs=5e-4)  # type: ignore[arg-type]


def test_cohen_artstein_poesio_table_4() -> None:
    y1 = [0] * 46 + [1] * 44 + [2] * 10
    y2 = [0] * 52 + [1] * 32 + [2] * 16
    assert qa.cohen_kappa(_two(y1, y2), "a", "b") == pytest.approx(0.8013, abs=1e-4)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("weights", "expected"), [(None, 0.9315), ("linear", 0.9412), ("quadratic", 0.9541)]
)
def test_cohen_weighted_sklearn_example(weights: str | None, expected: float) -> None:
    # scikit-learn test_cohen_kappa, "Weighting example: none, linear, quadratic"
    y1 = [0] * 46 + [1] * 44 + [2] * 10
    y2 = [0] * 50 + [1] * 40 + [2] * 10
    frame = _two(y1, y2)
    value = qa.cohen_kappa(frame, "a", "b", weights=weights)  # type: ignore[arg-type]
    assert value == pytest.approx(expected, abs=1e-4)


def test_weights_follow_categories_order() -> None:
    y1 = ["low"] * 46 + ["mid"] * 44 + ["high"] * 10
    y2 = ["low"] * 50 + ["mid"] * 40 + ["high"] * 10
    frame = long_frame(list(zip(y1, y2, strict=True)), raters=["a", "b"])
    value = qa.cohen_kappa(frame, "a", "b", weights="quadratic", categories=["low", "mid", "high"])
    assert value == pytest.approx(0.9541, abs=1e-4)


def test_statsmodels_table1_fleiss() -> None:
    # statsmodels test_inter_rater.py table1 (10 subjects x 14 raters, 5 categories):
    # its test_fleiss_kappa expects 0.2099 (Fleiss' kappa of the Wikipedia example).
    counts = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    matrix = [[c for c, n in enumerate(row) for _ in range(n)] for row in counts]
    assert qa.fleiss_kappa(long_frame(matrix)) == pytest.approx(0.2099, abs=1e-4)


def test_scott_pi_equals_fleiss_for_two_complete_raters() -> None:
    # Fleiss (1971) reduces to Scott's pi for two raters.
    y1 = [0] * 46 + [1] * 44 + [2] * 10
    y2 = [0] * 52 + [1] * 32 + [2] * 16
    frame = _two(y1, y2)
    assert qa.scott_pi(frame, "a", "b") == pytest.approx(qa.fleiss_kappa(frame), abs=1e-12)  # type: ignore[arg-type]


def test_gwet_ac1_two_raters_by_hand() -> None:
    # Gwet (2008), eq. 6 for two raters: pe = sum_k pi_k (1 - pi_k) / (q - 1),
    # pi_k = (row_k + col_k) / 2n. Table [[40, 10], [5, 45]]: pa = 0.85,
    # pi = (0.475, 0.525), pe = 0.49875, AC1 = (0.85 - 0.49875) / 0.50125 = 0.700748...
    y1 = [0] * 50 + [1] * 50
    y2 = [0] * 40 + [1] * 10 + [0] * 5 + [1] * 45
    assert qa.gwet_ac1(_two(y1, y2)) == pytest.approx(0.7007481, abs=1e-6)  # type: ignore[arg-type]


def test_percent_agreement_by_hand() -> None:
    frame = long_frame([["x", "x", "y"], ["x", "x", "x"]])
    # item 0: 1 agreeing pair of 3; item 1: 3 of 3
    assert qa.percent_agreement(frame) == pytest.approx((1 / 3 + 1) / 2)


def test_schema_frame_works() -> None:
    records = [
        {
            "id": f"{i}{a}",
            "item_id": f"i{i}",
            "annotator": a,
            "kind": "label",
            "label": lab,
            "source": "human",
        }
        for i, row in enumerate([["x", "x"], ["y", "y"], ["x", "y"]])
        for a, lab in zip(["a", "b"], row, strict=True)
    ]
    records.append(
        {
            "id": "box",
            "item_id": "i0",
            "annotator": "a",
            "kind": "box",
            "label": "z",
            "source": "human",
            "x": 0,
            "y": 0,
            "width": 1,
            "height": 1,
        }
    )
    frame = from_records(records)
    # the box row is ignored; a = x,y,x and b = x,y,y: po = 2/3, pe = 4/9 -> 0.4
    assert qa.cohen_kappa(frame, "a", "b") == pytest.approx(0.4)
