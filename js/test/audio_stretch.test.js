import assert from "node:assert/strict";
import { test } from "node:test";
import { stretch } from "../audio/stretch.js";

const RATE = 24000;

/** @param {number} hz @param {number} seconds @param {number} [silentFrom] */
function tone(hz, seconds, silentFrom = Infinity) {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++)
    out[i] = i / RATE < silentFrom ? 0.5 * Math.sin((2 * Math.PI * hz * i) / RATE) : 0;
  return out;
}

/** The frequency of a tone, from its upward zero crossings (interpolated). @param {Float32Array} x */
function pitch(x) {
  const ups = [];
  for (let i = 1; i < x.length; i++) if (x[i - 1] < 0 && x[i] >= 0) ups.push(i - 1 + -x[i - 1] / (x[i] - x[i - 1]));
  return ((ups.length - 1) * RATE) / (ups[ups.length - 1] - ups[0]);
}

/** RMS of `x` over windows of `n` samples. @param {Float32Array} x @param {number} n */
function rms(x, n) {
  const out = [];
  for (let i = 0; i + n <= x.length; i += n) {
    let s = 0;
    for (let k = i; k < i + n; k++) s += x[k] * x[k];
    out.push(Math.sqrt(s / n));
  }
  return out;
}

for (const speed of [0.5, 0.75, 1.25, 1.5, 2]) {
  test(`at ${speed}× a 220 Hz tone keeps its pitch, its loudness and the length n / speed`, () => {
    const input = tone(220, 2);
    const out = stretch(input, speed, RATE);
    assert.equal(out.length, Math.round(input.length / speed));
    const hz = pitch(out);
    assert.ok(Math.abs(hz - 220) < 220 * 0.01, `pitch ${hz} Hz at ${speed}×`);
    // no dips where frames join: every 10 ms window is as loud as the tone (0.5 / √2)
    const levels = rms(out, RATE / 100);
    const lowest = Math.min(...levels);
    const highest = Math.max(...levels);
    assert.ok(lowest > 0.33 && highest < 0.38, `levels ${lowest}..${highest}`);
  });
}

test("output time t stands for input time t × speed: the tone's end moves with it", () => {
  const input = tone(300, 2, 1.0); // a tone for 1 s, then silence
  for (const speed of [0.5, 2]) {
    const out = stretch(input, speed, RATE);
    const levels = rms(out, RATE / 1000); // per ms
    const end = levels.findIndex((v, i) => i > 5 && v < 0.01) / 1000;
    assert.ok(Math.abs(end - 1.0 / speed) < 0.02, `the tone ends at ${end} s at ${speed}×`);
  }
});

test("speed 1 copies, and a bad speed is refused", () => {
  const input = tone(100, 0.1);
  assert.deepEqual(stretch(input, 1, RATE), input);
  assert.throws(() => stretch(input, 0, RATE), /speed must be > 0/);
});
