// Every widget view undoes what it adds: rendering a widget ten times and removing nine of
// the views leaves one set of model listeners, window listeners and resize observers, and
// removing the last leaves none. The views run in happy-dom against a fake model that
// counts its listeners (the real thing for the shell and the keys: tests/browser).

import assert from "node:assert/strict";
import { register } from "node:module";
import { test } from "node:test";
import { Window } from "happy-dom";

// The widget entries import their CSS (esbuild bundles it); here CSS is nothing.
register(
  "data:text/javascript,export async function load(url, context, next) {" +
    " if (url.endsWith('.css')) return { format: 'module', source: '', shortCircuit: true };" +
    " return next(url, context); }",
  import.meta.url,
);

const dom = new Window({ width: 1024, height: 768 });
const g = /** @type {any} */ (globalThis);
for (const name of [
  "document",
  "Node",
  "HTMLElement",
  "HTMLInputElement",
  "HTMLSelectElement",
  "HTMLButtonElement",
  "HTMLCanvasElement",
  "CustomEvent",
  "Event",
  "KeyboardEvent",
  "MouseEvent",
  "PointerEvent",
]) {
  g[name] = /** @type {any} */ (dom)[name];
}
g.window = dom;
g.requestAnimationFrame = (/** @type {() => void} */ fn) => setTimeout(fn, 0);
g.cancelAnimationFrame = (/** @type {any} */ id) => clearTimeout(id);

/** Live resize and intersection observers (observing, not disconnected). */
const observers = new Set();
class Observer {
  observe() {
    observers.add(this);
  }

  unobserve() {}

  disconnect() {
    observers.delete(this);
  }
}
g.ResizeObserver = Observer;
g.IntersectionObserver = Observer;

/** Live listeners on the window and the document, by a count kept in their add/remove. */
const outside = { count: 0 };
for (const target of [dom, dom.document]) {
  const add = /** @type {(...args: any[]) => void} */ (target.addEventListener.bind(target));
  const remove = /** @type {(...args: any[]) => void} */ (target.removeEventListener.bind(target));
  /** @type {Set<any>} */
  const live = new Set();
  target.addEventListener = (/** @type {any[]} */ ...args) => {
    if (!live.has(args[1])) outside.count += 1;
    live.add(args[1]);
    add(...args);
  };
  target.removeEventListener = (/** @type {any[]} */ ...args) => {
    if (live.delete(args[1])) outside.count -= 1;
    remove(...args);
  };
}

const { debug } = await import("../lib/cleanup.js");

/** A model as anywidget gives one: traits, on/off by event name, custom messages. */
class FakeModel {
  /** @param {Record<string, any>} traits */
  constructor(traits) {
    this.traits = { ...traits };
    /** @type {Map<string, Set<Function>>} */
    this.handlers = new Map();
    /** @type {any[]} */
    this.sent = [];
  }

  /** @param {string} key */
  get(key) {
    return this.traits[key];
  }

  /** @param {string} key @param {any} value */
  set(key, value) {
    this.traits[key] = value;
    this.emit(`change:${key}`);
  }

  save_changes() {}

  /** @param {any} msg */
  send(msg) {
    this.sent.push(msg);
  }

  /** @param {string} event @param {Function} callback */
  on(event, callback) {
    const set = this.handlers.get(event) ?? new Set();
    this.handlers.set(event, set);
    set.add(callback);
  }

  /** @param {string} event @param {Function} callback */
  off(event, callback) {
    this.handlers.get(event)?.delete(callback);
  }

  /** @param {string} event @param {...any} args */
  emit(event, ...args) {
    for (const callback of [...(this.handlers.get(event) ?? [])]) callback(...args);
  }

  /** @returns {number} listeners registered and not removed */
  get listeners() {
    let n = 0;
    for (const set of this.handlers.values()) n += set.size;
    return n;
  }

  /**
   * A per-view stand-in, as anywidget's JupyterLab runtime gives each view: the same
   * model underneath, a new object (so each view has its own session).
   */
  proxy() {
    return {
      get: this.get.bind(this),
      set: this.set.bind(this),
      save_changes: () => {},
      send: this.send.bind(this),
      on: this.on.bind(this),
      off: this.off.bind(this),
    };
  }
}

const COMMON = {
  position: 0,
  n_items: 3,
  n_done: 0,
  n_errors: 0,
  labels: ["cat", "dog"],
  threshold: 0,
  multi_label: false,
  advance: false,
};
const WIDGETS = {
  image: { entry: "../image.js", traits: { ...COMMON, tools: ["box", "polygon", "brush"], opacity: 0.5 } },
  "image (labels only)": { entry: "../image.js", traits: { ...COMMON, tools: [] } },
  text: { entry: "../text.js", traits: { ...COMMON, doc_labels: ["news"], snap: true } },
  audio: { entry: "../audio.js", traits: { ...COMMON, clip_labels: ["noisy"] } },
};

/** @returns {{model: number, outside: number, observers: number}} what is live now */
const live = (/** @type {FakeModel} */ model) => ({
  model: model.listeners,
  outside: outside.count,
  observers: observers.size,
});

for (const [name, { entry, traits }] of Object.entries(WIDGETS)) {
  for (const perView of [false, true]) {
    const how = perView ? "a model object per view (JupyterLab)" : "one model object for every view";
    test(`${name}: ten views, nine removed, leave one set of listeners (${how})`, async () => {
      const widget = (await import(entry)).default;
      const model = new FakeModel(traits);
      const before = live(model);
      const render = () => {
        const el = dom.document.createElement("div");
        dom.document.body.append(el);
        const cleanup = widget.render({ model: perView ? model.proxy() : model, el });
        assert.equal(typeof cleanup, "function", "render returns its cleanup");
        return { el, cleanup };
      };
      const one = render();
      const once = live(model);
      assert.ok(once.model > before.model, "a view listens to its model");
      one.cleanup();
      one.el.remove();
      assert.deepEqual(live(model), before, "one view removed leaves nothing");

      const views = Array.from({ length: 10 }, render);
      assert.ok(model.listeners >= 10 * (once.model - before.model) - (perView ? 0 : 9 * 2), "ten views listen");
      for (const view of views.slice(1)) {
        view.cleanup();
        view.el.remove();
      }
      assert.deepEqual(live(model), once, "nine of ten removed leave one view's listeners");

      // One trait change now runs exactly the callbacks one view registers for it.
      const calls = debug.calls;
      model.set("threshold", 0.5);
      const perChange = debug.calls - calls;
      views[0].cleanup();
      views[0].cleanup(); // twice is harmless
      assert.deepEqual(live(model), before, "the last view removed leaves nothing");
      const solo = render();
      const calls2 = debug.calls;
      model.set("threshold", 0.25);
      assert.equal(debug.calls - calls2, perChange, "one view's callbacks, as after the nine were removed");
      solo.cleanup();
      assert.deepEqual(live(model), before);
      assert.equal(debug.model, 0, "the debug count of model callbacks is back to zero");
    });
  }
}

test("the key registry refuses a key bound twice, naming both actions", async () => {
  const { Keymap } = await import("../lib/shell.js");
  const keys = new Keymap();
  keys.bind(["n"], ["n", "next item"], () => {});
  assert.throws(
    () => keys.bind(["x", "n"], ["x / n", "reject"], () => {}),
    /"n" is bound twice, to "next item" and to "reject"/,
  );
  assert.deepEqual(keys.rows, [["n", "next item"]], "a refused binding adds no help row");
});

test("a widget that binds a shared key fails when its view is built", async () => {
  const { pageShell } = await import("../lib/shell.js");
  const model = new FakeModel(COMMON);
  const el = dom.document.createElement("div");
  const shell = pageShell(/** @type {any} */ (model), /** @type {any} */ (el), {
    decode: async () => null,
    onLabel: () => {},
    onAccept: () => {},
  });
  shell.keys.bind(["z"], ["z", "zoom"], () => {});
  assert.throws(() => shell.start(() => {}), /"z" is bound twice, to "zoom" and to "undo"/);
  shell.cleanup.run();
});

test("every widget's help lists the shared keys once, after its own", async () => {
  for (const { entry, traits } of Object.values(WIDGETS)) {
    const widget = (await import(entry)).default;
    const model = new FakeModel(traits);
    const el = dom.document.createElement("div");
    const cleanup = widget.render({ model, el });
    const rows = [...el.querySelectorAll(".nbl-help tr")].map((tr) =>
      [...tr.querySelectorAll("td")].map((td) => td.textContent),
    );
    const noun = entry === "../text.js" ? "document" : "item";
    const shared = rows.slice(-6).map((r) => r[1]);
    assert.deepEqual(
      shared,
      [`next ${noun}`, `previous ${noun}`, "undo", "redo", "show or hide this help", "close this help"],
      entry,
    );
    for (const action of ["undo", "redo", "show or hide this help"])
      assert.equal(rows.filter((r) => r[1] === action).length, 1, `${entry}: ${action}`);
    cleanup();
  }
});
