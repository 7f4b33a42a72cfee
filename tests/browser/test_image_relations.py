"""Relations between image regions in a real JupyterLab: two boxes linked by keyboard,
stored with the right ends and label; deleting one box takes the relation in the same
edit and ``z`` brings both back."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .test_image_regions import Canvas, photo

pytestmark = pytest.mark.browser

CELL = (
    "import nblabel as nl, json\n"
    "w = nl.ImageAnnotator(['big.jpg'], labels=['person', 'cup'], tools=['box'],\n"
    "                      relations=['holds', 'next_to'], annotator='ana', store='labels.db')\n"
    "saves = []\n"
    "w.on_save(lambda e: saves.append(\n"
    "    {k: sorted(v) if isinstance(v, list) else v for k, v in e.items()}))\n"
    "w"
)


def rows(nb) -> dict[str, dict]:
    return dict(
        nb.eval_json(
            "{r.id: {'kind': r.kind, 'label': r.label,"
            " 'from_id': r.from_id if r.kind == 'relation' else None,"
            " 'to_id': r.to_id if r.kind == 'relation' else None}"
            " for r in w.annotations.itertuples()}"
        )
    )


def test_two_boxes_linked_by_keyboard_and_a_box_deleted_with_its_relation(lab):
    nb = lab.open_notebook([CELL], cwd_files={"big.jpg": photo(800, 600)})
    c = Canvas(lab, nb)
    root, keys = c.root, lab.page.keyboard
    # two boxes: a person (centre 200, 300) and a cup (centre 450, 250)
    c.drag((100, 100), (300, 500))
    c.saved()
    keys.press("Escape")  # nothing selected: 2 is the next box's label, a cup
    keys.press("2")
    c.drag((400, 200), (500, 300))
    c.saved()
    boxes = {r["label"]: rid for rid, r in rows(nb).items()}
    person, cup = boxes["person"], boxes["cup"]
    # select the person, then l: the cup (the only other region) is offered; Enter; 1 = holds
    keys.press("v")
    c.click(200, 300)
    expect(root).to_have_attribute("data-selected", person)
    keys.press("l")
    expect(root).to_have_attribute("data-relating", f"end:{person}:{cup}")
    expect(root.locator(".nbl-rel-target")).to_have_count(1)
    keys.press("Tab")  # round the regions: still the cup, never the person itself
    expect(root).to_have_attribute("data-relating", f"end:{person}:{cup}")
    keys.press("Enter")
    expect(root).to_have_attribute("data-relating", f"label:{person}:{cup}")
    keys.press("1")
    c.saved()
    relations = {rid: r for rid, r in rows(nb).items() if r["kind"] == "relation"}
    assert len(relations) == 1
    rel_id, rel = next(iter(relations.items()))
    assert (rel["from_id"], rel["to_id"], rel["label"]) == (person, cup, "holds")
    expect(root).to_have_attribute("data-relation", rel_id)
    # drawn: one arrow between the centres, its label as a tag and in its aria-label
    arrow = root.locator(f'.nbl-rel[data-id="{rel_id}"]')
    expect(arrow).to_have_attribute("aria-label", "relation box person → holds → box cup")
    expect(arrow.locator(".nbl-rel-tag")).to_have_text("holds")

    def line() -> dict[str, float]:
        return root.evaluate(
            """(root) => {
              const l = root.querySelector('.nbl-rel-line');
              const t = root.querySelector('.nbl-rel-tag').getBoundingClientRect();
              const o = root.querySelector('.nbl-overlay').getBoundingClientRect();
              const at = (name) => Number(l.getAttribute(name));
              return {x1: o.left + at('x1'), y1: o.top + at('y1'),
                      x2: o.left + at('x2'), y2: o.top + at('y2'), tag: t.height};
            }"""
        )

    keys.press("Escape")  # Esc leaves the relation
    expect(root).to_have_attribute("data-relation", "")
    tag = line()["tag"]
    fitted = root.get_attribute("data-view")
    for zoom in ("", "+"):  # where the centres are on screen, the tag the same size
        if zoom:
            keys.press(zoom)
            expect(root).not_to_have_attribute("data-view", fitted)
            lab.page.wait_for_timeout(100)  # the next frame draws the arrows
        ends = line()
        assert (ends["x1"], ends["y1"]) == pytest.approx(c.at(200, 300), abs=0.2)
        gap = [a - b for a, b in zip(c.at(450, 250), (ends["x2"], ends["y2"]), strict=True)]
        assert 5 < (gap[0] ** 2 + gap[1] ** 2) ** 0.5 < 7  # stops 6 px short of the cup's centre
        assert ends["tag"] == pytest.approx(tag, abs=0.5)
    keys.press("f")
    # a click on its tag selects it again; a zoom keeps it selected
    root.locator(".nbl-rel-tag").click()
    expect(root).to_have_attribute("data-relation", rel_id)
    keys.press("-")
    expect(root).to_have_attribute("data-relation", rel_id)
    keys.press("Escape")
    keys.press("f")
    # select the cup; Delete: the cup and its relation, in one edit
    nb.run("saves.clear()")
    c.click(450, 250)
    expect(root).to_have_attribute("data-selected", cup)
    keys.press("Delete")
    c.saved()
    assert set(rows(nb)) == {person}
    expect(root.locator(".nbl-rel")).to_have_count(0)
    saves = json.loads(nb.run("print(json.dumps(saves))"))
    assert saves == [
        {"item_id": nb.eval_json("w.item_ids[0]"), "upserted": [], "deleted": sorted([cup, rel_id])}
    ]
    # one undo brings both back, in one edit
    keys.press("z")
    c.saved()
    back = rows(nb)
    assert set(back) == {person, cup, rel_id}
    assert (back[rel_id]["from_id"], back[rel_id]["to_id"]) == (person, cup)
    saves = json.loads(nb.run("print(json.dumps(saves))"))
    assert len(saves) == 2
    assert saves[1]["upserted"] == sorted([cup, rel_id])
    expect(root.locator(".nbl-rel")).to_have_count(1)
    assert lab.page_errors == []
