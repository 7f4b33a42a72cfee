"""How long a widget takes to open on a large queue, and what a not-yet-shown item costs.

Run: ``python benchmarks/bench_open.py [--items 1000000] [--labeled 0.5]``.

A SQLite store holds whole-image labels by "ana" on the first half of the
items; the items are paths (never read at open: images load when shown). It
prints, in one run:

- the time to open an ``ImageAnnotator`` on the list of paths, the position it
  resumes at and ``n_done`` (target: at most 1.5 s on a million items, half
  labeled, starting at the first unlabeled item);
- beside it, the baseline of the same run: reading every row of the
  annotator with ``Store.annotations`` (what an open cost before the queue
  and the SQL aggregate);
- the memory the queue holds per not-yet-shown item (tracemalloc);
- opening on a generator of the same paths, and how many it consumed.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

import nblabel as nl
from nblabel.items import IMAGE_SOURCES, ItemQueue


def build_store(path: Path, paths: list[str], labeled: int) -> nl.Store:
    store = nl.Store(path)
    frame = pd.DataFrame(
        {
            "item_id": paths[:labeled],
            "annotator": "ana",
            "kind": "label",
            "label": "cat",
        }
    )
    start = time.perf_counter()
    for chunk in range(0, labeled, 100_000):
        store.upsert(frame.iloc[chunk : chunk + 100_000])
    print(f"setup: stored {labeled:,} labels in {time.perf_counter() - start:.1f} s")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--labeled", type=float, default=0.5)
    args = parser.parse_args()
    n = args.items
    labeled = int(n * args.labeled)
    paths = [f"/data/images/{i:07d}.jpg" for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(Path(tmp) / "open.db", paths, labeled)

        gc.collect()
        start = time.perf_counter()
        rows = store.annotations(annotator="ana")
        baseline = time.perf_counter() - start
        del rows

        gc.collect()
        start = time.perf_counter()
        w = nl.ImageAnnotator(paths, labels=["cat", "dog"], annotator="ana", store=store)
        opened = time.perf_counter() - start
        position, done = w.position, w.n_done
        w.close()

        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        queue = ItemQueue(paths, IMAGE_SOURCES)
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        del queue

        consumed = itertools.count()

        def generate() -> Iterator[str]:
            for p in paths:
                next(consumed)
                yield p

        gc.collect()
        start = time.perf_counter()
        g = nl.ImageAnnotator(generate(), labels=["cat"], annotator="ana", store=store)
        opened_gen = time.perf_counter() - start
        read = next(consumed)
        g.close()

    print(f"\n{n:,} paths, {labeled:,} labeled by ana (SQLite)")
    print(f"{'measure':<46}{'result':>14}")
    print(f"{'open ImageAnnotator (target <= 1.5 s)':<46}{opened:>12.2f} s")
    print(f"{'  resumes at position / n_done':<46}{position:>7,} /{done:>7,}")
    print(f"{'baseline: read every row of ana':<46}{baseline:>12.2f} s")
    print(f"{'queue memory per not-yet-shown item':<46}{held / n:>10.0f} B")
    print(f"{'open on a generator of the same paths':<46}{opened_gen:>12.2f} s")
    print(f"{'  items the generator gave up at open':<46}{read:>14,}")


if __name__ == "__main__":
    main()
