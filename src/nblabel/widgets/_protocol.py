"""The pieces of the browser protocol that every widget part shares.

The protocol itself (each message and its answer) is documented in
:mod:`nblabel.widgets._base`; this module holds what the parts of
:class:`~nblabel.widgets._base.Annotator` need to speak it: the payload type,
the :func:`handles` registry and the row as the page sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .. import schema

__all__ = ["Payload", "handles"]

#: An item ready for the browser: its JSON part and its binary buffers.
Payload = tuple[dict[str, Any], list[bytes]]

_F = TypeVar("_F", bound=Callable[..., Any])

#: Fields the page may send back on a row it got from the kernel; they are ignored.
_ECHOED = frozenset({"source", "score", "rule"})
#: Every field a page may send for some kind.
_ANY_PAGE_FIELD = schema.page_fields(schema.KINDS)


def handles(message_type: str) -> Callable[[_F], _F]:
    """Register a widget method as the handler of the page's ``{"type": message_type}``.

    The method is called as ``method(content, buffers)``; what it raises is
    logged and the comm goes on. A subclass may add types; giving a type two
    handlers in one class hierarchy is a ``TypeError`` at class creation.

    >>> from nblabel.widgets._base import Annotator
    >>> class Echo(Annotator):
    ...     @handles("ping")
    ...     def _ping(self, content, buffers):
    ...         self.send({"type": "pong"})
    >>> sorted(Echo.message_types())
    ['accept', 'edit', 'goto', 'hello', 'ping', 'unlabeled']
    """
    if not isinstance(message_type, str) or not message_type:
        raise TypeError(f"handles: expected a message type name, got {message_type!r}")

    def mark(method: _F) -> _F:
        method._nblabel_message = message_type  # type: ignore[attr-defined]
        return method

    return mark


def _jsonable(row: Mapping[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    """A stored row as the browser sees it: only those of its ``fields`` that are set."""
    return {k: row[k] for k in fields if k in row and not schema.is_missing(row[k])}


def _collect_handlers(cls: type) -> dict[str, str]:
    """Message type -> method name, over the class and its bases (most derived wins nothing)."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            kind = getattr(value, "_nblabel_message", None)
            if not isinstance(kind, str):
                continue
            if kind in found and found[kind] != name:
                raise TypeError(
                    f"{cls.__name__}: message type {kind!r} has two handlers, "
                    f"{found[kind]} and {name}"
                )
            found[kind] = name
    return found
