"""nblabel: label images, text and audio inside Jupyter and get one tidy DataFrame.

>>> import nblabel as nl
>>> w = nl.ImageAnnotator(["cat.jpg", "dog.jpg"], labels=["cat", "dog"], annotator="ana")
>>> w        # in a notebook, the widget: label with keys 1-9, n/p to move; as text:
ImageAnnotator: 0 / 2 labeled by 'ana', showing 'cat.jpg'
>>> w.current_item, len(w.annotations)     # one row per annotation, once labeled
('cat.jpg', 0)
"""

from __future__ import annotations

from typing import Any

from . import active, schema
from .skeleton import Skeleton
from .store import Store
from .view import plot_item
from .widgets import (
    AudioAnnotator,
    ImageAnnotator,
    RecordAnnotator,
    TextAnnotator,
    VideoAnnotator,
)

__version__ = "0.1.0"

__all__ = [
    "AudioAnnotator",
    "ImageAnnotator",
    "RecordAnnotator",
    "Skeleton",
    "Store",
    "TextAnnotator",
    "VideoAnnotator",
    "__version__",
    "active",
    "plot_item",
    "qa",
    "schema",
]


def __getattr__(name: str) -> Any:
    # nblabel.qa pulls in matplotlib and scipy: import it only when asked for.
    if name == "qa":
        import importlib

        return importlib.import_module(".qa", __name__)
    raise AttributeError(f"module 'nblabel' has no attribute {name!r}")
