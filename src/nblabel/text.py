"""Exact offsets into text: a tokenizer, token checks and Python <-> UTF-16 offset conversion.

nblabel stores span offsets as Python ``str`` indices (code points, end
exclusive), so ``text[start:end]`` is always the covered string. Browsers
count UTF-16 code units instead: every character above U+FFFF (most emoji,
some CJK, historic scripts) takes two units there and one in Python.
:class:`Utf16Index` converts between the two in O(log n) per offset, for a
whole array at once with numpy. Everything here is pure: no widget, DOM or
SQL.

A Python ``str`` can hold unpaired surrogates (``"\\ud800"``), which are not
valid Unicode and cannot be sent to a browser or stored as UTF-8 text;
:class:`Utf16Index` refuses them with :class:`TextError` naming the index.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from .lanes import layout_lanes

__all__ = [
    "TextError",
    "Utf16Index",
    "check_tokens",
    "decode_text",
    "layout_lanes",
    "tokenize",
]

IntArray = npt.NDArray[np.int64]

# Character classes of the built-in tokenizer.
_SPACE, _WORD, _OTHER, _EXTEND, _ZWJ, _FLAG = 0, 1, 2, 3, 4, 5
_TABLE_SIZE = 0x40000  # planes 0-3 by table; above that only tags/variation selectors matter


class TextError(ValueError):
    """A text (or token list) that cannot be annotated as given; the message says why."""


def decode_text(value: Any, *, name: str) -> str:
    """The text of an item: a ``str`` as is, ``bytes`` decoded as UTF-8.

    Raises :class:`TextError` naming the item for bytes that are not UTF-8
    and for unpaired surrogates.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TextError(
                f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start} "
                f"is not valid UTF-8); decode it yourself first, e.g. data.decode('latin-1')"
            ) from None
        return text.removeprefix("\ufeff")
    if isinstance(value, str):
        return str(value)
    raise TextError(f"{name}: expected text (str or UTF-8 bytes), got {type(value).__name__}")


class Utf16Index:
    """Converts offsets of one text between Python code points and browser UTF-16 units.

    >>> ix = Utf16Index("a😀b")
    >>> ix.to_utf16(2), ix.from_utf16(3)
    (3, 2)
    """

    def __init__(self, text: str, *, name: str = "the text") -> None:
        try:
            codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        except UnicodeEncodeError as exc:
            raise TextError(
                f"{name}: holds an unpaired surrogate (U+{ord(text[exc.start]):04X}) at index "
                f"{exc.start}, which is not valid Unicode; repair it first, e.g. "
                f"s.encode('utf-16', 'surrogatepass').decode('utf-16', 'replace')"
            ) from None
        self.codes = codes
        #: code point indices of the characters that take two UTF-16 units
        self.astral: IntArray = np.flatnonzero(codes > 0xFFFF).astype(np.int64)
        #: their UTF-16 indices (of the high surrogate)
        self.astral16: IntArray = self.astral + np.arange(len(self.astral), dtype=np.int64)
        self.length = len(text)
        self.length16 = self.length + len(self.astral)

    def to_utf16(self, offset: int) -> int:
        """A code point offset (0..len) as a UTF-16 offset."""
        if not 0 <= offset <= self.length:
            raise TextError(f"offset {offset} is outside the text (0 to {self.length})")
        return int(offset + np.searchsorted(self.astral, offset, side="left"))

    def from_utf16(self, offset: int) -> int:
        """A UTF-16 offset (0..length16) as a code point offset; refuses one inside a pair."""
        if not 0 <= offset <= self.length16:
            raise TextError(f"offset {offset} is outside the text (0 to {self.length16})")
        k = int(np.searchsorted(self.astral16, offset, side="left"))
        if k > 0 and int(self.astral16[k - 1]) + 1 == offset:
            raise TextError(f"offset {offset} splits a character in two (a UTF-16 surrogate pair)")
        return offset - k

    def many_to_utf16(self, offsets: npt.ArrayLike) -> IntArray:
        """Code point offsets (an array, already in range) as UTF-16 offsets."""
        arr = np.asarray(offsets, dtype=np.int64)
        return arr + np.searchsorted(self.astral, arr, side="left")

    def many_from_utf16(self, offsets: npt.ArrayLike) -> IntArray:
        """UTF-16 offsets (an array, already in range, none inside a pair) as code points."""
        arr = np.asarray(offsets, dtype=np.int64)
        return arr - np.searchsorted(self.astral16, arr, side="left")


@functools.cache
def _class_table() -> npt.NDArray[np.uint8]:
    table = np.full(_TABLE_SIZE, _OTHER, dtype=np.uint8)
    for cp in range(_TABLE_SIZE):
        ch = chr(cp)
        if ch.isspace():
            table[cp] = _SPACE
        elif ch.isalnum() or ch == "_":
            table[cp] = _WORD
        elif unicodedata.category(ch)[0] == "M":
            table[cp] = _EXTEND
    table[0x200D] = _ZWJ
    table[0x200C] = _EXTEND  # zero-width non-joiner: inside words (Persian, Indic)
    table[0xFE00:0xFE10] = _EXTEND  # variation selectors (emoji presentation)
    table[0x1F3FB:0x1F400] = _EXTEND  # emoji skin-tone modifiers
    table[0x1F1E6:0x1F200] = _FLAG  # regional indicators: flags are pairs of them
    return table


def _classes(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint8]:
    table = _class_table()
    inside = codes < _TABLE_SIZE
    out = np.full(len(codes), _OTHER, dtype=np.uint8)
    out[inside] = table[codes[inside]]
    high = ~inside
    if high.any():  # tags and variation selectors supplement (plane 14) extend
        out[high & (codes >= 0xE0000) & (codes < 0xE1000)] = _EXTEND
    return out


def tokenize(text: str, *, index: Utf16Index | None = None) -> IntArray:
    """The built-in tokenizer: ``(n, 2)`` code point offsets ``[start, end)`` of each token.

    A token is a run of letters, digits and ``_`` (with their combining
    marks and joiners), or one other symbol (punctuation, an emoji with its
    modifiers and zero-width-joined parts, a flag). Whitespace separates
    tokens and belongs to none. Vectorised: a megabyte takes tens of ms.
    """
    codes = (index or Utf16Index(text)).codes
    n = len(codes)
    if n == 0:
        return np.zeros((0, 2), dtype=np.int64)
    cls = _classes(codes)
    nonspace = cls != _SPACE
    extend = (cls == _EXTEND) | (cls == _ZWJ)
    # The class of the last non-extending character at or before each position.
    last = np.where(extend, 0, np.arange(n))
    np.maximum.accumulate(last, out=last)
    base = cls[last]
    join = np.zeros(n, dtype=bool)
    prev_nonspace, cur = nonspace[:-1], cls[1:]
    join[1:] = prev_nonspace & (
        extend[1:]
        | ((cur == _WORD) & (base[:-1] == _WORD))
        | ((cls[:-1] == _ZWJ) & ((cur == _OTHER) | (cur == _FLAG)))
    )
    # Regional indicators pair up: the second of each pair joins the first.
    flags = np.flatnonzero(cls == _FLAG)
    if len(flags):
        in_pair = False
        for pos in flags.tolist():
            if in_pair and pos > 0 and cls[pos - 1] == _FLAG and not join[pos]:
                join[pos] = True
                in_pair = False
            else:
                in_pair = True
    starts = np.flatnonzero(nonspace & ~join)
    ends_mask = nonspace.copy()
    ends_mask[:-1] &= ~join[1:]
    ends = np.flatnonzero(ends_mask) + 1
    return np.stack([starts, ends], axis=1).astype(np.int64)


def check_tokens(tokens: Any, length: int, *, name: str) -> IntArray:
    """User-given token offsets as a sorted ``(n, 2)`` array; :class:`TextError` if unusable.

    ``tokens`` is an iterable of ``(start, end)`` code point offsets (for spaCy:
    ``[(t.idx, t.idx + len(t)) for t in doc]``). Tokens must lie inside the
    text, have ``start < end`` and not overlap.
    """
    if isinstance(tokens, (str, bytes)) or not isinstance(tokens, (Iterable, np.ndarray)):
        raise TextError(f"{name}: tokens must be a list of (start, end) pairs")
    try:
        arr = np.asarray(list(tokens) if not isinstance(tokens, np.ndarray) else tokens)
    except (TypeError, ValueError) as exc:
        raise TextError(f"{name}: tokens must be a list of (start, end) pairs ({exc})") from None
    if arr.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise TextError(f"{name}: tokens must be (start, end) pairs, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        as_float = arr.astype(np.float64)
        if not (np.isfinite(as_float).all() and (as_float == np.round(as_float)).all()):
            raise TextError(f"{name}: token offsets must be whole numbers")
    out = arr.astype(np.int64)
    order = np.argsort(out[:, 0], kind="stable")
    out = out[order]
    bad = np.flatnonzero((out[:, 0] < 0) | (out[:, 1] > length) | (out[:, 0] >= out[:, 1]))
    if len(bad):
        s, e = out[bad[0]].tolist()
        raise TextError(
            f"{name}: token ({s}, {e}) is not inside the text (0 to {length}) with start < end"
        )
    overlap = np.flatnonzero(out[1:, 0] < out[:-1, 1])
    if len(overlap):
        a, b = out[overlap[0]].tolist(), out[overlap[0] + 1].tolist()
        raise TextError(f"{name}: tokens {tuple(a)} and {tuple(b)} overlap")
    return out
