// The page session's bookkeeping, with a stand-in for anywidget's model.
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyChange, invert, Session } from "../lib/session.js";

/** A minimal model: traits, listeners, and the messages the page sent. */
function fakeModel(traits = {}) {
  /** @type {Record<string, any>} */
  const state = { position: 0, n_items: 10, threshold: 0, ...traits };
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
    /** @type {Record<string, any>[]} what the page synced to the kernel */
    saves: /** @type {Record<string, any>[]} */ ([]),
    save_changes() {
      this.saves.push({ ...state });
    },
    on: (/** @type {string} */ name, /** @type {Function} */ fn) => {
      listeners.set(name, [...(listeners.get(name) ?? []), fn]);
    },
    send: (/** @type {any} */ msg) => sent.push(msg),
    /** the kernel changes a trait: the page hears change:<name> */
    kernelSets(/** @type {string} */ k, /** @type {any} */ v) {
      state[k] = v;
      for (const fn of listeners.get(`change:${k}`) ?? []) fn();
    },
    /** the kernel sends a custom message */
    kernelSends(/** @type {any} */ msg) {
      for (const fn of listeners.get("msg:custom") ?? []) fn(msg, []);
    },
  };
}

/** @param {number} position @param {boolean} reply */
const item = (position, reply) => ({
  type: "item",
  position,
  reply,
  item: { id: `item${position}`, name: `item${position}`, meta: {} },
  rows: [],
  suggestions: [],
  media: false,
});

test("a late echo of an older goto does not move the page back", () => {
  const model = fakeModel();
  const session = new Session(/** @type {any} */ (model), async () => null);
  session.goto(1);
  session.goto(2); // the person pressed n twice, fast
  assert.equal(session.position, 2);
  model.kernelSets("position", 1); // the kernel's answer to the first goto syncs back
  model.kernelSends(item(1, true));
  assert.equal(session.position, 2);
  model.kernelSets("position", 2);
  model.kernelSends(item(2, true));
  assert.equal(session.position, 2);
  assert.equal(session.gotosInFlight, 0);
  model.kernelSets("position", 5); // w.position = 5 from Python is followed
  assert.equal(session.position, 5);
});

test("a goto the kernel answers with another item shows that item", () => {
  const model = fakeModel();
  const session = new Session(/** @type {any} */ (model), async () => null);
  session.goto(1); // n: but items 1 and 2 already have their annotators (overlap)
  model.kernelSets("position", 3);
  assert.equal(session.position, 1); // a trait change while the goto is on its way waits
  model.kernelSends(item(3, true));
  assert.equal(session.position, 3);
  assert.equal(session.current?.item.id, "item3");
});

test("prefetched items do not count as answers to a goto", () => {
  const model = fakeModel();
  const session = new Session(/** @type {any} */ (model), async () => null);
  session.goto(1);
  model.kernelSends(item(2, false));
  model.kernelSends(item(3, false));
  assert.equal(session.gotosInFlight, 1);
  model.kernelSends(item(1, true));
  assert.equal(session.gotosInFlight, 0);
});

test("an edit is saving until the kernel says saved, and undo sends the inverse", () => {
  const model = fakeModel();
  const session = new Session(/** @type {any} */ (model), async () => null);
  model.kernelSends(item(0, true));
  session.edit({ upsert: [{ id: "a", kind: "label", label: "cat" }], delete: [] });
  assert.equal(session.status, "saving");
  const edit = model.sent.at(-1);
  assert.equal(edit.type, "edit");
  model.kernelSends({ type: "saved", seq: edit.seq, item_id: "item0" });
  assert.equal(session.status, "saved");
  session.undo();
  assert.deepEqual(model.sent.at(-1).delete, ["a"]);
  assert.equal(session.current?.rows.size, 0);
});

test("a rejected edit shows the store's rows and the reason", () => {
  const model = fakeModel();
  const session = new Session(/** @type {any} */ (model), async () => null);
  model.kernelSends(item(0, true));
  session.edit({ upsert: [{ id: "a", kind: "label", label: "cat" }], delete: [] });
  const { seq } = model.sent.at(-1);
  model.kernelSends({ type: "rejected", seq, item_id: "item0", message: "disk full", rows: [] });
  assert.equal(session.status, "error");
  assert.equal(session.error, "disk full");
  assert.equal(session.current?.rows.size, 0);
});

test("invert and applyChange are each other's undo", () => {
  /** @type {Map<string, any>} */
  const rows = new Map([["a", { id: "a", kind: "label", label: "cat" }]]);
  const change = { upsert: [{ id: "b", kind: "label", label: "dog" }], delete: ["a"] };
  const inverse = invert(rows, change);
  applyChange(rows, change);
  assert.deepEqual([...rows.keys()], ["b"]);
  applyChange(rows, inverse);
  assert.deepEqual([...rows.keys()], ["a"]);
});

test("suggestions that come after their item are added to it, problems as warnings", () => {
  const model = fakeModel();
  const session = new Session(/** @type {any} */ (model), async () => null);
  model.kernelSends({ ...item(0, false), suggestions: [{ id: "p1", kind: "label", label: "cat", score: 0.4 }] });
  let heard = 0;
  session.subscribe(() => (heard += 1));
  model.kernelSends({
    type: "suggestions",
    item_id: "item0",
    suggestions: [{ id: "suggest-0", kind: "label", label: "dog", score: 0.9 }],
    problems: ["suggest on item 'item0', row 1: label 'emu' is not one of the label labels"],
  });
  assert.deepEqual([...(session.current?.suggestions.keys() ?? [])], ["p1", "suggest-0"]);
  assert.deepEqual(
    session.visibleSuggestions().map((s) => s.label),
    ["dog", "cat"],
  );
  assert.match(String(session.current?.item.warnings), /label 'emu'/);
  assert.equal(heard, 1);
  // for an item the page does not hold, nothing happens (its item message will carry them)
  model.kernelSends({
    type: "suggestions",
    item_id: "elsewhere",
    suggestions: [{ id: "x", kind: "label", label: "x" }],
  });
  assert.equal(session.entries.size, 1);
});

test("a new order drops what the page holds after the kept positions", () => {
  const model = fakeModel();
  /** @type {any[]} */
  const released = [];
  const session = new Session(
    /** @type {any} */ (model),
    async () => null,
    (m) => released.push(m),
  );
  for (const p of [0, 1, 2, 3]) model.kernelSends(item(p, false));
  for (const p of [0, 1, 2, 3]) /** @type {any} */ (session.entries.get(p)).media = `media${p}`;
  session.goto(1);
  model.kernelSends({ type: "order", keep: 1 });
  assert.deepEqual([...session.entries.keys()].sort(), [0, 1]);
  assert.deepEqual(released.sort(), ["media2", "media3"]);
  // the page no longer claims them, so the kernel sends their new items with media
  session.goto(2);
  assert.deepEqual(model.sent.at(-1).cached.sort(), [0, 1]);
});

test("the page sets saved_edits from each saved answer, once per value", () => {
  const model = fakeModel({ saved_edits: 0 });
  const session = new Session(/** @type {any} */ (model), async () => null);
  model.kernelSends(item(0, true));
  session.edit({ upsert: [{ id: "a", kind: "label", label: "cat" }], delete: [] });
  const edit = model.sent.at(-1);
  model.kernelSends({ type: "saved", seq: edit.seq, item_id: "item0", saved_edits: 1 });
  assert.equal(model.get("saved_edits"), 1);
  assert.equal(model.saves.length, 1);
  // a second view of the same model hears the same answer: nothing more to sync
  session.onMessage({ type: "saved", seq: edit.seq, item_id: "item0", saved_edits: 1 }, []);
  assert.equal(model.saves.length, 1);
  model.kernelSends({ type: "saved", seq: 99, item_id: "item0", saved_edits: 2 });
  assert.deepEqual(
    model.saves.map((s) => s.saved_edits),
    [1, 2],
  );
});
