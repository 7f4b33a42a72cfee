"""Fixtures for the QA tests: Agg backend, closed figures, a seeded generator."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _agg_backend() -> Iterator[None]:
    matplotlib.use("Agg")
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
