"""Support code for nblabel's browser tests and benchmarks (not part of the package).

``support.lab`` starts a real JupyterLab or Notebook 7 server and drives it in
Debian's Chromium through Playwright. ``tests/browser`` and ``benchmarks`` both
import it, so a benchmark never imports test code. It is not in the wheel or
the sdist.
"""
