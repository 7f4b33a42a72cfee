"""RTTM: the NIST line shape, round trips, bad lines by number."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from fmt_helpers import SETTINGS, assert_same, frame
from hypothesis import given
from hypothesis import strategies as st

from nblabel import schema
from nblabel.formats import FormatError, read_rttm, write_rttm

FIXTURE = """SPEAKER meeting1 1 0.500 2.250 <NA> <NA> ana <NA> <NA>
SPEAKER meeting1 1 3.000 1.100 <NA> <NA> bo 0.8 <NA>
;; a comment line
SPEAKER call_2 2 10.25 0.75 <NA> <NA> ana <NA> <NA>
"""


def test_fixture(tmp_path: Path) -> None:
    path = tmp_path / "x.rttm"
    path.write_text(FIXTURE)
    df = read_rttm(path)
    schema.validate(df)
    assert df[["item_id", "label", "start", "end"]].to_numpy().tolist() == [
        ["meeting1", "ana", 0.5, 2.75],
        ["meeting1", "bo", 3.0, 4.1],
        ["call_2", "ana", 10.25, 11.0],
    ]
    assert df["source"].tolist() == ["human", "model", "human"]
    assert df["extra"].tolist() == [None, None, {"rttm": {"channel": "2"}}]


def test_written_lines_have_ten_fields(tmp_path: Path) -> None:
    path = tmp_path / "x.rttm"
    path.write_text(FIXTURE)
    out = write_rttm(read_rttm(path), tmp_path / "y.rttm")
    lines = [line.split() for line in out.read_text().splitlines()]
    assert all(len(f) == 10 and f[0] == "SPEAKER" for f in lines)
    assert lines[0] == [
        "SPEAKER",
        "call_2",
        "2",
        "10.25",
        "0.75",
        "<NA>",
        "<NA>",
        "ana",
        "<NA>",
        "<NA>",
    ]
    assert lines[2][3:5] == ["3.0", "1.1"]  # duration written rounded, not 1.0999999999999996
    assert lines[2][8] == "0.8"


SEGMENTS = st.lists(
    st.tuples(
        st.sampled_from(["m1", "m2"]),
        st.sampled_from(["ana", "bo", "spk_3"]),
        st.integers(0, 3_600_000_000).map(lambda us: us / 1e6),
        st.integers(0, 60_000_000).map(lambda us: us / 1e6),
        st.one_of(st.none(), st.floats(0, 1)),
    ),
    min_size=1,
    max_size=10,
)


@SETTINGS
@given(SEGMENTS)
def test_round_trip_property(segments: list[tuple[str, str, float, float, float | None]]) -> None:
    df = frame(
        [
            {
                "id": f"s{k}",
                "item_id": item,
                "kind": "segment",
                "label": spk,
                "start": s,
                "end": s + d,
                "score": conf,
                "source": "human" if conf is None else "model",
            }
            for k, (item, spk, s, d, conf) in enumerate(segments)
        ]
    )
    with tempfile.TemporaryDirectory() as tmp:
        back = read_rttm(write_rttm(df, Path(tmp) / "x.rttm"), annotator="ana")
    assert_same(
        back,
        df,
        ("item_id", "label", "start", "end", "score", "source"),
        by=("item_id", "start", "end", "label"),
        atol=2e-9,
    )


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ("SPKR-INFO m 1 <NA> <NA> <NA> unknown ana <NA> <NA>", r"line 2 type: type 'SPKR-INFO'"),
        ("SPEAKER m 1 x 1 <NA> <NA> ana <NA> <NA>", r"line 2 start: 'x' is not a number"),
        ("SPEAKER m 1 1 -1 <NA> <NA> ana <NA> <NA>", r"line 2 duration: -1 is negative"),
        ("SPEAKER m 1 1", r"line 2: a SPEAKER line has 10 fields, this one 4"),
        ("SPEAKER m 1 1 1 <NA> <NA> ana high <NA>", r"line 2 confidence: 'high' is not a number"),
    ],
)
def test_bad_lines(tmp_path: Path, line: str, match: str) -> None:
    path = tmp_path / "x.rttm"
    path.write_text(FIXTURE.splitlines()[0] + "\n" + line + "\n")
    with pytest.raises(FormatError, match=match):
        read_rttm(path)


def test_other_lines_skipped_on_request(tmp_path: Path) -> None:
    path = tmp_path / "x.rttm"
    path.write_text("SPKR-INFO m 1 <NA> <NA> <NA> unknown ana <NA> <NA>\n" + FIXTURE)
    assert len(read_rttm(path, other="skip")) == 3


def test_whitespace_in_names_is_refused(tmp_path: Path) -> None:
    df = frame(
        [{"id": "a", "item_id": "m 1", "kind": "segment", "label": "ana", "start": 0, "end": 1}]
    )
    with pytest.raises(FormatError, match=r"row 0 column 'item_id': 'm 1' holds whitespace"):
        write_rttm(df, tmp_path / "x.rttm")
    assert not (tmp_path / "x.rttm").exists()
    df = pd.concat([df.assign(item_id="m1", label="Ana Lopez")])
    with pytest.raises(FormatError, match=r"column 'label': 'Ana Lopez' holds whitespace"):
        write_rttm(df, tmp_path / "x.rttm")
