"""doccano and Prodigy JSONL: fixtures in each tool's documented shape, round trips, errors."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from fmt_helpers import SETTINGS, assert_same, frame
from hypothesis import given
from hypothesis import strategies as st

from nblabel import schema
from nblabel.formats import FormatError, read_spans_jsonl, write_spans_jsonl

DOCCANO = [
    {
        "id": 1,
        "text": "EU rejects German call to boycott British lamb.",
        "label": [[0, 2, "ORG"], [11, 17, "MISC"], [34, 41, "MISC"]],
        "Comments": [],
    },
    {"id": 2, "text": "Terrible customer service.", "label": ["negative"]},
]
PRODIGY = [
    {
        "text": "Apple updates its analytics service",
        "meta": {"source": "news", "id": "n1"},
        "_input_hash": 1,
        "_task_hash": 2,
        "tokens": [{"text": "Apple", "start": 0, "end": 5, "id": 0}],
        "spans": [
            {
                "start": 0,
                "end": 5,
                "token_start": 0,
                "token_end": 0,
                "label": "ORG",
                "text": "Apple",
            }
        ],
        "answer": "accept",
    },
    {"text": "Hello", "spans": [], "accept": ["GREETING"], "answer": "accept"},
]


def write_lines(path: Path, objs: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objs))
    return path


def test_doccano_fixture(tmp_path: Path) -> None:
    texts, df = read_spans_jsonl(write_lines(tmp_path / "d.jsonl", DOCCANO))
    schema.validate(df)
    assert texts.to_dict() == {"1": DOCCANO[0]["text"], "2": DOCCANO[1]["text"]}
    spans = df[df["kind"] == "span"].sort_values("start")
    assert spans["text"].tolist() == ["EU", "German", "British"]
    assert spans["annotator"].unique().tolist() == ["doccano"]
    doc = df[df["kind"] == "label"]
    assert (doc["item_id"].tolist(), doc["label"].tolist()) == (["2"], ["negative"])


def test_prodigy_fixture(tmp_path: Path) -> None:
    texts, df = read_spans_jsonl(write_lines(tmp_path / "p.jsonl", PRODIGY))
    assert texts.index.tolist() == ["n1", "1"]
    span = df[df["kind"] == "span"].iloc[0]
    assert (span["item_id"], span["label"], span["text"]) == ("n1", "ORG", "Apple")
    assert span["extra"] == {"prodigy": {"answer": "accept"}}
    assert df[df["kind"] == "label"]["label"].tolist() == ["GREETING"]


@pytest.mark.parametrize("flavor", ["doccano", "prodigy"])
def test_fixture_round_trip(tmp_path: Path, flavor: str) -> None:
    src = DOCCANO if flavor == "doccano" else PRODIGY
    texts, df = read_spans_jsonl(write_lines(tmp_path / "in.jsonl", src))
    path = write_spans_jsonl(df, texts, tmp_path / "out.jsonl", flavor=flavor)  # type: ignore[arg-type]
    texts2, back = read_spans_jsonl(path)
    pd.testing.assert_series_equal(texts2, texts)
    assert_same(
        back,
        df,
        ("item_id", "kind", "label", "start", "end", "text", "extra"),
        by=("item_id", "kind", "start", "label"),
        atol=0,
    )


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ('{"text": "abc", "label": [[0, 9, "X"]]}', r"line 2 label\[0\]: 0-9 is not inside"),
        ('{"text": "abc", "label": [[2, 1, "X"]]}', r"line 2 label\[0\]: 2-1 is not inside"),
        ('{"text": "abc", "label": [[0, 1]]}', r"line 2 label\[0\]: \[0, 1\] is not"),
        (
            '{"text": "abc", "label": [[0.5, 1, "X"]]}',
            r"line 2 label\[0\].start: 0.5 is not a whole",
        ),
        (
            '{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "X", "text": "b"}]}',
            r"line 2 spans\[0\]: its text 'b' is not 'a'",
        ),
        ('{"label": []}', r"line 2 text: missing"),
        ('{"text": "abc",', r"line 2: not valid JSON"),
        ('{"id": "one", "text": "x"}', r"line 2 id: item id 'one' appears on an earlier line"),
    ],
)
def test_bad_lines_name_the_line(tmp_path: Path, line: str, match: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "one", "text": "first", "label": []}\n' + line + "\n")
    with pytest.raises(FormatError, match=match):
        read_spans_jsonl(path)


@st.composite
def documents(draw: st.DrawFn) -> tuple[dict[str, str], pd.DataFrame]:
    texts = {
        f"doc{d}": draw(st.text(min_size=0, max_size=20)) for d in range(draw(st.integers(1, 3)))
    }
    rows = []
    for item, text in texts.items():
        for _ in range(draw(st.integers(0, 3))):
            a, b = sorted((draw(st.integers(0, len(text))), draw(st.integers(0, len(text)))))
            label = draw(st.sampled_from(["PER", "LOC", "ORG"]))
            rows.append(
                {
                    "id": f"{item}:{a}-{b}:{label}",
                    "item_id": item,
                    "kind": "span",
                    "label": label,
                    "start": a,
                    "end": b,
                    "text": text[a:b],
                }
            )
        if draw(st.booleans()):
            rows.append({"id": f"{item}:pos", "item_id": item, "kind": "label", "label": "pos"})
    unique = {r["id"]: r for r in rows}
    return texts, frame(list(unique.values())) if unique else schema.empty()


@SETTINGS
@given(documents(), st.sampled_from(["doccano", "prodigy"]))
def test_round_trip_property(docs: tuple[dict[str, str], pd.DataFrame], flavor: str) -> None:
    texts, df = docs
    with tempfile.TemporaryDirectory() as tmp:
        path = write_spans_jsonl(df, texts, Path(tmp) / "x.jsonl", flavor=flavor)  # type: ignore[arg-type]
        back_texts, back = read_spans_jsonl(path, annotator="ana")
    assert back_texts.to_dict() == texts
    assert_same(
        back,
        df,
        ("id", "item_id", "kind", "label", "start", "end", "text"),
        by=("item_id", "kind", "start", "end", "label"),
        atol=0,
    )
