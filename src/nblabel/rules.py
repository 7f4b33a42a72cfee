r"""Rules as pre-annotation for text: phrases and regular expressions per label.

``patterns`` maps a span label to what marks it::

    {
        "ORG": ["Acme Corp", "Initech"],              # phrases
        "MONEY": re.compile(r"\$\d+(?:\.\d\d)?"),  # a regular expression
        "PER": {"titled name": re.compile(r"(?:Dr|Ms|Mr)\. [A-Z]\w+")},  # named rules
    }

A ``str`` is a literal phrase, matched case-sensitively and as whole words
(a phrase that starts or ends with a letter or digit does not match inside a
longer word). A compiled ``re.Pattern`` is used as it is, flags included;
its whole match (group 0) is the span, and empty matches are skipped. A
rule's name is its key when a dict names it, else the phrase itself or the
pattern between slashes (``/\$\d+/``).

:func:`match_rules` gives spans in the annotation schema (``kind="span"``,
code point ``start``/``end``, ``text``, ``label``, ``source="model"``) with
the rule's name in ``extra["rule"]``: the text widget shows them as
suggestions named by their rule, and a rejected one keeps its rule, so a
rule's precision can be measured from the store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import schema

__all__ = ["Rule", "compile_patterns", "match_rules"]


@dataclass(frozen=True)
class Rule:
    """One rule: the label it suggests, its name, and the expression that finds it."""

    label: str
    name: str
    regex: re.Pattern[str]


def _phrase(phrase: str) -> re.Pattern[str]:
    body = re.escape(phrase)
    before = r"(?<!\w)" if re.match(r"\w", phrase) else ""
    after = r"(?!\w)" if re.search(r"\w$", phrase) else ""
    return re.compile(before + body + after)


def _rule(label: str, name: str | None, value: Any, where: str) -> Rule:
    if isinstance(value, re.Pattern):
        if not isinstance(value.pattern, str):
            raise TypeError(f"{where}: a bytes pattern cannot match text; use a str pattern")
        return Rule(label, name or f"/{value.pattern}/", value)
    if isinstance(value, str):
        if not value.strip():
            raise ValueError(f"{where}: an empty phrase matches nothing")
        return Rule(label, name or value, _phrase(value))
    raise TypeError(
        f"{where}: expected a phrase (str) or a compiled regular expression (re.compile(...)), "
        f"got {type(value).__name__}"
    )


def compile_patterns(patterns: Any, labels: Sequence[str]) -> list[Rule]:
    """Check ``patterns`` (see the module docstring) against the span ``labels``."""
    if not isinstance(patterns, Mapping):
        raise TypeError(
            "patterns: expected a dict from label to phrases or regular expressions, got "
            f"{type(patterns).__name__}"
        )
    rules: list[Rule] = []
    for label, given in patterns.items():
        if label not in labels:
            raise ValueError(f"patterns: {label!r} is not one of the span labels {list(labels)}")
        where = f"patterns[{label!r}]"
        if isinstance(given, Mapping):
            for name, value in given.items():
                rules.append(_rule(label, str(name), value, f"{where}[{name!r}]"))
        elif isinstance(given, (str, re.Pattern)):
            rules.append(_rule(label, None, given, where))
        elif isinstance(given, Sequence):
            for i, value in enumerate(given):
                rules.append(_rule(label, None, value, f"{where}[{i}]"))
        else:
            raise TypeError(
                f"{where}: expected a phrase, a regular expression, a list of them or a dict "
                f"naming them, got {type(given).__name__}"
            )
    names = [(r.label, r.name) for r in rules]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"patterns: the rule {twice[0][1]!r} of {twice[0][0]!r} is given twice")
    return rules


def match_rules(text: str, rules: Sequence[Rule]) -> pd.DataFrame:
    """Every match of every rule in ``text``, as span suggestions (see the module docstring).

    The same span with the same label found by two rules is kept once, under
    the first rule.

    >>> rules = compile_patterns({"ORG": ["Acme"]}, ["ORG"])
    >>> match_rules("Acme and Acmeville", rules)[["start", "end", "text", "label"]].values.tolist()
    [[0.0, 4.0, 'Acme', 'ORG']]
    """
    rows: list[dict[str, Any]] = []
    seen: set[tuple[int, int, str]] = set()
    for rule in rules:
        for found in rule.regex.finditer(text):
            start, end = found.span()
            key = (start, end, rule.label)
            if start == end or key in seen:
                continue
            seen.add(key)
            rows.append(
                {
                    "kind": "span",
                    "label": rule.label,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "source": "model",
                    "extra": {"rule": rule.name},
                }
            )
    frame = schema.from_records(rows)
    return frame.drop(columns=["id", "item_id", "annotator"])
