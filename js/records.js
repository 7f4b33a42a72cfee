// RecordAnnotator's page: one DataFrame row as a card (formatted by the kernel, see
// src/nblabel/widgets/records.py), whole-record labels by key or button, the shared
// session (cache, optimistic edits, undo) and frame from js/lib/.

import "./nblabel.css";
import "./records/records.css";
import { parseCard } from "./records/align.js";
import { cardView } from "./records/card.js";
import { acceptItemLabel, chooseItemLabel } from "./lib/labels.js";
import { captureKeys } from "./lib/keys.js";
import { sessionFor } from "./lib/session.js";
import { frame } from "./lib/ui.js";

/**
 * @typedef {import("./lib/session.js").ItemInfo} ItemInfo
 * @typedef {import("./records/align.js").Card} Card
 */

/** @type {import("./lib/ui.js").HelpRow[]} */
const HELP = [
  ["1 – 9", "choose the k-th label (toggles it when several labels are allowed)"],
  ["0 / Backspace", "remove this record's labels"],
  ["a", "accept the best suggestion (a model's label)"],
  ["n / →", "next record"],
  ["p / ←", "previous record"],
  ["z / Ctrl+z", "undo"],
  ["Shift+z / y / Ctrl+y", "redo"],
  ["?", "show or hide this help"],
  ["Esc", "close this help"],
];

/**
 * The card of an item from its one binary buffer.
 * @param {ItemInfo} _item
 * @param {DataView[]} buffers
 * @returns {Promise<Card>}
 */
async function decode(_item, buffers) {
  const view = buffers[0];
  return parseCard(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

export default {
  /** @type {import("@anywidget/types").Render} */
  render({ model, el }) {
    const session = sessionFor(model, decode);
    const multi = () => Boolean(model.get("multi_label"));
    const moveOn = () => {
      if (model.get("advance") && !multi()) session.goto(session.position + 1);
    };

    /** @param {number} index */
    const onLabel = (index) => {
      /** @type {string[]} */
      const labels = model.get("labels");
      const entry = session.current;
      if (index >= labels.length || !entry || entry.item.error) return;
      const change = chooseItemLabel(entry.rows.values(), labels[index], { multi: multi(), toggle: !model.get("advance") });
      if (change) session.edit(change);
      moveOn();
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
      const change = acceptItemLabel(rows, suggestion.label, { multi: multi() });
      session.edit({ ...change, accepted: [suggestion.id] });
      moveOn();
    };
    const words = {
      hint: "Click here, then label with keys 1–9 · n/p to move · ? for help",
      prev: "Previous record (p or ←)",
      next: "Next record (n or →)",
      clear: "Remove this record's labels (0 or Backspace)",
    };
    const ui = frame(session, { help: HELP, onLabel, onClear, onAccept, words });
    const { root, stage } = ui;
    root.classList.add("nbl-records");
    const card = cardView(stage);
    el.append(root);

    let drawnPosition = -1;
    /** @type {Card | null} */
    let shown = null;
    const update = () => {
      ui.update();
      const entry = session.current;
      const media = /** @type {Card | null} */ (entry?.media ?? null);
      const failed = Boolean(entry?.item.error);
      stage.classList.toggle("nbl-loading", !failed && !media);
      if (media !== shown || failed) {
        shown = failed ? null : media;
        card.show(shown);
        stage.scrollTop = 0;
      }
      if ((media || failed) && drawnPosition !== session.position) {
        drawnPosition = session.position;
        root.dataset.drawn = String(drawnPosition);
        root.dispatchEvent(new CustomEvent("nblabel:drawn", { detail: { position: drawnPosition } }));
      }
      root.dispatchEvent(new CustomEvent("nblabel:status", { detail: { status: session.status } }));
    };
    const unsubscribe = session.subscribe(update);

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
    const onPointer = () => root.focus({ preventScroll: true });
    root.addEventListener("pointerdown", onPointer);

    update();
    session.start();
    return () => {
      unsubscribe();
      stopKeys();
      root.removeEventListener("pointerdown", onPointer);
    };
  },
};
