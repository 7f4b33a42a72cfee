"""Static views of annotated items (matplotlib), for notebooks shared without a kernel.

``plot_item(df, item, source)`` draws one item with its annotations: an image
with its boxes, polygons and masks; a document with its spans; a waveform with
its segments. The kind of drawing follows the annotations' ``kind`` (and the
source, for items that only carry whole-item labels).
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plot_item"]

_IMAGE_KINDS = {"box", "polygon", "mask"}
_AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3", ".oga", ".aiff", ".aif"}


def _modality(rows: pd.DataFrame, source: Any) -> str:
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
        return "image" if os.path.isfile(source) else "text"
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
        audio path/array. Defaults to ``item`` (useful when item ids are paths).
    ax
        A matplotlib Axes to draw on; a new figure is made when omitted.
    **kwargs
        Passed to the drawing for the item's kind (see ``nblabel.view.image``,
        ``nblabel.view.text`` and ``nblabel.view.audio``).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df: expected an annotation DataFrame, got {type(df).__name__}")
    if "item_id" not in df.columns:
        raise ValueError("df: the column 'item_id' is missing")
    rows = df[df["item_id"].astype(str) == str(item)]
    if source is None:
        source = item
    modality = _modality(rows, source)
    try:
        module = importlib.import_module(f".{modality}", __name__)
    except ModuleNotFoundError as exc:  # pragma: no cover - every modality ships its view
        raise NotImplementedError(f"no static view for {modality} items yet") from exc
    return module.plot(rows, source, item=str(item), ax=ax, **kwargs)
