"""spaCy DocBin (the spacy extra, installed by the test extra): round trips, misaligned spans."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import spacy
from fmt_helpers import assert_same, frame
from spacy.tokens import DocBin

from nblabel.formats import FormatError, read_docbin, to_docbin, write_docbin

TEXTS = {"a": "Ana flew to New York.", "b": "Nothing here.", "c": "Bo met Ana."}
ROWS = [
    {
        "id": "1",
        "item_id": "a",
        "kind": "span",
        "label": "PER",
        "start": 0,
        "end": 3,
        "text": "Ana",
    },
    {
        "id": "2",
        "item_id": "a",
        "kind": "span",
        "label": "LOC",
        "start": 12,
        "end": 20,
        "text": "New York",
    },
    {"id": "3", "item_id": "c", "kind": "span", "label": "PER", "start": 0, "end": 2, "text": "Bo"},
    {"id": "4", "item_id": "b", "kind": "label", "label": "empty"},
]


def test_docbin_spacy_reads(tmp_path: Path) -> None:
    df = frame(ROWS)
    path = write_docbin(df, TEXTS, tmp_path / "train.spacy")
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    assert [d.text for d in docs] == list(TEXTS.values())
    assert [(e.text, e.label_) for e in docs[0].ents] == [("Ana", "PER"), ("New York", "LOC")]
    assert docs[1].cats == {"empty": 1.0}
    assert docs[2].user_data["item_id"] == "c"


def test_round_trip(tmp_path: Path) -> None:
    df = frame(ROWS)
    texts, back = read_docbin(write_docbin(df, TEXTS, tmp_path / "x.spacy"), annotator="ana")
    assert texts.to_dict() == TEXTS
    assert_same(
        back,
        df,
        ("item_id", "kind", "label", "start", "end", "text"),
        by=("item_id", "kind", "start"),
        atol=0,
    )
    _, again = read_docbin(to_docbin(df, TEXTS, spans_key="sc"), spans_key="sc", annotator="ana")
    assert_same(
        again,
        df,
        ("item_id", "kind", "label", "start", "end"),
        by=("item_id", "kind", "start"),
        atol=0,
    )


def test_misaligned_spans_are_reported_by_row_never_dropped(tmp_path: Path) -> None:
    rows = [
        *ROWS,
        {"id": "5", "item_id": "a", "kind": "span", "label": "X", "start": 1, "end": 3},
        {"id": "6", "item_id": "c", "kind": "span", "label": "X", "start": 7, "end": 9},
    ]
    df = frame(rows)
    with pytest.raises(
        FormatError,
        match=r"2 span\(s\) do not align to spaCy tokens: row 4 "
        r"\(1-3 'na'\), row 5 \(7-9 'An'\)",
    ):
        write_docbin(df, TEXTS, tmp_path / "x.spacy")
    assert not (tmp_path / "x.spacy").exists()
    # expand snaps them to whole tokens instead
    _, back = read_docbin(
        to_docbin(df, TEXTS, alignment_mode="expand", spans_key="sc"), spans_key="sc"
    )
    assert ("a", 0.0, 3.0, "X") in set(
        back[["item_id", "start", "end", "label"]].itertuples(index=False, name=None)
    )


def test_overlapping_spans_need_spans_key() -> None:
    rows = [
        *ROWS,
        {"id": "5", "item_id": "a", "kind": "span", "label": "CITY", "start": 16, "end": 20},
    ]
    df = frame(rows)
    with pytest.raises(FormatError, match=r"rows \[4\] overlap other spans of item 'a'"):
        to_docbin(df, TEXTS)
    _, back = read_docbin(to_docbin(df, TEXTS, spans_key="sc"), spans_key="sc")
    assert len(back[back["kind"] == "span"]) == 4


def test_texts_must_cover_the_rows() -> None:
    with pytest.raises(FormatError, match=r"items \['c'\] have rows but no text"):
        to_docbin(frame(ROWS), {"a": TEXTS["a"], "b": TEXTS["b"]})
    with pytest.raises(TypeError, match=r"texts: the text of item 'a' is a int"):
        to_docbin(frame(ROWS[:1]), pd.Series({"a": 1}))
