// Relations between image regions, the DOM-free part: where a region's arrow ends (its
// centre), the order the second region is picked in (Tab / arrows), and the arrows'
// geometry in canvas CSS pixels (js/image/relations.js draws them). The rows and the
// cascade on delete are the text widget's (js/text/relate.js), shared as they are.

import { maskBits } from "./editor.js";
import { boundsOf } from "./shapes.js";

export { relationRow, withRelations } from "../text/relate.js";

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {{x: number, y: number, w: number, h: number}} Bounds in image pixels
 */

/** The kinds a relation links on an image. */
export const RELATION_ENDS = new Set(["box", "polygon", "mask", "point"]);

/**
 * A region's bounding box in image pixels (a point's is the point itself).
 * @param {Row} row
 * @returns {Bounds | null}
 */
export function regionBounds(row) {
  if (row.kind === "box") return { x: row.x, y: row.y, w: row.width, h: row.height };
  if (row.kind === "point") return { x: row.x, y: row.y, w: 0, h: 0 };
  if (row.kind === "polygon" && row.points?.length) {
    const b = boundsOf(row.points);
    return { x: b.x, y: b.y, w: b.width, h: b.height };
  }
  if (row.kind === "mask" && row.mask) {
    const bits = maskBits(row);
    return { x: bits.x, y: bits.y, w: bits.w, h: bits.h };
  }
  return null;
}

/**
 * Where a region's arrows start and end: the centre of its bounding box, in image pixels.
 * @param {Row} row
 * @returns {[number, number] | null}
 */
export function centreOf(row) {
  const b = regionBounds(row);
  return b ? [b.x + b.w / 2, b.y + b.h / 2] : null;
}

/**
 * The relations among `rows` whose two ends are among `regions` (those shown: on a stack,
 * the slice's), in a steady order: by where they start, top to bottom, then by id.
 * @param {Iterable<Row>} rows
 * @param {Row[]} regions
 * @returns {Row[]}
 */
export function shownRelations(rows, regions) {
  const rank = new Map(readingOrder(regions).map((r, i) => [r.id, i]));
  return [...rows]
    .filter((r) => r.kind === "relation" && rank.has(r.from_id) && rank.has(r.to_id))
    .sort(
      (a, b) =>
        (rank.get(a.from_id) ?? 0) - (rank.get(b.from_id) ?? 0) ||
        (rank.get(a.to_id) ?? 0) - (rank.get(b.to_id) ?? 0) ||
        (a.id < b.id ? -1 : 1),
    );
}

/**
 * Regions in reading order: by their centre, top to bottom, then left to right (ids last).
 * @param {Row[]} regions
 * @returns {Row[]}
 */
export function readingOrder(regions) {
  const at = new Map(regions.map((r) => [r.id, centreOf(r) ?? [0, 0]]));
  return regions
    .filter((r) => RELATION_ENDS.has(r.kind))
    .sort((a, b) => {
      const [ax, ay] = /** @type {number[]} */ (at.get(a.id));
      const [bx, by] = /** @type {number[]} */ (at.get(b.id));
      return ay - by || ax - bx || (a.id < b.id ? -1 : 1);
    });
}

/**
 * The region a relation's second end moves to (Tab / arrows): the next (`step` 1) or
 * previous (-1) region in reading order after `current` (after the first end when none is
 * picked yet), never the first end itself.
 * @param {Row[]} regions
 * @param {string} from the first end's id
 * @param {string | null} current the region picked so far
 * @param {1 | -1} step
 * @returns {Row | null}
 */
export function nextRegion(regions, from, current, step) {
  const all = readingOrder(regions);
  const order = all.filter((r) => r.id !== from);
  if (order.length === 0) return null;
  const at = current === null ? -1 : order.findIndex((r) => r.id === current);
  if (at >= 0) return order[(at + step + order.length) % order.length];
  const origin = all.findIndex((r) => r.id === from);
  if (origin < 0) return step > 0 ? order[0] : order[order.length - 1];
  // the regions after the first end, as the eye reads on (before it, going back)
  if (step > 0) return all.slice(origin + 1)[0] ?? order[0];
  return all.slice(0, origin).reverse()[0] ?? order[order.length - 1];
}

/**
 * An arrow between two centres in canvas CSS pixels: a straight line that stops `gap`
 * short of the second centre (its head is then beside the region's own mark), its head
 * as a triangle, and the point for its label tag, moved aside by `lane` tag heights when
 * several relations join the same two regions. The same at any zoom: only the ends move.
 * @param {[number, number]} a @param {[number, number]} b
 * @param {number} [lane] 0 for the first relation between two regions, 1 the next...
 * @param {number} [gap] px
 * @returns {{x1: number, y1: number, x2: number, y2: number, head: string, label: {x: number, y: number}}}
 */
export function arrowLine(a, b, lane = 0, gap = 6) {
  let [x1, y1] = a;
  let [x2, y2] = b;
  let dx = x2 - x1;
  let dy = y2 - y1;
  let length = Math.hypot(dx, dy);
  if (length < 1) {
    // two regions with one centre: a short arrow, never a point
    x2 = x1 + 24;
    y2 = y1 - 24;
    dx = x2 - x1;
    dy = y2 - y1;
    length = Math.hypot(dx, dy);
  }
  const ux = dx / length;
  const uy = dy / length;
  const stop = Math.min(gap, length / 3);
  const tipX = x2 - ux * stop;
  const tipY = y2 - uy * stop;
  const size = 9;
  const backX = tipX - ux * size;
  const backY = tipY - uy * size;
  const head = `M ${r(tipX)} ${r(tipY)} L ${r(backX - uy * size * 0.5)} ${r(backY + ux * size * 0.5)} L ${r(backX + uy * size * 0.5)} ${r(backY - ux * size * 0.5)} Z`;
  // the label: the middle of the line, moved along its normal for the second, third... lane
  const side = lane === 0 ? 0 : (lane % 2 === 1 ? 1 : -1) * Math.ceil(lane / 2) * 16;
  const label = { x: (x1 + tipX) / 2 - uy * side, y: (y1 + tipY) / 2 + ux * side };
  x1 = r(x1);
  y1 = r(y1);
  return { x1, y1, x2: r(tipX), y2: r(tipY), head, label: { x: r(label.x), y: r(label.y) } };
}

/**
 * Each relation's lane: how many relations before it (in `relations`' order) join the
 * same two regions, in either direction.
 * @param {Row[]} relations
 * @returns {number[]}
 */
export function lanes(relations) {
  /** @type {Map<string, number>} */
  const seen = new Map();
  return relations.map((rel) => {
    const key = [rel.from_id, rel.to_id].sort().join("\u0000");
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n;
  });
}

/** @param {number} v */
function r(v) {
  return Math.round(v * 10) / 10;
}
