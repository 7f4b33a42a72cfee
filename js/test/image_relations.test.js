import assert from "node:assert/strict";
import { test } from "node:test";
import {
  arrowLine,
  centreOf,
  lanes,
  nextRegion,
  readingOrder,
  regionBounds,
  relationRow,
  shownRelations,
  withRelations,
} from "../image/relate.js";
import { tagFrame } from "../image/slices.js";
import { applyChange, invert } from "../lib/session.js";

/** @param {Record<string, any>[]} rows */
const byId = (rows) => new Map(rows.map((r) => [r.id, /** @type {any} */ (r)]));

const box = (/** @type {string} */ id, x = 0, y = 0, width = 10, height = 10) => ({
  id,
  kind: "box",
  label: "cat",
  x,
  y,
  width,
  height,
});

const image = () =>
  byId([
    box("person", 10, 10, 40, 80), // centre (30, 50)
    box("cup", 60, 40, 10, 10), // centre (65, 45)
    {
      id: "tri",
      kind: "polygon",
      label: "cat",
      points: [
        [0, 100],
        [20, 100],
        [10, 120],
      ],
    }, // centre (10, 110)
    { id: "nose", kind: "point", label: "cat", x: 5, y: 5 },
    { id: "whole", kind: "label", label: "indoor" },
    relationRow("holds", "person", "cup", "r1"),
    relationRow("next_to", "cup", "tri", "r2"),
  ]);

test("deleting a region deletes its relations in the same change, and the inverse brings all back", () => {
  const rows = image();
  const before = new Map(rows);
  const change = withRelations(rows, { upsert: [], delete: ["cup"] });
  assert.deepEqual(change.delete, ["cup", "r1", "r2"]);
  const inverse = invert(rows, change);
  applyChange(rows, change);
  assert.deepEqual([...rows.keys()].sort(), ["nose", "person", "tri", "whole"]);
  applyChange(rows, inverse);
  assert.deepEqual([...rows.keys()].sort(), [...before.keys()].sort());
  for (const [id, row] of before) assert.deepEqual(rows.get(id), row);
  // a box moved (written again) keeps its relations
  const moved = withRelations(rows, { upsert: [box("cup", 61, 40)], delete: [] });
  assert.deepEqual(moved.delete, []);
});

test("a relation row on a stack gets no frame of its own (its regions have theirs)", () => {
  const change = tagFrame({ upsert: [relationRow("holds", "a", "b", "r"), box("a")], delete: [] }, 3);
  assert.equal(change.upsert[0].frame, undefined);
  assert.equal(change.upsert[1].frame, 3);
});

test("a region's centre is the middle of its bounds, a point is itself", () => {
  const rows = image();
  assert.deepEqual(centreOf(rows.get("person")), [30, 50]);
  assert.deepEqual(centreOf(rows.get("tri")), [10, 110]);
  assert.deepEqual(centreOf(rows.get("nose")), [5, 5]);
  assert.equal(centreOf(rows.get("whole")), null);
  const mask = { id: "m", kind: "mask", label: "cat", mask: { size: [4, 4], counts: [5, 2, 2, 2, 5] } };
  // columns 1 and 2, rows 1 and 2 (column-major runs)
  assert.deepEqual(regionBounds(mask), { x: 1, y: 1, w: 2, h: 2 });
  assert.deepEqual(centreOf(mask), [2, 2]);
});

test("the second end is picked in reading order, from the first end on, never the first end", () => {
  const regions = [...image().values()].filter((r) => r.kind !== "relation");
  assert.deepEqual(
    readingOrder(regions).map((r) => r.id),
    ["nose", "cup", "person", "tri"],
  );
  assert.equal(nextRegion(regions, "cup", null, 1)?.id, "person");
  assert.equal(nextRegion(regions, "cup", null, -1)?.id, "nose");
  assert.equal(nextRegion(regions, "cup", "person", 1)?.id, "tri");
  assert.equal(nextRegion(regions, "cup", "tri", 1)?.id, "nose"); // round, skipping cup
  assert.equal(nextRegion(regions, "cup", "nose", 1)?.id, "person");
  assert.equal(nextRegion(regions, "cup", "nose", -1)?.id, "tri");
  assert.equal(nextRegion(regions, "tri", null, 1)?.id, "nose"); // the last: back to the first
  assert.equal(nextRegion([box("only")], "only", null, 1), null);
});

test("only relations with both ends shown are drawn, in a steady order", () => {
  const rows = image();
  const regions = [...rows.values()].filter((r) => r.kind !== "relation" && r.id !== "tri");
  assert.deepEqual(
    shownRelations(rows.values(), regions).map((r) => r.id),
    ["r1"],
  );
  const all = [...rows.values()].filter((r) => r.kind !== "relation");
  assert.deepEqual(
    shownRelations(rows.values(), all).map((r) => r.id),
    ["r2", "r1"],
  );
});

test("an arrow joins two centres, stops short for its head, and its tag sits in the middle", () => {
  const geo = arrowLine([0, 0], [100, 0], 0, 6);
  assert.deepEqual([geo.x1, geo.y1, geo.x2, geo.y2], [0, 0, 94, 0]);
  assert.deepEqual(geo.label, { x: 47, y: 0 });
  assert.match(geo.head, /^M 94 0 L 85 4.5 L 85 -4.5 Z$/);
  // the second relation between the same regions puts its tag aside
  const second = arrowLine([0, 0], [100, 0], 1, 6);
  assert.notDeepEqual(second.label, geo.label);
  assert.equal(second.label.x, geo.label.x);
  // one centre for both regions: still a visible arrow
  const same = arrowLine([50, 50], [50, 50]);
  assert.ok(Math.hypot(same.x2 - same.x1, same.y2 - same.y1) > 10);
  assert.deepEqual(
    lanes([relationRow("a", "x", "y"), relationRow("b", "y", "x"), relationRow("a", "x", "z")]),
    [0, 1, 0],
  );
});
