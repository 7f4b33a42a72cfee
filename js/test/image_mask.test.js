import assert from "node:assert/strict";
import { test } from "node:test";
import { countsFromString, fromRle, MaskBits } from "../image/mask.js";

/** Full mask as rows of 0/1, for small checks. @param {MaskBits} m */
function dense(m) {
  const out = [];
  for (let y = 0; y < m.imageH; y++) {
    const row = [];
    for (let x = 0; x < m.imageW; x++) row.push(m.get(x, y));
    out.push(row);
  }
  return out;
}

/** COCO counts computed the slow way. @param {number[][]} rows */
function slowCounts(rows) {
  const H = rows.length;
  const W = rows[0].length;
  const out = [];
  let value = 0;
  let run = 0;
  for (let x = 0; x < W; x++) {
    for (let y = 0; y < H; y++) {
      if (rows[y][x] !== value) {
        out.push(run);
        run = 0;
        value = rows[y][x];
      }
      run++;
    }
  }
  out.push(run);
  return out;
}

test("a horizontal stroke paints the capsule's area", () => {
  const m = new MaskBits(1000, 600);
  const r = 20;
  const length = 400;
  m.stroke([300, 300], [300 + length, 300], r, 1);
  const capsule = 2 * r * length + Math.PI * r * r;
  assert.ok(Math.abs(m.area() - capsule) / capsule < 0.01, `${m.area()} vs ${capsule}`);
});

test("erasing removes what was painted; counts match the slow encoder", () => {
  const m = new MaskBits(40, 30);
  m.stroke([5, 5], [30, 20], 4, 1);
  m.stroke([10, 25], [10, 25], 3, 1);
  m.stroke([20, 5], [20, 25], 2, 0);
  const rows = dense(m);
  assert.deepEqual(m.counts(), slowCounts(rows));
  const back = fromRle({ size: [30, 40], counts: m.counts() });
  assert.deepEqual(dense(back), rows);
  assert.equal(back.area(), m.area());
});

test("counts of empty, full-corner and edge masks", () => {
  assert.deepEqual(new MaskBits(4, 3).counts(), [12]);
  const m = new MaskBits(4, 3);
  m.stroke([0, 0], [0, 0], 0.8, 1); // only pixel (0, 0): the first run of 0s is empty
  assert.deepEqual(m.counts(), [0, 1, 11]);
  const last = new MaskBits(4, 3);
  last.stroke([4, 3], [4, 3], 0.8, 1); // only the last pixel
  assert.deepEqual(last.counts(), [11, 1]);
});

test("pycocotools' compressed strings decode", () => {
  // pycocotools.mask.encode of a 4x5 mask with [1:3, 1:4] set gives b"5220003"
  assert.deepEqual(countsFromString("5220003"), [5, 2, 2, 2, 2, 2, 5]);
  const m = fromRle({ size: [4, 5], counts: "5220003" });
  assert.equal(m.area(), 6);
  assert.deepEqual([m.x, m.y, m.w, m.h], [1, 1, 3, 2]);
});

test("growing keeps earlier paint", () => {
  const m = new MaskBits(2000, 2000);
  m.stroke([100, 100], [100, 100], 3, 1);
  const before = m.area();
  m.stroke([1900, 1900], [1900, 1900], 3, 1);
  assert.equal(m.get(100, 100), 1);
  assert.equal(m.area(), before * 2);
});
