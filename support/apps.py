"""Servers of the other front ends the browser tests prove the widgets in: marimo and Voilà.

Like :class:`support.lab.JupyterLabServer`, each is one process for the whole test session
(its own process group, a free port of 127.0.0.1, no token, fresh Jupyter dirs), serving a
folder; a test copies its notebook or app into a fresh subfolder and opens that file's URL.
Their kernels import this checkout's ``nblabel`` (``src/`` first on ``PYTHONPATH``).

* :class:`MarimoServer` with ``mode="edit"`` runs ``marimo edit <root>`` (the notebook
  editor: one kernel per file, kept while the server runs, so a reload re-attaches to it);
  ``mode="run"`` runs ``marimo run <root>`` (the app view: a reload starts a new session that
  runs the app again, so the widget resumes from the store).
* :class:`VoilaServer` runs ``voila <root>`` (each page load starts a fresh kernel).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from support.lab import (
    SERVER_START_TIMEOUT,
    SERVER_STOP_TIMEOUT,
    for_this_checkout,
    start_server,
    stop_server,
)

__all__ = ["AppServer", "MarimoServer", "VoilaServer"]

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class AppServer:
    """One server process serving ``root_dir``; subclasses say how to start it."""

    base_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    name: str = "app"
    log_path: Path = field(init=False)
    root_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.base_dir / f"{self.name}.log"
        self.root_dir = self.base_dir / "root"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def page_url(self, rel_path: str) -> str:
        """The page that shows the file at ``rel_path`` (relative to the root)."""
        raise NotImplementedError

    #: Path polled until it answers 200 (the server is ready).
    ready_path = "/"

    def environment(self) -> dict[str, str]:
        b = self.base_dir
        env = dict(os.environ)
        env.update(
            {
                "JUPYTER_CONFIG_DIR": str(b / "config"),
                "JUPYTER_DATA_DIR": str(b / "data"),
                "JUPYTER_RUNTIME_DIR": str(b / "runtime"),
                "IPYTHONDIR": str(b / "ipython"),
                "HOME": str(b / "home"),  # marimo keeps its config and recent files there
                "XDG_CONFIG_HOME": str(b / "home" / ".config"),
                "XDG_CACHE_HOME": str(b / "home" / ".cache"),
                "XDG_STATE_HOME": str(b / "home" / ".state"),
            }
        )
        return for_this_checkout(env)

    def prepare(self) -> None:
        for sub in ("config", "data", "runtime", "ipython", "home/.config", "root"):
            (self.base_dir / sub).mkdir(parents=True, exist_ok=True)

    def start(self, timeout: float = SERVER_START_TIMEOUT) -> None:
        self.prepare()
        self.process = start_server(
            self.command(),
            name=self.name,
            cwd=self.root_dir,
            env=self.environment(),
            log_path=self.log_path,
            ready=self._ready,
            timeout=timeout,
        )

    def _ready(self) -> bool:
        with _OPENER.open(self.url + self.ready_path, timeout=2) as resp:
            return bool(resp.status == 200)

    def stop(self, timeout: float = SERVER_STOP_TIMEOUT) -> None:
        stop_server(self.process, timeout)


@dataclass
class MarimoServer(AppServer):
    """``marimo edit`` (``mode="edit"``) or ``marimo run`` (``mode="run"``) on the root."""

    mode: str = "edit"
    #: Files copied into the root before the server starts: relative path -> source.
    #: ``marimo run`` serves only the files that are there when it starts.
    apps: dict[str, Path] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in ("edit", "run"):
            raise ValueError(f"mode must be 'edit' or 'run', not {self.mode!r}")
        self.name = f"marimo-{self.mode}"
        super().__post_init__()

    ready_path = "/health"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "marimo",
            "-y",  # never ask: there is no one to answer
            self.mode,
            str(self.root_dir),
            "--headless",
            "--host=127.0.0.1",
            f"--port={self.port}",
            "--no-token",
            "--no-sandbox",
        ]

    def prepare(self) -> None:
        super().prepare()
        for rel, source in self.apps.items():
            target = self.root_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
        # No telemetry, no update check, no AI, cells run when a notebook opens.
        config = self.base_dir / "home" / ".config" / "marimo"
        config.mkdir(parents=True, exist_ok=True)
        (config / "marimo.toml").write_text(
            '[runtime]\nauto_instantiate = true\non_cell_change = "autorun"\n'
            '[package_management]\nmanager = "pip"\n'
            "[completion]\ncopilot = false\nactivate_on_typing = false\n"
        )

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env["MARIMO_SKIP_UPDATE_CHECK"] = "1"
        env["MARIMO_DISABLE_TELEMETRY"] = "1"
        return env

    def page_url(self, rel_path: str) -> str:
        return f"{self.url}/?file={urllib.parse.quote(rel_path)}"

    def app_folder(self, name: str, source: Path) -> Path:
        """The folder ``name`` of the root holding a copy of the app ``source``.

        ``marimo edit`` takes a copy made now; ``marimo run`` only one listed in ``apps``.
        """
        folder = self.root_dir / name
        target = folder / source.name
        if not target.exists():
            if self.mode == "run":
                raise AssertionError(
                    f"marimo run serves only the files there when it started: add"
                    f" {name}/{source.name} to the server's apps"
                )
            folder.mkdir(parents=True)
            shutil.copy(source, target)
        return folder


@dataclass
class VoilaServer(AppServer):
    """``voila <root>``: every notebook under the root as an app, a fresh kernel per page."""

    name: str = "voila"

    def prepare(self) -> None:
        super().prepare()
        # The kernel runs exactly the interpreter of the tests (see support.lab).
        spec_dir = self.base_dir / "data" / "kernels" / "python3"
        spec_dir.mkdir(parents=True, exist_ok=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec))

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "voila",
            str(self.root_dir),
            "--no-browser",
            f"--port={self.port}",
            "--Voila.port_retries=0",
            "--Voila.ip=127.0.0.1",
            "--show_tracebacks=True",
        ]

    def page_url(self, rel_path: str) -> str:
        return f"{self.url}/voila/render/{urllib.parse.quote(rel_path)}"
