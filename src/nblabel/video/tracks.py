"""Tracks: keyframe rows of the annotation table expanded to one row per frame.

A *track* is one object followed through a video: the rows of kind ``box``
(or ``point``) that share ``item_id``, ``annotator`` and ``track_id``. The store
keeps only its **keyframes**, the frames where a person drew or corrected the
box; :func:`interpolate` fills in the frames between them.

The rule
--------
Within a track, sorted by ``frame``:

* between two consecutive keyframes ``a`` and ``b`` (``a.frame < b.frame``) the
  box at frame ``f`` is the linear interpolation
  ``a + (f - a.frame) / (b.frame - a.frame) * (b - a)`` of ``x``, ``y``,
  ``width`` and ``height``, for ``a.frame <= f < b.frame``; at ``b.frame`` the
  box is ``b`` itself;
* a keyframe with ``outside=True`` says the object has left the view: there is
  no box at that frame, nor after it, until the track's next keyframe (where
  the object re-enters); nothing is interpolated across the gap. Up to an
  outside keyframe the box moves towards the outside keyframe's box if it has
  one (as CVAT does; the widget stores the box the object had when it left),
  and is held still if it has none;
* after the track's last keyframe there is nothing, unless ``n_frames`` says how
  long the video is: then the last keyframe's box is held to the last frame
  (CVAT's rule), unless that keyframe is ``outside``.

Label, source, score and the other columns of an interpolated row are those of
the keyframe at or before it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema

__all__ = ["interpolate", "track_keys"]

_GEOMETRY = ("x", "y", "width", "height")
_TRACKED_KINDS = ("box", "point")
#: The columns that identify a track.
TRACK_KEY = ("item_id", "annotator", "track_id")


def track_keys(df: pd.DataFrame) -> pd.Series:
    """A boolean mask of the rows of ``df`` that are keyframes of a track.

    Those are rows of kind ``box`` or ``point`` with both ``frame`` and
    ``track_id`` set.
    """
    kind = df["kind"].astype(object) if "kind" in df.columns else pd.Series("box", index=df.index)
    if "frame" not in df.columns or "track_id" not in df.columns:
        return pd.Series(False, index=df.index)
    return kind.isin(_TRACKED_KINDS) & df["frame"].notna() & df["track_id"].notna()


def interpolate(
    df: pd.DataFrame, *, n_frames: int | Mapping[str, int] | None = None
) -> pd.DataFrame:
    """Expand each track's keyframes to one row per frame (MOT style).

    ``df`` is an annotation table (see :mod:`nblabel.schema`); the rows that are
    keyframes of a track (kind ``box`` or ``point`` with ``frame`` and
    ``track_id``) are replaced by one row per frame where the object is in view,
    following the rule in this module's docstring. Every other row is returned
    unchanged. ``n_frames`` (one count, or a mapping from item id to count) is
    the length of the videos; with it a track's last keyframe holds until the
    last frame.

    The result is in the schema, sorted by item, annotator, track and frame after
    the untouched rows, with one more column, ``keyframe``: True on rows that are
    stored keyframes, False on interpolated ones. A keyframe row keeps its ``id``;
    an interpolated row's ``id`` is ``"<id of the keyframe before it>@<frame>"``.

    Raises :class:`~nblabel.schema.SchemaError` naming the row for a negative
    frame, two keyframes of one track on the same frame, or a keyframe (other
    than an ``outside`` one) without its geometry.
    """
    table = schema.coerce(df)
    keep = track_keys(table)
    rest = table[~keep].copy()
    keys = table[keep]
    if keys.empty:
        rest["keyframe"] = pd.Series(pd.NA, index=rest.index, dtype="boolean")
        return rest
    keys, frames, same_next, outside = _sorted_tracks(keys)
    next_frame = np.append(frames[1:], 0)
    stop = np.where(same_next, next_frame, _last_stops(keys, frames, n_frames))
    span = np.where(outside, 0, stop - frames)

    src = np.repeat(np.arange(len(keys)), span)
    offset = np.arange(len(src)) - np.repeat(np.cumsum(span) - span, span)
    out = keys.iloc[src].copy()
    out_frames = frames[src] + offset
    # Interpolate towards the next keyframe of the same track; after the last keyframe, or
    # towards an outside keyframe that carries no box, the box is held.
    has_next = same_next[src]
    nxt = np.minimum(src + 1, len(keys) - 1)
    length = (frames[nxt] - frames[src]).astype(np.float64)
    t = np.where(has_next, offset / np.where(length > 0, length, 1.0), 0.0)
    for name in _GEOMETRY:
        values = keys[name].to_numpy(dtype=np.float64)
        a, b = values[src], values[nxt]
        out[name] = np.where((t > 0) & ~np.isnan(b), a + t * (b - a), a)
    out["frame"] = pd.array(out_frames, dtype="Int64")
    is_key = offset == 0
    ids = keys["id"].astype(str).to_numpy()[src]
    out["id"] = np.where(
        is_key, ids, np.char.add(np.char.add(ids.astype(str), "@"), out_frames.astype(str))
    )
    out["keyframe"] = pd.array(is_key, dtype="boolean")
    out.index = pd.RangeIndex(len(out))
    rest["keyframe"] = pd.Series(pd.NA, index=rest.index, dtype="boolean")
    return pd.concat([rest.reset_index(drop=True), out], ignore_index=True)


def _sorted_tracks(
    keys: pd.DataFrame,
) -> tuple[pd.DataFrame, npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Keyframes sorted by track and frame, checked; with frames, same-track-next, outside."""
    negative = keys["frame"] < 0
    if negative.any():
        row = keys.index[negative.to_numpy()][0]
        raise schema.SchemaError("a frame must not be negative", column="frame", row=row)
    keys = keys.sort_values([*TRACK_KEY, "frame"], kind="stable")
    group_cols = keys[list(TRACK_KEY)].astype(str)
    group = group_cols.ne(group_cols.shift()).any(axis=1).cumsum().to_numpy()
    frames = keys["frame"].to_numpy(dtype=np.int64)
    same_next = np.zeros(len(keys), dtype=bool)
    same_next[:-1] = group[1:] == group[:-1]
    dup = same_next & (np.append(frames[1:], -1) == frames)
    if dup.any():
        at = int(np.flatnonzero(dup)[0]) + 1
        row = keys.index[at]
        raise schema.SchemaError(
            f"two keyframes of track {keys['track_id'].iloc[at]!r} are on frame {frames[at]}",
            column="frame",
            row=row,
        )
    outside = keys["outside"].fillna(False).to_numpy(dtype=bool)
    kind = keys["kind"].astype(object).to_numpy()
    for name in _GEOMETRY:
        needed = ~outside & (kind == "box") if name in ("width", "height") else ~outside
        missing = needed & keys[name].isna().to_numpy()
        if missing.any():
            row = keys.index[np.flatnonzero(missing)[0]]
            raise schema.SchemaError(f"a keyframe needs {name!r}", column=name, row=row)
    return keys, frames, same_next, outside


def _last_stops(
    keys: pd.DataFrame, frames: npt.NDArray[np.int64], n_frames: int | Mapping[str, int] | None
) -> npt.NDArray[np.int64]:
    """Where a track's last keyframe stops: the frame after it, or the video's end."""
    if n_frames is None:
        return frames + 1
    if isinstance(n_frames, Mapping):
        items = keys["item_id"].astype(str)
        unknown = sorted(set(items) - set(n_frames))
        if unknown:
            raise ValueError(f"n_frames has no frame count for item(s) {unknown}")
        counts = items.map(n_frames).to_numpy(dtype=np.int64)
    else:
        if isinstance(n_frames, bool) or not isinstance(n_frames, int | np.integer):
            raise TypeError(f"n_frames must be an integer or a mapping, got {n_frames!r}")
        counts = np.full(len(keys), int(n_frames), dtype=np.int64)
    return np.maximum(counts, frames + 1)
