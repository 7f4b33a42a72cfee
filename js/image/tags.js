// Label tags beside shapes: where each tag goes so that none covers another. DOM-free
// (tested in js/test/image_tags.test.js); image/stage.js measures the tags and moves them.

/**
 * @typedef {{x: number, y: number, w: number, h: number}} Rect in canvas CSS pixels
 */

/**
 * Place tags of size (w, h), each anchored at a shape's top-left corner (x, y): just
 * above the corner (inside the shape when there is no room above), moved down a row
 * at a time while it would cover a tag placed before it, and kept inside the canvas.
 * Tags are placed top to bottom, left to right, so a stack of shapes with the same
 * corner gets a column of tags.
 * @param {Rect[]} tags x, y: the anchor; w, h: the tag's size
 * @param {number} width @param {number} height the canvas, in CSS pixels
 * @returns {{x: number, y: number}[]} each tag's top-left corner, in the order given
 */
export function placeTags(tags, width, height) {
  const order = tags.map((_t, i) => i).sort((a, b) => tags[a].y - tags[b].y || tags[a].x - tags[b].x);
  /** @type {Rect[]} */
  const placed = [];
  /** @type {{x: number, y: number}[]} */
  const out = new Array(tags.length);
  const covers = (/** @type {Rect} */ a, /** @type {Rect} */ b) =>
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  for (const i of order) {
    const t = tags[i];
    const x = Math.max(0, Math.min(Math.max(0, width - t.w), t.x));
    let y = t.y - t.h >= 0 ? t.y - t.h : Math.max(0, t.y);
    for (let tries = 0; tries < 50; tries++) {
      const rect = { x, y, w: t.w, h: t.h };
      const hit = placed.find((p) => covers(rect, p));
      if (!hit) break;
      y = hit.y + hit.h;
    }
    y = Math.max(0, Math.min(Math.max(0, height - t.h), y));
    placed.push({ x, y, w: t.w, h: t.h });
    out[i] = { x, y };
  }
  return out;
}
