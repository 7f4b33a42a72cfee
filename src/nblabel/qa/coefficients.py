"""Chance-corrected agreement coefficients on whole-item labels (``kind == "label"``).

Every function takes the annotation DataFrame (columns ``item_id``,
``annotator``, ``label`` and optionally ``kind``; other rows kinds are
ignored) and returns a float. A coefficient that is undefined on the data
(only one category used, no item rated by two annotators) is NaN with an
:class:`AgreementWarning` saying why.

How to read them: 1 is perfect agreement, 0 is the agreement expected by
chance, below 0 is systematic disagreement. Landis & Koch (1977) call
0.61-0.80 "substantial" and above 0.80 "almost perfect"; Krippendorff (2004)
suggests relying on data with alpha >= 0.800 and drawing tentative
conclusions from 0.667.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .. import _args
from ._frame import (
    AgreementWarning,
    FloatArray,
    Ratings,
    _match_categories,
    _sorted_uniques,
    check_annotator,
    numeric_values,
    of_kind,
    ratings,
)

__all__ = [
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "pairwise",
    "per_label",
    "percent_agreement",
    "scott_pi",
]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"] | None


class _Undefined(Exception):
    """Internal: the coefficient is undefined; the message says why."""


def _finish(func: Callable[[], float], name: str, stacklevel: int = 3) -> float:
    try:
        return func()
    except _Undefined as why:
        warnings.warn(
            f"{name} is undefined: {why}; returning NaN", AgreementWarning, stacklevel=stacklevel
        )
        return float("nan")


def _chance_corrected(observed: float, expected: float, what: str) -> float:
    if expected >= 1.0 - 1e-12:
        raise _Undefined(f"expected agreement is 1 ({what})")
    return float((observed - expected) / (1.0 - expected))


def _one_category(r: Ratings) -> str:
    used = np.unique(r.value)
    if len(used) == 1:
        return f"every rating is {r.categories[used[0]]!r}, so chance agreement is perfect"
    return "only one category is used"


# --------------------------------------------------------------------------- two raters


def _pair(r: Ratings, a: Any, b: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
    """Category codes of a and b on the items both rated."""
    ia = check_annotator(r, a, func=func, argument="a")
    ib = check_annotator(r, b, func=func, argument="b")
    if ia == ib:
        raise ValueError(f"{func}: a and b are the same annotator {a!r}")
    return _pair_codes(r, ia, ib)


def _pair_codes(r: Ratings, ia: int, ib: int) -> tuple[np.ndarray, np.ndarray]:
    la = np.full(r.n_items, -1, dtype=np.intp)
    lb = np.full(r.n_items, -1, dtype=np.intp)
    ma = r.rater == ia
    mb = r.rater == ib
    la[r.item[ma]] = r.value[ma]
    lb[r.item[mb]] = r.value[mb]
    both = (la >= 0) & (lb >= 0)
    return la[both], lb[both]


def _aligned_pair(
    df: pd.DataFrame,
    a: Any,
    b: Any,
    *,
    func: str,
    categories: Sequence[Hashable] | None,
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Fast path for large string frames whose rows of a and b list the same items in
    the same, strictly increasing order (as a store sorted by item writes them):
    skips hashing item ids and annotators. None when it does not apply; the general
    path then does the work (and raises or warns about bad input).
    """
    if not isinstance(df, pd.DataFrame) or len(df) < 10_000 or a == b:
        return None
    if not {"item_id", "annotator", "label"} <= set(df.columns):
        return None
    rows = of_kind(df, "label")
    if any(isinstance(rows[c].dtype, pd.CategoricalDtype) for c in ("item_id", "annotator")):
        return None  # categorical codes are already free
    annotators = rows["annotator"].to_numpy()
    ma = np.asarray(annotators == a, dtype=bool)
    mb = np.asarray(annotators == b, dtype=bool)
    items = rows["item_id"].to_numpy()
    ia, ib = items[ma], items[mb]
    if len(ia) != len(ib) or len(ia) < 2:
        return None
    try:
        if not (ia == ib).all() or not (ia[1:] > ia[:-1]).all():
            return None
    except TypeError:
        return None
    labels = rows["label"]
    found, uniques = pd.factorize(np.concatenate([labels.to_numpy()[ma], labels.to_numpy()[mb]]))
    if (found < 0).any():
        return None
    if categories is None and isinstance(labels.dtype, pd.CategoricalDtype):
        categories = list(labels.cat.categories)
    if categories is not None:
        position, cats = _match_categories(pd.Index(uniques), categories, func=func, labels=labels)
    else:
        cats = _sorted_uniques(pd.Index(uniques), func, labels)
        position = cats.get_indexer(pd.Index(uniques))
    value = position.astype(np.intp)[found]
    return value[: len(ia)], value[len(ia) :], len(cats)


def _confusion(la: np.ndarray, lb: np.ndarray, k: int) -> FloatArray:
    return np.bincount(la * k + lb, minlength=k * k).reshape(k, k).astype(np.float64)


def _kappa_from_codes(la: np.ndarray, lb: np.ndarray, k: int, weights: Weights) -> float:
    if len(la) == 0:
        raise _Undefined("the two annotators have no item in common")
    table = _confusion(la, lb, k)
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    if weights is None:
        w = 1.0 - np.eye(k)
    else:
        pos = np.arange(k, dtype=np.float64)
        diff = np.abs(pos[:, None] - pos[None, :])
        w = diff if weights == "linear" else diff**2
    denominator = float((w * expected).sum())
    if denominator <= 0:
        raise _Undefined("both annotators used a single, identical category")
    return float(1.0 - (w * table).sum() / denominator)


def cohen_kappa(
    df: pd.DataFrame,
    a: Hashable,
    b: Hashable,
    *,
    weights: Weights = None,
    categories: Sequence[Hashable] | None = None,
) -> float:
    """Cohen's kappa between annotators ``a`` and ``b``.

    Agreement of two annotators on the items both labeled, corrected for the
    agreement expected from each annotator's own label frequencies:
    ``kappa = (p_o - p_e) / (1 - p_e)``.

    Parameters
    ----------
    df : DataFrame
        Annotations with ``item_id``, ``annotator``, ``label`` (``kind`` optional).
    a, b : annotator names
    weights : None, "linear" or "quadratic"
        Weighted kappa for ordered categories: a disagreement between categories
        ``i`` and ``j`` costs ``|i - j|`` (linear) or ``(i - j)**2`` (quadratic),
        ``i`` and ``j`` being positions in ``categories`` (scikit-learn's
        convention). Without ``categories`` the order is the sorted labels.
    categories : sequence, optional
        All categories in order. Labels outside it raise a ValueError.

    Returns
    -------
    float
        Kappa; NaN with an :class:`AgreementWarning` if undefined.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales.
    Cohen, J. (1968). Weighted kappa. Psychological Bulletin 70(4).
    """
    _args.choice(weights, "weights", func="cohen_kappa", choices=(None, "linear", "quadratic"))
    fast = _aligned_pair(df, a, b, func="cohen_kappa", categories=categories)
    if fast is not None:
        la, lb, k = fast
    else:
        r = ratings(df, func="cohen_kappa", categories=categories)
        la, lb = _pair(r, a, b, "cohen_kappa")
        k = r.n_categories
    return _finish(lambda: _kappa_from_codes(la, lb, k, weights), "cohen_kappa")


def _scott_from_codes(la: np.ndarray, lb: np.ndarray, k: int) -> float:
    if len(la) == 0:
        raise _Undefined("the two annotators have no item in common")
    observed = float(np.mean(la == lb))
    pooled = np.bincount(np.concatenate([la, lb]), minlength=k) / (2.0 * len(la))
    return _chance_corrected(observed, float((pooled**2).sum()), "a single category is used")


def scott_pi(df: pd.DataFrame, a: Hashable, b: Hashable) -> float:
    """Scott's pi between annotators ``a`` and ``b``.

    Like Cohen's kappa, but chance agreement comes from the labels of both
    annotators pooled, as if they shared one label distribution.

    References
    ----------
    Scott, W. A. (1955). Reliability of content analysis: the case of nominal
    scale coding. Public Opinion Quarterly 19(3).
    """
    fast = _aligned_pair(df, a, b, func="scott_pi", categories=None)
    if fast is not None:
        la, lb, k = fast
    else:
        r = ratings(df, func="scott_pi")
        la, lb = _pair(r, a, b, "scott_pi")
        k = r.n_categories
    return _finish(lambda: _scott_from_codes(la, lb, k), "scott_pi")


# --------------------------------------------------------------------------- many raters


def _observed(r: Ratings) -> tuple[float, FloatArray]:
    """Gwet's p_a (over items with >= 2 ratings) and pi_k (over items with >= 1)."""
    table, m = r.counts()
    rated = m >= 1
    if not rated.any():
        raise _Undefined("df has no label annotations")
    if hasattr(table, "toarray"):
        # sparse: only nonzero cells matter for both sums
        t = table.tocoo()
        mi = m[t.row]
        pair = np.bincount(t.row, weights=t.data * (t.data - 1), minlength=r.n_items)
        share = np.bincount(t.col, weights=t.data / mi, minlength=r.n_categories)
        pairable = m >= 2
        if not pairable.any():
            raise _Undefined("no item was labeled by two or more annotators")
        pa = float(np.mean(pair[pairable] / (m[pairable] * (m[pairable] - 1))))
        return pa, share / rated.sum()
    pairable = m >= 2
    if not pairable.any():
        raise _Undefined("no item was labeled by two or more annotators")
    tp, mp = table[pairable], m[pairable]
    pa = float(np.mean((tp * (tp - 1)).sum(axis=1) / (mp * (mp - 1))))
    pi = (table[rated] / m[rated, None]).mean(axis=0)
    return pa, pi


def _fleiss(r: Ratings) -> float:
    pa, pi = _observed(r)
    return _chance_corrected(pa, float((pi**2).sum()), _one_category(r))


def fleiss_kappa(df: pd.DataFrame, *, categories: Sequence[Hashable] | None = None) -> float:
    """Fleiss' kappa for any number of annotators.

    Observed agreement is the share of agreeing annotator pairs within each
    item, averaged over items labeled by at least two annotators; chance
    agreement comes from the overall label shares. Items may be labeled by
    different numbers of annotators: this is Gwet's (2014) generalisation, which
    equals Fleiss (1971) when every item has the same number of labels.

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin 76(5). Gwet, K. L. (2014). Handbook of Inter-Rater
    Reliability, 4th ed., chapter 5.
    """
    r = ratings(df, func="fleiss_kappa", categories=categories)
    return _finish(lambda: _fleiss(r), "fleiss_kappa")


def _ac1(r: Ratings) -> float:
    pa, pi = _observed(r)
    q = r.n_categories
    if q < 2:
        raise _Undefined(f"AC1 needs at least two categories; {_one_category(r)}")
    pe = float((pi * (1 - pi)).sum() / (q - 1))
    return _chance_corrected(pa, pe, _one_category(r))


def gwet_ac1(df: pd.DataFrame, *, categories: Sequence[Hashable] | None = None) -> float:
    """Gwet's AC1 for any number of annotators.

    Same observed agreement as :func:`fleiss_kappa`, but chance agreement is
    ``sum(pi_k (1 - pi_k)) / (q - 1)`` over the ``q`` categories, which stays
    small when one label dominates. Use it where kappa is paradoxically low
    despite high raw agreement (a rare positive class). ``q`` is the number of
    ``categories`` if given, else of the labels seen.

    References
    ----------
    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in
    the presence of high agreement. Br. J. Math. Stat. Psychol. 61(1).
    """
    r = ratings(df, func="gwet_ac1", categories=categories)
    return _finish(lambda: _ac1(r), "gwet_ac1")


def _percent(r: Ratings) -> float:
    pa, _ = _observed(r)
    return pa


def percent_agreement(df: pd.DataFrame) -> float:
    """Raw agreement: the share of agreeing annotator pairs per item, averaged.

    Not corrected for chance; easy to explain but inflated when one label is
    common. Items labeled by fewer than two annotators are left out.
    """
    r = ratings(df, func="percent_agreement")
    return _finish(lambda: _percent(r), "percent_agreement")


# --------------------------------------------------------------------------- Krippendorff


def _delta(level: str, n_c: FloatArray, values: FloatArray | None) -> FloatArray:
    k = len(n_c)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        cum = np.cumsum(n_c)
        d = cum[None, :] - cum[:, None] + (n_c[:, None] - n_c[None, :]) / 2.0
        return np.asarray(d**2, dtype=np.float64)
    assert values is not None
    diff = values[:, None] - values[None, :]
    if level == "interval":
        return np.asarray(diff**2, dtype=np.float64)
    total = values[:, None] + values[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total == 0, 0.0, (diff / np.where(total == 0, 1.0, total)) ** 2)
    return np.asarray(ratio, dtype=np.float64)


def _alpha(r: Ratings, level: str, values: FloatArray | None) -> float:
    if len(r.value) == 0:
        raise _Undefined("df has no label annotations")
    table, m = r.counts()
    pairable = m >= 2
    if not pairable.any():
        raise _Undefined("no item was labeled by two or more annotators")
    w = np.zeros_like(m)
    w[pairable] = 1.0 / (m[pairable] - 1.0)
    sparse = hasattr(table, "toarray")
    if level == "nominal":
        # sum_c o_cc = sum_u w_u sum_c (n_uc^2 - n_uc); disagreement = n - that
        if sparse:
            sq = np.asarray(table.multiply(table).sum(axis=1)).ravel()
            n_c = np.asarray(table[pairable].sum(axis=0)).ravel()
        else:
            sq = np.einsum("ij,ij->i", table, table)
            n_c = table[pairable].sum(axis=0)
        n = float(m[pairable].sum())
        agree = float((w * (sq - m)).sum())
        expected = n * n - float((n_c**2).sum())
        if expected <= 0:
            raise _Undefined(_one_category(r))
        return 1.0 - (n - 1.0) * (n - agree) / expected
    weighted = table.multiply(w[:, None]).tocsr() if sparse else table * w[:, None]
    coincidence = weighted.T @ table
    coincidence = coincidence.toarray() if hasattr(coincidence, "toarray") else coincidence
    diag = np.asarray(weighted.sum(axis=0)).ravel()
    o = np.asarray(coincidence, dtype=np.float64) - np.diag(diag)
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    delta = _delta(level, n_c, values)
    expected = float((np.outer(n_c, n_c) * delta).sum())
    if expected <= 0:
        raise _Undefined(_one_category(r))
    return float(1.0 - (n - 1.0) * (o * delta).sum() / expected)


def krippendorff_alpha(
    df: pd.DataFrame,
    *,
    level: Level = "nominal",
    categories: Sequence[Hashable] | None = None,
) -> float:
    """Krippendorff's alpha for any number of annotators, with missing ratings.

    ``alpha = 1 - D_o / D_e``: observed disagreement within items over the
    disagreement expected if labels were paired at random. Items labeled by a
    single annotator do not count; an annotator who skipped an item simply has
    no row for it (a missing rating is not a category).

    Parameters
    ----------
    level : "nominal", "ordinal", "interval" or "ratio"
        The difference function. ``nominal``: any two labels differ equally.
        ``ordinal``: ranks, with distances from the label frequencies between
        them. ``interval``: squared difference of values. ``ratio``: squared
        difference over squared sum (values from a true zero).
    categories : sequence, optional
        All categories in order (needed for ``ordinal`` with non-numeric
        labels). For ``interval``/``ratio`` the labels must be numbers (or
        numeric strings, as the schema stores them); if they are not, their
        positions in ``categories`` are used as values.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
    https://repository.upenn.edu/asc_papers/43
    """
    _args.choice(
        level,
        "level",
        func="krippendorff_alpha",
        choices=("nominal", "ordinal", "interval", "ratio"),
    )
    r = ratings(df, func="krippendorff_alpha", categories=categories)
    declared = isinstance(df["label"].dtype, pd.CategoricalDtype)
    values = _level_values(r, level, categories if not declared else list(r.categories))
    return _finish(lambda: _alpha(r, level, values), "krippendorff_alpha")


def _level_values(
    r: Ratings, level: str, categories: Sequence[Hashable] | None
) -> FloatArray | None:
    if level in ("nominal", "ordinal"):
        if (
            level == "ordinal"
            and categories is None
            and len(r.categories) > 1
            and numeric_values(r.categories) is None
        ):
            warnings.warn(
                "krippendorff_alpha: ordinal level with non-numeric labels and no "
                f"categories=; using sorted order {list(r.categories)[:10]}",
                AgreementWarning,
                stacklevel=3,
            )
        return None
    values = numeric_values(r.categories)
    if values is None:
        if categories is None:
            bad = [c for c in r.categories if numeric_values(pd.Index([c])) is None]
            raise ValueError(
                f"krippendorff_alpha: level={level!r} needs numeric labels, got {bad[:5]!r}; "
                "pass categories=[...] in order to use their positions as values"
            )
        values = np.arange(len(r.categories), dtype=np.float64)
    if level == "ratio" and (values < 0).any():
        raise ValueError("krippendorff_alpha: level='ratio' needs non-negative values")
    return values


# --------------------------------------------------------------------------- tables

_PAIR_METRICS: dict[str, Callable[[Ratings, int, int], float]] = {}


def _pair_ratings(r: Ratings, ia: int, ib: int) -> Ratings:
    return r.subset((r.rater == ia) | (r.rater == ib))


_PAIR_METRICS["cohen_kappa"] = lambda r, i, j: _kappa_from_codes(
    *_pair_codes(r, i, j), r.n_categories, None
)
_PAIR_METRICS["scott_pi"] = lambda r, i, j: _scott_from_codes(*_pair_codes(r, i, j), r.n_categories)
_PAIR_METRICS["percent_agreement"] = lambda r, i, j: _percent(_pair_ratings(r, i, j))
_PAIR_METRICS["gwet_ac1"] = lambda r, i, j: _ac1(_pair_ratings(r, i, j))
_PAIR_METRICS["fleiss_kappa"] = lambda r, i, j: _fleiss(_pair_ratings(r, i, j))
_PAIR_METRICS["krippendorff_alpha"] = lambda r, i, j: _alpha(
    _pair_ratings(r, i, j), "nominal", None
)


def pairwise(
    df: pd.DataFrame,
    metric: str | Callable[[pd.DataFrame, Any, Any], float] = "cohen_kappa",
) -> pd.DataFrame:
    """Agreement of every pair of annotators: an annotator x annotator table.

    Parameters
    ----------
    metric : str or callable
        ``"cohen_kappa"`` (default), ``"scott_pi"``, ``"percent_agreement"``,
        ``"gwet_ac1"``, ``"fleiss_kappa"`` or ``"krippendorff_alpha"`` (nominal),
        or a function ``f(df, a, b) -> float``.

    Returns
    -------
    DataFrame
        Symmetric for symmetric metrics, 1.0 on the diagonal, NaN for pairs
        with no item in common (one warning lists them). Look for a row that is
        low everywhere: that annotator disagrees with everyone.
    """
    if not callable(metric):
        _args.choice(
            metric, "metric", func="pairwise", choices=sorted(_PAIR_METRICS), also=_args.ANY_METRIC
        )
    r = ratings(df, func="pairwise")
    names = list(r.raters)
    out = pd.DataFrame(
        np.eye(len(names)),
        index=pd.Index(names, name="annotator_a"),
        columns=pd.Index(names, name="annotator_b"),
    )
    undefined: list[str] = []
    if callable(metric):
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                if i != j:
                    out.iloc[i, j] = float(metric(df, a, b))
        return out
    compute = _PAIR_METRICS[metric]
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            try:
                value = compute(r, i, j)
            except _Undefined as why:
                undefined.append(f"{names[i]!r}/{names[j]!r} ({why})")
                value = float("nan")
            out.iloc[i, j] = value
            out.iloc[j, i] = value
    if undefined:
        warnings.warn(
            f"pairwise: {metric} is undefined for {len(undefined)} pair(s): "
            + "; ".join(undefined[:5]),
            AgreementWarning,
            stacklevel=2,
        )
    return out


def per_label(df: pd.DataFrame) -> pd.DataFrame:
    """Agreement on each label separately (one-vs-rest), multi-label data allowed.

    For each label, every (item, annotator) who labeled the item becomes a
    yes/no rating: did they give this label? Then:

    - ``alpha``: Krippendorff's alpha (nominal) of those yes/no ratings;
    - ``positive_agreement``: specific positive agreement, the chance that when
      one annotator gives the label another does too (Fleiss 1975; for two
      annotators ``2a / (2a + b + c)``);
    - ``n`` and ``prevalence``: how often the label was given.

    A label with low positive agreement is one annotators understand
    differently: look at its guidelines first.
    """
    r = ratings(df, func="per_label", allow_multiple=True)
    # one rater-item "slot" per distinct (item, annotator)
    slot_key = r.item * max(r.n_raters, 1) + r.rater
    slots, slot = np.unique(slot_key, return_inverse=True)
    slot_item = slots // max(r.n_raters, 1)
    slot_rater = slots % max(r.n_raters, 1)
    records = []
    for c, label in enumerate(r.categories):
        yes = np.zeros(len(slots), dtype=np.intp)
        yes[slot[r.value == c]] = 1
        binary = Ratings(slot_item, slot_rater, yes, r.items, r.raters, pd.Index([0, 1]))
        try:
            alpha = _alpha(binary, "nominal", None)
        except _Undefined:
            alpha = float("nan")
        table, m = binary.counts()
        pos = np.asarray(table)[:, 1] if not hasattr(table, "toarray") else table.toarray()[:, 1]
        pairable = m >= 2
        both = float((pos[pairable] * (pos[pairable] - 1)).sum())
        either = float((pos[pairable] * (m[pairable] - 1)).sum())
        records.append(
            {
                "label": label,
                "n": int(yes.sum()),
                "prevalence": float(yes.mean()) if len(yes) else float("nan"),
                "positive_agreement": both / either if either > 0 else float("nan"),
                "alpha": alpha,
            }
        )
    return pd.DataFrame.from_records(
        records, columns=["label", "n", "prevalence", "positive_agreement", "alpha"]
    )
