"""CVAT for video 1.1 XML: box tracks with keyframes, and frame tags.

The format CVAT exports and imports for video tasks ("CVAT for video 1.1")::

    <annotations>
      <version>1.1</version>
      <meta><task> ... <size>300</size> <original_size>...</original_size> </task></meta>
      <track id="0" label="pedestrian" source="manual">
        <box frame="0" keyframe="1" outside="0" occluded="0"
             xtl="10" ytl="20" xbr="40" ybr="80" z_order="0"/>
        <box frame="1" keyframe="0" .../>          <!-- interpolated -->
        <box frame="9" keyframe="1" outside="1" .../>  <!-- the object leaves -->
      </track>
      <tag frame="12" label="rain" source="manual"/>
    </annotations>

Frames count from 0 in both. A box's ``xtl, ytl, xbr, ybr`` are its corners; nblabel
keeps ``x, y, width, height``.

Writing (:func:`to_cvat_video`, :func:`write_cvat_video`): every track is written as
CVAT writes it, one box per frame from its first keyframe to where it ends, the
in-between ones interpolated by :func:`nblabel.video.interpolate` (``keyframe="0"``).
CVAT holds a track's last box to the end of the video; nblabel ends a track at its
last keyframe unless ``n_frames`` is given, so without ``n_frames`` an ``outside`` box
is written on the frame after a track's last keyframe. Track ids that are whole
numbers are kept, others are numbered from 0 in sorted order. A box with a frame
but no track becomes a track of one keyframe. Rows of kind ``label`` with a frame
become ``<tag>`` elements. ``occluded``, ``z_order``, a track's ``group_id`` and
``source`` and the box's ``<attribute>`` elements come from the row's ``extra``
(keys ``cvat_occluded``, ``cvat_z_order``, ``cvat_group_id``, ``cvat_source``,
``cvat_attributes``), as :func:`read_cvat_video` puts them there. Polygons, points and
masks on frames cannot be written (an error names the row); whole-video labels,
comments and skips are not part of the format and are left out.

Frame ranges (rows of kind ``segment`` with a ``frame``, see
:mod:`nblabel.video.segments`) are left out too: CVAT for video 1.1 has no place for
them. CVAT writes no tags in its video format and reads a ``<tag>`` only inside an
``<image>`` (CVAT for images); the top-level ``<tag frame=...>`` elements written here
for frame labels are nblabel's and are read back by :func:`read_cvat_video`, but CVAT's
own importer passes over them. To carry frame ranges, write them as time segments
(their ``start``/``end`` are seconds): :mod:`nblabel.formats.subtitles` or
:mod:`nblabel.formats.rttm`.

Reading (:func:`read_cvat_video`) keeps each track's keyframes (``keyframe="1"``; all
boxes when the file has no ``keyframe`` attribute) and its last box, so the track
lasts as long as in CVAT; ``outside`` boxes become ``outside`` keyframes. Tags become
``label`` rows with a frame. ``image_width``/``image_height`` come from the task's
``original_size``.
"""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..video.tracks import interpolate
from ._common import FormatError, atomic_write
from ._tracks import fmt_number, numeric_track_ids, one_value, row_id

__all__ = ["read_cvat_video", "to_cvat_video", "write_cvat_video"]

_CARRIED = ("box", "label")
_CANNOT = ("polygon", "mask", "point")


def _extra(value: Any, key: str, default: Any = None) -> Any:
    if isinstance(value, Mapping) and value.get(key) is not None:
        return value[key]
    return default


def _rows_to_write(df: pd.DataFrame, item_id: str | None, annotator: str | None) -> pd.DataFrame:
    table = schema.coerce(df)
    kind = table["kind"].astype(object)
    on_frame = table["frame"].notna()
    cannot = (kind.isin(_CANNOT) & on_frame).to_numpy()
    if cannot.any():
        row = table.index[np.flatnonzero(cannot)[0]]
        raise schema.SchemaError(
            f"CVAT for video carries boxes and frame tags; a {table.at[row, 'kind']!r} on a frame "
            "cannot be written",
            column="kind",
            row=row,
        )
    no_frame = ((kind == "box") & ~on_frame).to_numpy()
    if no_frame.any():
        row = table.index[np.flatnonzero(no_frame)[0]]
        raise schema.SchemaError(
            "CVAT for video carries boxes on video frames; this box has no frame",
            column="frame",
            row=row,
        )
    table = table[(kind.isin(_CARRIED) & on_frame).to_numpy()]
    if table.empty:
        return table
    item = one_value(table, "item_id", item_id, "item")
    table = table[(table["item_id"] == item).to_numpy()]
    who = one_value(table, "annotator", annotator, "annotator")
    return table[(table["annotator"] == who).to_numpy()]


def to_cvat_video(
    df: pd.DataFrame,
    *,
    item_id: str | None = None,
    annotator: str | None = None,
    n_frames: int | None = None,
    size: tuple[int, int] | None = None,
    labels: Sequence[str] | None = None,
    task_name: str | None = None,
) -> str:
    """One video's tracks and frame tags as CVAT for video 1.1 XML text.

    ``item_id``/``annotator`` choose the rows when the table has several. ``n_frames``
    is the video's length (the task's ``size``; default: one past the last frame
    written); ``size`` its (width, height) (default: the rows' ``image_width`` and
    ``image_height``); ``labels`` every label of the task (default: those used).
    ``task_name`` defaults to the item id, which is also written as ``<source>``.
    """
    rows = _rows_to_write(df, item_id, annotator)
    item = str(rows["item_id"].iloc[0]) if not rows.empty else (item_id or "video")
    boxes = rows[(rows["kind"] == "box").to_numpy()].copy()
    tags = rows[(rows["kind"] == "label").to_numpy()]
    untracked = boxes["track_id"].isna().to_numpy()
    if untracked.any():
        # a box without a track is a track of its own, numbered after the real ones
        boxes.loc[untracked, "track_id"] = "\U0010ffff" + boxes.loc[untracked, "id"].astype(str)
    root = ET.Element("annotations")
    ET.SubElement(root, "version").text = "1.1"
    track_elements: list[tuple[int, ET.Element]] = []
    last_written = -1
    if not boxes.empty:
        numbers = _track_numbers(boxes["track_id"])
        for track, keyframes in boxes.groupby("track_id", sort=False):
            element, last = _track_element(keyframes, numbers[str(track)], n_frames)
            track_elements.append((numbers[str(track)], element))
            last_written = max(last_written, last)
    tag_frames = tags["frame"].to_numpy(dtype=np.int64)
    if len(tag_frames):
        last_written = max(last_written, int(tag_frames.max()))
    total = n_frames if n_frames is not None else last_written + 1
    width, height = size if size is not None else _size(rows)
    used = sorted(set(rows["label"].astype(str)))
    all_labels = list(labels) if labels is not None else used
    missing = sorted(set(used) - set(all_labels))
    if missing:
        raise FormatError(f"label(s) {missing} are used but not in labels={all_labels}")
    root.append(_meta(task_name or item, item, total, (width, height), all_labels))
    for _, element in sorted(track_elements, key=lambda t: t[0]):
        root.append(element)
    order = np.argsort(tag_frames, kind="stable")
    tag_labels, tag_extras = tags["label"].tolist(), tags["extra"].tolist()
    for i in order:
        ET.SubElement(
            root,
            "tag",
            {
                "frame": str(tag_frames[i]),
                "label": str(tag_labels[i]),
                "source": str(_extra(tag_extras[i], "cvat_source", "manual")),
            },
        )
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _track_numbers(track_ids: pd.Series) -> dict[str, int]:
    unique = pd.Series(sorted(set(track_ids.astype(str))))
    return dict(zip(unique, numeric_track_ids(unique, start=0), strict=True))


def _size(rows: pd.DataFrame) -> tuple[int | None, int | None]:
    w, h = rows["image_width"].dropna(), rows["image_height"].dropna()
    return (int(w.iloc[0]) if len(w) else None, int(h.iloc[0]) if len(h) else None)


def _meta(
    name: str, source: str, total: int, size: tuple[int | None, int | None], labels: list[str]
) -> ET.Element:
    """The ``<meta><task>`` of a one-video task."""
    width, height = size
    meta = ET.Element("meta")
    task = ET.SubElement(meta, "task")
    for tag, text in (
        ("name", name),
        ("size", str(total)),
        ("mode", "interpolation"),
        ("overlap", "0"),
        ("start_frame", "0"),
        ("stop_frame", str(max(total - 1, 0))),
        ("frame_filter", ""),
    ):
        ET.SubElement(task, tag).text = text
    labels_element = ET.SubElement(task, "labels")
    for label in labels:
        element = ET.SubElement(labels_element, "label")
        ET.SubElement(element, "name").text = label
        ET.SubElement(element, "type").text = "rectangle"
        ET.SubElement(element, "attributes")
    if width is not None and height is not None:
        original = ET.SubElement(task, "original_size")
        ET.SubElement(original, "width").text = str(width)
        ET.SubElement(original, "height").text = str(height)
    ET.SubElement(task, "source").text = source
    return meta


def _track_element(
    keyframes: pd.DataFrame, number: int, n_frames: int | None
) -> tuple[ET.Element, int]:
    """A ``<track>`` with a box on every frame of the track; and the last frame written."""
    keyframes = keyframes.sort_values("frame", kind="stable")
    is_out = keyframes["outside"].fillna(False).to_numpy(dtype=bool)
    labels = keyframes["label"].astype(str).to_numpy()
    if (labels != labels[0]).any():
        row = keyframes.index[np.flatnonzero(labels != labels[0])[0]]
        raise schema.SchemaError(
            f"track {keyframes['track_id'].iloc[0]!r} changes label ({labels[0]!r} to "
            f"{keyframes.at[row, 'label']!r}); a CVAT track has one label",
            column="label",
            row=row,
        )
    first_extra = keyframes["extra"].iloc[0]
    attrs = {
        "id": str(number),
        "label": str(labels[0]),
        "source": str(_extra(first_extra, "cvat_source", "manual")),
    }
    group = _extra(first_extra, "cvat_group_id")
    if group is not None:
        attrs["group_id"] = str(group)
    element = ET.Element("track", attrs)
    shown = interpolate(keyframes, n_frames=n_frames).assign(outside=False)
    parts = [shown, keyframes[is_out].assign(keyframe=True)]
    if n_frames is None and not is_out[-1]:
        # nblabel ends the track at its last keyframe; CVAT would hold it: say it leaves
        end = shown.iloc[[-1]].copy()
        end["frame"] = end["frame"] + 1
        parts.append(end.assign(outside=True, keyframe=True))
    boxes = pd.concat(parts, ignore_index=True).sort_values("frame", kind="stable")
    # an outside keyframe without a box takes the box shown just before it
    geometry = boxes[["x", "y", "width", "height"]].ffill().bfill().to_numpy(dtype=np.float64)
    frames = boxes["frame"].to_numpy(dtype=np.int64)
    key = boxes["keyframe"].fillna(False).to_numpy(dtype=bool)
    out = boxes["outside"].fillna(False).to_numpy(dtype=bool)
    extras = boxes["extra"].tolist()
    for i in range(len(boxes)):
        x, y, w, h = (float(v) for v in geometry[i])
        box_element = ET.SubElement(
            element,
            "box",
            {
                "frame": str(frames[i]),
                "keyframe": "1" if key[i] else "0",
                "outside": "1" if out[i] else "0",
                "occluded": "1" if _extra(extras[i], "cvat_occluded", False) else "0",
                "xtl": fmt_number(x),
                "ytl": fmt_number(y),
                "xbr": fmt_number(x + w),
                "ybr": fmt_number(y + h),
                "z_order": str(int(_extra(extras[i], "cvat_z_order", 0))),
            },
        )
        for name, value in dict(_extra(extras[i], "cvat_attributes", {})).items():
            ET.SubElement(box_element, "attribute", {"name": str(name)}).text = str(value)
    return element, int(frames.max())


def write_cvat_video(
    df: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    item_id: str | None = None,
    annotator: str | None = None,
    n_frames: int | None = None,
    size: tuple[int, int] | None = None,
    labels: Sequence[str] | None = None,
    task_name: str | None = None,
) -> str:
    """Write one video's tracks as a CVAT for video 1.1 XML file; return the text.

    Options as :func:`to_cvat_video`. The file is written through a temporary file, so
    a failure leaves no half-written file. With ``path=None`` only the text is returned.
    """
    text = to_cvat_video(
        df,
        item_id=item_id,
        annotator=annotator,
        n_frames=n_frames,
        size=size,
        labels=labels,
        task_name=task_name,
    )
    if path is not None:
        atomic_write(path, text)
    return text


def _parse(source: str | os.PathLike[str] | bytes | io.IOBase) -> tuple[ET.Element, str]:
    if isinstance(source, bytes):
        name, data = "CVAT XML", source
    elif isinstance(source, str) and source.lstrip().startswith("<"):
        name, data = "CVAT XML", source.encode()
    elif isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise FormatError(f"{name}: cannot read the file: {exc}") from exc
    else:
        name, raw = "CVAT XML", source.read()
        data = raw.encode() if isinstance(raw, str) else raw
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise FormatError(f"{name}: not well-formed XML: {exc}") from exc
    if root.tag != "annotations":
        raise FormatError(f"{name}: the root element is <{root.tag}>, not <annotations>")
    if root.find("image") is not None and root.find("track") is None:
        raise FormatError(f"{name}: this is CVAT for images (<image> elements), not CVAT for video")
    return root, name


def _number(element: ET.Element, key: str, where: str) -> float:
    value = element.get(key)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FormatError(f"{where}: attribute {key!r} is {value!r}, not a number") from None
    if not np.isfinite(number):
        raise FormatError(f"{where}: attribute {key!r} is {value!r}, not a finite number")
    return number


def read_cvat_video(
    source: str | os.PathLike[str] | bytes | io.IOBase,
    *,
    item_id: str | None = None,
    annotator: str = "cvat",
    source_kind: str = "human",
) -> pd.DataFrame:
    """Read a CVAT for video 1.1 XML file (a path, the XML text or bytes, or an open file).

    Returns keyframe rows of the annotation table (see the module's docstring for which
    boxes are kept), ``track_id`` the CVAT track id as text. ``item_id`` defaults to the
    task's ``<source>``, then its ``<name>``. ``source_kind`` is the rows' ``source``
    (``"human"``, ``"model"`` or ``"review"``). A malformed element raises
    :class:`~nblabel.formats.FormatError` (a ``ValueError``) naming the file, the track
    and the frame.
    """
    root, name = _parse(source)
    meta = root.find("meta")
    if item_id is None:
        found = None if meta is None else (meta.findtext(".//source") or meta.findtext(".//name"))
        item_id = (found or "").strip() or (Path(name).stem if name != "CVAT XML" else "video")
    width = height = None
    if meta is not None and meta.find(".//original_size") is not None:
        width = int(meta.findtext(".//original_size/width") or 0) or None
        height = int(meta.findtext(".//original_size/height") or 0) or None
    records: list[dict[str, Any]] = []
    for track in root.iter("track"):
        records.extend(_read_track(track, name, item_id, annotator))
    for tag in root.iter("tag"):
        where = f"{name}, <tag>"
        frame = _number(tag, "frame", where)
        extra = (
            {"cvat_source": tag.get("source")} if tag.get("source", "manual") != "manual" else None
        )
        records.append(
            {
                "id": row_id(item_id, annotator, "cvat-tag", tag.get("label"), int(frame)),
                "kind": "label",
                "label": tag.get("label"),
                "frame": int(frame),
                "extra": extra,
            }
        )
    common = {
        "item_id": item_id,
        "annotator": annotator,
        "source": source_kind,
        "image_width": width,
        "image_height": height,
    }
    table = schema.from_records({**common, **r} for r in records)
    if table.empty:
        return table
    return table.assign(
        image_width=table["image_width"].where(table["kind"] == "box"),
        image_height=table["image_height"].where(table["kind"] == "box"),
    )


def _read_track(track: ET.Element, name: str, item_id: str, annotator: str) -> list[dict[str, Any]]:
    track_id = track.get("id")
    label = track.get("label")
    where = f"{name}, track {track_id!r}"
    if track_id is None or label is None:
        raise FormatError(f"{where}: a <track> needs 'id' and 'label'")
    shapes = [child for child in track if child.tag != "attribute"]
    odd = [s.tag for s in shapes if s.tag != "box"]
    if odd:
        raise FormatError(f"{where}: <{odd[0]}> tracks are not read (CVAT for video boxes only)")
    if not shapes:
        return []
    has_keyframe_flag = any("keyframe" in s.attrib for s in shapes)
    frames = [int(_number(s, "frame", where)) for s in shapes]
    last = int(np.argmax(frames))
    track_extra: dict[str, Any] = {}
    if track.get("source", "manual") != "manual":
        track_extra["cvat_source"] = track.get("source")
    if track.get("group_id") not in (None, "0"):
        track_extra["cvat_group_id"] = int(track.get("group_id"))  # type: ignore[arg-type]
    out = []
    seen: set[int] = set()
    for i, box in enumerate(shapes):
        frame = frames[i]
        at = f"{where}, frame {frame}"
        outside = box.get("outside", "0") == "1"
        keep = (not has_keyframe_flag) or box.get("keyframe") == "1" or outside or i == last
        if not keep:
            continue
        if frame in seen:
            raise FormatError(f"{at}: two boxes on one frame")
        seen.add(frame)
        xtl, ytl = _number(box, "xtl", at), _number(box, "ytl", at)
        xbr, ybr = _number(box, "xbr", at), _number(box, "ybr", at)
        if xbr < xtl or ybr < ytl:
            raise FormatError(
                f"{at}: the box's bottom-right ({xbr}, {ybr}) is above or left of its top-left"
            )
        extra = dict(track_extra)
        if box.get("occluded", "0") == "1":
            extra["cvat_occluded"] = True
        if box.get("z_order", "0") != "0":
            extra["cvat_z_order"] = int(_number(box, "z_order", at))
        attributes = {a.get("name"): a.text or "" for a in box.findall("attribute")}
        if attributes:
            extra["cvat_attributes"] = attributes
        out.append(
            {
                "id": row_id(item_id, annotator, "cvat", track_id, frame),
                "kind": "box",
                "label": label,
                "x": xtl,
                "y": ytl,
                "width": xbr - xtl,
                "height": ybr - ytl,
                "frame": frame,
                "track_id": track_id,
                "outside": outside,
                "extra": extra or None,
            }
        )
    return out
