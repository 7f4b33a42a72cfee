// Time <-> pixel mapping and waveform peaks for the audio widget. No DOM: unit-tested with node.
//
// A view shows seconds [start, start + width * spp) of the original file's timeline
// across `width` CSS pixels (spp = seconds per pixel). Times are always seconds of the
// original file, whatever rate the page plays at or which peak level is drawn.

/**
 * @typedef {{start: number, spp: number, width: number}} View
 * @typedef {{buckets: number[], sampleRate: number, levels: Int8Array[], scale: number}} Peaks
 *   levels[i] holds (min, max) int8 pairs of runs of buckets[i] original samples
 */

/** @param {number} t seconds @returns {number} the same time rounded to the millisecond */
export function roundMs(t) {
  return Math.round(t * 1000) / 1000;
}

/** @param {View} view @param {number} t @returns {number} x in CSS pixels */
export function timeToX(view, t) {
  return (t - view.start) / view.spp;
}

/** @param {View} view @param {number} x CSS pixels @returns {number} seconds */
export function xToTime(view, x) {
  return view.start + x * view.spp;
}

/**
 * The whole item in `width` pixels.
 * @param {number} duration @param {number} width @returns {View}
 */
export function fitView(duration, width) {
  const w = Math.max(1, width);
  return { start: 0, spp: Math.max(duration, 1e-6) / w, width: w };
}

/**
 * Keep a view inside the item and inside the zoom range.
 * @param {View} view
 * @param {number} duration
 * @param {number} minSpp finest zoom, seconds per pixel
 * @returns {View}
 */
export function clampView(view, duration, minSpp) {
  const maxSpp = Math.max(duration / view.width, minSpp);
  const spp = Math.min(Math.max(view.spp, minSpp), maxSpp);
  const start = Math.min(Math.max(view.start, 0), Math.max(0, duration - view.width * spp));
  return { start, spp, width: view.width };
}

/**
 * Zoom by `factor` (> 1 zooms in) keeping time `anchor` at the same pixel.
 * @param {View} view @param {number} factor @param {number} anchor seconds
 * @param {number} duration @param {number} minSpp
 * @returns {View}
 */
export function zoomAt(view, factor, anchor, duration, minSpp) {
  const x = timeToX(view, anchor);
  const spp = clampView({ ...view, spp: view.spp / factor }, duration, minSpp).spp;
  return clampView({ start: anchor - x * spp, spp, width: view.width }, duration, minSpp);
}

/**
 * Scroll so that time `t` is visible (used to follow the playhead).
 * @param {View} view @param {number} t @param {number} duration @param {number} minSpp
 * @returns {View}
 */
export function follow(view, t, duration, minSpp) {
  const span = view.width * view.spp;
  if (t >= view.start && t < view.start + span * 0.95) return view;
  return clampView({ ...view, start: t - span * 0.05 }, duration, minSpp);
}

/**
 * The coarsest peak level with at least one peak per pixel (level 0 when zoomed in further).
 * @param {number[]} buckets samples per peak, finest first
 * @param {number} sampleRate
 * @param {number} spp
 * @returns {number}
 */
export function chooseLevel(buckets, sampleRate, spp) {
  let level = 0;
  for (let i = 0; i < buckets.length; i++) if (buckets[i] / sampleRate <= spp) level = i;
  return level;
}

/**
 * Min and max of the waveform under each pixel column, in [-1, 1] of the loudest peak.
 * Columns outside the audio are NaN.
 * @param {Peaks} peaks
 * @param {View} view
 * @returns {Float32Array} 2 * width values: min0, max0, min1, max1, ...
 */
export function columns(peaks, view) {
  const width = Math.max(0, Math.floor(view.width));
  const out = new Float32Array(2 * width).fill(NaN);
  const level = chooseLevel(peaks.buckets, peaks.sampleRate, view.spp);
  const data = peaks.levels[level];
  const n = data.length / 2;
  const perSecond = peaks.sampleRate / peaks.buckets[level];
  for (let x = 0; x < width; x++) {
    const t0 = (view.start + x * view.spp) * perSecond;
    const t1 = (view.start + (x + 1) * view.spp) * perSecond;
    let j0 = Math.floor(t0);
    let j1 = Math.max(j0 + 1, Math.ceil(t1));
    if (j0 >= n || j1 <= 0) continue;
    j0 = Math.max(0, j0);
    j1 = Math.min(n, j1);
    let lo = 127;
    let hi = -127;
    for (let j = j0; j < j1; j++) {
      const a = data[2 * j];
      const b = data[2 * j + 1];
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
    out[2 * x] = lo / 127;
    out[2 * x + 1] = hi / 127;
  }
  return out;
}

/** Tick spacings for the time axis, seconds. */
const STEPS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
];

/**
 * Tick times for the axis: the smallest step at least `minPx` pixels apart.
 * @param {View} view @param {number} [minPx] @returns {{step: number, ticks: number[]}}
 */
export function ticks(view, minPx = 80) {
  const step = STEPS.find((s) => s / view.spp >= minPx) ?? 3600 * Math.ceil((minPx * view.spp) / 3600);
  const first = Math.ceil(view.start / step - 1e-9) * step;
  const end = view.start + view.width * view.spp;
  const out = [];
  for (let t = first; t <= end + 1e-9 && out.length < 1000; t = first + out.length * step) out.push(roundMs(t));
  return { step, ticks: out };
}

/**
 * A time as text: "12.345" s, "3:04.500", "1:02:03.000".
 * @param {number} t seconds @param {number} [digits] decimals
 * @returns {string}
 */
export function formatTime(t, digits = 3) {
  const sign = t < 0 ? "-" : "";
  const ms = Math.round(Math.abs(t) * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = digits > 0 ? s.toFixed(digits) : String(Math.floor(s));
  const secPad = sec.padStart(digits > 0 ? digits + 3 : 2, "0");
  if (h > 0) return `${sign}${h}:${String(m).padStart(2, "0")}:${secPad}`;
  return `${sign}${m}:${secPad}`;
}

/**
 * Which playback chunk holds time `t`, and where in it.
 * @param {number} t seconds @param {number} chunkFrames @param {number} rate
 * @returns {{index: number, offset: number}} offset in seconds from the chunk's start
 */
export function chunkAt(t, chunkFrames, rate) {
  const frame = Math.max(0, Math.floor(t * rate + 1e-9));
  const index = Math.floor(frame / chunkFrames);
  return { index, offset: t - (index * chunkFrames) / rate };
}
