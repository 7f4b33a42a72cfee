"""One-cell QA report: the coefficients, the worst items and the essential plots."""

from __future__ import annotations

import base64
import html
import io
import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from .. import _args
from .._literal import LITERAL
from ._frame import AgreementWarning, ratings
from ._gold import split_gold
from .coefficients import fleiss_kappa, gwet_ac1, krippendorff_alpha, percent_agreement
from .consensus import disagreements, gold_accuracy
from .flags import summary as flags_summary
from .plots import plot_agreement, plot_bias, plot_label_distribution, plot_per_label

__all__ = ["QAReport", "report"]


def _fmt3(value: float) -> str:
    return f"{value:.3f}"


def _fmt2(value: float) -> str:
    return f"{value:.2f}"


@dataclass(frozen=True)
class QAReport:
    """Result of :func:`report`; shows itself as HTML in a notebook.

    Attributes
    ----------
    summary : DataFrame
        One row per statistic (``value`` and how to read it).
    disagreements : DataFrame
        The most contested items (top of :func:`disagreements`).
    gold : DataFrame or None
        Accuracy per annotator, when ``gold`` was given.
    figure : matplotlib Figure
        Pairwise agreement, per-label agreement, label distribution by
        annotator and the bias heatmap.
    notes : list of str
        Warnings raised while computing (undefined coefficients, dropped rows), and
        how many items were skipped or commented on (see :func:`flags`).
    """

    summary: pd.DataFrame
    disagreements: pd.DataFrame
    gold: pd.DataFrame | None
    figure: Figure = field(repr=False)
    notes: list[str] = field(default_factory=list)

    def _repr_html_(self) -> str:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=80)
        png = base64.b64encode(buffer.getvalue()).decode("ascii")
        parts = ["<h4>Agreement</h4>", self.summary.to_html(index=False, float_format=_fmt3)]
        if self.gold is not None:
            parts += [
                "<h4>Accuracy against gold</h4>",
                self.gold.to_html(index=False, float_format=_fmt3),
            ]
        parts += [
            "<h4>Most contested items</h4>",
            self.disagreements.to_html(index=False, float_format=_fmt2),
        ]
        if self.notes:
            parts.append(
                "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>"
            )
        parts.append(f'<img src="data:image/png;base64,{png}"/>')
        return "\n".join(parts)

    def __repr__(self) -> str:
        return (
            f"QAReport(summary=\n{self.summary.to_string(index=False)}\n"
            f"disagreements: {len(self.disagreements)} items shown)"
        )


_READING = {
    "percent_agreement": "raw share of agreeing pairs (not chance-corrected)",
    "fleiss_kappa": "chance-corrected; > 0.6 substantial, > 0.8 almost perfect",
    "krippendorff_alpha": "rely on >= 0.8; tentative from 0.667",
    "gwet_ac1": "robust to a dominant label",
}


def report(df: pd.DataFrame, *, gold: Any = None, by: str = "annotator", top: int = 10) -> QAReport:
    """Everything to check about a labeling round, in one notebook cell.

    Parameters
    ----------
    gold : DataFrame, Series, dict or "review", optional
        Reference labels (see :func:`gold_accuracy`); ``"review"``: the
        reviewers' rows of ``df``, which then are left out of every panel.
    by : str
        Column for the bias panel: ``"annotator"`` or a metadata column.
    top : int
        How many contested items to list.

    Returns
    -------
    QAReport
        Renders as tables and a figure in Jupyter; its attributes hold the data.
    """
    df, gold = split_gold(df, gold, func="report")  # "review": the reviewers' rows are gold
    ratings(df, func="report")  # fail early with the shared input errors
    _args.column(df, by, "by", func="report")
    top = _args.whole(top, "top", func="report", minimum=0)
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AgreementWarning)
        rows = [
            (name, f(df))
            for name, f in (
                ("percent_agreement", percent_agreement),
                ("fleiss_kappa", fleiss_kappa),
                ("krippendorff_alpha", krippendorff_alpha),
                ("gwet_ac1", gwet_ac1),
            )
        ]
        figure = Figure(figsize=(13, 9), layout="constrained")
        axes = figure.subplots(2, 2)
        plot_agreement(df, ax=axes[0, 0])
        plot_per_label(df, ax=axes[0, 1])
        plot_label_distribution(df, by="annotator", normalize=True, ax=axes[1, 0])
        try:
            plot_bias(df, by=by, ax=axes[1, 1])
        except ValueError as exc:
            axes[1, 1].set_axis_off()
            axes[1, 1].text(0.5, 0.5, str(exc), ha="center", va="center", wrap=True, **LITERAL)
        notes.extend(sorted({str(w.message) for w in caught}))
    summary = pd.DataFrame(
        {
            "statistic": [n for n, _ in rows],
            "value": [v for _, v in rows],
            "how to read": [_READING[n] for n, _ in rows],
        }
    )
    flagged = flags_summary(df)
    if flagged:
        notes.append(flagged)
    gold_table = gold_accuracy(df, gold).by_annotator if gold is not None else None
    return QAReport(summary, disagreements(df).head(top), gold_table, figure, notes)
