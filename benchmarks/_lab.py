"""One JupyterLab server and one headless Chromium for a benchmark script, outside pytest.

Uses the harness the browser tests use (``support/lab.py``, no test code): the same
server, the same guarded page (:class:`Lab`) and notebooks (:class:`Notebook`); only
the pytest fixtures of ``tests/browser/conftest.py`` are replaced by :func:`lab_session`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from support.lab import (  # noqa: E402
    CHROMIUM_ARGS,
    JupyterLabServer,
    Lab,
    Notebook,
    chromium_executable,
    free_port,
)

__all__ = ["ECHO_WIDGET", "Lab", "Notebook", "lab_session"]


#: Kernel code for the baseline every widget benchmark compares with: the raw round trip
#: of a trivial trait echo (JS sets ``ping``, a Python observer sets ``pong = ping``, JS
#: sees ``change:pong``). ``el.__ping(n)`` in the page resolves when the echo is back.
ECHO_WIDGET = '''
import anywidget, traitlets

class Echo(anywidget.AnyWidget):
    """The raw round trip: JS sets ping, Python sets pong = ping, JS sees change:pong."""
    _esm = """
    export default { render({ model, el }) {
      el.classList.add("bench-echo");
      let want = null, done = null;
      model.on("change:pong", () => {
        if (done && model.get("pong") === want) { const d = done; done = null; d(); }
      });
      el.__ping = (n) => new Promise((resolve) => {
        want = n; done = resolve;
        model.set("ping", n); model.save_changes();
      });
    } };
    """
    ping = traitlets.Int(0).tag(sync=True)
    pong = traitlets.Int(0).tag(sync=True)

    @traitlets.observe("ping")
    def _echo(self, change):
        self.pong = change["new"]
'''


@contextlib.contextmanager
def lab_session(name: str = "bench", *, keep: bool = False) -> Iterator[Lab]:
    """A guarded JupyterLab page on a fresh server and browser; everything stopped after.

    The page carries the tests' network guard (requests to other hosts are aborted and
    reported; websockets are watched, not routed, so the kernel's socket runs at full speed).

    The server, its Jupyter dirs and Chromium's temporary profile live in one temporary
    folder that this function owns (``TMPDIR`` points into it while it runs) and removes
    at the end unless ``keep``. The server's root is ``lab.server.root_dir``.
    """
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix=f"nblabel-{name}-"))
    tmp = base / "tmp"
    tmp.mkdir()
    old_tmp = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = None
    server = JupyterLabServer(base_dir=base / "jupyter", port=free_port())
    server.base_dir.mkdir()
    try:
        server.start()
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium_executable(), headless=True, args=list(CHROMIUM_ARGS)
            )
            try:
                context = browser.new_context(
                    service_workers="block", viewport={"width": 1280, "height": 900}
                )
                page = context.new_page()
                lab = Lab(page, server, name)
                try:
                    yield lab
                finally:
                    lab.close()
                    lab.assert_no_blocked()
            finally:
                browser.close()
    finally:
        server.stop()
        if old_tmp is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old_tmp
        tempfile.tempdir = None
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
