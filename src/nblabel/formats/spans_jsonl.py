"""Span JSONL as doccano and Prodigy write it: one document a line.

doccano (sequence labeling export)::

    {"id": 7, "text": "Ana met Bo.", "label": [[0, 3, "PER"], [8, 10, "PER"]]}

doccano (sequence labeling with relations)::

    {"id": 7, "text": "Ana met Bo.",
     "entities": [{"id": 1, "label": "PER", "start_offset": 0, "end_offset": 3},
                  {"id": 2, "label": "PER", "start_offset": 8, "end_offset": 10}],
     "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "knows"}]}

Prodigy (``ner``/``spans`` recipes)::

    {"text": "Ana met Bo.", "spans": [{"start": 0, "end": 3, "label": "PER"}],
     "meta": {...}, "answer": "accept"}

Both give the documents (a Series of str, item ids as index) and ``span``
rows with character offsets; doccano's ``relations`` give ``relation`` rows
whose ``from_id``/``to_id`` are the ids of the spans they link (writing a
frame with relation rows as doccano gives the ``entities``/``relations``
layout). doccano's text classification export
(``"label": ["positive"]``, names rather than triples) and Prodigy's
``"accept": [...]`` give whole-document ``label`` rows.

Item ids: the line's ``id`` (doccano; ``meta.id`` for Prodigy), else its
position in the file (from 0). Lossless rules: texts, item ids, spans and
document labels round trip; Prodigy's ``answer`` is kept in
``extra["prodigy"]``. Not carried: row ids (a span's id is
``"{item}:{start}-{end}:{label}"``, a relation's
``"{from span id}->{to span id}:{type}"``; doccano's entity and relation ids
are numbered afresh on writing), annotators, scores, token lists and
other fields of a line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ._common import (
    FormatError,
    PathLike,
    atomic_write,
    build_frame,
    check_frame,
    extra_of,
    lines,
    new_texts,
    read_text,
    records,
    resolve_source,
    texts_series,
    whole,
)

__all__ = ["read_spans_jsonl", "write_spans_jsonl"]

Flavor = Literal["doccano", "prodigy"]


def read_spans_jsonl(
    path: PathLike,
    *,
    flavor: Flavor | None = None,
    annotator: str | None = None,
    source: str | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Read doccano or Prodigy JSONL: the documents and their span (and label) rows.

    ``flavor`` is found from each line's keys when not given (``spans`` is
    Prodigy, ``label``/``labels`` doccano). ``annotator`` defaults to the
    flavor's name. A span outside its text, with ``end`` before ``start``, or
    whose ``text`` differs from the slice it names raises naming the line.
    """
    name = os.fspath(path)
    texts: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    origins: list[str] = []
    for lineno, line in enumerate(lines(read_text(path)), start=1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FormatError(f"not valid JSON: {exc.msg}", source=name, where=where) from exc
        if not isinstance(obj, Mapping):
            raise FormatError("a line must be a JSON object", source=name, where=where)
        text = obj.get("text")
        if not isinstance(text, str):
            raise FormatError("missing or not a text", source=name, where=where, field="text")
        style = flavor or (
            "prodigy" if "spans" in obj or "accept" in obj or "answer" in obj else "doccano"
        )
        meta: Mapping[str, Any] = obj["meta"] if isinstance(obj.get("meta"), Mapping) else {}
        ident = obj.get("id", meta.get("id") if style == "prodigy" else None)
        item = str(ident) if ident is not None else str(len(texts))
        if item in texts:
            raise FormatError(
                f"item id {item!r} appears on an earlier line", source=name, where=where, field="id"
            )
        texts[item] = text
        who = annotator or style
        extra = {"prodigy": {"answer": obj["answer"]}} if "answer" in obj else None
        spans: list[tuple[Any, Any, Any, Any]] = []
        labels: list[Any] = []
        entity_ids: list[Any] = []  # doccano's entity id of each span (relations name them)
        if style == "prodigy":
            for k, span in enumerate(obj.get("spans") or []):
                if not isinstance(span, Mapping):
                    raise FormatError(
                        "must be an object", source=name, where=where, field=f"spans[{k}]"
                    )
                spans.append(
                    (span.get("start"), span.get("end"), span.get("label"), span.get("text"))
                )
            labels = list(obj.get("accept") or [])
        else:
            for k, entity in enumerate(obj.get("entities") or []):
                if not isinstance(entity, Mapping):
                    raise FormatError(
                        "must be an object", source=name, where=where, field=f"entities[{k}]"
                    )
                entity_ids.append(entity.get("id"))
                spans.append(
                    (
                        entity.get("start_offset"),
                        entity.get("end_offset"),
                        entity.get("label"),
                        None,
                    )
                )
            entries = obj.get("label", obj.get("labels", []))
            for k, entry in enumerate(entries or []):
                if isinstance(entry, str):
                    labels.append(entry)
                elif isinstance(entry, list) and len(entry) == 3:
                    spans.append((entry[0], entry[1], entry[2], None))
                else:
                    raise FormatError(
                        f"{entry!r} is not [start, end, label] or a label",
                        source=name,
                        where=where,
                        field=f"label[{k}]",
                    )
        for k, (s, e, label, covered) in enumerate(spans):
            field = (
                f"spans[{k}]"
                if style == "prodigy"
                else f"entities[{k}]"
                if k < len(entity_ids)
                else f"label[{k - len(entity_ids)}]"
            )
            start = whole(s, source=name, where=where, field=f"{field}.start")
            end = whole(e, source=name, where=where, field=f"{field}.end")
            if not 0 <= start <= end <= len(text):
                raise FormatError(
                    f"{start}-{end} is not inside the {len(text)}-character text",
                    source=name,
                    where=where,
                    field=field,
                )
            if not isinstance(label, str) or not label:
                raise FormatError("missing label", source=name, where=where, field=field)
            if covered is not None and covered != text[start:end]:
                raise FormatError(
                    f"its text {covered!r} is not {text[start:end]!r}, the slice {start}-{end}",
                    source=name,
                    where=where,
                    field=field,
                )
            rows.append(
                {
                    "id": f"{item}:{start}-{end}:{label}",
                    "item_id": item,
                    "annotator": who,
                    "source": resolve_source(source, None),
                    "kind": "span",
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "extra": extra,
                }
            )
            origins.append(f"{name}:{where}")
        if entity_ids:
            first = len(rows) - len(spans)  # this line's spans: its entities first
            span_ids = [r["id"] for r in rows[first : first + len(entity_ids)]]
            relations = _doccano_relations(obj, item, entity_ids, span_ids, name=name, where=where)
            for relation in relations:
                rows.append(
                    {
                        **relation,
                        "annotator": who,
                        "source": resolve_source(source, None),
                        "extra": extra,
                    }
                )
                origins.append(f"{name}:{where}")
        for label in labels:
            rows.append(
                {
                    "id": f"{item}:{label}",
                    "item_id": item,
                    "annotator": who,
                    "source": resolve_source(source, None),
                    "kind": "label",
                    "label": str(label),
                    "extra": extra,
                }
            )
            origins.append(f"{name}:{where}")
    return new_texts(texts), build_frame(rows, origins)


def _doccano_relations(
    obj: Mapping[str, Any],
    item: str,
    entity_ids: list[Any],
    span_ids: list[str],
    *,
    name: str,
    where: str,
) -> list[dict[str, Any]]:
    """The ``relation`` rows of a doccano line: its ``relations`` between its ``entities``."""
    by_entity: dict[str, str] = {}
    for k, (entity, span_id) in enumerate(zip(entity_ids, span_ids, strict=True)):
        key = json.dumps(entity)
        if entity is None or key in by_entity:
            raise FormatError(
                "missing or repeated entity id", source=name, where=where, field=f"entities[{k}].id"
            )
        by_entity[key] = span_id
    out: list[dict[str, Any]] = []
    for k, relation in enumerate(obj.get("relations") or []):
        field = f"relations[{k}]"
        if not isinstance(relation, Mapping):
            raise FormatError("must be an object", source=name, where=where, field=field)
        ends = []
        for end in ("from_id", "to_id"):
            found = by_entity.get(json.dumps(relation.get(end)))
            if found is None:
                raise FormatError(
                    f"{relation.get(end)!r} is not the id of an entity of this line",
                    source=name,
                    where=where,
                    field=f"{field}.{end}",
                )
            ends.append(found)
        label = relation.get("type", relation.get("label"))
        if not isinstance(label, str) or not label:
            raise FormatError("missing type", source=name, where=where, field=f"{field}.type")
        out.append(
            {
                "id": f"{ends[0]}->{ends[1]}:{label}",
                "item_id": item,
                "kind": "relation",
                "label": label,
                "from_id": ends[0],
                "to_id": ends[1],
            }
        )
    return out


def _doccano_entities(
    spans: list[dict[str, Any]], relations: list[dict[str, Any]], counter: list[int]
) -> dict[str, Any]:
    """doccano's ``entities`` and ``relations`` of one document (ids numbered from ``counter``)."""
    number: dict[str, int] = {}
    entities = []
    for r in spans:
        counter[0] += 1
        number[str(r["id"])] = counter[0]
        entities.append(
            {
                "id": counter[0],
                "label": r["label"],
                "start_offset": int(r["start"]),
                "end_offset": int(r["end"]),
            }
        )
    links = []
    for k, r in enumerate(relations, start=1):
        for end in ("from_id", "to_id"):
            if str(r[end]) not in number:
                raise FormatError(
                    f"relation {r['id']!r}: its {end} {r[end]!r} is not a span of item "
                    f"{r['item_id']!r} in df",
                    field=f"column {end!r}",
                )
        links.append(
            {
                "id": k,
                "from_id": number[str(r["from_id"])],
                "to_id": number[str(r["to_id"])],
                "type": r["label"],
            }
        )
    return {"entities": entities, "relations": links}


def write_spans_jsonl(
    df: pd.DataFrame,
    texts: pd.Series | Mapping[str, str],
    path: PathLike,
    *,
    flavor: Flavor = "doccano",
) -> Path:
    """Write one JSON line per document of ``texts`` with ``df``'s span and label rows.

    Lines follow the order of ``texts``; each carries ``"id"`` (the item id;
    Prodigy's also in ``meta``). With ``relation`` rows (doccano only), every
    line takes doccano's ``entities``/``relations`` layout. Written atomically.
    """
    if flavor not in ("doccano", "prodigy"):
        raise ValueError(f"flavor: expected 'doccano' or 'prodigy', got {flavor!r}")
    kinds = ("span", "label", "relation") if flavor == "doccano" else ("span", "label")
    df = check_frame(df, kinds, fmt=f"{flavor} JSONL")
    linked = bool((df["kind"] == "relation").any())
    counter = [0]
    docs = texts_series(texts)
    unknown = sorted(set(df["item_id"]) - set(docs.index))
    if unknown:
        raise FormatError(
            f"items {unknown[:5]} have rows but no text in texts", field="column 'item_id'"
        )
    by_item: dict[str, list[dict[str, Any]]] = {}
    for label, row in records(df):
        if row["kind"] == "span" and int(row["end"]) > len(docs[row["item_id"]]):
            raise FormatError(
                f"span {int(row['start'])}-{int(row['end'])} goes past the end of its text",
                where=f"row {label!r}",
                field="column 'end'",
            )
        by_item.setdefault(row["item_id"], []).append(row)
    lines = []
    for item, text in docs.items():
        rows = sorted(
            by_item.get(str(item), []), key=lambda r: (r["kind"], r["start"], r["end"], r["label"])
        )
        spans = [r for r in rows if r["kind"] == "span"]
        cats = [r["label"] for r in rows if r["kind"] == "label"]
        obj: dict[str, Any] = {"id": str(item), "text": text}
        if linked:
            relations = [r for r in rows if r["kind"] == "relation"]
            obj.update(_doccano_entities(spans, relations, counter))
            if cats:
                obj["label"] = cats
        elif flavor == "doccano":
            obj["label"] = [[int(r["start"]), int(r["end"]), r["label"]] for r in spans] + cats
        else:
            obj["spans"] = [
                {"start": int(r["start"]), "end": int(r["end"]), "label": r["label"]} for r in spans
            ]
            if cats:
                obj["accept"] = cats
            obj["meta"] = {"id": str(item)}
            answers = {extra_of(r["extra"], "prodigy").get("answer") for r in rows} - {None}
            if len(answers) == 1:
                obj["answer"] = answers.pop()
        lines.append(json.dumps(obj, ensure_ascii=False))
    return atomic_write(path, "".join(f"{line}\n" for line in lines))
