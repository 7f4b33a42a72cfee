"""Static views of a document with its spans: a matplotlib figure and kernel-free HTML.

``nblabel.plot_item(df, item, text)`` draws the document wrapped in a
monospace grid with each span as a tinted box and a coloured bar under it
(stacked when spans overlap), its label at its start, the document
labels in the title, and each relation between two spans as a line of
text under the document (``“Ada” → works_for → “Acme”``). :func:`to_html`
gives the same as escaped HTML for a notebook shared without a kernel
(``IPython.display.HTML(to_html(...))``).
Every text is shown literally: HTML is escaped, control characters show as
their Unicode control pictures, and ``$`` never starts mathtext.
"""

from __future__ import annotations

import html
import itertools
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from .. import _args
from .._literal import LITERAL
from ..schema import is_missing
from ..text import decode_text, layout_lanes
from ._colours import label_colours

__all__ = ["plot", "to_html"]


def _spans(rows: pd.DataFrame, length: int) -> list[tuple[int, int, str]]:
    if rows.empty or "kind" not in rows.columns:
        return []
    out = []
    for row in rows[rows["kind"].astype(str) == "span"].itertuples(index=False):
        start, end = getattr(row, "start", math.nan), getattr(row, "end", math.nan)
        if is_missing(start) or is_missing(end):
            continue
        s, e = int(start), int(end)
        if 0 <= s < e <= length:
            out.append((s, e, str(row.label)))
    return sorted(out, key=lambda t: (t[0], -t[1], t[2]))


def _relations(rows: pd.DataFrame, text: str) -> list[str]:
    """Each relation as a line of text, ``“from” → label → “to”``, in the order of its ends."""
    if rows.empty or "kind" not in rows.columns or "from_id" not in rows.columns:
        return []
    kinds = rows["kind"].astype(str)
    spans: dict[str, tuple[int, int]] = {}
    for row in rows[kinds == "span"].itertuples(index=False):
        start: Any = row.start
        stop: Any = row.end
        if not (is_missing(start) or is_missing(stop)):
            spans[str(row.id)] = (int(start), int(stop))

    def end(ident: Any) -> tuple[tuple[int, int], str]:
        where = spans.get(str(ident))
        if where is None or not 0 <= where[0] < where[1] <= len(text):
            return (len(text), len(text)), f"(no span {ident!r})"
        piece = " ".join("".join(_visible(ch) for ch in text[where[0] : where[1]]).split())
        return where, f"“{piece if len(piece) <= 40 else piece[:39] + '…'}”"

    out = []
    for row in rows[kinds == "relation"].itertuples(index=False):
        (a_at, a), (b_at, b) = end(row.from_id), end(row.to_id)
        out.append((a_at, b_at, f"{a} → {row.label} → {b}"))
    return [line for *_at, line in sorted(out)]


def _doc_labels(rows: pd.DataFrame) -> list[str]:
    if rows.empty or "kind" not in rows.columns:
        return []
    return sorted(str(v) for v in rows.loc[rows["kind"].astype(str) == "label", "label"])


_ADVANCE = 0.602  # DejaVu Sans Mono's advance width, in ems


def _colors(labels: Sequence[str], order: Any) -> dict[str, str]:
    """Each span label's colour: its spec's own, else by its place in ``order`` (the
    widget's ``labels``: names or specs), else sorted."""
    return label_colours(order, labels)


def _visible(ch: str) -> str:
    """A character as drawn: control characters as their control pictures."""
    code = ord(ch)
    if code < 0x20 and ch not in "\t\n\r":
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return ch


def _cells(ch: str) -> int:
    if ch in "\r\n":
        return 0
    if ch == "\t":
        return 4
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F") or ord(ch) >= 0x1F000:
        return 2
    return 1


def _grid(text: str, width: int) -> tuple[list[tuple[int, int]], int]:
    """(line, column) of each character, wrapping at ``width`` cells (at a space if one is near)."""
    pos: list[tuple[int, int]] = []
    line, col, last_space = 0, 0, -1
    for i, ch in enumerate(text):
        if ch == "\n":
            pos.append((line, col))
            line, col, last_space = line + 1, 0, -1
            continue
        w = _cells(ch)
        if col + w > width and col > 0:
            if last_space >= 0 and pos[last_space][0] == line and i - last_space < width // 2:
                # move the word after the last space to the next line
                shift = pos[last_space + 1][1] if last_space + 1 < i else col
                line += 1
                for j in range(last_space + 1, i):
                    pos[j] = (line, pos[j][1] - shift)
                col -= shift
            else:
                line, col = line + 1, 0
            last_space = -1
        pos.append((line, col))
        if ch == " ":
            last_space = i
        col += w
    return pos, line + 1


def plot(
    rows: pd.DataFrame,
    source: Any,
    *,
    item: str,
    ax: Any = None,
    width: int = 80,
    fontsize: float = 10.0,
    max_chars: int = 20_000,
    labels: Sequence[str] | Mapping[str, Any] | None = None,
) -> Any:
    """Draw a document (``source``: its text) with its spans; return the Axes.

    ``width``: characters per line; ``fontsize``: the size for a new figure (on a
    given ``ax`` the size that fits ``width`` characters in it); ``max_chars``:
    longer documents are cut there (with a note in the title); ``labels``: span
    labels in colour order, as the widget's ``labels`` (default: the labels in
    ``rows``, sorted), so the k-th label gets the widget's k-th colour; a label
    whose spec gives a colour (``{"PER": {"color": "#e41a1c"}}``) gets that one.
    """
    import matplotlib.pyplot as plt

    width = _args.whole(width, "width", func="plot_item", minimum=1)
    fontsize = _args.number(fontsize, "fontsize", func="plot_item", low=0)
    max_chars = _args.whole(max_chars, "max_chars", func="plot_item", minimum=1)
    text = decode_text(source, name=f"item {item!r}")
    cut = len(text) > max_chars
    shown = text[:max_chars]
    spans = [s for s in _spans(rows, len(text)) if s[0] < len(shown)]
    pos, n_lines = _grid(shown, width)
    lanes, depth = layout_lanes([(s, e) for s, e, _ in spans])
    colors = _colors([label for _, _, label in spans], labels)
    relations = _relations(rows, text)
    line_h = 1.0 + 0.25 * max(depth, 1) + 0.6
    below = 1.2 * len(relations) + 0.6 if relations else 0.0  # the relations' lines
    if ax is None:
        fig_w = (width + 1) * _ADVANCE * fontsize / 72 / 0.98
        fig_h = min(40.0, max(1.0, (n_lines * line_h + below) * fontsize * 1.25 / 72 + 0.5))
        fig = plt.figure(figsize=(fig_w, fig_h))
        ax = fig.add_axes((0.01, 0.01, 0.98, 1 - 0.4 / fig_h))
    # One character cell is one x unit: the font size follows from the Axes' width.
    box = ax.get_position()
    fontsize = box.width * ax.figure.get_figwidth() * 72 / (width + 1) / _ADVANCE
    ax.set_xlim(-0.5, width + 0.5)
    ax.set_ylim(n_lines * line_h + 0.2 + below, -0.4)
    ax.set_axis_off()

    def y_of(line: int) -> float:
        return line * line_h + 0.6

    _draw_spans(
        ax,
        shown=shown,
        pos=pos,
        spans=spans,
        lanes=lanes,
        colors=colors,
        y_of=y_of,
        fontsize=fontsize,
    )
    _draw_text(ax, shown, pos, y_of, fontsize)
    for k, line in enumerate(relations):
        ax.text(
            0,
            n_lines * line_h + 0.6 + 1.2 * k,
            line,
            family=["DejaVu Sans", "DejaVu Sans Mono"],
            fontsize=fontsize * 0.85,
            va="center",
            ha="left",
            **LITERAL,
        )
    title = f"{item}"
    doc_labels = _doc_labels(rows)
    if doc_labels:
        title += f" · {', '.join(doc_labels)}"
    if cut:
        title += f" (first {max_chars:,} of {len(text):,} characters)"
    ax.set_title(title, fontsize=fontsize, loc="left", **LITERAL)
    return ax


def _draw_spans(
    ax: Any,
    *,
    shown: str,
    pos: list[tuple[int, int]],
    spans: list[tuple[int, int, str]],
    lanes: list[int],
    colors: dict[str, str],
    y_of: Callable[[int], float],
    fontsize: float,
) -> None:
    from matplotlib.patches import Rectangle

    # spans: tinted boxes, bars by lane, labels at the start
    for (start, stop, label), lane in zip(spans, lanes, strict=True):
        color = colors[label]
        runs: dict[int, list[int]] = {}
        for i in range(start, min(stop, len(shown))):
            line, col = pos[i]
            w = max(_cells(shown[i]), 0)
            lo, hi = runs.get(line, [col, col + w])
            runs[line] = [min(lo, col), max(hi, col + w)]
        for line, (lo, hi) in runs.items():
            y = y_of(line)
            ax.add_patch(Rectangle((lo, y - 0.5), hi - lo, 1.0, color=color, alpha=0.15, lw=0))
            bar_y = y + 0.55 + 0.25 * lane
            ax.plot([lo, hi], [bar_y, bar_y], color=color, lw=2, solid_capstyle="butt")
        line, col = pos[start]
        ax.text(
            col,
            y_of(line) - 0.55,
            label,
            fontsize=fontsize * 0.6,
            color="white",
            va="bottom",
            ha="left",
            **LITERAL,
            bbox={"boxstyle": "square,pad=0.1", "fc": color, "ec": "none"},
        )


def _draw_text(
    ax: Any, shown: str, pos: list[tuple[int, int]], y_of: Callable[[int], float], fontsize: float
) -> None:
    # text: runs of narrow characters in one string, wide ones on their own
    run: list[str] = []
    at: list[int] = []  # [line, column] where the run starts, [] when none
    next_col = 0

    def flush() -> None:
        if run and at:
            ax.text(
                at[1],
                y_of(at[0]),
                "".join(run),
                family=["DejaVu Sans Mono", "DejaVu Sans"],
                fontsize=fontsize,
                va="center",
                ha="left",
                **LITERAL,
            )
        run.clear()
        at.clear()

    for i, ch in enumerate(shown):
        line, col = pos[i]
        w = _cells(ch)
        if ch in "\r\n\t":
            flush()
            continue
        if w == 0 and run:
            run.append(_visible(ch))
            continue
        if next_col == -1:
            flush()
        # Only plain Latin runs share one string: anything else (wide, right-to-left,
        # emoji) is drawn on its own at its own cell, so no shaping moves it.
        single = w == 2 or ord(ch) > 0x2FF
        if not at or at[0] != line or col != next_col or single:
            flush()
            at[:] = [line, col]
        run.append(_visible(ch))
        next_col = col + w
        if single:
            next_col = -1
    flush()


def to_html(
    rows: pd.DataFrame,
    text: str,
    *,
    item: str | None = None,
    labels: Sequence[str] | Mapping[str, Any] | None = None,
) -> str:
    """The document with its spans as self-contained, escaped HTML (no script, no kernel).

    Each span is a tinted run with a coloured underline per overlap lane and
    its label (escaped) in small type at its start; relations follow as a list
    of lines (escaped); ``labels`` orders the colours as in :func:`plot`.
    """
    doc = decode_text(text, name=f"item {item!r}" if item is not None else "the text")
    spans = _spans(rows, len(doc))
    lanes, _depth = layout_lanes([(s, e) for s, e, _ in spans])
    colors = _colors([label for _, _, label in spans], labels)
    cuts = sorted({0, len(doc), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    starts: dict[int, list[int]] = {}
    for k, (s, _e, _label) in enumerate(spans):
        starts.setdefault(s, []).append(k)
    parts = [
        '<div class="nblabel-text" style="white-space:pre-wrap;overflow-wrap:anywhere;'
        'line-height:2.2;font-family:sans-serif;unicode-bidi:plaintext">'
    ]
    doc_labels = _doc_labels(rows)
    if doc_labels:
        parts.append(
            '<div style="margin-bottom:4px"><strong>Document:</strong> '
            + html.escape(", ".join(doc_labels))
            + "</div>"
        )
    ends: dict[int, list[int]] = {}
    for k, (_s, e, _label) in enumerate(spans):
        ends.setdefault(e, []).append(k)
    active: set[int] = set()
    for a, b in itertools.pairwise(cuts):
        active.difference_update(ends.get(a, []))
        for k in starts.get(a, []):
            active.add(k)
            label = spans[k][2]
            parts.append(
                f'<sup style="background:{colors[label]};color:#fff;font-size:60%;'
                f'padding:0 2px;border-radius:2px">{html.escape(label)}</sup>'
            )
        piece = html.escape("".join(_visible(ch) if ch not in "\t\n\r" else ch for ch in doc[a:b]))
        if not active:
            parts.append(piece)
            continue
        covering = sorted(active, key=lambda k: lanes[k])
        shadows = ", ".join(
            f"inset 0 -{3 * (i + 1)}px {colors[spans[k][2]]}" for i, k in enumerate(covering)
        )
        top = colors[spans[covering[-1]][2]]
        parts.append(
            f'<span style="background:{top}22;box-shadow:{shadows};'
            f'padding-bottom:{3 * len(covering)}px">{piece}</span>'
        )
    relations = _relations(rows, doc)
    if relations:
        parts.append(
            '<ul class="nblabel-relations" style="margin:6px 0 0;padding-left:18px;'
            'line-height:1.5">'
            + "".join(f"<li>{html.escape(line)}</li>" for line in relations)
            + "</ul>"
        )
    parts.append("</div>")
    return "".join(parts)
