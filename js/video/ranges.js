// Frame ranges of a video ("pedestrian crossing from frame 120 to 180"): rows of kind
// "segment" with `frame` (the first frame) and `extra.last_frame` (the last, inclusive).
// The kernel fills `start`/`end` in seconds from the video's frame times (see
// src/nblabel/video/segments.py). DOM-free (tested in js/test/video_ranges.test.js).

/**
 * @typedef {{id: string, kind: string, label: string, frame?: number | null,
 *   extra?: Record<string, any> | null, text?: string | null, score?: number} & Record<string, any>} RangeRow
 * @typedef {{row: RangeRow, first: number, last: number, lane: number}} Placed
 */

/**
 * The first and last frame of a range row.
 * @param {RangeRow} row
 * @returns {{first: number, last: number}}
 */
export function rangeOf(row) {
  const first = Number(row.frame);
  const last = row.extra?.last_frame;
  return { first, last: last == null ? first : Number(last) };
}

/**
 * The frame ranges among `rows`, sorted by first frame, then last, then label.
 * @param {Iterable<RangeRow>} rows
 * @returns {RangeRow[]}
 */
export function rangeRows(rows) {
  return [...rows]
    .filter((r) => r.kind === "segment" && r.frame != null)
    .sort((a, b) => {
      const p = rangeOf(a);
      const q = rangeOf(b);
      return p.first - q.first || p.last - q.last || a.label.localeCompare(b.label);
    });
}

/**
 * A new range from frame `a` to frame `b` (either order).
 * @param {string} id @param {string} label @param {number} a @param {number} b
 * @returns {RangeRow}
 */
export function newRange(id, label, a, b) {
  return { id, kind: "segment", label, frame: Math.min(a, b), extra: { last_frame: Math.max(a, b) } };
}

/**
 * The range with its in (first frame) or out (last frame) moved to `frame`; the other end
 * follows when passed over, so the range stays at least one frame long.
 * @param {RangeRow} row @param {"in" | "out"} edge @param {number} frame
 * @returns {RangeRow}
 */
export function moveEdge(row, edge, frame) {
  const { first, last } = rangeOf(row);
  const a = edge === "in" ? frame : Math.min(first, frame);
  const b = edge === "out" ? frame : Math.max(last, frame);
  return { ...row, kind: "segment", frame: a, extra: { ...(row.extra ?? {}), last_frame: b } };
}

/**
 * Lay ranges out in lanes so that overlapping ones sit one above the other.
 * @param {RangeRow[]} rows sorted as rangeRows sorts them
 * @returns {Placed[]}
 */
export function placeRanges(rows) {
  /** @type {number[]} last frame taken in each lane */
  const ends = [];
  return rows.map((row) => {
    const { first, last } = rangeOf(row);
    let lane = ends.findIndex((end) => end < first);
    if (lane < 0) {
      lane = ends.length;
      ends.push(last);
    } else ends[lane] = last;
    return { row, first, last, lane };
  });
}

/**
 * A page row from a range suggestion: only the fields a page sends.
 * @param {RangeRow} s @param {string} id
 * @returns {RangeRow}
 */
export function acceptedRange(s, id) {
  const { first, last } = rangeOf(s);
  return { ...newRange(id, s.label, first, last), ...(s.text ? { text: s.text } : {}) };
}
