"""Relations between two annotations of one item: the rules an edit must keep.

A ``relation`` row names two annotations of the same item by id (``from_id``,
``to_id``) and carries one of the widget's relation labels. A widget that takes
``relations=`` checks the item's rows as they would be after each edit with
:func:`check_relations`; a bad edit is refused as a whole, with a message naming
the item and the relation, and nothing stored changes.

>>> rows = [
...     {"id": "s1", "kind": "span", "label": "PER", "start": 0, "end": 3},
...     {"id": "s2", "kind": "span", "label": "ORG", "start": 14, "end": 18},
...     {"id": "r1", "kind": "relation", "label": "works_for", "from_id": "s1", "to_id": "s2"},
... ]
>>> check_relations("doc-1", rows, ends=("span",))
>>> try:
...     check_relations("doc-1", rows[1:], ends=("span",))
... except ValueError as exc:
...     print(exc)
item 'doc-1': relation 'r1' (works_for) starts at 's1', which is not an annotation of this item
>>> dependents(rows, {"s2"})
['r1']
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

__all__ = ["RelationLabels", "check_relations", "dependents", "relation_ends"]

_ENDS = {"from_id": "starts at", "to_id": "points to"}


def relation_ends(row: Mapping[str, Any]) -> tuple[Any, Any]:
    """The ``(from_id, to_id)`` of a relation row."""
    return row.get("from_id"), row.get("to_id")


def dependents(rows: Iterable[Mapping[str, Any]], deleted: Iterable[str]) -> list[str]:
    """The ids of the relations among ``rows`` that start or end at a ``deleted`` annotation
    (deleting an annotation deletes its relations in the same edit)."""
    gone = set(deleted)
    return [
        str(r["id"])
        for r in rows
        if r.get("kind") == "relation" and str(r["id"]) not in gone and gone & set(relation_ends(r))
    ]


def check_relations(
    item_id: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    ends: Sequence[str],
    elsewhere: Callable[[str], str | None] | None = None,
) -> None:
    """Raise ``ValueError`` unless every relation among ``rows`` (one item's rows after an
    edit) links two different annotations of the item, each of a kind in ``ends``, and no
    relation is there twice (the same ends and label).

    ``elsewhere(annotation_id)`` may name the item an unknown end belongs to, for the message.
    """
    by_id = {str(r["id"]): r for r in rows}
    seen: dict[tuple[str, str, str], str] = {}
    for row in rows:
        if row.get("kind") != "relation":
            continue
        rid, label = str(row["id"]), str(row.get("label"))
        where = f"item {item_id!r}: relation {rid!r} ({label})"
        for field, verb in _ENDS.items():
            end = row.get(field)
            if not isinstance(end, str) or not end:
                raise ValueError(f"{where} has no {field} (the id of the annotation it {verb})")
            target = by_id.get(end)
            if target is None:
                other = elsewhere(end) if elsewhere is not None else None
                if other is not None and other != item_id:
                    raise ValueError(
                        f"{where} {verb} {end!r}, an annotation of another item ({other!r}); "
                        "a relation links two annotations of one item"
                    )
                raise ValueError(f"{where} {verb} {end!r}, which is not an annotation of this item")
            if target.get("kind") not in ends:
                raise ValueError(
                    f"{where} {verb} {end!r}, a {target.get('kind')!r} annotation; "
                    f"a relation links {' or '.join(repr(k) for k in ends)} annotations"
                )
        a, b = relation_ends(row)
        if a == b:
            raise ValueError(f"{where} links {a!r} to itself")
        key = (str(a), str(b), label)
        if key in seen:
            raise ValueError(
                f"{where} is the same as relation {seen[key]!r} ({label}, {a!r} → {b!r})"
            )
        seen[key] = rid


class RelationLabels:
    """What a widget with ``relations=`` shares (text spans, image regions): the
    argument's check, the relation rows' labels and the item's rows after each edit.

    A widget mixes this in before :class:`~nblabel.widgets._base.Annotator`, calls
    :meth:`_setup_relations` before ``Annotator.__init__`` and sets its ``relations`` and
    ``relation_specs`` traits from ``_relations`` and ``_relation_specs`` after it.
    """

    #: The kinds a relation may link on this widget.
    RELATION_ENDS: ClassVar[tuple[str, ...]] = ()
    _relations: list[str]
    _relation_specs: dict[str, dict[str, str]]
    _lock: Any
    _rows: OrderedDict[str, dict[str, dict[str, Any]]]

    if TYPE_CHECKING:  # Annotator's

        @classmethod
        def _reserved_keys(cls) -> dict[str, str]: ...

    def _setup_relations(self, relations: Any) -> None:
        """Check ``relations=`` (given like ``labels=``: a list, or specs with colour,
        hotkey and description) and keep its labels and specs."""
        from ._base import _check_labels
        from ._labels import parse_labels

        self._relations, self._relation_specs = [], {}
        if relations is None:
            return
        names, specs = parse_labels(relations, reserved=self._reserved_keys(), name="relations")
        checked = _check_labels(names, "relations")
        if not checked:
            raise ValueError("relations: give at least one relation label, or None for none")
        self._relations, self._relation_specs = checked, specs

    def _check_relation_row(self, row: Any, example: str) -> None:
        """Refuse a relation row from the page when the widget takes no relations or its
        label is not one of them (``example`` names the argument, for the message)."""
        if not isinstance(row, Mapping) or row.get("kind") != "relation":
            return
        rid = row.get("id")
        if not self._relations:
            raise ValueError(f"relation {rid!r}: this widget takes no relations (give {example})")
        if row.get("label") not in self._relations:
            raise ValueError(
                f"relation {rid!r}: {row.get('label')!r} is not a relation label "
                f"(relations: {self._relations})"
            )

    def _check_item_relations(self, item_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """:func:`check_relations` on one item's rows after an edit, ends of ``RELATION_ENDS``."""
        if self._relations:
            check_relations(item_id, rows, ends=self.RELATION_ENDS, elsewhere=self._item_holding)

    def _item_holding(self, annotation_id: str) -> str | None:
        """The item (among those shown lately) one of this annotator's annotations is on."""
        with self._lock:
            for item_id, rows in self._rows.items():
                if annotation_id in rows:
                    return item_id
        return None
