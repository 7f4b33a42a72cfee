"""A real JupyterLab (or Notebook 7) server, a guarded Chromium page and a notebook in it.

Shared by the browser tests and the benchmarks, and by neither shipped nor
imported from the package. The fixtures in ``tests/browser/conftest.py`` build
these objects for pytest (tests use them through the ``jupyter_lab`` and ``lab``
fixtures; see that docstring); ``benchmarks/_lab.py`` builds them for a script.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

__all__ = [
    "APPS",
    "CHROMIUM_ARGS",
    "CHROMIUM_CANDIDATES",
    "LOCAL_HOSTS",
    "LOCAL_SCHEMES",
    "NON_LOCAL_URL",
    "NOTEBOOK_TIMEOUT_MS",
    "REPO_ROOT",
    "SERVER_START_TIMEOUT",
    "SERVER_STOP_TIMEOUT",
    "JupyterLabServer",
    "Lab",
    "Notebook",
    "chromium_executable",
    "for_this_checkout",
    "free_port",
    "iter_blocked_report",
    "make_notebook",
    "strip_ansi",
]

if TYPE_CHECKING:
    from jupyter_client import BlockingKernelClient
    from playwright.sync_api import Locator, Page, Request, Route, WebSocket

REPO_ROOT = Path(__file__).resolve().parents[1]


def for_this_checkout(env: dict[str, str]) -> dict[str, str]:
    """A server's environment finished: this checkout's ``src`` first on ``PYTHONPATH`` (the
    kernel imports this nblabel even if the editable install is missing or points elsewhere),
    unbuffered output, matplotlib without a display, and no inherited Jupyter token.
    """
    src = str(REPO_ROOT / "src")
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != src]
    env["PYTHONPATH"] = os.pathsep.join([src, *paths])
    env["PYTHONUNBUFFERED"] = "1"
    env["MPLBACKEND"] = "Agg"
    env.pop("JUPYTER_TOKEN", None)
    return env


#: Hosts a page may talk to; everything else is aborted by the network guard.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
#: URL schemes that never leave the machine.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome-extension", "devtools"})

_LOCAL_URL = (
    r"(?:https?|wss?)://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:[/?#]|$)"
    r"|(?:data|blob|about|chrome-extension|devtools):"
)
#: Matches every URL that is not local. Given to page.route as a regex, it is matched in
#: Playwright's driver, so local requests (all of JupyterLab's) never make the round trip
#: to Python; only outside ones reach the guard.
NON_LOCAL_URL = re.compile(rf"^(?!{_LOCAL_URL})")

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The hard stop of the network guard: no name but the loopback ones resolves, so no
    # request or WebSocket can leave the machine, at no cost to the kernel's own socket.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
)

#: The flags of each front end ``JupyterLabServer`` can start, after the shared ones.
APPS: dict[str, tuple[str, ...]] = {
    "lab": (
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",
    ),
    # `jupyter notebook` loads JupyterLab's server extension too (its log says LabApp):
    # the same LabApp flags keep that one from fetching news or asking PyPI.
    "notebook": (
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",
    ),
}

SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 10.0
NOTEBOOK_TIMEOUT_MS = 60_000

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def chromium_executable() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return CHROMIUM_CANDIDATES[-1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"<no log: {exc}>"
    return "\n".join(text.splitlines()[-lines:])


# Direct connections only: a proxy from the environment must never see 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def start_server(
    command: list[str],
    *,
    name: str,
    cwd: Path,
    env: dict[str, str],
    log_path: Path,
    ready: Callable[[], bool],
    timeout: float = SERVER_START_TIMEOUT,
) -> subprocess.Popen[bytes]:
    """Start a server in a process group of its own, logging to ``log_path``; wait for ``ready``.

    ``ready()`` is asked every 0.2 s (a connection error counts as not ready). A
    server that exits first, or is not ready in ``timeout`` seconds (it is then
    stopped), raises a RuntimeError ending with the log's tail.
    """
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with {process.returncode} before it was ready;"
                f" log {log_path}:\n{_tail(log_path)}"
            )
        with contextlib.suppress(OSError, ValueError):
            if ready():
                return process
        if time.monotonic() > deadline:
            stop_server(process)
            raise RuntimeError(
                f"{name} not ready after {timeout:.0f} s; log {log_path}:\n{_tail(log_path)}"
            )
        time.sleep(0.2)


def stop_server(
    process: subprocess.Popen[bytes] | None, timeout: float = SERVER_STOP_TIMEOUT
) -> None:
    """Stop a server of :func:`start_server` and everything in its process group (kernels)."""
    if process is None or process.poll() is not None:
        return
    # Our own process group only (start_new_session=True): the server and its kernels.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    else:
        # Kernels are in the same group; make sure none outlives the server.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


# --------------------------------------------------------------------------- server


@dataclass
class JupyterLabServer:
    """One JupyterLab (or Notebook 7) process for the whole test session (see ``start``).

    ``app="notebook"`` starts ``jupyter notebook`` (Notebook 7) instead of ``jupyter lab``,
    with the same dirs, settings and kernel spec; only the app's own flags and the URL of a
    notebook page differ.
    """

    base_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    #: ``"lab"`` (JupyterLab) or ``"notebook"`` (Notebook 7).
    app: str = "lab"
    log_path: Path = field(init=False)
    root_dir: Path = field(init=False)
    runtime_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        if self.app not in APPS:
            raise ValueError(f"app must be one of {sorted(APPS)}, not {self.app!r}")
        self.log_path = self.base_dir / "jupyter.log"
        self.root_dir = self.base_dir / "root"
        self.runtime_dir = self.base_dir / "runtime"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, rel_path: str) -> str:
        """The page that opens the notebook at ``rel_path`` (relative to the root)."""
        quoted = urllib.parse.quote(rel_path)
        if self.app == "notebook":
            return f"{self.url}/notebooks/{quoted}"
        return f"{self.url}/lab/tree/{quoted}?reset"

    # -- lifecycle ---------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        b = self.base_dir
        env = dict(os.environ)
        env.update(
            {
                "JUPYTER_CONFIG_DIR": str(b / "config"),
                "JUPYTER_DATA_DIR": str(b / "data"),
                "JUPYTER_RUNTIME_DIR": str(self.runtime_dir),
                "JUPYTERLAB_SETTINGS_DIR": str(b / "lab-settings"),
                "JUPYTERLAB_WORKSPACES_DIR": str(b / "lab-workspaces"),
                "IPYTHONDIR": str(b / "ipython"),
            }
        )
        return for_this_checkout(env)

    def _write_config(self) -> None:
        b = self.base_dir
        for sub in ("config", "data", "runtime", "lab-workspaces", "ipython", "root"):
            (b / sub).mkdir(parents=True, exist_ok=True)
        settings = b / "lab-settings"
        files = {
            "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
                "fetchNews": "false",
                "checkForUpdates": False,
            },
            "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        }
        for rel, value in files.items():
            path = settings / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        # The kernel runs exactly the interpreter of the tests, whatever `python` on PATH
        # is. JUPYTER_DATA_DIR comes first on the kernel spec path, so this one wins.
        spec_dir = b / "data" / "kernels" / "python3"
        spec_dir.mkdir(parents=True, exist_ok=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "metadata": {"debugger": True},
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
        # No build check on each page load: it runs `node` on JupyterLab's helper scripts,
        # which costs a second or two of a 2-core box and fails anyway when the venv sits
        # under a package.json with "type": "module" (this repo's).
        labconfig = b / "config" / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        (labconfig / "page_config.json").write_text(
            json.dumps({"buildCheck": False, "buildAvailable": False})
        )

    def command(self) -> list[str]:
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            self.app,
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={self.root_dir}",
            "--ContentsManager.allow_hidden=True",
            *APPS[self.app],
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def start(self, timeout: float = SERVER_START_TIMEOUT) -> None:
        self._write_config()
        self.process = start_server(
            self.command(),
            name=f"jupyter {self.app}",
            cwd=self.root_dir,
            env=self.environment(),
            log_path=self.log_path,
            ready=lambda: self.request("GET", "/api/status", timeout=2) is not None,
            timeout=timeout,
        )

    def stop(self, timeout: float = SERVER_STOP_TIMEOUT) -> None:
        stop_server(self.process, timeout)

    # -- REST --------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, *, timeout: float = 10) -> Any:
        """Call the server's REST API; returns the decoded JSON (None for an empty body)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with _OPENER.open(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else {}

    def sessions(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "/api/sessions"))

    def delete_session(self, session_id: str) -> None:
        with contextlib.suppress(urllib.error.HTTPError):
            self.request("DELETE", f"/api/sessions/{session_id}", timeout=30)


# --------------------------------------------------------------------------- page side

# Installed with add_init_script, so it is there again after every reload.
_INIT_JS = r"""
window.__nbl = {
  panel(path) {
    const app = window.jupyterapp;
    if (!app || !app.shell) return null;
    for (const w of app.shell.widgets('main')) {
      if (w.context && w.context.path === path && w.content && w.sessionContext) return w;
    }
    return null;
  },
  codeCells(panel) {
    return panel.content.widgets.filter((c) => c.model.type === 'code');
  },
  kernelIdle(panel) {
    const s = panel.sessionContext.session;
    const ok = !!(s && s.kernel && s.kernel.status === 'idle'
                  && s.kernel.connectionStatus === 'connected');
    if (ok) window.__nbl.track(s.kernel);
    return ok;
  },
  // Comm messages the page sent (widget updates) that the kernel has not answered with an
  // idle status yet: msg_id -> [msg_type, performance.now() when sent].
  pending: new Map(),
  track(kernel) {
    if (kernel.__nblTracked) return;
    kernel.__nblTracked = true;
    kernel.anyMessage.connect((_, args) => {
      const m = args.msg;
      const type = m.header.msg_type;
      if (args.direction === 'send') {
        if (type === 'comm_msg' || type === 'comm_open' || type === 'comm_close') {
          window.__nbl.pending.set(m.header.msg_id, [type, performance.now()]);
        }
      } else if (type === 'status' && m.content.execution_state === 'idle' && m.parent_header) {
        window.__nbl.pending.delete(m.parent_header.msg_id);
      }
    });
  },
  commIdle() {
    return window.__nbl.pending.size === 0;
  },
  ready(path) {
    const p = window.__nbl.panel(path);
    return !!(p && p.context.isReady && p.content.widgets.length > 0
              && window.__nbl.kernelIdle(p) && !window.__nbl.running(p));
  },
  running(p) {
    return window.__nbl.codeCells(p).some((c) => c.model.executionState === 'running');
  },
  hasError(cell) {
    const outs = cell.model.outputs;
    for (let i = 0; i < outs.length; i++) if (outs.get(i).type === 'error') return true;
    return false;
  },
  // Every non-empty code cell has run (or one failed, which stops run-all) and the kernel
  // is idle.
  settled(path, fromIndex) {
    const p = window.__nbl.panel(path);
    if (!p || !window.__nbl.kernelIdle(p)) return false;
    const cells = window.__nbl.codeCells(p).slice(fromIndex || 0);
    if (cells.some((c) => c.model.executionState === 'running')) return false;
    if (cells.some((c) => window.__nbl.hasError(c) && c.model.executionCount !== null)) return true;
    return cells.every((c) => c.model.executionCount !== null
                              || c.model.sharedModel.getSource().trim() === '');
  },
  errors(path, fromIndex) {
    const p = window.__nbl.panel(path);
    const found = [];
    window.__nbl.codeCells(p).forEach((c, i) => {
      if (i < (fromIndex || 0)) return;
      const outs = c.model.outputs;
      for (let j = 0; j < outs.length; j++) {
        const o = outs.get(j).toJSON();
        if (o.output_type === 'error') {
          found.push({index: i, source: c.model.sharedModel.getSource(),
                      text: [o.ename + ': ' + o.evalue, ...(o.traceback || [])].join('\n')});
        }
      }
    });
    return found;
  },
};
"""


@dataclass
class Notebook:
    """A notebook open in the page, with a kernel client joined to the page's kernel."""

    lab: Lab
    path: str  # relative to the server root, with forward slashes
    directory: Path
    session_id: str = ""
    kernel_id: str = ""
    panel_id: str = ""
    _kernel: BlockingKernelClient | None = None

    @property
    def page(self) -> Page:
        return self.lab.page

    @property
    def server(self) -> JupyterLabServer:
        return self.lab.server

    # -- readiness ---------------------------------------------------------------------

    def _wait_ready(self, timeout_ms: float = NOTEBOOK_TIMEOUT_MS) -> None:
        self.page.wait_for_function(
            "(path) => window.__nbl.ready(path)", arg=self.path, timeout=timeout_ms
        )
        self.panel_id = self.page.evaluate(
            "(path) => { const p = window.__nbl.panel(path);"
            " window.jupyterapp.shell.activateById(p.id); return p.id; }",
            self.path,
        )

    def wait_for_kernel_idle(self, timeout: float = 30) -> None:
        """Wait until the page's kernel reports idle and no cell is running."""
        self.page.wait_for_function(
            "(path) => window.__nbl.ready(path)", arg=self.path, timeout=timeout * 1000
        )

    def wait_for_comm_idle(self, timeout: float = 10) -> None:
        """Wait until the kernel has answered every comm message the page sent.

        ``run``/``eval_json`` call this first. Why: ipykernel 7 dispatches a comm message
        that arrives while an execute request is in progress *concurrently* and then never
        publishes its busy/idle status. ipywidgets' front end throttles a model's updates
        until that idle comes, so the model would stop syncing for good (the page shows 2
        clicks, the kernel keeps 1). Hence: never execute while widget updates are in flight.
        """
        try:
            self.page.wait_for_function("() => window.__nbl.commIdle()", timeout=timeout * 1000)
        except Exception as exc:
            pending = self.page.evaluate(
                "() => [...window.__nbl.pending].map(([id, [t, at]]) =>"
                " `${t} ${id} sent ${Math.round(performance.now() - at)} ms ago`)"
            )
            raise AssertionError(
                "comm messages from the page got no idle status from the kernel:\n  "
                + "\n  ".join(pending)
            ) from exc

    def _wait_settled(self, from_index: int, timeout: float) -> None:
        self.page.wait_for_function(
            "([path, i]) => window.__nbl.settled(path, i)",
            arg=[self.path, from_index],
            timeout=timeout * 1000,
        )
        errors = self.page.evaluate(
            "([path, i]) => window.__nbl.errors(path, i)", [self.path, from_index]
        )
        if errors:
            parts = [
                f"cell {e['index']} raised:\n--- source ---\n{e['source']}\n--- error ---\n"
                f"{strip_ansi(e['text'])}"
                for e in errors
            ]
            raise AssertionError(f"{self.path}: " + "\n\n".join(parts))

    def _find_session(self) -> None:
        for s in self.server.sessions():
            if s.get("path") == self.path or (s.get("notebook") or {}).get("path") == self.path:
                self.session_id = s["id"]
                self.kernel_id = s["kernel"]["id"]
                return
        raise AssertionError(f"no kernel session for {self.path}: {self.server.sessions()}")

    # -- running code in the page ------------------------------------------------------

    def run_all(self, timeout: float = 60) -> None:
        """Run every cell through JupyterLab's own command and raise on a cell error."""
        self.page.evaluate(
            "(id) => { window.jupyterapp.shell.activateById(id);"
            " return window.jupyterapp.commands.execute('notebook:run-all-cells'); }",
            self.panel_id,
        )
        self._wait_settled(0, timeout)

    def add_and_run_cell(self, code: str, timeout: float = 60) -> int:
        """Append a code cell, run it in the page, raise on error; returns its code-cell index."""
        index = self.page.evaluate(
            """async ([path, code]) => {
                const p = window.__nbl.panel(path);
                const app = window.jupyterapp;
                app.shell.activateById(p.id);
                const nb = p.content;
                const n = nb.model.sharedModel.cells.length;
                nb.model.sharedModel.insertCell(n, {cell_type: 'code', source: code});
                nb.activeCellIndex = n;
                nb.deselectAll();
                nb.mode = 'command';
                const index = window.__nbl.codeCells(p).length - 1;
                await app.commands.execute('notebook:run-cell');
                return index;
            }""",
            [self.path, code],
        )
        self._wait_settled(index, timeout)
        return int(index)

    def save(self) -> None:
        """Save through JupyterLab (outputs, hence widget views, go to disk)."""
        self.page.evaluate(
            "async (path) => { const p = window.__nbl.panel(path); await p.context.save(); }",
            self.path,
        )

    def reload(self, timeout_ms: float = NOTEBOOK_TIMEOUT_MS) -> None:
        """Reload the page; the kernel keeps running and widget views re-render from it.

        The notebook is saved first: widget outputs only come back after a reload if the
        notebook on disk holds them (autosave is off in these tests).
        """
        self.save()
        self.page.reload()
        self._wait_ready(timeout_ms)
        # Same kernel as before: JupyterLab re-attaches to the session of this path.
        kernel_id = self.page.evaluate(
            "(path) => window.__nbl.panel(path).sessionContext.session.kernel.id", self.path
        )
        if kernel_id != self.kernel_id:
            raise AssertionError(f"kernel changed on reload: {self.kernel_id} -> {kernel_id}")

    # -- the kernel from Python --------------------------------------------------------

    @property
    def kernel(self) -> BlockingKernelClient:
        """A ``BlockingKernelClient`` joined to the page's kernel."""
        if self._kernel is None:
            from jupyter_client import BlockingKernelClient

            conn = self.server.runtime_dir / f"kernel-{self.kernel_id}.json"
            client = BlockingKernelClient(connection_file=str(conn))
            client.load_connection_file()
            client.allow_stdin = False
            client.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
            client.wait_for_ready(timeout=30)
            self._kernel = client
        return self._kernel

    def run(self, code: str, timeout: float = 30) -> str:
        """Execute ``code`` in the page's kernel; return its stdout, raise on error."""
        stdout: list[str] = []
        errors: list[str] = []

        def hook(msg: dict[str, Any]) -> None:
            kind = msg["header"]["msg_type"]
            content = msg["content"]
            if kind == "stream" and content.get("name") == "stdout":
                stdout.append(content["text"])
            elif kind == "error":
                errors.append("\n".join(content.get("traceback") or []))

        self.wait_for_comm_idle()
        reply = self.kernel.execute_interactive(
            code, timeout=timeout, output_hook=hook, allow_stdin=False, store_history=False
        )
        content = reply["content"]
        if content.get("status") != "ok":
            text = "\n".join(errors) or "\n".join(content.get("traceback") or [])
            text = text or f"{content.get('ename')}: {content.get('evalue')}"
            raise AssertionError(f"kernel code failed:\n{code}\n--- error ---\n{strip_ansi(text)}")
        return "".join(stdout)

    def eval_json(self, expr: str, timeout: float = 30) -> Any:
        """``json.loads`` of ``print(json.dumps(<expr>))`` run in the page's kernel."""
        out = self.run(f"import json as __j\nprint(__j.dumps({expr}))", timeout=timeout)
        return json.loads(out.strip().splitlines()[-1])

    # -- locators ----------------------------------------------------------------------

    @property
    def panel(self) -> Locator:
        return self.page.locator(f'[id="{self.panel_id}"]')

    def output(self, i: int) -> Locator:
        """The output area of the i-th *code* cell (0-based; -1 is the last one)."""
        cells = self.panel.locator(".jp-CodeCell")
        cell = cells.last if i == -1 else cells.nth(i)
        return cell.locator(".jp-Cell-outputArea")

    def widget(self, selector: str, index: int = -1) -> Locator:
        """The index-th element matching ``selector`` inside any cell output (-1: last)."""
        found = self.panel.locator(f".jp-OutputArea-output {selector}")
        return found.last if index == -1 else found.nth(index)

    def press_in(self, locator: Locator, key: str) -> None:
        """Give ``locator`` keyboard focus, then press ``key`` (Playwright key syntax).

        The element is focused directly when it can take focus; otherwise it is clicked at
        its top-left corner, the most neutral spot a widget usually has.
        """
        focused = locator.evaluate(
            "(el) => { el.focus({preventScroll: false});"
            " return el === document.activeElement || el.contains(document.activeElement); }"
        )
        if not focused:
            locator.click(position={"x": 1, "y": 1})
        self.page.keyboard.press(key)

    # -- teardown ----------------------------------------------------------------------

    def close(self) -> None:
        if self._kernel is not None:
            with contextlib.suppress(Exception):
                self._kernel.stop_channels()
            self._kernel = None
        if self.session_id:
            self.server.delete_session(self.session_id)
            self.session_id = ""


_counter = itertools.count()


class Lab:
    """A guarded JupyterLab page for one test. Built by the ``lab`` fixture."""

    def __init__(self, page: Page, server: JupyterLabServer, test_name: str) -> None:
        self.page = page
        self.server = server
        self.test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)[:60] or "test"
        self.blocked: list[str] = []
        #: Set True in a test that blocks a request on purpose (the guard still aborts it).
        self.allow_blocked = False
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        self.notebooks: list[Notebook] = []
        page.set_default_timeout(30_000)
        page.add_init_script(_INIT_JS)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("console", self._on_console)
        page.route(NON_LOCAL_URL, self._guard)
        # WebSockets bypass page.route. Routing them (page.route_web_socket) would proxy the
        # kernel's own socket through Playwright, about ten times slower for big messages,
        # even with a predicate that only matches outside hosts. So they are watched, not
        # routed: Chromium's resolver rules (CHROMIUM_ARGS) stop outside ones, and any
        # attempt is recorded here and fails the test.
        page.on("websocket", self._watch_ws)

    # -- guard -------------------------------------------------------------------------

    @staticmethod
    def is_local(url: str) -> bool:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme in LOCAL_SCHEMES:
            return True
        return parsed.scheme in {"http", "https", "ws", "wss"} and (
            (parsed.hostname or "") in LOCAL_HOSTS
        )

    def _guard(self, route: Route, request: Request) -> None:
        url = request.url
        with contextlib.suppress(Exception):  # the page may be closing
            if self.is_local(url):
                route.continue_()
            else:
                self.blocked.append(url)
                route.abort("blockedbyclient")

    def _watch_ws(self, ws: WebSocket) -> None:
        if not self.is_local(ws.url):
            self.blocked.append(ws.url)

    def assert_no_blocked(self) -> None:
        """Fail if the guard blocked anything (run by the ``lab`` fixture at teardown)."""
        if self.blocked:
            report = "\n".join(iter_blocked_report(self.blocked))
            raise AssertionError(f"the network guard blocked requests to outside hosts:\n{report}")

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    # -- notebooks ---------------------------------------------------------------------

    def open_notebook(
        self,
        cells: list[str],
        name: str | None = None,
        *,
        cwd_files: dict[str, str | bytes] | None = None,
        run: bool = True,
        timeout: float = 60,
    ) -> Notebook:
        """Write a notebook of code ``cells`` to a fresh folder, open it, run all cells.

        ``cwd_files`` maps relative paths to text or bytes written next to the notebook
        (the kernel's working directory). Raises AssertionError with the error output if
        a cell fails.
        """
        folder_name = f"{self.test_name}-{next(_counter)}-{os.getpid()}"
        directory = self.server.root_dir / folder_name
        directory.mkdir(parents=True)
        for rel, content in (cwd_files or {}).items():
            target = directory / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)
        filename = name or "test.ipynb"
        if not filename.endswith(".ipynb"):
            filename += ".ipynb"
        (directory / filename).write_text(json.dumps(make_notebook(cells), indent=1))
        rel_path = f"{folder_name}/{filename}"

        nb = Notebook(lab=self, path=rel_path, directory=directory)
        self.notebooks.append(nb)
        url = self.server.notebook_url(rel_path)
        self.page.goto(url, wait_until="domcontentloaded")
        nb._wait_ready(timeout * 1000)
        nb._find_session()
        if run:
            nb.run_all(timeout)
        return nb

    def close(self) -> None:
        for nb in self.notebooks:
            nb.close()
        with contextlib.suppress(Exception):
            self.page.unroute_all(behavior="ignoreErrors")
        with contextlib.suppress(Exception):
            self.page.close()


def make_notebook(cells: list[str]) -> dict[str, Any]:
    """An nbformat v4 notebook of code cells with the python3 kernelspec."""
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            },
            "language_info": {"name": "python"},
        },
        "cells": [
            {
                "id": f"cell-{i}",
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": source,
            }
            for i, source in enumerate(cells)
        ],
    }


def iter_blocked_report(urls: list[str]) -> Iterator[str]:
    seen: set[str] = set()
    for url in urls:
        if url not in seen:
            seen.add(url)
            yield f"  {url}"
