"""Parameters the image, text and audio widgets share: the model loop and team labeling.

Written once here; each widget's docstring names them in one entry, which
:func:`expand` replaces with these (``help(ImageAnnotator)`` shows them in full).

Parameters
----------
instructions : str, optional
    What the annotators are asked to do (markdown or plain text), shown as text
    above the widget, collapsible, and in the help (``?``).
order : Series or callable, optional
    The visiting order: a Series of scores by item id (higher = sooner;
    ``nblabel.active.entropy(proba)`` makes one), or a callable
    ``order(annotations) -> Series`` called with ``w.annotations`` in a
    worker thread at open, every ``reorder_every`` saved edits and on
    ``w.reorder()``. "Next" goes to the highest-scoring item not labeled
    yet; the page never waits, and a failing ``order`` is shown in
    ``w.order_error`` while the last order stays. See ``reorder``.
reorder_every : int or None, optional
    Saved edits between two calls of a callable ``order`` (default 10;
    None: only on ``w.reorder()``).
suggest : callable, optional
    A model's live suggestions: a callable ``suggest(item) -> DataFrame``
    in the annotation schema (``kind``, ``label``, ``score`` and the
    geometry; ``item_id`` may be left out), given the item as you gave
    it (a DataFrame's row for a DataFrame of items). Called in a worker
    thread for the items shown and prefetched; suggestions shown like
    ``predictions``. Failures are listed in ``w.prediction_problems``
    naming the item; rejected suggestions are stored as
    ``kind="rejection"`` rows and not suggested again.
overlap : int, optional
    Team labeling: how many annotators each item should end with. This
    annotator is offered only items fewer than ``overlap`` others have
    labeled or hold; ``None`` (default): everyone labels every item.
lease : float, optional
    With ``overlap``: seconds an item on screen stays this annotator's
    without renewal (renewed while the widget is open; default 300).
review : bool, optional
    A reviewer's widget: the items at least ``overlap`` (default 2)
    annotators have labeled, the most contested first, each shown with
    every annotator's annotations; the reviewer's are stored with
    ``source="review"``.
gold : DataFrame, optional
    Known answers (annotation schema: ``item_id``, ``kind``, ``label``...)
    whose items are mixed into the queue, unmarked, each shown once per
    annotator; an ``item`` column holds the item itself when ``item_id``
    is not a path. Score with ``nblabel.qa.gold_accuracy(store.annotations(), gold)``;
    with ``review=True`` no gold item is shown and the reviewer sees each
    annotator's accuracy on them.
gold_rate : float, optional
    The share of the queue drawn from ``gold`` (default 0.1).
"""

from __future__ import annotations

import re
from typing import Final

#: The one entry of a widget's docstring that stands for the shared parameters.
MARKER: Final = (
    "order, reorder_every, suggest, instructions, overlap, lease, review, gold, gold_rate"
)

_ENTRIES: Final = __doc__.split("----------\n", 1)[1] if __doc__ else ""


def expand(doc: str | None) -> str | None:
    """``doc`` with its :data:`MARKER` entry replaced by the shared parameters, indented alike."""
    if not doc or MARKER not in doc:
        return doc
    found = re.search(r"^( *)" + re.escape(MARKER) + r"\n(?:\1 +\S.*\n)*", doc, re.MULTILINE)
    if found is None:
        return doc
    indent = found.group(1)
    lines = []
    for line in _ENTRIES.splitlines():
        # "order : Series or callable" -> "order": the widgets' entries give names alone.
        text = line.split(" : ", 1)[0] if line and not line.startswith(" ") else line
        lines.append(indent + text if text else text)
    return doc[: found.start()] + "\n".join(lines) + "\n" + doc[found.end() :]
