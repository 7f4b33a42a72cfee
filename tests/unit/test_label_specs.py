"""labels= as a mapping or a list of specs: colour, hotkey, description (issue 12)."""

from __future__ import annotations

import numpy as np
import pytest

import nblabel as nl


@pytest.fixture
def images() -> list[np.ndarray]:
    return [np.full((8, 8, 3), i, np.uint8) for i in range(2)]


def test_a_mapping_gives_names_in_order_and_specs(images, tmp_path):
    w = nl.ImageAnnotator(
        images,
        labels={"cat": {"color": "#ff0000", "hotkey": "q", "description": "any cat"}, "dog": None},
        store=tmp_path / "l.db",
    )
    assert w.labels == ["cat", "dog"]
    assert w.label_specs == {"cat": {"color": "#ff0000", "hotkey": "q", "description": "any cat"}}
    w.close()


def test_a_list_of_specs_and_plain_names_mix(images, tmp_path):
    w = nl.TextAnnotator(
        ["a doc"],
        labels=[{"name": "PER", "colour": "tab:blue", "key": "w"}, "LOC"],
        store=tmp_path / "l.db",
    )
    assert w.labels == ["PER", "LOC"]
    assert w.label_specs == {"PER": {"color": "#1f77b4", "hotkey": "w"}}
    w.close()


@pytest.mark.parametrize(
    ("cls", "key", "what"),
    [
        (nl.ImageAnnotator, "b", "tool"),
        (nl.ImageAnnotator, "n", "next item"),
        (nl.TextAnnotator, "s", "snap to tokens"),
        (nl.AudioAnnotator, "l", "loop the segment"),
        (nl.ImageAnnotator, "3", "choose the k-th label"),
    ],
)
def test_a_hotkey_that_is_a_widget_key_is_refused_naming_both(cls, key, what, tmp_path):
    items = (
        ["doc"]
        if cls is nl.TextAnnotator
        else [np.zeros(800, np.float32)]
        if cls is nl.AudioAnnotator
        else [np.zeros((8, 8, 3), np.uint8)]
    )
    kw = {"sample_rate": 8000} if cls is nl.AudioAnnotator else {}
    with pytest.raises(
        ValueError, match=f"hotkey '{key}' of label 'x' is the widget's key '{key}' \\({what}\\)"
    ):
        cls(items, labels={"x": {"hotkey": key}}, store=tmp_path / "l.db", **kw)


def test_bad_specs_name_the_label_and_field(images, tmp_path):
    store = tmp_path / "l.db"
    with pytest.raises(ValueError, match="given to both 'a' and 'b'"):
        nl.ImageAnnotator(images, labels={"a": {"hotkey": "q"}, "b": {"hotkey": "q"}}, store=store)
    with pytest.raises(ValueError, match="the color 'nope' of label 'a' is not a colour"):
        nl.ImageAnnotator(images, labels={"a": {"color": "nope"}}, store=store)
    with pytest.raises(ValueError, match="label 'a' has an unknown field 'shortcut'"):
        nl.ImageAnnotator(images, labels={"a": {"shortcut": "q"}}, store=store)
    with pytest.raises(ValueError, match="hotkey of label 'a' must be one character"):
        nl.ImageAnnotator(images, labels={"a": {"hotkey": "qq"}}, store=store)
    with pytest.raises(ValueError, match="entry 0 has no 'name'"):
        nl.ImageAnnotator(images, labels=[{"color": "red"}], store=store)
