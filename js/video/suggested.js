// A model's tracks, suggested keyframe by keyframe (rows of kind "box" with frame, track_id
// and outside): grouped into tracks, shown interpolated as the person's tracks are, and
// accepted or rejected whole. DOM-free (tested in js/test/video_suggested.test.js).

import { byTrack, extents } from "./tracks.js";

/**
 * @typedef {import("./tracks.js").Keyframe} Keyframe
 * @typedef {Record<string, any> & {id: string, kind: string, label: string, score?: number}} Suggestion
 * @typedef {{key: string, label: string, score: number | null, keys: Keyframe[], ids: string[],
 *   first: number, last: number}} SuggestedTrack
 */

/** The prefix that keeps a suggested track's id apart from the person's track ids. */
export const SUGGESTED = "suggested:";

/**
 * The suggested tracks among `suggestions` (a box without a track_id is a track of its own),
 * best score first.
 * @param {Suggestion[]} suggestions
 * @returns {SuggestedTrack[]}
 */
export function suggestedTracks(suggestions) {
  /** @type {Keyframe[]} */
  const rows = [];
  for (const s of suggestions) {
    if (s.kind !== "box" || s.frame == null) continue;
    const key = SUGGESTED + String(s.track_id ?? s.id);
    rows.push(/** @type {Keyframe} */ (/** @type {unknown} */ ({ ...s, track_id: key, frame: Number(s.frame) })));
  }
  /** @type {SuggestedTrack[]} */
  const out = [];
  for (const [key, keys] of byTrack(rows)) {
    const scores = keys.map((k) => /** @type {any} */ (k).score).filter((v) => typeof v === "number");
    out.push({
      key,
      label: keys[0].label,
      score: scores.length ? Math.max(...scores) : null,
      keys,
      ids: keys.map((k) => k.id),
      first: keys[0].frame,
      last: keys[keys.length - 1].frame,
    });
  }
  return out.sort((a, b) => (b.score ?? 1) - (a.score ?? 1) || a.first - b.first);
}

/**
 * The edit that accepts a suggested track: its keyframes as new rows of a new track of the
 * person's (`trackId`), and the suggestions' ids as accepted.
 * @param {SuggestedTrack} track @param {string} trackId @param {() => string} newId
 * @returns {{upsert: import("../lib/session.js").Row[], delete: string[], accepted: string[]}}
 */
export function acceptTrack(track, trackId, newId) {
  const upsert = track.keys.map((k) => ({
    id: newId(),
    kind: "box",
    label: k.label,
    frame: k.frame,
    track_id: trackId,
    x: k.x,
    y: k.y,
    width: k.width,
    height: k.height,
    outside: Boolean(k.outside),
  }));
  return { upsert, delete: [], accepted: [...track.ids] };
}

/**
 * The edit that rejects a whole suggested track.
 * @param {SuggestedTrack} track
 * @returns {{upsert: never[], delete: never[], rejected: string[]}}
 */
export function rejectTrack(track) {
  return { upsert: [], delete: [], rejected: [...track.ids] };
}

/**
 * The frames where a suggested track is in view, [start, stop) each (for the timeline).
 * @param {SuggestedTrack} track @param {number} nFrames
 */
export function suggestedExtents(track, nFrames) {
  return extents(track.keys, nFrames);
}
