"""The rules that exist in both languages give the same answers: the page's (``js/lib``,
run here with node) and the static views' (``nblabel.palette``, ``nblabel.lanes``).

The same inputs go to both, random cases included, so a change to one side alone fails.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nblabel import palette
from nblabel.lanes import layout_lanes

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")


def run_js(module: str, body: str, data: Any) -> Any:
    """Run ``body`` (an async function body given ``data`` and ``m``, the imported module)."""
    if NODE is None:  # the test command needs node for tsc and the bundle already
        pytest.fail("node is not on PATH: the JS side of this rule cannot be checked")
    url = (ROOT / module).as_uri()
    script = (
        f"const m = await import({json.dumps(url)});\n"
        "const data = JSON.parse(require_stdin());\n"
        f"const out = await (async (data, m) => {{ {body} }})(data, m);\n"
        "process.stdout.write(JSON.stringify(out));\n"
    ).replace(
        "require_stdin()",
        '(await import("node:fs")).readFileSync(0, "utf8")',
    )
    done = subprocess.run(
        [NODE, "--no-warnings", "--input-type=module", "-e", script],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def random_intervals(rng: random.Random, n: int) -> list[tuple[float, float]]:
    """Intervals with many ties (same starts, same ends, touching), ints and halves."""
    out = []
    for _ in range(n):
        start = rng.randrange(0, 20) / rng.choice((1, 2))
        out.append((start, start + rng.randrange(1, 8) / rng.choice((1, 2))))
    return out


def test_lanes_agree_between_python_and_js_on_fixed_and_random_cases():
    rng = random.Random(9)
    cases: list[list[tuple[float, float]]] = [
        [],
        [(2, 4), (0, 10), (8, 12), (12, 14)],
        [(0, 5), (1, 2), (5, 6), (1.5, 7)],
        [(0, 3), (0, 3), (0, 5), (0, 1), (3, 4), (1, 3)],  # equal starts: longer first
        [(1, 2)] * 4,  # identical intervals: in the order given
    ]
    cases += [random_intervals(rng, rng.randrange(1, 40)) for _ in range(300)]
    js = run_js(
        "js/lib/lanes.js",
        "return data.map((c) => { const r = m.laneIndices(c.map(([start, end]) => ({start, end})));"
        " return [r.lanes, r.depth]; });",
        cases,
    )
    for case, (lanes, depth) in zip(cases, js, strict=True):
        assert list(layout_lanes(case)) == [lanes, depth], case
    # and the id-keyed form the pages use answers the same
    keyed = run_js(
        "js/lib/lanes.js",
        "const r = m.layoutLanes(data.map(([start, end], i) => ({id: `s${i}`, start, end})));"
        " return data.map((_, i) => r.lanes.get(`s${i}`));",
        cases[2],
    )
    assert keyed == layout_lanes(cases[2])[0]


def test_rule_of_lanes_is_the_documented_one():
    lanes, depth = layout_lanes([(0, 3), (0, 5), (0, 3), (3, 4)])
    # (0, 5) is longer so it is first at start 0; the two (0, 3) follow in input order;
    # (3, 4) only touches the (0, 3)s and takes the lowest lane they freed.
    assert lanes == [1, 0, 2, 1]
    assert depth == 3


def test_palette_agrees_between_python_and_js():
    rng = random.Random(3)
    names = ["cat", "dog", "bird", "", "Ümlaut", "$x$", "<b>", "cat "]
    cases = []
    for _ in range(50):
        labels = rng.sample(names, rng.randrange(0, len(names)))
        labels += [f"l{i}" for i in range(rng.randrange(0, 14))]  # past the last colour
        asked = [*labels, "not-a-label", *rng.sample(names, 3)]
        cases.append({"labels": labels, "asked": asked})
    js = run_js(
        "js/lib/palette.js",
        "return data.map((c) => c.asked.map((label) => m.colourOf(c.labels, label)));",
        cases,
    )
    for case, colours in zip(cases, js, strict=True):
        assert [palette.colour_of(case["labels"], a) for a in case["asked"]] == colours
    assert run_js("js/lib/palette.js", "return [m.COLOURS, m.OTHER];", None) == [
        list(palette.COLOURS),
        palette.OTHER,
    ]


def test_kth_label_gets_kth_colour_and_unknown_labels_get_other():
    labels = [f"l{i}" for i in range(len(palette.COLOURS) + 2)]
    assert [palette.colour_of(labels, x) for x in labels[:3]] == list(palette.COLOURS[:3])
    assert palette.colour_of(labels, labels[len(palette.COLOURS)]) == palette.COLOURS[0]
    assert palette.colour_of(labels, "other") == palette.OTHER
    assert palette.colours(["b", "a", "b"]) == {"b": palette.COLOURS[0], "a": palette.COLOURS[1]}


def test_plot_item_gives_each_label_the_colour_the_widgets_give_it(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import colors as mcolors
    from matplotlib.patches import Rectangle

    import nblabel as nl
    from nblabel import schema
    from nblabel.view import text as text_view

    labels = ["cat", "dog", "bird"]
    base = {"annotator": "ana", "source": "human", "image_width": 40, "image_height": 30}
    boxes = schema.from_records(
        [
            {**base, "id": f"b{i}", "item_id": "img", "kind": "box", "label": label,
             "x": 1.0 + i, "y": 1.0, "width": 5.0, "height": 5.0}
            for i, label in enumerate(["dog", "bird", "zebra"])
        ]
    )  # fmt: skip
    ax = nl.plot_item(boxes, "img", tmp_path / "missing.png", labels=labels)
    edges = [
        mcolors.to_hex(p.get_edgecolor())
        for p in ax.patches
        if isinstance(p, Rectangle) and p.get_width() == 5.0
    ]
    want = run_js(
        "js/lib/palette.js",
        "return ['dog', 'bird', 'zebra'].map((l) => m.colourOf(data, l));",
        labels,
    )
    assert edges == want == [palette.COLOURS[1], palette.COLOURS[2], palette.OTHER]
    plt.close("all")
    doc = "a cat and a dog"
    spans = schema.from_records(
        [
            {"id": "s1", "item_id": "d", "annotator": "ana", "source": "human", "kind": "span",
             "label": "dog", "start": 12, "end": 15},
        ]
    )  # fmt: skip
    assert palette.COLOURS[1] in text_view.to_html(spans, doc, labels=labels)
