"""nblabel.video.interpolate: keyframes to one row per frame, by the documented rule."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nblabel import schema
from nblabel.video import interpolate


def key(
    frame: int,
    x: float | None = None,
    y: float | None = None,
    w: float | None = None,
    h: float | None = None,
    *,
    track: str = "1",
    outside: bool = False,
    item: str = "v",
    annotator: str = "ana",
    label: str = "person",
    id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": id or f"{item}-{annotator}-{track}-{frame}",
        "item_id": item,
        "annotator": annotator,
        "kind": "box",
        "label": label,
        "source": "human",
        "x": x,
        "y": y,
        "width": w,
        "height": h,
        "frame": frame,
        "track_id": track,
        "outside": outside,
    }


def boxes(df: pd.DataFrame) -> list[tuple[Any, ...]]:
    sub = df[df["kind"] == "box"]
    return [
        (r.track_id, int(r.frame), r.x, r.y, r.width, r.height, bool(r.keyframe))
        for r in sub.itertuples()
    ]


def test_linear_between_two_keyframes() -> None:
    df = schema.from_records([key(0, 0, 0, 10, 10), key(4, 40, 8, 14, 10)])
    out = interpolate(df)
    assert boxes(out) == [
        ("1", 0, 0.0, 0.0, 10.0, 10.0, True),
        ("1", 1, 10.0, 2.0, 11.0, 10.0, False),
        ("1", 2, 20.0, 4.0, 12.0, 10.0, False),
        ("1", 3, 30.0, 6.0, 13.0, 10.0, False),
        ("1", 4, 40.0, 8.0, 14.0, 10.0, True),
    ]
    assert out["id"].tolist() == [
        "v-ana-1-0",
        "v-ana-1-0@1",
        "v-ana-1-0@2",
        "v-ana-1-0@3",
        "v-ana-1-4",
    ]
    assert str(out["frame"].dtype) == "Int64"
    assert out["id"].is_unique


def test_outside_ends_the_track_until_its_next_keyframe() -> None:
    df = schema.from_records(
        [
            key(0, 0, 0, 10, 10),
            key(2, 20, 0, 10, 10),
            key(3, outside=True),  # leaves the view: no box at 3, 4, 5
            key(6, 100, 50, 10, 10),  # re-enters
            key(8, 120, 50, 10, 10),
        ]
    )
    out = interpolate(df)
    assert [(f, x) for _, f, x, *_ in boxes(out)] == [
        (0, 0.0),
        (1, 10.0),
        (2, 20.0),  # held up to the outside keyframe, which has no box
        (6, 100.0),
        (7, 110.0),
        (8, 120.0),
    ]


def test_outside_keyframe_with_a_box_is_moved_towards_as_cvat_does() -> None:
    df = schema.from_records([key(0, 0, 0, 10, 10), key(4, 40, 0, 10, 10, outside=True)])
    out = interpolate(df)
    assert [(f, x) for _, f, x, *_ in boxes(out)] == [(0, 0.0), (1, 10.0), (2, 20.0), (3, 30.0)]


def test_last_keyframe_ends_the_track_unless_n_frames_is_given() -> None:
    df = schema.from_records([key(2, 5, 5, 10, 10), key(4, 9, 5, 10, 10)])
    assert [f for _, f, *_ in boxes(interpolate(df))] == [2, 3, 4]
    assert [f for _, f, *_ in boxes(interpolate(df, n_frames=7))] == [2, 3, 4, 5, 6]
    held = interpolate(df, n_frames={"v": 6})
    assert [(f, x) for _, f, x, *_ in boxes(held)] == [(2, 5.0), (3, 7.0), (4, 9.0), (5, 9.0)]
    ended = schema.from_records([key(2, 5, 5, 10, 10), key(4, outside=True)])
    assert [f for _, f, *_ in boxes(interpolate(ended, n_frames=9))] == [2, 3]
    with pytest.raises(ValueError, match=r"no frame count for item\(s\) \['v'\]"):
        interpolate(df, n_frames={"w": 3})


def test_tracks_are_kept_apart_by_item_annotator_and_track_id() -> None:
    df = schema.from_records(
        [
            key(0, 0, 0, 1, 1, track="a", label="car"),
            key(2, 2, 0, 1, 1, track="a", label="car"),
            key(1, 0, 0, 1, 1, track="a", annotator="bo"),
            key(2, 5, 0, 1, 1, track="a", annotator="bo"),
            key(0, 50, 0, 1, 1, track="b"),
            key(1, 60, 0, 1, 1, track="b"),
        ]
    )
    out = interpolate(df)
    got = {(r.annotator, r.track_id, int(r.frame)): (r.x, r.label) for r in out.itertuples()}
    assert got == {
        ("ana", "a", 0): (0.0, "car"),
        ("ana", "a", 1): (1.0, "car"),
        ("ana", "a", 2): (2.0, "car"),
        ("ana", "b", 0): (50.0, "person"),
        ("ana", "b", 1): (60.0, "person"),
        ("bo", "a", 1): (0.0, "person"),
        ("bo", "a", 2): (5.0, "person"),
    }


def test_other_rows_are_returned_unchanged() -> None:
    rows = [
        key(0, 0, 0, 4, 4),
        key(2, 2, 0, 4, 4),
        {"id": "c", "item_id": "v", "annotator": "ana", "kind": "label", "label": "rain"},
        {
            "id": "b",
            "item_id": "img",
            "annotator": "ana",
            "kind": "box",
            "label": "x",
            "x": 1,
            "y": 2,
            "width": 3,
            "height": 4,
        },
    ]
    out = interpolate(schema.from_records(rows))
    assert out["id"].tolist()[:2] == ["c", "b"]
    assert out["keyframe"].isna().tolist()[:2] == [True, True]
    assert len(out) == 5
    assert list(out.columns) == [*schema.COLUMN_NAMES, "keyframe"]
    empty = interpolate(schema.empty())
    assert empty.empty
    assert "keyframe" in empty.columns


def test_points_are_tracked_too() -> None:
    df = schema.from_records(
        [
            {**key(0, 0, 0), "kind": "point"},
            {**key(2, 4, 8), "kind": "point"},
        ]
    )
    out = interpolate(df)
    assert out[["x", "y"]].to_numpy().tolist() == [[0, 0], [2, 4], [4, 8]]


def test_bad_keyframes_are_named() -> None:
    with pytest.raises(
        schema.SchemaError, match="row 1, column 'frame': two keyframes of track '1' are on frame 3"
    ):
        interpolate(schema.from_records([key(3, 0, 0, 1, 1), key(3, 1, 1, 1, 1, id="z")]))
    with pytest.raises(schema.SchemaError, match="row 0, column 'frame': a frame must not be"):
        interpolate(schema.from_records([key(-1, 0, 0, 1, 1)]))
    with pytest.raises(schema.SchemaError, match="row 1, column 'width': a keyframe needs 'width'"):
        interpolate(schema.from_records([key(0, 0, 0, 1, 1), key(2, 0, 0, None, 1)]))


# ------------------------------------------------------------ against a plain loop


def reference(
    df: pd.DataFrame, n_frames: int | None
) -> dict[tuple[str, str, int], tuple[float, ...]]:
    """The rule, written as the obvious per-frame loop."""
    out: dict[tuple[str, str, int], tuple[float, ...]] = {}
    for (annotator, track), group in df.groupby(["annotator", "track_id"]):
        ks = list(group.sort_values("frame").itertuples())
        for i, a in enumerate(ks):
            if a.outside:
                continue
            b = ks[i + 1] if i + 1 < len(ks) else None
            stop = int(b.frame) if b is not None else (n_frames or int(a.frame) + 1)
            stop = max(stop, int(a.frame) + 1)
            for f in range(int(a.frame), stop):
                if b is None or np.isnan(b.x):
                    v = (a.x, a.y, a.width, a.height)
                else:
                    t = (f - a.frame) / (b.frame - a.frame)
                    v = tuple(
                        p + t * (q - p)
                        for p, q in zip(
                            (a.x, a.y, a.width, a.height),
                            (b.x, b.y, b.width, b.height),
                            strict=True,
                        )
                    )
                out[(annotator, track, f)] = v
    return out


@st.composite
def tracks(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for annotator in draw(
        st.lists(st.sampled_from(["ana", "bo"]), min_size=1, max_size=2, unique=True)
    ):
        for track in draw(st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True)):
            frames = draw(st.lists(st.integers(0, 40), min_size=1, max_size=6, unique=True))
            for f in frames:
                outside = draw(st.booleans()) and draw(st.booleans())
                coords = [draw(st.floats(-50, 500, allow_nan=False)) for _ in range(2)] + [
                    draw(st.floats(0, 100, allow_nan=False)) for _ in range(2)
                ]
                if outside and draw(st.booleans()):
                    coords = [None] * 4
                rows.append(key(f, *coords, track=track, annotator=annotator, outside=outside))
    order = draw(st.permutations(range(len(rows))))
    return schema.from_records([rows[i] for i in order])


@settings(max_examples=80, deadline=None)
@given(df=tracks(), n_frames=st.one_of(st.none(), st.integers(0, 60)))
def test_matches_the_per_frame_loop(df: pd.DataFrame, n_frames: int | None) -> None:
    out = interpolate(df, n_frames=n_frames)
    got = {
        (r.annotator, r.track_id, int(r.frame)): (r.x, r.y, r.width, r.height)
        for r in out.itertuples()
    }
    want = reference(df, n_frames)
    assert got.keys() == want.keys()
    for k, v in want.items():
        np.testing.assert_allclose(got[k], v, rtol=1e-12, atol=1e-9)
    assert out["id"].is_unique
    kf = out[out["keyframe"].astype(bool)]
    assert set(kf["id"]) <= set(df["id"])
