"""Pascal VOC: one XML file per image with its objects' boxes.

Pixel convention. VOC numbers pixels from 1 and its ``xmax``/``ymax`` are
the last pixel inside the box, so the box ``xmin=1, xmax=10`` covers the first
ten pixel columns. The table measures from the top-left corner of the image
(0) with ``width`` the count of pixels, so ``x = xmin - 1`` and
``width = xmax - xmin + 1`` (and back: ``xmin = x + 1``, ``xmax = x + width``).
Pass ``one_based=False`` for files whose tools wrote 0-based corners
(``x = xmin``, ``width = xmax - xmin``).

How the table carries VOC: each ``object`` is a ``box`` row; ``item_id`` is
``filename`` (joined to ``image_root``); ``label`` is ``name``; the image's
``size`` gives ``image_width``/``image_height``; ``extra["voc"]`` keeps
``pose``, ``truncated``, ``difficult``, ``occluded`` and the file's ``folder``.

Lossless rules: boxes, labels, sizes and the kept fields round trip; a
confidence (not part of VOC) is written as ``<score>`` and read back.
Not carried: ids (a row's id is ``"{stem}:{object index}"``), annotators,
``segmented``, parts, items with no objects, and the folders of an item id
(``filename`` is its file name; pass the same ``image_root`` to both functions
to keep a common folder).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import pandas as pd

from ._common import (
    FormatError,
    PathLike,
    atomic_write_many,
    build_frame,
    check_frame,
    extra_of,
    missing,
    records,
    resolve_source,
    row_error,
)

__all__ = ["read_voc", "write_voc"]

_KEPT: Final = ("pose", "truncated", "difficult", "occluded")


def _paths(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        p = Path(paths)
        return sorted(p.glob("*.xml")) if p.is_dir() else [p]
    return [Path(p) for p in paths]


def read_voc(
    paths: PathLike | Iterable[PathLike],
    *,
    image_root: PathLike | None = None,
    one_based: bool = True,
    annotator: str = "voc",
    source: str | None = None,
) -> pd.DataFrame:
    """Read VOC XML files (a file, a folder of them or a list) into box rows.

    Errors name the file, the element (``object[2]/bndbox/xmax``) and the problem.
    """
    out: list[dict[str, Any]] = []
    origins: list[str] = []
    for path in _paths(paths):
        name = os.fspath(path)
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as exc:
            line = exc.position[0] if exc.position else None
            raise FormatError(
                f"not valid XML: {exc}", source=name, where=f"line {line}" if line else None
            ) from exc
        filename = root.findtext("filename")
        if not filename:
            raise FormatError("missing", source=name, field="filename")
        item = os.path.join(os.fspath(image_root), filename) if image_root else filename
        width = _int(root, "size/width", name)
        height = _int(root, "size/height", name)
        folder = root.findtext("folder")
        for k, obj in enumerate(root.findall("object")):
            where = f"object[{k}]"
            label = obj.findtext("name")
            if not label:
                raise FormatError("missing", source=name, where=where, field="name")
            box = obj.find("bndbox")
            if box is None:
                raise FormatError("missing", source=name, where=where, field="bndbox")
            x0, y0, x1, y1 = (
                _float(box, t, name, f"{where}/bndbox") for t in ("xmin", "ymin", "xmax", "ymax")
            )
            shift = 1.0 if one_based else 0.0
            x, y = x0 - shift, y0 - shift
            w, h = x1 - x0 + shift, y1 - y0 + shift
            if -1e-9 < w < 0:  # a zero-width box, 1-based, in float arithmetic
                w = 0.0
            if -1e-9 < h < 0:
                h = 0.0
            if w < 0 or h < 0:
                raise FormatError(
                    f"xmax/ymax ({x1:g}, {y1:g}) are before xmin/ymin ({x0:g}, {y0:g})",
                    source=name,
                    where=f"{where}/bndbox",
                )
            if (
                width is not None
                and height is not None
                and (x < 0 or y < 0 or x + w > width or y + h > height)
            ):
                raise FormatError(
                    f"box leaves the {width}x{height} image", source=name, where=f"{where}/bndbox"
                )
            voc = {t: _scalar(obj.findtext(t)) for t in _KEPT if obj.find(t) is not None}
            if folder is not None:
                voc["folder"] = folder
            score_text = obj.findtext("score")
            score = float(score_text) if score_text is not None else None
            out.append(
                {
                    "id": f"{path.stem}:{k}",
                    "item_id": item,
                    "annotator": annotator,
                    "source": resolve_source(source, score),
                    "kind": "box",
                    "label": label,
                    "score": score,
                    "x": x,
                    "y": y,
                    "width": w,
                    "height": h,
                    "image_width": width,
                    "image_height": height,
                    "extra": {"voc": voc} if voc else None,
                }
            )
            origins.append(f"{name}:{where}")
    return build_frame(out, origins)


def _scalar(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def _float(parent: ET.Element, tag: str, name: str, where: str) -> float:
    text = parent.findtext(tag)
    if text is None:
        raise FormatError("missing", source=name, where=f"{where}/{tag}")
    try:
        return float(text)
    except ValueError:
        raise FormatError(
            f"{text!r} is not a number", source=name, where=f"{where}/{tag}"
        ) from None


def _int(root: ET.Element, tag: str, name: str) -> int | None:
    text = root.findtext(tag)
    if text is None:
        return None
    try:
        return int(float(text))
    except ValueError:
        raise FormatError(f"{text!r} is not a whole number", source=name, where=tag) from None


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def write_voc(
    df: pd.DataFrame,
    out_dir: PathLike,
    *,
    image_root: PathLike | None = None,
    one_based: bool = True,
) -> list[Path]:
    """Write one VOC XML file per item (``out_dir/<item stem>.xml``) from ``df``'s box rows.

    ``filename`` is the item id's file name, or its path relative to
    ``image_root`` when given (the reverse of :func:`read_voc`'s ``image_root``).

    Every file is made in memory before the first is written, and each is
    written atomically; returns the paths written.
    """
    df = check_frame(df, ("box",), fmt="Pascal VOC")
    shift = 1.0 if one_based else 0.0
    docs: dict[str, ET.Element] = {}
    items: dict[str, str] = {}
    for label, row in records(df):
        item = row["item_id"]
        stem = Path(item).stem
        if items.setdefault(stem, item) != item:
            raise row_error(
                f"items {items[stem]!r} and {item!r} share the stem {stem!r}", label, "item_id"
            )
        voc = extra_of(row["extra"], "voc")
        root = docs.get(stem)
        if root is None:
            root = ET.Element("annotation")
            if "folder" in voc:
                ET.SubElement(root, "folder").text = str(voc["folder"])
            ET.SubElement(root, "filename").text = (
                os.path.relpath(item, os.fspath(image_root)) if image_root else Path(item).name
            )
            if not missing(row["image_width"]) and not missing(row["image_height"]):
                size = ET.SubElement(root, "size")
                ET.SubElement(size, "width").text = str(int(row["image_width"]))
                ET.SubElement(size, "height").text = str(int(row["image_height"]))
                ET.SubElement(size, "depth").text = "3"
            docs[stem] = root
        obj = ET.SubElement(root, "object")
        ET.SubElement(obj, "name").text = row["label"]
        for tag in _KEPT:
            if tag in voc and voc[tag] is not None:
                ET.SubElement(obj, tag).text = str(voc[tag])
        if not missing(row["score"]):
            ET.SubElement(obj, "score").text = repr(float(row["score"]))
        box = ET.SubElement(obj, "bndbox")
        x, y, w, h = (float(row[c]) for c in ("x", "y", "width", "height"))
        for tag, value in (
            ("xmin", x + shift),
            ("ymin", y + shift),
            ("xmax", x + w),
            ("ymax", y + h),
        ):
            ET.SubElement(box, tag).text = _fmt(value)
    files: dict[Path, str | bytes] = {}
    for stem, root in docs.items():
        ET.indent(root)
        files[Path(out_dir) / f"{stem}.xml"] = ET.tostring(
            root, encoding="utf-8", xml_declaration=True
        )
    return atomic_write_many(files)
