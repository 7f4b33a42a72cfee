"""The arguments every widget takes, checked with errors that name the argument."""

from __future__ import annotations

import getpass
import math
import os
from collections.abc import Sequence
from typing import Any

import traitlets

from ..store import Store


def _check_labels(labels: Any, name: str = "labels") -> list[str]:
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise TypeError(f"{name}: expected a list of label names, got {type(labels).__name__}")
    out: list[str] = []
    for i, label in enumerate(labels):
        if not isinstance(label, str):
            raise TypeError(f"{name}: entry {i} is a {type(label).__name__}, not a str")
        if not label.strip():
            raise ValueError(f"{name}: entry {i} is empty")
        if label in out:
            raise ValueError(f"{name}: {label!r} appears more than once")
        out.append(label)
    return out


def label_list_validator(name: str) -> Any:
    """A traitlets validator for a trait holding label names (``labels``, ``doc_labels``...).

    A list set later from Python is checked like the constructor's argument; the
    TraitError names the trait.
    """

    @traitlets.validate(name)
    def _valid(self: Any, proposal: dict[str, Any]) -> list[str]:
        try:
            return _check_labels(proposal["value"], name)
        except (TypeError, ValueError) as exc:
            raise traitlets.TraitError(str(exc)) from exc

    return _valid


def _check_store(store: Any) -> Store:
    if store is None or isinstance(store, (str, os.PathLike)):
        return Store(store)
    if isinstance(store, Store):
        return store
    raise TypeError(
        f"store: expected a path, a SQLAlchemy URL or a Store, got {type(store).__name__}"
    )


def _check_instructions(instructions: Any) -> None:
    if instructions is not None and not isinstance(instructions, str):
        raise TypeError(
            f"instructions: expected markdown or plain text, got {type(instructions).__name__}"
        )


def _check_annotator(annotator: Any) -> str:
    if annotator is None:
        # On JupyterHub the hub's user name first: it is who logged in, whatever the login.
        annotator = (
            os.environ.get("JUPYTERHUB_USER")
            or os.environ.get("NBLABEL_ANNOTATOR")
            or getpass.getuser()
        )
    if not isinstance(annotator, str):
        raise TypeError(f"annotator: expected a name (str), got {type(annotator).__name__}")
    if not annotator.strip():
        raise ValueError("annotator: must not be empty")
    return annotator


def finite_number(value: Any, name: str, what: str = "a number") -> float:
    """A row's number from the page (``start``, a box's ``x``...) as a finite float.

    ``what`` says what was expected ("a number of seconds"); a bool, a string,
    None, NaN or an infinity is a ``ValueError`` naming the field.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out
