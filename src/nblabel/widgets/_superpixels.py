"""The kernel's side of the image widget's superpixel brush (``tools=["superpixel"]``).

The page asks for an item's superpixels once, when the brush is first used on it::

    page -> kernel  {"type": "superpixels", "item_id": str, "frame": int | None}
    kernel -> page  {"type": "superpixels", "item_id", "frame", "width", "height", "count"}
                    + one buffer: int32 labels, row-major, width x height
                    or {"type": "superpixels", "item_id", "frame", "error": str}

The labels are computed with :func:`nblabel.superpixels.slic_labels` on the copy the page
shows (at most ``max_side`` pixels on its long side), in a worker thread: the kernel keeps
answering the page meanwhile. The page maps them onto the original pixels.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from .. import media, superpixels
from ._protocol import Payload, handles

if TYPE_CHECKING:
    from ..items import Item

__all__ = ["SuperpixelSource"]

log = logging.getLogger("nblabel")


class SuperpixelSource:
    """Mixin of ImageAnnotator: answers the page's ``superpixels`` message."""

    _superpixel_options: dict[str, Any] | None
    _superpixel_pool: ThreadPoolExecutor | None

    if TYPE_CHECKING:

        def send(self, content: Any, buffers: Any = None) -> None: ...
        def _position_of(self, item_id: str) -> int | None: ...
        def _item(self, position: int) -> Item: ...
        def _load(self, item: Item) -> Payload: ...
        def _slice_payload(self, item: Item, volume: Any, frame: int) -> Payload: ...
        def _volume(self, item: Item) -> Any: ...

    def _setup_superpixels(self, tools: list[str], options: Any) -> None:
        """Check ``superpixels=`` and that scikit-image is there when the brush is on offer."""
        self._superpixel_pool = None
        self._superpixel_options = None
        if options is not None and "superpixel" not in tools:
            raise ValueError("superpixels: options given, but 'superpixel' is not in tools")
        if "superpixel" in tools:
            self._superpixel_options = superpixels.check_options(options)
            superpixels._slic()  # fails now, naming the extra, rather than on first use

    def superpixel_labels(self, item_id: str, frame: int | None = None) -> np.ndarray:
        """The superpixels the page paints with on item ``item_id`` (slice ``frame`` of a
        stack), as :func:`nblabel.superpixels.slic_labels` returns them for the copy shown."""
        if self._superpixel_options is None:
            raise ValueError("superpixel_labels: the widget has no 'superpixel' tool")
        position = self._position_of(str(item_id))
        if position is None:
            raise KeyError(f"{item_id!r} is not one of this widget's items")
        item = self._item(position)
        if frame is None:
            payload, buffers = self._load(item)
        else:
            if isinstance(frame, bool) or not isinstance(frame, int):
                raise media.MediaError(item.id, f"frame must be a whole number, got {frame!r}")
            volume = self._volume(item)
            if volume is None:
                raise media.MediaError(item.id, "it is a single image, not a stack of slices")
            payload, buffers = self._slice_payload(item, volume, frame)
        if "error" in payload or not buffers:
            raise media.MediaError(item.id, str(payload.get("error", "no image")))
        with Image.open(io.BytesIO(bytes(buffers[0]))) as shown:
            pixels = np.asarray(
                shown.convert("RGB" if shown.mode not in ("L", "RGB") else shown.mode)
            )
        return superpixels.slic_labels(pixels, **self._superpixel_options)

    @handles("superpixels")
    def _superpixels(self, content: Mapping[str, Any], _buffers: Any) -> None:
        item_id = str(content.get("item_id"))
        frame = content.get("frame")
        answer = {"type": "superpixels", "item_id": item_id, "frame": frame}
        if self._superpixel_options is None:
            self.send({**answer, "error": "this widget has no 'superpixel' tool"})
            return
        if self._superpixel_pool is None:
            self._superpixel_pool = ThreadPoolExecutor(1, thread_name_prefix="nblabel-slic")
        self._superpixel_pool.submit(self._send_superpixels, item_id, frame, answer)

    def _send_superpixels(self, item_id: str, frame: Any, answer: dict[str, Any]) -> None:
        try:
            labels = self.superpixel_labels(item_id, frame)
        except (KeyError, ValueError, ImportError) as exc:  # MediaError is a ValueError
            text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
            self.send({**answer, "error": text})
            return
        except Exception as exc:  # never leave the page waiting
            log.exception("nblabel: superpixels of %r failed", item_id)
            self.send({**answer, "error": f"superpixels of {item_id!r} failed: {exc}"})
            return
        height, width = labels.shape
        count = int(labels.max()) + 1 if labels.size else 0
        self.send(
            {**answer, "width": width, "height": height, "count": count},
            buffers=[memoryview(labels.astype("<i4", copy=False).tobytes())],
        )

    def _close_superpixels(self) -> None:
        pool = getattr(self, "_superpixel_pool", None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
