// Stacks of slices (multi-frame DICOM, 3-D TIFF, 3-D arrays), DOM-free: which regions a
// slice shows, the frame a new region gets, and the keys that move between slices.
//
// The kernel side is done (src/nblabel/widgets/image.py): an item that is a stack carries
// `frames` (how many slices) and `frame` (the slice in its buffers); the page asks for
// another slice with `{"type": "slice", "item_id", "frame"}` and gets
// `{"type": "slice", "item_id", "frame", "item": {...}}` with the same buffers as an item
// (an 8-bit PNG and, for scalar data, uint16 values to window). On a stack every region
// needs its `frame` (the kernel refuses one without); a whole-item label may have none
// (it labels the whole stack) or one (it labels that slice).
// Not yet hooked into image.js/stage.js (being refactored on the jsshell branch); see
// js/test/image_slices.test.js for the contract.

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/session.js").Change} Change
 */

/**
 * The regions to draw on slice `frame` (labels are not regions).
 * @param {Iterable<Row>} rows
 * @param {number | null} frame the slice shown, or null for an item that is not a stack
 * @returns {Row[]}
 */
export function regionsOnFrame(rows, frame) {
  const out = [];
  for (const row of rows) {
    if (row.kind === "label") continue;
    if (frame === null || row.frame === frame) out.push(row);
  }
  return out;
}

/**
 * A change with the slice's index on every region it makes that has none.
 * @param {Change} change
 * @param {number | null} frame
 * @returns {Change}
 */
export function tagFrame(change, frame) {
  if (frame === null) return change;
  const upsert = change.upsert.map((row) =>
    row.kind === "label" || row.kind === "relation" || (row.frame !== undefined && row.frame !== null)
      ? row
      : { ...row, frame },
  );
  return { ...change, upsert };
}

/**
 * The slice a key moves to, or null when the key is not a slice key (or nothing moves).
 * ArrowUp/ArrowDown (with nothing selected) and PageUp/PageDown step by one and by ten,
 * Home/End go to the first and last slice.
 * @param {string} key a name from lib/keys.js keyName
 * @param {number} frame
 * @param {number} frames
 * @returns {number | null}
 */
export function sliceKey(key, frame, frames) {
  const steps = /** @type {Record<string, number>} */ ({ ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 });
  let next;
  if (key in steps) next = frame + steps[key];
  else if (key === "Home") next = 0;
  else if (key === "End") next = frames - 1;
  else return null;
  next = Math.max(0, Math.min(frames - 1, next));
  return next === frame ? null : next;
}

/**
 * @param {number} frame
 * @param {number} frames
 */
export function sliceText(frame, frames) {
  return `slice ${frame + 1} / ${frames}`;
}
