import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameCache, frameAt, wishList } from "../video/frames.js";

test("the frame on screen at a time follows the timestamps (variable frame rate)", () => {
  const times = [0, 0.04, 0.08, 0.3, 0.34, 1.0];
  assert.equal(frameAt(times, 0), 0);
  assert.equal(frameAt(times, 0.29), 2);
  assert.equal(frameAt(times, 0.3), 3);
  assert.equal(frameAt(times, 0.99), 4);
  assert.equal(frameAt(times, 5), 5);
  assert.equal(frameAt(times, -1), 0);
});

test("the wish list asks for the playhead first, then ahead, then behind, skipping held frames", () => {
  const held = new Set([11, 12]);
  assert.deepEqual(
    wishList(10, 16, (f) => held.has(f), 4, 2),
    [10, 13, 14, 9, 8],
  );
  assert.deepEqual(
    wishList(0, 3, () => false, 4, 2),
    [0, 1, 2],
  );
  assert.deepEqual(
    wishList(5, 10, () => true),
    [],
  );
});

test("the cache keeps the frames nearest the playhead and releases the rest", () => {
  /** @type {string[]} */
  const released = [];
  const cache = new FrameCache(3, (/** @type {string} */ v) => released.push(v));
  for (const f of [1, 2, 3]) cache.set(f, `f${f}`, 2);
  cache.set(10, "f10", 2);
  assert.deepEqual(
    [...cache.frames.keys()].sort((a, b) => a - b),
    [1, 2, 3],
  );
  assert.deepEqual(released, ["f10"]);
  cache.set(4, "f4", 4);
  assert.equal(cache.has(1), false);
  assert.equal(cache.get(4), "f4");
  cache.clear();
  assert.equal(cache.frames.size, 0);
});
