"""What team labeling costs per edit and per move, beside the same work without it.

Run: ``python benchmarks/bench_routing.py [--items 2000] [--edits 200] [--url URL]``.

On one store (a SQLite file in a temp folder, or ``--url``), with ``--items``
items of which another two annotators have labeled the first half, it prints
the median time, in one run:

- of one edit (a whole-item label) sent the way the page sends it, on a widget
  without ``overlap`` (the baseline: the ownership check is all that is added)
  and on one with ``overlap=2`` (ownership, and the lease check on an item the
  annotator has not labeled yet);
- of ``Store.apply`` with the same rows, the write alone, and of
  ``routing.owners`` (the ownership check's one read) alone;
- of ``w.next()`` with ``overlap=2`` (a claim: a read of the candidates, then
  one locked transaction), beside ``w.next()`` without overlap.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

import nblabel as nl
from nblabel.routing import owners


def docs(n: int) -> pd.Series:
    return pd.Series([f"document {i}" for i in range(n)], index=[f"d{i:06d}" for i in range(n)])


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.2f} ms"


def widget(location: str, name: str, n: int, **options: Any) -> nl.TextAnnotator:
    return nl.TextAnnotator(
        docs(n), labels=["X"], doc_labels=["pos", "neg"], annotator=name, store=location, **options
    )


def edits(w: nl.TextAnnotator, count: int) -> list[float]:
    """Label ``count`` items with the page's edit message (new label, old ones deleted)."""
    answers: list[dict[str, Any]] = []
    w.send = lambda content, buffers=None: answers.append(content)  # type: ignore[method-assign]
    times = []
    for seq in range(count):
        item = w.current_item
        old = list(w._item_rows(item))
        message = {
            "type": "edit",
            "seq": seq,
            "item_id": item,
            "upsert": [{"id": uuid.uuid4().hex, "kind": "label", "label": "pos"}],
            "delete": old,
            "elapsed": 1.0,
        }
        start = time.perf_counter()
        w._on_message(w, message, [])
        times.append(time.perf_counter() - start)
        saved = [a for a in answers if a.get("seq") == seq]
        if not saved or saved[-1]["type"] != "saved":
            raise RuntimeError(f"edit {seq} not saved: {saved}")
        w.next()
    return times


def moves(w: nl.TextAnnotator, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        w.next()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--url", default=None, help="a store URL (default: a temp SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        location = args.url or str(Path(folder) / "team.db")
        store = nl.Store(location)
        half = [f"d{i:06d}" for i in range(args.items // 2)]
        store.upsert(
            [
                {"item_id": i, "annotator": who, "kind": "label", "label": "pos"}
                for i in half
                for who in ("bob", "cy")
            ]
        )
        print(f"{args.items} items, the first {len(half)} labeled by two others; {location}")
        plain = widget(location, "ana", args.items)
        routed = widget(location, "eve", args.items, overlap=2)
        print(f"edit, no overlap      {median_ms(edits(plain, args.edits))}")
        print(f"edit, overlap=2       {median_ms(edits(routed, args.edits))}")
        times = []
        for i in range(args.edits):
            row = {"id": uuid.uuid4().hex, "item_id": f"x{i}", "annotator": "zed"}
            start = time.perf_counter()
            store.apply(upsert=[{**row, "kind": "label", "label": "pos"}])
            times.append(time.perf_counter() - start)
        print(f"Store.apply alone     {median_ms(times)}")
        ids = list(store.annotations(annotator="ana")["id"][:1])
        times = []
        for _ in range(args.edits):
            start = time.perf_counter()
            owners(store, [*ids, uuid.uuid4().hex])
            times.append(time.perf_counter() - start)
        print(f"routing.owners alone  {median_ms(times)}  (the ownership check of one edit)")
        print(f"next(), no overlap    {median_ms(moves(plain, args.edits))}")
        print(f"next(), overlap=2     {median_ms(moves(routed, args.edits))}")
        plain.close()
        routed.close()
        store.close()


if __name__ == "__main__":
    main()
