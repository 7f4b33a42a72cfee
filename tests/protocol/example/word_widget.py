"""The smallest nblabel widget, built only by following CONTRIBUTING.md ("Adding a widget").

It labels words (or any short strings): one whole-item label per word, and,
when asked for, a free-text comment per word. Its page asks the kernel for a
word's letter count with a message type of its own, ``count``. Not shipped:
it proves the contract in ``tests/protocol/test_contract.py``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar

from nblabel.items import Item, ItemQueue, Sources
from nblabel.store import Store
from nblabel.widgets._base import Annotator, Payload, handles

# Step 2 of the guide: what the widget takes as items, and how to name one.
WORD_SOURCES = Sources(
    what="word",
    expected="a str",
    kind_of=lambda value: "text" if isinstance(value, str) else None,
    name=lambda value, _kind: str(value),
    ident=lambda value, _kind: f"word-{value}",
    singles=(),
)

# Step 4: the page (a real widget bundles js/word.js; a string module works the same way).
_ESM = """
export default {
  render({ model, el }) {
    const title = document.createElement("h3");
    el.append(title);
    const onMessage = (msg) => {
      if (msg.type === "item") title.textContent = msg.item.name;
    };
    model.on("msg:custom", onMessage);
    model.send({ type: "hello", cached: [] });
    return () => model.off("msg:custom", onMessage);
  },
};
"""


class WordAnnotator(Annotator):
    """Label words, one key per label; ``comments=True`` also takes a note per word."""

    _esm = _ESM
    # Step 1: every kind the family can make (keys of nblabel.schema.KIND_SPECS).
    KINDS: ClassVar[tuple[str, ...]] = ("label", "comment")

    def __init__(
        self,
        items: Any,
        *,
        labels: Sequence[str],
        annotator: str | None = None,
        store: Store | str | os.PathLike[str] | None = None,
        comments: bool = False,
    ) -> None:
        # Step 3: an ItemQueue, and the kinds this instance makes.
        super().__init__(
            ItemQueue(items, WORD_SOURCES),
            labels=labels,
            annotator=annotator,
            store=store,
            multi_label=False,
            advance=True,
            kinds=("label", "comment") if comments else ("label",),
        )

    # Step 3: the one required hook.
    def _load(self, item: Item) -> Payload:
        if not item.source.strip():
            return {"error": f"item {item.id!r} is a blank word"}, []
        return {"length": len(item.source)}, [item.source.encode("utf-8")]

    def _kind_labels(self, labels: list[str]) -> dict[str, list[str]]:
        # A comment's label is always "comment"; its words are in the text column.
        return {"label": labels, "comment": ["comment"]}

    def _normalise_row(self, item: Item, row: dict[str, Any]) -> dict[str, Any]:
        if row["kind"] == "comment" and not str(row.get("text", "")).strip():
            raise ValueError("a comment needs some text")
        return row

    # Step 5: a message type of its own, registered, never by overriding the dispatch.
    @handles("count")
    def _count(self, content: dict[str, Any], _buffers: Any) -> None:
        position = self._position_of(str(content.get("item_id")))
        if position is None:
            self.send({"type": "count", "error": f"unknown item {content.get('item_id')!r}"})
            return
        self.send({"type": "count", "letters": len(self._item(position).source)})
