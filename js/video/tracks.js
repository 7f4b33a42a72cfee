// Tracks on a video: keyframes, the boxes shown between them, and the edits a person makes.
// DOM-free (tested in js/test/video_tracks.test.js).
//
// The rule is nblabel.video.interpolate's (src/nblabel/video/tracks.py), with the video's
// frame count given: within a track, sorted by frame,
//   * between keyframes a and b the box moves linearly from a to b (a's box up to b when b
//     is an outside keyframe without a box);
//   * an outside keyframe ends the track: no box on its frame nor after it, until the
//     track's next keyframe;
//   * after the last keyframe the box is held to the video's last frame, unless that
//     keyframe is outside.
// A keyframe row is {id, track_id, frame, label, x, y, width, height, outside}.

/** @typedef {{x: number, y: number, width: number, height: number}} Box */
/** @typedef {{id: string, track_id: string, frame: number, label: string, x: number | null,
 *   y: number | null, width: number | null, height: number | null, outside?: boolean | null}} Keyframe */
/** @typedef {{track_id: string, label: string, box: Box, keyframe: Keyframe | null,
 *   from: Keyframe}} Shown */

/** @param {Keyframe} k */
const hasBox = (k) => k.x != null && k.y != null && k.width != null && k.height != null;

/** @param {Keyframe} k @returns {Box} */
const boxOf = (k) => ({ x: Number(k.x), y: Number(k.y), width: Number(k.width), height: Number(k.height) });

/**
 * The keyframes of each track, sorted by frame.
 * @param {Keyframe[]} rows
 * @returns {Map<string, Keyframe[]>}
 */
export function byTrack(rows) {
  /** @type {Map<string, Keyframe[]>} */
  const out = new Map();
  for (const row of rows) {
    const list = out.get(row.track_id);
    if (list) list.push(row);
    else out.set(row.track_id, [row]);
  }
  for (const list of out.values()) list.sort((a, b) => a.frame - b.frame);
  return out;
}

/**
 * The box one track shows on `frame`, or null.
 * @param {Keyframe[]} keys one track's keyframes, sorted by frame
 * @param {number} frame
 * @param {number} nFrames the video's frame count
 * @returns {Shown | null}
 */
export function shownAt(keys, frame, nFrames) {
  if (!keys.length || frame < keys[0].frame || frame >= nFrames) return null;
  // the last keyframe at or before `frame` (binary search)
  let lo = 0;
  let hi = keys.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (keys[mid].frame <= frame) lo = mid;
    else hi = mid - 1;
  }
  const a = keys[lo];
  if (a.outside || !hasBox(a)) return null;
  const b = keys[lo + 1];
  const common = { track_id: a.track_id, label: a.label, from: a };
  if (a.frame === frame) return { ...common, box: boxOf(a), keyframe: a };
  if (!b || !hasBox(b)) return { ...common, box: boxOf(a), keyframe: null };
  const t = (frame - a.frame) / (b.frame - a.frame);
  const p = boxOf(a);
  const q = boxOf(b);
  return {
    ...common,
    keyframe: null,
    box: {
      x: p.x + t * (q.x - p.x),
      y: p.y + t * (q.y - p.y),
      width: p.width + t * (q.width - p.width),
      height: p.height + t * (q.height - p.height),
    },
  };
}

/**
 * Every box shown on `frame`, one per visible track.
 * @param {Map<string, Keyframe[]>} tracks @param {number} frame @param {number} nFrames
 * @returns {Shown[]}
 */
export function allShownAt(tracks, frame, nFrames) {
  /** @type {Shown[]} */
  const out = [];
  for (const keys of tracks.values()) {
    const s = shownAt(keys, frame, nFrames);
    if (s) out.push(s);
  }
  return out;
}

/**
 * The frame ranges where a track is in view, [start, stop) each, for the timeline.
 * @param {Keyframe[]} keys sorted @param {number} nFrames
 * @returns {[number, number][]}
 */
export function extents(keys, nFrames) {
  /** @type {[number, number][]} */
  const out = [];
  let start = -1;
  for (const k of keys) {
    const visible = !k.outside && hasBox(k);
    if (visible && start < 0) start = k.frame;
    if (!visible && start >= 0) {
      out.push([start, k.frame]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, Math.max(start + 1, nFrames)]);
  return out;
}

/**
 * The edit that puts `box` on `frame` of a track: the keyframe there is updated, or a new
 * one is made (a move or resize between keyframes adds a keyframe).
 * @param {Keyframe[]} keys sorted (may be empty: a new track)
 * @param {{track_id: string, label: string}} track
 * @param {number} frame @param {Box} box @param {() => string} newId
 * @returns {Keyframe}
 */
export function putKeyframe(keys, track, frame, box, newId) {
  const here = keys.find((k) => k.frame === frame);
  return {
    id: here ? here.id : newId(),
    track_id: track.track_id,
    frame,
    label: here ? here.label : track.label,
    ...box,
    outside: false,
  };
}

/**
 * The edit that ends a track on `frame` (the object leaves the view there): an outside
 * keyframe carrying the box shown just before, as CVAT stores it. Null when the track
 * shows nothing on `frame`.
 * @param {Keyframe[]} keys sorted @param {number} frame @param {number} nFrames @param {() => string} newId
 * @returns {Keyframe | null}
 */
export function endKeyframe(keys, frame, nFrames, newId) {
  const shown = shownAt(keys, frame, nFrames);
  if (!shown) return null;
  const here = keys.find((k) => k.frame === frame);
  return {
    id: here ? here.id : newId(),
    track_id: shown.track_id,
    frame,
    label: shown.label,
    ...shown.box,
    outside: true,
  };
}

/**
 * The keyframe frames of all tracks after (dir = 1) or before (dir = -1) `frame`: the next
 * one to jump to, or null.
 * @param {Map<string, Keyframe[]>} tracks @param {number} frame @param {1 | -1} dir
 * @returns {number | null}
 */
export function nextKeyframe(tracks, frame, dir) {
  let best = null;
  for (const keys of tracks.values()) {
    for (const k of keys) {
      if (dir > 0 ? k.frame > frame : k.frame < frame) {
        if (best === null || (dir > 0 ? k.frame < best : k.frame > best)) best = k.frame;
      }
    }
  }
  return best;
}

/**
 * A track id not used yet: the smallest whole number above those in use (MOT and CVAT
 * keep whole-number ids as they are).
 * @param {Iterable<string>} used
 * @returns {string}
 */
export function newTrackId(used) {
  let top = 0;
  for (const id of used) {
    const n = /^\d+$/.test(id) ? Number(id) : 0;
    if (n > top) top = n;
  }
  return String(top + 1);
}
