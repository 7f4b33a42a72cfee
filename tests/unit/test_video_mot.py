"""MOT Challenge CSV: hand-checked files, exact round trips (hypothesis), clear errors."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nblabel import schema
from nblabel.formats.mot import read_mot, to_mot, write_mot
from nblabel.video import interpolate

# Three tracks of a MOT17 gt.txt: 1 walks (frames 1-3), leaves, comes back at 6;
# 2 is a car seen on frames 2-3; 7 is an ignore region (conf 0) half visible.
GT = """\
1,1,100,200,30,80,1,1,1
2,1,102,201,30,80,1,1,1
2,2,500,300,120,60,1,3,0.5
3,1,104,202,30,80,1,1,1
3,2,505.5,300,120,60,1,3,0.25
6,1,200,210,32,84,1,1,1
1,7,0,0,10,10,0,8,0.5
"""


def test_read_a_gt_file(tmp_path: Path) -> None:
    path = tmp_path / "MOT17-02" / "gt" / "gt.txt"
    path.parent.mkdir(parents=True)
    path.write_text(GT)
    df = read_mot(path, image_size=(1920, 1080))
    schema.validate(df)
    assert set(df["item_id"]) == {"MOT17-02"}
    assert set(df["annotator"]) == {"mot"}
    assert set(df["source"]) == {"human"}
    got = [(r.track_id, int(r.frame), bool(r.outside), r.label, r.x) for r in df.itertuples()]
    assert got == [
        ("1", 0, False, "pedestrian", 100.0),
        ("1", 1, False, "pedestrian", 102.0),
        ("1", 2, False, "pedestrian", 104.0),
        ("1", 3, True, "pedestrian", 104.0),  # leaves after frame 3 (0-based 2), from there
        ("1", 5, False, "pedestrian", 200.0),
        ("1", 6, True, "pedestrian", 200.0),
        ("2", 1, False, "car", 500.0),
        ("2", 2, False, "car", 505.5),
        ("2", 3, True, "car", 505.5),
        ("7", 0, False, "distractor", 0.0),
        ("7", 1, True, "distractor", 0.0),
    ]
    assert df.loc[6, "extra"] == {"mot_visibility": 0.5}
    assert df.loc[9, "extra"] == {"mot_consider": 0, "mot_visibility": 0.5}
    assert df.loc[0, "extra"] is None
    assert (df["image_width"] == 1920).all()
    assert df["id"].is_unique
    assert read_mot(path)["id"].tolist() == df["id"].tolist()  # stable ids: re-import upserts

    # written back: the same lines, sorted by frame then id
    text = write_mot(df)
    lines = sorted(GT.splitlines(), key=lambda s: (int(s.split(",")[0]), int(s.split(",")[1])))
    assert text.splitlines() == lines


def test_keyframes_are_exported_for_every_frame(tmp_path: Path) -> None:
    """A pedestrian labelled on 3 keyframes: the file has every frame, exactly."""
    rows: list[dict[str, Any]] = [
        {"frame": 0, "x": 10, "y": 20, "width": 30, "height": 60},
        {"frame": 4, "x": 30, "y": 20, "width": 30, "height": 64},
        {"frame": 6, "outside": True, "x": 30, "y": 20, "width": 30, "height": 64},
        {"frame": 8, "x": 100.5, "y": 22, "width": 30, "height": 64},
    ]
    df = schema.from_records(
        {
            "id": f"k{i}",
            "item_id": "cam1",
            "annotator": "ana",
            "kind": "box",
            "label": "pedestrian",
            "track_id": "5",
            **r,
        }
        for i, r in enumerate(rows)
    )
    out = tmp_path / "cam1.txt"
    text = write_mot(df, out)
    assert out.read_text() == text
    assert text.splitlines() == [
        "1,5,10,20,30,60,1,1,1",
        "2,5,15,20,30,61,1,1,1",
        "3,5,20,20,30,62,1,1,1",
        "4,5,25,20,30,63,1,1,1",
        "5,5,30,20,30,64,1,1,1",
        "6,5,30,20,30,64,1,1,1",  # held until it leaves on frame 7 (0-based 6)
        "9,5,100.5,22,30,64,1,1,1",
    ]
    # the results layout: conf is the score (1 for a person), no class, world -1
    assert write_mot(df, layout="results").splitlines()[0] == "1,5,10,20,30,60,1,-1,-1,-1"
    table = to_mot(df)
    assert list(table.columns)[:2] == ["frame", "id"]
    assert len(table) == 7


def test_results_file_gives_model_rows_with_scores() -> None:
    text = "1,1,10,10,5,5,0.9,-1,-1,-1\n2,1,11,10,5,5,0.8,-1,-1,-1\n1,2,50,50,5,5,0.4,1.5,2,0\n"
    df = read_mot(io.StringIO(text), item_id="seq")
    kept = df[~df["outside"].astype(bool)]
    assert set(kept["source"]) == {"model"}
    assert kept["score"].tolist() == [0.9, 0.8, 0.4]
    assert kept["label"].tolist() == ["pedestrian"] * 3
    assert kept["extra"].tolist()[2] == {"mot_world_x": 1.5, "mot_world_y": 2, "mot_world_z": 0}
    assert write_mot(df, layout="results").splitlines() == [
        "1,1,10,10,5,5,0.9,-1,-1,-1",
        "1,2,50,50,5,5,0.4,1.5,2,0",
        "2,1,11,10,5,5,0.8,-1,-1,-1",
    ]


def test_changes_keeps_only_where_the_motion_bends() -> None:
    lines = [f"{f},1,{10 + 2 * f},{5},10,10,1,1,1" for f in range(1, 11)]  # straight line
    lines += [f"{f},1,{30 - 3 * (f - 10)},{5},10,10,1,1,1" for f in range(11, 16)]  # turns back
    text = "\n".join(lines) + "\n"
    df = read_mot(io.StringIO(text), item_id="s", keyframes="changes")
    kept = df[~df["outside"].astype(bool)]
    assert kept["frame"].tolist() == [0, 9, 14]  # start, the turn, the end
    assert write_mot(df) == text


def test_class_mapping_and_labels_without_a_class() -> None:
    df = schema.from_records(
        [
            {
                "id": "a",
                "item_id": "v",
                "annotator": "ana",
                "kind": "box",
                "label": "truck",
                "x": 1,
                "y": 2,
                "width": 3,
                "height": 4,
                "frame": 0,
                "track_id": "t1",
            }
        ]
    )
    with pytest.raises(ValueError, match=r"label\(s\) \['truck'\] have no class id: pass classes="):
        write_mot(df)
    assert write_mot(df, classes=["car", "truck"]) == "1,1,1,2,3,4,1,2,1\n"
    back = read_mot(io.StringIO("1,1,1,2,3,4,1,2,1\n"), item_id="v", classes={"truck": 2})
    assert back["label"].tolist() == ["truck", "truck"]
    with pytest.raises(ValueError, match="line 1, field 'class': class 2 is not in classes"):
        read_mot(io.StringIO("1,1,1,2,3,4,1,2,1\n"), classes=["car"])


def test_bad_input_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("1,1,10,10,5,5,1,1,1\n2,1,ten,10,5,5,1,1,1\n")
    with pytest.raises(
        ValueError, match=r"bad.txt, line 2, field 'bb_left': 'ten' is not a number"
    ):
        read_mot(bad)
    bad.write_text("0,1,10,10,5,5,1,1,1\n")
    with pytest.raises(ValueError, match=r"line 1, field 'frame': 0 is not a whole number from 1"):
        read_mot(bad)
    bad.write_text("1,1,10,10,5,5,1,1,1\n2,1.5,10,10,5,5,1,1,1\n")
    with pytest.raises(ValueError, match=r"line 2, field 'id': 1.5 is not a whole number$"):
        read_mot(bad)
    bad.write_text("1,1,10,10,5,5,1,1,1\n1,1,11,10,5,5,1,1,1\n")
    with pytest.raises(ValueError, match="lines 1 and 2: track 1 has two boxes on frame 1"):
        read_mot(bad)
    bad.write_text("1,1,10\n")
    with pytest.raises(ValueError, match="at least 6 fields"):
        read_mot(bad)
    two = schema.from_records(
        [
            {"id": i, "item_id": i, "annotator": "a", "kind": "box", "label": "pedestrian",
             "x": 0, "y": 0, "width": 1, "height": 1, "frame": 0, "track_id": "1"}
            for i in ("v1", "v2")
        ]
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"2 items \['v1', 'v2'\]; a file holds one: choose"):
        write_mot(two)
    assert write_mot(two, item_id="v2") == "1,1,0,0,1,1,1,1,1\n"
    no_frame = two.assign(frame=pd.array([None, 1], dtype="Int64"))
    with pytest.raises(schema.SchemaError, match=r"row 0, column 'frame'.*has no frame"):
        write_mot(no_frame, item_id="v2")
    target = tmp_path / "out.txt"
    with pytest.raises(ValueError, match="have no class id"):
        write_mot(two.assign(label="zebra"), target, item_id="v1")
    assert not target.exists()
    assert list(tmp_path.glob(".out.txt*")) == []


# ---------------------------------------------------------------------- round trips


@st.composite
def mot_lines(draw: st.DrawFn) -> str:
    coords = st.one_of(
        st.integers(-50, 2000).map(float),
        st.floats(-50, 2000, allow_nan=False).map(lambda v: round(v, 3)),
        st.floats(0.01, 2000, allow_nan=False),
    )
    lines = []
    for track in draw(st.lists(st.integers(1, 40), min_size=1, max_size=4, unique=True)):
        frames = draw(st.lists(st.integers(1, 60), min_size=1, max_size=15, unique=True))
        cls = draw(st.sampled_from([1, 3, 7]))
        for f in frames:
            x, y = draw(coords), draw(coords)
            w, h = abs(draw(coords)), abs(draw(coords))
            vis = draw(st.sampled_from([1.0, 0.5, 0.0]))
            lines.append((f, track, x, y, w, h, 1, cls, vis))
    lines.sort(key=lambda r: (r[0], r[1]))
    return "".join(
        ",".join(repr(v) if isinstance(v, float) else str(v) for v in r) + "\n" for r in lines
    )


def normal(text: str) -> list[list[float]]:
    return [[float(v) for v in line.split(",")] for line in text.splitlines()]


@settings(max_examples=30, deadline=None)
@given(text=mot_lines(), keyframes=st.sampled_from(["all", "changes"]))
def test_read_then_write_gives_the_same_lines(text: str, keyframes: str) -> None:
    df = read_mot(io.StringIO(text), item_id="s", keyframes=keyframes)  # type: ignore[arg-type]
    schema.validate(df)
    again = write_mot(df)
    if keyframes == "all":
        assert normal(again) == normal(text)
    else:
        a, b = np.asarray(normal(again)), np.asarray(normal(text))
        assert a.shape == b.shape
        np.testing.assert_array_equal(a[:, [0, 1, 6, 7]], b[:, [0, 1, 6, 7]])
        np.testing.assert_allclose(a[:, 2:6], b[:, 2:6], atol=1e-5, rtol=1e-9)


@st.composite
def keyframe_tables(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for track in draw(
        st.lists(st.sampled_from(["1", "2", "17"]), min_size=1, max_size=3, unique=True)
    ):
        for f in draw(st.lists(st.integers(0, 30), min_size=1, max_size=5, unique=True)):
            outside = draw(st.integers(0, 3)) == 0
            box = {
                "x": draw(st.floats(0, 500, allow_nan=False)),
                "y": draw(st.floats(0, 500, allow_nan=False)),
                "width": draw(st.floats(1, 100, allow_nan=False)),
                "height": draw(st.floats(1, 100, allow_nan=False)),
            }
            if outside and draw(st.booleans()):
                box = {}  # interpolate() also takes an outside keyframe without a box
            rows.append(
                {
                    "id": f"{track}-{f}",
                    "item_id": "v",
                    "annotator": "ana",
                    "kind": "box",
                    "label": draw(st.sampled_from(["pedestrian", "car"])),
                    "frame": f,
                    "track_id": track,
                    "outside": outside,
                    **({} if outside else box),
                }
            )
    return schema.from_records(rows)


def per_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = interpolate(df)
    return (
        out[["track_id", "frame", "label", "x", "y", "width", "height"]]
        .astype({"frame": "int64"})
        .sort_values(["track_id", "frame"])
        .reset_index(drop=True)
    )


@settings(max_examples=30, deadline=None)
@given(df=keyframe_tables(), keyframes=st.sampled_from(["all", "changes"]))
def test_keyframes_written_and_read_back_interpolate_the_same(
    df: pd.DataFrame, keyframes: str
) -> None:
    text = write_mot(df)
    back = read_mot(io.StringIO(text), item_id="v", keyframes=keyframes)  # type: ignore[arg-type]
    want, got = per_frame(df), per_frame(back)
    pd.testing.assert_frame_equal(
        got[["track_id", "frame", "label"]], want[["track_id", "frame", "label"]]
    )
    np.testing.assert_allclose(
        got[["x", "y", "width", "height"]].to_numpy(),
        want[["x", "y", "width", "height"]].to_numpy(),
        atol=1e-6,
    )
