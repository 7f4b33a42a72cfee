"""AudioAnnotator in a real JupyterLab in Chromium: play, segments by mouse and keys, the frame."""

from __future__ import annotations

import io
import sqlite3
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SR = 16_000
LABELS = ["alice", "bob"]


def talk(seconds: float = 12.0, seed: int = 0) -> bytes:
    """Two "speakers" taking turns: 2 s bursts of a low and a high voice-like tone."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * SR)) / SR
    turn = (t // 2).astype(int) % 3  # 0: alice, 1: bob, 2: silence
    f0 = np.where(turn == 0, 140.0, 260.0)
    voice = np.sin(2 * np.pi * f0 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    x = np.where(turn == 2, 0.01 * rng.standard_normal(t.size), 0.5 * voice)
    buf = io.BytesIO()
    sf.write(buf, x.astype(np.float32), SR, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def widget_cell(files: str = "['talk.wav']", **options: str) -> str:
    extra = "".join(f", {k}={v}" for k, v in options.items())
    return (
        "import nblabel as nl\n"
        f"w = nl.AudioAnnotator({files}, labels={LABELS!r}, annotator='ana', store='labels.db'"
        f"{extra})\n"
        "w"
    )


def drawn(root: Any, position: int = 0) -> None:
    expect(root).to_have_attribute("data-drawn", str(position))


def wait_saved(nb: Any, root: Any) -> None:
    expect(root).to_have_attribute("data-status", "saved")
    nb.wait_for_comm_idle()


def segments(nb: Any) -> list[dict[str, Any]]:
    return nb.eval_json(
        "w.annotations.query('kind == \"segment\"').sort_values('start')"
        "[['start', 'end', 'label', 'text']].astype(object)"
        ".where(w.annotations.notna(), None).to_dict('records')"
    )


NEXT_FRAME = "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


class Wave:
    """The waveform canvas: times to page pixels using the view the page reports."""

    def __init__(self, lab: Any, root: Any) -> None:
        self.page = lab.page
        self.root = root
        self.canvas = root.locator("canvas.nbl-wave")
        expect(self.canvas).to_be_visible()

    def geometry(self) -> tuple[float, float, float, float]:
        # data-start/data-spp are written when the page draws: let a frame pass first
        self.page.evaluate(
            "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        box = self.canvas.bounding_box()
        assert box is not None
        start = float(self.root.get_attribute("data-start") or 0)
        spp = float(self.root.get_attribute("data-spp") or 1)
        return box["x"], box["y"], start, spp

    def x_of(self, t: float) -> float:
        x, _, start, spp = self.geometry()
        return x + (t - start) / spp

    def time_at(self, page_x: float) -> float:
        x, _, start, spp = self.geometry()
        return start + (page_x - x) * spp

    def y(self) -> float:
        _, y, _, _ = self.geometry()
        return y + 110  # inside the waveform band

    def drag(self, t0: float, t1: float, steps: int = 8) -> tuple[float, float]:
        """Drag from time t0 to t1 (landing on whole pixels); return the times under them."""
        x0, x1 = round(self.x_of(t0)), round(self.x_of(t1))
        times = self.time_at(x0), self.time_at(x1)
        self.page.mouse.move(x0, self.y())
        self.page.mouse.down()
        self.page.mouse.move(x1, self.y(), steps=steps)
        self.page.mouse.up()
        return times

    def click(self, t: float) -> float:
        x = round(self.x_of(t))
        self.page.mouse.click(x, self.y())
        return self.time_at(x)


def ms(t: float) -> float:
    return round(t * 1000) / 1000


def test_play_pause_seek_across_chunks_and_loop_a_segment(lab):
    # 1 s playback chunks: playing 2 s crosses chunk boundaries, fetched while playing
    cell = widget_cell(chunk_seconds="1")
    nb = lab.open_notebook([cell], cwd_files={"talk.wav": talk()})
    root = nb.widget(".nbl-root")
    drawn(root)
    expect(root.locator(".nbl-clock")).to_have_text("0:00.000 / 0:12.000")
    wave = Wave(lab, root)
    at = wave.click(3.5)
    expect(root).to_have_attribute("data-time", str(ms(at)))
    lab.page.keyboard.press("Space")
    expect(root).to_have_attribute("data-playing", "true")
    lab.page.wait_for_function(
        "([el, t]) => Number(el.dataset.time) > t + 2.2",
        arg=[root.element_handle(), at],
    )
    lab.page.keyboard.press("Space")
    expect(root).to_have_attribute("data-playing", "false")
    stopped = float(root.get_attribute("data-time") or 0)
    assert stopped > at + 2.2
    expect(root.locator(".nbl-play")).to_have_text("▶ Play")
    # a segment from 1 s to 2 s by keys, then loop it: the playhead comes back to its start
    for key in ["Home", "ArrowRight", "[", "ArrowRight", "]"]:
        lab.page.keyboard.press(key)
    wait_saved(nb, root)
    lab.page.keyboard.press("l")
    lab.page.wait_for_function(
        "([el]) => { const t = Number(el.dataset.time);"
        " window.__high = window.__high || t > 1.8; return window.__high && t < 1.5; }",
        arg=[root.element_handle()],
    )
    expect(root).to_have_attribute("data-playing", "true")
    lab.page.keyboard.press("l")  # stop looping
    expect(root).to_have_attribute("data-playing", "false")
    # listening stored nothing but the segment
    assert nb.eval_json("len(w.annotations)") == 1
    assert lab.page_errors == []


def test_drag_a_segment_label_it_type_a_transcript_adjust_an_edge_and_undo(lab):
    nb = lab.open_notebook([widget_cell()], cwd_files={"talk.wav": talk()})
    root = nb.widget(".nbl-root")
    drawn(root)
    wave = Wave(lab, root)
    start, end = wave.drag(2.0, 4.0)
    wait_saved(nb, root)
    assert segments(nb) == [{"start": ms(start), "end": ms(end), "label": "alice", "text": None}]
    lab.page.keyboard.press("2")  # the selected segment is bob's
    lab.page.keyboard.press("Enter")
    box = root.locator(".nbl-transcript")
    expect(box).to_be_focused()
    lab.page.keyboard.type("hello <b>there</b> & 1 2 z")
    lab.page.keyboard.press("Enter")
    wait_saved(nb, root)
    text = "hello <b>there</b> & 1 2 z"
    assert segments(nb) == [{"start": ms(start), "end": ms(end), "label": "bob", "text": text}]
    # drag the end edge to 5 s
    x_end = round(wave.x_of(end))
    lab.page.mouse.move(x_end, wave.y())
    lab.page.mouse.down()
    lab.page.mouse.move(round(wave.x_of(5.0)), wave.y(), steps=6)
    lab.page.mouse.up()
    new_end = ms(wave.time_at(round(wave.x_of(5.0))))
    wait_saved(nb, root)
    assert segments(nb) == [{"start": ms(start), "end": new_end, "label": "bob", "text": text}]
    lab.page.keyboard.press("z")  # undo the edge
    wait_saved(nb, root)
    assert segments(nb)[0]["end"] == ms(end)
    lab.page.keyboard.press("Shift+Z")  # redo it
    wait_saved(nb, root)
    assert segments(nb)[0]["end"] == new_end
    with sqlite3.connect(nb.directory / "labels.db") as conn:
        live = conn.execute(
            "select kind, label, start, end, text from nblabel_annotations where deleted = 0"
        ).fetchall()
    assert live == [("segment", "bob", ms(start), new_end, text)]
    assert lab.page_errors == []


def test_mark_start_and_end_with_keys_overlap_and_delete(lab):
    nb = lab.open_notebook([widget_cell()], cwd_files={"talk.wav": talk()})
    root = nb.widget(".nbl-root")
    drawn(root)
    root.locator(".nbl-clock").click()
    for key in ["ArrowRight", "ArrowRight", "[", "ArrowRight", "ArrowRight", "ArrowRight", "]"]:
        lab.page.keyboard.press(key)
    wait_saved(nb, root)
    assert segments(nb) == [{"start": 2.0, "end": 5.0, "label": "alice", "text": None}]
    # an overlapping one for bob, from 4 s to 6 s
    lab.page.keyboard.press("Escape")
    lab.page.keyboard.press("2")
    for key in ["Home", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight", "["]:
        lab.page.keyboard.press(key)
    lab.page.keyboard.press("ArrowRight")
    lab.page.keyboard.press("ArrowRight")
    lab.page.keyboard.press("]")
    wait_saved(nb, root)
    found = segments(nb)
    assert [(s["start"], s["end"], s["label"]) for s in found] == [
        (2.0, 5.0, "alice"),
        (4.0, 6.0, "bob"),
    ]
    expect(root.locator(".nbl-seg-info")).to_contain_text("0:04.000 – 0:06.000")
    # move its end to the playhead at 7 s with "}"
    lab.page.keyboard.press("ArrowRight")
    lab.page.keyboard.press("}")
    wait_saved(nb, root)
    expect(root.locator(".nbl-seg-info")).to_contain_text("0:04.000 – 0:07.000")
    assert segments(nb)[1]["end"] == 7.0
    lab.page.keyboard.press(",")  # select the previous segment (alice's)
    expect(root.locator(".nbl-seg-info")).to_contain_text(
        "alice 0:02.000 – 0:05.000 · segment 1 of 2"
    )
    lab.page.keyboard.press("Delete")
    wait_saved(nb, root)
    assert [s["label"] for s in segments(nb)] == ["bob"]
    assert lab.page_errors == []


def test_clip_labels_navigation_and_resume_after_reload(lab):
    files = {"a.wav": talk(6.0, 1), "b.wav": talk(8.0, 2)}
    cell = widget_cell("['a.wav', 'b.wav']", clip_labels="['clean', 'noisy']")
    nb = lab.open_notebook([cell], cwd_files=files)
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.locator(".nbl-clock").click()
    lab.page.keyboard.press("Shift+Digit2")
    wave = Wave(lab, root)
    wave.drag(1.0, 2.0)
    wait_saved(nb, root)
    expect(root.locator(".nbl-clip.nbl-on")).to_have_text("noisy")
    lab.page.keyboard.press("n")
    drawn(root, 1)
    expect(root.locator(".nbl-clock")).to_have_text("0:00.000 / 0:08.000")
    root.locator(".nbl-clip", has_text="clean").click()
    wait_saved(nb, root)
    expect(root.locator(".nbl-progress")).to_have_text("2 / 2 labeled")
    got = nb.eval_json(
        "sorted((k, l) for k, l in zip(w.annotations['kind'].astype(str), w.annotations['label']))"
    )
    assert got == [["label", "clean"], ["label", "noisy"], ["segment", "alice"]]
    nb.reload()
    root = nb.widget(".nbl-root")
    drawn(root, 1)
    expect(root.locator(".nbl-clip.nbl-on")).to_have_text("clean")
    root.locator(".nbl-prev").click()
    drawn(root, 0)
    expect(root.locator(".nbl-clip.nbl-on")).to_have_text("noisy")
    assert lab.page_errors == []


def test_hostile_text_stays_text_and_a_bad_file_is_named(lab):
    hostile = "<img src=x onerror=window.__pwned=1>"
    cells = [
        "import pandas as pd\n"
        f"h = {hostile!r}\n"
        "pred = pd.DataFrame({'item_id': ['talk.wav'], 'kind': ['segment'], 'label': [h],"
        " 'start': [1.0], 'end': [3.0], 'text': [h], 'score': [0.9]})\n",
        "import nblabel as nl\n"
        "w = nl.AudioAnnotator(['talk.wav', 'broken.wav'], labels=['alice', h],"
        " annotator='ana', store='labels.db', predictions=pred)\n"
        "w",
    ]
    files = {"talk.wav": talk(), "broken.wav": b"RIFF\x10\x00\x00\x00WAVEnot really"}
    nb = lab.open_notebook(cells, cwd_files=files)
    root = nb.widget(".nbl-root")
    drawn(root)
    expect(root.locator(".nbl-label", has_text="onerror")).to_contain_text(hostile)
    root.locator(".nbl-clock").click()
    lab.page.keyboard.press(".")  # select the suggestion
    expect(root.locator(".nbl-seg-info")).to_contain_text(hostile)
    lab.page.keyboard.press("a")  # accept it
    wait_saved(nb, root)
    expect(root.locator(".nbl-transcript")).to_have_value(hostile)
    assert segments(nb) == [{"start": 1.0, "end": 3.0, "label": hostile, "text": hostile}]
    lab.page.keyboard.press("n")
    drawn_or_error = root.locator(".nbl-notice")
    expect(drawn_or_error).to_contain_text("broken.wav")
    expect(root).to_have_attribute("data-position", "1")
    lab.page.keyboard.press("p")
    drawn(root, 0)
    assert lab.page.evaluate("window.__pwned") is None
    # "a", "x", "n", "p", "z", digits... were all used inside the widget: none reached the
    # notebook ("a" would have inserted a cell, "x" cut one)
    for key in ["x", "a", "z", "1", "Enter", "Backspace"]:
        lab.page.keyboard.press(key)
    expect(nb.panel.locator(".jp-Cell")).to_have_count(2)
    assert lab.page_errors == []


def test_an_hour_long_recording_draws_zooms_and_plays_from_the_middle(lab):
    rng = np.random.default_rng(3)
    hour = (rng.standard_normal(3600 * SR) * 2000).astype(np.int16)
    buf = io.BytesIO()
    sf.write(buf, hour, SR, format="WAV", subtype="PCM_16")
    nb = lab.open_notebook([widget_cell("['hour.wav']")], cwd_files={"hour.wav": buf.getvalue()})
    root = nb.widget(".nbl-root")
    drawn(root)
    expect(root.locator(".nbl-clock")).to_have_text("0:00.000 / 1:00:00.000")
    spp = float(root.get_attribute("data-spp") or 0)
    root.locator(".nbl-clock").click()
    for _ in range(10):
        lab.page.keyboard.press("+")
    # the view is redrawn on the next animation frame
    lab.page.wait_for_function(
        "([el, spp]) => Number(el.dataset.spp) < spp / 1000", arg=[root.element_handle(), spp]
    )
    wave = Wave(lab, root)
    lab.page.keyboard.press("f")  # fit the whole clip again
    at = wave.click(1800.0)
    lab.page.keyboard.press("Space")
    lab.page.wait_for_function(
        "([el, t]) => Number(el.dataset.time) > t + 0.3", arg=[root.element_handle(), at]
    )
    lab.page.keyboard.press("Space")
    start, end = wave.drag(1800.0, 1830.0)
    wait_saved(nb, root)
    assert segments(nb) == [{"start": ms(start), "end": ms(end), "label": "alice", "text": None}]
    assert abs(start - 1800.0) < 6
    assert abs(end - 1830.0) < 6
    assert lab.page_errors == []
