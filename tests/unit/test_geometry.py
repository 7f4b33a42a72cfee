"""nblabel.geometry: region checks name what is wrong; measures are exact."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nblabel import geometry


def test_box_problem():
    assert geometry.box_problem((0, 0, 100, 50), (100, 50)) is None
    assert geometry.box_problem((10.5, 2.25, 1, 1), (100, 50)) is None
    assert "outside the 100x50 image" in str(geometry.box_problem((90, 0, 20, 10), (100, 50)))
    assert "outside" in str(geometry.box_problem((-1, 0, 5, 5), (100, 50)))
    assert "non-finite" in str(geometry.box_problem((math.nan, 0, 5, 5), (100, 50)))
    assert "non-finite" in str(geometry.box_problem((None, 0, 5, 5), (100, 50)))
    assert "negative" in str(geometry.box_problem((5, 5, -1, 5), (100, 50)))


def test_points_problem():
    assert geometry.points_problem([[0, 0], [100, 0], [100, 50]], (100, 50)) is None
    assert "three" in str(geometry.points_problem([[0, 0], [1, 1]], (100, 50)))
    assert "point 2 (101, 3) lies outside" in str(
        geometry.points_problem([[0, 0], [1, 1], [101, 3]], (100, 50))
    )
    assert "non-finite" in str(geometry.points_problem([[0, 0], [1, math.inf], [2, 3]], (9, 9)))
    assert "list of [x, y]" in str(geometry.points_problem([["a", 0], [1, 1], [2, 3]], (9, 9)))


def test_polygon_area_and_clip():
    assert geometry.polygon_area([[0, 0], [4, 0], [4, 3], [0, 3]]) == 12
    assert geometry.polygon_area([[0, 0], [4, 0], [0, 3]]) == 6
    assert geometry.clip_box((-5, -5, 10, 10), (100, 100)) == (0, 0, 5, 5)
    assert geometry.clip_box((200, 0, 10, 10), (100, 100)) == (100, 0, 0, 10)


@given(
    st.tuples(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), st.floats(0, 1e4), st.floats(0, 1e4)),
    st.tuples(st.integers(1, 5000), st.integers(1, 5000)),
)
def test_a_clipped_box_is_always_inside(box, size):
    assert geometry.box_problem(geometry.clip_box(box, size), size) is None


@pytest.mark.parametrize("n", [3, 7, 50])
def test_regular_polygon_area(n):
    r = 10.0
    pts = [[r * math.cos(2 * math.pi * k / n), r * math.sin(2 * math.pi * k / n)] for k in range(n)]
    assert geometry.polygon_area(pts) == pytest.approx(0.5 * n * r * r * math.sin(2 * math.pi / n))
