"""Normalising what a user passes as ``items`` into identified Items."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from nblabel.items import Item, content_id, image_items


def _touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_bytes(b"not really an image")


# -- folders and paths --------------------------------------------------------------------


def test_a_folder_gives_its_image_files_sorted(tmp_path: Path) -> None:
    _touch(tmp_path, "b.png", "a.JPG", "c.txt", "notes.md", "d.webp", "e.jpeg", "README")
    (tmp_path / "sub").mkdir()
    _touch(tmp_path / "sub", "inner.png")  # not recursive
    for folder in (tmp_path, str(tmp_path)):
        items = image_items(folder)
        assert [i.name for i in items] == ["a.JPG", "b.png", "d.webp", "e.jpeg"]
        assert [i.id for i in items] == [
            str(tmp_path / n) for n in ("a.JPG", "b.png", "d.webp", "e.jpeg")
        ]
        assert [i.source for i in items] == [i.id for i in items]
        assert all(i.meta == {} for i in items)


def test_a_folder_without_images_is_a_value_error(tmp_path: Path) -> None:
    _touch(tmp_path, "a.txt")
    with pytest.raises(ValueError, match=r"has no image files"):
        image_items(tmp_path)


def test_a_list_of_paths_keeps_each_path_as_given(tmp_path: Path) -> None:
    paths = ["imgs/cat.jpg", Path("imgs") / "dog.png", str(tmp_path / "x" / "owl.webp"), "z.gif"]
    items = image_items(paths)
    assert [i.id for i in items] == [
        "imgs/cat.jpg",
        os.path.join("imgs", "dog.png"),
        str(tmp_path / "x" / "owl.webp"),
        "z.gif",
    ]
    assert [i.name for i in items] == ["cat.jpg", "dog.png", "owl.webp", "z.gif"]
    assert items[1].source == paths[1]
    assert all(isinstance(i, Item) for i in items)


def test_one_file_path_is_one_item(tmp_path: Path) -> None:
    _touch(tmp_path, "solo.png")
    items = image_items(str(tmp_path / "solo.png"))
    assert [(i.id, i.name) for i in items] == [(str(tmp_path / "solo.png"), "solo.png")]


def test_same_basename_in_two_folders_are_two_items() -> None:
    items = image_items(["a/img.png", "b/img.png"])
    assert [i.id for i in items] == ["a/img.png", "b/img.png"]
    assert [i.name for i in items] == ["img.png", "img.png"]


def test_items_are_frozen() -> None:
    item = image_items(["a.png"])[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.id = "b"  # type: ignore[misc]


# -- in-memory content --------------------------------------------------------------------


def test_arrays_get_content_ids_stable_across_calls() -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 255, (8, 6, 3), dtype=np.uint8)
    b = a.copy()
    b[0, 0, 0] ^= 1
    first = image_items([a, b])
    again = image_items([a.copy(), b.copy()])
    assert [i.id for i in first] == [i.id for i in again]
    assert first[0].id != first[1].id
    assert first[0].id.startswith("array-")
    assert first[0].name == "array 8x6x3 uint8"
    assert first[0].source is a


def test_array_ids_depend_on_shape_dtype_not_memory_layout() -> None:
    a = np.arange(24, dtype=np.uint8).reshape(4, 6)
    (same,) = image_items([a])
    fortran = image_items([np.asfortranarray(a)])[0]
    reshaped = image_items([a.reshape(6, 4)])[0]
    widened = image_items([a.astype(np.uint16)])[0]
    strided = image_items([np.arange(48, dtype=np.uint8).reshape(4, 12)[:, ::2]])[0]
    assert fortran.id == same.id
    assert reshaped.id != same.id
    assert widened.id != same.id
    assert (
        strided.id
        == image_items(
            [np.ascontiguousarray(np.arange(48, dtype=np.uint8).reshape(4, 12)[:, ::2])]
        )[0].id
    )


def test_pil_images_get_content_ids() -> None:
    red = Image.new("RGB", (5, 4), (255, 0, 0))
    blue = Image.new("RGB", (5, 4), (0, 0, 255))
    first = image_items([red, blue])
    again = image_items([red.copy(), Image.new("RGB", (5, 4), (0, 0, 255))])
    assert [i.id for i in first] == [i.id for i in again]
    assert first[0].id != first[1].id
    assert first[0].id.startswith("image-")
    assert first[0].name == "image 5x4 RGB"
    # Same pixels, different mode or size: different items.
    assert image_items([red.convert("RGBA")])[0].id != first[0].id
    assert image_items([Image.new("RGB", (4, 5), (255, 0, 0))])[0].id != first[0].id


def test_palette_images_with_different_palettes_are_different_items() -> None:
    a = Image.new("P", (4, 4), 0)
    a.putpalette([255, 0, 0] * 256)
    b = Image.new("P", (4, 4), 0)
    b.putpalette([0, 255, 0] * 256)
    items = image_items([a, b])
    assert items[0].id != items[1].id
    c = Image.new("P", (4, 4), 0)
    c.putpalette([255, 0, 0] * 256)
    assert image_items([c])[0].id == items[0].id


def test_bytes_get_content_ids() -> None:
    one, two = b"\x89PNG fake one", b"\x89PNG fake two"
    items = image_items([one, bytearray(two), memoryview(b"third")])
    assert [i.id for i in image_items([one, two, b"third"])] == [i.id for i in items]
    assert len({i.id for i in items}) == 3
    assert items[0].id.startswith("bytes-")
    assert items[0].name == f"bytes ({len(one)} B)"


def test_a_single_array_image_or_bytes_is_one_item() -> None:
    assert len(image_items(np.zeros((2, 2), dtype=np.uint8))) == 1
    assert len(image_items(Image.new("L", (2, 2)))) == 1
    assert len(image_items(b"abc")) == 1


# -- Series and DataFrames ----------------------------------------------------------------


def test_a_series_uses_its_index_as_ids() -> None:
    s = pd.Series(["a.png", "b.png", "c.png"], index=[10, 2, 33])
    items = image_items(s)
    assert [i.id for i in items] == ["10", "2", "33"]
    assert all(isinstance(i.id, str) for i in items)
    assert [i.name for i in items] == ["a.png", "b.png", "c.png"]
    assert [i.source for i in items] == ["a.png", "b.png", "c.png"]


def test_a_series_of_arrays_keeps_index_ids() -> None:
    arrays = [np.zeros((2, 2), np.uint8), np.ones((2, 2), np.uint8)]
    items = image_items(pd.Series(arrays, index=["x", "y"]))
    assert [i.id for i in items] == ["x", "y"]
    assert items[1].source is arrays[1]


def test_a_frame_with_column_gives_metadata_text() -> None:
    df = pd.DataFrame(
        {
            "path": ["a.png", "b.png"],
            "split": ["train", None],
            "score": [0.5, np.nan],
            "count": pd.array([3, None], dtype="Int64"),
            "when": [pd.Timestamp("2024-01-02"), pd.NaT],
        },
        index=[7, 8],
    )
    items = image_items(df, column="path")
    assert [i.id for i in items] == ["7", "8"]
    assert [i.source for i in items] == ["a.png", "b.png"]
    assert items[0].meta == {
        "split": "train",
        "score": "0.5",
        "count": "3",
        "when": "2024-01-02 00:00:00",
    }
    assert items[1].meta == {"split": "", "score": "", "count": "", "when": ""}
    assert all(isinstance(v, str) for i in items for v in i.meta.values())


def test_a_one_column_frame_needs_no_column() -> None:
    items = image_items(pd.DataFrame({"img": ["a.png"]}, index=["k"]))
    assert [(i.id, i.source, i.meta) for i in items] == [("k", "a.png", {})]


def test_a_frame_of_several_columns_needs_column() -> None:
    df = pd.DataFrame({"path": ["a.png"], "split": ["train"]})
    with pytest.raises(ValueError, match=r"^column: .*\(columns: \['path', 'split'\]\)") as info:
        image_items(df)
    assert "column" in str(info.value)


def test_column_must_be_a_column_of_the_frame() -> None:
    df = pd.DataFrame({"path": ["a.png"], "split": ["train"]})
    with pytest.raises(ValueError, match=r"column: 'file' is not a column .*\['path', 'split'\]"):
        image_items(df, column="file")


def test_column_given_as_a_list_is_a_value_error() -> None:
    df = pd.DataFrame({"path": ["a.png"], "split": ["train"]})
    with pytest.raises(ValueError, match=r"^column: expected one column name, got a list"):
        image_items(df, column=["path"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^column: only used when items is a DataFrame"):
        image_items(["a.png"], column=["path"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^column: only used when items is a DataFrame"):
        image_items(["a.png"], column="path")


# -- errors -------------------------------------------------------------------------------


def test_duplicate_paths_name_both_positions() -> None:
    with pytest.raises(ValueError, match=r"item 0 and item 2 have the same id 'a.png'"):
        image_items(["a.png", "b.png", "a.png"])


def test_duplicate_content_names_both_positions() -> None:
    a = np.zeros((3, 3), np.uint8)
    with pytest.raises(ValueError, match=r"item 1 and item 3 have the same id 'array-"):
        image_items([np.ones((3, 3), np.uint8), a, b"x", a.copy()])


def test_duplicate_index_names_both_positions() -> None:
    s = pd.Series(["a.png", "b.png", "c.png"], index=["x", "y", "x"])
    with pytest.raises(ValueError, match=r"item 0 and item 2 have the same id 'x'"):
        image_items(s)
    # 1 and "1" are the same id once made text.
    with pytest.raises(ValueError, match=r"item 0 and item 1 have the same id '1'"):
        image_items(pd.Series(["a.png", "b.png"], index=pd.Index([1, "1"], dtype=object)))


def test_an_unsupported_element_names_its_position_and_type() -> None:
    with pytest.raises(TypeError, match=r"^items: item 2 is a int; expected a path, bytes"):
        image_items(["a.png", "b.png", 3])
    with pytest.raises(TypeError, match=r"item 1 is a dict"):
        image_items(["a.png", {"path": "b.png"}])


def test_an_object_array_is_refused_naming_the_item() -> None:
    ragged = np.array([[1, None], [3, 4]], dtype=object)
    message = r"item {} is a numpy array of dtype object \(Python objects, not pixel"
    with pytest.raises(TypeError, match="^items: " + message.format(1)):
        image_items([np.zeros((2, 2)), ragged])
    with pytest.raises(TypeError, match="^items: " + message.format("'cat'")):
        image_items(pd.Series([ragged], index=["cat"]))
    with pytest.raises(TypeError, match="^items: " + message.format("'b'")):
        image_items(pd.DataFrame({"img": [np.zeros((2, 2)), ragged]}, index=["a", "b"]))
    with pytest.raises(TypeError, match=r"^content_id: got a numpy array of dtype object"):
        content_id(ragged)


def test_an_unsupported_element_of_a_series_names_its_index() -> None:
    with pytest.raises(TypeError, match=r"^items: item 'b' is a float"):
        image_items(pd.Series(["a.png", np.nan], index=["a", "b"]))


def test_an_unsupported_items_object_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^items: expected a list of images, .* got int"):
        image_items(42)


@pytest.mark.parametrize(
    "empty",
    [[], (), pd.Series([], dtype=object), pd.DataFrame({"path": []}), iter([])],
    ids=["list", "tuple", "series", "frame", "iterator"],
)
def test_no_items_is_a_value_error(empty: object) -> None:
    with pytest.raises(ValueError, match=r"^items: no items given"):
        image_items(empty)


def test_a_generator_is_consumed_into_items() -> None:
    items = image_items(f"{i}.png" for i in range(3))
    assert [i.id for i in items] == ["0.png", "1.png", "2.png"]
