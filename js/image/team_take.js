// A reviewer's click on an annotator's shape (review=True): which one it is, so the page
// can take it into the reviewer's rows (js/lib/review.js `take`). DOM-free.

import { hitShape } from "./editor.js";
import { regionsOnFrame } from "./slices.js";

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/review.js").Member} Member
 */

const REGIONS = new Set(["box", "polygon", "mask", "point"]);

/**
 * The annotator's shape under `p` (image pixels) on `frame`: the last drawn first, as on
 * screen; null when none is there.
 * @param {Member[]} members
 * @param {[number, number]} p
 * @param {number} tol hit tolerance in image pixels
 * @param {number | null} frame
 * @returns {{member: Member, row: Row} | null}
 */
export function teamShapeAt(members, p, tol, frame) {
  for (const member of [...members].reverse())
    for (const row of [...regionsOnFrame(member.rows, frame)].reverse())
      if (REGIONS.has(row.kind) && hitShape(row, p, tol)) return { member, row };
  return null;
}
