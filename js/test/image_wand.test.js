import assert from "node:assert/strict";
import { test } from "node:test";
import { fromRle, MaskBits } from "../image/mask.js";
import { combineMasks, fillToMask, floodFill, WandGesture } from "../image/wand.js";

/** A gray image from rows of numbers. @param {number[][]} rows */
function gray(rows) {
  return { width: rows[0].length, height: rows.length, data: Uint8Array.from(rows.flat()) };
}

/** The fill's mask as rows of 0/1. @param {{mask: Uint8Array}} f @param {number} w @param {number} h */
function rowsOf(f, w, h) {
  return Array.from({ length: h }, (_, y) => Array.from(f.mask.subarray(y * w, (y + 1) * w)));
}

/**
 * The slow reference: a plain search over 4-neighbours.
 * @param {number} w @param {number} h @param {Uint8Array} data @param {number} channels
 * @param {[number, number]} seed @param {number} tol
 */
function slowFill(w, h, data, channels, seed, tol) {
  const used = Math.min(channels, 3);
  const s = seed[1] * w + seed[0];
  const near = (/** @type {number} */ i) => {
    for (let c = 0; c < used; c++) if (Math.abs(data[i * channels + c] - data[s * channels + c]) > tol) return false;
    return true;
  };
  const mask = new Uint8Array(w * h);
  const queue = [s];
  mask[s] = 1;
  while (queue.length) {
    const i = /** @type {number} */ (queue.pop());
    const x = i % w;
    const y = (i - x) / w;
    for (const [nx, ny] of [
      [x - 1, y],
      [x + 1, y],
      [x, y - 1],
      [x, y + 1],
    ]) {
      const j = ny * w + nx;
      if (nx >= 0 && ny >= 0 && nx < w && ny < h && !mask[j] && near(j)) {
        mask[j] = 1;
        queue.push(j);
      }
    }
  }
  return mask;
}

test("fills the 4-connected region of the seed's value, not a diagonal neighbour", () => {
  const img = gray([
    [5, 5, 9, 5],
    [9, 5, 9, 5],
    [9, 9, 5, 5],
    [5, 9, 9, 9],
  ]);
  const f = floodFill(img.width, img.height, img.data, [0, 0], 0);
  assert.deepEqual(rowsOf(f, 4, 4), [
    [1, 1, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ]);
  assert.equal(f.area, 3);
  assert.deepEqual([f.x0, f.y0, f.x1, f.y1], [0, 0, 1, 1]);
});

test("tolerance 0 takes only equal pixels; a wider tolerance takes near ones", () => {
  const img = gray([
    [10, 11, 12, 40],
    [10, 10, 13, 40],
  ]);
  assert.equal(floodFill(4, 2, img.data, [0, 0], 0).area, 3);
  assert.equal(floodFill(4, 2, img.data, [0, 0], 2).area, 5);
  assert.equal(floodFill(4, 2, img.data, [0, 0], 3).area, 6);
  assert.equal(floodFill(4, 2, img.data, [0, 0], 30).area, 8);
});

test("a uniform image fills whole from any seed, corners and edges included", () => {
  const w = 37;
  const h = 23;
  const data = new Uint8Array(w * h * 3).fill(77);
  for (const seed of [
    [0, 0],
    [w - 1, h - 1],
    [0, h - 1],
    [w - 1, 0],
    [18, 0],
    [0, 11],
    [18, 11],
  ]) {
    const f = floodFill(w, h, data, /** @type {[number, number]} */ (seed), 0);
    assert.equal(f.area, w * h, `seed ${seed}`);
    assert.deepEqual([f.x0, f.y0, f.x1, f.y1], [0, 0, w - 1, h - 1]);
  }
});

test("a seed outside the image or a negative tolerance fills nothing", () => {
  const data = new Uint8Array(12);
  for (const seed of [
    [-1, 0],
    [0, -1],
    [4, 0],
    [0, 3],
    [Number.NaN, 0],
  ]) {
    assert.equal(floodFill(4, 3, data, /** @type {[number, number]} */ (seed), 10).area, 0);
  }
  assert.equal(floodFill(4, 3, data, [0, 0], -1).area, 0);
  assert.equal(floodFill(4, 3, data, [3.9, 2.9], 0).area, 12, "fractions are floored");
});

test("colour: every channel within the tolerance; alpha is ignored", () => {
  // RGBA: pixel 1 differs in green by 20, pixel 2 only in alpha.
  const data = Uint8Array.from([100, 100, 100, 255, 100, 120, 100, 255, 100, 100, 100, 0]);
  assert.equal(floodFill(3, 1, data, [2, 0], 0).area, 1);
  assert.equal(floodFill(3, 1, data, [0, 0], 19).area, 1);
  assert.equal(floodFill(3, 1, data, [0, 0], 20).area, 3);
  const noAlpha = floodFill(3, 1, Uint8Array.from([100, 100, 100, 255, 100, 100, 100, 0, 0, 0, 0, 0]), [0, 0], 0);
  assert.equal(noAlpha.area, 2);
});

test("16-bit and float values fill in their own units", () => {
  const u16 = Uint16Array.from([1000, 1400, 60000, 1000]);
  assert.equal(floodFill(2, 2, u16, [0, 0], 400).area, 3);
  assert.equal(floodFill(2, 2, u16, [0, 0], 399).area, 1);
  const f32 = Float32Array.from([0.5, 0.52, 0.9, 0.51]);
  assert.equal(floodFill(2, 2, f32, [0, 0], 0.03).area, 3);
});

test("spirals and concave regions match a plain search (seeded random images)", () => {
  let state = 12345;
  const rand = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  for (let round = 0; round < 40; round++) {
    const w = 1 + Math.floor(rand() * 30);
    const h = 1 + Math.floor(rand() * 30);
    const channels = [1, 3, 4][round % 3];
    const data = Uint8Array.from({ length: w * h * channels }, () => (rand() < 0.6 ? 50 : Math.floor(rand() * 256)));
    const seed = /** @type {[number, number]} */ ([Math.floor(rand() * w), Math.floor(rand() * h)]);
    const tol = Math.floor(rand() * 40);
    const f = floodFill(w, h, data, seed, tol);
    assert.deepEqual(Array.from(f.mask), Array.from(slowFill(w, h, data, channels, seed, tol)), `round ${round}`);
    assert.equal(
      f.area,
      f.mask.reduce((a, b) => a + b, 0),
    );
  }
});

test("too few values for the size is an error", () => {
  assert.throws(() => floodFill(4, 4, new Uint8Array(10), [0, 0], 0, { channels: 3 }), /4x4/);
});

test("a fill on a half-size copy maps onto the original pixel grid", () => {
  // 2x2 copy of a 4x4 image: the copy's top-left pixel covers original pixels (0..1, 0..1).
  const f = floodFill(2, 2, Uint8Array.from([1, 2, 2, 2]), [0, 0], 0);
  const m = fillToMask(f, 2, 2, 4, 4);
  assert.equal(m.area(), 4);
  for (const [x, y] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ])
    assert.equal(m.get(x, y), 1);
  assert.equal(m.get(2, 0), 0);
  // the counts decode back to the same pixels
  const back = fromRle({ size: [4, 4], counts: m.counts() });
  assert.equal(back.area(), 4);
  // same size: a transpose to column-major
  const same = fillToMask(floodFill(3, 2, Uint8Array.from([1, 1, 0, 0, 1, 0]), [0, 0], 0), 3, 2, 3, 2);
  assert.deepEqual(same.counts(), [0, 1, 1, 2, 2]);
  assert.equal(fillToMask(floodFill(2, 2, new Uint8Array(4), [5, 5], 0), 2, 2, 4, 4).area(), 0);
});

test("add and subtract combine with the selected mask", () => {
  const base = new MaskBits(10, 10);
  base.stroke([2, 2], [2, 2], 1.5, 1);
  const part = new MaskBits(10, 10);
  part.stroke([7, 7], [7, 7], 1.5, 1);
  const added = combineMasks(base, part, "add");
  assert.equal(added.area(), base.area() + part.area());
  assert.equal(base.get(7, 7), 0, "the base is not changed");
  const taken = combineMasks(added, part, "subtract");
  assert.equal(taken.area(), base.area());
  assert.equal(combineMasks(null, part, "new"), part);
  assert.equal(combineMasks(null, part, "subtract").area(), 0);
});

test("the gesture: drag right widens the tolerance, left narrows it, the preview follows", () => {
  const w = 64;
  const data = Uint8Array.from({ length: w }, (_, x) => x * 4); // a ramp 0, 4, 8...
  const g = new WandGesture();
  g.setTolerance(0);
  g.start([0, 0], 100, { data, width: w, height: 1, channels: 1, range: 255 }, [w * 2, 2], "new");
  assert.equal(g.fill()?.area, 1);
  assert.equal(g.move(140), true); // +40 CSS px → +10 %
  assert.equal(g.tolerance, 10);
  const wide = g.fill()?.area ?? 0;
  assert.equal(wide, Math.floor(25.5 / 4) + 1);
  g.move(80);
  assert.equal(g.tolerance, 0, "never below 0");
  g.move(120);
  const done = g.finish();
  assert.equal(done?.mode, "new");
  assert.equal(done?.part.area(), (Math.floor(12.75 / 4) + 1) * 2 * 2, "scaled to the 2x original");
  assert.equal(g.drag, null);
  assert.equal(g.tolerance, 5, "the tolerance stays for the next click");
});

test("timing: a 4000x3000 fill (printed, not asserted)", () => {
  const w = 4000;
  const h = 3000;
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data[i * 4] = (i * 2654435761) >>> 30; // low noise, 0-3
  const t0 = performance.now();
  const f = floodFill(w, h, data, [w / 2, h / 2], 3);
  const t1 = performance.now();
  const m = fillToMask(f, w, h, w, h);
  const t2 = performance.now();
  m.counts();
  const t3 = performance.now();
  assert.equal(f.area, w * h);
  console.log(
    `wand 4000x3000 RGBA, whole image: fill ${(t1 - t0).toFixed(0)} ms, to mask ${(t2 - t1).toFixed(0)} ms, ` +
      `counts ${(t3 - t2).toFixed(0)} ms`,
  );
});
