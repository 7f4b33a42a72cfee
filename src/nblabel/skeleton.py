"""Skeletons: named keypoints and the edges between them (a person's joints, a face's landmarks).

A :class:`Skeleton` is what ``ImageAnnotator(..., tools=["point"], skeleton=...)`` asks the
annotator to place, what :func:`nblabel.formats.to_coco` writes as a COCO keypoint category
and what :func:`nblabel.qa.keypoint_agreement` takes its per-keypoint sigmas from. No widget,
no DataFrame: the rules of a skeleton live here once.

How keypoints sit in the annotation table (see :mod:`nblabel.schema`)
----------------------------------------------------------------------
- One row of kind ``point`` per placed keypoint: ``x``, ``y`` in original-image pixels.
- ``label`` is the keypoint's name (``"left_eye"``); without a skeleton, the class chosen by key.
- ``track_id`` groups the points of one instance (one person): every point of a skeleton placed
  in one go shares it. A ``box`` row with the same ``item_id``, ``annotator`` and ``track_id``
  is the instance's box (COCO's ``bbox``; the object's scale in OKS).
- ``outside`` is True for a point the annotator marked *not visible* (occluded, its place
  guessed): COCO's ``v=1``. A visible point (``outside`` False or missing) is ``v=2``. A
  keypoint that was not placed at all has no row (``v=0``).

>>> s = Skeleton(["head", "tail"], [("head", "tail")], name="fish")
>>> s.index("tail"), s.coco_edges()
(1, [[1, 2]])
>>> as_skeleton({"points": ["a", "b"], "edges": [["a", "c"]]})
Traceback (most recent call last):
    ...
ValueError: skeleton: edge 0 ('a', 'c') names 'c', which is not one of the points ['a', 'b']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "COCO_PERSON",
    "COCO_PERSON_SIGMAS",
    "DEFAULT_SIGMA",
    "Skeleton",
    "as_skeleton",
    "sigma_of",
]

_PERSON_POINTS: Final = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
# COCO's person skeleton, 1-based as in the COCO files.
_PERSON_EDGES_1: Final = (
    (16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6, 12), (7, 13), (6, 7), (6, 8),
    (7, 9), (8, 10), (9, 11), (2, 3), (1, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7),
)  # fmt: skip

#: COCO's per-keypoint sigmas for the 17 person keypoints (pycocotools ``COCOeval``'s
#: ``kpt_oks_sigmas``: ``[.26, .25, ..., .89] / 10``), by name.
COCO_PERSON_SIGMAS: Final[Mapping[str, float]] = dict(
    zip(
        _PERSON_POINTS,
        (
            0.026,
            0.025,
            0.025,
            0.035,
            0.035,
            0.079,
            0.079,
            0.072,
            0.072,
            0.062,
            0.062,
            0.107,
            0.107,
            0.087,
            0.087,
            0.089,
            0.089,
        ),
        strict=True,
    )
)

#: The sigma of a keypoint whose name is not one of COCO's person keypoints: the mean of
#: COCO's 17 person sigmas (about 0.067), so an unknown point is judged like an average joint.
DEFAULT_SIGMA: Final = sum(COCO_PERSON_SIGMAS.values()) / len(COCO_PERSON_SIGMAS)


def sigma_of(name: str, sigmas: Mapping[str, float] | None = None) -> float:
    """The OKS sigma of keypoint ``name``: ``sigmas[name]``, else COCO's, else the default."""
    if sigmas is not None and name in sigmas:
        return float(sigmas[name])
    return COCO_PERSON_SIGMAS.get(name, DEFAULT_SIGMA)


@dataclass(frozen=True)
class Skeleton:
    """Named keypoints, in the order they are placed, and the edges drawn between them.

    Parameters
    ----------
    points
        The keypoint names, in placing order (COCO's ``keypoints``).
    edges
        Pairs of names joined by a line (COCO's ``skeleton``, here by name, not 1-based index).
    name
        The kind of object (COCO's category ``name``), e.g. ``"person"``.

    Examples
    --------
    >>> Skeleton(["nose", "left_eye"], [("nose", "left_eye")], name="person").points
    ('nose', 'left_eye')
    """

    points: tuple[str, ...]
    edges: tuple[tuple[str, str], ...] = ()
    name: str = "object"
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __init__(
        self, points: Sequence[str], edges: Sequence[Sequence[str]] = (), name: str = "object"
    ) -> None:
        if isinstance(points, str) or not isinstance(points, Sequence) or not points:
            raise ValueError(f"skeleton: points must be a non-empty list of names, got {points!r}")
        names = tuple(points)
        for i, p in enumerate(names):
            if not isinstance(p, str) or not p.strip():
                raise ValueError(f"skeleton: point {i} {p!r} is not a name")
        twice = sorted({p for p in names if names.count(p) > 1})
        if twice:
            raise ValueError(f"skeleton: point name(s) {twice} appear twice")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"skeleton: name must be a non-empty text, got {name!r}")
        if isinstance(edges, str) or not isinstance(edges, Sequence):
            raise ValueError(f"skeleton: edges must be a list of (a, b) pairs, got {edges!r}")
        pairs: list[tuple[str, str]] = []
        for i, edge in enumerate(edges):
            if isinstance(edge, str) or not isinstance(edge, Sequence) or len(edge) != 2:
                raise ValueError(f"skeleton: edge {i} {edge!r} is not a pair of point names")
            a, b = edge
            for end in (a, b):
                if end not in names:
                    raise ValueError(
                        f"skeleton: edge {i} {(a, b)!r} names {end!r}, which is not one of "
                        f"the points {list(names)}"
                    )
            if a == b:
                raise ValueError(f"skeleton: edge {i} joins {a!r} to itself")
            pairs.append((a, b))
        object.__setattr__(self, "points", names)
        object.__setattr__(self, "edges", tuple(pairs))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_index", {p: i for i, p in enumerate(names)})

    def index(self, point: str) -> int:
        """The place of ``point`` in :attr:`points` (0-based); KeyError for an unknown name."""
        return self._index[point]

    def __contains__(self, point: object) -> bool:
        return point in self._index

    def coco_edges(self) -> list[list[int]]:
        """The edges as COCO writes them: 1-based indices into :attr:`points`."""
        return [[self._index[a] + 1, self._index[b] + 1] for a, b in self.edges]

    def to_json(self) -> dict[str, Any]:
        """``{"name", "points", "edges"}``, as the widget's page gets it."""
        return {
            "name": self.name,
            "points": list(self.points),
            "edges": [list(e) for e in self.edges],
        }

    @classmethod
    def coco_person(cls) -> Skeleton:
        """COCO's 17-keypoint person skeleton (category ``person``)."""
        edges = [(_PERSON_POINTS[a - 1], _PERSON_POINTS[b - 1]) for a, b in _PERSON_EDGES_1]
        return cls(_PERSON_POINTS, edges, name="person")

    @classmethod
    def from_coco(cls, category: Mapping[str, Any]) -> Skeleton:
        """A COCO keypoint category (``name``, ``keypoints``, 1-based ``skeleton``)."""
        points = list(category.get("keypoints") or [])
        edges = []
        for i, pair in enumerate(category.get("skeleton") or []):
            if (
                not isinstance(pair, Sequence)
                or len(pair) != 2
                or not all(isinstance(k, int) and 1 <= k <= len(points) for k in pair)
            ):
                raise ValueError(
                    f"skeleton[{i}] {pair!r} is not a pair of 1-based indices into the "
                    f"{len(points)} keypoints"
                )
            edges.append((points[pair[0] - 1], points[pair[1] - 1]))
        return cls(points, edges, name=str(category.get("name") or "object"))


#: COCO's 17-keypoint person skeleton.
COCO_PERSON: Final = Skeleton.coco_person()


def as_skeleton(value: Any, *, argument: str = "skeleton") -> Skeleton:
    """A :class:`Skeleton` from itself or a dict ``{"points": [...], "edges": [...], "name"}``.

    Errors name ``argument`` (``skeleton`` unless told).
    """
    if isinstance(value, Skeleton):
        return value
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - {"points", "edges", "name"})
        if unknown:
            raise ValueError(
                f"{argument}: unknown key(s) {unknown}; expected 'points', 'edges' and 'name'"
            )
        if "points" not in value:
            raise ValueError(f"{argument}: a skeleton needs 'points' (the keypoint names)")
        try:
            return Skeleton(
                value["points"], value.get("edges", ()), name=value.get("name", "object")
            )
        except ValueError as exc:
            raise ValueError(str(exc).replace("skeleton:", f"{argument}:", 1)) from None
    raise TypeError(
        f"{argument}: expected a nblabel.Skeleton or a dict with 'points' and 'edges', "
        f"got {type(value).__name__}"
    )
