// The drawing tools as a state machine over image-pixel points: box, polygon and brush,
// selection, moving, resizing, vertex edits, suggestions. DOM-free: the page feeds it
// pointer points already in original-image pixels (see view.js) and sends the Change it
// returns when an edit is finished, so the kernel hears one edit per finished gesture.

import { fromRle, MaskBits, shiftMask } from "./mask.js";
import { hitPoint, placeAt } from "./points.js";
import {
  boxFromCorners,
  handlePoint,
  hitBox,
  hitPolygon,
  moveBox,
  movePolygon,
  resizeBox,
  snapBox,
  snapPoint,
} from "./shapes.js";

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/session.js").Change} Change
 * @typedef {import("./shapes.js").Point} Point
 * @typedef {import("./shapes.js").Box} Box
 * @typedef {import("./shapes.js").Hit} Hit
 * @typedef {"select" | "box" | "polygon" | "brush" | "point" | "wand" | "superpixel"} Tool
 *   wand and superpixel: run by assist.js, which the stage asks first
 * @typedef {{rows: () => Row[], suggestions: () => Row[], size: () => [number, number],
 *   label: () => string, newId: () => string}} Host
 * @typedef {{tol: number, alt?: boolean, shift?: boolean, radius?: number}} Pointer
 *   tol: hit tolerance and radius: brush radius, both in image pixels
 * @typedef {{kind: "new-box", start: Point, row: Row}
 *   | {kind: "move", start: Point, orig: Row, row: Row, moved: boolean, suggestion: boolean}
 *   | {kind: "handle", start: Point, grab: Point, orig: Row, row: Row, handle: import("./shapes.js").Handle,
 *      suggestion: boolean, moved: boolean}
 *   | {kind: "vertex", start: Point, grab: Point, orig: Row, row: Row, index: number, suggestion: boolean,
 *      moved: boolean}
 *   | {kind: "brush", orig: Row | null, row: Row, bits: MaskBits, last: Point, radius: number,
 *      value: 0 | 1, path: Point[]}
 *   | {kind: "new-point", row: Row}} Drag
 */

/** @type {WeakMap<object, MaskBits>} */
const bitsCache = new WeakMap();

/**
 * A mask row's pixels (decoded once per mask value).
 * @param {Row} row
 * @returns {MaskBits}
 */
export function maskBits(row) {
  let bits = bitsCache.get(row.mask);
  if (!bits) {
    bits = fromRle(row.mask);
    bitsCache.set(row.mask, bits);
  }
  return bits;
}

/**
 * Remember the pixels of a mask value made in the page, so it is not decoded again.
 * @param {object} mask @param {MaskBits} bits
 */
export function cacheBits(mask, bits) {
  bitsCache.set(mask, bits);
}

/** The fields of a row the kernel takes from the page. */
const FIELDS = ["id", "kind", "label", "x", "y", "width", "height", "points", "mask", "track_id", "outside"];

/**
 * @param {Row} row
 * @returns {Row}
 */
export function plainRow(row) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const k of FIELDS) if (row[k] !== undefined) out[k] = row[k];
  return /** @type {Row} */ (out);
}

/** @param {Row} row @returns {Box} */
const boxOf = (row) => ({ x: row.x, y: row.y, width: row.width, height: row.height });

export class Editor {
  /** @param {Host} host */
  constructor(host) {
    this.host = host;
    /** @type {Tool} */
    this.tool = "select";
    /** @type {string | null} id of the selected row or suggestion */
    this.selected = null;
    /** @type {Drag | null} */
    this.drag = null;
    /** @type {Point[]} a polygon being drawn */
    this.draft = [];
    this.eraser = false;
    /** @type {Change | null} an edit finished on pointer-down (closing a polygon, deleting a vertex) */
    this.pendingChange = null;
    /** @type {import("./points.js").Points | null} the point tool (image/points.js), when offered */
    this.points = null;
  }

  /** @param {string | null} id @returns {{row: Row, suggestion: boolean} | null} */
  find(id) {
    if (id === null) return null;
    const row = this.host.rows().find((r) => r.id === id);
    if (row) return { row, suggestion: false };
    const s = this.host.suggestions().find((r) => r.id === id);
    return s ? { row: s, suggestion: true } : null;
  }

  /** The selection, if it still exists. */
  get selection() {
    const found = this.find(this.selected);
    if (!found) this.selected = null;
    return found;
  }

  /**
   * What shape lies at p: the selected one first, then rows (topmost first), then suggestions.
   * @param {Point} p @param {number} tol
   * @returns {{row: Row, suggestion: boolean, hit: Hit} | null}
   */
  hitAt(p, tol) {
    const sel = this.selection;
    const candidates = [
      ...(sel ? [sel] : []),
      ...[...this.host.rows()].reverse().map((row) => ({ row, suggestion: false })),
      ...this.host.suggestions().map((row) => ({ row, suggestion: true })),
    ];
    for (const c of candidates) {
      const hit = hitShape(c.row, p, tol);
      if (hit) return { ...c, hit };
    }
    return null;
  }

  /**
   * A pointer went down at p. Returns "pan" when the page should pan instead.
   * @param {Point} p @param {Pointer} o
   * @returns {"pan" | "handled"}
   */
  down(p, o) {
    const [W, H] = this.host.size();
    if (this.tool === "brush") return this.startBrush(p, o);
    if (this.tool === "point" && this.points) return this.points.down(this, p, o);
    if (this.tool === "polygon" && this.draft.length > 0) {
      const first = this.draft[0];
      if (this.draft.length >= 3 && Math.hypot(p[0] - first[0], p[1] - first[1]) <= o.tol) {
        this.pendingChange = this.closePolygon();
        return "handled";
      }
      const last = this.draft[this.draft.length - 1];
      // a second click on the last vertex (as in a double-click) adds nothing
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) > o.tol) this.draft.push(snapPoint(p, W, H));
      return "handled";
    }
    // With a draw tool, a drag inside the selected shape draws a new one (a face inside a
    // person): only the selected shape's handles and vertices take the pointer.
    const hitSelected = this.selection && hitShape(this.selection.row, p, o.tol);
    const onSelected = hitSelected && (this.tool === "select" || hitSelected.part !== "body") ? hitSelected : null;
    const target = onSelected
      ? { .../** @type {{row: Row, suggestion: boolean}} */ (this.selection), hit: onSelected }
      : this.tool === "select"
        ? this.hitAt(p, o.tol)
        : null;
    if (target) {
      this.selected = target.row.id;
      this.points?.select(target.row);
      this.startEdit(target, p, o);
      return "handled";
    }
    if (this.tool === "box") {
      const q = snapPoint(p, W, H);
      this.drag = { kind: "new-box", start: q, row: this.newRow("box", { x: q[0], y: q[1], width: 0, height: 0 }) };
      return "handled";
    }
    if (this.tool === "polygon") {
      this.selected = null;
      this.draft = [snapPoint(p, W, H)];
      return "handled";
    }
    this.selected = null;
    return "pan";
  }

  /**
   * @param {{row: Row, suggestion: boolean, hit: Hit}} target @param {Point} p @param {Pointer} o
   */
  startEdit(target, p, o) {
    const { row, suggestion, hit } = target;
    // Handles and vertices keep the offset at which they were grabbed: the edge moves by
    // the drag's distance, not to the pointer.
    if (hit.part === "handle") {
      const at = handlePoint(boxOf(row), hit.handle);
      const grab = /** @type {Point} */ ([p[0] - at[0], p[1] - at[1]]);
      this.drag = { kind: "handle", start: p, grab, orig: row, row, handle: hit.handle, suggestion, moved: false };
    } else if (hit.part === "vertex" && o.alt) {
      this.drag = null;
      this.pendingChange = this.deleteVertex(row, hit.index, suggestion);
    } else if (hit.part === "vertex") {
      const at = row.points[hit.index];
      const grab = /** @type {Point} */ ([p[0] - at[0], p[1] - at[1]]);
      this.drag = { kind: "vertex", start: p, grab, orig: row, row, index: hit.index, suggestion, moved: false };
    } else if (hit.part === "edge") {
      const points = [...row.points];
      points.splice(hit.index + 1, 0, hit.point);
      const grab = /** @type {Point} */ ([p[0] - hit.point[0], p[1] - hit.point[1]]);
      const index = hit.index + 1;
      this.drag = {
        kind: "vertex",
        start: p,
        grab,
        orig: row,
        row: { ...row, points },
        index,
        suggestion,
        moved: false,
      };
    } else {
      this.drag = { kind: "move", start: p, orig: row, row, moved: false, suggestion };
    }
  }

  /** @param {Point} p @param {Pointer} o @returns {"handled"} */
  startBrush(p, o) {
    const [W, H] = this.host.size();
    const erase = this.eraser || Boolean(o.shift);
    let orig =
      this.selection && !this.selection.suggestion && this.selection.row.kind === "mask" ? this.selection.row : null;
    if (!orig && erase) {
      const under = [...this.host.rows()]
        .reverse()
        .find((r) => r.kind === "mask" && maskBits(r).get(Math.floor(p[0]), Math.floor(p[1])));
      orig = under ?? null;
    }
    if (erase && !orig) return "handled";
    const bits = orig ? maskBits(orig).clone() : new MaskBits(W, H);
    const row = orig ? { ...orig } : this.newRow("mask", {});
    this.selected = row.id;
    const radius = o.radius ?? 8;
    this.drag = { kind: "brush", orig, row, bits, last: p, radius, value: erase ? 0 : 1, path: [p] };
    bits.stroke(p, p, radius, erase ? 0 : 1);
    return "handled";
  }

  /**
   * The pointer moved to p (while down). Returns true when the overlay must be redrawn.
   * @param {Point} p
   */
  move(p) {
    const d = this.drag;
    if (!d) return false;
    const [W, H] = this.host.size();
    if (d.kind === "new-box") {
      d.row = { ...d.row, ...boxFromCorners(d.start, p, W, H) };
    } else if (d.kind === "new-point") {
      d.row = placeAt(d.row, p, W, H);
    } else if (d.kind === "move") {
      const dx = p[0] - d.start[0];
      const dy = p[1] - d.start[1];
      d.moved = d.moved || dx !== 0 || dy !== 0;
      d.row = translate(d.orig, dx, dy, W, H);
    } else if (d.kind === "handle") {
      d.moved = d.moved || p[0] !== d.start[0] || p[1] !== d.start[1];
      if (!d.moved) return false;
      const q = /** @type {Point} */ ([p[0] - d.grab[0], p[1] - d.grab[1]]);
      d.row = { ...d.row, ...resizeBox(boxOf(d.orig), d.handle, q, W, H) };
    } else if (d.kind === "vertex") {
      d.moved = d.moved || p[0] !== d.start[0] || p[1] !== d.start[1];
      if (!d.moved) return false;
      const points = [...d.row.points];
      const q = [p[0] - d.grab[0], p[1] - d.grab[1]];
      points[d.index] = [Math.min(W, Math.max(0, q[0])), Math.min(H, Math.max(0, q[1]))];
      d.row = { ...d.row, points };
    } else if (d.kind === "brush") {
      d.bits.stroke(d.last, p, d.radius, d.value);
      d.last = p;
      d.path.push(p);
    }
    return true;
  }

  /**
   * The pointer went up: the finished edit, or null when nothing changed.
   * @returns {Change | null}
   */
  up() {
    const d = this.drag;
    this.drag = null;
    const pending = this.pendingChange ?? null;
    this.pendingChange = null;
    if (pending) return pending;
    if (!d) return null;
    const [W, H] = this.host.size();
    if (d.kind === "new-box") {
      if (d.row.width < 1 || d.row.height < 1) return null; // a click, not a box
      this.selected = d.row.id;
      return { upsert: [plainRow(d.row)], delete: [] };
    }
    if (d.kind === "new-point") {
      this.selected = d.row.id;
      return { upsert: [plainRow(d.row)], delete: [] };
    }
    if (d.kind === "brush") {
      if (d.bits.empty()) {
        this.selected = null;
        return d.orig ? { upsert: [], delete: [d.orig.id] } : null;
      }
      const mask = { size: [H, W], counts: d.bits.counts() };
      bitsCache.set(mask, d.bits);
      return { upsert: [plainRow({ ...d.row, mask })], delete: [] };
    }
    // a click that does not move writes nothing (a vertex is inserted by dragging an edge)
    if ((d.kind === "move" || d.kind === "handle" || d.kind === "vertex") && !d.moved) return null;
    const row = snapRow(d.row, W, H);
    if (d.kind === "vertex" && d.row.points.length === d.orig.points.length && samePoints(row.points, d.orig.points))
      return null;
    return this.replace(d.orig, row, d.suggestion);
  }

  /**
   * The change that puts `row` in place of `orig` (a suggestion is accepted as edited).
   * @param {Row} orig @param {Row} row @param {boolean} suggestion
   * @returns {Change}
   */
  replace(orig, row, suggestion) {
    if (suggestion) {
      const accepted = plainRow({ ...row, id: this.host.newId() });
      this.selected = accepted.id;
      return { upsert: [accepted], delete: [], accepted: [orig.id] };
    }
    return { upsert: [plainRow(row)], delete: [] };
  }

  /** @param {Row} row @param {number} index @param {boolean} suggestion @returns {Change | null} */
  deleteVertex(row, index, suggestion) {
    if (row.points.length <= 3) return null;
    const points = row.points.filter((/** @type {Point} */ _q, /** @type {number} */ i) => i !== index);
    return this.replace(row, { ...row, points }, suggestion);
  }

  /** Close the polygon being drawn. @returns {Change | null} */
  closePolygon() {
    if (this.draft.length < 3) return null;
    const row = this.newRow("polygon", { points: this.draft });
    this.draft = [];
    this.selected = row.id;
    return { upsert: [plainRow(row)], delete: [] };
  }

  /** Escape: drop the polygon being drawn, else the selection. */
  cancel() {
    if (this.drag) this.drag = null;
    else if (this.draft.length) this.draft = [];
    else this.selected = null;
  }

  /** @returns {Change | null} delete the selection (reject it, for a suggestion) */
  deleteSelected() {
    const sel = this.selection;
    if (!sel) return null;
    this.selected = null;
    return sel.suggestion ? { upsert: [], delete: [], rejected: [sel.row.id] } : { upsert: [], delete: [sel.row.id] };
  }

  /** @param {string} label @returns {Change | null} give the selection another label */
  relabel(label) {
    const sel = this.selection;
    if (!sel || (sel.row.label === label && !sel.suggestion) || this.points?.locked(sel.row)) return null;
    return this.replace(sel.row, { ...sel.row, label }, sel.suggestion);
  }

  /** @returns {Change | null} accept the selected suggestion as it is */
  accept() {
    const sel = this.selection;
    if (!sel?.suggestion) return null;
    return this.replace(sel.row, sel.row, true);
  }

  /** @param {number} dx @param {number} dy @returns {Change | null} move the selected shape */
  nudge(dx, dy) {
    const sel = this.selection;
    if (!sel) return null;
    const [W, H] = this.host.size();
    if (sel.row.kind === "mask") {
      const bits = shiftMask(maskBits(sel.row), Math.round(dx), Math.round(dy));
      if (bits.empty()) return null; // pushed out of the image: keep it
      const mask = { size: [H, W], counts: bits.counts() };
      bitsCache.set(mask, bits);
      return this.replace(sel.row, { ...sel.row, mask }, sel.suggestion);
    }
    const row = snapRow(translate(sel.row, dx, dy, W, H), W, H);
    return this.replace(sel.row, row, sel.suggestion);
  }

  /** @param {string} kind @param {Record<string, any>} geometry @returns {Row} */
  newRow(kind, geometry) {
    return /** @type {Row} */ ({ id: this.host.newId(), kind, label: this.host.label(), ...geometry });
  }

  /** The shape being dragged, drawn on the overlay (and left out of the static layer). */
  get active() {
    if (this.drag) return this.drag.row;
    return this.selection?.row ?? null;
  }
}

/** @param {Row} row @param {Point} p @param {number} tol @returns {Hit | null} */
export function hitShape(row, p, tol) {
  if (row.kind === "box") return hitBox(boxOf(row), p, tol);
  if (row.kind === "polygon") return hitPolygon(row.points, p, tol);
  if (row.kind === "point") return hitPoint(row, p, tol);
  if (row.kind === "mask") return maskBits(row).get(Math.floor(p[0]), Math.floor(p[1])) ? { part: "body" } : null;
  return null;
}

/** @param {Row} row @param {number} dx @param {number} dy @param {number} W @param {number} H @returns {Row} */
function translate(row, dx, dy, W, H) {
  if (row.kind === "box") return { ...row, ...moveBox(boxOf(row), dx, dy, W, H) };
  if (row.kind === "polygon") return { ...row, points: movePolygon(row.points, dx, dy, W, H) };
  if (row.kind === "point") return placeAt(row, [row.x + dx, row.y + dy], W, H);
  return row;
}

/** @param {Row} row @param {number} W @param {number} H @returns {Row} */
function snapRow(row, W, H) {
  if (row.kind === "box") return { ...row, ...snapBox(boxOf(row), W, H) };
  if (row.kind === "polygon") return { ...row, points: row.points.map((/** @type {Point} */ q) => snapPoint(q, W, H)) };
  return row;
}

/** @param {Point[]} a @param {Point[]} b */
function samePoints(a, b) {
  return a.length === b.length && a.every((q, i) => q[0] === b[i][0] && q[1] === b[i][1]);
}
