"""Items that live in object storage: fsspec URLs (``s3://``, ``gs://``, ``https://``, ``memory://``...).

A million images rarely sit on the notebook's own disk. An item given as a URL
is read only when it is shown (or prefetched), through `fsspec
<https://filesystem-spec.readthedocs.io>`_, which is an optional extra:
``pip install "nblabel[remote]"``. Remote files are cached on local disk for
the life of the kernel (fsspec's ``simplecache``), so going back to an item
does not download it again. Credentials come from fsspec's usual places (the
environment, ``~/.aws``, ...); ``storage_options`` passes more.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["RemoteError", "is_url", "read_bytes"]

_URL: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
#: Protocols read directly, without the local disk cache.
_LOCAL: Final = frozenset({"memory", "file", "local"})
_CACHE: dict[str, str] = {}  # "dir" -> this kernel's download cache, made on first use


class RemoteError(OSError):
    """A URL item could not be read; the message names the URL and why."""


def is_url(value: Any) -> bool:
    """True for a str that names a protocol (``s3://bucket/cat.jpg``), not a local path."""
    return isinstance(value, str) and bool(_URL.match(value))


def _fsspec() -> Any:
    try:
        import fsspec  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise RemoteError(
            'items given as URLs are read with fsspec: pip install "nblabel[remote]"'
        ) from None
    return fsspec


def read_bytes(url: str, *, storage_options: Mapping[str, Any] | None = None) -> bytes:
    """The whole content of ``url``, through fsspec (cached on local disk for remote protocols).

    Raises :class:`RemoteError` naming the URL: the extra is missing, the
    protocol is unknown, the file is missing or cannot be read.
    """
    fsspec = _fsspec()
    protocol = url.split("://", 1)[0].lower()
    options = dict(storage_options or {})
    target = url
    if protocol not in _LOCAL:
        cache = _CACHE.get("dir") or _CACHE.setdefault(
            "dir", tempfile.mkdtemp(prefix="nblabel-cache-")
        )
        target = f"simplecache::{url}"
        options = {protocol: options, "simplecache": {"cache_storage": cache}}
    try:
        with fsspec.open(target, "rb", **options) as handle:
            data: bytes = handle.read()
    except FileNotFoundError:
        raise RemoteError(f"not found: {url}") from None
    except ValueError as exc:  # fsspec: "Protocol not known"
        raise RemoteError(f"cannot read {url}: {exc}") from None
    except ImportError as exc:  # a protocol whose package is missing (s3fs, gcsfs...)
        raise RemoteError(f"cannot read {url}: {exc}") from None
    except OSError as exc:
        raise RemoteError(f"cannot read {url}: {exc}") from None
    except Exception as exc:  # aiohttp's errors and the like: name the URL
        raise RemoteError(f"cannot read {url}: {type(exc).__name__}: {exc}") from None
    return data
