"""One writer process for the concurrent-store test.

Usage: python writer.py DB BARRIER_DIR NAME N PAUSE_MS

Announces itself with ``BARRIER_DIR/ready-NAME``, waits for ``BARRIER_DIR/go``,
then upserts N annotations one transaction each (ids ``NAME-<i>``) and, after
every tenth, deletes the one made five before it, pausing PAUSE_MS between
edits as a (fast) person would; without a pause SQLite's busy handler lets
one tight-looping writer starve the others, which is fair to no one but
loses nothing. Prints a JSON summary; any
exception propagates, so the exit status is non-zero and stderr has the trace.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from nblabel.store import Store


def main() -> None:
    db, barrier, name, n = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    pause = float(sys.argv[5]) / 1000
    store = Store(db)
    (barrier / f"ready-{name}").touch()
    deadline = time.monotonic() + 60
    while not (barrier / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit("barrier never opened")
        time.sleep(0.001)
    deleted = []
    for i in range(n):
        store.upsert(
            [
                {
                    "id": f"{name}-{i}",
                    "item_id": f"item-{i % 7}",
                    "annotator": name,
                    "kind": "label",
                    "label": f"L{i}",
                }
            ]
        )
        if i % 10 == 9:
            victim = f"{name}-{i - 5}"
            assert store.delete([victim]) == 1
            deleted.append(victim)
        time.sleep(pause)
    store.close()
    print(json.dumps({"name": name, "upserted": n, "deleted": deleted}))


if __name__ == "__main__":
    main()
