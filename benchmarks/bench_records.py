"""Benchmark: opening a RecordAnnotator on large DataFrames, and showing one record.

Run: ``python benchmarks/bench_records.py [--rows 100000 1000000]``. Prints, per size:

* ``open``: ``RecordAnnotator(df, ...)`` on a fresh SQLite store (ids from the index, the
  lazy queue, resume from one SQL aggregate); nothing is formatted;
* ``card``: formatting one row for the page (``_load``: the card as UTF-8 JSON), median of
  200 rows spread over the frame;
* baselines in the same run: the same widget's queue given a list of str ids to an
  ``ItemQueue`` alone (the shared floor every widget pays), and formatting every row up
  front (``df.astype(str).to_dict("records")``), which an eager widget would do to open.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import nblabel as nl
from nblabel.items import ItemQueue
from nblabel.widgets.records import RECORD_SOURCES


def frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.lognormal(3.5, 0.8, n).round(2),
            "merchant": rng.choice(["grocery", "fuel", "travel", "electronics"], n),
            "time": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 2_678_400, n), "s"),
            "online": rng.random(n) < 0.25,
            "items": rng.integers(1, 20, n),
            "note": rng.choice(["", "called the customer", "card reported stolen " * 5], n),
        },
        index=pd.Index([f"T{i:07d}" for i in range(n)], name="transaction"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    head = ("rows", "open ms", "queue only ms", "eager format ms", "card ms p50")
    print(f"{head[0]:>10} {head[1]:>9} {head[2]:>14} {head[3]:>16} {head[4]:>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rows:
            df = frame(n)
            ids = [str(i) for i in df.index]
            start = time.perf_counter()
            ItemQueue(ids, RECORD_SOURCES)
            t_queue = time.perf_counter() - start
            start = time.perf_counter()
            w = nl.RecordAnnotator(
                df,
                labels=["legit", "fraud"],
                context=["note"],
                highlight=lambda r: {"amount"} if r["amount"] > 200 else set(),
                annotator="bench",
                store=Path(tmp) / f"r{n}.db",
            )
            t_open = time.perf_counter() - start
            cards = []
            for position in np.linspace(0, n - 1, 200).astype(int):
                item = w._item(int(position))
                start = time.perf_counter()
                w._load(item)
                cards.append(time.perf_counter() - start)
            w.close()
            start = time.perf_counter()
            df.astype(str).to_dict("records")
            t_eager = time.perf_counter() - start
            print(
                f"{n:>10,} {t_open * 1e3:>9.0f} {t_queue * 1e3:>14.0f} {t_eager * 1e3:>16.0f} "
                f"{statistics.median(cards) * 1e3:>12.2f}"
            )


if __name__ == "__main__":
    main()
