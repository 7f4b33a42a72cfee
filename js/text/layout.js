// Overlap layout for spans: each span gets a lane so that overlapping spans never
// share one (outer spans lower, nested ones above). DOM-free; O(n log n).

import { blockOf } from "./offsets.js";

/**
 * @typedef {{id: string, start: number, end: number}} Mark
 */

/** A binary min-heap of [key, value] pairs. */
class Heap {
  constructor() {
    /** @type {[number, number][]} */
    this.items = [];
  }

  get size() {
    return this.items.length;
  }

  /** @returns {[number, number] | undefined} */
  peek() {
    return this.items[0];
  }

  /** @param {number} key @param {number} value */
  push(key, value) {
    const a = this.items;
    a.push([key, value]);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p][0] <= a[i][0]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  /** @returns {[number, number] | undefined} */
  pop() {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l][0] < a[m][0]) m = l;
        if (r < a.length && a[r][0] < a[m][0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Assign lanes: spans sorted by start (longer first at equal starts) take the
 * lowest lane free at their start. Spans that only touch (end === start) may share.
 * @param {Mark[]} marks
 * @returns {{lanes: Map<string, number>, depth: number}} depth = number of lanes used
 */
export function layoutLanes(marks) {
  const order = [...marks].sort((a, b) => a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : 1));
  /** @type {Map<string, number>} */
  const lanes = new Map();
  const busy = new Heap(); // [end, lane]
  const free = new Heap(); // [lane, lane]
  let depth = 0;
  for (const mark of order) {
    while (busy.size > 0 && /** @type {[number, number]} */ (busy.peek())[0] <= mark.start) {
      const [, lane] = /** @type {[number, number]} */ (busy.pop());
      free.push(lane, lane);
    }
    const lane = free.size > 0 ? /** @type {[number, number]} */ (free.pop())[1] : depth++;
    lanes.set(mark.id, lane);
    busy.push(mark.end, lane);
  }
  return { lanes, depth };
}

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
