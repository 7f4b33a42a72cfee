"""Turning what a user passes as ``items`` into a queue of identified items.

Each item gets a stable id, so that annotations from one session are found
again in the next: a Series' or DataFrame's index when given, else the path
as given, else a hash of the content (arrays, images, bytes).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .schema import is_missing

__all__ = [
    "IMAGE_SOURCES",
    "IMAGE_SUFFIXES",
    "Item",
    "Sources",
    "collect",
    "content_id",
    "image_items",
]

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".jfif", ".ppm"}
)


@dataclass(frozen=True)
class Item:
    """One thing to annotate."""

    id: str
    source: Any
    name: str
    meta: Mapping[str, str] = field(default_factory=dict)


_OBJECT_ARRAY = (
    "a numpy array of dtype object (Python objects, not pixel or sample values); "
    "convert it to numbers first, for example np.asarray(value, dtype=float)"
)


def content_id(source: Any) -> str:
    """A stable id from the content: ``array-``, ``bytes-``, ``text-`` or ``image-`` + 16 hex."""
    h = hashlib.blake2b(digest_size=8)
    if isinstance(source, np.ndarray):
        if source.dtype.hasobject:
            raise TypeError(f"content_id: got {_OBJECT_ARRAY}")
        h.update(f"{source.dtype.str}{source.shape}".encode())
        h.update(np.ascontiguousarray(source).view(np.uint8).reshape(-1).data)
        prefix = "array"
    elif isinstance(source, (bytes, bytearray, memoryview)):
        h.update(bytes(source))
        prefix = "bytes"
    elif isinstance(source, str):
        h.update(source.encode("utf-8", "surrogatepass"))
        prefix = "text"
    else:  # a PIL image
        h.update(f"{source.mode}{source.size}".encode())
        h.update(source.tobytes())
        if source.mode in ("P", "PA"):  # tobytes() is only the palette indices
            h.update(bytes(source.getpalette() or ()))
        prefix = "image"
    return f"{prefix}-{h.hexdigest()}"


def _is_image(value: Any) -> bool:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a dependency
        return False
    return isinstance(value, Image.Image)


def _image_source_kind(value: Any) -> str | None:
    if isinstance(value, (str, os.PathLike)):
        return "path"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes"
    if isinstance(value, np.ndarray):
        return "array"
    if _is_image(value):
        return "image"
    return None


def _name(source: Any, kind: str) -> str:
    if kind == "path":
        return Path(os.fspath(source)).name or os.fspath(source)
    if kind == "array":
        return f"array {'x'.join(map(str, source.shape))} {source.dtype}"
    if kind == "image":
        return f"image {source.size[0]}x{source.size[1]} {source.mode}"
    return f"bytes ({len(source):,} B)"


def _meta_text(value: Any) -> str:
    # Every missing marker (NaN of any float width, None, pd.NA, NaT) reads as "".
    if is_missing(value):
        return ""
    return str(value)


@dataclass(frozen=True)
class Sources:
    """What one widget family takes as items, and how to identify and name each one.

    ``kind_of(value)`` names a value's kind (``"path"``, ``"array"``, ``"text"``...)
    or returns None for a value the widget cannot take; ``expected`` says in
    words what it takes (for the error). Paths get the path as id; everything
    else a content hash, unless ``ident`` says otherwise. ``folder_suffixes``:
    the file suffixes a folder passed as ``items`` is expanded to; empty means
    a single string is not a folder or path (text widgets).
    """

    what: str
    expected: str
    kind_of: Callable[[Any], str | None]
    folder_suffixes: frozenset[str] = frozenset()
    ident: Callable[[Any, str], str] | None = None
    name: Callable[[Any, str], str] | None = None
    singles: tuple[type, ...] = (bytes, bytearray, memoryview, np.ndarray)


IMAGE_SOURCES = Sources(
    what="image",
    expected="a path, bytes, numpy array or PIL image",
    kind_of=_image_source_kind,
    folder_suffixes=IMAGE_SUFFIXES,
)


def image_items(items: Any, *, column: str | None = None) -> list[Item]:
    """Normalise ``items`` for an image widget.

    Accepts a folder (its image files, sorted), a list of paths, numpy
    arrays, PIL images or bytes, a pandas Series (index = item id) or a
    DataFrame with ``column`` naming the path/image column (index = item id,
    the other columns shown as metadata).
    """
    return collect(items, IMAGE_SOURCES, column=column)


def collect(items: Any, sources: Sources, *, column: str | None = None) -> list[Item]:
    """Normalise what a user passed as ``items`` into identified :class:`Item` s.

    Accepts a list (or any iterable), a pandas Series (index = item ids), a
    DataFrame with ``column`` naming the column of sources (index = item ids,
    other columns = metadata), and, when ``sources.folder_suffixes`` is set, a
    folder. Errors name the argument and the item.
    """
    if isinstance(items, (str, os.PathLike)) and sources.folder_suffixes:
        path = Path(os.fspath(items)).expanduser()
        if path.is_dir():
            suffixes = sources.folder_suffixes
            files = sorted(
                p for p in path.iterdir() if p.suffix.lower() in suffixes and p.is_file()
            )
            if not files:
                raise ValueError(f"items: the folder {str(path)!r} has no {sources.what} files")
            items = [str(p) for p in files]
        else:
            items = [os.fspath(items)]
    elif isinstance(items, str):
        raise TypeError(f"items: expected a list of {sources.what}s, got a single str")
    if isinstance(items, pd.DataFrame):
        return _from_frame(items, sources, column=column)
    if column is not None:
        raise ValueError("column: only used when items is a DataFrame")
    if isinstance(items, pd.Series):
        ids = [str(i) for i in items.index]
        return _build(ids, list(items.to_numpy()), [{} for _ in ids], sources)
    if isinstance(items, sources.singles) or _is_image(items):
        values: list[Any] = [items]
    elif isinstance(items, Iterable):
        values = list(items)
    else:
        raise TypeError(
            f"items: expected a list of {sources.what}s, a pandas Series or DataFrame, got "
            f"{type(items).__name__}"
        )
    return _build(None, values, [{} for _ in values], sources)


def _from_frame(df: pd.DataFrame, sources: Sources, *, column: str | None) -> list[Item]:
    what = sources.what
    if column is None:
        if len(df.columns) == 1:
            column = str(df.columns[0])
        else:
            raise ValueError(
                f"column: name the DataFrame column that holds the {what}s "
                f"(columns: {[str(c) for c in df.columns]})"
            )
    if not isinstance(column, Hashable):  # a list would raise TypeError in `in` below
        raise ValueError(
            f"column: expected one column name, got a {type(column).__name__} "
            f"(columns: {[str(c) for c in df.columns]})"
        )
    if column not in df.columns:
        raise ValueError(
            f"column: {column!r} is not a column of items (columns: {[str(c) for c in df.columns]})"
        )
    ids = [str(i) for i in df.index]
    others = [c for c in df.columns if c != column]
    meta: list[dict[str, str]] = (
        [
            {str(c): _meta_text(v) for c, v in zip(others, row, strict=True)}
            for row in df[others].itertuples(index=False, name=None)
        ]
        if others
        else [{} for _ in ids]
    )
    return _build(ids, list(df[column].to_numpy()), meta, sources)


def _build(
    ids: list[str] | None,
    values: list[Any],
    meta: list[dict[str, str]],
    sources: Sources,
) -> list[Item]:
    if not values:
        raise ValueError("items: no items given")
    out: list[Item] = []
    seen: dict[str, int] = {}
    for i, source in enumerate(values):
        kind = sources.kind_of(source)
        label = f"item {ids[i]!r}" if ids is not None else f"item {i}"
        if kind is None:
            raise TypeError(
                f"items: {label} is a {type(source).__name__}; expected {sources.expected}"
            )
        if isinstance(source, np.ndarray) and source.dtype.hasobject:
            raise TypeError(f"items: {label} is {_OBJECT_ARRAY}")
        if ids is not None:
            ident = ids[i]
        elif sources.ident is not None:
            ident = sources.ident(source, kind)
        elif kind == "path":
            ident = os.fspath(source)
        else:
            ident = content_id(source)
        if ident in seen:
            raise ValueError(
                f"items: item {seen[ident]} and item {i} have the same id {ident!r}; "
                f"pass a Series with unique index values as ids"
            )
        seen[ident] = i
        name = sources.name(source, kind) if sources.name is not None else _name(source, kind)
        out.append(Item(ident, source, name, meta[i]))
    return out
