"""Real-browser tests: nblabel widgets in JupyterLab, driven by Playwright in Chromium.

Run them with ``python -m pytest tests/browser -m browser``. Mark every test here with
``@pytest.mark.browser``.

What a session gets (shared by every test, started once):

* ``jupyter_lab`` -> :class:`harness.JupyterLabServer`: one ``jupyter lab`` process on a
  free port of 127.0.0.1, no token, in its own process group, with fresh Jupyter config,
  data, runtime, settings and workspace dirs under the session's tmp dir (news and autosave
  off), ``--ContentsManager.allow_hidden=True``, and a ``python3`` kernel spec that runs
  this very interpreter (``sys.executable``) with ``src/`` first on ``PYTHONPATH``, so the
  kernel imports this checkout's ``nblabel``. Useful attributes: ``url``, ``root_dir``,
  ``runtime_dir``, ``log_path`` (read it when something fails), ``request(method, path,
  body)`` for the REST API.
* ``jupyter_notebook7`` -> the same class with ``app="notebook"``: one ``jupyter notebook``
  (Notebook 7) process, set up the same way in its own dirs, with
  ``--JupyterNotebookApp.expose_app_in_browser=True``. Session-wide but lazy: it starts only
  when a test asks for ``notebook7``.
* one Chromium (the system one, headless), via pytest-playwright's ``browser``;
  ``TMPDIR`` points into the session's tmp dir so crashed launches leave nothing behind.

What a test gets:

* ``lab`` -> :class:`harness.Lab` on a fresh page (fresh browser context):

  - a network guard: any request that is not to 127.0.0.1/localhost (or data:/blob:) is
    aborted and recorded in ``lab.blocked``; the test fails at teardown if there is any.
    A test that triggers one on purpose sets ``lab.allow_blocked = True``.
  - ``lab.page_errors`` (uncaught exceptions in the page) and ``lab.console_errors``
    (``console.error`` texts). They do not fail a test by themselves; assert on them.
  - ``lab.open_notebook(cells, name=None, *, cwd_files=None) -> Notebook``: writes a
    notebook of those code cells into a fresh folder of the server root (``cwd_files``:
    ``{"relative/path": str | bytes}`` written next to it, the kernel's cwd), opens it,
    runs all cells and waits until each ran and the kernel is idle. A failing cell raises
    ``AssertionError`` with its traceback.

* ``notebook7`` -> the same :class:`harness.Lab`, guarded the same way, on the Notebook 7
  server: ``open_notebook`` opens ``/notebooks/<path>``. The ``Notebook`` helpers below work
  there unchanged (Notebook 7's shell has the same ``widgets('main')``/``activateById``, the
  same ``NotebookPanel`` and ``notebook:run-all-cells``).

* :class:`harness.Notebook`:

  - ``nb.run(code, timeout=30) -> str``: run code in the page's kernel (through a
    ``jupyter_client.BlockingKernelClient``, ``nb.kernel``) and return its stdout; an
    exception there raises ``AssertionError`` with the traceback. It first waits until
    the kernel has answered every widget message the page sent (``nb.wait_for_comm_idle``),
    so after a click, ``nb.eval_json("w.value")`` sees the click without polling. Do not
    bypass this with ``nb.kernel.execute`` while the page is syncing: ipykernel 7 gives a
    comm message that arrives during an execute request no idle status, and ipywidgets then
    holds back every later update of that model for good (page says 2, kernel keeps 1).
  - ``nb.eval_json(expr)``: the value of a JSON-able Python expression in the kernel,
    e.g. ``nb.eval_json("w.count")``. Assert on the kernel, not only on the page.
  - ``nb.output(i)``: Locator of the i-th code cell's output area;
    ``nb.widget(selector, index=-1)``: an element inside the widget outputs.
  - ``nb.add_and_run_cell(code)``: append a cell, run it in the page, raise on error.
  - ``nb.reload()``: save, reload the page, wait until ready; the kernel keeps running
    and widget views re-render from the kernel's state.
  - ``nb.wait_for_kernel_idle()``; ``nb.press_in(locator, key)`` focuses the element and
    presses a key (JupyterLab binds single keys in command mode; test that they do not
    leak out of a widget by pressing them *inside* it).
  - At teardown the notebook's kernel session is deleted and the page closed.

Style: wait with Playwright's auto-waiting locators, ``expect`` or
``page.wait_for_function`` (a JS predicate), never with sleeps. To time something in the
page use ``lab.page.evaluate`` with a promise and ``performance.now()``; Playwright's
``click()`` adds tens of ms of its own checks, ``page.mouse`` does not.

Security tests: put hostile strings (``<img src=x onerror=...>``) into traits from Python
and assert both the literal text on the page and that the payload did not run
(``lab.page.evaluate("window.__pwned")`` is None).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.lab import (
    CHROMIUM_ARGS,
    JupyterLabServer,
    Lab,
    chromium_executable,
    free_port,
)


@pytest.fixture(scope="session")
def browser_session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder this test session owns: server root, Jupyter dirs, logs, TMPDIR."""
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="session", autouse=True)
def _browser_tmpdir(browser_session_dir: Path) -> Iterator[Path]:
    """Point TMPDIR at the session's folder before Playwright's driver or Chromium start.

    Autouse so that it comes before pytest-playwright's session fixtures: the driver
    creates Chromium's temporary profiles in its own TMPDIR.
    """
    tmp = browser_session_dir / "tmp"
    tmp.mkdir(exist_ok=True)
    old = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = None  # forget the cached value
    yield tmp
    if old is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = old
    tempfile.tempdir = None


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], _browser_tmpdir: Path
) -> dict[str, Any]:
    """The system Chromium, headless unless ``--headed``."""
    headless = browser_type_launch_args.get("headless", True)
    args = [a for a in CHROMIUM_ARGS if headless or a != "--headless"]
    return {
        **browser_type_launch_args,
        "executable_path": chromium_executable(),
        "headless": headless,
        "args": args,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Service workers' requests bypass page.route, hence the network guard: keep them out.
    return {
        **browser_context_args,
        "service_workers": "block",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(scope="session")
def jupyter_lab(browser_session_dir: Path) -> Iterator[JupyterLabServer]:
    """One JupyterLab server for the whole session."""
    server = JupyterLabServer(base_dir=browser_session_dir / "jupyter", port=free_port())
    server.base_dir.mkdir()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def jupyter_notebook7(browser_session_dir: Path) -> Iterator[JupyterLabServer]:
    """One Notebook 7 server for the session, started only when a test asks for it."""
    server = JupyterLabServer(
        base_dir=browser_session_dir / "notebook7", port=free_port(), app="notebook"
    )
    server.base_dir.mkdir()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lab(page: Any, jupyter_lab: JupyterLabServer, request: pytest.FixtureRequest) -> Iterator[Lab]:
    """A guarded JupyterLab page for one test; see the module docstring."""
    yield from _guarded_page(page, jupyter_lab, request)


@pytest.fixture
def notebook7(
    page: Any, jupyter_notebook7: JupyterLabServer, request: pytest.FixtureRequest
) -> Iterator[Lab]:
    """Like ``lab``, but the page is Notebook 7's (``/notebooks/<path>``)."""
    yield from _guarded_page(page, jupyter_notebook7, request)


def _guarded_page(
    page: Any, server: JupyterLabServer, request: pytest.FixtureRequest
) -> Iterator[Lab]:
    the_lab = Lab(page, server, request.node.name)
    try:
        yield the_lab
    finally:
        the_lab.close()
    if not the_lab.allow_blocked:
        try:
            the_lab.assert_no_blocked()
        except AssertionError as exc:
            pytest.fail(str(exc), pytrace=False)
