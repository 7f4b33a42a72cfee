"""COCO run-length encoding (RLE) of binary masks, byte-identical to pycocotools.

A mask annotation's ``mask`` column holds ``{"size": [height, width], "counts": str}``:
the lengths of alternating runs of 0s and 1s (0s first, so a mask starting with a
1 begins with a run of length 0) over the pixels in column-major order, compressed
into a string the way pycocotools' ``mask.encode`` does. ``encode(m)["counts"]`` is
``pycocotools.mask.encode(np.asfortranarray(m))["counts"].decode("ascii")`` for the
same array. Pure numpy; pycocotools is not needed.

>>> import numpy as np
>>> m = np.zeros((4, 5), dtype=bool); m[1:3, 1:4] = True
>>> rle = encode(m)
>>> rle
{'size': [4, 5], 'counts': '5220003'}
>>> int(area(rle)), bool((decode(rle) == m).all())
(6, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "RLEError",
    "area",
    "bbox",
    "counts_from_string",
    "counts_to_string",
    "decode",
    "encode",
    "encode_patch",
    "from_counts",
    "runs",
]


class RLEError(ValueError):
    """A value is not a valid COCO RLE (wrong size, counts or characters)."""


def counts_to_string(counts: Sequence[int]) -> str:
    """Compress run lengths into pycocotools' counts string (``rleToString``)."""
    out: list[str] = []
    append = out.append
    previous = [0, 0]  # counts[i - 2], counts[i - 1]
    for i, value in enumerate(counts):
        x = int(value)
        if i > 2:
            x -= previous[0]
        previous = [previous[1], int(value)]
        while True:
            c = x & 0x1F
            x >>= 5
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                append(chr(c + 0x20 + 48))
            else:
                append(chr(c + 48))
                break
    return "".join(out)


def counts_from_string(text: str | bytes) -> list[int]:
    """Run lengths of a compressed counts string (``rleFrString``).

    Raises :class:`RLEError` naming the first character that cannot be part of a
    counts string (and its position), or saying that the string stops in the middle
    of a number. Sums are not checked here: :func:`decode` checks them against a size.

    >>> counts_from_string("5220003")
    [5, 2, 2, 2, 2, 2, 5]
    """
    if isinstance(text, str):
        try:
            data = text.encode("ascii")
        except UnicodeEncodeError as exc:
            raise RLEError(
                f"the counts string holds {text[exc.start]!r} at position {exc.start}, "
                "not an RLE character (they run from '0' to 'o')"
            ) from None
    elif isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
    else:
        raise RLEError(f"a counts string must be str or bytes, got {type(text).__name__}")
    counts: list[int] = []
    p = 0
    n = len(data)
    while p < n:
        x = 0
        k = 0
        while True:
            if p >= n:
                raise RLEError(
                    f"the counts string ends in the middle of a number ({n} characters; "
                    "its last character says more follow)"
                )
            c = data[p] - 48
            if not 0 <= c < 64:
                raise RLEError(
                    f"the counts string holds {chr(data[p])!r} at position {p}, "
                    "not an RLE character (they run from '0' to 'o')"
                )
            x |= (c & 0x1F) << (5 * k)
            p += 1
            k += 1
            if not c & 0x20:
                if c & 0x10:
                    x |= -1 << (5 * k)
                break
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def runs(mask: npt.ArrayLike) -> list[int]:
    """Uncompressed COCO run lengths of a 2-D binary mask (column-major, 0s first)."""
    arr = np.asarray(mask)
    if arr.ndim != 2:
        raise RLEError(f"a mask must be 2-D (height, width), got shape {arr.shape}")
    flat = arr.ravel(order="F").astype(bool)
    if flat.size == 0:
        return [0]
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], change, [flat.size]))
    out = np.diff(bounds).tolist()
    return [0, *out] if flat[0] else out


def encode(mask: npt.ArrayLike) -> dict[str, Any]:
    """COCO RLE dict ``{"size": [h, w], "counts": str}`` of a 2-D binary mask."""
    arr = np.asarray(mask)
    if arr.ndim != 2:
        raise RLEError(f"a mask must be 2-D (height, width), got shape {arr.shape}")
    h, w = arr.shape
    return {"size": [int(h), int(w)], "counts": counts_to_string(runs(arr))}


def encode_patch(
    patch: npt.ArrayLike, *, left: int, top: int, height: int, width: int
) -> dict[str, Any]:
    """COCO RLE of a ``height`` x ``width`` mask that is 0 outside ``patch`` placed at (left, top).

    The full mask is never allocated: work and memory follow the patch, so a
    brush stroke on a 50-megapixel photo costs what its bounding box costs.
    """
    arr = np.asarray(patch).astype(bool)
    if arr.ndim != 2:
        raise RLEError(f"a mask patch must be 2-D, got shape {arr.shape}")
    ph, pw = arr.shape
    if left < 0 or top < 0 or left + pw > width or top + ph > height:
        raise RLEError(
            f"a {pw}x{ph} patch at ({left}, {top}) does not fit in a {width}x{height} mask"
        )
    if arr.size == 0 or not arr.any():
        return {"size": [height, width], "counts": counts_to_string([height * width])}
    column = np.zeros((height, pw), dtype=bool)
    column[top : top + ph] = arr
    inner = runs(column)
    # Columns left and right of the patch are all 0: they lengthen the first and last 0-runs.
    inner[0] += left * height
    tail = (width - left - pw) * height
    if len(inner) % 2 == 1:  # ends with a run of 0s
        inner[-1] += tail
    elif tail:
        inner.append(tail)
    return {"size": [height, width], "counts": counts_to_string(inner)}


def _size(rle: Mapping[str, Any]) -> tuple[int, int]:
    if not isinstance(rle, Mapping) or "size" not in rle or "counts" not in rle:
        got = (
            f"a dict with keys {sorted(map(str, rle))}"
            if isinstance(rle, Mapping)
            else (type(rle).__name__)
        )
        raise RLEError(f"a mask must be a COCO RLE dict with 'size' and 'counts', got {got}")
    size = rle["size"]
    if isinstance(size, (str, bytes)) or not hasattr(size, "__len__") or len(size) != 2:
        raise RLEError(f"a mask's size must be [height, width], got {size!r}")
    whole = all(
        (isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)))
        or (isinstance(v, (float, np.floating)) and float(v).is_integer())
        for v in size
    )
    if not whole:
        raise RLEError(f"a mask's size must be [height, width] in whole pixels, got {size!r}")
    h, w = (int(v) for v in size)
    if h < 0 or w < 0:
        raise RLEError(f"a mask's size must not be negative, got {size!r}")
    return h, w


def _whole_numbers(raw: Any) -> list[int]:
    try:
        values = list(raw)
    except TypeError:
        raise RLEError(
            f"a mask's counts must be a string or a list of whole numbers, got {type(raw).__name__}"
        ) from None
    counts: list[int] = []
    for i, value in enumerate(values):
        if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, np.integer, float, np.floating)
        ):
            raise RLEError(f"a mask's counts must be whole numbers; counts[{i}] is {value!r}")
        if not float(value).is_integer():
            raise RLEError(f"a mask's counts must be whole numbers; counts[{i}] is {value!r}")
        counts.append(int(value))
    return counts


def _counts(rle: Mapping[str, Any]) -> tuple[int, int, list[int]]:
    h, w = _size(rle)
    raw = rle["counts"]
    counts = counts_from_string(raw) if isinstance(raw, (str, bytes)) else _whole_numbers(raw)
    negative = next((i for i, c in enumerate(counts) if c < 0), None)
    if negative is not None:
        raise RLEError(
            f"a mask's counts must not be negative; run {negative} is {counts[negative]}"
        )
    total = sum(counts)
    if total != h * w:
        raise RLEError(f"the counts cover {total} pixels but size {[h, w]} has {h * w}")
    return h, w, counts


def from_counts(rle: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical (compressed) form of an RLE given with a list of counts or a string.

    Checks the counts add up to the size; raises :class:`RLEError` otherwise.
    Zero-length runs inside the list are merged, so the result equals
    ``encode(decode(rle))``.
    """
    h, w, counts = _counts(rle)
    if 0 in counts[1:]:
        return encode(decode(rle))
    return {"size": [h, w], "counts": counts_to_string(counts)}


def decode(rle: Mapping[str, Any]) -> npt.NDArray[np.bool_]:
    """The ``(height, width)`` boolean mask of a COCO RLE (compressed or list counts)."""
    h, w, counts = _counts(rle)
    values = np.zeros(len(counts), dtype=bool)
    values[1::2] = True
    return np.repeat(values, counts).reshape((h, w), order="F")


def area(rle: Mapping[str, Any]) -> int:
    """Number of 1 pixels."""
    _, _, counts = _counts(rle)
    return int(sum(counts[1::2]))


def bbox(rle: Mapping[str, Any]) -> tuple[int, int, int, int]:
    """Tight ``(x, y, width, height)`` box of the 1 pixels; ``(0, 0, 0, 0)`` when empty."""
    h, _, counts = _counts(rle)
    ends = np.cumsum(counts)
    starts = ends - np.asarray(counts)
    ones = np.arange(len(counts)) % 2 == 1
    ones &= np.asarray(counts) > 0
    if not ones.any() or h == 0:
        return (0, 0, 0, 0)
    first, last = starts[ones], ends[ones] - 1
    x0, x1 = int(first.min() // h), int(last.max() // h)
    if ((last // h) != (first // h)).any():  # a run across a column boundary: full height
        y0, y1 = 0, h - 1
    else:
        y0, y1 = int((first % h).min()), int((last % h).max())
    return (x0, y0, x1 - x0 + 1, y1 - y0 + 1)
