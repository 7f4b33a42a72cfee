"""Parquet: every column and dtype of the table kept, geometry exactly."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fmt_helpers import SETTINGS, frame, image_rows
from hypothesis import given

from nblabel import rle, schema
from nblabel.formats import FormatError, read_parquet, to_parquet


def every_kind() -> pd.DataFrame:
    m = np.zeros((5, 6), bool)
    m[1:3, 2:5] = True
    common = {"created_at": pd.Timestamp("2025-01-02T03:04:05.123456Z"), "elapsed": 1.5}
    return frame(
        [
            {
                "id": "b",
                "item_id": "a.jpg",
                "kind": "box",
                "label": "cat",
                "x": 1.25,
                "y": 2,
                "width": 3,
                "height": 4,
                "image_width": 6,
                "image_height": 5,
                "frame": 3,
                "track_id": "t1",
                "outside": False,
                "score": 0.5,
                "source": "model",
                **common,
            },
            {
                "id": "p",
                "item_id": "a.jpg",
                "kind": "polygon",
                "label": "cat",
                "points": [[0, 0], [1.5, 0], [1, 2]],
                "extra": {"coco": {"id": 7, "ring": 0}},
            },
            {"id": "m", "item_id": "a.jpg", "kind": "mask", "label": "dog", "mask": rle.encode(m)},
            {"id": "k", "item_id": "a.jpg", "kind": "point", "label": "nose", "x": 1, "y": 1},
            {
                "id": "s",
                "item_id": "t",
                "kind": "span",
                "label": "PER",
                "start": 0,
                "end": 3,
                "text": "Ana",
            },
            {
                "id": "g",
                "item_id": "w",
                "kind": "segment",
                "label": "ana",
                "start": 0.25,
                "end": 1.5,
                "text": "hi",
                "source": "review",
            },
            {
                "id": "r",
                "item_id": "t",
                "kind": "relation",
                "label": "knows",
                "from_id": "s",
                "to_id": "s",
            },
            {"id": "x", "item_id": "t", "kind": "skip", "label": "skip", "text": "unclear"},
            {"id": "c", "item_id": "t", "kind": "comment", "label": "note", "text": "ünï"},
            {"id": "l", "item_id": "t", "kind": "label", "label": "news", "outside": True},
        ]
    )


def test_every_column_and_dtype_kept(tmp_path: Path) -> None:
    df = every_kind()
    df["split"] = ["train"] * len(df)  # a column beyond the schema is kept too
    path = to_parquet(df, tmp_path / "ann.parquet")
    back = read_parquet(path)
    pd.testing.assert_frame_equal(back, df)
    assert back.dtypes.to_dict() == df.dtypes.to_dict()


@SETTINGS
@given(image_rows())
def test_round_trip_property(df: pd.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        back = read_parquet(to_parquet(df, Path(tmp) / "x.parquet"))
    pd.testing.assert_frame_equal(back, df)


def test_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "plain.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(FormatError, match="was not written by nblabel"):
        read_parquet(path)
    (tmp_path / "junk.parquet").write_text("junk")
    with pytest.raises(FormatError, match=r"junk\.parquet: not a Parquet file"):
        read_parquet(tmp_path / "junk.parquet")
    with pytest.raises(schema.SchemaError):
        to_parquet(every_kind().drop(columns=["label"]), tmp_path / "x.parquet")
    assert not (tmp_path / "x.parquet").exists()
