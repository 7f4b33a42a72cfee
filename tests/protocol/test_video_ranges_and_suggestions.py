"""VideoAnnotator's frame ranges (frame_labels=) and a model's suggested tracks, by protocol."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import nblabel as nl
from nblabel import schema
from nblabel.formats.mot import to_mot
from nblabel.video import frame_ranges
from tests.unit.video_samples import make_video

W, H = 160, 120


@pytest.fixture
def videos(tmp_path: Path) -> list[str]:
    return [
        str(make_video(tmp_path / "walk.mp4", 40, width=W, height=H)),
        str(make_video(tmp_path / "vfr.webm", 6, width=W, height=H, codec="libvpx-vp9",
                       pts_ms=[0, 40, 80, 300, 340, 1000])),
    ]  # fmt: skip


def make(items: Any, tmp_path: Path, **kw: Any) -> nl.VideoAnnotator:
    kw.setdefault("labels", ["square", "circle"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.VideoAnnotator(items, **kw)


def span(first: int, last: Any, label: str = "crossing", **kw: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "kind": "segment",
        "label": label,
        "frame": first,
        "extra": {"last_frame": last},
        **kw,
    }


def send(page: Any, item_id: str, **change: Any) -> dict[str, Any]:
    """An edit with accepted/rejected suggestions, as the page sends it; the answer."""
    page.seq += 1
    before = len(page.sent)
    page.widget._on_message(
        page.widget,
        {"type": "edit", "seq": page.seq, "item_id": item_id, "upsert": [], "delete": [],
         "accepted": [], "rejected": [], "elapsed": 1.0, **change},
        [],
    )  # fmt: skip
    return next(m for m, _ in page.sent[before:] if m.get("seq") == page.seq)


# -- frame ranges ---------------------------------------------------------------------------


def test_a_frame_range_is_stored_with_its_frames_and_seconds(videos, tmp_path, drive):
    w = make(videos, tmp_path, frame_labels=["crossing", "waiting"])
    assert w.kinds == ("box", "segment")
    assert w.frame_labels == ["crossing", "waiting"]
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    row = span(10, 19, start=99.0, end=100.0)  # the page's seconds are not trusted
    assert page.edit(item_id, [row])["type"] == "saved"
    stored = schema.validate(w.annotations)
    got = stored.iloc[0]
    assert (got["kind"], got["label"], got["frame"]) == ("segment", "crossing", 10)
    assert got["extra"] == {"last_frame": 19}
    assert got["start"] == pytest.approx(0.4)
    assert got["end"] == pytest.approx(0.8)  # frame 19 ends when frame 20 starts
    ranges = frame_ranges(stored)
    assert ranges[["first_frame", "last_frame"]].to_numpy().tolist() == [[10, 19]]
    # moved (the same id) and to the last frame: it ends at the video's end
    moved = {**row, "frame": 30, "extra": {"last_frame": 39}}
    assert page.edit(item_id, [moved])["type"] == "saved"
    got = w.annotations.iloc[0]
    assert (got["frame"], got["extra"], got["end"]) == (30, {"last_frame": 39}, pytest.approx(1.6))
    # deleted
    assert page.edit(item_id, [], [row["id"]])["type"] == "saved"
    assert w.annotations.empty


def test_frame_ranges_on_a_variable_frame_rate_video_take_the_files_times(videos, tmp_path, drive):
    w = make(videos, tmp_path, frame_labels=["crossing"])
    page = drive(w)
    page.hello()
    page.goto(1)
    item_id = page.item_at(1)[0]["item"]["id"]
    assert page.edit(item_id, [span(2, 3)])["type"] == "saved"
    got = w.annotations.iloc[0]
    assert (got["start"], got["end"]) == (
        pytest.approx(0.08, abs=1e-3),
        pytest.approx(0.34, abs=1e-3),
    )


def test_tracks_and_mot_leave_frame_ranges_alone(videos, tmp_path, drive):
    w = make(videos, tmp_path, frame_labels=["crossing"])
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    track = {"id": "k0", "kind": "box", "label": "square", "x": 1, "y": 1, "width": 5,
             "height": 5, "frame": 0, "track_id": "1", "outside": False}  # fmt: skip
    assert page.edit(item_id, [track, span(5, 8)])["type"] == "saved"
    per_frame = w.per_frame
    assert (per_frame["kind"] == "segment").sum() == 1  # passed through, not expanded
    assert len(per_frame[per_frame["kind"] == "box"]) == 40
    mot = to_mot(w.annotations, n_frames=40, classes=["square"])
    assert len(mot) == 40


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (span(5, 4), "the last frame 4 is before the first frame 5"),
        (span(5, 40), "the last frame 40 is not a frame of the video (0 to 39)"),
        (span(-1, 3), "the first frame -1 is not a frame of the video"),
        (span(5, "9"), "the last frame must be a whole number"),
        ({**span(5, 6), "extra": None}, 'a frame range needs extra: {"last_frame": k}'),
        (span(5, 6, label="square"), "label 'square' is not allowed on a 'segment'"),
        (span(5, 6, text=["x"]), "text must be text"),
    ],
)
def test_bad_frame_ranges_are_rejected(videos, tmp_path, drive, row, message):
    w = make(videos, tmp_path, frame_labels=["crossing"])
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    answer = page.edit(item_id, [row])
    assert answer["type"] == "rejected"
    assert message in answer["message"]
    assert w.annotations.empty


def test_frame_ranges_need_frame_labels(videos, tmp_path, drive):
    w = make(videos, tmp_path)
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    answer = page.edit(item_id, [span(1, 2)])
    assert answer["type"] == "rejected"
    assert "kind 'segment' is not one of ['box']" in answer["message"]
    only = make(videos, tmp_path, tools=[], frame_labels=["crossing"])
    assert only.kinds == ("segment",)
    only.close()


# -- a model's tracks -----------------------------------------------------------------------


def model_tracks(item: str) -> pd.DataFrame:
    common = {"item_id": item, "annotator": "tracker", "kind": "box", "source": "model"}
    return schema.from_records(
        [
            {**common, "id": "a0", "label": "square", "score": 0.9, "frame": 0,
             "track_id": "7", "x": 8, "y": 24, "width": 12, "height": 12},
            {**common, "id": "a1", "label": "square", "score": 0.9, "frame": 20,
             "track_id": "7", "x": 48, "y": 44, "width": 12, "height": 12},
            {**common, "id": "a2", "label": "square", "score": 0.9, "frame": 30,
             "track_id": "7", "x": 68, "y": 54, "width": 12, "height": 12, "outside": True},
            {**common, "id": "b0", "label": "circle", "score": 0.4, "frame": 5,
             "track_id": "8", "x": 100, "y": 60, "width": 20, "height": 20},
            {**common, "id": "bad", "label": "circle", "score": 0.4, "frame": 50,
             "track_id": "9", "x": 1, "y": 1, "width": 2, "height": 2},
            {**common, "id": "wide", "label": "circle", "score": 0.4, "frame": 1,
             "track_id": "9", "x": 150, "y": 1, "width": 20, "height": 2},
            {**common, "id": "r0", "kind": "segment", "label": "crossing", "frame": 3,
             "start": 0.12, "end": 0.4, "extra": {"last_frame": 9}},
        ]
    )  # fmt: skip


def test_a_models_tracks_are_suggested_keyframe_by_keyframe(videos, tmp_path, drive):
    w = make(videos, tmp_path, frame_labels=["crossing"], predictions=model_tracks(videos[0]))
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    got = {s["id"]: s for s in message["suggestions"]}
    assert sorted(got) == ["a0", "a1", "a2", "b0", "r0"]
    assert (got["a2"]["track_id"], got["a2"]["frame"], got["a2"]["outside"]) == ("7", 30, True)
    assert got["a0"]["score"] == 0.9
    assert got["r0"]["extra"] == {"last_frame": 9}
    problems = " ".join(w.prediction_problems)
    assert "'bad'" in problems
    assert "frame 50 is not a frame of the video (0 to 39)" in problems
    assert "'wide'" in problems
    assert "is outside the 160x120 frame" in problems


def test_accepting_a_suggested_track_stores_it_as_the_persons_track(videos, tmp_path, drive):
    w = make(videos, tmp_path, frame_labels=["crossing"], predictions=model_tracks(videos[0]))
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    suggested = {s["id"]: s for s in page.item_at(0)[0]["suggestions"]}
    # the page's accept: every keyframe of track 7 as a new row of a new track
    keep = ("kind", "label", "frame", "x", "y", "width", "height", "outside")
    rows = [
        {**{k: suggested[i][k] for k in keep if k in suggested[i]}, "id": f"h{i}", "track_id": "1"}
        for i in ("a0", "a1", "a2")
    ]
    answer = send(page, item_id, upsert=rows, accepted=["a0", "a1", "a2"])
    assert answer["type"] == "saved"
    stored = w.annotations.sort_values("frame")
    assert stored["frame"].tolist() == [0, 20, 30]
    assert set(stored["source"]) == {"human"}
    assert set(stored["annotator"]) == {"ana"}
    assert stored["outside"].tolist() == [False, False, True]
    assert set(stored["track_id"]) == {"1"}
    per_frame = w.per_frame
    assert per_frame["frame"].tolist() == list(range(30))  # ends where the model said
    at10 = per_frame[per_frame["frame"] == 10].iloc[0]
    assert (at10["x"], at10["y"]) == (28, 34)
    # the accepted suggestions are not offered again
    page.clear()
    page.goto(0)
    ids = sorted(s["id"] for s in page.item_at(0)[0]["suggestions"])
    assert ids == ["b0", "r0"]


def test_rejecting_a_suggested_track_keeps_it_rejected_across_kernels(videos, tmp_path, drive):
    w = make(videos, tmp_path, frame_labels=["crossing"], predictions=model_tracks(videos[0]))
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    answer = send(page, item_id, rejected=["b0", "r0"])
    assert answer["type"] == "saved"
    everything = w.store.annotations()
    refused = everything[(everything["kind"] == "rejection").to_numpy()]
    assert sorted(refused["frame"].tolist()) == [3, 5]  # each names its frame
    assert w.annotations.empty
    w.close()
    again = make(videos, tmp_path, frame_labels=["crossing"], predictions=model_tracks(videos[0]))
    page = drive(again)
    page.hello()
    ids = sorted(s["id"] for s in page.item_at(0)[0]["suggestions"])
    assert ids == ["a0", "a1", "a2"]


def test_a_rejection_of_a_keyframe_names_its_frame(videos, tmp_path, drive):
    """Two suggested keyframes with one box on two frames: rejecting one keeps the other."""
    item = videos[0]
    common = {"item_id": item, "annotator": "m", "kind": "box", "label": "square",
              "x": 1, "y": 1, "width": 4, "height": 4, "track_id": "3"}  # fmt: skip
    predictions = schema.from_records(
        [{**common, "id": "f1", "frame": 1}, {**common, "id": "f2", "frame": 2}]
    )
    w = make(videos, tmp_path, predictions=predictions)
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    assert send(page, item_id, rejected=["f1"])["type"] == "saved"
    w.close()
    again = make(videos, tmp_path, predictions=predictions)
    page = drive(again)
    page.hello()
    assert [s["id"] for s in page.item_at(0)[0]["suggestions"]] == ["f2"]


def test_live_suggestions_of_tracks(videos, tmp_path, drive):
    def suggest(item: Any) -> pd.DataFrame:
        return model_tracks(str(item)).drop(columns=["item_id"]).iloc[:3]

    w = make(videos, tmp_path, suggest=suggest)
    page = drive(w)
    page.hello()
    first = w.item_ids[0]

    def of_first(m: dict[str, Any]) -> bool:  # the second video is prefetched and suggested too
        return m.get("item_id") == first or m.get("item", {}).get("id") == first

    end = time.monotonic() + 20
    found: list[str] = []
    while time.monotonic() < end and len(found) < 3:
        found = [
            s["id"]
            for m, _ in list(page.sent)
            if m.get("type") in ("suggestions", "item") and of_first(m)
            for s in m.get("suggestions", [])
        ]
        time.sleep(0.05)
    assert sorted(found) == ["a0", "a1", "a2"]


# -- frames at the page's size, cheap frames first --------------------------------------------


def frame_messages(page: Any, count: int, wait: float = 20.0) -> list[dict[str, Any]]:
    end = time.monotonic() + wait
    while True:
        found = [m for m, _ in list(page.sent) if m.get("type") == "frame"]
        if len(found) >= count or time.monotonic() > end:
            return found
        time.sleep(0.01)


def test_frames_are_scaled_to_the_side_the_page_draws_them_at(tmp_path, drive):
    big = str(make_video(tmp_path / "big.mp4", 4, width=640, height=480))
    w = make([big], tmp_path)
    page = drive(w)
    page.hello()
    item = page.item_at(0)[0]["item"]
    assert (item["display_width"], item["display_height"]) == (640, 480)  # max_side 1280
    page.clear()
    page.widget._on_message(
        page.widget, {"type": "frames", "item_id": item["id"], "frames": [1], "side": 300}, []
    )
    got = frame_messages(page, 1)[0]
    assert (got["display_width"], got["display_height"]) == (320, 240)  # 300 up to 160s
    page.clear()
    page.widget._on_message(
        page.widget, {"type": "frames", "item_id": item["id"], "frames": [2], "side": 5000}, []
    )
    got = frame_messages(page, 1)[0]
    assert (got["display_width"], got["display_height"]) == (640, 480)  # never above the file


def test_frames_decoded_on_the_way_to_a_seek_are_sent_before_frames_ahead(tmp_path, drive):
    clip = str(make_video(tmp_path / "gop.mp4", 60, width=W, height=H, gop=30))
    w = make([clip], tmp_path)
    page = drive(w)
    page.hello()
    item_id = page.item_at(0)[0]["item"]["id"]
    page.clear()
    # the page's order: the frame to show, 4 ahead, then 4 behind (decoded on the way to 50)
    wish = [50, 51, 52, 53, 54, 49, 48, 47, 46]
    page.widget._on_message(page.widget, {"type": "frames", "item_id": item_id, "frames": wish}, [])
    got = [m["frame"] for m in frame_messages(page, len(wish))]
    assert got == [50, 49, 48, 47, 46, 51, 52, 53, 54]
