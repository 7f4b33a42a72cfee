"""Proves the browser harness with a tiny inline anywidget (no nblabel widget involved)."""

from __future__ import annotations

import sys
import time

import pytest
from playwright.sync_api import expect

from support.lab import Lab

pytestmark = pytest.mark.browser

COUNTER = '''
import anywidget
import traitlets


class W(anywidget.AnyWidget):
    _esm = """
    function render({ model, el }) {
      const button = document.createElement("button");
      button.className = "inc";
      button.textContent = "+1";
      button.addEventListener("click", () => {
        model.set("count", model.get("count") + 1);
        model.save_changes();
      });
      const label = document.createElement("span");
      label.className = "label";
      const show = () => { label.textContent = model.get("label"); };
      show();
      model.on("change:label", show);
      const count = document.createElement("span");
      count.className = "count";
      const showCount = () => { count.textContent = String(model.get("count")); };
      showCount();
      model.on("change:count", showCount);
      const root = document.createElement("div");
      root.className = "wroot";
      root.tabIndex = 0;
      root.addEventListener("keydown", (e) => {
        if (e.key !== "ArrowUp") return;
        e.preventDefault();
        e.stopPropagation();
        model.set("count", model.get("count") + 1);
        model.save_changes();
      });
      root.append(button, label, count);
      el.append(root);
    }
    export default { render };
    """
    count = traitlets.Int(0).tag(sync=True)
    label = traitlets.Unicode("hello").tag(sync=True)
'''


def _open_counter(lab: Lab):
    t0 = time.monotonic()
    nb = lab.open_notebook([COUNTER, "w = W()\nw"])
    print(f"open+run: {time.monotonic() - t0:.2f} s")
    expect(nb.widget(".label")).to_have_text("hello")
    return nb


def test_clicks_reach_the_kernel(lab: Lab) -> None:
    nb = _open_counter(lab)
    button = nb.widget("button.inc")
    button.click()
    button.click()
    expect(nb.widget(".count")).to_have_text("2")
    # eval_json first waits until the kernel has answered the page's widget updates.
    assert nb.eval_json("w.count") == 2
    # The kernel is the interpreter of the tests, and it imports this checkout's nblabel.
    assert nb.eval_json("__import__('sys').executable") == sys.executable
    assert nb.eval_json("__import__('nblabel').__file__").endswith("src/nblabel/__init__.py")
    assert lab.page_errors == []
    print("console errors:", lab.console_errors)


def test_hostile_label_is_shown_as_text(lab: Lab) -> None:
    nb = _open_counter(lab)
    payload = '<img src=x onerror="window.__pwned=1">'
    nb.run(f"w.label = {payload!r}")
    expect(nb.widget(".label")).to_have_text(payload)
    assert nb.widget(".label img").count() == 0
    assert lab.page.evaluate("window.__pwned") is None
    assert lab.page_errors == []


def test_reload_keeps_kernel_state_and_keys_reach_the_widget(lab: Lab) -> None:
    nb = _open_counter(lab)
    nb.widget("button.inc").click()
    nb.widget("button.inc").click()
    expect(nb.widget(".count")).to_have_text("2")
    assert nb.eval_json("w.count") == 2
    t0 = time.monotonic()
    nb.reload()
    print(f"reload: {time.monotonic() - t0:.2f} s")
    # The old view comes back from the kernel's state.
    expect(nb.output(1).locator(".count")).to_have_text("2")
    nb.add_and_run_cell("w2 = W(); w2")
    expect(nb.output(-1).locator(".count")).to_have_text("0")
    assert nb.eval_json("[w.count, w2.count]") == [2, 0]
    nb.widget("button.inc").click()  # the new widget's button (last one on the page)
    expect(nb.output(-1).locator(".count")).to_have_text("1")
    # A key pressed inside the widget reaches it, not JupyterLab (where ArrowUp in command
    # mode would move the active cell up).
    active = "(path) => window.__nbl.panel(path).content.activeCellIndex"
    before = lab.page.evaluate(active, nb.path)
    nb.press_in(nb.widget(".wroot"), "ArrowUp")
    expect(nb.output(-1).locator(".count")).to_have_text("2")
    assert nb.eval_json("[w.count, w2.count]") == [2, 2]
    nb.press_in(nb.widget(".count"), "ArrowUp")  # not focusable: clicked, focus goes to .wroot
    assert nb.eval_json("w2.count") == 3
    assert lab.page.evaluate(active, nb.path) == before


def test_cell_error_is_raised(lab: Lab) -> None:
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        lab.open_notebook(["x = 1", "1 / 0", "y = 2"])


def test_kernel_error_is_raised(lab: Lab) -> None:
    nb = lab.open_notebook(["x = 41"])
    assert nb.run("print(x + 1)") == "42\n"
    with pytest.raises(AssertionError, match="NameError"):
        nb.run("undefined_name")
    with pytest.raises(AssertionError, match="ValueError: boom"):
        nb.add_and_run_cell("raise ValueError('boom')")
    assert nb.add_and_run_cell("z = x + 1") == 2  # code-cell index; the page goes on
    assert nb.eval_json("z") == 42


def test_external_request_is_blocked_and_reported(lab: Lab) -> None:
    nb = lab.open_notebook(["x = 1"])
    assert nb.eval_json("x") == 1
    outcome = lab.page.evaluate(
        "() => fetch('https://cdn.jsdelivr.net/npm/x').then(() => 'loaded', (e) => 'failed: ' + e)"
    )
    assert outcome.startswith("failed")
    ws_closed = lab.page.evaluate(
        """() => new Promise((resolve) => {
            const ws = new WebSocket('wss://cdn.jsdelivr.net/socket');
            ws.onopen = () => resolve('open');
            ws.onclose = () => resolve('closed');
        })"""
    )
    assert ws_closed == "closed"
    assert lab.blocked == ["https://cdn.jsdelivr.net/npm/x", "wss://cdn.jsdelivr.net/socket"]
    with pytest.raises(
        AssertionError, match=r"blocked requests.*\n  https://cdn\.jsdelivr\.net/npm/x"
    ):
        lab.assert_no_blocked()  # what the fixture's teardown runs
    lab.allow_blocked = True  # this test blocks a request on purpose
