"""Issue 12, "annotator speed and clarity": the defects a fast annotator met, each driven by
a person's keys and drags in a real JupyterLab and asserted in the kernel's DataFrame."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_image_regions import Canvas, cell, photo
from .test_image_widget import kernel_labels, photo_files
from .test_image_widget import wait_saved as image_saved
from .test_image_widget import widget_cell as image_cell
from .test_text_widget import BOX_JS, drawn, spans, wait_saved
from .test_text_widget import widget_cell as text_cell

pytestmark = pytest.mark.browser


def test_a_drag_inside_a_new_box_draws_a_nested_box(lab):
    nb = lab.open_notebook([cell(["box"])], cwd_files={"big.jpg": photo(800, 600)})
    c = Canvas(lab, nb)
    c.drag((100, 100), (500, 500))  # a person
    c.saved()
    assert c.root.get_attribute("data-selected") != ""  # the new box stays selected
    c.drag((200, 150), (300, 250))  # a face inside it, with the box tool still on
    c.saved()
    assert sorted(c.boxes()) == [[100.0, 100.0, 400.0, 400.0], [200.0, 150.0, 100.0, 100.0]]
    # only the selected shape's handles take the pointer: the face's corner resizes it
    c.drag((300, 250), (320, 260))
    c.saved()
    assert sorted(c.boxes()) == [[100.0, 100.0, 400.0, 400.0], [200.0, 150.0, 120.0, 110.0]]
    assert nb.eval_json("len(w.store.history())") == 3
    assert lab.page_errors == []


def test_handles_keep_their_grab_offset_and_a_still_click_writes_nothing(lab):
    nb = lab.open_notebook([cell(["box"])], cwd_files={"big.jpg": photo(800, 600)})
    c = Canvas(lab, nb)
    c.drag((100, 100), (500, 400))
    c.saved()
    scale, _, _ = c.view
    off = 3 / scale  # 3 CSS pixels off the south-east handle's centre
    grab = (500 + off, 400 + off)
    c.lab.page.keyboard.press("v")
    c.mouse.move(*c.at(*grab))
    c.mouse.down()
    c.mouse.up()
    c.saved()
    assert c.boxes() == [[100.0, 100.0, 400.0, 300.0]]
    assert nb.eval_json("len(w.store.history())") == 1  # the click wrote nothing
    # a drag of +30 CSS pixels moves the edge by 30 CSS pixels, not onto the pointer
    x, y = c.at(*grab)
    c.mouse.move(x, y)
    c.mouse.down()
    c.mouse.move(x + 30, y + 30, steps=5)
    c.mouse.up()
    c.saved()
    d = round(30 / scale)
    assert c.boxes() == [[100.0, 100.0, 400.0 + d, 300.0 + d]]
    # the body too: a click on the box without a move writes nothing
    c.click(300, 250)
    c.saved()
    assert nb.eval_json("len(w.store.history())") == 2
    assert lab.page_errors == []


def test_switching_tools_deselects_so_the_next_label_key_is_for_the_next_shape(lab):
    nb = lab.open_notebook([cell(["box", "polygon"])], cwd_files={"big.jpg": photo(800, 600)})
    c = Canvas(lab, nb)
    keys = c.lab.page.keyboard
    chip = c.root.locator(".nbl-active-chip")
    c.drag((100, 100), (300, 300))
    c.saved()
    keys.press("2")  # the new box is selected: one key labels it
    c.saved()
    assert nb.eval_json("w.annotations['label'].tolist()") == ["person"]
    expect(chip).to_have_text("person")
    keys.press("g")  # another tool: the box is let go
    expect(c.root).to_have_attribute("data-selected", "")
    keys.press("3")  # the next shape's label, not the old box's
    expect(chip).to_have_text("tree")
    c.saved()
    assert nb.eval_json("w.annotations['label'].tolist()") == ["person"]
    for x, y in [(400, 100), (700, 100), (600, 400)]:
        c.click(x, y)
    keys.press("Enter")
    c.saved()
    assert nb.eval_json("w.annotations.sort_values('kind')['label'].tolist()") == [
        "person",
        "tree",
    ]
    assert lab.page_errors == []


def test_keys_pressed_while_an_item_loads_apply_to_that_item(lab):
    slow = (
        "import time\n"
        "_load = w._load\n"
        "def _slow(item):\n"
        "    if not item.id.endswith('p0.jpg'):\n"
        "        time.sleep(1.5)\n"
        "    return _load(item)\n"
        "w._load = _slow\n"
    )
    # the slow loader is in place before the page asks for anything: the widget is shown
    # by a second cell, after the first replaced its loader
    first = image_cell().removesuffix("w")
    nb = lab.open_notebook([first + slow, "w"], cwd_files=photo_files(4))
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    root.focus()
    keys = lab.page.keyboard
    # n, then a label for item 1 and (after the auto advance) one for item 2: each is
    # pressed while its item is still on its way
    keys.press("n")
    expect(root.locator(".nbl-name")).to_have_text("Loading…")
    keys.press("2")
    keys.press("3")
    expect(root).to_have_attribute("data-drawn", "3", timeout=20_000)
    image_saved(nb, root)
    assert kernel_labels(nb) == {"p1.jpg": "dog", "p2.jpg": "bird"}
    # the status line (an ARIA live region) said that keys were waiting, and is quiet now
    said = root.evaluate("r => r.nblabelSaid ?? []")
    assert any("wait for this item" in s for s in said), said
    expect(root.locator(".nbl-live")).to_have_text("")
    assert lab.page_errors == []


def test_zero_clears_document_labels_and_clear_all_is_undone_from_its_toast(lab):
    doc = "Ada Lovelace met Charles Babbage."
    nb = lab.open_notebook([text_cell([doc], doc_labels="['good', 'bad']")])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.click()
    keys = lab.page.keyboard
    box = root.evaluate(BOX_JS, [1, 2])
    lab.page.mouse.dblclick(box["x0"], box["y0"])
    keys.press("1")
    keys.press("Shift+Digit1")
    wait_saved(nb, root)
    assert len(spans(nb)) == 1
    assert nb.eval_json("w.annotations.query(\"kind == 'label'\")['label'].tolist()") == ["good"]
    keys.press("0")  # whole-item labels go, the span stays
    wait_saved(nb, root)
    assert nb.eval_json("w.annotations['kind'].astype(str).tolist()") == ["span"]
    keys.press("Shift+Digit2")
    wait_saved(nb, root)
    root.locator(".nbl-clear").click()  # every span and label: undoable from the toast
    wait_saved(nb, root)
    assert nb.eval_json("len(w.annotations)") == 0
    toast = root.locator(".nbl-toast")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Removed 1 span and 1 document label")
    toast.locator(".nbl-toast-undo").click()
    wait_saved(nb, root)
    assert sorted(nb.eval_json("w.annotations['label'].tolist()")) == ["PER", "bad"]
    expect(toast).to_be_hidden()
    assert lab.page_errors == []


def overlaps(boxes: list[dict[str, float]]) -> list[tuple[int, int]]:
    """Pairs of bounding boxes (Playwright's) that cover each other."""
    out = []
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[i + 1 :], i + 1):
            if (
                a["x"] < b["x"] + b["width"] - 0.5
                and b["x"] < a["x"] + a["width"] - 0.5
                and a["y"] < b["y"] + b["height"] - 0.5
                and b["y"] < a["y"] + a["height"] - 0.5
            ):
                out.append((i, j))
    return out


def test_every_shape_shows_its_label_in_a_tag_readable_at_any_zoom(lab):
    nb = lab.open_notebook([cell(["box"])], cwd_files={"big.jpg": photo(800, 600)})
    c = Canvas(lab, nb)
    keys = c.lab.page.keyboard
    c.drag((100, 100), (500, 500))
    keys.press("2")  # person
    keys.press("Escape")
    c.drag((100, 100), (200, 200))  # a nested box with the same corner
    keys.press("3")  # tree
    c.saved()
    tags = c.root.locator(".nbl-shape-tag")
    expect(tags).to_have_count(2)
    assert sorted(tags.all_inner_texts()) == ["person", "tree"]
    assert sorted(t.get_attribute("aria-label") for t in tags.all()) == ["box person", "box tree"]
    assert overlaps([t.bounding_box() for t in tags.all()]) == []
    height = tags.first.bounding_box()["height"]
    assert height >= 12
    for _ in range(4):
        keys.press("+")
    expect(c.root).not_to_have_attribute("data-view", "")
    c.lab.page.wait_for_timeout(100)  # one animation frame to place the tags
    assert tags.first.bounding_box()["height"] == pytest.approx(height, abs=0.5)
    # each label button shows its colour: the swatch has the colour of the label's tag
    swatch = c.root.locator('.nbl-label[data-label="person"] .nbl-swatch')
    tag = c.root.locator('.nbl-shape-tag[data-label="person"]')
    colour = "el => getComputedStyle(el).backgroundColor"
    assert swatch.evaluate(colour) == tag.evaluate(colour)
    assert lab.page_errors == []


def test_nested_spans_show_every_label_in_tags_that_do_not_collide(lab):
    doc = "Ada Lovelace met Charles Babbage in London."
    nb = lab.open_notebook([text_cell([doc], labels=["PER", "LOC", "NAME"])])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.click()
    keys = lab.page.keyboard
    # "Ada Lovelace" as NAME, then "Ada" as PER and "Lovelace" as LOC inside it
    box = root.evaluate(BOX_JS, [1, 2])
    lab.page.mouse.dblclick(box["x0"], box["y0"])
    keys.press("Shift+ArrowRight")
    keys.press("3")
    wait_saved(nb, root)
    for piece, key in [("Ada", "1"), ("Lovelace", "2")]:
        keys.press("Escape")
        box = root.evaluate(BOX_JS, [doc.index(piece) + 1, doc.index(piece) + 2])
        lab.page.mouse.dblclick(box["x0"], box["y0"])
        keys.press(key)
        wait_saved(nb, root)
    assert [s[2:] for s in spans(nb)] == [
        ("Ada", "PER"),
        ("Ada Lovelace", "NAME"),
        ("Lovelace", "LOC"),
    ]
    tags = root.locator(".nbl-tag")
    expect(tags).to_have_count(3)
    assert sorted(tags.all_inner_texts()) == ["LOC", "NAME", "PER"]
    assert overlaps([t.bounding_box() for t in tags.all()]) == []
    for t in tags.all():
        assert t.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 11
        # in the page's accessible text, not hidden from screen readers
        assert t.evaluate("el => el.closest('[aria-hidden=\"true\"]') === null")
    assert lab.page_errors == []


def test_the_queue_says_what_is_left_skips_comments_and_ends_clearly(lab):
    nb = lab.open_notebook([image_cell()], cwd_files=photo_files(4))
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    expect(root.locator(".nbl-progress")).to_have_text("0 / 4 labeled")
    expect(root.locator(".nbl-left")).to_have_text("· 4 left")
    root.focus()
    keys = lab.page.keyboard
    for position in (1, 2, 3):
        keys.press("n")
        expect(root).to_have_attribute("data-drawn", str(position))
    end = root.locator(".nbl-queue-end")
    expect(end).to_be_hidden()
    keys.press("n")  # past the last item: the queue says so
    expect(end).to_be_visible()
    expect(end).to_contain_text("End of the queue · 4 left to label")
    keys.press("Escape")
    expect(end).to_be_hidden()
    # a label advances to the next item not labeled yet: after the last, the first
    keys.press("1")
    expect(root).to_have_attribute("data-drawn", "0")
    expect(root.locator(".nbl-left")).to_have_text("· 3 left")
    keys.press("2")
    expect(root).to_have_attribute("data-drawn", "1")
    # skip with a reason (k, type, Enter): kept as a "skip" row, and the queue moves on
    keys.press("k")
    expect(root.locator(".nbl-skip-reason")).to_be_focused()
    keys.type("blurry")
    keys.press("Enter")
    expect(root).to_have_attribute("data-drawn", "2")
    # a comment for the expert (c, type, Enter)
    keys.press("c")
    keys.type("ask the expert")
    keys.press("Enter")
    image_saved(nb, root)
    keys.press("3")
    expect(end).to_be_visible()
    expect(end).to_contain_text("All 4 items labeled · 1 skipped")
    image_saved(nb, root)
    rows = nb.eval_json(
        "(lambda a: a.assign(item=a['item_id'].str.rsplit('/', n=1).str[-1],"
        " text=a['text'].astype(object).where(a['text'].notna(), '')))(w.annotations)"
        ".sort_values(['item', 'kind'])[['item', 'kind', 'label', 'text']]"
        ".astype(str).values.tolist()"
    )
    assert sorted(rows) == [
        ["p0.jpg", "label", "dog", ""],
        ["p1.jpg", "skip", "skip", "blurry"],
        ["p2.jpg", "comment", "comment", "ask the expert"],
        ["p2.jpg", "label", "bird", ""],
        ["p3.jpg", "label", "cat", ""],
    ]
    assert nb.eval_json("w.n_done") == 4
    root.locator(".nbl-end-first").click()  # the way back
    expect(root).to_have_attribute("data-drawn", "0")
    expect(end).to_be_hidden()
    assert lab.page_errors == []


def test_labels_with_specs_colour_hotkey_description_and_the_type_to_filter_picker(lab):
    specs = {"cat": {"color": "#ff0000", "hotkey": "q", "description": "any cat, even a toy"}}
    specs.update({f"kind {k:02d}": None for k in range(1, 12)})
    nb = lab.open_notebook([image_cell(labels=specs)], cwd_files=photo_files(3))
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    cat = root.locator('.nbl-label[data-label="cat"]')
    expect(cat).to_have_attribute("title", "any cat, even a toy · key 1 or q")
    expect(cat.locator("kbd")).to_have_text("q")
    colour = "el => getComputedStyle(el).backgroundColor"
    assert cat.locator(".nbl-swatch").evaluate(colour) == "rgb(255, 0, 0)"
    root.focus()
    keys = lab.page.keyboard
    keys.press("q")  # the label's own hotkey
    expect(root).to_have_attribute("data-drawn", "1")
    keys.press("/")  # twelve labels: find one by typing
    picker = root.locator(".nbl-picker-input")
    expect(picker).to_be_focused()
    keys.type("07")
    expect(root.locator(".nbl-picker-item")).to_have_count(1)
    keys.press("Enter")
    expect(root).to_have_attribute("data-drawn", "2")
    keys.press("/")
    keys.type("kind 1")  # kind 10, kind 11
    keys.press("ArrowDown")
    keys.press("Enter")
    image_saved(nb, root)
    assert kernel_labels(nb) == {"p0.jpg": "cat", "p1.jpg": "kind 07", "p2.jpg": "kind 11"}
    keys.press("?")
    expect(root.locator(".nbl-help")).to_contain_text('label "cat": any cat, even a toy')
    assert lab.page_errors == []


def test_instructions_are_safe_text_collapsible_and_in_the_help(lab):
    text = (
        "# Rules\n- **Box** every cat\n- skip blurry photos\n<img src=x onerror=window.__pwned=1>"
    )
    nb = lab.open_notebook([image_cell(instructions=repr(text))], cwd_files=photo_files(2))
    root = nb.widget(".nbl-root")
    box = root.locator(".nbl-instructions")
    expect(box).to_be_visible()
    expect(box.locator("h4")).to_have_text("Rules")
    expect(box.locator("li strong")).to_have_text("Box")
    expect(box).to_contain_text("<img src=x onerror=window.__pwned=1>")
    assert root.locator(".nbl-instructions img").count() == 0
    assert lab.page.evaluate("window.__pwned") is None
    box.locator("summary").click()
    assert box.evaluate("el => el.open") is False
    root.focus()
    lab.page.keyboard.press("?")
    expect(root.locator(".nbl-help")).to_contain_text("skip blurry photos")
    assert lab.page_errors == []


def test_a_steady_stage_keeps_the_buttons_in_place_and_help_leaves_the_item_visible(lab):
    from .test_image_widget import jpeg

    files = {"photos/p0.jpg": jpeg(0, (800, 200)), "photos/p1.jpg": jpeg(1, (200, 800))}
    nb = lab.open_notebook([image_cell()], cwd_files=files)
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    bar = root.locator(".nbl-labels")
    root.focus()

    def offset() -> float:  # from the widget's top (the notebook may scroll)
        return bar.bounding_box()["y"] - root.bounding_box()["y"]

    y0 = offset()
    lab.page.keyboard.press("n")
    expect(root).to_have_attribute("data-drawn", "1")
    lab.page.wait_for_timeout(100)
    assert offset() == pytest.approx(y0, abs=0.5)
    # the height is the user's to set
    nb.run("w.stage_height = 300")
    expect(root.locator(".nbl-stage")).to_have_css("height", "300px")
    # the help is a popover beside the item, not a panel over it
    lab.page.keyboard.press("?")
    help_box = root.locator(".nbl-help").bounding_box()
    stage = root.locator(".nbl-stage").bounding_box()
    centre_x = stage["x"] + stage["width"] / 2
    assert help_box["x"] > centre_x
    assert lab.page_errors == []


def test_arrow_keys_nudge_a_mask(lab):
    nb = lab.open_notebook([cell(["brush"])], cwd_files={"big.jpg": photo(800, 600)})
    c = Canvas(lab, nb)
    c.drag((200, 200), (400, 200), steps=10)
    c.saved()
    where = (
        "(lambda m: [int(v) for v in __import__('numpy').argwhere("
        "__import__('nblabel').rle.decode(m)).min(axis=0)])(w.annotations['mask'].iloc[0])"
    )
    before = nb.eval_json(where)
    c.lab.page.keyboard.press("ArrowRight")
    c.lab.page.keyboard.press("Shift+ArrowDown")
    c.saved()
    assert nb.eval_json(where) == [before[0] + 10, before[1] + 1]
    assert lab.page_errors == []


def test_ctrl_c_copies_the_text_widgets_selection(lab):
    doc = "Ada Lovelace met Charles Babbage."
    lab.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    nb = lab.open_notebook([text_cell([doc])])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.click()
    box = root.evaluate(BOX_JS, [doc.index("Lovelace") + 1, doc.index("Lovelace") + 2])
    lab.page.mouse.dblclick(box["x0"], box["y0"])
    lab.page.keyboard.press("Shift+ArrowRight")
    lab.page.keyboard.press("Control+c")
    assert lab.page.evaluate("navigator.clipboard.readText()") == "Lovelace met"
    assert lab.page_errors == []


def test_the_audio_segment_list_jumps_and_edits_transcripts_by_keyboard(lab):
    from .test_audio_widget import segments, talk
    from .test_audio_widget import wait_saved as audio_saved
    from .test_audio_widget import widget_cell as audio_cell

    nb = lab.open_notebook([audio_cell()], cwd_files={"talk.wav": talk()})
    root = nb.widget(".nbl-root")
    expect(root).to_have_attribute("data-drawn", "0")
    root.locator(".nbl-clock").click()
    keys = lab.page.keyboard
    for key in ["ArrowRight", "[", "ArrowRight", "]", "Escape", "2"]:
        keys.press(key)
    for key in ["ArrowRight", "ArrowRight", "[", "ArrowRight", "ArrowRight", "]", "Escape"]:
        keys.press(key)
    audio_saved(nb, root)
    items = root.locator(".nbl-seg-item")
    expect(items).to_have_count(2)
    assert items.nth(0).get_attribute("aria-label") == "segment 1: alice, 0:01.000 to 0:02.000"
    # keyboard only: focus the list, move down, Enter opens the transcript, type, Enter saves
    items.nth(0).focus()
    keys.press("ArrowDown")
    expect(items.nth(1)).to_be_focused()
    keys.press("Enter")
    expect(root.locator(".nbl-seg-info")).to_contain_text("bob 0:04.000 – 0:06.000")
    expect(root.locator(".nbl-transcript")).to_be_focused()
    keys.type("hello there")
    keys.press("Enter")
    audio_saved(nb, root)
    assert [(s["label"], s["text"]) for s in segments(nb)] == [
        ("alice", None),
        ("bob", "hello there"),
    ]
    expect(items.nth(1)).to_contain_text("hello there")
    assert lab.page_errors == []
