"""The widget contract: the example widget of CONTRIBUTING.md, the message registry, the kinds
table as the only source of field lists, and queues that open without reading every item."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from nblabel import ImageAnnotator, TextAnnotator, schema
from nblabel.items import Item
from nblabel.store import Store
from nblabel.widgets._base import Annotator, Payload, handles

from .example.word_widget import WordAnnotator


def test_example_widget_labels_comments_and_answers_its_own_message(tmp_path, drive):
    db = tmp_path / "words.db"
    w = WordAnnotator(
        ["apple", "kiwi", "fig"],
        labels=["fruit", "other"],
        annotator="ana",
        store=db,
        comments=True,
    )
    page = drive(w)
    page.hello()
    message, buffers = page.item_at(0)
    assert message["item"]["name"] == "apple"
    assert buffers == [b"apple"]
    assert page.label("word-apple", "fruit")["type"] == "saved"
    note = {"id": "c1", "kind": "comment", "label": "comment", "text": "ask a botanist"}
    assert page.edit("word-kiwi", [note])["type"] == "saved"
    blank = {"id": "c2", "kind": "comment", "label": "comment", "text": "  "}
    answer = page.edit("word-fig", [blank])
    assert answer["type"] == "rejected"
    assert "a comment needs some text" in answer["message"]
    page._send({"type": "count", "item_id": "word-kiwi"})
    assert page.sent[-1][0] == {"type": "count", "letters": 4}
    df = Store(db).annotations()
    assert sorted(zip(df["item_id"], df["kind"], df["text"].fillna(""), strict=True)) == [
        ("word-apple", "label", ""),
        ("word-kiwi", "comment", "ask a botanist"),
    ]
    assert w.n_done == 2


def test_example_widget_without_comments_refuses_them(tmp_path, drive):
    w = WordAnnotator(["apple"], labels=["fruit"], annotator="ana", store=tmp_path / "w.db")
    assert w.kinds == ("label",)
    assert WordAnnotator.KINDS == ("label", "comment")
    page = drive(w)
    note = {"id": "c1", "kind": "comment", "label": "comment", "text": "hm"}
    answer = page.edit("word-apple", [note])
    assert answer["type"] == "rejected"
    assert "kind 'comment' is not one of ['label']" in answer["message"]
    assert Store(tmp_path / "w.db").annotations().empty


def test_example_widget_names_a_blank_item_and_goes_on(tmp_path, drive):
    w = WordAnnotator([" ", "fig"], labels=["fruit"], annotator="ana", store=tmp_path / "w.db")
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    assert message["item"]["error"] == "item 'word- ' is a blank word"
    page.goto(1)
    assert page.item_at(1)[0]["item"]["name"] == "fig"
    assert w.errors == {"word- ": "item 'word- ' is a blank word"}


def test_message_types_are_registered_not_dispatched_by_hand():
    assert sorted(Annotator.message_types()) == ["accept", "edit", "goto", "hello", "unlabeled"]
    assert sorted(WordAnnotator.message_types()) == [
        "accept",
        "count",
        "edit",
        "goto",
        "hello",
        "unlabeled",
    ]
    from nblabel import AudioAnnotator

    assert "audio" in AudioAnnotator.message_types()
    for cls in (ImageAnnotator, TextAnnotator, AudioAnnotator, WordAnnotator):
        assert "_on_message" not in vars(cls), f"{cls.__name__} overrides the dispatch"


def test_two_handlers_for_one_message_type_is_an_error_at_class_creation():
    with pytest.raises(TypeError, match="message type 'edit' has two handlers"):

        class Twice(Annotator):
            @handles("edit")
            def _my_edit(self, content: Any, buffers: Any) -> None:
                pass


def test_a_kind_outside_the_kinds_table_is_an_error_at_class_creation():
    with pytest.raises(TypeError, match=r"\['sketch'\] are not kinds"):

        class Sketchy(Annotator):
            KINDS: ClassVar[tuple[str, ...]] = ("label", "sketch")


def test_unknown_message_types_are_logged_and_the_widget_goes_on(tmp_path, drive, caplog):
    w = WordAnnotator(["apple"], labels=["fruit"], annotator="ana", store=tmp_path / "w.db")
    page = drive(w)
    page._send({"type": "no-such-thing"})
    assert "unknown type 'no-such-thing'" in caplog.text
    assert page.label("word-apple", "fruit")["type"] == "saved"


def test_kinds_per_instance_leave_the_class_alone(photos, tmp_path):
    boxes = ImageAnnotator(photos, labels=["cat"], tools=["box"], store=tmp_path / "a.db")
    plain = ImageAnnotator(photos, labels=["cat"], store=tmp_path / "a.db")
    assert boxes.kinds == ("label", "box", "skip", "comment")
    assert plain.kinds == ("label", "skip", "comment")
    assert ImageAnnotator.KINDS == (
        "label", "box", "polygon", "mask", "point", "skip", "comment", "relation",
    )  # fmt: skip
    boxes.close()
    plain.close()


def test_page_fields_come_from_the_kinds_table():
    assert schema.page_fields(["box"]) == {
        "id",
        "kind",
        "label",
        "x",
        "y",
        "width",
        "height",
        "frame",
        "track_id",
        "outside",
    }
    assert schema.page_fields(["span"]) == {"id", "kind", "label", "start", "end", "text"}
    # Kernel-filled columns never come from a page.
    every = schema.page_fields(schema.KINDS)
    assert not every & {"image_width", "image_height", "item_id", "annotator", "source"}
    for spec in schema.KIND_SPECS.values():
        assert set(spec.columns) <= set(schema.COLUMN_NAMES), spec.name
        assert set(spec.kernel) <= set(spec.columns), spec.name


def test_a_box_with_a_track_sent_by_a_page_is_stored_with_it(photos, tmp_path, drive):
    w = ImageAnnotator(
        photos, labels=["car"], tools=["box"], store=tmp_path / "t.db", annotator="ana"
    )
    page = drive(w)
    page.hello()
    page.item_at(0)
    box = {
        "id": "b",
        "kind": "box",
        "label": "car",
        "x": 1,
        "y": 2,
        "width": 3,
        "height": 4,
        "frame": 7,
        "track_id": "t1",
        "outside": False,
    }
    assert page.edit(photos[0], [box])["type"] == "saved"
    row = w.annotations.iloc[0]
    assert (row["frame"], row["track_id"], bool(row["outside"])) == (7, "t1", False)


def test_a_generator_of_items_is_read_lazily(tmp_path, drive):
    pulled: list[int] = []

    def words() -> Iterator[str]:
        for i in itertools.count():
            pulled.append(i)
            yield f"w{i}"

    w = WordAnnotator(words(), labels=["x"], annotator="ana", store=tmp_path / "g.db")
    assert len(pulled) <= 2 * WordAnnotator.CACHE + 256 + 1  # one chunk, not the endless rest
    assert w.n_items == len(w.item_ids)
    page = drive(w)
    page.hello()
    page.goto(600)  # past the first chunk: read on as the queue advances
    assert page.item_at(600)[0]["item"]["name"] == "w600"
    assert w.n_items >= 601
    assert len(pulled) < 2000


def test_open_resumes_at_the_first_unlabeled_item_from_one_aggregate(tmp_path, drive):
    db = tmp_path / "r.db"
    words = [f"w{i}" for i in range(1000)]
    Store(db).upsert(
        [
            {"item_id": f"word-w{i}", "annotator": "ana", "kind": "label", "label": "x"}
            for i in range(500)
        ]
        + [{"item_id": "word-w700", "annotator": "bob", "kind": "label", "label": "x"}]
    )
    w = WordAnnotator(words, labels=["x"], annotator="ana", store=db)
    assert (w.position, w.n_done, w.n_items) == (500, 500, 1000)
    assert not w._rows  # no item's rows were read to open
    bob = WordAnnotator(words, labels=["x"], annotator="bob", store=db)
    assert (bob.position, bob.n_done) == (0, 1)


class _Minimal(Annotator):
    """A widget that implements nothing but _load: every other hook has a working default."""

    _esm = "export default { render() {} };"

    def _load(self, item: Item) -> Payload:
        return {}, []


def test_a_widget_needs_only_load(tmp_path, drive):
    from nblabel.items import ItemQueue

    from .example.word_widget import WORD_SOURCES

    w = _Minimal(
        ItemQueue(["a", "b"], WORD_SOURCES),
        labels=["x"],
        annotator="ana",
        store=tmp_path / "m.db",
        multi_label=False,
        advance=True,
    )
    page = drive(w)
    assert page.label("word-a", "x")["type"] == "saved"
    assert w.n_done == 1


def test_saved_answers_carry_the_count_of_saved_edits_for_the_page_to_sync(tmp_path, drive):
    # The page copies it into the saved_edits trait (a change that comes from the page is
    # what makes marimo re-run the cells that read the widget); a rejected edit counts not.
    w = WordAnnotator(
        ["apple", "kiwi"], labels=["fruit", "other"], annotator="ana", store=tmp_path / "w.db"
    )
    page = drive(w)
    page.hello()
    assert w.saved_edits == 0
    assert page.label("word-apple", "fruit")["saved_edits"] == 1
    assert page.label("word-kiwi", "other")["saved_edits"] == 2
    bad = page.edit("word-kiwi", [{"id": "x", "kind": "label", "label": "nope"}])
    assert bad["type"] == "rejected"
    assert "saved_edits" not in bad
    assert page.label("word-apple", "other")["saved_edits"] == 3
    w.set_state({"saved_edits": 3})  # what the page sends back
    assert w.saved_edits == 3
