"""Label colours for the static views, as the widgets' pages colour them.

``labels=`` of :func:`nblabel.plot_item` takes what a widget's ``labels=`` takes: a list
of names (the k-th gets the palette's k-th colour), a mapping ``{name: spec}`` or a list
of specs with a ``"name"``, where a spec's ``color`` (or ``colour``) is the label's own
colour, on the page and in the static view alike. Labels that are drawn but not listed
get :data:`nblabel.palette.OTHER`; without ``labels=`` the labels drawn are sorted.

>>> label_colours({"cat": {"color": "#ff0000"}, "dog": None}, ["dog", "cat"])
{'cat': '#ff0000', 'dog': '#ff7f0e'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _args, palette

__all__ = ["label_colours", "label_names"]


def _pairs(labels: Any, func: str) -> list[tuple[str, Any]]:
    if isinstance(labels, Mapping):
        return [(str(k), v) for k, v in labels.items()]
    if isinstance(labels, (str, bytes)) or not isinstance(labels, (Sequence, pd.Index, np.ndarray)):
        _args.names(labels, "labels", func=func)  # raises, naming the argument and the value
    out: list[tuple[str, Any]] = []
    for i, entry in enumerate(labels):
        if isinstance(entry, Mapping):
            if "name" not in entry:
                raise ValueError(f"{func}: labels entry {i} has no 'name'")
            out.append((str(entry["name"]), entry))
        else:
            out.append((str(entry), None))
    return out


def _own_colour(label: str, spec: Any, func: str) -> str | None:
    if not isinstance(spec, Mapping):
        return None  # a description, or no spec: the palette's colour
    value = spec.get("color", spec.get("colour"))
    if value is None:
        return None
    from matplotlib.colors import to_hex

    try:
        return str(to_hex(value))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{func}: the color {value!r} of label {label!r} is not a colour") from exc


def label_names(labels: Any, *, func: str = "plot_item") -> list[str]:
    """The label names of ``labels=`` (a list of names, a mapping or a list of specs)."""
    return [name for name, _ in _pairs(labels, func)]


def label_colours(
    labels: Any, present: Iterable[str], *, func: str = "plot_item"
) -> dict[str, str]:
    """Each label of ``labels`` and of ``present`` (the labels drawn) with its colour."""
    drawn = [str(x) for x in present]
    if labels is None:
        names = sorted(set(drawn))
        return {name: palette.colour_of(names, name) for name in names}
    pairs = _pairs(labels, func)
    names = [name for name, _ in pairs]
    out = {
        name: _own_colour(name, spec, func) or palette.colour_of(names, name)
        for name, spec in pairs
    }
    for label in drawn:
        out.setdefault(label, palette.OTHER)
    return out
