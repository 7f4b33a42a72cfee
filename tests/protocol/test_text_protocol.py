"""TextAnnotator driven through its page protocol: UTF-16 offsets in, exact str offsets out."""

from __future__ import annotations

import math
import sqlite3
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nblabel as nl
from nblabel import schema

EMOJI_DOC = "Zoë 👩‍💻 met Ana in Zürich 🇨🇭 on\r\n\tמונה 🎉!"
DOCS = ["Ada Lovelace met Charles Babbage in London.", EMOJI_DOC, "A <script>x</script> &amp;"]


def make(tmp_path: Path, items: object = None, **kw: object) -> nl.TextAnnotator:
    kw.setdefault("labels", ["PER", "LOC"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.TextAnnotator(DOCS if items is None else items, **kw)  # type: ignore[arg-type]


def u16(text: str, cp: int) -> int:
    """A code point offset as the browser counts it (UTF-16 units)."""
    return len(text[:cp].encode("utf-16-le")) // 2


def span(text: str, piece: str, label: str, nth: int = 0, ident: str | None = None) -> dict:
    """The row the page sends for `piece` of `text`, in UTF-16 units."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return {
        "id": ident or uuid.uuid4().hex,
        "kind": "span",
        "label": label,
        "start": u16(text, start),
        "end": u16(text, start + len(piece)),
    }


def test_hello_sends_utf8_text_and_utf16_token_offsets(tmp_path, drive):
    w = make(tmp_path, [EMOJI_DOC])
    page = drive(w)
    page.hello()
    message, buffers = page.item_at(0)
    assert message["media"] is True
    item = message["item"]
    assert item["id"].startswith("text-")
    assert item["name"] == item["id"]  # named by its id: its words are on the page below
    assert (item["length"], item["length16"]) == (
        len(EMOJI_DOC),
        len(EMOJI_DOC.encode("utf-16-le")) // 2,
    )
    text_buf, token_buf = buffers
    assert text_buf.decode("utf-8") == EMOJI_DOC
    tokens = np.frombuffer(token_buf, dtype="<i4").reshape(-1, 2)
    browser = EMOJI_DOC.encode("utf-16-le")
    words = [browser[2 * s : 2 * e].decode("utf-16-le") for s, e in tokens]
    assert words == ["Zoë", "👩‍💻", "met", "Ana", "in", "Zürich", "🇨🇭", "on", "מונה", "🎉", "!"]


def test_spans_on_emoji_text_store_exact_python_offsets(tmp_path, drive):
    w = make(tmp_path, [EMOJI_DOC])
    page = drive(w)
    page.hello()
    item_id = w.item_ids[0]
    first = span(EMOJI_DOC, "Zürich 🇨🇭", "LOC")
    inner = span(EMOJI_DOC, "Zürich", "LOC")
    person = span(EMOJI_DOC, "👩‍💻 met Ana", "PER")
    for row in (first, inner, person):
        assert page.edit(item_id, [row])["type"] == "saved"
    df = w.annotations.sort_values("start")
    schema.validate(df)
    for _, row in df.iterrows():
        assert row["text"] == EMOJI_DOC[int(row["start"]) : int(row["end"])]
    assert df["text"].tolist() == ["👩‍💻 met Ana", "Zürich 🇨🇭", "Zürich"]
    assert df["kind"].astype(str).tolist() == ["span"] * 3
    start = EMOJI_DOC.index("Zürich")
    assert df["start"].tolist()[1:] == [start, start]
    assert df["end"].tolist()[1:] == [start + len("Zürich 🇨🇭"), start + len("Zürich")]
    # What the page gets back is in its own units again.
    page.clear()
    page.goto(0)
    rows = {r["id"]: r for r in page.item_at(0)[0]["rows"]}
    assert (rows[first["id"]]["start"], rows[first["id"]]["end"]) == (first["start"], first["end"])
    assert rows[first["id"]]["text"] == "Zürich 🇨🇭"


def test_the_page_text_is_never_trusted(tmp_path, drive):
    w = make(tmp_path)
    page = drive(w)
    row = {**span(DOCS[0], "London", "LOC"), "text": "<b>not this</b>"}
    assert page.edit(w.item_ids[0], [row])["type"] == "saved"
    assert w.annotations["text"].tolist() == ["London"]


def test_relabel_delete_and_doc_labels(tmp_path, drive):
    w = make(tmp_path, doc_labels=["news", "fiction"])
    page = drive(w)
    item = w.item_ids[0]
    row = span(DOCS[0], "London", "PER")
    page.edit(item, [row])
    page.edit(item, [{**row, "label": "LOC"}])
    assert w.annotations[["label", "text"]].to_numpy().tolist() == [["LOC", "London"]]
    doc = {"id": "d1", "kind": "label", "label": "news"}
    assert page.edit(item, [doc])["type"] == "saved"
    # single-label documents: a second document label is refused, naming the item
    answer = page.edit(item, [{"id": "d2", "kind": "label", "label": "fiction"}])
    assert answer["type"] == "rejected"
    assert item in answer["message"]
    assert "one label per item" in answer["message"]
    df = w.annotations
    labels = df.loc[df["kind"] == "label"]
    assert labels["label"].tolist() == ["news"]
    assert labels["start"].isna().all()
    page.edit(item, [], delete=[row["id"]])
    assert w.annotations["kind"].astype(str).tolist() == ["label"]
    assert w.n_done == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"kind": "span", "label": "ORG", "start": 0, "end": 3},
            "'ORG' is not allowed on a 'span' annotation",
        ),
        ({"kind": "label", "label": "PER"}, "'PER' is not allowed on a 'label' annotation"),
        ({"kind": "span", "label": "PER", "start": 5, "end": 2}, "span 5-2 (UTF-16) is not inside"),
        ({"kind": "span", "label": "PER", "start": 0, "end": 999}, "span 0-999"),
        ({"kind": "span", "label": "PER", "start": -1, "end": 2}, "span -1-2"),
        ({"kind": "span", "label": "PER", "start": 1.5, "end": 3}, "whole number"),
        ({"kind": "span", "label": "PER", "start": "0", "end": 3}, "whole number"),
        ({"kind": "span", "label": "PER", "end": 3}, "whole number, got None"),
        ({"kind": "span", "label": "PER", "start": 4, "end": 5}, "splits a character"),
        (
            {"kind": "span", "label": "PER", "start": 0, "end": 2, "x": 3},
            "do not apply to a 'span'",
        ),
        ({"kind": "box", "label": "PER"}, "kind 'box' is not one of"),
    ],
)
def test_bad_edits_are_rejected_naming_the_item(tmp_path, drive, row, message):
    w = make(tmp_path, ["Zoë 👩 met"], doc_labels=["news"])
    page = drive(w)
    answer = page.edit(w.item_ids[0], [{"id": "r1", **row}])
    assert answer["type"] == "rejected"
    assert message in answer["message"]
    assert w.item_ids[0] in answer["message"]
    assert len(w.annotations) == 0


def test_the_same_span_twice_is_refused(tmp_path, drive):
    w = make(tmp_path)
    page = drive(w)
    item = w.item_ids[0]
    page.edit(item, [span(DOCS[0], "Ada", "PER")])
    answer = page.edit(item, [span(DOCS[0], "Ada", "PER")])
    assert answer["type"] == "rejected"
    assert "the same 'PER' span at 0-3 twice" in answer["message"]
    assert len(answer["rows"]) == 1


def test_items_from_series_and_dataframe_with_metadata(tmp_path, drive):
    series = pd.Series(["Ada in London", "Bob"], index=["doc-a", "doc-b"])
    w = make(tmp_path, series)
    assert w.item_ids == ["doc-a", "doc-b"]
    frame = pd.DataFrame({"body": ["Ada in London", "Bob"], "src": ["web", "mail"]}, index=[7, 8])
    w2 = make(tmp_path, frame, column="body", store=tmp_path / "b.db")
    page = drive(w2)
    page.hello()
    item = page.item_at(0)[0]["item"]
    assert (item["id"], item["meta"]) == ("7", {"src": "web"})


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["fine", float("nan")], "item 1 is a float; expected a str or UTF-8 bytes"),
        (["fine", None], "item 1 is a NoneType"),
        (pd.Series(["a", 3], index=["x", "y"]), "item 'y' is a int"),
        ("just one str", "got a single str"),
        ([], "no items"),
    ],
)
def test_wrong_item_types_are_named_at_construction(tmp_path, items, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make(tmp_path, items)


def test_bad_documents_show_a_message_and_the_rest_still_works(tmp_path, drive):
    items = ["", "caf\xe9".encode("latin-1"), "ok \ud800 no", "café".encode(), "fine text"]
    w = make(tmp_path, items, doc_labels=["junk"])
    page = drive(w)
    page.hello()
    empty, buffers = page.item_at(0)
    assert empty["item"]["notes"][0].startswith("empty document")
    assert buffers[0] == b""
    assert empty["item"]["name"] == w.item_ids[0]  # the header names a document by its id
    page.goto(1)
    bad = page.item_at(1)[0]["item"]
    assert "not UTF-8 text (byte 0xe9 at position 3" in bad["error"]
    assert w.item_ids[1] in bad["error"]
    page.goto(2)
    assert "unpaired surrogate (U+D800) at index 3" in page.item_at(2)[0]["item"]["error"]
    page.goto(3)
    assert page.item_at(3)[1][0].decode() == "café"
    assert w.n_errors == 2
    assert set(w.errors) == {w.item_ids[1], w.item_ids[2]}
    # Document labels still work on an empty and an unreadable item; spans are refused there.
    assert (
        page.edit(w.item_ids[0], [{"id": "a", "kind": "label", "label": "junk"}])["type"] == "saved"
    )
    assert (
        page.edit(w.item_ids[1], [{"id": "b", "kind": "label", "label": "junk"}])["type"] == "saved"
    )
    answer = page.edit(
        w.item_ids[1], [{"id": "c", "kind": "span", "label": "PER", "start": 0, "end": 1}]
    )
    assert "no spans on this item" in answer["message"]
    assert page.edit(w.item_ids[3], [span("café", "café", "LOC")])["type"] == "saved"
    assert w.text_of(w.item_ids[3]) == "café"
    assert sorted(w.annotations["kind"].astype(str)) == ["label", "label", "span"]


def test_predictions_become_utf16_suggestions_and_bad_rows_are_named(tmp_path, drive):
    doc = "🎉 Ada Lovelace 🎉 in London"
    ada = doc.index("Ada")
    predictions = pd.DataFrame(
        {
            "item_id": ["d"] * 6,
            "kind": ["span", "span", "span", "span", "span", "label"],
            "label": ["PER", "LOC", "ORG", "PER", "LOC", "news"],
            "start": [ada, doc.index("London"), 0, 30, 5, math.nan],
            "end": [ada + 12, len(doc), 2, 40, 2, math.nan],
            "score": [0.9, 0.8, 0.5, 0.5, 0.5, 0.7],
        },
        index=["good", "good2", "unknown-label", "out-of-range", "inverted", "doc"],
    )
    with pytest.warns(UserWarning, match="2 of 6 predictions cannot be shown"):
        w = make(
            tmp_path, pd.Series([doc], index=["d"]), doc_labels=["news"], predictions=predictions
        )
    page = drive(w)
    page.hello()
    message = page.item_at(0)[0]
    problems = w.prediction_problems
    assert any("row 'unknown-label'" in p and "'ORG'" in p for p in problems)
    assert any("row 'inverted'" in p and "before start" in p for p in problems)
    late = [p for p in problems if "out-of-range" in p]
    assert late == [
        f"prediction 'prediction-out-of-range' on item 'd': span 30-40 is not inside the text "
        f"(0 to {len(doc)}) with start < end"
    ]
    assert message["item"]["warnings"] == late
    assert sorted(s["label"] for s in message["suggestions"]) == ["LOC", "PER", "news"]
    by_label = {s["label"]: s for s in message["suggestions"]}
    assert (by_label["PER"]["start"], by_label["PER"]["end"]) == (u16(doc, ada), u16(doc, ada + 12))
    # Accepting stores a human span with exact offsets.
    accepted = {**{k: by_label["PER"][k] for k in ("kind", "label", "start", "end")}, "id": "h1"}
    page._send(
        {
            "type": "edit",
            "seq": 99,
            "item_id": "d",
            "upsert": [accepted],
            "delete": [],
            "accepted": [by_label["PER"]["id"]],
        }
    )
    df = w.annotations
    assert df[["text", "source"]].to_numpy().tolist() == [["Ada Lovelace", "human"]]
    assert by_label["PER"]["id"] not in {s["id"] for s in w._page_suggestions("d")}


def test_user_tokens_and_a_broken_tokenizer(tmp_path, drive):
    docs = ["New York-based", "two words"]
    w = make(tmp_path, docs, tokens=[[(0, 8), (8, 9), (9, 14)], [(0, 9), (3, 5)]])
    page = drive(w)
    page.hello()
    tokens = np.frombuffer(page.item_at(0)[1][1], dtype="<i4").tolist()
    assert tokens == [0, 8, 8, 9, 9, 14]
    message, buffers = page.item_at(1)
    assert "overlap; using the built-in tokenizer" in message["item"]["notes"][0]
    assert np.frombuffer(buffers[1], dtype="<i4").tolist() == [0, 3, 4, 9]

    def boom(text: str) -> list[tuple[int, int]]:
        raise RuntimeError("model not loaded")

    w2 = make(tmp_path, docs, tokens=boom, store=tmp_path / "b.db")
    page2 = drive(w2)
    page2.hello()
    assert "tokens failed: model not loaded" in page2.item_at(0)[0]["item"]["notes"][0]
    with pytest.raises(ValueError, match="one list of offsets per item"):
        make(tmp_path, docs, tokens=[[(0, 1)]])
    with pytest.raises(ValueError, match=r"\['nope'\] are not item ids"):
        make(tmp_path, docs, tokens={"nope": []})
    w3 = make(tmp_path, pd.Series(docs, index=["a", "b"]), tokens={"a": [(0, 3)]})
    page3 = drive(w3)
    page3.hello()
    assert np.frombuffer(page3.item_at(0)[1][1], dtype="<i4").tolist() == [0, 3]
    assert np.frombuffer(page3.item_at(1)[1][1], dtype="<i4").tolist() == [0, 3, 4, 9]


def test_work_resumes_from_the_store_in_a_new_widget(tmp_path, drive):
    w = make(tmp_path)
    page = drive(w)
    page.edit(w.item_ids[0], [span(DOCS[0], "Ada Lovelace", "PER")])
    w.close()
    again = make(tmp_path)
    assert again.position == 1
    assert again.n_done == 1
    assert again.annotations["text"].tolist() == ["Ada Lovelace"]
    with sqlite3.connect(tmp_path / "labels.db") as conn:
        stored = conn.execute("select start, end, text from nblabel_annotations").fetchall()
    assert stored == [(0.0, 12.0, "Ada Lovelace")]


def test_a_megabyte_document_travels_as_binary(tmp_path, drive):
    rng = np.random.default_rng(1)
    words = np.array(["alpha", "βeta", "😀", "naïve", "東京", "\r\n", "x"])
    big = " ".join(rng.choice(words, 250_000))[:1_000_000]
    w = make(tmp_path, [big])
    page = drive(w)
    page.hello()
    message, buffers = page.item_at(0)
    assert buffers[0].decode("utf-8") == big
    assert message["item"]["length"] == len(big)
    assert len(buffers[1]) % 8 == 0
    last = span(big, big[-5:], "PER")
    last["start"], last["end"] = message["item"]["length16"] - 5, message["item"]["length16"]
    if big[-1] == "😀":  # the end must not split the emoji
        last["start"] -= 1
    assert page.edit(w.item_ids[0], [last])["type"] == "saved"
    row = w.annotations.iloc[0]
    assert row["text"] == big[int(row["start"]) : int(row["end"])]
    assert int(row["end"]) == len(big)
