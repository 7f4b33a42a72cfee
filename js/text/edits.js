// The changes a person's actions make to a document's annotations. DOM-free.

import { newId } from "../lib/ids.js";
import { acceptItemLabel, chooseItemLabel } from "../lib/labels.js";

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/session.js").Suggestion} Suggestion
 * @typedef {import("../lib/session.js").Change} Change
 * @typedef {import("./offsets.js").Range} Range
 */

/**
 * A span row as the page sends it: only the fields the kernel needs.
 * @param {string} id @param {string} label @param {Range} range
 * @returns {Row}
 */
export function spanRow(id, label, range) {
  return { id, kind: "span", label, start: range.start, end: range.end };
}

/**
 * Tag the selection with `label`: a new span; or, when a span is active, that span
 * relabelled (and moved to the selection); or, when a suggestion is active, the
 * suggestion accepted with this label and range.
 * @param {Map<string, Row>} rows
 * @param {Range | null} sel
 * @param {string} label
 * @param {{row?: Row, suggestion?: Suggestion}} [active]
 * @returns {Change | null} null when there is nothing to do
 */
export function tagSelection(rows, sel, label, active = {}) {
  if (active.suggestion) {
    const s = active.suggestion;
    const range = sel ?? { start: s.start, end: s.end };
    return { upsert: [spanRow(newId(), label, range)], delete: [], accepted: [s.id] };
  }
  if (active.row && rows.has(active.row.id)) {
    const row = active.row;
    const range = sel ?? { start: row.start, end: row.end };
    if (row.label === label && row.start === range.start && row.end === range.end) return null;
    if (duplicate(rows, label, range, row.id)) return { upsert: [], delete: [row.id] };
    return { upsert: [spanRow(row.id, label, range)], delete: [] };
  }
  if (!sel || sel.end <= sel.start) return null;
  if (duplicate(rows, label, sel)) return null;
  return { upsert: [spanRow(newId(), label, sel)], delete: [] };
}

/**
 * @param {Map<string, Row>} rows @param {string} label @param {Range} range @param {string} [except]
 */
function duplicate(rows, label, range, except) {
  for (const r of rows.values()) {
    if (r.kind === "span" && r.id !== except && r.label === label && r.start === range.start && r.end === range.end)
      return true;
  }
  return false;
}

/**
 * Choose a document label: toggles with several allowed, else replaces.
 * @param {Map<string, Row>} rows
 * @param {string} label
 * @param {boolean} multi
 * @returns {Change | null}
 */
export function toggleDocLabel(rows, label, multi) {
  return chooseItemLabel(rows.values(), label, { multi, toggle: true });
}

/**
 * Accept a suggestion as it is: a span becomes a person's span, a document label a label.
 * @param {Map<string, Row>} rows
 * @param {Suggestion} s
 * @param {boolean} multi
 * @returns {Change}
 */
export function acceptSuggestion(rows, s, multi) {
  if (s.kind === "span") {
    if (duplicate(rows, s.label, { start: s.start, end: s.end })) return { upsert: [], delete: [], accepted: [s.id] };
    return { upsert: [spanRow(newId(), s.label, { start: s.start, end: s.end })], delete: [], accepted: [s.id] };
  }
  return { ...acceptItemLabel(rows.values(), s.label, { multi }), accepted: [s.id] };
}

/**
 * The spans and suggestions in reading order, for Tab.
 * @template {{id: string, start: number, end: number}} M
 * @param {M[]} marks
 * @param {string | null} current id of the active mark
 * @param {number} caret where to start without an active mark
 * @param {1 | -1} step
 * @returns {M | null}
 */
export function cycle(marks, current, caret, step) {
  if (marks.length === 0) return null;
  const order = [...marks].sort((a, b) => a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : 1));
  const at = current === null ? -1 : order.findIndex((m) => m.id === current);
  if (at < 0) {
    if (step > 0) return order.find((m) => m.start >= caret) ?? order[0];
    return [...order].reverse().find((m) => m.start < caret) ?? order[order.length - 1];
  }
  return order[(at + step + order.length) % order.length];
}
