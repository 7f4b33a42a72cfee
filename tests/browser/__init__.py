"""Real-browser tests (JupyterLab + Chromium via Playwright)."""
