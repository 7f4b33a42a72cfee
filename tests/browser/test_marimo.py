"""The widgets in marimo (``marimo edit`` and ``marimo run``), on the shipped quickstart app.

marimo renders each widget inside a shadow root: the text widget must read its selection
there (a drag and a double-click select words), keys must reach it, and the cells that
read a widget must run again after every saved edit (the page sets ``saved_edits``).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import nblabel as nl
from support.lab import REPO_ROOT

from .test_text_widget import BOX_JS, drag
from .test_themes import CONTRAST_JS

pytestmark = pytest.mark.browser

APP = REPO_ROOT / "notebooks" / "marimo_quickstart.py"
DOCS = [
    "Ada Lovelace wrote the first program for Charles Babbage in London.",
    "Grace Hopper met the team at IBM and debugged the Mark II.",
]


def open_app(app_page, server, name: str):
    folder = server.app_folder(name, APP)
    app_page.page.goto(server.page_url(f"{name}/{APP.name}"), wait_until="domcontentloaded")
    return folder


def widgets(page):
    """The text widget's root and the image widget's root (each in its shadow root)."""
    roots = page.locator("marimo-anywidget .nbl-root")
    expect(roots).to_have_count(2, timeout=90_000)
    text = page.locator("marimo-anywidget .nbl-root:has(.nbl-block)")
    image = page.locator("marimo-anywidget .nbl-root:not(:has(.nbl-block))")
    return text, image


def stored(folder) -> list[tuple[str, str, str]]:
    df = nl.Store(folder / "marimo_quickstart.db").annotations()
    return sorted(
        (str(r.kind), str(r.label), "" if not isinstance(r.text, str) else r.text)
        for r in df.itertuples()
    )


def dblclick_word(page, root, word: str) -> None:
    at = root.evaluate(
        "(root, w) => [...root.querySelectorAll('.nbl-block')]"
        ".map((b) => b.querySelector('.nbl-t').textContent).join('').indexOf(w)",
        word,
    )
    box = root.evaluate(BOX_JS, [at + 1, at + 2])
    page.mouse.dblclick(box["x0"], box["y0"])


@pytest.mark.parametrize("mode", ["edit", "run"])
def test_label_text_and_images_in_marimo_cells_follow_reload_resumes(app_page, request, mode):
    server = request.getfixturevalue(f"marimo_{mode}_server")
    page = app_page.page
    folder = open_app(app_page, server, f"{mode}-labels")
    text, image = widgets(page)
    expect(text).to_have_attribute("data-drawn", "0")

    # The mouse inside marimo's shadow root: a drag, then a double-click, each tagged by key.
    text.click(position={"x": 4, "y": 4})
    drag(app_page, text, "Lovelace")
    start = DOCS[0].index("Lovelace")
    expect(text).to_have_attribute("data-selection", f"{start}-{start + 8}")
    page.keyboard.press("1")  # person
    dblclick_word(page, text, "London")
    start = DOCS[0].index("London")
    expect(text).to_have_attribute("data-selection", f"{start}-{start + 6}")
    page.keyboard.press("2")  # place
    expect(text).to_have_attribute("data-status", "saved")
    expect(text.locator(".nbl-bar")).to_have_count(2)
    # The cell that reads the widget ran again after each save.
    expect(page.get_by_text("2 spans saved (2 edits so far)")).to_be_visible()

    # The image widget: a key and a click on a label button.
    image.click(position={"x": 4, "y": 4})
    page.keyboard.press("1")  # warm, then the widget moves on
    expect(image).to_have_attribute("data-position", "1")
    image.locator(".nbl-label", has_text="cool").click()
    expect(image).to_have_attribute("data-status", "saved")
    expect(page.get_by_text("2 image annotations saved: label warm, label cool")).to_be_visible()
    assert stored(folder) == [
        ("label", "cool", ""),
        ("label", "warm", ""),
        ("span", "person", "Lovelace"),
        ("span", "place", "London"),
    ]

    # Reload: `marimo edit` keeps the kernel (the widget comes back where it was);
    # `marimo run` starts the app again, which resumes at the first unlabeled document.
    page.reload(wait_until="domcontentloaded")
    text, image = widgets(page)
    if mode == "edit":
        expect(text).to_have_attribute("data-drawn", "0")
        expect(text.locator(".nbl-bar")).to_have_count(2)
        text.click(position={"x": 4, "y": 4})
        page.keyboard.press("n")
    expect(text).to_have_attribute("data-drawn", "1")
    expect(image).to_have_attribute("data-position", "2")
    text.click(position={"x": 4, "y": 4})
    drag(app_page, text, "Grace Hopper")
    page.keyboard.press("1")
    expect(text).to_have_attribute("data-status", "saved")
    expect(page.get_by_text("3 spans saved")).to_be_visible()
    assert ("span", "person", "Grace Hopper") in stored(folder)
    assert app_page.page_errors == []


#: VS Code's default Dark Modern theme: the variables a notebook output sees there.
VSCODE_DARK = {
    "--vscode-editor-background": "#1f1f1f",
    "--vscode-editor-foreground": "#cccccc",
    "--vscode-descriptionForeground": "#9d9d9d",
    "--vscode-editorWidget-background": "#202020",
    "--vscode-widget-border": "#313131",
    "--vscode-focusBorder": "#0078d4",
    "--vscode-errorForeground": "#f85149",
    "--vscode-testing-iconPassed": "#73c991",
    "--vscode-editorWarning-foreground": "#cca700",
}


def test_outside_jupyterlab_widgets_follow_the_system_scheme_and_vscode(
    app_page, marimo_edit_server
):
    page = app_page.page
    open_app(app_page, marimo_edit_server, "themes")
    text, image = widgets(page)
    expect(text).to_have_attribute("data-drawn", "0")
    image.click(position={"x": 4, "y": 4})
    page.keyboard.press("2")  # a pressed label button, on the accent
    page.keyboard.press("p")
    expect(image.locator(".nbl-label.nbl-on")).to_have_count(1)
    roots = page.locator("marimo-anywidget .nbl-root")
    assert (
        roots.first.evaluate("(r) => getComputedStyle(r).getPropertyValue('--jp-layout-color1')")
        == ""
    )  # no JupyterLab variables here: the widget's own defaults and the host's decide
    bg = "(r) => getComputedStyle(r).backgroundColor"

    def readable(where: str) -> None:
        found = roots.evaluate_all(CONTRAST_JS)
        assert len(found) > 20
        failures = [f for f in found if f["ratio"] < 4.5]
        assert failures == [], f"text below 4.5:1 {where}:\n" + "\n".join(map(str, failures))

    page.emulate_media(color_scheme="light")
    assert roots.first.evaluate(bg) == "rgb(255, 255, 255)"
    readable("with a light system scheme")
    page.emulate_media(color_scheme="dark")
    assert roots.first.evaluate(bg) == "rgb(30, 30, 30)"
    readable("with a dark system scheme")
    # In VS Code, its theme's variables win over the system's scheme.
    page.emulate_media(color_scheme="light")
    page.evaluate(
        "(vars) => { document.body.classList.add('vscode-dark');"
        " for (const [k, v] of Object.entries(vars)) document.body.style.setProperty(k, v); }",
        VSCODE_DARK,
    )
    assert roots.first.evaluate(bg) == "rgb(31, 31, 31)"
    assert roots.first.evaluate("(r) => getComputedStyle(r).color") == "rgb(204, 204, 204)"
    readable("in VS Code's dark theme")
