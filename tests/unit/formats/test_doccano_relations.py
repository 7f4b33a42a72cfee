"""doccano's relation export (entities and relations): the fixture, round trips, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from nblabel import qa, schema
from nblabel.formats import FormatError, read_spans_jsonl, write_spans_jsonl

# doccano's "Sequence labeling with relations" JSONL export, as documented
RELATIONS = [
    {
        "id": 1000,
        "text": "Google was founded on September 4, 1998, by Larry Page and Sergey Brin.",
        "entities": [
            {"id": 17, "label": "ORG", "start_offset": 0, "end_offset": 6},
            {"id": 18, "label": "DATE", "start_offset": 22, "end_offset": 39},
            {"id": 19, "label": "PERSON", "start_offset": 44, "end_offset": 54},
            {"id": 20, "label": "PERSON", "start_offset": 59, "end_offset": 70},
        ],
        "relations": [
            {"id": 20, "from_id": 17, "to_id": 19, "type": "foundedBy"},
            {"id": 21, "from_id": 17, "to_id": 20, "type": "foundedBy"},
            {"id": 22, "from_id": 17, "to_id": 18, "type": "foundedAt"},
        ],
    },
    {"id": 1001, "text": "Nothing linked here.", "entities": [], "relations": []},
]


def write_lines(path: Path, objs: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objs))
    return path


def links(df: pd.DataFrame) -> set[tuple[str, str, str, str]]:
    """Each relation as (item, from text, to text, type): what survives a round trip."""
    text = df.set_index("id")["text"]
    rel = df[df["kind"] == "relation"]
    return {
        (str(r.item_id), str(text[r.from_id]), str(text[r.to_id]), str(r.label))
        for r in rel.itertuples()
    }


def test_the_relation_fixture_reads_spans_and_relations_by_span_id(tmp_path: Path) -> None:
    texts, df = read_spans_jsonl(write_lines(tmp_path / "r.jsonl", RELATIONS))
    schema.validate(df)
    assert list(texts.index) == ["1000", "1001"]
    spans = df[df["kind"] == "span"].sort_values("start")
    assert spans["text"].tolist() == ["Google", "September 4, 1998", "Larry Page", "Sergey Brin"]
    assert links(df) == {
        ("1000", "Google", "Larry Page", "foundedBy"),
        ("1000", "Google", "Sergey Brin", "foundedBy"),
        ("1000", "Google", "September 4, 1998", "foundedAt"),
    }
    assert set(df.loc[df["kind"] == "relation", "from_id"]) <= set(spans["id"])


def test_relations_round_trip_through_doccano(tmp_path: Path) -> None:
    texts, df = read_spans_jsonl(write_lines(tmp_path / "in.jsonl", RELATIONS))
    path = write_spans_jsonl(df, texts, tmp_path / "out.jsonl")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [sorted(line) for line in lines] == [["entities", "id", "relations", "text"]] * 2
    first = lines[0]
    by_id = {e["id"]: e for e in first["entities"]}
    assert {
        (by_id[r["from_id"]]["start_offset"], by_id[r["to_id"]]["start_offset"], r["type"])
        for r in first["relations"]
    } == {(0, 44, "foundedBy"), (0, 59, "foundedBy"), (0, 22, "foundedAt")}
    texts2, back = read_spans_jsonl(path)
    pd.testing.assert_series_equal(texts2, texts)
    assert links(back) == links(df)
    # the same relations by QA's own measure: every one agrees
    both = pd.concat([df.assign(annotator="a"), back.assign(annotator="b")], ignore_index=True)
    both["id"] = both["annotator"] + ":" + both["id"]
    for end in ("from_id", "to_id"):
        has = both[end].notna()
        both.loc[has, end] = both.loc[has, "annotator"] + ":" + both.loc[has, end]
    row = qa.relation_agreement(both).iloc[0]
    assert (row["n_a"], row["n_b"], row["matches"]) == (3, 3, 3)


def test_a_frame_of_the_widget_s_shape_writes_and_reads_back(tmp_path: Path) -> None:
    text = "Zoë 👩‍💻 works for Acme in Zürich 🇨🇭."

    def at(piece: str) -> dict[str, int]:
        return {"start": text.index(piece), "end": text.index(piece) + len(piece)}

    rows = [
        {"id": "s1", "kind": "span", "label": "PER", **at("👩‍💻")},
        {"id": "s2", "kind": "span", "label": "ORG", **at("Acme")},
        {"id": "s3", "kind": "span", "label": "LOC", **at("Zürich 🇨🇭")},
        {"id": "r1", "kind": "relation", "label": "works_for", "from_id": "s1", "to_id": "s2"},
        {"id": "r2", "kind": "relation", "label": "located_in", "from_id": "s2", "to_id": "s3"},
    ]
    df = schema.from_records(
        [
            {
                **r,
                "item_id": "doc",
                "annotator": "ana",
                "source": "human",
                "text": text[r["start"] : r["end"]] if r["kind"] == "span" else None,
            }
            for r in rows
        ]
    )
    path = write_spans_jsonl(df, {"doc": text}, tmp_path / "w.jsonl")
    _texts, back = read_spans_jsonl(path)
    assert (
        links(back)
        == links(df)
        == {
            ("doc", "👩‍💻", "Acme", "works_for"),
            ("doc", "Acme", "Zürich 🇨🇭", "located_in"),
        }
    )


@pytest.mark.parametrize(
    ("line", "match"),
    [
        (
            {
                "text": "ab",
                "entities": [{"id": 1, "label": "X", "start_offset": 0, "end_offset": 1}],
                "relations": [{"id": 1, "from_id": 1, "to_id": 9, "type": "r"}],
            },
            r"line 1 relations\[0\]\.to_id: 9 is not the id of an entity",
        ),
        (
            {
                "text": "ab",
                "entities": [
                    {"id": 1, "label": "X", "start_offset": 0, "end_offset": 1},
                    {"id": 1, "label": "Y", "start_offset": 1, "end_offset": 2},
                ],
                "relations": [],
            },
            r"line 1 entities\[1\]\.id: missing or repeated entity id",
        ),
        (
            {
                "text": "ab",
                "entities": [{"id": 1, "label": "X", "start_offset": 0, "end_offset": 5}],
            },
            r"line 1 entities\[0\]: 0-5 is not inside",
        ),
        (
            {
                "text": "ab",
                "entities": [
                    {"id": 1, "label": "X", "start_offset": 0, "end_offset": 1},
                    {"id": 2, "label": "X", "start_offset": 1, "end_offset": 2},
                ],
                "relations": [{"id": 1, "from_id": 1, "to_id": 2}],
            },
            r"line 1 relations\[0\]\.type: missing type",
        ),
    ],
)
def test_bad_relation_lines_name_the_line_and_field(tmp_path: Path, line: dict, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        read_spans_jsonl(write_lines(tmp_path / "bad.jsonl", [line]))


def test_writing_a_relation_whose_end_is_not_a_span_of_its_item_is_refused(tmp_path: Path) -> None:
    df = schema.from_records(
        [
            {
                "source": "human",
                "id": "s1",
                "item_id": "a",
                "annotator": "x",
                "kind": "span",
                "label": "P",
                "start": 0,
                "end": 1,
                "text": "A",
            },
            {
                "source": "human",
                "id": "s2",
                "item_id": "b",
                "annotator": "x",
                "kind": "span",
                "label": "P",
                "start": 0,
                "end": 1,
                "text": "B",
            },
            {
                "source": "human",
                "id": "r1",
                "item_id": "a",
                "annotator": "x",
                "kind": "relation",
                "label": "r",
                "from_id": "s1",
                "to_id": "s2",
            },
        ]
    )
    with pytest.raises(
        FormatError, match=r"relation 'r1': its to_id 's2' is not a span of item 'a'"
    ):
        write_spans_jsonl(df, {"a": "A", "b": "B"}, tmp_path / "o.jsonl")
    assert not (tmp_path / "o.jsonl").exists()
    with pytest.raises(FormatError, match=r"prodigy JSONL carries only \['span', 'label'\]"):
        write_spans_jsonl(df, {"a": "A", "b": "B"}, tmp_path / "p.jsonl", flavor="prodigy")
