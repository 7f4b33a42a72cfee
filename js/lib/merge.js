// A reviewer's accept and merge, built in the page as ordinary edits (DOM-free).
//
// `acceptChange` makes one annotator's version of the item the reviewer's: one edit that
// deletes the reviewer's rows of the item and upserts copies of the annotator's rows under
// new ids. `takeChange` copies one annotation (a merge: A's two boxes and B's third). Both
// go through `session.edit`, so `z` undoes them like any other edit, and the kernel stores
// the copies as the reviewer's with source "review" (it sets annotator and source).
//
// An annotation the reviewer already has (same kind and same place: geometry, offsets,
// times or frame; for an item label, the same label) is never replaced by a take: the take
// is skipped and says why, so the reviewer edits their own annotation instead.

import { newId } from "./ids.js";

/**
 * @typedef {import("./session.js").Row} Row
 * @typedef {import("./session.js").Change} Change
 */

/** Fields the kernel sets or echoes: a copy leaves them for the kernel to set again. */
const KERNEL_SET = ["source", "score", "rule", "annotator", "created_at", "updated_at"];

/** Where an annotation is, per field: the fields that say two annotations are at one place. */
const PLACE = ["x", "y", "width", "height", "rotation", "points", "start", "end", "frame", "track_id", "rle"];

/**
 * A key that is equal for two annotations of one kind at one place (their labels aside,
 * except for item labels, whose label is their place).
 * @param {Row} row
 * @returns {string}
 */
export function placeKey(row) {
  /** @type {Record<string, any>} */
  const r = row;
  const where = PLACE.filter((k) => r[k] !== undefined && r[k] !== null).map((k) => [k, r[k]]);
  if (row.kind === "label" || where.length === 0) where.push(["label", row.label ?? null]);
  if (row.kind === "relation") where.push(["from_id", r.from_id ?? null], ["to_id", r.to_id ?? null]);
  return JSON.stringify([row.kind, where]);
}

/**
 * A copy of an annotator's row for the reviewer: a new id, without the kernel's fields.
 * @param {Row} row
 * @param {string} [id]
 * @returns {Row}
 */
export function copyRow(row, id = newId()) {
  /** @type {Record<string, any>} */
  const out = { ...row, id };
  for (const k of KERNEL_SET) delete out[k];
  return /** @type {Row} */ (out);
}

/**
 * Copies of `rows` under new ids; a relation's ends follow their copies.
 * @param {Row[]} rows
 * @returns {Row[]}
 */
export function copyRows(rows) {
  const fresh = new Map(rows.map((r) => [r.id, newId()]));
  return rows.map((r) => {
    /** @type {Record<string, any>} */
    const out = copyRow(r, fresh.get(r.id));
    for (const end of ["from_id", "to_id"]) if (fresh.has(out[end])) out[end] = fresh.get(out[end]);
    return /** @type {Row} */ (out);
  });
}

/**
 * The edit that makes `theirs` (one annotator's version of the item) the reviewer's:
 * the reviewer's rows `mine` are deleted, copies of `theirs` upserted.
 * @param {Iterable<Row>} mine
 * @param {Row[]} theirs
 * @returns {Change}
 */
export function acceptChange(mine, theirs) {
  return { upsert: copyRows(theirs), delete: [...mine].map((r) => r.id) };
}

/**
 * The edit that copies one annotation of an annotator's into the reviewer's rows, or why not.
 * A relation brings its ends along (an end the reviewer already has at that place is theirs).
 * @param {Iterable<Row>} mine the reviewer's rows of the item
 * @param {Row} row the annotation to take
 * @param {Row[]} theirs all rows of the annotator it belongs to (a relation's ends)
 * @returns {{change: Change} | {skipped: Row}} `skipped`: the reviewer's annotation at its place
 */
export function takeChange(mine, row, theirs = [row]) {
  const own = new Map([...mine].map((r) => [placeKey(r), r]));
  if (row.kind !== "relation") {
    const same = own.get(placeKey(row));
    return same ? { skipped: same } : { change: { upsert: [copyRow(row)], delete: [] } };
  }
  /** @type {Row[]} */
  const upsert = [];
  /** @type {Record<string, any>} */
  const relation = copyRow(row);
  for (const end of ["from_id", "to_id"]) {
    const target = theirs.find((r) => r.id === relation[end]);
    if (!target) continue;
    const have = own.get(placeKey(target));
    if (have) relation[end] = have.id;
    else {
      const copy = copyRow(target);
      own.set(placeKey(target), copy);
      upsert.push(copy);
      relation[end] = copy.id;
    }
  }
  const same = own.get(placeKey(/** @type {Row} */ (relation)));
  if (same) return { skipped: same };
  upsert.push(/** @type {Row} */ (relation));
  return { change: { upsert, delete: [] } };
}
