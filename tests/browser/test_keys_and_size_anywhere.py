"""What lets the widgets work in any host: size from their own width, keys kept to themselves.

Hosts that cannot run here (VS Code, Colab) are stood in for by what they do: an output
frame as tall as its content (a short window), a narrow output area, handlers listening for
keys at the document and the window, and a host handler on an element inside the output
that stops the key from bubbling.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_image_widget import kernel_labels, photo_files, wait_saved, widget_cell

pytestmark = pytest.mark.browser

CANVAS_SIZE_JS = """(root) => {
  const c = root.querySelector('.nbl-canvas');
  return [c.getBoundingClientRect().width, c.getBoundingClientRect().height,
          root.querySelector('.nbl-stage').clientWidth];
}"""

LISTEN_JS = """() => {
  window.__hostKeys = [];
  for (const [target, where] of [[document, 'document'], [window, 'window']]) {
    target.addEventListener('keydown', (e) => window.__hostKeys.push(`${where}:${e.key}`));
  }
}"""


def test_image_size_follows_the_output_width_not_the_window_height(lab):
    nb = lab.open_notebook([widget_cell()], cwd_files=photo_files(2))
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    # A steady stage: its height comes from the stage's own width (3:4, 240 to 720 px).
    width, height, stage = root.evaluate(CANVAS_SIZE_JS)
    assert height == pytest.approx(max(240, min(stage * 0.75, 720)), abs=1)
    # A short window (Colab's output frame is as tall as its content): the stage stays.
    lab.page.set_viewport_size({"width": 1280, "height": 300})
    lab.page.wait_for_timeout(300)  # let a resize handler run, if the widget had one
    assert root.evaluate(CANVAS_SIZE_JS)[:2] == [width, height]
    # A narrow output area: the stage shrinks to its own width, and its height with it.
    lab.page.set_viewport_size({"width": 1280, "height": 900})
    root.evaluate("(root) => { root.parentElement.style.width = '330px'; }")
    lab.page.wait_for_function(
        "(root) => root.querySelector('.nbl-canvas').getBoundingClientRect().width < 330",
        arg=root.element_handle(),
    )
    width, height, stage = root.evaluate(CANVAS_SIZE_JS)
    assert width <= stage
    assert height == pytest.approx(max(240, stage * 0.75), abs=1)


def test_keys_the_widget_uses_never_reach_a_host_listening_outside_it(lab):
    nb = lab.open_notebook([widget_cell(advance="False")], cwd_files=photo_files(2))
    page = lab.page
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    page.evaluate(LISTEN_JS)
    root.click(position={"x": 4, "y": 4})
    page.keyboard.press("2")  # dog
    page.keyboard.press("q")  # bound to nothing: kept from the host all the same
    page.keyboard.press("n")
    expect(root).to_have_attribute("data-position", "1")
    # A host's handler inside the output stops keys from bubbling (as some renderers do):
    # the widget still gets them, since it listens in the capture phase.
    root.evaluate(
        "(root) => { window.__stop = (e) => e.stopPropagation();"
        " root.querySelector('.nbl-labels').addEventListener('keydown', window.__stop); }"
    )
    root.locator(".nbl-label").first.focus()
    page.keyboard.press("1")  # cat, pressed with a label button focused
    wait_saved(nb, root)
    assert kernel_labels(nb) == {"p0.jpg": "dog", "p1.jpg": "cat"}
    # Keys the widget does not take pass: Tab moves the focus on.
    root.evaluate(
        "(root) => root.querySelector('.nbl-labels').removeEventListener('keydown', window.__stop)"
    )
    page.keyboard.press("Tab")
    assert page.evaluate("window.__hostKeys") == ["document:Tab", "window:Tab"]
