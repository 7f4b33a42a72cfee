"""Model pre-annotations shown as suggestions that a person accepts, edits or rejects.

A widget's ``predictions=`` is a DataFrame in the annotation schema (usually
``source="model"`` with a ``score``). Rows that cannot be shown (unknown item
or label, a kind the widget does not make, missing or non-finite geometry,
geometry outside the item) are skipped with a message naming the row; the
rest load. Accepting a suggestion stores a new *human* row; the prediction
itself is never written to the store by the widget.

A widget's ``suggest=`` (and the text widget's ``patterns=``) add suggestions
for an item while it is shown: :meth:`Suggestions.add`. A rejected suggestion
is stored as a ``kind="rejection"`` row; :meth:`Suggestions.set_rejected`
hides the suggestions that match one (same kind, label and geometry, see
:func:`fingerprint`), so a rejection holds across kernels.
"""

from __future__ import annotations

import json
import math
import threading
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from .. import schema

__all__ = ["Suggestions", "fingerprint"]


def _set(value: Any) -> bool:
    return not schema.is_missing(value)


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    return value


def fingerprint(row: Mapping[str, Any]) -> str:
    """What makes two suggestions the same: kind, label, the kind's geometry and frame.

    A ``rejection`` row gives the fingerprint of the suggestion it rejected
    (its kind is in ``extra["kind"]``). Numbers are compared to 6 decimals.
    """
    kind = row.get("kind")
    if kind == "rejection":
        extra = row.get("extra")
        kind = extra.get("kind") if isinstance(extra, Mapping) else None
    spec = schema.KIND_SPECS.get(str(kind))
    geometry = () if spec is None else spec.required
    key: list[Any] = [str(kind), str(row.get("label"))]
    key += [_plain(row.get(c)) if _set(row.get(c)) else None for c in geometry]
    if _set(row.get("frame")):  # a frame label, a video track's keyframe
        key.append(_plain(row.get("frame")))
    return json.dumps(key, separators=(",", ":"), default=str)


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
        self._rejected: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._kinds = tuple(kinds)
        # Fields of a suggestion: what a page may send for these kinds, score and extra.
        self._fields = schema.page_fields(kinds) | {"score", "extra"}
        self._labels: Mapping[str, Collection[str]] = (
            {k: set(v) for k, v in labels.items()}
            if isinstance(labels, Mapping)
            else {k: set(labels) for k in kinds}
        )
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
        for position, record in zip(predictions.index, frame.to_dict("records"), strict=True):
            row = {str(k): v for k, v in record.items()}
            problem = self._problem(row, known_items, self._kinds, self._labels)
            if problem:
                self.problems.append(f"predictions row {position!r}: {problem}")
                continue
            ident = str(row["id"]) if _set(row.get("id")) else f"prediction-{position}"
            out = {k: row[k] for k in self._fields if k in row and _set(row[k])}
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

    def add(
        self,
        item_id: str,
        frame: Any,
        *,
        origin: str,
        problem: Callable[[Mapping[str, Any]], str | None] | None = None,
    ) -> tuple[list[str], list[str]]:
        """Add an item's suggestions made while it is shown (``suggest=``, ``patterns=``).

        ``frame`` is a DataFrame in the annotation schema (``kind``, ``label``,
        ``score``, the geometry; ``item_id`` may be left out). Returns the ids
        added and the problems found, each naming the item and row; the
        problems are also added to :attr:`problems`.
        """
        where = f"{origin} on item {item_id!r}"
        if frame is None:
            return [], []
        if not isinstance(frame, pd.DataFrame):
            found = [
                f"{where}: expected a DataFrame in the annotation schema, "
                f"got {type(frame).__name__}"
            ]
            with self._lock:
                self.problems.extend(found)
            return [], found
        found = []
        added: list[str] = []
        missing = [c for c in ("kind", "label") if c not in frame.columns]
        if missing:
            found.append(f"{where}: the column(s) {missing} are missing")
            frame = frame.iloc[:0]
        try:
            rows = schema.coerce(
                frame.reset_index(drop=True).assign(
                    item_id=item_id, **({"source": "model"} if "source" not in frame else {})
                )
            ).to_dict("records")
        except (TypeError, ValueError) as exc:
            found.append(f"{where}: {exc}")
            rows = []
        given_ids = frame["item_id"].tolist() if "item_id" in frame.columns else []
        new: dict[str, dict[str, Any]] = {}
        for i, record in enumerate(rows):
            row = {str(k): v for k, v in record.items()}
            if given_ids and _set(given_ids[i]) and str(given_ids[i]) != item_id:
                found.append(f"{where}, row {i}: item_id {given_ids[i]!r} is another item")
                continue
            why = self._problem(row, None, self._kinds, self._labels)
            if why is None and problem is not None:
                why = problem(row)
            if why:
                found.append(f"{where}, row {i}: {why}")
                continue
            ident = str(row["id"]) if _set(row.get("id")) else f"{origin}-{i}"
            out = {k: row[k] for k in self._fields if k in row and _set(row[k])}
            out["id"] = ident
            new[ident] = out
        with self._lock:
            self._by_item.setdefault(item_id, {}).update(new)
            added = list(new)
            self.problems.extend(found)
        return added, found

    def note(self, problems: Sequence[str]) -> None:
        """Record problems found outside :meth:`add` (a ``suggest`` that raised)."""
        with self._lock:
            self.problems.extend(problems)

    def has_any(self, item_id: str) -> bool:
        """True if the item has open suggestions."""
        with self._lock:
            return bool(self._by_item.get(item_id))

    def set_rejected(self, item_id: str, fingerprints: Collection[str]) -> None:
        """Hide an item's suggestions that match these :func:`fingerprint` s (stored rejections)."""
        with self._lock:
            self._rejected[item_id] = set(fingerprints)

    def has_rejections_for(self, item_id: str) -> bool:
        """True once the item's stored rejections have been read (see :meth:`set_rejected`)."""
        with self._lock:
            return item_id in self._rejected

    def row(self, item_id: str, ident: str) -> dict[str, Any] | None:
        """An open suggestion as kept (with ``extra``), or None."""
        with self._lock:
            found = self._by_item.get(item_id, {}).get(ident)
            return None if found is None else dict(found)

    def for_item(self, item_id: str, ids: Collection[str] | None = None) -> list[dict[str, Any]]:
        """The suggestions still open for an item (not accepted or rejected yet), for a page.

        A suggestion made by a rule carries the rule's name as ``rule``.
        """
        with self._lock:
            rows = list(self._by_item.get(item_id, {}).values())
            rejected = self._rejected.get(item_id, set())
        out = []
        for row in rows:
            if ids is not None and row["id"] not in ids:
                continue
            if rejected and fingerprint(row) in rejected:
                continue
            # extra reaches the page only for a kind whose page fields have it (a video's
            # frame range, its last frame); elsewhere it holds what a format carried
            own = "extra" in schema.page_fields([str(row.get("kind"))])
            page = {k: v for k, v in row.items() if k != "extra" or own}
            extra = row.get("extra")
            if isinstance(extra, Mapping) and isinstance(extra.get("rule"), str):
                page["rule"] = extra["rule"]
            out.append(page)
        return out

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
