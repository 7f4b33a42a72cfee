"""ImageAnnotator driven through its page protocol: messages in, store and DataFrame out."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import nblabel as nl
from nblabel import schema

from .conftest import decode


def make(photos: list[str], tmp_path: Path, **kw: object) -> nl.ImageAnnotator:
    kw.setdefault("labels", ["cat", "dog", "bird"])
    kw.setdefault("annotator", "ana")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.ImageAnnotator(photos, **kw)  # type: ignore[arg-type]


def stored_rows(path: Path) -> list[tuple[str, str, str, int]]:
    """The live rows of the store file, read with plain sqlite3 (not through nblabel)."""
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "select item_id, annotator, label, deleted from nblabel_annotations order by item_id"
        ).fetchall()


def test_hello_sends_the_current_item_with_its_image_as_binary(photos, tmp_path, drive):
    page = drive(make(photos, tmp_path))
    page.hello()
    message, buffers = page.item_at(0)
    assert message["item"]["id"] == photos[0]
    assert message["item"]["name"] == "photo0.jpg"
    assert (message["item"]["width"], message["item"]["height"]) == (80, 60)
    assert message["media"] is True
    assert len(buffers) == 1
    assert decode(buffers[0]).size == (80, 60)
    assert message["rows"] == []


def test_prefetch_sends_the_next_items_without_being_asked(photos, tmp_path, drive):
    page = drive(make(photos, tmp_path))
    page.hello()
    for position in (1, 2):
        message, buffers = page.item_at(position)
        assert message["media"] is True
        assert len(buffers) == 1
    page.clear()
    # The page already holds 0-2: moving to 1 sends its rows but not its image again.
    page.goto(1, cached=[0, 1, 2])
    message, buffers = page.item_at(1)
    assert message["media"] is False
    assert buffers == []
    message, buffers = page.item_at(3)  # and the next one is prefetched
    assert message["media"] is True


def test_a_label_is_stored_before_the_page_is_told_saved(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    answer = page.label(photos[0], "dog")
    assert answer == {"type": "saved", "seq": 1, "item_id": photos[0], "saved_edits": 1}
    assert stored_rows(tmp_path / "labels.db") == [(photos[0], "ana", "dog", 0)]
    df = w.annotations
    assert list(df.columns) == list(schema.COLUMN_NAMES)
    assert len(df) == 1
    row = df.iloc[0]
    assert (row["item_id"], row["label"], row["kind"], row["source"]) == (
        photos[0],
        "dog",
        "label",
        "human",
    )
    assert row["elapsed"] == 1.25
    assert (row["image_width"], row["image_height"]) == (80, 60)
    assert pd.isna(row["score"])
    assert w.n_done == 1
    schema.validate(df)


def test_changing_a_label_replaces_it_and_keeps_history(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    # Both edits must be saved: a rejected first edit would leave one history row.
    assert page.label(photos[0], "cat")["type"] == "saved"
    assert page.label(photos[0], "bird")["type"] == "saved"
    assert w.annotations["label"].tolist() == ["bird"]
    history = w.store.history()
    assert history["op"].tolist() == ["upsert", "delete", "upsert"]
    assert history["label"].tolist() == ["cat", "cat", "bird"]


def test_single_label_widget_rejects_a_second_label_and_sends_the_truth(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.label(photos[0], "cat")
    answer = page.label(photos[0], "dog", replace=False)
    assert answer["type"] == "rejected"
    assert photos[0] in answer["message"]
    assert "one label per item" in answer["message"]
    assert [r["label"] for r in answer["rows"]] == ["cat"]
    assert w.annotations["label"].tolist() == ["cat"]


def test_multi_label_toggles(photos, tmp_path, drive):
    w = make(photos, tmp_path, multi_label=True)
    assert w.advance is False
    page = drive(w)
    page.hello()
    page.label(photos[1], "cat", replace=False)
    page.label(photos[1], "bird", replace=False)
    assert sorted(w.annotations["label"]) == ["bird", "cat"]
    cat_id = next(r["id"] for r in w._rows[photos[1]].values() if r["label"] == "cat")
    assert page.edit(photos[1], delete=[cat_id])["type"] == "saved"
    assert w.annotations["label"].tolist() == ["bird"]
    assert w.n_done == 1


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"id": "x1", "kind": "label", "label": "horse"}, "label 'horse' is not allowed"),
        ({"id": "x2", "kind": "box", "label": "cat"}, "kind 'box' is not one of"),
        ({"id": "x3", "kind": "label", "label": "cat", "color": "red"}, "unknown annotation field"),
        ({"kind": "label", "label": "cat"}, "needs an id"),
    ],
)
def test_bad_edits_are_rejected_with_a_reason_and_nothing_is_written(
    photos, tmp_path, drive, row, expected
):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.label(photos[0], "cat")
    answer = page.edit(photos[0], [row])
    assert answer["type"] == "rejected"
    assert expected in answer["message"]
    assert photos[0] in answer["message"]
    assert w.annotations["label"].tolist() == ["cat"]


def test_edit_on_unknown_item_is_rejected(photos, tmp_path, drive):
    page = drive(make(photos, tmp_path))
    answer = page.edit("nope.jpg", [{"id": "a", "kind": "label", "label": "cat"}])
    assert answer["type"] == "rejected"
    assert "nope.jpg" in answer["message"]


def test_undo_is_the_inverse_edit_and_restores_the_same_row(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.label(photos[0], "cat")
    old = dict(next(iter(w._rows[photos[0]].values())))
    page.label(photos[0], "dog")
    new_id = next(iter(w._rows[photos[0]]))
    # The page's undo: delete the new row, upsert the old one (same id).
    answer = page.edit(photos[0], [{"id": old["id"], "kind": "label", "label": "cat"}], [new_id])
    assert answer["type"] == "saved"
    df = w.annotations
    assert df["id"].tolist() == [old["id"]]
    assert df["label"].tolist() == ["cat"]


def test_a_failed_store_write_is_reported_and_loses_nothing(photos, tmp_path, drive):
    db = tmp_path / "labels.db"
    w = make(photos, tmp_path, store=nl.Store(db, busy_timeout=0.2))
    page = drive(w)
    page.hello()
    page.label(photos[0], "cat")
    # Another process holds the write lock: the next write cannot get in.
    locker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None);"
            "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(5)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None
        assert locker.stdout.readline().strip() == "locked"
        answer = page.label(photos[1], "dog")
    finally:
        locker.kill()
        locker.wait()
    assert answer["type"] == "rejected"
    assert "locked" in answer["message"]
    assert w.annotations["label"].tolist() == ["cat"]
    # The widget keeps working once the database is free again.
    assert page.label(photos[1], "dog")["type"] == "saved"
    assert sorted(w.annotations["label"]) == ["cat", "dog"]


def test_a_new_widget_resumes_at_the_first_unlabeled_item(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    page.hello()
    page.label(photos[0], "cat")
    page.label(photos[1], "dog")
    page.label(photos[3], "bird")
    w2 = make(photos, tmp_path)
    assert w2.position == 2
    assert w2.n_done == 3
    page2 = drive(w2)
    page2.goto(3)
    message, _ = page2.item_at(3)
    assert [r["label"] for r in message["rows"]] == ["bird"]
    assert sorted(w2.annotations["label"]) == ["bird", "cat", "dog"]
    # Another annotator on the same store starts from scratch and sees only their rows.
    w3 = make(photos, tmp_path, annotator="ben")
    assert (w3.position, w3.n_done, len(w3.annotations)) == (0, 0, 0)


def test_setting_position_from_python_sends_that_item(photos, tmp_path, drive):
    w = make(photos, tmp_path)
    page = drive(w)
    w.position = 4
    message, buffers = page.item_at(4)
    assert message["item"]["id"] == photos[4]
    assert len(buffers) == 1
    w.next()
    assert w.position == 4  # the last item stays the last
    w.previous()
    assert w.current_item == photos[3]


def test_on_save_callbacks_hear_each_edit_and_a_failing_one_loses_nothing(
    photos, tmp_path, drive, caplog
):
    w = make(photos, tmp_path)
    heard = []
    w.on_save(heard.append)

    @w.on_save
    def broken(event):
        raise RuntimeError("user callback bug")

    page = drive(w)
    assert page.label(photos[0], "cat")["type"] == "saved"
    assert heard[0]["item_id"] == photos[0]
    assert len(heard[0]["upserted"]) == 1
    assert "user callback bug" in caplog.text  # shown, not swallowed
    assert w.annotations["label"].tolist() == ["cat"]


def test_bad_items_show_a_message_naming_the_item_and_the_queue_goes_on(tmp_path, drive):
    good = tmp_path / "good.png"
    Image.fromarray(np.zeros((10, 12, 3), np.uint8)).save(good)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(good.read_bytes()[:40])
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    missing = tmp_path / "missing.jpg"
    items = [str(p) for p in (missing, empty, corrupt, text, good)]
    w = make(items, tmp_path)
    page = drive(w)
    page.hello()
    for position, path in enumerate(items[:4]):
        page.goto(position)
        message, buffers = page.item_at(position)
        error = message["item"]["error"]
        assert path in error, error
        assert buffers == []
    page.goto(4)
    message, buffers = page.item_at(4)
    assert "error" not in message["item"]
    assert len(buffers) == 1
    assert set(w.errors) == set(items[:4])
    assert "empty" in w.errors[str(empty)]
    assert "not found" in w.errors[str(missing)]
    assert w.n_errors == 4
    # A broken item can still be labeled (for example as "unusable").
    assert page.label(str(missing), "cat")["type"] == "saved"
    assert w.annotations["item_id"].tolist() == [str(missing)]
    assert pd.isna(w.annotations["image_width"].iloc[0])


def test_a_50_megapixel_photo_travels_downscaled_under_8_mb(tmp_path, drive):
    rng = np.random.default_rng(1)
    height, width = 5773, 8660
    small = (rng.random((height // 8, width // 8, 3)) * 255).astype(np.uint8)
    path = tmp_path / "big.jpg"
    Image.fromarray(small).resize((width, height)).save(path, quality=90)
    w = make([str(path)], tmp_path)
    page = drive(w)
    page.hello()
    message, buffers = page.item_at(0, wait=30)
    assert (message["item"]["width"], message["item"]["height"]) == (width, height)
    assert max(message["item"]["display_width"], message["item"]["display_height"]) <= 2048
    assert len(buffers[0]) < 8 * 1024 * 1024


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"labels": []}, ValueError, "labels"),
        ({"labels": ["cat", "cat"]}, ValueError, "'cat' appears more than once"),
        ({"labels": ["cat", " "]}, ValueError, "labels: entry 1 is empty"),
        ({"labels": "cat"}, TypeError, "labels"),
        ({"labels": ["cat", 3]}, TypeError, "labels: entry 1"),
        ({"annotator": ""}, ValueError, "annotator"),
        ({"annotator": 7}, TypeError, "annotator"),
        ({"store": 3.5}, TypeError, "store"),
        ({"multi_label": "yes"}, TypeError, "multi_label"),
        ({"display_size": 0}, ValueError, "display_size"),
        ({"column": "path"}, ValueError, "column"),
    ],
)
def test_wrong_arguments_name_the_argument(photos, tmp_path, kwargs, error, text):
    with pytest.raises(error, match=text):
        make(photos, tmp_path, **kwargs)


def test_wrong_item_types_name_the_item(tmp_path):
    with pytest.raises(TypeError, match=r"items: item 1 is a int"):
        make(["a.jpg", 5], tmp_path)
    with pytest.raises(TypeError, match="items"):
        make(42, tmp_path)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no items"):
        make([], tmp_path)


def test_items_of_every_kind(tmp_path, drive):
    from PIL import Image as PILImage

    png = tmp_path / "a.png"
    PILImage.fromarray(np.full((8, 9, 3), 200, np.uint8)).save(png)
    items = pd.Series(
        [
            str(png),
            png.read_bytes(),
            np.zeros((5, 6), np.uint16),
            np.ones((4, 3, 4), np.float32),
            PILImage.new("P", (7, 2)),
        ],
        index=["file", "bytes", "u16", "float", "pil"],
    )
    w = make(items, tmp_path)  # type: ignore[arg-type]
    assert w.item_ids == ["file", "bytes", "u16", "float", "pil"]
    page = drive(w)
    sizes = {}
    for position in range(5):
        page.goto(position)
        message, buffers = page.item_at(position)
        assert "error" not in message["item"], message["item"]
        sizes[message["item"]["id"]] = (message["item"]["width"], message["item"]["height"])
        decode(buffers[0])
    assert sizes == {"file": (9, 8), "bytes": (9, 8), "u16": (6, 5), "float": (3, 4), "pil": (7, 2)}


def test_dataframe_items_use_the_index_as_ids_and_show_metadata(photos, tmp_path, drive):
    df = pd.DataFrame({"path": photos[:2], "site": ["<b>north</b>", "south"]}, index=["n1", "s1"])
    w = make(df, tmp_path, column="path")  # type: ignore[arg-type]
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    assert message["item"]["id"] == "n1"
    assert message["item"]["meta"] == {"site": "<b>north</b>"}
    page.label("n1", "cat")
    assert w.annotations["item_id"].tolist() == ["n1"]


def predictions_for(photos: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": [photos[0], photos[0], photos[1], "elsewhere.jpg", photos[2], photos[3]],
            "kind": ["label", "label", "label", "label", "box", "label"],
            "label": ["dog", "cat", "bird", "cat", "cat", "horse"],
            "score": [0.9, 0.3, 0.8, 0.5, 0.7, 0.6],
            "annotator": "resnet",
            "source": "model",
            "x": [None, None, None, None, 1.0, None],
        },
        index=[f"r{i}" for i in range(6)],
    )


def test_predictions_become_suggestions_and_bad_rows_are_named(photos, tmp_path, drive):
    with pytest.warns(UserWarning, match="3 of 6 predictions cannot be shown"):
        w = make(photos, tmp_path, predictions=predictions_for(photos))
    problems = w.prediction_problems
    assert len(problems) == 3
    assert "predictions row 'r3'" in problems[0]
    assert "elsewhere.jpg" in problems[0]
    assert "predictions row 'r4'" in problems[1]
    assert "kind 'box'" in problems[1]
    assert "predictions row 'r5'" in problems[2]
    assert "'horse'" in problems[2]
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    suggested = {s["label"]: s for s in message["suggestions"]}
    assert set(suggested) == {"dog", "cat"}
    assert suggested["dog"]["score"] == 0.9
    assert len(w.annotations) == 0  # predictions are not written to the store


def test_accepting_a_suggestion_stores_a_human_label(photos, tmp_path, drive):
    preds = predictions_for(photos).iloc[:3]
    w = make(photos, tmp_path, predictions=preds)
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    dog = next(s for s in message["suggestions"] if s["label"] == "dog")
    cat = next(s for s in message["suggestions"] if s["label"] == "cat")
    page.seq += 1
    page._send(
        {
            "type": "edit",
            "seq": page.seq,
            "item_id": photos[0],
            "upsert": [{"id": "h1", "kind": "label", "label": "dog"}],
            "delete": [],
            "accepted": [dog["id"]],
            "rejected": [cat["id"]],
            "elapsed": 2.0,
        }
    )
    df = w.annotations
    assert df[["id", "label", "source", "annotator"]].to_numpy().tolist() == [
        ["h1", "dog", "human", "ana"]
    ]
    assert pd.isna(df["score"].iloc[0])
    page.clear()
    page.goto(0, cached=[0])
    message, _ = page.item_at(0)
    assert message["suggestions"] == []
    # Rejecting alone is answered as saved and kept as a "rejection" row (issue 15), which
    # is not one of the widget's annotations.
    message, _ = page.item_at(1)
    bird = message["suggestions"][0]
    page.seq += 1
    page._send(
        {
            "type": "edit",
            "seq": page.seq,
            "item_id": photos[1],
            "upsert": [],
            "delete": [],
            "accepted": [],
            "rejected": [bird["id"]],
        }
    )
    assert page.sent[-1][0]["type"] == "saved"
    rejections = w.store.annotations(kind="rejection")
    assert sorted(zip(rejections["item_id"], rejections["label"], strict=True)) == [
        (photos[0], "cat"),
        (photos[1], "bird"),
    ]
    assert w.annotations["id"].tolist() == ["h1"]


@pytest.mark.parametrize(
    ("predictions", "error", "text"),
    [
        ([1, 2], TypeError, "predictions: expected a DataFrame"),
        (pd.DataFrame({"item_id": ["a"], "label": ["cat"]}), ValueError, "'kind' is missing"),
    ],
)
def test_wrong_predictions_argument(photos, tmp_path, predictions, error, text):
    with pytest.raises(error, match=text):
        make(photos, tmp_path, predictions=predictions)
