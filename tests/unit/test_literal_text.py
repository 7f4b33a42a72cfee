"""Every static view draws user text literally: no mathtext for `$`, `\\`, no markup for `<`, `&`.

Each plot is drawn, then every matplotlib Text in its figure is inspected: the
user's strings are there verbatim (``get_text()``) with mathtext and TeX off,
and the figure rendered to SVG (text kept as text) holds them as typed.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from xml.etree import ElementTree

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.text import Text

import nblabel as nl
from nblabel import qa, rle

LABELS = ["cost $5-$10", r"$\alpha$", "C:\\temp\\x", "<b>bold</b>", "R&D"]
ANNOTATORS = [r"$\beta$ ann", "<i>bo</i>", "a&b"]


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def _svg_strings(fig: Figure) -> str:
    """All text the SVG shows, with fonts kept as text (mathtext would split into glyphs)."""
    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(out, format="svg")
    root = ElementTree.fromstring(out.getvalue())
    return "\n".join("".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text"))


def assert_literal(fig: Figure, expected: list[str]) -> None:
    fig.canvas.draw()
    texts = _texts(fig)
    for s in expected:
        holding = [t for t in texts if s in t.get_text()]
        assert holding, f"{s!r} is not drawn; texts: {[t.get_text() for t in texts]}"
        for t in holding:
            assert t.get_parse_math() is False, f"{t.get_text()!r} goes through mathtext"
            assert t.get_usetex() is False
    shown = _svg_strings(fig)
    for s in expected:
        assert s in shown, f"{s!r} not in the SVG's text"
    assert "α" not in shown  # $\alpha$ never became the Greek letter
    assert "β" not in shown


def label_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [
        {"item_id": f"i{i}", "annotator": a, "label": LABELS[int(rng.integers(len(LABELS)))]}
        for i, a in itertools.product(range(40), ANNOTATORS)
    ]
    return pd.DataFrame(rows)


def test_image_view_labels_and_title():
    mask = np.zeros((30, 40), bool)
    mask[5:10, 5:10] = True
    df = pd.DataFrame(
        [
            {"item_id": "$x$ & <y>", "kind": "box", "label": LABELS[0], "source": "human",
             "x": 1.0, "y": 1.0, "width": 5.0, "height": 5.0},
            {"item_id": "$x$ & <y>", "kind": "mask", "label": LABELS[1], "source": "model",
             "score": 0.5, "mask": rle.encode(mask)},
            {"item_id": "$x$ & <y>", "kind": "polygon", "label": LABELS[2], "source": "human",
             "points": [[1, 1], [9, 1], [5, 9]]},
            {"item_id": "$x$ & <y>", "kind": "label", "label": LABELS[3], "source": "human"},
            {"item_id": "$x$ & <y>", "kind": "label", "label": LABELS[4], "source": "human"},
        ]
    )  # fmt: skip
    ax = nl.plot_item(df, "$x$ & <y>", np.zeros((30, 40, 3), np.uint8))
    assert {t.get_text() for t in ax.texts} == {LABELS[0], f"{LABELS[1]} 0.50", LABELS[2]}
    assert_literal(ax.figure, [*LABELS, "$x$ & <y>"])


def test_text_view_labels_document_and_title():
    doc = "Pay $5 now, or \\alpha <b>later</b> & more."
    df = pd.DataFrame(
        [{"item_id": "d", "kind": "span", "label": LABELS[i], "start": i, "end": i + 3}
         for i in range(3)]
        + [{"item_id": "d", "kind": "label", "label": LABELS[i]} for i in (3, 4)]
    )  # fmt: skip
    ax = nl.plot_item(df, "d", doc, width=60)
    assert_literal(ax.figure, [*LABELS, "Pay $5 now, or \\alpha <b>later</b> & more."])


def test_audio_view_labels_transcripts_legend_and_title():
    df = pd.DataFrame(
        [{"item_id": "a", "kind": "segment", "label": LABELS[i], "start": i * 0.2,
          "end": i * 0.2 + 0.1, "text": f"said {LABELS[-1 - i]}"} for i in range(3)]
        + [{"item_id": "a", "kind": "label", "label": LABELS[4]}]
    )  # fmt: skip
    ax = nl.plot_item(df, "a", np.zeros(8000, np.float32), sample_rate=8000)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == sorted(LABELS[:3])
    assert_literal(ax.figure, [*LABELS, f"said {LABELS[4]}"])


PLOTS: dict[str, Callable[[pd.DataFrame], object]] = {
    "plot_agreement": qa.plot_agreement,
    "plot_per_label": qa.plot_per_label,
    "plot_label_distribution": qa.plot_label_distribution,
    "plot_label_distribution_by": lambda df: qa.plot_label_distribution(
        df.rename(columns={"annotator": "$by$ & <col>"}), by="$by$ & <col>"
    ),
    "plot_bias": qa.plot_bias,
    "plot_confusion": lambda df: qa.plot_confusion(df, ANNOTATORS[0], ANNOTATORS[1]),
}
SHOWN = {
    "plot_agreement": ANNOTATORS,
    "plot_per_label": LABELS,
    "plot_label_distribution": LABELS,
    "plot_label_distribution_by": [*LABELS, *ANNOTATORS, "$by$ & <col>"],
    "plot_bias": [*LABELS, *ANNOTATORS],
    "plot_confusion": [*LABELS, ANNOTATORS[0], ANNOTATORS[1]],
}


@pytest.mark.parametrize("name", list(PLOTS))
def test_qa_plots_draw_labels_and_annotators_literally(name):
    ax = PLOTS[name](label_frame())
    assert_literal(ax.figure, SHOWN[name])  # type: ignore[attr-defined]


def test_qa_report_figure_is_literal():
    rep = qa.report(label_frame())
    assert_literal(rep.figure, [*LABELS, *ANNOTATORS])
