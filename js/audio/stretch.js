// Time-stretch without a change of pitch (WSOLA: waveform-similarity overlap-add), so that
// audio played at 0.5× or 2× keeps its voices' pitch. Web Audio's buffer sources have no
// `preservesPitch` (only media elements do, and they cannot play the widget's chunks back
// to back on one clock): the player stretches each chunk once per speed and plays the
// result at rate 1. DOM-free, tested in js/test/audio_stretch.test.js.
//
// Output sample j stands for input sample j × speed, within the search tolerance (a few
// ms), so the player's playhead (start + elapsed × speed) stays exact.

/** Frame length in seconds: long enough for a low voice's period, short enough for speech. */
const FRAME_SECONDS = 0.03;
/** How far (seconds) a frame may move from its place to continue the previous one's wave. */
const TOLERANCE_SECONDS = 0.008;

/**
 * A periodic Hann window: with 50% overlap its copies add up to exactly 1.
 * @param {number} n
 */
function hann(n) {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/**
 * The dot product of `a` from `i` and `b` from `j` over `n` samples, every `step`-th one
 * (samples outside `a` count as 0).
 * @param {Float32Array} a @param {number} i @param {Float32Array} b @param {number} j
 * @param {number} n @param {number} step
 */
function dot(a, i, b, j, n, step) {
  let sum = 0;
  const end = Math.min(n, a.length - i, b.length - j);
  for (let k = Math.max(0, -i, -j); k < end; k += step) sum += a[i + k] * b[j + k];
  return sum;
}

/**
 * `input` played `speed` times as fast with its pitch kept: `round(n / speed)` samples.
 * @param {Float32Array} input mono samples
 * @param {number} speed > 0; 1 gives a copy
 * @param {number} rate samples per second
 * @returns {Float32Array<ArrayBuffer>}
 */
export function stretch(input, speed, rate) {
  if (!(speed > 0)) throw new Error(`stretch: speed must be > 0, got ${speed}`);
  const n = input.length;
  const outLen = Math.max(1, Math.round(n / speed));
  if (speed === 1 || n === 0) return Float32Array.from({ length: outLen }, (_v, i) => input[i] ?? 0);
  const frame = Math.max(16, 2 * Math.round((rate * FRAME_SECONDS) / 2));
  const hop = frame / 2;
  const tolerance = Math.max(1, Math.round(rate * TOLERANCE_SECONDS));
  const coarse = Math.max(1, Math.floor(hop / 64)); // correlate on about 64 samples per try
  const win = hann(frame);
  const out = new Float32Array(outLen);
  const weight = new Float32Array(outLen);
  // The first frame starts half a frame early, so that every output sample lies under two
  // windows (their weights add up to 1) and the edges need no special case.
  let previous = Number.NaN;
  // a frame reads the input inside [-hop, n - hop]: never only the zeros beyond its ends
  const last = Math.max(-hop, n - frame);
  /** @param {number} i */
  const inside = (i) => Math.min(last, Math.max(-hop, i));
  for (let at = -hop; at < outLen; at += hop) {
    const nominal = inside(Math.round(at * speed));
    let from = nominal;
    if (!Number.isNaN(previous)) {
      // the input that would have followed the previous frame: find the place near `nominal`
      // whose wave matches it best, so that the frames join in phase
      const natural = previous + hop;
      let best = Number.NEGATIVE_INFINITY;
      for (let d = -tolerance; d <= tolerance; d += 2) {
        const score = dot(input, inside(nominal + d), input, natural, hop, coarse);
        if (score > best) {
          best = score;
          from = inside(nominal + d);
        }
      }
      const around = from;
      for (let d = -1; d <= 1; d++) {
        const score = dot(input, inside(around + d), input, natural, hop, 1);
        if (d === -1 || score > best) {
          best = score;
          from = inside(around + d);
        }
      }
    }
    for (let k = 0; k < frame; k++) {
      const j = at + k;
      if (j < 0 || j >= outLen) continue;
      const i = from + k;
      const v = i >= 0 && i < n ? input[i] : 0;
      out[j] += v * win[k];
      weight[j] += win[k];
    }
    previous = from;
  }
  for (let j = 0; j < outLen; j++) if (weight[j] > 1e-3) out[j] /= weight[j];
  return out;
}
