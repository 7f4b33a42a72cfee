"""Pascal VOC: the 1-based convention on a fixture from the devkit's layout, round trips."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from fmt_helpers import SETTINGS, assert_same, frame, image_rows
from hypothesis import given

from nblabel import schema
from nblabel.formats import FormatError, read_voc, write_voc

# The layout of VOC2012/Annotations/2007_000027.xml.
FIXTURE = """<annotation>
  <folder>VOC2012</folder>
  <filename>2007_000027.jpg</filename>
  <source><database>The VOC2007 Database</database></source>
  <size><width>486</width><height>500</height><depth>3</depth></size>
  <segmented>0</segmented>
  <object>
    <name>person</name>
    <pose>Unspecified</pose>
    <truncated>0</truncated>
    <difficult>0</difficult>
    <bndbox><xmin>174</xmin><ymin>101</ymin><xmax>349</xmax><ymax>351</ymax></bndbox>
  </object>
  <object>
    <name>dog</name>
    <difficult>1</difficult>
    <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>486</xmax><ymax>500</ymax></bndbox>
  </object>
</annotation>
"""


def test_fixture_one_based(tmp_path: Path) -> None:
    (tmp_path / "2007_000027.xml").write_text(FIXTURE)
    df = read_voc(tmp_path)
    schema.validate(df)
    person, dog = df.iloc[0], df.iloc[1]
    # xmin 174 is the 174th pixel column: its left edge is at 173; xmax 349 is inclusive
    assert (person["x"], person["y"], person["width"], person["height"]) == (173, 100, 176, 251)
    assert person["item_id"] == "2007_000027.jpg"
    assert person["label"] == "person"
    assert (person["image_width"], person["image_height"]) == (486, 500)
    assert person["extra"] == {
        "voc": {"pose": "Unspecified", "truncated": 0, "difficult": 0, "folder": "VOC2012"}
    }
    # a box over the whole image is 0, 0, width, height
    assert (dog["x"], dog["y"], dog["width"], dog["height"]) == (0, 0, 486, 500)
    assert dog["extra"]["voc"]["difficult"] == 1
    zero = read_voc(tmp_path / "2007_000027.xml", one_based=False)
    assert zero.iloc[0]["x"] == 174
    assert zero.iloc[0]["width"] == 175


def test_write_then_read_gives_the_fixture_values(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "2007_000027.xml").write_text(FIXTURE)
    df = read_voc(tmp_path / "in")
    (path,) = write_voc(df, tmp_path / "out")
    text = path.read_text()
    assert "<xmin>174</xmin>" in text
    assert "<xmax>349</xmax>" in text
    assert "<difficult>1</difficult>" in text
    back = read_voc(path)
    pd.testing.assert_frame_equal(back, df)


@SETTINGS
@given(image_rows(kinds=("box",)))
def test_round_trip_property(df: pd.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_voc(df, tmp)
        back = read_voc(paths, annotator="ana")
    assert_same(
        back,
        df,
        ("item_id", "label", "x", "y", "width", "height", "image_width", "image_height"),
        atol=1e-9,
    )


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (("<xmax>349</xmax>", "<xmax>abc</xmax>"), r"object\[0\]/bndbox/xmax: 'abc' is not"),
        (("<xmax>349</xmax>", ""), r"object\[0\]/bndbox/xmax: missing"),
        (("<name>person</name>", ""), r"object\[0\] name: missing"),
        (("<xmax>349</xmax>", "<xmax>100</xmax>"), r"object\[0\]/bndbox: xmax/ymax"),
        (("<xmax>486</xmax>", "<xmax>487</xmax>"), r"object\[1\]/bndbox: box leaves the 486x500"),
        (("</annotation>", ""), r"a.xml:line \d+: not valid XML"),
    ],
)
def test_bad_files_name_file_and_element(
    tmp_path: Path, change: tuple[str, str], match: str
) -> None:
    (tmp_path / "a.xml").write_text(FIXTURE.replace(*change))
    with pytest.raises(FormatError, match=match):
        read_voc(tmp_path / "a.xml")


def test_writer_takes_boxes_only(tmp_path: Path) -> None:
    df = frame(
        [
            {
                "id": "p",
                "item_id": "a.jpg",
                "kind": "polygon",
                "label": "x",
                "points": [[0, 0], [1, 0], [1, 1]],
            }
        ]
    )
    with pytest.raises(FormatError, match="Pascal VOC carries only"):
        write_voc(df, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_image_root_both_ways(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.xml").write_text(FIXTURE)
    df = read_voc(tmp_path / "in", image_root="/data/voc/JPEGImages")
    assert df["item_id"].iloc[0] == "/data/voc/JPEGImages/2007_000027.jpg"
    (path,) = write_voc(df, tmp_path / "out", image_root="/data/voc/JPEGImages")
    assert "<filename>2007_000027.jpg</filename>" in path.read_text()
