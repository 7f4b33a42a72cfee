"""Labels given with a spec: a colour, a hotkey and a description per label.

``labels=`` takes a list of names, or a mapping ``{name: spec}``, or a list of specs with a
``"name"``. A spec is a description (a str), ``None``, or a mapping with any of ``color``
(or ``colour``: any colour matplotlib reads, sent to the page as ``#rrggbb``), ``hotkey``
(one character; it must not be one of the widget's own keys) and ``description`` (shown
in the help and as the label button's tooltip).

>>> names, specs = parse_labels(
...     {"cat": {"color": "tab:orange", "hotkey": "q"}, "dog": "a dog, any breed"},
...     reserved={"n": "next item"},
... )
>>> names
['cat', 'dog']
>>> specs["cat"], specs["dog"]
({'color': '#ff7f0e', 'hotkey': 'q'}, {'description': 'a dog, any breed'})
>>> parse_labels({"nose": {"hotkey": "n"}}, reserved={"n": "next item"})
Traceback (most recent call last):
...
ValueError: labels: the hotkey 'n' of label 'nose' is the widget's key 'n' (next item)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["LabelsArg", "parse_labels"]

#: What ``labels=`` may be.
LabelsArg = Sequence[str] | Sequence[Mapping[str, Any]] | Mapping[str, Any]

_FIELDS = {"color": "color", "colour": "color", "hotkey": "hotkey", "key": "hotkey"}
_FIELDS_DESCRIPTION = "description"


def parse_labels(
    labels: Any, *, reserved: Mapping[str, str], name: str = "labels"
) -> tuple[list[Any], dict[str, dict[str, str]]]:
    """Split ``labels`` into the label names (checked later as a list of names) and the
    spec of each label that has one; raise ``ValueError`` naming the label and the field."""
    if isinstance(labels, Mapping):
        pairs = list(labels.items())
    elif isinstance(labels, Sequence) and not isinstance(labels, str):
        pairs = []
        for i, entry in enumerate(labels):
            if isinstance(entry, Mapping):
                if "name" not in entry:
                    raise ValueError(f"{name}: entry {i} has no 'name'")
                pairs.append((entry["name"], {k: v for k, v in entry.items() if k != "name"}))
            else:
                pairs.append((entry, None))
    else:
        return labels, {}  # not a collection: the list check says what is wrong
    names = [label for label, _ in pairs]
    specs: dict[str, dict[str, str]] = {}
    owner: dict[str, str] = {}
    for label, spec in pairs:
        out = _spec(label, spec, name)
        hotkey = out.get("hotkey")
        if hotkey is not None:
            if hotkey in reserved:
                raise ValueError(
                    f"{name}: the hotkey {hotkey!r} of label {label!r} is the widget's key "
                    f"{hotkey!r} ({reserved[hotkey]})"
                )
            if hotkey in owner:
                raise ValueError(
                    f"{name}: the hotkey {hotkey!r} is given to both "
                    f"{owner[hotkey]!r} and {label!r}"
                )
            owner[hotkey] = str(label)
        if out:
            specs[str(label)] = out
    return names, specs


def _spec(label: Any, spec: Any, name: str) -> dict[str, str]:
    if spec is None:
        return {}
    if isinstance(spec, str):
        return {"description": spec} if spec.strip() else {}
    if not isinstance(spec, Mapping):
        raise TypeError(
            f"{name}: the spec of label {label!r} must be a description (str) or a mapping, "
            f"got {type(spec).__name__}"
        )
    out: dict[str, str] = {}
    for key, value in spec.items():
        if key == _FIELDS_DESCRIPTION:
            if not isinstance(value, str):
                raise TypeError(f"{name}: the description of label {label!r} must be a str")
            if value.strip():
                out["description"] = value
        elif key in _FIELDS and _FIELDS[key] == "color":
            out["color"] = _colour(label, value, name)
        elif key in _FIELDS:
            if not isinstance(value, str) or len(value) != 1 or value.isspace():
                raise ValueError(
                    f"{name}: the hotkey of label {label!r} must be one character, got {value!r}"
                )
            out["hotkey"] = value
        else:
            raise ValueError(
                f"{name}: label {label!r} has an unknown field {key!r} "
                "(a label takes color, hotkey and description)"
            )
    return out


def _colour(label: Any, value: Any, name: str) -> str:
    from matplotlib.colors import to_hex

    try:
        return str(to_hex(value))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}: the color {value!r} of label {label!r} is not a colour") from exc
