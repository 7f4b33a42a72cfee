"""plot_item names the item and the column when it cannot draw what it was given."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import nblabel as nl


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def boxes(item: str = "street.png", **extra: object) -> pd.DataFrame:
    return pd.DataFrame(
        [{"item_id": item, "annotator": "ana", "kind": "box", "label": "car",
          "x": 1.0, "y": 2.0, "width": 3.0, "height": 4.0, **extra}]
    )  # fmt: skip


def test_an_unknown_item_is_an_error_naming_it_and_the_nearest_ids():
    df = boxes("street.png")
    with pytest.raises(
        ValueError,
        match=r"^plot_item: item 'street.jpg' has no rows in df and is not a file; pass the "
        r"item itself as source= .*; did you mean 'street.png'\?$",
    ):
        nl.plot_item(df, "street.jpg")
    with pytest.raises(ValueError, match=r"item 'no-such-item' has no rows in df"):
        nl.plot_item(df, "no-such-item")


def test_an_unknown_item_with_its_text_given_is_drawn_as_that_text():
    ax = nl.plot_item(boxes(), "no-such-item", "the document itself")
    drawn = "".join(t.get_text() for t in ax.texts)
    assert drawn == "the document itself"
    assert ax.get_title(loc="left") == "no-such-item"


def test_an_unannotated_image_file_is_drawn_bare(tmp_path: Path):
    path = tmp_path / "fresh.png"
    Image.new("RGB", (40, 30), "gray").save(path)
    ax = nl.plot_item(boxes(), str(path))
    assert ax.get_images()[0].get_extent() == [0, 40, 30, 0]


def test_spans_need_the_document_text():
    df = pd.DataFrame([{"item_id": "doc-1", "kind": "span", "label": "PER", "start": 0, "end": 3}])
    with pytest.raises(ValueError, match=r"^plot_item: item 'doc-1' is a document with spans; "):
        nl.plot_item(df, "doc-1")


def test_whole_item_labels_alone_need_the_item():
    df = pd.DataFrame([{"item_id": "photo-7", "kind": "label", "label": "cat"}])
    with pytest.raises(ValueError, match=r"^plot_item: item 'photo-7' is not a file and its rows"):
        nl.plot_item(df, "photo-7")


def test_a_box_frame_without_size_columns_gets_the_intended_message():
    with pytest.raises(
        ValueError,
        match=r"^item 'street.png': cannot load the image .* no image_width/image_height",
    ):
        nl.plot_item(boxes(), "street.png")
    # with the sizes, the boxes are drawn on a blank frame of that size
    ax = nl.plot_item(boxes(image_width=50, image_height=40), "street.png")
    assert ax.get_xlim() == (0, 50)
    assert "image not available" in ax.get_title()


@pytest.mark.parametrize(
    ("row", "missing"),
    [
        ({"kind": "box", "x": 1.0, "y": 1.0}, r"\['width', 'height'\]"),
        ({"kind": "polygon"}, r"\['points'\]"),
        ({"kind": "mask"}, r"\['mask'\]"),
        ({"kind": "segment", "start": 0.0}, r"\['end'\]"),
    ],
)
def test_rows_without_their_kind_s_columns_name_the_columns(row, missing):
    df = pd.DataFrame([{"item_id": "it", "label": "x", **row}])
    with pytest.raises(
        ValueError,
        match=rf"^plot_item: item 'it' has {row['kind']} rows but df has no column"
        rf"\(s\) {missing}; it has \[",
    ):
        nl.plot_item(df, "it", np.zeros((8, 8)))


def test_a_missing_image_path_given_as_source_is_not_drawn_as_text():
    df = boxes("street.png")
    df = df[df["kind"] == "nothing"]  # no rows: the source alone decides
    with pytest.raises(ValueError, match=r"item 'street.png': .*file not found: photos/gone\.jpg"):
        nl.plot_item(df, "street.png", "photos/gone.jpg")


def test_an_object_array_source_names_the_item():
    ragged = np.array([[1, None], [3, 4]], dtype=object)
    with pytest.raises(ValueError, match=r"item 'it': cannot load the image .*dtype object"):
        nl.plot_item(boxes("it"), "it", ragged)


def test_item_must_be_one_id():
    with pytest.raises(TypeError, match=r"^item: expected one item id, got a list"):
        nl.plot_item(boxes(), ["street.png"])


_IMAGE = np.zeros((8, 8))
_AUDIO = np.zeros(800, np.float32)
_SEGMENTS = pd.DataFrame([{"item_id": "a", "kind": "segment", "label": "P", "start": 0, "end": 1}])
_SPANS = pd.DataFrame([{"item_id": "d", "kind": "span", "label": "P", "start": 0, "end": 2}])


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ((_SPANS, "d", "hello", {"width": "80"}), TypeError,
         r"^plot_item: width must be a whole number >= 1, got '80' \(str\)$"),
        ((_SPANS, "d", "hello", {"max_chars": 0}), ValueError,
         r"^plot_item: max_chars must be a whole number >= 1, got 0$"),
        ((_SPANS, "d", "hello", {"fontsize": -3}), ValueError,
         r"^plot_item: fontsize must be a number > 0, got -3$"),
        ((boxes("i"), "i", _IMAGE, {"alpha": "half"}), TypeError,
         r"^plot_item: alpha must be a number in \[0, 1\], got 'half' \(str\)$"),
        ((boxes("i"), "i", _IMAGE, {"max_side": 0}), ValueError,
         r"^plot_item: max_side must be a whole number >= 1, got 0$"),
        ((boxes("i"), "i", _IMAGE, {"show_labels": "no"}), TypeError,
         r"^plot_item: show_labels must be True or False, got 'no' \(str\)$"),
        ((boxes("i"), "i", _IMAGE, {"labels": "car"}), TypeError,
         r"^plot_item: labels must be a list of names, got 'car' \(str\)$"),
        ((boxes("i"), "i", _IMAGE, {"colour": "red"}), TypeError,
         r"^plot_item: image items take no argument\(s\) \['colour'\]; they take \['labels', "),
        ((_SEGMENTS, "a", _AUDIO, {"sample_rate": 8000, "columns": 0}), ValueError,
         r"^plot_item: columns must be a whole number >= 1, got 0$"),
        ((_SEGMENTS, "a", _AUDIO, {"sample_rate": 8000, "start": "x"}), TypeError,
         r"^plot_item: start must be a number >= 0 \(seconds\), got 'x' \(str\)$"),
        ((_SEGMENTS, "a", _AUDIO, {"sample_rate": 8000, "start": 2, "end": 1}), ValueError,
         r"^plot_item: end must be a number > 2 \(seconds, after start\), got 1$"),
    ],
)  # fmt: skip
def test_bad_view_arguments_name_the_argument_and_the_value(case, error, message):
    df, item, source, kwargs = case
    with pytest.raises(error, match=message):
        nl.plot_item(df, item, source, **kwargs)
