import assert from "node:assert/strict";
import { test } from "node:test";
import {
  boxFromCorners,
  handlePoint,
  hitBox,
  hitPolygon,
  insidePolygon,
  moveBox,
  movePolygon,
  polygonArea,
  resizeBox,
  snapBox,
  snapPoint,
} from "../image/shapes.js";

test("a box from two corners is snapped to whole pixels and clipped to the image", () => {
  assert.deepEqual(boxFromCorners([10.4, 20.6], [3.5, 5.49], 100, 50), { x: 4, y: 5, width: 6, height: 16 });
  assert.deepEqual(boxFromCorners([-10, -3], [140, 70], 100, 50), { x: 0, y: 0, width: 100, height: 50 });
  assert.deepEqual(snapBox({ x: 1.2, y: 1.7, width: 2.2, height: 2.2 }, 100, 50), { x: 1, y: 2, width: 2, height: 2 });
});

test("moving keeps the size and stays inside; resizing by handle moves only that side", () => {
  const box = { x: 10, y: 10, width: 20, height: 10 };
  assert.deepEqual(moveBox(box, 5, -3, 100, 50), { x: 15, y: 7, width: 20, height: 10 });
  assert.deepEqual(moveBox(box, 500, 500, 100, 50), { x: 80, y: 40, width: 20, height: 10 });
  assert.deepEqual(resizeBox(box, "se", [40, 30], 100, 50), { x: 10, y: 10, width: 30, height: 20 });
  assert.deepEqual(resizeBox(box, "e", [45, 99], 100, 50), { x: 10, y: 10, width: 35, height: 10 });
  assert.deepEqual(resizeBox(box, "nw", [0, 0], 100, 50), { x: 0, y: 0, width: 30, height: 20 });
  // dragging past the opposite side flips the box
  assert.deepEqual(resizeBox(box, "w", [40, 0], 100, 50), { x: 30, y: 10, width: 10, height: 10 });
});

test("hit testing finds handles before the body", () => {
  const box = { x: 10, y: 10, width: 20, height: 10 };
  assert.deepEqual(handlePoint(box, "se"), [30, 20]);
  assert.deepEqual(hitBox(box, [29, 21], 2), { part: "handle", handle: "se" });
  assert.deepEqual(hitBox(box, [20, 10.5], 2), { part: "handle", handle: "n" });
  assert.deepEqual(hitBox(box, [15, 15], 2), { part: "body" });
  assert.equal(hitBox(box, [50, 15], 2), null);
});

test("polygons: inside, vertices, edges, moving and area", () => {
  /** @type {[number, number][]} */
  const square = [
    [0, 0],
    [10, 0],
    [10, 10],
    [0, 10],
  ];
  assert.ok(insidePolygon(square, [5, 5]));
  assert.ok(!insidePolygon(square, [15, 5]));
  assert.deepEqual(hitPolygon(square, [9.5, 0.5], 1), { part: "vertex", index: 1 });
  assert.deepEqual(hitPolygon(square, [5, 10.4], 1), { part: "edge", index: 2, point: [5, 10] });
  assert.deepEqual(hitPolygon(square, [5, 5], 1), { part: "body" });
  assert.equal(polygonArea(square), 100);
  assert.deepEqual(movePolygon(square, 100, -3, 50, 50), [
    [40, 0],
    [50, 0],
    [50, 10],
    [40, 10],
  ]);
  assert.deepEqual(snapPoint([3.5, -2], 10, 10), [4, 0]);
});
