"""Benchmark of nblabel.qa against the krippendorff package and scikit-learn.

Run: ``python benchmarks/bench_qa.py [--items 1000000]``. Prints one table:
for each task, nblabel's time (from the long DataFrame, reshaping included),
the other library's time (its pivot included) and the ratio.

The long frame has ``items x 5`` rows ordered by item, as a store returns
them. Two layouts of the same data are timed for nblabel: plain ``str``
columns and ``category`` columns (where encoding is free, so the time is the
computation itself).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from nblabel import qa

NAMES = np.array(["cat", "dog", "bird", "fish", "horse"], dtype=object)
VALUES = np.array(["1", "2", "3", "4", "5"], dtype=object)


def best_of(f: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    return min(times), result


def make_long(n_items: int, n_annotators: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 5, n_items)
    noise = rng.random((n_items, n_annotators)) < 0.3
    codes = np.where(noise, rng.integers(0, 5, (n_items, n_annotators)), truth[:, None]).ravel()
    items = np.array([f"item{i:07d}" for i in range(n_items)], dtype=object)
    annotators = np.array([f"annotator{j}" for j in range(n_annotators)], dtype=object)
    frame = pd.DataFrame(
        {
            "item_id": np.repeat(items, n_annotators),
            "annotator": np.tile(annotators, n_items),
            "label": NAMES[codes],
        }
    )
    return frame, codes


def krippendorff_package(frame: pd.DataFrame, level: str) -> float:
    import krippendorff

    if level == "nominal":
        values, _ = pd.factorize(frame["label"])
    else:
        values = pd.to_numeric(frame["label"]).to_numpy()
    # the reliability matrix the package wants: annotators x items, NaN where missing
    # pivot is the fastest reshape here (pivot_table would aggregate)
    wide = frame.assign(value=values).pivot(  # noqa: PD010
        index="annotator", columns="item_id", values="value"
    )
    return float(
        krippendorff.alpha(reliability_data=wide.to_numpy(dtype=float), level_of_measurement=level)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--annotators", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore", qa.AgreementWarning)

    frame, codes = make_long(args.items, args.annotators)
    numeric = frame.assign(label=VALUES[codes])
    rows: list[tuple[str, str, float, str, float, float, float]] = []

    def add(
        task: str, layout: str, ours: float, *, other: str, theirs: float, a: float, b: float
    ) -> None:
        rows.append((task, layout, ours, other, theirs, a, b))
        print(f"  measured {task} [{layout}]: {ours:.3f} s vs {other} {theirs:.3f} s", flush=True)

    print(f"long frame: {len(frame):,} rows ({args.items:,} items x {args.annotators} annotators)")
    for level, data in (("nominal", frame), ("interval", numeric)):
        t_pkg, v_pkg = best_of(lambda d=data, lv=level: krippendorff_package(d, lv), 1)
        for layout, d in (("str", data), ("category", data.astype("category"))):
            t, v = best_of(lambda d=d, lv=level: qa.krippendorff_alpha(d, level=lv), args.repeat)
            add(
                f"krippendorff_alpha {level}",
                layout,
                t,
                other="krippendorff pkg + pivot",
                theirs=t_pkg,
                a=v,
                b=v_pkg,
            )

    from sklearn.metrics import cohen_kappa_score

    two = frame[frame["annotator"].isin(["annotator0", "annotator1"])].reset_index(drop=True)
    y1 = two["label"].to_numpy()[0::2]
    y2 = two["label"].to_numpy()[1::2]
    t_sk, v_sk = best_of(lambda: cohen_kappa_score(y1, y2), 1)
    for layout, d in (("str", two), ("category", two.astype("category"))):
        t, v = best_of(lambda d=d: qa.cohen_kappa(d, "annotator0", "annotator1"), args.repeat)
        add(
            f"cohen_kappa {len(y1):,} pairs",
            layout,
            t,
            other="sklearn (aligned arrays)",
            theirs=t_sk,
            a=v,
            b=v_sk,
        )

    print()
    header = (
        f"{'task':<36} {'layout':<9} {'nblabel s':>10} {'other':<26} {'other s':>8} "
        f"{'speed-up':>9} {'same value':>10}"
    )
    print(header)
    print("-" * len(header))
    for task, layout, ours, other, theirs, a, b in rows:
        same = "yes" if abs(a - b) < 1e-9 else f"{a:.6f}/{b:.6f}"
        print(
            f"{task:<36} {layout:<9} {ours:>10.3f} {other:<26} {theirs:>8.3f} "
            f"{theirs / ours:>8.1f}x {same:>10}"
        )


if __name__ == "__main__":
    main()
