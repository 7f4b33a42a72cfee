// A reviewer's accept and merge built in the page (js/lib/merge.js, js/lib/review.js):
// ordinary edits with new ids, undone by the session's undo.
import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptChange, copyRows, placeKey, takeChange } from "../lib/merge.js";
import { acceptInPage, membersOf, takeAnnotation } from "../lib/review.js";
import { Session } from "../lib/session.js";

function fakeModel(traits = {}) {
  /** @type {Record<string, any>} */
  const state = { position: 0, n_items: 3, threshold: 0, ...traits };
  /** @type {Map<string, Function[]>} */
  const listeners = new Map();
  /** @type {any[]} */
  const sent = [];
  return {
    sent,
    get: (/** @type {string} */ k) => state[k],
    set: (/** @type {string} */ k, /** @type {any} */ v) => {
      state[k] = v;
    },
    save_changes() {},
    on: (/** @type {string} */ name, /** @type {Function} */ fn) => {
      listeners.set(name, [...(listeners.get(name) ?? []), fn]);
    },
    off() {},
    send: (/** @type {any} */ msg) => sent.push(msg),
    kernelSends(/** @type {any} */ msg) {
      for (const fn of listeners.get("msg:custom") ?? []) fn(msg, []);
    },
  };
}

/** @param {string} id @param {string} label @param {number} x */
const box = (id, label, x) => ({ id, kind: "box", label, x, y: 10, width: 40, height: 30, source: "human" });

const TEAM = {
  annotators: ["ana", "bob"],
  rows: { ana: [box("a1", "cat", 10), box("a2", "dog", 60)], bob: [box("b1", "bird", 20)] },
};

/** @param {any[]} mine the reviewer's rows */
function reviewer(mine) {
  const model = fakeModel({ review: true });
  const session = new Session(/** @type {any} */ (model), async () => null);
  const item = { id: "i0", name: "i0", meta: {} };
  model.kernelSends({ type: "item", position: 0, item, rows: mine, media: false, reply: false, team: TEAM });
  return { model, session };
}

test("copies get new ids, lose the kernel's fields, and a relation's ends follow", () => {
  const rows = [
    { id: "s1", kind: "span", label: "PER", start: 0, end: 3, source: "human", score: 0.5 },
    { id: "s2", kind: "span", label: "LOC", start: 9, end: 15, source: "human" },
    { id: "r1", kind: "relation", label: "lives_in", from_id: "s1", to_id: "s2" },
  ];
  const copies = copyRows(rows);
  assert.equal(new Set(copies.map((r) => r.id)).size, 3);
  for (const [i, c] of copies.entries()) {
    assert.notEqual(c.id, rows[i].id);
    assert.equal(/** @type {any} */ (c).source, undefined);
    assert.equal(/** @type {any} */ (c).score, undefined);
  }
  const rel = /** @type {any} */ (copies[2]);
  assert.equal(rel.from_id, copies[0].id);
  assert.equal(rel.to_id, copies[1].id);
});

test("an accept deletes the reviewer's rows and upserts copies of the annotator's", () => {
  const change = acceptChange([box("m1", "cat", 0)], TEAM.rows.ana);
  assert.deepEqual(change.delete, ["m1"]);
  assert.deepEqual(
    change.upsert.map((r) => [r.label, r.x]),
    [
      ["cat", 10],
      ["dog", 60],
    ],
  );
});

test("the same place is the same annotation whatever its label; item labels differ by label", () => {
  assert.equal(placeKey(box("a", "cat", 10)), placeKey(box("b", "dog", 10)));
  assert.notEqual(placeKey(box("a", "cat", 10)), placeKey(box("b", "cat", 11)));
  assert.notEqual(
    placeKey({ id: "a", kind: "label", label: "cat" }),
    placeKey({ id: "b", kind: "label", label: "dog" }),
  );
  assert.notEqual(
    placeKey({ id: "a", kind: "span", label: "PER", start: 0, end: 3 }),
    placeKey({ id: "b", kind: "segment", label: "PER", start: 0, end: 3 }),
  );
});

test("a take copies one annotation, and skips one the reviewer already has at that place", () => {
  const taken = takeChange([box("m1", "cat", 0)], box("b1", "bird", 20));
  assert.ok("change" in taken);
  assert.deepEqual(taken.change.delete, []);
  assert.equal(taken.change.upsert.length, 1);
  assert.notEqual(taken.change.upsert[0].id, "b1");
  const skipped = takeChange([box("m1", "cat", 20)], box("b1", "bird", 20));
  assert.ok("skipped" in skipped);
  assert.equal(skipped.skipped.id, "m1");
});

test("a taken relation brings its ends, or links to the reviewer's own at the same place", () => {
  const theirs = [
    { id: "s1", kind: "span", label: "PER", start: 0, end: 3 },
    { id: "s2", kind: "span", label: "LOC", start: 9, end: 15 },
    { id: "r1", kind: "relation", label: "lives_in", from_id: "s1", to_id: "s2" },
  ];
  const mine = [{ id: "m1", kind: "span", label: "PER", start: 0, end: 3 }];
  const taken = takeChange(mine, theirs[2], theirs);
  assert.ok("change" in taken);
  const [end, rel] = /** @type {any[]} */ (taken.change.upsert);
  assert.equal(end.label, "LOC");
  assert.equal(rel.from_id, "m1");
  assert.equal(rel.to_id, end.id);
  const again = takeChange([...mine, end, rel], theirs[2], theirs);
  assert.ok("skipped" in again);
});

test("a merge takes boxes of two annotators as edits, and z undoes them one by one", () => {
  const { model, session } = reviewer([]);
  const [ana, bob] = membersOf(session);
  assert.match(takeAnnotation(session, ana, ana.rows[0]), /took ana's box cat/);
  assert.match(takeAnnotation(session, bob, bob.rows[0]), /took bob's box bird/);
  const edits = model.sent.filter((m) => m.type === "edit");
  assert.equal(edits.length, 2);
  assert.deepEqual(edits[1].delete, []);
  assert.deepEqual(
    [...(session.current?.rows.values() ?? [])].map((r) => r.label),
    ["cat", "bird"],
  );
  // Taking the same box again is skipped with a message, and sends nothing.
  assert.match(takeAnnotation(session, bob, bob.rows[0]), /not taken: you already have box bird/);
  assert.equal(model.sent.filter((m) => m.type === "edit").length, 2);
  session.undo();
  assert.deepEqual(
    [...(session.current?.rows.values() ?? [])].map((r) => r.label),
    ["cat"],
  );
  assert.deepEqual(model.sent.at(-1).delete, [edits[1].upsert[0].id]);
});

test("an accept is one edit of the page, and z brings the reviewer's rows back", () => {
  const { model, session } = reviewer([box("m1", "cat", 0)]);
  assert.equal(acceptInPage(session, "zed"), false);
  assert.equal(model.sent.length, 0);
  assert.equal(acceptInPage(session, "ana"), true);
  const edit = model.sent.at(-1);
  assert.equal(edit.type, "edit");
  assert.deepEqual(edit.delete, ["m1"]);
  assert.deepEqual(
    edit.upsert.map((/** @type {any} */ r) => [r.label, r.x, r.source]),
    [
      ["cat", 10, undefined],
      ["dog", 60, undefined],
    ],
  );
  assert.ok(edit.upsert.every((/** @type {any} */ r) => !["a1", "a2"].includes(r.id)));
  session.undo();
  const back = model.sent.at(-1);
  assert.equal(back.type, "edit");
  assert.deepEqual(
    back.upsert.map((/** @type {any} */ r) => r.id),
    ["m1"],
  );
  assert.deepEqual(new Set(back.delete), new Set(edit.upsert.map((/** @type {any} */ r) => r.id)));
  assert.deepEqual([...(session.current?.rows.keys() ?? [])], ["m1"]);
});

test("a click finds the annotator's shape under it, the last drawn first", async () => {
  const { teamShapeAt } = await import("../image/team_take.js");
  const { session } = reviewer([]);
  const members = membersOf(session);
  assert.equal(teamShapeAt(members, [55, 25], 1, null)?.row.id, "b1"); // bob's bird only
  assert.equal(teamShapeAt(members, [30, 25], 1, null)?.row.id, "b1"); // over ana's cat too
  assert.equal(teamShapeAt(members, [15, 25], 1, null)?.row.id, "a1");
  assert.equal(teamShapeAt(members, [200, 200], 1, null), null);
});
