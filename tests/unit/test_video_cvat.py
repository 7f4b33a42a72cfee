# ruff: noqa: E501  (the fixture keeps CVAT's own one-line <box> elements)
"""CVAT for video 1.1 XML: a CVAT-shaped export read by hand, round trips, clear errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nblabel import schema
from nblabel.formats.cvat import read_cvat_video, to_cvat_video, write_cvat_video
from nblabel.video import interpolate

# Shaped like CVAT's own "CVAT for video 1.1" export of a 10-frame task: track 0 is
# drawn on frames 0 and 4 (interpolated between), leaves on frame 6, re-enters on 8 and
# lasts to the task's end; track 3 is a single box with attributes on frame 2.
EXPORT = """<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <task>
      <id>12</id><name>crossing</name><size>10</size><mode>interpolation</mode>
      <overlap>5</overlap><start_frame>0</start_frame><stop_frame>9</stop_frame>
      <labels>
        <label><name>pedestrian</name><color>#ff0000</color><type>rectangle</type><attributes/></label>
        <label><name>car</name><color>#00ff00</color><type>rectangle</type><attributes/></label>
        <label><name>rain</name><type>tag</type><attributes/></label>
      </labels>
      <original_size><width>1920</width><height>1080</height></original_size>
    </task>
    <dumped>2026-11-30 17:00:00.000000+00:00</dumped>
    <source>crossing.mp4</source>
  </meta>
  <track id="0" label="pedestrian" source="manual">
    <box frame="0" keyframe="1" outside="0" occluded="0" xtl="10.00" ytl="20.00" xbr="40.00" ybr="100.00" z_order="0"></box>
    <box frame="1" keyframe="0" outside="0" occluded="0" xtl="15.00" ytl="20.00" xbr="45.00" ybr="100.00" z_order="0"></box>
    <box frame="2" keyframe="0" outside="0" occluded="0" xtl="20.00" ytl="20.00" xbr="50.00" ybr="100.00" z_order="0"></box>
    <box frame="3" keyframe="0" outside="0" occluded="0" xtl="25.00" ytl="20.00" xbr="55.00" ybr="100.00" z_order="0"></box>
    <box frame="4" keyframe="1" outside="0" occluded="1" xtl="30.00" ytl="20.00" xbr="60.00" ybr="100.00" z_order="0"></box>
    <box frame="5" keyframe="0" outside="0" occluded="1" xtl="30.00" ytl="20.00" xbr="60.00" ybr="100.00" z_order="0"></box>
    <box frame="6" keyframe="1" outside="1" occluded="1" xtl="30.00" ytl="20.00" xbr="60.00" ybr="100.00" z_order="0"></box>
    <box frame="8" keyframe="1" outside="0" occluded="0" xtl="300.50" ytl="20.00" xbr="330.50" ybr="100.00" z_order="0"></box>
    <box frame="9" keyframe="0" outside="0" occluded="0" xtl="300.50" ytl="20.00" xbr="330.50" ybr="100.00" z_order="0"></box>
  </track>
  <track id="3" label="car" source="auto" group_id="2">
    <box frame="2" keyframe="1" outside="0" occluded="0" xtl="500" ytl="600" xbr="700" ybr="650" z_order="1">
      <attribute name="color">red</attribute>
    </box>
    <box frame="3" keyframe="1" outside="1" occluded="0" xtl="500" ytl="600" xbr="700" ybr="650" z_order="1">
      <attribute name="color">red</attribute>
    </box>
  </track>
  <tag frame="5" label="rain" source="manual"></tag>
</annotations>
"""


def test_read_a_cvat_export(tmp_path: Path) -> None:
    path = tmp_path / "annotations.xml"
    path.write_text(EXPORT)
    df = read_cvat_video(path)
    schema.validate(df)
    assert set(df["item_id"]) == {"crossing.mp4"}
    assert set(df["annotator"]) == {"cvat"}
    boxes = df[df["kind"] == "box"]
    got = [
        (r.track_id, int(r.frame), bool(r.outside), r.label, r.x, r.y, r.width, r.height)
        for r in boxes.itertuples()
    ]
    assert got == [
        ("0", 0, False, "pedestrian", 10.0, 20.0, 30.0, 80.0),
        ("0", 4, False, "pedestrian", 30.0, 20.0, 30.0, 80.0),
        ("0", 6, True, "pedestrian", 30.0, 20.0, 30.0, 80.0),
        ("0", 8, False, "pedestrian", 300.5, 20.0, 30.0, 80.0),
        ("0", 9, False, "pedestrian", 300.5, 20.0, 30.0, 80.0),  # last box: lasts to the end
        ("3", 2, False, "car", 500.0, 600.0, 200.0, 50.0),
        ("3", 3, True, "car", 500.0, 600.0, 200.0, 50.0),
    ]
    assert boxes["extra"].iloc[1] == {"cvat_occluded": True}
    assert boxes["extra"].iloc[5] == {
        "cvat_source": "auto",
        "cvat_group_id": 2,
        "cvat_z_order": 1,
        "cvat_attributes": {"color": "red"},
    }
    assert (boxes["image_width"] == 1920).all()
    assert (boxes["image_height"] == 1080).all()
    tags = df[df["kind"] == "label"]
    assert tags[["label", "frame"]].to_numpy().tolist() == [["rain", 5]]
    assert tags["image_width"].isna().all()
    # every box CVAT shows is given back by interpolation
    shown = interpolate(df)
    shown = shown[(shown["kind"] == "box") & (shown["track_id"] == "0")]
    assert shown["frame"].tolist() == [0, 1, 2, 3, 4, 5, 8, 9]
    assert shown["x"].tolist() == [10, 15, 20, 25, 30, 30, 300.5, 300.5]


def test_written_file_is_what_cvat_writes(tmp_path: Path) -> None:
    df = read_cvat_video(EXPORT)
    out = tmp_path / "out.xml"
    text = write_cvat_video(df, out, n_frames=10, labels=["pedestrian", "car", "rain"])
    assert out.read_text() == text
    root = ET.fromstring(text)
    assert root.findtext("version") == "1.1"
    assert root.findtext("meta/task/size") == "10"
    assert root.findtext("meta/task/stop_frame") == "9"
    assert root.findtext("meta/task/original_size/width") == "1920"
    assert [e.findtext("name") for e in root.iter("label")] == ["pedestrian", "car", "rain"]
    tracks = root.findall("track")
    assert [t.attrib for t in tracks] == [
        {"id": "0", "label": "pedestrian", "source": "manual"},
        {"id": "3", "label": "car", "source": "auto", "group_id": "2"},
    ]
    first = [
        (b.get("frame"), b.get("keyframe"), b.get("outside"), b.get("occluded"), b.get("xtl"))
        for b in tracks[0].findall("box")
    ]
    assert first == [
        ("0", "1", "0", "0", "10"),
        ("1", "0", "0", "0", "15"),
        ("2", "0", "0", "0", "20"),
        ("3", "0", "0", "0", "25"),
        ("4", "1", "0", "1", "30"),
        ("5", "0", "0", "1", "30"),
        ("6", "1", "1", "1", "30"),
        ("8", "1", "0", "0", "300.5"),
        ("9", "1", "0", "0", "300.5"),
    ]
    car = tracks[1].findall("box")
    assert car[0].get("z_order") == "1"
    assert car[0].find("attribute").attrib == {"name": "color"}  # type: ignore[union-attr]
    assert [t.attrib for t in root.findall("tag")] == [
        {"frame": "5", "label": "rain", "source": "manual"}
    ]
    # and read again: the same table
    again = read_cvat_video(out)
    pd.testing.assert_frame_equal(again, df)


def test_tracks_without_n_frames_end_with_an_outside_box() -> None:
    df = schema.from_records(
        [
            {"id": "a", "item_id": "v.mp4", "annotator": "ana", "kind": "box", "label": "car",
             "x": 0, "y": 0, "width": 10, "height": 10, "frame": 3, "track_id": "car-1"},
            {"id": "b", "item_id": "v.mp4", "annotator": "ana", "kind": "box", "label": "car",
             "x": 5, "y": 0, "width": 10, "height": 10, "frame": 5},
        ]
    )  # fmt: skip
    root = ET.fromstring(to_cvat_video(df))
    tracks = root.findall("track")
    assert [t.get("id") for t in tracks] == ["0", "1"]  # not whole numbers: numbered from 0
    assert [(b.get("frame"), b.get("outside")) for b in tracks[0]] == [("3", "0"), ("4", "1")]
    assert [(b.get("frame"), b.get("outside")) for b in tracks[1]] == [("5", "0"), ("6", "1")]
    assert root.findtext("meta/task/size") == "7"
    assert root.find("meta/task/original_size") is None
    back = read_cvat_video(to_cvat_video(df))
    assert back["item_id"].unique().tolist() == ["v.mp4"]
    assert interpolate(back)["frame"].tolist() == [3, 5]


def test_bad_input_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not well-formed XML"):
        read_cvat_video("<annotations><track>")
    with pytest.raises(ValueError, match="root element is <foo>"):
        read_cvat_video("<foo/>")
    with pytest.raises(ValueError, match="CVAT for images"):
        read_cvat_video("<annotations><image id='0' name='a.jpg'/></annotations>")
    bad_box = EXPORT.replace('xtl="15.00"', 'xtl="fifteen"').replace('keyframe="0"', 'keyframe="1"')
    with pytest.raises(ValueError, match=r"track '0', frame 1: attribute 'xtl' is 'fifteen'"):
        read_cvat_video(bad_box)
    polygon = "<annotations><track id='1' label='a'><polygon frame='0' points='0,0;1,1;1,0'/></track></annotations>"
    with pytest.raises(ValueError, match=r"track '1': <polygon> tracks are not read"):
        read_cvat_video(polygon)
    with pytest.raises(ValueError, match="cannot read the file"):
        read_cvat_video(tmp_path / "missing.xml")
    rows: list[dict[str, Any]] = [
        {"id": "a", "item_id": "v", "annotator": "ana", "kind": "box", "label": "car",
         "x": 0, "y": 0, "width": 1, "height": 1, "frame": 0, "track_id": "1"},
        {"id": "b", "item_id": "v", "annotator": "ana", "kind": "box", "label": "bus",
         "x": 0, "y": 0, "width": 1, "height": 1, "frame": 2, "track_id": "1"},
    ]  # fmt: skip
    with pytest.raises(schema.SchemaError, match=r"row 1, column 'label': track '1' changes label"):
        to_cvat_video(schema.from_records(rows))
    poly = {"id": "p", "item_id": "v", "annotator": "ana", "kind": "polygon", "label": "car",
            "points": [[0, 0], [1, 0], [1, 1]], "frame": 0}  # fmt: skip
    with pytest.raises(schema.SchemaError, match="a 'polygon' on a frame cannot be written"):
        to_cvat_video(schema.from_records([rows[0], poly]))
    with pytest.raises(ValueError, match=r"label\(s\) \['car'\] are used but not in labels"):
        to_cvat_video(schema.from_records(rows[:1]), labels=["bus"])


# ---------------------------------------------------------------------- round trips


@st.composite
def keyframe_tables(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    tracks = draw(
        st.lists(st.sampled_from(["0", "1", "5", "12"]), min_size=1, max_size=3, unique=True)
    )
    for track in tracks:
        label = draw(st.sampled_from(["pedestrian", "car"]))
        frames = sorted(draw(st.lists(st.integers(0, 30), min_size=1, max_size=5, unique=True)))
        for f in frames:
            outside = f != frames[0] and draw(st.integers(0, 3)) == 0
            extra: dict[str, Any] = {}
            if draw(st.booleans()):
                extra["cvat_occluded"] = True
            if draw(st.booleans()):
                extra["cvat_attributes"] = {"speed": str(draw(st.integers(0, 9)))}
            rows.append(
                {
                    "id": f"{track}-{f}",
                    "item_id": "v.mp4",
                    "annotator": "ana",
                    "kind": "box",
                    "label": label,
                    "frame": f,
                    "track_id": track,
                    "outside": outside,
                    "x": draw(st.floats(0, 500, allow_nan=False)),
                    "y": draw(st.floats(0, 500, allow_nan=False)),
                    "width": draw(st.floats(1, 100, allow_nan=False)),
                    "height": draw(st.floats(1, 100, allow_nan=False)),
                    "extra": extra or None,
                }
            )
    for f in draw(st.lists(st.integers(0, 30), max_size=2, unique=True)):
        rows.append(
            {"id": f"t{f}", "item_id": "v.mp4", "annotator": "ana", "kind": "label",
             "label": "rain", "frame": f}
        )  # fmt: skip
    return schema.from_records(rows)


def shown(df: pd.DataFrame, n_frames: int | None) -> pd.DataFrame:
    out = interpolate(df, n_frames=n_frames)
    out = out[out["kind"] == "box"]
    return (
        out[["track_id", "frame", "label", "x", "y", "width", "height"]]
        .astype({"frame": "int64"})
        .sort_values(["track_id", "frame"])
        .reset_index(drop=True)
    )


@settings(max_examples=30, deadline=None)
@given(df=keyframe_tables(), n_frames=st.one_of(st.none(), st.integers(31, 40)))
def test_write_then_read_keeps_every_shown_box(df: pd.DataFrame, n_frames: int | None) -> None:
    back = read_cvat_video(to_cvat_video(df, n_frames=n_frames))
    schema.validate(back)
    want, got = shown(df, n_frames), shown(back, n_frames)
    pd.testing.assert_frame_equal(
        got[["track_id", "frame", "label"]], want[["track_id", "frame", "label"]]
    )
    np.testing.assert_allclose(
        got[["x", "y", "width", "height"]].to_numpy(),
        want[["x", "y", "width", "height"]].to_numpy(),
        rtol=1e-9,
        atol=1e-9,
    )
    # keyframes come back with their flags and attributes
    keys = df[(df["kind"] == "box")].sort_values(["track_id", "frame"])
    back_keys = back[back["kind"] == "box"].set_index(["track_id", "frame"])
    for r in keys.itertuples():
        b = back_keys.loc[(r.track_id, r.frame)]
        assert bool(b["outside"]) == bool(r.outside)
        want_extra = dict(r.extra or {})
        assert (b["extra"] or {}) == want_extra
    tags = back[back["kind"] == "label"]
    assert sorted(tags["frame"].tolist()) == sorted(df[df["kind"] == "label"]["frame"].tolist())
    # a second trip gives the same XML
    assert to_cvat_video(back, n_frames=n_frames) == to_cvat_video(
        read_cvat_video(to_cvat_video(back, n_frames=n_frames)), n_frames=n_frames
    )
