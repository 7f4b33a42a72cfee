"""nblabel.rules: phrases and regular expressions per label, as span suggestions."""

from __future__ import annotations

import re

import pytest

from nblabel import schema
from nblabel.rules import compile_patterns, match_rules

LABELS = ["ORG", "MONEY", "PER"]


def test_phrases_match_whole_words_and_regexes_as_given():
    rules = compile_patterns(
        {
            "ORG": ["Acme", "Initech"],
            "MONEY": re.compile(r"\$\d+(?:\.\d\d)?"),
            "PER": {"titled name": re.compile(r"(?:Dr|Ms)\. [A-Z]\w+")},
        },
        LABELS,
    )
    assert [(r.label, r.name) for r in rules] == [
        ("ORG", "Acme"),
        ("ORG", "Initech"),
        ("MONEY", r"/\$\d+(?:\.\d\d)?/"),
        ("PER", "titled name"),
    ]
    text = "Dr. Ada of Acme paid $12.50 to Initech, not Acmeville — café Acme."
    got = match_rules(text, rules)
    spans = [
        (t, lab, e["rule"])
        for t, lab, e in zip(got["text"], got["label"], got["extra"], strict=True)
    ]
    assert spans == [
        ("Acme", "ORG", "Acme"),
        ("Acme", "ORG", "Acme"),
        ("Initech", "ORG", "Initech"),
        ("$12.50", "MONEY", r"/\$\d+(?:\.\d\d)?/"),
        ("Dr. Ada", "PER", "titled name"),
    ]
    for start, end, covered in zip(got["start"], got["end"], got["text"], strict=True):
        assert text[int(start) : int(end)] == covered  # code points, end exclusive
    assert set(got["kind"]) == {"span"}
    assert set(got["source"]) == {"model"}
    schema.validate(got.assign(id=[str(i) for i in range(len(got))], item_id="d", annotator="m"))


def test_a_span_found_twice_is_kept_once_and_empty_matches_are_skipped():
    rules = compile_patterns({"ORG": {"a": "Acme", "b": re.compile("Acme|x*")}}, LABELS)
    got = match_rules("Acme", rules)
    assert got[["start", "end"]].to_numpy().tolist() == [[0, 4]]
    assert got["extra"].iloc[0] == {"rule": "a"}
    assert match_rules("nothing here", rules).empty


def test_bad_patterns_are_named():
    with pytest.raises(TypeError, match="patterns: expected a dict from label"):
        compile_patterns(["Acme"], LABELS)
    with pytest.raises(ValueError, match=r"patterns: 'LOC' is not one of the span labels"):
        compile_patterns({"LOC": "Paris"}, LABELS)
    with pytest.raises(ValueError, match=r"patterns\['ORG'\]\[1\]: an empty phrase"):
        compile_patterns({"ORG": ["Acme", " "]}, LABELS)
    with pytest.raises(TypeError, match=r"patterns\['ORG'\]\[0\]: expected a phrase .* got int"):
        compile_patterns({"ORG": [3]}, LABELS)
    with pytest.raises(TypeError, match="a bytes pattern cannot match text"):
        compile_patterns({"ORG": re.compile(b"x")}, LABELS)
    with pytest.raises(ValueError, match="the rule 'Acme' of 'ORG' is given twice"):
        compile_patterns({"ORG": ["Acme", "Acme"]}, LABELS)
