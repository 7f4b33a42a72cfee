// Brush masks at ORIGINAL resolution, kept only inside their bounding box, and their
// COCO run lengths. DOM-free (tested in js/test/image_mask.test.js).
//
// Design: a 50-megapixel photo would need 50 MB for a full-size mask, so a mask holds
// a byte per original pixel only inside a rectangle that grows as strokes reach out.
// A stroke is a chain of capsules (segments with round caps) of radius r original
// pixels; a pixel is painted when its centre (i + 0.5, j + 0.5) lies within r of the
// segment, so a straight stroke of length L paints about 2rL + pi r^2 pixels.
// The page sends the kernel the mask's uncompressed COCO run lengths over the whole
// image (column-major, 0s first: a few numbers per column the mask crosses); the kernel
// compresses them with nblabel.rle into pycocotools' exact string.

// Storage is column-major (bits[(px - x) * h + (py - y)]), the order of COCO's runs.
export class MaskBits {
  /**
   * @param {number} imageW @param {number} imageH
   * @param {{x: number, y: number, w: number, h: number, bits: Uint8Array} | null} [region]
   */
  constructor(imageW, imageH, region = null) {
    this.imageW = imageW;
    this.imageH = imageH;
    this.x = region?.x ?? 0;
    this.y = region?.y ?? 0;
    this.w = region?.w ?? 0;
    this.h = region?.h ?? 0;
    this.bits = region?.bits ?? new Uint8Array(0);
    /** bumped on every change (render caches key on it) */
    this.version = 0;
  }

  clone() {
    return new MaskBits(this.imageW, this.imageH, {
      x: this.x,
      y: this.y,
      w: this.w,
      h: this.h,
      bits: this.bits.slice(),
    });
  }

  /** @param {number} px @param {number} py */
  get(px, py) {
    const i = px - this.x;
    const j = py - this.y;
    if (i < 0 || j < 0 || i >= this.w || j >= this.h) return 0;
    return this.bits[i * this.h + j];
  }

  /** Grow the stored rectangle to hold [x0, x1) x [y0, y1) (clipped to the image). */
  /** @param {number} x0 @param {number} y0 @param {number} x1 @param {number} y1 */
  ensure(x0, y0, x1, y1) {
    x0 = Math.max(0, x0);
    y0 = Math.max(0, y0);
    x1 = Math.min(this.imageW, x1);
    y1 = Math.min(this.imageH, y1);
    if (this.w > 0 && x0 >= this.x && y0 >= this.y && x1 <= this.x + this.w && y1 <= this.y + this.h) return;
    const pad = 64; // grow with room to spare, so a stroke does not copy on every move
    const nx0 = this.w > 0 ? Math.min(this.x, Math.max(0, x0 - pad)) : Math.max(0, x0 - pad);
    const ny0 = this.w > 0 ? Math.min(this.y, Math.max(0, y0 - pad)) : Math.max(0, y0 - pad);
    const nx1 =
      this.w > 0 ? Math.max(this.x + this.w, Math.min(this.imageW, x1 + pad)) : Math.min(this.imageW, x1 + pad);
    const ny1 =
      this.w > 0 ? Math.max(this.y + this.h, Math.min(this.imageH, y1 + pad)) : Math.min(this.imageH, y1 + pad);
    const nw = nx1 - nx0;
    const nh = ny1 - ny0;
    const bits = new Uint8Array(nw * nh);
    for (let i = 0; i < this.w; i++) {
      bits.set(this.bits.subarray(i * this.h, (i + 1) * this.h), (i + this.x - nx0) * nh + (this.y - ny0));
    }
    Object.assign(this, { x: nx0, y: ny0, w: nw, h: nh, bits });
  }

  /**
   * Paint (value 1) or erase (value 0) a capsule from a to b of radius r (image pixels).
   * @param {[number, number]} a @param {[number, number]} b @param {number} r @param {0 | 1} value
   */
  stroke(a, b, r, value) {
    const x0 = Math.floor(Math.min(a[0], b[0]) - r);
    const x1 = Math.ceil(Math.max(a[0], b[0]) + r);
    const y0 = Math.floor(Math.min(a[1], b[1]) - r);
    const y1 = Math.ceil(Math.max(a[1], b[1]) + r);
    if (value) this.ensure(x0, y0, x1, y1);
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len2 = dx * dx + dy * dy;
    const r2 = r * r;
    const jx0 = Math.max(x0, this.x);
    const jx1 = Math.min(x1, this.x + this.w);
    const jy0 = Math.max(y0, this.y);
    const jy1 = Math.min(y1, this.y + this.h);
    for (let px = jx0; px < jx1; px++) {
      const cx = px + 0.5;
      const column = (px - this.x) * this.h - this.y;
      for (let py = jy0; py < jy1; py++) {
        const cy = py + 0.5;
        let t = len2 === 0 ? 0 : ((cx - a[0]) * dx + (cy - a[1]) * dy) / len2;
        t = Math.min(1, Math.max(0, t));
        const ex = cx - a[0] - t * dx;
        const ey = cy - a[1] - t * dy;
        if (ex * ex + ey * ey <= r2) this.bits[column + py] = value;
      }
    }
    this.version++;
  }

  /** Whether no pixel is painted. */
  empty() {
    return this.bits.indexOf(1) < 0;
  }

  /** Number of painted pixels. */
  area() {
    let n = 0;
    for (let i = 0; i < this.bits.length; i++) n += this.bits[i];
    return n;
  }

  /**
   * COCO run lengths of the whole image's mask: column-major, starting with 0s.
   * @returns {number[]}
   */
  counts() {
    const H = this.imageH;
    /** @type {number[]} */
    const out = [];
    let value = 0;
    let run = 0;
    /** @param {number} v @param {number} n */
    const push = (v, n) => {
      if (n === 0) return;
      if (v !== value) {
        out.push(run);
        run = 0;
        value = v;
      }
      run += n;
    };
    push(0, this.x * H); // the columns left of the rectangle are empty
    const bits = this.bits;
    for (let i = 0; i < this.w; i++) {
      push(0, this.y);
      // the bits are stored column by column, like COCO's runs: a sequential scan
      const end = (i + 1) * this.h;
      for (let q = i * this.h; q < end; q++) {
        const v = bits[q];
        if (v === value) run++;
        else push(v, 1);
      }
      push(0, H - this.y - this.h);
    }
    push(0, (this.imageW - this.x - this.w) * H);
    out.push(run);
    return out;
  }
}

/**
 * Run lengths of pycocotools' compressed counts string (rleFrString).
 * @param {string} s
 * @returns {number[]}
 */
export function countsFromString(s) {
  /** @type {number[]} */
  const counts = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      const c = s.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

/**
 * A COCO RLE ({size: [h, w], counts: string | number[]}) as a MaskBits.
 * @param {{size: number[], counts: string | number[]}} rle
 * @returns {MaskBits}
 */
export function fromRle(rle) {
  const [H, W] = rle.size;
  const counts = typeof rle.counts === "string" ? countsFromString(rle.counts) : rle.counts;
  // First pass: the bounding box of the 1-runs.
  let x0 = W,
    y0 = H,
    x1 = -1,
    y1 = -1;
  let pos = 0;
  for (let k = 0; k < counts.length; k++) {
    const n = counts[k];
    if (k % 2 === 1 && n > 0) {
      const c0 = Math.floor(pos / H);
      const c1 = Math.floor((pos + n - 1) / H);
      x0 = Math.min(x0, c0);
      x1 = Math.max(x1, c1);
      if (c1 > c0) {
        y0 = 0;
        y1 = H - 1;
      } else {
        y0 = Math.min(y0, pos % H);
        y1 = Math.max(y1, (pos + n - 1) % H);
      }
    }
    pos += n;
  }
  const mask = new MaskBits(W, H);
  if (x1 < 0) return mask;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const bits = new Uint8Array(w * h);
  pos = 0;
  for (let k = 0; k < counts.length; k++) {
    const n = counts[k];
    if (k % 2 === 1) {
      for (let q = pos; q < pos + n; q++) {
        const i = Math.floor(q / H) - x0;
        const j = (q % H) - y0;
        bits[i * h + j] = 1;
      }
    }
    pos += n;
  }
  return new MaskBits(W, H, { x: x0, y: y0, w, h, bits });
}
