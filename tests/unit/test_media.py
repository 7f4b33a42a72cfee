"""Tests for nblabel.media: loading images of every kind for display in the browser.

All images are real files written by Pillow into tmp_path; nothing is downloaded.
"""

from __future__ import annotations

import io
import pickle
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from nblabel.media import (
    MAX_DISPLAY_BYTES,
    DisplayImage,
    MediaError,
    describe_source,
    fit_size,
    image_size,
    load_display_image,
    open_image,
)

RED = (255, 0, 0)


def decode(d: DisplayImage) -> Image.Image:
    im = Image.open(io.BytesIO(d.data))
    im.load()
    assert (im.width, im.height) == (d.display_width, d.display_height)
    assert im.format == {"image/jpeg": "JPEG", "image/png": "PNG"}[d.mime]
    return im


def gradient_rgb(w: int, h: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 200, h, dtype=np.float32)[:, None]
    x = np.linspace(0, 200, w, dtype=np.float32)[None, :]
    base = np.stack([y + 0 * x, x + 0 * y, (x + y) / 2], axis=-1).astype(np.uint8)
    return base + rng.integers(0, 40, size=(h, w, 3), dtype=np.uint8)


def quadrant_image(w: int, h: int) -> Image.Image:
    """Blue image with a red top-left quadrant, in the upright frame."""
    arr = np.zeros((h, w, 3), np.uint8)
    arr[:, :] = (0, 0, 255)
    arr[: h // 2, : w // 2] = RED
    return Image.fromarray(arr)


def close_to(pixel: tuple[int, ...], want: tuple[int, ...], tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(pixel, want, strict=False))


@pytest.fixture(scope="session")
def big_jpeg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50-megapixel photo-like JPEG (8660x5773), made once per session."""
    path = tmp_path_factory.mktemp("media") / "50mp.jpg"
    Image.fromarray(gradient_rgb(8660, 5773)).save(path, quality=90)
    return path


# ------------------------------------------------------------------------------------
# Files of each format


@pytest.mark.parametrize(
    ("fmt", "suffix", "mode"),
    [
        ("JPEG", ".jpg", "RGB"),
        ("JPEG", ".jpg", "L"),
        ("PNG", ".png", "RGB"),
        ("PNG", ".png", "L"),
        ("TIFF", ".tif", "RGB"),
        ("GIF", ".gif", "P"),
        ("BMP", ".bmp", "RGB"),
        ("WEBP", ".webp", "RGB"),
    ],
)
def test_file_formats(tmp_path: Path, fmt: str, suffix: str, mode: str) -> None:
    im = Image.fromarray(gradient_rgb(300, 200))
    if mode != "RGB":
        im = im.convert(mode)
    path = tmp_path / f"img{suffix}"
    im.save(path, fmt)
    d = load_display_image(path, item_id="a")
    assert (d.width, d.height) == (300, 200)
    assert (d.display_width, d.display_height) == (300, 200)
    assert d.mime == "image/jpeg"
    decode(d)
    assert image_size(path, item_id="a") == (300, 200)
    assert image_size(str(path), item_id="a") == (300, 200)
    full = open_image(path, item_id="a")
    assert full.size == (300, 200)
    assert full.mode in ("RGB", "L")
    # bytes-like sources behave like the file
    raw = path.read_bytes()
    for src in (raw, bytearray(raw), memoryview(raw)):
        assert load_display_image(src, item_id="a").width == 300
        assert image_size(src, item_id="a") == (300, 200)


def test_cmyk_jpeg(tmp_path: Path) -> None:
    path = tmp_path / "cmyk.jpg"
    quadrant_image(200, 100).convert("CMYK").save(path, quality=95)
    assert Image.open(path).mode == "CMYK"
    d = load_display_image(path, item_id="c")
    assert "CMYK converted to RGB" in d.notes
    im = decode(d).convert("RGB")
    assert close_to(im.getpixel((10, 10)), RED)
    assert open_image(path, item_id="c").mode == "RGB"


def test_16bit_png(tmp_path: Path) -> None:
    arr = np.linspace(1000, 5000, 64 * 32).reshape(32, 64).astype(np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(arr).save(path)
    assert Image.open(path).mode.startswith("I")
    d = load_display_image(path, item_id="d")
    assert any("16-bit values scaled to 8-bit" in n for n in d.notes), d.notes
    im = decode(d)
    assert im.mode == "L"
    full = open_image(path, item_id="d")
    assert full.mode == "L"
    px = np.asarray(full)
    assert px.min() == 0
    assert px.max() == 255


def test_palette_png_with_transparency(tmp_path: Path) -> None:
    im = Image.new("P", (40, 30), 0)
    im.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    im.paste(1, (20, 0, 40, 30))
    im.info["transparency"] = 1
    path = tmp_path / "pal.png"
    im.save(path, transparency=1)
    d = load_display_image(path, item_id="p")
    assert d.mime == "image/png"
    out = decode(d)
    assert out.mode == "RGBA"
    assert out.getpixel((5, 5)) == (255, 0, 0, 255)
    assert out.getpixel((30, 5))[3] == 0
    assert any("palette" in n for n in d.notes)


def test_palette_without_transparency_is_jpeg(tmp_path: Path) -> None:
    path = tmp_path / "pal.gif"
    quadrant_image(40, 30).convert("P").save(path)
    d = load_display_image(path, item_id="p")
    assert d.mime == "image/jpeg"
    assert "palette image converted to RGB" in d.notes


@pytest.mark.parametrize(
    ("orientation", "stored_transpose"),
    [
        (3, Image.Transpose.ROTATE_180),
        (6, Image.Transpose.ROTATE_90),  # stored rotated 90° CCW, shown rotated 90° CW
        (8, Image.Transpose.ROTATE_270),
        (2, Image.Transpose.FLIP_LEFT_RIGHT),
        (5, Image.Transpose.TRANSPOSE),
    ],
)
@pytest.mark.parametrize("big", [False, True])
def test_exif_orientation(
    tmp_path: Path, orientation: int, stored_transpose: Image.Transpose, big: bool
) -> None:
    # Upright frame: 320 wide, 200 high, red top-left quadrant.
    w, h = (3200, 2000) if big else (320, 200)
    upright = quadrant_image(w, h)
    stored = upright.transpose(stored_transpose)
    exif = stored.getexif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.jpg"
    stored.save(path, exif=exif, quality=92)

    assert image_size(path, item_id="o") == (w, h)
    max_side = 400 if big else 2048
    d = load_display_image(path, item_id="o", max_side=max_side)
    assert (d.width, d.height) == (w, h)
    assert d.display_width > d.display_height
    assert max(d.display_width, d.display_height) <= max_side
    assert f"rotated upright from EXIF orientation {orientation}" in d.notes
    shown = decode(d).convert("RGB")
    dw, dh = shown.size
    assert close_to(shown.getpixel((2, 2)), RED)
    assert close_to(shown.getpixel((dw - 3, 2)), (0, 0, 255))
    assert close_to(shown.getpixel((2, dh - 3)), (0, 0, 255))

    full = open_image(path, item_id="o")
    assert full.size == (w, h)
    assert close_to(full.getpixel((2, 2)), RED)

    # A PIL image opened by the caller is turned upright too.
    with Image.open(path) as pil:
        d2 = load_display_image(pil, item_id="o", max_side=max_side)
    assert (d2.width, d2.height) == (w, h)


# ------------------------------------------------------------------------------------
# numpy arrays


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.uint16, np.int16, np.int32, np.int64, np.uint32, np.bool_]
)
@pytest.mark.parametrize("shape", [(30, 40), (30, 40, 1), (30, 40, 3), (30, 40, 4)])
def test_arrays_int_and_bool(dtype: type, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(1)
    if dtype is np.bool_:
        arr = rng.random(shape) > 0.5
    else:
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -1000), min(info.max, 60000)
        arr = rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)
    if len(shape) == 3 and shape[2] == 4:
        arr[..., 3] = 0 if dtype is np.bool_ else np.iinfo(dtype).max
        arr[:10, :, 3] = 0  # some transparency
    d = load_display_image(arr, item_id="arr")
    assert (d.width, d.height) == (40, 30)
    im = decode(d)
    if len(shape) == 3 and shape[2] == 4:
        assert d.mime == "image/png"
        assert im.mode == "RGBA"
    else:
        assert d.mime == "image/jpeg"
        assert im.mode == ("RGB" if len(shape) == 3 and shape[2] == 3 else "L")
    if dtype not in (np.uint8, np.bool_):
        assert any("scaled to 8-bit" in n for n in d.notes), d.notes
    assert image_size(arr, item_id="arr") == (40, 30)
    assert open_image(arr, item_id="arr").size == (40, 30)


def test_uint16_array_is_min_max_stretched() -> None:
    arr = np.array([[100, 200], [300, 1100]], dtype=np.uint16)
    out = np.asarray(open_image(arr, item_id="s"))
    assert out.tolist() == [[0, 26], [51, 255]]


def test_float_arrays() -> None:
    unit = np.array([[0.0, 0.5], [1.0, 0.25]], dtype=np.float32)
    assert np.asarray(open_image(unit, item_id="f")).tolist() == [[0, 128], [255, 64]]

    wide = np.array([[-1.0, 0.0], [1.0, 3.0]])
    d = load_display_image(wide, item_id="f")
    assert any("range -1 to 3" in n for n in d.notes), d.notes
    assert np.asarray(open_image(wide, item_id="f")).tolist() == [[0, 64], [128, 255]]

    bad = np.array([[np.nan, 0.5], [np.inf, -np.inf]], dtype=np.float64)
    d = load_display_image(bad, item_id="f")
    assert any("3 NaN or infinite values shown as 0" in n for n in d.notes), d.notes
    assert np.asarray(open_image(bad, item_id="f")).tolist() == [[0, 128], [0, 0]]

    rgb = np.random.default_rng(0).random((20, 30, 3)).astype(np.float16)
    assert load_display_image(rgb, item_id="f").mime == "image/jpeg"


def test_constant_arrays_do_not_divide_by_zero() -> None:
    for arr in (
        np.zeros((5, 5), np.uint16),
        np.full((5, 5), 7, np.int32),
        np.full((5, 5), 42.0),
        np.full((5, 5, 3), 65535, np.uint16),
    ):
        d = load_display_image(arr, item_id="k")
        assert any("constant image" in n for n in d.notes)
        px = np.asarray(open_image(arr, item_id="k"))
        assert len(np.unique(px)) == 1
    assert np.asarray(open_image(np.full((2, 2), 65535, np.uint16), item_id="k")).max() == 255


def test_array_is_not_modified() -> None:
    arr = np.array([[np.nan, 2.0], [3.0, 4.0]])
    before = arr.copy()
    load_display_image(arr, item_id="m")
    np.testing.assert_array_equal(arr, before)


def test_opaque_rgba_array_is_sent_as_jpeg() -> None:
    arr = np.full((10, 10, 4), 255, np.uint8)
    d = load_display_image(arr, item_id="o")
    assert d.mime == "image/jpeg"
    assert "fully opaque alpha channel dropped" in d.notes


@pytest.mark.parametrize(
    "shape", [(10, 10, 2), (2, 10, 10, 3), (10,), (10, 10, 5)], ids=lambda s: "x".join(map(str, s))
)
def test_bad_array_shapes(shape: tuple[int, ...]) -> None:
    arr = np.zeros(shape, np.uint8)
    for fn in (load_display_image, image_size, open_image):
        with pytest.raises(MediaError, match="unsupported array shape") as err:
            fn(arr, item_id="bad")
        assert "x".join(map(str, shape)) in str(err.value)
        assert err.value.item_id == "bad"


@pytest.mark.parametrize("shape", [(0, 10), (10, 0, 3), (0, 0)])
def test_empty_arrays(shape: tuple[int, ...]) -> None:
    with pytest.raises(MediaError, match="empty"):
        load_display_image(np.zeros(shape, np.uint8), item_id="e")


def test_unsupported_array_dtype() -> None:
    with pytest.raises(MediaError, match="dtype"):
        load_display_image(np.zeros((4, 4), np.complex64), item_id="z")


# ------------------------------------------------------------------------------------
# PIL images of every mode


@pytest.mark.parametrize(
    "mode",
    [
        "1",
        "L",
        "P",
        "RGB",
        "RGBA",
        "CMYK",
        "YCbCr",
        "LAB",
        "HSV",
        "I",
        "I;16",
        "F",
        "LA",
        "La",
        "RGBa",
        "PA",
        "RGBX",
    ],
)
def test_pil_modes(mode: str) -> None:
    base = Image.fromarray(gradient_rgb(48, 32))
    if mode in ("I", "I;16", "F"):
        im = Image.fromarray(np.asarray(base.convert("L")).astype(np.int32) * 100).convert(mode)
    elif mode in ("LA", "La"):
        im = base.convert("LA")
        im.putalpha(Image.linear_gradient("L").resize((48, 32)))
        if mode == "La":
            im = Image.frombytes("La", im.size, im.tobytes())
    elif mode == "PA":
        im = base.convert("P")
        im = Image.merge("PA", (im, Image.new("L", im.size, 100)))
        im.putpalette(base.convert("P").getpalette() or [])
    else:
        im = base.convert(mode) if mode not in ("RGBa",) else base.convert("RGBA").convert("RGBa")
    before = im.tobytes()
    d = load_display_image(im, item_id=mode)
    assert (d.width, d.height) == (48, 32)
    out = decode(d)
    assert out.mode in ("RGB", "RGBA", "L")
    full = open_image(im, item_id=mode)
    assert full.mode in ("RGB", "RGBA", "L")
    assert full.size == (48, 32)
    assert full is not im
    assert im.tobytes() == before  # the caller's image is untouched


def test_animated_gif_shows_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (20, 10), c) for c in (RED, (0, 255, 0))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    d = load_display_image(path, item_id="g")
    assert any("first of 2 frames" in n for n in d.notes)
    assert close_to(decode(d).convert("RGB").getpixel((5, 5)), RED)


# ------------------------------------------------------------------------------------
# Errors


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.jpg"
    for fn in (load_display_image, image_size, open_image):
        with pytest.raises(MediaError) as err:
            fn(path, item_id="item-7")
        assert f"file not found: {path}" in str(err.value)
        assert "item-7" in str(err.value)
        assert err.value.item_id == "item-7"
        assert isinstance(err.value, ValueError)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="directory"):
        load_display_image(tmp_path, item_id="dir")


def test_empty_file_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(MediaError, match=r"the file is empty \(0 bytes\)"):
        load_display_image(path, item_id="e")
    with pytest.raises(MediaError, match=r"empty \(0 bytes\)"):
        load_display_image(b"", item_id="e")


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("hello, I am text")
    with pytest.raises(MediaError, match="not an image Pillow can read"):
        load_display_image(path, item_id="t")
    noise = np.random.default_rng(3).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    with pytest.raises(MediaError, match="not an image Pillow can read"):
        load_display_image(noise, item_id="t")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_files(tmp_path: Path, fmt: str) -> None:
    good = tmp_path / f"good.{fmt.lower()}"
    Image.fromarray(gradient_rgb(400, 300)).save(good, fmt)
    data = good.read_bytes()
    bad = tmp_path / f"bad.{fmt.lower()}"
    bad.write_bytes(data[: len(data) // 2])
    for src in (bad, data[: len(data) // 2]):
        with pytest.raises(MediaError, match=r"truncated|corrupt") as err:
            load_display_image(src, item_id="trunc")
        assert "trunc" in str(err.value)
        with pytest.raises(MediaError, match=r"truncated|corrupt"):
            open_image(src, item_id="trunc")
    # Also when draft() decodes the JPEG at reduced scale.
    with pytest.raises(MediaError, match=r"truncated|corrupt"):
        load_display_image(bad, item_id="trunc", max_side=100)


def test_wrong_types_are_type_errors() -> None:
    for bad in (42, None, [1, 2, 3], {"path": "x"}):
        with pytest.raises(TypeError, match=type(bad).__name__):
            load_display_image(bad, item_id="x")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            image_size(bad, item_id="x")  # type: ignore[arg-type]


def test_bad_arguments() -> None:
    arr = np.zeros((4, 4), np.uint8)
    with pytest.raises(ValueError, match="max_side"):
        load_display_image(arr, item_id="x", max_side=0)
    with pytest.raises(ValueError, match="quality"):
        load_display_image(arr, item_id="x", quality=101)


def test_media_error_pickles() -> None:
    err = MediaError("id-1", "file not found: /x.jpg")
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err)
    assert back.item_id == "id-1"


def test_describe_source(tmp_path: Path) -> None:
    assert describe_source(tmp_path / "cat.jpg") == "cat.jpg"
    assert describe_source("/data/dog.png") == "dog.png"
    assert describe_source(np.zeros((480, 640, 3), np.uint8)) == "numpy array 480x640x3 uint8"
    assert describe_source(Image.new("RGB", (640, 480))) == "PIL image 640x480 RGB"
    assert describe_source(b"x" * 12345) == "bytes (12,345 B)"
    assert describe_source(memoryview(b"abc")) == "memoryview (3 B)"
    assert describe_source(42) == "int object"


# ------------------------------------------------------------------------------------
# Size limits and speed


def test_50mp_jpeg(big_jpeg: Path) -> None:
    assert image_size(big_jpeg, item_id="big") == (8660, 5773)
    d = load_display_image(big_jpeg, item_id="big")
    assert (d.width, d.height) == (8660, 5773)
    assert max(d.display_width, d.display_height) <= 2048
    assert d.display_width >= 0.75 * 2048
    assert abs(d.display_width / d.display_height - 8660 / 5773) < 0.01
    assert len(d.data) < MAX_DISPLAY_BYTES
    decode(d)
    # Pillow's global decompression-bomb limit is left as it was.
    assert Image.MAX_IMAGE_PIXELS == 89_478_485
    # Even a large max_side stays under the byte limit.
    d = load_display_image(big_jpeg, item_id="big", max_side=10_000, quality=100)
    assert len(d.data) < MAX_DISPLAY_BYTES
    assert (d.width, d.height) == (8660, 5773)


def test_huge_noise_png_stays_under_byte_limit() -> None:
    rgba = np.random.default_rng(5).integers(0, 256, (2048, 2048, 4), dtype=np.uint8)
    rgba[0, 0, 3] = 0
    d = load_display_image(rgba, item_id="noise")
    assert d.mime == "image/png"
    assert len(d.data) < MAX_DISPLAY_BYTES
    assert (d.width, d.height) == (2048, 2048)
    assert d.display_width == d.display_height < 2048
    assert any("under 8 MB" in n for n in d.notes)


def test_threads_load_concurrently(tmp_path: Path) -> None:
    paths = []
    for i in range(4):
        p = tmp_path / f"t{i}.jpg"
        Image.fromarray(gradient_rgb(600 + 10 * i, 400, seed=i)).save(p)
        paths.append(p)
    results: dict[int, DisplayImage] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(3):
                results[i] = load_display_image(paths[i], item_id=str(i), max_side=256)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [results[i].width for i in range(4)] == [600, 610, 620, 630]


# ------------------------------------------------------------------------------------
# Display size rules


@settings(max_examples=300, deadline=None)
@given(
    w=st.integers(1, 3000),
    h=st.integers(1, 3000),
    max_side=st.integers(1, 4096),
)
def test_fit_size_rules(w: int, h: int, max_side: int) -> None:
    dw, dh = fit_size(w, h, max_side)
    assert 1 <= dw <= max_side or (dw == w and max(w, h) <= max_side)
    assert max(dw, dh) <= max(max_side, 1)
    assert dw <= w
    assert dh <= h
    if max(w, h) <= max_side:
        assert (dw, dh) == (w, h)
    else:
        assert max(dw, dh) == max_side
        # aspect kept within one pixel
        if w >= h:
            assert abs(dh - h * dw / w) <= 1
        else:
            assert abs(dw - w * dh / h) <= 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    w=st.integers(1, 3000),
    h=st.integers(1, 3000),
    max_side=st.integers(1, 2500),
    as_jpeg=st.booleans(),
)
def test_display_size_rules_on_real_images(w: int, h: int, max_side: int, as_jpeg: bool) -> None:
    im = Image.new("RGB", (w, h), (10, 120, 200))
    src: Image.Image | bytes = im
    if as_jpeg:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=50)
        src = buf.getvalue()  # exercises draft()
    d = load_display_image(src, item_id="h", max_side=max_side)
    assert (d.width, d.height) == (w, h)
    assert max(d.display_width, d.display_height) <= max_side
    assert d.display_width <= w
    assert d.display_height <= h
    # aspect within one pixel
    if w >= h:
        assert abs(d.display_height - h * d.display_width / w) <= 1
    else:
        assert abs(d.display_width - w * d.display_height / h) <= 1
    decode(d)
