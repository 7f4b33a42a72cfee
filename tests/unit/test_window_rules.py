"""The display window is one rule in two languages: ``nblabel.medical.apply_window`` (the
8-bit PNG the kernel sends) and ``js/image/window.js`` (what the page draws when the person
windows). The same values, windows and inversions go to both, random cases included."""

from __future__ import annotations

import random

import numpy as np
from test_js_python_rules import run_js

from nblabel import medical


def test_the_window_gives_the_same_grey_in_python_and_in_the_page():
    rng = random.Random(16)
    cases = [
        # a CT slice's exact integers, its file window; halves land exactly on .5
        {
            "offset": -1024,
            "scale": 1,
            "center": 40,
            "width": 400,
            "invert": False,
            "q": [0, 864, 1064, 1065, 1264, 4095],
        },
        {
            "offset": -1024,
            "scale": 1,
            "center": 40,
            "width": 400,
            "invert": True,
            "q": [0, 864, 1064, 1065, 1264, 4095],
        },
        {
            "offset": 0,
            "scale": 1,
            "center": 127.5,
            "width": 255,
            "invert": False,
            "q": list(range(0, 300, 7)),
        },
    ]
    for _ in range(200):
        offset = rng.uniform(-2000, 2000)
        scale = rng.choice([1.0, rng.uniform(1e-4, 3)])
        cases.append(
            {
                "offset": offset,
                "scale": scale,
                "center": offset + scale * rng.uniform(0, 65535),
                "width": scale * rng.uniform(1, 65535),
                "invert": rng.random() < 0.2,
                "q": [rng.randrange(0, 65536) for _ in range(20)],
            }
        )
    js = run_js(
        "js/image/window.js",
        "return data.map((c) => { const lut = m.windowLut({offset: c.offset, scale: c.scale,"
        " invert: c.invert, min: 0, max: 1, unit: '', center: c.center, width: c.width},"
        " {center: c.center, width: c.width}); return c.q.map((q) => lut[q]); });",
        cases,
    )
    for case, page in zip(cases, js, strict=True):
        values = case["offset"] + case["scale"] * np.asarray(case["q"], dtype=np.float64)
        kernel = medical.apply_window(values, case["center"], case["width"], invert=case["invert"])
        assert kernel.tolist() == page, case  # the same float operations, in the same order
    assert js[0] == [0, 0, 128, 128, 255, 255]
