"""Superpixels for the image widget's superpixel brush (``tools=["superpixel"]``).

A superpixel is a small patch of similar, connected pixels; SLIC (simple linear iterative
clustering, Achanta et al. 2012) cuts an image into a few hundred to a few thousand of
them whose borders follow the image's edges. Painting whole superpixels gives a mask that
snaps to edges with no model weights at all.

This module needs scikit-image: ``pip install 'nblabel[superpixel]'``.

>>> import numpy as np
>>> image = np.zeros((60, 80, 3), np.uint8)
>>> image[:, 40:] = 255                       # two halves
>>> labels = slic_labels(image, n_segments=12)
>>> labels.shape, labels.dtype
((60, 80), dtype('int32'))
>>> bool((labels[:, :40, None] != labels[:, None, 40:]).all())  # no superpixel crosses the edge
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["SLIC_OPTIONS", "slic_labels"]

#: The options :func:`slic_labels` takes, with their defaults.
SLIC_OPTIONS: dict[str, Any] = {
    "n_segments": 1200,
    "compactness": 10.0,
    "sigma": 1.0,
    "max_side": 1024,
}


def _slic() -> Any:
    try:
        from skimage.segmentation import slic
    except ImportError as exc:
        raise ImportError(
            "the superpixel brush needs scikit-image: pip install 'nblabel[superpixel]'"
        ) from exc
    return slic


def check_options(options: Any) -> dict[str, Any]:
    """``options`` (a mapping of some of :data:`SLIC_OPTIONS`) checked, with the defaults filled in.

    Raises ``TypeError``/``ValueError`` naming the option.
    """
    if options is None:
        return dict(SLIC_OPTIONS)
    if not isinstance(options, dict):
        raise TypeError(f"superpixels: expected a dict such as {SLIC_OPTIONS}, got {options!r}")
    unknown = sorted(set(options) - set(SLIC_OPTIONS))
    if unknown:
        raise ValueError(f"superpixels: unknown option(s) {unknown}; known: {list(SLIC_OPTIONS)}")
    out = {**SLIC_OPTIONS, **options}
    for name in ("n_segments", "max_side"):
        value = out[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"superpixels: {name} must be a whole number >= 1, got {value!r}")
    for name in ("compactness", "sigma"):
        value = out[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"superpixels: {name} must be a number >= 0, got {value!r}")
    return out


def slic_labels(
    image: npt.ArrayLike,
    *,
    n_segments: int = SLIC_OPTIONS["n_segments"],
    compactness: float = SLIC_OPTIONS["compactness"],
    sigma: float = SLIC_OPTIONS["sigma"],
    max_side: int = SLIC_OPTIONS["max_side"],
) -> npt.NDArray[np.int32]:
    """Cut ``image`` into superpixels with scikit-image's SLIC.

    Parameters
    ----------
    image
        An ``(h, w)`` gray or ``(h, w, 3|4)`` colour image (alpha is ignored), any dtype.
    n_segments
        About how many superpixels to make.
    compactness
        Shape against colour: higher gives rounder, more even superpixels; lower follows
        colour edges more closely.
    sigma
        Gaussian smoothing before the cut, in pixels of the image it runs on.
    max_side
        Images with a longer side are cut at this size (nearest-pixel reduced); the labels
        then come at that size. The widget maps them onto the original pixels.

    Returns
    -------
    numpy.ndarray
        ``int32`` labels ``0 .. n - 1``, one per pixel, row-major, every label used.
    """
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[:, :, :3]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] != 3) or arr.size == 0:
        raise ValueError(
            f"superpixels: expected an (h, w) or (h, w, 3|4) image, got shape {arr.shape}"
        )
    h, w = arr.shape[:2]
    if max(h, w) > max_side:
        k = max_side / max(h, w)
        rows = np.minimum(h - 1, ((np.arange(max(1, round(h * k))) + 0.5) / k).astype(int))
        cols = np.minimum(w - 1, ((np.arange(max(1, round(w * k))) + 0.5) / k).astype(int))
        arr = arr[rows][:, cols]
    labels = _slic()(
        arr,
        n_segments=n_segments,
        compactness=compactness,
        sigma=sigma,
        start_label=0,
        channel_axis=None if arr.ndim == 2 else -1,
        enforce_connectivity=True,
    )
    # Numbered 0..n-1 with none missing, so the page can index them densely.
    _, dense = np.unique(labels, return_inverse=True)
    return np.ascontiguousarray(dense.reshape(labels.shape), dtype=np.int32)
