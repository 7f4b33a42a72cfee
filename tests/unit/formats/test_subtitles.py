"""WebVTT and SRT: webvtt-py reads what we write, speakers in voice spans, round trips."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
import webvtt
from fmt_helpers import SETTINGS, assert_same, frame
from hypothesis import given
from hypothesis import strategies as st

from nblabel import schema
from nblabel.formats import FormatError, read_srt, read_vtt, write_srt, write_vtt

# Shaped like the examples of the WebVTT specification (W3C), with voice spans.
VTT = """WEBVTT

intro
00:00:00.500 --> 00:00:02.250 align:start
<v Roger Bingham>We are in New York City

00:00:02.250 --> 00:01:04.000
<v.loud Neil deGrasse Tyson>Tom &amp; Jerry &lt;live&gt;</v>

01:00:04.000 --> 01:00:05.500
No speaker here
and a second line
"""
SRT = """1
00:00:00,500 --> 00:00:02,250
We are in New York City

2
00:00:02,250 --> 00:01:04,000
Two
lines
"""


def test_vtt_fixture(tmp_path: Path) -> None:
    path = tmp_path / "talk.vtt"
    path.write_text(VTT)
    df = read_vtt(path)
    schema.validate(df)
    assert df["item_id"].unique().tolist() == ["talk"]
    assert df["label"].tolist() == ["Roger Bingham", "Neil deGrasse Tyson", "speech"]
    assert df["text"].tolist() == [
        "We are in New York City",
        "Tom & Jerry <live>",
        "No speaker here\nand a second line",
    ]
    assert df[["start", "end"]].to_numpy().tolist() == [[0.5, 2.25], [2.25, 64.0], [3604.0, 3605.5]]
    assert df["extra"].iloc[0] == {"vtt": {"identifier": "intro", "settings": "align:start"}}


def test_webvtt_py_reads_our_output(tmp_path: Path) -> None:
    src = tmp_path / "talk.vtt"
    src.write_text(VTT)
    df = read_vtt(src)
    out = write_vtt(df, tmp_path / "out.vtt")
    captions = webvtt.read(str(out)).captions
    assert [c.start for c in captions] == ["00:00:00.500", "00:00:02.250", "01:00:04.000"]
    assert [c.voice for c in captions] == ["Roger Bingham", "Neil deGrasse Tyson", "speech"]
    assert captions[1].raw_text == "<v Neil deGrasse Tyson>Tom &amp; Jerry &lt;live&gt;"
    assert captions[0].identifier == "intro"
    back = read_vtt(out, item_id="talk")
    assert_same(back, df, ("item_id", "label", "start", "end", "text", "extra"), atol=0)


def test_srt_fixture_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "movie.srt"
    path.write_text(SRT)
    df = read_srt(path, label="narrator")
    assert df["text"].tolist() == ["We are in New York City", "Two\nlines"]
    assert df["label"].unique().tolist() == ["narrator"]
    out = write_srt(df, tmp_path / "out.srt")
    assert out.read_text() == SRT
    assert [c.start for c in webvtt.from_srt(str(out)).captions] == ["00:00:00.500", "00:00:02.250"]


TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20
).filter(lambda t: t.strip() == t and "-->" not in t and t != "")


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10_000_000),
            st.integers(0, 100_000),
            TEXT,
            st.sampled_from(["ana", "Bo Lee"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_vtt_round_trip_property(cues: list[tuple[int, int, str, str]]) -> None:
    df = frame(
        [
            {
                "id": f"c{k}",
                "item_id": "m",
                "kind": "segment",
                "label": spk,
                "start": ms / 1000,
                "end": (ms + d) / 1000,
                "text": text,
            }
            for k, (ms, d, text, spk) in enumerate(cues)
        ]
    )
    with tempfile.TemporaryDirectory() as tmp:
        back = read_vtt(write_vtt(df, Path(tmp) / "m.vtt"), annotator="ana")
        srt = read_srt(write_srt(df, Path(tmp) / "m.srt"), label="x")
    by = ("start", "end", "label", "text")
    assert_same(back, df, ("item_id", "label", "start", "end", "text"), by=by, atol=1e-9)
    assert_same(
        srt,
        df.assign(label="x", annotator="srt"),
        ("start", "end", "text"),
        by=("start", "end", "text"),
        atol=1e-9,
    )


def test_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "bad.vtt"
    path.write_text("not a vtt file\n")
    with pytest.raises(FormatError, match=r"bad.vtt: not a valid WebVTT file"):
        read_vtt(path)
    two = frame(
        [
            {
                "id": "a",
                "item_id": "m1",
                "kind": "segment",
                "label": "s",
                "start": 0,
                "end": 1,
                "text": "x",
            },
            {
                "id": "b",
                "item_id": "m2",
                "kind": "segment",
                "label": "s",
                "start": 0,
                "end": 1,
                "text": "y",
            },
        ]
    )
    with pytest.raises(FormatError, match=r"one WebVTT file holds one item; df has 2"):
        write_vtt(two, tmp_path / "x.vtt")
    assert write_vtt(two, tmp_path / "x.vtt", item_id="m2").read_text().count("-->") == 1
    blank = two.iloc[:1].assign(text="first\n\nsecond")
    with pytest.raises(FormatError, match=r"row 0 column 'text': .* cannot be a WebVTT cue"):
        write_vtt(blank, tmp_path / "y.vtt")
    assert not (tmp_path / "y.vtt").exists()
    arrow = pd.concat([two.iloc[:1].assign(text="a --> b")])
    with pytest.raises(FormatError, match=r"cannot be a SRT cue's text"):
        write_srt(arrow, tmp_path / "y.srt")
