import assert from "node:assert/strict";
import { test } from "node:test";
import { Editor, maskBits } from "../image/editor.js";

/** A host with rows and suggestions kept like the page's session does. */
function host(/** @type {any[]} */ rows = [], /** @type {any[]} */ suggestions = []) {
  let n = 0;
  const state = { rows: new Map(rows.map((r) => [r.id, r])), suggestions: new Map(suggestions.map((s) => [s.id, s])) };
  const h = {
    rows: () => [...state.rows.values()],
    suggestions: () => [...state.suggestions.values()],
    size: () => /** @type {[number, number]} */ ([400, 300]),
    label: () => "car",
    newId: () => `n${++n}`,
    /** @param {any} change */
    apply(change) {
      if (!change) return;
      for (const id of change.delete) state.rows.delete(id);
      for (const r of change.upsert) state.rows.set(r.id, r);
      for (const id of [...(change.accepted ?? []), ...(change.rejected ?? [])]) state.suggestions.delete(id);
    },
  };
  return h;
}

const o = { tol: 3, radius: 5 };

test("draw a box: snapped, clipped, one change on pointer-up, then selected", () => {
  const h = host();
  const e = new Editor(h);
  e.tool = "box";
  e.down([10.4, 20.6], o);
  e.move([50, 40]);
  e.move([500.2, 80.7]);
  const change = e.up();
  assert.deepEqual(change, {
    upsert: [{ id: "n1", kind: "box", label: "car", x: 10, y: 21, width: 390, height: 60 }],
    delete: [],
  });
  assert.equal(e.selected, "n1");
  // a click without a drag makes nothing
  e.down([200, 200], o);
  assert.equal(e.up(), null);
});

test("move by the body and resize by a handle; relabel and nudge the selection", () => {
  const box = { id: "b", kind: "box", label: "car", x: 10, y: 10, width: 20, height: 20, source: "human" };
  const h = host([box]);
  const e = new Editor(h);
  e.down([15, 15], o);
  e.move([25.4, 14.6]);
  const moved = e.up();
  assert.deepEqual(moved?.upsert, [{ id: "b", kind: "box", label: "car", x: 20, y: 10, width: 20, height: 20 }]);
  h.apply(moved);
  e.down([40, 30], o); // the south-east handle
  e.move([60, 70]);
  const resized = e.up();
  assert.deepEqual(resized?.upsert[0], { id: "b", kind: "box", label: "car", x: 20, y: 10, width: 40, height: 60 });
  h.apply(resized);
  assert.equal(e.relabel("tree")?.upsert[0].label, "tree");
  assert.deepEqual(e.nudge(-1, 10)?.upsert[0], {
    id: "b",
    kind: "box",
    label: "car",
    x: 19,
    y: 20,
    width: 40,
    height: 60,
  });
  assert.deepEqual(e.deleteSelected(), { upsert: [], delete: ["b"] });
});

test("a polygon: click vertices, click the first to close; Alt+click deletes a vertex", () => {
  const h = host();
  const e = new Editor(h);
  e.tool = "polygon";
  for (const p of /** @type {[number, number][]} */ ([
    [10, 10],
    [100, 10],
    [100, 100],
    [10, 100],
  ])) {
    e.down(p, o);
    assert.equal(e.up(), null);
  }
  e.down([10.5, 100.5], o); // the second click of a double-click adds no vertex
  assert.equal(e.draft.length, 4);
  e.down([11, 9], o);
  const closed = e.up();
  assert.deepEqual(closed?.upsert[0].points, [
    [10, 10],
    [100, 10],
    [100, 100],
    [10, 100],
  ]);
  h.apply(closed);
  e.down([100, 100], { ...o, alt: true });
  assert.deepEqual(e.up()?.upsert[0].points, [
    [10, 10],
    [100, 10],
    [10, 100],
  ]);
});

test("a brush stroke makes a mask whose runs cover the image", () => {
  const h = host();
  const e = new Editor(h);
  e.tool = "brush";
  e.down([100, 100], o);
  e.move([200, 100]);
  const change = e.up();
  const row = change?.upsert[0];
  assert.equal(row?.kind, "mask");
  assert.deepEqual(row?.mask.size, [300, 400]);
  assert.equal(
    row?.mask.counts.reduce((/** @type {number} */ a, /** @type {number} */ b) => a + b, 0),
    400 * 300,
  );
  const area = maskBits(/** @type {any} */ (row)).area();
  const capsule = 2 * 5 * 100 + Math.PI * 25;
  assert.ok(Math.abs(area - capsule) / capsule < 0.05, `${area}`);
  // erasing all of it deletes the mask
  h.apply(change);
  e.down([100, 100], { ...o, shift: true, radius: 30 });
  e.move([200, 100]);
  assert.deepEqual(e.up(), { upsert: [], delete: [row?.id] });
});

test("suggestions: accept as is, accept as edited, reject", () => {
  const s1 = { id: "s1", kind: "box", label: "car", score: 0.9, x: 10, y: 10, width: 20, height: 20 };
  const s2 = { id: "s2", kind: "box", label: "car", score: 0.5, x: 100, y: 100, width: 20, height: 20 };
  const h = host([], [s1, s2]);
  const e = new Editor(h);
  e.selected = "s1";
  assert.deepEqual(e.accept(), {
    upsert: [{ id: "n1", kind: "box", label: "car", x: 10, y: 10, width: 20, height: 20 }],
    delete: [],
    accepted: ["s1"],
  });
  e.down([110, 110], o);
  e.move([120, 110]);
  assert.deepEqual(e.up(), {
    upsert: [{ id: "n2", kind: "box", label: "car", x: 110, y: 100, width: 20, height: 20 }],
    delete: [],
    accepted: ["s2"],
  });
  e.selected = "s2";
  assert.deepEqual(e.deleteSelected(), { upsert: [], delete: [], rejected: ["s2"] });
});
