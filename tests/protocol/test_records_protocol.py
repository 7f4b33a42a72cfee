"""RecordAnnotator driven through its page protocol: DataFrame rows in, store and DataFrame out."""

from __future__ import annotations

import datetime
import json
import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nblabel as nl
from nblabel.widgets.records import format_value


@pytest.fixture
def transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "amount": [12.5, 2400.0, 87.25, np.nan],
            "merchant": ["Corner café", "Électro <b>Store</b>", "Books & Co", "Fuel"],
            "when": pd.to_datetime(
                [
                    "2024-03-01 14:05:09",
                    "2024-03-02 00:00:00",
                    "2024-03-02 09:30:00",
                    "2024-03-03 00:00:00",
                ]
            ),
            "online": [False, True, True, False],
            "items": pd.array([1, 3, None, 2], dtype="Int64"),
            "note": ["", "long " * 400, "ok", None],
            "card_id": ["c1", "c2", "c1", "c3"],
        },
        index=pd.Index(["tx1", "tx2", "tx3", "tx4"], name="tx"),
    )


def make(df: pd.DataFrame, tmp_path: Path, **kw: object) -> nl.RecordAnnotator:
    kw.setdefault("labels", ["ok", "fraud", "unsure"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.RecordAnnotator(df, **kw)  # type: ignore[arg-type]


def card_of(buffers: list[bytes]) -> dict:
    assert len(buffers) == 1
    return json.loads(buffers[0].decode("utf-8"))


def by_name(entries: list[dict]) -> dict[str, dict]:
    return {e["name"]: e for e in entries}


def test_hello_sends_the_row_as_a_card_formatted_by_dtype(transactions, tmp_path, drive):
    w = make(transactions, tmp_path, context=["card_id"])
    page = drive(w)
    page.hello()
    message, buffers = page.item_at(1)  # prefetched
    assert message["item"]["id"] == "tx2"
    assert message["item"]["name"] == "row tx2"
    assert message["media"] is True
    card = card_of(buffers)
    fields = by_name(card["fields"])
    assert list(fields) == ["amount", "merchant", "when", "online", "items", "note"]
    assert (fields["amount"]["text"], fields["amount"]["kind"]) == ("2,400", "float")
    assert fields["merchant"]["text"] == "Électro <b>Store</b>"  # text, never HTML
    # A column with times shows the time on every row, midnight too.
    assert (fields["when"]["text"], fields["when"]["kind"]) == ("2024-03-02 00:00:00", "datetime")
    assert (fields["online"]["text"], fields["online"]["kind"]) == ("yes", "bool")
    assert (fields["items"]["text"], fields["items"]["kind"]) == ("3", "int")
    assert fields["note"]["text"] == "long " * 400  # long text whole; the page wraps it
    assert card["context"] == [
        {"name": "card_id", "text": "c2", "kind": "text", "highlight": False}
    ]
    assert card["flag"] is None
    first = by_name(card_of(page.item_at(0)[1])["fields"])
    assert first["when"]["text"] == "2024-03-01 14:05:09"
    assert first["amount"]["text"] == "12.5"
    last = w.card("tx4")["fields"]
    assert [(f["name"], f["kind"]) for f in last if f["kind"] == "missing"] == [
        ("amount", "missing"),
        ("note", "missing"),
    ]
    third = by_name(w.card("tx3")["fields"])
    assert (third["items"]["text"], third["items"]["kind"]) == ("—", "missing")


def test_a_column_of_midnights_is_a_column_of_dates(tmp_path):
    df = pd.DataFrame(
        {"day": pd.to_datetime(["2024-03-01", None, "2024-03-03"]), "n": [1, 2, 3]},
        index=["a", "b", "c"],
    )
    w = make(df, tmp_path)
    assert w.card("a")["fields"][0] == {
        "name": "day",
        "text": "2024-03-01",
        "kind": "date",
        "highlight": False,
    }
    assert w.card("b")["fields"][0]["kind"] == "missing"
    w.close()


def test_fields_choose_and_order_the_card(transactions, tmp_path):
    w = make(transactions, tmp_path, fields=["online", "amount"], context=["card_id", "when"])
    card = w.card("tx1")
    assert [f["name"] for f in card["fields"]] == ["online", "amount"]
    assert [f["name"] for f in card["context"]] == ["card_id", "when"]
    assert (w.fields, w.context) == (["online", "amount"], ["card_id", "when"])
    w.close()


def test_a_highlight_function_marks_fields(transactions, tmp_path):
    seen: list[str] = []

    def large(row: pd.Series) -> set[str]:
        seen.append(str(row.name))
        return {"amount"} if row["amount"] > 1000 else set()

    w = make(transactions, tmp_path, highlight=large)
    assert seen == []  # nothing is formatted before it is shown
    marked = {f["name"] for f in w.card("tx2")["fields"] if f["highlight"]}
    assert marked == {"amount"}
    assert not any(f["highlight"] for f in w.card("tx1")["fields"])
    assert seen == ["tx2", "tx1"]
    w.close()


def test_a_highlight_column_flags_the_whole_card(transactions, tmp_path):
    w = make(transactions, tmp_path, highlight="online")
    assert w.card("tx2")["flag"] == "online"
    assert w.card("tx1")["flag"] is None
    w.close()


def test_a_broken_highlight_names_the_row_and_the_queue_goes_on(transactions, tmp_path, drive):
    def bad(row: pd.Series) -> set[str]:
        if row.name == "tx1":
            return {"no_such_field"}
        return set()

    w = make(transactions, tmp_path, highlight=bad)
    page = drive(w)
    page.hello()
    message, buffers = page.item_at(0)
    assert buffers == []
    assert "row 'tx1'" in message["item"]["error"]
    assert "no_such_field" in message["item"]["error"]
    assert w.errors.keys() == {"tx1"}
    page.goto(1)
    assert card_of(page.item_at(1)[1])["fields"][0]["name"] == "amount"


def test_labels_by_the_shared_protocol_land_in_the_store(transactions, tmp_path, drive):
    db = tmp_path / "labels.db"
    w = make(transactions, tmp_path)
    page = drive(w)
    page.hello()
    assert page.label("tx1", "ok")["type"] == "saved"
    assert page.label("tx2", "fraud")["type"] == "saved"
    assert page.label("tx2", "unsure")["type"] == "saved"  # replaces fraud
    with sqlite3.connect(db) as conn:
        live = conn.execute(
            "select item_id, annotator, kind, label from nblabel_annotations "
            "where not deleted order by item_id"
        ).fetchall()
    assert live == [("tx1", "ana", "label", "ok"), ("tx2", "ana", "label", "unsure")]
    df = w.annotations
    assert sorted(zip(df["item_id"], df["label"], strict=True)) == [
        ("tx1", "ok"),
        ("tx2", "unsure"),
    ]
    assert (df["elapsed"] > 0).all()
    assert w.n_done == 2
    # A second label on a single-label widget is refused and nothing changes.
    answer = page.edit("tx1", [{"id": "x2", "kind": "label", "label": "fraud"}])
    assert answer["type"] == "rejected"
    assert "one label per item" in answer["message"]
    assert len(w.annotations) == 2
    # A label that is not one of the labels is refused.
    answer = page.edit("tx3", [{"id": "x3", "kind": "label", "label": "stolen"}])
    assert answer["type"] == "rejected"
    assert "'stolen'" in answer["message"]


def test_multi_label_and_resume(transactions, tmp_path, drive):
    w = make(transactions, tmp_path, multi_label=True)
    assert w.advance is False
    page = drive(w)
    page.edit("tx1", [{"id": "a", "kind": "label", "label": "ok"}])
    page.edit("tx1", [{"id": "b", "kind": "label", "label": "unsure"}])
    assert sorted(w.annotations["label"]) == ["ok", "unsure"]
    again = make(transactions, tmp_path)
    assert (again.position, again.n_done) == (1, 1)
    again.close()


def test_predictions_are_suggestions(transactions, tmp_path, drive):
    preds = pd.DataFrame(
        {
            "item_id": ["tx2", "tx3"],
            "kind": "label",
            "label": ["fraud", "ok"],
            "score": [0.93, 0.6],
            "annotator": "gbm",
            "source": "model",
        }
    )
    w = make(transactions, tmp_path, predictions=preds)
    page = drive(w)
    page.hello()
    message, _ = page.item_at(1)
    assert [(s["label"], s["score"]) for s in message["suggestions"]] == [("fraud", 0.93)]
    suggestion = message["suggestions"][0]
    page.seq += 1
    page._send(
        {
            "type": "edit",
            "seq": page.seq,
            "item_id": "tx2",
            "upsert": [{"id": "h1", "kind": "label", "label": "fraud"}],
            "delete": [],
            "accepted": [suggestion["id"]],
        }
    )
    assert page.sent[-1][0]["type"] == "saved"
    assert w.annotations[["item_id", "label", "source"]].to_numpy().tolist() == [
        ["tx2", "fraud", "human"]
    ]


def test_integer_and_datetime_indexes_are_ids(tmp_path, drive):
    df = pd.DataFrame({"v": [1.5, 2.5]}, index=[10, 20])
    w = make(df, tmp_path)
    assert w.item_ids == ["10", "20"]
    page = drive(w)
    assert page.label("20", "ok")["type"] == "saved"
    stamps = pd.DataFrame({"v": [1, 2]}, index=pd.to_datetime(["2024-01-01", "2024-01-02"]))
    w2 = make(stamps, tmp_path)
    assert w2.item_ids == ["2024-01-01 00:00:00", "2024-01-02 00:00:00"]
    w2.close()


@pytest.mark.parametrize(
    ("df", "error", "text"),
    [
        (
            pd.DataFrame({"v": [1, 2, 3]}, index=["a", "b", "a"]),
            ValueError,
            "rows 0 and 2 have the same id 'a'",
        ),
        (
            pd.DataFrame({"v": [1, 2]}, index=[1, "1"]),
            ValueError,
            "rows 0 and 1 have the same id '1'",
        ),
        (
            pd.DataFrame({"v": [1, 2, 3]}, index=["a", None, "c"]),
            ValueError,
            "row 1 has a missing index value",
        ),
        (
            pd.DataFrame({"v": [1, 2]}, index=[1.0, np.nan]),
            ValueError,
            "row 1 has a missing index value",
        ),
        (
            pd.DataFrame({"v": [1, 2]}, index=pd.Index([["a"], ["b"]], dtype=object)),
            TypeError,
            "row 0 has the index value ['a'], a list",
        ),
        (pd.DataFrame({"v": []}), ValueError, "df: the DataFrame has no rows"),
        ([{"v": 1}], TypeError, "df: expected a pandas DataFrame, got list"),
    ],
)
def test_bad_record_frames_name_the_row(df, error, text, tmp_path):
    with pytest.raises(error, match=None) as info:
        make(df, tmp_path)
    assert text in str(info.value)
    assert (
        not (tmp_path / "labels.db").exists()
        or nl.Store(tmp_path / "labels.db").annotations().empty
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"fields": ["amount", "nope"]}, ValueError, "fields: 'nope' is not a column of df"),
        ({"fields": []}, ValueError, "fields: name at least one column"),
        ({"context": ["zzz"]}, ValueError, "context: 'zzz' is not a column"),
        ({"fields": ["amount"], "context": ["amount"]}, ValueError, "also in fields"),
        ({"highlight": "merchant"}, TypeError, "must hold booleans"),
        ({"highlight": "nope"}, ValueError, "highlight: 'nope' is not a column"),
        ({"highlight": 3}, TypeError, "highlight: expected a function"),
        ({"labels": []}, ValueError, "labels: give at least one label"),
    ],
)
def test_wrong_arguments_name_the_argument(transactions, tmp_path, kwargs, error, text):
    with pytest.raises(error) as info:
        make(transactions, tmp_path, **kwargs)
    assert text in str(info.value)


def test_duplicate_column_names_are_refused(tmp_path):
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match=r"df: the column name\(s\) \['a'\]"):
        make(df, tmp_path)


def test_a_hundred_thousand_rows_open_without_formatting_them(tmp_path, drive):
    n = 100_000
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"amount": rng.gamma(2, 50, n).round(2), "merchant": rng.choice(["a", "b"], n)},
        index=[f"tx{i}" for i in range(n)],
    )
    formatted: list[object] = []
    w = make(df, tmp_path, highlight=lambda row: formatted.append(row.name) or set())
    assert w.n_items == n
    assert formatted == []  # lazy: no row was formatted to open
    page = drive(w)
    page.hello()
    page.goto(99_999)
    assert page.item_at(99_999)[0]["item"]["id"] == "tx99999"
    deadline = time.monotonic() + 5
    while len(formatted) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    # Shown and prefetched rows only: the first, its neighbours, the last and its neighbour.
    assert 2 <= len(formatted) <= 2 * (w.PREFETCH + 2)


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (1234567, "int", ("1,234,567", "int")),
        (-0.5, "float", ("-0.5", "float")),
        (1234.5678901, "float", ("1,234.56789", "float")),
        (0.1 + 0.2, "float", ("0.3", "float")),
        (3e-7, "float", ("3e-07", "float")),
        (float("inf"), "float", ("∞", "float")),
        (True, "bool", ("yes", "bool")),
        (np.bool_(False), "object", ("no", "bool")),
        (None, "object", ("—", "missing")),
        (pd.NaT, "datetime", ("—", "missing")),
        (
            pd.Timestamp("2024-03-01 08:00", tz="UTC"),
            "datetime",
            ("2024-03-01 08:00:00 UTC", "datetime"),
        ),
        (datetime.date(2024, 3, 1), "object", ("2024-03-01", "date")),
        (datetime.datetime(2024, 3, 1), "object", ("2024-03-01 00:00:00", "datetime")),
        (pd.Timestamp("2024-03-01"), "date", ("2024-03-01", "date")),
        (pd.Timedelta(minutes=90), "timedelta", ("0 days 01:30:00", "timedelta")),
        ({"a": 1}, "object", ('{"a": 1}', "text")),
        ("x" * 10_005, "object", ("x" * 10_000 + "… (5 more characters)", "text")),
    ],
)
def test_format_value(value, kind, expected):
    assert format_value(value, kind) == expected
