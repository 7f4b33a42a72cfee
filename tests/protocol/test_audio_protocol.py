"""AudioAnnotator driven through its page protocol: messages in, store and DataFrame out."""

from __future__ import annotations

import math
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

import nblabel as nl
from nblabel import schema

LIMIT = 8 * 1024 * 1024  # no message may carry more (the websocket takes ~10 MB)
SR = 16_000


def tone(seconds: float, sr: int = SR, freq: float = 220.0) -> np.ndarray:
    t = np.arange(round(seconds * sr)) / sr
    return (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.fixture
def clips(tmp_path: Path) -> list[str]:
    """Three short real files: WAV, FLAC (stereo) and OGG."""
    paths = []
    for i, (ext, channels) in enumerate([("wav", 1), ("flac", 2), ("ogg", 1)]):
        x = tone(4.0 + i, freq=200 + 100 * i)
        data = np.stack([x, x * 0.5], axis=1) if channels == 2 else x
        path = tmp_path / f"clip{i}.{ext}"
        sf.write(path, data, SR)
        paths.append(str(path))
    return paths


def make(items: Any, tmp_path: Path, **kw: Any) -> nl.AudioAnnotator:
    kw.setdefault("labels", ["alice", "bob"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.AudioAnnotator(items, **kw)


def seg(start: float, end: float, label: str = "alice", **kw: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "kind": "segment",
        "label": label,
        "start": start,
        "end": end,
        **kw,
    }


def size(message: dict[str, Any], buffers: list[bytes]) -> int:
    return len(repr(message)) + sum(len(b) for b in buffers)


def chunk(page: Any, item_id: str, index: Any) -> tuple[dict[str, Any], list[bytes]]:
    page.widget._on_message(page.widget, {"type": "audio", "item_id": item_id, "chunk": index}, [])
    message, buffers = page.sent[-1]
    assert message["type"] == "audio"
    return message, buffers


def stored(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "select kind, label, start, end, text, deleted from nblabel_annotations order by start"
        ).fetchall()


def test_hello_sends_duration_peaks_as_binary_and_no_audio(clips, tmp_path, drive):
    page = drive(make(clips, tmp_path))
    page.hello()
    message, buffers = page.item_at(0)
    item = message["item"]
    assert (item["duration"], item["sample_rate"], item["channels"]) == (4.0, SR, 1)
    assert item["frames"] == 4 * SR
    assert item["peaks"]["buckets"][0] == 16
    assert len(buffers) == len(item["peaks"]["buckets"])
    assert len(buffers[0]) == 2 * math.ceil(4 * SR / 16)  # int8 (min, max) pairs
    assert item["playback"] == {"rate": SR, "chunk_frames": 30 * SR, "n_chunks": 1}
    stereo, _ = page.item_at(1)  # prefetched
    assert stereo["item"]["channels"] == 2
    info = page.widget.audio_info(clips[1])
    assert info is not None
    assert (info["channels"], info["duration"], info["format"]) == (2, 5.0, "FLAC")
    assert page.widget.audio_info(clips[2]) is None  # not loaded yet
    assert any("2 channels mixed down" in n for n in stereo["item"]["notes"])


def test_a_chunk_is_16_bit_pcm_at_its_original_time(clips, tmp_path, drive):
    page = drive(make(clips, tmp_path, chunk_seconds=1.5))
    page.hello()
    page.item_at(0)
    message, buffers = chunk(page, clips[0], 2)
    assert message == {
        "type": "audio",
        "item_id": clips[0],
        "chunk": 2,
        "start": 3.0,
        "rate": SR,
        "frames": round(1.0 * SR),
    }
    pcm = np.frombuffer(buffers[0], "<i2")
    expected = tone(4.0, freq=200)[3 * SR :]
    np.testing.assert_allclose(pcm / 32768, expected, atol=1 / 32768)
    for bad in (3, -1, "0", None):
        message, buffers = chunk(page, clips[0], bad)
        assert "error" in message
        assert buffers == []
    message, _ = chunk(page, "nope", 0)
    assert "'nope'" in message["error"]


def test_an_hour_never_sends_a_message_over_8_mb(tmp_path, drive):
    rng = np.random.default_rng(1)
    hour = (rng.standard_normal(3600 * SR) * 3000).astype(np.int16)
    path = tmp_path / "hour.wav"
    sf.write(path, hour, SR, subtype="PCM_16")
    del hour
    page = drive(make([str(path)], tmp_path))
    page.hello()
    message, buffers = page.item_at(0, wait=30)
    assert message["item"]["duration"] == 3600.0
    sizes = [size(message, buffers)]
    n = message["item"]["playback"]["n_chunks"]
    for i in (0, n // 2, n - 1):
        sizes.append(size(*chunk(page, str(path), i)))
    assert max(sizes) < LIMIT, sizes
    assert message["item"]["peaks"]["buckets"][0] * nl.audio.MAX_PEAKS >= 3600 * SR


def test_a_48_khz_stereo_file_plays_at_24_khz_with_the_same_times(tmp_path, drive):
    sr = 48_000
    x = np.zeros(sr * 10, np.float32)
    x[round(7.5 * sr)] = 0.9
    sf.write(tmp_path / "st.wav", np.stack([x, x], axis=1), sr, subtype="FLOAT")
    page = drive(make([str(tmp_path / "st.wav")], tmp_path, chunk_seconds=5))
    page.hello()
    item = page.item_at(0)[0]["item"]
    assert item["playback"]["rate"] == 24_000
    assert item["duration"] == 10.0
    message, buffers = chunk(page, str(tmp_path / "st.wav"), 1)
    pcm = np.frombuffer(buffers[0], "<i2")
    at = message["start"] + int(np.argmax(np.abs(pcm))) / message["rate"]
    assert at == pytest.approx(7.5, abs=1 / 24_000)


def test_segments_are_stored_to_the_millisecond_with_their_transcript(clips, tmp_path, drive):
    w = make(clips, tmp_path)
    page = drive(w)
    page.hello()
    page.item_at(0)
    hostile = "<img src=x onerror=alert(1)> hi & bye"
    s = seg(1.23456, 2.0004, "bob", text=hostile)
    assert page.edit(clips[0], [s])["type"] == "saved"
    assert stored(tmp_path / "labels.db") == [("segment", "bob", 1.235, 2.0, hostile, 0)]
    df = w.annotations
    assert list(df.columns) == list(schema.COLUMN_NAMES)
    row = df.iloc[0]
    assert (row["item_id"], row["kind"], row["label"], row["text"]) == (
        clips[0],
        "segment",
        "bob",
        hostile,
    )
    assert (row["start"], row["end"]) == (1.235, 2.0)
    assert row["elapsed"] == 1.25
    # the transcript is edited as one upsert of the same id
    assert page.edit(clips[0], [{**s, "text": "hello"}])["type"] == "saved"
    assert w.annotations["text"].tolist() == ["hello"]


def test_overlapping_segments_and_edits_of_an_edge(clips, tmp_path, drive):
    w = make(clips, tmp_path)
    page = drive(w)
    page.hello()
    page.item_at(0)
    a, b = seg(0.5, 2.5, "alice"), seg(2.0, 3.5, "bob")
    assert page.edit(clips[0], [a, b])["type"] == "saved"
    assert page.edit(clips[0], [{**a, "end": 1.75}])["type"] == "saved"
    df = w.annotations.sort_values("start")
    assert df[["label", "start", "end"]].to_numpy().tolist() == [
        ["alice", 0.5, 1.75],
        ["bob", 2.0, 3.5],
    ]
    # undo, as the page sends it: the old row back
    assert page.edit(clips[0], [a])["type"] == "saved"
    assert sorted(w.annotations["end"]) == [2.5, 3.5]
    assert page.edit(clips[0], delete=[b["id"]])["type"] == "saved"
    assert w.annotations["label"].tolist() == ["alice"]


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (seg(-0.5, 1.0), "within 0-4.000"),
        (seg(1.0, 4.01), "within 0-4.000"),
        (seg(2.0, 1.0), "start <= end"),
        (seg(float("nan"), 1.0), "finite"),
        (seg("1", 2.0), "number of seconds"),
        (seg(1.0, 2.0, "carol"), "'carol'"),
        (seg(1.0, 2.0, text=5), "transcript"),
        ({"id": "c", "kind": "label", "label": "alice"}, "'alice'"),
        ({"id": "c", "kind": "box", "label": "alice"}, "'box'"),
    ],
)
def test_bad_edits_are_rejected_and_nothing_saved_is_lost(clips, tmp_path, drive, row, words):
    w = make(clips, tmp_path, clip_labels=["clean", "noisy"])
    page = drive(w)
    page.hello()
    page.item_at(0)
    keep = seg(0.25, 0.75)
    assert page.edit(clips[0], [keep])["type"] == "saved"
    answer = page.edit(clips[0], [row])
    assert answer["type"] == "rejected"
    assert words in answer["message"]
    assert [r["id"] for r in answer["rows"]] == [keep["id"]]
    assert w.annotations["id"].tolist() == [keep["id"]]


def test_the_end_of_the_audio_is_a_valid_end(clips, tmp_path, drive):
    page = drive(make(clips, tmp_path))
    page.hello()
    page.item_at(0)
    assert page.edit(clips[0], [seg(3.5, 4.0)])["type"] == "saved"
    assert page.edit(clips[0], [seg(0.0, 0.0)])["type"] == "saved"


def test_clip_labels_one_per_item_unless_multi_label(clips, tmp_path, drive):
    w = make(clips, tmp_path, clip_labels=["clean", "noisy"])
    page = drive(w)
    page.hello()
    page.item_at(0)
    one = {"id": "l1", "kind": "label", "label": "clean"}
    assert page.edit(clips[0], [one])["type"] == "saved"
    answer = page.edit(clips[0], [{"id": "l2", "kind": "label", "label": "noisy"}])
    assert answer["type"] == "rejected"
    assert "one label per item" in answer["message"]
    assert page.edit(clips[0], [{"id": "s", **seg(1, 2)}])["type"] == "saved"
    assert sorted(w.annotations["kind"].astype(str)) == ["label", "segment"]
    w2 = make(
        clips,
        tmp_path / "other",
        clip_labels=["clean", "noisy"],
        multi_label=True,
        store=tmp_path / "multi.db",
    )
    page2 = drive(w2)
    page2.hello()
    assert (
        page2.edit(clips[0], [one, {"id": "l2", "kind": "label", "label": "noisy"}])["type"]
        == "saved"
    )
    assert w2.clip_labels == ["clean", "noisy"]


def test_a_corrupt_file_is_named_and_the_widget_keeps_working(clips, tmp_path, drive):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt garbage")
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, np.float32), SR)
    w = make([clips[0], str(bad), str(empty), clips[2]], tmp_path)
    page = drive(w)
    page.hello()
    assert page.edit(clips[0], [seg(1, 2)])["type"] == "saved"
    page.goto(1)
    message, buffers = page.item_at(1)
    assert "broken.wav" in message["item"]["error"]
    assert buffers == []
    answer = page.edit(str(bad), [seg(0, 0.1)])
    assert answer["type"] == "rejected"
    assert "broken.wav" in answer["message"]
    page.goto(2)
    assert "no samples" in page.item_at(2)[0]["item"]["error"]
    assert set(w.errors) == {str(bad), str(empty)}
    page.goto(3)
    assert page.item_at(3)[0]["item"]["duration"] == 6.0
    assert page.edit(clips[2], [seg(5, 6)])["type"] == "saved"
    assert len(w.annotations) == 2


def test_nan_samples_load_with_a_note_naming_the_item(tmp_path, drive):
    x = tone(2.0)
    x[100:200] = np.nan
    x[300] = np.inf
    w = make(pd.Series([x], index=["nan-clip"]), tmp_path, sample_rate=SR)
    page = drive(w)
    page.hello()
    item = page.item_at(0)[0]["item"]
    assert "error" not in item
    assert any("'nan-clip'" in n and "101 NaN or infinite" in n for n in item["notes"])
    assert page.edit("nan-clip", [seg(0.001, 0.02)])["type"] == "saved"


def test_items_from_arrays_bytes_series_and_frames(tmp_path, drive):
    x = tone(1.0)
    with pytest.raises(ValueError, match="sample_rate"):
        make([x], tmp_path)
    with pytest.raises(ValueError, match="sample_rate"):
        make([x], tmp_path, sample_rate=-5)
    with pytest.raises(TypeError, match="item 0"):
        make([3.5], tmp_path)
    buf = tmp_path / "b.flac"
    sf.write(buf, x, SR)
    frame = pd.DataFrame(
        {"audio": [x, buf.read_bytes()], "speaker": ["<b>eve</b>", None]}, index=["u1", "u2"]
    )
    w = make(frame, tmp_path, column="audio", sample_rate=SR)
    page = drive(w)
    page.hello()
    first = page.item_at(0)[0]["item"]
    assert first["id"] == "u1"
    assert first["meta"] == {"speaker": "<b>eve</b>"}
    assert page.item_at(1)[0]["item"]["duration"] == 1.0
    assert w.item_ids == ["u1", "u2"]
    with pytest.raises(ValueError, match="clip_labels"):
        make([str(buf)], tmp_path, clip_labels=["a", "a"])
    with pytest.raises(ValueError, match="chunk_seconds"):
        make([str(buf)], tmp_path, chunk_seconds=0)


def test_resume_starts_at_the_first_unlabeled_item_with_its_segments(clips, tmp_path, drive):
    w = make(clips, tmp_path)
    page = drive(w)
    page.hello()
    s = seg(1.5, 2.5, text="first")
    page.edit(clips[0], [s])
    w.close()
    again = make(clips, tmp_path)
    assert again.position == 1
    page2 = drive(again)
    page2.goto(0)
    rows = page2.item_at(0)[0]["rows"]
    assert rows == [
        {
            "id": s["id"],
            "kind": "segment",
            "label": "alice",
            "start": 1.5,
            "end": 2.5,
            "text": "first",
            "source": "human",
        }
    ]


def test_predictions_show_as_suggestions_and_accepting_one_stores_a_human_row(
    clips, tmp_path, drive
):
    predictions = pd.DataFrame(
        {
            "item_id": [clips[0], clips[0], clips[0], "other"],
            "kind": ["segment", "segment", "label", "segment"],
            "label": ["alice", "bob", "noisy", "bob"],
            "start": [0.5, 3.0, np.nan, 0.0],
            "end": [1.5, 9.0, np.nan, 1.0],
            "score": [0.9, 0.8, 0.7, 0.5],
        }
    )
    with pytest.warns(UserWarning, match="predictions"):
        w = make(clips, tmp_path, clip_labels=["clean", "noisy"], predictions=predictions)
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    shown = {(s["kind"], s["label"]) for s in message["suggestions"]}
    assert shown == {("segment", "alice"), ("label", "noisy")}
    problems = w.prediction_problems
    assert any("outside the audio" in p for p in problems)
    assert any("'other'" in p for p in problems)
    suggestion = next(s for s in message["suggestions"] if s["kind"] == "segment")
    page.seq += 1
    page.widget._on_message(
        page.widget,
        {
            "type": "edit",
            "seq": page.seq,
            "item_id": clips[0],
            "upsert": [seg(suggestion["start"], suggestion["end"], "alice")],
            "delete": [],
            "accepted": [suggestion["id"]],
            "elapsed": 2.0,
        },
        [],
    )
    assert page.sent[-1][0]["type"] == "saved"
    df = w.annotations
    assert df[["kind", "label", "start", "end"]].to_numpy().tolist() == [
        ["segment", "alice", 0.5, 1.5]
    ]
    assert df["source"].tolist() == ["human"]


def test_a_chunk_of_an_item_no_longer_kept_in_memory_is_decoded_again(clips, tmp_path, drive):
    w = make(clips, tmp_path)
    w.DECODED_BYTES = 1  # keep one decoded item at a time
    page = drive(w)
    page.hello()
    page.item_at(1)  # prefetched: item 0 is no longer kept
    assert list(w._decoded) == [clips[1]]
    message, buffers = chunk(page, clips[0], 0)
    assert message["frames"] == 4 * SR
    np.testing.assert_allclose(
        np.frombuffer(buffers[0], "<i2") / 32768, tone(4.0, freq=200), atol=1 / 32768
    )


def test_a_folder_gives_its_audio_files_in_order(clips, tmp_path, drive):
    (tmp_path / "notes.txt").write_text("not audio")
    w = make(str(tmp_path), tmp_path)
    assert [Path(i).name for i in w.item_ids] == ["clip0.wav", "clip1.flac", "clip2.ogg"]
    with pytest.raises(TypeError, match="audio file"):
        make(["a.wav", 3], tmp_path)
