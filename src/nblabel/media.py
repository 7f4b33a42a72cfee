"""Load images for display in the annotation widgets.

An item to label can be a file path, the bytes of an image file, a numpy array or a
PIL image. This module turns any of those into something a browser can show, quickly,
and tells you what it had to change on the way.

Coordinates
-----------
Every annotation coordinate in nblabel is in pixels of the *upright, original-resolution*
image, with the origin at the top-left corner, x to the right and y downwards:

* "upright" means the EXIF orientation tag that cameras and phones write has been applied,
  so the image looks the way a photo viewer shows it. A phone photo stored sideways with
  orientation 6 and 4000x3000 stored pixels is 3000 wide and 4000 high here.
* "original resolution" means that, although the browser is sent a smaller copy (at most
  ``max_side`` pixels on its long side), boxes and points are always reported in the
  pixels of the full-size image. :class:`DisplayImage` gives both sizes so the widget can
  scale between them.

What is converted for display
-----------------------------
Browsers only show 8-bit images, so 16-bit and floating-point images are stretched
linearly from their smallest to their largest value to 0-255 (floats already in 0-1 are
simply multiplied by 255); CMYK, palette, LAB, HSV and YCbCr images become RGB. Each such
change is listed in :attr:`DisplayImage.notes` in plain words. Your files and arrays are
never modified.

All functions are safe to call from several threads at once (the widget prefetches the
next item in a worker thread), as long as two threads do not share one PIL image object.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from . import remote

__all__ = [
    "DisplayImage",
    "ImageSource",
    "MediaError",
    "describe_source",
    "image_size",
    "load_display_image",
    "open_image",
]

ImageSource: TypeAlias = (
    str | os.PathLike[str] | bytes | bytearray | memoryview | np.ndarray[Any, Any] | Image.Image
)

#: Images larger than this many pixels are refused (1 gigapixel, e.g. 40000x25000).
MAX_PIXELS = 1_000_000_000
#: The encoded display image is always smaller than this many bytes.
MAX_DISPLAY_BYTES = 8_000_000

_ORIENTATION_TAG = 0x0112
_TRANSPOSE_FOR_ORIENTATION: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_AXES = frozenset({5, 6, 7, 8})
# A JPEG may be decoded at 1/2, 1/4 or 1/8 scale if that keeps at least this fraction of
# the display size (so the display copy can be up to 25% smaller than max_side).
_DRAFT_MIN_FRACTION = 0.75


class MediaError(ValueError):
    """An item could not be loaded.

    ``str(err)`` names the item and says why in plain words, for example
    ``item 'cat_17' could not be loaded: file not found: /data/cat_17.jpg``.
    """

    item_id: str
    reason: str

    def __init__(self, item_id: str, reason: str) -> None:
        super().__init__(f"item {item_id!r} could not be loaded: {reason}")
        self.item_id = item_id
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.item_id, self.reason))


@dataclass(frozen=True)
class DisplayImage:
    """An image ready to send to the browser.

    ``width`` and ``height`` are the size of the upright original image: the frame all
    annotation coordinates use. ``display_width`` and ``display_height`` are the size of the
    (possibly smaller) encoded copy in ``data``.
    """

    data: bytes
    """Encoded image bytes (JPEG or PNG)."""
    mime: str
    """``"image/jpeg"`` for opaque images, ``"image/png"`` for images with transparency."""
    width: int
    """Width of the original image, upright (EXIF orientation applied)."""
    height: int
    """Height of the original image, upright (EXIF orientation applied)."""
    display_width: int
    """Width of the encoded image."""
    display_height: int
    """Height of the encoded image."""
    notes: tuple[str, ...] = ()
    """Plain-language notes on conversions made for display."""


# --------------------------------------------------------------------------------------
# Public functions


def describe_source(source: object) -> str:
    """Return a short human description of an image source, for messages and tooltips.

    Examples: ``"cat.jpg"``, ``"numpy array 480x640x3 uint8"``, ``"PIL image 640x480 RGB"``,
    ``"bytes (12,345 B)"``. Never raises.
    """
    try:
        if isinstance(source, str | os.PathLike):
            path = os.fspath(source)
            name = os.path.basename(path)
            if isinstance(name, bytes):
                name = os.fsdecode(name)
            return name or (os.fsdecode(path) if path else "empty path")
        if isinstance(source, bytes | bytearray):
            return f"{type(source).__name__} ({len(source):,} B)"
        if isinstance(source, memoryview):
            return f"memoryview ({source.nbytes:,} B)"
        if isinstance(source, np.ndarray):
            shape = "x".join(str(n) for n in source.shape) or "scalar"
            return f"numpy array {shape} {source.dtype}"
        if isinstance(source, Image.Image):
            return f"PIL image {source.width}x{source.height} {source.mode}"
    except Exception:
        pass
    return f"{type(source).__name__} object"


def image_size(source: ImageSource, *, item_id: str) -> tuple[int, int]:
    """Return the upright ``(width, height)`` of an image in pixels.

    For files and bytes only the header is read, so this is fast even for huge images.
    The EXIF orientation is taken into account: a photo stored sideways reports its
    upright size.

    Raises :class:`MediaError` if the item cannot be read, and ``TypeError`` for a
    source of an unsupported type.
    """
    _check_type(source)
    if isinstance(source, np.ndarray):
        _check_array_shape(source, item_id)
        return int(source.shape[1]), int(source.shape[0])
    if isinstance(source, Image.Image):
        return _upright_size(source.size, _orientation(source, header_only=True))
    with _opened(source, item_id) as im:
        return _upright_size(im.size, _orientation(im, header_only=True))


def open_image(source: ImageSource, *, item_id: str) -> Image.Image:
    """Return the image at full resolution, upright, in mode ``RGB``, ``RGBA`` or ``L``.

    Conversions are the same as for display (16-bit stretched to 8-bit, CMYK to RGB, ...).
    The result is always a new image: changing it does not change ``source``.
    """
    _check_type(source)
    notes: list[str] = []
    if isinstance(source, np.ndarray):
        return _array_to_image(source, item_id, notes)
    if isinstance(source, Image.Image):
        im = _decode(source, item_id, draft_size=None)
        out = _finish(im, source, item_id, notes, target=None)
        return out if out is not source else source.copy()
    with _opened(source, item_id) as im:
        loaded = _decode(im, item_id, draft_size=None)
        out = _finish(loaded, im, item_id, notes, target=None)
        # Closing the file also frees its decoded pixels, so hand back a copy.
        return out.copy() if out is im else out


def load_display_image(
    source: ImageSource, *, item_id: str, max_side: int = 2048, quality: int = 88
) -> DisplayImage:
    """Load an item and encode a copy small enough to send to the browser.

    The copy keeps the aspect ratio, has at most ``max_side`` pixels on its long side, is
    never enlarged, and is encoded as JPEG (with the given ``quality``) unless it has
    transparency, in which case it is PNG. The encoded bytes are always under 8 MB; if a
    PNG would be larger, the copy is shrunk further and a note says so.

    ``width`` and ``height`` of the result are the size of the upright original, which is
    the frame annotation coordinates use. Large JPEG photos are decoded directly at a
    reduced scale, so even a 50-megapixel photo opens in a fraction of a second.

    Raises :class:`MediaError` (a ``ValueError``) with a plain-language reason if the item
    cannot be loaded, and ``TypeError`` for a source of an unsupported type.
    """
    _check_type(source)
    if isinstance(max_side, bool) or not isinstance(max_side, int) or max_side < 1:
        raise ValueError(f"max_side must be a positive integer, got {max_side!r}")
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise ValueError(f"quality must be an integer from 1 to 100, got {quality!r}")

    notes: list[str] = []
    if isinstance(source, np.ndarray):
        full = _array_to_image(source, item_id, notes)
        width, height = full.size
        shown = _resize(full, fit_size(width, height, max_side))
        data, mime, shown = _encode_bounded(shown, quality, notes)
    elif isinstance(source, Image.Image):
        width, height, shown = _display_from_pil(source, source, item_id, notes, max_side)
        data, mime, shown = _encode_bounded(shown, quality, notes)
    else:
        # Encode before the file is closed: closing also frees the decoded pixels.
        with _opened(source, item_id) as im:
            width, height, shown = _display_from_pil(im, None, item_id, notes, max_side)
            data, mime, shown = _encode_bounded(shown, quality, notes)
    return DisplayImage(
        data=data,
        mime=mime,
        width=width,
        height=height,
        display_width=shown.width,
        display_height=shown.height,
        notes=tuple(notes),
    )


def fit_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Return the display size for an image: same aspect, long side <= ``max_side``.

    Images that already fit are returned at their own size (never enlarged). Each side is
    at least 1 pixel.
    """
    long_side = max(width, height)
    if long_side <= max_side:
        return width, height
    scale = max_side / long_side
    if width >= height:
        return max_side, min(max_side, max(1, round(height * scale)))
    return min(max_side, max(1, round(width * scale))), max_side


# --------------------------------------------------------------------------------------
# Opening files and bytes


def _check_type(source: object) -> None:
    if not isinstance(
        source, str | os.PathLike | bytes | bytearray | memoryview | np.ndarray | Image.Image
    ):
        raise TypeError(
            "an image item must be a file path, image file bytes, a numpy array or a PIL "
            f"image, not {type(source).__module__}.{type(source).__qualname__}"
        )


# Pillow refuses images above Image.MAX_IMAGE_PIXELS (a process-wide setting, about
# 179 megapixels by default) as a guard against "decompression bombs". Photos of 50 MP and
# more are legitimate here, so while any of our calls is opening an image the limit is
# raised to MAX_PIXELS, and put back when the last such call finishes. The counter and the
# saved value are the only shared state in this module; the lock guards them.
_limit_lock = threading.Lock()
_limit_users = 0
_limit_saved: int | None = None


@contextlib.contextmanager
def _large_images_allowed() -> Iterator[None]:
    global _limit_users, _limit_saved  # noqa: PLW0603 - see comment above
    with _limit_lock:
        if _limit_users == 0:
            _limit_saved = Image.MAX_IMAGE_PIXELS
            if _limit_saved is not None and _limit_saved < MAX_PIXELS:
                Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        _limit_users += 1
    try:
        yield
    finally:
        with _limit_lock:
            _limit_users -= 1
            # Put the old value back unless someone else changed it in the meantime.
            if _limit_users == 0 and max(_limit_saved or 0, MAX_PIXELS) == Image.MAX_IMAGE_PIXELS:
                Image.MAX_IMAGE_PIXELS = _limit_saved


def _too_large(size: tuple[int, int]) -> str:
    w, h = size
    return (
        f"image too large ({w}x{h} = {w * h / 1e6:,.0f} megapixels; "
        f"the limit is {MAX_PIXELS / 1e6:,.0f} megapixels)"
    )


@contextlib.contextmanager
def _opened(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview, item_id: str
) -> Iterator[Image.Image]:
    """Open a path or bytes with Pillow (header only) and close it afterwards."""
    fp: str | bytes | io.BytesIO
    if remote.is_url(source):
        try:
            source = remote.read_bytes(str(source))
        except remote.RemoteError as exc:
            raise MediaError(item_id, str(exc)) from None
    if isinstance(source, bytes | bytearray | memoryview):
        nbytes = source.nbytes if isinstance(source, memoryview) else len(source)
        if nbytes == 0:
            raise MediaError(item_id, "the image data is empty (0 bytes)")
        fp = io.BytesIO(source)
    else:
        fp = os.fspath(source)
        shown = os.fsdecode(fp)
        try:
            st = os.stat(fp)
        except FileNotFoundError:
            hint = ""
            raise MediaError(item_id, f"file not found: {shown}{hint}") from None
        except OSError as exc:
            raise MediaError(item_id, f"cannot read the file {shown}: {exc.strerror}") from None
        if os.path.isdir(fp):
            raise MediaError(item_id, f"this is a directory, not an image file: {shown}")
        if st.st_size == 0:
            raise MediaError(item_id, f"the file is empty (0 bytes): {shown}")

    with _large_images_allowed():
        try:
            im = Image.open(fp)
        except UnidentifiedImageError:
            raise MediaError(item_id, "not an image Pillow can read") from None
        except Image.DecompressionBombError as exc:
            raise MediaError(item_id, "image too large to open safely") from exc
        except PermissionError:
            raise MediaError(item_id, f"permission denied reading {shown}") from None
        except OSError as exc:
            raise MediaError(item_id, f"cannot read the image: {exc}") from exc
        except Exception as exc:
            raise MediaError(item_id, f"the image header is corrupt ({exc})") from exc
        try:
            if im.width * im.height > MAX_PIXELS:
                raise MediaError(item_id, _too_large(im.size))
            if im.width == 0 or im.height == 0:
                raise MediaError(item_id, f"the image has no pixels ({im.width}x{im.height})")
            yield im
        finally:
            im.close()


def _decode(im: Image.Image, item_id: str, draft_size: tuple[int, int] | None) -> Image.Image:
    """Fully decode ``im`` (after an optional JPEG draft), so corrupt data fails here."""
    try:
        if draft_size is not None:
            # JPEG only (a no-op for other formats): decode at 1/2, 1/4 or 1/8 scale,
            # the smallest that is still at least draft_size.
            im.draft(im.mode, draft_size)
        im.load()
    except Image.DecompressionBombError as exc:
        raise MediaError(item_id, "image too large to open safely") from exc
    except MemoryError:
        raise MediaError(item_id, "not enough memory to decode the image") from None
    except OSError as exc:
        text = str(exc)
        if "truncated" in text or "broken data stream" in text:
            raise MediaError(item_id, f"the image data is truncated or corrupt ({text})") from exc
        raise MediaError(item_id, f"the image data is corrupt ({text})") from exc
    except Exception as exc:
        raise MediaError(item_id, f"the image data is corrupt ({exc})") from exc
    return im


def _orientation(im: Image.Image, *, header_only: bool) -> int:
    """The EXIF orientation (1-8) of ``im``, 1 if absent or invalid."""
    try:
        if header_only and im.format == "PNG" and "exif" not in im.info:
            # PngImageFile.getexif() would decode the whole image to look for a late eXIf
            # chunk; for a header-only size that is not worth it.
            return 1
        value = im.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    w, h = size
    return (h, w) if orientation in _SWAPS_AXES else (w, h)


def _display_from_pil(
    im: Image.Image,
    user_image: Image.Image | None,
    item_id: str,
    notes: list[str],
    max_side: int,
) -> tuple[int, int, Image.Image]:
    """Decode ``im`` for display; return the upright original size and the display image."""
    orientation = _orientation(im, header_only=False)
    width, height = _upright_size(im.size, orientation)
    target = fit_size(width, height, max_side)
    raw_target = _upright_size(target, orientation)  # the target in stored orientation
    # Never call draft() on a caller's PIL image: it would change their object.
    draft = None
    if user_image is None and raw_target != im.size:
        # Ask for a little less than the target: a JPEG decoded at 1/2 scale straight to
        # e.g. 2000x1500 (for a 4000x3000 photo and max_side 2048) is shown as is, which is
        # several times faster than decoding 12 MP and resampling to 2048x1536.
        draft = (
            max(1, math.ceil(raw_target[0] * _DRAFT_MIN_FRACTION)),
            max(1, math.ceil(raw_target[1] * _DRAFT_MIN_FRACTION)),
        )
    stored_size = im.size
    loaded = _decode(im, item_id, draft_size=draft)
    if loaded.size != stored_size:
        # draft() reduced the decode size; fit what was decoded, at the original's aspect
        # ratio (the decoder rounds each side up, which can skew a thin image).
        raw_target = fit_size(loaded.width, loaded.height, max_side)
        exact = fit_size(width, height, max(raw_target))
        raw_target = _upright_size(exact, orientation)
    shown = _finish(loaded, im, item_id, notes, target=raw_target, orientation=orientation)
    return width, height, shown


def _finish(
    im: Image.Image,
    original: Image.Image,
    item_id: str,
    notes: list[str],
    *,
    target: tuple[int, int] | None,
    orientation: int | None = None,
) -> Image.Image:
    """Convert a decoded image to RGB/RGBA/L, resize to ``target`` and turn it upright."""
    if orientation is None:
        orientation = _orientation(original, header_only=False)
    if getattr(original, "n_frames", 1) > 1:
        notes.append(f"only the first of {original.n_frames} frames is shown")
    out = _to_display_mode(im, item_id, notes)
    if target is not None:
        out = _resize(out, target)
    method = _TRANSPOSE_FOR_ORIENTATION.get(orientation)
    if method is not None:
        out = out.transpose(method)
        notes.append(f"rotated upright from EXIF orientation {orientation}")
    if out is not original and not _icc_matches(out.info.get("icc_profile"), out.mode):
        out.info.pop("icc_profile", None)  # e.g. a CMYK profile no longer fits RGB pixels
    return out


def _resize(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    if im.size == size:
        return im
    factor = max(im.width / size[0], im.height / size[1])
    if factor < 1.5:
        # A slight shrink (typically after a JPEG draft decode landed just above the display
        # size): bilinear shows no aliasing at this ratio and takes half of Lanczos' time.
        return im.resize(size, Image.Resampling.BILINEAR)
    # reducing_gap: shrink by an integer factor with a box filter first, then finish with
    # Lanczos; fast and visually indistinguishable from Lanczos all the way.
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


# --------------------------------------------------------------------------------------
# Pixel formats


def _has_transparency(im: Image.Image) -> bool:
    alpha_min, _ = im.getchannel("A").getextrema()  # type: ignore[no-untyped-call]
    return bool(alpha_min < 255)


def _to_display_mode(im: Image.Image, item_id: str, notes: list[str]) -> Image.Image:
    """Return ``im`` as RGB, RGBA or L (a new image if anything changed)."""
    mode = im.mode
    if mode in ("RGB", "L"):
        return im
    if mode == "1":
        notes.append("1-bit image converted to greyscale")
        return im.convert("L")
    if mode == "P":
        has_alpha = "transparency" in im.info or (
            im.palette is not None and im.palette.mode == "RGBA"
        )
        if has_alpha:
            notes.append("palette image with transparency converted to RGBA")
            return _drop_opaque_alpha(im.convert("RGBA"), notes)
        notes.append("palette image converted to RGB")
        return im.convert("RGB")
    if mode in ("RGBA", "RGBa", "PA", "RGBX"):
        if mode == "RGBX":
            return im.convert("RGB")
        if mode != "RGBA":
            notes.append(f"{mode} image converted to RGBA")
        rgba = im.convert("RGBA") if mode != "RGBA" else im
        return _drop_opaque_alpha(rgba, notes)
    if mode in ("LA", "La"):
        la = im if mode == "LA" else _unpremultiply_la(im)
        if not _has_transparency(la):
            notes.append("fully opaque alpha channel dropped")
            return la.getchannel("L")
        notes.append(f"greyscale image with alpha ({mode}) converted to RGBA")
        return la.convert("RGBA")
    if mode == "CMYK":
        notes.append("CMYK converted to RGB")
        return im.convert("RGB")
    if mode in ("YCbCr", "LAB", "HSV"):
        notes.append(f"{mode} converted to RGB")
        return im.convert("RGB")
    if mode.startswith(("I;16", "I", "F")):
        return _array_to_image(np.asarray(im), item_id, notes, source_mode=mode)
    try:
        converted = im.convert("RGBA" if "A" in im.getbands() else "RGB")
    except (ValueError, OSError) as exc:
        raise MediaError(item_id, f"unsupported pixel mode {mode!r}") from exc
    notes.append(f"{mode} converted to {converted.mode}")
    return converted


def _unpremultiply_la(im: Image.Image) -> Image.Image:
    """Turn a premultiplied "La" image into "LA" (Pillow cannot convert La itself)."""
    arr = np.asarray(im).astype(np.uint32)
    lum, alpha = arr[..., 0], arr[..., 1]
    safe = np.maximum(alpha, 1)
    lum = np.where(alpha > 0, np.minimum(255, (lum * 255 + safe // 2) // safe), 0)
    out = np.stack([lum, alpha], axis=-1).astype(np.uint8)
    return Image.fromarray(out, "LA")


def _drop_opaque_alpha(rgba: Image.Image, notes: list[str]) -> Image.Image:
    if _has_transparency(rgba):
        return rgba
    notes.append("fully opaque alpha channel dropped")
    return rgba.convert("RGB")


def _check_array_shape(arr: npt.NDArray[Any], item_id: str) -> None:
    shape = "x".join(str(n) for n in arr.shape) or "()"
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)):
        raise MediaError(
            item_id,
            f"unsupported array shape {shape}: expected HxW (greyscale), HxWx1, "
            "HxWx3 (RGB) or HxWx4 (RGBA)",
        )
    if arr.size == 0:
        raise MediaError(item_id, f"the array is empty (shape {shape})")
    if arr.shape[0] * arr.shape[1] > MAX_PIXELS:
        raise MediaError(item_id, _too_large((arr.shape[1], arr.shape[0])))


def _fmt(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _stretch(values: npt.NDArray[Any], what: str, notes: list[str]) -> npt.NDArray[np.uint8]:
    """Map ``values`` linearly from their min..max to 0..255."""
    lo = values.min().item()
    hi = values.max().item()
    if lo == hi:
        if np.issubdtype(values.dtype, np.integer):
            info = np.iinfo(values.dtype)
            level = round((lo - info.min) / (info.max - info.min) * 255)
        elif 0 <= lo <= 1:
            level = round(lo * 255)
        else:
            level = 128
        notes.append(f"constant image (every value is {_fmt(lo)}), shown as grey level {level}")
        return np.full(values.shape, level, dtype=np.uint8)
    work = np.float32 if values.dtype.itemsize <= 2 else np.float64
    scaled: npt.NDArray[np.floating[Any]] = values.astype(work)
    scaled -= lo
    scaled *= 255.0 / (hi - lo)
    notes.append(
        f"{what} values scaled to 8-bit for display (range {_fmt(lo)} to {_fmt(hi)} "
        "mapped to 0–255)"
    )
    out: npt.NDArray[np.uint8] = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return out


def _channels_to_uint8(
    values: npt.NDArray[Any], what: str, notes: list[str], *, is_alpha: bool = False
) -> npt.NDArray[np.uint8]:
    """Convert one or more channels of any numeric dtype to uint8 for display."""
    dtype = values.dtype
    if dtype == np.uint8:
        return values
    if dtype == np.bool_:
        return values.astype(np.uint8) * np.uint8(255)
    if np.issubdtype(dtype, np.integer):
        if is_alpha:
            # Alpha is "fraction of the dtype's maximum", not something to stretch.
            top = float(np.iinfo(dtype).max)
            scaled = np.clip(values.astype(np.float64), 0, top) * (255.0 / top)
            return np.rint(scaled).astype(np.uint8)
        return _stretch(values, what, notes)
    # floating point
    values = values.astype(np.float32 if dtype.itemsize <= 4 else np.float64)
    finite = np.isfinite(values)
    if not finite.all():
        bad = int(values.size - np.count_nonzero(finite))
        values = np.where(finite, values, 0)
        notes.append(f"{bad:,} NaN or infinite values shown as 0")
    lo, hi = float(values.min()), float(values.max())
    if lo >= 0.0 and hi <= 1.0:
        if not is_alpha:
            notes.append("floating-point values in 0–1 scaled to 0–255 for display")
        return np.rint(values * 255.0).astype(np.uint8)
    return _stretch(values, what, notes)


def _describe_dtype(dtype: np.dtype[Any], source_mode: str | None) -> str:
    if source_mode is not None and source_mode.startswith("I;16"):
        return "16-bit"
    if source_mode == "I":
        return "32-bit integer"
    if np.issubdtype(dtype, np.floating):
        return "floating-point"
    return f"{dtype.itemsize * 8}-bit {'unsigned ' if dtype.kind == 'u' else ''}integer"


def _array_to_image(
    arr: npt.NDArray[Any], item_id: str, notes: list[str], source_mode: str | None = None
) -> Image.Image:
    """Turn an HxW, HxWx1, HxWx3 or HxWx4 array of any numeric dtype into an L/RGB/RGBA image."""
    _check_array_shape(arr, item_id)
    if not (
        np.issubdtype(arr.dtype, np.integer)
        or np.issubdtype(arr.dtype, np.floating)
        or arr.dtype == np.bool_
    ):
        raise MediaError(
            item_id, f"unsupported array dtype {arr.dtype}: expected integers, floats or bools"
        )
    if arr.dtype.byteorder not in ("=", "|"):
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    what = _describe_dtype(arr.dtype, source_mode)
    if arr.ndim == 3 and arr.shape[2] == 4:
        colour = _channels_to_uint8(arr[:, :, :3], what, notes)
        alpha = _channels_to_uint8(arr[:, :, 3], what, notes, is_alpha=True)
        out = np.empty(arr.shape, dtype=np.uint8)
        out[:, :, :3] = colour
        out[:, :, 3] = alpha
        return _drop_opaque_alpha(Image.fromarray(out, "RGBA"), notes)
    pixels = np.ascontiguousarray(_channels_to_uint8(arr, what, notes))
    return Image.fromarray(pixels, "L" if pixels.ndim == 2 else "RGB")


# --------------------------------------------------------------------------------------
# Encoding


def _icc_matches(profile: object, mode: str) -> bool:
    """Whether an ICC profile's colour space fits an image of ``mode`` (RGB/RGBA/L)."""
    if not isinstance(profile, bytes) or len(profile) < 20:
        return False
    space = profile[16:20]
    return space == (b"GRAY" if mode == "L" else b"RGB ")


def _encode(im: Image.Image, quality: int) -> tuple[bytes, str]:
    buf = io.BytesIO()
    icc = im.info.get("icc_profile")
    extra: dict[str, Any] = {"icc_profile": icc} if _icc_matches(icc, im.mode) else {}
    if im.mode == "RGBA":
        # Level 1 is several times faster than the default 6 and only slightly larger.
        im.save(buf, "PNG", compress_level=1, **extra)
        return buf.getvalue(), "image/png"
    im.save(buf, "JPEG", quality=quality, **extra)
    return buf.getvalue(), "image/jpeg"


def _encode_bounded(
    im: Image.Image, quality: int, notes: list[str]
) -> tuple[bytes, str, Image.Image]:
    """Encode, shrinking further while the bytes are not under MAX_DISPLAY_BYTES."""
    data, mime = _encode(im, quality)
    shrunk = False
    while len(data) >= MAX_DISPLAY_BYTES and max(im.size) > 1:
        factor = math.sqrt(MAX_DISPLAY_BYTES / len(data)) * 0.9
        size = (max(1, int(im.width * factor)), max(1, int(im.height * factor)))
        im = _resize(im, size)
        data, mime = _encode(im, quality)
        shrunk = True
    if shrunk:
        notes.append(
            f"display copy reduced to {im.width}x{im.height} to stay under "
            f"{MAX_DISPLAY_BYTES // 1_000_000} MB"
        )
    return data, mime, im
