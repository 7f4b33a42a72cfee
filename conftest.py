"""Settings for every pytest run from the repository root (doctests in src/nblabel included)."""

from __future__ import annotations

import pytest
from _pytest.doctest import DoctestItem


@pytest.fixture(autouse=True)
def _doctests_run_in_a_fresh_folder(request: pytest.FixtureRequest) -> None:
    """A module's >>> example may write files (a store, an image): keep them out of the clone."""
    if isinstance(request.node, DoctestItem):
        tmp = request.getfixturevalue("tmp_path")
        request.getfixturevalue("monkeypatch").chdir(tmp)
