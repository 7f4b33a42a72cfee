"""Static view of an audio item: its waveform with labeled segments, drawn with matplotlib.

Called by :func:`nblabel.plot_item` for audio items; the figure is plain
matplotlib, so a notebook shared without a kernel still shows the speaker
turns. The x axis is seconds of the original file, the frame of the stored
``start``/``end``; transcripts are drawn as plain text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _args, audio, palette
from .._literal import LITERAL, literal_legend
from ..lanes import layout_lanes
from ..schema import is_missing
from ._colours import label_colours, label_names

__all__ = ["plot"]


def _envelope(decoded: audio.Decoded, columns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times and min/max of the waveform in about ``columns`` steps."""
    bucket = max(1, math.ceil(decoded.frames / columns))
    starts = np.arange(0, decoded.frames, bucket)
    samples = decoded.samples
    lo = np.minimum.reduceat(samples, starts).astype(np.float32)
    hi = np.maximum.reduceat(samples, starts).astype(np.float32)
    if samples.dtype == np.int16:
        lo, hi = lo / 32768.0, hi / 32768.0
    return starts / decoded.sample_rate, lo, hi


def _check_options(
    start: Any, end: Any, *, text: Any, alpha: Any, columns: Any, labels: Any
) -> None:
    f = "plot_item"
    if start is not None:
        start = _args.number(start, "start", func=f, low=0, low_closed=True, unit=" (seconds)")
    if end is not None:
        _args.number(end, "end", func=f, low=start or 0, unit=" (seconds, after start)")
    _args.flag(text, "text", func=f)
    _args.number(alpha, "alpha", func=f, low=0, high=1, low_closed=True)
    _args.whole(columns, "columns", func=f, minimum=1)
    if labels is not None:
        label_names(labels, func=f)


def plot(
    rows: pd.DataFrame,
    source: Any,
    *,
    item: str,
    ax: Any = None,
    labels: Sequence[str] | Mapping[str, Any] | None = None,
    sample_rate: int | None = None,
    start: float | None = None,
    end: float | None = None,
    text: bool = True,
    alpha: float = 0.3,
    columns: int = 2000,
) -> Any:
    """Draw an audio item's waveform and its segments; return the Axes.

    Parameters
    ----------
    rows
        The item's annotations (``kind="segment"`` rows are drawn; clip labels,
        ``kind="label"``, go in the title).
    source
        The audio: a path, encoded bytes or a numpy array (then give ``sample_rate``).
        ``None`` draws the segments on an empty timeline.
    labels
        Segment labels in colour order, as the widget's ``labels`` (default: as they
        appear, sorted); the k-th label gets the widget's k-th colour, and a label whose
        spec gives a colour (``{"alice": {"color": "#e41a1c"}}``) gets that one.
    start, end
        The time range to show, in seconds (default: the whole item).
    text
        Write each segment's label and transcript above it.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    _check_options(start, end, text=text, alpha=alpha, columns=columns, labels=labels)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 2.8))
    segs = rows[rows["kind"].astype(str) == "segment"] if "kind" in rows.columns else rows.iloc[:0]
    segs = segs.sort_values("start", kind="stable") if len(segs) else segs
    duration: float | None = None
    if source is not None:
        decoded = audio.decode(source, item_id=item, sample_rate=sample_rate)
        duration = decoded.duration
        times, lo, hi = _envelope(decoded, columns)
        ax.fill_between(times, lo, hi, color="#3b4a5a", linewidth=0, step="post")
    if duration is None:
        ends = pd.to_numeric(segs["end"], errors="coerce") if len(segs) else pd.Series([1.0])
        duration = float(np.nanmax(ends.to_numpy())) if len(ends) else 1.0
    drawn = sorted({str(x) for x in segs.get("label", [])})
    names = label_names(labels) if labels is not None else drawn
    colour = label_colours(labels, drawn)
    records = segs.to_dict("records")
    # Overlapping segments get their text on separate rows, stacked as the widget does.
    lanes, _ = layout_lanes((float(r["start"]), float(r["end"])) for r in records)
    for record, lane in zip(records, lanes, strict=True):
        s, e = float(record["start"]), float(record["end"])
        c = colour.get(str(record["label"]), palette.OTHER)
        ax.axvspan(s, e, color=c, alpha=alpha, linewidth=0)
        if text:
            words = str(record["label"])
            if not is_missing(record.get("text")) and str(record["text"]):
                words += f": {record['text']}"
            ax.text(
                s,
                0.97 - 0.11 * lane,
                words,
                transform=ax.get_xaxis_transform(),
                fontsize=8,
                clip_on=True,
                va="top",
                color="#111111",
                bbox={"facecolor": c, "alpha": 0.35, "linewidth": 0, "pad": 1.5},
                **LITERAL,  # a transcript's "$" is text
            )
    ax.set_xlim(start if start is not None else 0.0, end if end is not None else duration)
    ax.set_ylim(-1.05, 1.05)
    ax.set_yticks([])
    ax.set_xlabel("seconds")
    clips = rows[rows["kind"].astype(str) == "label"] if "kind" in rows.columns else rows.iloc[:0]
    title = item if not len(clips) else f"{item} [{', '.join(map(str, clips['label']))}]"
    ax.set_title(title, loc="left", fontsize=9, **LITERAL)
    handles = [Patch(color=colour[n], alpha=0.6, label=n) for n in names]
    if handles:
        literal_legend(
            ax.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                fontsize=8,
                frameon=False,
            )
        )
    return ax
