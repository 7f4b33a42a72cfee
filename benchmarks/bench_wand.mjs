// The magic wand's fill (js/image/wand.js) on a 4000x3000 RGBA image, in node.
//
//   node benchmarks/bench_wand.mjs
//
// Prints, for a few region sizes, the fill's time (median of 7 runs, after 2 warm-ups) and
// the time of mapping it to a mask (fillToMask) and to COCO counts, beside a baseline
// measured in the same run: one plain pass over the same pixels reading three channels per
// pixel, the least any fill that reads every covered pixel must do for a whole-image fill.
// Not a test: it asserts nothing.

import { fillToMask, floodFill } from "../js/image/wand.js";

const W = 4000;
const H = 3000;
const RUNS = 7;

/** A 4000x3000 image: background 40, a centred rectangle of 200 covering `share` of it. */
function image(share) {
  const data = new Uint8ClampedArray(W * H * 4).fill(40);
  const rw = Math.round(W * Math.sqrt(share));
  const rh = Math.round(H * Math.sqrt(share));
  const x0 = (W - rw) >> 1;
  const y0 = (H - rh) >> 1;
  for (let y = y0; y < y0 + rh; y++) {
    for (let x = x0; x < x0 + rw; x++) {
      const q = (y * W + x) * 4;
      data[q] = 200;
      data[q + 1] = 200 + (x & 1); // a little texture, inside the tolerance
      data[q + 2] = 200;
    }
  }
  return data;
}

/**
 * Median wall-clock and CPU milliseconds of fn (CPU time stays honest on a shared machine,
 * where wall time also counts the other processes' turns).
 * @param {() => unknown} fn
 */
function median(fn) {
  fn();
  fn();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const mid = (/** @type {number[]} */ xs) => xs.sort((a, b) => a - b)[RUNS >> 1];
  return `${mid(wall).toFixed(1)} (cpu ${mid(cpu).toFixed(1)})`;
}

/** @param {Uint8ClampedArray} data */
function baselinePass(data) {
  let s = 0;
  for (let q = 0; q < data.length; q += 4) s += data[q] + data[q + 1] + data[q + 2];
  return s;
}

const rows = [];
for (const share of [0.01, 0.1, 0.5, 1]) {
  const data = image(share);
  let fill = floodFill(W, H, data, [W / 2, H / 2], 10);
  const tFill = median(() => {
    fill = floodFill(W, H, data, [W / 2, H / 2], 10);
  });
  let mask = fillToMask(fill, W, H, W, H);
  const tMask = median(() => {
    mask = fillToMask(fill, W, H, W, H);
  });
  const tCounts = median(() => mask.counts());
  rows.push({ share, area: fill.area, tFill, tMask, tCounts });
}
const tBase = median(() => baselinePass(image(0)));

console.log(`wand fill on ${W}x${H} RGBA (node ${process.version}), median of ${RUNS} runs, ms: wall (cpu)`);
console.log("| region | pixels | fill | to mask | COCO counts |");
console.log("|---|---|---|---|---|");
for (const r of rows) {
  const name = r.share === 1 ? "whole image" : `${r.share * 100}% of it`;
  const line = [name, r.area.toLocaleString("en"), r.tFill, r.tMask, r.tCounts];
  console.log(`| ${line.join(" | ")} |`);
}
console.log(`| baseline: one pass reading 3 channels of every pixel | ${(W * H).toLocaleString("en")} | ${tBase} | | |`);
