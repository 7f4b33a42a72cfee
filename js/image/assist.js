// Assisted drawing on the image stage: the magic wand (image/wand.js) and the superpixel
// brush (image/superpixel.js). The stage (stage.js) offers them the pointer and keys first
// and draws their preview; both make masks exactly like the brush's (a `mask` row, COCO
// RLE over the original image, labeled with the drawing label), so undo, relabel, delete
// and nudge treat them as any mask.

import { h, replace } from "../lib/dom.js";
import { cacheBits, maskBits, plainRow } from "./editor.js";
import { drawMask } from "./render.js";
import { SuperpixelBrush } from "./superpixel.js";
import { combineMasks, TOLERANCE, WandGesture } from "./wand.js";
import { valuesBehind } from "./windowing.js";

/**
 * @typedef {import("../lib/session.js").Session} Session
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/session.js").Change} Change
 * @typedef {import("./mask.js").MaskBits} MaskBits
 * @typedef {import("./editor.js").Editor} Editor
 * @typedef {import("./render.js").Style} Style
 * @typedef {import("./wand.js").Source} Source
 */

/** The tools this module runs, their keys and toolbar names. */
export const ASSIST_KEYS = /** @type {const} */ ({ m: "wand", t: "superpixel" });
export const ASSIST_NAMES = { wand: "Wand (m)", superpixel: "Superpixel (t)" };

/** Help rows for the keys and gestures of the assisted tools. @type {[string, import("../lib/ui.js").HelpRow][]} */
const ASSIST_HELP = [
  [
    "wand",
    ["m", "magic wand: click a region to fill it by similarity; drag sideways while pressed to change the tolerance"],
  ],
  ["wand", ["Shift+click / Alt+click (wand)", "add the region to / take it from the selected mask"]],
  ["wand", ["[ / ] (wand)", "lower / higher tolerance (shown beside the tools)"]],
  [
    "superpixel",
    ["t", "superpixel brush: drag over the image to add whole superpixels to the mask; Shift+drag removes them"],
  ],
];

/**
 * The help rows of the assisted tools among `tools`.
 * @param {string[]} tools
 * @returns {import("../lib/ui.js").HelpRow[]}
 */
export const assistHelp = (tools) => ASSIST_HELP.filter(([tool]) => tools.includes(tool)).map(([, row]) => row);

/** @type {WeakMap<object, Source>} the RGBA pixels of each decoded bitmap, read once */
const rgbaOf = new WeakMap();

/**
 * The pixels the wand fills on: the raw values of a 16-bit, float or DICOM image (100 %
 * tolerance = the display window's width, in those values' units), else the RGBA of the
 * bitmap the kernel sent.
 * @param {ImageBitmap} bitmap
 * @returns {Source}
 */
export function pixelSource(bitmap) {
  const values = valuesBehind(bitmap);
  if (values) {
    return {
      data: values.values,
      width: values.width,
      height: values.height,
      channels: Math.max(1, Math.round(values.values.length / (values.width * values.height))),
      // the values are codes q of `offset + scale * q` (window.js); the window is in values
      range: Math.max(1e-9, values.win.width / Math.abs(values.info.scale || 1)),
    };
  }
  let source = rgbaOf.get(bitmap);
  if (!source) {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (
      canvas.getContext("2d", { willReadFrequently: true })
    );
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    source = { data, width: bitmap.width, height: bitmap.height, channels: 4, range: 255 };
    rgbaOf.set(bitmap, source);
  }
  return source;
}

/**
 * @param {{session: Session, editor: Editor, tools: string[], size: () => [number, number],
 *   commit: (change: Change | null) => void, schedule: (full: boolean) => void,
 *   brushRadius: () => number, frame: () => number | null, cleanup: import("../lib/cleanup.js").Cleanup}} host
 */
export function assistTools(host) {
  const { session, editor } = host;
  const wand = new WandGesture();
  const superpixels = host.tools.includes("superpixel")
    ? new SuperpixelBrush(session.model, () => {
        const item = session.current?.item;
        return item && !item.error ? { itemId: item.id, frame: host.frame() } : null;
      })
    : null;
  if (superpixels) {
    host.cleanup.on(session.model, "msg:custom", (/** @type {any} */ msg, /** @type {DataView[]} */ buffers) => {
      if (superpixels.receive(msg, buffers)) {
        refresh();
        host.schedule(false);
      }
    });
  }
  const status = h("span", { class: "nbl-assist-status nbl-muted", role: "status", "aria-live": "polite" });
  /** the selected mask the gesture adds to or takes from, and the preview's result */
  /** @type {{orig: Row | null, preview: MaskBits | null, stale?: boolean}} */
  let gesture = { orig: null, preview: null };
  let area = -1;

  const selectedMask = () => {
    const sel = editor.selection;
    return sel && !sel.suggestion && sel.row.kind === "mask" ? sel.row : null;
  };
  /** @param {[number, number]} p the topmost human mask under p */
  const maskUnder = (p) =>
    [...editor.host.rows()]
      .reverse()
      .find((r) => r.kind === "mask" && maskBits(r).get(Math.floor(p[0]), Math.floor(p[1]))) ?? null;

  let warmed = /** @type {object | null} */ (null);
  const refresh = () => {
    const on = editor.tool === "wand" || editor.tool === "superpixel";
    status.hidden = !on;
    const media = session.current?.media;
    if (editor.tool === "wand" && media && media !== warmed) {
      // read the pixels while the person aims, not on the click
      warmed = media;
      setTimeout(() => {
        if (session.current?.media === media) pixelSource(media);
      }, 50);
    }
    if (editor.tool === "wand") {
      const size = area >= 0 ? ` · ${area.toLocaleString("en")} px` : "";
      replace(status, `wand tolerance ${wand.tolerance}%${size}`);
      status.dataset.tolerance = String(wand.tolerance);
      status.dataset.area = String(area);
    } else if (editor.tool === "superpixel" && superpixels) {
      replace(status, superpixels.statusText());
    }
  };

  /**
   * The change that stores `bits` as the mask `orig` (or a new mask), or deletes `orig` when empty.
   * @param {Row | null} orig @param {MaskBits} bits
   * @returns {Change | null}
   */
  const maskChange = (orig, bits) => {
    const [W, H] = host.size();
    if (bits.empty()) {
      editor.selected = null;
      return orig ? { upsert: [], delete: [orig.id] } : null;
    }
    const row = orig ? { ...orig } : editor.newRow("mask", {});
    const mask = { size: [H, W], counts: bits.counts() };
    cacheBits(mask, bits);
    editor.selected = row.id;
    return { upsert: [plainRow({ ...row, mask })], delete: [] };
  };

  /** milliseconds of the last wand click's steps, in the status element's data-timing */
  const timing = { read: 0, fill: 0, mask: 0 };
  const wandPreview = () => {
    const t0 = performance.now();
    const fill = wand.fill();
    const t1 = performance.now();
    const part = wand.part();
    if (!fill || !part) return null;
    area = part.area();
    Object.assign(timing, { ...wand.timing, fill: t1 - t0, mask: performance.now() - t1 });
    status.dataset.timing = JSON.stringify(timing);
    const mode = wand.drag?.mode ?? "new";
    return combineMasks(gesture.orig ? maskBits(gesture.orig) : null, part, mode);
  };

  return {
    status,
    refresh,
    /** Whether the tool is one of this module's. @param {string} tool */
    owns: (tool) => tool === "wand" || tool === "superpixel",

    /**
     * The pointer went down on the image at p (original pixels). @param {[number, number]} p
     * @param {PointerEvent} e @returns {boolean} whether this module took the gesture
     */
    down(p, e) {
      const bitmap = session.current?.media;
      if (!bitmap) return false;
      const [W, H] = host.size();
      if (editor.tool === "wand") {
        if (p[0] < 0 || p[1] < 0 || p[0] >= W || p[1] >= H) return true;
        const mode = e.altKey ? "subtract" : e.shiftKey ? "add" : "new";
        const orig = mode === "new" ? null : (selectedMask() ?? (mode === "subtract" ? maskUnder(p) : null));
        if (mode === "subtract" && !orig) return true; // nothing to take from
        if (!orig) editor.selected = null;
        gesture = { orig, preview: null };
        const t0 = performance.now();
        const source = pixelSource(bitmap);
        timing.read = performance.now() - t0;
        wand.start(p, e.clientX, source, [W, H], orig ? mode : "new");
        gesture.stale = true;
        return true;
      }
      if (editor.tool === "superpixel" && superpixels) {
        const erase = e.shiftKey || editor.eraser;
        const orig = selectedMask() ?? (erase ? maskUnder(p) : null);
        if (erase && !orig) return true;
        if (!orig) editor.selected = null;
        gesture = { orig, preview: null };
        superpixels.start(p, host.brushRadius(), [W, H], orig ? maskBits(orig) : null, erase);
        gesture.stale = true;
        refresh();
        return true;
      }
      return false;
    },

    /** @param {[number, number]} p @param {PointerEvent} e @returns {boolean} whether to redraw */
    move(p, e) {
      if (wand.drag) {
        if (wand.move(e.clientX)) gesture.stale = true;
        return true;
      }
      if (superpixels?.drag) {
        superpixels.move(p, host.brushRadius());
        gesture.stale = true;
        return true;
      }
      return editor.tool === "superpixel";
    },

    /** @returns {boolean} whether this module finished a gesture */
    up() {
      if (wand.drag) {
        const mode = wand.drag.mode;
        const t0 = performance.now();
        const done = wand.finish();
        const t1 = performance.now();
        Object.assign(timing, { ...wand.timing, mask: t1 - t0 - wand.timing.fill });
        const orig = gesture.orig;
        gesture = { orig: null, preview: null };
        if (done) {
          const bits = combineMasks(orig ? maskBits(orig) : null, done.part, mode);
          host.commit(maskChange(orig, bits));
        }
        status.dataset.timing = JSON.stringify({ ...timing, commit: performance.now() - t1 });
        area = -1;
        refresh();
        return true;
      }
      if (superpixels?.drag) {
        const bits = superpixels.finish();
        const orig = gesture.orig;
        gesture = { orig: null, preview: null };
        if (bits) host.commit(maskChange(orig, bits));
        refresh();
        return true;
      }
      return false;
    },

    /** Esc: drop the gesture. @returns {boolean} */
    cancel() {
      if (!wand.drag && !superpixels?.drag) return false;
      wand.drag = null;
      if (superpixels) superpixels.drag = null;
      gesture = { orig: null, preview: null };
      area = -1;
      refresh();
      return true;
    },

    /**
     * Draw the gesture's preview on the overlay. @param {CanvasRenderingContext2D} ctx
     * @param {Style} style @param {string} color the drawing label's colour
     * @param {[number, number] | null} pointer @returns {boolean} whether a preview was drawn
     */
    draw(ctx, style, color, pointer) {
      if (editor.tool === "superpixel" && pointer && !superpixels?.drag) {
        ctx.setLineDash([]);
        ctx.lineWidth = 1 / style.scale;
        ctx.strokeStyle = "#fff";
        ctx.beginPath();
        ctx.arc(pointer[0], pointer[1], host.brushRadius(), 0, 2 * Math.PI);
        ctx.stroke();
      }
      if (gesture.stale) {
        // computed here, once per frame, however many pointer events came
        gesture.preview = wand.drag ? wandPreview() : (superpixels?.preview() ?? null);
        gesture.stale = false;
        refresh();
      }
      if (!gesture.preview) return false;
      const label = gesture.orig?.label;
      drawMask(ctx, gesture.preview, label ? style.color(label) : color, style, Math.max(0.35, style.opacity));
      return true;
    },

    /** @param {string} key @returns {boolean} whether the key was used */
    key(key) {
      if (editor.tool !== "wand" || (key !== "[" && key !== "]")) return false;
      wand.setTolerance(wand.tolerance + (key === "]" ? TOLERANCE.step : -TOLERANCE.step));
      refresh();
      return true;
    },

    /** The item changed: drop what belongs to the last one. */
    reset() {
      wand.drag = null;
      superpixels?.reset();
      gesture = { orig: null, preview: null };
      area = -1;
      refresh();
    },
  };
}
