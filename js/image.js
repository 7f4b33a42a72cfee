// ImageAnnotator's page: the image on a canvas; whole-image labels by key or button and,
// with tools, boxes, polygons and brush masks drawn in the browser with zoom and pan.
// The pieces: image/view.js (pixel transform), image/shapes.js and image/mask.js
// (geometry), image/editor.js (the tools), image/render.js (drawing), image/stage.js
// (canvases, pointer and wheel).

import "./nblabel.css";
import "./image/image.css";
import { regionStage } from "./image/stage.js";
import { SLICE_HELP, noteFrame, stackControl } from "./image/stack.js";
import { WINDOW_HELP, attachValues, windowControl } from "./image/windowing.js";
import { acceptItemLabel, chooseItemLabel } from "./lib/labels.js";
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
  ["z / Ctrl+z", "undo"],
  ["Shift+z / y / Ctrl+y", "redo"],
  ["?", "show or hide this help"],
  ["Esc", "close this help"],
  ...WINDOW_HELP,
  ...SLICE_HELP,
];

/** @type {import("./lib/ui.js").HelpRow[]} */
const REGION_HELP = [
  ["1 – 9", "label of the next shape; with a shape selected, give it that label"],
  ["Shift+1 – 9", "toggle the k-th whole-image label"],
  ["0", "remove this item's whole-image labels"],
  ["v", "select tool: click a shape to select it, drag it to move, drag a handle to resize; drag the empty image to pan"],
  ["b", "box tool: drag to draw a box"],
  ["g", "polygon tool: click the vertices, click the first one (or Enter, or double-click) to close"],
  ["r", "brush tool: drag to paint a mask; Shift+drag erases"],
  ["e", "toggle the eraser (brush)"],
  ["[ / ]", "smaller / bigger brush"],
  ["drag an edge / Alt+click a vertex", "insert / delete a polygon vertex (selected polygon)"],
  ["Delete / Backspace", "delete the selected shape (reject a selected suggestion); remove the last vertex while drawing"],
  ["Arrows", "nudge the selected box or polygon by 1 pixel (Shift: 10)"],
  ["Esc", "stop drawing a polygon, else deselect (or close this help)"],
  ["Enter", "close the polygon being drawn"],
  ["wheel / + / −", "zoom in and out"],
  ["f", "fit the image to the view"],
  ["Space+drag / middle drag", "pan"],
  ["h", "hide or show the annotations"],
  ["o", "change the regions' opacity"],
  ["a / x", "accept / reject the selected (or best) suggestion"],
  ["n / →, p / ←", "next / previous item (arrows when nothing is selected)"],
  ["z / Ctrl+z", "undo"],
  ["Shift+z / y / Ctrl+y", "redo"],
  ["?", "show or hide this help"],
  ...WINDOW_HELP,
  ...SLICE_HELP,
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
  const bitmap = createImageBitmap(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)], { type: item.mime }));
  return bitmap.then((b) => noteFrame(attachValues(b, item, buffers), item)); // values to window; slice
}

/** @param {ImageBitmap} bitmap */
function release(bitmap) {
  bitmap.close();
}

/**
 * The label rows to send when whole-image label `label` is chosen on the current item.
 * @param {Session} session
 * @param {string} label
 * @returns {import("./lib/session.js").Change | null}
 */
export function chooseLabel(session, label) {
  const entry = session.current;
  if (!entry) return null;
  const { model } = session;
  const multi = Boolean(model.get("multi_label"));
  return chooseItemLabel(entry.rows.values(), label, { multi, toggle: !model.get("advance") });
}

export default {
  /** @type {import("@anywidget/types").Render} */
  render({ model, el }) {
    const session = sessionFor(model, decode, release);
    /** @type {string[]} */
    const tools = model.get("tools") ?? [];
    const regions = tools.length > 0;

    /** @param {number} index */
    const onWholeLabel = (index) => {
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
      const rows = session.current?.rows.values() ?? [];
      const change = acceptItemLabel(rows, suggestion.label, { multi: Boolean(model.get("multi_label")) });
      session.edit({ ...change, accepted: [suggestion.id] });
      if (model.get("advance") && !model.get("multi_label")) session.goto(session.position + 1);
    };
    /** @type {ReturnType<typeof regionStage> | null} */
    let stageView = null;
    /** @param {number} index */
    const onLabel = (index) => (regions && stageView ? stageView.chooseLabel(index) : onWholeLabel(index));
    const ui = frame(session, { help: regions ? REGION_HELP : HELP, onLabel, onClear, onAccept });
    const { root, stage } = ui;
    el.append(root);
    stageView = regionStage(session, root, stage, { tools, regions, onWholeLabel });
    const windowing = windowControl(session, root, stage, { drag: !regions });
    const stack = stackControl(session, stage, decode);

    const update = () => {
      ui.update();
      windowing.update();
      stack.update();
      stageView?.update();
      root.dispatchEvent(new CustomEvent("nblabel:status", { detail: { status: session.status } }));
    };
    const unsubscribe = session.subscribe(update);

    const stopKeys = captureKeys(root, (key, event) => {
      if (ui.help.open) {
        if (key === "Escape" || key === "?") ui.help.toggle(false);
        return true;
      }
      if (regions && stageView?.key(key, event)) return true;
      if (windowing.key(key) || stack.key(key)) return true;
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
    session.start();
    return () => {
      unsubscribe();
      stageView?.destroy();
      windowing.destroy();
      stack.destroy();
      stopKeys();
    };
  },
};
