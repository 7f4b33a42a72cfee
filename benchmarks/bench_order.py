"""Benchmark of ``order=``: re-ordering a large queue, and what the page feels meanwhile.

Run: ``python benchmarks/bench_order.py [--items 1000000]``. Prints

1. the time to check a Series of scores and work out a new visiting order
   (``routing.order_scores`` + ``VisitOrder.plan``), beside pandas'
   ``sort_values`` of the same scores (the bare sort, no checks);
2. the kernel's answer time to a page's ``goto`` (p50 / p95 over 200 moves,
   10 ms apart), alone and while re-orderings of the whole queue run back to
   back in the order thread: the page should not wait for them (what it
   shares with them is the GIL).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nblabel import TextAnnotator
from nblabel.routing import order_scores
from nblabel.widgets._loop import VisitOrder


def gotos(w: TextAnnotator, count: int, pause: float = 0.01) -> list[float]:
    """Answer times (ms) of ``count`` page moves, ``pause`` seconds apart (a fast person)."""
    answered = threading.Event()

    def record(content: dict[str, Any], buffers: Any = None) -> None:
        if content.get("type") == "item" and content.get("reply"):
            answered.set()

    w.send = record  # type: ignore[method-assign]
    out = []
    for k in range(count):
        answered.clear()
        start = time.perf_counter()
        w._on_message(w, {"type": "goto", "position": k % 50, "cached": []}, [])
        answered.wait(10)
        out.append((time.perf_counter() - start) * 1000)
        time.sleep(pause)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.items
    rng = np.random.default_rng(0)
    ids = [f"doc-{i}" for i in range(n)]
    scores = pd.Series(rng.random(n), index=ids)

    start = time.perf_counter()
    checked = order_scores(scores)
    t_check = time.perf_counter() - start
    docs = pd.Series(["a short document"] * n, index=ids)
    with tempfile.TemporaryDirectory() as tmp:
        w = TextAnnotator(docs, labels=["X"], annotator="bench", store=Path(tmp) / "b.db")
        visit = VisitOrder(w._queue)
        start = time.perf_counter()
        visit.plan(checked, skip=set(), keep=10)
        t_plan = time.perf_counter() - start
        start = time.perf_counter()
        scores.sort_values(ascending=False, kind="stable")
        t_sort = time.perf_counter() - start
        print(f"{n:,} items")
        print(
            f"check scores + plan the order: {t_check + t_plan:.2f} s "
            f"({t_check:.2f} + {t_plan:.2f}); pandas sort_values alone: {t_sort:.2f} s"
        )

        w.reorder(scores).result()
        w._told.add("started")  # as after the page's hello: re-orderings keep what was seen
        alone = gotos(w, 200)
        stop = threading.Event()
        runs = [0]

        def churn() -> None:
            while not stop.is_set():
                w.reorder(pd.Series(rng.random(n), index=ids)).result()
                runs[0] += 1

        worker = threading.Thread(target=churn)
        worker.start()
        time.sleep(0.5)
        busy = gotos(w, 200)
        stop.set()
        worker.join()
        w.close()

    def pct(values: list[float]) -> str:
        q = statistics.quantiles(values, n=20)
        return f"{statistics.median(values):.1f} / {q[18]:.1f}"

    print(f"goto answered (p50 / p95, ms): alone {pct(alone)}; "
          f"during {runs[0]} whole-queue re-orderings {pct(busy)}")  # fmt: skip


if __name__ == "__main__":
    main()
