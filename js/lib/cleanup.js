// What a view adds outside itself (model listeners, window/document/root listeners,
// resize observers, animation frames), undone in one call when the view goes away.
// anywidget calls the function `render` returns when it removes a view; every view of
// nblabel returns `cleanup.run` (through the page shell, js/lib/shell.js).

/**
 * @typedef {import("@anywidget/types").AnyModel} AnyModel
 * @typedef {(...args: any[]) => void} Callback
 */

/**
 * Live counts across every view of the page, for tests and benchmarks
 * (`window.nblabelDebug`, shared by every nblabel bundle): `model` is the number of model
 * callbacks registered and not yet removed, `calls` the number of times any of them ran,
 * `events` the same by event name ("change:threshold", "msg:custom").
 * @type {{model: number, calls: number, events: Record<string, number>}}
 */
export const debug = (() => {
  const g = /** @type {any} */ (globalThis);
  g.nblabelDebug ??= { model: 0, calls: 0, events: {} };
  return g.nblabelDebug;
})();

export class Cleanup {
  constructor() {
    /** @type {(() => void)[]} */
    this.undo = [];
    this.done = false;
  }

  /**
   * Run `fn` at cleanup (last added, first run).
   * @param {() => void} fn
   */
  add(fn) {
    if (this.done) fn();
    else this.undo.push(fn);
  }

  /**
   * `model.on(event, callback)`, with the `model.off` that undoes it.
   * @param {AnyModel} model
   * @param {string} event
   * @param {Callback} callback
   */
  on(model, event, callback) {
    /** @type {Callback} */
    const counted = (...args) => {
      debug.calls += 1;
      debug.events[event] = (debug.events[event] ?? 0) + 1;
      callback(...args);
    };
    model.on(/** @type {any} */ (event), counted);
    debug.model += 1;
    this.add(() => {
      model.off(/** @type {any} */ (event), counted);
      debug.model -= 1;
    });
  }

  /**
   * `target.addEventListener(...)`, with the `removeEventListener` that undoes it.
   * @template {Event} E
   * @param {EventTarget} target
   * @param {string} type
   * @param {(event: E) => void} listener
   * @param {AddEventListenerOptions} [options]
   */
  listen(target, type, listener, options) {
    const fn = /** @type {EventListener} */ (listener);
    target.addEventListener(type, fn, options);
    this.add(() => target.removeEventListener(type, fn, options));
  }

  /**
   * Call `callback` when `element` changes size, until cleanup.
   * @param {Element} element
   * @param {() => void} callback
   */
  observeSize(element, callback) {
    const observer = new ResizeObserver(() => callback());
    observer.observe(element);
    this.add(() => observer.disconnect());
  }

  /** Undo everything added, newest first. Safe to call twice. */
  run() {
    this.done = true;
    while (this.undo.length) /** @type {() => void} */ (this.undo.pop())();
  }
}
