import assert from "node:assert/strict";
import { test } from "node:test";
import { Editor } from "../image/editor.js";
import { edgesOf, Points, placeAt } from "../image/points.js";

/** A host whose rows follow the changes applied, as the page's session keeps them. */
function host() {
  let n = 0;
  /** @type {Map<string, any>} */
  const rows = new Map();
  return {
    rows: () => [...rows.values()],
    suggestions: () => [],
    size: () => /** @type {[number, number]} */ ([200, 100]),
    label: () => "joint",
    newId: () => `n${++n}`,
    /** @param {any} change */
    apply(change) {
      if (!change) return;
      for (const id of change.delete) rows.delete(id);
      for (const r of change.upsert) rows.set(r.id, r);
    },
  };
}

const o = { tol: 3 };
const SKELETON = {
  name: "fish",
  points: ["head", "fin", "tail"],
  edges: /** @type {[string, string][]} */ ([
    ["head", "fin"],
    ["fin", "tail"],
  ]),
};

test("a click places a point at the click, to 1/100 pixel, clamped to the image", () => {
  const h = host();
  const e = new Editor(h);
  e.points = new Points(null, h.newId);
  e.tool = "point";
  e.down([10.123, 20.456], o);
  const change = e.up();
  assert.deepEqual(change, { upsert: [{ id: "n1", kind: "point", label: "joint", x: 10.12, y: 20.46 }], delete: [] });
  assert.deepEqual(placeAt({ id: "p", kind: "point", label: "a" }, [250, -3], 200, 100), {
    id: "p",
    kind: "point",
    label: "a",
    x: 200,
    y: 0,
  });
});

test("a drag moves a point by the drag's distance (grab offset kept); a still click writes nothing", () => {
  const h = host();
  const e = new Editor(h);
  e.points = new Points(null, h.newId);
  e.tool = "point";
  h.apply({ upsert: [{ id: "p", kind: "point", label: "joint", x: 50, y: 50 }], delete: [] });
  e.down([51, 52], o); // grabbed 1, 2 pixels off its centre
  e.move([61, 57]);
  const change = e.up();
  assert.deepEqual(change?.upsert[0], { id: "p", kind: "point", label: "joint", x: 60, y: 55 });
  h.apply(change);
  e.down([60, 55], o);
  assert.equal(e.up(), null);
  assert.equal(e.selected, "p");
  assert.deepEqual(e.nudge(-1, 0)?.upsert[0], { id: "p", kind: "point", label: "joint", x: 59, y: 55 });
});

test("a skeleton is placed in order, one instance; skip, not visible, then a new instance", () => {
  const h = host();
  const e = new Editor(h);
  const pts = new Points(SKELETON, h.newId);
  e.points = pts;
  e.tool = "point";
  assert.equal(pts.status(h.rows()), "next: head (1 of 3, a new fish)");
  e.down([10, 10], o);
  h.apply(e.up());
  assert.equal(pts.status(h.rows()), "next: fin (2 of 3)");
  assert.equal(pts.skip(h.rows()), true);
  assert.equal(pts.status(h.rows()), "next: tail (3 of 3)");
  e.down([30, 10], { tol: 3, shift: true });
  const tail = e.up();
  assert.equal(tail?.upsert[0].outside, true);
  h.apply(tail);
  const rows = h.rows();
  assert.deepEqual(
    rows.map((r) => r.label),
    ["head", "tail"],
  );
  assert.equal(rows[0].track_id, rows[1].track_id);
  assert.equal(pts.status(rows), "next: head (1 of 3, a new fish)");
  e.down([100, 50], o);
  const next = e.up();
  assert.notEqual(next?.upsert[0].track_id, rows[0].track_id);
  // keys leave a skeleton point's name alone; i toggles visibility back
  assert.equal(e.relabel("joint"), null);
  h.apply(next);
  e.selected = rows[1].id;
  const visible = pts.toggleVisible(e);
  assert.equal(visible?.upsert[0].outside, undefined);
});

test("edges join placed points of the same instance only", () => {
  const rows = [
    { id: "a", kind: "point", label: "head", x: 0, y: 0, track_id: "t1" },
    { id: "b", kind: "point", label: "fin", x: 1, y: 0, track_id: "t1" },
    { id: "c", kind: "point", label: "tail", x: 2, y: 0, track_id: "t2" },
  ];
  assert.deepEqual(
    edgesOf(rows, SKELETON).map(([p, q]) => [p.id, q.id]),
    [["a", "b"]],
  );
});

test("keys: i toggles the selected point's visibility, s skips only while placing a skeleton", () => {
  const h = host();
  const e = new Editor(h);
  const pts = new Points(SKELETON, h.newId);
  e.points = pts;
  e.tool = "point";
  assert.equal(pts.key("i", e, h.rows()), false); // nothing selected
  assert.equal(pts.key("s", e, h.rows()), false); // no instance begun yet
  e.down([10, 10], o);
  h.apply(e.up());
  const hidden = pts.key("i", e, h.rows());
  assert.equal(typeof hidden === "object" && hidden.upsert[0].outside, true);
  assert.equal(pts.key("s", e, h.rows()), true);
  assert.equal(pts.status(h.rows()), "next: tail (3 of 3)");
  e.tool = "select";
  assert.equal(pts.key("s", e, h.rows()), false);
  assert.equal(pts.key("x", e, h.rows()), false);
});
