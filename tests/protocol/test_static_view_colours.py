"""Every widget's static view colours a label as its page does, with a spec's own colour."""

from __future__ import annotations

import base64
import io
import re
import uuid

import numpy as np
import soundfile as sf
from PIL import Image

import nblabel as nl
from nblabel import palette
from tests.unit.video_samples import make_video

MAGENTA = "#ff00ff"
SPECS = {"cat": {"color": MAGENTA}, "dog": "any dog"}


def picture(widget) -> np.ndarray:
    """The RGB pixels of the PNG in the widget's static ``text/html`` view."""
    html = widget._repr_mimebundle_()[0]["text/html"]
    found = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert found, html
    with Image.open(io.BytesIO(base64.b64decode(found.group(1)))) as im:
        return np.asarray(im.convert("RGB")).astype(int)


def count(rgb: np.ndarray, colour: str, tol: int = 3) -> int:
    want = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb - want).max(axis=-1) <= tol).sum())


def blend(colour: str, alpha: float) -> str:
    """``colour`` drawn at ``alpha`` over white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - alpha * (255 - c)):02x}" for c in rgb)


def test_image_widget(tmp_path, drive):
    path = tmp_path / "grey.png"
    Image.fromarray(np.full((200, 300, 3), 128, np.uint8)).save(path)
    w = nl.ImageAnnotator(
        [str(path)], labels=SPECS, tools=["box"], annotator="ana", store=tmp_path / "s.db"
    )
    page = drive(w)
    page.hello()
    page.item_at(0)
    rows = [
        {"id": "a", "kind": "box", "label": "cat", "x": 20, "y": 30, "width": 100, "height": 120},
        {"id": "b", "kind": "box", "label": "dog", "x": 160, "y": 30, "width": 100, "height": 120},
    ]
    assert page.edit(str(path), rows)["type"] == "saved"
    rgb = picture(w)
    assert count(rgb, MAGENTA) > 100
    assert count(rgb, palette.COLOURS[1]) > 100  # dog: the page's second colour
    assert count(rgb, palette.COLOURS[0]) == 0


def test_text_widget(tmp_path, drive):
    doc = "Ada Lovelace met Charles Babbage in London."
    w = nl.TextAnnotator(
        [doc], labels={"PER": {"color": MAGENTA}}, annotator="ana", store=tmp_path / "t.db"
    )
    page = drive(w)
    page.hello()
    page.item_at(0)
    span = {"id": "s", "kind": "span", "label": "PER", "start": 0, "end": 12}
    assert page.edit(w.item_ids[0], [span])["type"] == "saved"
    assert count(picture(w), MAGENTA) > 30


def test_audio_widget(tmp_path, drive):
    path = tmp_path / "talk.wav"
    sf.write(path, (0.05 * np.sin(np.linspace(0, 2000, 16000 * 4))).astype(np.float32), 16000)
    w = nl.AudioAnnotator(
        [str(path)],
        labels={"alice": {"color": MAGENTA}, "bob": None},
        annotator="ana",
        store=tmp_path / "a.db",
    )
    page = drive(w)
    page.hello()
    page.item_at(0)
    seg = {"id": "s", "kind": "segment", "label": "alice", "start": 0.5, "end": 2.5}
    assert page.edit(str(path), [seg])["type"] == "saved"
    rgb = picture(w)
    # the legend's patch: the label's colour at alpha 0.6 over white, as the page's swatch
    assert count(rgb, blend(MAGENTA, 0.6)) > 50
    assert count(rgb, blend(palette.COLOURS[0], 0.6)) == 0


def test_video_widget(tmp_path, drive):
    path = str(make_video(tmp_path / "walk.mp4", 10, width=160, height=120))
    w = nl.VideoAnnotator([path], labels=SPECS, annotator="ana", store=tmp_path / "v.db")
    page = drive(w)
    page.hello()
    page.item_at(0)
    row = {
        "id": uuid.uuid4().hex, "kind": "box", "label": "cat", "x": 20.0, "y": 20.0,
        "width": 60.0, "height": 50.0, "frame": 0, "track_id": "1", "outside": False,
    }  # fmt: skip
    assert page.edit(path, [row])["type"] == "saved"
    assert count(picture(w), MAGENTA) > 50
