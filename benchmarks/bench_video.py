"""Benchmark of nblabel.video.VideoReader on a 1080p H.264 video, beside PyAV alone.

Run: ``python benchmarks/bench_video.py [--minutes 10] [--gop 60] [--fps 30]``.

The video is made by the script once (1920x1080, H.264 High, yuv420p, x264 preset
``veryfast``, CRF 23, a keyframe every ``--gop`` frames, B-frames on) and cached in
``benchmarks/.cache/video`` (git-ignored). Its pictures are a textured scene panning
and a few moving shapes, so the encoder has real motion to code (about 2-4 Mbit/s).
Encoding 1080p runs at about 15 frames/s on the 2 shared cores here, so 10 minutes
would take 20 minutes: by default a 30 s clip is encoded and then repeated (packets
copied with shifted timestamps, no re-encoding) to the full ``--minutes``; the file has
every frame of a 10-minute video and decodes at the same cost (``--clip-minutes 0``
encodes it all).

Figures (milliseconds; p50 / p95 / max):

* **open**: ``VideoReader(path)``, which reads every packet's timestamp to build the
  frame index and decodes frame 0; beside it, PyAV alone opening the file and decoding
  its first frame (no index).
* **step forward**: ``reader.display(k + 1)`` right after ``display(k)`` (the decoder
  goes on; display JPEG at 1280 px, q85), from 10 random starts x 30 steps; beside it,
  PyAV decoding the next frame (``next(decoder)``) and the same PyAV frame converted
  to RGB at 1280x720 and encoded by Pillow (what any display path must do).
* **step back**: ``display(k - 1)`` after ``display(k)``, without and with prefetch
  (``reader.prefetch(range(k - 15, k + 31))`` run before, as a widget does in a
  background thread while the person looks at frame k).
* **seek**: ``display(k)`` for 60 random frames (cache off: ``cache_size=1``); beside
  it, PyAV alone seeking to the keyframe before k and decoding every frame up to k
  (the plain way; the reader skips the non-reference frames shown more than 8 frames
  before k, which nothing needs, so it may come in under this floor).
* **playback**: sequential ``display(k)`` for 300 frames, frames per second, against
  the file's rate.
* **message**: the size of the display JPEGs (largest and median): what one frame
  message to the page carries.
* **tracks**: 20 tracks over every frame of the video with a keyframe every 30 frames:
  seconds for ``interpolate`` (to one row per frame), ``write_mot`` and ``read_mot``.
"""

from __future__ import annotations

import argparse
import bisect
import io
import random
import statistics
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from nblabel import schema
from nblabel.formats.mot import read_mot, write_mot
from nblabel.video import VideoReader, interpolate

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "video"
W, H = 1920, 1080


def loop_video(clip: Path, path: Path, minutes: float) -> float:
    """Write ``clip`` again and again (packets copied, timestamps shifted) to last ``minutes``.

    The clip starts on a keyframe and its GOPs are closed, so the result is a valid
    H.264 file of the full length whose decoding costs what a freshly encoded one would.
    """
    start = time.perf_counter()
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        packets = [p for p in source.demux(stream) if p.size]
        tb = stream.time_base
    assert tb is not None
    span = max(p.pts for p in packets) + packets[0].duration - min(p.pts for p in packets)
    rounds = max(1, round(minutes * 60 / float(span * tb)))
    with av.open(str(clip)) as source, av.open(str(path), "w") as out:
        template = source.streams.video[0]
        target = out.add_stream_from_template(template)
        for r in range(rounds):
            for packet in source.demux(template):
                if not packet.size:
                    continue
                packet.pts += r * span
                packet.dts += r * span
                packet.stream = target
                out.mux(packet)
            source.seek(0, stream=template)
    return time.perf_counter() - start


def make_video(path: Path, minutes: float, fps: int, gop: int) -> float:
    """Write the test video; return the seconds it took."""
    start = time.perf_counter()
    rng = np.random.default_rng(0)
    # a scene twice the frame's size to pan over: smooth blobs plus fine texture
    sy, sx = H * 2, W * 2
    yy, xx = np.mgrid[0:sy:4, 0:sx:4]
    base = (
        96
        + 50 * np.sin(xx / 97.0) * np.cos(yy / 71.0)
        + 30 * np.sin((xx + yy) / 23.0)
        + rng.normal(0, 6, xx.shape)
    )
    luma = np.clip(np.kron(base, np.ones((4, 4))), 0, 255).astype(np.uint8)
    luma = np.clip(luma.astype(np.int16) + rng.integers(-6, 7, luma.shape), 0, 255).astype(np.uint8)
    chroma_u = np.clip(128 + 30 * np.sin(xx / 50.0), 0, 255).astype(np.uint8)[:, :]
    chroma_v = np.clip(128 + 30 * np.cos(yy / 60.0), 0, 255).astype(np.uint8)[:, :]
    chroma_u = np.kron(chroma_u, np.ones((2, 2), np.uint8))
    chroma_v = np.kron(chroma_v, np.ones((2, 2), np.uint8))
    out = av.open(str(path), "w")
    stream = out.add_stream("libx264", rate=fps)
    stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
    stream.options = {"preset": "veryfast", "crf": "23", "g": str(gop), "keyint_min": str(gop)}
    stream.codec_context.time_base = Fraction(1, fps)
    n = int(minutes * 60 * fps)
    for k in range(n):
        ox = int(W / 2 + (W / 2 - 1) * np.sin(k / 400.0))
        oy = int(H / 2 + (H / 2 - 1) * np.sin(k / 530.0))
        y = luma[oy : oy + H, ox : ox + W].copy()
        # moving shapes: a bright square and a dark bar
        sx0 = (40 + 7 * k) % (W - 120)
        y[200:320, sx0 : sx0 + 120] = 235
        by = (100 + 3 * k) % (H - 60)
        y[by : by + 60, 300:1500] = 20
        u = chroma_u[oy // 2 : oy // 2 + H // 2, ox // 2 : ox // 2 + W // 2]
        v = chroma_v[oy // 2 : oy // 2 + H // 2, ox // 2 : ox // 2 + W // 2]
        frame = av.VideoFrame.from_ndarray(
            np.concatenate([y, u.reshape(-1, W), v.reshape(-1, W)]), format="yuv420p"
        )
        frame.pts = k
        for packet in stream.encode(frame):
            out.mux(packet)
        if k % (fps * 60) == 0:
            print(f"  made {k / fps / 60:.0f} of {minutes:g} min", flush=True)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return time.perf_counter() - start


def ms(values: list[float]) -> str:
    v = sorted(x * 1000 for x in values)
    p95 = v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]
    return f"{statistics.median(v):7.1f} / {p95:7.1f} / {v[-1]:7.1f}"


class PyAVFloor:
    """PyAV alone: the least work a frame-exact reader must do, with no index of its own."""

    def __init__(self, path: Path, pts: list[int], keyframes: list[int]) -> None:
        self.container = av.open(str(path))
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        self.pts = pts
        self.keyframes = keyframes
        self.decoder: Any = None

    def seek_decode(self, k: int) -> Any:
        key = self.keyframes[bisect.bisect_right(self.keyframes, k) - 1]
        self.container.seek(self.pts[key], stream=self.stream, backward=True, any_frame=False)
        self.decoder = self.container.decode(self.stream)
        for frame in self.decoder:
            if frame.pts >= self.pts[k]:
                return frame
        raise RuntimeError("not found")

    def next(self) -> Any:
        return next(self.decoder)


def encode(frame: Any) -> bytes:
    rgb = frame.reformat(width=1280, height=720, format="rgb24", interpolation="AREA").to_ndarray()
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=85)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--gop", type=int, default=60, help="frames between keyframes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--clip-minutes",
        type=float,
        default=0.5,
        help="encode this much, then repeat it (stream copy) to --minutes; 0: encode it all",
    )
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    ignore = CACHE.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    clip_minutes = args.clip_minutes or args.minutes
    name = f"1080p_{args.fps}fps_gop{args.gop}"
    clip = CACHE / f"{name}_{clip_minutes:g}min.mp4"
    if not clip.exists():
        print(f"encoding {clip.name} (once; cached) ...", flush=True)
        tmp = clip.with_suffix(".part.mp4")
        took = make_video(tmp, clip_minutes, args.fps, args.gop)
        tmp.rename(clip)
        print(f"  encoded in {took:.0f} s")
    path = clip
    if clip_minutes < args.minutes:
        path = CACHE / f"{name}_{args.minutes:g}min_from_{clip_minutes:g}min.mp4"
        if not path.exists():
            tmp = path.with_suffix(".part.mp4")
            took = loop_video(clip, tmp, args.minutes)
            tmp.rename(path)
            print(f"  {path.name}: the clip repeated to {args.minutes:g} min in {took:.0f} s")
    size_mb = path.stat().st_size / 1e6
    rng = random.Random(args.seed)

    # ---- open
    opens = []
    for _ in range(3):
        t = time.perf_counter()
        reader = VideoReader(path, cache_size=1)
        opens.append(time.perf_counter() - t)
        reader.close()
    floor_opens = []
    for _ in range(3):
        t = time.perf_counter()
        with av.open(str(path)) as c:
            next(c.decode(video=0))
        floor_opens.append(time.perf_counter() - t)

    reader = VideoReader(path, cache_size=1)
    info = reader.info
    n = info.frames
    floor = PyAVFloor(path, reader._pts_list, reader._keyframes)
    print(
        f"\n{path.name}: {info.frames} frames, {info.duration:.1f} s, {info.width}x{info.height}, "
        f"{info.fps:g} fps, {info.codec}, {size_mb:.0f} MB, a keyframe every {args.gop} frames"
    )
    rows: list[tuple[str, str]] = []
    rows.append(("open: VideoReader (index of every frame + frame 0)", ms(opens)))
    rows.append(("  PyAV alone: open + first frame (no index)", ms(floor_opens)))

    # ---- seek
    targets = [rng.randrange(n) for _ in range(60)]
    seeks, floor_seeks, sizes = [], [], []
    for k in targets:
        t = time.perf_counter()
        d = reader.display(k)
        seeks.append(time.perf_counter() - t)
        sizes.append(len(d.data))
        t = time.perf_counter()
        floor.seek_decode(k)
        floor_seeks.append(time.perf_counter() - t)
    rows.append(("seek to a random frame: display(k), cache off (60)", ms(seeks)))
    rows.append(("  PyAV alone: seek to keyframe + decode to k", ms(floor_seeks)))

    # ---- step forward
    steps, floor_steps, floor_steps_enc = [], [], []
    for _ in range(10):
        k = rng.randrange(n - 40)
        reader.display(k)
        floor.seek_decode(k)
        for j in range(1, 31):
            t = time.perf_counter()
            d = reader.display(k + j)
            steps.append(time.perf_counter() - t)
            sizes.append(len(d.data))
            t = time.perf_counter()
            frame = floor.next()
            floor_steps.append(time.perf_counter() - t)
            encode(frame)
            floor_steps_enc.append(time.perf_counter() - t)
    rows.append(("step forward: display(k+1) (300)", ms(steps)))
    rows.append(("  PyAV alone: next frame decoded", ms(floor_steps)))
    rows.append(("  PyAV alone: next frame decoded + 1280px JPEG", ms(floor_steps_enc)))

    # ---- step back, without and with prefetch
    back, back_pre, prefetch_times = [], [], []
    for _ in range(5):
        k = rng.randrange(40, n)
        reader.display(k)
        for j in range(1, 9):
            t = time.perf_counter()
            reader.display(k - j)
            back.append(time.perf_counter() - t)
    warm = VideoReader(path, cache_size=96)
    for _ in range(5):
        k = rng.randrange(40, n - 40)
        warm.display(k)
        t = time.perf_counter()
        warm.prefetch(range(k - 15, k + 31))
        prefetch_times.append(time.perf_counter() - t)
        for j in range(1, 9):
            t = time.perf_counter()
            warm.display(k - j)
            back_pre.append(time.perf_counter() - t)
        for j in range(1, 9):
            t = time.perf_counter()
            warm.display(k + j)
            back_pre.append(time.perf_counter() - t)
    rows.append(("step back: display(k-1), no prefetch (40)", ms(back)))
    rows.append(("step back/forward after prefetch(k-15..k+30) (80)", ms(back_pre)))
    rows.append(("  the prefetch itself (46 frames, in the background)", ms(prefetch_times)))

    # ---- playback
    k = rng.randrange(n - 310)
    reader.display(k)
    t = time.perf_counter()
    for j in range(1, 301):
        reader.display(k + j)
    rate = 300 / (time.perf_counter() - t)
    warm.close()

    # ---- tracks
    keyframes = [
        {
            "id": f"t{t}-{f}",
            "item_id": "clip",
            "annotator": "ana",
            "kind": "box",
            "label": "pedestrian",
            "x": 10.0 * t + f / 10,
            "y": 20.0 + (f % 300) / 3,
            "width": 40.0,
            "height": 90.0,
            "frame": f,
            "track_id": str(t + 1),
        }
        for t in range(20)
        for f in range(0, n, 30)
    ]
    table = schema.from_records(keyframes)
    t = time.perf_counter()
    per_frame = interpolate(table, n_frames=n)
    t_interp = time.perf_counter() - t
    t = time.perf_counter()
    text = write_mot(table, n_frames=n)
    t_write = time.perf_counter() - t
    t = time.perf_counter()
    back = read_mot(io.StringIO(text), item_id="clip", keyframes="changes")
    t_read = time.perf_counter() - t

    print()
    print(f"{'measure (ms: p50 / p95 / max)':58s} {'':>1s}")
    for name, value in rows:
        print(f"{name:58s} {value}")
    print(
        f"{'playback: sequential display() rate':58s} {rate:7.1f} frames/s "
        f"(file: {info.fps:g} fps; {'keeps up' if rate >= info.fps else 'falls behind'})"
    )
    print(
        f"{'message: display JPEG (1280x720, q85) median / max':58s} "
        f"{statistics.median(sizes) / 1e3:7.1f} / {max(sizes) / 1e3:7.1f} kB"
    )
    print(
        f"tracks: {len(table):,} keyframes -> {len(per_frame):,} rows: interpolate "
        f"{t_interp:.2f} s, write_mot {t_write:.2f} s ({len(text) / 1e6:.1f} MB), "
        f"read_mot(keyframes='changes') {t_read:.2f} s ({len(back):,} keyframes back)"
    )
    reader.close()


if __name__ == "__main__":
    main()
