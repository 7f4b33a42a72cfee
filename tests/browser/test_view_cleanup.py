"""Widget views clean up after themselves in a real JupyterLab.

The same widget shown in ten outputs, then nine of the outputs cleared, leaves exactly
one view's model listeners: the page's debug hook (``window.nblabelDebug``, kept by
``js/lib/cleanup.js``) counts the model callbacks registered and not removed, and how
often each runs, so a trait change from the kernel runs one view's callbacks again.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CELL = (
    "import nblabel as nl\n"
    "w = nl.TextAnnotator(['Ada Lovelace met Charles Babbage.', 'Second doc.'],"
    " labels=['PER', 'LOC'], annotator='ana', store='labels.db')\n"
    "w"
)

DEBUG_JS = "() => JSON.parse(JSON.stringify(window.nblabelDebug ?? null))"

CLEAR_ALL_BUT_FIRST_JS = """(path) => {
  const panel = window.__nbl.panel(path);
  const code = panel.content.widgets.filter((cell) => cell.model.type === 'code');
  for (const cell of code.slice(1)) cell.model.outputs.clear();
  return code.length;
}"""


def threshold_calls(lab, nb, value: float, views: int) -> int:
    """Set the threshold from the kernel; how many change:threshold callbacks ran."""
    before = lab.page.evaluate(DEBUG_JS)["events"].get("change:threshold", 0)
    nb.run(f"w.threshold = {value}")
    sliders = nb.panel.locator(".jp-OutputArea-output .nbl-root .nbl-threshold")
    expect(sliders).to_have_count(views)
    for i in range(views):
        expect(sliders.nth(i)).to_have_value(str(value))
    nb.wait_for_comm_idle()
    return int(lab.page.evaluate(DEBUG_JS)["events"]["change:threshold"] - before)


def test_ten_views_then_nine_cleared_leave_one_set_of_model_listeners(lab):
    nb = lab.open_notebook([CELL])
    roots = nb.panel.locator(".jp-OutputArea-output .nbl-root")
    expect(roots).to_have_count(1)
    expect(roots.first).to_have_attribute("data-drawn", "0")
    one = lab.page.evaluate(DEBUG_JS)
    assert one is not None, "the page exposes window.nblabelDebug"
    assert one["model"] > 0
    per_view = threshold_calls(lab, nb, 0.2, 1)
    assert per_view > 0

    for _ in range(9):
        nb.add_and_run_cell("w")
    expect(roots).to_have_count(10)
    for i in range(10):
        expect(roots.nth(i)).to_have_attribute("data-drawn", "0")
    ten = lab.page.evaluate(DEBUG_JS)
    assert ten["model"] == 10 * one["model"]
    assert threshold_calls(lab, nb, 0.4, 10) == 10 * per_view

    assert lab.page.evaluate(CLEAR_ALL_BUT_FIRST_JS, nb.path) == 10
    expect(roots).to_have_count(1)
    lab.page.wait_for_function(f"() => window.nblabelDebug.model === {one['model']}")
    assert threshold_calls(lab, nb, 0.6, 1) == per_view

    # The view that stayed still works: keys select and tag, the kernel stores the span.
    root = roots.first
    nb.press_in(root, "ArrowRight")  # focus without a click (a click would move the caret)
    expect(root).to_have_attribute("data-selection", "0-3")
    lab.page.keyboard.press("1")
    expect(root).to_have_attribute("data-status", "saved")
    nb.wait_for_comm_idle()
    rows = nb.eval_json("[(int(r.start), int(r.end), r.label) for r in w.annotations.itertuples()]")
    assert rows == [[0, 3, "PER"]]
