import assert from "node:assert/strict";
import { test } from "node:test";
import { atOrAfter, hitTest, lanes, moveEdge, neighbour, span } from "../audio/segments.js";
import {
  chooseLevel,
  chunkAt,
  clampView,
  columns,
  fitView,
  follow,
  formatTime,
  roundMs,
  ticks,
  timeToX,
  xToTime,
  zoomAt,
} from "../audio/timeline.js";

const close = (/** @type {number} */ a, /** @type {number} */ b, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test("time and pixel map both ways at known positions", () => {
  const view = { start: 10, spp: 0.01, width: 800 };
  assert.equal(timeToX(view, 10), 0);
  close(timeToX(view, 12.345), 234.5);
  close(xToTime(view, 234.5), 12.345);
  for (const t of [0, 1.001, 17.999, 3599.999]) close(xToTime(view, timeToX(view, t)), t, 1e-9);
});

test("a millisecond survives any zoom: pixel -> time -> rounded ms is exact", () => {
  for (const spp of [1e-4, 0.001, 0.0375, 4.5]) {
    const view = { start: 1234.567, spp, width: 1000 };
    const t = 1234.567 + 321 * spp;
    assert.equal(roundMs(xToTime(view, timeToX(view, t))), roundMs(t));
  }
  assert.equal(roundMs(1.2345), 1.235);
  assert.equal(roundMs(3599.9996), 3600);
});

test("fit, clamp and zoom keep the view inside the item and the anchor in place", () => {
  const fit = fitView(3600, 1200);
  assert.deepEqual(fit, { start: 0, spp: 3, width: 1200 });
  const zoomed = zoomAt(fit, 8, 1800, 3600, 0.001);
  close(zoomed.spp, 3 / 8);
  close(timeToX(zoomed, 1800), timeToX(fit, 1800), 1e-6);
  const far = zoomAt(fit, 1e9, 10, 3600, 0.001);
  assert.equal(far.spp, 0.001);
  const out = clampView({ start: 3590, spp: 0.1, width: 1000 }, 3600, 0.001);
  assert.equal(out.start, 3500);
  assert.equal(clampView({ start: -5, spp: 100, width: 1000 }, 3600, 0.001).spp, 3.6);
});

test("follow scrolls only when the playhead leaves the view", () => {
  const view = { start: 0, spp: 0.01, width: 1000 };
  assert.equal(follow(view, 5, 60, 0.001), view);
  const moved = follow(view, 20, 60, 0.001);
  close(moved.start, 19.5);
});

test("the level has at least one peak per pixel", () => {
  const buckets = [32, 256, 2048, 16384];
  assert.equal(chooseLevel(buckets, 16000, 0.001), 0);
  assert.equal(chooseLevel(buckets, 16000, 0.02), 1);
  assert.equal(chooseLevel(buckets, 16000, 3), 3);
});

test("columns take min and max of the peaks under each pixel", () => {
  // 8 peaks of 4 samples at 4 Hz: one second each; a spike in peak 5.
  const level = new Int8Array(16);
  level[10] = -127;
  level[11] = 64;
  const peaks = { buckets: [4], sampleRate: 4, levels: [level], scale: 1 };
  const cols = columns(peaks, { start: 4, spp: 0.5, width: 6 });
  // pixels cover [4, 4.5), [4.5, 5), [5, 5.5), [5.5, 6), [6, 6.5), [6.5, 7)
  assert.deepEqual(
    [...cols.slice(4, 8)].map((v) => Math.round(v * 127)),
    [-127, 64, -127, 64],
  );
  assert.equal(cols[0], 0);
  const past = columns(peaks, { start: 7.5, spp: 1, width: 3 });
  assert.ok(!Number.isNaN(past[0]) && Number.isNaN(past[2]) && Number.isNaN(past[4]));
});

test("ticks are round times at least 80 px apart", () => {
  const { step, ticks: t } = ticks({ start: 0.03, spp: 0.01, width: 500 });
  assert.equal(step, 1);
  assert.deepEqual(t, [1, 2, 3, 4, 5]);
});

test("times read as clock text to the millisecond", () => {
  assert.equal(formatTime(0), "0:00.000");
  assert.equal(formatTime(61.2345), "1:01.235");
  assert.equal(formatTime(3723.5), "1:02:03.500");
  assert.equal(formatTime(59.9999), "1:00.000");
  assert.equal(formatTime(12.5, 0), "0:12");
});

test("chunks start at whole playback frames", () => {
  assert.deepEqual(chunkAt(0, 480000, 16000), { index: 0, offset: 0 });
  const { index, offset } = chunkAt(61.25, 480000, 16000);
  assert.equal(index, 2);
  close(offset, 1.25);
  assert.equal(chunkAt(30, 480000, 16000).index, 1);
});

test("segments from two times in any order, inside the item, to the ms", () => {
  assert.deepEqual(span(2.00049, 1.2344, 10), { start: 1.234, end: 2 });
  assert.deepEqual(span(-1, 11, 10), { start: 0, end: 10 });
  assert.deepEqual(span(9.9996, 9.9999, 9.9997), { start: 9.999, end: 9.999 });
  assert.deepEqual(moveEdge({ start: 1, end: 2 }, "end", 3.5, 10), { start: 1, end: 3.5 });
  assert.deepEqual(moveEdge({ start: 1, end: 2 }, "start", 2.5, 10), { start: 2, end: 2.5 });
});

test("overlapping segments go to separate lanes", () => {
  const { lane, count } = lanes([
    { id: "a", start: 0, end: 5 },
    { id: "b", start: 1, end: 2 },
    { id: "c", start: 5, end: 6 },
    { id: "d", start: 1.5, end: 7 },
  ]);
  assert.equal(count, 3);
  assert.deepEqual([lane.get("a"), lane.get("b"), lane.get("c"), lane.get("d")], [0, 1, 0, 2]);
});

test("hit testing: edges within tolerance, the selected one first, else the shortest body", () => {
  const view = { start: 0, spp: 0.01, width: 1000 };
  const segs = [
    { id: "a", start: 1, end: 3 },
    { id: "b", start: 2, end: 2.5 },
    { id: "c", start: 3.02, end: 4 },
  ];
  assert.deepEqual(hitTest(segs, view, 101), { id: "a", part: "start" });
  assert.deepEqual(hitTest(segs, view, 225), { id: "b", part: "body" });
  assert.deepEqual(hitTest(segs, view, 150), { id: "a", part: "body" });
  assert.deepEqual(hitTest(segs, view, 301), { id: "a", part: "end" });
  assert.deepEqual(hitTest(segs, view, 301, { selected: "c" }), { id: "c", part: "start" });
  assert.equal(hitTest(segs, view, 50), null);
  const laneOf = new Map([
    ["a", 0],
    ["b", 1],
  ]);
  assert.deepEqual(hitTest(segs, view, 225, { lane: 0, laneOf }), { id: "a", part: "body" });
});

test("neighbours in time order and the segment at or after a time", () => {
  const segs = [
    { id: "b", start: 5, end: 6 },
    { id: "a", start: 1, end: 2 },
  ];
  assert.equal(neighbour(segs, null, 1)?.id, "a");
  assert.equal(neighbour(segs, null, -1)?.id, "b");
  assert.equal(neighbour(segs, "a", 1)?.id, "b");
  assert.equal(neighbour(segs, "b", 1)?.id, "b");
  assert.equal(atOrAfter(segs, 1.5)?.id, "a");
  assert.equal(atOrAfter(segs, 3)?.id, "b");
  assert.equal(atOrAfter(segs, 7), null);
});
