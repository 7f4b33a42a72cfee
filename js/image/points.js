// Keypoints: the point tool and skeletons. A click places a point (kind "point", x and y in
// original-image pixels), a drag moves one, Shift+click places one marked not visible
// (`outside: true`). With a skeleton, clicks place one instance's points in the skeleton's
// order; the points of an instance share a `track_id` and edges join its placed points.
// The state and geometry are DOM-free (tested in js/test/image_points.test.js); drawing
// takes a canvas context whose transform maps image pixels (view.js `matrix`).

import { clamp } from "./shapes.js";

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/session.js").Change} Change
 * @typedef {import("./shapes.js").Point} Point
 * @typedef {import("./shapes.js").Hit} Hit
 * @typedef {{name: string, points: string[], edges: [string, string][]}} Skeleton
 * @typedef {{color: (label: string) => string, scale: number, opacity: number}} Style
 * @typedef {import("./editor.js").Editor} Editor
 */

/** A point's radius on screen, in CSS pixels, the same at any zoom. */
export const POINT_RADIUS = 5;

/** @param {number} v a coordinate kept to 1/100 pixel (a click's place, without float noise) */
const round2 = (v) => Math.round(v * 100) / 100;

/**
 * A point row at image point p, inside the image [0, W] x [0, H].
 * @param {Row} row @param {Point} p @param {number} W @param {number} H @returns {Row}
 */
export function placeAt(row, p, W, H) {
  return { ...row, x: round2(clamp(p[0], 0, W)), y: round2(clamp(p[1], 0, H)) };
}

/**
 * Is image point p on the point row (within `tol` image pixels)?
 * @param {Row} row @param {Point} p @param {number} tol @returns {Hit | null}
 */
export function hitPoint(row, p, tol) {
  return Math.hypot(p[0] - row.x, p[1] - row.y) <= tol ? { part: "body" } : null;
}

/** The point tool's state: the skeleton instance being placed and the points skipped in it. */
export class Points {
  /** @param {Skeleton | null} skeleton @param {() => string} newId */
  constructor(skeleton, newId) {
    this.skeleton = skeleton?.points?.length ? skeleton : null;
    this.newId = newId;
    /** @type {string | null} the track_id of the instance the next clicks complete */
    this.instance = null;
    /** @type {Set<string>} skeleton points skipped (not in view) in this instance */
    this.skipped = new Set();
  }

  /** @param {Row[]} rows @returns {Set<string>} names placed in the current instance */
  placed(rows) {
    const inst = this.instance;
    return new Set(rows.filter((r) => r.kind === "point" && inst !== null && r.track_id === inst).map((r) => r.label));
  }

  /**
   * The skeleton point the next click places (the first neither placed nor skipped in the
   * current instance; the first of a new instance when it is complete), or null without skeleton.
   * @param {Row[]} rows @returns {{name: string, index: number, fresh: boolean} | null}
   */
  next(rows) {
    const sk = this.skeleton;
    if (!sk) return null;
    const placed = this.placed(rows);
    const index = sk.points.findIndex((n) => !placed.has(n) && !this.skipped.has(n));
    if (this.instance === null || index < 0) return { name: sk.points[0], index: 0, fresh: true };
    return { name: sk.points[index], index, fresh: false };
  }

  /** What the page says about the next click. @param {Row[]} rows @returns {string} */
  status(rows) {
    const sk = this.skeleton;
    if (!sk) return "";
    const n = this.next(rows);
    if (!n) return "";
    const of = `${n.index + 1} of ${sk.points.length}`;
    return n.fresh ? `next: ${n.name} (${of}, a new ${sk.name})` : `next: ${n.name} (${of})`;
  }

  /** Do keys leave this row's label alone? (a skeleton point is named by the skeleton) @param {Row} row */
  locked(row) {
    return Boolean(this.skeleton) && row.kind === "point";
  }

  /**
   * Pointer down with the point tool: grab the point under p, else start placing a new one.
   * @param {Editor} editor @param {Point} p @param {{tol: number, shift?: boolean}} o
   * @returns {"handled"}
   */
  down(editor, p, o) {
    const under = [
      ...(editor.selection ? [editor.selection] : []),
      ...[...editor.host.rows()].reverse().map((row) => ({ row, suggestion: false })),
      ...editor.host.suggestions().map((row) => ({ row, suggestion: true })),
    ].find((c) => c.row.kind === "point" && hitPoint(c.row, p, o.tol));
    if (under) {
      editor.selected = under.row.id;
      this.select(under.row);
      editor.startEdit({ ...under, hit: { part: "body" } }, p, o);
      return "handled";
    }
    const [W, H] = editor.host.size();
    /** @type {Record<string, any>} */
    const fields = o.shift ? { outside: true } : {};
    const n = this.next(editor.host.rows());
    if (n) {
      if (n.fresh) {
        this.instance = this.newId();
        this.skipped = new Set();
      }
      fields.label = n.name;
      fields.track_id = this.instance;
    }
    const row = placeAt(editor.newRow("point", fields), p, W, H);
    editor.selected = null;
    editor.drag = { kind: "new-point", row };
    return "handled";
  }

  /** A point was selected: its instance is the one the next clicks complete. @param {Row} row */
  select(row) {
    if (!this.skeleton || row.kind !== "point" || !row.track_id || row.track_id === this.instance) return;
    this.instance = row.track_id;
    this.skipped = new Set();
  }

  /** `s`: the next skeleton point is not in view; go on to the one after. @param {Row[]} rows */
  skip(rows) {
    const n = this.next(rows);
    if (!n || n.fresh) return false;
    this.skipped.add(n.name);
    return true;
  }

  /** Esc: the instance is finished; the next click starts a new one. */
  finish() {
    const had = this.instance !== null;
    this.instance = null;
    this.skipped = new Set();
    return had;
  }

  /**
   * The point tool's keys: `i` (visibility of the selected point) and `s` (skip a skeleton point).
   * @param {string} key @param {Editor} editor @param {Row[]} rows
   * @returns {Change | boolean} the change to commit, else whether the key was used
   */
  key(key, editor, rows) {
    if (key === "i" && editor.selection?.row.kind === "point") return this.toggleVisible(editor) ?? true;
    if (key === "s" && this.skeleton && editor.tool === "point") return this.skip(rows);
    return false;
  }

  /**
   * `i`: mark the selected point not visible, or visible again.
   * @param {Editor} editor @returns {Change | null}
   */
  toggleVisible(editor) {
    const sel = editor.selection;
    if (sel?.row.kind !== "point") return null;
    const { outside, ...rest } = sel.row;
    const row = /** @type {Row} */ (outside ? rest : { ...rest, outside: true });
    return editor.replace(sel.row, row, sel.suggestion);
  }
}

/**
 * One point: a filled dot (hollow and dashed when not visible), the same size at any zoom.
 * @param {CanvasRenderingContext2D} ctx @param {Row} row @param {Style} style
 * @param {{suggestion?: boolean, selected?: boolean}} how
 */
export function drawPoint(ctx, row, style, how) {
  const px = 1 / style.scale;
  const r = (how.selected ? POINT_RADIUS + 2 : POINT_RADIUS) * px;
  const color = style.color(row.label);
  ctx.beginPath();
  ctx.arc(row.x, row.y, r, 0, 2 * Math.PI);
  ctx.setLineDash(row.outside || how.suggestion ? [3 * px, 2 * px] : []);
  if (!row.outside) {
    ctx.globalAlpha = how.suggestion ? 0.5 : 1;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
  }
  ctx.lineWidth = (how.selected ? 2.5 : 1.5) * px;
  ctx.strokeStyle = row.outside ? color : "#fff";
  ctx.stroke();
  if (row.outside) {
    ctx.beginPath();
    ctx.arc(row.x, row.y, r + 1.5 * px, 0, 2 * Math.PI);
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1 * px;
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

/**
 * The skeleton's edges between placed points, instance by instance (`track_id`).
 * @param {Row[]} rows the rows shown @param {Skeleton | null} skeleton
 * @returns {[Row, Row][]} pairs of point rows an edge joins
 */
export function edgesOf(rows, skeleton) {
  if (!skeleton?.edges?.length) return [];
  /** @type {Map<string, Map<string, Row>>} */
  const byInstance = new Map();
  for (const r of rows) {
    if (r.kind !== "point" || !r.track_id) continue;
    let m = byInstance.get(r.track_id);
    if (!m) {
      m = new Map();
      byInstance.set(r.track_id, m);
    }
    m.set(r.label, r);
  }
  /** @type {[Row, Row][]} */
  const out = [];
  for (const m of byInstance.values()) {
    for (const [a, b] of skeleton.edges) {
      const ra = m.get(a);
      const rb = m.get(b);
      if (ra && rb) out.push([ra, rb]);
    }
  }
  return out;
}

/**
 * The edges of the points shown: all but those touching the point being edited (`active`,
 * drawn on the static layer), or only those, at its current place (on the overlay).
 * @param {CanvasRenderingContext2D} ctx @param {Row[]} rows @param {Skeleton | null} skeleton
 * @param {Style} style @param {Row | null} active @param {boolean} overlay
 */
export function drawSkeleton(ctx, rows, skeleton, style, active, overlay) {
  if (overlay && active?.kind !== "point") return;
  const id = active?.id;
  const shown = overlay ? [...rows.filter((r) => r.id !== id), /** @type {Row} */ (active)] : rows;
  const touches = (/** @type {[Row, Row]} */ e) => e[0].id === id || e[1].id === id;
  drawEdges(
    ctx,
    edgesOf(shown, skeleton).filter((e) => touches(e) === overlay),
    style,
  );
}

/**
 * Draw edges (dashed where an end is not visible).
 * @param {CanvasRenderingContext2D} ctx @param {[Row, Row][]} edges @param {Style} style
 */
export function drawEdges(ctx, edges, style) {
  const px = 1 / style.scale;
  ctx.lineWidth = 2 * px;
  for (const [a, b] of edges) {
    ctx.setLineDash(a.outside || b.outside ? [4 * px, 3 * px] : []);
    ctx.strokeStyle = style.color(a.label);
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

/** Help rows for the point tool's keys. @type {import("../lib/ui.js").HelpRow[]} */
export const POINT_HELP = [
  ["d", "point tool: click to place a point, drag a point to move it; Shift+click places it not visible"],
  ["i", "mark the selected point not visible (or visible again)"],
  ["s", "skeleton: skip the next point (not in view; it is not stored)"],
  ["Esc", "skeleton: end this instance; the next click starts a new one"],
];
