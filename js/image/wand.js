// The magic wand: click a region and it fills by similarity to the clicked pixel. DOM-free
// (tested in js/test/image_wand.test.js): the page hands it the item's pixels as a typed
// array and draws what it returns.
//
// Design:
// - The fill is a scanline flood fill over the image's own pixels (the copy the page was
//   sent, never the zoomed canvas), 4-connected: a pixel joins when every colour channel
//   lies within `tolerance` of the seed pixel's (alpha is ignored). Each pixel is tested a
//   bounded number of times, so a fill costs O(area it covers + its border).
// - The tolerance is a percentage of the value range: of 0-255 for 8-bit images and of the
//   display window's width for 16-bit, float and DICOM images, whose raw values the fill
//   reads (so "10 %" means the same visible contrast at every window, and a window that
//   saturates a region does not make it uniform).
// - The fill runs at the resolution of that copy; when the kernel sent a smaller copy
//   (`display_size`), the mask is scaled to the original image's pixel grid (nearest
//   pixel), so stored masks are always in original pixels like the brush's.

import { MaskBits } from "./mask.js";

/**
 * @typedef {Uint8Array | Uint8ClampedArray | Uint16Array | Float32Array | Float64Array | number[]} Pixels
 * @typedef {{mask: Uint8Array, area: number, x0: number, y0: number, x1: number, y1: number}} Fill
 *   mask: row-major, 1 inside (width * height); x0..x1, y0..y1: the filled pixels' bounds
 *   (inclusive; x1 < x0 when nothing is filled)
 */

/**
 * Flood-fill from `seed` the 4-connected pixels whose channels all lie within `tolerance`
 * of the seed pixel's.
 * @param {number} width
 * @param {number} height
 * @param {Pixels} pixels row-major, `channels` values per pixel
 * @param {[number, number]} seed pixel column and row (fractions are floored)
 * @param {number} tolerance in the pixels' units; 0 fills only pixels equal to the seed
 * @param {{channels?: number}} [options] values per pixel (default: pixels.length / (width *
 *   height)); with 4, the 4th (alpha) is ignored
 * @returns {Fill}
 */
export function floodFill(width, height, pixels, seed, tolerance, options = {}) {
  const n = width * height;
  const ch = options.channels ?? Math.round(pixels.length / Math.max(1, n));
  if (!(ch >= 1) || pixels.length < n * ch) {
    throw new Error(`floodFill: ${pixels.length} values do not hold ${width}x${height} pixels of ${ch}`);
  }
  const mask = new Uint8Array(n);
  const sx = Math.floor(seed[0]);
  const sy = Math.floor(seed[1]);
  if (!(sx >= 0 && sy >= 0 && sx < width && sy < height) || !(tolerance >= 0)) {
    return { mask, area: 0, x0: width, y0: height, x1: -1, y1: -1 };
  }
  const used = Math.min(ch, 3); // colour channels; alpha is left out
  const k = (sy * width + sx) * ch;
  const t = tolerance;
  const lo0 = pixels[k] - t;
  const hi0 = pixels[k] + t;
  const lo1 = used > 1 ? pixels[k + 1] - t : 0;
  const hi1 = used > 1 ? pixels[k + 1] + t : 0;
  const lo2 = used > 2 ? pixels[k + 2] - t : 0;
  const hi2 = used > 2 ? pixels[k + 2] + t : 0;
  // Whether pixel i is near the seed: one predicate per channel count, each a few compares.
  /** @type {(i: number) => boolean} */
  let near;
  if (used === 1) {
    near = (i) => {
      const a = pixels[i * ch];
      return a >= lo0 && a <= hi0;
    };
  } else if (used === 2) {
    near = (i) => {
      const q = i * ch;
      const a = pixels[q];
      const b = pixels[q + 1];
      return a >= lo0 && a <= hi0 && b >= lo1 && b <= hi1;
    };
  } else if (
    ch === 4 &&
    (pixels instanceof Uint8ClampedArray || pixels instanceof Uint8Array) &&
    pixels.byteOffset % 4 === 0
  ) {
    // RGBA bytes (what a canvas gives): one 32-bit load per pixel instead of three
    const words = new Uint32Array(pixels.buffer, pixels.byteOffset, n);
    const little = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
    const [sa, sb, sc] = little ? [0, 8, 16] : [24, 16, 8];
    near = (i) => {
      const v = words[i];
      const a = (v >>> sa) & 255;
      const b = (v >>> sb) & 255;
      const c = (v >>> sc) & 255;
      return a >= lo0 && a <= hi0 && b >= lo1 && b <= hi1 && c >= lo2 && c <= hi2;
    };
  } else {
    near = (i) => {
      const q = i * ch;
      const a = pixels[q];
      const b = pixels[q + 1];
      const c = pixels[q + 2];
      return a >= lo0 && a <= hi0 && b >= lo1 && b <= hi1 && c >= lo2 && c <= hi2;
    };
  }
  return scanlineFill(width, height, mask, near, sy * width + sx);
}

/**
 * The scanline flood fill from pixel `start` over the pixels `near` accepts, marking them in
 * `mask` (all 0 on entry). Each pixel is tested at most three times.
 * @param {number} width @param {number} height @param {Uint8Array} mask
 * @param {(i: number) => boolean} near @param {number} start
 * @returns {Fill}
 */
function scanlineFill(width, height, mask, near, start) {
  let area = 0;
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  if (!near(start)) return { mask, area, x0, y0, x1, y1 };
  // A stack of pixel indices from which a span may start.
  let stack = new Int32Array(1024);
  let top = 0;
  /** @param {number} i */
  const push = (i) => {
    if (top === stack.length) {
      const bigger = new Int32Array(stack.length * 2);
      bigger.set(stack);
      stack = bigger;
    }
    stack[top++] = i;
  };
  /**
   * Push one seed per run of fillable pixels in the row starting at pixel `row`, between
   * columns lx and rx.
   * @param {number} row @param {number} lx @param {number} rx
   */
  const scanRow = (row, lx, rx) => {
    let inRun = false;
    const end = row + rx;
    for (let i = row + lx; i <= end; i++) {
      if (mask[i] === 0 && near(i)) {
        if (!inRun) {
          push(i);
          inRun = true;
        }
      } else {
        inRun = false;
      }
    }
  };
  push(start);
  while (top > 0) {
    const i = stack[--top];
    if (mask[i]) continue;
    const y = (i / width) | 0;
    const row = y * width;
    let l = i;
    let r = i;
    while (l > row && mask[l - 1] === 0 && near(l - 1)) l--;
    while (r < row + width - 1 && mask[r + 1] === 0 && near(r + 1)) r++;
    mask.fill(1, l, r + 1);
    area += r - l + 1;
    if (l - row < x0) x0 = l - row;
    if (r - row > x1) x1 = r - row;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (y > 0) scanRow(row - width, l - row, r - row);
    if (y < height - 1) scanRow(row + width, l - row, r - row);
  }
  return { mask, area, x0, y0, x1, y1 };
}

/**
 * A fill made on a `fillW` x `fillH` copy of the image as a mask of the original
 * `imageW` x `imageH` image (each original pixel takes the copy's pixel under its centre).
 * @param {Fill} fill @param {number} fillW @param {number} fillH
 * @param {number} imageW @param {number} imageH
 * @returns {MaskBits}
 */
export function fillToMask(fill, fillW, fillH, imageW, imageH) {
  const out = new MaskBits(imageW, imageH);
  if (fill.area === 0) return out;
  const kx = imageW / fillW;
  const ky = imageH / fillH;
  // The original pixels whose centres fall in the filled bounds.
  const X0 = Math.max(0, Math.floor(fill.x0 * kx));
  const X1 = Math.min(imageW, Math.ceil((fill.x1 + 1) * kx));
  const Y0 = Math.max(0, Math.floor(fill.y0 * ky));
  const Y1 = Math.min(imageH, Math.ceil((fill.y1 + 1) * ky));
  const w = X1 - X0;
  const h = Y1 - Y0;
  const bits = new Uint8Array(w * h);
  const rows = new Int32Array(h); // the copy's row offset of each original row
  for (let j = 0; j < h; j++) rows[j] = Math.min(fillH - 1, Math.floor((Y0 + j + 0.5) / ky)) * fillW;
  const mask = fill.mask;
  for (let i = 0; i < w; i++) {
    const sx = Math.min(fillW - 1, Math.floor((X0 + i + 0.5) / kx));
    const column = i * h;
    for (let j = 0; j < h; j++) bits[column + j] = mask[rows[j] + sx];
  }
  return new MaskBits(imageW, imageH, { x: X0, y: Y0, w, h, bits });
}

/**
 * `base` with `part` added (mode "add") or taken away ("subtract"); `part` itself for "new".
 * @param {MaskBits | null} base @param {MaskBits} part @param {"new" | "add" | "subtract"} mode
 * @returns {MaskBits}
 */
export function combineMasks(base, part, mode) {
  if (mode === "new" || !base) return mode === "subtract" ? new MaskBits(part.imageW, part.imageH) : part;
  const out = base.clone();
  if (mode === "add" && part.w > 0) out.ensure(part.x, part.y, part.x + part.w, part.y + part.h);
  const value = mode === "add" ? 1 : 0;
  for (let i = 0; i < part.w; i++) {
    const px = part.x + i - out.x;
    if (px < 0 || px >= out.w) continue;
    for (let j = 0; j < part.h; j++) {
      const py = part.y + j - out.y;
      if (py >= 0 && py < out.h && part.bits[i * part.h + j]) out.bits[px * out.h + py] = value;
    }
  }
  out.version++;
  return out;
}

/** Tolerance steps, in percent of the value range. */
export const TOLERANCE = { initial: 12, min: 0, max: 100, step: 2, perPixel: 0.25 };

/**
 * @typedef {{data: Pixels, width: number, height: number, channels: number, range: number}} Source
 *   the pixels the wand fills on; `range`: what 100 % tolerance is in their units
 * @typedef {"new" | "add" | "subtract"} Mode
 */

/**
 * The wand's gesture, DOM-free: press at a pixel (the fill previews at the current
 * tolerance), drag sideways (right widens the tolerance, left narrows it; the preview
 * follows), release to take the mask. The tolerance stays for the next click.
 */
export class WandGesture {
  constructor() {
    this.tolerance = TOLERANCE.initial;
    /** @type {{seed: [number, number], startX: number, startTolerance: number, source: Source,
     *   imageW: number, imageH: number, mode: Mode, fill: Fill | null, filledAt: number} | null} */
    this.drag = null;
    /** milliseconds of the last fill (for benchmarks) */
    this.timing = { fill: 0 };
  }

  /** @param {number} value percent */
  setTolerance(value) {
    this.tolerance = Math.round(Math.min(TOLERANCE.max, Math.max(TOLERANCE.min, value)) * 100) / 100;
  }

  /**
   * @param {[number, number]} point in original-image pixels
   * @param {number} cssX the pointer's x on the page (for the tolerance drag)
   * @param {Source} source
   * @param {[number, number]} size the original image's width and height
   * @param {Mode} mode
   */
  start(point, cssX, source, size, mode) {
    const seed = /** @type {[number, number]} */ ([
      Math.min(source.width - 1, Math.floor((point[0] * source.width) / size[0])),
      Math.min(source.height - 1, Math.floor((point[1] * source.height) / size[1])),
    ]);
    this.drag = {
      seed,
      startX: cssX,
      startTolerance: this.tolerance,
      source,
      imageW: size[0],
      imageH: size[1],
      mode,
      fill: null,
      filledAt: Number.NaN,
    };
  }

  /** @param {number} cssX the pointer moved (while pressed) @returns {boolean} whether the tolerance changed */
  move(cssX) {
    const d = this.drag;
    if (!d) return false;
    const before = this.tolerance;
    this.setTolerance(d.startTolerance + (cssX - d.startX) * TOLERANCE.perPixel);
    return this.tolerance !== before;
  }

  /** The fill at the current tolerance (computed at most once per tolerance). @returns {Fill | null} */
  fill() {
    const d = this.drag;
    if (!d) return null;
    if (!d.fill || d.filledAt !== this.tolerance) {
      const s = d.source;
      const units = (this.tolerance / 100) * s.range;
      const t0 = performance.now();
      d.fill = floodFill(s.width, s.height, s.data, d.seed, units, { channels: s.channels });
      this.timing.fill = performance.now() - t0;
      d.filledAt = this.tolerance;
    }
    return d.fill;
  }

  /** The filled region as a mask of the original image (before add/subtract). */
  part() {
    const d = this.drag;
    const f = this.fill();
    if (!d || !f) return null;
    return fillToMask(f, d.source.width, d.source.height, d.imageW, d.imageH);
  }

  /** Release: the filled part and the mode, and the gesture ends. */
  finish() {
    const part = this.part();
    const mode = this.drag?.mode ?? "new";
    this.drag = null;
    return part ? { part, mode } : null;
  }
}
