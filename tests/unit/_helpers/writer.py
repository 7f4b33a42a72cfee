"""One writer process for the concurrent-store test.

Usage: python writer.py STORE BARRIER_DIR NAME N BATCH PAUSE_MS

``STORE`` is a SQLite path or a database URL, used for the first time by all
writers at once. Announces itself with ``BARRIER_DIR/ready-NAME``, waits for
``BARRIER_DIR/go``, then upserts N annotations (ids ``NAME-<i>``) in calls of
BATCH rows, one transaction each; after each call, deletes (in its own call)
every id ``i - 5`` for each ``i`` of the call with ``i % 10 == 9``, pausing
PAUSE_MS between calls as a (fast) person would. Prints a JSON summary; any
exception propagates, so the exit status is non-zero and stderr has the trace.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from nblabel.store import Store


def main() -> None:
    location, barrier, name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    n, batch, pause = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]) / 1000
    store = Store(location)
    (barrier / f"ready-{name}").touch()
    deadline = time.monotonic() + 60
    while not (barrier / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit("barrier never opened")
        time.sleep(0.001)
    deleted = []
    for start in range(0, n, batch):
        numbers = range(start, min(start + batch, n))
        store.upsert(
            [
                {
                    "id": f"{name}-{i}",
                    "item_id": f"item-{i % 7}",
                    "annotator": name,
                    "kind": "label",
                    "label": f"L{i}",
                }
                for i in numbers
            ]
        )
        victims = [f"{name}-{i - 5}" for i in numbers if i % 10 == 9]
        if victims:
            assert store.delete(victims) == len(victims)
            deleted += victims
        time.sleep(pause)
    store.close()
    print(json.dumps({"name": name, "upserted": n, "deleted": deleted}))


if __name__ == "__main__":
    main()
