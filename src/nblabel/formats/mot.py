"""MOT Challenge CSV: one box per object per frame, the tracking benchmarks' format.

A MOT file holds one video (a "sequence") as text lines without a header::

    <frame>,<id>,<bb_left>,<bb_top>,<bb_width>,<bb_height>,<conf>,<class>,<visibility>  # "gt"
    <frame>,<id>,<bb_left>,<bb_top>,<bb_width>,<bb_height>,<conf>,<x>,<y>,<z>          # "results"

Frames count from 1 in the file and from 0 in nblabel (``frame`` column); boxes are
pixels of the upright frame, origin top-left, as in nblabel.

Writing (:func:`to_mot`, :func:`write_mot`) expands each track's keyframes to every
frame with :func:`nblabel.video.interpolate`, so the file has exactly the boxes the
widget shows. Track ids that are whole numbers are kept; otherwise tracks are
numbered from 1 in the sorted order of their ids (the same on every export). A box
with a frame but no track becomes a track of its own. In the ``gt`` layout the class
column comes from ``classes`` (default: the MOT17 classes, ``pedestrian`` = 1, ``car``
= 3, ...), ``conf`` is 1 (the "consider" flag) and ``visibility`` is 1, unless a row's
``extra`` carries ``mot_consider`` or ``mot_visibility`` (as :func:`read_mot` puts
them). In the ``results`` layout ``conf`` is the row's ``score`` (1 for people) and the
world coordinates are -1.

Reading (:func:`read_mot`) gives one keyframe per line (``keyframes="all"``, exact) or
only where the motion changes (``keyframes="changes"``: a line is kept where the box is
not on the straight line through its neighbours; interpolation then gives back every
line's box within ``tolerance`` pixels, but per-line scores and ``extra`` of the lines
left out are not kept). Where a track skips frames (the object left the view) and
after its last line, an ``outside`` keyframe ends it (carrying the box the object
had when it left), so that interpolation never bridges a gap:
``write_mot(read_mot(f))`` writes the lines of ``f`` again.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from ..video.tracks import interpolate
from ._common import FormatError, atomic_write
from ._tracks import (
    class_ids,
    class_names,
    exact_csv,
    fmt_number,
    numeric_track_ids,
    one_value,
    row_id,
    tracked_boxes,
)

__all__ = ["MOT17_CLASSES", "read_mot", "to_mot", "write_mot"]

#: The MOT17/MOT20 ground-truth classes (the ``class`` column of ``gt.txt``).
MOT17_CLASSES: Mapping[str, int] = {
    "pedestrian": 1,
    "person_on_vehicle": 2,
    "car": 3,
    "bicycle": 4,
    "motorbike": 5,
    "non_motorized_vehicle": 6,
    "static_person": 7,
    "distractor": 8,
    "occluder": 9,
    "occluder_on_ground": 10,
    "occluder_full": 11,
    "reflection": 12,
    "crowd": 13,
}

Layout = Literal["gt", "results"]
Classes = Mapping[str, int] | list[str] | tuple[str, ...] | None

GT_COLUMNS = (
    "frame",
    "id",
    "bb_left",
    "bb_top",
    "bb_width",
    "bb_height",
    "conf",
    "class",
    "visibility",
)
RESULTS_COLUMNS = (
    "frame",
    "id",
    "bb_left",
    "bb_top",
    "bb_width",
    "bb_height",
    "conf",
    "x",
    "y",
    "z",
)


def _extra_value(extra: pd.Series, key: str, default: float) -> npt.NDArray[np.float64]:
    """``extra[key]`` of each row as floats, ``default`` where a row has none."""
    out = np.full(len(extra), default, dtype=np.float64)
    values = extra.to_numpy(dtype=object)
    for i in np.flatnonzero(extra.notna().to_numpy()):
        e = values[i]
        if isinstance(e, Mapping) and e.get(key) is not None:
            out[i] = float(e[key])
    return out


def to_mot(
    df: pd.DataFrame,
    *,
    item_id: str | None = None,
    annotator: str | None = None,
    layout: Layout = "gt",
    classes: Classes = None,
    n_frames: int | None = None,
) -> pd.DataFrame:
    """The MOT lines of one video's tracks, as a DataFrame with the layout's column names.

    ``df`` is an annotation table; its boxes of ``item_id`` by ``annotator`` are
    written (either may be left out when the table has only one). ``n_frames``, the
    video's length, makes a track's last keyframe hold to the end (see
    :func:`nblabel.video.interpolate`). Rows are sorted by frame, then id. Other kinds
    of rows (labels, comments) are not boxes and are left out; a box without a frame
    is an error naming its row.
    """
    if layout not in ("gt", "results"):
        raise FormatError(f"layout must be 'gt' or 'results', got {layout!r}")
    boxes = tracked_boxes(df, "MOT")
    columns = list(GT_COLUMNS if layout == "gt" else RESULTS_COLUMNS)
    if boxes.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    item = one_value(boxes, "item_id", item_id, "item")
    boxes = boxes[(boxes["item_id"] == item).to_numpy()]
    who = one_value(boxes, "annotator", annotator, "annotator")
    boxes = boxes[(boxes["annotator"] == who).to_numpy()]
    rows = interpolate(boxes, n_frames=n_frames)
    tracked = rows["track_id"].notna().to_numpy()
    ids = np.zeros(len(rows), dtype=np.int64)
    if tracked.any():
        ids[tracked] = numeric_track_ids(rows.loc[tracked, "track_id"], start=1).to_numpy()
    if (~tracked).any():
        ids[~tracked] = ids.max(initial=0) + 1 + np.arange(int((~tracked).sum()))
    out = pd.DataFrame(
        {
            "frame": rows["frame"].to_numpy(dtype=np.int64) + 1,
            "id": ids,
            "bb_left": rows["x"].to_numpy(dtype=np.float64),
            "bb_top": rows["y"].to_numpy(dtype=np.float64),
            "bb_width": rows["width"].to_numpy(dtype=np.float64),
            "bb_height": rows["height"].to_numpy(dtype=np.float64),
        }
    )
    extra = rows["extra"]
    if layout == "gt":
        out["conf"] = _extra_value(extra, "mot_consider", 1.0)
        out["class"] = class_ids(rows["label"], classes, MOT17_CLASSES)
        out["visibility"] = _extra_value(extra, "mot_visibility", 1.0)
    else:
        score = rows["score"].to_numpy(dtype=np.float64)
        out["conf"] = np.where(np.isnan(score), 1.0, score)
        for axis in ("x", "y", "z"):
            out[axis] = _extra_value(extra, f"mot_world_{axis}", -1.0)
    return out.sort_values(["frame", "id"], kind="stable").reset_index(drop=True)[columns]


def write_mot(
    df: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    item_id: str | None = None,
    annotator: str | None = None,
    layout: Layout = "gt",
    classes: Classes = None,
    n_frames: int | None = None,
) -> str:
    """Write one video's tracks as a MOT Challenge CSV file; return the text.

    Options as :func:`to_mot`. Numbers are written exactly (the shortest text that
    reads back to the same float; whole numbers without a decimal point). The file is
    written through a temporary file, so a failure leaves no half-written file.
    With ``path=None`` only the text is returned.
    """
    table = to_mot(
        df, item_id=item_id, annotator=annotator, layout=layout, classes=classes, n_frames=n_frames
    )
    text = "" if table.empty else exact_csv(table)
    if path is not None:
        atomic_write(path, text)
    return text


def _parse(
    source: str | os.PathLike[str] | pd.DataFrame | io.TextIOBase, name: str
) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        table = source.copy()
        table.columns = pd.RangeIndex(table.shape[1])
        return table
    try:
        table = pd.read_csv(source, header=None, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=pd.RangeIndex(6))
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise FormatError(f"{name}: not a MOT CSV file: {exc}") from exc
    return table


def _numbers(raw: pd.DataFrame, layout: str, name: str) -> dict[str, npt.NDArray[np.float64]]:
    """The file's columns as floats, checked; an error names the line and the field."""
    numbers: dict[str, npt.NDArray[np.float64]] = {}
    wanted = list(GT_COLUMNS[: min(raw.shape[1], 7 if layout == "results" else 9)])
    if layout == "results" and raw.shape[1] >= 10:
        wanted += ["world_x", "world_y", "world_z"]
    for i, field in enumerate(wanted):
        column = raw[i]
        if not pd.api.types.is_numeric_dtype(column):
            column = pd.to_numeric(column, errors="coerce")
        bad = column.isna() | ~np.isfinite(column)
        if i in (0, 1):
            bad |= column % 1 != 0
        if i == 0:
            bad |= column < 1
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0])
            what = "a number"
            if i in (0, 1):
                what = "a whole number from 1" if i == 0 else "a whole number"
            value: Any = raw.iloc[line, i]
            shown = repr(value) if isinstance(value, str) else fmt_number(float(value))
            raise FormatError(f"{name}, line {line + 1}, field {field!r}: {shown} is not {what}")
        numbers[field] = column.to_numpy(dtype=np.float64)
    return numbers


def _labels(
    numbers: Mapping[str, npt.NDArray[np.float64]],
    order: npt.NDArray[np.intp],
    *,
    layout: str,
    classes: Classes,
    label: str,
    name: str,
) -> npt.NDArray[np.object_]:
    """Each line's label, from its class (``gt``) or ``label``."""
    n = len(order)
    if layout != "gt" or "class" not in numbers:
        return np.full(n, label, dtype=object)
    names = class_names(classes, MOT17_CLASSES)
    cls = numbers["class"][order].astype(np.int64)
    if classes is not None:
        missing = ~np.isin(cls, list(names))
        if missing.any():
            at = int(np.flatnonzero(missing)[0])
            raise FormatError(
                f"{name}, line {order[at] + 1}, field 'class': class {cls[at]} is not in "
                f"classes {names}"
            )
    mapped = pd.Series(cls).map(names)
    return mapped.where(mapped.notna(), pd.Series(cls).astype(str)).to_numpy(dtype=object)


def _extras(
    numbers: Mapping[str, npt.NDArray[np.float64]], order: npt.NDArray[np.intp], layout: str
) -> list[Any]:
    """What a line carries beyond the table (``extra``): non-default flags and world points."""
    n = len(order)
    extra: list[Any] = [None] * n
    ones = np.ones(n)
    if layout == "gt":
        consider = numbers["conf"][order] if "conf" in numbers else ones
        visibility = numbers["visibility"][order] if "visibility" in numbers else ones
        for i in np.flatnonzero((consider != 1) | (visibility != 1)):
            e: dict[str, Any] = {}
            if consider[i] != 1:
                e["mot_consider"] = _plain(consider[i])
            if visibility[i] != 1:
                e["mot_visibility"] = _plain(visibility[i])
            extra[i] = e
    elif "world_x" in numbers:
        world = [numbers[f"world_{a}"][order] for a in "xyz"]
        for i in np.flatnonzero((world[0] != -1) | (world[1] != -1) | (world[2] != -1)):
            extra[i] = {f"mot_world_{a}": _plain(world[j][i]) for j, a in enumerate("xyz")}
    return extra


def read_mot(
    source: str | os.PathLike[str] | pd.DataFrame | io.TextIOBase,
    *,
    item_id: str | None = None,
    annotator: str = "mot",
    layout: Layout | None = None,
    classes: Classes = None,
    label: str = "pedestrian",
    keyframes: Literal["all", "changes"] = "all",
    tolerance: float = 1e-6,
    image_size: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Read a MOT Challenge CSV file as keyframe rows of the annotation table.

    ``source`` is a path, an open text file or a DataFrame of the file's columns.
    ``item_id`` names the video (default: the sequence folder of a ``gt/gt.txt``
    file, else the file's stem). ``layout`` is guessed from the column count (10 or
    more: ``results``, else ``gt``) unless given. In ``gt`` files the class column
    gives the label (through ``classes``, default MOT17's; an unknown class id
    becomes its number as text); files without one get ``label``. ``results`` files
    give ``source="model"`` rows with ``score`` = ``conf``. ``image_size`` (width,
    height) fills ``image_width`` and ``image_height``. See the module's docstring for
    ``keyframes`` and ``tolerance``.

    A malformed line raises :class:`~nblabel.formats.FormatError` (a ``ValueError``)
    naming the file, the line and the field.
    """
    name = os.fspath(source) if isinstance(source, str | os.PathLike) else "MOT data"
    raw = _parse(source, name)
    if raw.shape[1] < 6:
        raise FormatError(f"{name}: a MOT line has at least 6 fields, found {raw.shape[1]}")
    if layout is None:
        layout = "results" if raw.shape[1] >= 10 else "gt"
    if layout not in ("gt", "results"):
        raise FormatError(f"layout must be 'gt' or 'results', got {layout!r}")
    if keyframes not in ("all", "changes"):
        raise FormatError(f"keyframes must be 'all' or 'changes', got {keyframes!r}")
    if item_id is None:
        path = Path(name)
        in_gt = path.name == "gt.txt" and path.parent.name == "gt"
        item_id = path.parent.parent.name if in_gt else path.stem
    numbers = _numbers(raw, layout, name)
    n = len(raw)
    order = np.lexsort((numbers["frame"], numbers["id"]))
    frame = numbers["frame"][order].astype(np.int64) - 1
    track = numbers["id"][order].astype(np.int64)
    line_no = order
    same_track_next = np.zeros(n, dtype=bool)
    same_track_next[:-1] = track[1:] == track[:-1]
    step = np.append(frame[1:] - frame[:-1], 0)
    dup = same_track_next & (step == 0)
    if dup.any():
        at = int(np.flatnonzero(dup)[0])
        raise FormatError(
            f"{name}, lines {line_no[at] + 1} and {line_no[at + 1] + 1}: track {track[at]} has "
            f"two boxes on frame {frame[at] + 1}"
        )
    run_end = ~same_track_next | (step != 1)
    boxes = np.stack([numbers[f][order] for f in GT_COLUMNS[2:6]], axis=1)
    labels = _labels(numbers, order, layout=layout, classes=classes, label=label, name=name)
    extra = _extras(numbers, order, layout)
    score = (
        numbers["conf"][order] if layout == "results" and "conf" in numbers else np.full(n, np.nan)
    )
    keep = np.ones(n, dtype=bool)
    if keyframes == "changes":
        keep = _changes(run_end, boxes, labels, tolerance)
    idx = np.flatnonzero(keep)
    ends = np.flatnonzero(run_end)
    track_text = track.astype(str)
    frames_out = np.concatenate([frame[idx], frame[ends] + 1])
    tracks_out = np.concatenate([track_text[idx], track_text[ends]])
    nan = np.full(len(ends), np.nan)
    table = pd.DataFrame(
        {
            "id": [
                row_id(item_id, annotator, "mot", t, f)
                for t, f in zip(tracks_out, frames_out, strict=True)
            ],
            "item_id": item_id,
            "annotator": annotator,
            "kind": "box",
            "label": np.concatenate([labels[idx], labels[ends]]),
            "source": "human" if layout == "gt" else "model",
            "score": np.concatenate([score[idx], nan]),
            # an outside keyframe keeps the box the object had when it left (the schema
            # wants a box on every box row; interpolation holds it up to the exit)
            "x": np.concatenate([boxes[idx, 0], boxes[ends, 0]]),
            "y": np.concatenate([boxes[idx, 1], boxes[ends, 1]]),
            "width": np.concatenate([boxes[idx, 2], boxes[ends, 2]]),
            "height": np.concatenate([boxes[idx, 3], boxes[ends, 3]]),
            "image_width": image_size[0] if image_size else None,
            "image_height": image_size[1] if image_size else None,
            "frame": frames_out,
            "track_id": tracks_out,
            "outside": np.concatenate([np.zeros(len(idx), bool), np.ones(len(ends), bool)]),
            "extra": [extra[i] for i in idx] + [None] * len(ends),
        }
    )
    table = table.sort_values(["track_id", "frame"], kind="stable", key=_track_order)
    return schema.coerce(table.reset_index(drop=True))


def _track_order(column: pd.Series) -> pd.Series:
    return column.astype(np.int64) if column.name == "track_id" else column


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _changes(
    run_end: npt.NDArray[np.bool_],
    boxes: npt.NDArray[np.float64],
    labels: npt.NDArray[np.object_],
    tolerance: float,
) -> npt.NDArray[np.bool_]:
    """Lines to keep: run starts and ends, label changes, and bends in the motion.

    Within a run frames are consecutive, so a line lies on the straight line through
    its neighbours exactly when the box's second difference is zero; keeping every
    line where it is not reproduces the run by linear interpolation.
    """
    n = len(run_end)
    run_start = np.ones(n, dtype=bool)
    run_start[1:] = run_end[:-1]
    keep = run_start | run_end
    inner = ~keep
    if n > 2:
        second = np.zeros((n, 4))
        second[1:-1] = boxes[2:] - 2 * boxes[1:-1] + boxes[:-2]
        keep |= inner & (np.abs(second) > tolerance).any(axis=1)
        changed = np.zeros(n, dtype=bool)
        changed[1:] = labels[1:] != labels[:-1]
        keep |= changed
    return keep
