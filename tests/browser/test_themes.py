"""Every widget follows JupyterLab's light and dark themes with readable text (WCAG AA).

The contrast of each piece of text in the widgets (buttons, pressed buttons, key numbers,
span tags, the help, the status) is computed from the computed styles: the text colour
(with its alpha and the opacity of its ancestors) against the background it sits on (the
backgrounds of its ancestors composited down to an opaque one). Large text and disabled
controls are not exempted: there are none in these views but disabled nav buttons, which
WCAG exempts and which are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from .test_audio_widget import talk
from .test_audio_widget import widget_cell as audio_cell
from .test_image_widget import photo_files
from .test_image_widget import widget_cell as image_cell
from .test_text_widget import drag
from .test_text_widget import widget_cell as text_cell

pytestmark = pytest.mark.browser

AA = 4.5

CONTRAST_JS = r"""(roots) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  // Any CSS colour (rgb(), color(srgb ...), names) as [r, g, b, a] with a in 0..1.
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const out = [];
  for (const root of roots) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own || el.getClientRects().length === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== 'visible' || el.closest('[hidden]')) continue;
      if (el.closest('button:disabled, input:disabled')) continue;  // WCAG exempts these
      let fg = rgba(style.color);
      let opacity = 1;
      for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      const bg = background(el);
      fg = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      out.push({ what: `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`,
                 text: el.textContent.trim().slice(0, 30), ratio: Math.round(ratio * 100) / 100,
                 fg: fg.slice(0, 3).map(Math.round), bg: bg.slice(0, 3).map(Math.round) });
    }
  }
  return out;
}"""


def set_theme(lab, theme: str) -> None:
    lab.page.evaluate(
        "(t) => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme
    )
    light = "true" if theme == "JupyterLab Light" else "false"
    expect(lab.page.locator("body")).to_have_attribute("data-jp-theme-light", light)


@pytest.mark.parametrize("theme", ["JupyterLab Dark", "JupyterLab Light"])
def test_every_widget_reads_at_wcag_aa_in_jupyterlab_themes(lab, theme):
    docs = ["Ada Lovelace met Charles Babbage in London.", "Second."]
    nb = lab.open_notebook(
        [
            image_cell(advance="False"),
            image_cell(tools="['box']", advance="False"),
            text_cell(docs, labels=["PER", "LOC", "ORG", "DATE", "MISC"], doc_labels="['bio']"),
            audio_cell(),
        ],
        cwd_files={**photo_files(2), "talk.wav": talk(4.0)},
    )
    set_theme(lab, theme)
    page = lab.page
    roots = nb.panel.locator(".jp-OutputArea-output .nbl-root")
    expect(roots).to_have_count(4)
    image, boxes, text, audio = (roots.nth(i) for i in range(4))
    # Pressed states: a label chosen, a tool on, spans of several colours with their tags,
    # a document label on, and the help open on the audio widget.
    image.click(position={"x": 4, "y": 4})
    page.keyboard.press("2")
    expect(image.locator(".nbl-label.nbl-on")).to_have_count(1)
    expect(boxes.locator(".nbl-tool.nbl-on")).to_have_count(1)
    text.click(position={"x": 4, "y": 4})
    for i, word in enumerate(["Lovelace", "Charles", "Babbage", "London"]):
        drag(lab, text, word)
        page.keyboard.press(str(i + 1))
    page.keyboard.press("Shift+Digit1")  # the document label
    expect(text.locator(".nbl-bar")).to_have_count(4)
    text.locator(".nbl-label").nth(1).hover()
    audio.click(position={"x": 4, "y": 4})
    page.keyboard.press("?")
    expect(audio.locator(".nbl-help")).to_be_visible()
    expect(text).to_have_attribute("data-status", "saved")

    # NBLABEL_SCREENSHOTS=<folder>: keep a picture of each widget (the docs use them).
    shots = os.environ.get("NBLABEL_SCREENSHOTS")
    if shots:
        audio.press("Escape")  # the help closed again for the picture
        expect(audio.locator(".nbl-help")).to_be_hidden()
        folder = Path(shots)
        folder.mkdir(parents=True, exist_ok=True)
        suffix = "dark" if theme == "JupyterLab Dark" else "light"
        for name, root in (("image", image), ("regions", boxes), ("text", text), ("audio", audio)):
            target = folder / f"{name}-{suffix}.png"
            root.screenshot(path=str(target), animations="disabled")
            small = Image.open(target).convert("RGB").quantize(128, Image.Quantize.MEDIANCUT)
            small.save(target, optimize=True)  # a tenth of the size, for the docs
        audio.press("?")
        expect(audio.locator(".nbl-help")).to_be_visible()

    found = roots.evaluate_all(CONTRAST_JS)
    kinds = {c for f in found for c in f["what"].split(".")[1:]}
    # The check saw what matters: label buttons (pressed too), key numbers, tags, the help.
    assert {"nbl-label", "nbl-button", "nbl-tag", "nbl-progress", "nbl-saved"} <= kinds
    assert any(f["what"].startswith("kbd") for f in found)
    failures = [f for f in found if f["ratio"] < AA]
    assert failures == [], f"text below {AA}:1 in {theme}:\n" + "\n".join(map(str, failures))
    dark = theme == "JupyterLab Dark"
    bg = found[0]["bg"]
    assert (sum(bg) < 200) == dark, f"the widget's background {bg} does not follow {theme}"
