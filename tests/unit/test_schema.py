"""The annotation table contract: dtypes, building, coercing and validating."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from nblabel import schema
from nblabel.schema import SchemaError

# Written out by hand (not derived from schema.DTYPES) so a change to the contract fails here.
EXPECTED_DTYPES = {
    "id": "object",
    "item_id": "object",
    "annotator": "object",
    "kind": "category",
    "label": "object",
    "source": "category",
    "score": "float64",
    "created_at": "datetime64[ns, UTC]",
    "updated_at": "datetime64[ns, UTC]",
    "elapsed": "float64",
    "x": "float64",
    "y": "float64",
    "width": "float64",
    "height": "float64",
    "points": "object",
    "mask": "object",
    "image_width": "Int64",
    "image_height": "Int64",
    "start": "float64",
    "end": "float64",
    "text": "object",
    "from_id": "object",
    "to_id": "object",
    "frame": "Int64",
    "track_id": "object",
    "outside": "boolean",
    "extra": "object",
}

RLE = {"size": [4, 6], "counts": "0:2O1N"}


def _row(i: int, kind: str = "label", **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": f"a{i}",
        "item_id": f"item{i}",
        "annotator": "ana",
        "kind": kind,
        "label": "cat",
        "source": "human",
    }
    base.update(extra)
    return base


def _every_kind() -> pd.DataFrame:
    """A valid table with one row of every kind (and source), indexed r0..r13."""
    rows = [
        _row(0, "label"),
        _row(1, "box", x=1.0, y=2.0, width=3.0, height=4.0, image_width=640, image_height=480),
        _row(2, "polygon", points=[[0, 0], [4, 0], [4, 3]]),
        _row(3, "mask", mask=RLE),
        _row(4, "span", start=3, end=7, text="fox!"),
        _row(5, "segment", start=0.5, end=2.25, text="hello", label="SPEAKER_00"),
        _row(6, "label", source="model", score=0.9, elapsed=1.5),
        _row(7, "point", x=3.0, y=4.0, image_width=640, image_height=480),
        _row(8, "relation", from_id="a4", to_id="a5", label="works_for"),
        _row(9, "skip", label="skip", text="blurry"),
        _row(10, "comment", label="comment", text="ask the radiologist"),
        _row(11, "box", x=1, y=1, width=2, height=2, frame=30, track_id="t1", outside=False),
        _row(12, "label", source="review", extra={"coco_category_id": 3}),
        _row(13, "rejection", x=0, y=0, width=5, height=5, score=0.4, extra={"kind": "box"}),
    ]
    df = schema.from_records(rows)
    df.index = [f"r{i}" for i in range(len(rows))]
    return df


# -- empty / from_records / coerce ---------------------------------------------------------


def test_columns_are_the_documented_ones_in_order() -> None:
    assert list(schema.empty().columns) == list(EXPECTED_DTYPES)
    assert tuple(EXPECTED_DTYPES) == schema.COLUMN_NAMES


@pytest.mark.parametrize("name", list(EXPECTED_DTYPES))
def test_empty_has_every_column_in_its_dtype(name: str) -> None:
    df = schema.empty()
    assert len(df) == 0
    assert str(df[name].dtype) == EXPECTED_DTYPES[name]


def test_empty_categories_are_the_kinds_and_sources() -> None:
    df = schema.empty()
    assert list(df["kind"].cat.categories) == [
        "label",
        "box",
        "polygon",
        "mask",
        "point",
        "span",
        "segment",
        "relation",
        "skip",
        "comment",
        "rejection",
    ]
    assert list(df["source"].cat.categories) == ["human", "model", "review"]


def test_from_records_fills_missing_columns() -> None:
    df = schema.from_records([_row(0), _row(1, "box", x=1, y=2, width=3, height=4)])
    assert list(df.columns) == list(EXPECTED_DTYPES)
    assert {n: str(t) for n, t in df.dtypes.items()} == EXPECTED_DTYPES
    assert np.isnan(df.at[0, "x"])
    assert df.at[1, "x"] == 1.0
    assert df.at[0, "points"] is None
    assert df.at[0, "mask"] is None
    assert df.at[0, "text"] is None
    assert df.at[0, "image_width"] is pd.NA
    assert df.at[0, "created_at"] is pd.NaT


def test_from_records_of_nothing_is_empty() -> None:
    df = schema.from_records([])
    assert len(df) == 0
    assert {n: str(t) for n, t in df.dtypes.items()} == EXPECTED_DTYPES


def test_from_records_rejects_unknown_columns() -> None:
    with pytest.raises(SchemaError, match=r"unknown column\(s\) \['colour', 'zz'\]"):
        schema.from_records([_row(0, colour="red"), _row(1, zz=1)])


def test_coerce_keeps_extra_columns_after_the_schema_ones() -> None:
    df = pd.DataFrame(
        {"split": ["train", "test"], "label": ["cat", "dog"], "kind": ["label", "label"]},
        index=["p", "q"],
    )
    df["id"] = ["a", "b"]
    df["weather"] = ["sun", None]
    out = schema.coerce(df)
    assert list(out.columns) == [*EXPECTED_DTYPES, "split", "weather"]
    assert list(out.index) == ["p", "q"]
    assert out["split"].tolist() == ["train", "test"]
    assert pd.isna(out.at["q", "weather"])  # extras are kept as they are
    assert out["label"].tolist() == ["cat", "dog"]
    assert str(out["kind"].dtype) == "category"


def test_coerce_converts_types() -> None:
    df = pd.DataFrame(
        {
            "id": [1, 2],
            "x": ["1.5", 2],
            "image_width": [640.0, np.nan],
            "created_at": ["2024-01-01T12:00:00+02:00", None],
        }
    )
    out = schema.coerce(df)
    assert out["id"].tolist() == ["1", "2"]
    assert out["x"].tolist() == [1.5, 2.0]
    assert out.at[0, "image_width"] == 640
    assert out.at[1, "image_width"] is pd.NA
    assert out.at[0, "created_at"] == pd.Timestamp("2024-01-01T10:00:00", tz="UTC")
    assert out.at[1, "created_at"] is pd.NaT


def test_coerce_names_column_and_row_of_a_bad_number() -> None:
    df = pd.DataFrame({"x": [1.0, "wide"]}, index=["a", "b"])
    with pytest.raises(SchemaError) as info:
        schema.coerce(df)
    assert (info.value.column, info.value.row) == ("x", "b")
    assert "'wide' is not a number" in str(info.value)


# -- validate ------------------------------------------------------------------------------


def test_a_valid_frame_of_every_kind_passes() -> None:
    df = _every_kind()
    out = schema.validate(df)
    assert list(out.index) == list(df.index)
    assert set(out["kind"]) == set(schema.KINDS)
    assert {n: str(t) for n, t in out.dtypes.items()} == EXPECTED_DTYPES
    assert out.at["r2", "points"] == [[0, 0], [4, 0], [4, 3]]


def test_validate_accepts_a_box_of_zero_size_and_an_empty_span() -> None:
    df = _every_kind()
    df.loc["r1", ["width", "height"]] = 0.0
    df.loc["r4", ["start", "end"]] = 5.0
    schema.validate(df)


def _set(row: str, column: str, value: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        if column in ("kind", "source"):
            df[column] = df[column].astype(object)
        df.at[row, column] = value
        return df

    return change


def _duplicate_id(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.at["r5", "id"] = df.at["r2", "id"]
    return df


def _polygon_points(points: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df["points"] = [points if r == "r2" else v for r, v in df["points"].items()]
        return df

    return change


def _mask(mask: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df["mask"] = [mask if r == "r3" else v for r, v in df["mask"].items()]
        return df

    return change


@pytest.mark.parametrize(
    ("change", "column", "row", "message"),
    [
        pytest.param(_set("r4", "label", None), "label", "r4", "missing value", id="missing-value"),
        pytest.param(_set("r0", "item_id", np.nan), "item_id", "r0", "missing", id="missing-nan"),
        pytest.param(
            _set("r1", "kind", "bogus"), "kind", "r1", "'bogus' is not one of", id="bad-kind"
        ),
        pytest.param(
            _set("r6", "source", "robot"), "source", "r6", "'robot' is not one of", id="bad-source"
        ),
        pytest.param(_duplicate_id, "id", "r5", "duplicate annotation id 'a2'", id="duplicate-id"),
        pytest.param(
            _set("r1", "width", np.nan),
            "width",
            "r1",
            "'box' annotation needs 'width'",
            id="box-missing-width",
        ),
        pytest.param(
            _set("r1", "height", -1.0), "height", "r1", "must not be negative", id="negative-height"
        ),
        pytest.param(
            _set("r4", "end", 2.0),
            "end",
            "r4",
            "is before start",
            id="span-end-before-start",
        ),
        pytest.param(
            _set("r5", "start", 9.0), "end", "r5", "is before start", id="segment-end-before-start"
        ),
        pytest.param(_mask("0:2O1N"), "mask", "r3", "COCO RLE dict", id="mask-not-a-dict"),
        pytest.param(
            _mask({"size": [4, 6]}), "mask", "r3", "COCO RLE dict", id="mask-without-counts"
        ),
        pytest.param(
            _set("r3", "mask", None),
            "mask",
            "r3",
            "'mask' annotation needs 'mask'",
            id="mask-missing",
        ),
        pytest.param(
            _polygon_points([[0, 0], [1, 1]]),
            "points",
            "r2",
            "at least three",
            id="polygon-two-points",
        ),
        pytest.param(
            _polygon_points([[0, 0, 0], [1, 1, 1], [2, 2, 2]]),
            "points",
            "r2",
            "[x, y] points",
            id="polygon-3d-points",
        ),
        pytest.param(
            _polygon_points([[0, 0], [1, np.nan], [2, 2]]),
            "points",
            "r2",
            "finite",
            id="polygon-nan-point",
        ),
        pytest.param(
            _polygon_points([[0, 0], [1], [2, 2]]),
            "points",
            "r2",
            "[x, y] points",
            id="polygon-ragged",
        ),
    ],
)
def test_validate_names_column_and_row(
    change: Callable[[pd.DataFrame], pd.DataFrame], column: str, row: str, message: str
) -> None:
    df = change(_every_kind())
    with pytest.raises(SchemaError) as info:
        schema.validate(df)
    err = info.value
    assert err.column == column
    assert err.row == row
    text = str(err)
    assert message in text
    assert f"row {row!r}" in text
    assert f"column {column!r}" in text


@pytest.mark.parametrize("column", ["id", "item_id", "annotator", "kind", "label", "source"])
def test_validate_names_a_missing_required_column(column: str) -> None:
    df = _every_kind().drop(columns=[column])
    with pytest.raises(SchemaError, match=re.escape(f"column {column!r}: required column")) as info:
        schema.validate(df)
    assert info.value.column == column
    assert info.value.row is None


def test_validate_optional_columns_may_be_absent() -> None:
    df = pd.DataFrame([_row(0), _row(1)])
    out = schema.validate(df)
    assert list(out.columns) == list(EXPECTED_DTYPES)


def test_validate_restricts_kinds_when_asked() -> None:
    df = _every_kind()
    with pytest.raises(SchemaError, match="not accepted here") as info:
        schema.validate(df, kinds=["label", "box"])
    assert (info.value.column, info.value.row) == ("kind", "r2")
    schema.validate(df.loc[["r0", "r1", "r6"]], kinds=["label", "box"])


def test_validate_rejects_a_non_frame() -> None:
    with pytest.raises(TypeError, match="expected a pandas DataFrame, got list"):
        schema.validate([_row(0)])  # type: ignore[arg-type]


def test_schema_error_is_a_value_error_without_location() -> None:
    err = SchemaError("plain")
    assert isinstance(err, ValueError)
    assert str(err) == "plain"
    assert (err.column, err.row) == (None, None)


# -- errors name the column and the row as the user numbers them --------------------------


def test_a_fraction_in_a_whole_number_column_is_refused_not_rounded() -> None:
    df = schema.from_records([_row(0, "box", x=0, y=0, width=1, height=1)])
    df["image_width"] = [1.5]
    with pytest.raises(SchemaError, match=r"row 0, column 'image_width': 1\.5 is not a whole"):
        schema.validate(df)


def test_a_word_in_a_number_column_names_column_and_row() -> None:
    df = pd.DataFrame([_row(0), _row(1)])
    df["image_width"] = [640, "wide"]
    with pytest.raises(SchemaError, match=r"row 1, column 'image_width': 'wide' is not a number"):
        schema.validate(df)


def test_a_list_is_not_an_annotator() -> None:
    df = pd.DataFrame([_row(0)])
    df["annotator"] = [["a", "b"]]
    with pytest.raises(SchemaError, match=r"row 0, column 'annotator': \['a', 'b'\] is a list"):
        schema.validate(df)


def test_rows_named_by_numpy_integers_read_as_plain_numbers() -> None:
    err = SchemaError("bad", column="x", row=np.int64(2))
    assert str(err) == "row 2, column 'x': bad"
    assert err.row == 2


def test_outside_takes_true_false_or_missing_only() -> None:
    df = pd.DataFrame([_row(0, "box", x=0, y=0, width=1, height=1, outside="yes")])
    with pytest.raises(SchemaError, match=r"column 'outside': 'yes' is not True or False"):
        schema.validate(df)


@pytest.mark.parametrize(
    "value",
    [None, float("nan"), np.float32("nan"), np.float16("nan"), pd.NA, pd.NaT, np.datetime64("NaT")],
)
def test_is_missing_knows_every_missing_marker(value):
    assert schema.is_missing(value) is True


@pytest.mark.parametrize(
    "value",
    [
        "",
        "nan",
        0,
        0.0,
        False,
        [],
        [None],
        {},
        {"size": [1, 1], "counts": "1"},
        np.zeros(0),
        np.datetime64("2024-01-01"),
        pd.Timestamp("2024-01-01"),
        float("inf"),
    ],
)
def test_is_missing_treats_every_value_as_a_value(value):
    assert schema.is_missing(value) is False
