"""Turning what a user passes as ``items`` into a queue of identified items.

Each item gets a stable id, so that annotations from one session are found
again in the next: a Series' or DataFrame's index when given, else the path
as given, else a hash of the content (arrays, images, bytes).
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sized
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
    "ItemQueue",
    "Sources",
    "collect",
    "content_id",
    "image_items",
]

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".jfif", ".ppm"}
    | {".dcm", ".dicom"}  # DICOM, through nblabel.medical
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


def media_source_kind(value: Any) -> str | None:
    """``"path"``, ``"bytes"`` or ``"array"`` for what a media widget takes, else None."""
    if isinstance(value, (str, os.PathLike)):
        return "path"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes"
    if isinstance(value, np.ndarray):
        return "array"
    return None


def _image_source_kind(value: Any) -> str | None:
    kind = media_source_kind(value)
    if kind is not None:
        return kind
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
    #: Why a value of a known kind still cannot be an item (say, an object array), or None.
    check: Callable[[Any, str], str | None] | None = None


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
    folder. Errors name the argument and the item. Widgets use the lazy
    :class:`ItemQueue` instead; this reads everything.
    """
    return list(ItemQueue(items, sources, column=column).all())


class ItemQueue:
    """The items of one widget, in order: ids known early, each :class:`Item` built when asked.

    A list, Series or DataFrame is identified up front (ids are cheap: the
    index, the path, or a hash of in-memory content) but each item's name and
    metadata are made only when the item is shown, so a queue of a million
    paths opens at once. A generator, or any other iterator, is read lazily,
    :attr:`CHUNK` values at a time, as the queue advances: ``len(queue)``
    counts what has been read so far and :attr:`exhausted` says whether that
    is all. Errors name the argument and the item.
    """

    CHUNK = 256

    def __init__(self, items: Any, sources: Sources, *, column: str | None = None) -> None:
        self._sources = sources
        self._ids: list[str] = []
        self._values: list[Any] = []
        self._position: dict[str, int] = {}
        self._frame: pd.DataFrame | None = None  # metadata columns of a DataFrame of items
        self._given: pd.DataFrame | None = None  # the DataFrame of items itself
        self._iter: Iterator[Any] | None = None
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
            self._from_frame(items, column)
            return
        if column is not None:
            raise ValueError("column: only used when items is a DataFrame")
        if isinstance(items, pd.Series):
            self._extend([str(i) for i in items.index], list(items.to_numpy()))
        elif isinstance(items, sources.singles) or _is_image(items):
            self._extend(None, [items])
        elif isinstance(items, Sized) and isinstance(items, Iterable):
            self._extend(None, list(items))
        elif isinstance(items, Iterable):
            self._iter = iter(items)
            self._read(self.CHUNK)
        else:
            raise TypeError(
                f"items: expected a list of {sources.what}s, a pandas Series or DataFrame, got "
                f"{type(items).__name__}"
            )
        if not self._ids:
            raise ValueError("items: no items given")

    # -- reading ------------------------------------------------------------------------------
    @property
    def exhausted(self) -> bool:
        """True when every item is known (always, except for a generator not read to its end)."""
        return self._iter is None

    def _read(self, count: int) -> int:
        """Read up to ``count`` more values from a generator; return how many came."""
        if self._iter is None:
            return 0
        chunk = list(itertools.islice(self._iter, count))
        if len(chunk) < count:
            self._iter = None
        if chunk:
            self._extend(None, chunk)
        return len(chunk)

    def ensure(self, position: int) -> bool:
        """Read a generator up to ``position`` (and a chunk beyond); True if it exists."""
        while position >= len(self._ids) and self._iter is not None:
            self._read(max(self.CHUNK, position + 1 - len(self._ids)))
        return 0 <= position < len(self._ids)

    def all(self) -> list[Item]:
        """Every item (reads a generator to its end)."""
        while self._read(self.CHUNK * 16):
            pass
        return [self[i] for i in range(len(self._ids))]

    # -- lookups ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[str]:
        """The ids known so far, in queue order (do not modify)."""
        return self._ids

    @property
    def values(self) -> list[Any]:
        """What the user gave for each item known so far, in queue order (do not modify)."""
        return self._values

    def given(self, position: int) -> Any:
        """The item as the user gave it: the path, array, text... or, from a DataFrame, its row.

        A DataFrame's row is a Series named by the item's index value, holding the
        item column and the metadata columns.
        """
        if not self.ensure(position):
            raise IndexError(f"item {position} is outside the queue")
        if self._given is not None:
            return self._given.iloc[position]
        return self._values[position]

    def position_of(self, item_id: str) -> int | None:
        """Where an item id is in the queue, or None (for a generator: among those read)."""
        return self._position.get(item_id)

    def __getitem__(self, position: int) -> Item:
        if not self.ensure(position):
            raise IndexError(f"item {position} is outside the queue")
        source = self._values[position]
        ident = self._ids[position]
        kind = self._sources.kind_of(source) or "path"
        sources = self._sources
        name = sources.name(source, kind) if sources.name is not None else _name(source, kind)
        meta: dict[str, str] = {}
        if self._frame is not None and len(self._frame.columns):
            row = self._frame.iloc[position]
            meta = {str(c): _meta_text(v) for c, v in row.items()}
        return Item(ident, source, name, meta)

    # -- building -----------------------------------------------------------------------------
    def _from_frame(self, df: pd.DataFrame, column: str | None) -> None:
        what = self._sources.what
        columns = [str(c) for c in df.columns]
        if column is None:
            if len(df.columns) == 1:
                column = str(df.columns[0])
            else:
                raise ValueError(
                    f"column: name the DataFrame column that holds the {what}s (columns: {columns})"
                )
        if not isinstance(column, Hashable):  # a list would raise TypeError in `in` below
            raise ValueError(
                f"column: expected one column name, got a {type(column).__name__} "
                f"(columns: {columns})"
            )
        if column not in df.columns:
            raise ValueError(f"column: {column!r} is not a column of items (columns: {columns})")
        self._frame = df[[c for c in df.columns if c != column]]
        self._given = df
        self._extend([str(i) for i in df.index], list(df[column].to_numpy()))
        if not self._ids:
            raise ValueError("items: no items given")

    def _extend(self, ids: list[str] | None, values: list[Any]) -> None:
        sources = self._sources
        offset = len(self._ids)
        check = values
        if values and all(type(v) is str for v in values):
            # Every str has the kind of the first: check one (a million paths cost no loop).
            check = values[:1]
            if ids is None and sources.ident is None and sources.kind_of(values[0]) == "path":
                ids = values  # paths are their own ids
        for i, source in enumerate(check):
            kind = sources.kind_of(source)
            label = f"item {ids[i]!r}" if ids is not None else f"item {offset + i}"
            if kind is None:
                raise TypeError(
                    f"items: {label} is a {type(source).__name__}; expected {sources.expected}"
                )
            if isinstance(source, np.ndarray) and source.dtype.hasobject:
                raise TypeError(f"items: {label} is {_OBJECT_ARRAY}")
            if sources.check is not None:
                problem = sources.check(source, kind)
                if problem:
                    raise ValueError(f"items: {label}: {problem}")
        if ids is None:
            ids = [self._ident(source) for source in values]
        position = self._position
        before = len(position)
        position.update(zip(ids, range(offset, offset + len(ids)), strict=True))
        if len(position) != before + len(ids):
            self._duplicate(ids, offset)
        self._ids.extend(ids)
        self._values.extend(values)

    def _ident(self, source: Any) -> str:
        sources = self._sources
        kind = sources.kind_of(source) or ""
        if sources.ident is not None:
            return str(sources.ident(source, kind))
        if kind == "path":
            return str(os.fspath(source))
        return content_id(source)

    def _duplicate(self, ids: list[str], offset: int) -> None:
        """Raise the error for the first id seen twice (and leave the queue as it was)."""
        seen = {ident: i for i, ident in enumerate(self._ids)}
        for i, ident in enumerate(ids):
            if ident in seen:
                for new in ids:
                    if self._position.get(new, -1) >= offset:
                        del self._position[new]
                raise ValueError(
                    f"items: item {seen[ident]} and item {offset + i} have the same id "
                    f"{ident!r}; pass a Series with unique index values as ids"
                )
            seen[ident] = offset + i
