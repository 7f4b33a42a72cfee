import assert from "node:assert/strict";
import { test } from "node:test";
import { clampView, fitView, matrix, panBy, toCanvas, toImage, zoomAt } from "../image/view.js";

const close = (/** @type {number} */ a, /** @type {number} */ b) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test("fit shows the whole image centred, at known points", () => {
  // a 4000x3000 photo in an 800x600 canvas: 5 original pixels per CSS pixel
  const view = fitView(4000, 3000, 800, 600);
  assert.deepEqual(view, { scale: 0.2, tx: 0, ty: 0 });
  assert.deepEqual(toImage(view, 100, 50), [500, 250]);
  assert.deepEqual(toImage(view, 800, 600), [4000, 3000]);
  // wider canvas: centred horizontally
  const wide = fitView(4000, 3000, 1000, 600);
  assert.deepEqual(wide, { scale: 0.2, tx: 100, ty: 0 });
  assert.deepEqual(toImage(wide, 100, 0), [0, 0]);
});

test("zoom keeps the point under the pointer still; pan moves by CSS pixels", () => {
  const view = fitView(4000, 3000, 800, 600);
  const zoomed = zoomAt(view, 2, 400, 300);
  assert.deepEqual(toImage(zoomed, 400, 300), [2000, 1500]);
  assert.deepEqual(toImage(zoomed, 0, 0), [1000, 750]);
  const panned = panBy(zoomed, -40, 20);
  assert.deepEqual(toImage(panned, 0, 0), [1100, 700]);
  const limited = zoomAt(view, 1e9, 0, 0, 0.01, 8);
  assert.equal(limited.scale, 8);
});

test("round trips at any zoom and pan", () => {
  let view = fitView(7000, 5000, 913, 611);
  for (let k = 0; k < 200; k++) {
    view = zoomAt(view, 0.5 + ((k * 37) % 100) / 40, (k * 13) % 913, (k * 7) % 611);
    view = panBy(view, ((k * 17) % 50) - 25, ((k * 11) % 40) - 20);
    const [x, y] = [((k * 191) % 7000) + 0.25, ((k * 73) % 5000) + 0.5];
    const [cx, cy] = toCanvas(view, x, y);
    const [bx, by] = toImage(view, cx, cy);
    close(bx, x);
    close(by, y);
  }
});

test("the drawing matrix maps image pixels to device pixels", () => {
  const view = { scale: 0.25, tx: 10, ty: 20 };
  const [a, , , d, e, f] = matrix(view, 2);
  const [cx, cy] = toCanvas(view, 400, 80);
  assert.equal(400 * a + e, cx * 2);
  assert.equal(80 * d + f, cy * 2);
});

test("clamp keeps part of the image on screen", () => {
  const view = clampView({ scale: 1, tx: -5000, ty: 9000 }, 1000, 800, 400, 300);
  assert.equal(view.tx, 32 - 1000);
  assert.equal(view.ty, 300 - 32);
});
