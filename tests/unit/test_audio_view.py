"""nblabel.plot_item for audio: the waveform and its segments in matplotlib."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import soundfile as sf

matplotlib.use("Agg")
import matplotlib.colors
import matplotlib.pyplot as plt

import nblabel as nl
from nblabel import palette
from nblabel.audio import AudioError
from nblabel.view import audio as audio_view

SR = 8000


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture
def talk(tmp_path: Path) -> str:
    t = np.arange(6 * SR) / SR
    x = np.where(t < 3, 0.8, 0.2) * np.sin(2 * np.pi * 200 * t)
    path = tmp_path / "talk.wav"
    sf.write(path, x.astype(np.float32), SR)
    return str(path)


def frame(item: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": [item, item, item, "other"],
            "kind": ["segment", "segment", "label", "segment"],
            "label": ["alice", "bob", "noisy", "bob"],
            "start": [0.5, 2.5, np.nan, 0.0],
            "end": [2.0, 4.25, np.nan, 1.0],
            "text": ["costs $5 <b>now</b>", None, None, "not this item"],
        }
    )


def test_waveform_segments_transcripts_and_clip_labels(talk):
    ax = nl.plot_item(frame(talk), talk)
    assert ax.get_xlim() == (0.0, 6.0)
    spans = [p for p in ax.patches if p.get_width() > 0]
    assert sorted(round(p.get_x(), 3) for p in spans) == [0.5, 2.5]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["alice: costs $5 <b>now</b>", "bob"]
    assert all(0 < t.get_position()[1] < 1 for t in ax.texts)  # inside the axes, visible
    assert "noisy" in ax.get_title(loc="left")
    # the waveform envelope is there and louder in the first half
    poly = ax.collections[0]
    ys = poly.get_paths()[0].vertices[:, 1]
    assert ys.max() == pytest.approx(0.8, abs=0.02)
    ax.figure.canvas.draw()  # "$5" must not be parsed as math


def test_a_time_range_an_array_source_and_no_source():
    x = np.zeros(SR * 10, np.float32)
    rows = frame("arr")
    ax = nl.plot_item(rows, "arr", x, sample_rate=SR, start=2.0, end=5.0, labels=["bob", "alice"])
    assert ax.get_xlim() == (2.0, 5.0)
    colours = {t.get_text().split(":")[0]: t.get_bbox_patch().get_facecolor() for t in ax.texts}
    assert matplotlib.colors.to_hex(colours["bob"]) == palette.COLOURS[0]
    _, ax2 = plt.subplots()
    out = audio_view.plot(rows[rows.item_id == "arr"], None, item="arr", ax=ax2)
    assert out is ax2
    assert ax2.get_xlim() == (0.0, 4.25)


def test_a_missing_file_names_the_item():
    with pytest.raises(AudioError, match=r"'gone\.wav'"):
        nl.plot_item(frame("gone.wav"), "gone.wav")
