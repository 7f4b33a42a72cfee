"""ImageAnnotator and TextAnnotator in Notebook 7 (``jupyter notebook``), not only in JupyterLab."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_image_widget import drawn, kernel_labels, photo_files, wait_saved, widget_cell
from .test_text_widget import BOX_JS, spans
from .test_text_widget import drag as text_drag
from .test_text_widget import drawn as text_drawn
from .test_text_widget import wait_saved as text_wait_saved
from .test_text_widget import widget_cell as text_cell

pytestmark = pytest.mark.browser

#: Notebook 7.6's own start-up error, on any notebook page with or without nblabel:
#: JupyterLab's shortcuts plugin handles a settings change of another plugin (docmanager)
#: before its own settings are loaded and reads ``plugins[shortcuts].schema`` of undefined.
#: JupyterLab 4.6 does not raise it; nblabel's code never reads a ``schema``.
NOTEBOOK7_STARTUP_ERROR = "Cannot read properties of undefined (reading 'schema')"


def test_label_with_keys_in_notebook7(notebook7):
    page = notebook7.page
    nb = notebook7.open_notebook([widget_cell(), "x = 1"], cwd_files=photo_files(3))
    assert "/notebooks/" in page.url
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    expect(root.locator(".nbl-progress")).to_have_text("0 / 3 labeled")
    root.click()
    page.keyboard.press("2")  # dog, then the widget moves on
    drawn(root, 1)
    page.keyboard.press("1")  # cat
    drawn(root, 2)
    wait_saved(nb, root)
    expect(root.locator(".nbl-progress")).to_have_text("2 / 3 labeled")
    assert kernel_labels(nb) == {"p0.jpg": "dog", "p1.jpg": "cat"}

    # Keys pressed in the widget never reach Notebook 7's command-mode shortcuts
    # (m: to markdown, b: insert a cell below, both bound by default).
    cells = nb.panel.locator(".jp-Cell")
    expect(cells).to_have_count(2)
    root.click()
    # Focus sits in the command-mode notebook, where those shortcuts' selector matches.
    assert page.evaluate(
        "() => !!document.activeElement.closest("
        "'.jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite)')"
    )
    page.keyboard.press("m")
    page.keyboard.press("b")
    wait_saved(nb, root)
    assert kernel_labels(nb) == {"p0.jpg": "dog", "p1.jpg": "cat"}
    cell_types = (
        "(path) => window.__nbl.panel(path).content.model.sharedModel.cells.map((c) => c.cell_type)"
    )
    assert page.evaluate(cell_types, nb.path) == ["code", "code"]
    expect(cells).to_have_count(2)
    expect(nb.panel.locator(".jp-MarkdownCell")).to_have_count(0)
    # The control: the same keys on the notebook itself do act in Notebook 7.
    nb.panel.locator(".jp-CodeCell").last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    expect(cells).to_have_count(3)
    page.keyboard.press("m")
    expect(nb.panel.locator(".jp-MarkdownCell")).to_have_count(1)
    assert [e for e in notebook7.page_errors if e != NOTEBOOK7_STARTUP_ERROR] == []


def test_tag_text_by_mouse_and_keys_in_notebook7_and_reload(notebook7):
    page = notebook7.page
    docs = ["Ada Lovelace met Charles Babbage in London.", "Grace Hopper worked at IBM."]
    nb = notebook7.open_notebook([text_cell(docs), "x = 1"])
    root = nb.widget(".nbl-root")
    text_drawn(root, 0)
    root.click(position={"x": 4, "y": 4})
    text_drag(notebook7, root, "Lovelace")
    page.keyboard.press("1")  # PER
    box = root.evaluate(BOX_JS, [docs[0].index("London") + 1, docs[0].index("London") + 2])
    page.mouse.dblclick(box["x0"], box["y0"])
    page.keyboard.press("2")  # LOC
    text_wait_saved(nb, root)
    assert spans(nb) == [(4, 12, "Lovelace", "PER"), (36, 42, "London", "LOC")]
    assert nb.eval_json("w.saved_edits") == 2  # set by the page on each "saved"
    # Reload: the kernel keeps running, the view comes back with its spans and goes on.
    nb.reload()
    root = nb.widget(".nbl-root")
    text_drawn(root, 0)
    expect(root.locator(".nbl-bar")).to_have_count(2)
    root.click(position={"x": 4, "y": 4})
    page.keyboard.press("n")
    text_drawn(root, 1)
    text_drag(notebook7, root, "Grace Hopper")
    page.keyboard.press("1")
    text_wait_saved(nb, root)
    assert nb.eval_json("len(w.annotations)") == 3
    assert [e for e in notebook7.page_errors if e != NOTEBOOK7_STARTUP_ERROR] == []
