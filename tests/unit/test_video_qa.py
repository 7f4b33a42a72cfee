"""Track agreement (nblabel.qa.tracks) against values computed by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from nblabel import schema
from nblabel.qa.tracks import track_agreement, track_frame_agreement


def box(
    annotator: str,
    track: str,
    frame: int,
    x: float,
    y: float = 0.0,
    *,
    w: float = 10.0,
    h: float = 10.0,
    item: str = "v",
    label: str = "car",
    outside: bool = False,
) -> dict[str, Any]:
    return {
        "id": f"{item}-{annotator}-{track}-{frame}",
        "item_id": item,
        "annotator": annotator,
        "kind": "box",
        "label": label,
        "x": x,
        "y": y,
        "width": w,
        "height": h,
        "frame": frame,
        "track_id": track,
        "outside": outside,
    }


def summary(rows: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    out = track_agreement(schema.from_records(rows), **kwargs)
    assert len(out) == 1
    return out.iloc[0].to_dict()


def test_same_motion_with_different_keyframes_agrees_fully() -> None:
    # ana keys frames 0 and 10; bo keys 0, 5 and 10 on the same straight path
    rows = [box("ana", "1", 0, 0), box("ana", "1", 10, 100)]
    rows += [box("bo", "7", 0, 0), box("bo", "7", 5, 50), box("bo", "7", 10, 100)]
    s = summary(rows)
    assert (s["frames"], s["n_a"], s["n_b"], s["matches"]) == (11, 11, 11, 11)
    assert (s["misses"], s["false_positives"], s["id_switches"]) == (0, 0, 0)
    assert s["mota"] == 1.0
    assert s["motp_iou"] == pytest.approx(1.0)
    assert (s["idtp"], s["idf1"], s["idp"], s["idr"]) == (11, 1.0, 1.0, 1.0)


def test_boxes_too_far_apart_are_misses_and_false_positives() -> None:
    # a 10x10 box shifted 5 px: IoU = 50 / 150 = 1/3 < 0.5, on 3 frames
    rows = [box("ana", "1", 0, 0), box("ana", "1", 2, 0)]
    rows += [box("bo", "1", 0, 5), box("bo", "1", 2, 5)]
    s = summary(rows)
    assert (s["matches"], s["misses"], s["false_positives"]) == (0, 3, 3)
    assert s["mota"] == pytest.approx(1 - 6 / 3)  # -1
    assert np.isnan(s["motp_iou"])
    assert s["idf1"] == 0.0
    # at a threshold of 0.3 they match, with IoU 1/3
    s = summary(rows, iou=0.3)
    assert s["matches"] == 3
    assert s["motp_iou"] == pytest.approx(1 / 3)


def test_identity_switch_and_idf1_by_hand() -> None:
    # ana: one track on frames 0-3. bo: the same boxes, but track "x" on 0-1 and "y" on 2-3.
    rows = [box("ana", "1", 0, 0), box("ana", "1", 3, 30)]
    rows += [box("bo", "x", 0, 0), box("bo", "x", 1, 10), box("bo", "x", 2, outside=True, x=10)]
    rows += [box("bo", "y", 2, 20), box("bo", "y", 3, 30)]
    s = summary(rows)
    assert (s["matches"], s["id_switches"], s["tracks_a"], s["tracks_b"]) == (4, 1, 1, 2)
    assert s["mota"] == pytest.approx(1 - 1 / 4)
    # ana's track pairs with x or y for the whole video: 2 frames of 4 on each side
    assert s["idtp"] == 2
    assert s["idf1"] == pytest.approx(2 * 2 / (4 + 4))
    per_frame = track_frame_agreement(schema.from_records(rows))
    assert per_frame["id_switches"].tolist() == [0, 0, 1, 0]


def test_a_kept_match_is_not_taken_over_by_a_better_box() -> None:
    """CLEAR MOT keeps last frame's pair while IoU >= threshold (no switch to a closer box)."""
    # frame 0: ana's box at 0, bo's track p at 0. frame 1: ana still at 0; bo's p moved to
    # 2.5 (IoU = 75 / 125 = 0.6) and a new track q sits exactly on ana's box (IoU 1).
    rows = [box("ana", "1", 0, 0), box("ana", "1", 1, 0)]
    rows += [box("bo", "p", 0, 0), box("bo", "p", 1, 2.5), box("bo", "q", 1, 0)]
    s = summary(rows)
    assert (s["matches"], s["misses"], s["false_positives"], s["id_switches"]) == (2, 0, 1, 0)
    assert s["mota"] == pytest.approx(1 - 1 / 2)
    assert s["motp_iou"] == pytest.approx((1.0 + 0.6) / 2)
    frames = track_frame_agreement(schema.from_records(rows))
    assert frames["mean_iou"].tolist() == pytest.approx([1.0, 0.6])


def test_labels_must_agree_and_gaps_are_respected() -> None:
    rows = [box("ana", "1", 0, 0), box("ana", "1", 2, 0, outside=True), box("ana", "1", 4, 0)]
    rows += [box("bo", "1", 0, 0, label="truck"), box("bo", "1", 4, 0, label="truck")]
    s = summary(rows)
    # ana: frames 0, 1, 4 (out on 2-3); bo: frames 0-4, other label: nothing matches
    assert (s["n_a"], s["n_b"], s["matches"], s["frames"]) == (3, 5, 0, 5)


def test_pairs_items_reference_and_by_item() -> None:
    rows = []
    for who in ("ana", "bo", "cy"):
        rows += [box(who, "1", 0, 0, item="v1"), box(who, "1", 1, 0, item="v1")]
    rows += [box("ana", "1", 0, 0, item="v2"), box("bo", "1", 0, 40, item="v2")]
    df = schema.from_records(rows)
    all_pairs = track_agreement(df)
    assert list(zip(all_pairs["annotator_a"], all_pairs["annotator_b"], strict=True)) == [
        ("ana", "bo"),
        ("ana", "cy"),
        ("bo", "cy"),
    ]
    assert all_pairs["n_items"].tolist() == [2, 1, 1]  # cy never saw v2
    gold = track_agreement(df, reference="cy")
    assert list(gold["annotator_b"]) == ["ana", "bo"]
    per_item = track_agreement(df, by_item=True)
    first = per_item[(per_item["annotator_b"] == "bo")].set_index("item_id")
    assert first.loc["v1", "mota"] == 1.0
    assert first.loc["v2", "mota"] == pytest.approx(1 - 2 / 1)
    with pytest.raises(ValueError, match="reference annotator 'zed' has no rows"):
        track_agreement(df, reference="zed")
    with pytest.raises(ValueError, match=r"iou must be in \(0, 1\]"):
        track_agreement(df, iou=0)


def test_n_frames_holds_last_boxes_and_empty_tables() -> None:
    rows = [box("ana", "1", 0, 0), box("bo", "1", 0, 0), box("bo", "1", 3, 0)]
    s = summary(rows)
    assert (s["n_a"], s["n_b"], s["matches"]) == (1, 4, 1)
    s = summary(rows, n_frames=5)
    assert (s["n_a"], s["n_b"], s["matches"]) == (5, 5, 5)
    # only labels: no boxes at all, pairs still reported with no frames
    labels = pd.DataFrame(
        {"item_id": ["v", "v"], "annotator": ["a", "b"], "kind": ["label", "label"],
         "label": ["x", "x"]}
    )  # fmt: skip
    out = track_agreement(labels)
    assert out["frames"].tolist() == [0]
    assert np.isnan(out["mota"].iloc[0])
