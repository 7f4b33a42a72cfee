"""Edits from the page: checked row by row, written to the store, answered.

:class:`Edits` is the part of :class:`nblabel.widgets._base.Annotator` that
handles the ``edit`` and ``accept`` messages documented there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import schema
from ..items import Item
from ._protocol import _ANY_PAGE_FIELD, _ECHOED, _jsonable, handles

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ..store import Store
    from ._suggestions import Suggestions
    from ._team import Team

log = logging.getLogger("nblabel")

#: Kinds whose one label is fixed: a skip is labeled "skip", a comment "comment".
_FIXED_LABELS: dict[str, list[str]] = {"skip": ["skip"], "comment": ["comment"]}


class Edits:
    """The ``edit`` and ``accept`` handlers (set up by ``Annotator.__init__``)."""

    # Set by Annotator.__init__ (declared for the type checker).
    _store: Store
    _kinds: tuple[str, ...]
    _page_fields: frozenset[str]
    _annotator: str
    _done: set[str]
    _team: Team
    _suggestions: Suggestions
    _saved_edits: int
    _edits_since_order: int
    _reorder_every: int | None
    _order: Any
    _on_save: Any
    labels: Any
    n_done: int

    if TYPE_CHECKING:

        def send(self, content: Any, buffers: Any = None) -> None: ...
        def set_trait(self, name: str, value: Any) -> None: ...
        def reorder(self, order: Any = None) -> Future[None]: ...
        def _position_of(self, item_id: str) -> int | None: ...
        def _item(self, position: int) -> Item: ...
        def _item_rows(self, item_id: str) -> dict[str, dict[str, Any]]: ...
        def _keep_rows(self, item_id: str, rows: dict[str, dict[str, Any]]) -> None: ...
        def _page_rows(self, item_id: str) -> list[dict[str, Any]]: ...
        def _send_item(self, position: int | None, *, reply: bool = False) -> int: ...
        def _check_edit(self, item: Item, rows: list[dict[str, Any]]) -> None: ...
        def _normalise_row(self, item: Item, row: dict[str, Any]) -> dict[str, Any]: ...
        def _row_defaults(self, item: Item) -> dict[str, Any]: ...
        def _kind_labels(self, labels: list[str]) -> dict[str, list[str]]: ...
        def _to_page(self, item_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]: ...
        def _rejection_rows(self, item_id: str, ids: Any) -> list[dict[str, Any]]: ...

    @handles("edit")
    def _edit(self, content: Mapping[str, Any], _buffers: Any) -> None:
        seq = content.get("seq")
        item_id = str(content.get("item_id"))
        position = self._position_of(item_id)
        if position is None:
            self.send(
                {
                    "type": "rejected",
                    "seq": seq,
                    "item_id": item_id,
                    "message": f"unknown item {item_id!r}",
                    "rows": [],
                }
            )
            return
        item = self._item(position)
        try:
            current = self._item_rows(item_id)
            upserts = [
                self._row_from_page(item, r, content.get("elapsed"))
                for r in content.get("upsert", [])
            ]
            deletes = [str(i) for i in content.get("delete", [])]
            resolved = [
                str(i) for i in (*content.get("accepted", ()), *content.get("rejected", ()))
            ]
            # Team labeling: only this annotator's rows, on an item that is theirs to label.
            self._team.check_edit(
                item_id, [r["id"] for r in upserts], deletes, labeled=item_id in self._done
            )
            after = {k: v for k, v in current.items() if k not in deletes}
            after.update({r["id"]: r for r in upserts})
            self._check_edit(item, list(after.values()))
            refusals = self._rejection_rows(item_id, content.get("rejected", ()))
            upserted, deleted = self._store.apply(upsert=upserts + refusals, delete=deletes)
            upserted = upserted[: len(upserts)]
        except Exception as exc:  # a bad edit or a failed write: the page must know
            log.warning("nblabel: edit on item %r not saved: %s", item_id, exc)
            message = str(exc) if repr(item_id) in str(exc) else f"item {item_id!r}: {exc}"
            self.send(
                {
                    "type": "rejected",
                    "seq": seq,
                    "item_id": item_id,
                    "message": message,
                    "rows": self._page_rows(item_id),
                }
            )
            return
        self._suggestions.resolve(item_id, resolved)
        # n_done moves by this item alone: the work of an edit never grows with the dataset.
        was_done = item_id in self._done
        if after:
            self._done.add(item_id)
        else:
            self._done.discard(item_id)
        self.set_trait("n_done", self.n_done + bool(after) - was_done)
        if self._team.routed and not self._team.review:  # team progress: this item alone
            self.set_trait("team_complete", self._team.complete_after_edit(item_id))
        self._keep_rows(item_id, after)
        self._saved_edits += 1
        self.send(
            {"type": "saved", "seq": seq, "item_id": item_id, "saved_edits": self._saved_edits}
        )
        self._on_save({"item_id": item_id, "upserted": upserted, "deleted": deleted})
        self._edits_since_order += 1
        every = self._reorder_every
        if callable(self._order) and every is not None and self._edits_since_order >= every:
            self._edits_since_order = 0
            self.reorder()

    @handles("accept")
    def _accept(self, content: Mapping[str, Any], buffers: Any) -> None:
        """review=True: store one annotator's version of the item as the reviewer's (one key).

        ``{"type": "accept", "seq": s, "item_id": id, "annotator": name, "elapsed": seconds}``
        is answered as an edit (``saved`` or ``rejected``), then with the item's rows.
        """
        seq, item_id = content.get("seq"), str(content.get("item_id"))
        try:
            upserts, deletes = self._team.accepted(
                item_id, str(content.get("annotator")), self._item_rows(item_id)
            )
        except ValueError as exc:
            self.send(
                {
                    "type": "rejected",
                    "seq": seq,
                    "item_id": item_id,
                    "message": str(exc),
                    "rows": self._page_rows(item_id),
                }
            )
            return
        rows = self._to_page(item_id, [_jsonable(r, self._page_fields) for r in upserts])
        edit = {"seq": seq, "item_id": item_id, "upsert": rows, "delete": deletes}
        self._edit({**edit, "type": "edit", "elapsed": content.get("elapsed")}, buffers)
        position = self._position_of(item_id)
        if position is not None:
            self._send_item(position)

    def _row_from_page(self, item: Item, row: Any, elapsed: Any) -> dict[str, Any]:
        """One row the page sent, checked against the kinds' table, completed by the kernel."""
        if not isinstance(row, Mapping):
            raise TypeError("an annotation must be an object")
        kind = row.get("kind")
        if kind not in self._kinds:
            raise ValueError(f"kind {kind!r} is not one of {list(self._kinds)}")
        unknown = set(row) - _ANY_PAGE_FIELD - _ECHOED
        if unknown:
            raise ValueError(f"unknown annotation field(s) {sorted(unknown)}")
        own = schema.page_fields([kind])
        # A page sends null for a field it has not set; any other value must be of the kind.
        stray = sorted(k for k in row if k not in own and k not in _ECHOED and row[k] is not None)
        if stray:
            raise ValueError(f"field(s) {stray} do not apply to a {kind!r} annotation")
        out = {k: row[k] for k in own if k in row and row[k] is not None}
        if not isinstance(out.get("id"), str) or not out["id"]:
            raise ValueError("an annotation needs an id")
        allowed = _FIXED_LABELS.get(kind) or self._kind_labels(list(self.labels)).get(kind, [])
        if out.get("label") not in allowed:
            raise ValueError(
                f"label {out.get('label')!r} is not allowed on a {kind!r} annotation "
                f"(allowed: {allowed})"
            )
        out = self._normalise_row(item, out)
        kernel = schema.KIND_SPECS[kind].kernel
        out.update({k: v for k, v in self._row_defaults(item).items() if k in kernel})
        out.update(item_id=item.id, annotator=self._annotator, source=self._team.source)
        if isinstance(elapsed, (int, float)) and not isinstance(elapsed, bool) and elapsed >= 0:
            out["elapsed"] = float(elapsed)
        return out
