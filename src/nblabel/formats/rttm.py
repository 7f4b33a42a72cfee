"""RTTM: who spoke when, as diarization tools (pyannote, dscore, NIST md-eval) read it.

One ``SPEAKER`` line per speech turn, ten space-separated fields::

    SPEAKER meeting1 1 12.340 2.500 <NA> <NA> ana <NA> <NA>

(type, file id, channel, start seconds, duration seconds, orthography,
speaker type, speaker name, confidence, signal lookahead time).

How the table carries RTTM: each line is a ``segment`` row; ``item_id`` is
the file id, ``label`` the speaker, ``start``/``end`` the turn's seconds
(``end = start + duration``), ``score`` the confidence (rows with one are
``source="model"``). A channel other than 1 is kept in ``extra["rttm"]``.

Lossless rules: file ids, speakers, times (to 1e-9 s: start and duration are written rounded to the
nanosecond),
confidences and channels round trip. Not carried: ids (a row's id is
``"{file}:{line}"``), annotators, transcripts, other line types
(``SPKR-INFO``...; reading one raises unless ``other="skip"``). Item ids
and speaker names may not hold whitespace (the error names the row).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ._common import (
    FormatError,
    PathLike,
    atomic_write,
    build_frame,
    check_frame,
    extra_of,
    lines,
    missing,
    number,
    read_text,
    records,
    resolve_source,
    row_error,
)

__all__ = ["read_rttm", "write_rttm"]


def read_rttm(
    path: PathLike,
    *,
    annotator: str = "rttm",
    source: str | None = None,
    other: Literal["error", "skip"] = "error",
) -> pd.DataFrame:
    """Read an RTTM file's ``SPEAKER`` lines into segment rows; errors name the line and field."""
    name = os.fspath(path)
    rows: list[dict[str, Any]] = []
    origins: list[str] = []
    for lineno, line in enumerate(lines(read_text(path)), start=1):
        fields = line.split()
        if not fields or fields[0].startswith(";"):
            continue
        where = f"line {lineno}"
        if fields[0] != "SPEAKER":
            if other == "skip":
                continue
            raise FormatError(
                f"type {fields[0]!r} is not SPEAKER (other='skip' leaves such lines out)",
                source=name,
                where=where,
                field="type",
            )
        if len(fields) < 8:
            raise FormatError(
                f"a SPEAKER line has 10 fields, this one {len(fields)}", source=name, where=where
            )
        start = number(fields[3], source=name, where=where, field="start")
        dur = number(fields[4], source=name, where=where, field="duration")
        if dur < 0:
            raise FormatError(
                f"{fields[4]} is negative", source=name, where=where, field="duration"
            )
        conf = fields[8] if len(fields) > 8 else "<NA>"
        score = (
            None if conf == "<NA>" else number(conf, source=name, where=where, field="confidence")
        )
        channel = fields[2]
        rows.append(
            {
                "id": f"{fields[1]}:{lineno}",
                "item_id": fields[1],
                "annotator": annotator,
                "source": resolve_source(source, score),
                "kind": "segment",
                "label": fields[7],
                "start": start,
                "end": start + dur,
                "score": score,
                "extra": None if channel == "1" else {"rttm": {"channel": channel}},
            }
        )
        origins.append(f"{name}:{where}")
    return build_frame(rows, origins)


def _g(value: float) -> str:
    return repr(round(float(value), 9))


def write_rttm(df: pd.DataFrame, path: PathLike) -> Path:
    """Write ``df``'s segment rows as RTTM ``SPEAKER`` lines (by item, then start), atomically."""
    df = check_frame(df, ("segment",), fmt="RTTM")
    lines = []
    ordered = df.sort_values(["item_id", "start", "end"], kind="stable")
    for label, row in records(ordered):
        for column in ("item_id", "label"):
            if any(c.isspace() for c in row[column]):
                raise row_error(
                    f"{row[column]!r} holds whitespace, which RTTM cannot carry", label, column
                )
        channel = extra_of(row["extra"], "rttm").get("channel", "1")
        conf = "<NA>" if missing(row["score"]) else _g(row["score"])
        dur = float(row["end"]) - float(row["start"])
        lines.append(
            f"SPEAKER {row['item_id']} {channel} {_g(row['start'])} {_g(dur)} "
            f"<NA> <NA> {row['label']} {conf} <NA>\n"
        )
    return atomic_write(path, "".join(lines))
