// Box and polygon geometry in original-image pixels: snapping, clipping, handles,
// hit-testing, moving and resizing. DOM-free (tested in js/test/image_shapes.test.js).
//
// A box is {x, y, width, height} (COCO: top-left corner and size, in original pixels).
// A finished drag snaps every edge and vertex to the nearest whole pixel and keeps the
// shape inside the image: x, y, width and height are then whole numbers and
// 0 <= x, x + width <= image width (same for y).

/** @typedef {{x: number, y: number, width: number, height: number}} Box */
/** @typedef {[number, number]} Point */
/** @typedef {"nw" | "n" | "ne" | "e" | "se" | "s" | "sw" | "w"} Handle */
/** @typedef {{part: "body"} | {part: "handle", handle: Handle} | {part: "vertex", index: number}
 *   | {part: "edge", index: number, point: Point}} Hit */

/** @param {number} v @param {number} lo @param {number} hi */
export const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/**
 * The box spanned by two corners, snapped to whole pixels and clipped to the image.
 * @param {Point} a @param {Point} b @param {number} imageW @param {number} imageH
 * @returns {Box}
 */
export function boxFromCorners(a, b, imageW, imageH) {
  const x0 = clamp(Math.round(Math.min(a[0], b[0])), 0, imageW);
  const x1 = clamp(Math.round(Math.max(a[0], b[0])), 0, imageW);
  const y0 = clamp(Math.round(Math.min(a[1], b[1])), 0, imageH);
  const y1 = clamp(Math.round(Math.max(a[1], b[1])), 0, imageH);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * A box snapped to whole pixels and inside the image.
 * @param {Box} box @param {number} imageW @param {number} imageH
 * @returns {Box}
 */
export function snapBox(box, imageW, imageH) {
  return boxFromCorners([box.x, box.y], [box.x + box.width, box.y + box.height], imageW, imageH);
}

/** @type {Handle[]} */
export const HANDLES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

/**
 * Where a box's handle sits.
 * @param {Box} box @param {Handle} handle
 * @returns {Point}
 */
export function handlePoint(box, handle) {
  const x = handle.includes("w") ? box.x : handle.includes("e") ? box.x + box.width : box.x + box.width / 2;
  const y = handle.includes("n") ? box.y : handle.includes("s") ? box.y + box.height : box.y + box.height / 2;
  return [x, y];
}

/**
 * Move a box by (dx, dy) without leaving the image; its size never changes.
 * @param {Box} box @param {number} dx @param {number} dy @param {number} imageW @param {number} imageH
 * @returns {Box}
 */
export function moveBox(box, dx, dy, imageW, imageH) {
  return {
    x: clamp(box.x + dx, 0, Math.max(0, imageW - box.width)),
    y: clamp(box.y + dy, 0, Math.max(0, imageH - box.height)),
    width: box.width,
    height: box.height,
  };
}

/**
 * Drag one handle of a box to image point p (the opposite side stays); may flip.
 * @param {Box} box @param {Handle} handle @param {Point} p @param {number} imageW @param {number} imageH
 * @returns {Box} not snapped (snap at the end of the drag)
 */
export function resizeBox(box, handle, p, imageW, imageH) {
  let x0 = box.x;
  let y0 = box.y;
  let x1 = box.x + box.width;
  let y1 = box.y + box.height;
  const px = clamp(p[0], 0, imageW);
  const py = clamp(p[1], 0, imageH);
  if (handle.includes("w")) x0 = px;
  if (handle.includes("e")) x1 = px;
  if (handle.includes("n")) y0 = py;
  if (handle.includes("s")) y1 = py;
  return { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) };
}

/**
 * What of a box is at image point p: a handle (within `tol` image pixels), the body, or nothing.
 * @param {Box} box @param {Point} p @param {number} tol
 * @returns {Hit | null}
 */
export function hitBox(box, p, tol) {
  for (const handle of HANDLES) {
    const [hx, hy] = handlePoint(box, handle);
    if (Math.abs(p[0] - hx) <= tol && Math.abs(p[1] - hy) <= tol) return { part: "handle", handle };
  }
  if (p[0] >= box.x && p[0] <= box.x + box.width && p[1] >= box.y && p[1] <= box.y + box.height)
    return { part: "body" };
  return null;
}

/**
 * Is p inside the polygon (even-odd rule)?
 * @param {Point[]} points @param {Point} p
 */
export function insidePolygon(points, p) {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i];
    const [xj, yj] = points[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * The closest point to p on segment a-b, and its distance.
 * @param {Point} a @param {Point} b @param {Point} p
 * @returns {{point: Point, distance: number}}
 */
export function closestOnSegment(a, b, p) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : clamp(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2, 0, 1);
  /** @type {Point} */
  const point = [a[0] + t * dx, a[1] + t * dy];
  return { point, distance: Math.hypot(p[0] - point[0], p[1] - point[1]) };
}

/**
 * What of a closed polygon is at p: a vertex, an edge (where a vertex can be inserted),
 * the inside, or nothing. `tol` is in image pixels.
 * @param {Point[]} points @param {Point} p @param {number} tol
 * @returns {Hit | null}
 */
export function hitPolygon(points, p, tol) {
  for (let i = 0; i < points.length; i++) {
    if (Math.hypot(p[0] - points[i][0], p[1] - points[i][1]) <= tol) return { part: "vertex", index: i };
  }
  for (let i = 0; i < points.length; i++) {
    const { point, distance } = closestOnSegment(points[i], points[(i + 1) % points.length], p);
    if (distance <= tol) return { part: "edge", index: i, point };
  }
  return insidePolygon(points, p) ? { part: "body" } : null;
}

/**
 * A point snapped to whole pixels and inside the image.
 * @param {Point} p @param {number} imageW @param {number} imageH
 * @returns {Point}
 */
export function snapPoint(p, imageW, imageH) {
  return [clamp(Math.round(p[0]), 0, imageW), clamp(Math.round(p[1]), 0, imageH)];
}

/**
 * Move every vertex by (dx, dy), limited so the polygon stays inside the image.
 * @param {Point[]} points @param {number} dx @param {number} dy @param {number} imageW @param {number} imageH
 * @returns {Point[]}
 */
export function movePolygon(points, dx, dy, imageW, imageH) {
  const xs = points.map((q) => q[0]);
  const ys = points.map((q) => q[1]);
  const ddx = clamp(dx, -Math.min(...xs), imageW - Math.max(...xs));
  const ddy = clamp(dy, -Math.min(...ys), imageH - Math.max(...ys));
  return points.map((q) => /** @type {Point} */ ([q[0] + ddx, q[1] + ddy]));
}

/**
 * Area of a polygon (shoelace), in square image pixels.
 * @param {Point[]} points
 */
export function polygonArea(points) {
  let twice = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    twice += points[j][0] * points[i][1] - points[i][0] * points[j][1];
  }
  return Math.abs(twice) / 2;
}

/**
 * Bounding box of points.
 * @param {Point[]} points
 * @returns {Box}
 */
export function boundsOf(points) {
  const xs = points.map((q) => q[0]);
  const ys = points.map((q) => q[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}
