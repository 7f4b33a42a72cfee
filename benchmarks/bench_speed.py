"""A scripted annotator in real JupyterLab (issue 12, "Measure"): how fast a person who
presses keys at a steady pace gets through the queue, and whether any key is lost.

Three parts, each printed beside a baseline measured in the same run:

1. 200 image items labeled by keys at 10 keys per second (one key per item, the widget
   advances by itself), pressed at that pace whatever the page is doing. Reported: keys
   per annotation, ms per item (key -> the next item drawn), keys lost (labels missing or
   on the wrong item; must be 0). Baseline: the same script on the page as it was before
   issue 12 (the bundle built from commit 711ad37, loaded by a subclass's ``_esm``).
   The same with 40 items that take 150 ms each to load: keys then arrive while the
   next item is loading (the case issue 12 found keys lost in).
2. 50 boxes drawn with a drag and labeled with one key each: keys per annotation, ms per
   box (drag + key -> the box drawn with its label tag, and -> saved in the store), boxes
   lost, mislabeled or misplaced. Baseline in the same run: jupyter-bbox-widget 0.7.0 (the
   ``bench`` extra) in the same JupyterLab with the same 50 boxes, its way: a digit picks
   the class, then the drag draws the box (drag + key -> the box drawn on its SVG; it has
   no store, so "saved" is its ``bboxes`` trait read in the kernel at the end).
3. 50 spans tagged keyboard-only (→ selects the next token, a digit tags it): keys per
   annotation, ms per span (key -> saved), spans lost.

Run: ``.venv/bin/python benchmarks/bench_speed.py`` on a quiet machine.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _lab import lab_session  # noqa: E402

N_ITEMS = 200
KEY_INTERVAL_MS = 100  # 10 keys per second
N_BOXES = 50
N_SLOW = 40  # items of the slow-loading run
SLOW_LOAD_MS = 150
N_SPANS = 50
BASELINE_COMMIT = "711ad37"
LABELS = ["cat", "dog", "bird"]


def jpeg(seed: int, size: tuple[int, int] = (320, 240)) -> bytes:
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    pixels = (rng.random(3) * 255 + 60 * np.sin(xx[..., None] / 9 + yy[..., None] / 13)) % 255
    buf = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def build_baseline(into: Path) -> Path:
    """The page bundles as they were before issue 12, built from BASELINE_COMMIT."""
    archive = subprocess.run(
        ["git", "archive", BASELINE_COMMIT, "js", "src/nblabel/palette.json"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    (into / "node_modules").symlink_to((REPO_ROOT / "node_modules").resolve())
    (into / "package.json").write_text('{"type": "module"}')
    subprocess.run(["node", "js/build.mjs"], cwd=into, check=True, capture_output=True)
    return into / "src" / "nblabel" / "static"


#: Press `keys` on the widget's root at a fixed pace (synthetic keydown events, as the
#: page's key handler sees a person's keys), and time each "key -> next item drawn".
PRESS_JS = """
async ([keys, interval]) => {
  const root = [...document.querySelectorAll('.nbl-root')].pop();
  root.focus();
  const drawnAt = [];
  root.addEventListener('nblabel:drawn',
    (e) => drawnAt.push([e.detail.position, performance.now()]));
  const pressedAt = [];
  for (const key of keys) {
    pressedAt.push(performance.now());
    root.dispatchEvent(new KeyboardEvent('keydown', {key, code: 'Digit' + key, bubbles: true}));
    await new Promise((r) => setTimeout(r, interval));
  }
  // Done when the page has used every key: nothing unsaved and no key waiting for its item
  // (the status line says "Loading… k key(s) wait" while any does), for 0.5 s in a row.
  const busy = () => root.dataset.status !== 'saved'
    || (root.querySelector('.nbl-live')?.textContent ?? '').startsWith('Loading');
  const last = performance.now() + 120000;
  for (let quiet = 0; quiet < 10 && performance.now() < last; ) {
    await new Promise((r) => setTimeout(r, 50));
    quiet = busy() ? 0 : quiet + 1;
  }
  // keys the page refused, each with a message in its status line ("3 keys not used: ...")
  const refused = (root.nblabelSaid ?? [])
    .filter((s) => s.includes(' not used: '))
    .reduce((n, s) => n + parseInt(s, 10), 0);
  return {pressedAt, drawnAt, refused};
}
"""


def label_run(lab, n: int, esm: Path | None, load_ms: int = 0) -> dict[str, float]:
    cls = "nl.ImageAnnotator"
    pre = ""
    if esm is not None:
        pre = (
            "class Before(nl.ImageAnnotator):\n"
            f"    _esm = __import__('pathlib').Path({str(esm / 'image.js')!r})\n"
            f"    _css = __import__('pathlib').Path({str(esm / 'image.css')!r})\n"
        )
        cls = "Before"
    files = {f"photos/p{i:03d}.jpg": jpeg(i) for i in range(n)}
    code = (
        "import nblabel as nl\n"
        + pre
        + "paths = sorted(str(p) for p in __import__('pathlib').Path('photos').iterdir())\n"
        + f"w = {cls}(paths, labels={LABELS!r}, annotator='bench', store='labels.db')\n"
        + (
            # items that take load_ms to prepare (big photos on a slow disk), not the first
            "_load = w._load\n"
            "def _slow(item, _load=_load):\n"
            f"    if not item.id.endswith('p000.jpg'): __import__('time').sleep({load_ms / 1000})\n"
            "    return _load(item)\n"
            "w._load = _slow\n"
            if load_ms
            else ""
        )
    )
    code = [code, "w"]
    nb = lab.open_notebook(code, cwd_files=files)
    root = nb.widget(".nbl-root")
    root.wait_for(state="attached")
    lab.page.wait_for_function("r => r.dataset.drawn === '0'", arg=root.element_handle())
    keys = [str(1 + i % 3) for i in range(n)]
    out = lab.page.evaluate(PRESS_JS, [keys, KEY_INTERVAL_MS])
    nb.wait_for_comm_idle()
    stored = nb.eval_json(
        "{k.rsplit('/', 1)[-1]: v for k, v in w.annotations.set_index('item_id')['label'].items()}"
    )
    expected = {f"p{i:03d}.jpg": LABELS[i % 3] for i in range(n)}
    right = sum(stored.get(k) == v for k, v in expected.items())
    # key i -> the first time item i+1 was drawn after it
    lags = []
    for i, t in enumerate(out["pressedAt"][:-1]):
        after = [at for pos, at in out["drawnAt"] if pos == i + 1 and at >= t]
        if after:
            lags.append(after[0] - t)
    nb.close()
    return {
        "keys per annotation": len(keys) / max(1, right),
        "ms per item (median)": float(np.median(lags)) if lags else float("nan"),
        "ms per item (p95)": float(np.percentile(lags, 95)) if lags else float("nan"),
        "keys lost": n - right,
        "of which refused with a message": out["refused"],
    }


def box_at(i: int) -> tuple[int, int, int, int]:
    """Box i of the 50, in pixels of the 1200 x 900 image: a grid, none touching another."""
    return 20 + (i % 10) * 115, 20 + (i // 10) * 175, 80, 140


def placed(stored: list[list[float]]) -> int:
    """How many of the wanted boxes are in ``stored`` ([x, y, w, h, label]), within 3 px."""
    hits = 0
    for i in range(N_BOXES):
        x, y, w, h = box_at(i)
        label = LABELS[i % 3]
        hits += any(
            s[4] == label and max(abs(s[0] - x), abs(s[1] - y), abs(s[2] - w), abs(s[3] - h)) <= 3
            for s in stored
        )
    return hits


def box_run(lab) -> dict[str, float]:
    files = {"big.jpg": jpeg(7, (1200, 900))}
    code = (
        "import nblabel as nl\n"
        f"w = nl.ImageAnnotator(['big.jpg'], labels={LABELS!r}, tools=['box'],"
        " annotator='bench', store='labels.db')\nw"
    )
    nb = lab.open_notebook([code], cwd_files=files)
    root = nb.widget(".nbl-root")
    lab.page.wait_for_function("r => r.dataset.drawn === '0'", arg=root.element_handle())
    overlay = root.locator(".nbl-overlay")
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    scale, tx, ty = (float(v) for v in root.get_attribute("data-view").split())

    def at(x: float, y: float) -> tuple[float, float]:
        return box["x"] + tx + x * scale, box["y"] + ty + y * scale

    mouse, keys = lab.page.mouse, lab.page.keyboard
    drawn, saved = [], []
    handle = root.element_handle()
    for i in range(N_BOXES):
        x, y, w, h = box_at(i)
        label = LABELS[i % 3]
        t0 = time.perf_counter()
        mouse.move(*at(x, y))
        mouse.down()
        mouse.move(*at(x + w, y + h), steps=4)
        mouse.up()
        keys.press(str(1 + i % 3))  # the new box is selected: one key labels it
        lab.page.wait_for_function(
            "([r, n, label]) => r.querySelectorAll("
            "`.nbl-shape-tag[data-label='${label}']`).length >= n",
            arg=[handle, i // 3 + 1, label],
        )
        drawn.append((time.perf_counter() - t0) * 1000)
        lab.page.wait_for_function("r => r.dataset.status === 'saved'", arg=handle)
        saved.append((time.perf_counter() - t0) * 1000)
    nb.wait_for_comm_idle()
    stored = nb.eval_json(
        "w.annotations.query(\"kind == 'box'\")[['x', 'y', 'width', 'height', 'label']]"
        ".values.tolist()"
    )
    nb.close()
    return {
        "keys per annotation (plus one drag)": 1.0,
        "ms per box, drag + key -> drawn with label (median)": float(np.median(drawn)),
        "ms per box, drag + key -> saved (median)": float(np.median(saved)),
        "boxes lost, mislabeled or misplaced": N_BOXES - placed(stored),
    }


#: The number of boxes jupyter-bbox-widget draws on its SVG (one movable rect each).
BBOX_COUNT_JS = "svg => svg.querySelectorAll('rect.movable').length"


def bbox_widget_run(lab) -> dict[str, float]:
    """The same 50 boxes in jupyter-bbox-widget 0.7.0: a digit picks the class, a drag draws."""
    try:
        import jupyter_bbox_widget  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        print("jupyter-bbox-widget is not installed (pip install 'nblabel[bench]'): no baseline")
        return {}
    files = {"big.jpg": jpeg(7, (1200, 900))}
    code = (
        "from jupyter_bbox_widget import BBoxWidget\n"
        f"w = BBoxWidget(image='big.jpg', classes={LABELS!r})\nw"
    )
    nb = lab.open_notebook([code], cwd_files=files)
    out = nb.output(0)
    img = out.locator(".wrapper img").first
    svg = out.locator(".wrapper .image svg").first
    lab.page.wait_for_function("im => im.complete && im.naturalWidth > 0", arg=img.element_handle())
    out.locator(".wrapper").first.focus()  # its keys go to its wrapper (this may scroll)
    img.scroll_into_view_if_needed()
    mouse, keys = lab.page.mouse, lab.page.keyboard
    handle = svg.element_handle()
    drawn = []
    for i in range(N_BOXES):
        x, y, w, h = box_at(i)
        frame = img.bounding_box()  # where the image is now (the page may have scrolled)
        scale = frame["width"] / 1200
        t0 = time.perf_counter()
        keys.press(str(1 + i % 3))  # the class of the next box
        mouse.move(frame["x"] + x * scale, frame["y"] + y * scale)
        mouse.down()
        mouse.move(frame["x"] + (x + w) * scale, frame["y"] + (y + h) * scale, steps=4)
        mouse.up()
        lab.page.wait_for_function(f"svg => ({BBOX_COUNT_JS})(svg) >= {i + 1}", arg=handle)
        drawn.append((time.perf_counter() - t0) * 1000)
    nb.wait_for_comm_idle()
    stored = nb.eval_json(
        "[[b['x'], b['y'], b['width'], b['height'], b['label']] for b in w.bboxes]"
    )
    nb.close()
    return {
        "keys per annotation (plus one drag)": 1.0,
        "ms per box, drag + key -> drawn with label (median)": float(np.median(drawn)),
        "boxes lost, mislabeled or misplaced": N_BOXES - placed(stored),
    }


SPAN_JS = """
async ([n, interval]) => {
  const root = [...document.querySelectorAll('.nbl-root')].pop();
  root.focus();
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    for (const key of ['ArrowRight', String(1 + i % 2)]) {
      root.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
      await new Promise((r) => setTimeout(r, interval));
    }
    while (root.dataset.status !== 'saved') await new Promise((r) => setTimeout(r, 2));
    times.push(performance.now() - t0);
  }
  return times;
}
"""


def span_run(lab) -> dict[str, float]:
    words = " ".join(f"word{i}" for i in range(N_SPANS + 5))
    code = (
        "import nblabel as nl\n"
        f"w = nl.TextAnnotator([{words!r}], labels=['PER', 'LOC'], annotator='bench',"
        " store='labels.db')\nw"
    )
    nb = lab.open_notebook([code])
    root = nb.widget(".nbl-root")
    lab.page.wait_for_function("r => r.dataset.drawn === '0'", arg=root.element_handle())
    times = lab.page.evaluate(SPAN_JS, [N_SPANS, KEY_INTERVAL_MS])
    nb.wait_for_comm_idle()
    n = nb.eval_json("int((w.annotations['kind'] == 'span').sum())")
    nb.close()
    return {
        "keys per annotation": 2.0,
        "ms per span incl. 2 x 100 ms key pace (median)": float(np.median(times)),
        "spans lost": N_SPANS - n,
    }


def table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    names = list(rows)
    metrics = list(next(iter(rows.values())))
    print(f"  {'':48s}" + "".join(f"{n:>20s}" for n in names))
    for m in metrics:
        cells = (f"{rows[n][m]:>20.1f}" if m in rows[n] else f"{'n/a':>20s}" for n in names)
        print(f"  {m:48s}" + "".join(cells))


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="nblabel-bench-speed-"))
    try:
        before = build_baseline(tmp)
        started = time.perf_counter()
        with lab_session("bench-speed") as lab:
            label = {
                "this page": label_run(lab, N_ITEMS, None),
                f"before ({BASELINE_COMMIT})": label_run(lab, N_ITEMS, before),
            }
            slow = {
                "this page": label_run(lab, N_SLOW, None, SLOW_LOAD_MS),
                f"before ({BASELINE_COMMIT})": label_run(lab, N_SLOW, before, SLOW_LOAD_MS),
            }
            boxes = {"this page": box_run(lab)}
            bbox = bbox_widget_run(lab)
            if bbox:
                boxes["jupyter-bbox-widget"] = bbox
            spans = {"this page": span_run(lab)}
        table(f"{N_ITEMS} images labeled by keys at 10 keys/s", label)
        table(f"{N_SLOW} images that take {SLOW_LOAD_MS} ms to load, keys at 10 keys/s", slow)
        table(f"{N_BOXES} boxes, drag + one key each", boxes)
        table(f"{N_SPANS} spans, keyboard only", spans)
        print(f"\n(total {time.perf_counter() - started:.0f} s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
