"""The static view every widget saves with the notebook, for viewers without a kernel."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import soundfile as sf
from PIL import Image

from nblabel import AudioAnnotator, ImageAnnotator, TextAnnotator

NASTY = "<script>alert(1)</script> & $\\alpha$"


def _html(widget) -> str:
    bundle, _metadata = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live widget stays
    return bundle["text/html"]


def _png(html: str) -> Image.Image:
    found = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert found, html
    return Image.open(io.BytesIO(base64.b64decode(found.group(1))))


def test_image_widget_shows_item_progress_labels_and_a_picture(photos, tmp_path, drive):
    w = ImageAnnotator(
        photos, labels=[NASTY, "dog"], annotator="<ana>", store=tmp_path / "s.db", tools=["box"]
    )
    page = drive(w)
    page.hello()
    page.item_at(0)
    box = {"id": "b", "kind": "box", "label": NASTY, "x": 5, "y": 5, "width": 30, "height": 20}
    assert page.edit(photos[0], [box])["type"] == "saved"
    html = _html(w)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; $\\alpha$" in html
    assert "1 / 5 labeled by &lt;ana&gt;" in html
    assert "photo0.jpg" in html
    assert _png(html).size[0] > 100
    assert w._repr_mimebundle_()[0]["text/plain"] == (
        "ImageAnnotator: 1 / 5 labeled by '<ana>', showing 'photo0.jpg'"
    )


def test_text_widget_draws_the_document(tmp_path, drive):
    w = TextAnnotator(
        ["Ada met Babbage in London."], labels=["PER"], annotator="ana", store=tmp_path / "t.db"
    )
    page = drive(w)
    span = {"id": "s", "kind": "span", "label": "PER", "start": 0, "end": 3}
    assert page.edit(w.item_ids[0], [span])["type"] == "saved"
    html = _html(w)
    assert "1 / 1 labeled" in html
    assert "<code>PER</code>" in html
    _png(html)


def test_audio_widget_from_an_array_draws_its_waveform(tmp_path, drive):
    samples = np.sin(np.linspace(0, 300, 16000)).astype(np.float32)
    w = AudioAnnotator(
        [samples], labels=["a"], annotator="ana", store=tmp_path / "a.db", sample_rate=16000
    )
    assert "0 / 1 labeled" in _html(w)
    _png(_html(w))


def test_an_item_that_cannot_be_drawn_still_gives_a_card(tmp_path):
    missing = str(tmp_path / "gone.jpg")
    w = ImageAnnotator([missing], labels=["a"], annotator="ana", store=tmp_path / "m.db")
    html = _html(w)
    assert "gone.jpg" in html
    assert "0 / 1 labeled" in html
    w.close()


def test_audio_file_item(tmp_path):
    path = tmp_path / "beep.wav"
    sf.write(path, np.zeros(8000, np.float32), 8000)
    w = AudioAnnotator([str(path)], labels=["a"], annotator="ana", store=tmp_path / "b.db")
    assert "beep.wav" in _html(w)
    w.close()
