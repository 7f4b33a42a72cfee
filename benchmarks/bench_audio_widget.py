"""Benchmarks of AudioAnnotator: prints figures, asserts nothing.

Run from the repository root (about 1.5 minutes on 2 cores)::

    .venv/bin/python benchmarks/bench_audio_widget.py

What is measured (targets from issue #6 in brackets):

(a) kernel side, no browser: decoding and peaks of a 1-hour 16 kHz mono WAV and a
    10-minute 48 kHz stereo WAV (median of 3), the item message's size, and the time
    to make one 30 s playback chunk.
(b) time to first waveform in JupyterLab [<= 1 s]: from the widget's view appearing in
    the page (a MutationObserver sees ``.nbl-root``) to its ``nblabel:drawn`` event,
    measured with ``performance.now()`` in the page. This covers the ``hello`` message,
    decoding and peaks in the kernel, the binary transfer and the first draw.
(c) largest message the kernel sent [< 8 MB], while the page played from the start,
    from the middle and from near the end (every message goes through a wrapper of
    ``w.send`` that adds up the JSON and buffer sizes).
(d) frame time while dragging a segment edge [p95 <= 20 ms]: 150 pointer moves of an
    edge on the hour-long waveform; the page's draw durations (``root.nblFrames``) and
    the intervals between animation frames during the drag.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "src"))

from nblabel import audio  # noqa: E402

SR = 16_000


def speechy(seconds: float, sr: int, channels: int = 1, seed: int = 0) -> np.ndarray:
    """Noise bursts shaped like syllables and turns (cheap to make, not silence)."""
    rng = np.random.default_rng(seed)
    n = round(seconds * sr)
    t = np.arange(n, dtype=np.float32) / np.float32(sr)
    envelope = (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)) * (np.sin(2 * np.pi * t / 7) > -0.3)
    out = []
    for _ in range(channels):
        x = rng.standard_normal(n).astype(np.float32) * envelope.astype(np.float32) * 0.3
        out.append((x * 32767).clip(-32767, 32767).astype(np.int16))
    return out[0] if channels == 1 else np.stack(out, axis=1)


def wav(x: np.ndarray, sr: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, x, sr, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def kernel_side(files: dict[str, bytes], tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, data in files.items():
        path = tmp / name
        path.write_bytes(data)
        times, peaks_times = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            decoded = audio.decode(path, item_id=name)
            t1 = time.perf_counter()
            peaks = audio.peaks(decoded.samples, decoded.sample_rate)
            t2 = time.perf_counter()
            times.append(t1 - t0)
            peaks_times.append(t2 - t1)
        playback = audio.Playback(decoded)
        playback.chunk(1)  # warm up (scipy import)
        t0 = time.perf_counter()
        pcm = playback.chunk(playback.n_chunks // 2)
        chunk_time = time.perf_counter() - t0
        out[name] = {
            "decode_s": statistics.median(times),
            "peaks_s": statistics.median(peaks_times),
            "peaks_bytes": sum(level.nbytes for level in peaks.levels),
            "chunk_s": chunk_time,
            "chunk_bytes": pcm.nbytes,
            "playback_rate": playback.rate,
        }
    return out


SETUP = r"""
(() => {
  const bench = (window.__audioBench = { t0: null, t1: null });
  const seen = new Set(document.querySelectorAll('.nbl-root'));
  const observer = new MutationObserver(() => {
    for (const el of document.querySelectorAll('.nbl-root')) {
      if (seen.has(el)) continue;
      seen.add(el);
      bench.t0 = performance.now();
      el.addEventListener('nblabel:drawn', () => {
        if (bench.t1 === null) bench.t1 = performance.now();
      });
      observer.disconnect();
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
})()
"""

CELL = """
import json, nblabel as nl
w = nl.AudioAnnotator([{path!r}], labels=['alice', 'bob'], annotator='bench', store='bench.db')
sizes = []
_send = w.send
def _sized(content, buffers=None):
    sizes.append(len(json.dumps(content)) + sum(len(b) for b in buffers or []))
    _send(content, buffers)
w.send = _sized
w
"""


def first_waveform(lab: Any, nb: Any, path: str) -> tuple[float, Any]:
    lab.page.evaluate(SETUP)
    nb.add_and_run_cell(CELL.format(path=path))
    lab.page.wait_for_function("window.__audioBench.t1 !== null", timeout=60_000)
    t0, t1 = lab.page.evaluate("[window.__audioBench.t0, window.__audioBench.t1]")
    return (t1 - t0) / 1000, nb.widget(".nbl-root")


def play_around(lab: Any, nb: Any, root: Any) -> int:
    """Play from the start, the middle and near the end; return the largest message."""
    root.locator(".nbl-clock").click()
    for key in (None, "0", "End"):
        if key == "0":
            box = root.locator("canvas.nbl-wave").bounding_box()
            lab.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 110)
        elif key == "End":
            lab.page.keyboard.press("End")
            for _ in range(10):
                lab.page.keyboard.press("Shift+ArrowLeft")
        start = float(root.get_attribute("data-time") or 0)
        lab.page.keyboard.press("Space")
        lab.page.wait_for_function(
            "([el, t]) => Number(el.dataset.time) > t + 1.0",
            arg=[root.element_handle(), start],
            timeout=30_000,
        )
        lab.page.keyboard.press("Space")
    nb.wait_for_comm_idle()
    return int(nb.eval_json("max(sizes)"))


DRAG_JS = r"""
([el]) => {
  const intervals = [];
  let last = performance.now();
  let on = true;
  const loop = (t) => { intervals.push(t - last); last = t; if (on) requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  el.nblFrames.length = 0;
  window.__stopDrag = () => {
    on = false;
    return { intervals: intervals.slice(1), draws: [...el.nblFrames] };
  };
}
"""


def drag_frames(lab: Any, nb: Any, root: Any) -> dict[str, list[float]]:
    box = root.locator("canvas.nbl-wave").bounding_box()
    y = box["y"] + 110
    x0, x1 = box["x"] + box["width"] * 0.3, box["x"] + box["width"] * 0.4
    lab.page.mouse.move(x0, y)
    lab.page.mouse.down()
    lab.page.mouse.move(x1, y, steps=10)
    lab.page.mouse.up()
    nb.wait_for_comm_idle()
    lab.page.evaluate(DRAG_JS, [root.element_handle()])
    lab.page.mouse.move(x1, y)
    lab.page.mouse.down()
    lab.page.mouse.move(x1 + box["width"] * 0.3, y, steps=150)
    lab.page.mouse.up()
    return lab.page.evaluate("window.__stopDrag()")


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    from support.lab import (
        CHROMIUM_ARGS,
        JupyterLabServer,
        Lab,
        chromium_executable,
        free_port,
    )

    print("making test audio ...", flush=True)
    files = {
        "hour_16k_mono.wav": wav(speechy(3600, SR), SR),
        "ten_min_48k_stereo.wav": wav(speechy(600, 48_000, channels=2, seed=1), 48_000),
    }
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nblabel-bench-audio-") as tmpdir:
        tmp = Path(tmpdir)
        kernel = kernel_side(files, tmp)
        print("\n(a) kernel side (median of 3)")
        for name, r in kernel.items():
            print(
                f"  {name:24s} decode {r['decode_s'] * 1000:7.0f} ms  peaks "
                f"{r['peaks_s'] * 1000:6.0f} ms  peaks {r['peaks_bytes'] / 1e6:5.2f} MB  "
                f"30 s chunk {r['chunk_s'] * 1000:5.0f} ms, {r['chunk_bytes'] / 1e6:4.2f} MB "
                f"at {r['playback_rate']} Hz"
            )

        from playwright.sync_api import sync_playwright

        server = JupyterLabServer(base_dir=tmp / "jupyter", port=free_port())
        server.base_dir.mkdir()
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=chromium_executable(), headless=True, args=list(CHROMIUM_ARGS)
                )
                page = browser.new_context(
                    service_workers="block", viewport={"width": 1280, "height": 900}
                ).new_page()
                lab = Lab(page, server, "bench_audio")
                try:
                    nb = lab.open_notebook(["import nblabel"], cwd_files=files)
                    results = {}
                    for name in files:
                        seconds, root = first_waveform(lab, nb, name)
                        results[name] = {"first_waveform_s": seconds}
                        if name.startswith("hour"):
                            results[name]["largest_message"] = play_around(lab, nb, root)
                            results[name]["drag"] = drag_frames(lab, nb, root)
                        else:
                            results[name]["largest_message"] = int(nb.eval_json("max(sizes)"))
                finally:
                    lab.close()
                    browser.close()
        finally:
            server.stop()

    print("\n(b) time to first waveform in JupyterLab  [target <= 1 s]")
    for name, r in results.items():
        print(f"  {name:24s} {r['first_waveform_s'] * 1000:7.0f} ms")
    print("\n(c) largest message sent by the kernel  [target < 8 MB]")
    for name, r in results.items():
        print(f"  {name:24s} {r['largest_message'] / 1e6:7.2f} MB")
    drag = results["hour_16k_mono.wav"]["drag"]
    print("\n(d) dragging a segment edge on the hour-long waveform  [target p95 <= 20 ms]")
    print(
        f"  draw time      n={len(drag['draws']):4d}  median {pct(drag['draws'], 50):5.2f} ms  "
        f"p95 {pct(drag['draws'], 95):5.2f} ms  max {max(drag['draws'], default=0):5.2f} ms"
    )
    print(
        f"  frame interval n={len(drag['intervals']):4d}  median {pct(drag['intervals'], 50):5.2f}"
        f" ms  p95 {pct(drag['intervals'], 95):5.2f} ms"
    )


if __name__ == "__main__":
    main()
