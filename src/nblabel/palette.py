"""Label colours shared by the widgets and the static views.

The k-th label of a widget's label list gets the k-th colour (cycling after
the last), in the image, text and audio widgets and in
:func:`nblabel.plot_item` given the same ``labels``; a label not in the list
gets :data:`OTHER`. The colours live in one file, ``nblabel/palette.json``,
which the widgets' pages are bundled with.

>>> colour_of(["cat", "dog"], "dog") == COLOURS[1]
True
>>> colour_of(["cat", "dog"], "bird") == OTHER
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from importlib import resources

__all__ = ["COLOURS", "OTHER", "colour_of", "colours"]


def _load() -> tuple[tuple[str, ...], str]:
    data = json.loads(resources.files("nblabel").joinpath("palette.json").read_text("utf-8"))
    return tuple(str(c) for c in data["colours"]), str(data["other"])


_PALETTE = _load()
#: The colours, ``"#rrggbb"``, in label order.
COLOURS: tuple[str, ...] = _PALETTE[0]
#: The colour of a label that is not in the list.
OTHER: str = _PALETTE[1]


def colour_of(labels: Sequence[str], label: str) -> str:
    """The colour of ``label`` given the label list ``labels`` (``"#rrggbb"``)."""
    try:
        index = list(labels).index(label)
    except ValueError:
        return OTHER
    return COLOURS[index % len(COLOURS)]


def colours(labels: Iterable[str]) -> dict[str, str]:
    """Each label of the list ``labels`` with its colour (the first place counts)."""
    names = list(labels)
    return {label: colour_of(names, label) for label in dict.fromkeys(names)}
