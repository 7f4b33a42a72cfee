// The superpixel brush: the kernel computes the item's superpixels (scikit-image's SLIC,
// src/nblabel/superpixels.py) and sends them once per item (or slice) as a label image
// (int32, one label per pixel of a copy of at most `max_side` pixels); a stroke adds every
// superpixel it touches, whole, to the mask (or takes it away). The label arithmetic is
// DOM-free and tested in js/test/image_superpixel.test.js.

import { combineMasks, fillToMask } from "./wand.js";

/**
 * @typedef {import("./mask.js").MaskBits} MaskBits
 * @typedef {import("./wand.js").Fill} Fill
 * @typedef {{width: number, height: number, labels: Int32Array, count: number,
 *   starts: Int32Array, pixels: Int32Array}} Superpixels
 *   starts[k]..starts[k + 1]: where superpixel k's pixel indices lie in `pixels`
 */

/**
 * Index a label image: each label's pixels, by a counting sort (two passes).
 * @param {Int32Array} labels row-major, labels 0..count-1
 * @param {number} width @param {number} height
 * @returns {Superpixels}
 */
export function indexLabels(labels, width, height) {
  const n = width * height;
  if (labels.length < n) throw new Error(`superpixels: ${labels.length} labels for ${width}x${height} pixels`);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const k = labels[i];
    if (k < 0) throw new Error(`superpixels: negative label ${k} at pixel ${i}`);
    if (k >= count) count = k + 1;
  }
  const starts = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) starts[labels[i] + 1]++;
  for (let k = 0; k < count; k++) starts[k + 1] += starts[k];
  const next = starts.slice(0, count);
  const pixels = new Int32Array(n);
  for (let i = 0; i < n; i++) pixels[next[labels[i]]++] = i;
  return { width, height, labels, count, starts, pixels };
}

/**
 * The labels under a stroke segment from a to b of radius r (all in label-image pixels;
 * a pixel is under it when its centre is within r of the segment, as for the brush).
 * @param {Superpixels} sp @param {[number, number]} a @param {[number, number]} b @param {number} r
 * @param {Set<number>} into
 * @returns {Set<number>}
 */
export function labelsUnder(sp, a, b, r, into = new Set()) {
  const { width, height, labels } = sp;
  const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - r));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(a[0], b[0]) + r));
  const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - r));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(a[1], b[1]) + r));
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const r2 = r * r;
  let hit = false;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const cx = x + 0.5;
      const cy = y + 0.5;
      let t = len2 === 0 ? 0 : ((cx - a[0]) * dx + (cy - a[1]) * dy) / len2;
      t = Math.min(1, Math.max(0, t));
      const ex = cx - a[0] - t * dx;
      const ey = cy - a[1] - t * dy;
      if (ex * ex + ey * ey <= r2) {
        into.add(labels[y * width + x]);
        hit = true;
      }
    }
  }
  // A brush smaller than a pixel still touches the pixel it is on.
  if (!hit) {
    const x = Math.floor(b[0]);
    const y = Math.floor(b[1]);
    if (x >= 0 && y >= 0 && x < width && y < height) into.add(labels[y * width + x]);
  }
  return into;
}

/**
 * The union of some superpixels as a fill (row-major over the label image).
 * @param {Superpixels} sp @param {Iterable<number>} chosen
 * @returns {Fill}
 */
export function unionFill(sp, chosen) {
  const { width, height, starts, pixels } = sp;
  const mask = new Uint8Array(width * height);
  let area = 0;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (const k of chosen) {
    if (!(k >= 0 && k < sp.count)) continue;
    for (let q = starts[k]; q < starts[k + 1]; q++) {
      const i = pixels[q];
      mask[i] = 1;
      const y = (i / width) | 0;
      const x = i - y * width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    area += starts[k + 1] - starts[k];
  }
  return { mask, area, x0, y0, x1, y1 };
}

/**
 * A brush that paints whole superpixels. It holds the label images the kernel sent (by
 * item and slice) and asks for the one it lacks with `{"type": "superpixels", "item_id",
 * "frame"}`; the answer is `{"type": "superpixels", "item_id", "frame", "width", "height"}`
 * with the labels as one int32 buffer, or with `"error"`.
 */
export class SuperpixelBrush {
  /**
   * @param {{send: (msg: object) => void}} kernel where requests go
   * @param {() => {itemId: string, frame: number | null} | null} current the item shown
   */
  constructor(kernel, current) {
    this.kernel = kernel;
    this.current = current;
    /** @type {Map<string, Superpixels | {error: string} | "asked">} */
    this.cache = new Map();
    /** @type {{sp: Superpixels, chosen: Set<number>, last: [number, number], scale: [number, number],
     *   size: [number, number], base: MaskBits | null, erase: boolean} | null} */
    this.drag = null;
  }

  /** @param {string} itemId @param {number | null} frame */
  static key(itemId, frame) {
    return `${itemId}\u0000${frame ?? ""}`;
  }

  /** The superpixels of the item shown, asking the kernel for them once. */
  ensure() {
    const at = this.current();
    if (!at) return null;
    const key = SuperpixelBrush.key(at.itemId, at.frame);
    const have = this.cache.get(key);
    if (have === undefined) {
      this.cache.set(key, "asked");
      this.kernel.send({ type: "superpixels", item_id: at.itemId, frame: at.frame });
      return null;
    }
    return have === "asked" || "error" in have ? null : have;
  }

  /**
   * The kernel's answer. @param {any} msg @param {DataView[]} buffers
   * @returns {boolean} whether it was a superpixels message
   */
  receive(msg, buffers) {
    if (msg?.type !== "superpixels") return false;
    const key = SuperpixelBrush.key(String(msg.item_id), msg.frame ?? null);
    if (msg.error || !buffers?.[0]) {
      this.cache.set(key, { error: String(msg.error ?? "no label image came") });
      return true;
    }
    const view = buffers[0];
    const n = Math.floor(view.byteLength / 4);
    const labels =
      view.byteOffset % 4 === 0
        ? new Int32Array(view.buffer, view.byteOffset, n)
        : new Int32Array(view.buffer.slice(view.byteOffset, view.byteOffset + n * 4));
    try {
      this.cache.set(key, indexLabels(labels, msg.width, msg.height));
      // keep the label images of the last few items (a few MB each)
      for (const old of this.cache.keys()) if (this.cache.size > 8 && old !== key) this.cache.delete(old);
    } catch (err) {
      this.cache.set(key, { error: String(err) });
    }
    return true;
  }

  /** What the status line says about the superpixels of the item shown. */
  statusText() {
    const at = this.current();
    if (!at) return "";
    this.ensure();
    const have = this.cache.get(SuperpixelBrush.key(at.itemId, at.frame));
    if (have === undefined || have === "asked") return "superpixels: computing…";
    if ("error" in have) return `superpixels: ${have.error}`;
    return `${have.count.toLocaleString("en")} superpixels`;
  }

  /**
   * @param {[number, number]} p original pixels @param {number} radius original pixels
   * @param {[number, number]} size the original image @param {MaskBits | null} base the mask
   *   painted into (null: a new one) @param {boolean} erase take superpixels away
   */
  start(p, radius, size, base, erase) {
    const sp = this.ensure();
    if (!sp) return;
    const scale = /** @type {[number, number]} */ ([sp.width / size[0], sp.height / size[1]]);
    const q = /** @type {[number, number]} */ ([p[0] * scale[0], p[1] * scale[1]]);
    const chosen = labelsUnder(sp, q, q, radius * scale[0]);
    this.drag = { sp, chosen, last: q, scale, size, base, erase };
  }

  /** @param {[number, number]} p @param {number} radius */
  move(p, radius) {
    const d = this.drag;
    if (!d) return;
    const q = /** @type {[number, number]} */ ([p[0] * d.scale[0], p[1] * d.scale[1]]);
    labelsUnder(d.sp, d.last, q, radius * d.scale[0], d.chosen);
    d.last = q;
  }

  /** The mask as it would be if the stroke ended now. @returns {MaskBits | null} */
  preview() {
    const d = this.drag;
    if (!d) return null;
    const part = fillToMask(unionFill(d.sp, d.chosen), d.sp.width, d.sp.height, d.size[0], d.size[1]);
    return combineMasks(d.base, part, d.erase ? "subtract" : d.base ? "add" : "new");
  }

  /** The stroke ends: the resulting mask (null when no stroke was going on). */
  finish() {
    const bits = this.preview();
    this.drag = null;
    return bits;
  }

  /** Forget the gesture (the label images stay cached). */
  reset() {
    this.drag = null;
  }
}
