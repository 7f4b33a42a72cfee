"""AudioAnnotator: label clips and draw time segments (speaker turns, transcripts) on a waveform."""

from __future__ import annotations

import importlib
import logging
import math
import os
import pathlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import traitlets

from .. import audio
from ..items import Item, ItemQueue, Sources, collect, media_source_kind
from ..store import Store
from ._base import Annotator, Payload, _check_labels, handles, label_list_validator
from ._checks import finite_number
from ._labels import LabelsArg
from ._loop import OrderSource

__all__ = ["AUDIO_SOURCES", "AudioAnnotator", "audio_items"]

log = logging.getLogger("nblabel")

_STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"

_INFO = ("duration", "sample_rate", "channels", "frames", "format", "notes")

#: Segment times may pass the end of the audio by this much (rounding to the millisecond).
TOLERANCE = 0.001


AUDIO_SOURCES = Sources(
    what="audio file",
    expected="a path to an audio file, encoded bytes or a numpy array of samples",
    kind_of=media_source_kind,
    folder_suffixes=audio.AUDIO_SUFFIXES,
)


def audio_items(items: Any, *, column: str | None = None) -> list[Item]:
    """Normalise ``items`` for an audio widget: a folder, paths, bytes, arrays, Series or frame."""
    return collect(items, AUDIO_SOURCES, column=column)


class AudioAnnotator(Annotator):
    """Label audio in the notebook: clip labels and time segments with a transcript.

    A waveform of each item is drawn in the page; drag on it (or mark start and
    end at the playhead with ``[`` and ``]``) to make a segment, give it a label
    (a speaker or a sound class) with ``1``-``9`` and type its transcript. Every
    edit is stored before the page shows "saved"; ``w.annotations`` holds one row
    per segment (``kind="segment"``, ``start``/``end`` in seconds of the original
    file, to the millisecond, ``label``, ``text``) and per clip label
    (``kind="label"``).

    Parameters
    ----------
    items
        What to label: a folder, paths to WAV, FLAC, OGG, MP3 or AIFF files,
        encoded bytes, numpy arrays of samples (1-D, or samples x channels; give
        ``sample_rate``), a pandas Series (its index gives the item ids) or a
        DataFrame with ``column`` naming the audio column (other columns are
        shown as metadata).
    labels
        The segment labels (speakers or sound classes), in key order.
    annotator
        Who is labeling; defaults to ``$NBLABEL_ANNOTATOR`` or the login name.
    store
        Where annotations are kept: a SQLite file path, a SQLAlchemy URL, a
        :class:`nblabel.Store`, or ``None`` for ``./nblabel.db``.
    clip_labels
        Labels for the whole clip (``Shift+1``-``9`` or the buttons above the
        waveform); ``None`` for none.
    sample_rate
        Samples per second of the numpy arrays among ``items``.
    multi_label
        Allow several clip labels per item.
    advance
        Go to the next item after a clip label is chosen (off by default).
    column
        With a DataFrame of items: the column holding the audio.
    predictions
        A model's output to correct, in the annotation schema: segments
        (``kind="segment"``, ``start``, ``end``, ``label``, optional ``text``;
        a diarization or voice-activity output) and clip labels. Each shows as
        a suggestion to accept (``a``) or reject (``x``). Rows that cannot be
        shown are listed in ``w.prediction_problems``.
    chunk_seconds
        Length of the playback chunks the page fetches while playing.
    order, reorder_every, suggest, instructions, overlap, lease, review, gold, gold_rate
        The model loop and team labeling, alike in every widget that has them:
        written once, in :mod:`nblabel.widgets._params` (on the "Writing a widget"
        page); ``help()`` on the widget shows them in full.

    Notes
    -----
    Keys (while the widget has focus) are listed in its help overlay (``?``):
    ``Space`` play/pause, ``[``/``]`` mark start/end, ``1``-``9`` label,
    ``Enter`` edit the transcript, ``Delete`` remove, ``s``/``l`` play/loop the
    segment, ``z`` undo, ``n``/``p`` next/previous item.

    Examples
    --------
    >>> import numpy as np
    >>> import soundfile
    >>> soundfile.write("talk.wav", np.zeros(16_000), 16_000)  # one second of silence
    >>> w = AudioAnnotator(["talk.wav"], labels=["alice", "bob"],
    ...                    annotator="ana", store="labels.db")
    >>> w          # in a notebook, the widget; as text:
    AudioAnnotator: 0 / 1 labeled by 'ana', showing 'talk.wav'
    >>> w.annotations[["start", "end", "label", "text"]]    # one row per segment, as you go
    Empty DataFrame
    Columns: [start, end, label, text]
    Index: []
    """

    KINDS: ClassVar[tuple[str, ...]] = ("segment", "label", "skip", "comment")
    PAGE_KEYS: ClassVar[Mapping[str, str]] = {
        " ": "play", "[": "mark a start", "]": "mark an end", "{": "move a start",
        "}": "move an end", ",": "previous segment", ".": "next segment", "s": "play the segment",
        "l": "loop the segment", "f": "fit", "+": "zoom in", "=": "zoom in", "-": "zoom out",
        "<": "slower", ">": "faster", "a": "accept", "x": "reject",
    }  # fmt: skip
    PREFETCH: ClassVar[int] = 1
    CACHE: ClassVar[int] = 4
    #: Decoded items kept for playback (the current one and its neighbours).
    DECODED: ClassVar[int] = 3
    #: ... and at most this many bytes of them (a longer item is decoded again when played).
    DECODED_BYTES: ClassVar[int] = 1 << 30

    _esm = _STATIC / "audio.js"
    _css = _STATIC / "audio.css"

    clip_labels = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(
        self,
        items: Any,
        *,
        labels: LabelsArg,
        annotator: str | None = None,
        store: Store | str | os.PathLike[str] | None = None,
        clip_labels: Sequence[str] | None = None,
        sample_rate: int | None = None,
        multi_label: bool = False,
        advance: bool = False,
        column: str | None = None,
        predictions: pd.DataFrame | None = None,
        order: OrderSource | None = None,
        reorder_every: int | None = 10,
        suggest: Callable[[Any], pd.DataFrame] | None = None,
        instructions: str | None = None,
        chunk_seconds: float = 30.0,
        overlap: int | None = None,
        lease: float | None = None,
        review: bool = False,
        gold: pd.DataFrame | None = None,
        gold_rate: float | None = None,
    ) -> None:
        clips = [] if clip_labels is None else _check_labels(clip_labels, "clip_labels")
        if sample_rate is not None and (
            isinstance(sample_rate, bool)
            or not isinstance(sample_rate, (int, np.integer))
            or sample_rate <= 0
        ):
            raise ValueError(
                f"sample_rate: expected a positive whole number of samples per second, "
                f"got {sample_rate!r}"
            )
        if (
            isinstance(chunk_seconds, bool)
            or not isinstance(chunk_seconds, (int, float))
            or not 1.0 <= chunk_seconds <= 120.0
        ):
            raise ValueError(
                f"chunk_seconds: expected a number from 1 to 120, got {chunk_seconds!r}"
            )
        queue = ItemQueue(items, AUDIO_SOURCES, column=column)
        if sample_rate is None:
            for i, value in enumerate(queue.values):
                if isinstance(value, np.ndarray):
                    raise ValueError(
                        f"sample_rate: item {i} ({queue.ids[i]!r}) is an array of samples; "
                        f"give sample_rate= (samples per second)"
                    )
        self._clip_labels = clips
        self._sample_rate = None if sample_rate is None else int(sample_rate)
        self._chunk_seconds = float(chunk_seconds)
        self._durations: dict[str, float] = {}
        self._info: dict[str, dict[str, Any]] = {}
        self._decoded: OrderedDict[str, audio.Playback] = OrderedDict()
        self._decode_lock = threading.Lock()
        super().__init__(
            queue,
            labels=labels,
            annotator=annotator,
            store=store,
            multi_label=multi_label,
            advance=advance,
            predictions=predictions,
            order=order,
            reorder_every=reorder_every,
            suggest=suggest,
            instructions=instructions,
            overlap=overlap,
            lease=lease,
            review=review,
            gold=gold,
            gold_rate=gold_rate,
        )
        self.clip_labels = clips

    # -- public -------------------------------------------------------------------------------
    def duration(self, item: str | None = None) -> float | None:
        """Length in seconds of ``item`` (default: the current one), once it has been loaded."""
        return self._durations.get(self.current_item if item is None else item)

    def audio_info(self, item: str | None = None) -> dict[str, Any] | None:
        """What was read from ``item`` (default: the current one) once loaded, else None.

        ``duration`` (s), ``sample_rate`` (Hz), ``channels`` (before the mixdown),
        ``frames`` (samples per channel), ``format`` and ``notes``.
        """
        found = self._info.get(self.current_item if item is None else item)
        return None if found is None else dict(found)

    # -- hooks --------------------------------------------------------------------------------
    def _kind_labels(self, labels: list[str]) -> dict[str, list[str]]:
        return {"segment": labels, "label": list(self._clip_labels)}

    _valid_clip_labels = label_list_validator("clip_labels")

    @traitlets.observe("clip_labels")
    def _clip_labels_changed(self, change: dict[str, Any]) -> None:
        self._clip_labels = list(change["new"])

    def _decode(self, item: Item) -> audio.Playback:
        with self._decode_lock:
            found = self._decoded.get(item.id)
            if found is not None:
                self._decoded.move_to_end(item.id)
                return found
        decoded = audio.decode(item.source, item_id=item.id, sample_rate=self._sample_rate)
        playback = audio.Playback(decoded, chunk_seconds=self._chunk_seconds)
        with self._decode_lock:
            self._decoded[item.id] = playback
            while len(self._decoded) > self.DECODED or (
                len(self._decoded) > 1
                and sum(p.decoded.samples.nbytes for p in self._decoded.values())
                > self.DECODED_BYTES
            ):
                self._decoded.popitem(last=False)
        self._durations[item.id] = decoded.duration
        return playback

    def _load(self, item: Item) -> Payload:
        try:
            playback = self._decode(item)
        except audio.AudioError as exc:
            return {"error": str(exc)}, []
        decoded = playback.decoded
        peaks = audio.peaks(decoded.samples, decoded.sample_rate)
        if playback.up != playback.down and "scipy.signal" not in sys.modules:
            # The resampler takes a second to import: do it aside once the waveform is
            # on its way (an import at once would slow the first message), before Play.
            timer = threading.Timer(0.5, importlib.import_module, args=("scipy.signal",))
            timer.daemon = True
            timer.start()
        info = {
            "duration": decoded.duration,
            "sample_rate": decoded.sample_rate,
            "frames": decoded.frames,
            "channels": decoded.channels,
            "format": decoded.format,
            "notes": list(decoded.notes),
            "peaks": {"buckets": list(peaks.buckets), "scale": peaks.scale},
            "playback": {
                "rate": playback.rate,
                "chunk_frames": playback.chunk_frames,
                "n_chunks": playback.n_chunks,
            },
        }
        self._info[item.id] = {k: info[k] for k in _INFO}
        return info, [level.tobytes() for level in peaks.levels]

    def _suggestion_problem(self, payload: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
        if row.get("kind") != "segment":
            return None
        duration = float(payload.get("duration", math.inf))
        start, end = float(row["start"]), float(row["end"])
        if start < 0 or end > duration + TOLERANCE:
            return f"segment {start:g}-{end:g} s is outside the audio (0-{duration:.3f} s)"
        return None

    def _normalise_row(self, item: Item, out: dict[str, Any]) -> dict[str, Any]:
        if out["kind"] == "segment":
            start = finite_number(out.get("start"), "start", "a number of seconds")
            end = finite_number(out.get("end"), "end", "a number of seconds")
            out["start"], out["end"] = audio.round_time(start), audio.round_time(end)
            text = out.get("text")
            if text is not None and not isinstance(text, str):
                raise ValueError(f"text (the transcript) must be a string, got {text!r}")
        return out

    def _check_edit(self, item: Item, rows: list[dict[str, Any]]) -> None:
        super()._check_edit(item, rows)
        segments = [r for r in rows if r["kind"] == "segment"]
        if not segments:
            return
        duration = self._durations.get(item.id)
        if duration is None:
            raise ValueError(f"item {item.id!r} has not been loaded, so it cannot take segments")
        for r in segments:
            start, end = float(r["start"]), float(r["end"])
            if not (math.isfinite(start) and math.isfinite(end)):
                raise ValueError(f"item {item.id!r}: segment times must be finite")
            if start < 0 or end < start or end > duration + TOLERANCE:
                raise ValueError(
                    f"item {item.id!r}: segment {start:.3f}-{end:.3f} s must lie within "
                    f"0-{duration:.3f} s with start <= end"
                )

    # -- playback chunks ----------------------------------------------------------------------
    def _static_source(self, item: Item) -> tuple[Any, dict[str, Any]]:
        return item.source, {"sample_rate": self._sample_rate}

    @handles("audio")
    def _send_chunk(self, content: Mapping[str, Any], _buffers: Any = None) -> None:
        """Answer ``{"type": "audio", "item_id": id, "chunk": i}`` with 16-bit PCM."""
        item_id = str(content.get("item_id"))
        chunk = content.get("chunk")
        answer: dict[str, Any] = {"type": "audio", "item_id": item_id, "chunk": chunk}
        position = self._position_of(item_id)
        if position is None or not isinstance(chunk, int) or isinstance(chunk, bool):
            self.send({**answer, "error": f"no playback chunk {chunk!r} of item {item_id!r}"})
            return
        try:
            playback = self._decode(self._item(position))
            pcm = playback.chunk(chunk)
        except (audio.AudioError, IndexError) as exc:
            self.send({**answer, "error": f"item {item_id!r}: {exc}"})
            return
        answer.update(start=playback.chunk_start(chunk), rate=playback.rate, frames=len(pcm))
        self.send(answer, buffers=[pcm.tobytes()])
