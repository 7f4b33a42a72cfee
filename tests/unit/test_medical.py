"""Tests for nblabel.medical: DICOM files written by pydicom in the test, 16-bit and float
images, stacks (multi-frame DICOM, 3-D TIFF, 3-D arrays), and the window applied for display."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from dicom_helpers import ct_slice, write_dicom
from PIL import Image

from nblabel import medical
from nblabel.media import MAX_DISPLAY_BYTES, MediaError


def png_pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def raw_values(shown: medical.SliceImage) -> np.ndarray:
    assert shown.raw is not None
    assert shown.info is not None
    q = np.frombuffer(shown.raw, dtype="<u2").astype(np.float64)
    values = shown.info["offset"] + shown.info["scale"] * q
    return values.reshape(shown.display.display_height, shown.display.display_width)


def test_a_ct_slice_is_read_in_hounsfield_units_with_its_window_and_spacing(tmp_path):
    stored = ct_slice()
    path = write_dicom(tmp_path / "ct.dcm", stored, slope=1, intercept=-1024)
    volume = medical.read_dicom(path, item_id="ct")
    assert volume.n_frames == 1
    assert volume.size == (64, 48)
    np.testing.assert_array_equal(volume.slices[0], stored.astype(np.int64) - 1024)
    assert volume.window == (40.0, 400.0)
    assert volume.spacing == (0.7, 0.75)
    assert volume.unit == "HU"
    assert volume.meta == {
        "window": "40 / 400",
        "pixel spacing": "0.7 × 0.75 mm",
        "modality": "CT",
    }
    assert "rescaled: value = 1 × stored − 1024" in volume.notes


def test_a_fractional_slope_gives_float_values(tmp_path):
    stored = ct_slice()
    path = write_dicom(tmp_path / "pet.dcm", stored, slope=0.5, intercept=10, modality="PT")
    volume = medical.read_dicom(path, item_id="pet")
    assert volume.slices.dtype == np.float32
    np.testing.assert_allclose(volume.slices[0], stored * 0.5 + 10)
    assert volume.unit == ""


def test_the_8_bit_display_applies_the_default_window_and_the_raw_values_are_exact(tmp_path):
    stored = ct_slice()
    path = write_dicom(tmp_path / "ct.dcm", stored)
    volume = medical.read_volume(str(path), item_id="ct")
    assert volume is not None
    shown = medical.display_slice(volume, 0, item_id="ct")
    assert shown.display.mime == "image/png"
    assert (shown.display.width, shown.display.height) == (64, 48)
    hu = stored.astype(np.float64) - 1024
    expected = np.clip(np.floor((hu - (40 - 200)) * 255 / 400 + 0.5), 0, 255)
    np.testing.assert_array_equal(png_pixels(shown.display.data), expected)
    assert shown.info is not None
    assert (shown.info["center"], shown.info["width"]) == (40.0, 400.0)
    assert (shown.info["min"], shown.info["max"]) == (hu.min(), hu.max())
    assert shown.info["scale"] == 1.0
    np.testing.assert_array_equal(raw_values(shown), hu)  # integers travel exactly


def test_multi_frame_dicom_is_a_stack_of_slices(tmp_path):
    stack = np.stack([ct_slice(seed=i) + 100 * i for i in range(3)]).astype(np.uint16)
    path = write_dicom(tmp_path / "series.dcm", stack)
    volume = medical.read_volume(path, item_id="s")
    assert volume is not None
    assert volume.n_frames == 3
    assert volume.meta["slices"] == "3"
    for i in range(3):
        shown = medical.display_slice(volume, i, item_id="s")
        np.testing.assert_array_equal(raw_values(shown), stack[i].astype(np.float64) - 1024)
        assert f"slice {i + 1} of 3" in shown.display.notes
    with pytest.raises(MediaError, match=r"item 's' .*slice 3 is outside the stack \(0 to 2\)"):
        medical.display_slice(volume, 3, item_id="s")


def test_monochrome1_is_shown_inverted(tmp_path):
    path = write_dicom(tmp_path / "cr.dcm", ct_slice(), photometric="MONOCHROME1")
    volume = medical.read_volume(path, item_id="cr")
    assert volume is not None
    assert volume.invert
    shown = medical.display_slice(volume, 0, item_id="cr")
    plain = medical.apply_window(volume.slices[0], 40, 400)
    np.testing.assert_array_equal(png_pixels(shown.display.data), 255 - plain)
    assert shown.info is not None
    assert shown.info["invert"] is True


def test_dicom_bytes_and_files_without_the_suffix_are_found_by_their_marker(tmp_path):
    path = write_dicom(tmp_path / "ct.dcm", ct_slice())
    plain = tmp_path / "IM0001"
    plain.write_bytes(path.read_bytes())
    assert medical.is_dicom(plain)
    assert medical.is_dicom(path.read_bytes())
    assert not medical.is_dicom(b"\x89PNG" + bytes(200))
    volume = medical.read_volume(path.read_bytes(), item_id="b")
    assert volume is not None
    assert volume.window == (40.0, 400.0)


def test_a_dicom_without_pixel_data_names_the_item(tmp_path):
    path = write_dicom(tmp_path / "sr.dcm", ct_slice(), pixel_data=False, modality="SR")
    with pytest.raises(MediaError) as info:
        medical.read_volume(path, item_id="report-7")
    assert "item 'report-7'" in str(info.value)
    assert "no pixel data (modality SR)" in str(info.value)


def test_compressed_pixel_data_without_a_decoder_names_the_item_and_the_syntax(tmp_path):
    path = write_dicom(tmp_path / "ls.dcm", ct_slice(), transfer_syntax="1.2.840.10008.1.2.4.80")
    with pytest.raises(MediaError) as info:
        medical.read_volume(path, item_id="ls-1")
    text = str(info.value)
    assert "item 'ls-1'" in text
    assert "compressed as JPEG-LS Lossless Image Compression (1.2.840.10008.1.2.4.80)" in text
    assert "pylibjpeg" in text


@pytest.mark.filterwarnings("ignore:.*VR:UserWarning")  # pydicom reading the broken file
def test_a_file_that_is_not_dicom_names_the_item(tmp_path):
    path = tmp_path / "broken.dcm"
    path.write_bytes(b"\x00" * 128 + b"DICM" + b"\x02\x00garbage")
    with pytest.raises(MediaError, match="item 'broken'"):
        medical.read_volume(path, item_id="broken")


def test_without_pydicom_the_error_names_the_extra(tmp_path, monkeypatch):
    path = write_dicom(tmp_path / "ct.dcm", ct_slice())
    monkeypatch.setitem(sys.modules, "pydicom", None)
    with pytest.raises(ImportError, match=r"pip install 'nblabel\[dicom\]'"):
        medical.read_volume(path, item_id="ct")


def test_a_3d_tiff_is_a_stack(tmp_path):
    pages = [(np.arange(30 * 40).reshape(30, 40) * (i + 1)).astype(np.uint16) for i in range(4)]
    path = tmp_path / "stack.tif"
    first, *rest = (Image.fromarray(p) for p in pages)
    first.save(path, save_all=True, append_images=rest)
    volume = medical.read_volume(str(path), item_id="t")
    assert volume is not None
    assert volume.n_frames == 4
    np.testing.assert_array_equal(volume.slices[2], pages[2])
    assert medical.read_volume(str(path), item_id="t", stack=False) is not None  # 16-bit page
    shown = medical.display_slice(volume, 3, item_id="t")
    np.testing.assert_array_equal(raw_values(shown), pages[3])


def test_arrays_stacks_are_detected_or_asked_for():
    cube = np.arange(5 * 20 * 30, dtype=np.int16).reshape(5, 20, 30)
    volume = medical.read_volume(cube, item_id="a")
    assert volume is not None
    assert volume.n_frames == 5
    assert volume.size == (30, 20)
    # A last axis of 3 reads as RGB unless stack=True says it is slices.
    thin = np.zeros((10, 12, 3), dtype=np.uint8)
    assert medical.read_volume(thin, item_id="rgb") is None
    asked = medical.read_volume(thin, item_id="s", stack=True)
    assert asked is not None
    assert asked.n_frames == 10
    assert asked.size == (3, 12)
    colour = np.zeros((4, 10, 12, 3), dtype=np.uint8)
    volume = medical.read_volume(colour, item_id="c")
    assert volume is not None
    assert not volume.scalar
    assert volume.n_frames == 4
    shown = medical.display_slice(volume, 1, item_id="c")
    assert shown.raw is None
    assert shown.display.display_width == 12
    with pytest.raises(MediaError, match="4-D array is a stack"):
        medical.read_volume(np.zeros((2, 3, 4, 7)), item_id="bad")


def test_float_and_16_bit_images_are_windowable_and_8_bit_ones_are_not(tmp_path):
    floats = np.linspace(-3.5, 12.25, 40 * 50, dtype=np.float32).reshape(40, 50)
    volume = medical.read_volume(floats, item_id="f")
    assert volume is not None
    assert volume.n_frames == 1
    shown = medical.display_slice(volume, 0, item_id="f")
    assert shown.info is not None
    assert (shown.info["min"], shown.info["max"]) == (-3.5, 12.25)
    assert (shown.info["center"], shown.info["width"]) == (4.375, 15.75)  # full range
    np.testing.assert_allclose(raw_values(shown), floats, atol=15.75 / 65535)
    unit = medical.display_slice(
        medical.Volume(slices=np.array([[[0.0, 0.5, 1.0]]], dtype=np.float32)), 0, item_id="u"
    )
    assert unit.info is not None
    assert (unit.info["center"], unit.info["width"]) == (0.5, 1.0)
    png16 = tmp_path / "deep.png"
    Image.fromarray(np.arange(600, dtype=np.uint16).reshape(20, 30) * 100).save(png16)
    assert medical.read_volume(str(png16), item_id="p") is not None
    jpeg = tmp_path / "photo.jpg"
    Image.fromarray(np.zeros((8, 8, 3), dtype=np.uint8)).save(jpeg)
    assert medical.read_volume(str(jpeg), item_id="j") is None
    assert medical.read_volume(np.zeros((8, 8), dtype=np.uint8), item_id="u8") is None


def test_nan_values_are_named_and_shown_as_the_minimum():
    values = np.array([[[1.0, np.nan], [3.0, 5.0]]], dtype=np.float32)
    shown = medical.display_slice(medical.Volume(slices=values), 0, item_id="n")
    assert "1 NaN or infinite values shown as the minimum" in shown.display.notes
    assert shown.info is not None
    assert (shown.info["min"], shown.info["max"]) == (1.0, 5.0)
    with pytest.raises(MediaError, match="no finite values"):
        medical.display_slice(
            medical.Volume(slices=np.full((1, 2, 2), np.nan, np.float32)), 0, item_id="n"
        )


def test_a_large_slice_travels_downscaled_under_the_byte_limit():
    big = np.zeros((1, 3000, 2900), dtype=np.uint16)
    big[0, ::7] = 4000
    shown = medical.display_slice(medical.Volume(slices=big), 0, item_id="big", max_side=4096)
    assert shown.raw is not None
    assert len(shown.raw) < MAX_DISPLAY_BYTES
    assert (shown.display.width, shown.display.height) == (2900, 3000)  # the original's size
    assert len(shown.raw) == shown.display.display_width * shown.display.display_height * 2


def test_apply_window_matches_the_documented_formula():
    values = np.array([-1000.0, -160.0, 40.0, 240.0, 3000.0])
    assert medical.apply_window(values, 40, 400).tolist() == [0, 0, 128, 255, 255]
    assert medical.apply_window(values, 40, 400, invert=True).tolist() == [255, 255, 127, 0, 0]


def test_paths_named_in_errors_are_the_items(tmp_path):
    with pytest.raises(MediaError, match=r"item 'gone'.*file not found"):
        medical.read_dicom(Path(tmp_path / "gone.dcm"), item_id="gone")


def test_bad_stacks_name_the_item(tmp_path):
    with pytest.raises(MediaError, match=r"item 'o'.*unsupported array dtype object"):
        medical.read_volume(np.empty((3, 4, 5), dtype=object), item_id="o")
    path = tmp_path / "mixed.tif"
    first = Image.fromarray(np.zeros((10, 10), np.uint16))
    first.save(path, save_all=True, append_images=[Image.fromarray(np.zeros((8, 10), np.uint16))])
    with pytest.raises(MediaError, match=r"item 'm'.*pages differ in size"):
        medical.read_volume(str(path), item_id="m")
    with pytest.raises(MediaError, match=r"item 'x'.*not an image Pillow can read"):
        medical.read_volume(b"not an image at all", item_id="x")
