"""Keypoint agreement (OKS): a hand computation, pycocotools' computeOks, matching and bad input."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from nblabel import qa
from nblabel.formats import to_coco
from nblabel.schema import from_records
from nblabel.skeleton import COCO_PERSON, DEFAULT_SIGMA


def pt(who: str, name: str, x: float, y: float, *, item: str = "a.jpg", track: Any = None,
       **kw: Any) -> dict[str, Any]:  # fmt: skip
    return {
        "id": f"{who}-{item}-{track}-{name}",
        "item_id": item,
        "annotator": who,
        "source": "human",
        "kind": "point",
        "label": name,
        "x": x,
        "y": y,
        "track_id": track,
        "image_width": 200,
        "image_height": 100,
        **kw,
    }


def box(who: str, x: float, y: float, w: float, h: float, *, item: str = "a.jpg",
        track: Any = None) -> dict[str, Any]:  # fmt: skip
    return {
        "id": f"{who}-{item}-{track}-box",
        "item_id": item,
        "annotator": who,
        "source": "human",
        "kind": "box",
        "label": "person",
        "x": x,
        "y": y,
        "width": w,
        "height": h,
        "track_id": track,
        "image_width": 200,
        "image_height": 100,
    }


def test_oks_by_hand() -> None:
    # ana's box is 40 x 25 (area 1000), bo's 50 x 40 (area 2000): s² = 1500.
    # nose (COCO sigma 0.026) 3 px apart, "tip" (no COCO name: the default sigma) 4 px apart,
    # "tail" placed by ana alone: it counts 0 in the mean over the three keypoints.
    df = from_records(
        [
            box("ana", 0, 0, 40, 25, track="p"),
            box("bo", 0, 0, 50, 40, track="q"),
            pt("ana", "nose", 10, 10, track="p"),
            pt("bo", "nose", 13, 10, track="q"),
            pt("ana", "tip", 20, 20, track="p"),
            pt("bo", "tip", 20, 24, track="q", outside=True),
            pt("ana", "tail", 30, 5, track="p"),
        ]
    )
    s2 = 1500.0
    nose = math.exp(-9 / (2 * 0.026) ** 2 / s2 / 2)  # 9 / 0.002704 / 1500 / 2 = 1.1095...
    tip = math.exp(-16 / (2 * DEFAULT_SIGMA) ** 2 / s2 / 2)
    want = (nose + tip + 0) / 3
    assert nose == pytest.approx(0.32973, abs=1e-5)  # written out: exp(-1.109467)
    out = qa.keypoint_agreement(df, oks=0)
    row = out.iloc[0]
    assert (row["annotator_a"], row["annotator_b"], row["n_items"]) == ("ana", "bo", 1)
    assert (row["n_a"], row["n_b"], row["matches"], row["f1"]) == (1, 1, 1, 1.0)
    assert row["mean_oks"] == pytest.approx(want, rel=1e-12)
    assert row["mean_distance"] == pytest.approx(3.5)  # (3 + 4) / 2, the keypoints both placed
    # at the default threshold 0.5 the pair does not match
    assert qa.keypoint_agreement(df)["matches"].tolist() == [0]
    # sigmas= overrides COCO's and the default
    wide = qa.keypoint_agreement(df, oks=0, sigmas={"nose": 1.0, "tip": 1.0})
    assert wide["mean_oks"].iloc[0] == pytest.approx(
        (math.exp(-9 / 4 / s2 / 2) + math.exp(-16 / 4 / s2 / 2)) / 3
    )


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_equal_to_pycocotools_compute_oks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = []
    w, h = rng.uniform(20, 60, 2)  # both boxes the same size: one area, as COCO's ground truth
    base = rng.uniform(0, 90, (17, 2))
    for who, jitter in (("gt", 0.0), ("dt", rng.uniform(0.5, 6))):
        rows.append(box(who, 5, 5, w, h, track="1"))
        for name, (x, y) in zip(COCO_PERSON.points, base, strict=True):
            dx, dy = rng.normal(0, jitter, 2)
            rows.append(pt(who, name, x + dx + 5, y + dy + 5, track="1", score=0.9))
    df = from_records(rows)
    ours = qa.keypoint_agreement(df, oks=0)["mean_oks"].iloc[0]
    gt_doc = to_coco(df[df["annotator"] == "gt"], skeletons=[COCO_PERSON])
    dt_doc = to_coco(df[df["annotator"] == "dt"], skeletons=[COCO_PERSON], results=True)
    gt = COCO()
    gt.dataset = gt_doc
    gt.createIndex()
    ev = COCOeval(gt, gt.loadRes(dt_doc), "keypoints")
    ev.params.imgIds = [gt_doc["images"][0]["id"]]  # type: ignore[index, call-overload]
    ev.evaluate()
    (theirs,) = [v for v in ev.ious.values() if len(v)]
    assert ours == pytest.approx(float(np.asarray(theirs)[0, 0]), rel=1e-9)


def test_instances_are_matched_one_to_one_per_item() -> None:
    rows = []
    for who, shift in (("ana", 0.0), ("bo", 0.5)):
        for t, x0 in (("left", 10.0), ("right", 120.0)):
            rows.append(box(who, x0, 10, 40, 60, track=f"{who}{t}"))
            rows.append(pt(who, "nose", x0 + 20 + shift, 20, track=f"{who}{t}"))
            rows.append(pt(who, "left_hip", x0 + 15, 50 + shift, track=f"{who}{t}"))
    rows.append(box("bo", 80, 10, 30, 30, track="extra"))  # a third person, bo's alone
    rows.append(pt("bo", "nose", 90, 20, track="extra"))
    rows.append(pt("ana", "nose", 5, 5, item="b.jpg"))  # an item bo never saw
    out = qa.keypoint_agreement(from_records(rows)).iloc[0]
    assert (out["n_items"], out["n_a"], out["n_b"], out["matches"]) == (1, 2, 3, 2)
    assert out["f1"] == pytest.approx(4 / 5)
    assert out["mean_oks"] > 0.9
    assert out["mean_distance"] == pytest.approx(0.5)  # each keypoint moved by 0.5


def test_points_without_track_are_one_instance_scaled_by_their_box() -> None:
    df = from_records(
        [pt("ana", "a", 0, 0), pt("ana", "b", 10, 10), pt("bo", "a", 1, 0), pt("bo", "b", 10, 10)]
    )
    out = qa.keypoint_agreement(df, oks=0).iloc[0]
    s2 = (100 + 90) / 2  # the points' tight boxes: 10 x 10 and 9 x 10
    want = (math.exp(-1 / (2 * DEFAULT_SIGMA) ** 2 / s2 / 2) + 1) / 2
    assert out["mean_oks"] == pytest.approx(want)


def test_bad_input_names_the_argument() -> None:
    df = from_records([pt("ana", "nose", 1, 1), pt("bo", "nose", 1, 1)])
    with pytest.raises(ValueError, match=r"keypoint_agreement: oks must be a number in \[0, 1\]"):
        qa.keypoint_agreement(df, oks=2)
    with pytest.raises(TypeError, match="keypoint_agreement: sigmas must be a dict"):
        qa.keypoint_agreement(df, sigmas=[0.1])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"sigmas\['nose'\] must be a number > 0"):
        qa.keypoint_agreement(df, sigmas={"nose": 0})
    with pytest.raises(TypeError, match="df must be a pandas DataFrame"):
        qa.keypoint_agreement([1, 2])  # type: ignore[arg-type]
    twice = from_records([pt("ana", "nose", 1, 1), pt("ana", "nose", 3, 1, id="x")])
    with pytest.raises(ValueError, match=r"item 'a.jpg' by 'ana' has keypoint\(s\) \['nose'\]"):
        qa.keypoint_agreement(pd.concat([twice, df]))
    lone = from_records([pt("ana", "nose", 1, 1, image_width=None), pt("bo", "nose", 1, 1)])
    with pytest.raises(ValueError, match="have no scale"):
        qa.keypoint_agreement(lone)
