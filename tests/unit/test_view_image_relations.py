"""nblabel.plot_item on images with relations: an arrow between the two regions' centres,
the label at its middle and every relation in words under the image, all literal."""

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
from nblabel import rle, schema


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture
def photo(tmp_path: Path) -> str:
    path = tmp_path / "kitchen.png"
    Image.fromarray(np.full((300, 400, 3), 200, np.uint8)).save(path)
    return str(path)


def rows(item: str) -> list[dict]:
    mask = np.zeros((300, 400), bool)
    mask[100:150, 200:260] = True  # centre (230, 125)
    base = {
        "item_id": item,
        "annotator": "ana",
        "source": "human",
        "image_width": 400,
        "image_height": 300,
    }
    return [
        {**base, "id": "p", "kind": "box", "label": "person",
         "x": 10.0, "y": 20.0, "width": 100.0, "height": 200.0},
        {**base, "id": "c", "kind": "mask", "label": "cup", "mask": rle.encode(mask)},
        {**base, "id": "t", "kind": "polygon", "label": "table",
         "points": [[300, 200], [380, 200], [340, 280]]},
        {**base, "id": "n", "kind": "point", "label": "hand", "x": 50.5, "y": 60.25},
        {**base, "id": "r1", "kind": "relation", "label": "holds", "from_id": "p", "to_id": "c"},
        {**base, "id": "r2", "kind": "relation", "label": "$on$", "from_id": "c", "to_id": "t"},
        {**base, "id": "r3", "kind": "relation", "label": "part_of", "from_id": "n", "to_id": "p"},
    ]  # fmt: skip


def arrows(ax) -> list:
    return [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]


def test_each_relation_is_an_arrow_between_centres_with_its_label(photo):
    ax = nl.plot_item(schema.from_records(rows(photo)), photo)
    ends = sorted((tuple(a.xyann), tuple(a.xy)) for a in arrows(ax))
    assert ends == sorted(
        [
            ((60.0, 120.0), (230.0, 125.0)),  # box centre -> mask centre  (xytext, xy)
            ((230.0, 125.0), (340.0, 240.0)),  # mask -> polygon bounds' centre
            ((50.5, 60.25), (60.0, 120.0)),  # point -> box
        ]
    )
    tags = {
        t.get_text(): t.get_position()
        for t in ax.texts
        if not isinstance(t, matplotlib.text.Annotation)
    }
    assert tags["holds"] == pytest.approx(((60 + 230) / 2, (120 + 125) / 2))
    assert tags["$on$"] == pytest.approx(((230 + 340) / 2, (125 + 240) / 2))
    on = next(t for t in ax.texts if t.get_text() == "$on$")
    assert not on.get_parse_math()  # a label is drawn as typed, never as mathtext
    assert ax.get_xlabel().splitlines() == [
        "box person → holds → mask cup",
        "mask cup → $on$ → polygon table",
        "point hand → part_of → box person",
    ]
    assert not ax.xaxis.label.get_parse_math()


def test_a_relation_to_a_missing_region_is_listed_not_drawn(photo):
    records = [r for r in rows(photo) if r["id"] != "t"]
    ax = nl.plot_item(schema.from_records(records), photo)
    assert len(arrows(ax)) == 2
    assert "mask cup → $on$ → (no region 't')" in ax.get_xlabel().splitlines()
