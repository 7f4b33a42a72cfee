"""Medical and scientific images: DICOM files, 16-bit and float images, stacks of slices.

What the image widget gets from here, for an item that is not an ordinary 8-bit picture:

* a :class:`Volume`: one or more slices of scalar values in the file's own units (a CT
  slice in Hounsfield units, the DICOM rescale slope and intercept applied), or of RGB
  colour; the file's default window (level/width); the pixel spacing; plain-text metadata
  for the page's header;
* for each slice shown, a :class:`SliceImage`: an 8-bit PNG with the default window
  applied (what any page can draw at once) and, for scalar slices, the display-sized values
  as little-endian ``uint16`` (``value = offset + scale * q``) with their minimum, maximum
  and default window, from which the page re-renders any window the person chooses. The
  window changes only the display: coordinates stay in pixels of the original slice.

Stacks are multi-frame DICOM files, multi-page TIFF files and 3-D numpy arrays
``(slices, height, width)``; the slice index of an annotation is its ``frame``.

DICOM needs ``pydicom`` (``pip install 'nblabel[dicom]'``). Compressed DICOM (JPEG,
JPEG 2000, JPEG-LS) also needs a decoder pydicom can use (``pylibjpeg`` and its plugins,
or GDCM); a file that needs a missing one is refused with a message naming the item and
the transfer syntax.

The window, in Python and in the page alike (``js/image/window.js``): a value ``v`` is shown
as grey ``255 * (v - (center - width / 2)) / width``, clipped to 0-255 (inverted for
MONOCHROME1 images).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from .media import MAX_DISPLAY_BYTES, DisplayImage, MediaError, _opened, fit_size

__all__ = [
    "DICOM_SUFFIXES",
    "SliceImage",
    "Volume",
    "apply_window",
    "display_slice",
    "is_dicom",
    "read_dicom",
    "read_volume",
]

DICOM_SUFFIXES = frozenset({".dcm", ".dicom"})
_RAW_LEVELS = 65535


@dataclass(frozen=True)
class Volume:
    """The pixel data of one item: ``slices`` is ``(n, height, width)`` of scalar values
    (float32 or an integer dtype, in the file's units) or ``(n, height, width, 3)`` uint8 RGB.
    """

    slices: npt.NDArray[Any]
    #: The file's default window ``(center, width)``; None: the slice's full range.
    window: tuple[float, float] | None = None
    #: Millimetres between pixel centres, ``(row, column)``, when the file says.
    spacing: tuple[float, float] | None = None
    #: Shown inverted (DICOM MONOCHROME1: high values dark).
    invert: bool = False
    #: The unit of the values ("HU" for CT), or "".
    unit: str = ""
    #: Plain-text facts for the page's header (modality, pixel spacing, ...).
    meta: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def n_frames(self) -> int:
        """How many slices."""
        return int(self.slices.shape[0])

    @property
    def scalar(self) -> bool:
        """True for values to window, False for RGB colour."""
        return self.slices.ndim == 3

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of every slice."""
        return int(self.slices.shape[2]), int(self.slices.shape[1])


@dataclass(frozen=True)
class SliceImage:
    """One slice ready for the page."""

    display: DisplayImage
    """An 8-bit PNG with the default window applied; sizes as in :mod:`nblabel.media`."""
    raw: bytes | None
    """Display-sized values as little-endian uint16, row-major (None for colour)."""
    info: dict[str, Any] | None
    """For ``raw``: ``min``, ``max`` (data units), ``center``, ``width`` (the default window),
    ``offset``, ``scale`` (``value = offset + scale * q``), ``invert``, ``unit``."""


# -- finding what a source is -------------------------------------------------------------------
def _pydicom() -> Any:
    try:
        import pydicom
    except ImportError:
        raise ImportError(
            "reading DICOM files needs pydicom: pip install 'nblabel[dicom]'"
        ) from None
    return pydicom


def _head(source: Any, count: int) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source[:count])
    try:
        with open(os.fspath(source), "rb") as fh:
            return fh.read(count)
    except OSError:
        return b""


def is_dicom(source: Any) -> bool:
    """Whether ``source`` (a path or file bytes) is a DICOM file: by suffix, or by its
    ``DICM`` marker at byte 128."""
    if isinstance(source, (str, os.PathLike)):
        if Path(os.fspath(source)).suffix.lower() in DICOM_SUFFIXES:
            return True
    elif not isinstance(source, (bytes, bytearray, memoryview)):
        return False
    return _head(source, 132)[128:132] == b"DICM"


# -- DICOM --------------------------------------------------------------------------------------
def _first(value: Any) -> float | None:
    """A DICOM number that may be multi-valued (WindowCenter "40\\400"): its first value."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        value = [value]
    try:
        return float(value[0]) if len(value) > 0 else None
    except (TypeError, ValueError):
        return None


def _functional(ds: Any, frame: int | None, sequence: str, keyword: str) -> Any:
    """A value from a (per-frame or shared) functional group of an enhanced multi-frame file."""
    groups = []
    if frame is not None and "PerFrameFunctionalGroupsSequence" in ds:
        per_frame = ds.PerFrameFunctionalGroupsSequence
        if frame < len(per_frame):
            groups.append(per_frame[frame])
    if "SharedFunctionalGroupsSequence" in ds and len(ds.SharedFunctionalGroupsSequence):
        groups.append(ds.SharedFunctionalGroupsSequence[0])
    for group in groups:
        if sequence in group and len(group[sequence]):
            value = group[sequence][0].get(keyword)
            if value is not None:
                return value
    return None


def _rescale(ds: Any, frame: int | None) -> tuple[float, float]:
    slope = ds.get("RescaleSlope")
    intercept = ds.get("RescaleIntercept")
    if slope is None and intercept is None:
        slope = _functional(ds, frame, "PixelValueTransformationSequence", "RescaleSlope")
        intercept = _functional(ds, frame, "PixelValueTransformationSequence", "RescaleIntercept")
    return (_first(slope) or 1.0) if slope is not None else 1.0, _first(intercept) or 0.0


def _describe_syntax(ds: Any) -> str:
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if syntax is None:
        return "an unknown transfer syntax"
    name = getattr(syntax, "name", "") or ""
    return f"{name} ({syntax})" if name and name != str(syntax) else str(syntax)


def read_dicom(source: Any, *, item_id: str) -> Volume:
    """Read a DICOM file (a path or its bytes) into a :class:`Volume`.

    The rescale slope and intercept are applied (so CT values are Hounsfield units), the
    default window is the file's first ``WindowCenter``/``WindowWidth``, the pixel spacing
    comes from ``PixelSpacing`` (or ``ImagerPixelSpacing``). A multi-frame file is a stack.
    Raises :class:`nblabel.media.MediaError` naming the item for a file without pixel
    data, one that is not DICOM, or compressed pixel data no installed decoder reads.
    """
    pydicom = _pydicom()
    fp: Any = (
        io.BytesIO(bytes(source))
        if isinstance(source, (bytes, bytearray, memoryview))
        else os.fspath(source)
    )
    try:
        ds = pydicom.dcmread(fp, force=True)
    except FileNotFoundError:
        raise MediaError(item_id, f"file not found: {os.fsdecode(fp)}") from None
    except Exception as exc:
        raise MediaError(item_id, f"not a DICOM file pydicom can read ({exc})") from exc
    pixels = _dicom_pixels(ds, item_id)
    frames = int(_first(ds.get("NumberOfFrames")) or 1)
    samples = int(ds.get("SamplesPerPixel", 1))
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    notes: list[str] = []
    meta: dict[str, str] = {}
    if samples > 1:
        if frames == 1:
            pixels = pixels[np.newaxis]
        if photometric.startswith("YBR"):
            from pydicom.pixels.processing import convert_color_space

            pixels = convert_color_space(pixels, photometric, "RGB")
            notes.append(f"{photometric} colour converted to RGB")
        slices: npt.NDArray[Any] = np.ascontiguousarray(pixels[..., :3]).astype(np.uint8)
        window = None
    else:
        if frames == 1:
            pixels = pixels[np.newaxis]
        slices = _apply_rescale(ds, pixels, frames, notes)
        center = _first(ds.get("WindowCenter"))
        width = _first(ds.get("WindowWidth"))
        if center is None or width is None:
            center = _first(_functional(ds, 0, "FrameVOILUTSequence", "WindowCenter"))
            width = _first(_functional(ds, 0, "FrameVOILUTSequence", "WindowWidth"))
        window = (center, width) if center is not None and width and width > 0 else None
        if window is not None:
            meta["window"] = f"{window[0]:g} / {window[1]:g}"
    spacing = _dicom_facts(ds, meta)
    modality = meta.get("modality", "")
    if frames > 1:
        meta["slices"] = str(frames)
    unit = "HU" if modality == "CT" else str(ds.get("RescaleType", "") or "")
    return Volume(
        slices=slices,
        window=window,
        spacing=spacing,
        invert=photometric == "MONOCHROME1" and samples == 1,
        unit=unit,
        meta=meta,
        notes=tuple(notes),
    )


def _dicom_facts(ds: Any, meta: dict[str, str]) -> tuple[float, float] | None:
    """Pixel spacing (returned) and modality (into ``meta``) of a DICOM dataset."""
    spacing_value = ds.get("PixelSpacing") or ds.get("ImagerPixelSpacing")
    if spacing_value is None:
        spacing_value = _functional(ds, 0, "PixelMeasuresSequence", "PixelSpacing")
    spacing = None
    if spacing_value is not None and len(spacing_value) == 2:
        spacing = (float(spacing_value[0]), float(spacing_value[1]))
        meta["pixel spacing"] = f"{spacing[0]:g} × {spacing[1]:g} mm"
    modality = str(ds.get("Modality", "") or "")
    if modality:
        meta["modality"] = modality
    return spacing


def _dicom_pixels(ds: Any, item_id: str) -> npt.NDArray[Any]:
    """The stored pixel values, or a MediaError saying why there are none to show."""
    if not any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
        modality = ds.get("Modality", "")
        kind = f" (modality {modality})" if modality else ""
        raise MediaError(
            item_id,
            f"the DICOM file has no pixel data{kind}: a report, a presentation state or a "
            "segmentation's header is not an image",
        )
    try:
        pixels = np.asarray(ds.pixel_array)
    except Exception as exc:
        syntax = _describe_syntax(ds)
        text = str(exc)
        uid = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        if getattr(uid, "is_compressed", False):
            raise MediaError(
                item_id,
                f"its pixel data is compressed as {syntax} and no installed decoder reads it; "
                "install one pydicom can use (e.g. pip install pylibjpeg pylibjpeg-libjpeg "
                f"pylibjpeg-openjpeg, or python-gdcm) [{text.splitlines()[0]}]",
            ) from exc
        raise MediaError(item_id, f"its pixel data cannot be decoded ({syntax}): {text}") from exc
    return pixels


def _apply_rescale(
    ds: Any, pixels: npt.NDArray[Any], frames: int, notes: list[str]
) -> npt.NDArray[Any]:
    """Stored values to the file's units (slope and intercept, per frame where they differ)."""
    per_frame = [_rescale(ds, i if frames > 1 else None) for i in range(frames)]
    if all(p == (1.0, 0.0) for p in per_frame):
        return pixels
    out = pixels.astype(np.float32)
    for i, (slope, intercept) in enumerate(per_frame):
        out[i] *= np.float32(slope)
        out[i] += np.float32(intercept)
    slope, intercept = per_frame[0]
    if all(p == per_frame[0] for p in per_frame):
        sign = "+" if intercept >= 0 else "−"
        notes.append(f"rescaled: value = {slope:g} × stored {sign} {abs(intercept):g}")
    else:
        notes.append("rescaled frame by frame (slope and intercept per frame)")
    if all(float(s).is_integer() and float(b).is_integer() for s, b in per_frame):
        lo, hi = float(out.min()), float(out.max())
        if lo >= -(2**31) and hi < 2**31:
            return out.astype(np.int32)
    return out


# -- other sources ------------------------------------------------------------------------------
_DEEP_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")


def _deep(arr: npt.NDArray[Any]) -> bool:
    """Scalar data deeper than 8 bits (16-bit, 32-bit integer, float)."""
    return arr.dtype not in (np.dtype(np.uint8), np.dtype(np.bool_)) and arr.dtype.kind in "uif"


def _pil_slice(im: Image.Image) -> npt.NDArray[Any]:
    arr = np.asarray(im)
    if arr.dtype.byteorder not in ("=", "|"):
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def read_volume(source: Any, *, item_id: str, stack: bool | None = None) -> Volume | None:
    """The :class:`Volume` of an image item, or None for an ordinary 8-bit picture.

    A volume is: a DICOM file; a stack (a multi-page TIFF, a 4-D array ``(n, h, w, c)``, a
    3-D array whose last axis is not 1, 3 or 4, or with ``stack=True`` any 3-D array read
    as ``(slices, height, width)``); or one 16-bit, 32-bit or float image (a file, an array
    or a PIL image), kept in its own values so that the page can window it.
    ``stack=False`` reads none of these as a stack (the first page of a TIFF is shown).
    """
    if isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)) and is_dicom(source):
        return read_dicom(source, item_id=item_id)
    if isinstance(source, np.ndarray):
        return _array_volume(source, item_id=item_id, stack=stack)
    if isinstance(source, Image.Image):
        if source.mode in _DEEP_MODES:
            return Volume(slices=_pil_slice(source)[np.newaxis])
        return None
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
        return None
    # Pillow's header read with nblabel's limits; a file it cannot open is refused here
    # with the same message the ordinary loader gives.
    with _opened(source, item_id) as im:
        # n_frames only for TIFF: for an animated GIF it would read every frame.
        pages = int(getattr(im, "n_frames", 1)) if im.format == "TIFF" else 1
        if pages > 1 and stack is not False:
            return _tiff_stack(im, pages, item_id)
        if im.mode not in _DEEP_MODES:
            return None
        try:
            im.load()
        except (OSError, ValueError):
            return None  # the ordinary loader says what is wrong with the data
        return Volume(slices=_pil_slice(im)[np.newaxis])


def _tiff_stack(im: Image.Image, pages: int, item_id: str) -> Volume:
    slices: list[npt.NDArray[Any]] = []
    for page in range(pages):
        try:
            im.seek(page)
            im.load()
        except (OSError, ValueError, EOFError) as exc:
            raise MediaError(item_id, f"page {page} of the TIFF cannot be read ({exc})") from exc
        arr = _pil_slice(im)
        if slices and arr.shape != slices[0].shape:
            raise MediaError(
                item_id,
                f"the TIFF's pages differ in size ({slices[0].shape} and {arr.shape} at page "
                f"{page}); a stack needs slices of one size",
            )
        slices.append(arr)
    data = np.stack(slices)
    if data.ndim == 4:
        if not _deep(data) and data.shape[3] >= 3:
            return Volume(slices=np.ascontiguousarray(data[..., :3]), meta={"slices": str(pages)})
        data = data[..., 0]
    return Volume(slices=data, meta={"slices": str(pages)})


def _array_volume(arr: npt.NDArray[Any], *, item_id: str, stack: bool | None) -> Volume | None:
    if arr.ndim == 4 and stack is not False:
        if arr.shape[3] not in (1, 3, 4):
            raise MediaError(
                item_id,
                f"a 4-D array is a stack (slices, height, width, channels) with 1, 3 or 4 "
                f"channels, not shape {arr.shape}",
            )
        if arr.shape[3] == 1 or _deep(arr):
            return Volume(slices=_scalar(arr[..., 0], item_id), meta={"slices": str(arr.shape[0])})
        return Volume(
            slices=np.ascontiguousarray(arr[..., :3]).astype(np.uint8),
            meta={"slices": str(arr.shape[0])},
        )
    if arr.ndim == 3 and (stack is True or (stack is None and arr.shape[2] not in (1, 3, 4))):
        if 0 in arr.shape:
            raise MediaError(item_id, f"the stack is empty (shape {arr.shape})")
        return Volume(slices=_scalar(arr, item_id), meta={"slices": str(arr.shape[0])})
    scalar = arr[..., 0] if arr.ndim == 3 and arr.shape[2] == 1 else arr
    if scalar.ndim == 2 and _deep(scalar) and scalar.size:
        return Volume(slices=_scalar(scalar, item_id)[np.newaxis])
    return None


def _scalar(arr: npt.NDArray[Any], item_id: str) -> npt.NDArray[Any]:
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8)
    if arr.dtype.kind not in "uif":
        raise MediaError(
            item_id, f"unsupported array dtype {arr.dtype}: expected integers, floats or bools"
        )
    if arr.dtype.byteorder not in ("=", "|"):
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


# -- one slice for the page ---------------------------------------------------------------------
def apply_window(
    values: npt.NDArray[Any], center: float, width: float, *, invert: bool = False
) -> npt.NDArray[np.uint8]:
    """Grey levels of ``values`` under a window: ``255 * (v - (center - width/2)) / width``,
    rounded half up, clipped to 0-255 (and inverted when ``invert``). The page applies the
    same formula (``js/image/window.js``)."""
    width = max(float(width), 1e-12)
    low = float(center) - width / 2
    grey = (values.astype(np.float64) - low) * 255.0 / width
    # floor(x + 0.5), as the page's Math.round: halves round up on both sides.
    out = np.clip(np.floor(grey + 0.5), 0, 255).astype(np.uint8)
    return (255 - out).astype(np.uint8) if invert else out


def _raw_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The display size, shrunk further until the uint16 values stay under the byte limit."""
    size = fit_size(width, height, max_side)
    while size[0] * size[1] * 2 >= MAX_DISPLAY_BYTES:
        size = fit_size(width, height, int(max(size) * 0.9))
    return size


def display_slice(volume: Volume, index: int, *, item_id: str, max_side: int = 2048) -> SliceImage:
    """Slice ``index`` of ``volume`` for the page (see :class:`SliceImage`).

    Raises :class:`nblabel.media.MediaError` naming the item for an index outside the stack.
    """
    if not 0 <= index < volume.n_frames:
        raise MediaError(
            item_id, f"slice {index} is outside the stack (0 to {volume.n_frames - 1})"
        )
    width, height = volume.size
    notes = list(volume.notes)
    if volume.n_frames > 1:
        notes.append(f"slice {index + 1} of {volume.n_frames}")
    data = volume.slices[index]
    if not volume.scalar:
        shown_size = fit_size(width, height, max_side)
        image = Image.fromarray(np.ascontiguousarray(data), "RGB")
        if shown_size != image.size:
            image = image.resize(shown_size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        return SliceImage(_png(image, width, height, notes), None, None)
    values = data.astype(np.float32)
    finite = np.isfinite(values)
    if not finite.all():
        if not finite.any():
            raise MediaError(item_id, f"slice {index} has no finite values (all NaN or infinite)")
        bad = int(values.size - np.count_nonzero(finite))
        notes.append(f"{bad:,} NaN or infinite values shown as the minimum")
        values = np.where(finite, values, np.float32(values[finite].min()))
    shown_size = _raw_size(width, height, max_side)
    if shown_size != (width, height):
        values = np.asarray(
            Image.fromarray(values, "F").resize(
                shown_size, Image.Resampling.BILINEAR, reducing_gap=3.0
            )
        )
    lo = float(data[finite].min()) if not finite.all() else float(data.min())
    hi = float(data[finite].max()) if not finite.all() else float(data.max())
    if volume.window is not None:
        center, win = volume.window
        notes.append(f"window {center:g} / {win:g} (level / width, from the file)")
    elif data.dtype.kind == "f" and lo >= 0.0 and hi <= 1.0:
        center, win = 0.5, 1.0  # a float image in 0-1 is shown as such, not stretched
    else:
        center, win = (lo + hi) / 2, max(hi - lo, 1.0 if data.dtype.kind in "iu" else 1e-6)
    grey = apply_window(values, center, win, invert=volume.invert)
    integral = data.dtype.kind in "iu" and hi - lo <= _RAW_LEVELS
    scale = 1.0 if integral or hi == lo else (hi - lo) / _RAW_LEVELS
    quantised = np.clip(np.rint((values.astype(np.float64) - lo) / scale), 0, _RAW_LEVELS)
    raw = quantised.astype("<u2").tobytes()
    info = {
        "min": lo,
        "max": hi,
        "center": float(center),
        "width": float(win),
        "offset": lo,
        "scale": scale,
        "invert": volume.invert,
        "unit": volume.unit,
    }
    return SliceImage(_png(Image.fromarray(grey, "L"), width, height, notes), raw, info)


def _png(image: Image.Image, width: int, height: int, notes: list[str]) -> DisplayImage:
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=1)
    return DisplayImage(
        data=buf.getvalue(),
        mime="image/png",
        width=width,
        height=height,
        display_width=image.width,
        display_height=image.height,
        notes=tuple(notes),
    )
