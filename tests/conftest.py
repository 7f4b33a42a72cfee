"""Fixtures shared by every test layer: the store on each backend nblabel supports.

One PostgreSQL cluster per test session (started on first use, on 127.0.0.1,
in a temp folder; see :mod:`nblabel._postgres`), one fresh database per test.
``store`` and ``store_url`` are parametrised over SQLite and PostgreSQL, so
every test that takes them runs on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nblabel._postgres import PostgresUnavailable, TemporaryPostgres
from nblabel.store import Store

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[TemporaryPostgres]:
    """A PostgreSQL server for the whole session (fsync off: a test cluster, not a crash test)."""
    try:
        server = TemporaryPostgres({"fsync": "off", "max_connections": "200"}).start()
    except PostgresUnavailable as exc:
        pytest.fail(f"{exc}; the store tests run on PostgreSQL too", pytrace=False)
    yield server
    server.stop()


def make_location(backend: str, folder: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty store location on ``backend``: a file path or a database URL."""
    if backend == "sqlite":
        return str(folder / "labels.db")
    server: TemporaryPostgres = request.getfixturevalue("postgres")
    return server.create_database()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a fresh store lives: a SQLite path in tmp_path or a new PostgreSQL database."""
    return make_location(backend, tmp_path, request)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    yield s
    s.close()
