"""Benchmark of nblabel.formats on a COCO file, beside pycocotools loading the same file.

Run: ``python benchmarks/bench_formats.py [--boxes 100000] [--shapes 10000] [--store]``
(about a minute on a quiet 2-core machine; ``--store`` adds the store step, which
takes longer with the current store).

Makes one COCO instances file (5,000 images of 640x480; ``--boxes`` boxes and
``--shapes`` segmented annotations, half polygons and half RLE masks, a tenth
of the polygons in two rings), then times, best of ``--repeat`` runs:

- ``json.load`` of the file (the floor every reader pays);
- ``pycocotools.coco.COCO(path)`` (the baseline: load and index);
- ``read_coco(path)``: file to a validated annotation frame;
- ``to_coco(df)``: frame to a COCO dict; ``write_coco(df, path)``: to a file;
- with ``--store``: ``Store.upsert(df)`` into a new SQLite file, once (the
  store's bulk path, so ``store.upsert(read_coco(path))`` costs the two added up).

Prints seconds per step and each step's ratio to pycocotools' load.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nblabel import rle
from nblabel.formats import read_coco, to_coco, write_coco
from nblabel.store import Store


def best_of(f: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    return min(times), result


def make_dataset(n_boxes: int, n_shapes: int, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    w, h = 640, 480
    n_images = 5000
    images = [
        {"id": i + 1, "file_name": f"{i:012d}.jpg", "width": w, "height": h}
        for i in range(n_images)
    ]
    cats = [{"id": c, "name": f"class{c}", "supercategory": "thing"} for c in range(1, 81)]
    anns: list[dict[str, Any]] = []
    xs = rng.uniform(0, w - 60, n_boxes).round(2)
    ys = rng.uniform(0, h - 60, n_boxes).round(2)
    bw = rng.uniform(1, 60, n_boxes).round(2)
    bh = rng.uniform(1, 60, n_boxes).round(2)
    img = rng.integers(1, n_images + 1, n_boxes + n_shapes)
    cat = rng.integers(1, 81, n_boxes + n_shapes)
    for k in range(n_boxes):
        anns.append(
            {
                "id": k + 1,
                "image_id": int(img[k]),
                "category_id": int(cat[k]),
                "bbox": [float(xs[k]), float(ys[k]), float(bw[k]), float(bh[k])],
                "area": float(bw[k] * bh[k]),
                "iscrowd": 0,
                "segmentation": [],
            }
        )
    masks = []
    for _ in range(20):  # a few distinct masks, reused: encoding is not what is measured
        m = np.zeros((h, w), dtype=bool)
        cy, cx, r = rng.integers(50, h - 50), rng.integers(50, w - 50), rng.integers(10, 50)
        yy, xx = np.ogrid[:h, :w]
        m |= (yy - cy) ** 2 + (xx - cx) ** 2 < r**2
        masks.append((rle.encode(m), rle.area(rle.encode(m)), rle.bbox(rle.encode(m))))
    for j in range(n_shapes):
        k = n_boxes + j
        ann: dict[str, Any] = {
            "id": k + 1,
            "image_id": int(img[k]),
            "category_id": int(cat[k]),
            "iscrowd": 0,
        }
        if j % 2 == 0:
            px, py = rng.uniform(40, w - 40), rng.uniform(40, h - 40)
            angles = np.sort(rng.uniform(0, 2 * np.pi, 12))
            radii = rng.uniform(10, 35, 12)
            ring = np.stack([px + radii * np.cos(angles), py + radii * np.sin(angles)], 1)
            rings = [ring.round(2).ravel().tolist()]
            if j % 20 == 0:
                rings.append((ring[:6] * 0.5 + 5).round(2).ravel().tolist())
            flat = np.concatenate([np.asarray(r).reshape(-1, 2) for r in rings])
            x0, y0 = flat.min(0)
            x1, y1 = flat.max(0)
            ann.update(
                segmentation=rings,
                bbox=[float(x0), float(y0), float(x1 - x0), float(y1 - y0)],
                area=1000.0,
            )
        else:
            m, area, box = masks[j % len(masks)]
            ann.update(segmentation=m, bbox=list(box), area=area)
        anns.append(ann)
    return {"images": images, "annotations": anns, "categories": cats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boxes", type=int, default=100_000)
    parser.add_argument("--shapes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--store", action="store_true", help="also time Store.upsert")
    args = parser.parse_args()

    from pycocotools.coco import COCO

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "instances.json"
        start = time.perf_counter()
        doc = make_dataset(args.boxes, args.shapes)
        path.write_text(json.dumps(doc))
        made = time.perf_counter() - start
        size = path.stat().st_size
        print(
            f"COCO file: {len(doc['annotations']):,} annotations ({args.boxes:,} boxes, "
            f"{args.shapes:,} polygons/masks) on {len(doc['images']):,} images, "
            f"{size / 1e6:.1f} MB (made in {made:.1f} s)"
        )
        del doc

        def load_json() -> Any:
            with path.open() as fh:
                return json.load(fh)

        def coco_api() -> Any:
            import contextlib
            import io

            with contextlib.redirect_stdout(io.StringIO()):
                return COCO(str(path))

        t_json, _ = best_of(load_json, args.repeat)
        t_coco, api = best_of(coco_api, args.repeat)
        n_api = len(api.anns)
        t_read, df = best_of(lambda: read_coco(path), args.repeat)
        t_to, out = best_of(lambda: to_coco(df), args.repeat)
        out_path = Path(tmp) / "out.json"
        t_write, _ = best_of(lambda: write_coco(df, out_path), args.repeat)
        same = out["annotations"] == load_json()["annotations"]
        t_store = None
        if args.store:
            start = time.perf_counter()
            store = Store(Path(tmp) / "labels.db")
            store.upsert(df)
            t_store = time.perf_counter() - start
            store.close()

    rows = [
        ("json.load (floor)", t_json),
        ("pycocotools COCO(path) (baseline)", t_coco),
        ("read_coco(path) -> frame", t_read),
        ("to_coco(frame) -> dict", t_to),
        ("write_coco(frame, path)", t_write),
    ]
    if t_store is not None:
        rows.append(("Store.upsert(frame), new SQLite file", t_store))
    print(
        f"rows in the frame: {len(df):,}; pycocotools annotations: {n_api:,}; "
        f"written annotations equal the file's: {same}"
    )
    print(f"{'step':40s} {'seconds':>9s} {'x COCO()':>9s}")
    for name, t in rows:
        print(f"{name:40s} {t:9.2f} {t / t_coco:9.2f}")


if __name__ == "__main__":
    main()
