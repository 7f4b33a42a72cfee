// Finding and drawing spans by lane (the lanes themselves: js/lib/lanes.js). DOM-free.

import { blockOf } from "./offsets.js";

/**
 * @typedef {{id: string, start: number, end: number}} Mark
 */

/**
 * The marks covering an offset, outermost (lowest lane) first.
 * @template {Mark} M
 * @param {M[]} marks
 * @param {Map<string, number>} lanes
 * @param {number} offset
 * @returns {M[]}
 */
export function marksAt(marks, lanes, offset) {
  return marks
    .filter((m) => m.start <= offset && offset < m.end)
    .sort((a, b) => (lanes.get(a.id) ?? 0) - (lanes.get(b.id) ?? 0));
}

/**
 * Which marks touch each block (for drawing only the blocks on screen).
 * @template {Mark} M
 * @param {M[]} marks
 * @param {number[]} starts block start offsets
 * @param {number} length text length
 * @returns {M[][]}
 */
export function marksByBlock(marks, starts, length) {
  /** @type {M[][]} */
  const out = starts.map(() => []);
  const blockAt = (/** @type {number} */ offset) => blockOf(starts, offset);
  for (const mark of marks) {
    if (mark.end <= mark.start || mark.start < 0 || mark.end > length) continue;
    const first = blockAt(mark.start);
    const last = blockAt(mark.end - 1);
    for (let b = first; b <= last; b++) out[b].push(mark);
  }
  return out;
}
