"""Videos made by the tests with PyAV, whose pixels say which frame they are.

Every frame shows, in its top strip, its own number in binary (``BITS`` cells,
white = 1, least significant bit on the left) and, below, a red square that moves
``STEP`` pixels right and one pixel down per frame from ``(8, 24)``, wrapping around. A test
decodes the number with :func:`read_number` to check that the frame returned is
the frame asked for, and knows the square's true box from :func:`square_box`.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

BITS = 8
STEP = 2
SQUARE = 12


def square_box(k: int, width: int, height: int) -> tuple[int, int, int, int]:
    """The moving square's (x, y, width, height) at frame ``k``, upright pixels.

    It starts at (8, 24) and wraps around, never entering the number strip.
    """
    top = width // BITS + 2
    x = (8 + STEP * k) % (width - SQUARE)
    y = top + (24 - top + k) % (height - SQUARE - top)
    return x, y, SQUARE, SQUARE


def frame_image(k: int, width: int, height: int) -> np.ndarray:
    """The upright RGB picture of frame ``k``."""
    img = np.full((height, width, 3), 60, np.uint8)
    cell = width // BITS
    for b in range(BITS):
        if (k >> b) & 1:
            img[0:cell, b * cell : (b + 1) * cell] = 255
        else:
            img[0:cell, b * cell : (b + 1) * cell] = 0
    x, y, w, h = square_box(k, width, height)
    img[y : y + h, x : x + w] = (230, 20, 20)
    return img


def read_number(rgb: np.ndarray) -> int:
    """The frame number a decoded (upright) picture shows."""
    cell = rgb.shape[1] // BITS
    k = 0
    for b in range(BITS):
        c = rgb[cell // 4 : cell - cell // 4, b * cell + cell // 4 : (b + 1) * cell - cell // 4]
        if c.mean() > 128:
            k |= 1 << b
    return k


def make_video(
    path: Path,
    n: int = 60,
    *,
    width: int = 128,
    height: int = 96,
    fps: int = 25,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    pts_ms: Sequence[int] | None = None,
    store_rotated: bool = False,
    options: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
    gop: int | None = None,
) -> Path:
    """Write ``n`` numbered frames to ``path`` (container chosen by the suffix).

    ``pts_ms`` gives each frame's time in milliseconds (variable frame rate).
    ``store_rotated`` stores the pictures turned a quarter counterclockwise, as a phone
    stores a portrait video (the caller then sets the display matrix).
    """
    out = av.open(str(path), "w", options=container_options or {})
    stream = out.add_stream(codec, rate=fps)
    stored_w, stored_h = (height, width) if store_rotated else (width, height)
    stream.width, stream.height, stream.pix_fmt = stored_w, stored_h, pix_fmt
    if codec == "libx264":
        stream.options = {"crf": "12", **(options or {})}
    elif options:
        stream.options = options
    if gop is not None:
        stream.codec_context.gop_size = gop
    if pts_ms is not None:
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
    if n == 0:
        out.start_encoding()  # write the header of a video with no frames
    for k in range(n):
        img = frame_image(k, width, height)
        if store_rotated:
            img = np.ascontiguousarray(np.rot90(img, k=1))
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        if pts_ms is not None:
            frame.pts = int(pts_ms[k])
            frame.time_base = Fraction(1, 1000)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return path


def set_phone_rotation(path: Path) -> None:
    """Write an iPhone portrait display matrix (turn 90° clockwise) into an MP4's tkhd box.

    This patches the bytes as the MP4 spec lays them out (ISO/IEC 14496-12, 8.3.2),
    independently of FFmpeg's writer: matrix {a=0, b=1, u=0, c=-1, d=0, v=0, x=h, y=0, w=1}.
    """
    data = bytearray(path.read_bytes())
    at = data.index(b"tkhd")
    version = data[at + 4]
    assert version == 0
    matrix_at = at + 4 + 40
    old = struct.unpack(">9i", data[matrix_at : matrix_at + 36])
    assert old == (0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000), old
    height = struct.unpack(">I", data[matrix_at + 40 : matrix_at + 44])[0]
    data[matrix_at : matrix_at + 36] = struct.pack(
        ">9i", 0, 0x10000, 0, -0x10000, 0, 0, height, 0, 0x40000000
    )
    path.write_bytes(bytes(data))


def make_audio_only(path: Path) -> Path:
    out = av.open(str(path), "w")
    stream = out.add_stream("aac", rate=16000)
    samples = np.zeros((1, 1024), np.float32)
    for _ in range(20):
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return path
