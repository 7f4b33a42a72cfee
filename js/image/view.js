// The view transform: original-image pixels <-> canvas CSS pixels, with zoom and pan.
// DOM-free, so it is tested on its own (js/test/image_view.test.js).
//
// Pixel convention: the original image, upright, spans [0, width] x [0, height] with the
// origin at the top-left corner of its top-left pixel; pixel (i, j) covers
// [i, i+1) x [j, j+1). The page only ever has a downscaled copy; it is drawn stretched to
// the original size in these units, so every coordinate the page computes and sends is in
// original pixels. A canvas point (cx, cy) in CSS pixels (offsetX/offsetY) shows the image
// point ((cx - tx) / scale, (cy - ty) / scale). The canvas backing store has
// devicePixelRatio times more pixels; only drawing needs it (see `matrix`).

/** @typedef {{scale: number, tx: number, ty: number}} View */

/**
 * The view that shows the whole image centred in a `cssW` x `cssH` canvas.
 * @param {number} imageW @param {number} imageH @param {number} cssW @param {number} cssH
 * @returns {View}
 */
export function fitView(imageW, imageH, cssW, cssH) {
  const scale = Math.min(cssW / imageW, cssH / imageH);
  return { scale, tx: (cssW - imageW * scale) / 2, ty: (cssH - imageH * scale) / 2 };
}

/**
 * Canvas CSS pixels to original-image pixels.
 * @param {View} view @param {number} cx @param {number} cy
 * @returns {[number, number]}
 */
export function toImage(view, cx, cy) {
  return [(cx - view.tx) / view.scale, (cy - view.ty) / view.scale];
}

/**
 * Original-image pixels to canvas CSS pixels.
 * @param {View} view @param {number} x @param {number} y
 * @returns {[number, number]}
 */
export function toCanvas(view, x, y) {
  return [x * view.scale + view.tx, y * view.scale + view.ty];
}

/**
 * Zoom by `factor` keeping the image point under canvas point (cx, cy) where it is.
 * The scale stays within [minScale, maxScale].
 * @param {View} view @param {number} factor @param {number} cx @param {number} cy
 * @param {number} [minScale] @param {number} [maxScale]
 * @returns {View}
 */
export function zoomAt(view, factor, cx, cy, minScale = 1e-3, maxScale = 64) {
  const scale = Math.min(maxScale, Math.max(minScale, view.scale * factor));
  const k = scale / view.scale;
  return { scale, tx: cx - (cx - view.tx) * k, ty: cy - (cy - view.ty) * k };
}

/**
 * Move the image by (dx, dy) CSS pixels.
 * @param {View} view @param {number} dx @param {number} dy
 * @returns {View}
 */
export function panBy(view, dx, dy) {
  return { scale: view.scale, tx: view.tx + dx, ty: view.ty + dy };
}

/**
 * Keep at least `margin` CSS pixels of the image inside the canvas.
 * @param {View} view @param {number} imageW @param {number} imageH
 * @param {number} cssW @param {number} cssH @param {number} [margin]
 * @returns {View}
 */
export function clampView(view, imageW, imageH, cssW, cssH, margin = 32) {
  const w = imageW * view.scale;
  const h = imageH * view.scale;
  const tx = Math.min(cssW - Math.min(margin, w), Math.max(Math.min(margin, w) - w, view.tx));
  const ty = Math.min(cssH - Math.min(margin, h), Math.max(Math.min(margin, h) - h, view.ty));
  return { scale: view.scale, tx, ty };
}

/**
 * The canvas 2D transform that draws in original-image pixels on a backing store
 * `dpr` times denser than CSS pixels: ctx.setTransform(...matrix(view, dpr)).
 * @param {View} view @param {number} dpr
 * @returns {[number, number, number, number, number, number]}
 */
export function matrix(view, dpr) {
  return [view.scale * dpr, 0, 0, view.scale * dpr, view.tx * dpr, view.ty * dpr];
}
