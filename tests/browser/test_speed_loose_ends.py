"""Issue 12's loose ends in a real JupyterLab: the saved mark, the text header, span tags on
right-to-left lines, audio at another speed, and the audit of the issue's other points."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import expect

from .test_annotator_speed import overlaps
from .test_text_widget import BOX_JS, drawn, wait_saved
from .test_text_widget import widget_cell as text_cell

pytestmark = pytest.mark.browser

HE = "שלום עולם יפה מאוד היום"
AR = "مرحبا بالعالم الجميل جدا"
RTL_DOC = HE + "\n" + AR


def rtl_spans() -> list[tuple[int, int, str]]:
    """Nested spans and short spans side by side, on a Hebrew and an Arabic line."""
    out = []
    for line, base in [(HE, 0), (AR, len(HE) + 1)]:
        words = line.split(" ")
        at = [base + sum(len(w) + 1 for w in words[:k]) for k in range(len(words))]
        out += [
            (at[0], at[1] + len(words[1]), "NAME"),  # two words ...
            (at[0], at[0] + len(words[0]), "PER"),  # ... and each inside it
            (at[1], at[1] + len(words[1]), "LOC"),
            (at[2], at[2] + len(words[2]), "PER"),  # short words side by side
            (at[3], at[3] + len(words[3]), "LOC"),
        ]
    return out


def stored_spans_cell() -> str:
    rows = [
        {"id": f"s{k}", "item_id": "doc-rtl", "annotator": "ana", "kind": "span",
         "label": label, "start": s, "end": e, "text": RTL_DOC[s:e]}
        for k, (s, e, label) in enumerate(rtl_spans())
    ]  # fmt: skip
    return (
        "import nblabel as nl, pandas as pd\n"
        f"docs = pd.Series([{RTL_DOC!r}], index=['doc-rtl'])\n"
        "w = nl.TextAnnotator(docs, labels=['PER', 'LOC', 'NAME'], annotator='ana',"
        " store='labels.db')\n"
        f"w.store.upsert({rows!r})\n"
        "w"
    )


def test_saved_shows_only_after_an_edit_and_the_text_header_names_the_document(lab):
    doc = "Ada Lovelace met Charles Babbage in London."
    cell = text_cell(
        f"__import__('pandas').Series([{doc!r}], index=['letter-17'])", labels=["PER", "LOC"]
    )
    nb = lab.open_notebook([cell])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    saved = root.locator(".nbl-saved")
    # nothing has been edited: nothing to call saved
    expect(saved).to_have_text("")
    # the header names the document by its id, not by its first words
    expect(root.locator(".nbl-name")).to_have_text("letter-17")
    root.click()
    box = root.evaluate(BOX_JS, [1, 2])
    lab.page.mouse.dblclick(box["x0"], box["y0"])
    lab.page.keyboard.press("1")
    wait_saved(nb, root)
    expect(saved).to_have_text("✓ Saved")
    assert nb.eval_json("w.annotations['label'].tolist()") == ["PER"]
    assert lab.page_errors == []


def test_span_tags_are_readable_and_apart_on_right_to_left_lines(lab):
    nb = lab.open_notebook([stored_spans_cell()])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    tags = root.locator(".nbl-tag")
    expect(tags).to_have_count(10)
    lab.page.wait_for_timeout(100)  # one frame: tags are moved apart after layout
    assert sorted(tags.all_inner_texts()) == sorted(label for *_, label in rtl_spans())
    boxes = [t.bounding_box() for t in tags.all()]
    assert overlaps(boxes) == [], boxes
    doc = root.locator(".nbl-doc").bounding_box()
    for t, b in zip(tags.all(), boxes, strict=True):
        assert t.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 11
        assert b["height"] >= 11
        # inside the document's box, so that no tag is cut off at an edge
        assert doc["x"] - 0.5 <= b["x"]
        assert b["x"] + b["width"] <= doc["x"] + doc["width"] + 0.5
        # not clipped: the label is shown whole
        assert t.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    # each tag sits at its span's start, which is its right end on a right-to-left line
    starts = root.evaluate(
        """(root, spans) => spans.map(([id, start]) => {
          const tag = root.querySelector(`.nbl-tag[data-id="${id}"]`).getBoundingClientRect();
          const block = [...root.querySelectorAll('.nbl-block')]
            .filter((b) => Number(b.dataset.start) <= start).pop();
          const node = block.querySelector('.nbl-t').firstChild;
          const range = document.createRange();
          const at = start - Number(block.dataset.start);
          range.setStart(node, at);
          range.setEnd(node, at + 1);
          const ch = range.getBoundingClientRect();
          return [tag.left, tag.right, ch.left, ch.right];
        })""",
        [[f"s{k}", s] for k, (s, _e, _l) in enumerate(rtl_spans())],
    )
    for k, (tag_left, tag_right, ch_left, ch_right) in enumerate(starts):
        # the tag covers or touches the span's first character, or was moved
        # off it (leftwards, into the line's reading direction) only by other tags
        assert tag_left <= ch_right + 0.5, (k, tag_left, tag_right, ch_left, ch_right)
    assert lab.page_errors == []


# Every buffer the page plays, as Web Audio gets it: its rate, length and first samples.
RECORD_SOURCES_JS = """() => {
  window.__sources = [];
  const start = AudioBufferSourceNode.prototype.start;
  AudioBufferSourceNode.prototype.start = function (when, offset, ...rest) {
    const data = this.buffer.getChannelData(0);
    const skip = Math.round((offset ?? 0) * this.buffer.sampleRate);
    window.__sources.push({
      rate: this.playbackRate.value,
      sampleRate: this.buffer.sampleRate,
      duration: this.buffer.duration,
      offset: offset ?? 0,
      head: Array.from(data.subarray(skip, skip + 8000)),
    });
    return start.call(this, when, offset, ...rest);
  };
}"""


def pitch(samples: list[float], rate: float) -> float:
    """A tone's frequency from its upward zero crossings."""
    x = np.asarray(samples)
    ups = np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0))
    exact = ups + -x[ups] / (x[ups + 1] - x[ups])
    return float((len(exact) - 1) * rate / (exact[-1] - exact[0]))


def tone_wav(hz: float = 220.0, seconds: float = 8.0, rate: int = 16_000) -> bytes:
    t = np.arange(round(seconds * rate)) / rate
    buf = io.BytesIO()
    sf.write(
        buf,
        (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32),
        rate,
        format="WAV",
        subtype="PCM_16",
    )
    return buf.getvalue()


def test_audio_at_half_speed_keeps_its_pitch_and_the_playhead_follows(lab):
    from .test_audio_widget import widget_cell as audio_cell

    # 2 s chunks: playing at 0.5x goes on into chunks fetched (and stretched) while playing
    nb = lab.open_notebook([audio_cell(chunk_seconds="2")], cwd_files={"talk.wav": tone_wav()})
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    lab.page.evaluate(RECORD_SOURCES_JS)
    root.locator(".nbl-speed").select_option("0.5")
    root.locator(".nbl-play").click()
    expect(root).to_have_attribute("data-playing", "true")
    # the playhead moves at half the wall clock's pace
    moved = lab.page.evaluate(
        """async (root) => {
          await new Promise((r) => setTimeout(r, 300));
          const t0 = Number(root.dataset.time), w0 = performance.now();
          await new Promise((r) => setTimeout(r, 2500));
          return [Number(root.dataset.time) - t0, (performance.now() - w0) / 1000];
        }""",
        root.element_handle(),
    )
    assert moved[0] == pytest.approx(0.5 * moved[1], abs=0.12), moved
    root.locator(".nbl-play").click()
    expect(root).to_have_attribute("data-playing", "false")
    sources = lab.page.evaluate("window.__sources")
    assert len(sources) >= 2, sources  # the first chunk and the next one, at least
    for s in sources:
        heard = pitch(s["head"], s["sampleRate"]) * s["rate"]  # what reaches the ear
        assert heard == pytest.approx(220.0, rel=0.01), (heard, s["rate"])
    # each chunk lasts twice as long: 2 s of the recording in 4 s of sound
    assert sources[0]["duration"] == pytest.approx(4.0, abs=0.01)
    # back at 1x: the chunk plays as it is
    lab.page.evaluate("window.__sources = []")
    root.locator(".nbl-speed").select_option("1")
    root.locator(".nbl-play").click()
    lab.page.wait_for_function("() => window.__sources.length > 0")
    root.locator(".nbl-play").click()
    first = lab.page.evaluate("window.__sources[0]")
    assert (first["rate"], first["duration"]) == (1, pytest.approx(2.0, abs=0.01))
    assert pitch(first["head"], first["sampleRate"]) == pytest.approx(220.0, rel=0.01)
    assert lab.page_errors == []


# -- the audit of issue 12's other points: what had no browser test yet ---------------------


def test_u_and_shift_u_go_to_the_next_and_previous_unlabeled_item(lab):
    from .test_image_widget import kernel_labels, photo_files
    from .test_image_widget import widget_cell as image_cell

    nb = lab.open_notebook([image_cell()], cwd_files=photo_files(5))
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    root.focus()
    keys = lab.page.keyboard
    keys.press("n")
    expect(root).to_have_attribute("data-drawn", "1")
    keys.press("1")  # item 1 labeled: on to item 2
    expect(root).to_have_attribute("data-drawn", "2")
    keys.press("2")  # item 2 labeled: on to item 3
    expect(root).to_have_attribute("data-drawn", "3")
    keys.press("Shift+U")  # the previous unlabeled item: 0, over 2 and 1
    expect(root).to_have_attribute("data-drawn", "0")
    keys.press("u")  # the next unlabeled item: 3, over 1 and 2
    expect(root).to_have_attribute("data-drawn", "3")
    keys.press("u")
    expect(root).to_have_attribute("data-drawn", "4")
    keys.press("u")  # after the last, from the first
    expect(root).to_have_attribute("data-drawn", "0")
    expect(root.locator(".nbl-left")).to_have_text("· 3 left")
    wait_saved(nb, root)
    assert kernel_labels(nb) == {"p1.jpg": "cat", "p2.jpg": "dog"}
    assert lab.page_errors == []


def test_the_help_is_a_compact_popover_that_leaves_the_item_visible(lab):
    from .test_image_widget import photo_files
    from .test_image_widget import widget_cell as image_cell

    nb = lab.open_notebook([image_cell()], cwd_files=photo_files(2))
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    root.focus()
    lab.page.keyboard.press("?")
    help_box = root.locator(".nbl-help")
    expect(help_box).to_be_visible()
    h = help_box.bounding_box()
    stage = root.locator(".nbl-stage").bounding_box()
    # at most half the stage's width, and most of the item stays in view
    assert h["width"] <= 0.5 * stage["width"] + 1
    covered = max(
        0.0, min(h["x"] + h["width"], stage["x"] + stage["width"]) - max(h["x"], stage["x"])
    )
    covered *= max(
        0.0, min(h["y"] + h["height"], stage["y"] + stage["height"]) - max(h["y"], stage["y"])
    )
    assert covered <= 0.5 * stage["width"] * stage["height"]
    # the middle of the stage's left half is the item, not the help
    hit = lab.page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('.nbl-help') === null",
        [stage["x"] + stage["width"] / 4, stage["y"] + stage["height"] / 2],
    )
    assert hit
    lab.page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()
    assert lab.page_errors == []


def test_zero_has_one_meaning_in_the_image_widget_and_keeps_boxes_and_the_view(lab):
    from .test_image_regions import Canvas, cell, photo

    nb = lab.open_notebook([cell(["box"])], cwd_files={"big.jpg": photo(800, 600)})
    c = Canvas(lab, nb)
    keys = lab.page.keyboard
    c.drag((100, 100), (300, 300))
    keys.press("2")
    keys.press("Escape")
    keys.press("Shift+Digit1")  # a whole-image label
    c.saved()
    keys.press("+")  # zoom in: 0 must not fit the view back
    expect(c.root).not_to_have_attribute("data-view", "")
    view = c.root.get_attribute("data-view")
    keys.press("0")  # whole-image labels go; the box and the view stay
    c.saved()
    assert nb.eval_json("w.annotations['kind'].astype(str).tolist()") == ["box"]
    assert c.root.get_attribute("data-view") == view
    assert lab.page_errors == []


def test_deleting_a_whole_video_track_says_so_and_is_undone_from_the_toast(lab):
    import tempfile
    from pathlib import Path

    from tests.unit.video_samples import make_video, square_box

    from .test_video_widget import CELL, H, Player, W

    with tempfile.TemporaryDirectory() as tmp:
        walk = Path(make_video(Path(tmp) / "walk.mp4", 12, width=W, height=H)).read_bytes()
    nb = lab.open_notebook([CELL], cwd_files={"walk.mp4": walk})
    p = Player(lab, nb)
    p.canvas.click(position={"x": 150, "y": 110})
    x0, y0, w, h = square_box(0, W, H)
    p.drag((x0, y0), (x0 + w, y0 + h))  # a track: its first keyframe, selected
    p.saved()
    assert nb.eval_json("len(w.annotations)") == 1
    lab.page.keyboard.press("Shift+Delete")
    p.saved()
    assert nb.eval_json("len(w.annotations)") == 0
    toast = p.root.locator(".nbl-toast")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Deleted a track (1 keyframe)")
    toast.locator(".nbl-toast-undo").click()
    p.saved()
    assert nb.eval_json("len(w.annotations)") == 1
    expect(toast).to_be_hidden()
    assert lab.page_errors == []


def test_keys_at_ten_a_second_on_slow_items_each_label_their_own_item(lab):
    """Keys that wait while the page asks the kernel for the next unlabeled item apply to
    that item: the answer moves the page once, and never back onto the item they left."""
    from .test_image_widget import photo_files
    from .test_image_widget import widget_cell as image_cell

    n = 10
    # The kernel is slow to find the next unlabeled item (as on a busy machine): keys wait
    # for its answer while items further on already reach the page.
    slow = (
        "_find = w._unlabeled_from\n"
        "def _slow(start, step, _find=_find):\n"
        "    __import__('time').sleep(0.5)\n"
        "    return _find(start, step)\n"
        "w._unlabeled_from = _slow\n"
    )
    nb = lab.open_notebook([image_cell().removesuffix("w") + slow, "w"], cwd_files=photo_files(n))
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    keys = [str(1 + i % 3) for i in range(n)]
    refused = lab.page.evaluate(
        """async ([root, keys]) => {
          root.focus();
          for (const key of keys) {
            const code = 'Digit' + key;
            root.dispatchEvent(new KeyboardEvent('keydown', {key, code, bubbles: true}));
            await new Promise((r) => setTimeout(r, 100));
          }
          const busy = () => root.dataset.status !== 'saved'
            || (root.querySelector('.nbl-live')?.textContent ?? '').startsWith('Loading');
          for (let quiet = 0; quiet < 10; ) {
            await new Promise((r) => setTimeout(r, 50));
            quiet = busy() ? 0 : quiet + 1;
          }
          return (root.nblabelSaid ?? []).filter((s) => s.includes(' not used: '));
        }""",
        [root.element_handle(), keys],
    )
    assert refused == []
    wait_saved(nb, root)
    labels = nb.eval_json(
        "{k.rsplit('/', 1)[-1]: v for k, v in w.annotations.set_index('item_id')['label'].items()}"
    )
    assert labels == {f"p{i}.jpg": ["cat", "dog", "bird"][i % 3] for i in range(n)}
    assert nb.eval_json("len(w.store.history())") == n  # no item labeled twice
    assert lab.page_errors == []
