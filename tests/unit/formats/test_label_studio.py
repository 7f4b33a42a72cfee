"""Label Studio: brush RLE against fixtures, an export in the documented shape, round trips."""

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
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nblabel import rle, schema
from nblabel.formats import (
    FormatError,
    decode_brush,
    encode_brush,
    read_label_studio,
    to_label_studio,
)
from nblabel.formats.label_studio import unpack_brush, write_label_studio

# -- brush RLE -----------------------------------------------------------------------------


def test_unpack_the_converters_documented_vector() -> None:
    # label-studio-converter's test of encode_rle: these bytes pack these 18 values
    packed = [0, 0, 0, 18, 57, 27, 252, 96, 32, 1, 0, 6, 0, 40, 0, 192, 3, 128, 17, 56, 32]
    assert unpack_brush(packed).tolist() == [1, 1, 1, 1, 2, 3, 5, 6, 7, 8, 4, 4, 4, 4, 4, 4, 4, 4]


def bits_to_bytes(bits: str) -> list[int]:
    bits = bits.replace(" ", "")
    bits += "0" * (-len(bits) % 8)
    return [int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)]


# A 1 x 2 mask [[0, 1]] by hand: 8 RGBA values 0,0,0,0,255,255,255,255.
HAND = bits_to_bytes(
    "00000000000000000000000000001000"  # 8 values
    " 00111"  # word size 8
    " 0010 0011 0111 1111"  # run-length field sizes 3, 4, 8, 16
    " 1 00 011 00000000"  # repeat, field 0 (3 bits), length 4, value 0
    " 1 00 011 11111111"  # repeat, field 0, length 4, value 255
)


def test_hand_made_fixture() -> None:
    assert encode_brush(np.array([[False, True]])) == HAND
    assert decode_brush(HAND, 2, 1).tolist() == [[False, True]]


def test_long_runs_split_at_65536() -> None:
    mask = np.ones((300, 300), bool)  # 360,000 values: runs longer than one 16-bit field
    assert (decode_brush(encode_brush(mask), 300, 300) == mask).all()


@SETTINGS
@given(hnp.arrays(np.bool_, st.tuples(st.integers(1, 40), st.integers(1, 40))))
def test_brush_round_trip_property(mask: np.ndarray) -> None:
    h, w = mask.shape
    assert (decode_brush(encode_brush(mask), w, h) == mask).all()


def test_brush_errors() -> None:
    with pytest.raises(ValueError, match=r"holds 8 values, not 2x2x4 = 16"):
        decode_brush(HAND, 2, 2)
    with pytest.raises(ValueError, match="ends in the middle"):
        decode_brush(HAND[:-2], 2, 1)


# -- an export in the documented JSON shape -----------------------------------------------


def export() -> list[dict[str, Any]]:
    """Tasks as Label Studio's JSON export writes them (image, text and audio projects)."""
    brush = np.zeros((4, 5), bool)
    brush[1:3, 2:5] = True
    ann = {
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": "2024-03-03T14:12:43Z",
        "updated_at": "2024-03-03T14:13:00Z",
        "lead_time": 8.15,
        "task": 1,
        "prediction": {},
        "parent_prediction": None,
        "parent_annotation": None,
    }
    size = {"original_width": 600, "original_height": 400, "image_rotation": 0}
    return [
        {
            "id": 1,
            "data": {"image": "/data/upload/1/street.jpg"},
            "meta": {},
            "project": 3,
            "annotations": [
                {
                    **ann,
                    "id": 1001,
                    "completed_by": {"id": 1, "email": "ana@x.org"},
                    "result": [
                        {
                            "id": "bb1",
                            "type": "rectanglelabels",
                            "from_name": "label",
                            "to_name": "image",
                            **size,
                            "value": {
                                "x": 10,
                                "y": 25,
                                "width": 50,
                                "height": 12.5,
                                "rotation": 0,
                                "rectanglelabels": ["Car"],
                            },
                            "origin": "manual",
                        },
                        {
                            "id": "bb1",
                            "type": "textarea",
                            "from_name": "ocr",
                            "to_name": "image",
                            **size,
                            "value": {
                                "x": 10,
                                "y": 25,
                                "width": 50,
                                "height": 12.5,
                                "text": ["AB-123"],
                            },
                        },
                        {
                            "id": "pg1",
                            "type": "polygonlabels",
                            "from_name": "poly",
                            "to_name": "image",
                            **size,
                            "value": {
                                "points": [[0, 0], [50, 0], [50, 50]],
                                "closed": True,
                                "polygonlabels": ["Road"],
                            },
                        },
                        {
                            "id": "kp1",
                            "type": "keypointlabels",
                            "from_name": "kp",
                            "to_name": "image",
                            **size,
                            "value": {"x": 25, "y": 50, "width": 0.5, "keypointlabels": ["Nose"]},
                        },
                        {
                            "id": "br1",
                            "type": "brushlabels",
                            "from_name": "brush",
                            "to_name": "image",
                            "original_width": 5,
                            "original_height": 4,
                            "image_rotation": 0,
                            "value": {
                                "format": "rle",
                                "rle": encode_brush(brush),
                                "brushlabels": ["Sky"],
                            },
                        },
                        {
                            "id": "ch1",
                            "type": "choices",
                            "from_name": "weather",
                            "to_name": "image",
                            "value": {"choices": ["Sunny", "Dry"]},
                        },
                    ],
                }
            ],
            "predictions": [
                {
                    "id": 9,
                    "model_version": "yolo-v8",
                    "score": 0.5,
                    "result": [
                        {
                            "id": "p1",
                            "type": "rectanglelabels",
                            "from_name": "label",
                            "to_name": "image",
                            **size,
                            "score": 0.9,
                            "value": {
                                "x": 10,
                                "y": 25,
                                "width": 50,
                                "height": 12.5,
                                "rotation": 0,
                                "rectanglelabels": ["Car"],
                            },
                        },
                    ],
                }
            ],
        },
        {
            "id": 2,
            "data": {"text": "Ana flew to Paris."},
            "annotations": [
                {
                    **ann,
                    "id": 1002,
                    "completed_by": 7,
                    "result": [
                        {
                            "id": "s1",
                            "type": "labels",
                            "from_name": "ner",
                            "to_name": "text",
                            "value": {"start": 0, "end": 3, "text": "Ana", "labels": ["PER"]},
                        },
                        {
                            "id": "s2",
                            "type": "labels",
                            "from_name": "ner",
                            "to_name": "text",
                            "value": {"start": 12, "end": 17, "text": "Paris", "labels": ["LOC"]},
                        },
                        {
                            "type": "relation",
                            "from_id": "s1",
                            "to_id": "s2",
                            "direction": "right",
                            "labels": ["travels_to"],
                        },
                        {
                            "id": "c1",
                            "type": "choices",
                            "from_name": "sentiment",
                            "to_name": "text",
                            "value": {"choices": ["neutral"]},
                        },
                    ],
                },
                {**ann, "id": 1003, "completed_by": 8, "was_cancelled": True, "result": []},
            ],
        },
        {
            "id": 3,
            "data": {"audio": "/data/upload/1/meeting.wav"},
            "annotations": [
                {
                    **ann,
                    "id": 1004,
                    "completed_by": 7,
                    "result": [
                        {
                            "id": "a1",
                            "type": "labels",
                            "from_name": "speaker",
                            "to_name": "audio",
                            "original_length": 30.5,
                            "value": {"start": 1.25, "end": 4.5, "channel": 0, "labels": ["Ana"]},
                        },
                        {
                            "id": "a1",
                            "type": "textarea",
                            "from_name": "transcript",
                            "to_name": "audio",
                            "value": {
                                "start": 1.25,
                                "end": 4.5,
                                "channel": 0,
                                "text": ["Hello there"],
                            },
                        },
                        {
                            "id": "t9",
                            "type": "textarea",
                            "from_name": "summary",
                            "to_name": "audio",
                            "value": {"text": ["a short call"]},
                        },
                    ],
                }
            ],
        },
    ]


def test_read_the_documented_export(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export()))
    df = read_label_studio(path)
    schema.validate(df)
    by = df.set_index("id")
    box = by.loc["1/a1001/bb1"]
    assert (box["kind"], box["label"], box["annotator"]) == ("box", "Car", "ana@x.org")
    assert (box["x"], box["y"], box["width"], box["height"]) == (60, 100, 300, 50)
    assert box["extra"]["label_studio"]["text"] == "AB-123"
    assert box["elapsed"] == 8.15
    assert box["created_at"] == pd.Timestamp("2024-03-03T14:12:43Z")
    assert np.allclose(by.loc["1/a1001/pg1", "points"], [[0, 0], [300, 0], [300, 200]])
    assert (by.loc["1/a1001/kp1", "x"], by.loc["1/a1001/kp1", "y"]) == (150, 200)
    mask = rle.decode(by.loc["1/a1001/br1", "mask"])
    assert mask.shape == (4, 5)
    assert mask[1:3, 2:5].all()
    assert mask.sum() == 6
    assert sorted(df.loc[df["id"].str.startswith("1/a1001/ch1"), "label"]) == ["Dry", "Sunny"]
    pred = by.loc["1/p9/p1"]
    assert (pred["source"], pred["annotator"], pred["score"]) == ("model", "yolo-v8", 0.9)
    span = by.loc["2/a1002/s2"]
    assert (span["kind"], span["start"], span["end"], span["text"]) == ("span", 12, 17, "Paris")
    rel = df[df["kind"] == "relation"].iloc[0]
    assert (rel["from_id"], rel["to_id"], rel["label"]) == (
        "2/a1002/s1",
        "2/a1002/s2",
        "travels_to",
    )
    assert by.loc["2/a1002/c1", "kind"] == "label"
    skip = df[df["kind"] == "skip"].iloc[0]
    assert (skip["item_id"], skip["annotator"]) == ("2", "8")
    seg = by.loc["3/a1004/a1"]
    assert (seg["kind"], seg["start"], seg["end"], seg["text"]) == (
        "segment",
        1.25,
        4.5,
        "Hello there",
    )
    note = by.loc["3/a1004/t9"]
    assert (note["kind"], note["text"], note["label"]) == ("comment", "a short call", "summary")
    # item ids from a data field
    images = read_label_studio(export()[:1], item_key="image")
    assert set(images["item_id"]) == {"/data/upload/1/street.jpg"}


def test_our_output_reads_back_the_same_rows() -> None:
    tasks = export()
    df = read_label_studio(tasks)
    data = {str(t["id"]): t["data"] for t in tasks}
    out = to_label_studio(df, data=data)
    check_documented_shape(out)
    back = read_label_studio(out)
    cols = (
        "item_id",
        "kind",
        "label",
        "annotator",
        "source",
        "score",
        "x",
        "y",
        "width",
        "height",
        "points",
        "mask",
        "image_width",
        "image_height",
        "start",
        "end",
        "text",
        "extra",
    )
    human = df["source"] == "human"
    # Label Studio assigns annotators on import: we name them back by item
    back_named = back.copy()
    ours = df.copy()
    for frame_ in (back_named, ours):
        frame_.loc[frame_["source"] == "human", "annotator"] = "someone"
    assert human.sum() == (back["source"] == "human").sum()
    assert_same(
        back_named.drop(columns=["elapsed"]),
        ours,
        cols,
        by=("item_id", "kind", "label", "start", "x"),
        atol=1e-9,
    )
    rel = back[back["kind"] == "relation"].iloc[0]
    ends = back.set_index("id").loc[[rel["from_id"], rel["to_id"]], "text"].tolist()
    assert ends == ["Ana", "Paris"]


def check_documented_shape(tasks: list[dict[str, Any]]) -> None:
    """The import format of Label Studio's docs ("Import pre-annotated data")."""
    assert isinstance(tasks, list)
    for task in tasks:
        assert isinstance(task["data"], dict)
        assert task["data"]
        for group in ("annotations", "predictions"):
            for entry in task.get(group, []):
                if group == "predictions":
                    assert isinstance(entry["model_version"], str)
                for res in entry["result"]:
                    assert res["type"] in {
                        "rectanglelabels",
                        "polygonlabels",
                        "keypointlabels",
                        "brushlabels",
                        "labels",
                        "choices",
                        "textarea",
                        "relation",
                    }
                    if res["type"] == "relation":
                        assert {"from_id", "to_id"} <= res.keys()
                        continue
                    assert {"id", "from_name", "to_name", "value"} <= res.keys()
                    if res["type"] not in ("textarea",):
                        assert isinstance(res["value"][res["type"]], list)
                    if res["type"].endswith("labels") and res["type"] != "labels":
                        assert res["original_width"] > 0
                        assert res["original_height"] > 0
    json.dumps(tasks, allow_nan=False)


@SETTINGS
@given(image_rows())
def test_image_round_trip_property(df: pd.DataFrame) -> None:
    data = {item: {"image": item} for item in df["item_id"].unique()}
    out = to_label_studio(df, data=data)
    check_documented_shape(out)
    back = read_label_studio(out, item_key="image", annotator="ana")
    assert_same(
        back,
        df,
        (
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
        ),
        atol=1e-9,
    )


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.integers(0, 20),
            st.integers(0, 20),
            st.sampled_from(["A", "B"]),
            st.sampled_from(["human", "model"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_span_round_trip_property(spans: list[tuple[int, int, str, str]]) -> None:
    text = "abcdefghij klmnopqrst u"
    df = frame(
        [
            {
                "id": f"s{k}",
                "item_id": "7",
                "kind": "span",
                "label": label,
                "start": min(a, b),
                "end": max(a, b),
                "text": text[min(a, b) : max(a, b)],
                "source": src,
                "annotator": "m" if src == "model" else "ana",
                "score": 0.5 if src == "model" else None,
            }
            for k, (a, b, label, src) in enumerate(spans)
        ]
    )
    back = read_label_studio(to_label_studio(df, data={"7": {"text": text}}))
    assert_same(
        back,
        df,
        ("item_id", "kind", "label", "start", "end", "text", "source", "score"),
        by=("source", "start", "end", "label"),
    )
    # a model's name is its model_version; people are named by Label Studio on import
    assert set(back.loc[back["source"] == "model", "annotator"]) <= {"m"}
    assert set(back.loc[back["source"] == "human", "annotator"]) <= {"label-studio"}


def test_bad_input_names_the_json_path() -> None:
    tasks = export()
    bad = copy.deepcopy(tasks)
    bad[0]["annotations"][0]["result"][2]["value"]["points"] = [[0, 0]]
    with pytest.raises(FormatError, match=r"\[0\].annotations\[0\].result\[2\].value points"):
        read_label_studio(bad)
    bad = copy.deepcopy(tasks)
    bad[0]["annotations"][0]["result"][0]["value"]["x"] = "left"
    with pytest.raises(FormatError, match=r"result\[0\].value x: 'left' is not a number"):
        read_label_studio(bad)
    bad = copy.deepcopy(tasks)
    bad[1]["annotations"][0]["result"].append(
        {"id": "r", "type": "rating", "from_name": "r", "to_name": "text", "value": {"rating": 3}}
    )
    with pytest.raises(FormatError, match=r"result\[4\] type: result type 'rating'"):
        read_label_studio(bad)
    assert len(read_label_studio(bad, unknown="skip")) == len(read_label_studio(tasks))
    bad = copy.deepcopy(tasks)
    bad[1]["annotations"][0]["result"][2]["to_id"] = "nope"
    with pytest.raises(FormatError, match=r"result\[2\] to_id: names no region"):
        read_label_studio(bad)
    bad = copy.deepcopy(tasks)
    bad[0]["annotations"][0]["result"][4]["original_width"] = 6
    with pytest.raises(FormatError, match=r"result\[4\].value rle: the brush rle holds 80"):
        read_label_studio(bad)


def test_to_label_studio_needs_task_data(tmp_path: Path) -> None:
    df = read_label_studio(export())
    with pytest.raises(FormatError, match=r"items \['3'\] have no task data"):
        to_label_studio(df, data={"1": {"image": "a"}, "2": {"text": "b"}})
    path = write_label_studio(
        df[df["item_id"] == "2"], tmp_path / "t.json", data={"2": {"text": "Ana flew to Paris."}}
    )
    assert json.loads(path.read_text())[0]["data"] == {"text": "Ana flew to Paris."}


def test_per_region_choices_share_the_region_id() -> None:
    size = {"original_width": 100, "original_height": 100}
    task = {
        "id": 5,
        "data": {"image": "a.jpg"},
        "annotations": [
            {
                "id": 1,
                "result": [
                    {
                        "id": "r1",
                        "type": "rectanglelabels",
                        "from_name": "box",
                        "to_name": "image",
                        **size,
                        "value": {
                            "x": 1,
                            "y": 1,
                            "width": 5,
                            "height": 5,
                            "rectanglelabels": ["Car"],
                        },
                    },
                    {
                        "id": "r1",
                        "type": "choices",
                        "from_name": "color",
                        "to_name": "image",
                        **size,
                        "value": {"x": 1, "y": 1, "width": 5, "height": 5, "choices": ["red"]},
                    },
                ],
            }
        ],
    }
    df = read_label_studio([task])
    assert sorted(df["id"]) == ["5/a1/r1", "5/a1/r1/choices"]
    assert sorted(df["kind"]) == ["box", "label"]


def test_item_ids_survive_label_studio_assigning_task_ids() -> None:
    df = read_label_studio(export())
    out = to_label_studio(df, data={str(t["id"]): t["data"] for t in export()})
    assert [t["meta"] for t in out] == [{"item_id": "1"}, {"item_id": "2"}, {"item_id": "3"}]
    exported = [{**t, "id": 900 + k} for k, t in enumerate(out)]  # what an export gives back
    back = read_label_studio(exported)
    assert sorted(back["item_id"].unique()) == ["1", "2", "3"]
