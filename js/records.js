// RecordAnnotator's page: one DataFrame row as a card (formatted by the kernel, see
// src/nblabel/widgets/records.py), whole-record labels by key or button, in the shared
// page shell (session, frame, keys, cleanup) from js/lib/.

import "./nblabel.css";
import "./records/records.css";
import { acceptItemLabel, chooseItemLabel } from "./lib/labels.js";
import { pageShell } from "./lib/shell.js";
import { parseCard } from "./records/align.js";
import { cardView } from "./records/card.js";

/**
 * @typedef {import("./lib/session.js").ItemInfo} ItemInfo
 * @typedef {import("./records/align.js").Card} Card
 */

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
      const change = chooseItemLabel(entry.rows.values(), labels[index], {
        multi: multi(),
        toggle: !model.get("advance"),
      });
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

    const shell = pageShell(model, el, {
      decode,
      noun: "record",
      next: ["n", "ArrowRight"],
      previous: ["p", "ArrowLeft"],
      clear: {
        action: onClear,
        title: "remove this record's labels",
        keys: ["0", "Backspace", "Delete"],
        help: ["0 / Backspace", "remove this record's labels"],
      },
      onLabel,
      onAccept,
    });
    const { session, ui, root, stage, keys } = shell;
    root.classList.add("nbl-records");
    const card = cardView(stage);

    keys.bind(
      ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
      ["1 – 9", "choose the k-th label (toggles it when several labels are allowed)"],
      (event) => onLabel(Number(event.key) - 1),
    );
    keys.bind(["a"], ["a", "accept the best suggestion (a model's label)"], () => {
      const best = session.visibleSuggestions("label")[0];
      if (best) onAccept(best);
    });
    shell.cleanup.listen(root, "pointerdown", () => root.focus({ preventScroll: true }));

    let drawnPosition = -1;
    /** @type {Card | null} */
    let shown = null;
    return shell.start(() => {
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
    });
  },
};
