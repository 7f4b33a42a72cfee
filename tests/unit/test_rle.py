"""nblabel.rle against pycocotools: byte-identical counts, exact round trips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pycocotools import mask as coco

from nblabel import rle


def coco_rle(mask: np.ndarray) -> dict[str, object]:
    out = coco.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": list(out["size"]), "counts": out["counts"].decode("ascii")}


masks = hnp.arrays(
    np.bool_,
    st.tuples(st.integers(1, 24), st.integers(1, 24)),
    elements=st.booleans(),
)


def blobs(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    out = np.zeros((h, w), dtype=bool)
    for _ in range(5):
        cy, cx, r = rng.integers(0, h), rng.integers(0, w), rng.integers(2, max(3, h // 3))
        out |= (yy - cy) ** 2 + (xx - cx) ** 2 < r**2
    return out


@pytest.mark.parametrize(
    "mask",
    [
        np.zeros((3, 4), bool),
        np.ones((3, 4), bool),
        np.eye(5, dtype=bool),
        np.array([[1, 0, 1, 1]], dtype=bool),
        np.array([[0], [1], [1]], dtype=bool),
        blobs(np.random.default_rng(1), 480, 640),
        blobs(np.random.default_rng(2), 1000, 37),
    ],
    ids=["empty", "full", "diagonal", "one-row", "one-column", "blobs", "tall"],
)
def test_encode_is_byte_identical_to_pycocotools(mask):
    ours = rle.encode(mask)
    theirs = coco_rle(mask)
    assert ours == theirs
    assert rle.area(ours) == int(coco.area(coco.encode(np.asfortranarray(mask.astype(np.uint8)))))
    np.testing.assert_array_equal(rle.decode(ours), mask)


def test_long_runs_need_several_characters():
    mask = np.zeros((3000, 3000), bool)
    mask[1234:2900, 17:2999] = True
    assert rle.encode(mask) == coco_rle(mask)


def test_bbox_matches_pycocotools():
    for seed in range(5):
        mask = blobs(np.random.default_rng(seed), 60, 90)
        theirs = coco.toBbox(coco.encode(np.asfortranarray(mask.astype(np.uint8)))).tolist()
        assert list(rle.bbox(rle.encode(mask))) == theirs
    assert rle.bbox(rle.encode(np.zeros((4, 4), bool))) == (0, 0, 0, 0)


def test_encode_patch_equals_encoding_the_whole_mask():
    rng = np.random.default_rng(3)
    full = np.zeros((50, 70), bool)
    patch = blobs(rng, 20, 30)
    full[12:32, 25:55] = patch
    assert rle.encode_patch(patch, left=25, top=12, height=50, width=70) == rle.encode(full)
    # at the corners and edges too
    for left, top in [(0, 0), (40, 30), (0, 30), (40, 0)]:
        full = np.zeros((50, 70), bool)
        full[top : top + 20, left : left + 30] = patch
        assert rle.encode_patch(patch, left=left, top=top, height=50, width=70) == rle.encode(full)
    with pytest.raises(rle.RLEError, match="does not fit"):
        rle.encode_patch(patch, left=60, top=0, height=50, width=70)


def test_from_counts_accepts_list_counts_and_checks_the_size():
    mask = blobs(np.random.default_rng(4), 30, 40)
    listed = {"size": [30, 40], "counts": rle.runs(mask)}
    assert rle.from_counts(listed) == coco_rle(mask)
    # zero-length runs in the middle are merged away, as pycocotools would encode it
    assert rle.from_counts({"size": [2, 2], "counts": [1, 0, 1, 2]}) == rle.encode(
        np.array([[0, 1], [0, 1]], bool)
    )
    with pytest.raises(rle.RLEError, match="cover 5 pixels but size"):
        rle.from_counts({"size": [2, 2], "counts": [1, 4]})
    with pytest.raises(rle.RLEError, match="negative"):
        rle.from_counts({"size": [2, 2], "counts": [5, -1]})
    with pytest.raises(rle.RLEError, match="not an RLE character"):
        rle.decode({"size": [2, 2], "counts": "4 "})
    with pytest.raises(rle.RLEError, match="size"):
        rle.decode({"size": "big", "counts": "4"})


@settings(max_examples=200, deadline=None)
@given(masks)
def test_round_trip_and_pycocotools_agree_on_any_mask(mask):
    encoded = rle.encode(mask)
    assert encoded == coco_rle(mask)
    np.testing.assert_array_equal(rle.decode(encoded), mask)
    assert rle.counts_from_string(encoded["counts"]) == rle.runs(mask)
    assert rle.area(encoded) == int(mask.sum())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=40))
def test_counts_string_round_trip(counts):
    assert rle.counts_from_string(rle.counts_to_string(counts)) == counts


# -- one behaviour on bad input: RLEError (a ValueError) that says what is wrong ------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"size": [2, 2], "counts": "4 "}, r"' ' at position 1, not an RLE character"),
        ({"size": [2, 2], "counts": "4é"}, r"'é' at position 1, not an RLE character"),
        ({"size": [2, 2], "counts": "4p"}, r"'p' at position 1, not an RLE character"),
        ({"size": [2, 2], "counts": "4P"}, r"ends in the middle of a number"),
        ({"size": [2, 2], "counts": "5"}, r"cover 5 pixels but size \[2, 2\] has 4"),
        ({"size": [2, 2], "counts": "1K"}, r"counts must not be negative; run 1 is -5"),
        ({"size": [2, 2], "counts": 12}, r"string or a list of whole numbers, got int"),
        ({"size": [2, 2], "counts": [1.5, 2.5]}, r"whole numbers; counts\[0\] is 1.5"),
        ({"size": [2, 2], "counts": [1, "3"]}, r"whole numbers; counts\[1\] is '3'"),
        ({"size": [2, 2], "counts": [True, 3]}, r"whole numbers; counts\[0\] is True"),
        ({"size": "22", "counts": "4"}, r"size must be \[height, width\], got '22'"),
        ({"size": [2.5, 2], "counts": "4"}, r"whole pixels, got \[2.5, 2\]"),
        ({"size": [-2, -2], "counts": "4"}, r"must not be negative"),
        ({"counts": "4"}, r"'size' and 'counts', got a dict with keys \['counts'\]"),
        ("4", r"'size' and 'counts', got str"),
    ],
)
def test_bad_input_raises_rle_error_naming_the_problem(value, message):
    for func in (rle.decode, rle.area, rle.bbox, rle.from_counts):
        with pytest.raises(rle.RLEError, match=message):
            func(value)
    assert issubclass(rle.RLEError, ValueError)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12), st.integers(0, 6), st.integers(0, 6))
def test_any_counts_text_decodes_or_raises_rle_error(text, h, w):
    """Whatever a file holds, decoding gives a mask of the size or an RLEError, nothing else."""
    try:
        mask = rle.decode({"size": [h, w], "counts": text})
    except rle.RLEError:
        return
    assert mask.shape == (h, w)
    # what decodes, pycocotools decodes to the same pixels
    if h and w:
        theirs = coco.decode({"size": [h, w], "counts": text.encode("ascii")})
        np.testing.assert_array_equal(theirs.astype(bool), mask)


@settings(max_examples=200, deadline=None)
@given(masks)
def test_pycocotools_strings_decode_and_list_counts_agree(mask):
    """pycocotools' strings decode here; list counts give pycocotools' canonical string."""
    theirs = coco_rle(mask)
    np.testing.assert_array_equal(rle.decode(theirs), mask)
    assert rle.bbox(theirs) == tuple(
        int(v) for v in coco.toBbox(coco.encode(np.asfortranarray(mask.astype(np.uint8))))
    )
    listed = {"size": list(mask.shape), "counts": rle.runs(mask)}
    assert rle.from_counts(listed) == theirs
    frpy = coco.frPyObjects(listed, *mask.shape)
    assert rle.from_counts(listed)["counts"] == frpy["counts"].decode("ascii")
