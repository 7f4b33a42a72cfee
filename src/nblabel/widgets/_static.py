"""What a widget looks like without a kernel: a static HTML view saved with the notebook.

A notebook saved from JupyterLab keeps each output's MIME bundle, not the
widget's state. A viewer that cannot run the widget (GitHub, nbviewer, a
colleague without nblabel, ``nbconvert --to html``) shows the richest type it
can: this module's ``text/html``, a small card with the item's name, the
"k / N labeled" summary, the item's labels and a picture of the item with its
annotations (drawn by :func:`nblabel.plot_item`). Every text from a user is
escaped; the picture is an inline PNG, so the file needs no network.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import schema

if TYPE_CHECKING:
    from ._base import Annotator

__all__ = ["static_html"]

_STYLE = (
    "font-family: system-ui, sans-serif; font-size: 13px; border: 1px solid #c8c8c8;"
    " border-radius: 4px; padding: 8px 10px; max-width: 720px"
)


def _picture(widget: Annotator, item_id: str, rows: pd.DataFrame) -> tuple[str, str]:
    """The item drawn with its annotations as an inline PNG ``<img>``, or a note why not."""
    import matplotlib

    from ..view import plot_item

    position = widget._position_of(item_id)
    if position is None:
        return "", "the item is not in the queue"
    source, options = widget._static_source(widget._item(position))
    # The page's colours: the widget's label order, and each label's own colour if it has one.
    specs = widget.label_specs
    options = {"labels": {name: specs.get(name) for name in widget.labels}, **options}
    try:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(6.4, 4.0), dpi=80)
        ax = figure.add_subplot()
        with matplotlib.rc_context({"text.parse_math": False}):
            plot_item(rows, item_id, source, ax=ax, **options)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", bbox_inches="tight")
    except Exception as exc:  # a picture that cannot be drawn must not hide the card
        return "", f"no picture: {exc}"
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = html.escape(f"{widget._item(position).name} with its annotations", quote=True)
    return f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%">', ""


def static_html(widget: Annotator) -> str:
    """The widget's current item and progress as self-contained, escaped HTML."""
    if not widget._queue.ids:
        return ""
    item = widget._item(widget.position)
    item_id, name = item.id, item.name
    stored = list(widget._item_rows(item_id).values())
    rows = schema.from_records(stored) if stored else schema.empty()
    labels = sorted({str(r["label"]) for r in stored})
    picture, note = _picture(widget, item_id, rows)
    e = html.escape
    parts = [
        # A viewer that typesets math (nbconvert's and nbviewer's MathJax) leaves it alone.
        f'<div class="nblabel-static tex2jax_ignore mathjax_ignore" style="{_STYLE}">',
        f"<div><b>{e(type(widget).__name__)}</b> · item {widget.position + 1:,} of "
        f"{widget.n_items:,}: <code>{e(name)}</code></div>",
        f"<div>{widget.n_done:,} / {widget.n_items:,} labeled by {e(widget.annotator)}</div>",
    ]
    if labels:
        parts.append("<div>labels: " + ", ".join(f"<code>{e(x)}</code>" for x in labels) + "</div>")
    if picture:
        parts.append(f"<div>{picture}</div>")
    if note:
        parts.append(f"<div><i>{e(note)}</i></div>")
    parts.append(
        "<div style='color:#666'>A static view saved with the notebook; "
        "run the cell to label.</div>"
    )
    parts.append("</div>")
    return "\n".join(parts)


def plain_text(widget: Annotator) -> str:
    """The widget as one line of text (``text/plain``)."""
    try:
        name = widget._item(widget.position).name
        return (
            f"{type(widget).__name__}: {widget.n_done:,} / {widget.n_items:,} labeled by "
            f"{widget.annotator!r}, showing {name!r}"
        )
    except Exception:  # during construction, before the queue exists
        return f"{type(widget).__name__}()"


def mimebundle(widget: Annotator, bundle: Any) -> Any:
    """The widget's MIME bundle with a static ``text/html`` view beside the live one.

    ``bundle`` is what ipywidgets/anywidget give: a dict, or ``(data, metadata)``.
    """
    if isinstance(bundle, tuple):
        return _with_static(widget, bundle[0]), *bundle[1:]
    return _with_static(widget, bundle)


def _with_static(widget: Annotator, data: dict[str, Any] | None) -> dict[str, Any]:
    out = dict(data or {})
    out["text/plain"] = plain_text(widget)
    try:
        out["text/html"] = static_html(widget)
    except Exception as exc:  # never let the static view break displaying the widget
        out["text/html"] = (
            f"<pre>{html.escape(plain_text(widget))}\n({html.escape(str(exc))})</pre>"
        )
    return out
