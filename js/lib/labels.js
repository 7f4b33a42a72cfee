// Whole-item labels (image classes, document labels, clip labels): one rule for every widget.

import { newId } from "./ids.js";

/**
 * @typedef {import("./session.js").Row} Row
 * @typedef {import("./session.js").Change} Change
 */

/**
 * The change that chooses the whole-item label `label`, given the item's rows.
 *
 * With several labels allowed (`multi`), choosing toggles the label. With one allowed,
 * a new label replaces the old; choosing the label the item already has removes it
 * (`toggle`), or changes nothing when the widget moves on after each label (`toggle`
 * false: choosing again confirms it).
 * @param {Iterable<Row>} rows the item's current annotations (of any kind)
 * @param {string} label
 * @param {{multi: boolean, toggle: boolean}} options
 * @returns {Change | null} null when nothing changes
 */
export function chooseItemLabel(rows, label, { multi, toggle }) {
  const labels = [...rows].filter((r) => r.kind === "label");
  const same = labels.find((r) => r.label === label);
  const add = { upsert: [{ id: newId(), kind: "label", label }], delete: [] };
  if (multi) return same ? { upsert: [], delete: [same.id] } : add;
  if (same) return toggle ? { upsert: [], delete: labels.map((r) => r.id) } : null;
  return { ...add, delete: labels.map((r) => r.id) };
}

/**
 * The change that accepts a suggested whole-item label: the label is added (replacing the
 * old one when only one is allowed); when the item already has it, nothing changes.
 * @param {Iterable<Row>} rows
 * @param {string} label
 * @param {{multi: boolean}} options
 * @returns {Change}
 */
export function acceptItemLabel(rows, label, { multi }) {
  const list = [...rows];
  if (list.some((r) => r.kind === "label" && r.label === label)) return { upsert: [], delete: [] };
  return chooseItemLabel(list, label, { multi, toggle: false }) ?? { upsert: [], delete: [] };
}
