"""YOLO: a hand-checked fixture, round trips, images for sizes, data.yaml, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from fmt_helpers import SETTINGS, assert_same, frame, image_rows
from hypothesis import given
from PIL import Image

from nblabel import schema
from nblabel.formats import FormatError, read_yolo, write_yolo

CLASSES = ["cat", "dog", "traffic light", "Ünïcode"]


def test_hand_checked_fixture(tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    labels.mkdir()
    images = tmp_path / "images"
    images.mkdir()
    Image.new("RGB", (640, 480)).save(images / "street.jpg")
    # box: centre (320, 240), 64 x 48 px -> x 288, y 216; polygon: three corners in pixels
    (labels / "street.txt").write_text(
        "1 0.5 0.5 0.1 0.1\n0 0.25 0.25 0.5 0.25 0.5 0.5\n1 0.5 0.5 0.1 0.1 0.87\n"
    )
    (tmp_path / "data.yaml").write_text("names:\n  0: cat\n  1: dog\n")
    df = read_yolo(labels, classes=tmp_path / "data.yaml", images=images)
    schema.validate(df)
    box, poly, pred = (df.iloc[i] for i in range(3))
    assert box["item_id"] == str(images / "street.jpg")
    assert (box["kind"], box["label"]) == ("box", "dog")
    assert (box["x"], box["y"], box["width"], box["height"]) == pytest.approx((288, 216, 64, 48))
    assert (box["image_width"], box["image_height"]) == (640, 480)
    assert poly["kind"] == "polygon"
    assert poly["label"] == "cat"
    assert np.allclose(poly["points"], [[160, 120], [320, 120], [320, 240]])
    assert pred["score"] == 0.87
    assert pred["source"] == "model"
    assert box["source"] == "human"
    assert np.isnan(box["score"])


def test_written_files_read_by_hand(tmp_path: Path) -> None:
    df = frame(
        [
            {
                "id": "a",
                "item_id": "imgs/street.jpg",
                "kind": "box",
                "label": "dog",
                "x": 288,
                "y": 216,
                "width": 64,
                "height": 48,
                "image_width": 640,
                "image_height": 480,
            },
            {
                "id": "b",
                "item_id": "imgs/street.jpg",
                "kind": "polygon",
                "label": "cat",
                "points": [[160, 120], [320, 120], [320, 240]],
                "image_width": 640,
                "image_height": 480,
            },
        ]
    )
    out = write_yolo(df, tmp_path / "ds", classes=["cat", "dog"])
    lines = (out / "labels" / "street.txt").read_text().splitlines()
    assert [[float(v) for v in line.split()] for line in lines] == [
        [1, 0.5, 0.5, 0.1, 0.1],
        [0, 0.25, 0.25, 0.5, 0.25, 0.5, 0.5],
    ]
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["names"] == {0: "cat", 1: "dog"}
    assert data["nc"] == 2


@SETTINGS
@given(image_rows(kinds=("box", "polygon")))
def test_round_trip_property(df: pd.DataFrame) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = write_yolo(df, Path(tmp) / "ds", classes=CLASSES)
        sizes = {
            item: (int(g["image_width"].iloc[0]), int(g["image_height"].iloc[0]))
            for item, g in df.groupby("item_id")
        }
        back = read_yolo(out / "labels", classes=out / "data.yaml", images=sizes, annotator="ana")
    assert_same(
        back,
        df,
        (
            "item_id",
            "kind",
            "label",
            "x",
            "y",
            "width",
            "height",
            "points",
            "image_width",
            "image_height",
        ),
        atol=1e-9,
    )


def test_scores_round_trip(tmp_path: Path) -> None:
    df = frame(
        [
            {
                "id": "a",
                "item_id": "a.png",
                "kind": "box",
                "label": "cat",
                "x": 1,
                "y": 2,
                "width": 3,
                "height": 4,
                "image_width": 10,
                "image_height": 10,
                "score": 0.25,
                "source": "model",
            }
        ]
    )
    out = write_yolo(df, tmp_path, classes=CLASSES, scores=True)
    back = read_yolo(out / "labels", classes=CLASSES, images={"a.png": (10, 10)})
    assert back["score"].tolist() == [0.25]
    assert back["source"].tolist() == ["model"]


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ("7 0.5 0.5 0.1 0.1", r"a.txt:line 2 class: class 7 is not in classes"),
        ("x 0.5 0.5 0.1 0.1", r"a.txt:line 2 class: 'x' is not a class id"),
        ("0 0.5 0.5 0.1", r"a.txt:line 2: 4 fields: a box has 5"),
        ("0 0.5 oops 0.1 0.1", r"a.txt:line 2: not a number"),
        ("0 0.98 0.5 0.1 0.1", r"a.txt:line 2: the object leaves its image"),
        ("0 0.5 0.5 0.9 0.5 1.2 0.7", r"a.txt:line 2: the object leaves its image"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, line: str, match: str) -> None:
    (tmp_path / "a.txt").write_text(f"0 0.5 0.5 0.1 0.1\n{line}\n")
    with pytest.raises(FormatError, match=match):
        read_yolo(tmp_path, classes=["cat"], images={"a.png": (10, 10)})


def test_label_file_without_image(tmp_path: Path) -> None:
    (tmp_path / "lonely.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    with pytest.raises(FormatError, match=r"lonely.txt: no image with the stem 'lonely'"):
        read_yolo(tmp_path, classes=["cat"], images={"a.png": (10, 10)})


def test_writer_errors_leave_nothing(tmp_path: Path) -> None:
    ok = {"kind": "box", "x": 1, "y": 1, "width": 1, "height": 1}
    df = frame(
        [
            {
                "id": "a",
                "item_id": "a.png",
                "label": "cat",
                "image_width": 5,
                "image_height": 5,
                **ok,
            },
            {"id": "b", "item_id": "b.png", "label": "cat", **ok},
        ]
    )
    with pytest.raises(FormatError, match=r"row 1 column 'image_width': YOLO needs the image"):
        write_yolo(df, tmp_path / "out", classes=["cat"])
    assert not (tmp_path / "out").exists()
    with pytest.raises(FormatError, match=r"labels \['cat'\] are not in classes"):
        write_yolo(df.iloc[:1], tmp_path / "out", classes=["dog"])
    clash = frame(
        [
            {
                "id": "a",
                "item_id": "x/a.png",
                "label": "cat",
                "image_width": 5,
                "image_height": 5,
                **ok,
            },
            {
                "id": "b",
                "item_id": "y/a.png",
                "label": "cat",
                "image_width": 5,
                "image_height": 5,
                **ok,
            },
        ]
    )
    with pytest.raises(FormatError, match=r"share the stem 'a'"):
        write_yolo(clash, tmp_path / "out", classes=["cat"])
    assert not (tmp_path / "out").exists()


def test_outside_keep(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("0 0.98 0.5 0.1 0.1\n")
    df = read_yolo(tmp_path, classes=["cat"], images={"a.png": (100, 10)}, outside="keep")
    assert df["x"].iloc[0] == pytest.approx(93)
