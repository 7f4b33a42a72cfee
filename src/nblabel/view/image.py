"""Static view of an image with its boxes, polygons, masks and keypoints, drawn with matplotlib.

Called by :func:`nblabel.plot_item` for image items; the figure is plain
matplotlib, so a notebook shared without a kernel still shows the annotations.
Axes are in pixels of the original upright image (origin top-left), the same
frame as the stored coordinates.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _args, media, palette, rle
from .._literal import LITERAL
from ..schema import is_missing
from ..skeleton import Skeleton
from ._colours import label_colours
from ._points import draw_edges, draw_point
from ._relations import draw_relations

__all__ = ["plot"]


def _background(
    source: Any, item: str, rows: pd.DataFrame, max_side: int
) -> tuple[Any, int, int, str | None]:
    """The display copy as an array (or None), the original size and a note when missing."""
    try:
        shown = media.load_display_image(source, item_id=item, max_side=max_side)
    except (media.MediaError, TypeError, OSError) as exc:
        size_columns = ["image_width", "image_height"]
        has_sizes = len(rows) and all(c in rows.columns for c in size_columns)
        sizes = rows[size_columns].dropna() if has_sizes else pd.DataFrame()
        if sizes.empty:
            raise ValueError(
                f"item {item!r}: cannot load the image ({exc}) and the annotations carry "
                "no image_width/image_height to draw them on"
            ) from exc
        first = sizes.to_numpy(dtype=float)[0]
        w, h = int(first[0]), int(first[1])
        return None, w, h, f"image not available: {exc}"
    from PIL import Image

    with Image.open(io.BytesIO(shown.data)) as im:
        pixels = np.asarray(im.convert("RGBA" if im.mode in ("RGBA", "LA", "P") else "RGB"))
    return pixels, shown.width, shown.height, None


def plot(
    rows: pd.DataFrame,
    source: Any,
    *,
    item: str,
    ax: Any = None,
    labels: Sequence[str] | Mapping[str, Any] | None = None,
    alpha: float = 0.4,
    max_side: int = 1600,
    show_labels: bool = True,
    skeleton: Skeleton | Mapping[str, Any] | None = None,
) -> Any:
    """Draw the image ``source`` with the ``rows`` of item ``item``; return the Axes.

    Parameters
    ----------
    rows
        The item's annotations (any of ``label``, ``box``, ``polygon``, ``mask``,
        ``point``, ``relation``: an arrow between its two regions' centres with its
        label, and a line of text under the image).
    source
        The image: a path, array, PIL image or bytes. When it cannot be loaded, the
        regions are drawn on a blank frame of the rows' ``image_width`` x ``image_height``.
    ax
        Axes to draw on; a new figure when omitted.
    labels
        The labels as the widget's ``labels`` gives them (default: the labels in
        ``rows``, sorted): the k-th label gets the widget's k-th colour, and a label
        whose spec gives a colour (``{"cat": {"color": "#e41a1c"}}``) gets that one.
    alpha
        Opacity of mask and polygon fills.
    max_side
        Longest side of the image copy drawn (the coordinates stay original pixels).
    show_labels
        Write each region's label (and a model's score) at its corner, and each
        keypoint's name beside it.
    skeleton
        The :class:`nblabel.Skeleton` whose edges join the keypoints of one
        instance (rows sharing ``annotator`` and ``track_id``); by default the
        edges kept in the rows' ``extra`` by ``read_coco``, else none. Keypoints
        are dots (rings when not visible, ``outside=True``), the same size at any
        image size.
    """
    import matplotlib.pyplot as plt
    from matplotlib import colors as mcolors
    from matplotlib.patches import Rectangle

    alpha = _args.number(alpha, "alpha", func="plot_item", low=0, high=1, low_closed=True)
    max_side = _args.whole(max_side, "max_side", func="plot_item", minimum=1)
    show_labels = _args.flag(show_labels, "show_labels", func="plot_item")
    colours = label_colours(labels, (str(v) for v in rows.get("label", [])))
    if ax is None:
        _, ax = plt.subplots()
    pixels, width, height, note = _background(source, item, rows, max_side)
    if pixels is not None:
        ax.imshow(pixels, extent=(0, width, height, 0), interpolation="antialiased")
    else:
        ax.add_patch(Rectangle((0, 0), width, height, facecolor="0.9", edgecolor="0.6"))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_aspect("equal")

    def color(label: str) -> Any:
        return mcolors.to_rgba(colours.get(label, palette.OTHER))

    whole: list[str] = []
    step = max(1, math.ceil(max(width, height) / max_side))
    draw_edges(ax, rows, skeleton, color)
    for record in rows.to_dict("records"):
        kind, label = str(record.get("kind")), str(record.get("label"))
        c = color(label)
        score = record.get("score")
        text = f"{label} {score:.2f}" if not is_missing(score) else label
        dashed = record.get("source") == "model"
        style = "--" if dashed else "-"
        if kind == "label":
            whole.append(text)
            continue
        if kind == "relation":  # drawn below, between its regions
            continue
        if kind == "point":
            draw_point(ax, record, c, text if show_labels else None)
            continue
        corner = _draw_region(ax, record, c, style, (alpha, step, width, height))
        if show_labels and corner is not None:
            ax.text(
                corner[0],
                corner[1],
                text,
                color="white",
                fontsize=8,
                va="bottom",
                bbox={"facecolor": c, "edgecolor": "none", "pad": 1, "alpha": 0.8},
                **LITERAL,
            )
    linked = draw_relations(ax, rows, color)
    if linked:  # every relation in words too, under the image
        ax.set_xlabel("\n".join(linked), fontsize=8, **LITERAL)
    title = item if not whole else f"{item}: {', '.join(whole)}"
    if note:
        title = f"{title}\n({note})"
    ax.set_title(title, fontsize=9, **LITERAL)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _draw_region(
    ax: Any, record: Mapping[Any, Any], c: Any, style: str, frame: tuple[float, int, int, int]
) -> tuple[float, float] | None:
    """Draw one box, polygon or mask; return the corner for its label text."""
    from matplotlib import colors as mcolors
    from matplotlib.patches import Polygon, Rectangle

    alpha, step, width, height = frame
    kind = str(record.get("kind"))
    if kind == "box" and all(not is_missing(record.get(k)) for k in ("x", "y", "width", "height")):
        x, y = float(record["x"]), float(record["y"])
        ax.add_patch(
            Rectangle(
                (x, y),
                float(record["width"]),
                float(record["height"]),
                fill=False,
                edgecolor=c,
                linewidth=2,
                linestyle=style,
            )
        )
        return (x, y)
    if kind == "polygon" and not is_missing(record.get("points")):
        pts = np.asarray(record["points"], dtype=float)
        ax.add_patch(
            Polygon(
                pts,
                closed=True,
                facecolor=(*c[:3], alpha),
                edgecolor=c,
                linewidth=2,
                linestyle=style,
            )
        )
        return (float(pts[:, 0].min()), float(pts[:, 1].min()))
    if kind == "mask" and not is_missing(record.get("mask")):
        m = rle.decode(record["mask"])[::step, ::step]
        overlay = np.zeros((*m.shape, 4), dtype=float)
        overlay[m] = mcolors.to_rgba(c, alpha)
        ax.imshow(overlay, extent=(0, width, height, 0), interpolation="nearest")
        x0, y0, _, _ = rle.bbox(record["mask"])
        return (float(x0), float(y0))
    return None
