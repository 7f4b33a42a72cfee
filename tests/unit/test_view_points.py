"""nblabel.plot_item draws keypoints, their names and the skeleton's edges where the table says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import nblabel as nl
from nblabel import schema
from nblabel.formats import read_coco, to_coco

FISH = nl.Skeleton(["head", "fin", "tail"], [("head", "fin"), ("fin", "tail")], name="fish")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture
def photo(tmp_path: Path) -> str:
    path = tmp_path / "pond.png"
    Image.fromarray(np.full((100, 200, 3), 90, np.uint8)).save(path)
    return str(path)


def fish(item: str) -> list[dict[str, object]]:
    common = {"item_id": item, "annotator": "ana", "source": "human", "kind": "point"}
    common |= {"image_width": 200, "image_height": 100}
    return [
        {**common, "id": "h", "label": "head", "x": 20.0, "y": 30.0, "track_id": "t1"},
        {**common, "id": "f", "label": "fin", "x": 50.5, "y": 40.0, "track_id": "t1",
         "outside": True},
        {**common, "id": "t", "label": "tail", "x": 90.0, "y": 35.0, "track_id": "t1"},
        {**common, "id": "h2", "label": "head", "x": 150.0, "y": 60.0, "track_id": "t2"},
    ]  # fmt: skip


def lines(ax: plt.Axes) -> list[tuple[list[float], list[float], str]]:
    return [
        (list(map(float, ln.get_xdata())), list(map(float, ln.get_ydata())), ln.get_linestyle())
        for ln in ax.get_lines()
        if len(ln.get_xdata()) == 2
    ]


def test_points_are_drawn_at_their_pixels_with_names_and_edges(photo):
    df = schema.from_records(fish(photo))
    ax = nl.plot_item(df, photo, skeleton=FISH)
    dots = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert sorted((float(d.get_xdata()[0]), float(d.get_ydata()[0])) for d in dots) == [
        (20.0, 30.0), (50.5, 40.0), (90.0, 35.0), (150.0, 60.0),
    ]  # fmt: skip
    hollow = [d for d in dots if d.get_markerfacecolor() == "none"]
    assert [float(d.get_xdata()[0]) for d in hollow] == [50.5]  # the not-visible fin
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["fin (not visible)", "head", "head", "tail"]
    # head-fin and fin-tail of instance t1 (dashed: the fin is hidden); t2 has one point only
    assert sorted(lines(ax)) == [
        ([20.0, 50.5], [30.0, 40.0], "--"),
        ([50.5, 90.0], [40.0, 35.0], "--"),
    ]
    assert ax.get_xlim() == (0, 200)


def test_edges_come_from_a_read_coco_file_without_skeleton(photo):
    doc = to_coco(schema.from_records(fish(photo)), skeletons=[FISH])
    df = read_coco(doc)
    ax = nl.plot_item(df, photo)
    assert len(lines(ax)) == 2
    ax = nl.plot_item(schema.from_records(fish(photo)), photo)  # no skeleton known: no edges
    assert lines(ax) == []


def test_the_widget_static_view_knows_its_skeleton(photo, tmp_path):
    w = nl.ImageAnnotator(
        [photo], labels=["x"], tools=["point"], skeleton=FISH, store=tmp_path / "a.db",
        annotator="ana",
    )  # fmt: skip
    try:
        source, options = w._static_source(w._item(0))
        assert source == photo
        assert options == {"skeleton": FISH}
    finally:
        w.close()
