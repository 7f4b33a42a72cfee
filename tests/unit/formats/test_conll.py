"""CoNLL: the CoNLL-2003 shape in every scheme, offsets that slice the text, round trips."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from fmt_helpers import SETTINGS, assert_same, frame
from hypothesis import given
from hypothesis import strategies as st

from nblabel import schema
from nblabel.formats import FormatError, read_conll, write_conll

# The first lines of CoNLL-2003's eng.train, which tags in IOB1.
IOB1 = """-DOCSTART- -X- -X- O

EU NNP I-NP I-ORG
rejects VBZ I-VP O
German JJ I-NP I-MISC
call NN I-NP O
to TO I-VP O
boycott VB I-VP O
British JJ I-NP I-MISC
lamb NN I-NP O
. . O O

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP I-NP I-LOC
1996-08-22 CD I-NP O
"""
ENTITIES = [
    ("0", "EU", "ORG"),
    ("0", "German", "MISC"),
    ("0", "British", "MISC"),
    ("0", "Peter Blackburn", "PER"),
    ("1", "BRUSSELS", "LOC"),
]


def spans_of(texts: pd.Series, df: pd.DataFrame) -> list[tuple[str, str, str]]:
    out = []
    for row in df.itertuples():
        covered = texts[row.item_id][int(row.start) : int(row.end)]
        assert covered == row.text
        out.append((row.item_id, covered, row.label))
    return sorted(out)


def test_conll2003_iob1(tmp_path: Path) -> None:
    path = tmp_path / "eng.train"
    path.write_text(IOB1)
    texts, df = read_conll(path, scheme="IOB1")
    schema.validate(df)
    assert texts["0"] == "EU rejects German call to boycott British lamb .\nPeter Blackburn"
    assert texts["1"] == "BRUSSELS 1996-08-22"
    assert spans_of(texts, df) == sorted(ENTITIES)
    assert set(df["kind"]) == {"span"}


def test_iob1_b_tag_splits_two_touching_entities(tmp_path: Path) -> None:
    path = tmp_path / "a.conll"
    path.write_text("Ana I-PER\nBo B-PER\nmet O\n")
    texts, df = read_conll(path, scheme="IOB1")
    assert spans_of(texts, df) == [("0", "Ana", "PER"), ("0", "Bo", "PER")]
    # and writing it back makes the same tags
    write_conll(df, texts, tmp_path / "b.conll", scheme="IOB1")
    tags = [
        line.split()[-1]
        for line in (tmp_path / "b.conll").read_text().splitlines()
        if line and not line.startswith("-DOCSTART-")
    ]
    assert tags == ["I-PER", "B-PER", "O"]


@pytest.mark.parametrize(
    ("scheme", "tags"),
    [
        ("IOB2", ["B-ORG", "O", "B-PER", "I-PER", "B-PER"]),
        ("BILOU", ["U-ORG", "O", "B-PER", "L-PER", "U-PER"]),
    ],
)
def test_schemes_written_as_specified(tmp_path: Path, scheme: str, tags: list[str]) -> None:
    text = "EU met Peter Blackburn Bo"
    df = frame(
        [
            {"id": "a", "item_id": "d", "kind": "span", "label": "ORG", "start": 0, "end": 2},
            {"id": "b", "item_id": "d", "kind": "span", "label": "PER", "start": 7, "end": 22},
            {"id": "c", "item_id": "d", "kind": "span", "label": "PER", "start": 23, "end": 25},
        ]
    )
    path = write_conll(df, {"d": text}, tmp_path / "out.conll", scheme=scheme)  # type: ignore[arg-type]
    lines = path.read_text().splitlines()
    assert lines[0] == "-DOCSTART- -X- -X- O"
    assert [line.split()[-1] for line in lines[2:] if line] == tags
    texts, back = read_conll(path, scheme=scheme)  # type: ignore[arg-type]
    assert texts.tolist() == [text]
    assert spans_of(texts, back) == sorted(
        [("0", "EU", "ORG"), ("0", "Peter Blackburn", "PER"), ("0", "Bo", "PER")]
    )


def test_bioes_reads_as_bilou(tmp_path: Path) -> None:
    path = tmp_path / "a.conll"
    path.write_text("Peter B-PER\nBlackburn E-PER\nin O\nParis S-LOC\n")
    texts, df = read_conll(path, scheme="BILOU")
    assert spans_of(texts, df) == [("0", "Paris", "LOC"), ("0", "Peter Blackburn", "PER")]


@pytest.mark.parametrize(
    ("scheme", "body", "match"),
    [
        ("IOB2", "a O\nb I-PER\n", r"line 2 tag: 'I-PER' continues no 'PER' entity"),
        ("IOB2", "a B-LOC\nb I-PER\n", r"line 2 tag: 'I-PER' continues no 'PER' entity"),
        ("IOB1", "a O\nb B-PER\n", r"line 2 tag: 'B-PER': in IOB1, B- only follows"),
        ("BILOU", "a B-PER\nb O\n", r"line 2 tag: entity 'PER' is not closed"),
        ("BILOU", "a B-PER\nb U-LOC\n", r"line 2 tag: 'U-LOC' starts an entity inside"),
        ("BILOU", "a B-PER\n", r"line 1 tag: entity 'PER' is not closed by L- at the sentence"),
        ("IOB2", "a X-PER\n", r"line 1 tag: 'X-PER' is not O or a B-/I-/L-/U- tag"),
        ("IOB2", "a L-PER\n", r"line 1 tag: 'L-PER' is not a IOB2 tag"),
        ("IOB2", "lonely\n", r"line 1: a token line needs a token and a tag"),
    ],
)
def test_invalid_tags_name_the_line(tmp_path: Path, scheme: str, body: str, match: str) -> None:
    path = tmp_path / "bad.conll"
    path.write_text(body)
    with pytest.raises(FormatError, match=match):
        read_conll(path, scheme=scheme)  # type: ignore[arg-type]


def test_spans_that_cannot_be_tagged_are_named_by_row(tmp_path: Path) -> None:
    texts = {"d": "Ana met Bo\nin Paris"}
    base = {"item_id": "d", "kind": "span", "label": "PER"}
    cases = [
        (
            [{"id": "a", **base, "start": 0, "end": 2}],
            r"row 0 column 'start': span 0-2 \('An'\) "
            "does not start and end on token boundaries",
        ),
        ([{"id": "a", **base, "start": 8, "end": 13}], r"row 0 column 'end': span 8-13 crosses"),
        (
            [{"id": "a", **base, "start": 0, "end": 7}, {"id": "b", **base, "start": 4, "end": 10}],
            r"row 1 column 'start': span 4-10 overlaps row 0",
        ),
        (
            [{"id": "a", **base, "label": "two words", "start": 0, "end": 3}],
            r"row 0 column 'label': label 'two words' holds whitespace",
        ),
    ]
    for rows, match in cases:
        with pytest.raises(FormatError, match=match):
            write_conll(frame(rows), texts, tmp_path / "out.conll")
        assert not (tmp_path / "out.conll").exists()
    with pytest.raises(FormatError, match=r"items \['zz'\] have spans but no text"):
        write_conll(
            frame([{"id": "a", **base, "item_id": "zz", "start": 0, "end": 3}]),
            texts,
            tmp_path / "out.conll",
        )


TOKENS = st.lists(st.text("abcXYZ-é.", min_size=1, max_size=5), min_size=1, max_size=6)


@st.composite
def documents(draw: st.DrawFn) -> tuple[dict[str, str], pd.DataFrame]:
    texts: dict[str, str] = {}
    rows = []
    for d in range(draw(st.integers(1, 3))):
        sentences = draw(st.lists(TOKENS, min_size=0, max_size=3))
        item = str(d)
        offset = 0
        parts = []
        for s, tokens in enumerate(sentences):
            if s:
                parts.append("\n")
                offset += 1
            starts = []
            for t, tok in enumerate(tokens):
                if t:
                    parts.append(" ")
                    offset += 1
                starts.append(offset)
                parts.append(tok)
                offset += len(tok)
            t = 0
            while t < len(tokens):
                length = draw(st.integers(0, 3))
                if length and t + length <= len(tokens):
                    end = starts[t + length - 1] + len(tokens[t + length - 1])
                    rows.append(
                        {
                            "id": f"{item}-{len(rows)}",
                            "item_id": item,
                            "kind": "span",
                            "label": draw(st.sampled_from(["PER", "LOC"])),
                            "start": starts[t],
                            "end": end,
                        }
                    )
                    t += length
                else:
                    t += 1
        texts[item] = "".join(parts)
    for row in rows:
        row["text"] = texts[row["item_id"]][row["start"] : row["end"]]
    return texts, frame(rows) if rows else schema.empty()


@SETTINGS
@given(documents(), st.sampled_from(["IOB1", "IOB2", "BILOU"]))
def test_round_trip_property(docs: tuple[dict[str, str], pd.DataFrame], scheme: str) -> None:
    texts, df = docs
    with tempfile.TemporaryDirectory() as tmp:
        path = write_conll(df, texts, Path(tmp) / "x.conll", scheme=scheme)  # type: ignore[arg-type]
        back_texts, back = read_conll(path, scheme=scheme, annotator="ana")  # type: ignore[arg-type]
    assert back_texts.to_dict() == texts
    assert_same(
        back, df, ("item_id", "label", "start", "end", "text"), by=("item_id", "start"), atol=0
    )
