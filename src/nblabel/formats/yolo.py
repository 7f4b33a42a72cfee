"""YOLO (Darknet / Ultralytics) label files: one ``.txt`` per image, normalised coordinates.

Each line of ``labels/<image stem>.txt`` is one object:

- detection: ``class cx cy w h`` (5 fields; a 6th is a confidence, as
  ``save_conf`` writes it) with the box centre and size divided by the image
  width and height;
- segmentation: ``class x1 y1 x2 y2 ...`` (an odd number of at least 7 fields;
  one more makes the last a confidence), the polygon's points divided the same way.

``data.yaml`` names the classes (``names: {0: cat, 1: dog}`` or a list).

How the table carries YOLO: a detection line is a ``box`` row, a segmentation
line a ``polygon`` row; ``label`` is the class name; ``image_width``/
``image_height`` come from the images (``read_yolo(images=...)``) or are
written from the rows. ``item_id`` is the image's path (from ``images=``) or
its label file's stem.

Lossless rules: coordinates round trip to within float rounding (about 1e-9
of a pixel; they are written with 17 significant digits); confidences become
``score``. Not carried: ids (a row's id is ``"{stem}:{line}"``), annotators,
items with no objects (no file is written for them), ``extra``, and the item
id beyond its stem (``images=`` gives it back).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

import pandas as pd

from ._common import (
    FormatError,
    PathLike,
    atomic_write_many,
    build_frame,
    check_frame,
    lines,
    missing,
    read_text,
    records,
    resolve_source,
    row_error,
)

__all__ = ["read_yolo", "write_yolo"]

KINDS: Final = ("box", "polygon")
IMAGE_SUFFIXES: Final = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif")


def _class_names(classes: Any) -> dict[int, str]:
    """Class id -> name from a list, a mapping or a data.yaml path."""
    if isinstance(classes, (str, os.PathLike)):
        import yaml

        path = os.fspath(classes)
        try:
            doc = yaml.safe_load(read_text(path))
        except yaml.YAMLError as exc:
            raise FormatError(f"not valid YAML: {exc}", source=path) from exc
        if not isinstance(doc, Mapping) or "names" not in doc:
            raise FormatError("has no 'names'", source=path, field="names")
        return _class_names(doc["names"])
    if isinstance(classes, Mapping):
        out = {int(k): str(v) for k, v in classes.items()}
    elif isinstance(classes, Sequence):
        out = {i: str(v) for i, v in enumerate(classes)}
    else:
        raise TypeError("classes: expected a list of names, a mapping id -> name or a data.yaml")
    if len(set(out.values())) != len(out):
        raise ValueError(f"classes: a name appears twice in {list(out.values())}")
    return out


def _image_sizes(images: Any) -> dict[str, tuple[str, int, int]]:
    """stem -> (item id, width, height) from a folder, a list of paths or a mapping."""
    from PIL import Image

    out: dict[str, tuple[str, int, int]] = {}
    if isinstance(images, Mapping):
        for item, size in images.items():
            w, h = size
            out[Path(str(item)).stem] = (str(item), int(w), int(h))
        return out
    if isinstance(images, (str, os.PathLike)):
        folder = Path(images)
        paths: Iterable[Any] = sorted(
            p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
        )
    else:
        paths = images
    for p in paths:
        with Image.open(p) as im:
            w, h = im.size
        stem = Path(os.fspath(p)).stem
        if stem in out:
            raise ValueError(
                f"images: {out[stem][0]!r} and {os.fspath(p)!r} share the stem "
                f"{stem!r}, so one label file"
            )
        out[stem] = (os.fspath(p), w, h)
    return out


def read_yolo(
    labels_dir: PathLike,
    *,
    classes: Sequence[str] | Mapping[int, str] | PathLike,
    images: PathLike | Sequence[PathLike] | Mapping[str, tuple[int, int]],
    annotator: str = "yolo",
    source: str | None = None,
    outside: Literal["error", "keep"] = "error",
) -> pd.DataFrame:
    """Read a folder of YOLO label files into box and polygon rows.

    ``classes`` names the class ids (a list, a mapping or a ``data.yaml``).
    ``images`` gives each label file's image and size: a folder of images, a
    list of image paths, or a mapping item id -> ``(width, height)``; label
    files are matched to images by stem. A label file without an image, an
    unknown class, or a line of the wrong length raises naming the file and line;
    so does an object that leaves its image (normalised coordinates outside
    0..1), unless ``outside="keep"``.
    """
    names = _class_names(classes)
    sizes = _image_sizes(images)
    folder = Path(labels_dir)
    if not folder.is_dir():
        raise FormatError("is not a folder", source=os.fspath(folder))
    out: list[dict[str, Any]] = []
    origins: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        if path.name == "classes.txt":
            continue
        name = os.fspath(path)
        if path.stem not in sizes:
            raise FormatError(f"no image with the stem {path.stem!r} in images", source=name)
        item, width, height = sizes[path.stem]
        for lineno, line in enumerate(lines(read_text(path)), start=1):
            fields = line.split()
            if not fields:
                continue
            where = f"line {lineno}"
            row = _line(fields, names, width=width, height=height, name=name, where=where)
            if outside == "error":
                _check_inside(fields, name, where)
            row.update(
                id=f"{path.stem}:{lineno}",
                item_id=item,
                annotator=annotator,
                image_width=width,
                image_height=height,
            )
            row["source"] = resolve_source(source, row.get("score"))
            out.append(row)
            origins.append(f"{name}:{where}")
    return build_frame(out, origins)


def _line(
    fields: list[str], names: Mapping[int, str], *, width: int, height: int, name: str, where: str
) -> dict[str, Any]:
    try:
        cls = int(fields[0])
    except ValueError:
        raise FormatError(
            f"{fields[0]!r} is not a class id", source=name, where=where, field="class"
        ) from None
    if cls not in names:
        raise FormatError(
            f"class {cls} is not in classes {dict(names)}", source=name, where=where, field="class"
        )
    try:
        values = [float(v) for v in fields[1:]]
    except ValueError as exc:
        raise FormatError(f"not a number: {exc}", source=name, where=where) from None
    n = len(fields)
    row: dict[str, Any] = {"label": names[cls]}
    if n in (5, 6):
        cx, cy, w, h = values[:4]
        if w < 0 or h < 0:
            raise FormatError("negative width or height", source=name, where=where)
        bw, bh = w * width, h * height
        row.update(kind="box", x=cx * width - bw / 2, y=cy * height - bh / 2, width=bw, height=bh)
        if n == 6:
            row["score"] = values[4]
        return row
    if n >= 7:
        coords = values if n % 2 == 1 else values[:-1]
        if n % 2 == 0:
            row["score"] = values[-1]
        row.update(
            kind="polygon",
            points=[[coords[j] * width, coords[j + 1] * height] for j in range(0, len(coords), 2)],
        )
        return row
    raise FormatError(
        f"{n} fields: a box has 5 (class cx cy w h), a polygon at least 7 (class x1 y1 ...)",
        source=name,
        where=where,
    )


_EPS: Final = 1e-9


def _check_inside(fields: list[str], name: str, where: str) -> None:
    values = [float(v) for v in fields[1:]]
    if len(fields) in (5, 6):
        cx, cy, w, h = values[:4]
        lo = min(cx - w / 2, cy - h / 2)
        hi = max(cx + w / 2, cy + h / 2)
    else:
        coords = values if len(fields) % 2 == 1 else values[:-1]
        lo, hi = min(coords), max(coords)
    if lo < -_EPS or hi > 1 + _EPS:
        raise FormatError(
            "the object leaves its image (coordinates outside 0..1; read with outside='keep' "
            "to keep it)",
            source=name,
            where=where,
        )


def _g(value: float) -> str:
    return format(float(value), ".17g")


def write_yolo(
    df: pd.DataFrame,
    out_dir: PathLike,
    *,
    classes: Sequence[str] | Mapping[int, str],
    scores: bool = False,
) -> Path:
    """Write ``df``'s box and polygon rows as YOLO label files and a ``data.yaml``.

    Writes ``out_dir/labels/<item stem>.txt`` for every item with rows and
    ``out_dir/data.yaml`` (``path``, ``train``/``val`` = ``images`` and
    ``names``). Rows need ``image_width`` and ``image_height``. ``scores=True``
    appends each row's score as a confidence field. Every file is made in
    memory before the first is written, and each is written atomically;
    returns ``out_dir``.
    """
    df = check_frame(df, KINDS, fmt="YOLO")
    names = _class_names(classes)
    ids = {v: k for k, v in names.items()}
    unknown = sorted(set(df["label"]) - set(ids))
    if unknown:
        raise FormatError(
            f"labels {unknown} are not in classes {list(ids)}", field="column 'label'"
        )
    out = Path(out_dir)
    lines: dict[str, list[str]] = {}
    stems: dict[str, str] = {}
    for label, row in records(df):
        w, h = row["image_width"], row["image_height"]
        if missing(w) or missing(h) or w <= 0 or h <= 0:
            raise row_error(
                "YOLO needs the image size (image_width, image_height)", label, "image_width"
            )
        item = row["item_id"]
        stem = Path(item).stem
        if stems.setdefault(stem, item) != item:
            raise row_error(
                f"items {stems[stem]!r} and {item!r} share the stem {stem!r}, so one label file",
                label,
                "item_id",
            )
        cls = ids[row["label"]]
        if row["kind"] == "box":
            x, y, bw, bh = (float(row[c]) for c in ("x", "y", "width", "height"))
            fields = [(x + bw / 2) / w, (y + bh / 2) / h, bw / w, bh / h]
        else:
            fields = [v / (w if j % 2 == 0 else h) for p in row["points"] for j, v in enumerate(p)]
        text = " ".join([str(cls), *(_g(v) for v in fields)])
        if scores:
            if missing(row["score"]):
                raise row_error("scores=True needs a score on every row", label, "score")
            text += " " + _g(row["score"])
        lines.setdefault(stem, []).append(text)
    files: dict[Path, str | bytes] = {
        out / "labels" / f"{stem}.txt": "\n".join(rows) + "\n" for stem, rows in lines.items()
    }
    names_yaml = "\n".join(
        f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(names.items())
    )
    files[out / "data.yaml"] = (
        f"path: .\ntrain: images\nval: images\nnc: {len(names)}\nnames:\n{names_yaml}\n"
    )
    atomic_write_many(files)
    return out
