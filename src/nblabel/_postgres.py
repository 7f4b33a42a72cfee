"""A throwaway PostgreSQL server on 127.0.0.1, for nblabel's tests and benchmarks.

It needs the server binaries (Debian: ``apt-get install postgresql``; or
``pg_ctl`` on PATH) and ``psycopg`` (``pip install 'nblabel[postgres]'``).
``initdb`` refuses to run as root, so as root the cluster runs as the
``postgres`` user, in a temporary folder owned by that user. Nothing is
installed or left behind: :meth:`TemporaryPostgres.stop` removes the folder.

>>> with TemporaryPostgres() as server:                 # doctest: +SKIP
...     store = Store(server.create_database("labels"))
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["PostgresUnavailable", "TemporaryPostgres", "find_bin"]


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed here."""


def find_bin() -> Path:
    """The folder of ``initdb`` and ``pg_ctl`` (newest Debian version first, then PATH)."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb") or shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found: install them (Debian: apt-get install "
        "postgresql, or scripts/setup --postgres)"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TemporaryPostgres:
    """One PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only.

    ``settings`` are extra server settings (``{"fsync": "off"}`` makes a test
    cluster faster; durability against a crash of the *client* does not
    depend on it).
    """

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.settings = dict(settings or {})
        self.port = 0
        self.root: Path | None = None
        self._bin = find_bin()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(self._bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> TemporaryPostgres:
        """initdb, then start the server; returns self."""
        # As root the server runs as postgres, which must reach the folder: /tmp, not a
        # TMPDIR under /root.
        where = "/tmp" if self._as_postgres and Path("/tmp").is_dir() else None
        root = Path(tempfile.mkdtemp(prefix="nblabel-pg-", dir=where))
        self.root = root
        if self._as_postgres:
            shutil.chown(root, "postgres", "postgres")
        data, sockets = root / "data", root / "sock"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8")  # fmt: skip
        sockets.mkdir()
        if self._as_postgres:
            shutil.chown(sockets, "postgres", "postgres")
        self.port = _free_port()
        options = [f"-h 127.0.0.1 -p {self.port} -k {sockets}"]
        options += [f"-c {k}={v}" for k, v in self.settings.items()]
        self._run(
            "pg_ctl", "-w", "-t", "60", "-D", str(data), "-l", str(root / "server.log"),
            "-o", " ".join(options), "start",
        )  # fmt: skip
        return self

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a fresh name unless given); return its URL."""
        import psycopg

        name = name or f"nblabel_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        if self.root is None:
            return
        try:
            if (self.root / "data" / "postmaster.pid").exists():
                self._run("pg_ctl", "-w", "-D", str(self.root / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> TemporaryPostgres:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Any:
        self.stop()
