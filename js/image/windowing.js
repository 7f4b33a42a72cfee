// The window control of ImageAnnotator's page: for 16-bit, float and DICOM images (items
// with `window` info and their values in a second buffer), drag or keys change the display
// window (level/width); presets and reset in a small bar under the stage. It redraws the
// item's bitmap from its values and hands it to the session: the stage draws it as any
// image, so coordinates, sizes and stored annotations never change. The math is in
// window.js (DOM-free, tested in js/test/image_window.test.js).

import "./window.css";
import { h, replace } from "../lib/dom.js";
import { carryFrame } from "./stack.js";
import {
  dragWindow,
  keyWindow,
  presetsFor,
  renderRgba,
  valuesOf,
  WINDOW_KEYS,
  windowLut,
  windowText,
} from "./window.js";

/**
 * @typedef {import("../lib/session.js").Session} Session
 * @typedef {import("../lib/session.js").ItemInfo} ItemInfo
 * @typedef {import("./window.js").WindowInfo} WindowInfo
 * @typedef {import("./window.js").Win} Win
 * @typedef {{values: Uint16Array, info: WindowInfo, width: number, height: number, win: Win}} Source
 */

/** The values behind each windowable bitmap (and the window it was drawn with). */
const sources = new WeakMap();

/**
 * The window keys, to bind in the page's key map (an action returns false, passing the key
 * on, when the item has no values to window), with their help rows.
 * @type {[string[], import("../lib/ui.js").HelpRow | string][]}
 */
export const WINDOW_BINDINGS = [
  [["w"], ["w / Shift+w", "16-bit and DICOM images: next window preset / the file's default window"]],
  [["Shift+W"], "the file's default window"],
  [
    [",", "."],
    [", / .", "narrower / wider window"],
  ],
  [
    ["<", ">"],
    ["< / >", "lower / higher window level"],
  ],
];

/** Help rows for the window gestures. @type {import("../lib/ui.js").HelpRow[]} */
export const WINDOW_NOTES = [
  ["drag the ◐ pad", "window: left/right for width, up/down for level (on the image too, without region tools)"],
];

/**
 * Keep an item's values with its decoded bitmap when the kernel sent them.
 * @param {ImageBitmap} bitmap the item drawn with its default window
 * @param {ItemInfo} item
 * @param {DataView[]} buffers
 * @returns {ImageBitmap}
 */
export function attachValues(bitmap, item, buffers) {
  const info = /** @type {WindowInfo | undefined} */ (item.window);
  if (info && buffers[1] && bitmap.width === item.display_width && bitmap.height === item.display_height) {
    const win = { center: info.center, width: info.width };
    sources.set(bitmap, { values: valuesOf(buffers[1]), info, width: bitmap.width, height: bitmap.height, win });
  }
  return bitmap;
}

/**
 * The 16-bit values behind a bitmap this module drew, with the window shown (the magic
 * wand fills on them), or null for an ordinary image.
 * @param {ImageBitmap} bitmap
 * @returns {Source | null}
 */
export const valuesBehind = (bitmap) => sources.get(bitmap) ?? null;

/**
 * @param {Session} session
 * @param {HTMLElement} root
 * @param {HTMLElement} stage
 * @param {{drag: boolean, cleanup: import("../lib/cleanup.js").Cleanup}} options `drag`: a
 *   drag on the image windows too (no region tools); `cleanup`: the view's, which removes
 *   the bar and its listeners
 */
export function windowControl(session, root, stage, options) {
  const pad = h(
    "span",
    { class: "nbl-window-pad", title: "Drag: left/right width, up/down level", role: "slider", "aria-label": "window" },
    "◐",
  );
  const text = h("span", { class: "nbl-window-text" });
  const presets = h("select", {
    class: "nbl-window-preset",
    "aria-label": "window preset",
    title: "Window preset (w)",
  });
  const reset = h(
    "button",
    { type: "button", class: "nbl-button nbl-window-reset", title: "The file's default window (Shift+w)" },
    "Reset",
  );
  const bar = h(
    "div",
    { class: "nbl-window", hidden: true },
    h("span", { class: "nbl-muted" }, "Window"),
    pad,
    text,
    presets,
    reset,
  );
  stage.after(bar);
  options.cleanup.add(() => bar.remove());

  /** @type {Win | null} the window the person chose (kept across items of one unit) */
  let chosen = null;
  let unit = "";
  let itemId = "";
  let preset = 0;
  let busy = false;
  let again = false;

  const current = () => {
    const entry = session.current;
    const media = entry?.media;
    const source = media ? /** @type {Source | undefined} */ (sources.get(media)) : undefined;
    return entry && source ? { entry, source } : null;
  };

  /** Draw the current item with the chosen window (one at a time; the last wish wins). */
  const draw = async () => {
    if (busy) {
      again = true;
      return;
    }
    const found = current();
    if (!found || !chosen) return;
    const { entry, source } = found;
    const from = entry.media;
    const win = chosen;
    if (source.win.center === win.center && source.win.width === win.width) return;
    busy = true;
    try {
      const rgba = /** @type {Uint8ClampedArray<ArrayBuffer>} */ (
        renderRgba(source.values, windowLut(source.info, win))
      );
      const bitmap = await createImageBitmap(new ImageData(rgba, source.width, source.height));
      sources.set(bitmap, { ...source, win });
      if (entry.media === from && entry === session.current) {
        carryFrame(from, bitmap);
        entry.media = bitmap;
        from.close?.();
        session.notify();
      } else {
        // Another bitmap came meanwhile (a slice, the item again): draw that one instead.
        bitmap.close();
        again = true;
      }
    } finally {
      busy = false;
    }
    if (again) {
      again = false;
      await draw();
    }
  };

  /** @param {Win} win @param {number} [which] the preset, or -1 */
  const choose = (win, which = -1) => {
    chosen = win;
    preset = which;
    show();
    draw();
  };

  const show = () => {
    const found = current();
    bar.hidden = !found;
    if (!found) return;
    const info = found.source.info;
    if (found.entry.item.id !== itemId) {
      // Another item: a window chosen in Hounsfield units carries over (slices, series);
      // any other image starts from its own default.
      const keep = chosen !== null && info.unit !== "" && info.unit === unit;
      itemId = found.entry.item.id;
      unit = info.unit;
      if (!keep) {
        chosen = { center: info.center, width: info.width };
        preset = 0;
      }
    }
    if (!chosen) return;
    const win = chosen;
    replace(text, windowText(win, info.unit));
    const list = presetsFor(info);
    replace(
      presets,
      ...list.map((p, i) => h("option", { value: String(i) }, `${p.name} (${windowText(p, "")})`)),
      h("option", { value: "-1", hidden: true }, "custom"),
    );
    presets.value = String(preset < list.length ? preset : -1);
    bar.dataset.center = String(win.center);
    bar.dataset.width = String(win.width);
    root.dataset.window = `${win.center}/${win.width}`;
  };

  options.cleanup.listen(presets, "change", () => {
    const found = current();
    const index = Number(presets.value);
    const p = found ? presetsFor(found.source.info)[index] : undefined;
    if (p) choose({ center: p.center, width: p.width }, index);
    root.focus({ preventScroll: true });
  });
  options.cleanup.listen(reset, "click", () => {
    const found = current();
    if (found) choose({ center: found.source.info.center, width: found.source.info.width }, 0);
  });

  /** @type {{x: number, y: number, win: Win, id: number} | null} */
  let dragging = null;
  /** @param {PointerEvent} e */
  const onDown = (e) => {
    const found = current();
    if (!found || !chosen || e.button !== 0) return;
    dragging = { x: e.clientX, y: e.clientY, win: chosen, id: e.pointerId };
    /** @type {Element} */ (e.currentTarget).setPointerCapture?.(e.pointerId);
    root.focus({ preventScroll: true });
    e.preventDefault();
  };
  /** @param {PointerEvent} e */
  const onMove = (e) => {
    const found = current();
    if (!dragging || e.pointerId !== dragging.id || !found) return;
    choose(dragWindow(found.source.info, dragging.win, e.clientX - dragging.x, e.clientY - dragging.y));
  };
  const onUp = () => {
    dragging = null;
  };
  for (const t of options.drag ? [pad, stage] : [pad]) {
    options.cleanup.listen(t, "pointerdown", onDown);
    options.cleanup.listen(t, "pointermove", onMove);
    options.cleanup.listen(t, "pointerup", onUp);
    options.cleanup.listen(t, "pointercancel", onUp);
  }

  return {
    /** Call on every session change: shows the bar and redraws a new item in the window. */
    update() {
      show();
      draw();
    },
    /**
     * @param {string} key
     * @returns {boolean} whether the key was a window key (and used)
     */
    key(key) {
      const found = current();
      if (!found || !chosen || !(key in WINDOW_KEYS)) return false;
      const next = keyWindow(found.source.info, chosen, key, preset);
      if (next) choose(next.win, next.preset);
      return Boolean(next);
    },
  };
}
