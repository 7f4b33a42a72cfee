// Relations between spans, the DOM-free part: the rows, what deleting a span takes with it,
// the order the second span is picked in, and the arrows' geometry (js/text/relations.js
// draws them).

import { newId } from "../lib/ids.js";

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/session.js").Change} Change
 * @typedef {{left: number, top: number, width: number, height: number}} Box
 */

/**
 * A relation row as the page sends it.
 * @param {string} label @param {string} from a span's id @param {string} to a span's id
 * @param {string} [id]
 * @returns {Row}
 */
export function relationRow(label, from, to, id = newId()) {
  return { id, kind: "relation", label, from_id: from, to_id: to };
}

/**
 * The relations among `rows`, in a steady order (by where they start, then end).
 * @param {Map<string, Row>} rows
 * @returns {Row[]}
 */
export function relationsOf(rows) {
  const at = (/** @type {string} */ id) => rows.get(id)?.start ?? Number.POSITIVE_INFINITY;
  return [...rows.values()]
    .filter((r) => r.kind === "relation")
    .sort((a, b) => at(a.from_id) - at(b.from_id) || at(a.to_id) - at(b.to_id) || (a.id < b.id ? -1 : 1));
}

/**
 * `change` with the relations it would leave dangling deleted too: deleting a span
 * deletes its relations in the same edit (so one undo brings them all back).
 * @param {Map<string, Row>} rows the item's rows before the change
 * @param {Change} change
 * @returns {Change}
 */
export function withRelations(rows, change) {
  const gone = new Set(change.delete);
  if (gone.size === 0) return change;
  const kept = new Set(change.upsert.map((r) => r.id));
  const extra = [];
  for (const r of rows.values()) {
    if (r.kind !== "relation" || gone.has(r.id) || kept.has(r.id)) continue;
    if ((gone.has(r.from_id) && !kept.has(r.from_id)) || (gone.has(r.to_id) && !kept.has(r.to_id))) extra.push(r.id);
  }
  return extra.length ? { ...change, delete: [...change.delete, ...extra] } : change;
}

/**
 * The span a relation's second end moves to (Tab / arrows): the next (`step` 1) or previous
 * (-1) span in reading order after `current`, never the relation's first end.
 * @template {{id: string, start: number, end: number}} M
 * @param {M[]} spans
 * @param {string} from the first end's id
 * @param {string | null} current the span picked so far
 * @param {1 | -1} step
 * @returns {M | null}
 */
export function nextEnd(spans, from, current, step) {
  const order = spans
    .filter((m) => m.id !== from)
    .sort((a, b) => a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : 1));
  if (order.length === 0) return null;
  const at = current === null ? -1 : order.findIndex((m) => m.id === current);
  if (at < 0) {
    // from the first end onwards, as the eye reads on
    const origin = spans.find((m) => m.id === from);
    const pivot = origin ? origin.start : 0;
    if (step > 0) return order.find((m) => m.start >= pivot) ?? order[0];
    return [...order].reverse().find((m) => m.start < pivot) ?? order[order.length - 1];
  }
  return order[(at + step + order.length) % order.length];
}

/**
 * An arrow from one span's box to another's, in the document's own coordinates: a curve
 * that rises above both ends (higher with `rise`), so it stays apart from the text when
 * the spans are on different lines and reads the same in right-to-left text (it joins the
 * boxes where they are drawn, whatever the direction). Returns the SVG path, the point
 * for its label and the arrowhead's end.
 * @param {Box} a the first span's first box
 * @param {Box} b the second span's first box
 * @param {number} rise extra height (px), to keep several arrows apart
 * @param {number} gap how far above each box the arrow ends (px: clear of the span's own tag)
 * @returns {{d: string, label: {x: number, y: number}, from: {x: number, y: number}, to: {x: number, y: number}}}
 */
export function arrowGeometry(a, b, rise = 0, gap = 0) {
  const from = { x: a.left + a.width / 2, y: a.top - gap };
  const to = { x: b.left + b.width / 2, y: b.top - gap };
  if (Math.abs(from.x - to.x) < 1 && Math.abs(from.y - to.y) < 1) to.x += 4; // never a point
  const apex = Math.max(2, Math.min(from.y, to.y) - 12 - rise);
  const d = `M ${r(from.x)} ${r(from.y)} C ${r(from.x)} ${r(apex)} ${r(to.x)} ${r(apex)} ${r(to.x)} ${r(to.y)}`;
  // the curve's middle (t = 1/2 of the cubic)
  const label = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 8 + (3 * apex) / 4 };
  return { d, label, from, to };
}

/** @param {number} v */
function r(v) {
  return Math.round(v * 10) / 10;
}
