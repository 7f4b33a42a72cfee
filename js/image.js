// ImageAnnotator's page: the image on a canvas; whole-image labels by key or button and,
// with tools, boxes, polygons and brush masks drawn in the browser with zoom and pan.
// The pieces: image/view.js (pixel transform), image/shapes.js and image/mask.js
// (geometry), image/editor.js (the tools), image/render.js (drawing), image/stage.js
// (canvases, pointer and wheel).

import "./nblabel.css";
import "./image/image.css";
import { assistHelp } from "./image/assist.js";
import { POINT_HELP } from "./image/points.js";
import { RELATION_HELP } from "./image/relations.js";
import { noteFrame, SLICE_BINDINGS, stackControl } from "./image/stack.js";
import { regionStage } from "./image/stage.js";
import { attachValues, WINDOW_BINDINGS, WINDOW_NOTES, windowControl } from "./image/windowing.js";
import { acceptItemLabel, chooseItemLabel } from "./lib/labels.js";
import { reviewPanel } from "./lib/review.js";
import { pageShell } from "./lib/shell.js";

/**
 * @typedef {import("./lib/session.js").Session} Session
 * @typedef {import("./lib/session.js").Row} Row
 * @typedef {import("./lib/session.js").ItemInfo} ItemInfo
 */

/** Help rows for the keys the region stage takes (image/stage.js `key`) while its tools are on
 * (x among them: its row is the one of "a", bound here). */
/** @type {import("./lib/ui.js").HelpRow[]} */
const REGION_HELP = [
  ["Shift+1 – 9", "toggle the k-th whole-image label"],
  [
    "v",
    "select tool: click a shape to select it, drag it to move, drag a handle to resize; drag the empty image to pan",
  ],
  ["b", "box tool: drag to draw a box"],
  ["g", "polygon tool: click the vertices, click the first one (or Enter, or double-click) to close"],
  ["r", "brush tool: drag to paint a mask; Shift+drag erases"],
  ["e", "toggle the eraser (brush)"],
  ["[ / ]", "smaller / bigger brush"],
  ["drag an edge / Alt+click a vertex", "insert / delete a polygon vertex (selected polygon)"],
  [
    "Delete / Backspace",
    "delete the selected shape (reject a selected suggestion); remove the last vertex while drawing",
  ],
  [
    "Arrows",
    "nudge the selected box, polygon or point by 1 pixel (Shift: 10); with nothing selected → and ← move between items",
  ],
  ["Esc", "stop drawing a polygon, else deselect"],
  ["Enter", "close the polygon being drawn"],
  ["wheel / + / −", "zoom in and out"],
  ["f", "fit the image to the view"],
  ["Space+drag / middle drag", "pan"],
  ["h", "hide or show the annotations"],
  ["o", "change the regions' opacity"],
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
    /** @type {string[]} */
    const tools = model.get("tools") ?? [];
    const regions = tools.length > 0;
    /** @type {ReturnType<typeof regionStage> | null} */
    let stageView = null;

    /** @param {number} index */
    const onWholeLabel = (index) => {
      /** @type {string[]} */
      const labels = model.get("labels");
      if (index >= labels.length || !session.current) return;
      const change = chooseLabel(session, labels[index]);
      if (change) session.edit(change);
      if (model.get("advance") && !model.get("multi_label")) session.advance();
    };
    const onClear = () => {
      const entry = session.current;
      if (!entry) return;
      const ids = [...entry.rows.values()].filter((r) => r.kind === "label").map((r) => r.id);
      if (!ids.length) return;
      session.edit({ upsert: [], delete: ids });
      shell.toast(`Removed ${ids.length === 1 ? "1 label" : `${ids.length} labels`}`);
    };
    /** @param {import("./lib/session.js").Suggestion} suggestion */
    const onAccept = (suggestion) => {
      const rows = session.current?.rows.values() ?? [];
      const change = acceptItemLabel(rows, suggestion.label, { multi: Boolean(model.get("multi_label")) });
      session.edit({ ...change, accepted: [suggestion.id] });
      if (model.get("advance") && !model.get("multi_label")) session.advance();
    };
    /** @param {number} index */
    const onLabel = (index) => (regions && stageView ? stageView.chooseLabel(index) : onWholeLabel(index));

    const shell = pageShell(model, el, {
      decode,
      release,
      next: ["n", "ArrowRight"],
      previous: ["p", "ArrowLeft"],
      clear: {
        action: onClear,
        title: regions ? "remove this item's whole-image labels" : "remove this item's labels",
        keys: ["0", "Backspace", "Delete"],
        help: regions ? ["0", "remove this item's whole-image labels"] : ["0 / Backspace", "remove this item's labels"],
      },
      onLabel,
      onAccept,
    });
    const { session, ui, root, stage, keys } = shell;
    // review=True: the annotators' versions (before the stage's keys, so Shift+a then 1–9 works)
    const review = reviewPanel(shell);
    stageView = regionStage(session, root, stage, {
      tools,
      regions,
      onWholeLabel,
      cleanup: shell.cleanup,
      team: () => review.members(),
      onTake: (m, row) => review.take(m, row),
    });
    const view = stageView;
    if (regions) keys.intercept((key, event) => view.key(key, event));
    // 16-bit, float and DICOM images: the display window; stacks: their slices.
    const windowing = windowControl(session, root, stage, { drag: !regions, cleanup: shell.cleanup });
    const stack = stackControl(session, stage, decode, shell.cleanup);
    for (const [keyNames, help] of WINDOW_BINDINGS) keys.bind(keyNames, help, (_event, key) => windowing.key(key));
    for (const [keyNames, help] of SLICE_BINDINGS) keys.bind(keyNames, help, (_event, key) => stack.key(key));
    keys.note(...WINDOW_NOTES);

    keys.bind(
      ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
      [
        "1 – 9",
        regions
          ? "label of the next shape; with a shape selected, give it that label"
          : "choose the k-th label (toggles it when several labels are allowed)",
      ],
      (event) => onLabel(Number(event.key) - 1),
    );
    keys.bind(
      ["a"],
      regions
        ? ["a / x", "accept / reject the selected (or best) suggestion"]
        : ["a", "accept the best suggestion (a model's label)"],
      () => {
        const best = session.visibleSuggestions("label")[0];
        if (best) onAccept(best);
      },
    );
    if (regions) keys.note(...REGION_HELP, ...assistHelp(tools));
    if (tools.includes("point")) keys.note(...POINT_HELP);
    if ((model.get("relations") ?? []).length) keys.note(...RELATION_HELP);
    shell.cleanup.listen(root, "pointerdown", () => root.focus({ preventScroll: true }));

    return shell.start(() => {
      ui.update();
      windowing.update();
      stack.update();
      view.update();
      root.dispatchEvent(new CustomEvent("nblabel:status", { detail: { status: session.status } }));
    });
  },
};
