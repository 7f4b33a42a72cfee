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

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

__all__ = ["check_relations", "dependents", "relation_ends"]

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
