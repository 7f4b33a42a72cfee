"""nblabel in marimo: label text and images, and watch the table follow every saved edit.

Run it with ``marimo edit notebooks/marimo_quickstart.py`` (or ``marimo run`` for the app
view). The annotations land in ``marimo_quickstart.db`` next to this file; stop, come back
later, and the widgets resume at the first item you have not labeled.
"""

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import os

    import marimo as mo
    import numpy as np
    from PIL import Image

    import nblabel as nl

    return Image, mo, nl, np, os


@app.cell
def _(mo):
    mo.md(
        """
        # Label in marimo

        Each widget is wrapped in `mo.ui.anywidget`, so the cells that read it run again
        after every edit the store has saved: the page sets the widget's `saved_edits`
        trait when the kernel answers "saved".

        **Text**: drag or double-click over words, then press a label's number
        (`1`-`9`); `n`/`p` move between documents, `z` undoes, `?` lists every key.
        """
    )
    return


@app.cell
def _(mo, os):
    here = mo.notebook_dir() or os.getcwd()
    store = os.path.join(here, "marimo_quickstart.db")
    annotator = os.environ.get("NBLABEL_ANNOTATOR", "you")
    return annotator, here, store


@app.cell
def _(annotator, mo, nl, store):
    docs = [
        "Ada Lovelace wrote the first program for Charles Babbage in London.",
        "Grace Hopper met the team at IBM and debugged the Mark II.",
        "Marie Curie worked in Paris with Pierre Curie.",
    ]
    text = mo.ui.anywidget(
        nl.TextAnnotator(
            docs, labels=["person", "place", "organisation"], annotator=annotator, store=store
        )
    )
    text
    return (text,)


@app.cell
def _(mo, text):
    spans = text.annotations
    mo.vstack(
        [
            mo.md(f"**{len(spans)} spans** saved ({text.value['saved_edits']} edits so far)"),
            spans[["item_id", "label", "start", "end", "text"]]
            if len(spans)
            else mo.md("_Nothing labeled yet._"),
        ]
    )
    return


@app.cell
def _(Image, here, np, os):
    # Three small pictures drawn here, so the app needs no download.
    folder = os.path.join(here, "marimo_quickstart_images")
    os.makedirs(folder, exist_ok=True)
    yy, xx = np.mgrid[0:120, 0:160]
    pictures = {
        "red": np.dstack([np.full_like(xx, 220), xx, yy]),
        "green": np.dstack([xx, np.full_like(xx, 200), yy]),
        "blue": np.dstack([yy, xx, np.full_like(xx, 230)]),
    }
    paths = []
    for name, pixels in pictures.items():
        path = os.path.join(folder, f"{name}.png")
        if not os.path.exists(path):
            Image.fromarray(pixels.astype("uint8")).save(path)
        paths.append(path)
    return (paths,)


@app.cell
def _(mo):
    mo.md(
        """
        **Images**: press a label's number, or click its button, to label the whole
        picture; the widget moves on to the next one. (`tools=["box", "polygon", "brush"]`
        adds region tools.)
        """
    )
    return


@app.cell
def _(annotator, mo, nl, paths, store):
    images = mo.ui.anywidget(
        nl.ImageAnnotator(
            paths, labels=["warm", "cool"], annotator=annotator, store=store
        )
    )
    images
    return (images,)


@app.cell
def _(images, mo):
    found = images.annotations
    listed = ", ".join(f"{r.kind} {r.label}" for r in found.itertuples())
    mo.md(f"**{len(found)} image annotations** saved: {listed or 'none yet'}")
    return


if __name__ == "__main__":
    app.run()
