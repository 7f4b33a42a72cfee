"""Frame ranges of a video (kind ``segment`` with frames): made, listed and exported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nblabel import schema
from nblabel.formats.cvat import read_cvat_video, to_cvat_video
from nblabel.formats.mot import to_mot
from nblabel.formats.subtitles import read_vtt, write_vtt
from nblabel.video import frame_range, frame_ranges, interpolate

TIMES_25 = np.arange(40) / 25
TIMES_VFR = np.array([0, 0.04, 0.08, 0.3, 0.34, 1.0])


def test_a_frame_range_takes_its_seconds_from_the_frame_times() -> None:
    assert frame_range(TIMES_25, 1.6, 10, 19) == {
        "frame": 10,
        "start": pytest.approx(0.4),
        "end": pytest.approx(0.8),
        "extra": {"last_frame": 19},
    }
    last = frame_range(TIMES_25, 1.6, 39, 39)
    assert (last["start"], last["end"]) == (pytest.approx(1.56), pytest.approx(1.6))
    vfr = frame_range(TIMES_VFR, 1.04, 2, 3)
    assert (vfr["start"], vfr["end"]) == (0.08, 0.34)
    assert frame_range(TIMES_VFR, 1.04, np.int64(5), 5)["end"] == 1.04


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (3, 2, "the last frame 2 is before the first frame 3"),
        (0, 40, r"the last frame 40 is not a frame of the video \(0 to 39\)"),
        (-1, 2, "the first frame -1 is not a frame"),
        (1.5, 2, "the first frame must be a whole number"),
        (True, 2, "the first frame must be a whole number"),
    ],
)
def test_bad_frame_ranges_are_named(first, last, message) -> None:
    with pytest.raises(ValueError, match=message):
        frame_range(TIMES_25, 1.6, first, last)


def rows() -> pd.DataFrame:
    common = {"item_id": "walk", "annotator": "ana", "source": "human"}
    return schema.from_records(
        [
            {**common, "id": "r1", "kind": "segment", "label": "crossing",
             **frame_range(TIMES_25, 1.6, 10, 19)},
            {**common, "id": "r2", "kind": "segment", "label": "waiting", "frame": 30,
             "start": 1.2, "end": 1.24},  # no last frame: a range of one frame
            {**common, "id": "audio", "kind": "segment", "label": "speech", "start": 0, "end": 1},
            {**common, "id": "k0", "kind": "box", "label": "p", "frame": 0, "track_id": "1",
             "x": 1, "y": 2, "width": 3, "height": 4, "image_width": 160, "image_height": 120},
            {**common, "id": "k1", "kind": "box", "label": "p", "frame": 10, "track_id": "1",
             "x": 11, "y": 2, "width": 3, "height": 4, "image_width": 160, "image_height": 120},
        ]
    )  # fmt: skip


def test_frame_ranges_lists_first_and_last_frames() -> None:
    table = schema.validate(rows())
    got = frame_ranges(table)
    assert got["id"].tolist() == ["r1", "r2"]
    assert got["first_frame"].tolist() == [10, 30]
    assert got["last_frame"].tolist() == [19, 30]
    assert str(got["last_frame"].dtype) == "Int64"
    assert frame_ranges(schema.empty()).empty


def test_tracks_and_mot_pass_over_frame_ranges() -> None:
    table = rows()
    expanded = interpolate(table, n_frames=40)
    assert sorted(expanded.loc[expanded["kind"] == "segment", "id"]) == ["audio", "r1", "r2"]
    assert len(expanded[expanded["kind"] == "box"]) == 40
    assert len(to_mot(table, n_frames=40, classes=["p"])) == 40


def test_cvat_for_video_leaves_frame_ranges_out() -> None:
    """CVAT for video 1.1 has no tags: a frame range is not written, the tracks are."""
    text = to_cvat_video(rows(), n_frames=40)
    assert "crossing" not in text
    assert "waiting" not in text
    back = read_cvat_video(text, item_id="walk", annotator="ana")
    assert set(back["kind"]) == {"box"}
    assert sorted(back["frame"].tolist()) == [0, 10, 39]  # the last box is kept, as CVAT holds it


def test_frame_ranges_round_trip_as_time_segments_in_webvtt(tmp_path: Path) -> None:
    table = rows()
    ranges = frame_ranges(table)
    path = write_vtt(ranges.drop(columns=["first_frame", "last_frame"]), tmp_path / "r.vtt")
    back = read_vtt(path, item_id="walk").sort_values("start")
    assert back["label"].tolist() == ["crossing", "waiting"]
    np.testing.assert_allclose(back["start"], [0.4, 1.2], atol=1e-3)
    np.testing.assert_allclose(back["end"], [0.8, 1.24], atol=1e-3)
    # the frames come back from the video's frame times
    first = np.searchsorted(TIMES_25, back["start"].to_numpy() + 1e-4, side="right") - 1
    last = np.searchsorted(TIMES_25, back["end"].to_numpy() - 1e-4, side="right") - 1
    assert first.tolist() == [10, 30]
    assert last.tolist() == [19, 30]
