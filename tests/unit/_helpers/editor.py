"""A process that edits like a widget until it is killed.

Usage: python editor.py STORE NAME START PREVIOUS

Makes edits forever, each one ``apply(upsert=[new], delete=[previous])`` (a
label replaced, as a page sends it), and after each edit returns prints
``ACK <new id> <deleted id>`` and flushes: a line printed is an edit the page
was told was saved. Before each edit it prints ``TRY <new id> <deleted id>``
(``-`` when nothing is deleted). The parent
kills it with SIGKILL at a random moment.
"""

from __future__ import annotations

import sys

from nblabel.store import Store


def main() -> None:
    store = Store(sys.argv[1])
    name, i, previous = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    while True:
        ident = f"{name}-{i}"
        print(f"TRY {ident} {previous}", flush=True)
        row = {
            "id": ident,
            "item_id": f"item-{i % 5}",
            "annotator": name,
            "kind": "label",
            "label": f"L{i}",
        }
        store.apply(upsert=[row], delete=[] if previous == "-" else [previous])
        print(f"ACK {ident} {previous}", flush=True)
        previous = ident
        i += 1


if __name__ == "__main__":
    main()
