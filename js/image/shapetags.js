// The stage's label tags: one DOM element per shape (in the page's accessible text, not only
// pixels on a canvas), kept while the shape's label is the same, placed by tags.js so that
// none covers another.

import { h } from "../lib/dom.js";
import { boundsOf } from "./shapes.js";
import { placeTags } from "./tags.js";

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {{el: HTMLElement, key: string, w: number, h: number}} Tag
 * @typedef {{shapes: () => {row: Row, suggestion: boolean}[], selected: () => string | null,
 *   color: (label: string) => string, anchor: (row: Row) => [number, number],
 *   size: () => [number, number]}} TagHost  `anchor`: a shape's top-left corner in canvas CSS
 *   pixels; `size`: the canvas in CSS pixels
 */

/**
 * The top-left corner of a shape, in image pixels.
 * @param {Row} row
 * @param {(row: Row) => {x: number, y: number}} maskBits a mask's decoded bounds
 * @returns {[number, number]}
 */
export function cornerOfShape(row, maskBits) {
  if (row.kind === "box" || row.kind === "point") return [row.x, row.y];
  if (row.kind === "polygon") {
    const b = boundsOf(row.points);
    return [b.x, b.y];
  }
  const bits = maskBits(row);
  return [bits.x, bits.y];
}

/**
 * The label tags of a stage's shapes, drawn into `layer`.
 * @param {HTMLElement} layer
 * @param {TagHost} host
 */
export function labelTags(layer, host) {
  /** tag elements by shape id, kept while the shape's label is the same (measured once) */
  /** @type {Map<string, Tag>} */
  let cache = new Map();
  return {
    clear() {
      layer.replaceChildren();
      cache = new Map();
    },
    render() {
      const shapes = host.shapes();
      /** @type {Map<string, Tag>} */
      const next = new Map();
      let changed = shapes.length !== cache.size;
      const selected = host.selected();
      for (const { row, suggestion } of shapes) {
        const key = `${suggestion}:${row.kind}:${row.label}:${Boolean(row.outside)}`;
        let tag = cache.get(row.id);
        if (!tag || tag.key !== key) {
          changed = true;
          const el = h(
            "span",
            {
              class: `nbl-shape-tag${suggestion ? " nbl-sugg" : ""}`,
              role: "listitem",
              "data-id": row.id,
              "data-label": row.label,
              "aria-label": `${suggestion ? "suggested " : ""}${row.kind} ${row.label}${row.outside ? " (not visible)" : ""}`,
              style: `--nbl-tag: ${host.color(row.label)}`,
            },
            suggestion ? `? ${row.label}` : row.label,
          );
          tag = { el, key, w: 0, h: 0 };
        }
        tag.el.classList.toggle("nbl-selected", row.id === selected);
        next.set(row.id, tag);
      }
      cache = next;
      const all = [...next.values()];
      if (changed) layer.replaceChildren(...all.map((t) => t.el));
      for (const t of all) {
        if (t.w === 0) {
          t.w = t.el.offsetWidth;
          t.h = t.el.offsetHeight;
        }
      }
      const [width, height] = host.size();
      const at = placeTags(
        shapes.map(({ row }, i) => {
          const [x, y] = host.anchor(row);
          return { x, y, w: all[i].w, h: all[i].h };
        }),
        width,
        height,
      );
      all.forEach((t, i) => {
        t.el.style.left = `${at[i].x}px`;
        t.el.style.top = `${at[i].y}px`;
      });
    },
  };
}
