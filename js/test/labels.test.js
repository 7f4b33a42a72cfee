// One rule for whole-item labels across the widgets.
import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptItemLabel, chooseItemLabel } from "../lib/labels.js";

const cat = { id: "c", kind: "label", label: "cat" };
const box = { id: "b", kind: "box", label: "cat", x: 1, y: 1, width: 2, height: 2 };

test("one label allowed: a new label replaces the old, other kinds untouched", () => {
  const change = chooseItemLabel([cat, box], "dog", { multi: false, toggle: true });
  assert.deepEqual(change?.delete, ["c"]);
  assert.equal(change?.upsert[0].label, "dog");
});

test("choosing the label already there removes it, or confirms it when the widget advances", () => {
  assert.deepEqual(chooseItemLabel([cat], "cat", { multi: false, toggle: true }), { upsert: [], delete: ["c"] });
  assert.equal(chooseItemLabel([cat], "cat", { multi: false, toggle: false }), null);
});

test("several allowed: choosing toggles", () => {
  assert.deepEqual(chooseItemLabel([cat], "cat", { multi: true, toggle: false }), { upsert: [], delete: ["c"] });
  const add = chooseItemLabel([cat], "dog", { multi: true, toggle: false });
  assert.deepEqual(add?.delete, []);
  assert.equal(add?.upsert[0].label, "dog");
});

test("accepting a suggested label never removes it", () => {
  assert.deepEqual(acceptItemLabel([cat], "cat", { multi: false }), { upsert: [], delete: [] });
  assert.deepEqual(acceptItemLabel([cat], "dog", { multi: false }).delete, ["c"]);
  assert.deepEqual(acceptItemLabel([cat], "dog", { multi: true }).delete, []);
});
