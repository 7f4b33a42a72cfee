// The page's side of the widget protocol (see src/nblabel/widgets/_base.py):
// a cache of prefetched items, optimistic edits with "saved" acknowledgements,
// and undo/redo. One Session per model object, shared by the views given that object
// (anywidget's JupyterLab runtime gives each view its own object, so there each view has
// its own session); it stops listening when its last view goes (leaveSession).

import { Cleanup } from "./cleanup.js";

/**
 * @typedef {import("@anywidget/types").AnyModel} AnyModel
 * @typedef {Record<string, any> & {id: string, kind: string, label: string}} Row
 * @typedef {{id: string, name: string, meta: Record<string, string>, error?: string,
 *   notes?: string[]} & Record<string, any>} ItemInfo
 * @typedef {Row & {score?: number}} Suggestion a model's annotation, shown until accepted or rejected
 * @typedef {{position: number, item: ItemInfo, rows: Map<string, Row>,
 *   suggestions: Map<string, Suggestion>, media: any, loading: boolean,
 *   team?: import("./review.js").Team | null}} Entry `team`: a reviewer's item only (review.js)
 * @typedef {{upsert: Row[], delete: string[], accepted?: string[], rejected?: string[]}} Change
 * @typedef {{itemId: string, position: number, forward: Change, inverse: Change}} Step
 * @typedef {"saved" | "saving" | "error"} Status
 * @typedef {(item: ItemInfo, buffers: DataView[]) => Promise<any>} Decode
 * @typedef {(media: any) => void} Release
 * @typedef {{step: number, items: number, done: number, skipped: number, left: number}} QueueEnd
 *   the kernel's answer when no unlabeled item is left that way
 */

/** @type {WeakMap<AnyModel, Session>} */
const sessions = new WeakMap();

/**
 * The session of a model, made on first use.
 * @param {AnyModel} model
 * @param {Decode} decode turns an item's binary buffers into what the view draws
 * @param {Release} [release] frees decoded media evicted from the cache
 * @returns {Session}
 */
export function sessionFor(model, decode, release) {
  let session = sessions.get(model);
  if (!session) {
    session = new Session(model, decode, release);
    sessions.set(model, session);
  }
  session.views += 1;
  return session;
}

/**
 * A view of `session` went away: when it was the last, the session stops listening to
 * its model and frees its media (a later view starts a new session from the kernel).
 * @param {Session} session
 */
export function leaveSession(session) {
  session.views -= 1;
  if (session.views > 0) return;
  session.cleanup.run();
  for (const entry of session.entries.values()) if (entry.media) session.release(entry.media);
  session.entries.clear();
  if (sessions.get(session.model) === session) sessions.delete(session.model);
}

export class Session {
  /**
   * @param {AnyModel} model
   * @param {Decode} decode
   * @param {Release} [release]
   */
  constructor(model, decode, release) {
    this.model = model;
    this.decode = decode;
    this.release = release ?? (() => {});
    /** @type {Map<number, Entry>} */
    this.entries = new Map();
    /** @type {number} */
    this.position = model.get("position");
    /** @type {Map<number, string>} seq -> item id of edits not yet saved */
    this.pending = new Map();
    /** @type {string | null} */
    this.error = null;
    /** the kernel has said "saved" at least once: before that there is nothing to call saved */
    this.savedOnce = false;
    /** @type {Step[]} */
    this.undoStack = [];
    /** @type {Step[]} */
    this.redoStack = [];
    this.seq = 0;
    this.shownAt = performance.now();
    this.cacheSize = 8;
    /** @type {Set<() => void>} */
    this.listeners = new Set();
    this.started = false;
    /** gotos sent and not yet answered: while any is on its way, the kernel's position
     * trait lags the page's (it echoes an older goto), so its changes are not followed. */
    this.gotosInFlight = 0;
    /** an "unlabeled" request is on its way: its answer moves the page (see gotoUnlabeled) */
    this.seeking = false;
    /** @type {("goto" | "unlabeled")[]} the requests the kernel has not answered, oldest first
     * (it answers them in order: an item with `reply`, or `queue_end`) */
    this.requests = [];
    /** @type {QueueEnd | null} the kernel said there is no unlabeled item that way */
    this.queueEnd = null;
    /** views showing this session (see sessionFor and leaveSession) */
    this.views = 0;
    this.cleanup = new Cleanup();
    this.cleanup.on(model, "msg:custom", (msg, buffers) => this.onMessage(msg, buffers));
    this.cleanup.on(model, "change:position", () => {
      const position = model.get("position");
      if (this.gotosInFlight === 0 && position !== this.position) this.show(position);
    });
  }

  /** @param {() => void} listener @returns {() => void} */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify() {
    for (const listener of this.listeners) listener();
  }

  /** Ask the kernel for the current item (once per session; later views reuse the cache). */
  start() {
    if (this.started) return;
    this.started = true;
    this.model.send({ type: "hello", cached: this.cachedPositions() });
  }

  /** @returns {number[]} positions whose media the page holds */
  cachedPositions() {
    return [...this.entries.values()]
      .filter((e) => e.media !== null || e.loading || e.item.error)
      .map((e) => e.position);
  }

  /** @returns {Entry | undefined} the item on screen */
  get current() {
    return this.entries.get(this.position);
  }

  /**
   * The current item's suggestions that pass the score threshold, best first.
   * @param {string} [kind] only this kind
   * @returns {Suggestion[]}
   */
  visibleSuggestions(kind) {
    const threshold = this.model.get("threshold") ?? 0;
    const all = [...(this.current?.suggestions.values() ?? [])];
    return all
      .filter((s) => (kind === undefined || s.kind === kind) && (s.score ?? 1) >= threshold)
      .sort((a, b) => (b.score ?? 1) - (a.score ?? 1));
  }

  /** @returns {Status} */
  get status() {
    if (this.error) return "error";
    return this.pending.size > 0 ? "saving" : "saved";
  }

  /**
   * Move to another item: shown at once when prefetched, and the kernel is told.
   * @param {number} position
   */
  goto(position) {
    const n = this.model.get("n_items");
    const target = Math.max(0, Math.min(n - 1, position));
    if (target === this.position) return;
    this.show(target);
    this.requests.push("goto");
    this.gotosInFlight += 1;
    this.model.send({ type: "goto", position: target, cached: this.cachedPositions() });
  }

  /**
   * Go to the nearest item this annotator has not labeled, after (`step` 1) or before
   * (-1) the current one: at once when the page holds it, else the kernel (which knows
   * every item) finds it; from the other end of the queue too when `wrap`. When there is
   * none, `queueEnd` says how far the annotator is.
   * @param {1 | -1} step
   * @param {{wrap?: boolean}} [options]
   */
  gotoUnlabeled(step, options = {}) {
    this.queueEnd = null;
    const n = this.model.get("n_items");
    // With team routing (overlap, or a review) only the kernel knows which items are
    // this annotator's to take: an item full with others is not "unlabeled for me".
    const routed = (this.model.get("team_complete") ?? -1) >= 0 || Boolean(this.model.get("review"));
    for (let p = this.position + step; !routed && p >= 0 && p < n; p += step) {
      const entry = this.entries.get(p);
      if (!entry) break;
      if (!isLabeled(entry)) {
        this.goto(p);
        return;
      }
    }
    this.seeking = true;
    this.requests.push("unlabeled");
    this.gotosInFlight += 1;
    this.model.send({
      type: "unlabeled",
      step,
      from: this.position,
      wrap: options.wrap ?? true,
      cached: this.cachedPositions(),
    });
    this.notify();
  }

  /** After a label, when the widget advances: the next item not labeled yet. */
  advance() {
    this.gotoUnlabeled(1);
  }

  /**
   * @param {number} position
   * @param {{notify?: boolean}} [options] notify: false when the caller says so itself
   */
  show(position, options = {}) {
    this.queueEnd = null;
    this.position = position;
    this.shownAt = performance.now();
    this.evict();
    if (options.notify ?? true) this.notify();
  }

  /**
   * Make a change to the current item's annotations: shown at once, sent to the
   * kernel, marked saved when the kernel says the store has it.
   * @param {Change} change
   * @param {{record?: boolean, entry?: Entry}} [options]
   */
  edit(change, options = {}) {
    const entry = options.entry ?? this.current;
    if (!entry) return;
    const inverse = invert(entry.rows, change);
    applyChange(entry.rows, change);
    for (const id of [...(change.accepted ?? []), ...(change.rejected ?? [])]) entry.suggestions.delete(id);
    if (options.record ?? true) {
      this.undoStack.push({ itemId: entry.item.id, position: entry.position, forward: change, inverse });
      this.redoStack = [];
    }
    this.send(entry.item.id, change);
    this.notify();
  }

  /**
   * @param {string} itemId
   * @param {Change} change
   */
  send(itemId, change) {
    const seq = ++this.seq;
    this.pending.set(seq, itemId);
    this.error = null;
    const elapsed = (performance.now() - this.shownAt) / 1000;
    this.model.send({
      type: "edit",
      seq,
      item_id: itemId,
      upsert: change.upsert,
      delete: change.delete,
      accepted: change.accepted ?? [],
      rejected: change.rejected ?? [],
      elapsed,
    });
  }

  undo() {
    this.replay(this.undoStack, this.redoStack, "inverse");
  }

  redo() {
    this.replay(this.redoStack, this.undoStack, "forward");
  }

  /**
   * @param {Step[]} from
   * @param {Step[]} to
   * @param {"inverse" | "forward"} which
   */
  replay(from, to, which) {
    const step = from.pop();
    if (!step) return;
    to.push(step);
    if (step.position !== this.position) this.goto(step.position);
    const entry = this.entries.get(step.position);
    const change = step[which];
    if (entry) applyChange(entry.rows, change);
    this.send(step.itemId, change);
    this.notify();
  }

  /**
   * @param {any} msg
   * @param {DataView[]} buffers
   */
  onMessage(msg, buffers) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "item") {
      if (msg.reply && this.gotosInFlight > 0) this.gotosInFlight -= 1;
      const request = msg.reply ? this.requests.shift() : undefined;
      this.seeking = this.requests.includes("unlabeled");
      // Where the page goes is decided once, before anyone hears of it: the answer to
      // "unlabeled" moves it there; once every goto is answered, the kernel's position is
      // the truth (with overlap it may answer a goto with another item). Keys that waited
      // for the item (shell.js) run inside the one notify below and may move the page on
      // (a label, then the next item), so nothing after it may move the page back.
      const settled = msg.reply && this.gotosInFlight === 0 ? this.model.get("position") : this.position;
      const target = request === "unlabeled" ? msg.position : settled;
      const moved = target !== this.position;
      if (moved) this.show(target, { notify: false });
      this.receiveItem(msg, buffers);
      if (moved && msg.position !== target) this.notify();
    } else if (msg.type === "queue_end") {
      if (this.gotosInFlight > 0) this.gotosInFlight -= 1;
      this.requests.shift();
      this.seeking = this.requests.includes("unlabeled");
      this.queueEnd = /** @type {QueueEnd} */ (msg);
      this.notify();
    } else if (msg.type === "saved") {
      this.pending.delete(msg.seq);
      this.savedOnce = true;
      this.markSaved(msg.saved_edits);
      this.notify();
    } else if (msg.type === "rejected") {
      this.pending.delete(msg.seq);
      this.error = String(msg.message);
      const entry = this.byItemId(msg.item_id);
      if (entry) entry.rows = new Map(msg.rows.map((/** @type {Row} */ r) => [r.id, r]));
      this.notify();
    } else if (msg.type === "suggestions") {
      this.receiveSuggestions(msg);
    } else if (msg.type === "order") {
      this.dropAfter(Number(msg.keep));
    }
  }

  /**
   * A model's suggestions that came after their item (``suggest=``): added to the
   * item's open suggestions; its problems shown as the item's warnings.
   * @param {{item_id: string, suggestions?: Suggestion[], problems?: string[]}} msg
   */
  receiveSuggestions(msg) {
    const entry = this.byItemId(msg.item_id);
    if (!entry) return; // not held: the item message will carry them
    const more = msg.suggestions ?? [];
    if (more.length)
      entry.suggestions = new Map([
        ...entry.suggestions,
        ...more.map((s) => /** @type {[string, Suggestion]} */ ([s.id, s])),
      ]);
    if (msg.problems?.length)
      entry.item = { ...entry.item, warnings: [...(entry.item.warnings ?? []), ...msg.problems] };
    if (entry.position === this.position) this.notify();
  }

  /**
   * The visiting order changed after position `keep` (``order=``): what the page holds
   * for later positions shows other items now, so it goes; the kernel sends the new ones.
   * @param {number} keep
   */
  dropAfter(keep) {
    for (const [position, entry] of [...this.entries]) {
      if (position <= keep) continue;
      if (entry.media) this.release(entry.media);
      this.entries.delete(position);
    }
    this.notify();
  }

  /**
   * Set the `saved_edits` trait from the page. A reactive host (marimo) re-runs the cells
   * that read the widget only for a trait change that comes from the page, so the page,
   * not the kernel, moves it. The kernel's count makes every view set the same value
   * (and a value already there syncs nothing).
   * @param {unknown} count the kernel's count of saved edits
   */
  markSaved(count) {
    if (typeof count !== "number" || count <= (this.model.get("saved_edits") ?? 0)) return;
    this.model.set("saved_edits", count);
    this.model.save_changes();
  }

  /** @param {string} itemId */
  byItemId(itemId) {
    for (const entry of this.entries.values()) if (entry.item.id === itemId) return entry;
    return undefined;
  }

  /**
   * @param {{position: number, item: ItemInfo, rows: Row[], suggestions?: Suggestion[], media: boolean,
   *   team?: import("./review.js").Team}} msg
   * @param {DataView[]} buffers
   */
  receiveItem(msg, buffers) {
    let entry = this.entries.get(msg.position);
    const busy = [...this.pending.values()].includes(msg.item.id);
    if (!entry) {
      entry = {
        position: msg.position,
        item: msg.item,
        rows: new Map(),
        suggestions: new Map(),
        media: null,
        loading: false,
      };
      this.entries.set(msg.position, entry);
    }
    entry.item = msg.item;
    entry.team = msg.team ?? null; // review=True: every annotator's rows (js/lib/review.js)
    // While an edit of this item is on its way, the page's rows are the newer truth.
    if (!busy) {
      entry.rows = new Map(msg.rows.map((r) => [r.id, r]));
      entry.suggestions = new Map((msg.suggestions ?? []).map((s) => [s.id, s]));
    }
    if (msg.media && buffers.length > 0) {
      const target = entry;
      target.loading = true;
      this.decode(msg.item, buffers).then(
        (media) => {
          if (target.media) this.release(target.media);
          target.media = media;
          target.loading = false;
          if (target.position === this.position) this.notify();
        },
        (error) => {
          target.loading = false;
          target.item = {
            ...target.item,
            error: `item ${JSON.stringify(target.item.id)}: the page could not decode it (${error})`,
          };
          if (target.position === this.position) this.notify();
        },
      );
    }
    this.evict();
    if (msg.position === this.position) this.notify();
  }

  /** Keep the cache small: drop the entries farthest from the current item. */
  evict() {
    if (this.entries.size <= this.cacheSize) return;
    const far = [...this.entries.keys()].sort((a, b) => Math.abs(b - this.position) - Math.abs(a - this.position));
    for (const position of far.slice(0, this.entries.size - this.cacheSize)) {
      const entry = this.entries.get(position);
      if (entry?.media) this.release(entry.media);
      this.entries.delete(position);
    }
  }
}

/**
 * Whether this annotator is done with the item, as the kernel counts `n_done`: it has a
 * row of the widget's kinds (a skip counts, and so does a comment, as in the widget contract).
 * @param {Entry} entry
 */
export function isLabeled(entry) {
  return entry.rows.size > 0;
}

/**
 * @param {Map<string, Row>} rows
 * @param {Change} change
 */
export function applyChange(rows, change) {
  for (const id of change.delete) rows.delete(id);
  for (const row of change.upsert) rows.set(row.id, row);
}

/**
 * The change that undoes `change` on `rows` (computed before applying it).
 * @param {Map<string, Row>} rows
 * @param {Change} change
 * @returns {Change}
 */
export function invert(rows, change) {
  /** @type {Row[]} */
  const upsert = [];
  /** @type {string[]} */
  const del = [];
  for (const id of change.delete) {
    const old = rows.get(id);
    if (old) upsert.push(old);
  }
  for (const row of change.upsert) {
    const old = rows.get(row.id);
    if (old) upsert.push(old);
    else del.push(row.id);
  }
  return { upsert, delete: del };
}
