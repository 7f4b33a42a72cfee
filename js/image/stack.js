// Browsing a stack of slices in ImageAnnotator's page: keys and buttons ask the kernel for
// another slice (`{"type": "slice"}`, see src/nblabel/widgets/image.py), the answer
// replaces the item's bitmap, regions are drawn on their own slice and new ones get the
// slice's `frame`. The rules are DOM-free in slices.js (js/test/image_slices.test.js).

import { h, replace } from "../lib/dom.js";
import { sliceKey, sliceText } from "./slices.js";

/**
 * @typedef {import("../lib/session.js").Session} Session
 * @typedef {import("../lib/session.js").ItemInfo} ItemInfo
 * @typedef {import("../lib/session.js").Decode} Decode
 */

/** The slice each bitmap shows. */
const shownFrame = new WeakMap();

/**
 * The slice keys, to bind in the page's key map (an action returns false, passing the key
 * on, when the item is not a stack), with their help rows.
 * @type {[string[], import("../lib/ui.js").HelpRow | string][]}
 */
export const SLICE_BINDINGS = [
  [
    ["ArrowUp", "ArrowDown", "PageUp", "PageDown"],
    ["↑ / ↓, PageUp / PageDown", "stacks (multi-frame DICOM, 3-D TIFF): previous / next slice (by 10 with Page keys)"],
  ],
  [
    ["Home", "End"],
    ["Home / End", "stacks: first / last slice"],
  ],
];

/**
 * Remember which slice a decoded bitmap shows.
 * @template {object} T
 * @param {T} bitmap
 * @param {ItemInfo} item
 * @returns {T}
 */
export function noteFrame(bitmap, item) {
  if ((item.frames ?? 1) > 1) shownFrame.set(bitmap, item.frame ?? 0);
  return bitmap;
}

/**
 * A redrawn bitmap (a new window) shows the same slice as the one it replaces.
 * @param {object} from
 * @param {object} to
 */
export function carryFrame(from, to) {
  if (shownFrame.has(from)) shownFrame.set(to, shownFrame.get(from));
}

/**
 * The slice on screen, or null when the item is not a stack.
 * @param {Session} session
 * @returns {number | null}
 */
export function frameOf(session) {
  const entry = session.current;
  if (!entry || (entry.item.frames ?? 1) <= 1) return null;
  return (entry.media && shownFrame.get(entry.media)) ?? entry.item.frame ?? 0;
}

/**
 * @param {Session} session
 * @param {HTMLElement} stage
 * @param {Decode} decode the page's decode of an item's buffers
 * @param {import("../lib/cleanup.js").Cleanup} cleanup the view's: removes the bar and listener
 */
export function stackControl(session, stage, decode, cleanup) {
  const model = session.model;
  const text = h("span", { class: "nbl-slice-text" });
  const step = (/** @type {number} */ by) => {
    const frame = target();
    const n = session.current?.item.frames ?? 1;
    if (frame !== null) request(Math.max(0, Math.min(n - 1, frame + by)));
  };
  const prev = h(
    "button",
    { type: "button", class: "nbl-button nbl-slice-prev", title: "Previous slice (↑)", onclick: () => step(-1) },
    "▲",
  );
  const next = h(
    "button",
    { type: "button", class: "nbl-button nbl-slice-next", title: "Next slice (↓)", onclick: () => step(1) },
    "▼",
  );
  const bar = h(
    "div",
    { class: "nbl-slices", hidden: true },
    h("span", { class: "nbl-muted" }, "Stack"),
    prev,
    text,
    next,
  );
  stage.after(bar);
  cleanup.add(() => bar.remove());
  /** @type {Map<string, number>} the slice last asked for and not yet shown, per item */
  const wanted = new Map();
  /** The slice on screen, or the one on its way: keys pressed fast add up. */
  const target = () => {
    const id = session.current?.item.id ?? "";
    return wanted.get(id) ?? frameOf(session);
  };

  /** @param {number} frame */
  const request = (frame) => {
    const entry = session.current;
    if (!entry || frame === target()) return;
    wanted.set(entry.item.id, frame);
    model.send({ type: "slice", item_id: entry.item.id, frame });
    show(frame);
  };

  /** @param {any} msg @param {DataView[]} buffers */
  const onMessage = (msg, buffers) => {
    if (msg?.type !== "slice") return;
    const entry = session.byItemId(String(msg.item_id));
    if (msg.error) {
      session.error = String(msg.error);
      session.notify();
      return;
    }
    if (!entry || wanted.get(entry.item.id) !== msg.frame) return; // a later slice was asked for
    decode({ ...entry.item, ...msg.item }, buffers).then((bitmap) => {
      if (wanted.get(entry.item.id) !== msg.frame || !session.entries.has(entry.position)) {
        bitmap.close?.();
        return;
      }
      shownFrame.set(bitmap, msg.frame);
      wanted.delete(entry.item.id);
      const old = entry.media;
      entry.media = bitmap;
      entry.item = { ...entry.item, window: msg.item.window, notes: msg.item.notes };
      old?.close?.();
      session.notify();
    });
  };
  cleanup.on(model, "msg:custom", onMessage);

  /** @param {number | null} [asked] */
  const show = (asked) => {
    const frame = frameOf(session);
    const n = session.current?.item.frames ?? 1;
    bar.hidden = frame === null;
    if (frame === null) return;
    replace(text, sliceText(asked ?? target() ?? frame, n));
    bar.dataset.frame = String(frame);
    stage.closest(".nbl-root")?.setAttribute("data-frame", String(frame));
  };

  return {
    update() {
      show();
    },
    /** @param {string} key @returns {boolean} whether it moved to another slice */
    key(key) {
      const frame = target();
      if (frame === null) return false;
      const next = sliceKey(key, frame, session.current?.item.frames ?? 1);
      if (next === null) return key === "ArrowUp" || key === "ArrowDown" || key === "PageUp" || key === "PageDown";
      request(next);
      return true;
    },
  };
}
