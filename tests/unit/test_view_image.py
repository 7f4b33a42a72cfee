"""nblabel.plot_item on images: boxes, polygons and masks land where the table says."""

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
from matplotlib.patches import Polygon, Rectangle

import nblabel as nl
from nblabel import rle, schema


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture
def photo(tmp_path: Path) -> str:
    rng = np.random.default_rng(0)
    path = tmp_path / "street.png"
    Image.fromarray((rng.random((300, 400, 3)) * 255).astype(np.uint8)).save(path)
    return str(path)


def table(item: str) -> pd.DataFrame:
    mask = np.zeros((300, 400), bool)
    mask[100:150, 200:260] = True
    return schema.from_records(
        [
            {"id": "a", "item_id": item, "annotator": "ana", "kind": "box", "label": "car",
             "source": "human", "x": 10.0, "y": 20.0, "width": 100.0, "height": 50.0,
             "image_width": 400, "image_height": 300},
            {"id": "b", "item_id": item, "annotator": "ana", "kind": "polygon", "label": "tree",
             "source": "human", "points": [[300, 10], [390, 10], [350, 90]],
             "image_width": 400, "image_height": 300},
            {"id": "c", "item_id": item, "annotator": "ana", "kind": "mask", "label": "road",
             "source": "model", "score": 0.75, "mask": rle.encode(mask),
             "image_width": 400, "image_height": 300},
            {"id": "d", "item_id": item, "annotator": "ana", "kind": "label", "label": "day",
             "source": "human"},
            {"id": "e", "item_id": "other", "annotator": "ana", "kind": "box", "label": "car",
             "source": "human", "x": 0.0, "y": 0.0, "width": 5.0, "height": 5.0},
        ]
    )  # fmt: skip


def test_plot_item_draws_every_region_in_original_pixels(photo):
    ax = nl.plot_item(table(photo), photo)
    rects = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [(r.get_x(), r.get_y(), r.get_width(), r.get_height()) for r in rects] == [
        (10.0, 20.0, 100.0, 50.0)
    ]
    polys = [p for p in ax.patches if isinstance(p, Polygon)]
    assert polys[0].get_xy()[:3].tolist() == [[300, 10], [390, 10], [350, 90]]
    images = ax.get_images()
    assert len(images) == 2  # the photo and the mask
    assert images[0].get_extent() == [0, 400, 300, 0]
    overlay = images[1].get_array()
    assert overlay.shape[:2] == (300, 400)
    assert int((overlay[..., 3] > 0).sum()) == 50 * 60
    texts = {t.get_text() for t in ax.texts}
    assert texts == {"car", "tree", "road 0.75"}
    assert "day" in ax.get_title()
    assert ax.get_xlim() == (0, 400)
    assert ax.get_ylim() == (300, 0)


def test_big_images_are_drawn_from_a_smaller_copy(tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGB", (4000, 3000), "gray").save(path)
    mask = np.zeros((3000, 4000), bool)
    mask[:1000, :1000] = True
    df = schema.from_records(
        [{"id": "m", "item_id": "big", "annotator": "a", "kind": "mask", "label": "x",
          "source": "human", "mask": rle.encode(mask)}]
    )  # fmt: skip
    _, ax = plt.subplots()
    assert nl.plot_item(df, "big", str(path), ax=ax, max_side=800) is ax
    photo, overlay = ax.get_images()
    assert max(photo.get_array().shape[:2]) == 800
    assert photo.get_extent() == [0, 4000, 3000, 0]
    assert overlay.get_array().shape[:2] == (600, 800)


def test_without_the_image_regions_are_drawn_on_a_blank_frame(photo):
    ax = nl.plot_item(table(photo), photo, "gone.jpg")
    assert "image not available" in ax.get_title()
    assert ax.get_xlim() == (0, 400)
    no_size = table(photo).iloc[[0]].assign(image_width=pd.NA, image_height=pd.NA)
    with pytest.raises(ValueError, match=r"item '.*street.png': cannot load the image"):
        nl.plot_item(no_size, photo, "gone.jpg")
