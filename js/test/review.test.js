// The review view's DOM-free part: who is shown, in which colour, and the accept message.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ANNOTATOR_COLOURS, acceptVersion, describeRow, membersOf } from "../lib/review.js";
import { Session } from "../lib/session.js";

/** A model with the traits the session reads, recording what the page sends. */
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
    /** the kernel sends a custom message */
    kernelSends(/** @type {any} */ msg) {
      for (const fn of listeners.get("msg:custom") ?? []) fn(msg, []);
    },
  };
}

const TEAM = {
  annotators: ["ana", "bob"],
  rows: {
    ana: [{ id: "a1", kind: "box", label: "cat", x: 1, y: 2, width: 3.456, height: 4 }],
    bob: [{ id: "b1", kind: "span", label: "PER", start: 0, end: 3, text: "Ada" }],
  },
  gold_accuracy: { bob: 0.75 },
};

/** @param {Record<string, any>} traits @param {any} team */
function sessionWith(traits, team) {
  const model = fakeModel(traits);
  const session = new Session(/** @type {any} */ (model), async () => null);
  const item = { id: "i0", name: "i0", meta: {} };
  model.kernelSends({ type: "item", position: 0, item, rows: [], media: false, reply: false, team });
  return { model, session };
}

test("a reviewer's page has each annotator in a colour of their own, with gold accuracy", () => {
  const { session } = sessionWith({ review: true }, TEAM);
  const members = membersOf(session);
  assert.deepEqual(
    members.map((m) => [m.name, m.index, m.colour, m.accuracy, m.rows.length]),
    [
      ["ana", 0, ANNOTATOR_COLOURS[0], null, 1],
      ["bob", 1, ANNOTATOR_COLOURS[1], 0.75, 1],
    ],
  );
  assert.notEqual(members[0].colour, members[1].colour);
});

test("an annotator's page never shows team rows, even if some arrived", () => {
  const { session } = sessionWith({ review: false }, TEAM);
  assert.deepEqual(membersOf(session), []);
  const { session: reviewer } = sessionWith({ review: true }, undefined);
  assert.deepEqual(membersOf(reviewer), []); // an item without a team
});

test("accepting a version sends the accept message and waits for saved", () => {
  const { model, session } = sessionWith({ review: true }, TEAM);
  acceptVersion(session, "bob");
  const msg = model.sent.at(-1);
  assert.equal(msg.type, "accept");
  assert.equal(msg.item_id, "i0");
  assert.equal(msg.annotator, "bob");
  assert.equal(session.status, "saving");
  model.kernelSends({ type: "saved", seq: msg.seq, saved_edits: 1 });
  assert.equal(session.status, "saved");
});

test("each annotation reads as a line of text", () => {
  assert.equal(describeRow(TEAM.rows.ana[0]), "box cat at 1, 2 size 3.46 × 4");
  assert.equal(describeRow(TEAM.rows.bob[0]), "span PER “Ada” (0–3)");
  assert.equal(
    describeRow({ id: "s", kind: "segment", label: "spk1", start: 1.5, end: 2.25, text: "hi" }),
    "segment spk1 1.5–2.25 s “hi”",
  );
  assert.equal(describeRow({ id: "l", kind: "label", label: "dog" }), "label dog");
});

test("with team routing the unlabeled key always asks the kernel", () => {
  /** @type {[Record<string, any>, boolean][]} */
  const cases = [
    [{ review: false, team_complete: -1 }, false],
    [{ review: false, team_complete: 0 }, true],
    [{ review: true, team_complete: -1 }, true],
  ];
  for (const [traits, asks] of cases) {
    const { model, session } = sessionWith(traits, undefined);
    // the next item is held by the page and not labeled by this annotator
    const item = { id: "i1", name: "i1", meta: {} };
    model.kernelSends({ type: "item", position: 1, item, rows: [], media: false, reply: false });
    session.gotoUnlabeled(1);
    const last = model.sent.at(-1);
    assert.equal(last.type, asks ? "unlabeled" : "goto", JSON.stringify(traits));
  }
});
