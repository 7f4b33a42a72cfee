"""ImageAnnotator: label photos of any size in the notebook, one at a time, keyboard first."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence
from typing import Any

import pandas as pd
import traitlets

from .. import media
from ..items import Item, image_items
from ..store import Store
from ._base import Annotator, Payload

__all__ = ["ImageAnnotator"]

_STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"


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
    predictions
        A model's labels to correct: a DataFrame in the annotation schema
        (``item_id``, ``kind="label"``, ``label``, ``score``). Each shows as a
        suggestion; accepting it (click, or ``a`` for the best one) stores a
        human label. Rows that cannot be shown are listed in
        ``w.prediction_problems``; ``w.threshold`` hides low scores.

    Keys (while the widget has focus): ``1``-``9`` label, ``n``/``→`` next,
    ``p``/``←`` previous, ``a`` accept the best suggestion, ``z`` undo,
    ``Shift+z``/``y`` redo, ``0``/``Backspace`` clear, ``?`` help.

    Examples
    --------
    >>> w = ImageAnnotator(["cat.jpg", "dog.jpg"], labels=["cat", "dog"],
    ...                    annotator="ana")                 # doctest: +SKIP
    >>> w                                                  # doctest: +SKIP
    >>> w.annotations                                      # doctest: +SKIP
    """

    _esm = _STATIC / "image.js"
    _css = _STATIC / "image.css"

    display_size = traitlets.Int(2048, read_only=True).tag(sync=True)

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
    ) -> None:
        if not isinstance(display_size, int) or display_size < 16:
            raise ValueError(
                f"display_size: expected a whole number of pixels >= 16, got {display_size!r}"
            )
        self._display_size = display_size
        self._sizes: dict[str, tuple[int, int]] = {}
        super().__init__(
            image_items(items, column=column),
            labels=labels,
            annotator=annotator,
            store=store,
            multi_label=multi_label,
            advance=advance,
            predictions=predictions,
        )
        self.set_trait("display_size", display_size)

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
