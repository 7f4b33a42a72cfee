"""COCO keypoints: reading, writing, round trips, and pycocotools' COCOeval on our files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fmt_helpers import SETTINGS, frame
from hypothesis import given
from hypothesis import strategies as st
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from nblabel import Skeleton, schema
from nblabel.formats import FormatError, read_coco, to_coco, write_coco
from nblabel.skeleton import COCO_PERSON

FISH = Skeleton(["head", "fin", "tail"], [("head", "fin"), ("fin", "tail")], name="fish")


def person_dataset() -> dict[str, Any]:
    """Shaped like person_keypoints_val2017.json: a polygon, a box and 17 keypoints each."""
    kps = [0] * 51
    kps[0:3] = [12, 8, 2]  # nose, visible
    kps[3:6] = [13, 7, 1]  # left_eye, labeled but not visible
    kps[15:18] = [10, 14, 2]  # left_shoulder
    other = [0] * 51
    other[0:3] = [30.5, 20.25, 2]
    return {
        "images": [{"id": 7, "file_name": "people.jpg", "width": 40, "height": 30}],
        "annotations": [
            {
                "id": 101,
                "image_id": 7,
                "category_id": 1,
                "iscrowd": 0,
                "area": 60.0,
                "bbox": [8.0, 5.0, 10.0, 12.0],
                "segmentation": [[8.0, 5.0, 18.0, 5.0, 18.0, 17.0]],
                "keypoints": kps,
                "num_keypoints": 3,
            },
            {
                "id": 102,
                "image_id": 7,
                "category_id": 1,
                "iscrowd": 0,
                "area": 20.0,
                "bbox": [28.0, 18.0, 5.0, 4.0],
                "keypoints": other,
                "num_keypoints": 1,
            },
        ],
        "categories": [
            {
                "id": 1,
                "name": "person",
                "supercategory": "person",
                "keypoints": list(COCO_PERSON.points),
                "skeleton": COCO_PERSON.coco_edges(),
            }
        ],
    }


def test_read_person_keypoints_as_points_sharing_the_instance() -> None:
    df = read_coco(person_dataset())
    schema.validate(df)
    pts = df[df["kind"] == "point"].set_index("id")
    assert sorted(pts.index) == ["101:kp1", "101:kp2", "101:kp6", "102:kp1"]
    assert pts.loc["101:kp2", "label"] == "left_eye"
    assert bool(pts.loc["101:kp2", "outside"]) is True  # v=1
    assert pd.isna(pts.loc["101:kp1", "outside"])  # v=2
    assert pts.loc["101:kp6", ["x", "y"]].tolist() == [10.0, 14.0]
    assert pts.loc["102:kp1", ["x", "y"]].tolist() == [30.5, 20.25]
    regions = df[df["kind"] != "point"].set_index("id")
    assert regions.loc["101", "kind"] == "polygon"
    assert regions.loc["102", "kind"] == "box"
    assert set(df.loc[df["id"].str.startswith("101"), "track_id"]) == {"101"}


def test_a_keypoint_dataset_round_trips_to_the_same_json() -> None:
    src = person_dataset()
    out = to_coco(read_coco(copy.deepcopy(src)))
    assert out == src


def person_rows(offset: float = 0.0, *, score: float | None = None) -> pd.DataFrame:
    """Two people placed in a widget: box-less points named by COCO's skeleton, one occluded."""
    rows = []
    for t, (bx, by) in enumerate([(5.0, 5.0), (60.0, 10.0)]):
        for k, name in enumerate(COCO_PERSON.points):
            if k % 4 == 3:
                continue  # not placed: v=0
            rows.append(
                {
                    "id": f"{t}-{k}",
                    "item_id": "crowd.png",
                    "kind": "point",
                    "label": name,
                    "x": bx + 2 * k + offset,
                    "y": by + 1.5 * k,
                    "outside": True if k == 5 else None,
                    "track_id": f"person-{t}",
                    "image_width": 120,
                    "image_height": 80,
                    "score": score,
                }
            )
        rows.append(  # the person's box: the object's scale
            {
                "id": f"box-{t}",
                "item_id": "crowd.png",
                "kind": "box",
                "label": "person",
                "x": bx,
                "y": by,
                "width": 36.0,
                "height": 26.0,
                "track_id": f"person-{t}",
                "image_width": 120,
                "image_height": 80,
                "score": score,
            }
        )
    return frame(rows)


def test_cocoeval_keypoints_accepts_our_files(tmp_path: Path) -> None:
    gt_path = write_coco(person_rows(), tmp_path / "gt.json", skeletons=[COCO_PERSON])
    doc = json.loads(gt_path.read_text())
    assert doc["categories"][0]["keypoints"] == list(COCO_PERSON.points)
    assert doc["categories"][0]["skeleton"] == COCO_PERSON.coco_edges()
    ann = doc["annotations"][0]
    assert len(ann["keypoints"]) == 51
    assert ann["num_keypoints"] == 13
    assert ann["keypoints"][15:18] == [15.0, 12.5, 1]  # left_shoulder, occluded
    assert ann["keypoints"][9:12] == [0, 0, 0]  # right_ear was not placed
    gt = COCO(str(gt_path))
    for offset, best in ((0.0, 1.0), (6.0, None)):
        preds = person_rows(offset, score=0.9)
        results = to_coco(preds, results=True, images=gt_path, skeletons=[COCO_PERSON])
        assert isinstance(results, list)
        assert len(results) == 2
        ev = COCOeval(gt, gt.loadRes(results), "keypoints")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
        if best is not None:
            assert ev.stats[0] == pytest.approx(best)  # perfect keypoints: AP 1
        else:
            assert 0 <= ev.stats[0] < 1  # shifted by 6 px: worse, and still evaluated


def test_widget_rows_write_a_box_for_points_alone_and_need_a_skeleton() -> None:
    rows = frame(
        [
            {"id": "a", "item_id": "f.png", "kind": "point", "label": "head", "x": 1, "y": 2,
             "track_id": "t", "image_width": 10, "image_height": 10},
            {"id": "b", "item_id": "f.png", "kind": "point", "label": "tail", "x": 5, "y": 4,
             "track_id": "t", "outside": True, "image_width": 10, "image_height": 10},
        ]
    )  # fmt: skip
    doc = to_coco(rows, skeletons=[FISH])
    assert isinstance(doc, dict)
    (ann,) = doc["annotations"]
    assert ann["bbox"] == [1.0, 2.0, 4.0, 2.0]
    assert ann["keypoints"] == [1.0, 2.0, 2, 0, 0, 0, 5.0, 4.0, 1]
    assert ann["num_keypoints"] == 2
    assert doc["categories"] == [
        {
            "id": 1,
            "name": "fish",
            "keypoints": ["head", "fin", "tail"],
            "skeleton": [[1, 2], [2, 3]],
        }
    ]
    back = read_coco(doc)
    assert sorted(back.loc[back["kind"] == "point", "label"]) == ["head", "tail"]
    assert to_coco(back) == doc  # the skeleton travels in extra
    with pytest.raises(FormatError, match=r"row 0 column 'label': .*pass skeletons="):
        to_coco(rows)
    with pytest.raises(FormatError, match=r"row 1 column 'track_id': COCO keypoints group"):
        to_coco(rows.assign(track_id=["t", None]), skeletons=[FISH])
    with pytest.raises(FormatError, match=r"'tail' twice"):
        to_coco(rows.assign(label="tail"), skeletons=[FISH])


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d["annotations"][0].update(keypoints=[1, 2]), r"annotations\[0\].*x, y, v"),
        (
            lambda d: d["annotations"][0]["keypoints"].__setitem__(2, 3),
            r"keypoints\[2\].*0, 1 or 2",
        ),
        (lambda d: d["annotations"][0].update(keypoints=[0] * 48), r"has 16 keypoints"),
        (
            lambda d: d["annotations"][0]["keypoints"].__setitem__(0, 99),
            r"'nose' at \(99, 8\) leaves",
        ),
        (lambda d: d["categories"][0].update(skeleton=[[1, 18]]), r"categories\[0\].*skeleton"),
    ],
)
def test_bad_keypoints_name_the_json_path(change: Any, match: str) -> None:
    doc = person_dataset()
    change(doc)
    with pytest.raises(FormatError, match=match):
        read_coco(doc)


@st.composite
def keypoint_rows(draw: st.DrawFn) -> pd.DataFrame:
    """Instances of FISH on a few images: random visibility, with or without a box."""
    rows: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 4))):
        w, h = draw(st.integers(4, 64)), draw(st.integers(4, 64))
        item = f"img{draw(st.integers(0, 2))}-{i}.png"
        coord = st.floats(0, 1, allow_nan=False)
        placed = [
            (k, name, draw(st.sampled_from([1, 2])))
            for k, name in enumerate(FISH.points)
            if draw(st.booleans())
        ]
        if not placed:
            placed = [(0, "head", 2)]
        for k, name, v in placed:
            rows.append(
                {"id": f"{i}-{k}", "item_id": item, "kind": "point", "label": name,
                 "x": draw(coord) * w, "y": draw(coord) * h, "outside": True if v == 1 else None,
                 "track_id": f"t{i}", "image_width": w, "image_height": h}
            )  # fmt: skip
        if draw(st.booleans()):
            rows.append(
                {"id": f"{i}-box", "item_id": item, "kind": "box", "label": "fish", "x": 0.0,
                 "y": 0.0, "width": float(w), "height": float(h), "track_id": f"t{i}",
                 "image_width": w, "image_height": h}
            )  # fmt: skip
    return frame(rows)


def _points(df: pd.DataFrame) -> list[tuple[Any, ...]]:
    pts = df[df["kind"] == "point"]
    return sorted(
        (
            r.item_id,
            r.label,
            float(r.x),
            float(r.y),
            False if pd.isna(r.outside) else bool(r.outside),
        )
        for r in pts.itertuples()
    )


@SETTINGS
@given(keypoint_rows())
def test_round_trip_property(df: pd.DataFrame) -> None:
    doc = to_coco(df, skeletons=[FISH])
    back = read_coco(doc, annotator="ana")
    schema.validate(back)
    assert _points(back) == _points(df)
    # each instance stays one: the same points share one track_id
    for _, g in df[df["kind"] == "point"].groupby("track_id"):
        keys = {(r.item_id, r.label, float(r.x), float(r.y)) for r in g.itertuples()}
        match = back[
            [(r.item_id, r.label, float(r.x), float(r.y)) in keys for r in back.itertuples()]
        ]
        assert len(set(match["track_id"])) == 1
    assert to_coco(back) == doc  # and once more: the same COCO document
    assert np.isfinite(back.loc[back["kind"] == "point", ["x", "y"]].to_numpy()).all()
