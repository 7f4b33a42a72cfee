"""Matplotlib text that shows a user's strings literally, never as mathtext or TeX.

A label ``cost $5-$10`` or an annotator ``$\\alpha$`` must be drawn as typed.
Pass :data:`LITERAL` to every matplotlib call that draws text from data
(``ax.text``, titles, axis labels, tick labels) and call :func:`literal` on
texts matplotlib makes itself (legend entries and titles).

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> t = ax.set_title("cost $5-$10", **LITERAL)
>>> t.get_text(), t.get_parse_math(), t.get_usetex()
('cost $5-$10', False, False)
>>> plt.close(fig)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

__all__ = ["LITERAL", "literal", "literal_legend"]

#: Text properties that turn off mathtext (``$...$``) and TeX for one text.
LITERAL: Final[Mapping[str, Any]] = MappingProxyType({"parse_math": False, "usetex": False})


def literal(*texts: Any) -> None:
    """Make matplotlib ``Text`` objects literal (for texts matplotlib created)."""
    for text in texts:
        text.set_parse_math(False)
        text.set_usetex(False)


def literal_legend(legend: Any) -> Any:
    """Make a legend's entries and title literal; return the legend (None passes through)."""
    if legend is not None:
        literal(*legend.get_texts(), legend.get_title())
    return legend
