"""Strategies that make annotation frames, and a comparison up to what a format carries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from nblabel import rle, schema

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LABELS = st.sampled_from(["cat", "dog", "traffic light", "Ünïcode"])
WORD_LABELS = st.sampled_from(["PER", "LOC", "ORG", "MISC"])


def frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """A validated frame; ``source`` defaults to human, ``annotator`` to ``ana``."""
    return schema.validate(
        schema.from_records([{"annotator": "ana", "source": "human", **r} for r in rows])
    )


@st.composite
def image_rows(
    draw: st.DrawFn,
    *,
    kinds: Sequence[str] = ("box", "polygon", "mask"),
    integral: bool = False,
    max_rows: int = 8,
) -> pd.DataFrame:
    """Image annotations inside their images: boxes, polygons and masks."""
    n_images = draw(st.integers(1, 3))
    sizes = [(draw(st.integers(4, 64)), draw(st.integers(4, 64))) for _ in range(n_images)]
    rows = []
    for k in range(draw(st.integers(1, max_rows))):
        img = draw(st.integers(0, n_images - 1))
        w, h = sizes[img]
        kind = draw(st.sampled_from(list(kinds)))
        coord = (
            (lambda hi: st.integers(0, hi))
            if integral
            else (lambda hi: st.floats(0, hi, allow_nan=False, allow_infinity=False))
        )
        row: dict[str, Any] = {
            "id": f"r{k}",
            "item_id": f"img{img}.png",
            "kind": kind,
            "label": draw(LABELS),
            "image_width": w,
            "image_height": h,
        }
        if kind == "box":
            x = float(draw(coord(w - 1)))
            y = float(draw(coord(h - 1)))
            row.update(
                x=x,
                y=y,
                width=float(draw(coord(int(w - x)))),
                height=float(draw(coord(int(h - y)))),
            )
        elif kind == "polygon":
            n = draw(st.integers(3, 6))
            row["points"] = [[float(draw(coord(w))), float(draw(coord(h)))] for _ in range(n)]
        else:
            pw, ph = draw(st.integers(1, min(w, 6))), draw(st.integers(1, min(h, 6)))
            bits = draw(st.lists(st.booleans(), min_size=pw * ph, max_size=pw * ph))
            left, top = draw(st.integers(0, w - pw)), draw(st.integers(0, h - ph))
            row["mask"] = rle.encode_patch(
                np.asarray(bits).reshape(ph, pw), left=left, top=top, height=h, width=w
            )
        rows.append(row)
    return frame(rows)


def sort(df: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Rows ordered by ``by`` (floats rounded to 1e-6, so float noise does not reorder ties)."""
    keys = pd.DataFrame(
        {
            f"k{i}": df[c].round(6) if df[c].dtype == "float64" else df[c].astype(str)
            for i, c in enumerate(by)
        },
        index=df.index,
    )
    order = keys.sort_values(list(keys.columns), kind="stable").index
    return df.loc[order].reset_index(drop=True)


def assert_same(
    got: pd.DataFrame,
    want: pd.DataFrame,
    columns: Sequence[str],
    *,
    by: Sequence[str] = (
        "item_id",
        "kind",
        "label",
        "x",
        "y",
        "width",
        "height",
        "start",
        "end",
        "text",
    ),
    atol: float = 1e-6,
) -> None:
    """``got`` equals ``want`` on ``columns`` (floats and points to ``atol``), in any order."""
    assert len(got) == len(want), f"{len(got)} rows, expected {len(want)}"
    keys = [c for c in by if c in got.columns]
    a = sort(got, keys)
    b = sort(want, keys)
    for name in columns:
        for i, (x, y) in enumerate(zip(a[name], b[name], strict=True)):
            assert _equal(x, y, atol), f"row {i} column {name!r}: {x!r} != {y!r}"


def _equal(x: Any, y: Any, atol: float) -> bool:
    if schema._is_missing(x) if not isinstance(x, (list, dict)) else False:
        return not isinstance(y, (list, dict)) and schema._is_missing(y)
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_equal(x[k], y[k], atol) for k in x)
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(_equal(p, q, atol) for p, q in zip(x, y, strict=True))
    if (
        isinstance(x, (float, int, np.floating, np.integer))
        and isinstance(y, (float, int, np.floating, np.integer))
        and not isinstance(x, bool)
    ):
        return bool(abs(float(x) - float(y)) <= atol)
    return bool(x == y)
