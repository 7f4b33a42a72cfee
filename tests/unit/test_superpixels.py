"""nblabel.superpixels: SLIC label images for the superpixel brush."""

from __future__ import annotations

import numpy as np
import pytest

from nblabel import superpixels


def halves(h: int = 60, w: int = 80) -> np.ndarray:
    image = np.zeros((h, w, 3), np.uint8)
    image[:, w // 2 :] = (250, 200, 10)
    return image


def test_labels_are_dense_int32_and_follow_a_strong_edge():
    labels = superpixels.slic_labels(halves(), n_segments=20)
    assert labels.dtype == np.int32
    assert labels.shape == (60, 80)
    assert set(np.unique(labels)) == set(range(int(labels.max()) + 1))
    assert labels.max() >= 4
    left = set(np.unique(labels[:, :40]))
    right = set(np.unique(labels[:, 40:]))
    assert not left & right


def test_gray_rgba_and_16_bit_images():
    gray = np.zeros((40, 40), np.uint16)
    gray[:, 20:] = 60000
    assert superpixels.slic_labels(gray, n_segments=8).shape == (40, 40)
    rgba = np.dstack([halves(40, 40), np.full((40, 40), 7, np.uint8)])
    assert superpixels.slic_labels(rgba, n_segments=8).shape == (40, 40)


def test_large_images_are_cut_at_max_side():
    labels = superpixels.slic_labels(halves(300, 400), n_segments=30, max_side=100)
    assert labels.shape == (75, 100)
    # the edge stays an edge after the reduction (a pixel's width of blur at most)
    assert not set(np.unique(labels[:, :49])) & set(np.unique(labels[:, 51:]))


def test_more_segments_give_more_superpixels():
    rng = np.random.default_rng(0)
    image = (rng.random((64, 64, 3)) * 40 + 100).astype(np.uint8)
    few = superpixels.slic_labels(image, n_segments=4, compactness=20)
    many = superpixels.slic_labels(image, n_segments=64, compactness=20)
    assert many.max() > few.max()


@pytest.mark.parametrize("shape", [(0, 5), (4, 4, 2), (2, 2, 2, 2)])
def test_bad_shapes_are_named(shape):
    with pytest.raises(ValueError, match="superpixels: expected an"):
        superpixels.slic_labels(np.zeros(shape))


def test_options_are_checked_by_name():
    assert superpixels.check_options(None) == superpixels.SLIC_OPTIONS
    assert superpixels.check_options({"n_segments": 50})["n_segments"] == 50
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['segments'\]"):
        superpixels.check_options({"segments": 5})
    with pytest.raises(ValueError, match="n_segments must be a whole number"):
        superpixels.check_options({"n_segments": 0})
    with pytest.raises(ValueError, match="compactness must be a number"):
        superpixels.check_options({"compactness": "high"})
    with pytest.raises(TypeError, match="superpixels: expected a dict"):
        superpixels.check_options([1])


def test_missing_scikit_image_names_the_extra(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_skimage(name, *args, **kwargs):
        if name.startswith("skimage"):
            raise ImportError("No module named 'skimage'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_skimage)
    with pytest.raises(ImportError, match=r"pip install 'nblabel\[superpixel\]'"):
        superpixels.slic_labels(halves())
