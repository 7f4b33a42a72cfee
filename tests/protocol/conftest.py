"""Protocol tests: a widget driven by exactly the messages its page would send.

``PageDriver`` stands where the browser stands: it sends ``hello``/``goto``/
``edit`` messages into the widget's message handler and records what the
widget sends back (the JSON part and the sizes of the binary buffers). Tests
then assert the store file and ``w.annotations``.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pytest
from PIL import Image

from nblabel._postgres import TemporaryPostgres
from nblabel.store import Store
from nblabel.widgets._base import Annotator
from tests.conftest import BACKENDS


class PageDriver:
    def __init__(self, widget: Annotator) -> None:
        self.widget = widget
        self.sent: list[tuple[dict[str, Any], list[bytes]]] = []
        self.seq = 0

        def record(content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
            self.sent.append((content, [bytes(b) for b in buffers or []]))

        widget.send = record  # type: ignore[method-assign]

    def _send(self, content: dict[str, Any]) -> None:
        self.widget._on_message(self.widget, content, [])

    def hello(self, cached: list[int] | None = None) -> None:
        self._send({"type": "hello", "cached": cached or []})

    def goto(self, position: int, cached: list[int] | None = None) -> None:
        self._send({"type": "goto", "position": position, "cached": cached or []})

    def edit(
        self,
        item_id: str,
        upsert: list[dict[str, Any]] | None = None,
        delete: list[str] | None = None,
        elapsed: float = 1.25,
    ) -> dict[str, Any]:
        """Send one edit and return the widget's answer (saved or rejected)."""
        self.seq += 1
        before = len(self.sent)
        self._send(
            {
                "type": "edit",
                "seq": self.seq,
                "item_id": item_id,
                "upsert": upsert or [],
                "delete": delete or [],
                "elapsed": elapsed,
            }
        )
        answers = [m for m, _ in self.sent[before:] if m.get("seq") == self.seq]
        assert len(answers) == 1, f"expected one answer to edit {self.seq}, got {answers}"
        return answers[0]

    def label(self, item_id: str, label: str, *, replace: bool = True) -> dict[str, Any]:
        """Choose a label as the page does: a new row, and the old label rows removed."""
        old = [r["id"] for r in self.widget._rows.get(item_id, {}).values()] if replace else []
        return self.edit(item_id, [{"id": uuid.uuid4().hex, "kind": "label", "label": label}], old)

    def items(self, wait: float = 5.0, count: int = 1) -> list[tuple[dict[str, Any], list[bytes]]]:
        """Item messages received so far, waiting for prefetches from the worker thread."""
        deadline = time.monotonic() + wait
        while True:
            found = [(m, b) for m, b in self.sent if m.get("type") == "item"]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.01)

    def item_at(self, position: int, wait: float = 5.0) -> tuple[dict[str, Any], list[bytes]]:
        deadline = time.monotonic() + wait
        while True:
            found = [
                (m, b)
                for m, b in self.sent
                if m.get("type") == "item" and m["position"] == position
            ]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no item message for position {position}: {self.sent}")
            time.sleep(0.01)

    def clear(self) -> None:
        self.sent.clear()


@pytest.fixture
def drive() -> Iterator[Callable[[Annotator], PageDriver]]:
    made: list[Annotator] = []

    def make(widget: Annotator) -> PageDriver:
        made.append(widget)
        return PageDriver(widget)

    yield make
    for widget in made:
        widget.close()


@pytest.fixture
def photos(tmp_path: Path) -> list[str]:
    """Five small real JPEG files with different content."""
    rng = np.random.default_rng(0)
    paths = []
    for i in range(5):
        pixels = (rng.random((60 + i, 80, 3)) * 255).astype(np.uint8)
        path = tmp_path / f"photo{i}.jpg"
        Image.fromarray(pixels).save(path, quality=90)
        paths.append(str(path))
    return paths


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# -- every protocol test on SQLite and on PostgreSQL --------------------------------------
#
# The tests name their store by a file path (``store=tmp_path / "labels.db"``) and some
# read that file back with ``sqlite3.connect`` to check what is really stored. On the
# PostgreSQL run, each such path stands for its own fresh database on the session's
# server: ``Store(path)`` opens that database, and ``sqlite3.connect(path)`` returns a
# thin psycopg connection to it, so the same checks read PostgreSQL's rows.

#: Tests about SQLite itself (its file lock), run on SQLite only.
SQLITE_ONLY: Final = frozenset({"test_a_failed_store_write_is_reported_and_loses_nothing"})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "protocol_backend" in metafunc.fixturenames:
        name = metafunc.function.__name__
        backends = ["sqlite"] if name in SQLITE_ONLY else list(BACKENDS)
        metafunc.parametrize("protocol_backend", backends, indirect=True)


class _PostgresAsSqlite:
    """Enough of a sqlite3 connection for the tests' read-back queries, on PostgreSQL."""

    def __init__(self, dsn: str) -> None:
        import psycopg

        self._conn = psycopg.connect(dsn)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        sql = re.sub(r"\bend\b", '"end"', sql).replace("?", "%s")  # END is reserved there
        return self._conn.execute(sql, params)

    def __enter__(self) -> _PostgresAsSqlite:
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.commit()
        self._conn.close()


@pytest.fixture(autouse=True)
def protocol_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    backend = str(request.param)
    if backend == "sqlite":
        yield backend
        return
    server: TemporaryPostgres = request.getfixturevalue("postgres")
    databases: dict[str, str] = {}  # absolute SQLite path -> its PostgreSQL URL

    def url_for(location: Any) -> str | None:
        if location is None or not isinstance(location, (str, os.PathLike)):
            return None
        text = os.fspath(location)
        if not isinstance(text, str) or "://" in text or not text.strip():
            return None
        key = str(Path(text).expanduser().absolute())
        if key not in databases:
            databases[key] = server.create_database()
        return databases[key]

    original_init = Store.__init__
    original_connect = sqlite3.connect

    def init(self: Store, location: Any = None, **kw: Any) -> None:
        original_init(self, url_for(location) or location, **kw)

    def connect(database: Any, *args: Any, **kw: Any) -> Any:
        key = str(Path(os.fspath(database)).absolute()) if database != ":memory:" else ""
        if key in databases:
            url = databases[key]
            dsn = url.replace("postgresql+psycopg://", "postgresql://")
            return _PostgresAsSqlite(dsn)
        return original_connect(database, *args, **kw)

    monkeypatch.setattr(Store, "__init__", init)
    monkeypatch.setattr(sqlite3, "connect", connect)
    yield backend
