"""TextAnnotator in a real JupyterLab in Chromium: spans by mouse and keys, exact offsets."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DOC = "Ada Lovelace met Charles Babbage in London."
EMOJI = "Zoë\u0301 👩\u200d💻 flew to 🇨🇭 Zürich\r\n\tthen שלום עולם 🎉 in 東京!"

# Where a piece of the page's text is on screen (found in the page's own text, so the
# widget's mapping from the DOM back to offsets is what the test checks).
FIND_JS = """(root, [piece, nth]) => {
  const blocks = [...root.querySelectorAll('.nbl-block')];
  const all = blocks.map((b) => b.querySelector('.nbl-t').textContent).join('');
  let at = -1;
  for (let k = 0; k <= nth; k++) at = all.indexOf(piece, at + 1);
  return [at, at + piece.length];
}"""

# A slice of the page's text (UTF-16 offsets) as a box on screen: where a drag starts and ends.
BOX_JS = """(root, [start, end]) => {
  const blocks = [...root.querySelectorAll('.nbl-block')];
  const block = blocks.filter((b) => Number(b.dataset.start) <= start).pop();
  const node = block.querySelector('.nbl-t').firstChild;
  const base = Number(block.dataset.start);
  const range = document.createRange();
  range.setStart(node, start - base);
  range.setEnd(node, Math.min(end - base, node.length));
  const rects = [...range.getClientRects()].filter((r) => r.width > 0);
  const a = rects[0], b = rects[rects.length - 1];
  return {x0: a.left, y0: a.top + a.height / 2, x1: b.right, y1: b.top + b.height / 2};
}"""


def u16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def widget_cell(docs: list[str] | str, labels: list[str] = ["PER", "LOC"], **options: str) -> str:  # noqa: B006
    extra = "".join(f", {k}={v}" for k, v in options.items())
    items = docs if isinstance(docs, str) else repr(docs)
    return (
        "import nblabel as nl\n"
        f"docs = {items}\n"
        f"w = nl.TextAnnotator(docs, labels={labels!r}, annotator='ana', store='labels.db'"
        f"{extra})\n"
        "w"
    )


def drawn(root, position: int) -> None:
    expect(root).to_have_attribute("data-drawn", str(position))


def wait_saved(nb, root) -> None:
    expect(root).to_have_attribute("data-status", "saved")
    nb.wait_for_comm_idle()


def drag(lab, root, piece: str, nth: int = 0) -> None:
    """Select `piece` of the page's text with a mouse drag, from its first to its last char."""
    start, end = root.evaluate(FIND_JS, [piece, nth])
    assert start >= 0, f"{piece!r} is not on the page"
    box = root.evaluate(BOX_JS, [start, end])
    mouse = lab.page.mouse
    mouse.move(box["x0"] + 2, box["y0"])
    mouse.down()
    mouse.move((box["x0"] + box["x1"]) / 2, (box["y0"] + box["y1"]) / 2, steps=3)
    mouse.move(box["x1"] - 2, box["y1"], steps=3)
    mouse.up()


def spans(nb) -> list[tuple[int, int, str, str]]:
    rows = nb.eval_json(
        "[(int(r.start), int(r.end), r.text, r.label) for r in "
        "w.annotations.query('kind == \"span\"').sort_values(['start', 'end']).itertuples()]"
    )
    return [tuple(r) for r in rows]


def test_tag_by_mouse_and_keys_overlap_relabel_delete_undo(lab):
    nb = lab.open_notebook([widget_cell([DOC, "Second doc."])])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.click()
    drag(lab, root, "Lovelace")  # from inside "Ada" would snap; start in Lovelace
    expect(root).to_have_attribute("data-selection", f"{DOC.index('Lovelace')}-12")
    lab.page.keyboard.press("Shift+ArrowLeft")  # one token: grows to the left
    expect(root).to_have_attribute("data-selection", "0-12")
    lab.page.keyboard.press("1")
    # Keyboard only: walk to "Charles", grow over "Babbage", tag LOC (2).
    for _ in range(2):
        lab.page.keyboard.press("ArrowRight")
    charles = DOC.index("Charles")
    expect(root).to_have_attribute("data-selection", f"{charles}-{charles + 7}")
    lab.page.keyboard.press("Shift+ArrowRight")
    lab.page.keyboard.press("2")
    # An overlapping span: double-click "Babbage", tag PER.
    box = root.evaluate(BOX_JS, [DOC.index("Babbage") + 1, DOC.index("Babbage") + 2])
    lab.page.mouse.dblclick(box["x0"], box["y0"])
    lab.page.keyboard.press("1")
    wait_saved(nb, root)
    babbage = DOC.index("Babbage")
    assert spans(nb) == [
        (0, 12, "Ada Lovelace", "PER"),
        (charles, babbage + 7, "Charles Babbage", "LOC"),
        (babbage, babbage + 7, "Babbage", "PER"),
    ]
    expect(root.locator(".nbl-bar")).to_have_count(3)
    # Relabel: click the outer span (on "Charles", covered by one span only), press 1.
    box = root.evaluate(BOX_JS, [charles + 2, charles + 3])
    lab.page.mouse.click(box["x0"], box["y0"])
    expect(root).to_have_attribute("data-selection", f"{charles}-{babbage + 7}")
    lab.page.keyboard.press("1")
    wait_saved(nb, root)
    assert (charles, babbage + 7, "Charles Babbage", "PER") in spans(nb)
    # Delete it with the key, then undo the delete.
    lab.page.keyboard.press("Delete")
    wait_saved(nb, root)
    assert [s[2] for s in spans(nb)] == ["Ada Lovelace", "Babbage"]
    lab.page.keyboard.press("z")
    wait_saved(nb, root)
    assert (charles, babbage + 7, "Charles Babbage", "PER") in spans(nb)
    lab.page.keyboard.press("z")  # undo the relabel
    wait_saved(nb, root)
    assert (charles, babbage + 7, "Charles Babbage", "LOC") in spans(nb)
    with sqlite3.connect(nb.directory / "labels.db") as conn:
        stored = conn.execute(
            "select start, end, text from nblabel_annotations where deleted = 0 order by start, end"
        ).fetchall()
    assert [r[2] for r in stored] == ["Ada Lovelace", "Charles Babbage", "Babbage"]
    expect(root.locator(".nbl-progress")).to_have_text("1 / 2 labeled")
    lab.page.keyboard.press("n")
    drawn(root, 1)
    assert lab.page_errors == []


def test_emoji_rich_document_gives_exact_python_offsets(lab):
    nb = lab.open_notebook([widget_cell([EMOJI])])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.click()
    # Keys: the 2nd token (the ZWJ emoji) then grow by 3 tokens (flew, to, the flag).
    for key in ("ArrowRight", "ArrowRight", "Shift+ArrowRight", "Shift+ArrowRight"):
        lab.page.keyboard.press(key)
    lab.page.keyboard.press("Shift+ArrowRight")
    lab.page.keyboard.press("1")
    # Mouse: drag across the right-to-left words, and over "🎉 in 東京".
    drag(lab, root, "שלום עולם")
    root.locator(".nbl-labels .nbl-label", has_text="LOC").click()  # a label by mouse
    drag(lab, root, "🎉 in 東京")
    lab.page.keyboard.press("2")
    # Character precision: snapping off, the first two characters with the keys.
    lab.page.keyboard.press("s")
    lab.page.keyboard.press("Home")
    lab.page.keyboard.press("Shift+ArrowRight")
    lab.page.keyboard.press("1")
    wait_saved(nb, root)
    assert nb.eval_json("w.snap") is False
    got = spans(nb)
    for start, end, text, _label in got:
        assert EMOJI[start:end] == text
    assert [(t, label) for _s, _e, t, label in got] == [
        ("Zo", "PER"),
        ("👩\u200d💻 flew to 🇨🇭", "PER"),
        ("שלום עולם", "LOC"),
        ("🎉 in 東京", "LOC"),
    ]
    assert nb.eval_json("w.text_of(w.item_ids[0]) == docs[0]") is True


def test_document_labels_and_suggestions(lab):
    cell = widget_cell(
        [DOC, "Nothing here."],
        doc_labels="['news', 'fiction']",
        multi_label="True",
        predictions="pred",
    )
    setup = (
        "import pandas as pd\n"
        f"doc = {DOC!r}\n"
        "from nblabel.items import content_id\n"
        "pred = pd.DataFrame({'item_id': [content_id(doc)] * 3,\n"
        "    'kind': ['span', 'span', 'label'],\n"
        "    'label': ['PER', 'LOC', 'news'], 'start': [0, 36, None], 'end': [12, 42, None],\n"
        "    'score': [0.9, 0.6, 0.8]})\n"
    )
    nb = lab.open_notebook([setup + cell])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    expect(root.locator(".nbl-sugg.nbl-bar")).to_have_count(2)
    root.click()
    lab.page.keyboard.press("Shift+2")  # fiction
    lab.page.keyboard.press("Tab")  # the first suggestion: Ada Lovelace
    expect(root.locator(".nbl-info")).to_contain_text("Suggestion")
    lab.page.keyboard.press("Enter")
    lab.page.keyboard.press("Tab")  # the accepted span is selected now; next comes London
    expect(root.locator(".nbl-info")).to_contain_text("London")
    lab.page.keyboard.press("x")  # rejected
    root.locator(".nbl-suggestion .nbl-accept").click()  # the document label suggestion
    wait_saved(nb, root)
    assert spans(nb) == [(0, 12, "Ada Lovelace", "PER")]
    labels = nb.eval_json("sorted(w.annotations.query('kind == \"label\"')['label'])")
    assert labels == ["fiction", "news"]
    expect(root.locator(".nbl-sugg")).to_have_count(0)
    expect(root.locator(".nbl-doclabel.nbl-on")).to_have_count(2)
    assert nb.eval_json("w.annotations['source'].astype(str).unique().tolist()") == ["human"]
    # A reload draws what was saved (from the kernel), nothing was lost.
    nb.reload()
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    expect(root.locator(".nbl-bar")).to_have_count(1)
    expect(root.locator(".nbl-tag")).to_have_text("PER")


def test_hostile_text_is_shown_literally_and_nothing_runs(lab):
    hostile = (
        '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> '
        "&amp; &lt;b&gt; \x07bell\x00nul \u202eevil\u202c end"
    )
    nb = lab.open_notebook(
        [widget_cell([hostile], labels=["<b>X</b>", "<svg onload=window.__pwned=3>"])]
    )
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    shown = root.evaluate(
        "(root) => [...root.querySelectorAll('.nbl-t')].map((t) => t.textContent).join('')"
    )
    assert shown == hostile
    assert root.locator(".nbl-doc img, .nbl-doc script, .nbl-root svg, .nbl-doc b").count() == 0
    expect(root.locator(".nbl-ctl")).to_have_text(["\u2407", "\u2400"])  # bell, nul: visible
    expect(root.locator(".nbl-labels .nbl-label").first).to_have_text("1<b>X</b>")
    root.click()
    drag(lab, root, "<script>window.__pwned=2</script>")
    lab.page.keyboard.press("2")
    wait_saved(nb, root)
    assert spans(nb) == [
        (
            hostile.index("<script>"),
            hostile.index(" &amp;"),
            "<script>window.__pwned=2</script>",
            "<svg onload=window.__pwned=3>",
        )
    ]
    expect(root.locator(".nbl-tag")).to_have_text("<svg onload=window.__pwned=3>")
    assert lab.page.evaluate("window.__pwned") is None


def test_bad_items_show_messages_and_the_queue_goes_on(lab):
    cell = widget_cell(
        "['', 'caf\\xe9'.encode('latin-1'), '\\ufefffine text here']", doc_labels="['junk']"
    )
    nb = lab.open_notebook([cell])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    expect(root.locator(".nbl-empty")).to_contain_text("empty document")
    root.click()
    lab.page.keyboard.press("Shift+1")  # a document label on the empty document
    lab.page.keyboard.press("n")
    drawn(root, 1)
    expect(root.locator(".nbl-notice")).to_contain_text("not UTF-8 text (byte 0xe9 at position 3")
    lab.page.keyboard.press("n")
    drawn(root, 2)
    expect(root.locator(".nbl-notice")).to_be_hidden()
    # A byte order mark opens the text: it is a character like any other (offsets count it).
    lab.page.keyboard.press("s")  # character precision: no snapping to hide an offset error
    drag(lab, root, "text")
    lab.page.keyboard.press("1")
    wait_saved(nb, root)
    assert spans(nb) == [(6, 10, "text", "PER")]
    assert nb.eval_json("w.n_errors") == 1
    expect(root.locator(".nbl-errors")).to_have_text("⚠ 1 unreadable")


def test_keys_never_reach_jupyterlab_shortcuts(lab):
    nb = lab.open_notebook([widget_cell([DOC, "Second doc."]), "x = 1"])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    keys = ["1", "a", "b", "m", "d", "x", "c", "v", "s", "Enter", "Tab", "Delete", "Backspace"]
    # Every key pressed is bound to a visible command on the focused element in command
    # mode: if one leaked out of the widget, a cell would turn into markdown.
    lab.page.evaluate(
        """(keys) => { for (const k of keys) window.jupyterapp.commands.addKeyBinding({
            keys: [k], command: 'notebook:change-cell-to-markdown',
            selector: '.jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus'}); }""",
        keys,
    )
    markdown = "(id) => document.getElementById(id).querySelectorAll('.jp-MarkdownCell').length"
    root.click()
    lab.page.keyboard.press("ArrowRight")
    for key in keys:
        lab.page.keyboard.press(key)
    lab.page.keyboard.press("Escape")
    lab.page.keyboard.press("z")
    wait_saved(nb, root)
    assert lab.page.evaluate(markdown, nb.panel_id) == 0
    assert nb.eval_json("w.position") == 0
    assert lab.page.evaluate("document.activeElement?.classList.contains('nbl-root')") is True
    # The control: the same key on the notebook (not in the widget) does act.
    nb.panel.locator(".jp-CodeCell").last.locator(".jp-InputPrompt").click()
    lab.page.keyboard.press("Escape")
    lab.page.keyboard.press("Enter")
    lab.page.keyboard.press("Escape")
    lab.page.keyboard.press("d")
    expect(nb.panel.locator(".jp-MarkdownCell")).to_have_count(1)
