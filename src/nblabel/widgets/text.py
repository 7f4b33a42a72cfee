"""TextAnnotator: tag spans (named entities, key phrases) and label whole documents.

Offsets: the store and ``w.annotations`` hold Python ``str`` indices (code
points, end exclusive) and ``text == item[start:end]``, always. The page
counts UTF-16 units; this module converts in both directions, with one
:class:`nblabel.text.Utf16Index` per document, and recomputes ``text`` from
the item itself (the page's text is never trusted). On the wire (``rows``,
``suggestions`` and ``edit`` messages) span offsets are UTF-16 units.

Item payload: ``{"length", "length16", "notes"}`` and two binary buffers:
the text as UTF-8 and the token offsets (UTF-16, ``[s0, e0, s1, e1, ...]``)
as little-endian int32.
"""

from __future__ import annotations

import math
import os
import pathlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import traitlets

from ..items import Item, ItemQueue, Sources, collect
from ..rules import compile_patterns, match_rules
from ..store import Store
from ..text import TextError, Utf16Index, check_tokens, decode_text, tokenize
from ._base import Annotator, Payload, _check_labels, label_list_validator
from ._labels import LabelsArg
from ._loop import OrderSource
from ._relations import RelationLabels

__all__ = ["TEXT_SOURCES", "TextAnnotator", "text_items"]

_STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"
_DOC_CACHE = 16


def _kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "text"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes"
    return None


def _name(value: Any, kind: str) -> str:
    if kind == "bytes":
        return f"bytes ({len(value):,} B)"
    words = " ".join(str(value)[:200].split())
    if not words:
        return "(empty document)" if not value else "(blank document)"
    return words if len(words) <= 40 else words[:39] + "…"


TEXT_SOURCES = Sources(
    what="text",
    expected=(
        "a str or UTF-8 bytes (a missing value such as NaN or None cannot be annotated: "
        "drop it first, e.g. with series.dropna())"
    ),
    kind_of=_kind,
    name=_name,
    singles=(bytes, bytearray, memoryview),
)


def text_items(items: Any, *, column: str | None = None) -> list[Item]:
    """Normalise ``items`` for a text widget: a list of str, a Series, or a DataFrame + column."""
    return collect(items, TEXT_SOURCES, column=column)


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"span {name} must be a whole number, got {value!r}")
    if isinstance(value, (float, np.floating)) and not (
        math.isfinite(value) and float(value).is_integer()
    ):
        raise ValueError(f"span {name} must be a whole number, got {value!r}")
    return int(value)


class TextAnnotator(RelationLabels, Annotator):
    """Tag spans of text and label whole documents; offsets slice the Python string exactly.

    Parameters
    ----------
    items
        The documents: a list of ``str`` (or UTF-8 ``bytes``), a pandas
        Series (its index gives the item ids) or a DataFrame with ``column``
        naming the text column (other columns are shown as metadata).
        Without an index, a document's id is a hash of its text.
    labels
        The span labels, in key order: key ``1`` tags the selection with the first.
    annotator
        Who is labeling; defaults to ``$NBLABEL_ANNOTATOR`` or the login name.
    store
        A SQLite file path, a SQLAlchemy URL, a :class:`nblabel.Store`, or
        ``None`` for ``./nblabel.db``.
    doc_labels
        Labels for the whole document (``kind="label"`` rows), chosen with
        ``Shift+1``-``Shift+9`` or their buttons.
    multi_label
        Allow several document labels per document.
    tokens
        Where selections snap to. ``None``: the built-in tokenizer (words,
        numbers, single symbols; emoji and combining marks stay whole). Or
        your own ``(start, end)`` code point offsets: a callable
        ``text -> offsets`` (``lambda s: [(t.idx, t.idx + len(t)) for t in
        nlp(s)]`` for spaCy), a list with one list of offsets per item, or a
        dict from item id to offsets.
    snap
        Snap selections to token boundaries (``True``); ``False`` selects
        single characters. Also a checkbox in the widget.
    predictions
        A model's spans (``kind="span"``, ``start``, ``end`` in code points,
        ``label``, ``score``) or document labels to accept, edit or reject.
        Rows that cannot be shown are listed in ``w.prediction_problems``.
    patterns
        Rules as pre-annotation: a dict from span label to phrases or
        regular expressions (``{"ORG": ["Acme Corp"], "MONEY":
        re.compile(r"[0-9]+ (EUR|USD)")}``, or ``{label: {rule name: pattern}}``),
        each match shown as a suggestion with its rule's name. Phrases match
        whole words, case-sensitively. See :mod:`nblabel.rules`.
    column
        With a DataFrame of items: the column holding the text.
    advance
        Go to the next document after a document label is chosen
        (single-label only); off by default.
    order, reorder_every, suggest, instructions, overlap, lease, review, gold, gold_rate
        The model loop and team labeling, alike in every widget that has them:
        written once, in :mod:`nblabel.widgets._params` (on the "Writing a widget"
        page); ``help()`` on the widget shows them in full.
    relations
        Relation labels (``["works_for", "located_in"]``, or specs like
        ``labels=``: colour, hotkey, description): links from one span to
        another, stored as ``kind="relation"`` rows whose ``from_id`` and
        ``to_id`` are the two spans' ids. Select a span, press ``r``, pick the
        second span (``Tab``/arrows then ``Enter``, or a click), then the label
        (``1``-``9``, its hotkey or ``/``). Deleting a span deletes its relations
        in the same edit. ``None`` (default): no relations.

    Notes
    -----
    Keys: select by dragging, double-clicking or with ``→``/``←`` (a token
    at a time; ``Shift`` extends), then ``1``-``9`` to tag; click a span or
    ``Tab`` to select it, ``1``-``9`` relabels, ``Delete`` removes;
    ``Shift+1``-``9`` document labels; ``n``/``p`` move; ``z`` undo; ``?`` help.
    With ``relations=``: ``r`` starts a relation from the selected span,
    ``Shift+R`` selects the next relation (``Delete`` removes it).

    Examples
    --------
    >>> w = TextAnnotator(["Ada Lovelace met Babbage in London."],
    ...                   labels=["PER", "LOC"], annotator="ana", store="labels.db")
    >>> w          # in a notebook, the widget; as text:
    TextAnnotator: 0 / 1 labeled by 'ana', showing 'Ada Lovelace met Babbage in London.'
    >>> w.annotations[["start", "end", "text", "label"]]  # one row per span, as you go
    Empty DataFrame
    Columns: [start, end, text, label]
    Index: []
    """

    KINDS = ("span", "label", "skip", "comment", "relation")
    RELATION_ENDS: ClassVar[tuple[str, ...]] = ("span",)
    PAGE_KEYS: ClassVar[Mapping[str, str]] = {
        "s": "snap to tokens", "a": "accept", "x": "reject", " ": "select",
        "r": "start a relation", "R": "select the next relation",
    }  # fmt: skip

    _esm = _STATIC / "text.js"
    _css = _STATIC / "text.css"

    doc_labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    snap = traitlets.Bool(True).tag(sync=True)
    #: The relation labels (empty: no relations); see ``relations=``.
    relations = traitlets.List(traitlets.Unicode(), read_only=True).tag(sync=True)
    #: relation label -> {"color", "hotkey", "description"} for those given with a spec
    relation_specs = traitlets.Dict(read_only=True).tag(sync=True)

    def __init__(
        self,
        items: Any,
        *,
        labels: LabelsArg,
        annotator: str | None = None,
        store: Store | str | os.PathLike[str] | None = None,
        doc_labels: Sequence[str] | None = None,
        multi_label: bool = False,
        tokens: Any = None,
        snap: bool = True,
        predictions: pd.DataFrame | None = None,
        order: OrderSource | None = None,
        reorder_every: int | None = 10,
        suggest: Callable[[Any], pd.DataFrame] | None = None,
        instructions: str | None = None,
        column: str | None = None,
        advance: bool | None = None,
        patterns: Mapping[str, Any] | None = None,
        overlap: int | None = None,
        lease: float | None = None,
        review: bool = False,
        gold: pd.DataFrame | None = None,
        gold_rate: float | None = None,
        relations: LabelsArg | None = None,
    ) -> None:
        queue = ItemQueue(items, TEXT_SOURCES, column=column)
        self._setup_relations(relations)
        self._rules = [] if patterns is None else compile_patterns(patterns, _check_labels(labels))
        self._doc_labels = _check_labels(doc_labels or [], "doc_labels")
        if not isinstance(snap, bool):
            raise TypeError(f"snap: expected True or False, got {snap!r}")
        self._token_source = self._check_token_source(tokens, queue)
        self._docs: OrderedDict[str, tuple[str, Utf16Index]] = OrderedDict()
        self._docs_lock = threading.Lock()
        super().__init__(
            queue,
            labels=labels,
            annotator=annotator,
            store=store,
            multi_label=multi_label,
            advance=False if advance is None else advance,
            predictions=predictions,
            order=order,
            reorder_every=reorder_every,
            suggest=suggest,
            instructions=instructions,
            overlap=overlap,
            lease=lease,
            review=review,
            gold=gold,
            gold_rate=gold_rate,
            kinds=[k for k in self.KINDS if k != "relation" or self._relations],
        )
        self.set_trait("relations", list(self._relations))
        self.set_trait("relation_specs", self._relation_specs)
        self.doc_labels = self._doc_labels
        self.snap = snap

    # -- options --------------------------------------------------------------------------------
    @staticmethod
    def _check_token_source(tokens: Any, queue: ItemQueue) -> Callable[[Item, str], Any] | None:
        if tokens is None:
            return None
        if callable(tokens):
            return lambda _item, text: tokens(text)
        if isinstance(tokens, Mapping):
            by_id = {str(k): v for k, v in tokens.items()}
            unknown = sorted(set(by_id) - set(queue.ids)) if queue.exhausted else []
            if unknown:
                raise ValueError(f"tokens: {unknown[:3]} are not item ids")
            return lambda item, _text: by_id.get(item.id)
        if isinstance(tokens, pd.Series):
            tokens = list(tokens)
        if isinstance(tokens, Sequence) and not isinstance(tokens, (str, bytes)):
            if not queue.exhausted:
                raise TypeError(
                    "tokens: one list of offsets per item needs items of known length; "
                    "with a generator of items, give a callable or a dict by item id"
                )
            if len(tokens) != len(queue):
                raise ValueError(
                    f"tokens: expected one list of offsets per item ({len(queue)}), "
                    f"got {len(tokens)}"
                )
            listed = list(tokens)
            return lambda item, _text: listed[queue.position_of(item.id) or 0]
        raise TypeError(
            "tokens: expected a callable text -> [(start, end), ...], one list of offsets per "
            f"item, or a dict from item id to offsets; got {type(tokens).__name__}"
        )

    _valid_doc_labels = label_list_validator("doc_labels")

    @traitlets.observe("doc_labels")
    def _doc_labels_changed(self, change: dict[str, Any]) -> None:
        self._doc_labels = list(change["new"])

    def _kind_labels(self, labels: list[str]) -> dict[str, list[str]]:
        return {
            "span": labels,
            "label": list(self._doc_labels),
            "relation": list(getattr(self, "_relations", [])),
        }

    # -- documents ------------------------------------------------------------------------------
    def text_of(self, item_id: str) -> str:
        """The text of an item, as its offsets index it (``bytes`` items decoded)."""
        position = self._position_of(str(item_id))
        if position is None:
            raise KeyError(f"{item_id!r} is not one of this widget's items")
        return self._document(self._item(position))[0]

    def _document(self, item: Item) -> tuple[str, Utf16Index]:
        with self._docs_lock:
            found = self._docs.get(item.id)
            if found is not None:
                self._docs.move_to_end(item.id)
                return found
        name = f"item {item.id!r}"
        text = decode_text(item.source, name=name)
        doc = (text, Utf16Index(text, name=name))
        with self._docs_lock:
            self._docs[item.id] = doc
            while len(self._docs) > _DOC_CACHE:
                self._docs.popitem(last=False)
        return doc

    def _tokens(self, item: Item, text: str, index: Utf16Index) -> tuple[np.ndarray, list[str]]:
        if self._token_source is not None:
            name = f"item {item.id!r}"
            try:
                given = self._token_source(item, text)
                if given is not None:
                    return check_tokens(given, len(text), name=name), []
            except Exception as exc:  # a broken tokenizer must not hide the document
                why = str(exc) if isinstance(exc, TextError) else f"{name}: tokens failed: {exc}"
                return tokenize(text, index=index), [f"{why}; using the built-in tokenizer"]
        return tokenize(text, index=index), []

    def _load(self, item: Item) -> Payload:
        # The header names the document by its id (the index of a Series, or the content
        # id): its first words are already on the page, right below.
        try:
            text, index = self._document(item)
        except TextError as exc:
            return {"name": item.id, "error": str(exc)}, []
        tokens, notes = self._tokens(item, text, index)
        tokens16 = index.many_to_utf16(tokens.reshape(-1)).astype("<i4")
        if not text:
            notes = ["empty document: nothing to tag (document labels still apply)", *notes]
        info = {"name": item.id, "length": len(text), "length16": index.length16, "notes": notes}
        return info, [text.encode("utf-8"), tokens16.tobytes()]

    def _static_source(self, item: Item) -> tuple[Any, dict[str, Any]]:
        return self._document(item)[0], {}

    # -- rules ----------------------------------------------------------------------------------
    def _has_rule_suggestions(self) -> bool:
        return bool(self._rules)

    def _rule_suggestions(self, item: Item) -> pd.DataFrame | None:
        text, _index = self._document(item)
        return match_rules(text, self._rules)

    # -- offsets on the wire ----------------------------------------------------------------------
    def _to_page(self, item_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not any(r.get("kind") == "span" for r in rows):
            return rows
        position = self._position_of(item_id)
        if position is None:
            return rows
        try:
            index = self._document(self._item(position))[1]
        except TextError:
            return [r for r in rows if r.get("kind") != "span"]
        out = []
        for row in rows:
            if row.get("kind") == "span" and "start" in row and "end" in row:
                start, end = int(row["start"]), int(row["end"])
                if not 0 <= start <= end <= index.length:
                    continue  # a stored span that no longer fits the text is not shown
                out.append({**row, "start": index.to_utf16(start), "end": index.to_utf16(end)})
                continue
            out.append(row)
        return out

    def _suggestion_problem(self, payload: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
        if row.get("kind") == "relation":
            return "relations are not shown as suggestions (only spans and document labels)"
        if row.get("kind") != "span":
            return None
        try:
            start, end = _whole(row.get("start"), "start"), _whole(row.get("end"), "end")
        except ValueError as exc:
            return str(exc)
        length = int(payload.get("length", 0))
        if not 0 <= start < end <= length:
            return f"span {start}-{end} is not inside the text (0 to {length}) with start < end"
        return None

    # -- edits ------------------------------------------------------------------------------------
    def _row_from_page(self, item: Item, row: Any, elapsed: Any) -> dict[str, Any]:
        self._check_relation_row(row, "TextAnnotator(..., relations=[...]) to link spans")
        return super()._row_from_page(item, row, elapsed)

    def _normalise_row(self, item: Item, out: dict[str, Any]) -> dict[str, Any]:
        if out["kind"] != "span":
            return out
        try:
            text, index = self._document(item)
        except TextError as exc:
            raise ValueError(f"no spans on this item: {exc}") from None
        start16, end16 = _whole(out.get("start"), "start"), _whole(out.get("end"), "end")
        if not 0 <= start16 < end16 <= index.length16:
            raise ValueError(
                f"span {start16}-{end16} (UTF-16) is not inside the text "
                f"(0 to {index.length16}) with start < end"
            )
        try:
            start, end = index.from_utf16(start16), index.from_utf16(end16)
        except TextError as exc:
            raise ValueError(f"span {start16}-{end16}: {exc}") from None
        out.update(start=start, end=end, text=text[start:end])
        return out

    def _check_edit(self, item: Item, rows: list[dict[str, Any]]) -> None:
        super()._check_edit(item, rows)
        seen: set[tuple[int, int, str]] = set()
        for row in rows:
            if row["kind"] != "span":
                continue
            key = (int(row["start"]), int(row["end"]), str(row["label"]))
            if key in seen:
                raise ValueError(
                    f"item {item.id!r} would have the same {key[2]!r} span at "
                    f"{key[0]}-{key[1]} twice"
                )
            seen.add(key)
        self._check_item_relations(item.id, rows)
