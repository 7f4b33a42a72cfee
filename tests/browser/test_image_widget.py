"""ImageAnnotator in a real JupyterLab in Chromium: a person's keys and clicks, the DataFrame."""

from __future__ import annotations

import io
import sqlite3

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LABELS = ["cat", "dog", "bird"]


def jpeg(seed: int, size: tuple[int, int] = (160, 120)) -> bytes:
    """A small real JPEG with smooth content (different per seed)."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    base = rng.random(3) * 255
    pixels = (base + 60 * np.sin(xx[..., None] / (7 + seed) + yy[..., None] / 11)) % 255
    buf = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def photo_files(n: int) -> dict[str, str | bytes]:
    return {f"photos/p{i}.jpg": jpeg(i) for i in range(n)}


def widget_cell(labels: list[str] = LABELS, **options: str) -> str:
    extra = "".join(f", {k}={v}" for k, v in options.items())
    return (
        "import nblabel as nl\n"
        "paths = sorted(str(p) for p in __import__('pathlib').Path('photos').iterdir())\n"
        f"w = nl.ImageAnnotator(paths, labels={labels!r}, annotator='ana', store='labels.db'"
        f"{extra})\n"
        "w"
    )


def wait_saved(nb, root) -> None:
    expect(root).to_have_attribute("data-status", "saved")
    nb.wait_for_comm_idle()


def drawn(root, position: int) -> None:
    expect(root).to_have_attribute("data-drawn", str(position))


def kernel_labels(nb) -> dict[str, str]:
    return nb.eval_json(
        "{__import__('os').path.basename(k): v for k, v in "
        "w.annotations.set_index('item_id')['label'].items()}"
    )


def store_rows(nb) -> list[tuple[str, str, str]]:
    with sqlite3.connect(nb.directory / "labels.db") as conn:
        rows = conn.execute(
            "select item_id, annotator, label from nblabel_annotations where deleted = 0"
        ).fetchall()
    return sorted((item.rsplit("/", 1)[-1], who, label) for item, who, label in rows)


def test_label_with_keys_and_mouse(lab):
    nb = lab.open_notebook([widget_cell()], cwd_files=photo_files(4))
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    expect(root.locator(".nbl-progress")).to_have_text("0 / 4 labeled")
    root.click()
    lab.page.keyboard.press("2")  # dog, then the widget moves on
    drawn(root, 1)
    lab.page.keyboard.press("1")  # cat
    drawn(root, 2)
    root.locator(".nbl-label", has_text="bird").click()  # by mouse
    drawn(root, 3)
    root.locator(".nbl-prev").click()
    drawn(root, 2)
    expect(root.locator(".nbl-label.nbl-on")).to_have_text("3bird")
    root.locator(".nbl-next").click()
    lab.page.keyboard.press("ArrowLeft")
    lab.page.keyboard.press("ArrowRight")
    lab.page.keyboard.press("3")
    wait_saved(nb, root)
    expect(root.locator(".nbl-progress")).to_have_text("4 / 4 labeled")
    expect(root.locator(".nbl-saved")).to_have_text("✓ Saved")
    assert kernel_labels(nb) == {
        "p0.jpg": "dog",
        "p1.jpg": "cat",
        "p2.jpg": "bird",
        "p3.jpg": "bird",
    }
    assert store_rows(nb) == [
        ("p0.jpg", "ana", "dog"),
        ("p1.jpg", "ana", "cat"),
        ("p2.jpg", "ana", "bird"),
        ("p3.jpg", "ana", "bird"),
    ]
    elapsed = nb.eval_json("w.annotations['elapsed'].tolist()")
    assert all(e > 0 for e in elapsed)
    assert nb.eval_json("w.annotations['image_width'].tolist()") == [160] * 4
    assert lab.page_errors == []


def test_undo_redo_and_clear(lab):
    nb = lab.open_notebook([widget_cell(advance="False")], cwd_files=photo_files(2))
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.click()
    lab.page.keyboard.press("1")
    lab.page.keyboard.press("2")
    wait_saved(nb, root)
    assert kernel_labels(nb) == {"p0.jpg": "dog"}
    lab.page.keyboard.press("z")
    wait_saved(nb, root)
    assert kernel_labels(nb) == {"p0.jpg": "cat"}
    lab.page.keyboard.press("Shift+Z")
    wait_saved(nb, root)
    assert kernel_labels(nb) == {"p0.jpg": "dog"}
    lab.page.keyboard.press("0")
    wait_saved(nb, root)
    assert kernel_labels(nb) == {}
    lab.page.keyboard.press("z")
    wait_saved(nb, root)
    assert kernel_labels(nb) == {"p0.jpg": "dog"}
    history = nb.eval_json("w.store.history()['op'].tolist()")
    assert history.count("delete") == 4  # 2 replaced cat, z, Shift+z, 0


def test_multi_label_keys_toggle(lab):
    nb = lab.open_notebook([widget_cell(multi_label="True")], cwd_files=photo_files(2))
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.click()
    for key in ("1", "3", "2", "1"):
        lab.page.keyboard.press(key)
    wait_saved(nb, root)
    assert sorted(nb.eval_json("w.annotations['label'].tolist()")) == ["bird", "dog"]
    expect(root.locator(".nbl-label.nbl-on")).to_have_count(2)


def test_keys_never_reach_jupyterlab_shortcuts(lab):
    nb = lab.open_notebook([widget_cell(advance="False"), "x = 1"], cwd_files=photo_files(2))
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    keys = ["1", "2", "a", "b", "m", "z", "d", "x", "c", "v", "n", "p"]
    # Bind every key we press to a visible command, on the focused element in command
    # mode: if a key leaked out of the widget, a cell would turn into markdown.
    lab.page.evaluate(
        """(keys) => { for (const k of keys) window.jupyterapp.commands.addKeyBinding({
            keys: [k], command: 'notebook:change-cell-to-markdown',
            selector: '.jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus'}); }""",
        keys,
    )
    count_cells = "(id) => document.getElementById(id).querySelectorAll('.jp-Cell').length"
    markdown_cells = (
        "(id) => document.getElementById(id).querySelectorAll('.jp-MarkdownCell').length"
    )
    before = lab.page.evaluate(count_cells, nb.panel_id)
    root.click()
    for key in keys:
        lab.page.keyboard.press(key)
    lab.page.keyboard.press("Escape")
    wait_saved(nb, root)
    assert lab.page.evaluate(count_cells, nb.panel_id) == before
    assert lab.page.evaluate(markdown_cells, nb.panel_id) == 0
    assert nb.eval_json("w.position") == 0  # n then p
    # The control: the same key pressed on the notebook (not in the widget) does act.
    nb.panel.locator(".jp-CodeCell").last.locator(".jp-InputPrompt").click()
    lab.page.keyboard.press("Escape")
    lab.page.keyboard.press("1")
    expect(nb.panel.locator(".jp-MarkdownCell")).to_have_count(1)


def test_hostile_labels_names_and_metadata_stay_text(lab):
    payload = '<img src=x onerror="window.__pwned=1">'
    cell = (
        "import nblabel as nl, pandas as pd\n"
        "df = pd.DataFrame({'path': ['photos/p0.jpg', 'photos/p1.jpg'],\n"
        f"                   'note': [{payload!r}, '<script>window.__pwned=2</script>']}},\n"
        "                  index=['<b>bold</b>', '&amp;<i>x</i>'])\n"
        f"w = nl.ImageAnnotator(df, column='path', labels=[{payload!r}, '<b>dog</b>'],\n"
        "                     annotator='<svg onload=window.__pwned=3>', store='labels.db')\n"
        "w"
    )
    nb = lab.open_notebook([cell], cwd_files=photo_files(2))
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    expect(root.locator(".nbl-label").first).to_have_text("1" + payload)
    expect(root.locator(".nbl-chip")).to_have_text(f"note: {payload}")
    expect(root.locator(".nbl-name")).to_have_text("p0.jpg")
    assert root.locator(".nbl-name").get_attribute("title") == "<b>bold</b>"
    root.click()
    lab.page.keyboard.press("1")
    drawn(root, 1)
    expect(root.locator(".nbl-chip")).to_have_text("note: <script>window.__pwned=2</script>")
    wait_saved(nb, root)
    assert root.locator("img, script, svg, b, i").count() == 0
    assert lab.page.evaluate("window.__pwned") is None
    rows = nb.eval_json("w.annotations[['item_id', 'label', 'annotator']].values.tolist()")
    assert rows == [["<b>bold</b>", payload, "<svg onload=window.__pwned=3>"]]


def test_reload_then_a_new_widget_resumes(lab):
    nb = lab.open_notebook([widget_cell()], cwd_files=photo_files(5))
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.click()
    lab.page.keyboard.press("1")
    drawn(root, 1)
    lab.page.keyboard.press("2")
    drawn(root, 2)
    wait_saved(nb, root)
    nb.reload()
    root = nb.widget(".nbl-root")
    drawn(root, 2)  # the view comes back on the item the kernel is at
    expect(root.locator(".nbl-progress")).to_have_text("2 / 5 labeled")
    nb.add_and_run_cell(
        "w2 = nl.ImageAnnotator(paths, labels=['cat', 'dog', 'bird'], annotator='ana',"
        " store='labels.db')\nw2"
    )
    root2 = nb.widget(".nbl-root")
    drawn(root2, 2)
    expect(root2.locator(".nbl-progress")).to_have_text("2 / 5 labeled")
    root2.locator(".nbl-prev").click()
    drawn(root2, 1)
    expect(root2.locator(".nbl-label.nbl-on")).to_have_text("2dog")
    root2.click()
    lab.page.keyboard.press("n")
    drawn(root2, 2)
    lab.page.keyboard.press("3")
    wait_saved(nb, root2)
    assert nb.eval_json("w2.n_done") == 3
    assert store_rows(nb) == [
        ("p0.jpg", "ana", "cat"),
        ("p1.jpg", "ana", "dog"),
        ("p2.jpg", "ana", "bird"),
    ]


def test_bad_items_show_a_message_and_navigation_goes_on(lab):
    files = photo_files(2)
    files["photos/p0_broken.jpg"] = jpeg(9)[:50]
    files["photos/p0_empty.jpg"] = b""
    nb = lab.open_notebook([widget_cell()], cwd_files=files)
    root = nb.widget(".nbl-root")
    notice = root.locator(".nbl-notice")
    # In sorted order: p0.jpg, p0_broken.jpg, p0_empty.jpg, p1.jpg.
    drawn(root, 0)
    expect(notice).to_be_hidden()
    root.click()
    lab.page.keyboard.press("n")
    expect(notice).to_contain_text("p0_broken.jpg")
    lab.page.keyboard.press("n")
    expect(notice).to_contain_text("p0_empty.jpg")
    expect(notice).to_contain_text("empty")
    lab.page.keyboard.press("n")
    drawn(root, 3)
    expect(notice).to_be_hidden()
    expect(root.locator(".nbl-errors")).to_have_text("⚠ 2 unreadable")
    assert sorted(nb.eval_json("[k.rsplit('/', 1)[-1] for k in w.errors]")) == [
        "p0_broken.jpg",
        "p0_empty.jpg",
    ]


def test_help_overlay_lists_every_key(lab):
    nb = lab.open_notebook([widget_cell()], cwd_files=photo_files(1))
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    help_box = root.locator(".nbl-help")
    expect(help_box).to_be_hidden()
    root.click()
    lab.page.keyboard.press("?")
    expect(help_box).to_be_visible()
    for key in ("1 – 9", "n / →", "p / ←", "z", "Shift+z / y", "?"):
        expect(help_box.locator("kbd", has_text=key).first).to_be_visible()
    lab.page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()
    lab.page.keyboard.press("1")  # keys work again once the help is closed
    wait_saved(nb, root)
    assert nb.eval_json("len(w.annotations)") == 1


def test_accept_and_reject_model_suggestions(lab):
    cell = (
        "import nblabel as nl, pandas as pd\n"
        "paths = sorted(str(p) for p in __import__('pathlib').Path('photos').iterdir())\n"
        "preds = pd.DataFrame({'item_id': [paths[0], paths[0], paths[1]], 'kind': 'label',\n"
        "                      'label': ['dog', 'cat', 'bird'], 'score': [0.9, 0.2, 0.6],\n"
        "                      'annotator': 'resnet', 'source': 'model'})\n"
        "w = nl.ImageAnnotator(paths, labels=['cat', 'dog', 'bird'], annotator='ana',\n"
        "                      store='labels.db', predictions=preds, advance=False)\n"
        "w"
    )
    nb = lab.open_notebook([cell], cwd_files=photo_files(2))
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    suggestions = root.locator(".nbl-suggestion")
    expect(suggestions).to_have_count(2)
    expect(suggestions.first).to_have_attribute("data-label", "dog")  # best first
    # The threshold hides the low-scoring one.
    root.locator(".nbl-threshold").fill("0.5")
    expect(suggestions).to_have_count(1)
    assert nb.eval_json("w.threshold") == 0.5
    root.click()
    lab.page.keyboard.press("a")  # accept the best suggestion
    expect(suggestions).to_have_count(0)
    expect(root.locator(".nbl-label.nbl-on")).to_have_text("2dog")
    lab.page.keyboard.press("n")
    drawn(root, 1)
    expect(suggestions).to_have_count(1)
    root.locator(".nbl-reject").click()
    expect(suggestions).to_have_count(0)
    wait_saved(nb, root)
    rows = nb.eval_json("w.annotations[['label', 'source', 'annotator']].values.tolist()")
    assert rows == [["dog", "human", "ana"]]
