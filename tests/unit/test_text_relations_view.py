"""Relations in the static views of a document: lines of text under it, drawn literally."""

from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from test_literal_text import assert_literal

import nblabel as nl
from nblabel.view.text import to_html

DOC = "Ada $x$ works for <b>Acme</b> & Co in Zürich 🇨🇭."


def frame(relations: list[tuple[str, str, str]]) -> pd.DataFrame:
    spans = {"ada": "Ada $x$", "acme": "<b>Acme</b> & Co", "zrh": "Zürich 🇨🇭"}
    rows = [
        {
            "id": ident,
            "item_id": "d",
            "annotator": "ana",
            "kind": "span",
            "label": "ENT",
            "source": "human",
            "start": DOC.index(piece),
            "end": DOC.index(piece) + len(piece),
            "text": piece,
        }
        for ident, piece in spans.items()
    ]
    rows += [
        {
            "id": f"r{k}",
            "item_id": "d",
            "annotator": "ana",
            "kind": "relation",
            "label": label,
            "source": "human",
            "from_id": a,
            "to_id": b,
        }
        for k, (a, b, label) in enumerate(relations)
    ]
    return nl.schema.from_records(rows)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


LINKS = [("acme", "zrh", "located_in"), ("ada", "acme", "works_for $y$")]
LINES = [
    "“Ada $x$” → works_for $y$ → “<b>Acme</b> & Co”",
    "“<b>Acme</b> & Co” → located_in → “Zürich 🇨🇭”",
]


def test_plot_item_lists_relations_under_the_document_literally():
    ax = nl.plot_item(frame(LINKS), "d", DOC)
    texts = [t.get_text() for t in ax.texts]
    assert [t for t in texts if "→" in t] == LINES  # in the order of their ends
    below = [t for t in ax.texts if "→" in t.get_text()]
    document = [t for t in ax.texts if "→" not in t.get_text() and t.get_text() != "ENT"]
    assert min(t.get_position()[1] for t in below) > max(t.get_position()[1] for t in document)
    assert_literal(ax.figure, ["works_for $y$", "<b>Acme</b> & Co"])


def test_a_relation_whose_end_is_missing_says_so():
    df = frame([("ada", "gone", "works_for")])
    ax = nl.plot_item(df, "d", DOC)
    assert "“Ada $x$” → works_for → (no span 'gone')" in [t.get_text() for t in ax.texts]


def test_without_relations_the_figure_is_as_before():
    df = frame([])
    with_none = nl.plot_item(df, "d", DOC).figure.get_size_inches()
    with_two = nl.plot_item(frame(LINKS), "d", DOC).figure.get_size_inches()
    assert with_two[1] > with_none[1]


def test_html_view_lists_relations_escaped():
    out = to_html(frame(LINKS), DOC, item="d")
    assert "<b>Acme" not in out
    items = [html.unescape(part.split("</li>")[0]) for part in out.split("<li>")[1:]]
    assert items == LINES
