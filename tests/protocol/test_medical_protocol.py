"""ImageAnnotator on DICOM files, stacks and 16-bit images, driven by its page protocol."""

from __future__ import annotations

import numpy as np
import pytest

import nblabel as nl
from tests.unit.dicom_helpers import ct_slice, write_dicom

from .conftest import decode


def make(items, tmp_path, **kw):
    kw.setdefault("labels", ["lesion", "normal"])
    kw.setdefault("annotator", "rad")
    kw.setdefault("store", tmp_path / "labels.db")
    return nl.ImageAnnotator(items, **kw)


def values_of(message, buffers):
    window = message["item"]["window"]
    q = np.frombuffer(buffers[1], dtype="<u2").astype(np.float64)
    shape = (message["item"]["display_height"], message["item"]["display_width"])
    return (window["offset"] + window["scale"] * q).reshape(shape)


def test_a_16_bit_dicom_opens_with_its_window_spacing_and_values(tmp_path, drive):
    stored = ct_slice()
    path = str(write_dicom(tmp_path / "ct.dcm", stored))
    page = drive(make([path], tmp_path, tools=["box"]))
    page.hello()
    message, buffers = page.item_at(0)
    item = message["item"]
    assert "error" not in item
    assert (item["width"], item["height"], item["mime"]) == (64, 48, "image/png")
    assert item["frames"] == 1
    assert item["meta"]["pixel spacing"] == "0.7 × 0.75 mm"
    assert item["meta"]["modality"] == "CT"
    assert item["window"]["center"] == 40.0
    assert item["window"]["width"] == 400.0
    assert item["window"]["unit"] == "HU"
    assert page.widget.metadata(path) == item["meta"]
    assert len(buffers) == 2
    assert decode(buffers[0]).mode == "L"
    np.testing.assert_array_equal(values_of(message, buffers), stored.astype(float) - 1024)
    # Coordinates are original pixels, whatever the window: a box is stored as sent.
    box = {"id": "b1", "kind": "box", "label": "lesion", "x": 10, "y": 5, "width": 8, "height": 6}
    assert page.edit(path, [box])["type"] == "saved"
    row = page.widget.annotations.iloc[0]
    assert (row["x"], row["y"], row["width"], row["height"]) == (10, 5, 8, 6)
    assert (row["image_width"], row["image_height"]) == (64, 48)


def test_a_stack_is_browsed_by_slice_and_regions_store_their_frame(tmp_path, drive):
    stack = np.stack([ct_slice(seed=i) + 50 * i for i in range(4)]).astype(np.uint16)
    path = str(write_dicom(tmp_path / "series.dcm", stack))
    w = make([path], tmp_path, tools=["box", "polygon"])
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    assert (message["item"]["frames"], message["item"]["frame"]) == (4, 0)
    assert message["item"]["meta"]["slices"] == "4"
    page.clear()
    page._send({"type": "slice", "item_id": path, "frame": 2})
    answer, buffers = page.sent[-1]
    assert answer["type"] == "slice"
    assert (answer["frame"], answer["item"]["frame"]) == (2, 2)
    np.testing.assert_array_equal(values_of(answer, buffers), stack[2].astype(float) - 1024)
    for bad, text in ((9, "slice 9 is outside the stack (0 to 3)"), ("2", "whole number")):
        page._send({"type": "slice", "item_id": path, "frame": bad})
        assert text in page.sent[-1][0]["error"]
    box = {"id": "b", "kind": "box", "label": "lesion", "x": 1, "y": 1, "width": 5, "height": 5}
    answer = page.edit(path, [box])
    assert answer["type"] == "rejected"
    assert "needs its frame" in answer["message"]
    answer = page.edit(path, [{**box, "frame": 4}])
    assert answer["type"] == "rejected"
    assert "frame 4 is outside the stack (0 to 3)" in answer["message"]
    assert page.edit(path, [{**box, "frame": 2}])["type"] == "saved"
    whole = {"id": "l", "kind": "label", "label": "normal"}
    assert page.edit(path, [whole])["type"] == "saved"  # a label may be the whole stack's
    df = w.annotations.set_index("id")
    assert df.loc["b", "frame"] == 2
    assert df["frame"].isna().sum() == 1


def test_numpy_and_tiff_stacks(tmp_path, drive):
    from PIL import Image

    cube = (np.arange(3 * 20 * 30).reshape(3, 20, 30) * 7).astype(np.uint16)
    tif = tmp_path / "stack.tif"
    first, *rest = (Image.fromarray(s) for s in cube)
    first.save(tif, save_all=True, append_images=rest)
    w = make([cube, str(tif)], tmp_path, tools=["box"])
    page = drive(w)
    page.hello()
    for position in (0, 1):
        message, buffers = page.item_at(position)
        assert message["item"]["frames"] == 3
        np.testing.assert_array_equal(values_of(message, buffers), cube[0])
    # stack=False: the TIFF is one (16-bit, windowable) page; an RGB-like array is a picture.
    flat = make([str(tif)], tmp_path, stack=False)
    page = drive(flat)
    page.hello()
    assert page.item_at(0)[0]["item"]["frames"] == 1


def test_bad_dicom_files_name_the_item_and_the_queue_goes_on(tmp_path, drive):
    empty = str(write_dicom(tmp_path / "sr.dcm", ct_slice(), pixel_data=False, modality="SR"))
    packed = str(
        write_dicom(tmp_path / "ls.dcm", ct_slice(), transfer_syntax="1.2.840.10008.1.2.4.80")
    )
    good = str(write_dicom(tmp_path / "ok.dcm", ct_slice()))
    w = make([empty, packed, good], tmp_path)
    page = drive(w)
    page.hello()
    message, buffers = page.item_at(0)
    assert buffers == []
    assert f"item {empty!r}" in message["item"]["error"]
    assert "no pixel data" in message["item"]["error"]
    message, _ = page.item_at(1)
    assert f"item {packed!r}" in message["item"]["error"]
    assert "JPEG-LS" in message["item"]["error"]
    page.goto(2)
    assert "error" not in page.item_at(2)[0]["item"]
    assert set(w.errors) == {empty, packed}
    assert page.label(good, "normal")["type"] == "saved"


def test_without_pydicom_the_item_error_names_the_extra(tmp_path, drive, monkeypatch):
    import sys

    path = str(write_dicom(tmp_path / "ct.dcm", ct_slice()))
    monkeypatch.setitem(sys.modules, "pydicom", None)
    page = drive(make([path], tmp_path))
    page.hello()
    error = page.item_at(0)[0]["item"]["error"]
    assert f"item {path!r}" in error
    assert "pip install 'nblabel[dicom]'" in error


def test_a_folder_of_dicom_files_is_a_queue(tmp_path, drive):
    folder = tmp_path / "study"
    folder.mkdir()
    for i in range(3):
        write_dicom(folder / f"IM{i}.dcm", ct_slice(seed=i))
    w = make(str(folder), tmp_path)
    assert [p.rsplit("/", 1)[-1] for p in w.item_ids] == ["IM0.dcm", "IM1.dcm", "IM2.dcm"]
    w.close()


def test_predictions_on_a_stack_are_checked_against_its_slices(tmp_path, drive):
    import pandas as pd

    stack = np.stack([ct_slice(seed=i) for i in range(2)]).astype(np.uint16)
    path = str(write_dicom(tmp_path / "s.dcm", stack))
    preds = pd.DataFrame(
        {
            "item_id": [path, path],
            "kind": "box",
            "label": "lesion",
            "x": 1.0,
            "y": 1.0,
            "width": 4.0,
            "height": 4.0,
            "frame": [1, 5],
            "score": 0.8,
        },
        index=["p0", "p1"],
    )
    w = make([path], tmp_path, tools=["box"], predictions=preds)
    page = drive(w)
    page.hello()
    message, _ = page.item_at(0)
    assert [s["frame"] for s in message["suggestions"]] == [1]
    assert message["item"]["warnings"]
    assert "frame 5 is outside the stack (0 to 1)" in " ".join(message["item"]["warnings"])


def test_metadata_merges_dataframe_columns_and_dicom_facts(tmp_path):
    import pandas as pd

    path = str(write_dicom(tmp_path / "ct.dcm", ct_slice(), spacing=(0.5, 0.5)))
    items = pd.DataFrame({"path": [path], "patient": ["P-007"]}, index=["study-1"])
    w = make(items, tmp_path, column="path")
    assert w.metadata("study-1") == {
        "patient": "P-007",
        "window": "40 / 400",
        "pixel spacing": "0.5 × 0.5 mm",
        "modality": "CT",
    }
    with pytest.raises(KeyError, match="'nope' is not one of this widget's items"):
        w.metadata("nope")
    w.close()
