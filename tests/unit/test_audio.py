"""nblabel.audio: decoding every format, mixdown, bad input, peaks and the time mapping."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.signal import resample_poly

from nblabel import audio

SR = 16_000


def tone(seconds: float, sr: int = SR, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


FORMATS = [
    ("wav", "WAV", "PCM_16"),
    ("wav", "WAV", "FLOAT"),
    ("flac", "FLAC", "PCM_24"),
    ("ogg", "OGG", "VORBIS"),
    ("mp3", "MP3", "MPEG_LAYER_III"),
    ("aiff", "AIFF", "PCM_16"),
]


@pytest.mark.parametrize(("ext", "fmt", "subtype"), FORMATS)
def test_each_format_decodes_from_a_file_and_from_bytes(tmp_path: Path, ext, fmt, subtype):
    x = tone(2.0)
    path = tmp_path / f"clip.{ext}"
    sf.write(path, x, SR, format=fmt, subtype=subtype)
    for source in (str(path), path.read_bytes()):
        d = audio.decode(source, item_id="clip")
        assert d.sample_rate == SR
        assert d.channels == 1
        assert d.frames == len(x)
        assert d.duration == pytest.approx(2.0)
        y = d.as_float()
        assert y.dtype == np.float32
        # Lossy codecs differ in detail, not in loudness.
        assert np.sqrt(np.mean(y**2)) == pytest.approx(np.sqrt(np.mean(x**2)), rel=0.1)


def test_16_bit_sources_stay_int16_and_are_exact(tmp_path: Path):
    x = (np.arange(-500, 500, dtype=np.int16) * 30).astype(np.int16)
    sf.write(tmp_path / "a.wav", x, 8000, subtype="PCM_16")
    d = audio.decode(tmp_path / "a.wav", item_id="a")
    assert d.samples.dtype == np.int16
    np.testing.assert_array_equal(d.samples, x)
    np.testing.assert_allclose(d.as_float(10, 20), x[10:20] / 32768.0)


def test_stereo_is_mixed_down_and_the_channel_count_kept(tmp_path: Path):
    left, right = tone(1.0, amp=0.5), np.zeros(SR, np.float32)
    sf.write(tmp_path / "st.flac", np.stack([left, right], axis=1), SR, subtype="PCM_16")
    d = audio.decode(tmp_path / "st.flac", item_id="st")
    assert d.channels == 2
    assert d.samples.ndim == 1
    np.testing.assert_allclose(d.as_float(), left / 2, atol=2 / 32768)
    assert any("2 channels mixed down" in n for n in d.notes)


def test_arrays_of_each_dtype_and_layout():
    x = tone(0.5)
    assert audio.decode(x.astype(np.float64), item_id="a", sample_rate=SR).frames == len(x)
    i16 = (x * 32767).astype(np.int16)
    assert audio.decode(i16, item_id="a", sample_rate=SR).samples.dtype == np.int16
    i32 = (x.astype(np.float64) * 2**31).astype(np.int32)
    np.testing.assert_allclose(
        audio.decode(i32, item_id="a", sample_rate=SR).as_float(), x, atol=1e-6
    )
    u8 = np.full(100, 128, np.uint8)
    np.testing.assert_array_equal(audio.decode(u8, item_id="a", sample_rate=SR).as_float(), 0)
    # channels x samples is turned around; samples x channels is taken as it is
    two = np.stack([x, -x])
    d = audio.decode(two, item_id="a", sample_rate=SR)
    assert (d.channels, d.frames) == (2, len(x))
    assert audio.decode(two.T, item_id="a", sample_rate=SR).frames == len(x)


@pytest.mark.parametrize(
    ("source", "kw", "words"),
    [
        (np.zeros(10, np.float32), {}, "sample_rate="),
        (np.zeros(10, np.float32), {"sample_rate": 0}, "positive whole number"),
        (np.zeros((2, 2, 2), np.float32), {"sample_rate": SR}, "1-D or 2-D"),
        (np.zeros(0, np.float32), {"sample_rate": SR}, "no samples"),
        (np.array(["a", "b"]), {"sample_rate": SR}, "not numbers"),
        (b"", {}, "empty"),
        (b"RIFF\x00\x00not a wav at all", {}, "could not be read as audio"),
        ("/no/such/file.wav", {}, "file not found"),
        (3.5, {}, "not audio"),
    ],
)
def test_bad_input_names_the_item_and_says_why(source, kw, words):
    with pytest.raises(audio.AudioError) as err:
        audio.decode(source, item_id="clip-7", **kw)
    assert "'clip-7'" in str(err.value)
    assert words in str(err.value)


def test_a_wav_with_no_samples_and_a_corrupt_flac(tmp_path: Path):
    sf.write(tmp_path / "empty.wav", np.zeros(0, np.float32), SR)
    with pytest.raises(audio.AudioError, match=r"'e'.*no samples"):
        audio.decode(tmp_path / "empty.wav", item_id="e")
    sf.write(tmp_path / "c.flac", tone(1.0), SR)
    data = bytearray((tmp_path / "c.flac").read_bytes())
    data[4:40] = b"\xff" * 36  # break the stream header
    (tmp_path / "c.flac").write_bytes(bytes(data))
    with pytest.raises(audio.AudioError, match="'c'"):
        audio.decode(tmp_path / "c.flac", item_id="c")


def test_nan_and_infinite_samples_become_silence_with_a_note():
    x = tone(0.1)
    x[5], x[9], x[20] = np.nan, np.inf, -np.inf
    d = audio.decode(x, item_id="odd", sample_rate=SR)
    assert np.isfinite(d.samples).all()
    assert d.samples[[5, 9, 20]].tolist() == [0, 0, 0]
    assert any("'odd'" in n and "3 NaN or infinite" in n for n in d.notes)
    p = audio.peaks(d.samples, d.sample_rate)
    assert all(np.isfinite(level).all() for level in p.levels)


def test_very_high_sample_rates_are_played_at_24_khz_with_a_note():
    d = audio.decode(np.zeros(384_000, np.float32), item_id="bat", sample_rate=384_000)
    assert any("384,000 Hz" in n for n in d.notes)
    assert audio.playback_rate(384_000) == 24_000
    assert audio.Playback(d).rate == 24_000


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (8000, 8000),
        (16000, 16000),
        (22050, 22050),
        (32000, 16000),
        (44100, 22050),
        (48000, 24000),
        (96000, 24000),
        (37800, 24000),
        (1000, 8000),
    ],
)
def test_playback_rate(rate, expected):
    assert audio.playback_rate(rate) == expected


def test_round_time():
    assert audio.round_time(1.23456) == 1.235
    assert audio.round_time(0.0004) == 0.0
    assert audio.round_time(3599.9995) == 3600.0


# -- peaks ------------------------------------------------------------------------------------
def test_peaks_levels_get_coarser_by_the_step_and_cover_every_sample():
    x = tone(10.0)
    p = audio.peaks(x, SR)
    assert p.buckets[0] == audio.MIN_BUCKET
    for i, (bucket, level) in enumerate(zip(p.buckets, p.levels, strict=True)):
        assert level.shape == (math.ceil(len(x) / bucket), 2)
        assert level.dtype == np.int8
        if i:
            assert bucket == p.buckets[i - 1] * audio.LEVEL_STEP
    assert p.levels[-1].shape[0] <= 1024
    assert p.scale == pytest.approx(0.5, rel=1e-3)


def test_the_finest_level_stays_under_the_cap_for_an_hour():
    frames = 3600 * 48_000
    bucket = audio.finest_bucket(frames)
    assert math.ceil(frames / bucket) <= audio.MAX_PEAKS
    assert math.ceil(frames / (bucket // 2)) > audio.MAX_PEAKS


def test_a_click_shows_in_the_peak_at_its_time():
    sr = 8000
    x = np.zeros(sr * 20, np.float32)
    at = 12.3456  # seconds
    x[round(at * sr)] = 0.9
    p = audio.peaks(x, sr)
    for bucket, level in zip(p.buckets, p.levels, strict=True):
        loud = np.flatnonzero(level[:, 1] > 0)
        assert loud.tolist() == [int(at * sr) // bucket]
        # the peak's time span contains the click
        assert loud[0] * bucket / sr <= at < (loud[0] + 1) * bucket / sr


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float32, st.integers(1, 3000), elements=st.floats(-1, 1, width=32)),
    st.sampled_from([8000, 16000, 44100]),
)
def test_peaks_bracket_the_samples_at_every_level(x, sr):
    p = audio.peaks(x, sr, min_peaks=4)
    for bucket, level in zip(p.buckets, p.levels, strict=True):
        n = len(level)
        pad = np.concatenate([x, np.full(n * bucket - len(x), np.nan, np.float32)])
        body = pad.reshape(n, bucket)
        lo, hi = np.nanmin(body, axis=1), np.nanmax(body, axis=1)
        unit = p.scale / 127
        assert (level[:, 0] * unit <= lo + 1e-6).all()
        assert (level[:, 1] * unit >= hi - 1e-6).all()
        assert (level[:, 0] * unit >= lo - unit - 1e-6).all()  # and tightly
        assert (level[:, 1] * unit <= hi + unit + 1e-6).all()


# -- time mapping of playback chunks ----------------------------------------------------------
@pytest.mark.parametrize("sr", [16_000, 44_100, 48_000, 96_000])
def test_a_click_plays_at_its_original_time(sr):
    seconds = 75.0
    x = np.zeros(round(seconds * sr), np.float32)
    at = 61.234  # in the third 30 s chunk
    x[round(at * sr)] = 1.0
    pb = audio.Playback(audio.Decoded(x, sr, 1), chunk_seconds=30.0)
    assert pb.n_chunks == 3
    assert pb.chunk_frames % pb.up == 0
    found = []
    for i in range(pb.n_chunks):
        pcm = pb.chunk(i)
        assert pcm.dtype == np.dtype("<i2")
        j = int(np.argmax(np.abs(pcm)))
        if abs(int(pcm[j])) > 3000:
            found.append(pb.chunk_start(i) + j / pb.rate)
    assert len(found) == 1
    assert found[0] == pytest.approx(at, abs=1.5 / pb.rate)
    assert pb.chunk_start(2) == pytest.approx(2 * 30.0, abs=1 / sr)


def test_chunks_join_into_the_whole_resampled_signal():
    sr = 48_000
    x = tone(7.3, sr, freq=300, amp=0.8)
    pb = audio.Playback(audio.Decoded(x, sr, 1), chunk_seconds=2.0)
    joined = np.concatenate([pb.chunk(i) for i in range(pb.n_chunks)]).astype(np.float32)
    whole = resample_poly(x, pb.up, pb.down) * 32768
    assert len(joined) == pb.frames == len(whole)
    assert np.max(np.abs(joined - whole)) < 0.002 * 32767
    with pytest.raises(IndexError):
        pb.chunk(pb.n_chunks)


def test_chunks_of_int16_audio_at_its_own_rate_are_the_samples():
    x = (tone(3.0) * 32767).astype(np.int16)
    pb = audio.Playback(audio.Decoded(x, SR, 1), chunk_seconds=1.0)
    assert (pb.up, pb.down, pb.n_chunks) == (1, 1, 3)
    np.testing.assert_array_equal(np.concatenate([pb.chunk(i) for i in range(3)]), x)


def test_louder_than_full_scale_is_scaled_not_clipped():
    x = tone(0.5, amp=4000.0)  # int16 values given as floats
    pcm = audio.Playback(audio.Decoded(x, SR, 1)).chunk(0)
    np.testing.assert_allclose(pcm / 32768, x / np.abs(x).max(), atol=1e-4)


def test_decoded_bytes_from_a_buffer_object():
    buf = io.BytesIO()
    sf.write(buf, tone(0.25), SR, format="WAV")
    d = audio.decode(memoryview(buf.getvalue()), item_id="m")
    assert d.duration == pytest.approx(0.25)


def test_a_file_too_long_to_show_is_refused_by_name(tmp_path: Path, monkeypatch):
    sf.write(tmp_path / "long.wav", tone(1.0), SR)
    monkeypatch.setattr(audio, "MAX_FRAMES", SR // 2)
    with pytest.raises(audio.AudioError, match=r"'long'.*too long to show: 16,000 samples"):
        audio.decode(tmp_path / "long.wav", item_id="long")


@pytest.mark.parametrize("sr", [16_000, 48_000, 384_000])
def test_the_longest_chunk_stays_under_the_message_limit(sr):
    d = audio.Decoded(np.zeros(sr * 121, np.int16), sr, 1)
    pb = audio.Playback(d, chunk_seconds=120.0)
    assert pb.chunk_frames * 2 < 8 * 1024 * 1024
    assert pb.chunk(0).nbytes == pb.chunk_frames * 2
