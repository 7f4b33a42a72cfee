"""Static views of documents (matplotlib and HTML) and the overlap layout behind them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import matplotlib as mpl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nblabel as nl
from nblabel import schema
from nblabel.text import layout_lanes
from nblabel.view.text import to_html

mpl.use("Agg")
import matplotlib.pyplot as plt

DOC = "Ada <b>Lovelace</b> & $x$ met 👩\u200d💻 in Zürich\x07."


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def frame(
    text: str, spans: list[tuple[int, int, str]], doc_labels: tuple[str, ...] = ()
) -> pd.DataFrame:
    rows = [
        {
            "id": f"s{i}",
            "item_id": "d",
            "annotator": "ana",
            "kind": "span",
            "label": label,
            "source": "human",
            "start": s,
            "end": e,
            "text": text[s:e],
        }
        for i, (s, e, label) in enumerate(spans)
    ]
    rows += [
        {
            "id": f"l{i}",
            "item_id": "d",
            "annotator": "ana",
            "kind": "label",
            "label": label,
            "source": "human",
        }
        for i, label in enumerate(doc_labels)
    ]
    return schema.from_records(rows)


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=40))
def test_overlapping_spans_never_share_a_lane_and_depth_is_the_most_overlap(raw):
    spans = [(s, s + n) for s, n in raw]
    lanes, depth = layout_lanes(spans)
    for i, (a0, a1) in enumerate(spans):
        for j, (b0, b1) in enumerate(spans):
            if i != j and a0 < b1 and b0 < a1:
                assert lanes[i] != lanes[j]
    most = max((sum(1 for s, e in spans if s <= x < e) for x in range(90)), default=0)
    assert depth == most
    assert all(0 <= lane < max(depth, 1) for lane in lanes)


def test_nested_spans_stack_outer_first():
    lanes, depth = layout_lanes([(2, 4), (0, 10), (8, 12), (12, 14)])
    assert (lanes, depth) == ([1, 0, 1, 0], 2)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_plot_item_draws_a_document_with_stacked_spans():
    lovelace = DOC.index("<b>Lovelace")
    df = frame(DOC, [(0, 19, "PER"), (lovelace, lovelace + 15, "ORG")], ("news",))
    ax = nl.plot_item(df, "d", DOC)
    texts = [t.get_text() for t in ax.texts]
    assert "PER" in texts
    assert "ORG" in texts
    drawn = "".join(t for t in texts if t not in {"PER", "ORG"})
    assert "<b>Lovelace</b>" in drawn  # literal, and $x$ is not mathtext
    assert "$x$" in drawn
    assert "\u2407" in drawn  # the bell shows as its control picture
    assert ax.get_title(loc="left") == "d · news"
    assert len(ax.patches) == 2
    assert len(ax.lines) == 2
    ax.figure.canvas.draw()


def test_plot_cuts_long_documents_and_skips_spans_outside_the_text():
    text = "word " * 10_000
    df = frame(text, [(0, 4, "PER"), (49_990, 49_994, "PER")])
    df.loc[len(df)] = df.iloc[0]
    df.loc[len(df) - 1, ["id", "start", "end"]] = ["bad", 10, 999_999]
    ax = nl.plot_item(df, "d", text, max_chars=2_000, width=60)
    assert "first 2,000 of 50,000 characters" in ax.get_title(loc="left")
    assert [t.get_text() for t in ax.texts].count("PER") == 1


def test_html_view_escapes_everything_and_marks_overlaps():
    lovelace = DOC.index("<b>Lovelace")
    df = frame(
        DOC,
        [(0, 19, "<i>PER</i>"), (lovelace, lovelace + 15, "ORG")],
        ("<script>alert(1)</script>",),
    )
    out = to_html(df, DOC, item="d")
    assert "<b>" not in out
    assert "<script>" not in out
    assert "&lt;i&gt;PER&lt;/i&gt;" in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    # Strip the markup: what is left is the document, literally (control picture for \x07).
    plain = html.unescape(re.sub(r"<sup[^>]*>.*?</sup>|<[^>]+>", "", out))
    assert plain.endswith(DOC.replace("\x07", "\u2407"))
    assert out.count("inset 0 -6px") >= 1  # two stacked bars where the spans overlap


def test_views_name_a_bad_document():
    with pytest.raises(ValueError, match="item 'd': not UTF-8"):
        to_html(frame("x", []), b"\xff", item="d")
