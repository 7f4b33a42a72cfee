"""ImageAnnotator: label photos of any size in the notebook, one at a time, keyboard first."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pandas as pd
import traitlets

from .. import geometry, media, rle
from ..items import IMAGE_SOURCES, Item, ItemQueue
from ..store import Store
from ._base import Annotator, Payload

__all__ = ["ImageAnnotator"]

_STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"

#: The drawing tools and the annotation kind each one makes.
TOOLS: dict[str, str] = {"box": "box", "polygon": "polygon", "brush": "mask"}


def _check_tools(tools: Any) -> list[str]:
    if isinstance(tools, str) or not isinstance(tools, Sequence):
        raise TypeError(
            f"tools: expected a list such as ['box', 'polygon', 'brush'], got {tools!r}"
        )
    out: list[str] = []
    for tool in tools:
        if tool not in TOOLS:
            raise ValueError(f"tools: {tool!r} is not one of {list(TOOLS)}")
        if tool not in out:
            out.append(tool)
    return out


class ImageAnnotator(Annotator):
    """Label images in the notebook; every label lands in a store and in ``w.annotations``.

    Parameters
    ----------
    items
        What to label: a folder, a list of file paths, numpy arrays (HxW,
        HxWx3 or HxWx4; uint8, uint16 or float), PIL images or encoded bytes;
        a pandas Series (its index gives the item ids) or a DataFrame with
        ``column`` naming the path column (the other columns are shown as
        metadata). Items are loaded lazily and the next ones are prefetched.
    labels
        The classes, in key order: key ``1`` chooses the first.
    annotator
        Who is labeling; defaults to ``$NBLABEL_ANNOTATOR`` or the login name.
    store
        Where annotations are kept: a SQLite file path, a SQLAlchemy URL, a
        :class:`nblabel.Store`, or ``None`` for ``./nblabel.db``.
    multi_label
        Allow several labels per image (the keys toggle them).
    advance
        Go to the next image after a label is chosen; defaults to on for
        single-label, off for multi-label.
    column
        With a DataFrame of items: the column holding paths (or images).
    display_size
        Longest side, in pixels, of the copy sent to the page. The stored
        coordinates and ``image_width``/``image_height`` always refer to the
        original image, shown upright (EXIF orientation applied).
    tools
        Region tools to offer: any of ``"box"``, ``"polygon"`` and ``"brush"``
        (masks). Without tools the widget labels whole images. With tools,
        keys ``1``-``9`` choose the class of the next shape (or relabel the
        selected one) and ``Shift+1``-``9`` toggle whole-image labels.
    predictions
        A model's annotations to correct: a DataFrame in the annotation schema
        (``item_id``, ``kind``, ``label``, ``score`` and the geometry:
        ``x, y, width, height`` / ``points`` / ``mask``). Each shows as a
        suggestion; accepting it (click, or ``a``) stores a human row, editing
        it accepts the edited shape, ``x`` rejects it. Rows that cannot be
        shown (unknown item or label, NaN coordinates, shapes outside the
        image) are listed in ``w.prediction_problems``; ``w.threshold`` hides
        low scores.

    overlap
        Team labeling: how many annotators each item should end with. This
        annotator is offered only items fewer than ``overlap`` others have
        labeled or hold; ``None`` (default): everyone labels every item.
    lease
        With ``overlap``: seconds an item on screen stays this annotator's
        without renewal (renewed while the widget is open; default 300).
    review
        A reviewer's widget: the items at least ``overlap`` (default 2)
        annotators have labeled, the most contested first, each shown with
        every annotator's annotations; the reviewer's are stored with
        ``source="review"``.
    gold
        Known answers (annotation schema: ``item_id``, ``kind``, ``label``...)
        whose items are mixed into the queue, unmarked, each shown once per
        annotator; an ``item`` column holds the item itself when ``item_id``
        is not a path. Score with ``nblabel.qa.gold_accuracy(store.annotations(), gold)``;
        with ``review=True`` no gold item is shown and the reviewer sees each
        annotator's accuracy on them.
    gold_rate
        The share of the queue drawn from ``gold`` (default 0.1).

    Regions are stored in pixels of the original, upright image, origin at the
    top-left corner: boxes as ``x, y, width, height``, polygons as ``points``
    (``[[x, y], ...]``), masks as COCO RLE in ``mask`` (byte-identical to
    pycocotools' ``mask.encode``). Box edges and polygon vertices drawn in the
    widget are snapped to whole pixels when a drag ends. See
    :mod:`nblabel.geometry` for the pixel convention.

    Keys (while the widget has focus): ``1``-``9`` label, ``n``/``→`` next,
    ``p``/``←`` previous, ``a`` accept the best suggestion, ``z`` undo,
    ``Shift+z``/``y`` redo, ``0``/``Backspace`` clear, ``?`` help (it lists
    the drawing keys too).

    Examples
    --------
    >>> w = ImageAnnotator(["cat.jpg", "dog.jpg"], labels=["cat", "dog"],
    ...                    annotator="ana")                 # doctest: +SKIP
    >>> w                                                  # doctest: +SKIP
    >>> w.annotations                                      # doctest: +SKIP
    """

    _esm = _STATIC / "image.js"
    _css = _STATIC / "image.css"

    KINDS: ClassVar[tuple[str, ...]] = ("label", "box", "polygon", "mask")

    display_size = traitlets.Int(2048, read_only=True).tag(sync=True)
    #: The region tools on offer (empty: whole-image labels only).
    tools = traitlets.List(traitlets.Unicode(), read_only=True).tag(sync=True)
    #: Opacity of drawn regions in the page, 0 to 1.
    opacity = traitlets.Float(0.5, min=0.0, max=1.0).tag(sync=True)

    def __init__(
        self,
        items: Any,
        *,
        labels: Sequence[str],
        annotator: str | None = None,
        store: Store | str | os.PathLike[str] | None = None,
        multi_label: bool = False,
        advance: bool | None = None,
        column: str | None = None,
        display_size: int = 2048,
        predictions: pd.DataFrame | None = None,
        tools: Sequence[str] = (),
        overlap: int | None = None,
        lease: float | None = None,
        review: bool = False,
        gold: pd.DataFrame | None = None,
        gold_rate: float | None = None,
    ) -> None:
        tools_ = _check_tools(tools)
        if advance is None and tools_:
            advance = False
        if not isinstance(display_size, int) or display_size < 16:
            raise ValueError(
                f"display_size: expected a whole number of pixels >= 16, got {display_size!r}"
            )
        self._display_size = display_size
        self._sizes: dict[str, tuple[int, int]] = {}
        super().__init__(
            ItemQueue(items, IMAGE_SOURCES, column=column),
            # This widget reads, makes and accepts as suggestions only the kinds of its tools.
            kinds=("label", *(TOOLS[t] for t in tools_)),
            labels=labels,
            annotator=annotator,
            store=store,
            multi_label=multi_label,
            advance=advance,
            predictions=predictions,
            overlap=overlap,
            lease=lease,
            review=review,
            gold=gold,
            gold_rate=gold_rate,
        )
        self.set_trait("display_size", display_size)
        self.set_trait("tools", tools_)

    def _load(self, item: Item) -> Payload:
        try:
            image = media.load_display_image(
                item.source, item_id=item.id, max_side=self._display_size
            )
        except media.MediaError as exc:
            return {"error": str(exc)}, []
        self._sizes[item.id] = (image.width, image.height)
        info = {
            "width": image.width,
            "height": image.height,
            "display_width": image.display_width,
            "display_height": image.display_height,
            "mime": image.mime,
            "notes": list(image.notes),
        }
        return info, [image.data]

    def _row_defaults(self, item: Item) -> dict[str, Any]:
        size = self._sizes.get(item.id)
        if size is None:
            return {}
        return {"image_width": size[0], "image_height": size[1]}

    def _suggestion_problem(self, payload: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
        kind = row.get("kind")
        tool = next((t for t, k in TOOLS.items() if k == kind), None)
        if tool is not None and tool not in self.tools:
            return f"a {kind} needs the {tool!r} tool (tools={list(self.tools)})"
        return _region_problem(row, (int(payload["width"]), int(payload["height"])))

    def _normalise_row(self, item: Item, out: dict[str, Any]) -> dict[str, Any]:
        kind = out["kind"]
        if kind == "label":
            return out
        size = self._sizes.get(item.id)
        if size is None:
            raise ValueError(f"a {kind} needs the image loaded first")
        if kind == "mask" and isinstance(out.get("mask"), Mapping):
            # The page sends plain run lengths; the store keeps pycocotools' string.
            out["mask"] = rle.from_counts(out["mask"])
        problem = _region_problem(out, size)
        if problem:
            raise ValueError(problem)
        if kind == "box":
            for name in ("x", "y", "width", "height"):
                out[name] = float(out[name])
        return out


def _region_problem(row: Mapping[str, Any], size: tuple[int, int]) -> str | None:
    """Why a box, polygon or mask row does not fit an image of ``size`` (w, h), or None."""
    kind = row.get("kind")
    if kind == "box":
        box = tuple(row.get(k) for k in ("x", "y", "width", "height"))
        return geometry.box_problem(box, size)
    if kind == "polygon":
        return geometry.points_problem(row.get("points"), size)
    if kind == "mask":
        mask = row.get("mask")
        try:
            counts = rle.from_counts(mask)  # type: ignore[arg-type]
        except rle.RLEError as exc:
            return str(exc)
        if counts["size"] != [size[1], size[0]]:
            return (
                f"mask size {counts['size']} (height, width) is not the image's "
                f"[{size[1]}, {size[0]}]"
            )
    return None
