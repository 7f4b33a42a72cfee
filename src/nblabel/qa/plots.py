"""Plots of agreement, label distribution, bias and confusion (matplotlib).

Every function takes the annotation DataFrame, draws on ``ax`` if given (and
then touches no pyplot state) or on a new figure, and returns the Axes. None
calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .. import _args
from .._literal import LITERAL, literal_legend
from ._frame import check_frame, drop_missing, of_kind
from ._gold import split_gold
from .coefficients import _PAIR_METRICS, pairwise, per_label
from .consensus import _gold_series

__all__ = [
    "LabelBias",
    "label_bias",
    "plot_agreement",
    "plot_bias",
    "plot_confusion",
    "plot_label_distribution",
    "plot_per_label",
]


def _axes(ax: Axes | None, size: tuple[float, float] = (6.0, 4.5)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def _heatmap(
    ax: Axes,
    matrix: pd.DataFrame,
    *,
    cmap: str,
    vmin: float | None,
    vmax: float | None,
    fmt: str,
    colorbar: str,
    marks: np.ndarray | None = None,
) -> None:
    values = matrix.to_numpy(dtype=np.float64)
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    columns = [str(c) for c in matrix.columns]
    ax.set_xticks(range(matrix.shape[1]), columns, rotation=45, ha="right", **LITERAL)
    ax.set_yticks(range(matrix.shape[0]), [str(i) for i in matrix.index], **LITERAL)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if not np.isfinite(v):
                continue
            text = format(v, fmt) + ("*" if marks is not None and marks[i, j] else "")
            r, g, b, _ = image.cmap(image.norm(v))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
                **LITERAL,
            )
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label(colorbar, **LITERAL)


def plot_agreement(
    df: pd.DataFrame, *, metric: str = "cohen_kappa", ax: Axes | None = None
) -> Axes:
    """Heatmap of agreement between every pair of annotators.

    A row that is pale everywhere is an annotator who disagrees with everyone
    (careless, or reading the guidelines differently). ``metric`` is any
    metric name of :func:`pairwise`.
    """
    if not callable(metric):
        _args.choice(
            metric,
            "metric",
            func="plot_agreement",
            choices=sorted(_PAIR_METRICS),
            also=_args.ANY_METRIC,
        )
    table = pairwise(df, metric)
    ax = _axes(ax)
    _heatmap(
        ax,
        table,
        cmap="viridis",
        vmin=min(0.0, float(np.nanmin(table.to_numpy()))) if table.size else 0.0,
        vmax=1.0,
        fmt=".2f",
        colorbar=metric,
    )
    ax.set_xlabel("annotator")
    ax.set_ylabel("annotator")
    ax.set_title(f"Pairwise agreement ({metric})", **LITERAL)
    return ax


def plot_per_label(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Bar chart of per-label agreement (see :func:`per_label`).

    Bars are Krippendorff's alpha of each label against the rest; dots are the
    positive specific agreement. Low bars point at labels whose definition is
    unclear.
    """
    table = per_label(df)
    ax = _axes(ax)
    x = np.arange(len(table))
    ax.bar(x, table["alpha"], color="tab:blue", label="alpha (one vs rest)")
    ax.plot(x, table["positive_agreement"], "o", color="tab:orange", label="positive agreement")
    ax.set_xticks(x, [str(v) for v in table["label"]], rotation=45, ha="right", **LITERAL)
    ax.axhline(0.8, color="grey", lw=0.8, ls="--")
    ax.set_ylim(min(0.0, float(np.nanmin(table["alpha"]))) if len(table) else 0.0, 1.05)
    ax.set_ylabel("agreement")
    ax.set_title("Agreement per label")
    literal_legend(ax.legend(loc="lower right", fontsize=8))
    return ax


def _label_frame(df: pd.DataFrame, by: str | None, func: str) -> pd.DataFrame:
    check_frame(df, ["label"], func=func)
    if by is not None:
        _args.column(df, by, "by", func=func)
    rows = drop_missing(of_kind(df, "label"), "label", func=func, stacklevel=4)
    if by is not None:
        rows = drop_missing(rows, by, func=func, stacklevel=4)
    return rows


def plot_label_distribution(
    df: pd.DataFrame,
    *,
    by: str | None = None,
    normalize: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """How often each label is used, overall or split by a column.

    Parameters
    ----------
    by : str, optional
        ``"annotator"`` or any item-metadata column (e.g. ``"lighting"``);
        one group of bars per label, one bar per value of ``by``.
    normalize : bool
        Plot proportions within each group instead of counts, which makes
        groups of different sizes comparable.
    """
    normalize = _args.flag(normalize, "normalize", func="plot_label_distribution")
    rows = _label_frame(df, by, "plot_label_distribution")
    ax = _axes(ax, (7.0, 4.5))
    if by is None:
        counts = rows["label"].value_counts().sort_index()
        values = counts / counts.sum() if normalize and counts.sum() else counts
        x = np.arange(len(values))
        ax.bar(x, values.to_numpy(), color="tab:blue")
        ax.set_xticks(x, [str(v) for v in values.index], **LITERAL)
    else:
        table = pd.crosstab(rows["label"], rows[by])
        if normalize:
            table = table / table.sum(axis=0).replace(0, np.nan)
        n_groups = table.shape[1]
        width = 0.8 / max(n_groups, 1)
        x = np.arange(table.shape[0])
        for j, group in enumerate(table.columns):
            ax.bar(
                x + (j - (n_groups - 1) / 2) * width,
                table[group].to_numpy(),
                width,
                label=str(group),
            )
        ax.set_xticks(x, [str(v) for v in table.index], **LITERAL)
        literal_legend(ax.legend(title=str(by), fontsize=8))
    ax.set_xlabel("label")
    ax.set_ylabel("proportion" if normalize else "count")
    ax.set_title("Label distribution" + (f" by {by}" if by else ""), **LITERAL)
    return ax


@dataclass(frozen=True)
class LabelBias:
    """Result of :func:`label_bias`.

    ``table`` is the groups x labels count table; ``residuals`` the adjusted
    standardized residuals (about N(0, 1) if there is no bias: a cell above
    ``critical`` means the group uses that label more than its share, below
    ``-critical`` less); ``flagged`` marks those cells. ``cramers_v`` (0 to 1)
    sizes the association: about 0.1 small, 0.3 medium, 0.5 large.
    """

    table: pd.DataFrame
    residuals: pd.DataFrame
    flagged: pd.DataFrame
    chi2: float
    dof: int
    p_value: float
    cramers_v: float
    critical: float


def label_bias(df: pd.DataFrame, *, by: str = "annotator", alpha: float = 0.05) -> LabelBias:
    """Chi-square test of labels against ``by`` (annotator or a metadata column).

    Cells are flagged where the adjusted standardized residual exceeds the
    two-sided normal critical value at ``alpha`` Bonferroni-corrected for the
    number of cells.

    References
    ----------
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 2.4.5.
    Cramér, H. (1946). Mathematical Methods of Statistics.
    """
    return _label_bias(df, by, alpha, "label_bias")


def _label_bias(df: pd.DataFrame, by: str, alpha: float, func: str) -> LabelBias:
    from scipy import stats

    alpha = _args.number(alpha, "alpha", func=func, low=0, high=1, high_closed=False)
    rows = _label_frame(df, by, func)
    table = pd.crosstab(rows[by], rows["label"])
    if table.shape[0] < 2 or table.shape[1] < 2:
        raise ValueError(
            f"{func}: needs at least two values of {by!r} and two labels, got "
            f"{table.shape[0]} and {table.shape[1]}"
        )
    observed = table.to_numpy(dtype=np.float64)
    n = observed.sum()
    row = observed.sum(axis=1, keepdims=True)
    col = observed.sum(axis=0, keepdims=True)
    expected = row * col / n
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    p_value = float(stats.chi2.sf(chi2, dof))
    adjusted = (observed - expected) / np.sqrt(expected * (1 - row / n) * (1 - col / n))
    critical = float(stats.norm.isf(alpha / 2 / observed.size))
    cramers_v = float(np.sqrt(chi2 / (n * (min(observed.shape) - 1))))
    residuals = pd.DataFrame(adjusted, index=table.index, columns=table.columns)
    return LabelBias(
        table, residuals, residuals.abs() > critical, chi2, dof, p_value, cramers_v, critical
    )


def plot_bias(
    df: pd.DataFrame, *, by: str = "annotator", alpha: float = 0.05, ax: Axes | None = None
) -> Axes:
    """Heatmap of adjusted standardized residuals of labels by ``by``.

    Red: the group uses the label more than expected; blue: less. Cells marked
    ``*`` stand out (see :func:`label_bias`); the title gives the chi-square
    test and Cramér's V. An annotator with a red column over-uses that label.
    """
    bias = _label_bias(df, by, alpha, "plot_bias")
    ax = _axes(ax, (7.0, 4.5))
    limit = max(float(np.abs(bias.residuals.to_numpy()).max()), bias.critical)
    _heatmap(
        ax,
        bias.residuals,
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        fmt=".1f",
        colorbar="adjusted residual",
        marks=bias.flagged.to_numpy(),
    )
    ax.set_xlabel("label")
    ax.set_ylabel(str(by), **LITERAL)
    p = f"p={bias.p_value:.2g}" if bias.p_value >= 1e-4 else "p<1e-4"
    ax.set_title(
        f"Label bias by {by}: χ²={bias.chi2:.1f}, dof={bias.dof}, {p}, V={bias.cramers_v:.2f}",
        fontsize=10,
        **LITERAL,
    )
    return ax


def plot_confusion(
    df: pd.DataFrame,
    a: Hashable,
    b: Hashable | None = None,
    *,
    gold: Any = None,
    normalize: Literal["rows", "all"] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Confusion matrix of annotator ``a`` against annotator ``b`` or against gold.

    Rows are ``b``'s labels (or gold), columns are ``a``'s, on the items both
    have. ``normalize="rows"`` shows, for each reference label, where ``a``'s
    labels went; off-diagonal hot spots are the confusions to fix. ``gold`` is
    as :func:`nblabel.qa.gold_accuracy` takes it (``"review"``: the reviewers' rows).
    """
    _args.choice(normalize, "normalize", func="plot_confusion", choices=(None, "rows", "all"))
    df, gold = split_gold(df, gold, func="plot_confusion")
    rows = _label_frame(df, None, "plot_confusion")
    check_frame(rows, ("item_id", "annotator"), func="plot_confusion")
    if (b is None) == (gold is None):
        raise ValueError("plot_confusion: give exactly one of b (an annotator) or gold=")
    mine = rows[rows["annotator"] == a]
    if mine.empty:
        raise ValueError(f"plot_confusion: a={a!r} has no label annotations")
    if mine["item_id"].duplicated().any():
        raise ValueError(f"plot_confusion: annotator {a!r} labeled some items twice")
    given = pd.Series(mine["label"].to_numpy(), index=mine["item_id"].map(str).to_numpy())
    if gold is not None:
        ref = _gold_series(gold, func="plot_confusion")
        ref.index = ref.index.map(str)
        ref_name = "gold"
    else:
        theirs = rows[rows["annotator"] == b]
        if theirs.empty:
            raise ValueError(f"plot_confusion: b={b!r} has no label annotations")
        ref = pd.Series(theirs["label"].to_numpy(), index=theirs["item_id"].map(str).to_numpy())
        ref_name = str(b)
    ref = ref[~ref.index.duplicated()]
    common = given.index.intersection(ref.index)
    pairs = pd.DataFrame(
        {"ref": ref[common].map(str).to_numpy(), "given": given[common].map(str).to_numpy()}
    )
    labels = sorted(set(pairs["ref"]) | set(pairs["given"]))
    table = (
        pd.crosstab(pairs["ref"], pairs["given"])
        .reindex(index=labels, columns=labels, fill_value=0)
        .astype(float)
    )
    if normalize == "rows":
        table = table.div(table.sum(axis=1).replace(0, np.nan), axis=0)
    elif normalize == "all":
        table = table / max(table.to_numpy().sum(), 1.0)
    ax = _axes(ax, (5.5, 4.5))
    _heatmap(
        ax,
        table,
        cmap="viridis",
        vmin=0,
        vmax=None,
        fmt=".2f" if normalize else ".0f",
        colorbar="share" if normalize else "items",
    )
    ax.set_xlabel(f"{a}", **LITERAL)
    ax.set_ylabel(ref_name, **LITERAL)
    ax.set_title(f"Confusion: {a} vs {ref_name} ({len(pairs)} items)", **LITERAL)
    return ax
