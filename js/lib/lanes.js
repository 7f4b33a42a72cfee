// Interval lanes: overlapping spans (text) and segments (audio) stacked so that two
// intervals that overlap never share a lane. The one rule for every page; the static
// views follow the same rule in Python (src/nblabel/lanes.py), and a test holds the two
// to the same answers. DOM-free; O(n log n).
//
// The rule: intervals are taken by start; at equal starts the longer one first; at equal
// start and end, in the order given. Each takes the lowest lane free at its start, so
// outer intervals sit below the ones nested in them. Intervals that only touch
// (one's end equals the other's start) may share a lane.

/**
 * @typedef {{id: string, start: number, end: number}} Interval
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

  /** @returns {[number, number]} the smallest pair (the heap must not be empty) */
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

  /** @returns {[number, number]} the smallest pair, removed (the heap must not be empty) */
  pop() {
    const a = this.items;
    const top = a[0];
    const last = /** @type {[number, number]} */ (a.pop());
    if (a.length > 0) {
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
 * The order intervals are laid out in: by start, longer first, then as given.
 * @param {{start: number, end: number}[]} intervals
 * @returns {number[]} indices into `intervals`
 */
export function laneOrder(intervals) {
  return intervals
    .map((_, i) => i)
    .sort((i, j) => intervals[i].start - intervals[j].start || intervals[j].end - intervals[i].end || i - j);
}

/**
 * A lane for each interval (see the rule above).
 * @param {Interval[]} intervals
 * @returns {{lanes: Map<string, number>, depth: number}} lane by id, and the number of lanes
 *   used (the most intervals covering one point; 0 for none)
 */
export function layoutLanes(intervals) {
  const lanes = new Map();
  const found = laneIndices(intervals);
  intervals.forEach((interval, i) => {
    lanes.set(interval.id, found.lanes[i]);
  });
  return { lanes, depth: found.depth };
}

/**
 * The same layout by position: lane of the i-th interval.
 * @param {{start: number, end: number}[]} intervals
 * @returns {{lanes: number[], depth: number}}
 */
export function laneIndices(intervals) {
  /** @type {number[]} */
  const lanes = new Array(intervals.length).fill(0);
  const busy = new Heap(); // [end, lane]
  const free = new Heap(); // [lane, lane]
  let depth = 0;
  for (const i of laneOrder(intervals)) {
    const { start, end } = intervals[i];
    while (busy.size > 0 && busy.peek()[0] <= start) {
      const [, lane] = busy.pop();
      free.push(lane, lane);
    }
    const lane = free.size > 0 ? free.pop()[1] : depth++;
    lanes[i] = lane;
    busy.push(end, lane);
  }
  return { lanes, depth };
}
