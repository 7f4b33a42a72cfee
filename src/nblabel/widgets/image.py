"""ImageAnnotator: label photos of any size in the notebook, one at a time, keyboard first."""

from __future__ import annotations

import math
import os
import pathlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import pandas as pd
import traitlets

from .. import geometry, media, medical, rle
from ..items import IMAGE_SOURCES, Item, ItemQueue
from ..skeleton import Skeleton, as_skeleton
from ..store import Store
from ._base import Annotator, Payload, handles
from ._labels import LabelsArg
from ._loop import OrderSource
from ._points import check_instances, normalise_point, point_problem
from ._relations import RelationLabels
from ._superpixels import SuperpixelSource

__all__ = ["ImageAnnotator"]

_STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"

#: The drawing tools and the annotation kind each one makes.
TOOLS: dict[str, str] = {
    "box": "box", "polygon": "polygon", "brush": "mask", "point": "point",
    "wand": "mask", "superpixel": "mask",
}  # fmt: skip


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


class ImageAnnotator(RelationLabels, SuperpixelSource, Annotator):
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
        The classes, in key order: key ``1`` chooses the first. Also a mapping
        ``{"cat": {"color": "tab:orange", "hotkey": "q", "description": "..."}}``
        (see :func:`nblabel.widgets._labels.parse_labels`); ``/`` finds a label by typing.
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
        Region tools to offer: any of ``"box"``, ``"polygon"``, ``"brush"``
        (masks), ``"point"`` (keypoints), ``"wand"`` (masks filled by similarity
        to a clicked pixel) and ``"superpixel"`` (masks painted a superpixel at a
        time). Without tools the widget labels whole images. With tools, keys
        ``1``-``9`` choose the class of the next shape (or relabel the selected
        one) and ``Shift+1``-``9`` toggle whole-image labels. The wand (key ``m``)
        fills, in the page, the 4-connected pixels whose every colour channel lies
        within the tolerance of the clicked pixel's; press and drag sideways to set
        the tolerance (a percentage of 0-255, or of the display window's width for
        16-bit, float and DICOM images, whose raw values it reads), ``[``/``]``
        step it; Shift+click adds to the selected mask, Alt+click takes from it. It
        works on the copy the page was sent (``display_size``) and maps the result
        onto the original pixels. The superpixel brush (key ``t``) needs
        scikit-image (``pip install 'nblabel[superpixel]'``). The point tool (key
        ``d``): a click places a point (stored as ``x``, ``y`` in original pixels,
        to 1/100 pixel), a drag moves one, ``Shift+click`` places one marked not
        visible and ``i`` toggles the selected point's visibility
        (``outside=True`` in the table: COCO's ``v=1``).
    superpixels
        With the ``"superpixel"`` tool: options of
        :func:`nblabel.superpixels.slic_labels` (``n_segments``, ``compactness``,
        ``sigma``, ``max_side``).
    skeleton
        With ``tools=["point"]``: named keypoints and the edges between them, a
        :class:`nblabel.Skeleton` or a dict, e.g. ``{"name": "person", "points":
        ["nose", "left_eye", "right_eye"], "edges": [("nose", "left_eye"),
        ("nose", "right_eye")]}`` (``nblabel.Skeleton.coco_person()`` is COCO's
        17 joints). Clicks place one instance's points in the skeleton's order
        (the page says which point is next; ``s`` skips a point not in view,
        ``Esc`` ends the instance early); each point's ``label`` is its name
        and the points of one instance share a ``track_id``. Edges are drawn
        between placed points. Selecting a point makes its instance the one
        the next clicks complete. See :mod:`nblabel.skeleton`.
    predictions
        A model's annotations to correct: a DataFrame in the annotation schema
        (``item_id``, ``kind``, ``label``, ``score`` and the geometry:
        ``x, y, width, height`` / ``points`` / ``mask``). Each shows as a
        suggestion; accepting it (click, or ``a``) stores a human row, editing
        it accepts the edited shape, ``x`` rejects it. Rows that cannot be
        shown (unknown item or label, NaN coordinates, shapes outside the
        image) are listed in ``w.prediction_problems``; ``w.threshold`` hides
        low scores.
    stack
        How 3-D data is read. ``None`` (default): multi-frame DICOM files,
        multi-page TIFFs, 4-D arrays ``(slices, h, w, c)`` and 3-D arrays whose
        last axis is not 1, 3 or 4 are stacks, browsed slice by slice; ``True``:
        every 3-D array is ``(slices, height, width)``; ``False``: no stacks (a
        TIFF shows its first page). An annotation on a slice stores its index
        in ``frame``.
    order, reorder_every, suggest, instructions, overlap, lease, review, gold, gold_rate
        The model loop and team labeling, alike in every widget that has them:
        written once, in :mod:`nblabel.widgets._params` (on the "Writing a widget"
        page); ``help()`` on the widget shows them in full.
    relations
        Relation labels between regions (``["holds", "on"]``, or specs like
        ``labels=``: colour, hotkey, description), stored as
        ``kind="relation"`` rows whose ``from_id`` and ``to_id`` are two
        regions' ids (boxes, polygons, masks or points of the item). Select a
        region, press ``l``, pick the second one (``Tab``/arrows then
        ``Enter``, or a click), then the label (``1``-``9``, its hotkey or
        ``/``). ``Shift+L`` selects the next relation, ``Delete`` removes it.
        Deleting a region deletes its relations in the same edit (one undo
        brings both back). ``None`` (default): no relations.

    Notes
    -----
    Medical and scientific images: DICOM files (``.dcm``, or the ``DICM``
    marker; ``pip install 'nblabel[dicom]'``) are shown with the rescale
    slope/intercept applied and the file's default window; their pixel
    spacing, modality and window are in the item's metadata. 16-bit, 32-bit and
    float images and stacks also travel as display-sized 16-bit values, so the
    page can change the window (level/width) without the kernel; the window
    changes only the display, never the data or the coordinates. See
    :mod:`nblabel.medical`.

    Regions are stored in pixels of the original, upright image, origin at the
    top-left corner: boxes as ``x, y, width, height``, polygons as ``points``
    (``[[x, y], ...]``), masks as COCO RLE in ``mask`` (byte-identical to
    pycocotools' ``mask.encode``). Box edges and polygon vertices drawn in the
    widget are snapped to whole pixels when a drag ends. See
    :mod:`nblabel.geometry` for the pixel convention.

    Keys (while the widget has focus): ``1``-``9`` label, ``n``/``→`` next,
    ``p``/``←`` previous, ``a`` accept the best suggestion, ``z`` undo,
    ``Shift+z``/``y`` redo, ``0``/``Backspace`` clear, ``?`` help (it lists
    the drawing keys too). For 16-bit, float and DICOM images: drag the ◐ pad
    (or the image, without tools), ``,``/``.`` and ``<``/``>`` for the window,
    ``w`` presets, ``Shift+w`` reset; on stacks ``↑``/``↓``,
    ``PageUp``/``PageDown``, ``Home``/``End`` move between slices.

    Examples
    --------
    >>> from PIL import Image
    >>> Image.new("RGB", (64, 48), "orange").save("cat.jpg")
    >>> Image.new("RGB", (64, 48), "brown").save("dog.jpg")
    >>> w = ImageAnnotator(["cat.jpg", "dog.jpg"], labels=["cat", "dog"],
    ...                    annotator="ana", store="labels.db")
    >>> w          # in a notebook, the widget; as text:
    ImageAnnotator: 0 / 2 labeled by 'ana', showing 'cat.jpg'
    >>> w.annotations[["item_id", "label"]]                # one row per label, as you go
    Empty DataFrame
    Columns: [item_id, label]
    Index: []
    """

    _esm = _STATIC / "image.js"
    _css = _STATIC / "image.css"

    KINDS: ClassVar[tuple[str, ...]] = (
        "label", "box", "polygon", "mask", "point", "skip", "comment", "relation",
    )  # fmt: skip
    RELATION_ENDS: ClassVar[tuple[str, ...]] = ("box", "polygon", "mask", "point")
    #: The image stage's height in CSS pixels, the same for every item (0: fitted to the
    #: window). Images fit inside it, so the buttons below never move.
    stage_height = traitlets.Int(0, min=0).tag(sync=True)
    PAGE_KEYS: ClassVar[Mapping[str, str]] = {
        **dict.fromkeys("vbgrmt", "tool"), "e": "eraser", "h": "hide the regions", "o": "opacity",
        "f": "fit", "a": "accept", "x": "reject", "[": "smaller brush", "]": "bigger brush",
        "+": "zoom in", "=": "zoom in", "-": "zoom out", " ": "pan",
        "d": "point tool", "i": "point not visible", "s": "skip a skeleton point",
        "l": "start a relation", "L": "select the next relation",
    }  # fmt: skip

    display_size = traitlets.Int(2048, read_only=True).tag(sync=True)
    #: The region tools on offer (empty: whole-image labels only).
    tools = traitlets.List(traitlets.Unicode(), read_only=True).tag(sync=True)
    #: The skeleton the point tool places (``{"name", "points", "edges"}``), or None.
    skeleton_spec = traitlets.Dict(allow_none=True, default_value=None, read_only=True).tag(
        sync=True
    )
    #: The relation labels (empty: no relations); see ``relations=``.
    relations = traitlets.List(traitlets.Unicode(), read_only=True).tag(sync=True)
    #: relation label -> {"color", "hotkey", "description"} for those given with a spec
    relation_specs = traitlets.Dict(read_only=True).tag(sync=True)
    #: Opacity of drawn regions in the page, 0 to 1.
    opacity = traitlets.Float(0.5, min=0.0, max=1.0).tag(sync=True)

    def __init__(
        self,
        items: Any,
        *,
        labels: LabelsArg,
        annotator: str | None = None,
        store: Store | str | os.PathLike[str] | None = None,
        multi_label: bool = False,
        advance: bool | None = None,
        column: str | None = None,
        display_size: int = 2048,
        predictions: pd.DataFrame | None = None,
        order: OrderSource | None = None,
        reorder_every: int | None = 10,
        suggest: Callable[[Any], pd.DataFrame] | None = None,
        instructions: str | None = None,
        tools: Sequence[str] = (),
        stack: bool | None = None,
        superpixels: Mapping[str, Any] | None = None,
        overlap: int | None = None,
        lease: float | None = None,
        review: bool = False,
        gold: pd.DataFrame | None = None,
        gold_rate: float | None = None,
        skeleton: Skeleton | Mapping[str, Any] | None = None,
        relations: LabelsArg | None = None,
    ) -> None:
        tools_ = _check_tools(tools)
        self._setup_relations(relations)
        if self._relations and not tools_:
            raise ValueError("relations: relations link regions; give tools=[...] to draw them")
        self._setup_superpixels(tools_, superpixels)
        self._skeleton = None if skeleton is None else as_skeleton(skeleton)
        if self._skeleton is not None and "point" not in tools_:
            raise ValueError("skeleton: a skeleton needs the point tool (tools=['point', ...])")
        if stack is not None and not isinstance(stack, bool):
            raise TypeError(f"stack: expected True, False or None, got {stack!r}")
        self._stack = stack
        # Volumes (DICOM, stacks, deep images) of recent items; None for ordinary images.
        self._volumes: OrderedDict[str, medical.Volume | None] = OrderedDict()
        self._volumes_lock = threading.Lock()
        self._frames: dict[str, int] = {}
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
            kinds=(
                "label",
                *dict.fromkeys(TOOLS[t] for t in tools_),
                "skip",
                "comment",
                *(["relation"] if self._relations else []),
            ),
            labels=labels,
            annotator=annotator,
            store=store,
            multi_label=multi_label,
            advance=advance,
            predictions=predictions,
            order=order,
            reorder_every=reorder_every,
            suggest=suggest,
            instructions=instructions,
            overlap=overlap,
            lease=lease,
            review=review,
            gold=gold,
            gold_rate=gold_rate,
        )
        self.set_trait("display_size", display_size)
        self.set_trait("tools", tools_)
        self.set_trait("relations", list(self._relations))
        self.set_trait("relation_specs", self._relation_specs)
        if self._skeleton is not None:
            self.set_trait("skeleton_spec", self._skeleton.to_json())

    @property
    def skeleton(self) -> Skeleton | None:
        """The skeleton the point tool places, or None (pass it to ``nblabel.formats.to_coco``)."""
        return self._skeleton

    def _kind_labels(self, labels: list[str]) -> dict[str, list[str]]:
        out = super()._kind_labels(labels)
        out["relation"] = list(getattr(self, "_relations", []))
        if self._skeleton is not None and "point" in out:
            out["point"] = list(self._skeleton.points)  # a skeleton's points are named by it
        return out

    def _static_source(self, item: Item) -> tuple[Any, dict[str, Any]]:
        return item.source, {} if self._skeleton is None else {"skeleton": self._skeleton}

    def _check_edit(self, item: Item, rows: list[dict[str, Any]]) -> None:
        super()._check_edit(item, rows)
        if self._skeleton is not None:
            check_instances(item.id, rows, self._skeleton)
        self._check_item_relations(item.id, rows)

    def _row_from_page(self, item: Item, row: Any, elapsed: Any) -> dict[str, Any]:
        self._check_relation_row(row, "ImageAnnotator(..., relations=[...]) to link regions")
        return super()._row_from_page(item, row, elapsed)

    def close(self) -> None:
        """Close the widget (see :meth:`Annotator.close`) and stop computing superpixels."""
        self._close_superpixels()
        super().close()

    def metadata(self, item_id: str) -> dict[str, str]:
        """An item's metadata as the page shows it: its DataFrame columns and, for DICOM
        files and stacks, ``modality``, ``pixel spacing`` (mm, row × column), ``window``
        (level / width) and ``slices``. For the numbers, see
        :func:`nblabel.medical.read_dicom` (``.spacing``, ``.window``)."""
        position = self._position_of(str(item_id))
        if position is None:
            raise KeyError(f"{item_id!r} is not one of this widget's items")
        item = self._item(position)
        volume = self._volume(item)
        return {**item.meta, **(volume.meta if volume is not None else {})}

    #: Volumes kept in memory (a CT series can be hundreds of MB); ordinary images cost nothing.
    VOLUME_CACHE: ClassVar[int] = 2

    def _volume(self, item: Item) -> medical.Volume | None:
        """The item's volume (DICOM, stack, 16-bit or float image), or None; cached."""
        with self._volumes_lock:
            if item.id in self._volumes:
                self._volumes.move_to_end(item.id)
                return self._volumes[item.id]
        volume = medical.read_volume(item.source, item_id=item.id, stack=self._stack)
        with self._volumes_lock:
            self._volumes[item.id] = volume
            kept = [k for k, v in self._volumes.items() if v is not None]
            for key in kept[: max(0, len(kept) - self.VOLUME_CACHE)]:
                del self._volumes[key]  # read again when shown again
            while len(self._volumes) > 256:
                self._volumes.popitem(last=False)
        return volume

    def _load(self, item: Item) -> Payload:
        try:
            volume = self._volume(item)
            if volume is not None:
                return self._slice_payload(item, volume, 0)
            image = media.load_display_image(
                item.source, item_id=item.id, max_side=self._display_size
            )
        except media.MediaError as exc:
            return {"error": str(exc)}, []
        except ImportError as exc:  # an optional extra (pydicom) is missing; it is named
            return {"error": f"item {item.id!r} could not be loaded: {exc}"}, []
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

    def _slice_payload(self, item: Item, volume: medical.Volume, frame: int) -> Payload:
        """Slice ``frame`` of a volume: the item's JSON part and [8-bit PNG, uint16 values]."""
        shown = medical.display_slice(volume, frame, item_id=item.id, max_side=self._display_size)
        self._sizes[item.id] = volume.size
        self._frames[item.id] = volume.n_frames
        image = shown.display
        info: dict[str, Any] = {
            "width": image.width,
            "height": image.height,
            "display_width": image.display_width,
            "display_height": image.display_height,
            "mime": image.mime,
            "notes": list(image.notes),
            "frames": volume.n_frames,
            "frame": frame,
            "window": shown.info,
            "meta": {**item.meta, **volume.meta},
        }
        return info, [image.data] + ([shown.raw] if shown.raw is not None else [])

    @handles("slice")
    def _slice(self, content: Mapping[str, Any], _buffers: Any) -> None:
        """``{"type": "slice", "item_id", "frame"}``: the page shows another slice of a stack.

        Answered with ``{"type": "slice", "item_id", "frame", "item": {...}}`` and the
        slice's buffers (as an ``item`` message carries them), or with ``"error"``.
        """
        item_id = str(content.get("item_id"))
        frame = content.get("frame")
        answer: dict[str, Any] = {"type": "slice", "item_id": item_id, "frame": frame}
        position = self._position_of(item_id)
        if position is None:
            self.send({**answer, "error": f"unknown item {item_id!r}"})
            return
        item = self._item(position)
        try:
            if isinstance(frame, bool) or not isinstance(frame, int):
                raise media.MediaError(item_id, f"frame must be a whole number, got {frame!r}")
            volume = self._volume(item)
            if volume is None:
                raise media.MediaError(item_id, "it is a single image, not a stack of slices")
            info, buffers = self._slice_payload(item, volume, frame)
        except (media.MediaError, ImportError) as exc:
            self.send({**answer, "error": str(exc)})
            return
        self.send({**answer, "item": info}, buffers=buffers)

    def _row_defaults(self, item: Item) -> dict[str, Any]:
        size = self._sizes.get(item.id)
        if size is None:
            return {}
        return {"image_width": size[0], "image_height": size[1]}

    def _suggestion_problem(self, payload: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
        if row.get("kind") == "relation":
            return "relations are not shown as suggestions (only labels and regions)"
        frames = payload.get("frames")
        if frames is not None and not _missing(row.get("frame")):
            problem = _frame_problem(row.get("frame"), int(frames))
            if problem:
                return problem
        kind = row.get("kind")
        makers = [t for t, k in TOOLS.items() if k == kind]
        if makers and not any(t in self.tools for t in makers):
            return f"a {kind} needs the {makers[0]!r} tool (tools={list(self.tools)})"
        return _region_problem(row, (int(payload["width"]), int(payload["height"])))

    def _normalise_row(self, item: Item, out: dict[str, Any]) -> dict[str, Any]:
        kind = out["kind"]
        frames = self._frames.get(item.id)
        if frames is not None and frames > 1:
            # On a stack, a region belongs to a slice; a label may be the whole stack's.
            if out.get("frame") is None and kind not in _NO_GEOMETRY:
                raise ValueError(f"a {kind} on a stack of {frames} slices needs its frame")
            if out.get("frame") is not None:
                problem = _frame_problem(out["frame"], frames)
                if problem:
                    raise ValueError(problem)
                out["frame"] = int(out["frame"])
        if kind in _NO_GEOMETRY:  # no geometry: a broken image can be skipped
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
        if kind == "point":
            out = normalise_point(out, self._skeleton)
        return out


#: Kinds with no geometry of their own (a relation's is its two regions').
_NO_GEOMETRY = ("label", "skip", "comment", "relation")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _frame_problem(frame: Any, frames: int) -> str | None:
    """Why ``frame`` is not a slice index of a stack of ``frames`` slices, or None."""
    if (
        isinstance(frame, bool)
        or not isinstance(frame, (int, float))
        or not float(frame).is_integer()
    ):
        return f"frame {frame!r} is not a whole slice index"
    if not 0 <= int(frame) < frames:
        return f"frame {int(frame)} is outside the stack (0 to {frames - 1})"
    return None


def _region_problem(row: Mapping[str, Any], size: tuple[int, int]) -> str | None:
    """Why a box, polygon, point or mask row does not fit an image of ``size`` (w, h), or None."""
    kind = row.get("kind")
    if kind == "box":
        box = tuple(row.get(k) for k in ("x", "y", "width", "height"))
        return geometry.box_problem(box, size)
    if kind == "polygon":
        return geometry.points_problem(row.get("points"), size)
    if kind == "point":
        return point_problem(row, size)
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
