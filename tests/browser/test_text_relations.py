"""Relations between spans in a real JupyterLab: drawn by keyboard only on an emoji-rich text."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .test_text_widget import BOX_JS, EMOJI, FIND_JS, drag, drawn, wait_saved, widget_cell

pytestmark = pytest.mark.browser

SAVES = (
    "saves = []\n"
    "w.on_save(lambda e: saves.append(\n"
    "    {k: sorted(v) if isinstance(v, list) else v for k, v in e.items()}))\n"
)


def rows(nb) -> dict[str, dict]:
    """The widget's annotations by id: each row's kind, label, offsets, text and ends."""
    out = nb.eval_json(
        "{r.id: {'kind': r.kind, 'label': r.label,"
        " 'start': None if r.kind != 'span' else int(r.start),"
        " 'end': None if r.kind != 'span' else int(r.end),"
        " 'text': r.text if r.kind == 'span' else None,"
        " 'from_id': r.from_id if r.kind == 'relation' else None,"
        " 'to_id': r.to_id if r.kind == 'relation' else None}"
        " for r in w.annotations.itertuples()}"
    )
    return dict(out)


def test_a_relation_drawn_by_keyboard_on_emoji_text_and_a_span_deleted_with_it(lab):
    cell = widget_cell([EMOJI], relations="['works_for', 'located_in']")
    assert cell.endswith("\nw")
    nb = lab.open_notebook([cell[:-1] + SAVES + "w"])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    root.evaluate("(el) => el.focus()")  # keyboard only from here on
    keys = lab.page.keyboard
    # the ZWJ emoji (2nd token) as PER, then the flag with Zürich as LOC
    for key in ("ArrowRight", "ArrowRight", "1"):
        keys.press(key)
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowRight", "2"):
        keys.press(key)
    wait_saved(nb, root)
    spans = {r["text"]: (rid, r) for rid, r in rows(nb).items()}
    coder_id, coder = spans["👩\u200d💻"]
    place_id, place = spans["🇨🇭 Zürich"]
    assert (coder["start"], coder["end"]) == (EMOJI.index("👩"), EMOJI.index(" flew"))
    assert (place["start"], place["end"]) == (EMOJI.index("🇨🇭"), EMOJI.index("\r"))
    assert EMOJI[place["start"] : place["end"]] == "🇨🇭 Zürich"
    # Shift+Tab: back to the emoji span; r: a relation from it; the next span is offered
    keys.press("Shift+Tab")
    expect(root).to_have_attribute("data-active", coder_id)
    keys.press("r")
    expect(root.locator(".nbl-rel-target")).to_have_count(1)
    keys.press("Enter")  # take the offered span (the flag with Zürich)
    keys.press("2")  # located_in
    wait_saved(nb, root)
    relations = {rid: r for rid, r in rows(nb).items() if r["kind"] == "relation"}
    assert len(relations) == 1
    rel_id, rel = next(iter(relations.items()))
    assert (rel["from_id"], rel["to_id"], rel["label"]) == (coder_id, place_id, "located_in")
    expect(root).to_have_attribute("data-relation", rel_id)
    # drawn: one arrow, its label as a tag and in its aria-label, and a line in the list
    arrow = root.locator(f'.nbl-arrow[data-id="{rel_id}"]')
    expect(arrow).to_have_count(1)
    expect(arrow).to_have_attribute("aria-label", "“👩\u200d💻” → located_in → “🇨🇭 Zürich”")
    expect(arrow.locator(".nbl-arrow-tag")).to_have_text("located_in")
    expect(root.locator(".nbl-relation-list .nbl-relation")).to_have_text(
        "“👩\u200d💻” → located_in → “🇨🇭 Zürich”"
    )
    # The arrow joins the two spans where they are on screen.
    ends = root.evaluate(
        """(root) => {
          const path = root.querySelector('.nbl-arrow-line').getAttribute('d').split(' ');
          const box = root.querySelector('.nbl-relations-layer').getBoundingClientRect();
          return {x0: box.left + Number(path[1]), x1: box.left + Number(path[path.length - 2])};
        }"""
    )
    assert ends["x0"] < ends["x1"]  # the emoji comes before the flag on a left-to-right line
    nb.run("saves.clear()")
    # Esc leaves the relation; Tab walks to the flag span; Delete: the span and its relation
    keys.press("Escape")
    keys.press("Tab")  # from the caret (after the emoji span): the next span
    expect(root).to_have_attribute("data-active", place_id)
    keys.press("Delete")
    wait_saved(nb, root)
    assert set(rows(nb)) == {coder_id}
    expect(root.locator(".nbl-arrow")).to_have_count(0)
    saves = json.loads(nb.run("import json; print(json.dumps(saves))"))
    assert saves == [
        {
            "item_id": nb.eval_json("w.item_ids[0]"),
            "upserted": [],
            "deleted": sorted([place_id, rel_id]),
        }
    ]
    # one undo brings both back, in one edit
    keys.press("z")
    wait_saved(nb, root)
    back = rows(nb)
    assert set(back) == {coder_id, place_id, rel_id}
    assert back[rel_id]["from_id"] == coder_id
    assert back[rel_id]["to_id"] == place_id
    assert back[place_id]["text"] == "🇨🇭 Zürich"
    saves = json.loads(nb.run("print(json.dumps(saves))"))
    assert len(saves) == 2
    assert sorted(saves[1]["upserted"]) == sorted([place_id, rel_id])
    expect(root.locator(".nbl-arrow")).to_have_count(1)


RTL = "Ada works for Acme Corp.\nשלום גר בתל אביב עם דנה"


def test_relations_by_mouse_across_lines_and_right_to_left_then_one_removed(lab):
    cell = widget_cell([RTL], labels=["PER", "ORG", "LOC"], relations="['works_for', 'located_in']")
    nb = lab.open_notebook([cell])
    root = nb.widget(".nbl-root")
    drawn(root, 0)
    for piece, key in (("Acme Corp", "2"), ("שלום", "1"), ("בתל אביב", "3")):
        drag(lab, root, piece)
        lab.page.keyboard.press(key)
    wait_saved(nb, root)
    ids = {r["text"]: rid for rid, r in rows(nb).items()}
    assert set(ids) == {"Acme Corp", "שלום", "בתל אביב"}

    def click_text(piece: str) -> None:
        start, _end = root.evaluate(FIND_JS, [piece, 0])
        box = root.evaluate(BOX_JS, [start + 1, start + 2])
        lab.page.mouse.click(box["x0"] + 1, box["y0"])

    # a relation from the Hebrew name (line 2) to the company (line 1), by clicks alone
    click_text("שלום")
    expect(root).to_have_attribute("data-active", ids["שלום"])
    root.locator(".nbl-relate").click()
    click_text("Acme")
    root.locator(".nbl-relation-choice", has_text="works_for").click()
    # and one inside the right-to-left line
    click_text("שלום")
    root.locator(".nbl-relate").click()
    click_text("אביב")
    expect(root.locator(".nbl-relation-choice")).to_have_count(2)  # the label's turn
    # the label by the picker this time: "/", a few letters, Enter
    lab.page.keyboard.press("/")
    picker = root.get_by_role("combobox", name="find a relation")
    expect(picker).to_be_focused()
    picker.type("loc")
    expect(root.locator(".nbl-picker-item:visible")).to_have_count(1)
    lab.page.keyboard.press("Enter")
    wait_saved(nb, root)
    made = {
        (r["from_id"], r["to_id"], r["label"]) for r in rows(nb).values() if r["kind"] == "relation"
    }
    assert made == {
        (ids["שלום"], ids["Acme Corp"], "works_for"),
        (ids["שלום"], ids["בתל אביב"], "located_in"),
    }
    expect(root.locator(".nbl-arrow")).to_have_count(2)
    # Each arrow ends where its spans are drawn: up a line to the company; leftwards in
    # the right-to-left line; its label above both ends.
    geo = root.evaluate(
        """(root) => Object.fromEntries([...root.querySelectorAll('.nbl-arrow')].map((g) => {
          const p = g.querySelector('.nbl-arrow-line').getAttribute('d').split(' ').map(Number);
          const tag = g.querySelector('.nbl-arrow-tag');
          return [tag.textContent, {x0: p[1], y0: p[2], x1: p[p.length - 2], y1: p[p.length - 1],
                                    ty: Number(tag.getAttribute('y'))}];
        }))"""
    )
    assert geo["works_for"]["y1"] < geo["works_for"]["y0"]  # the company is on the line above
    assert geo["located_in"]["x1"] < geo["located_in"]["x0"]  # right to left
    for g in geo.values():
        assert g["ty"] < min(g["y0"], g["y1"])
    # click the label of one arrow: selected; Delete removes that relation only
    root.locator(".nbl-arrow-tag", has_text="works_for").click()
    rel = root.get_attribute("data-relation")
    assert rel
    lab.page.keyboard.press("Delete")
    wait_saved(nb, root)
    left = rows(nb)
    assert rel not in left
    assert {r["label"] for r in left.values() if r["kind"] == "relation"} == {"located_in"}
    assert {r["text"] for r in left.values() if r["kind"] == "span"} == set(ids)
