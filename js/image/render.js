// Drawing regions on a canvas 2D context whose transform maps original-image pixels
// (see view.js `matrix`). Static layer: image + every shape but the active one;
// overlay: the active shape with its handles, the polygon being drawn, the brush.

import { colourOf } from "../lib/palette.js";
import { maskBits } from "./editor.js";
import { drawPoint } from "./points.js";
import { HANDLES, handlePoint } from "./shapes.js";

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("./mask.js").MaskBits} MaskBits
 * @typedef {{color: (label: string) => string, scale: number, opacity: number}} Style
 */

/**
 * One colour per label, by its place in the labels list or its spec (js/lib/palette.js).
 * @param {string[]} labels
 * @param {Record<string, {color?: string}>} [specs]
 * @returns {(label: string) => string}
 */
export function palette(labels, specs) {
  return (label) => colourOf(labels, label, specs);
}

/** @type {WeakMap<MaskBits, {version: number, color: string, canvas: HTMLCanvasElement}>} */
const maskCanvases = new WeakMap();

/**
 * A mask's pixels as a canvas at no more than `scale` canvas pixels per image pixel
 * (work follows what is shown, not the original size).
 * @param {MaskBits} bits @param {string} color @param {number} scale
 */
function maskCanvas(bits, color, scale) {
  const cached = maskCanvases.get(bits);
  if (cached && cached.version === bits.version && cached.color === color) return cached.canvas;
  const k = Math.min(1, Math.max(scale, 1 / 16));
  const cw = Math.max(1, Math.ceil(bits.w * k));
  const ch = Math.max(1, Math.ceil(bits.h * k));
  const canvas = document.createElement("canvas");
  canvas.width = cw;
  canvas.height = ch;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const image = ctx.createImageData(cw, ch);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
  const data = new Uint32Array(image.data.buffer);
  const pixel = (255 << 24) | (b << 16) | (g << 8) | r; // little-endian RGBA
  for (let i = 0; i < cw; i++) {
    const sx = Math.min(bits.w - 1, Math.floor((i + 0.5) / k)) * bits.h; // column-major bits
    for (let j = 0; j < ch; j++) {
      if (bits.bits[sx + Math.min(bits.h - 1, Math.floor((j + 0.5) / k))]) data[j * cw + i] = pixel;
    }
  }
  ctx.putImageData(image, 0, 0);
  maskCanvases.set(bits, { version: bits.version, color, canvas });
  return canvas;
}

/**
 * @param {CanvasRenderingContext2D} ctx @param {MaskBits} bits @param {string} color
 * @param {Style} style @param {number} [alpha]
 */
export function drawMask(ctx, bits, color, style, alpha = style.opacity) {
  if (bits.w === 0 || bits.h === 0) return;
  ctx.globalAlpha = alpha;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(maskCanvas(bits, color, style.scale), bits.x, bits.y, bits.w, bits.h);
  ctx.globalAlpha = 1;
}

/**
 * Draw one region (box, polygon or mask).
 * @param {CanvasRenderingContext2D} ctx @param {Row} row @param {Style} style
 * @param {{suggestion?: boolean, selected?: boolean}} [how]
 */
export function drawShape(ctx, row, style, how = {}) {
  const color = style.color(row.label);
  const px = 1 / style.scale; // one CSS pixel in image units
  ctx.lineWidth = (how.selected ? 3 : 2) * px;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.setLineDash(how.suggestion ? [6 * px, 4 * px] : []);
  if (row.kind === "mask") {
    drawMask(ctx, maskBits(row), color, style, how.suggestion ? style.opacity * 0.6 : style.opacity);
    return;
  }
  if (row.kind === "point") {
    drawPoint(ctx, row, style, how);
    return;
  }
  ctx.beginPath();
  if (row.kind === "box") {
    ctx.rect(row.x, row.y, row.width, row.height);
  } else if (row.kind === "polygon") {
    const pts = /** @type {[number, number][]} */ (row.points);
    pts.forEach(([x, y], i) => {
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.closePath();
  } else {
    return;
  }
  ctx.globalAlpha = style.opacity * 0.35;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.stroke();
}

/**
 * Handles of the selected shape: box corners and edges, polygon vertices.
 * @param {CanvasRenderingContext2D} ctx @param {Row} row @param {Style} style
 */
export function drawHandles(ctx, row, style) {
  const px = 1 / style.scale;
  const s = 4 * px;
  ctx.setLineDash([]);
  ctx.fillStyle = "#fff";
  ctx.strokeStyle = style.color(row.label);
  ctx.lineWidth = 1.5 * px;
  /** @type {[number, number][]} */
  const points =
    row.kind === "box"
      ? HANDLES.map((h) => handlePoint(/** @type {any} */ (row), h))
      : row.kind === "polygon"
        ? row.points
        : [];
  for (const [x, y] of points) {
    ctx.fillRect(x - s, y - s, 2 * s, 2 * s);
    ctx.strokeRect(x - s, y - s, 2 * s, 2 * s);
  }
}

/**
 * A polygon being drawn: its vertices and the edge to the pointer.
 * @param {CanvasRenderingContext2D} ctx @param {[number, number][]} points
 * @param {[number, number] | null} pointer @param {string} color @param {Style} style
 */
export function drawDraft(ctx, points, pointer, color, style) {
  if (!points.length) return;
  const px = 1 / style.scale;
  ctx.setLineDash([]);
  ctx.strokeStyle = color;
  ctx.lineWidth = 2 * px;
  ctx.beginPath();
  points.forEach(([x, y], i) => {
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  if (pointer) ctx.lineTo(pointer[0], pointer[1]);
  ctx.stroke();
  ctx.fillStyle = color;
  for (const [x, y] of points) ctx.fillRect(x - 3 * px, y - 3 * px, 6 * px, 6 * px);
}
