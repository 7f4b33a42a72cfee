"""A notebook saved by JupyterLab (no widget state) shows each widget's static card anywhere.

The notebook is labeled and saved the way JupyterLab saves by default (outputs, no widget
state in the file), converted with ``jupyter nbconvert --to html``, and the HTML file is
opened in Chromium with the network off: the card and its picture are there, and the
labels (``<script>``, ``&``, ``$\\alpha$``) read as the literal text they are.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from .test_image_widget import photo_files, wait_saved

pytestmark = pytest.mark.browser

LABELS = ["<script>window.__pwned = 1</script>", "fish & chips", "$\\alpha$ ray"]


def test_nbconvert_html_of_a_saved_notebook_shows_the_card_offline(lab):
    cell = (
        "import nblabel as nl\n"
        "paths = sorted(str(p) for p in __import__('pathlib').Path('photos').iterdir())\n"
        f"w = nl.ImageAnnotator(paths, labels={LABELS!r}, annotator='<b>ana</b>',"
        " store='labels.db', tools=['box'], multi_label=True)\n"
        "w"
    )
    nb = lab.open_notebook([cell], cwd_files=photo_files(2))
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    # Two whole-image labels by key (Shift+digit with region tools): all but the script one.
    root.click(position={"x": 4, "y": 4})
    lab.page.keyboard.press("Shift+Digit2")
    lab.page.keyboard.press("Shift+Digit3")
    wait_saved(nb, root)
    # The static view is made when the output is displayed: show the labeled state again.
    nb.add_and_run_cell("w")
    nb.save()
    path = nb.directory / "test.ipynb"
    saved = json.loads(path.read_text())
    assert "widgets" not in saved["metadata"]  # JupyterLab's default: no widget state
    out = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=lab.server.environment(),
        check=False,
    )
    assert out.returncode == 0, out.stderr
    html_path = path.with_suffix(".html")
    rel = html_path.relative_to(lab.server.root_dir).as_posix()

    page = lab.page
    page.goto(f"{lab.server.url}/files/{rel}", wait_until="load")
    cards = page.locator(".nblabel-static")
    expect(cards).to_have_count(2)
    card = cards.last  # the second output: after the labels
    expect(card).to_contain_text("ImageAnnotator · item 1 of 2: p0.jpg")
    expect(card).to_contain_text("1 / 2 labeled by <b>ana</b>")
    codes = card.locator("code")
    expect(codes).to_have_text(["p0.jpg", "$\\alpha$ ray", "fish & chips"])
    picture = card.locator("img")
    expect(picture).to_have_count(1)
    assert picture.evaluate("(img) => img.complete && img.naturalWidth > 100")
    assert page.evaluate("window.__pwned") is None
    # MathJax (when a viewer has the network) skips the card: "$\alpha$" stays as typed.
    expect(card).to_have_class("nblabel-static tex2jax_ignore mathjax_ignore")
    assert page.locator(".nblabel-static script, .nblabel-static b:has-text('ana')").count() == 0
    # Nothing outside the machine was reached: nbconvert's page asks CDNs for MathJax and
    # require.js, which the guard aborts; the card needs neither.
    lab.allow_blocked = True
    hosts = {u.split("/")[2] for u in lab.blocked}
    assert hosts <= NBCONVERT_CDNS, lab.blocked


#: Where nbconvert's HTML template loads MathJax, require.js and the widget manager from.
NBCONVERT_CDNS = {"cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com"}
