"""The model in the loop in a real JupyterLab: order= decides what n shows, a slow suggest=
arrives after its item, and a rule's suggestion is named and rejected by key."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SETUP = """import time
import pandas as pd
import nblabel as nl

docs = pd.Series({
    "d1": "first: Ada Lovelace wrote a program.",
    "d2": "second: nothing to see.",
    "d3": "third: Ada Lovelace met Babbage.",
    "d4": "fourth: the last one.",
})

def suggest(text):
    time.sleep(4)  # a slow model: the page must not wait for it
    return pd.DataFrame({"kind": ["label"], "label": ["news"], "score": [0.9]})

w = nl.TextAnnotator(
    docs, labels=["PER"], doc_labels=["news", "other"], annotator="ana", store="loop.db",
    order=pd.Series({"d3": 0.9, "d1": 0.5, "d2": 0.1}), suggest=suggest,
    patterns={"PER": ["Ada Lovelace"]},
)
w"""


def test_order_suggest_and_rules_in_the_page(lab):
    nb = lab.open_notebook([SETUP])
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    expect(root.locator(".nbl-name")).to_have_text("d3")  # the best first (named by its id)
    # the item was drawn before the model answered; its suggestion comes later, by itself
    assert root.locator(".nbl-suggestion").count() == 0
    expect(root.locator(".nbl-suggestion[data-label='news']")).to_have_count(1, timeout=20_000)
    # the rule's match is a suggestion named by its rule; x rejects it, and the store keeps that
    expect(root.locator(".nbl-sugg.nbl-bar")).to_have_count(1)
    root.click()
    lab.page.keyboard.press("Tab")
    expect(root.locator(".nbl-info")).to_contain_text("rule Ada Lovelace")
    lab.page.keyboard.press("x")
    expect(root.locator(".nbl-sugg.nbl-bar")).to_have_count(0)
    expect(root).to_have_attribute("data-status", "saved")
    nb.wait_for_comm_idle()
    stored = nb.eval_json(
        "[(r.item_id, r.label, r.extra['rule']) for r in "
        "w.store.annotations(kind='rejection').itertuples()]"
    )
    assert stored == [["d3", "PER", "Ada Lovelace"]]
    # n goes to the next best item
    lab.page.keyboard.press("n")
    expect(root).to_have_attribute("data-drawn", "1")
    expect(root.locator(".nbl-name")).to_have_text("d1")
    # a new order from the kernel: what is on screen stays, n shows the new best
    nb.run("w.reorder(pd.Series({'d4': 9.0})).result(timeout=20)")
    lab.page.keyboard.press("n")
    expect(root).to_have_attribute("data-drawn", "2")
    expect(root.locator(".nbl-name")).to_have_text("d4")
    lab.page.keyboard.press("p")
    expect(root).to_have_attribute("data-drawn", "1")
    expect(root.locator(".nbl-name")).to_have_text("d1")
    # an order() that fails is shown in the widget, and the order stays
    nb.run("w.reorder(lambda annotations: 1 / 0)")
    expect(root.locator(".nbl-notice")).to_contain_text(
        "order failed, the previous order stays: ZeroDivisionError"
    )
    assert nb.eval_json("w.item_ids[:3]") == ["d3", "d1", "d4"]
