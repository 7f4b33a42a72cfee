"""RecordAnnotator in a real JupyterLab in Chromium: transactions labeled by keys, the DataFrame."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FRAME = (
    "import nblabel as nl, pandas as pd\n"
    "df = pd.DataFrame({\n"
    "    'amount': [12.5, 2400.0, 87.25, 5.0],\n"
    "    'merchant': ['Corner café', 'Électro', 'Books & Co', 'Fuel'],\n"
    "    'when': pd.to_datetime(['2024-03-01 14:05:09', '2024-03-02 00:00:00',\n"
    "                            '2024-03-02 09:30:00', '2024-03-03 00:00:00']),\n"
    "    'online': [False, True, True, False],\n"
    "    'note': ['', 'word ' * 300, 'ok', 'n/a'],\n"
    "    'card': ['c1', 'c2', 'c1', 'c3'],\n"
    "}, index=pd.Index(['tx1', 'tx2', 'tx3', 'tx4'], name='tx'))\n"
)


def widget_cell(**options: str) -> str:
    extra = "".join(f", {k}={v}" for k, v in options.items())
    return (
        FRAME + "w = nl.RecordAnnotator(df, labels=['ok', 'fraud', 'unsure'], context=['card'],\n"
        "    highlight=lambda r: {'amount'} if r.amount > 1000 else set(),\n"
        f"    annotator='ana', store='labels.db'{extra})\n"
        "w"
    )


def drawn(root, position: int) -> None:
    expect(root).to_have_attribute("data-drawn", str(position))


def wait_saved(nb, root) -> None:
    expect(root).to_have_attribute("data-status", "saved")
    nb.wait_for_comm_idle()


def store_rows(nb) -> list[tuple[str, str, str]]:
    with sqlite3.connect(nb.directory / "labels.db") as conn:
        return sorted(
            conn.execute(
                "select item_id, annotator, label from nblabel_annotations where deleted = 0"
            ).fetchall()
        )


def value_of(root, field: str):
    return root.locator(f".nbl-fields dd[data-field='{field}'] .nbl-value")


def test_label_records_with_keys_and_mouse(lab):
    nb = lab.open_notebook([widget_cell()])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    expect(root.locator(".nbl-progress")).to_have_text("0 / 4 labeled")
    expect(root.locator(".nbl-name")).to_have_text("row tx1")
    # The card: names, values formatted by dtype in the kernel, context smaller.
    expect(root.locator(".nbl-fields dt")).to_have_text(
        ["amount", "merchant", "when", "online", "note"]
    )
    expect(value_of(root, "amount")).to_have_text("12.5")
    expect(value_of(root, "when")).to_have_text("2024-03-01 14:05:09")
    expect(value_of(root, "online")).to_have_text("no")
    expect(root.locator(".nbl-context dd")).to_have_text("c1")
    root.click()
    lab.page.keyboard.press("1")  # ok, then the widget moves on
    drawn(root, 1)
    # A large amount is highlighted; long text wraps inside the card.
    expect(root.locator(".nbl-fields dd.nbl-hl")).to_have_attribute("data-field", "amount")
    expect(value_of(root, "amount")).to_have_text("2,400")
    note = root.locator(".nbl-fields dd[data-field='note']")
    card_width = root.locator(".nbl-card").evaluate("e => e.clientWidth")
    assert note.evaluate("e => e.scrollWidth") <= card_width
    assert note.evaluate("e => e.getBoundingClientRect().height") > 40  # several lines
    lab.page.keyboard.press("2")  # fraud
    drawn(root, 2)
    root.locator(".nbl-label", has_text="unsure").click()  # by mouse
    drawn(root, 3)
    root.click()
    lab.page.keyboard.press("p")
    drawn(root, 2)
    expect(root.locator(".nbl-label.nbl-on")).to_have_text("3unsure")
    lab.page.keyboard.press("ArrowRight")
    drawn(root, 3)
    lab.page.keyboard.press("2")
    wait_saved(nb, root)
    expect(root.locator(".nbl-progress")).to_have_text("4 / 4 labeled")
    expect(root.locator(".nbl-saved")).to_have_text("✓ Saved")
    assert nb.eval_json("w.annotations.set_index('item_id')['label'].to_dict()") == {
        "tx1": "ok",
        "tx2": "fraud",
        "tx3": "unsure",
        "tx4": "fraud",
    }
    assert store_rows(nb) == [
        ("tx1", "ana", "ok"),
        ("tx2", "ana", "fraud"),
        ("tx3", "ana", "unsure"),
        ("tx4", "ana", "fraud"),
    ]
    assert all(e > 0 for e in nb.eval_json("w.annotations['elapsed'].tolist()"))
    assert lab.page_errors == []


def test_undo_redo_clear_and_aligned_numbers(lab):
    nb = lab.open_notebook([widget_cell(advance="False", fields="['amount', 'online']")])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.click()
    lab.page.keyboard.press("1")
    lab.page.keyboard.press("2")
    wait_saved(nb, root)
    assert nb.eval_json("w.annotations['label'].tolist()") == ["fraud"]
    lab.page.keyboard.press("z")
    wait_saved(nb, root)
    assert nb.eval_json("w.annotations['label'].tolist()") == ["ok"]
    lab.page.keyboard.press("Shift+Z")
    wait_saved(nb, root)
    assert nb.eval_json("w.annotations['label'].tolist()") == ["fraud"]
    lab.page.keyboard.press("0")
    wait_saved(nb, root)
    assert nb.eval_json("len(w.annotations)") == 0
    expect(root.locator(".nbl-fields dt")).to_have_text(["amount", "online"])
    # Numbers sit right-aligned in a box of one width.
    assert value_of(root, "amount").evaluate("e => getComputedStyle(e).textAlign") == "right"


def test_hostile_values_and_labels_stay_text_and_keys_stay_inside(lab):
    payload = '<img src=x onerror="window.__pwned=1">'
    cell = (
        "import nblabel as nl, pandas as pd\n"
        f"df = pd.DataFrame({{'<b>name</b>': [{payload!r}, 'fine']}},\n"
        "                  index=['<i>r1</i>', 'r2'])\n"
        f"w = nl.RecordAnnotator(df, labels=[{payload!r}, 'ok'], annotator='ana',\n"
        "                       store='labels.db', advance=False)\n"
        "w"
    )
    nb = lab.open_notebook([cell, "x = 1"])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    expect(root.locator(".nbl-fields dt")).to_have_text("<b>name</b>")
    expect(root.locator(".nbl-fields dd")).to_have_text(payload)
    expect(root.locator(".nbl-name")).to_have_text("row <i>r1</i>")
    count_cells = "(id) => document.getElementById(id).querySelectorAll('.jp-Cell').length"
    before = lab.page.evaluate(count_cells, nb.panel_id)
    root.click()
    for key in ("a", "b", "m", "d", "x", "c", "v", "1"):
        lab.page.keyboard.press(key)
    wait_saved(nb, root)
    assert lab.page.evaluate(count_cells, nb.panel_id) == before
    assert nb.panel.locator(".jp-MarkdownCell").count() == 0
    assert root.locator("img, script, b, i").count() == 0
    assert lab.page.evaluate("window.__pwned") is None
    rows = nb.eval_json("w.annotations[['item_id', 'label']].values.tolist()")
    assert rows == [["<i>r1</i>", payload]]
