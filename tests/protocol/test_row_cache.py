"""The widget's cache of an item's rows: a read that started before an edit never wins."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import nblabel as nl


def test_a_read_begun_before_an_edit_does_not_replace_the_edited_rows(
    photos: list[str], tmp_path: Any, drive: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The prefetch thread reads an item's rows while the page's edit on it is stored.

    The read (no rows yet) finishes after the edit kept its rows: before, it replaced
    them, so the next edit on the item worked from a stale copy (a multi-label item
    lost a label from the widget's view, a label change kept the old label).
    """
    w = nl.ImageAnnotator(
        photos, labels=["cat", "bird"], annotator="ana", multi_label=True,
        store=tmp_path / "labels.db",
    )  # fmt: skip
    page = drive(w)
    page.hello()
    item = photos[4]  # not sent nor prefetched by hello: its rows are not cached yet
    main = threading.current_thread()
    has_read, go_on = threading.Event(), threading.Event()
    read = w.store.annotations

    def slow_in_other_threads(**kw: Any) -> Any:
        out = read(**kw)
        if threading.current_thread() is not main and kw.get("item_ids") == [item]:
            has_read.set()
            go_on.wait(10)
        return out

    monkeypatch.setattr(w.store, "annotations", slow_in_other_threads)
    reader = threading.Thread(target=w._item_rows, args=(item,))
    reader.start()
    assert has_read.wait(10)
    assert page.label(item, "cat", replace=False)["type"] == "saved"
    go_on.set()
    reader.join(10)
    assert [r["label"] for r in w._rows[item].values()] == ["cat"]
    assert page.label(item, "bird", replace=False)["type"] == "saved"
    assert sorted(r["label"] for r in w._rows[item].values()) == ["bird", "cat"]
    assert sorted(w.annotations["label"]) == ["bird", "cat"]
