"""Items as fsspec URLs: fsspec's memory filesystem and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import fsspec
import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from nblabel import audio, media, remote


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.full((height, width, 3), 120, np.uint8)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def memfs() -> Iterator[fsspec.AbstractFileSystem]:
    fs = fsspec.filesystem("memory")
    fs.mkdir("/nblabel-tests")
    yield fs
    fs.rm("/nblabel-tests", recursive=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        _Quiet.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Quiet.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    server.shutdown()
    server.server_close()


def test_is_url_tells_urls_from_paths():
    assert remote.is_url("s3://bucket/a.jpg")
    assert remote.is_url("memory://x/a.jpg")
    assert remote.is_url("https://example.org/a.jpg")
    assert not remote.is_url("photos/a.jpg")
    assert not remote.is_url("C:/photos/a.jpg")
    assert not remote.is_url(Path("a.jpg"))


def test_an_image_in_memory_storage_loads_at_its_size(memfs):
    memfs.pipe("/nblabel-tests/cat.jpg", _jpeg(64, 48))
    image = media.load_display_image("memory://nblabel-tests/cat.jpg", item_id="cat")
    assert (image.width, image.height) == (64, 48)
    assert media.image_size("memory://nblabel-tests/cat.jpg", item_id="cat") == (64, 48)


def test_a_missing_url_names_the_item_and_the_url(memfs):
    with pytest.raises(media.MediaError, match=r"'gone'.*not found: memory://nblabel-tests/no"):
        media.load_display_image("memory://nblabel-tests/no.jpg", item_id="gone")


def test_an_unknown_protocol_is_named():
    with pytest.raises(media.MediaError, match=r"cannot read nosuch://a/b\.jpg"):
        media.load_display_image("nosuch://a/b.jpg", item_id="x")


def test_an_image_over_http_is_downloaded_once(http_dir):
    base, folder = http_dir
    (folder / "dog.jpg").write_bytes(_jpeg(30, 20))
    url = f"{base}/dog.jpg"
    image = media.load_display_image(url, item_id="dog")
    assert (image.width, image.height) == (30, 20)
    first = len(_Quiet.requests)
    assert first >= 1
    for _ in range(2):
        image = media.load_display_image(url, item_id="dog")
        assert (image.width, image.height) == (30, 20)
    assert len(_Quiet.requests) == first  # the local disk cache serves the rest


def test_audio_over_http_decodes(http_dir):
    base, folder = http_dir
    samples = (np.sin(np.linspace(0, 200, 8000)) * 0.3).astype(np.float32)
    sf.write(folder / "beep.wav", samples, 8000)
    decoded = audio.decode(f"{base}/beep.wav", item_id="beep")
    assert decoded.sample_rate == 8000
    assert decoded.frames == 8000


def test_a_widget_labels_url_items_and_loads_them_lazily(memfs, tmp_path):
    from nblabel import ImageAnnotator

    urls = []
    for i in range(3):
        memfs.pipe(f"/nblabel-tests/p{i}.jpg", _jpeg(20 + i, 10))
        urls.append(f"memory://nblabel-tests/p{i}.jpg")
    urls.append("memory://nblabel-tests/never-read.jpg")  # absent: never touched at open
    w = ImageAnnotator(urls, labels=["a"], annotator="ana", store=tmp_path / "u.db")
    try:
        assert w.item_ids == urls
        payload, buffers = w._payload(1).result()
        assert (payload["width"], payload["height"], payload["name"]) == (21, 10, "p1.jpg")
        assert buffers
        payload, _ = w._payload(3).result()
        assert "not found: memory://nblabel-tests/never-read.jpg" in payload["error"]
    finally:
        w.close()
