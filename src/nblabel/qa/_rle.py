"""Private decoder for COCO run-length encoded masks (pycocotools' format).

A COCO RLE is ``{"size": [h, w], "counts": ...}``. ``counts`` lists the lengths
of alternating runs of 0s and 1s (starting with 0s) over the pixels in
column-major (Fortran) order. pycocotools' ``rleToString`` compresses the
counts into a string: each count (from the third on, as the difference from
the count two places before) is written as a signed LEB128-like number in
5-bit groups, each character being ``48 + group`` with bit ``0x20`` meaning
"more groups follow" and, on the last group, bit ``0x10`` the sign.

The canonical encoder lives elsewhere in nblabel; this decoder only serves
:func:`nblabel.qa.mask_agreement`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt


def counts_from_string(s: str | bytes) -> list[int]:
    """Decode a compressed counts string into run lengths (``rleFrString``)."""
    data = s.encode("ascii") if isinstance(s, str) else bytes(s)
    counts: list[int] = []
    p = 0
    while p < len(data):
        x = 0
        k = 0
        more = True
        while more:
            if p >= len(data):
                raise ValueError("truncated RLE counts string")
            c = data[p] - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def counts_to_string(counts: list[int]) -> str:
    """Compress run lengths into a counts string (``rleToString``); for tests."""
    out: list[str] = []
    for i, value in enumerate(counts):
        x = int(value)
        if i > 2:
            x -= int(counts[i - 2])
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                c |= 0x20
            out.append(chr(c + 48))
    return "".join(out)


def decode(rle: Mapping[str, Any]) -> npt.NDArray[np.bool_]:
    """Binary ``(h, w)`` mask of a COCO RLE dict (compressed or list counts)."""
    try:
        h, w = (int(v) for v in rle["size"])
        raw = rle["counts"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a COCO RLE dict {{'size': [h, w], 'counts': ...}}: {exc}") from exc
    counts = counts_from_string(raw) if isinstance(raw, (str, bytes)) else [int(c) for c in raw]
    runs = np.asarray(counts, dtype=np.int64)
    if (runs < 0).any() or runs.sum() != h * w:
        raise ValueError(
            f"RLE counts sum to {int(runs.sum())} pixels but size {[h, w]} has {h * w}"
        )
    values = np.zeros(len(runs), dtype=bool)
    values[1::2] = True
    flat = np.repeat(values, runs)
    return flat.reshape((h, w), order="F")


def encode(mask: npt.ArrayLike) -> dict[str, Any]:
    """COCO RLE dict of a binary mask (compressed counts); for tests and examples."""
    arr = np.asarray(mask, dtype=bool)
    h, w = arr.shape
    flat = arr.ravel(order="F").astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    runs = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        runs = [0, *runs]
    return {"size": [h, w], "counts": counts_to_string([int(r) for r in runs])}
