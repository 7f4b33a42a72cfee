"""WebVTT and SRT: timed transcripts, parsed and written with ``webvtt-py``.

A cue is a ``segment`` row: ``start``/``end`` in seconds, ``text`` the
transcript. WebVTT carries the speaker in a voice span (``<v Ana>Hello``):
it becomes the row's ``label``; cues without one (and every SRT cue) get
``label`` (default ``"speech"``). One file is one item: ``item_id`` is given
or the file's stem.

Lossless rules: times to the millisecond (both formats keep no finer time),
transcripts (VTT's ``&amp;``, ``&lt;`` and ``&gt;`` escapes are undone on
reading and made on writing), speakers (VTT), cue identifiers and settings
(VTT, in ``extra["vtt"]``). Not carried: ids (a row's id is
``"{item}:{cue index}"``), annotators, scores, styling tags other than the
voice span (kept as written in ``text``), and speakers in SRT. A transcript
with an empty line or ``-->`` cannot be a cue's text: writing it raises
naming the row.
"""

from __future__ import annotations

import html
import io
import os
import re
from pathlib import Path
from typing import Any, Final

import pandas as pd

from ._common import (
    FormatError,
    PathLike,
    atomic_write,
    build_frame,
    check_frame,
    extra_of,
    missing,
    read_text,
    records,
    resolve_source,
    row_error,
)

__all__ = ["read_srt", "read_vtt", "write_srt", "write_vtt"]


_VOICE: Final = re.compile(r"^<v(?:\.[^\s>]*)*\s+[^>]*>")


def _webvtt() -> Any:
    import webvtt

    return webvtt


def _seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":") if stamp.count(":") == 2 else ("0", *stamp.split(":"))
    secs, _, millis = rest.replace(",", ".").partition(".")
    return int(hours) * 3600 + int(minutes) * 60 + int(secs) + int(millis.ljust(3, "0")) / 1000


def _stamp(seconds: float) -> str:
    millis = round(float(seconds) * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _read(
    path: PathLike,
    *,
    srt: bool,
    item_id: str | None,
    label: str,
    annotator: str,
    source: str | None,
) -> pd.DataFrame:
    webvtt = _webvtt()
    name = os.fspath(path)
    text = read_text(path, encoding="utf-8-sig")
    try:
        if srt:
            captions = webvtt.from_buffer(io.StringIO(text), format="srt").captions
        else:
            captions = webvtt.from_string(text).captions
    except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError) as exc:
        raise FormatError(
            f"not a valid {'SRT' if srt else 'WebVTT'} file: {exc}", source=name
        ) from exc
    item = item_id if item_id is not None else Path(name).stem
    rows: list[dict[str, Any]] = []
    origins: list[str] = []
    for k, cue in enumerate(captions):
        speaker = None if srt else cue.voice
        body = cue.raw_text
        if speaker is not None:
            body = _VOICE.sub("", body, count=1).removesuffix("</v>")
        vtt: dict[str, Any] = {}
        if not srt:
            if cue.identifier:
                vtt["identifier"] = cue.identifier
            settings = str(cue.settings) if cue.settings else ""
            if settings:
                vtt["settings"] = settings
        rows.append(
            {
                "id": f"{item}:{k}",
                "item_id": item,
                "annotator": annotator,
                "source": resolve_source(source, None),
                "kind": "segment",
                "label": speaker or label,
                "start": _seconds(cue.start),
                "end": _seconds(cue.end),
                "text": html.unescape(body) if not srt else body,
                "extra": {"vtt": vtt} if vtt else None,
            }
        )
        origins.append(f"{name}:cue {k}")
    return build_frame(rows, origins)


def read_vtt(
    path: PathLike,
    *,
    item_id: str | None = None,
    label: str = "speech",
    annotator: str = "vtt",
    source: str | None = None,
) -> pd.DataFrame:
    """Read a WebVTT file's cues into segment rows (speaker from ``<v ...>`` as the label)."""
    return _read(path, srt=False, item_id=item_id, label=label, annotator=annotator, source=source)


def read_srt(
    path: PathLike,
    *,
    item_id: str | None = None,
    label: str = "speech",
    annotator: str = "srt",
    source: str | None = None,
) -> pd.DataFrame:
    """Read an SRT file's cues into segment rows labelled ``label``."""
    return _read(path, srt=True, item_id=item_id, label=label, annotator=annotator, source=source)


def _rows(df: pd.DataFrame, item_id: str | None, fmt: str) -> pd.DataFrame:
    df = check_frame(df, ("segment",), fmt=fmt)
    items = sorted(set(df["item_id"]))
    if item_id is not None:
        df = df[df["item_id"] == item_id]
    elif len(items) > 1:
        raise FormatError(
            f"one {fmt} file holds one item; df has {len(items)} ({items[:3]}...): pass item_id=",
            field="column 'item_id'",
        )
    return df.sort_values(["start", "end"], kind="stable")


def _cue_text(label: Any, row: dict[str, Any], fmt: str) -> str:
    text = "" if missing(row["text"]) else str(row["text"])
    if (
        "-->" in text
        or any(not line.strip() for line in text.split("\n")[1:])
        or (text.strip() == "" and "\n" in text)
    ):
        raise row_error(
            f"{text!r} cannot be a {fmt} cue's text (an empty line or '-->')", label, "text"
        )
    return text


def write_vtt(
    df: pd.DataFrame, path: PathLike, *, item_id: str | None = None, speakers: bool = True
) -> Path:
    """Write one item's segment rows as a WebVTT file (``<v label>`` when ``speakers``)."""
    webvtt = _webvtt()
    rows = _rows(df, item_id, "WebVTT")
    captions = []
    for label, row in records(rows):
        text = html.escape(_cue_text(label, row, "WebVTT"), quote=False)
        if speakers:
            if any(c in row["label"] for c in "<>\n"):
                raise row_error(f"{row['label']!r} cannot be a voice name", label, "label")
            text = f"<v {row['label']}>{text}"
        vtt = extra_of(row["extra"], "vtt")
        captions.append(
            webvtt.Caption(
                start=_stamp(row["start"]),
                end=_stamp(row["end"]),
                text=text,
                identifier=vtt.get("identifier"),
                settings=vtt.get("settings"),
            )
        )
    content = webvtt.WebVTT(captions=captions).content
    return atomic_write(path, content)


def write_srt(df: pd.DataFrame, path: PathLike, *, item_id: str | None = None) -> Path:
    """Write one item's segment rows as an SRT file (numbered cues, ``,`` before milliseconds)."""
    rows = _rows(df, item_id, "SRT")
    blocks = []
    for n, (label, row) in enumerate(records(rows), start=1):
        text = _cue_text(label, row, "SRT")
        start, end = (_stamp(row[c]).replace(".", ",") for c in ("start", "end"))
        blocks.append(f"{n}\n{start} --> {end}\n{text}\n")
    return atomic_write(path, "\n".join(blocks))
