"""COCO keypoints, for :mod:`nblabel.formats.coco`: ``keypoints`` ``[x, y, v, ...]``,
``num_keypoints`` and the categories' ``keypoints`` and ``skeleton``.

How the table carries them (see :mod:`nblabel.skeleton`)
--------------------------------------------------------
- Each labeled keypoint (``v`` 1 or 2) of an annotation is a ``point`` row: ``label`` the
  keypoint's name (from the category's ``keypoints``), ``x``, ``y``, and ``outside=True``
  for ``v=1`` (labeled, not visible). ``v=0`` keypoints have no row.
- All rows of one annotation share ``track_id`` (the annotation id as text): its points and
  its region (the ``box`` from ``bbox``, or the polygon or mask from ``segmentation``).
- Each point's ``extra["coco"]`` keeps the annotation ``id``, ``image_id``, ``category_id``,
  the category's name (``category``), ``keypoints`` (names in order) and ``skeleton``
  (1-based edges), so a frame read from a file writes back the same file.

Writing: points are grouped by ``item_id`` and ``track_id``; a region row with the same two
is the annotation's ``bbox``/``segmentation`` (else the points' tight box is written as
``bbox``). The category is the region's label, else the one kept in ``extra``, else the
skeleton of ``skeletons=`` that names all the instance's points; the keypoint order and
edges come from ``skeletons=`` (``w.skeleton`` of the widget) or from ``extra``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd

from .. import schema
from ..skeleton import Skeleton, as_skeleton
from ._common import FormatError, extra_of, missing, number, records, row_error

__all__ = ["add_keypoints", "describe_categories", "fold", "keypoint_categories", "read_points"]

#: Annotation fields this module reads and writes (not kept under ``extra["coco"]["fields"]``).
FIELDS: Final = frozenset({"keypoints", "num_keypoints"})

Triples = list[list[Any]]
#: An instance's keypoints as written: triples, a kept ``num_keypoints`` and its points' score.
Folded = tuple[Triples, Any, Any]


def keypoint_categories(gt: Mapping[str, Any], name: str) -> dict[Any, Skeleton]:
    """The keypoint categories of a COCO document, by category id."""
    out: dict[Any, Skeleton] = {}
    cats = gt.get("categories", [])
    for i, cat in enumerate(cats if isinstance(cats, list) else []):
        if not isinstance(cat, Mapping) or cat.get("keypoints") is None:
            continue
        where = f"categories[{i}]"
        names = cat["keypoints"]
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise FormatError(
                "must be a list of keypoint names", source=name, where=where, field="keypoints"
            )
        try:
            out[cat.get("id")] = Skeleton.from_coco(cat)
        except ValueError as exc:
            raise FormatError(str(exc), source=name, where=where, field="skeleton") from exc
    return out


def has_region(ann: Mapping[str, Any]) -> bool:
    """Does a keypoint annotation also carry a box or a segmentation?"""
    return ann.get("bbox") is not None or bool(ann.get("segmentation"))


def read_points(
    ann: Mapping[str, Any],
    regions: list[dict[str, Any]],
    *,
    where: str,
    name: str,
    item: tuple[str, int | None, int | None],
    label: str,
    skeleton: Skeleton | None,
    outside: str,
    index: int,
) -> list[dict[str, Any]]:
    """The region rows of a keypoint annotation, tied to its instance, and its point rows."""
    flat = ann["keypoints"]
    if not isinstance(flat, list) or len(flat) % 3:
        raise FormatError(
            "must be a flat list of x, y, v triples", source=name, where=where, field="keypoints"
        )
    count = len(flat) // 3
    if skeleton is not None and count != len(skeleton.points):
        raise FormatError(
            f"has {count} keypoints but category {label!r} names {len(skeleton.points)}",
            source=name,
            where=where,
            field="keypoints",
        )
    names = skeleton.points if skeleton is not None else tuple(f"{k + 1}" for k in range(count))
    ann_id = ann.get("id", index + 1)
    track = str(ann_id)
    for row in regions:
        row["track_id"] = track
    coco: dict[str, Any] = {
        "id": ann_id,
        "image_id": ann.get("image_id"),
        "category_id": ann.get("category_id"),
        "category": label,
    }
    if skeleton is not None:
        coco["keypoints"] = list(skeleton.points)
        coco["skeleton"] = skeleton.coco_edges()
    if not regions:  # a results file's keypoints alone: keep what else the annotation said
        rest = {k: v for k, v in ann.items() if k not in {"id", "image_id", "category_id", "score"}}
        rest.pop("keypoints")
        rest.pop("num_keypoints", None)
        if rest:
            coco["fields"] = rest
    item_id, width, height = item
    triples = [flat[k : k + 3] for k in range(0, len(flat), 3)]
    labeled = 0
    out: list[dict[str, Any]] = []
    for k, (kname, (x, y, v)) in enumerate(zip(names, triples, strict=True)):
        at = f"{where}.keypoints[{3 * k + 2}]"
        if v not in (0, 1, 2) or isinstance(v, bool):
            raise FormatError(f"visibility {v!r} is not 0, 1 or 2", source=name, where=at)
        if v == 0:
            continue
        labeled += 1
        fx = number(x, source=name, where=f"{where}.keypoints[{3 * k}]", field="")
        fy = number(y, source=name, where=f"{where}.keypoints[{3 * k + 1}]", field="")
        if (
            outside == "error"
            and width is not None
            and height is not None
            and not (0 <= fx <= width and 0 <= fy <= height)
        ):
            raise FormatError(
                f"keypoint {kname!r} at ({fx:g}, {fy:g}) leaves the {width}x{height} image "
                "(read with outside='keep' to keep it)",
                source=name,
                where=at,
            )
        point: dict[str, Any] = {
            "id": f"{ann_id}:kp{k + 1}",
            "item_id": item_id,
            "kind": "point",
            "label": kname,
            "x": x if isinstance(x, int) and not isinstance(x, bool) else fx,
            "y": y if isinstance(y, int) and not isinstance(y, bool) else fy,
            "image_width": width,
            "image_height": height,
            "track_id": track,
            "outside": True if v == 1 else None,
            "extra": {"coco": {**coco, "keypoint": k}},
        }
        if "score" in ann:
            point["score"] = number(ann["score"], source=name, where=where, field="score")
        out.append(point)
    kept = ann.get("num_keypoints")
    if kept is not None and kept != labeled:  # a file whose count disagrees keeps its count
        for row in (*regions, *out):
            row["extra"]["coco"]["num_keypoints"] = kept
    return [*regions, *out]


def fold(
    df: pd.DataFrame, skeletons: Sequence[Skeleton | Mapping[str, Any]] | None
) -> tuple[pd.DataFrame, dict[Any, Folded], dict[str, Skeleton]]:
    """Take the point rows out of ``df``: each instance's keypoints go to its region row.

    Returns the rows left (with a box made for an instance that has no region row),
    ``{region row label: (triples, num_keypoints kept or None)}`` and the skeleton of
    each keypoint category by name.
    """
    is_point = (df["kind"] == "point").to_numpy()
    if not is_point.any():
        return df, {}, {}
    given: dict[str, Skeleton] = {}
    for i, value in enumerate(skeletons or ()):
        sk = as_skeleton(value, argument=f"skeletons[{i}]")
        given[sk.name] = sk
    points = df.loc[is_point]
    rest = df.loc[~is_point]
    no_track = points["track_id"].isna().to_numpy()
    if no_track.any():
        raise row_error(
            "COCO keypoints group points into instances by track_id; this point has none",
            points.index[no_track][0],
            "track_id",
        )
    region_of: dict[tuple[Any, Any], tuple[Any, str]] = {}  # (row label, its label)
    for label, row in records(rest[["item_id", "track_id", "label"]]):
        if not missing(row["track_id"]):
            region_of.setdefault((row["item_id"], row["track_id"]), (label, str(row["label"])))
    folded: dict[Any, Folded] = {}
    used: dict[str, Skeleton] = {}
    made: list[dict[str, Any]] = []
    made_index: list[Any] = []
    cols = ["item_id", "track_id", "label", "x", "y", "outside", "score", "extra"]
    cols += ["image_width", "image_height", "annotator", "source"]
    instances: dict[tuple[Any, Any], list[tuple[Any, dict[str, Any]]]] = {}
    for label, row in records(points[cols]):
        instances.setdefault((row["item_id"], row["track_id"]), []).append((label, row))
    for key, members in instances.items():
        first_label = members[0][0]
        cocos = [extra_of(r["extra"], "coco") for _, r in members]
        found = region_of.get(key)
        region = None if found is None else found[0]
        names = {r["label"] for _, r in members}
        category: str | None = None if found is None else found[1]
        if category is None:
            category = next((c["category"] for c in cocos if "category" in c), None)
        if category is None:
            fits = [s for s in given.values() if names <= set(s.points)]
            category = fits[0].name if fits else None
        if category is None:
            raise row_error(
                f"the points of instance {key[1]!r} belong to no known category: pass "
                "skeletons=[...] (the widget's w.skeleton) naming their keypoints",
                first_label,
                "label",
            )
        skeleton = given.get(category) or used.get(category)
        if skeleton is None:
            kept = next((c for c in cocos if "keypoints" in c), None)
            if kept is None:
                raise row_error(
                    f"COCO needs the keypoint order of category {category!r}: pass "
                    "skeletons=[nblabel.Skeleton(...)] (the widget's w.skeleton)",
                    first_label,
                    "label",
                )
            skeleton = Skeleton.from_coco(
                {"name": category, "keypoints": kept["keypoints"], "skeleton": kept.get("skeleton")}
            )
        used[category] = skeleton
        triples: Triples = [[0, 0, 0] for _ in skeleton.points]
        seen: set[str] = set()
        for label, row in members:
            if row["label"] not in skeleton:
                raise row_error(
                    f"keypoint {row['label']!r} is not one of category {category!r}'s "
                    f"{list(skeleton.points)}",
                    label,
                    "label",
                )
            if row["label"] in seen:
                raise row_error(
                    f"instance {key[1]!r} has keypoint {row['label']!r} twice", label, "label"
                )
            seen.add(row["label"])
            v = 1 if not missing(row["outside"]) and bool(row["outside"]) else 2
            triples[skeleton.index(row["label"])] = [_num(row["x"]), _num(row["y"]), v]
        kept_count = next((c["num_keypoints"] for c in cocos if "num_keypoints" in c), None)
        if region is None:
            region = first_label
            made.append(_instance_box(key, category, members, cocos))
            made_index.append(first_label)
        scores = [r["score"] for _, r in members if not missing(r["score"])]
        folded[region] = (triples, kept_count, float(scores[0]) if scores else None)
    if made:
        boxes = schema.from_records(made)
        boxes.index = pd.Index(made_index)
        rest = pd.concat([rest, boxes]) if len(rest) else boxes
    return rest, folded, used


def _instance_box(
    key: tuple[Any, Any],
    category: str,
    members: list[tuple[Any, dict[str, Any]]],
    cocos: list[Mapping[str, Any]],
) -> dict[str, Any]:
    """A box row for an instance of points alone: the points' tight box, labeled by category."""
    xs = [float(r["x"]) for _, r in members]
    ys = [float(r["y"]) for _, r in members]
    first = members[0][1]
    coco = {k: v for k, v in cocos[0].items() if k in ("id", "image_id", "category_id", "fields")}
    scores = [r["score"] for _, r in members if not missing(r["score"])]
    return {
        "id": str(key[1]),
        "item_id": key[0],
        "annotator": first["annotator"],
        "source": first["source"],
        "kind": "box",
        "label": category,
        "score": scores[0] if scores else None,
        "x": min(xs),
        "y": min(ys),
        "width": max(xs) - min(xs),
        "height": max(ys) - min(ys),
        "image_width": first["image_width"],
        "image_height": first["image_height"],
        "track_id": key[1],
        "extra": {"coco": coco} if coco else None,
    }


def describe_categories(table: list[dict[str, Any]], skeletons: Mapping[str, Skeleton]) -> None:
    """Give the keypoint categories of a category table their ``keypoints`` and ``skeleton``."""
    for entry in table:
        sk = skeletons.get(entry["name"])
        if sk is not None:
            entry["keypoints"] = list(sk.points)
            entry["skeleton"] = sk.coco_edges()


def add_keypoints(ann: dict[str, Any], labels: Sequence[Any], folded: Mapping[Any, Folded]) -> None:
    """Write ``keypoints`` and ``num_keypoints`` into the annotation of region rows ``labels``
    (and the points' ``score`` when the region has none)."""
    for label in labels:
        if label in folded:
            triples, kept, score = folded[label]
            ann["keypoints"] = [v for t in triples for v in t]
            ann["num_keypoints"] = kept if kept is not None else sum(t[2] > 0 for t in triples)
            if score is not None and "score" not in ann:
                ann["score"] = score
            return


def _num(value: Any) -> Any:
    f = float(value)
    return int(f) if isinstance(value, int) and not isinstance(value, bool) else f
