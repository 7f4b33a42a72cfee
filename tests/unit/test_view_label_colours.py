"""nblabel.plot_item colours each label as the widget's page does, own colours included.

A label spec's colour (``labels={"cat": {"color": "#..."}}``) is the label's colour in
every static view: image regions, text spans, audio segments and video boxes. The tests
read the rendered pixels.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from video_samples import make_video

import nblabel as nl
from nblabel import palette, schema

MAGENTA = "#ff00ff"
GREEN = "#00ff00"


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def pixels(ax) -> np.ndarray:
    """The figure's RGB pixels as drawn by Agg."""
    canvas = ax.figure.canvas
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].astype(int)


def count(rgb: np.ndarray, colour: str, tol: int = 3) -> int:
    """How many pixels are ``colour`` (within ``tol`` per channel)."""
    want = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb - want).max(axis=-1) <= tol).sum())


def grey_image(tmp_path: Path) -> str:
    path = tmp_path / "grey.png"
    Image.fromarray(np.full((200, 300, 3), 128, np.uint8)).save(path)
    return str(path)


def boxes(item: str, labels: list[str]) -> pd.DataFrame:
    return schema.from_records(
        [
            {"id": f"b{i}", "item_id": item, "annotator": "ana", "kind": "box", "label": label,
             "x": 20.0 + 130 * i, "y": 30.0, "width": 100.0, "height": 120.0,
             "image_width": 300, "image_height": 200}
            for i, label in enumerate(labels)
        ]
    )  # fmt: skip


def test_image_regions_take_the_colour_their_label_spec_gives(tmp_path):
    path = grey_image(tmp_path)
    df = boxes(path, ["cat", "dog"])
    specs = {"cat": {"color": MAGENTA}, "dog": "any dog"}
    rgb = pixels(nl.plot_item(df, path, labels=specs))
    assert count(rgb, MAGENTA) > 200  # the cat box's edges and its tag
    # dog has no colour of its own: the palette's second, as on the page
    assert count(rgb, palette.COLOURS[1]) > 200
    assert count(rgb, palette.COLOURS[0]) == 0  # not cat's palette colour
    # a list of specs and matplotlib colour names work too
    specs_list = [{"name": "cat", "colour": "lime"}, {"name": "dog"}]
    rgb = pixels(nl.plot_item(df, path, labels=specs_list))
    assert count(rgb, GREEN) > 200
    assert count(rgb, MAGENTA) == 0


def test_image_labels_only_as_names_keep_the_palette_order(tmp_path):
    path = grey_image(tmp_path)
    rgb = pixels(nl.plot_item(boxes(path, ["dog"]), path, labels=["cat", "dog"]))
    assert count(rgb, palette.COLOURS[1]) > 200
    assert count(rgb, palette.COLOURS[0]) == 0


def test_text_spans_take_their_spec_colour():
    doc = "Ada Lovelace met Charles Babbage in London."
    df = schema.from_records(
        [
            {"id": "s1", "item_id": "d", "annotator": "ana", "kind": "span", "label": "PER",
             "start": 0, "end": 12},
            {"id": "s2", "item_id": "d", "annotator": "ana", "kind": "span", "label": "LOC",
             "start": 36, "end": 42},
        ]
    )  # fmt: skip
    ax = nl.plot_item(df, "d", doc, labels={"PER": {"color": MAGENTA}, "LOC": None})
    rgb = pixels(ax)
    assert count(rgb, MAGENTA) > 50  # the bar under the span and its label's tag
    assert count(rgb, palette.COLOURS[1]) > 20  # LOC: the palette's second colour
    assert count(rgb, palette.COLOURS[0]) == 0
    html = nl.view.text.to_html(df, doc, labels={"PER": {"color": MAGENTA}})
    assert MAGENTA in html
    assert palette.OTHER in html  # LOC is not listed: the "other" colour


def test_audio_segments_take_their_spec_colour(tmp_path):
    path = tmp_path / "talk.wav"
    sf.write(path, (0.05 * np.sin(np.linspace(0, 2000, 16000 * 4))).astype(np.float32), 16000)
    df = schema.from_records(
        [
            {"id": "a", "item_id": str(path), "annotator": "ana", "kind": "segment",
             "label": "alice", "start": 0.5, "end": 1.5},
            {"id": "b", "item_id": str(path), "annotator": "ana", "kind": "segment",
             "label": "bob", "start": 2.0, "end": 3.5},
        ]
    )  # fmt: skip
    specs = {"alice": {"color": MAGENTA}, "bob": {"color": GREEN}}
    rgb = pixels(nl.plot_item(df, str(path), alpha=1.0, labels=specs))
    assert count(rgb, MAGENTA) > 500
    assert count(rgb, GREEN) > 500
    assert count(rgb, palette.COLOURS[0]) == 0


def test_video_boxes_take_their_spec_colour(tmp_path):
    path = make_video(tmp_path / "walk.mp4", 10, width=160, height=120)
    df = schema.from_records(
        [
            {"id": "k", "item_id": "walk", "annotator": "ana", "kind": "box", "label": "car",
             "x": 20.0, "y": 20.0, "width": 60.0, "height": 50.0, "frame": 0, "track_id": "1"}
        ]
    )  # fmt: skip
    ax = nl.plot_item(df, "walk", str(path), frame=0, labels={"car": {"color": MAGENTA}})
    assert count(pixels(ax), MAGENTA) > 100


def test_a_bad_colour_is_named():
    doc = "Ada"
    df = schema.from_records(
        [{"id": "s", "item_id": "d", "annotator": "ana", "kind": "span", "label": "PER",
          "start": 0, "end": 3}]
    )  # fmt: skip
    with pytest.raises(ValueError, match="the color 'reddish' of label 'PER' is not a colour"):
        nl.plot_item(df, "d", doc, labels={"PER": {"color": "reddish"}})
