import assert from "node:assert/strict";
import { test } from "node:test";
import { applyChange, invert } from "../lib/session.js";
import { arrowGeometry, nextEnd, relationRow, relationsOf, withRelations } from "../text/relate.js";

/** @param {Record<string, any>[]} rows */
const byId = (rows) => new Map(rows.map((r) => [r.id, /** @type {any} */ (r)]));

const doc = () =>
  byId([
    { id: "ada", kind: "span", label: "PER", start: 0, end: 3 },
    { id: "acme", kind: "span", label: "ORG", start: 14, end: 18 },
    { id: "zrh", kind: "span", label: "LOC", start: 22, end: 28 },
    { id: "news", kind: "label", label: "news" },
    relationRow("works_for", "ada", "acme", "r1"),
    relationRow("located_in", "acme", "zrh", "r2"),
  ]);

test("deleting a span deletes its relations in the same change, and the inverse brings all back", () => {
  const rows = doc();
  const before = new Map(rows);
  const change = withRelations(rows, { upsert: [], delete: ["acme"] });
  assert.deepEqual(change.delete, ["acme", "r1", "r2"]);
  const inverse = invert(rows, change);
  applyChange(rows, change);
  assert.deepEqual([...rows.keys()].sort(), ["ada", "news", "zrh"]);
  applyChange(rows, inverse);
  assert.deepEqual([...rows.keys()].sort(), [...before.keys()].sort());
  for (const [id, row] of before) assert.deepEqual(rows.get(id), row);
});

test("a change that deletes no span's relation is left as it is", () => {
  const rows = doc();
  const plain = { upsert: [], delete: ["news"] };
  assert.equal(withRelations(rows, plain), plain);
  const relabel = { upsert: [{ id: "ada", kind: "span", label: "ORG", start: 0, end: 3 }], delete: [] };
  assert.equal(withRelations(rows, relabel), relabel);
  // a span deleted and written again in one change (moved) keeps its relations
  const moved = { upsert: [{ id: "acme", kind: "span", label: "ORG", start: 13, end: 18 }], delete: ["acme"] };
  assert.deepEqual(withRelations(rows, moved).delete, ["acme"]);
  // a relation deleted by name is not named twice
  assert.deepEqual(withRelations(rows, { upsert: [], delete: ["r1", "ada"] }).delete, ["r1", "ada"]);
});

test("the second end moves through the spans in reading order, never onto the first", () => {
  const spans = [
    { id: "c", start: 20, end: 25 },
    { id: "a", start: 0, end: 3 },
    { id: "b", start: 5, end: 9 },
  ];
  assert.equal(nextEnd(spans, "b", null, 1)?.id, "c"); // from the first end onwards
  assert.equal(nextEnd(spans, "b", "c", 1)?.id, "a"); // wraps, skipping "b"
  assert.equal(nextEnd(spans, "b", "a", 1)?.id, "c");
  assert.equal(nextEnd(spans, "b", null, -1)?.id, "a");
  assert.equal(nextEnd(spans, "b", "a", -1)?.id, "c");
  assert.equal(nextEnd([{ id: "a", start: 0, end: 1 }], "a", null, 1), null);
});

test("relations come in reading order of their ends", () => {
  const rows = doc();
  rows.set("r0", relationRow("works_for", "zrh", "ada", "r0"));
  assert.deepEqual(
    relationsOf(rows).map((r) => r.id),
    ["r1", "r2", "r0"],
  );
});

test("an arrow rises above both ends, on one line, across lines and right to left", () => {
  const a = { left: 10, top: 50, width: 20, height: 16 };
  const b = { left: 100, top: 50, width: 30, height: 16 };
  const same = arrowGeometry(a, b);
  assert.deepEqual(same.from, { x: 20, y: 50 });
  assert.deepEqual(same.to, { x: 115, y: 50 });
  assert.ok(same.label.y < 50 - 8, "the label sits above the line");
  assert.match(same.d, /^M 20 50 C 20 38 115 38 115 50$/);
  // the second end on the line above: the curve still rises above the higher end
  const up = arrowGeometry(a, { left: 300, top: 10, width: 10, height: 16 }, 8);
  assert.ok(up.label.y < 10 && up.label.y >= 2);
  // right to left: the second end is drawn left of the first; the arrow goes there
  const rtl = arrowGeometry(b, a);
  assert.ok(rtl.to.x < rtl.from.x);
  // clear of the spans' own tags
  const high = arrowGeometry(a, b, 0, 14);
  assert.equal(high.from.y, 36);
  assert.ok(high.label.y < 36);
  // never above the top of the document
  assert.ok(arrowGeometry({ left: 0, top: 3, width: 5, height: 5 }, b).label.y >= 2);
});
