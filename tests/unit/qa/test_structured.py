"""Boxes, masks, spans and segments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from nblabel import qa, rle
from nblabel.schema import from_records


def _rows(*records: dict[str, Any]) -> pd.DataFrame:
    out = []
    for i, r in enumerate(records):
        out.append({"id": str(i), "source": "human", **r})
    return from_records(out)


def box(item: str, ann: str, label: str, *xywh: float) -> dict[str, Any]:
    x, y, w, h = xywh
    return {
        "item_id": item,
        "annotator": ann,
        "kind": "box",
        "label": label,
        "x": x,
        "y": y,
        "width": w,
        "height": h,
    }


def test_boxes_hungarian_matching() -> None:
    frame = _rows(
        box("i", "a", "car", 0, 0, 10, 10),
        box("i", "a", "car", 8, 0, 10, 10),
        box("i", "b", "car", 1, 0, 10, 10),  # IoU 0.818 with a0, 0.667 with a1... greedy trap
        box("i", "b", "car", 9, 0, 10, 10),  # IoU 0.818 with a1
        box("i", "b", "dog", 0, 0, 10, 10),  # other label: never matched
    )
    out = qa.box_agreement(frame, iou=0.5)
    row = out.iloc[0]
    assert (row["annotator_a"], row["annotator_b"]) == ("a", "b")
    assert row["matches"] == 2
    assert row["f1"] == pytest.approx(2 * 2 / 5)
    assert row["mean_iou"] == pytest.approx(90 / 110)


def test_boxes_maximise_matches_before_iou() -> None:
    # a0 overlaps both b boxes; the best-IoU pair (a0, b0) would leave a1 unmatched.
    frame = _rows(
        box("i", "a", "car", 0, 0, 10, 10),
        box("i", "a", "car", 6, 0, 10, 10),
        box("i", "b", "car", 0, 0, 10, 10),
        box("i", "b", "car", 3, 0, 10, 10),
    )
    out = qa.box_agreement(frame, iou=0.5)
    assert out["matches"].iloc[0] == 2


def test_boxes_threshold_and_unshared_items() -> None:
    frame = _rows(
        box("i", "a", "car", 0, 0, 10, 10),
        box("i", "b", "car", 5, 0, 10, 10),  # IoU 1/3
        box("j", "a", "car", 0, 0, 10, 10),  # item j only seen by a: not compared
    )
    out = qa.box_agreement(frame, iou=0.3)
    assert out["n_items"].iloc[0] == 1
    assert out["matches"].iloc[0] == 1
    assert qa.box_agreement(frame, iou=0.5)["matches"].iloc[0] == 0
    assert np.isnan(qa.box_agreement(frame, iou=0.5)["mean_iou"].iloc[0])
    with pytest.raises(ValueError, match="iou"):
        qa.box_agreement(frame, iou=0)


def test_spans_exact_and_overlap() -> None:
    def span(ann: str, s: int, e: int, label: str = "PER") -> dict[str, Any]:
        return {
            "item_id": "t",
            "annotator": ann,
            "kind": "span",
            "label": label,
            "start": s,
            "end": e,
        }

    frame = _rows(
        span("a", 0, 5),
        span("a", 10, 15),
        span("a", 20, 22, "LOC"),
        span("b", 0, 5),
        span("b", 11, 15),
        span("b", 20, 22, "ORG"),
    )
    row = qa.span_agreement(frame).iloc[0]
    assert row["exact_matches"] == 1
    assert row["exact_f1"] == pytest.approx(2 / 6)
    assert row["overlap_f1"] == pytest.approx(4 / 6)


def test_spans_touching_do_not_overlap() -> None:
    frame = _rows(
        {"item_id": "t", "annotator": "a", "kind": "span", "label": "X", "start": 0, "end": 5},
        {"item_id": "t", "annotator": "b", "kind": "span", "label": "X", "start": 5, "end": 9},
    )
    assert qa.span_agreement(frame)["overlap_f1"].iloc[0] == 0


def test_masks_iou_and_dice() -> None:
    m1 = np.zeros((4, 6), dtype=bool)
    m1[:2, :3] = True  # 6 px
    m2 = np.zeros((4, 6), dtype=bool)
    m2[:2, 1:4] = True  # 6 px, 4 shared -> IoU 4/8, Dice 8/12
    sky = np.zeros((4, 6), dtype=bool)
    sky[3] = True
    frame = _rows(
        {"item_id": "p", "annotator": "a", "kind": "mask", "label": "car", "mask": rle.encode(m1)},
        {"item_id": "p", "annotator": "b", "kind": "mask", "label": "car", "mask": rle.encode(m2)},
        {
            "item_id": "p",
            "annotator": "a",
            "kind": "mask",
            "label": "sky",
            "mask": rle.encode(sky),
        },
    )
    row = qa.mask_agreement(frame, per_class=True).iloc[0]
    assert row["iou[car]"] == pytest.approx(0.5)
    assert row["dice[car]"] == pytest.approx(8 / 12)
    assert row["iou[sky]"] == 0  # only a has sky: present in either -> counts as 0
    assert row["mean_iou"] == pytest.approx(0.25)
    assert row["n_classes"] == 2


def test_segments_frame_kappa() -> None:
    def seg(ann: str, s: float, e: float, label: str) -> dict[str, Any]:
        return {
            "item_id": "clip",
            "annotator": ann,
            "kind": "segment",
            "label": label,
            "start": s,
            "end": e,
        }

    same = _rows(
        seg("a", 0, 1, "speech"),
        seg("a", 2, 3, "music"),
        seg("b", 0, 1, "speech"),
        seg("b", 2, 3, "music"),
    )
    row = qa.segment_agreement(same, frame=0.1).iloc[0]
    assert row["kappa"] == pytest.approx(1.0)
    assert row["overlap"] == pytest.approx(1.0)
    assert row["seconds"] == pytest.approx(3.0)
    shifted = _rows(seg("a", 0, 1, "speech"), seg("b", 0.5, 1.5, "speech"))
    row = qa.segment_agreement(shifted, frame=0.1).iloc[0]
    assert row["overlap"] == pytest.approx(1 / 3)
    assert row["frame_agreement"] == pytest.approx(1 / 3)
    # frames: a = S*10 + U*5, b = U*5 + S*10 -> po = 5/15, pe = 5/9 -> kappa = -0.5
    assert row["kappa"] == pytest.approx(-0.5)
