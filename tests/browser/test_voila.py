"""The widgets in Voilà: a notebook served as an app, a fresh kernel on every page load."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

import nblabel as nl
from support.lab import make_notebook

from .test_image_widget import photo_files
from .test_image_widget import widget_cell as image_cell
from .test_text_widget import drag
from .test_text_widget import widget_cell as text_cell

pytestmark = pytest.mark.browser

DOCS = ["Ada Lovelace met Charles Babbage in London.", "Grace Hopper worked at IBM."]


def open_voila(app_page, server, name: str, cells: list[str], files=None):
    folder = server.root_dir / name
    folder.mkdir()
    for rel, content in (files or {}).items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    (folder / "app.ipynb").write_text(json.dumps(make_notebook(cells)))
    app_page.page.goto(server.page_url(f"{name}/app.ipynb"), wait_until="domcontentloaded")
    return folder


def stored(db) -> list[tuple[str, str, str]]:
    df = nl.Store(db).annotations()
    return sorted(
        (
            str(r.item_id).rsplit("/", 1)[-1] if r.kind == "label" else "span",
            str(r.label),
            r.text if isinstance(r.text, str) else "",
        )
        for r in df.itertuples()
    )


def test_label_text_and_images_in_voila_then_reload_resumes(app_page, voila_server):
    page = app_page.page
    cells = [text_cell(DOCS), image_cell()]
    folder = open_voila(app_page, voila_server, "labels", cells, photo_files(3))
    roots = page.locator(".nbl-root")
    expect(roots).to_have_count(2, timeout=90_000)
    text, image = roots.nth(0), roots.nth(1)
    expect(text).to_have_attribute("data-drawn", "0")
    text.click(position={"x": 4, "y": 4})
    drag(app_page, text, "Lovelace")
    page.keyboard.press("1")  # PER
    drag(app_page, text, "London")
    page.keyboard.press("2")  # LOC
    expect(text).to_have_attribute("data-status", "saved")
    image.click(position={"x": 4, "y": 4})
    page.keyboard.press("2")  # dog, and on to the next photo
    expect(image).to_have_attribute("data-position", "1")
    image.locator(".nbl-label").first.click()  # cat, by mouse
    expect(image).to_have_attribute("data-status", "saved")
    expect(image.locator(".nbl-progress")).to_have_text("2 / 3 labeled")
    assert stored(folder / "labels.db") == sorted(
        [
            ("span", "LOC", "London"),
            ("span", "PER", "Lovelace"),
            ("p0.jpg", "dog", ""),
            ("p1.jpg", "cat", ""),
        ]
    )

    # A reload starts a new kernel: each widget resumes at its first unlabeled item.
    page.reload(wait_until="domcontentloaded")
    expect(roots).to_have_count(2, timeout=90_000)
    expect(text).to_have_attribute("data-drawn", "1")
    expect(image).to_have_attribute("data-position", "2")
    text.click(position={"x": 4, "y": 4})
    drag(app_page, text, "Grace Hopper")
    page.keyboard.press("1")
    expect(text).to_have_attribute("data-status", "saved")
    assert ("span", "PER", "Grace Hopper") in stored(folder / "labels.db")
    assert app_page.page_errors == []
    # Voilà's own page asks a CDN for Font Awesome (its template, with or without nblabel);
    # the guard aborts it, and nothing else may leave the machine.
    app_page.allow_blocked = True
    assert [u for u in app_page.blocked if not u.startswith(VOILA_FONT_AWESOME)] == []


#: The stylesheets Voilà's template loads from a CDN (aborted by the network guard).
VOILA_FONT_AWESOME = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@"
