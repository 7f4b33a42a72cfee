// ImageAnnotator's page: the image on a canvas, whole-image labels by key or button.

import "./nblabel.css";
import { newId } from "./lib/ids.js";
import { captureKeys } from "./lib/keys.js";
import { sessionFor } from "./lib/session.js";
import { frame } from "./lib/ui.js";

/**
 * @typedef {import("./lib/session.js").Session} Session
 * @typedef {import("./lib/session.js").Row} Row
 * @typedef {import("./lib/session.js").ItemInfo} ItemInfo
 */

/** @type {import("./lib/ui.js").HelpRow[]} */
const HELP = [
  ["1 – 9", "choose the k-th label (toggles it when several labels are allowed)"],
  ["0 / Backspace", "remove this item's labels"],
  ["a", "accept the best suggestion (a model's label)"],
  ["n / →", "next item"],
  ["p / ←", "previous item"],
  ["z", "undo"],
  ["Shift+z / y", "redo"],
  ["?", "show or hide this help"],
  ["Esc", "close this help"],
];

/**
 * Encoded image bytes to a drawable, decoded off the main thread.
 * @param {ItemInfo} item
 * @param {DataView[]} buffers
 * @returns {Promise<ImageBitmap>}
 */
function decode(item, buffers) {
  const view = buffers[0];
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  return createImageBitmap(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)], { type: item.mime }));
}

/** @param {ImageBitmap} bitmap */
function release(bitmap) {
  bitmap.close();
}

/**
 * The label rows to send when label `label` is chosen on the current item.
 * @param {Session} session
 * @param {string} label
 * @returns {import("./lib/session.js").Change | null}
 */
export function chooseLabel(session, label) {
  const entry = session.current;
  if (!entry) return null;
  const rows = [...entry.rows.values()].filter((r) => r.kind === "label");
  const same = rows.find((r) => r.label === label);
  if (session.model.get("multi_label")) {
    return same ? { upsert: [], delete: [same.id] } : { upsert: [{ id: newId(), kind: "label", label }], delete: [] };
  }
  if (same && rows.length === 1) return null;
  return { upsert: [{ id: newId(), kind: "label", label }], delete: rows.map((r) => r.id) };
}

export default {
  /** @type {import("@anywidget/types").Render} */
  render({ model, el }) {
    const session = sessionFor(model, decode, release);
    const canvas = document.createElement("canvas");
    canvas.className = "nbl-canvas";
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));

    /** @param {number} index */
    const onLabel = (index) => {
      /** @type {string[]} */
      const labels = model.get("labels");
      if (index >= labels.length || !session.current) return;
      const change = chooseLabel(session, labels[index]);
      if (change) session.edit(change);
      if (model.get("advance") && !model.get("multi_label")) session.goto(session.position + 1);
    };
    const onClear = () => {
      const entry = session.current;
      if (!entry) return;
      const ids = [...entry.rows.values()].filter((r) => r.kind === "label").map((r) => r.id);
      if (ids.length) session.edit({ upsert: [], delete: ids });
    };
    /** @param {import("./lib/session.js").Suggestion} suggestion */
    const onAccept = (suggestion) => {
      const change = chooseLabel(session, suggestion.label) ?? { upsert: [], delete: [] };
      session.edit({ ...change, accepted: [suggestion.id] });
      if (model.get("advance") && !model.get("multi_label")) session.goto(session.position + 1);
    };
    const ui = frame(session, { help: HELP, onLabel, onClear, onAccept });
    const { root, stage } = ui;
    stage.append(canvas);
    el.append(root);

    let drawn = -1;
    const draw = () => {
      const entry = session.current;
      const bitmap = entry?.media;
      if (!entry || !bitmap || entry.item.error) {
        canvas.hidden = true;
        stage.classList.toggle("nbl-loading", !entry?.item.error);
        drawn = -1;
        return;
      }
      canvas.hidden = false;
      stage.classList.remove("nbl-loading");
      const width = stage.clientWidth || 640;
      const maxHeight = Math.max(240, Math.min(window.innerHeight * 0.65, 720));
      const scale = Math.min(width / bitmap.width, maxHeight / bitmap.height, 4);
      const cssW = Math.max(1, Math.round(bitmap.width * scale));
      const cssH = Math.max(1, Math.round(bitmap.height * scale));
      const dpr = window.devicePixelRatio || 1;
      canvas.style.width = `${cssW}px`;
      canvas.style.height = `${cssH}px`;
      canvas.width = Math.round(cssW * dpr);
      canvas.height = Math.round(cssH * dpr);
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (drawn !== session.position) {
        drawn = session.position;
        root.dataset.drawn = String(drawn);
        root.dispatchEvent(new CustomEvent("nblabel:drawn", { detail: { position: drawn } }));
      }
    };

    const update = () => {
      ui.update();
      const entry = session.current;
      if (entry?.media !== undefined && (drawn !== session.position || !canvas.hidden === !entry.media)) draw();
      root.dispatchEvent(new CustomEvent("nblabel:status", { detail: { status: session.status } }));
    };
    const unsubscribe = session.subscribe(update);
    const resize = new ResizeObserver(() => draw());
    resize.observe(stage);

    const stopKeys = captureKeys(root, (key) => {
      if (ui.help.open) {
        if (key === "Escape" || key === "?") ui.help.toggle(false);
        return true;
      }
      if (/^[1-9]$/.test(key)) {
        onLabel(Number(key) - 1);
      } else if (key === "0" || key === "Backspace" || key === "Delete") {
        onClear();
      } else if (key === "a") {
        const best = session.visibleSuggestions("label")[0];
        if (best) onAccept(best);
      } else if (key === "n" || key === "ArrowRight") {
        session.goto(session.position + 1);
      } else if (key === "p" || key === "ArrowLeft") {
        session.goto(session.position - 1);
      } else if (key === "z" || key === "Ctrl+z") {
        session.undo();
      } else if (key === "Shift+Z" || key === "y" || key === "Ctrl+y" || key === "Ctrl+Shift+Z") {
        session.redo();
      } else if (key === "?") {
        ui.help.toggle();
      } else {
        return false;
      }
      return true;
    });
    root.addEventListener("pointerdown", () => root.focus({ preventScroll: true }));

    update();
    draw();
    session.start();
    return () => {
      unsubscribe();
      resize.disconnect();
      stopKeys();
    };
  },
};
