"""spaCy ``DocBin``: the training data format of ``spacy train`` (needs ``nblabel[spacy]``).

:func:`to_docbin` makes one ``Doc`` per document with its spans as
``doc.ents`` (or, with ``spans_key=``, as ``doc.spans[spans_key]``, which may
overlap) and whole-document ``label`` rows as ``doc.cats`` (1.0, or the row's
score); the item id is kept in ``doc.user_data["item_id"]``. Tokens come from
``nlp`` (default ``spacy.blank("en")``), and a span whose ends are not token
boundaries is *misaligned*: by default every such row is reported in one
error (``alignment_mode="contract"`` or ``"expand"`` snaps them instead, as
``Doc.char_span`` does).

Lossless rules: texts, item ids, aligned spans and document labels round
trip. Not carried: row ids, annotators, scores of spans, ``extra``, and
categories with a score of 0 (``doc.cats`` lists every category; only those
above 0 are read back as labels).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ._common import (
    FormatError,
    PathLike,
    atomic_write_with,
    build_frame,
    check_frame,
    missing,
    new_texts,
    records,
    resolve_source,
    texts_series,
)

__all__ = ["read_docbin", "to_docbin", "write_docbin"]


def _spacy() -> Any:
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - the test extra installs spaCy
        raise ImportError("spaCy DocBin support needs spaCy: pip install 'nblabel[spacy]'") from exc
    return spacy


def to_docbin(
    df: pd.DataFrame,
    texts: pd.Series | Mapping[str, str],
    *,
    nlp: Any = None,
    spans_key: str | None = None,
    alignment_mode: Literal["strict", "contract", "expand"] = "strict",
) -> Any:
    """A ``spacy.tokens.DocBin`` of the documents ``texts`` with ``df``'s span and label rows.

    Raises :class:`FormatError` listing every misaligned span by row (in
    ``"strict"`` mode) and, for ``doc.ents``, overlapping spans.
    """
    spacy = _spacy()
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    df = check_frame(df, ("span", "label"), fmt="spaCy DocBin")
    docs = texts_series(texts)
    unknown = sorted(set(df["item_id"]) - set(docs.index))
    if unknown:
        raise FormatError(
            f"items {unknown[:5]} have rows but no text in texts", field="column 'item_id'"
        )
    nlp = nlp if nlp is not None else spacy.blank("en")
    by_item: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    for label, row in records(df):
        by_item.setdefault(row["item_id"], []).append((label, row))
    out = DocBin(store_user_data=True)
    misaligned: list[str] = []
    for item, text in docs.items():
        doc = nlp.make_doc(text)
        doc.user_data["item_id"] = str(item)
        spans = []
        labels_of: dict[Any, Any] = {}
        for label, row in by_item.get(str(item), []):
            if row["kind"] == "label":
                doc.cats[row["label"]] = 1.0 if missing(row["score"]) else float(row["score"])
                continue
            s, e = int(row["start"]), int(row["end"])
            span = doc.char_span(s, e, label=row["label"], alignment_mode=alignment_mode)
            if span is None or len(span) == 0:
                misaligned.append(f"row {label!r} ({s}-{e} {text[s:e]!r})")
                continue
            spans.append(span)
            labels_of[(span.start, span.end, row["label"])] = label
        if spans_key is not None:
            doc.spans[spans_key] = spans
        else:
            kept = filter_spans(spans)
            if len(kept) != len(spans):
                dropped = [labels_of[(s.start, s.end, s.label_)] for s in spans if s not in kept]
                raise FormatError(
                    f"rows {dropped[:5]} overlap other spans of item {item!r}; doc.ents cannot "
                    "carry overlapping spans (pass spans_key='sc' to keep them in doc.spans)"
                )
            doc.ents = spans
        out.add(doc)
    if misaligned:
        raise FormatError(
            f"{len(misaligned)} span(s) do not align to spaCy tokens: {', '.join(misaligned[:10])}"
            " (alignment_mode='contract' or 'expand' snaps them to tokens)"
        )
    return out


def write_docbin(
    df: pd.DataFrame,
    texts: pd.Series | Mapping[str, str],
    path: PathLike,
    *,
    nlp: Any = None,
    spans_key: str | None = None,
    alignment_mode: Literal["strict", "contract", "expand"] = "strict",
) -> Path:
    """Write :func:`to_docbin` to ``path`` (a ``.spacy`` file), atomically."""
    docbin = to_docbin(df, texts, nlp=nlp, spans_key=spans_key, alignment_mode=alignment_mode)
    return atomic_write_with(path, lambda tmp: tmp.write_bytes(docbin.to_bytes()))


def read_docbin(
    path_or_docbin: PathLike | Any,
    /,
    *,
    nlp: Any = None,
    spans_key: str | None = None,
    annotator: str = "spacy",
    source: str | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Read a ``.spacy`` file or a ``DocBin``: the documents and their span and label rows.

    Spans come from ``doc.ents`` (or ``doc.spans[spans_key]``); item ids from
    ``doc.user_data["item_id"]``, else the document's position.
    """
    spacy = _spacy()
    from spacy.tokens import DocBin

    nlp = nlp if nlp is not None else spacy.blank("en")
    if isinstance(path_or_docbin, (str, os.PathLike)):
        name = os.fspath(path_or_docbin)
        try:
            docbin = DocBin().from_disk(name)
        except (ValueError, OSError) as exc:
            raise FormatError(f"not a spaCy DocBin: {exc}", source=name) from exc
    else:
        docbin = path_or_docbin
    texts: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for d, doc in enumerate(docbin.get_docs(nlp.vocab)):
        item = str(doc.user_data.get("item_id", d))
        texts[item] = doc.text
        spans = doc.spans.get(spans_key, []) if spans_key is not None else doc.ents
        for span in spans:
            rows.append(
                {
                    "id": f"{item}:{span.start_char}-{span.end_char}:{span.label_}",
                    "item_id": item,
                    "annotator": annotator,
                    "source": resolve_source(source, None),
                    "kind": "span",
                    "label": span.label_,
                    "start": span.start_char,
                    "end": span.end_char,
                    "text": span.text,
                }
            )
        for cat, score in doc.cats.items():
            if score > 0:
                rows.append(
                    {
                        "id": f"{item}:{cat}",
                        "item_id": item,
                        "annotator": annotator,
                        "source": resolve_source(source, None),
                        "kind": "label",
                        "label": cat,
                        "score": None if score == 1.0 else score,
                    }
                )
                rows[-1]["source"] = resolve_source(source, rows[-1]["score"])
    return new_texts(texts), build_frame(rows)
