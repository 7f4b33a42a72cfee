"""One JupyterLab server and one headless Chromium for a benchmark script, outside pytest.

Reuses the browser-test harness (``tests/browser/harness.py``): the same server, the
same guarded page (:class:`Lab`) and notebooks (:class:`Notebook`); only the pytest
fixtures of ``tests/browser/conftest.py`` are replaced by :func:`lab_session`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.browser.harness import (  # noqa: E402
    _INIT_JS,
    CHROMIUM_ARGS,
    JupyterLabServer,
    Lab,
    Notebook,
    chromium_executable,
    free_port,
)

__all__ = ["Lab", "Notebook", "lab_session"]


class _HttpGuardLab(Lab):
    """:class:`Lab` whose network guard routes HTTP requests only, never websockets.

    Why: ``page.route_web_socket`` (even with a predicate that matches only outside
    URLs) puts Playwright's websocket mock in the page for every socket, the kernel's
    included, and that multiplies the transfer time of large kernel messages (measured
    here: a 2.8 MB message 40 ms -> 2-4 s, a 0.35 MB one 8 ms -> 130 ms).  With
    ``route_http=False`` nothing is routed at all.
    """

    def __init__(
        self, page: Any, server: JupyterLabServer, test_name: str, route_http: bool = True
    ) -> None:
        self.page = page
        self.server = server
        self.test_name = test_name
        self.blocked: list[str] = []
        self.allow_blocked = False
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        self.notebooks: list[Notebook] = []
        page.set_default_timeout(30_000)
        page.add_init_script(_INIT_JS)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("console", self._on_console)
        if route_http:
            page.route("**/*", self._guard)


@contextlib.contextmanager
def lab_session(name: str = "bench", *, keep: bool = False, guard: str = "http") -> Iterator[Lab]:
    """A guarded JupyterLab page on a fresh server and browser; everything stopped after.

    ``guard``: ``"http"`` (default) aborts requests to other hosts but leaves websockets
    alone (see :class:`_HttpGuardLab`), ``"full"`` is the tests' guard (requests and
    websockets), ``"off"`` routes nothing.

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
                if guard == "full":
                    lab = Lab(page, server, name)
                elif guard in ("http", "off"):
                    lab = _HttpGuardLab(page, server, name, route_http=guard == "http")
                else:
                    raise ValueError(f"guard: 'http', 'full' or 'off', not {guard!r}")
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
