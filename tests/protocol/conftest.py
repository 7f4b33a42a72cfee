"""Protocol tests: a widget driven by exactly the messages its page would send.

``PageDriver`` stands where the browser stands: it sends ``hello``/``goto``/
``edit`` messages into the widget's message handler and records what the
widget sends back (the JSON part and the sizes of the binary buffers). Tests
then assert the store file and ``w.annotations``.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from nblabel.widgets._base import Annotator


class PageDriver:
    def __init__(self, widget: Annotator) -> None:
        self.widget = widget
        self.sent: list[tuple[dict[str, Any], list[bytes]]] = []
        self.seq = 0

        def record(content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
            self.sent.append((content, [bytes(b) for b in buffers or []]))

        widget.send = record  # type: ignore[method-assign]

    def _send(self, content: dict[str, Any]) -> None:
        self.widget._on_message(self.widget, content, [])

    def hello(self, cached: list[int] | None = None) -> None:
        self._send({"type": "hello", "cached": cached or []})

    def goto(self, position: int, cached: list[int] | None = None) -> None:
        self._send({"type": "goto", "position": position, "cached": cached or []})

    def edit(
        self,
        item_id: str,
        upsert: list[dict[str, Any]] | None = None,
        delete: list[str] | None = None,
        elapsed: float = 1.25,
    ) -> dict[str, Any]:
        """Send one edit and return the widget's answer (saved or rejected)."""
        self.seq += 1
        before = len(self.sent)
        self._send(
            {
                "type": "edit",
                "seq": self.seq,
                "item_id": item_id,
                "upsert": upsert or [],
                "delete": delete or [],
                "elapsed": elapsed,
            }
        )
        answers = [m for m, _ in self.sent[before:] if m.get("seq") == self.seq]
        assert len(answers) == 1, f"expected one answer to edit {self.seq}, got {answers}"
        return answers[0]

    def label(self, item_id: str, label: str, *, replace: bool = True) -> dict[str, Any]:
        """Choose a label as the page does: a new row, and the old label rows removed."""
        old = [r["id"] for r in self.widget._rows.get(item_id, {}).values()] if replace else []
        return self.edit(item_id, [{"id": uuid.uuid4().hex, "kind": "label", "label": label}], old)

    def items(self, wait: float = 5.0, count: int = 1) -> list[tuple[dict[str, Any], list[bytes]]]:
        """Item messages received so far, waiting for prefetches from the worker thread."""
        deadline = time.monotonic() + wait
        while True:
            found = [(m, b) for m, b in self.sent if m.get("type") == "item"]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.01)

    def item_at(self, position: int, wait: float = 5.0) -> tuple[dict[str, Any], list[bytes]]:
        deadline = time.monotonic() + wait
        while True:
            found = [
                (m, b)
                for m, b in self.sent
                if m.get("type") == "item" and m["position"] == position
            ]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no item message for position {position}: {self.sent}")
            time.sleep(0.01)

    def clear(self) -> None:
        self.sent.clear()


@pytest.fixture
def drive() -> Iterator[Callable[[Annotator], PageDriver]]:
    made: list[Annotator] = []

    def make(widget: Annotator) -> PageDriver:
        made.append(widget)
        return PageDriver(widget)

    yield make
    for widget in made:
        widget.close()


@pytest.fixture
def photos(tmp_path: Path) -> list[str]:
    """Five small real JPEG files with different content."""
    rng = np.random.default_rng(0)
    paths = []
    for i in range(5):
        pixels = (rng.random((60 + i, 80, 3)) * 255).astype(np.uint8)
        path = tmp_path / f"photo{i}.jpg"
        Image.fromarray(pixels).save(path, quality=90)
        paths.append(str(path))
    return paths


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
