// Segment arithmetic for the audio widget: making, adjusting, stacking and finding
// segments on the timeline. No DOM: unit-tested with node.

import { layoutLanes } from "../lib/lanes.js";
import { roundMs, timeToX } from "./timeline.js";

/**
 * @typedef {import("./timeline.js").View} View
 * @typedef {{id: string, start: number, end: number, label?: string}} Seg
 * @typedef {{id: string, part: "start" | "end" | "body"}} Hit
 */

/**
 * Two times (any order) as a segment inside [0, duration], rounded to the millisecond.
 * @param {number} a @param {number} b @param {number} duration
 * @returns {{start: number, end: number}}
 */
export function span(a, b, duration) {
  const lo = Math.max(0, Math.min(a, b));
  const hi = Math.min(duration, Math.max(a, b));
  const end = Math.min(roundMs(hi), Math.floor(duration * 1000) / 1000);
  return { start: Math.min(roundMs(lo), end), end };
}

/**
 * Move one edge of a segment to time `t`; crossing the other edge swaps them.
 * @param {{start: number, end: number}} seg @param {"start" | "end"} edge
 * @param {number} t @param {number} duration
 * @returns {{start: number, end: number}}
 */
export function moveEdge(seg, edge, t, duration) {
  return edge === "start" ? span(t, seg.end, duration) : span(seg.start, t, duration);
}

/**
 * Stack overlapping segments in lanes (the rule of js/lib/lanes.js): lane index per id,
 * and the number of lanes to draw (at least one).
 * @param {Seg[]} segs
 * @returns {{lane: Map<string, number>, count: number}}
 */
export function lanes(segs) {
  const { lanes: lane, depth } = layoutLanes(segs);
  return { lane, count: Math.max(1, depth) };
}

/**
 * What is under pixel `x`: an edge within `tolerance` pixels (the selected segment's
 * edges first), else the shortest segment containing x.
 * @param {Seg[]} segs
 * @param {View} view
 * @param {number} x
 * @param {{tolerance?: number, selected?: string | null, lane?: number | null, laneOf?: Map<string, number>}} [options]
 *   `lane`: the lane row under the pointer, preferred among overlapping segments
 * @returns {Hit | null}
 */
export function hitTest(segs, view, x, options = {}) {
  const tolerance = options.tolerance ?? 5;
  /** @type {{hit: Hit, d: number} | null} */
  let best = null;
  for (const s of segs) {
    for (const part of /** @type {const} */ (["start", "end"])) {
      const d = Math.abs(timeToX(view, s[part]) - x);
      if (d > tolerance) continue;
      const score = d - (s.id === options.selected ? tolerance + 1 : 0);
      if (!best || score < best.d) best = { hit: { id: s.id, part }, d: score };
    }
  }
  if (best) return best.hit;
  /** @type {Seg | null} */
  let inside = null;
  let insideScore = Infinity;
  for (const s of segs) {
    const x0 = timeToX(view, s.start);
    const x1 = timeToX(view, s.end);
    if (x < x0 || x > x1) continue;
    const onLane = options.lane !== undefined && options.lane !== null && options.laneOf?.get(s.id) === options.lane;
    const score = s.end - s.start - (onLane ? 1e12 : 0);
    if (score < insideScore) {
      inside = s;
      insideScore = score;
    }
  }
  return inside ? { id: inside.id, part: "body" } : null;
}

/**
 * The segment after (dir = 1) or before (dir = -1) `current` in time order; the first
 * (or last) one when nothing is selected.
 * @param {Seg[]} segs @param {string | null} current @param {1 | -1} dir
 * @returns {Seg | null}
 */
export function neighbour(segs, current, dir) {
  const sorted = [...segs].sort((a, b) => a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : 1));
  if (!sorted.length) return null;
  const i = sorted.findIndex((s) => s.id === current);
  if (i < 0) return dir > 0 ? sorted[0] : sorted[sorted.length - 1];
  return sorted[Math.min(sorted.length - 1, Math.max(0, i + dir))];
}

/**
 * The segment under time `t` (shortest first), else the next one after `t`.
 * @template {{start: number, end: number}} S
 * @param {S[]} segs @param {number} t
 * @returns {S | null}
 */
export function atOrAfter(segs, t) {
  const inside = segs.filter((s) => s.start <= t && t <= s.end).sort((a, b) => a.end - a.start - (b.end - b.start));
  if (inside.length) return inside[0];
  const after = segs.filter((s) => s.start > t).sort((a, b) => a.start - b.start);
  return after[0] ?? null;
}
