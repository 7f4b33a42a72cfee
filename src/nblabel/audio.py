"""Audio for the widgets and static views: decoding, mixdown, waveform peaks, playback chunks.

Pure numpy/soundfile code, no widget and no browser:

* :func:`decode` reads a file path, encoded bytes or a numpy array into mono float32
  samples at the original sample rate (multichannel audio is averaged; the channel
  count is kept), replacing NaN/infinite samples by silence with a note.
* :func:`peaks` computes min/max pairs at several resolutions, so a waveform stays
  sharp at any zoom without sending the samples.
* :class:`Playback` cuts the audio into chunks of 16-bit PCM at a rate browsers play
  well (at most 24 kHz), resampled chunk by chunk on demand.

Times are always seconds of the original file: sample ``n`` is at ``n / sample_rate``,
whatever rate the browser plays at. :func:`round_time` rounds to the millisecond.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from . import remote
from .media import MediaError

__all__ = [
    "AUDIO_SUFFIXES",
    "AudioError",
    "Decoded",
    "Peaks",
    "Playback",
    "decode",
    "peaks",
    "playback_rate",
    "round_time",
]

#: File suffixes read as audio (by libsndfile through soundfile).
AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".oga", ".mp3", ".aiff", ".aif"})

#: Longest playback rate sent to the browser; speech and most labeling needs far less.
MAX_PLAYBACK_RATE = 24_000
#: Frames read per block while decoding (keeps memory near the mono result).
_BLOCK = 1 << 22
#: Most min/max pairs in the finest peak level (2 bytes each as int8 pairs).
MAX_PEAKS = 1 << 20
#: Longest item, in samples per channel (about 10 h at 16 kHz, 3.5 h at 48 kHz).
MAX_FRAMES = 600_000_000
#: Fewest original samples per peak in the finest level.
MIN_BUCKET = 16
#: Each coarser level has this many times fewer peaks.
LEVEL_STEP = 8

Samples = npt.NDArray[np.float32]


class AudioError(MediaError):
    """An audio item could not be loaded; the message names the item and says why."""


def round_time(seconds: float) -> float:
    """Seconds rounded to the millisecond (the precision stored for segment times)."""
    return round(float(seconds) * 1000.0) / 1000.0


@dataclass(frozen=True)
class Decoded:
    """Mono samples of one item at its original rate.

    ``samples`` are int16 (read from 16-bit or narrower sources, the cheap exact form)
    or float32 in about [-1, 1]; :meth:`as_float` gives float32 either way.
    ``channels`` is the original channel count; ``notes`` say what was done to show
    the audio (mixdown, NaN repair).
    """

    samples: npt.NDArray[Any]
    sample_rate: int
    channels: int
    notes: tuple[str, ...] = ()
    format: str = ""

    @property
    def frames(self) -> int:
        """Number of samples per channel."""
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        """Length in seconds (frames / sample rate)."""
        return self.frames / self.sample_rate

    def as_float(self, start: int = 0, stop: int | None = None) -> Samples:
        """Samples ``[start, stop)`` as float32 in [-1, 1] (int16 divided by 32768)."""
        return _to_float(self.samples[start:stop])


def _to_float(part: npt.NDArray[Any]) -> Samples:
    if part.dtype == np.int16:
        return part.astype(np.float32) * np.float32(1.0 / 32768.0)
    return np.asarray(part, dtype=np.float32)


def _as_samples(array: npt.NDArray[Any], item_id: str) -> npt.NDArray[Any]:
    """int16 stays int16 (the cheapest exact form); everything else becomes float32."""
    kind = array.dtype.kind
    if array.dtype == np.int16:
        return array
    if kind == "f":
        return np.asarray(array, dtype=np.float32)
    if kind == "i":
        scale = float(2 ** (8 * array.dtype.itemsize - 1))
        return (array.astype(np.float64) / scale).astype(np.float32)
    if kind == "u":
        half = float(2 ** (8 * array.dtype.itemsize - 1))
        return ((array.astype(np.float64) - half) / half).astype(np.float32)
    if kind == "b":
        return array.astype(np.float32)
    raise AudioError(item_id, f"samples of dtype {array.dtype} are not numbers")


def _mix(block: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Average the channels of a (frames, channels) block, keeping int16 as int16."""
    if block.shape[1] == 1:
        return block[:, 0]
    # Column by column: numpy reduces a short last axis slowly.
    acc = block[:, 0].astype(np.int32 if block.dtype == np.int16 else np.float32)
    for c in range(1, block.shape[1]):
        acc += block[:, c]
    out: npt.NDArray[Any] = (
        (acc // block.shape[1]).astype(np.int16)
        if block.dtype == np.int16
        else (acc / np.float32(block.shape[1])).astype(np.float32)
    )
    return out


def _from_array(
    array: npt.NDArray[Any], item_id: str, sample_rate: Any
) -> tuple[npt.NDArray[Any], int]:
    if sample_rate is None:
        raise AudioError(item_id, "an array of samples needs sample_rate= (samples per second)")
    if array.ndim == 1:
        return _as_samples(array, item_id), 1
    if array.ndim == 2:
        # samples x channels; a (channels x samples) array with few rows is turned around.
        if array.shape[0] < array.shape[1] and array.shape[0] <= 8:
            array = array.T
        return _mix(_as_samples(array, item_id)), int(array.shape[1])
    raise AudioError(
        item_id, f"an array of samples must be 1-D or 2-D (samples x channels), got {array.ndim}-D"
    )


#: libsndfile subtypes read as int16 without losing anything.
_INT16_SUBTYPES = frozenset({"PCM_16", "PCM_S8", "PCM_U8", "ULAW", "ALAW", "GSM610", "IMA_ADPCM"})


def _read(handle: Any, item_id: str, what: str) -> tuple[npt.NDArray[Any], int, int, str]:
    import soundfile as sf

    try:
        f = sf.SoundFile(handle)
    except Exception as exc:  # libsndfile's own words say what is wrong
        why = str(exc)
        if why.startswith("Error opening") and ": " in why:
            why = why.split(": ", 1)[1]
        raise AudioError(item_id, f"{what} could not be read as audio ({why})") from exc
    with f:
        channels, rate, fmt = int(f.channels), int(f.samplerate), str(f.format)
        if f.frames > MAX_FRAMES:
            raise AudioError(
                item_id,
                f"{what} is too long to show: {f.frames:,} samples per channel "
                f"({f.frames / max(rate, 1) / 3600:.1f} h at {rate:,} Hz; the limit is "
                f"{MAX_FRAMES:,}); split it into shorter files",
            )
        dtype = "int16" if f.subtype in _INT16_SUBTYPES else "float32"
        try:
            if channels == 1:
                samples = f.read(-1, dtype=dtype, always_2d=True)[:, 0]
            else:
                blocks = []
                while True:
                    block = f.read(_BLOCK, dtype=dtype, always_2d=True)
                    if block.shape[0] == 0:
                        break
                    blocks.append(_mix(block))
                samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype)
        except Exception as exc:
            raise AudioError(item_id, f"{what} is damaged: decoding stopped ({exc})") from exc
    return np.ascontiguousarray(samples), rate, channels, fmt


def decode(source: Any, *, item_id: str, sample_rate: int | None = None) -> Decoded:
    """Read one audio item: a path, encoded bytes, or a numpy array with ``sample_rate``.

    Raises :class:`AudioError` naming the item when it cannot be shown (missing or
    unreadable file, no samples, a bad sample rate).
    """
    notes: list[str] = []
    fmt = ""
    if isinstance(source, np.ndarray):
        samples, channels = _from_array(source, item_id, sample_rate)
        rate: Any = sample_rate
    elif remote.is_url(source):
        try:
            data = remote.read_bytes(source)
        except remote.RemoteError as exc:
            raise AudioError(item_id, str(exc)) from None
        samples, rate, channels, fmt = _read(io.BytesIO(data), item_id, repr(source))
    elif isinstance(source, (str, os.PathLike)):
        path = Path(os.fspath(source)).expanduser()
        if not path.is_file():
            raise AudioError(item_id, f"file not found: {path}")
        samples, rate, channels, fmt = _read(str(path), item_id, f"the file {path.name!r}")
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise AudioError(item_id, "the bytes are empty")
        samples, rate, channels, fmt = _read(io.BytesIO(data), item_id, "the bytes")
    else:
        raise AudioError(
            item_id, f"a {type(source).__name__} is not audio (expected a path, bytes or array)"
        )
    if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)) or rate <= 0:
        raise AudioError(item_id, f"sample_rate must be a positive whole number, got {rate!r}")
    rate = int(rate)
    if samples.shape[0] == 0:
        raise AudioError(item_id, "the audio has no samples")
    if samples.dtype != np.int16:
        bad = ~np.isfinite(samples)
        n_bad = int(np.count_nonzero(bad))
        if n_bad:
            samples = np.where(bad, np.float32(0.0), samples).astype(np.float32)
            notes.append(
                f"item {item_id!r}: {n_bad:,} NaN or infinite samples are shown and played "
                f"as silence"
            )
    if channels > 1:
        notes.append(f"{channels} channels mixed down to one for display and playback")
    if rate > MAX_PLAYBACK_RATE * 8:
        notes.append(
            f"sample rate {rate:,} Hz: played at {playback_rate(rate):,} Hz "
            f"(sounds above {playback_rate(rate) // 2:,} Hz are not heard)"
        )
    return Decoded(np.ascontiguousarray(samples), rate, channels, tuple(notes), fmt)


@dataclass(frozen=True)
class Peaks:
    """Waveform peaks at several resolutions.

    ``levels[i]`` is an int8 array of shape (n, 2) holding (min, max) of each run of
    ``buckets[i]`` original samples, scaled so that 127 is ``scale``. Bucket ``j`` of
    level ``i`` covers samples ``[j * buckets[i], (j + 1) * buckets[i])``.
    """

    buckets: tuple[int, ...]
    levels: tuple[npt.NDArray[np.int8], ...]
    scale: float
    sample_rate: int
    frames: int = field(default=0)

    def seconds_per_peak(self, level: int) -> float:
        """Duration covered by one peak of ``level``."""
        return self.buckets[level] / self.sample_rate


def finest_bucket(frames: int) -> int:
    """Samples per peak of the finest level: a power of two >= MIN_BUCKET, <= MAX_PEAKS peaks."""
    bucket = MIN_BUCKET
    while math.ceil(frames / bucket) > MAX_PEAKS:
        bucket *= 2
    return bucket


def _minmax(x: npt.NDArray[Any], bucket: int) -> tuple[Samples, Samples]:
    starts = np.arange(0, x.shape[0], bucket)
    lo = _to_float(np.minimum.reduceat(x, starts))
    hi = _to_float(np.maximum.reduceat(x, starts))
    return lo, hi


def _fold(lo: Samples, hi: Samples, step: int) -> tuple[Samples, Samples]:
    n = lo.shape[0]
    pad = (-n) % step
    if pad:
        lo = np.concatenate([lo, np.full(pad, lo[-1], np.float32)])
        hi = np.concatenate([hi, np.full(pad, hi[-1], np.float32)])
    return lo.reshape(-1, step).min(axis=1), hi.reshape(-1, step).max(axis=1)


def peaks(samples: npt.NDArray[Any], sample_rate: int, *, min_peaks: int = 1024) -> Peaks:
    """Min/max peaks of mono ``samples`` (int16 or float) at several resolutions, finest first.

    The finest level has at most :data:`MAX_PEAKS` pairs; each next one is
    :data:`LEVEL_STEP` times coarser, down to about ``min_peaks`` pairs.
    """
    if samples.ndim != 1 or samples.size == 0:
        raise ValueError("peaks: expected a non-empty 1-D array of samples")
    bucket = finest_bucket(samples.shape[0])
    lo, hi = _minmax(samples, bucket)
    scale = float(max(np.abs(lo).max(), np.abs(hi).max()))
    if not math.isfinite(scale) or scale <= 0.0:
        scale = 1.0
    buckets: list[int] = []
    levels: list[npt.NDArray[np.int8]] = []
    factor = np.float32(127.0 / scale)
    while True:
        pairs = np.empty((lo.shape[0], 2), np.int8)
        pairs[:, 0] = np.clip(np.floor(lo * factor), -127, 127)
        pairs[:, 1] = np.clip(np.ceil(hi * factor), -127, 127)
        buckets.append(bucket)
        levels.append(pairs)
        if lo.shape[0] <= min_peaks:
            break
        lo, hi = _fold(lo, hi, LEVEL_STEP)
        bucket *= LEVEL_STEP
    return Peaks(tuple(buckets), tuple(levels), scale, sample_rate, int(samples.shape[0]))


def playback_rate(sample_rate: int) -> int:
    """The rate the browser plays an item of ``sample_rate`` at (at most 24 kHz)."""
    if sample_rate < 3000:  # below what Web Audio buffers take
        return 8000
    if sample_rate <= MAX_PLAYBACK_RATE:
        return sample_rate
    for rate in (24_000, 22_050, 16_000):
        if sample_rate % rate == 0:
            return rate
    return MAX_PLAYBACK_RATE


class Playback:
    """An item's audio as chunks of 16-bit PCM at :func:`playback_rate`, made on demand.

    Chunk ``i`` holds playback samples ``[i * chunk_frames, (i + 1) * chunk_frames)``,
    which start at ``i * chunk_frames / rate`` seconds of the original timeline exactly.
    """

    def __init__(self, decoded: Decoded, *, chunk_seconds: float = 30.0) -> None:
        self.sample_rate = decoded.sample_rate
        self.rate = playback_rate(decoded.sample_rate)
        g = math.gcd(self.rate, self.sample_rate)
        self.up, self.down = self.rate // g, self.sample_rate // g
        self.decoded = decoded
        # A multiple of `up`, so that every chunk starts on a whole original sample.
        self.chunk_frames = max(self.up, round(chunk_seconds * self.rate / self.up) * self.up)
        self.frames = math.ceil(decoded.frames * self.up / self.down)
        self.n_chunks = max(1, math.ceil(self.frames / self.chunk_frames))
        samples = decoded.samples
        peak = 0.0 if samples.dtype == np.int16 else float(np.abs(samples).max())
        # Louder than full scale (say, int16 values passed as floats): scale down, never clip.
        self._gain = 1.0 / peak if peak > 1.0 else 1.0

    @property
    def chunk_seconds(self) -> float:
        """Length of a chunk in seconds."""
        return self.chunk_frames / self.rate

    def chunk_start(self, index: int) -> float:
        """Where chunk ``index`` starts, in seconds of the original timeline."""
        return index * self.chunk_frames / self.rate

    def chunk(self, index: int) -> npt.NDArray[np.int16]:
        """Chunk ``index`` as int16 samples at :attr:`rate`."""
        if not 0 <= index < self.n_chunks:
            raise IndexError(f"chunk {index} is outside 0..{self.n_chunks - 1}")
        out_start = index * self.chunk_frames
        out_end = min(out_start + self.chunk_frames, self.frames)
        if self.up == self.down == 1:
            part = self.decoded.as_float(out_start, out_end)
        else:
            from scipy.signal import resample_poly

            start = out_start // self.up * self.down
            pad = self.down * max(4, math.ceil(64 / self.up))
            a = max(0, start - pad)
            b = min(self.decoded.frames, out_end * self.down // self.up + pad + self.down)
            res = resample_poly(self.decoded.as_float(a, b), self.up, self.down)
            res = res.astype(np.float32)
            skip = (start - a) * self.up // self.down
            part = res[skip : skip + (out_end - out_start)]
            if part.shape[0] < out_end - out_start:
                part = np.concatenate(
                    [part, np.zeros(out_end - out_start - part.shape[0], np.float32)]
                )
        scaled = np.clip(part * np.float32(self._gain * 32768.0), -32768, 32767)
        return np.ascontiguousarray(np.rint(scaled).astype("<i2"))
