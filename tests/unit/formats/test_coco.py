"""COCO: round trips, pycocotools and COCOeval on our output, results files, bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fmt_helpers import SETTINGS, assert_same, frame, image_rows
from hypothesis import given
from pycocotools import mask as coco_mask
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from nblabel import rle, schema
from nblabel.formats import FormatError, read_coco, to_coco, write_coco
from nblabel.store import CATEGORICAL_READS, Store

GEOMETRY = (
    "item_id",
    "kind",
    "label",
    "x",
    "y",
    "width",
    "height",
    "points",
    "mask",
    "image_width",
    "image_height",
    "score",
)


def coco_api(doc: dict[str, Any]) -> COCO:
    api = COCO()
    api.dataset = copy.deepcopy(doc)
    api.createIndex()
    return api


def dataset() -> dict[str, Any]:
    """A small dataset shaped like instances_val2017.json (from the COCO format page)."""
    crowd = np.zeros((20, 30), dtype=np.uint8)
    crowd[5:15, 10:25] = 1
    counts = rle.runs(crowd)
    return {
        "info": {"description": "test"},
        "images": [
            {"id": 397133, "file_name": "000000397133.jpg", "width": 30, "height": 20},
            {"id": 37777, "file_name": "000000037777.jpg", "width": 40, "height": 30},
        ],
        "annotations": [
            {
                "id": 1768,
                "image_id": 397133,
                "category_id": 18,
                "iscrowd": 0,
                "area": 70.5,
                "bbox": [1.5, 2.0, 10.0, 9.0],
                "segmentation": [[1.5, 2.0, 11.5, 2.0, 11.5, 11.0, 1.5, 11.0]],
            },
            {
                "id": 1769,
                "image_id": 397133,
                "category_id": 1,
                "iscrowd": 1,
                "area": 150,
                "bbox": [10, 5, 15, 10],
                "segmentation": {"size": [20, 30], "counts": counts},
            },
            {
                "id": 2001,
                "image_id": 37777,
                "category_id": 1,
                "iscrowd": 0,
                "area": 12.0,
                "bbox": [0.0, 0.0, 4.0, 3.0],
            },
            {
                "id": 2002,
                "image_id": 37777,
                "category_id": 18,
                "iscrowd": 0,
                "area": 8.0,
                "bbox": [20, 10, 6, 6],
                "attributes": {"occluded": True},
                "segmentation": [[20, 10, 26, 10, 26, 16], [30, 20, 34, 20, 34, 24]],
            },
        ],
        "categories": [
            {"id": 1, "name": "person", "supercategory": "person"},
            {"id": 18, "name": "dog", "supercategory": "animal"},
        ],
    }


def test_read_dataset_rows() -> None:
    df = read_coco(dataset())
    assert len(df) == 5  # the two-ring polygon is two rows
    schema.validate(df)
    by_id = df.set_index("id")
    assert by_id.at["1768", "kind"] == "polygon"
    assert by_id.at["1768", "label"] == "dog"
    assert by_id.at["1768", "item_id"] == "000000397133.jpg"
    assert by_id.at["1769", "kind"] == "mask"
    crowd = rle.decode(by_id.at["1769", "mask"])
    assert crowd.sum() == 150
    assert crowd[5:15, 10:25].all()
    assert by_id.at["1769", "extra"]["coco"]["iscrowd"] == 1
    assert by_id.at["2001", "kind"] == "box"
    assert (by_id.at["2001", "width"], by_id.at["2001", "image_width"]) == (4.0, 40)
    rings = df[df["extra"].map(lambda e: e["coco"]["id"] == 2002)]
    assert sorted(rings["id"]) == ["2002", "2002:1"]
    assert [e["coco"]["ring"] for e in rings["extra"]] == [0, 1]
    assert (df["source"] == "human").all()
    assert (df["annotator"] == "coco").all()


def test_dataset_round_trips_to_the_same_json(tmp_path: Path) -> None:
    src = dataset()
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(src))
    out = to_coco(read_coco(path))
    assert isinstance(out, dict)
    want = {k: v for k, v in src.items() if k != "info"}
    key = lambda a: a["id"]  # noqa: E731
    assert sorted(out["annotations"], key=key) == sorted(want["annotations"], key=key)
    assert sorted(out["images"], key=key) == sorted(want["images"], key=key)
    assert out["categories"] == want["categories"]


def test_our_output_loads_in_pycocotools_and_cocoeval_runs(tmp_path: Path) -> None:
    gt = read_coco(dataset())
    path = write_coco(gt, tmp_path / "gt.json")
    api = COCO(str(path))
    assert len(api.getAnnIds()) == 4
    # pycocotools decodes our polygons and masks to the masks we hold
    ann = api.loadAnns([1769])[0]
    ours = gt.set_index("id").at["1769", "mask"]
    assert (api.annToMask(ann) == rle.decode(ours)).all()
    # the ground truth as a model's results: every detection perfect, so AP = 1
    for iou, kinds in (("bbox", ["box", "polygon", "mask"]), ("segm", ["polygon", "mask"])):
        truth = gt[gt["kind"].isin(kinds)]
        gt_api = COCO(str(write_coco(truth, tmp_path / f"gt-{iou}.json")))
        preds = truth.assign(source="model", score=0.9)
        results = to_coco(preds, results=True, images=tmp_path / f"gt-{iou}.json")
        assert isinstance(results, list)
        ev = COCOeval(gt_api, gt_api.loadRes(results), iou)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
        assert ev.stats[0] == pytest.approx(1.0)  # AP@[.5:.95], the crowd region ignored


def test_results_file_with_and_without_ground_truth(tmp_path: Path) -> None:
    gt_path = tmp_path / "gt.json"
    gt_path.write_text(json.dumps(dataset()))
    results = [
        {"image_id": 37777, "category_id": 1, "bbox": [1.0, 1.0, 4.0, 3.0], "score": 0.75},
        {
            "image_id": 397133,
            "category_id": 18,
            "score": 0.5,
            "segmentation": coco_rle(np.pad(np.ones((4, 4), np.uint8), ((2, 14), (3, 23)))),
        },
    ]
    res_path = tmp_path / "results.json"
    res_path.write_text(json.dumps(results))
    df = read_coco(res_path, images=gt_path, annotator="detector")
    assert set(df["source"]) == {"model"}
    assert list(df["annotator"].unique()) == ["detector"]
    assert sorted(df["label"]) == ["dog", "person"]
    assert sorted(df["item_id"]) == ["000000037777.jpg", "000000397133.jpg"]
    assert sorted(df["score"]) == [0.5, 0.75]
    alone = read_coco(results)
    assert sorted(alone["item_id"]) == ["37777", "397133"]
    assert sorted(alone["label"]) == ["1", "18"]
    # and back: a results list again, against the same ground truth
    back = to_coco(df, results=True, images=gt_path)
    assert isinstance(back, list)
    assert sorted(r["score"] for r in back) == [0.5, 0.75]
    assert sorted(r["image_id"] for r in back) == [37777, 397133]
    stray = df.assign(item_id=["000000037777.jpg", "elsewhere.jpg"])
    with pytest.raises(FormatError, match=r"row 1 column 'item_id': item 'elsewhere.jpg' is not"):
        to_coco(stray, results=True, images=gt_path)


def coco_rle(m: np.ndarray) -> dict[str, Any]:
    out = coco_mask.encode(np.asfortranarray(m.astype(np.uint8)))
    return {"size": list(out["size"]), "counts": out["counts"].decode("ascii")}


@SETTINGS
@given(image_rows())
def test_round_trip_property(df: pd.DataFrame) -> None:
    back = read_coco(to_coco(df), annotator="ana")
    assert_same(back, df, GEOMETRY, atol=0)
    schema.validate(back)
    # and once more through the extra column: the same COCO document
    first = to_coco(df)
    assert to_coco(back) == first


@SETTINGS
@given(image_rows(kinds=("polygon", "mask"), integral=True))
def test_pycocotools_agrees_on_our_masks_and_areas(df: pd.DataFrame) -> None:
    doc = to_coco(df)
    assert isinstance(doc, dict)
    api = coco_api(doc)
    for ann in doc["annotations"]:
        m = api.annToMask(ann)
        assert m.shape == (api.imgs[ann["image_id"]]["height"], api.imgs[ann["image_id"]]["width"])
        if isinstance(ann.get("segmentation"), dict):
            assert int(m.sum()) == ann["area"]


def test_rows_made_in_a_widget_get_new_ids_and_categories() -> None:
    imported = read_coco(dataset())
    drawn = frame(
        [
            {
                "id": "c0ffee",
                "item_id": "000000037777.jpg",
                "kind": "box",
                "label": "cat",
                "x": 1,
                "y": 1,
                "width": 2,
                "height": 2,
                "image_width": 40,
                "image_height": 30,
            }
        ]
    )
    doc = to_coco(pd.concat([imported, drawn], ignore_index=True))
    assert isinstance(doc, dict)
    ids = [a["id"] for a in doc["annotations"]]
    assert len(set(ids)) == len(ids)
    assert max(ids) == 2003
    cats = {c["name"]: c["id"] for c in doc["categories"]}
    assert cats == {"person": 1, "dog": 18, "cat": 19}


def test_categories_given_by_name_or_dict() -> None:
    df = frame(
        [
            {
                "id": "a",
                "item_id": "x.jpg",
                "kind": "box",
                "label": "dog",
                "x": 0,
                "y": 0,
                "width": 1,
                "height": 1,
                "image_width": 5,
                "image_height": 5,
            }
        ]
    )
    doc = to_coco(df, categories=["cat", "dog"])
    assert isinstance(doc, dict)
    assert doc["annotations"][0]["category_id"] == 2
    with pytest.raises(FormatError, match=r"labels \['dog'\] are not in categories"):
        to_coco(df, categories=[{"id": 7, "name": "cat"}])


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (
            lambda d: d["annotations"][2].update(category_id=99),
            r"annotations\[2\] category_id: category id 99 is not in categories",
        ),
        (
            lambda d: d["annotations"][2].update(image_id=5),
            r"annotations\[2\] image_id: image id 5 is not in images",
        ),
        (
            lambda d: d["annotations"][2].update(bbox=[1, 2, 3]),
            r"annotations\[2\] bbox: .* is not \[x, y, width, height\]",
        ),
        (
            lambda d: d["annotations"][2].update(bbox=[1, 2, -3, 4]),
            r"annotations\[2\] bbox: .*negative",
        ),
        (
            lambda d: d["annotations"][2].update(bbox=[38, 0, 4, 3]),
            r"annotations\[2\] bbox: box .* leaves its 40x30 image",
        ),
        (
            lambda d: d["annotations"][0].update(segmentation=[[1, 2, 3]]),
            r"annotations\[0\].segmentation\[0\]: a polygon must be",
        ),
        (
            lambda d: d["annotations"][1]["segmentation"].update(counts=[1, 2]),
            r"annotations\[1\].segmentation: not a valid RLE: the counts cover 3 pixels",
        ),
        (
            lambda d: d["annotations"][1]["segmentation"].update(size=[30, 20], counts=[600]),
            r"annotations\[1\].segmentation size: size \[30, 20\] is not the image's",
        ),
        (
            lambda d: d["images"][1].update(file_name="000000397133.jpg"),
            r"images\[1\] file_name: .* is also images\[0\]'s",
        ),
        (
            lambda d: d["annotations"][2].update(bbox=[0, "a", 1, 1]),
            r"annotations\[2\] bbox: 'a' is not a number",
        ),
    ],
)
def test_bad_input_names_the_json_path(tmp_path: Path, change: Any, match: str) -> None:
    doc = dataset()
    change(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(FormatError, match=match) as info:
        read_coco(path)
    assert str(info.value).startswith(str(path))


def test_outside_keep_keeps_the_box() -> None:
    doc = dataset()
    doc["annotations"][2]["bbox"] = [38, 0, 4, 3]
    df = read_coco(doc, outside="keep")
    assert df.set_index("id").at["2001", "x"] == 38


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"images": [],\n "annotations": [,]}')
    with pytest.raises(FormatError, match=r"broken.json:line 2: not valid JSON"):
        read_coco(path)


def test_writer_refuses_other_kinds_and_missing_sizes() -> None:
    df = frame([{"id": "a", "item_id": "x.jpg", "kind": "label", "label": "dog"}])
    with pytest.raises(FormatError, match=r"COCO carries only .* rows; rows \[0\] are \['label'\]"):
        to_coco(df)
    df = frame(
        [
            {
                "id": "a",
                "item_id": "x.jpg",
                "kind": "box",
                "label": "dog",
                "x": 0,
                "y": 0,
                "width": 1,
                "height": 1,
            }
        ]
    )
    with pytest.raises(FormatError, match=r"row 0 column 'image_width': COCO needs the image size"):
        to_coco(df)


def test_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text("old")
    bad = frame(
        [
            {
                "id": "a",
                "item_id": "x.jpg",
                "kind": "box",
                "label": "dog",
                "x": 0,
                "y": 0,
                "width": 1,
                "height": 1,
            }
        ]
    )
    with pytest.raises(FormatError):
        write_coco(bad, path)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_imported_dataset_goes_into_a_store_and_reads_back_equal(tmp_path: Path) -> None:
    df = read_coco(dataset(), id_prefix="val:")
    store = Store(tmp_path / "labels.db")
    store.upsert(df)
    # The store reads item_id, annotator and label as categoricals (for QA speed): as text here.
    back = store.annotations().astype(dict.fromkeys(CATEGORICAL_READS, object))
    cols = [c for c in schema.COLUMN_NAMES if c not in ("created_at", "updated_at")]
    pd.testing.assert_frame_equal(
        back.sort_values("id").reset_index(drop=True)[cols],
        df.sort_values("id").reset_index(drop=True)[cols],
    )
    assert to_coco(back) == to_coco(df)


def test_kept_area_and_bbox_follow_the_geometry() -> None:
    df = read_coco(dataset())
    doc = to_coco(df)
    assert isinstance(doc, dict)
    by_id = {a["id"]: a for a in doc["annotations"]}
    assert by_id[1768]["area"] == 70.5  # COCO's own area, not the polygon's 90
    # a person moves a vertex in the widget: area and bbox are computed anew
    edited = df.copy()
    row = edited.index[edited["id"] == "1768"][0]
    edited.at[row, "points"] = [[1.5, 2.0], [11.5, 2.0], [11.5, 11.0], [5.5, 15.0]]
    doc = to_coco(edited)
    assert isinstance(doc, dict)
    ann = {a["id"]: a for a in doc["annotations"]}[1768]
    assert ann["bbox"] == [1.5, 2.0, 10.0, 13.0]
    assert ann["area"] == pytest.approx(92.0)  # shoelace of the new polygon
    # a resized box too
    edited.loc[edited["id"] == "2001", "width"] = 8.0
    doc = to_coco(edited)
    assert isinstance(doc, dict)
    assert {a["id"]: a for a in doc["annotations"]}[2001]["area"] == 24.0
