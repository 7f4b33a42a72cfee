"""COCO: object detection and segmentation datasets, and COCO results files.

A COCO dataset is a JSON object with ``images``, ``annotations`` and
``categories``; a *results* file is a JSON list of annotations with a
``score`` (what a detector writes for ``COCOeval``).

How the table carries COCO
--------------------------
- ``item_id`` is the image's ``file_name`` (joined to ``image_root`` when
  given); ``image_width``/``image_height`` its ``width``/``height``.
- ``label`` is the category's ``name``.
- An annotation with a ``segmentation`` polygon is a ``polygon`` row; a
  multi-part polygon becomes one row per ring, all sharing the COCO annotation
  id in ``extra["coco"]["id"]`` with ``extra["coco"]["ring"]`` its position
  (and ``extra["coco"]["rings"]`` how many); :func:`to_coco` joins them again.
- An RLE ``segmentation`` (compressed or with a list of counts, as crowd
  annotations have) is a ``mask`` row holding the canonical compressed RLE
  (:mod:`nblabel.rle`); ``extra["coco"]["counts"] == "list"`` remembers that
  the counts were a list and they are written back as a list.
- Otherwise the annotation is a ``box`` row from ``bbox`` (``x, y, width,
  height``, the table's own convention).
- ``extra["coco"]`` keeps the annotation ``id``, ``image_id``,
  ``category_id``, ``supercategory``, ``iscrowd`` (when 1), ``area``, the
  ``bbox`` of a segmented annotation and any other field of the annotation
  (under ``fields``), so writing the rows back gives the same file.
- ``score`` is the result's score; rows with a score are ``source="model"``.
- Keypoints (``keypoints``, ``num_keypoints``, the categories' ``keypoints`` and
  ``skeleton``) are ``point`` rows, one per labeled keypoint, sharing the annotation's
  ``track_id`` with its region; ``outside=True`` is ``v=1`` (see
  :mod:`nblabel.formats._coco_keypoints` and :mod:`nblabel.skeleton`).

Lossless rules: a dataset read and written back has the same images that have
annotations, annotations (ids, geometry, iscrowd, area, bbox, extra fields) and
categories (ids, names, supercategories of used categories), as equal JSON values
(a box's whole numbers are written as ``10.0``: the table keeps floats). Not carried:
images without annotations and categories no annotation uses (pass
``categories=`` and ``images=`` to :func:`to_coco` to write them), the place of
``v=0`` keypoints, ``info`` and ``licenses``. The kept ``area`` and ``bbox`` are
written back only while the geometry is the one they came with
(``extra["coco"]["made_for"]`` holds its tight box): a box or polygon moved or
reshaped in a widget gets them computed anew.
Row ``id`` is the COCO annotation id as text (``"{id}:{ring}"`` for a later
ring), prefixed by ``id_prefix``.

``to_coco`` of rows without ``extra``: new annotation ids follow the largest
one in use (a row id that is a whole number is used as it is), category ids
follow the label order, ``area`` is the box area, the polygon's area or the
mask's pixel count, and a segmented annotation's ``bbox`` is the tight box.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from .. import rle as rle_mod
from ..skeleton import Skeleton
from . import _coco_keypoints as _kp
from ._common import (
    FormatError,
    PathLike,
    atomic_write,
    build_frame,
    check_frame,
    extra_of,
    load_json,
    missing,
    number,
    records,
    resolve_source,
    row_error,
    whole,
)

__all__ = ["read_coco", "to_coco", "write_coco"]

KINDS: Final = ("box", "polygon", "mask")
_KNOWN: Final = _kp.FIELDS | frozenset(
    {"id", "image_id", "category_id", "bbox", "segmentation", "area", "iscrowd", "score"}
)


def _images_of(
    gt: Mapping[str, Any], name: str, image_root: PathLike | None
) -> dict[Any, tuple[str, int | None, int | None]]:
    images = gt.get("images", [])
    if not isinstance(images, list):
        raise FormatError("must be a list", source=name, field="images")
    out: dict[Any, tuple[str, int | None, int | None]] = {}
    seen: dict[str, int] = {}
    for i, img in enumerate(images):
        where = f"images[{i}]"
        if not isinstance(img, Mapping):
            raise FormatError("must be an object", source=name, where=where)
        if "id" not in img:
            raise FormatError("missing", source=name, where=where, field="id")
        file_name = img.get("file_name")
        if not isinstance(file_name, str) or not file_name:
            raise FormatError("missing or not a text", source=name, where=where, field="file_name")
        item = os.path.join(os.fspath(image_root), file_name) if image_root else file_name
        if item in seen:
            raise FormatError(
                f"file_name {file_name!r} is also images[{seen[item]}]'s",
                source=name,
                where=where,
                field="file_name",
            )
        seen[item] = i
        w = img.get("width")
        h = img.get("height")
        width = None if w is None else whole(w, source=name, where=where, field="width")
        height = None if h is None else whole(h, source=name, where=where, field="height")
        out[img["id"]] = (item, width, height)
    return out


def _categories_of(gt: Mapping[str, Any], name: str) -> dict[Any, tuple[str, Any]]:
    cats = gt.get("categories", [])
    if not isinstance(cats, list):
        raise FormatError("must be a list", source=name, field="categories")
    out: dict[Any, tuple[str, Any]] = {}
    for i, cat in enumerate(cats):
        where = f"categories[{i}]"
        if not isinstance(cat, Mapping) or "id" not in cat:
            raise FormatError("must be an object with an id", source=name, where=where)
        cname = cat.get("name")
        if not isinstance(cname, str) or not cname:
            raise FormatError("missing or not a text", source=name, where=where, field="name")
        if cat["id"] in out:
            raise FormatError(
                f"category id {cat['id']!r} appears twice", source=name, where=where, field="id"
            )
        out[cat["id"]] = (cname, cat.get("supercategory"))
    return out


def read_coco(
    data: PathLike | Mapping[str, Any] | Sequence[Mapping[str, Any]],
    /,
    *,
    images: PathLike | Mapping[str, Any] | None = None,
    image_root: PathLike | None = None,
    annotator: str = "coco",
    source: str | None = None,
    id_prefix: str = "",
    outside: Literal["error", "keep"] = "error",
) -> pd.DataFrame:
    """Read a COCO dataset or results file into an annotation frame.

    Parameters
    ----------
    data
        A path to a COCO JSON file, or the loaded dict (dataset) or list (results).
    images
        For a results file: the ground truth (path or dict) whose images and
        categories give the item ids, sizes and label names. Without it a
        results file's item ids are the image ids and its labels the category
        ids, as text.
    image_root
        Joined in front of each ``file_name`` to make the item id (so that it
        matches the paths you give a widget).
    annotator, source
        Who the rows come from. ``source`` defaults to ``"model"`` for rows
        with a score and ``"human"`` for the rest.
    id_prefix
        Put in front of every row id, so that two datasets whose annotation
        ids overlap can share a store.
    outside
        ``"error"`` (default) raises on a box or polygon that leaves its
        image; ``"keep"`` keeps it as it is.

    Errors name the file, the JSON path (``annotations[17].category_id``) and
    the field: unknown image or category ids, malformed boxes, polygons and RLE.
    """
    doc, name = load_json(data, expect=(dict, list))
    gt: Mapping[str, Any]
    if isinstance(doc, list):
        anns = doc
        if images is not None:
            gt, gt_name = load_json(images, expect=(dict,))
            image_map = _images_of(gt, gt_name, image_root)
            cat_map = _categories_of(gt, gt_name)
            kp_cats = _kp.keypoint_categories(gt, gt_name)
        else:
            image_map, cat_map, kp_cats = {}, {}, {}
        loose = images is None
    else:
        gt = doc
        anns = doc.get("annotations", [])
        if not isinstance(anns, list):
            raise FormatError("must be a list", source=name, field="annotations")
        image_map = _images_of(gt, name, image_root)
        cat_map = _categories_of(gt, name)
        kp_cats = _kp.keypoint_categories(gt, name)
        loose = False
    prefix = "" if isinstance(doc, list) else "annotations"
    out: list[dict[str, Any]] = []
    origins: list[str] = []
    for i, ann in enumerate(anns):
        where = f"{prefix}[{i}]"
        args = (ann, where, name, image_map, cat_map)
        if isinstance(ann, Mapping) and ann.get("keypoints") is not None:
            item, label = _target(*args, loose=loose)
            regions = (
                _rows(*args, loose=loose, outside=outside, index=i) if _kp.has_region(ann) else []
            )
            rows = _kp.read_points(
                ann, regions, where=where, name=name, item=item, label=label,
                skeleton=kp_cats.get(ann["category_id"]), outside=outside, index=i,
            )  # fmt: skip
        else:
            rows = _rows(*args, loose=loose, outside=outside, index=i)
        for row in rows:
            row["annotator"] = annotator
            row["source"] = resolve_source(source, row.get("score"))
            row["id"] = f"{id_prefix}{row['id']}"
            out.append(row)
            origins.append(f"{name}:{where}")
    return build_frame(out, origins)


def _target(
    ann: Any,
    where: str,
    name: str,
    image_map: Mapping[Any, tuple[str, int | None, int | None]],
    cat_map: Mapping[Any, tuple[str, Any]],
    *,
    loose: bool,
) -> tuple[tuple[str, int | None, int | None], str]:
    """The item (id, width, height) and the label of an annotation, checked."""
    if not isinstance(ann, Mapping):
        raise FormatError("must be an object", source=name, where=where)
    for key in ("image_id", "category_id"):
        if key not in ann:
            raise FormatError("missing", source=name, where=where, field=key)
    image_id, cat_id = ann["image_id"], ann["category_id"]
    if loose:
        return (str(image_id), None, None), str(cat_id)
    if image_id not in image_map:
        raise FormatError(
            f"image id {image_id!r} is not in images", source=name, where=where, field="image_id"
        )
    if cat_id not in cat_map:
        raise FormatError(
            f"category id {cat_id!r} is not in categories",
            source=name,
            where=where,
            field="category_id",
        )
    return image_map[image_id], cat_map[cat_id][0]


def _rows(
    ann: Any,
    where: str,
    name: str,
    image_map: Mapping[Any, tuple[str, int | None, int | None]],
    cat_map: Mapping[Any, tuple[str, Any]],
    *,
    loose: bool,
    outside: str,
    index: int,
) -> list[dict[str, Any]]:
    (item, width, height), label = _target(ann, where, name, image_map, cat_map, loose=loose)
    image_id, cat_id = ann["image_id"], ann["category_id"]
    supercat = None if loose else cat_map[cat_id][1]
    ann_id = ann.get("id", index + 1)
    extra: dict[str, Any] = {"id": ann_id, "image_id": image_id, "category_id": cat_id}
    if supercat is not None:
        extra["supercategory"] = supercat
    iscrowd = ann.get("iscrowd", 0)
    if iscrowd not in (0, 1):
        raise FormatError(f"{iscrowd!r} is not 0 or 1", source=name, where=where, field="iscrowd")
    if iscrowd:
        extra["iscrowd"] = 1
    if "area" in ann:
        extra["area"] = number(ann["area"], source=name, where=where, field="area")
        if isinstance(ann["area"], int):
            extra["area"] = ann["area"]
    rest = {k: v for k, v in ann.items() if k not in _KNOWN}
    if rest:
        extra["fields"] = rest
    base: dict[str, Any] = {
        "item_id": item,
        "label": label,
        "image_width": width,
        "image_height": height,
    }
    if "score" in ann:
        base["score"] = number(ann["score"], source=name, where=where, field="score")
    bbox = _bbox(ann.get("bbox"), name, where) if ann.get("bbox") is not None else None
    seg = ann.get("segmentation")
    size = (width, height) if width is not None and height is not None else None
    if isinstance(seg, Mapping):
        mask, list_counts = _mask(seg, name, f"{where}.segmentation", size)
        if list_counts:
            extra["counts"] = "list"
        tight = [float(v) for v in rle_mod.bbox(mask)]
        if bbox is not None and list(bbox) != tight:
            extra["bbox"] = list(bbox)
        _made_for(extra, tight)
        if size is None:
            base["image_height"], base["image_width"] = mask["size"]
        return [{**base, "id": str(ann_id), "kind": "mask", "mask": mask, "extra": {"coco": extra}}]
    if isinstance(seg, list) and seg:
        rings = [
            _ring(r, name, f"{where}.segmentation[{k}]", size, outside) for k, r in enumerate(seg)
        ]
        tight = [float(v) for v in _points_bbox([p for r in rings for p in r])]
        if bbox is not None and bbox != tight:
            extra["bbox"] = list(bbox)
        _made_for(extra, tight)
        rows = []
        for k, points in enumerate(rings):
            part = dict(extra)
            if len(rings) > 1:
                part["ring"] = k
                part["rings"] = len(rings)
            rows.append(
                {
                    **base,
                    "id": str(ann_id) if k == 0 else f"{ann_id}:{k}",
                    "kind": "polygon",
                    "points": points,
                    "extra": {"coco": part},
                }
            )
        return rows
    if isinstance(seg, list):
        extra["segmentation"] = []
    elif seg is not None:
        raise FormatError(
            "must be a list of polygons or an RLE object",
            source=name,
            where=where,
            field="segmentation",
        )
    if bbox is None:
        raise FormatError(
            "an annotation needs a bbox or a segmentation", source=name, where=where, field="bbox"
        )
    x, y, w, h = bbox
    if (
        outside == "error"
        and size is not None
        and (x < 0 or y < 0 or x + w > size[0] + 1e-6 or y + h > size[1] + 1e-6)
    ):
        raise FormatError(
            f"box {bbox} leaves its {size[0]}x{size[1]} image (read with outside='keep' "
            "to keep it)",
            source=name,
            where=where,
            field="bbox",
        )
    _made_for(extra, list(bbox))
    return [
        {
            **base,
            "id": str(ann_id),
            "kind": "box",
            "x": x,
            "y": y,
            "width": w,
            "height": h,
            "extra": {"coco": extra},
        }
    ]


def _made_for(extra: dict[str, Any], tight: list[float]) -> None:
    """Note the tight box of the geometry that a kept ``area``/``bbox`` belongs to."""
    if "area" in extra or "bbox" in extra:
        extra["made_for"] = tight


def _bbox(value: Any, name: str, where: str) -> list[float]:
    if type(value) is list and len(value) == 4 and all(type(v) in (int, float) for v in value):
        fast = [float(v) for v in value]
        if fast[2] >= 0 and fast[3] >= 0 and all(map(math.isfinite, fast)):
            return fast
    if not isinstance(value, list) or len(value) != 4:
        raise FormatError(
            f"{value!r} is not [x, y, width, height]", source=name, where=where, field="bbox"
        )
    out = [number(v, source=name, where=where, field="bbox") for v in value]
    if out[2] < 0 or out[3] < 0:
        raise FormatError(
            f"{value!r} has a negative width or height", source=name, where=where, field="bbox"
        )
    return out


def _ring(
    value: Any, name: str, where: str, size: tuple[int, int] | None, outside: str
) -> list[list[float]]:
    if not isinstance(value, list) or len(value) < 6 or len(value) % 2:
        raise FormatError(
            "a polygon must be a flat list of at least 3 x, y pairs", source=name, where=where
        )
    flat = [number(v, source=name, where=where, field="") for v in value]
    pts = [
        [_keep_int(value[j], flat[j]), _keep_int(value[j + 1], flat[j + 1])]
        for j in range(0, len(flat), 2)
    ]
    if outside == "error" and size is not None:
        xs, ys = flat[0::2], flat[1::2]
        if min(xs) < 0 or min(ys) < 0 or max(xs) > size[0] + 1e-6 or max(ys) > size[1] + 1e-6:
            raise FormatError(
                f"a point leaves the {size[0]}x{size[1]} image (read with outside='keep' "
                "to keep it)",
                source=name,
                where=where,
            )
    return pts


def _keep_int(raw: Any, value: float) -> Any:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else value


def _points_bbox(points: Sequence[Sequence[float]]) -> list[float]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]


def _mask(
    seg: Mapping[str, Any], name: str, where: str, size: tuple[int, int] | None
) -> tuple[dict[str, Any], bool]:
    try:
        canonical = _canonical(seg)
    except (rle_mod.RLEError, KeyError, TypeError) as exc:
        raise FormatError(f"not a valid RLE: {exc}", source=name, where=where) from exc
    if size is not None and list(canonical["size"]) != [size[1], size[0]]:
        raise FormatError(
            f"size {canonical['size']} is not the image's [height, width] {[size[1], size[0]]}",
            source=name,
            where=where,
            field="size",
        )
    return canonical, not isinstance(seg["counts"], (str, bytes))


def _canonical(seg: Mapping[str, Any]) -> dict[str, Any]:
    """The compressed RLE of ``seg``; a well-formed counts string is kept as it is."""
    raw = seg["counts"]
    if isinstance(raw, str):
        size = seg["size"]
        counts = rle_mod.counts_from_string(raw)
        if (
            isinstance(size, list)
            and len(size) == 2
            and all(type(v) is int and v >= 0 for v in size)
            and sum(counts) == size[0] * size[1]
            and min(counts, default=0) >= 0
            and 0 not in counts[1:]
        ):
            return {"size": list(size), "counts": raw}
    return rle_mod.from_counts(seg)


# -- writing ----------------------------------------------------------------------------------


def _category_table(
    df: pd.DataFrame, categories: Sequence[Any] | None
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    if categories is not None:
        table: list[dict[str, Any]] = []
        for i, cat in enumerate(categories):
            if isinstance(cat, str):
                table.append({"id": i + 1, "name": cat})
            elif isinstance(cat, Mapping) and "id" in cat and "name" in cat:
                table.append(dict(cat))
            else:
                raise TypeError(f"categories[{i}]: expected a name or a dict with id and name")
        ids = {c["name"]: c["id"] for c in table}
        unknown = sorted(set(df["label"]) - set(ids))
        if unknown:
            raise FormatError(f"labels {unknown} are not in categories", field="column 'label'")
        return ids, table
    by_label: dict[str, dict[str, Any]] = {}
    for label, extra in zip(df["label"], df["extra"], strict=True):
        coco = extra_of(extra, "coco")
        if label not in by_label and "category_id" in coco:
            entry: dict[str, Any] = {"id": coco["category_id"], "name": label}
            if "supercategory" in coco:
                entry["supercategory"] = coco["supercategory"]
            by_label[label] = entry
    taken = {c["id"] for c in by_label.values()}
    next_id = max([i for i in taken if isinstance(i, int)], default=0) + 1
    for label in sorted(set(df["label"]) - set(by_label)):
        while next_id in taken:
            next_id += 1
        by_label[label] = {"id": next_id, "name": label}
        taken.add(next_id)
    table = sorted(by_label.values(), key=lambda c: (str(type(c["id"])), c["id"]))
    return {c["name"]: c["id"] for c in table}, table


def to_coco(
    df: pd.DataFrame,
    *,
    categories: Sequence[str | Mapping[str, Any]] | None = None,
    images: PathLike | Mapping[str, Any] | None = None,
    image_root: PathLike | None = None,
    results: bool = False,
    skeletons: Sequence[Skeleton | Mapping[str, Any]] | None = None,
) -> dict[str, Any] | list[dict[str, Any]]:
    """The COCO dataset (a dict) of the ``box``, ``polygon``, ``mask`` and ``point`` rows of ``df``.

    Parameters
    ----------
    categories
        The category table to write: names (ids 1, 2, ... in order) or dicts
        with ``id`` and ``name``. By default it is made from the rows
        (``extra["coco"]["category_id"]`` where present).
    images
        A ground truth (path or dict) whose ``images`` and ``categories`` give
        the image and category ids: needed for a results file that
        ``COCOeval`` compares with that ground truth. Its images without rows
        are written too.
    image_root
        Taken off the front of item ids to make ``file_name`` (the reverse of
        :func:`read_coco`'s ``image_root``).
    results
        Return a results file (a list of annotations with ``score``) instead.
    skeletons
        The keypoint categories of the ``point`` rows (:class:`nblabel.Skeleton` or
        dicts): their keypoint order and edges. Not needed for rows read by
        :func:`read_coco`; for a widget's rows pass ``[w.skeleton]``.

    Raises :class:`FormatError` naming the row for rows of other kinds, rows
    without an image size, and labels missing from ``categories``.
    """
    df = check_frame(df, (*KINDS, "point"), fmt="COCO")
    df, keypoints, kp_categories = _kp.fold(df, skeletons)
    image_ids: dict[str, Any] = {}
    image_entries: dict[str, dict[str, Any]] = {}
    if images is not None:
        gt, gt_name = load_json(images, expect=(dict,))
        for img_id, (item, w, h) in _images_of(gt, gt_name, image_root).items():
            image_ids[item] = img_id
            image_entries[item] = {
                "id": img_id,
                "file_name": _file_name(item, image_root),
                "width": w,
                "height": h,
            }
        if categories is None:
            categories = [
                {"id": cid, "name": n, **({"supercategory": s} if s is not None else {})}
                for cid, (n, s) in _categories_of(gt, gt_name).items()
            ]
    cat_ids, cat_table = _category_table(df, categories)
    _kp.describe_categories(cat_table, kp_categories)
    if images is not None and results:
        stray = ~df["item_id"].isin(list(image_entries))
        if stray.any():
            raise row_error(
                f"item {df.loc[stray, 'item_id'].iloc[0]!r} is not an image of the ground truth "
                "given as images=",
                df.index[stray.to_numpy()][0],
                "item_id",
            )

    needed = [
        "id",
        "item_id",
        "kind",
        "label",
        "score",
        "x",
        "y",
        "width",
        "height",
        "points",
        "mask",
        "image_width",
        "image_height",
        "extra",
    ]
    rows = list(records(df[needed]))
    taken_images = set(image_ids.values())
    # image ids: the ground truth's, else extra's, else new ones after the largest
    for _, row in rows:
        item = row["item_id"]
        if item in image_entries:
            continue
        img_id = extra_of(row["extra"], "coco").get("image_id")
        if img_id is not None and item not in image_ids and img_id not in taken_images:
            image_ids[item] = img_id
            taken_images.add(img_id)
    next_image = max([i for i in image_ids.values() if isinstance(i, int)], default=0) + 1
    for _, row in rows:
        item = row["item_id"]
        if item not in image_ids:
            image_ids[item] = next_image
            next_image += 1

    # annotation ids: extra's, else a whole-number row id, else new ones after the largest
    groups: dict[Any, list[tuple[Any, dict[str, Any]]]] = {}
    order: list[Any] = []
    used: set[Any] = set()
    pending: list[tuple[Any, dict[str, Any]]] = []
    for label, row in rows:
        coco = extra_of(row["extra"], "coco")
        ann_id = coco.get("id")
        if ann_id is not None and row["kind"] == "polygon" and "ring" in coco:
            key: Any = ("ring", row["item_id"], ann_id)
        elif ann_id is not None and ann_id not in used:
            key = ann_id
        elif row["id"].isdigit() and int(row["id"]) not in used:
            key = int(row["id"])
        else:
            pending.append((label, row))
            continue
        if key not in groups:
            groups[key] = []
            order.append(key)
            used.add(key[2] if isinstance(key, tuple) else key)
        groups[key].append((label, row))
    next_ann = max([i for i in used if isinstance(i, int)], default=0) + 1
    for label, row in pending:
        while next_ann in used:
            next_ann += 1
        groups[next_ann] = [(label, row)]
        order.append(next_ann)
        used.add(next_ann)

    anns: list[dict[str, Any]] = []
    for key in order:
        members = groups[key]
        ann_id = key[2] if isinstance(key, tuple) else key
        ann = _annotation(
            ann_id,
            members,
            image_ids=image_ids,
            cat_ids=cat_ids,
            image_entries=image_entries,
            image_root=image_root,
        )
        _kp.add_keypoints(ann, [label for label, _ in members], keypoints)
        anns.append(ann)
    if results:
        out_list = []
        for ann in anns:
            entry = {k: v for k, v in ann.items() if k not in ("id", "iscrowd", "area")}
            if "score" not in entry:
                raise FormatError(
                    "a results file needs a score on every annotation", field="column 'score'"
                )
            out_list.append(entry)
        return out_list
    return {
        "images": sorted(image_entries.values(), key=lambda e: (str(type(e["id"])), e["id"])),
        "annotations": anns,
        "categories": cat_table,
    }


def _file_name(item: str, image_root: PathLike | None) -> str:
    if image_root:
        return os.path.relpath(item, os.fspath(image_root))
    return item


def _annotation(
    ann_id: Any,
    members: list[tuple[Any, dict[str, Any]]],
    *,
    image_ids: Mapping[str, Any],
    cat_ids: Mapping[str, Any],
    image_entries: dict[str, dict[str, Any]],
    image_root: PathLike | None,
) -> dict[str, Any]:
    if len(members) > 1:
        members = sorted(members, key=lambda m: extra_of(m[1]["extra"], "coco").get("ring", 0))
    label, row = members[0]
    coco = extra_of(row["extra"], "coco")
    item = row["item_id"]
    kind = row["kind"]
    width, height = row["image_width"], row["image_height"]
    if kind == "mask" and (missing(width) or missing(height)):
        height, width = row["mask"]["size"]
    if missing(width) or missing(height):
        raise row_error(
            "COCO needs the image size (image_width, image_height)", label, "image_width"
        )
    entry = image_entries.get(item)
    if entry is None:
        image_entries[item] = {
            "id": image_ids[item],
            "file_name": _file_name(item, image_root),
            "width": int(width),
            "height": int(height),
        }
    elif entry["width"] is None:
        entry["width"], entry["height"] = int(width), int(height)
    ann: dict[str, Any] = {
        "id": ann_id,
        "image_id": image_ids[item],
        "category_id": cat_ids[row["label"]],
    }
    if kind == "box":
        x, y, w, h = (_num(row[c]) for c in ("x", "y", "width", "height"))
        ann["bbox"] = [x, y, w, h]
        if "segmentation" in coco:
            ann["segmentation"] = []
        area: Any = w * h
        kept = _kept(coco, [x, y, w, h])
    elif kind == "polygon":
        rings = [m[1]["points"] for m in members]
        ann["segmentation"] = [[_num(v) for p in r for v in p] for r in rings]
        flat = [p for r in rings for p in r]
        tight = [_num(v) for v in _points_bbox(flat)]
        kept = _kept(coco, tight)
        ann["bbox"] = kept.get("bbox") or tight
        area = sum(_shoelace(r) for r in rings)
    else:
        mask = row["mask"]
        if coco.get("counts") == "list":
            seg: dict[str, Any] = {
                "size": list(mask["size"]),
                "counts": rle_mod.counts_from_string(mask["counts"]),
            }
        else:
            seg = {"size": list(mask["size"]), "counts": mask["counts"]}
        ann["segmentation"] = seg
        tight = list(rle_mod.bbox(mask))
        kept = _kept(coco, tight)
        ann["bbox"] = kept.get("bbox") or tight
        area = None
    if "area" in kept:
        ann["area"] = kept["area"]
    else:
        ann["area"] = rle_mod.area(row["mask"]) if area is None else area
    ann["iscrowd"] = int(coco.get("iscrowd", 0))
    if not missing(row["score"]):
        ann["score"] = float(row["score"])
    ann.update(coco.get("fields", {}))
    return ann


def _kept(coco: Mapping[str, Any], tight: Sequence[float]) -> Mapping[str, Any]:
    """The imported ``area`` and ``bbox``, unless the geometry changed since (then none)."""
    made_for = coco.get("made_for")
    if made_for is not None and [float(v) for v in made_for] != [float(v) for v in tight]:
        return {}
    return {k: coco[k] for k in ("area", "bbox") if k in coco}


def _num(value: Any) -> Any:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    return float(value)


def _shoelace(points: Sequence[Sequence[float]]) -> float:
    pts = np.asarray(points, dtype="float64")
    x, y = pts[:, 0], pts[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def write_coco(
    df: pd.DataFrame,
    path: PathLike,
    *,
    categories: Sequence[str | Mapping[str, Any]] | None = None,
    images: PathLike | Mapping[str, Any] | None = None,
    image_root: PathLike | None = None,
    results: bool = False,
    skeletons: Sequence[Skeleton | Mapping[str, Any]] | None = None,
) -> Path:
    """Write :func:`to_coco` of ``df`` to ``path`` as JSON (atomically); return the path."""
    doc = to_coco(
        df,
        categories=categories,
        images=images,
        image_root=image_root,
        results=results,
        skeletons=skeletons,
    )
    return atomic_write(path, json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
