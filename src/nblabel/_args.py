"""Checks of the keyword arguments of QA functions and static views, with one wording.

Each check returns the value (converted to a plain Python type) or raises an
error that names the function, the argument and what was given, so that a
typo such as ``min_annotators="two"`` never surfaces as a numpy error.

>>> whole(3.0, "top", func="report", minimum=0)
3
>>> whole("two", "min_annotators", func="disagreements", minimum=1)
Traceback (most recent call last):
    ...
TypeError: disagreements: min_annotators must be a whole number >= 1, got 'two' (str)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")

#: What ``metric=`` also accepts besides the metric names.
ANY_METRIC = " or a function f(df, a, b) -> float"


def _given(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def whole(value: Any, name: str, *, func: str, minimum: int) -> int:
    """``value`` as an int of at least ``minimum``; refuses bools, fractions and text."""
    if not _is_real(value) or not float(value).is_integer():
        raise TypeError(f"{func}: {name} must be a whole number >= {minimum}, got {_given(value)}")
    if value < minimum:
        raise ValueError(f"{func}: {name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def number(
    value: Any,
    name: str,
    *,
    func: str,
    low: float | None = None,
    high: float | None = None,
    low_closed: bool = False,
    high_closed: bool = True,
    unit: str = "",
) -> float:
    """``value`` as a finite float inside the interval ``low``..``high`` (None: unbounded)."""
    if high is None and low is not None:
        where = f"{'>=' if low_closed else '>'} {low:g}"
    else:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        where = f"in {'[' if low_closed else '('}{lo}, {hi}{']' if high_closed else ')'}"
    what = f"a number {where}{unit}"
    if not _is_real(value):
        raise TypeError(f"{func}: {name} must be {what}, got {_given(value)}")
    x = float(value)
    inside = math.isfinite(x)
    if low is not None:
        inside = inside and (x >= low if low_closed else x > low)
    if high is not None:
        inside = inside and (x <= high if high_closed else x < high)
    if not inside:
        raise ValueError(f"{func}: {name} must be {what}, got {value!r}")
    return x


def flag(value: Any, name: str, *, func: str) -> bool:
    """``value`` as a bool; refuses strings and numbers, which would read as true."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{func}: {name} must be True or False, got {_given(value)}")
    return bool(value)


def choice(value: T, name: str, *, func: str, choices: Sequence[Any], also: str = "") -> T:
    """``value`` if it is one of ``choices`` (``also`` names other accepted forms)."""
    if not any(value is c or (isinstance(value, type(c)) and value == c) for c in choices):
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{func}: {name} must be one of {listed}{also}, got {_given(value)}")
    return value


def names(value: Any, name: str, *, func: str) -> list[str]:
    """``value`` as a list of str; a single str is refused (it would read as its letters)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, pd.Index, np.ndarray)):
        raise TypeError(f"{func}: {name} must be a list of names, got {_given(value)}")
    return [str(v) for v in value]


def column(df: pd.DataFrame, value: Any, name: str, *, func: str) -> Hashable:
    """``value`` if it names one column of ``df``."""
    if not isinstance(value, Hashable):
        raise TypeError(
            f"{func}: {name} must name one column of df, got {_given(value)}; "
            f"the columns are {[str(c) for c in df.columns]}"
        )
    if value not in df.columns:
        raise ValueError(
            f"{func}: {name}={value!r} is not a column of df; "
            f"the columns are {[str(c) for c in df.columns]}"
        )
    return value
