import assert from "node:assert/strict";
import { test } from "node:test";
import { indexLabels, labelsUnder, SuperpixelBrush, unionFill } from "../image/superpixel.js";

// 6x4 label image: three vertical bands of two columns each (0, 1, 2), the bottom row 3.
const W = 6;
const H = 4;
const LABELS = Int32Array.from([0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3]);

test("indexLabels lists each label's pixels", () => {
  const sp = indexLabels(LABELS, W, H);
  assert.equal(sp.count, 4);
  const of = (/** @type {number} */ k) => Array.from(sp.pixels.subarray(sp.starts[k], sp.starts[k + 1]));
  assert.deepEqual(of(0), [0, 1, 6, 7, 12, 13]);
  assert.deepEqual(of(3), [18, 19, 20, 21, 22, 23]);
  assert.throws(() => indexLabels(Int32Array.from([0, -1]), 2, 1), /negative label -1 at pixel 1/);
  assert.throws(() => indexLabels(Int32Array.from([0]), 2, 1), /1 labels for 2x1 pixels/);
});

test("labelsUnder: a dot, a stroke across bands, a stroke off the image", () => {
  const sp = indexLabels(LABELS, W, H);
  assert.deepEqual([...labelsUnder(sp, [0.5, 0.5], [0.5, 0.5], 0.5)], [0]);
  assert.deepEqual([...labelsUnder(sp, [0.5, 1.5], [5.5, 1.5], 0.5)].sort(), [0, 1, 2]);
  assert.deepEqual([...labelsUnder(sp, [3, 3.5], [3, 3.5], 0.1)], [3], "a tiny brush takes its pixel");
  assert.deepEqual([...labelsUnder(sp, [-5, -5], [-4, -4], 1)], []);
});

test("unionFill covers whole superpixels with their bounds", () => {
  const sp = indexLabels(LABELS, W, H);
  const f = unionFill(sp, [1, 3]);
  assert.equal(f.area, 12);
  assert.deepEqual([f.x0, f.y0, f.x1, f.y1], [0, 0, 5, 3]);
  assert.equal(f.mask[2], 1);
  assert.equal(f.mask[0], 0);
  assert.equal(unionFill(sp, [7, -1]).area, 0);
});

test("the brush asks once, then paints whole superpixels onto the original grid", () => {
  /** @type {object[]} */
  const sent = [];
  const brush = new SuperpixelBrush({ send: (m) => sent.push(m) }, () => ({ itemId: "a.png", frame: null }));
  assert.equal(brush.statusText(), "superpixels: computing…");
  assert.equal(brush.ensure(), null);
  assert.deepEqual(sent, [{ type: "superpixels", item_id: "a.png", frame: null }]);
  // a stroke before the labels came does nothing
  brush.start([1, 1], 1, [12, 8], null, false);
  assert.equal(brush.drag, null);
  const buffer = new DataView(LABELS.buffer);
  assert.equal(brush.receive({ type: "item" }, []), false);
  assert.equal(
    brush.receive({ type: "superpixels", item_id: "a.png", frame: null, width: W, height: H }, [buffer]),
    true,
  );
  assert.equal(brush.statusText(), "4 superpixels");
  // the original is twice the label image: a dot at (1, 1) is label 0, 3x... pixels
  brush.start([1, 1], 0.5, [12, 8], null, false);
  assert.equal(brush.preview()?.area(), 6 * 4);
  brush.move([11, 1], 0.5);
  const bits = brush.finish();
  assert.equal(bits?.area(), 18 * 4);
  assert.equal(bits?.get(11, 5), 1);
  assert.equal(bits?.get(11, 7), 0);
  // erasing takes whole superpixels from the mask painted into
  brush.start([5, 2], 0.5, [12, 8], bits ?? null, true);
  assert.equal(brush.finish()?.area(), 12 * 4);
  assert.equal(sent.length, 1, "asked once");
});

test("an error from the kernel shows in the status", () => {
  const brush = new SuperpixelBrush({ send: () => {} }, () => ({ itemId: "b", frame: 2 }));
  brush.ensure();
  brush.receive({ type: "superpixels", item_id: "b", frame: 2, error: "needs scikit-image" }, []);
  assert.equal(brush.statusText(), "superpixels: needs scikit-image");
  assert.equal(brush.ensure(), null);
});
