"""Label Studio JSON: tasks with their ``annotations`` and ``predictions``.

A Label Studio export (``JSON``) is a list of tasks::

    {"id": 1, "data": {"image": "/data/upload/1/cat.jpg"},
     "annotations": [{"id": 7, "completed_by": 1, "result": [...], "lead_time": 12.5, ...}],
     "predictions": [{"model_version": "yolo-v8", "score": 0.9, "result": [...]}]}

Each ``result`` is one region (or one part of a region, sharing its ``id``):

=========================  =====================  ===========================================
Label Studio ``type``       table ``kind``          geometry
=========================  =====================  ===========================================
``choices``                 ``label``               one row per choice
``rectanglelabels``         ``box``                 percent of ``original_width``/``_height``
``polygonlabels``           ``polygon``             points in percent
``keypointlabels``          ``point``               ``x``, ``y`` in percent
``brushlabels``             ``mask``                Label Studio's RLE (:func:`decode_brush`)
``labels`` with ``text``    ``span``                character offsets ``start``/``end``
``labels`` without          ``segment``             seconds ``start``/``end`` (audio)
``textarea``                ``text`` of its region  or a ``comment`` row when alone
``relation``                ``relation``            ``from_id``/``to_id``
=========================  =====================  ===========================================

A cancelled (skipped) annotation is a ``skip`` row. ``created_at``,
``updated_at`` and ``lead_time`` (as ``elapsed``) are kept. Predictions are
``source="model"`` rows with the result's (or else the prediction's) score,
annotated by their ``model_version``.

Lossless rules: ``extra["label_studio"]`` keeps the region ``id``,
``from_name``, ``to_name``, ``type``, a rectangle's ``rotation``, a
keypoint's ``width``, an audio region's ``channel`` and a transcript of an
image region (the table has no text for those), so :func:`to_label_studio`
writes the same results. Row ids are ``"{task}/{a|p}{annotation}/{region}"``
(with ``/{k}`` for the k-th label of a multi-label region): they are made on
reading, not carried. Item ids travel in each task's ``meta["item_id"]``. Not
carried: who made the human rows (Label Studio records the importing user; on
reading, people are named by ``completed_by`` or ``annotator=``), result types
other than those above (``unknown="skip"`` leaves them out, the default
raises), and task data (pass it as ``data=``).
Coordinates round trip to float rounding (percent <-> pixels).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import rle as rle_mod
from .. import schema
from ._common import (
    FormatError,
    PathLike,
    atomic_write,
    build_frame,
    extra_of,
    load_json,
    missing,
    number,
    records,
    row_error,
)

__all__ = [
    "decode_brush",
    "encode_brush",
    "read_label_studio",
    "to_label_studio",
    "unpack_brush",
    "write_label_studio",
]

# -- brush RLE ---------------------------------------------------------------------------------
# Label Studio stores a brush mask as the RGBA pixels of the image (row-major, 4 bytes a
# pixel) packed by thi.ng's rle-pack: a 32-bit count, a 5-bit word size - 1, four 4-bit
# run-length field sizes - 1, then chunks: 1 bit repeat flag, 2 bits choosing a length
# field size, the length - 1, then one word (repeat) or `length` words (literal). The
# mask is the alpha channel.

_SIZES: Final = (3, 4, 8, 16)


def encode_brush(mask: npt.ArrayLike) -> list[int]:
    """Label Studio's ``rle`` (a list of bytes) of a 2-D boolean mask.

    Each pixel becomes four bytes (0 or 255, as Label Studio draws), so that
    :func:`decode_brush` and Label Studio's own decoder give the mask back.
    """
    arr = np.asarray(mask)
    if arr.ndim != 2:
        raise ValueError(f"mask: expected a 2-D array, got shape {arr.shape}")
    flat = np.repeat(arr.astype(bool).ravel(order="C"), 4)
    n = int(flat.size)
    bits = [f"{n:032b}", f"{8 - 1:05b}", "".join(f"{s - 1:04b}" for s in _SIZES)]
    if n:
        change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
        starts = np.concatenate(([0], change))
        lengths = np.diff(np.concatenate((starts, [n])))
        for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
            word = "11111111" if flat[start] else "00000000"
            left = length
            while left > 0:
                take = min(left, 1 << 16)
                index = next(i for i, s in enumerate(_SIZES) if take <= 1 << s)
                bits.append(f"1{index:02b}{take - 1:0{_SIZES[index]}b}{word}")
                left -= take
    text = "".join(bits)
    text += "0" * (-len(text) % 8)
    return list(int(text, 2).to_bytes(len(text) // 8, "big")) if text else []


def unpack_brush(data: Sequence[int]) -> npt.NDArray[np.int64]:
    """The values (RGBA bytes of every pixel, row by row) packed in a brush ``rle``."""
    raw = bytes(int(b) & 0xFF for b in data)
    if len(raw) < 7:
        raise ValueError("a brush rle needs at least 7 bytes of header")
    bits = bin(int.from_bytes(raw, "big"))[2:].zfill(len(raw) * 8)
    pos = 0

    def read(k: int) -> int:
        nonlocal pos
        if pos + k > len(bits):
            raise ValueError("the brush rle ends in the middle of a run")
        value = int(bits[pos : pos + k], 2) if k else 0
        pos += k
        return value

    num = read(32)
    word = read(5) + 1
    sizes = [read(4) + 1 for _ in range(4)]
    values: list[int] = []
    counts: list[int] = []
    i = 0
    while i < num:
        repeat = read(1)
        j = i + 1 + read(sizes[read(2)])
        if j > num:
            raise ValueError("a run of the brush rle goes past its length")
        if repeat:
            values.append(read(word))
            counts.append(j - i)
        else:
            for _ in range(j - i):
                values.append(read(word))
                counts.append(1)
        i = j
    return np.repeat(np.asarray(values, dtype=np.int64), counts)


def decode_brush(data: Sequence[int], width: int, height: int) -> npt.NDArray[np.bool_]:
    """The ``(height, width)`` mask of a Label Studio brush ``rle`` (alpha channel > 0)."""
    flat = unpack_brush(data)
    if flat.size != width * height * 4:
        raise ValueError(
            f"the brush rle holds {flat.size} values, not {width}x{height}x4 = {width * height * 4}"
        )
    return flat.reshape(height, width, 4)[:, :, 3] > 0


# -- reading -----------------------------------------------------------------------------------

_REGION_TYPES: Final = {
    "rectanglelabels": "box",
    "polygonlabels": "polygon",
    "keypointlabels": "point",
    "brushlabels": "mask",
    "labels": None,
    "choices": "label",
}


def read_label_studio(
    path_or_tasks: PathLike | Sequence[Mapping[str, Any]] | Mapping[str, Any],
    /,
    *,
    item_key: str | None = None,
    annotator: str | None = None,
    unknown: Literal["error", "skip"] = "error",
) -> pd.DataFrame:
    """Read a Label Studio JSON export (a path, a list of tasks or one task).

    ``item_key`` names the task ``data`` field whose value is the item id
    (``"image"`` gives the image URL); by default the item id is the task's
    ``meta["item_id"]`` (which :func:`to_label_studio` writes and Label Studio
    keeps through import and export), else its ``id`` as text. ``annotator``
    names everyone's rows; by default it comes
    from ``completed_by`` (its ``email`` or the user id) for annotations and
    ``model_version`` for predictions. Errors name the JSON path
    (``[3].annotations[0].result[2].value.points``) and the field.
    """
    doc, name = load_json(path_or_tasks, expect=(list, dict))
    tasks = [doc] if isinstance(doc, Mapping) else doc
    out: list[dict[str, Any]] = []
    origins: list[str] = []
    for t, task in enumerate(tasks):
        where = f"[{t}]"
        if not isinstance(task, Mapping):
            raise FormatError("a task must be an object", source=name, where=where)
        data = task.get("data", {})
        if item_key is not None:
            if not isinstance(data, Mapping) or item_key not in data:
                raise FormatError(
                    f"the task data has no {item_key!r}",
                    source=name,
                    where=f"{where}.data",
                    field=item_key,
                )
            item = str(data[item_key])
        elif isinstance(task.get("meta"), Mapping) and "item_id" in task["meta"]:
            item = str(task["meta"]["item_id"])
        elif "id" in task:
            item = str(task["id"])
        else:
            raise FormatError(
                "a task needs an id (or pass item_key=)", source=name, where=where, field="id"
            )
        task_id = task.get("id", t)
        for group, source in (("annotations", "human"), ("predictions", "model")):
            entries = task.get(group) or []
            if not isinstance(entries, list):
                raise FormatError("must be a list", source=name, where=where, field=group)
            for a, entry in enumerate(entries):
                here = f"{where}.{group}[{a}]"
                if not isinstance(entry, Mapping):
                    raise FormatError("must be an object", source=name, where=here)
                rows = _entry(
                    entry,
                    source=source,
                    item=item,
                    task_id=task_id,
                    index=a,
                    name=name,
                    where=here,
                    annotator=annotator,
                    unknown=unknown,
                )
                out.extend(rows)
                origins.extend(f"{name}:{here}" for _ in rows)
    return build_frame(out, origins)


def _who(entry: Mapping[str, Any], source: str) -> str:
    if source == "model":
        return str(entry.get("model_version") or "model")
    by = entry.get("completed_by")
    if isinstance(by, Mapping):
        by = by.get("email") or by.get("id")
    return "label-studio" if by is None else str(by)


def _entry(
    entry: Mapping[str, Any],
    *,
    source: str,
    item: str,
    task_id: Any,
    index: int,
    name: str,
    where: str,
    annotator: str | None,
    unknown: str,
) -> list[dict[str, Any]]:
    who = annotator if annotator is not None else _who(entry, source)
    key = f"{task_id}/{'a' if source == 'human' else 'p'}{entry.get('id', index)}"
    base: dict[str, Any] = {"item_id": item, "annotator": who, "source": source}
    for src, col in (("created_at", "created_at"), ("updated_at", "updated_at")):
        if entry.get(src):
            base[col] = entry[src]
    if entry.get("lead_time") is not None:
        base["elapsed"] = number(entry["lead_time"], source=name, where=where, field="lead_time")
    entry_score = entry.get("score")
    if entry.get("was_cancelled"):
        return [{**base, "id": f"{key}/skip", "kind": "skip", "label": "skip"}]
    results = entry.get("result") or []
    if not isinstance(results, list):
        raise FormatError("must be a list", source=name, where=where, field="result")
    texts: dict[str, tuple[str, Any, Any]] = {}
    rows: list[dict[str, Any]] = []
    relations: list[tuple[int, Mapping[str, Any]]] = []
    region_rows: dict[str, list[dict[str, Any]]] = {}
    used: set[str] = set()
    for r, res in enumerate(results):
        here = f"{where}.result[{r}]"
        if not isinstance(res, Mapping):
            raise FormatError("must be an object", source=name, where=here)
        rtype = str(res.get("type", "")).lower()
        if rtype == "relation":
            relations.append((r, res))
            continue
        value = res.get("value")
        if not isinstance(value, Mapping):
            raise FormatError("missing or not an object", source=name, where=here, field="value")
        region = str(res.get("id", r))
        if rtype == "textarea":
            text = value.get("text", [])
            joined = "\n".join(map(str, text)) if isinstance(text, list) else str(text)
            texts[region] = (joined, res.get("from_name"), res.get("to_name"))
            continue
        if rtype not in _REGION_TYPES:
            if unknown == "skip":
                continue
            raise FormatError(
                f"result type {rtype!r} is not one nblabel reads (unknown='skip' leaves it out)",
                source=name,
                where=here,
                field="type",
            )
        made = _region(res, rtype, value, name, here)
        score = res.get("score", entry_score)
        ls = {
            "id": region,
            "from_name": res.get("from_name"),
            "to_name": res.get("to_name"),
            "type": rtype,
        }
        ls.update(made.pop("_extra", {}))
        labels = made.pop("_labels")
        for k, label in enumerate(labels):
            row = {
                **base,
                **made,
                "label": str(label),
                "id": _unique(
                    f"{key}/{region}" if len(labels) == 1 else f"{key}/{region}/{k}",
                    rtype,
                    used,
                ),
                "extra": {
                    "label_studio": {**ls, **({"labels": len(labels)} if len(labels) > 1 else {})}
                },
            }
            if score is not None and source == "model":
                row["score"] = number(score, source=name, where=here, field="score")
            rows.append(row)
            region_rows.setdefault(region, []).append(row)
    for region, (text, from_name, to_name) in texts.items():
        targets = region_rows.get(region)
        if targets:
            for row in targets:
                if row["kind"] in ("span", "segment"):
                    row["text"] = text
                else:
                    row["extra"]["label_studio"]["text"] = text
        else:
            row = {
                **base,
                "id": f"{key}/{region}",
                "kind": "comment",
                "label": from_name or "textarea",
                "text": text,
                "extra": {
                    "label_studio": {
                        "id": region,
                        "from_name": from_name,
                        "to_name": to_name,
                        "type": "textarea",
                    }
                },
            }
            rows.append(row)
            region_rows[region] = [row]
    for r, res in relations:
        here = f"{where}.result[{r}]"
        ends = []
        for field in ("from_id", "to_id"):
            target = region_rows.get(str(res.get(field)))
            if not target:
                raise FormatError(
                    f"names no region of this annotation ({res.get(field)!r})",
                    source=name,
                    where=here,
                    field=field,
                )
            ends.append(target[0]["id"])
        labels = res.get("labels") or []
        rows.append(
            {
                **base,
                "id": f"{key}/rel{r}",
                "kind": "relation",
                "label": str(labels[0]) if labels else "relation",
                "from_id": ends[0],
                "to_id": ends[1],
                "extra": {
                    "label_studio": {"type": "relation", "direction": res.get("direction", "right")}
                },
            }
        )
    return rows


def _unique(ident: str, rtype: str, used: set[str]) -> str:
    """A row id not used yet: a region's second result (its per-region choices) gets its type."""
    if ident in used:
        ident = f"{ident}/{rtype}"
    used.add(ident)
    return ident


def _region(
    res: Mapping[str, Any], rtype: str, value: Mapping[str, Any], name: str, where: str
) -> dict[str, Any]:
    def num(key: str, obj: Mapping[str, Any] = value) -> float:
        if key not in obj:
            raise FormatError("missing", source=name, where=f"{where}.value", field=key)
        return number(obj[key], source=name, where=f"{where}.value", field=key)

    labels = value.get(rtype)
    if not isinstance(labels, list) or not labels:
        raise FormatError("missing or empty", source=name, where=f"{where}.value", field=rtype)
    out: dict[str, Any] = {"_labels": labels, "_extra": {}}
    if rtype == "choices":
        out["kind"] = "label"
        return out
    if rtype == "labels":
        start, end = num("start"), num("end")
        if "text" in value:
            out.update(kind="span", start=start, end=end, text=value["text"])
        else:
            out.update(kind="segment", start=start, end=end)
            if "channel" in value:
                out["_extra"]["channel"] = value["channel"]
        return out
    ow, oh = num("original_width", res), num("original_height", res)
    out.update(image_width=int(ow), image_height=int(oh))
    if rtype == "rectanglelabels":
        out.update(
            kind="box",
            x=num("x") * ow / 100,
            y=num("y") * oh / 100,
            width=num("width") * ow / 100,
            height=num("height") * oh / 100,
        )
        if value.get("rotation"):
            out["_extra"]["rotation"] = value["rotation"]
    elif rtype == "polygonlabels":
        pts = value.get("points")
        if not isinstance(pts, list) or len(pts) < 3:
            raise FormatError(
                "needs at least three [x, y] points",
                source=name,
                where=f"{where}.value",
                field="points",
            )
        try:
            out.update(
                kind="polygon",
                points=[[float(p[0]) * ow / 100, float(p[1]) * oh / 100] for p in pts],
            )
        except (TypeError, ValueError, IndexError) as exc:
            raise FormatError(
                f"not a list of [x, y] numbers: {exc}",
                source=name,
                where=f"{where}.value",
                field="points",
            ) from exc
    elif rtype == "keypointlabels":
        out.update(kind="point", x=num("x") * ow / 100, y=num("y") * oh / 100)
        if "width" in value:
            out["_extra"]["width"] = value["width"]
    else:
        if value.get("format", "rle") != "rle" or "rle" not in value:
            raise FormatError(
                "a brush region needs format 'rle' and its 'rle'",
                source=name,
                where=f"{where}.value",
                field="rle",
            )
        try:
            mask = decode_brush(value["rle"], int(ow), int(oh))
        except (ValueError, TypeError) as exc:
            raise FormatError(str(exc), source=name, where=f"{where}.value", field="rle") from exc
        out.update(kind="mask", mask=rle_mod.encode(mask))
    return out


# -- writing -----------------------------------------------------------------------------------

_TYPES: Final = {
    "label": "choices",
    "box": "rectanglelabels",
    "polygon": "polygonlabels",
    "point": "keypointlabels",
    "mask": "brushlabels",
    "span": "labels",
    "segment": "labels",
}
_FROM: Final = {
    "choices": "choice",
    "rectanglelabels": "box",
    "polygonlabels": "polygon",
    "keypointlabels": "keypoint",
    "brushlabels": "brush",
    "labels": "label",
    "textarea": "transcription",
}


def to_label_studio(
    df: pd.DataFrame,
    *,
    data: Mapping[str, Mapping[str, Any]],
    to_name: str | None = None,
) -> list[dict[str, Any]]:
    """Label Studio tasks (for import) of ``df``: one task per item, ``data[item_id]`` its data.

    Each task's ``meta`` carries ``{"item_id": ...}``, so that an export of the
    project reads back with the same item ids. Human and review rows become one
    ``annotations`` entry per annotator, model
    rows one ``predictions`` entry per model (``model_version`` = annotator).
    Tag names come from ``extra["label_studio"]`` when present, else
    ``from_name`` is ``box``/``polygon``/``keypoint``/``brush``/``label``/
    ``choice``/``transcription`` by result type and ``to_name`` is ``to_name``
    or the kind's media (``image``, ``text``, ``audio``). An item missing from
    ``data`` raises naming it.
    """
    df = schema.validate(df)
    bad = ~df["kind"].isin([*_TYPES, "relation", "comment", "skip"])
    if bad.any():
        raise row_error(
            f"Label Studio has no {df.loc[bad, 'kind'].iloc[0]!r} result",
            df.index[bad.to_numpy()][0],
            "kind",
        )
    missing_items = sorted(set(df["item_id"]) - {str(k) for k in data})
    if missing_items:
        raise FormatError(f"items {missing_items[:5]} have no task data in data=", field="data")
    region_of: dict[str, str] = {}
    entries: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    cancelled: set[tuple[str, str, str]] = set()
    rows = list(records(df))
    for _, row in rows:
        ls = extra_of(row["extra"], "label_studio")
        region_of[row["id"]] = str(ls.get("id") or row["id"])
    merged: dict[tuple[tuple[str, str, str], str, str], dict[str, Any]] = {}
    for label, row in rows:
        group = "predictions" if row["source"] == "model" else "annotations"
        key = (row["item_id"], group, row["annotator"])
        results = entries.setdefault(key, [])
        kind = row["kind"]
        ls = extra_of(row["extra"], "label_studio")
        region = region_of[row["id"]]
        if kind == "skip":
            cancelled.add(key)
            continue
        if kind == "relation":
            for end in ("from_id", "to_id"):
                if row[end] not in region_of:
                    raise row_error(f"names {row[end]!r}, which is not a row of df", label, end)
            res: dict[str, Any] = {
                "from_id": region_of[row["from_id"]],
                "to_id": region_of[row["to_id"]],
                "type": "relation",
                "direction": ls.get("direction", "right"),
            }
            if row["label"] != "relation":
                res["labels"] = [row["label"]]
            results.append(res)
            continue
        if kind == "comment":
            results.append(_textarea(region, ls, row, to_name))
            continue
        rtype = _TYPES[kind]
        media = {"label": "image", "span": "text", "segment": "audio"}.get(kind, "image")
        from_name = ls.get("from_name") or _FROM[rtype]
        target = ls.get("to_name") or to_name or media
        mkey = (key, region, from_name)
        if mkey in merged:  # another label of a multi-label region
            merged[mkey]["value"][rtype].append(row["label"])
            continue
        value = _value(kind, row, ls, label)
        value[rtype] = [row["label"]]
        res = {
            "id": region,
            "from_name": from_name,
            "to_name": target,
            "type": rtype,
            "value": value,
        }
        if kind in ("box", "polygon", "point", "mask"):
            res["original_width"] = int(row["image_width"])
            res["original_height"] = int(row["image_height"])
            res["image_rotation"] = 0
        if not missing(row["score"]):
            res["score"] = float(row["score"])
        merged[mkey] = res
        results.append(res)
        if kind in ("box", "polygon", "point", "mask") and "text" in ls:
            results.append(
                _textarea(
                    region, {"to_name": target}, {"text": ls["text"]}, to_name, res_type="image"
                )
            )
        elif kind == "segment" and not missing(row["text"]):
            results.append(
                _textarea(
                    region, {"to_name": target}, row, to_name, res_type="audio", per_region=True
                )
            )
    tasks: dict[str, dict[str, Any]] = {}
    for (item, group, who), results in entries.items():
        task = tasks.get(item)
        if task is None:
            task = {"data": dict(data[item] if item in data else data[str(item)])}
            task["meta"] = {"item_id": item}
            task["annotations"], task["predictions"] = [], []
            tasks[item] = task
        if group == "predictions":
            task["predictions"].append({"model_version": who, "result": results})
        else:
            entry: dict[str, Any] = {"result": results}
            if (item, group, who) in cancelled:
                entry["was_cancelled"] = True
            task["annotations"].append(entry)
    return list(tasks.values())


def _textarea(
    region: str,
    ls: Mapping[str, Any],
    row: Mapping[str, Any],
    to_name: str | None,
    *,
    res_type: str = "text",
    per_region: bool = False,
) -> dict[str, Any]:
    text = row["text"]
    out: dict[str, Any] = {
        "id": region,
        "from_name": ls.get("from_name") or "transcription",
        "to_name": ls.get("to_name") or to_name or res_type,
        "type": "textarea",
        "value": {"text": [text]},
    }
    if per_region:
        out["value"].update(start=float(row["start"]), end=float(row["end"]))
    return out


def _value(kind: str, row: Mapping[str, Any], ls: Mapping[str, Any], label: Any) -> dict[str, Any]:
    if kind == "label":
        return {}
    if kind in ("span", "segment"):
        value: dict[str, Any] = {
            "start": _plain(row["start"], kind),
            "end": _plain(row["end"], kind),
        }
        if kind == "span":
            value["text"] = "" if missing(row["text"]) else row["text"]
        elif "channel" in ls:
            value["channel"] = ls["channel"]
        return value
    w, h = row["image_width"], row["image_height"]
    if missing(w) or missing(h) or w <= 0 or h <= 0:
        raise row_error(
            "Label Studio needs the image size (image_width, image_height)", label, "image_width"
        )
    w, h = float(w), float(h)
    if kind == "box":
        return {
            "x": row["x"] / w * 100,
            "y": row["y"] / h * 100,
            "width": row["width"] / w * 100,
            "height": row["height"] / h * 100,
            "rotation": ls.get("rotation", 0),
        }
    if kind == "polygon":
        return {"points": [[float(p[0]) / w * 100, float(p[1]) / h * 100] for p in row["points"]]}
    if kind == "point":
        out = {"x": row["x"] / w * 100, "y": row["y"] / h * 100}
        if "width" in ls:
            out["width"] = ls["width"]
        return out
    mask = rle_mod.decode(row["mask"])
    if mask.shape != (int(h), int(w)):
        raise row_error(
            f"the mask is {mask.shape[1]}x{mask.shape[0]}, the image {int(w)}x{int(h)}",
            label,
            "mask",
        )
    return {"format": "rle", "rle": encode_brush(mask)}


def _plain(value: Any, kind: str) -> Any:
    value = float(value)
    return int(value) if kind == "span" else value


def write_label_studio(
    df: pd.DataFrame,
    path: PathLike,
    *,
    data: Mapping[str, Mapping[str, Any]],
    to_name: str | None = None,
) -> Path:
    """Write :func:`to_label_studio` of ``df`` to ``path`` as JSON (atomically)."""
    tasks = to_label_studio(df, data=data, to_name=to_name)
    return atomic_write(path, json.dumps(tasks, ensure_ascii=False, indent=1))
