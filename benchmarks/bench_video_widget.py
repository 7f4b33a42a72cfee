"""VideoAnnotator in JupyterLab on a 1080p H.264 video: what the page sees, beside the floors.

Run from the repository root (a few minutes on 2 cores; the video is made once by
``bench_video.py``'s code and cached in ``benchmarks/.cache/video``)::

    .venv/bin/python benchmarks/bench_video_widget.py [--minutes 10] [--steps 120]

Figures (milliseconds, p50 / p95 / max), all measured in the page with
``performance.now()``, from the key event dispatched on the widget to its
``nblabel:drawn`` event for the frame asked for (the frame's pixels are on the canvas):

* **step forward, a person's pace**: ``.`` every 150 ms (6.7 steps a second, faster
  than anyone checks a frame), so the page's prefetch around the playhead has the
  next frames before they are asked for [target: p95 <= 50 ms];
* **step forward, held down**: ``.`` again as soon as the last frame is drawn: the
  kernel's decoding speed, the prefetch cannot get ahead;
* **step back** after stepping forward: frames the page still holds;
* **seek**: go to a random frame (``g``, the number, Enter) [target: p95 <= 250 ms];
* **playback**: ``Space`` for 10 s: frames drawn per second against the file's 30, and how
  often the page held its clock because the next frame had not arrived (it waits rather
  than skip a frame).

Beside them, in the same run on the same file:

* the raw round trip of a trivial anywidget trait echo (the least any answer from the
  kernel costs);
* PyAV alone in the kernel's process: seek to the keyframe before a frame and decode to
  it, plus the same frame converted and encoded as the display JPEG (the least any
  frame-exact seek must do); the next frame decoded and encoded (the floor of a step
  without prefetch).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import bench_video  # noqa: E402
from _lab import ECHO_WIDGET, lab_session  # noqa: E402
from nblabel.video import VideoReader  # noqa: E402

STEP_JS = """
async ([root, n, pause, key]) => {
  const canvas = root.querySelector('.nbl-video-canvas');
  const out = [];
  for (let i = 0; i < n; i++) {
    const now = Number(canvas.dataset.frame);
    const target = key === '.' ? now + 1 : now - 1;
    let t1 = null;
    const seen = (e) => { if (e.detail.frame === target && t1 === null) t1 = performance.now(); };
    root.addEventListener('nblabel:drawn', seen);
    const t0 = performance.now();
    root.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
    while (t1 === null) await new Promise((r) => setTimeout(r, 1));
    root.removeEventListener('nblabel:drawn', seen);
    out.push(t1 - t0);
    if (pause) await new Promise((r) => setTimeout(r, pause));
  }
  return out;
}
"""

SEEK_JS = """
async ([root, targets]) => {
  const goto = root.querySelector('.nbl-goto');
  const out = [];
  for (const target of targets) {
    let t1 = null;
    const seen = (e) => { if (e.detail.frame === target && t1 === null) t1 = performance.now(); };
    root.addEventListener('nblabel:drawn', seen);
    const t0 = performance.now();
    goto.value = String(target);
    const enter = {key: 'Enter', bubbles: true, cancelable: true};
    goto.dispatchEvent(new KeyboardEvent('keydown', enter));
    while (t1 === null) await new Promise((r) => setTimeout(r, 1));
    root.removeEventListener('nblabel:drawn', seen);
    out.push(t1 - t0);
    await new Promise((r) => setTimeout(r, 300));
  }
  return out;
}
"""

PLAY_JS = """
async ([root, seconds]) => {
  const canvas = root.querySelector('.nbl-video-canvas');
  const shown = new Set();
  const seen = (e) => shown.add(e.detail.frame);
  const held0 = Number(canvas.dataset.held || 0);
  const from = Number(canvas.dataset.frame);
  root.addEventListener('nblabel:drawn', seen);
  const space = {key: ' ', bubbles: true, cancelable: true};
  root.dispatchEvent(new KeyboardEvent('keydown', space));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  root.dispatchEvent(new KeyboardEvent('keydown', space));
  const wall = (performance.now() - t0) / 1000;
  root.removeEventListener('nblabel:drawn', seen);
  return {wall, frames: shown.size, advanced: Number(canvas.dataset.frame) - from,
          held: Number(canvas.dataset.held || 0) - held0};
}
"""

#: Kernel-side timing: when a wish whose first frame is k arrived, and when k was sent.
TIMING = """
import time as _time
_asked, _sent = {}, {}
_frames_handler, _send = w._frames, w.send
def _timed_frames(content, buffers=None):
    wish = content.get("frames") or [None]
    _asked.setdefault(wish[0], _time.perf_counter())
    return _frames_handler(content, buffers)
def _timed_send(content, buffers=None):
    if content.get("type") == "frame":
        _sent.setdefault(content.get("frame"), _time.perf_counter())
    return _send(content, buffers)
w._frames, w.send = _timed_frames, _timed_send
"""

ECHO_JS = """
async ([el, n]) => {
  const out = [];
  for (let i = 1; i <= n; i++) {
    const t0 = performance.now();
    await el.__ping(i);
    out.push(performance.now() - t0);
  }
  return out;
}
"""


def ms(values: list[float]) -> str:
    v = sorted(values)
    p95 = v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]
    return f"{statistics.median(v):7.1f} / {p95:7.1f} / {v[-1]:7.1f}"


def encode(frame: Any, size: tuple[int, int]) -> bytes:
    """A decoded frame as the display JPEG of ``size`` (what any display path must do)."""
    rgb = frame.reformat(
        width=size[0], height=size[1], format="rgb24", interpolation="BILINEAR"
    ).to_ndarray()
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=85)
    return out.getvalue()


def floors(
    path: Path, targets: list[int], steps: int, size: tuple[int, int]
) -> dict[str, list[float]]:
    """PyAV alone on the same file: seek + decode (+ JPEG), and next frame (+ JPEG)."""
    with VideoReader(path, cache_size=1) as reader:
        pts, keys = reader._pts_list, reader._keyframes
    floor = bench_video.PyAVFloor(path, pts, keys)
    seek, seek_jpeg, step_jpeg = [], [], []
    for k in targets:
        t = time.perf_counter()
        frame = floor.seek_decode(k)
        seek.append((time.perf_counter() - t) * 1000)
        encode(frame, size)
        seek_jpeg.append((time.perf_counter() - t) * 1000)
    floor.seek_decode(targets[0])
    for _ in range(steps):
        t = time.perf_counter()
        encode(floor.next(), size)
        step_jpeg.append((time.perf_counter() - t) * 1000)
    floor.container.close()
    return {"seek": seek, "seek_jpeg": seek_jpeg, "step_jpeg": step_jpeg}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--seeks", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    name = "1080p_30fps_gop60"
    path = bench_video.CACHE / f"{name}_{args.minutes:g}min_from_0.5min.mp4"
    if not path.exists():
        print(f"{path} is missing: run benchmarks/bench_video.py --minutes {args.minutes:g} first")
        raise SystemExit(2)
    rng = random.Random(args.seed)
    with VideoReader(path, cache_size=1) as reader:
        n = reader.info.frames
    targets = [rng.randrange(n) for _ in range(args.seeks)]
    cell = (
        "import nblabel as nl\n"
        f"w = nl.VideoAnnotator([{str(path)!r}], labels=['pedestrian', 'car'],\n"
        "                      annotator='bench', store='bench.db')\n" + TIMING + "w"
    )
    with lab_session("bench-video") as lab:
        nb = lab.open_notebook([ECHO_WIDGET + "\necho = Echo()\necho"])
        echo = lab.page.locator(".bench-echo").first.element_handle()
        lab.page.evaluate(ECHO_JS, [echo, 20])  # warm up
        echo_ms = lab.page.evaluate(ECHO_JS, [echo, 100])
        t = time.perf_counter()
        nb.add_and_run_cell(cell)
        root = nb.widget(".nbl-root")
        canvas = root.locator(".nbl-video-canvas")
        lab.page.wait_for_function(
            "(c) => c.dataset.shown === '0'", arg=canvas.element_handle(), timeout=60_000
        )
        opened = time.perf_counter() - t
        handle = root.element_handle()
        lab.page.evaluate("(r) => r.focus()", handle)
        time.sleep(2.0)  # the first prefetch settles, as it would while a person looks
        paced = lab.page.evaluate(STEP_JS, [handle, args.steps, 150, "."])
        held = lab.page.evaluate(STEP_JS, [handle, args.steps, 0, "."])
        back = lab.page.evaluate(STEP_JS, [handle, 60, 0, ","])
        nb.run("_asked.clear(); _sent.clear()")
        seeks = lab.page.evaluate(SEEK_JS, [handle, targets])
        kernel_seeks = nb.eval_json(
            f"[(_sent[k] - _asked[k]) * 1000 for k in {targets!r} if k in _sent and k in _asked]"
        )
        time.sleep(2.0)  # the prefetch around the last seek settles
        play = lab.page.evaluate(PLAY_JS, [handle, 10])
        shown = nb.eval_json(
            "(lambda r: list(__import__('nblabel').media.fit_size(r.info.width, r.info.height,"
            " w._side)))(w._reader(w.current_item))"
        )
        errors = list(lab.page_errors)
    display = (int(shown[0]), int(shown[1]))
    floor = floors(path, targets, args.steps, display)

    print(
        f"\n{path.name}: {n} frames, 1920x1080 H.264, frames sent at {display[0]}x{display[1]} "
        "(the page's canvas; JPEG q85)"
    )
    print(f"{'measure in the page (ms: p50 / p95 / max)':60s}")
    rows = [
        ("open: cell run -> frame 0 drawn (s)", f"{opened:7.2f}"),
        ("step forward at a person's pace (. every 150 ms)  [<= 50]", ms(paced)),
        ("step forward held down (next . when drawn)", ms(held)),
        ("step back after stepping forward", ms(back)),
        ("seek to a random frame (g, number, Enter)  [<= 250]", ms(seeks)),
        ("  of which the kernel: wish received -> frame sent", ms(kernel_seeks)),
        ("  baseline: anywidget trait echo round trip", ms(echo_ms)),
        ("  PyAV alone: seek to keyframe + decode to k", ms(floor["seek"])),
        ("  PyAV alone: that + the display JPEG (a seek's floor)", ms(floor["seek_jpeg"])),
        ("  PyAV alone: next frame + the display JPEG (a step's floor)", ms(floor["step_jpeg"])),
    ]
    for label, value in rows:
        print(f"{label:60s} {value}")
    print(
        f"{'playback for 10 s at 1x (file: 30 fps)':60s} "
        f"{play['frames'] / play['wall']:7.1f} frames drawn/s, "
        f"{play['advanced'] / play['wall']:5.1f} advanced/s, waited {play['held']} times"
    )
    if errors:
        print("page errors:", errors)


if __name__ == "__main__":
    main()
