"""Model pre-annotations shown as suggestions that a person accepts, edits or rejects.

A widget's ``predictions=`` is a DataFrame in the annotation schema (usually
``source="model"`` with a ``score``). Rows that cannot be shown (unknown item
or label, a kind the widget does not make, missing or non-finite geometry,
geometry outside the item) are skipped with a message naming the row; the
rest load. Accepting a suggestion stores a new *human* row; the prediction
itself is never written to the store by the widget.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from .. import schema

__all__ = ["Suggestions"]


def _set(value: Any) -> bool:
    return not schema.is_missing(value)


class Suggestions:
    """The predictions of one widget, by item, with the problems found in them."""

    def __init__(
        self,
        predictions: pd.DataFrame | None,
        *,
        item_ids: Collection[str] | None,
        kinds: Sequence[str],
        labels: Sequence[str] | Mapping[str, Sequence[str]],
    ) -> None:
        self.problems: list[str] = []
        self._by_item: dict[str, dict[str, dict[str, Any]]] = {}
        self._checked: set[str] = set()
        self._lock = threading.Lock()
        if predictions is None:
            return
        if not isinstance(predictions, pd.DataFrame):
            raise TypeError(
                f"predictions: expected a DataFrame in the annotation schema, got "
                f"{type(predictions).__name__}"
            )
        for name in ("item_id", "kind", "label"):
            if name not in predictions.columns:
                raise ValueError(f"predictions: the column {name!r} is missing")
        frame = schema.coerce(
            predictions.reset_index(drop=True).assign(
                **({"source": "model"} if "source" not in predictions.columns else {})
            )
        )
        known_items = None if item_ids is None else set(item_ids)
        # Fields of a suggestion the page gets: what a page may send for these kinds, and score.
        fields = schema.page_fields(kinds) | {"score"}
        known_labels: Mapping[str, Collection[str]] = (
            {k: set(v) for k, v in labels.items()}
            if isinstance(labels, Mapping)
            else {k: set(labels) for k in kinds}
        )
        for position, record in zip(predictions.index, frame.to_dict("records"), strict=True):
            row = {str(k): v for k, v in record.items()}
            problem = self._problem(row, known_items, kinds, known_labels)
            if problem:
                self.problems.append(f"predictions row {position!r}: {problem}")
                continue
            ident = str(row["id"]) if _set(row.get("id")) else f"prediction-{position}"
            out = {k: row[k] for k in fields if k in row and _set(row[k])}
            out["id"] = ident
            self._by_item.setdefault(str(row["item_id"]), {})[ident] = out
        if self.problems:
            self._warn(len(predictions))

    def _warn(self, total: int) -> None:
        shown = "; ".join(self.problems[:3]) + ("; ..." if len(self.problems) > 3 else "")
        warnings.warn(
            f"{len(self.problems)} of {total} predictions cannot be shown and were skipped "
            f"({shown}); the full list is in the widget's prediction_problems",
            stacklevel=5,  # the user's call of a widget constructor
        )

    @staticmethod
    def _problem(
        row: Mapping[str, Any],
        items: Collection[str] | None,
        kinds: Sequence[str],
        labels: Mapping[str, Collection[str]],
    ) -> str | None:
        item = row.get("item_id")
        if not _set(item) or (items is not None and str(item) not in items):
            return f"item_id {item!r} is not one of the widget's items"
        kind = row.get("kind")
        if kind not in kinds:
            return f"kind {kind!r} is not made by this widget (it makes {list(kinds)})"
        allowed = labels.get(str(kind), ())
        if row.get("label") not in allowed:
            return f"label {row.get('label')!r} is not one of the {kind} labels {sorted(allowed)}"
        for name in schema.REQUIRED_BY_KIND[str(kind)]:
            value = row.get(name)
            if not _set(value):
                return f"{name} is missing"
            if isinstance(value, float) and not math.isfinite(value):
                return f"{name} is not finite ({value})"
        start, end = row.get("start"), row.get("end")
        if _set(start) and _set(end) and float(end) < float(start):  # type: ignore[arg-type]
            return f"end {end} is before start {start}"
        return None

    def for_item(self, item_id: str) -> list[dict[str, Any]]:
        """The suggestions still open for an item (not accepted or rejected yet)."""
        with self._lock:
            return list(self._by_item.get(item_id, {}).values())

    def check_item(
        self, item_id: str, problem: Callable[[Mapping[str, Any]], str | None]
    ) -> list[str]:
        """Drop an item's suggestions that ``problem`` objects to, once the item is loaded.

        ``problem(row)`` returns why a row cannot be shown (say, a box outside the
        image) or None. Returns the new messages, also added to :attr:`problems`.
        """
        with self._lock:
            if item_id in self._checked:
                return []
            self._checked.add(item_id)
            found = []
            for ident, row in list(self._by_item.get(item_id, {}).items()):
                why = problem(row)
                if why:
                    del self._by_item[item_id][ident]
                    found.append(f"prediction {ident!r} on item {item_id!r}: {why}")
            self.problems.extend(found)
            return found

    def resolve(self, item_id: str, ids: Sequence[str]) -> None:
        """Accepted or rejected suggestions: no longer shown for this widget."""
        with self._lock:
            open_ = self._by_item.get(item_id, {})
            for ident in ids:
                open_.pop(str(ident), None)
