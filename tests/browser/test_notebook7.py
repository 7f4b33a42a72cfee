"""ImageAnnotator in Notebook 7 (``jupyter notebook``), not only in JupyterLab."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_image_widget import drawn, kernel_labels, photo_files, wait_saved, widget_cell

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
