"""Static views of annotated items (matplotlib), for notebooks shared without a kernel.

``plot_item(df, item, source)`` draws one item with its annotations: an image
with its boxes, polygons, masks and keypoints; a document with its spans; a waveform with
its segments; a video frame (``frame=k``) with its tracks' boxes. The kind of
drawing follows the annotations' ``kind`` (and the source, for items that only
carry whole-item labels).
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import numpy as np
import pandas as pd

from ..video import VIDEO_SUFFIXES

__all__ = ["plot_item"]

_IMAGE_KINDS = {"box", "polygon", "mask", "point"}
_AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3", ".oga", ".aiff", ".aif"}


def _is_path_text(source: str) -> bool:
    """Whether a str source reads as a file path (one line ending in a media suffix)."""
    from ..items import IMAGE_SUFFIXES

    suffix = os.path.splitext(source)[1].lower()
    return "\n" not in source and (suffix in _AUDIO_SUFFIXES or suffix in IMAGE_SUFFIXES)


def _modality(rows: pd.DataFrame, source: Any, kwargs: dict[str, Any]) -> str:
    if "frame" in kwargs or (
        isinstance(source, str | os.PathLike)
        and os.path.splitext(os.fspath(source))[1].lower() in VIDEO_SUFFIXES
    ):
        return "video"
    kinds = set(rows["kind"].astype(str)) if "kind" in rows.columns else set()
    if kinds & _IMAGE_KINDS:
        return "image"
    if "span" in kinds:
        return "text"
    if "segment" in kinds:
        return "audio"
    if isinstance(source, np.ndarray):
        return "audio" if source.ndim == 1 else "image"
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and os.path.splitext(source)[1].lower() in _AUDIO_SUFFIXES
    ):
        suffix = os.path.splitext(os.fspath(source))[1].lower()
        return "audio" if suffix in _AUDIO_SUFFIXES else "image"
    if isinstance(source, str):
        return "image" if os.path.isfile(source) or _is_path_text(source) else "text"
    return "image"


def plot_item(
    df: pd.DataFrame,
    item: str,
    source: Any = None,
    *,
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Draw one item and its annotations with matplotlib; return the Axes.

    Parameters
    ----------
    df
        Annotations in the nblabel schema (from ``w.annotations``, a store or a file).
    item
        The ``item_id`` to draw.
    source
        The item itself: an image path/array/PIL image, the document's text, or an
        audio path/array. Defaults to ``item`` when item ids are paths (images and
        audio); a document's text must always be given. An item with no rows in
        ``df`` is drawn bare when ``source`` is given or ``item`` is a file.
    ax
        A matplotlib Axes to draw on; a new figure is made when omitted.
    **kwargs
        Passed to the drawing for the item's kind (see ``nblabel.view.image``,
        ``nblabel.view.text``, ``nblabel.view.audio`` and ``nblabel.view.video``;
        a video item, by its suffix or when ``frame=`` is given, is drawn at one frame
        with the boxes shown on it).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df: expected an annotation DataFrame, got {type(df).__name__}")
    if "item_id" not in df.columns:
        raise ValueError("df: the column 'item_id' is missing")
    if isinstance(item, (list, tuple, set, dict, np.ndarray, pd.Series)):
        raise TypeError(f"item: expected one item id, got a {type(item).__name__}")
    rows = df[df["item_id"].astype(str) == str(item)]
    _check_kind_columns(df, rows, item)
    if source is None:
        source = _default_source(df, rows, item)
    modality = _modality(rows, source, kwargs)
    try:
        module = importlib.import_module(f".{modality}", __name__)
    except ModuleNotFoundError as exc:  # pragma: no cover - every modality ships its view
        raise NotImplementedError(f"no static view for {modality} items yet") from exc
    import inspect

    takes = [
        name
        for name, p in inspect.signature(module.plot).parameters.items()
        if p.kind is p.KEYWORD_ONLY and name not in ("item", "ax")
    ]
    unknown = sorted(set(kwargs) - set(takes))
    if unknown:
        raise TypeError(
            f"plot_item: {modality} items take no argument(s) {unknown}; they take {takes}"
        )
    return module.plot(rows, source, item=str(item), ax=ax, **kwargs)


def _check_kind_columns(df: pd.DataFrame, rows: pd.DataFrame, item: Any) -> None:
    """Every kind the item's rows hold has its geometry columns (schema.REQUIRED_BY_KIND)."""
    from ..schema import REQUIRED_BY_KIND

    if rows.empty or "kind" not in rows.columns:
        return
    for kind in sorted({str(k) for k in rows["kind"].dropna()}):
        missing = [c for c in REQUIRED_BY_KIND.get(kind, ()) if c not in df.columns]
        if missing:
            raise ValueError(
                f"plot_item: item {str(item)!r} has {kind} rows but df has no column(s) "
                f"{missing}; it has {[str(c) for c in df.columns]}"
            )


def _default_source(df: pd.DataFrame, rows: pd.DataFrame, item: Any) -> Any:
    """``item`` itself when it can stand for the item (a path), else an error naming it."""
    name = str(item)
    kinds = set(rows["kind"].astype(str)) if "kind" in rows.columns else {"label"}
    if not rows.empty and "span" in kinds:
        raise ValueError(
            f"plot_item: item {name!r} is a document with spans; pass the document's text "
            "as source= (its spans are offsets into that text)"
        )
    if os.path.isfile(name):
        return name
    if rows.empty:
        import difflib

        known = sorted({str(v) for v in df["item_id"].dropna()})
        near = difflib.get_close_matches(name, known, n=3)
        hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
        raise ValueError(
            f"plot_item: item {name!r} has no rows in df and is not a file; pass the item "
            f"itself as source= to draw it without annotations{hint}"
        )
    if not kinds & (_IMAGE_KINDS | {"segment"}):
        raise ValueError(
            f"plot_item: item {name!r} is not a file and its rows hold no regions or "
            "segments to draw on their own; pass the item itself as source= (an image, "
            "the document's text or the audio)"
        )
    return name  # a path that went missing: the view says so, naming it
