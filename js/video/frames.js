// Which frames the page holds and which it asks the kernel for. DOM-free except for the
// ImageBitmap it stores (tested in js/test/video_frames.test.js with plain objects).
//
// Frame k is the k-th frame in presentation order; `times[k]` its time in seconds from
// frame 0 (variable frame rates included), as the kernel sent them.

/**
 * The frame on screen at `seconds`: the last one whose time is at or before it.
 * @param {Float64Array | number[]} times @param {number} seconds
 * @returns {number}
 */
export function frameAt(times, seconds) {
  let lo = 0;
  let hi = times.length - 1;
  if (hi < 0 || seconds < times[0]) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= seconds) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The frames to ask for around the playhead: `k` first, then the next `ahead` frames,
 * then the `behind` frames before it, leaving out those already held.
 * @param {number} k @param {number} n frame count @param {(f: number) => boolean} has
 * @param {number} [ahead] @param {number} [behind]
 * @returns {number[]}
 */
export function wishList(k, n, has, ahead = 24, behind = 8) {
  /** @type {number[]} */
  const out = [];
  const push = (/** @type {number} */ f) => {
    if (f >= 0 && f < n && !has(f)) out.push(f);
  };
  push(k);
  for (let f = k + 1; f <= k + ahead; f++) push(f);
  for (let f = k - 1; f >= k - behind; f--) push(f);
  return out;
}

/**
 * A small store of decoded frames, evicting those farthest from the playhead.
 * @template T
 */
export class FrameCache {
  /** @param {number} capacity @param {(value: T) => void} [release] */
  constructor(capacity, release) {
    this.capacity = capacity;
    this.release = release ?? (() => {});
    /** @type {Map<number, T>} */
    this.frames = new Map();
  }

  /** @param {number} k */
  has(k) {
    return this.frames.has(k);
  }

  /** @param {number} k */
  get(k) {
    return this.frames.get(k);
  }

  /** @param {number} k @param {T} value @param {number} playhead */
  set(k, value, playhead) {
    const old = this.frames.get(k);
    if (old !== undefined && old !== value) this.release(old);
    this.frames.set(k, value);
    if (this.frames.size <= this.capacity) return;
    const far = [...this.frames.keys()].sort((a, b) => Math.abs(b - playhead) - Math.abs(a - playhead));
    for (const f of far.slice(0, this.frames.size - this.capacity)) {
      const v = this.frames.get(f);
      if (v !== undefined) this.release(v);
      this.frames.delete(f);
    }
  }

  clear() {
    for (const v of this.frames.values()) this.release(v);
    this.frames.clear();
  }
}
