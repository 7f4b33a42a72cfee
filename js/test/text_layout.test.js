import assert from "node:assert/strict";
import { test } from "node:test";
import { layoutLanes } from "../lib/lanes.js";
import { acceptSuggestion, cycle, tagSelection, toggleDocLabel } from "../text/edits.js";
import { marksAt, marksByBlock } from "../text/layout.js";

/** A seeded random number generator (mulberry32), so a failure repeats. @param {number} seed */
function rng(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("nested and overlapping spans get different lanes, outer spans lower", () => {
  const marks = [
    { id: "inner", start: 2, end: 4 },
    { id: "outer", start: 0, end: 10 },
    { id: "cross", start: 8, end: 12 },
    { id: "after", start: 12, end: 14 },
  ];
  const { lanes, depth } = layoutLanes(marks);
  assert.equal(lanes.get("outer"), 0);
  assert.equal(lanes.get("inner"), 1);
  assert.equal(lanes.get("cross"), 1);
  assert.equal(lanes.get("after"), 0); // touching, not overlapping
  assert.equal(depth, 2);
  assert.deepEqual(
    marksAt(marks, lanes, 3).map((m) => m.id),
    ["outer", "inner"],
  );
  assert.deepEqual(
    marksAt(marks, lanes, 10).map((m) => m.id),
    ["cross"],
  );
});

test("random spans: overlapping spans never share a lane and the depth is the most overlap", () => {
  const random = rng(7);
  for (let round = 0; round < 50; round++) {
    const marks = Array.from({ length: 60 }, (_, i) => {
      const start = Math.floor(random() * 200);
      return { id: `m${i}`, start, end: start + 1 + Math.floor(random() * 30) };
    });
    const { lanes, depth } = layoutLanes(marks);
    for (const a of marks) {
      for (const b of marks) {
        if (a !== b && a.start < b.end && b.start < a.end) assert.notEqual(lanes.get(a.id), lanes.get(b.id));
      }
    }
    let most = 0;
    for (let x = 0; x < 240; x++) most = Math.max(most, marks.filter((m) => m.start <= x && x < m.end).length);
    assert.equal(depth, most); // interval graphs: greedy by start is optimal
  }
});

test("10,000 spans lay out quickly enough to redo on every edit", () => {
  const random = rng(3);
  const marks = Array.from({ length: 10000 }, (_, i) => {
    const start = Math.floor(random() * 1_000_000);
    return { id: `m${i}`, start, end: start + 1 + Math.floor(random() * 40) };
  });
  const { lanes } = layoutLanes(marks);
  assert.equal(lanes.size, 10000);
});

test("marks are listed under every block they touch", () => {
  const starts = [0, 10, 20];
  const marks = [
    { id: "a", start: 0, end: 5 },
    { id: "b", start: 8, end: 22 },
    { id: "c", start: 10, end: 20 },
    { id: "bad", start: 25, end: 40 },
  ];
  const by = marksByBlock(marks, starts, 30);
  assert.deepEqual(
    by.map((list) => list.map((m) => m.id)),
    [["a", "b"], ["b", "c"], ["b"]],
  );
});

test("tagging: a new span, a relabel, an accepted suggestion, no duplicates", () => {
  /** @type {Map<string, any>} */
  const rows = new Map();
  const made = tagSelection(rows, { start: 0, end: 3 }, "PER");
  if (!made) throw new Error("no change");
  assert.equal(made.upsert[0].kind, "span");
  assert.deepEqual([made.upsert[0].start, made.upsert[0].end, made.upsert[0].label], [0, 3, "PER"]);
  assert.equal(Object.keys(made.upsert[0]).sort().join(), "end,id,kind,label,start");
  rows.set(made.upsert[0].id, made.upsert[0]);
  assert.equal(tagSelection(rows, { start: 0, end: 3 }, "PER"), null);
  assert.equal(tagSelection(rows, null, "PER"), null);
  const row = rows.get(made.upsert[0].id);
  const relabel = tagSelection(rows, { start: 0, end: 3 }, "LOC", { row });
  assert.deepEqual(
    relabel?.upsert.map((r) => [r.id, r.label]),
    [[row.id, "LOC"]],
  );
  assert.equal(tagSelection(rows, null, "PER", { row }), null); // same label, same range
  const resized = tagSelection(rows, { start: 0, end: 7 }, "PER", { row });
  assert.deepEqual(
    resized?.upsert.map((r) => [r.id, r.end]),
    [[row.id, 7]],
  );
  const suggestion = { id: "s1", kind: "span", label: "LOC", start: 4, end: 9, score: 0.8 };
  const accepted = tagSelection(rows, null, "PER", { suggestion });
  assert.deepEqual(accepted?.accepted, ["s1"]);
  assert.deepEqual([accepted?.upsert[0].label, accepted?.upsert[0].start, accepted?.upsert[0].end], ["PER", 4, 9]);
  const plain = acceptSuggestion(rows, suggestion, false);
  assert.deepEqual([plain.upsert[0].label, plain.upsert[0].start, plain.accepted], ["LOC", 4, ["s1"]]);
});

test("document labels replace one another unless several are allowed", () => {
  /** @type {Map<string, any>} */
  const rows = new Map([
    ["d1", { id: "d1", kind: "label", label: "news" }],
    ["s", { id: "s", kind: "span", label: "PER" }],
  ]);
  const single = toggleDocLabel(rows, "sport", false);
  assert.deepEqual(single?.delete, ["d1"]);
  assert.equal(single?.upsert[0].label, "sport");
  assert.deepEqual(toggleDocLabel(rows, "news", false)?.delete, ["d1"]); // toggles off
  const multi = toggleDocLabel(rows, "sport", true);
  assert.deepEqual(multi?.delete, []);
  const doc = acceptSuggestion(rows, { id: "s9", kind: "label", label: "news" }, false);
  assert.deepEqual([doc.upsert, doc.delete, doc.accepted], [[], [], ["s9"]]);
});

test("Tab cycles marks in reading order from the caret", () => {
  const marks = [
    { id: "b", start: 5, end: 9 },
    { id: "a", start: 0, end: 3 },
    { id: "c", start: 5, end: 7 },
  ];
  assert.equal(cycle(marks, null, 0, 1)?.id, "a");
  assert.equal(cycle(marks, null, 4, 1)?.id, "b");
  assert.equal(cycle(marks, "b", 0, 1)?.id, "c");
  assert.equal(cycle(marks, "c", 0, 1)?.id, "a");
  assert.equal(cycle(marks, "a", 0, -1)?.id, "c");
  assert.equal(cycle(marks, null, 4, -1)?.id, "a");
  assert.equal(cycle([], null, 0, 1), null);
});
