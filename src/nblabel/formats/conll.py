"""CoNLL-2003 style token files with IOB1, IOB2 or BILOU entity tags.

One token a line (the token first, its tag last, other columns between),
a blank line between sentences and a ``-DOCSTART-`` line before each document::

    -DOCSTART- -X- -X- O

    EU NNP B-NP B-ORG
    rejects VBZ B-VP O

:func:`read_conll` rebuilds each document's text as its tokens joined by one
space, its sentences joined by a newline, and gives every entity as a ``span``
row whose ``start``/``end`` slice that text exactly. :func:`write_conll` goes
the other way: it splits each text into sentences at newlines and into tokens
at whitespace, and every span must start and end on token boundaries.

Schemes: ``IOB2`` (every entity starts with ``B-``), ``IOB1`` (``B-`` only
where an entity follows another of the same type), ``BILOU`` (``B-``, ``I-``,
``L-`` last, ``U-`` a one-token entity; ``BIOES``'s ``E-``/``S-`` are read as
``L-``/``U-``). A tag sequence that is not valid in its scheme (``I-PER``
after ``O`` in IOB2, ``L-`` without ``B-``...) raises naming the file and line.

Lossless rules: texts whose tokens are separated by single spaces and whose
sentences by single newlines, with non-overlapping spans on token boundaries
inside one sentence, round trip exactly (spans, labels, item ids given as
``-DOCSTART-`` order). Not carried: other whitespace (read back as one space),
the POS and chunk columns (written as ``_``), ids, annotators, scores.
Item ids are the document's position (``"0"``, ``"1"``... with ``id_prefix``);
a file without ``-DOCSTART-`` is one document.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

import pandas as pd

from ._common import (
    FormatError,
    PathLike,
    atomic_write,
    build_frame,
    check_frame,
    lines,
    new_texts,
    read_text,
    records,
    resolve_source,
    row_error,
    texts_series,
)

__all__ = ["read_conll", "write_conll"]

Scheme = Literal["IOB1", "IOB2", "BILOU"]
SCHEMES: Final = ("IOB1", "IOB2", "BILOU")
_DOCSTART: Final = "-DOCSTART-"


def read_conll(
    path: PathLike,
    *,
    scheme: Scheme = "IOB2",
    annotator: str = "conll",
    source: str | None = None,
    id_prefix: str = "",
) -> tuple[pd.Series, pd.DataFrame]:
    """Read a CoNLL file: the documents (a Series of str, item ids as index) and the spans."""
    if scheme not in SCHEMES:
        raise ValueError(f"scheme: expected one of {list(SCHEMES)}, got {scheme!r}")
    name = os.fspath(path)
    docs: list[list[list[tuple[str, str, int]]]] = []
    for lineno, line in enumerate(lines(read_text(path)), start=1):
        fields = line.split()
        if not fields:
            if docs and docs[-1][-1]:
                docs[-1].append([])
            continue
        if fields[0] == _DOCSTART:
            docs.append([[]])
            continue
        if len(fields) < 2:
            raise FormatError(
                "a token line needs a token and a tag", source=name, where=f"line {lineno}"
            )
        if not docs:
            docs.append([[]])
        docs[-1][-1].append((fields[0], fields[-1], lineno))
    texts: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    origins: list[str] = []
    for d, doc in enumerate(docs):
        item = f"{id_prefix}{d}"
        parts: list[str] = []
        offset = 0
        for sentence in (s for s in doc if s):
            if parts:
                parts.append("\n")
                offset += 1
            starts = []
            for t, (token, _, _) in enumerate(sentence):
                if t:
                    parts.append(" ")
                    offset += 1
                starts.append(offset)
                parts.append(token)
                offset += len(token)
            for first, last, label in _decode(
                [tag for _, tag, _ in sentence], scheme, name, [ln for _, _, ln in sentence]
            ):
                start = starts[first]
                end = starts[last] + len(sentence[last][0])
                covered = " ".join(tok for tok, _, _ in sentence[first : last + 1])
                rows.append(
                    {
                        "id": f"{item}:{start}-{end}",
                        "item_id": item,
                        "annotator": annotator,
                        "source": resolve_source(source, None),
                        "kind": "span",
                        "label": label,
                        "start": start,
                        "end": end,
                        "text": covered,
                    }
                )
                origins.append(f"{name}:line {sentence[first][2]}")
        texts[item] = "".join(parts)
    return new_texts(texts), build_frame(rows, origins)


_TAG: Final = re.compile(r"^([BILUES])-(.+)$")


def _decode(
    tags: list[str], scheme: str, name: str, lines: list[int]
) -> list[tuple[int, int, str]]:
    """Entities as (first token, last token, type) from one sentence's tags."""
    out: list[tuple[int, int, str]] = []
    open_: tuple[int, str] | None = None

    def close(at: int) -> None:
        nonlocal open_
        if open_ is not None:
            out.append((open_[0], at, open_[1]))
            open_ = None

    for i, tag in enumerate(tags):
        where = f"line {lines[i]}"
        if tag == "O":
            if scheme == "BILOU" and open_ is not None:
                raise FormatError(
                    f"entity {open_[1]!r} is not closed by L- before O",
                    source=name,
                    where=where,
                    field="tag",
                )
            close(i - 1)
            continue
        m = _TAG.match(tag)
        if not m:
            raise FormatError(
                f"{tag!r} is not O or a B-/I-/L-/U- tag", source=name, where=where, field="tag"
            )
        prefix, kind = m.group(1), m.group(2)
        if scheme == "BILOU":
            prefix = {"E": "L", "S": "U"}.get(prefix, prefix)
        elif prefix not in "BI":
            raise FormatError(
                f"{tag!r} is not a {scheme} tag", source=name, where=where, field="tag"
            )
        if scheme == "IOB2":
            if prefix == "B":
                close(i - 1)
                open_ = (i, kind)
            elif open_ is None or open_[1] != kind:
                raise FormatError(
                    f"{tag!r} continues no {kind!r} entity (IOB2 starts one with B-)",
                    source=name,
                    where=where,
                    field="tag",
                )
        elif scheme == "IOB1":
            if prefix == "B":
                if open_ is None or open_[1] != kind:
                    raise FormatError(
                        f"{tag!r}: in IOB1, B- only follows an entity of the same type",
                        source=name,
                        where=where,
                        field="tag",
                    )
                close(i - 1)
                open_ = (i, kind)
            elif open_ is None or open_[1] != kind:
                close(i - 1)
                open_ = (i, kind)
        elif prefix in "BU":
            if open_ is not None:
                raise FormatError(
                    f"{tag!r} starts an entity inside {open_[1]!r}",
                    source=name,
                    where=where,
                    field="tag",
                )
            open_ = (i, kind)
            if prefix == "U":
                close(i)
        else:
            if open_ is None or open_[1] != kind:
                raise FormatError(
                    f"{tag!r} continues no {kind!r} entity", source=name, where=where, field="tag"
                )
            if prefix == "L":
                close(i)
    if scheme == "BILOU" and open_ is not None:
        raise FormatError(
            f"entity {open_[1]!r} is not closed by L- at the sentence's end",
            source=name,
            where=f"line {lines[-1]}",
            field="tag",
        )
    close(len(tags) - 1)
    return out


def _encode(entities: list[tuple[int, int, str]], n: int, scheme: str) -> list[str]:
    tags = ["O"] * n
    previous: tuple[int, str] | None = None  # (last token, type) of the entity before
    for first, last, kind in sorted(entities):
        if scheme == "IOB2":
            tags[first] = f"B-{kind}"
            for t in range(first + 1, last + 1):
                tags[t] = f"I-{kind}"
        elif scheme == "IOB1":
            touching = previous is not None and previous == (first - 1, kind)
            tags[first] = f"{'B' if touching else 'I'}-{kind}"
            for t in range(first + 1, last + 1):
                tags[t] = f"I-{kind}"
        elif first == last:
            tags[first] = f"U-{kind}"
        else:
            tags[first] = f"B-{kind}"
            for t in range(first + 1, last):
                tags[t] = f"I-{kind}"
            tags[last] = f"L-{kind}"
        previous = (last, kind)
    return tags


_TOKEN: Final = re.compile(r"\S+")


def _tokenise(text: str) -> list[list[tuple[int, int]]]:
    """Sentences (split at newlines) of tokens (split at whitespace) as (start, end)."""
    out: list[list[tuple[int, int]]] = []
    pos = 0
    for line in text.split("\n"):
        tokens = [(pos + m.start(), pos + m.end()) for m in _TOKEN.finditer(line)]
        if tokens:
            out.append(tokens)
        pos += len(line) + 1
    return out


def write_conll(
    df: pd.DataFrame,
    texts: pd.Series | Mapping[str, str],
    path: PathLike,
    *,
    scheme: Scheme = "IOB2",
) -> Path:
    """Write the documents ``texts`` with ``df``'s span rows as tags, one ``-DOCSTART-`` each.

    Documents are written in the order of ``texts``. A span that does not
    start and end on token boundaries, that crosses a newline (a sentence
    end), or that overlaps another span cannot be written: the error names
    the row. Written atomically.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme: expected one of {list(SCHEMES)}, got {scheme!r}")
    df = check_frame(df, ("span",), fmt="CoNLL")
    docs = texts_series(texts)
    unknown = sorted(set(df["item_id"]) - set(docs.index))
    if unknown:
        raise FormatError(
            f"items {unknown[:5]} have spans but no text in texts", field="column 'item_id'"
        )
    for label, value in df["label"].items():
        if any(c.isspace() for c in value):
            raise row_error(
                f"label {value!r} holds whitespace, which CoNLL cannot carry", label, "label"
            )
    by_item: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    for label, row in records(df):
        by_item.setdefault(row["item_id"], []).append((label, row))
    out: list[str] = []
    for item, text in docs.items():
        sentences = _tokenise(text)
        starts = {s: (k, t) for k, sent in enumerate(sentences) for t, (s, _) in enumerate(sent)}
        ends = {e: (k, t) for k, sent in enumerate(sentences) for t, (_, e) in enumerate(sent)}
        entities: dict[int, list[tuple[int, int, str]]] = {}
        taken: dict[tuple[int, int], Any] = {}
        for label, row in sorted(by_item.get(str(item), []), key=lambda r: r[1]["start"]):
            s, e = int(row["start"]), int(row["end"])
            if s not in starts or e not in ends:
                raise row_error(
                    f"span {s}-{e} ({text[s:e]!r}) does not start and end on "
                    "token boundaries (tokens are split at whitespace)",
                    label,
                    "start",
                )
            (k0, t0), (k1, t1) = starts[s], ends[e]
            if k0 != k1:
                raise row_error(f"span {s}-{e} crosses a newline (a sentence end)", label, "end")
            for t in range(t0, t1 + 1):
                if (k0, t) in taken:
                    raise row_error(
                        f"span {s}-{e} overlaps row {taken[(k0, t)]!r}; CoNLL "
                        "tags cannot carry overlapping spans",
                        label,
                        "start",
                    )
                taken[(k0, t)] = label
            entities.setdefault(k0, []).append((t0, t1, row["label"]))
        out.append(f"{_DOCSTART} -X- -X- O\n")
        for k, sentence in enumerate(sentences):
            out.append("\n")
            tags = _encode(entities.get(k, []), len(sentence), scheme)
            for (s, e), tag in zip(sentence, tags, strict=True):
                out.append(f"{text[s:e]} _ _ {tag}\n")
        out.append("\n")
    return atomic_write(path, "".join(out))
