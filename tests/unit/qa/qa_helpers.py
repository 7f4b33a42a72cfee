"""Helpers shared by the QA tests (imported by name; tests/unit/qa has no __init__)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def long_frame(
    matrix: Sequence[Sequence[Any]], raters: Sequence[str] | None = None
) -> pd.DataFrame:
    """Items x raters matrix (None/NaN = missing) to the long annotation form."""
    records = []
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            name = raters[j] if raters is not None else f"r{j}"
            records.append({"item_id": f"item{i}", "annotator": name, "label": value})
    return pd.DataFrame(records, columns=["item_id", "annotator", "label"])
