"""VideoAnnotator: boxes and tracks on video frames, with keyframe interpolation.

Page messages this widget adds to those of :mod:`nblabel.widgets._base`
-----------------------------------------------------------------------
page -> kernel
    ``{"type": "frames", "item_id": id, "frames": [k, k1, k2, ...], "side": px}``
        the page wants frame ``k`` shown now, then ``k1, k2, ...`` (the frames
        it will need next: the prefetch around the playhead, in the order it
        wants them). A newer ``frames`` message replaces an older one: frames
        of the older list not sent yet are dropped, so scrubbing never queues
        stale work. ``side`` (optional) is the long side, in device pixels, at
        which the page draws the frame: frames are scaled to it when decoded
        (rounded up to a multiple of 160, at most ``max_side``).

kernel -> page
    ``{"type": "frame", "item_id": id, "frame": k, "time": seconds,
    "mime": "image/jpeg", "display_width": w, "display_height": h}``
        with one binary buffer, the frame's image at display size. Frame ``k``
        is the ``k``-th frame in presentation order (see
        :mod:`nblabel.video.reader`), also after a seek and for
        variable-frame-rate files.
    ``{"type": "frame", "item_id": id, "frame": k, "error": message}``
        the frame could not be decoded; the message names the item and frame.

The ``item`` message of a video carries ``frames``, ``fps``, ``duration``,
``width``/``height`` (the upright frame: box coordinates), ``rotation``,
``codec``, ``variable_frame_rate``, ``notes`` and two buffers: the frames'
times (float64 seconds from frame 0, one per frame) and frame 0's image.

Rows
----
A box is a keyframe of a track: kind ``box`` with ``frame``, ``track_id`` and
``outside`` (True where the object leaves the view; it carries the box the
object had when it left). The frames between keyframes are interpolated by
:func:`nblabel.video.interpolate`'s rule, held to the video's last frame after a
track's last keyframe; :attr:`VideoAnnotator.per_frame` gives one row per frame.
Whole-video labels are kind ``label`` without a frame.

A frame range ("pedestrian crossing from frame 120 to 180", ``frame_labels=``)
is kind ``segment``: the page sends ``frame`` (the first frame) and
``extra: {"last_frame": k}`` (the last, inclusive); the kernel fills ``start``
and ``end`` in seconds from the video's frame times (see
:mod:`nblabel.video.segments`), whatever the page sent for them.

A model's tracks (``predictions=``/``suggest=`` with box keyframe rows) reach
the page as suggestions, one per keyframe; the page groups them by
``track_id`` (a box without one is a track of its own) and accepts or rejects
a whole track in one edit: the keyframes as new human rows of a new track, the
suggestions' ids in ``accepted`` (or all of them in ``rejected``).
"""

from __future__ import annotations

import logging
import os
import pathlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import traitlets

from ..items import Item, ItemQueue, Sources, media_source_kind
from ..store import Store
from ..video import VIDEO_SUFFIXES, VideoError, VideoReader, frame_range, interpolate
from ._base import Annotator, Payload, _check_labels, handles, label_list_validator
from ._checks import finite_number
from ._video_suggestions import suggestion_problem

__all__ = ["VIDEO_SOURCES", "VideoAnnotator"]

log = logging.getLogger("nblabel")

_STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"

#: Box coordinates may pass the frame's edge by this much (rounding in the page).
_EDGE = 0.5


def _video_source_kind(value: Any) -> str | None:
    kind = media_source_kind(value)
    return None if kind == "array" else kind  # a video is a file, not an array of pixels


VIDEO_SOURCES = Sources(
    what="video file",
    expected="a path to a video file (MP4, WebM, MOV...) or its bytes",
    kind_of=_video_source_kind,
    folder_suffixes=VIDEO_SUFFIXES,
    singles=(bytes, bytearray, memoryview),
)


class VideoAnnotator(Annotator):
    """Label videos in the notebook: boxes tracked through frames, frame ranges, video labels.

    Draw a box on a frame to start a track; on another frame, move or resize it to
    add a keyframe: the frames between are interpolated linearly (drawn dashed).
    End a track where the object leaves (``o``) and draw it again where it comes
    back. Every edit is stored before the page shows "saved"; ``w.annotations``
    holds the keyframes (kind ``box`` with ``frame``, ``track_id``, ``outside``)
    and ``w.per_frame`` one row per frame, ready for
    :func:`nblabel.formats.mot.write_mot`. Frame ranges ("pedestrian crossing from
    frame 120 to 180") are marked with ``[`` (in) and ``]`` (out) at the playhead and
    shown as bands on the timeline; they are rows of kind ``segment`` with ``frame``
    the first frame, ``extra["last_frame"]`` the last (inclusive) and ``start``/``end``
    the same range in seconds (:func:`nblabel.video.frame_ranges` lists them with
    ``first_frame`` and ``last_frame`` columns).

    Parameters
    ----------
    items
        Video files (MP4/H.264, WebM, MOV, MKV...) as paths or bytes, a folder, a
        pandas Series (its index gives the item ids) or a DataFrame with ``column``
        naming the path column. Decoded in the kernel with PyAV
        (``pip install "nblabel[video]"``); frames reach the page as JPEG at
        display size, prefetched around the playhead.
    labels
        The box (track) classes, in key order.
    tools
        ``["box"]`` (the default) to draw tracks, ``[]`` for whole-video labels only.
    clip_labels
        Labels for the whole video (``Shift+1``-``9``); ``None`` for none.
    frame_labels
        Labels for frame ranges (events such as "crossing"); ``None`` for none. A
        range takes the label chosen in the page's frame-range list (``l`` cycles).
    annotator, store, column
        As for :class:`nblabel.ImageAnnotator`.
    predictions
        A model's annotations in the annotation schema: whole-video labels are
        suggested (accept with a click); box keyframe rows (``frame``, ``track_id``,
        ``outside``; a tracker's output read with :func:`nblabel.formats.mot.read_mot`)
        are suggested tracks, drawn dotted and interpolated like the person's, that
        are accepted or rejected whole (``a``/``x`` on the selected one, or the
        buttons of the suggested-tracks list); frame ranges are suggested likewise.
        Rows that cannot be shown are listed in ``w.prediction_problems``.
    suggest
        A model's live suggestions, ``suggest(item) -> DataFrame`` in the same
        schema as ``predictions``, called in a worker thread (see
        :class:`nblabel.ImageAnnotator`).
    multi_label
        Allow several whole-video labels per item.
    max_side
        Longest side, in pixels, of the frames sent to the page (coordinates stay
        in pixels of the upright original frame).
    quality
        JPEG quality of the frames sent to the page.

    Notes
    -----
    Keys are listed in the page's help (``?``): ``Space`` play/pause, ``.``/``,``
    (or ``→``/``←``) one frame, ``Shift+→``/``Shift+←`` one second, ``Home``/``End``,
    ``g`` go to a frame, ``-``/``=`` speed, ``j``/``k`` previous/next keyframe,
    ``[``/``]`` mark a frame range's in/out at the playhead,
    ``1``-``9`` track label, ``o`` end the selected track here, ``Delete`` delete
    the keyframe here, ``Shift+Delete`` the whole track, ``z``/``Shift+z``
    undo/redo, ``n``/``p`` next/previous video.
    """

    KINDS: ClassVar[tuple[str, ...]] = ("box", "label", "segment")
    PREFETCH: ClassVar[int] = 1
    CACHE: ClassVar[int] = 3
    #: Open videos kept (each holds its frame index, a decoder and a few frames).
    READERS: ClassVar[int] = 3
    #: Most frames one ``frames`` message may ask for.
    MAX_FRAMES_ASKED: ClassVar[int] = 120

    _esm = _STATIC / "video.js"
    _css = _STATIC / "video.css"

    clip_labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    frame_labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    tools = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(
        self,
        items: Any,
        *,
        labels: Sequence[str],
        tools: Sequence[str] = ("box",),
        clip_labels: Sequence[str] | None = None,
        frame_labels: Sequence[str] | None = None,
        annotator: str | None = None,
        store: Store | str | os.PathLike[str] | None = None,
        predictions: pd.DataFrame | None = None,
        suggest: Callable[[Any], pd.DataFrame] | None = None,
        column: str | None = None,
        multi_label: bool = False,
        max_side: int = 1280,
        quality: int = 85,
    ) -> None:
        if isinstance(tools, str) or not isinstance(tools, Sequence):
            raise TypeError(f"tools: expected a list such as ['box'], got {tools!r}")
        tools_ = list(dict.fromkeys(tools))
        if any(t != "box" for t in tools_):
            raise ValueError(f"tools: {tools_} must be ['box'] or []")
        clips = [] if clip_labels is None else _check_labels(clip_labels, "clip_labels")
        ranges = [] if frame_labels is None else _check_labels(frame_labels, "frame_labels")
        if not tools_ and not clips and not ranges:
            raise ValueError(
                "give tools=['box'], clip_labels or frame_labels (there is nothing to label)"
            )
        if isinstance(max_side, bool) or not isinstance(max_side, int) or max_side < 16:
            raise ValueError(f"max_side: expected a whole number of pixels >= 16, got {max_side!r}")
        if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
            raise ValueError(f"quality: expected a whole number from 1 to 100, got {quality!r}")
        kinds = tuple(
            k
            for k, on in (("box", bool(tools_)), ("label", bool(clips)), ("segment", bool(ranges)))
            if on
        )
        self._clip_labels = clips
        self._frame_labels = ranges
        self._max_side = max_side
        self._quality = quality
        self._readers: OrderedDict[str, VideoReader] = OrderedDict()
        self._readers_lock = threading.Lock()
        self._video_info: dict[str, dict[str, Any]] = {}
        # the page's latest wish: (item id, frames); a worker sends them one by one
        self._want: tuple[str, list[int]] | None = None
        self._side = max_side  # the long side of the frames the page shows (see _frames)
        self._want_changed = threading.Condition()
        self._want_fresh = False
        self._frame_worker: threading.Thread | None = None
        self._closed = False
        queue = ItemQueue(items, VIDEO_SOURCES, column=column)
        super().__init__(
            queue,
            labels=labels,
            annotator=annotator,
            store=store,
            multi_label=multi_label,
            advance=False,
            predictions=predictions,
            kinds=kinds,
            suggest=suggest,
        )
        self.clip_labels = clips
        self.frame_labels = ranges
        self.tools = tools_

    # -- public -------------------------------------------------------------------------------
    def video_info(self, item: str | None = None) -> dict[str, Any] | None:
        """What was read from ``item`` (default: the current one) once loaded, else None.

        ``frames``, ``fps``, ``duration`` (s), ``width``/``height`` (upright),
        ``rotation``, ``codec``, ``variable_frame_rate`` and ``notes``.
        """
        found = self._video_info.get(self.current_item if item is None else item)
        return None if found is None else dict(found)

    @property
    def per_frame(self) -> pd.DataFrame:
        """The annotations with each track expanded to one row per frame, as the page shows them.

        Tracks hold their last keyframe to the video's last frame (the page's rule), so
        each item's video is opened to count its frames.
        """
        rows = self.annotations
        counts = {}
        for item_id in rows["item_id"].dropna().unique():
            counts[str(item_id)] = self._reader(str(item_id)).info.frames
        return interpolate(rows, n_frames=counts)

    def close(self) -> None:
        """Close the widget's views, stop decoding and release the videos."""
        self._closed = True
        changed = getattr(self, "_want_changed", None)  # absent when the constructor raised
        if changed is not None:
            with changed:
                self._want = None
                changed.notify_all()
            with self._readers_lock:
                for reader in self._readers.values():
                    reader.close()
                self._readers.clear()
        super().close()

    # -- videos -------------------------------------------------------------------------------
    def _reader(self, item_id: str) -> VideoReader:
        with self._readers_lock:
            found = self._readers.get(item_id)
            if found is not None:
                self._readers.move_to_end(item_id)
                return found
        position = self._position_of(item_id)
        if position is None:
            raise KeyError(f"unknown item {item_id!r}")
        reader = VideoReader(self._item(position).source, item_id=item_id)
        with self._readers_lock:
            other = self._readers.get(item_id)
            if other is not None:  # opened by another thread meanwhile
                reader.close()
                return other
            self._readers[item_id] = reader
            while len(self._readers) > self.READERS:
                _, old = self._readers.popitem(last=False)
                old.close()
        info = reader.info
        self._video_info[item_id] = {
            "frames": info.frames,
            "fps": info.fps,
            "duration": info.duration,
            "width": info.width,
            "height": info.height,
            "rotation": info.rotation,
            "codec": info.codec,
            "variable_frame_rate": info.variable_frame_rate,
            "notes": list(info.notes),
        }
        return reader

    def _display(
        self, reader: VideoReader, k: int, side: int | None = None
    ) -> tuple[dict[str, Any], bytes]:
        side = self._max_side if side is None else side
        shown = reader.display(k, max_side=side, quality=self._quality)
        meta = {
            "frame": k,
            "time": shown.time,
            "mime": shown.mime,
            "display_width": shown.display_width,
            "display_height": shown.display_height,
        }
        return meta, shown.data

    # -- hooks --------------------------------------------------------------------------------
    def _load(self, item: Item) -> Payload:
        try:
            reader = self._reader(item.id)
            meta, first = self._display(reader, 0)
        except VideoError as exc:
            return {"error": str(exc)}, []
        info = dict(self._video_info[item.id])
        info.update(mime=meta["mime"], display_width=meta["display_width"])
        info["display_height"] = meta["display_height"]
        return info, [np.asarray(reader.times, dtype="<f8").tobytes(), first]

    def _kind_labels(self, labels: list[str]) -> dict[str, list[str]]:
        return {"box": labels, "label": list(self._clip_labels), "segment": self._frame_labels}

    _valid_clip_labels = label_list_validator("clip_labels")
    _valid_frame_labels = label_list_validator("frame_labels")

    @traitlets.observe("clip_labels")
    def _clip_labels_changed(self, change: dict[str, Any]) -> None:
        self._clip_labels = list(change["new"])

    @traitlets.observe("frame_labels")
    def _frame_labels_changed(self, change: dict[str, Any]) -> None:
        self._frame_labels = list(change["new"])

    def _row_defaults(self, item: Item) -> dict[str, Any]:
        info = self._video_info.get(item.id)
        if info is None:
            return {}
        return {"image_width": info["width"], "image_height": info["height"]}

    def _normalise_row(self, item: Item, row: dict[str, Any]) -> dict[str, Any]:
        if row["kind"] == "label":
            if row.get("frame") is not None:
                raise ValueError("a whole-video label has no frame")
            return row
        if row["kind"] == "segment":
            return self._frame_range_row(item, row)
        frame = row.get("frame")
        if isinstance(frame, bool) or not isinstance(frame, int) or frame < 0:
            raise ValueError(f"a box needs a frame (a whole number >= 0), got {frame!r}")
        track = row.get("track_id")
        if not isinstance(track, str) or not track:
            raise ValueError(f"a box needs a track_id (text), got {track!r}")
        outside = row.get("outside", False)
        if not isinstance(outside, bool):
            raise ValueError(f"outside must be true or false, got {outside!r}")
        row["outside"] = outside
        for name in ("x", "y", "width", "height"):
            row[name] = finite_number(row.get(name), name)
        if row["width"] < 0 or row["height"] < 0:
            raise ValueError("a box's width and height must not be negative")
        return row

    def _frame_range_row(self, item: Item, row: dict[str, Any]) -> dict[str, Any]:
        """A frame range from the page: its seconds derived from its frames."""
        extra = row.get("extra")
        if not isinstance(extra, Mapping) or extra.get("last_frame") is None:
            raise ValueError(
                f'a frame range needs extra: {{"last_frame": k}} (its last frame), got {extra!r}'
            )
        try:
            reader = self._reader(item.id)
        except VideoError as exc:
            raise ValueError(str(exc)) from exc
        try:
            filled = frame_range(
                reader.times, reader.info.duration, row.get("frame"), extra["last_frame"]
            )
        except ValueError as exc:
            raise ValueError(f"item {item.id!r}: frame range: {exc}") from exc
        text = row.get("text")
        if text is not None and not isinstance(text, str):
            raise ValueError(f"a frame range's text must be text, got {text!r}")
        return {**row, **filled, "extra": {**extra, **filled["extra"]}}

    def _check_edit(self, item: Item, rows: list[dict[str, Any]]) -> None:
        clip = [r for r in rows if r["kind"] == "label"]
        super()._check_edit(item, clip)
        boxes = [r for r in rows if r["kind"] == "box"]
        if not boxes:
            return
        info = self._video_info.get(item.id)
        if info is None:
            raise ValueError(f"item {item.id!r} has not been loaded, so it cannot take boxes")
        n, width, height = info["frames"], info["width"], info["height"]
        seen: dict[tuple[str, int], str] = {}
        labels: dict[str, str] = {}
        for r in boxes:
            frame, track = int(r["frame"]), str(r["track_id"])
            if frame >= n:
                raise ValueError(
                    f"item {item.id!r}: frame {frame} is past the last frame ({n - 1})"
                )
            x, y, w, h = (float(r[k]) for k in ("x", "y", "width", "height"))
            if x < -_EDGE or y < -_EDGE or x + w > width + _EDGE or y + h > height + _EDGE:
                raise ValueError(
                    f"item {item.id!r}: box ({x:g}, {y:g}, {w:g}, {h:g}) on frame {frame} is "
                    f"outside the {width}x{height} frame"
                )
            if (track, frame) in seen:
                raise ValueError(
                    f"item {item.id!r}: track {track!r} would have two keyframes on frame {frame}"
                )
            seen[(track, frame)] = str(r["id"])
            if labels.setdefault(track, str(r["label"])) != r["label"]:
                raise ValueError(
                    f"item {item.id!r}: track {track!r} would have two labels "
                    f"({labels[track]!r} and {r['label']!r}); relabel the whole track"
                )

    def _suggestion_problem(self, payload: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
        return suggestion_problem(payload, row)

    def _static_source(self, item: Item) -> tuple[Any, dict[str, Any]]:
        return item.source, {"frame": 0}

    # -- frames -------------------------------------------------------------------------------
    @handles("frames")
    def _frames(self, content: Mapping[str, Any], _buffers: Any = None) -> None:
        """Take the page's wish list of frames; the frame worker sends them in order."""
        item_id = str(content.get("item_id"))
        asked = content.get("frames")
        if not isinstance(asked, list) or not all(
            isinstance(k, int) and not isinstance(k, bool) for k in asked
        ):
            self.send(
                {"type": "frame", "item_id": item_id, "frame": None,
                 "error": f"frames must be a list of frame numbers, got {asked!r}"}
            )  # fmt: skip
            return
        side = content.get("side")
        with self._want_changed:
            if isinstance(side, int) and not isinstance(side, bool) and side > 0:
                # frames are scaled when decoded to the size the page shows them at (rounded
                # up to 160 px so that a small resize keeps the caches), never above max_side
                self._side = min(self._max_side, max(160, -(-side // 160) * 160))
            self._want = (item_id, list(dict.fromkeys(asked))[: self.MAX_FRAMES_ASKED])
            self._want_fresh = True
            self._want_changed.notify_all()
            if self._frame_worker is None:
                self._frame_worker = threading.Thread(
                    target=self._serve_frames, name="nblabel-video-frames", daemon=True
                )
                self._frame_worker.start()

    def _next_wanted(self) -> tuple[str, int] | None:
        """The next frame to send (waiting for a wish), or None when the widget closes.

        The page's order stands (the first frame of a new wish always goes first),
        except that a wished frame the reader can answer
        without decoding (cached, or among the frames just decoded: those before a
        frame reached by a seek) goes first: it costs an encoding, while the frames
        ahead cost decoding and would push the cheap ones out of the reader's memory.
        """
        with self._want_changed:
            while not self._closed:
                if self._want is not None:
                    item_id, frames = self._want
                    if frames:
                        # the first frame of a new wish is the one to show now
                        first, self._want_fresh = self._want_fresh, False
                        return item_id, frames.pop(0 if first else self._cheapest(item_id, frames))
                    self._want = None
                self._want_changed.wait(timeout=1.0)
        return None

    def _cheapest(self, item_id: str, frames: list[int]) -> int:
        """Index in ``frames`` of the next frame to send (see :meth:`_next_wanted`)."""
        with self._readers_lock:
            reader = self._readers.get(item_id)
        if reader is None or len(frames) < 2:
            return 0
        side, quality = self._side, self._quality
        if reader.ready(frames[0], max_side=side, quality=quality):
            return 0
        for i, k in enumerate(frames[1:], start=1):
            if reader.ready(k, max_side=side, quality=quality):
                return i
        return 0

    def _serve_frames(self) -> None:
        while True:
            wanted = self._next_wanted()
            if wanted is None:
                return
            item_id, k = wanted
            answer: dict[str, Any] = {"type": "frame", "item_id": item_id, "frame": k}
            try:
                reader = self._reader(item_id)
                if not 0 <= k < len(reader):
                    raise IndexError(f"item {item_id!r}: frame {k} is out of range")
                meta, data = self._display(reader, k, self._side)
            except (VideoError, KeyError, IndexError) as exc:
                message = str(exc).strip("'\"")
                self.send({**answer, "error": message})
                continue
            except Exception as exc:
                log.exception("nblabel: could not send frame %s of %r", k, item_id)
                self.send({**answer, "error": f"item {item_id!r}, frame {k}: {exc}"})
                continue
            if not self._closed:
                self.send({"type": "frame", "item_id": item_id, **meta}, buffers=[data])
