// The frame every nblabel widget shares: header (item, progress, saved mark),
// a stage for the widget's own view, label buttons, navigation and a help overlay.

import { h, replace } from "./dom.js";
import { colourOf, rgbTriplet } from "./palette.js";

/**
 * @typedef {import("./session.js").Session} Session
 * @typedef {[keys: string, action: string]} HelpRow
 */

/**
 * @param {Session} session
 * @param {{cleanup: import("./cleanup.js").Cleanup, onLabel: (index: number) => void,
 *   onClear: () => void, onAccept: (s: import("./session.js").Suggestion) => void,
 *   words?: {hint?: string, prev?: string, next?: string, clear?: string}}} options
 *   `words` rewords the frame's hint line and button tooltips (the page shell words the
 *   buttons from the keys bound to them). The help overlay's rows come later
 *   (`help.setRows`), once every key is bound.
 */
export function frame(session, options) {
  const { cleanup } = options;
  const model = session.model;
  const words = options.words ?? {};
  const name = h("span", { class: "nbl-name" });
  const meta = h("span", { class: "nbl-meta" });
  const progress = h("span", { class: "nbl-progress" });
  const errors = h("span", { class: "nbl-errors" });
  const saved = h("span", { class: "nbl-saved", role: "status", "aria-live": "polite" });
  const header = h(
    "div",
    { class: "nbl-header" },
    name,
    meta,
    h("span", { class: "nbl-spacer" }),
    errors,
    progress,
    saved,
  );
  const stage = h("div", { class: "nbl-stage" });
  const notice = h("div", { class: "nbl-notice", role: "alert" });
  const labelBar = h("div", { class: "nbl-labels", role: "toolbar", "aria-label": "labels" });
  const suggestionList = h("span", { class: "nbl-suggestion-list" });
  const threshold = h("input", {
    type: "range",
    min: 0,
    max: 1,
    step: 0.05,
    class: "nbl-threshold",
    "aria-label": "score threshold",
    title: "Hide suggestions that score below this",
    oninput: () => {
      model.set("threshold", Number(threshold.value));
      model.save_changes();
      session.notify();
    },
  });
  const thresholdText = h("span", { class: "nbl-threshold-value" });
  const suggestionBar = h(
    "div",
    { class: "nbl-suggestions", hidden: true },
    h("span", { class: "nbl-muted" }, "Suggested:"),
    suggestionList,
    h("span", { class: "nbl-spacer" }),
    h("label", { class: "nbl-muted" }, "min score ", threshold),
    thresholdText,
  );
  const position = h("span", { class: "nbl-position" });
  const button = (/** @type {string} */ text, /** @type {string} */ title, /** @type {() => void} */ act, cls = "") =>
    h("button", { type: "button", class: `nbl-button ${cls}`, title, onclick: () => act() }, text);
  const help = helpOverlay(() => root.focus());
  const nav = h(
    "div",
    { class: "nbl-nav" },
    button("← Prev", words.prev ?? "Previous item (p or ←)", () => session.goto(session.position - 1), "nbl-prev"),
    position,
    button("Next →", words.next ?? "Next item (n or →)", () => session.goto(session.position + 1), "nbl-next"),
    h("span", { class: "nbl-spacer" }),
    button("Clear", words.clear ?? "Remove this item's labels (0 or Backspace)", options.onClear, "nbl-clear"),
    button("Undo", "Undo (z)", () => session.undo(), "nbl-undo"),
    button("Redo", "Redo (Shift+z or y)", () => session.redo(), "nbl-redo"),
    button("?", "Keyboard shortcuts (?)", () => help.toggle(), "nbl-help-button"),
  );
  const hint = h(
    "div",
    { class: "nbl-hint" },
    words.hint ?? "Click here, then label with keys 1–9 · n/p to move · ? for help",
  );
  const root = h("div", { class: "nbl-root" }, header, notice, stage, suggestionBar, labelBar, nav, hint, help.el);

  /** @type {HTMLButtonElement[]} */
  let labelButtons = [];
  const drawLabels = () => {
    /** @type {string[]} */
    const labels = model.get("labels");
    labelButtons = labels.map((label, i) =>
      h(
        "button",
        {
          type: "button",
          class: "nbl-label",
          "data-label": label,
          "aria-pressed": "false",
          title: i < 9 ? `key ${i + 1}` : "",
          style: `--nbl-rgb: ${rgbTriplet(colourOf(labels, label))}`,
          onclick: () => options.onLabel(i),
        },
        i < 9 ? h("kbd", {}, String(i + 1)) : null,
        label,
      ),
    );
    replace(labelBar, ...labelButtons);
  };
  drawLabels();
  cleanup.on(model, "change:labels", drawLabels);

  const update = () => {
    const entry = session.current;
    const n = model.get("n_items");
    root.dataset.position = String(session.position);
    root.dataset.status = session.status;
    replace(position, `${session.position + 1} of ${n}`);
    // finished (team routing): nothing is left in this annotator's queue.
    const end = model.get("finished") ? " · end of your queue" : "";
    const complete = model.get("team_complete") ?? -1;
    const team = complete >= 0 ? ` by you · team: ${complete} items complete` : "";
    replace(progress, `${model.get("n_done")} / ${n} labeled${team}${end}`);
    const nErrors = model.get("n_errors");
    replace(errors, nErrors > 0 ? `⚠ ${nErrors} unreadable` : "");
    const status = session.status;
    saved.className = `nbl-saved nbl-${status}`;
    replace(saved, status === "saved" ? "✓ Saved" : status === "saving" ? "Saving…" : "⚠ Not saved");
    if (entry) {
      replace(name, entry.item.name);
      name.title = entry.item.id;
      replace(
        meta,
        ...Object.entries(entry.item.meta ?? {}).map(([k, v]) => h("span", { class: "nbl-chip" }, `${k}: ${v}`)),
      );
    } else {
      replace(name, "Loading…");
      replace(meta);
    }
    const problems = [];
    if (session.error) problems.push(`Not saved: ${session.error}`);
    if (entry?.item.error) problems.push(entry.item.error);
    if (model.get("order_error")) problems.push(model.get("order_error"));
    for (const warning of entry?.item.warnings ?? []) problems.push(warning);
    replace(notice, ...problems.map((p) => h("div", {}, p)));
    notice.hidden = problems.length === 0;
    const all = entry ? [...entry.suggestions.values()] : [];
    const visible = session.visibleSuggestions("label");
    // Regions, spans and segments are suggested where they stand (on the image, in the
    // text, on the waveform): the bar only counts them, and its threshold filters them too.
    const inPlace = session.visibleSuggestions().length - visible.length;
    suggestionBar.hidden = all.length === 0;
    threshold.value = String(model.get("threshold") ?? 0);
    replace(thresholdText, Number(threshold.value).toFixed(2));
    replace(
      suggestionList,
      ...visible.map((s, i) =>
        h(
          "span",
          { class: "nbl-suggestion", "data-label": s.label },
          h(
            "button",
            {
              type: "button",
              class: "nbl-button nbl-accept",
              title: i === 0 ? "Accept (a)" : "Accept",
              onclick: () => options.onAccept(s),
            },
            `✓ ${s.label}`,
          ),
          s.score === undefined ? null : h("span", { class: "nbl-score" }, s.score.toFixed(2)),
          h(
            "button",
            {
              type: "button",
              class: "nbl-button nbl-reject",
              title: "Reject",
              "aria-label": `reject ${s.label}`,
              onclick: () => session.edit({ upsert: [], delete: [], rejected: [s.id] }),
            },
            "✗",
          ),
        ),
      ),
      inPlace > 0
        ? h("span", { class: "nbl-muted nbl-in-place" }, `${visible.length ? "+ " : ""}${inPlace} shown in place`)
        : null,
      visible.length === 0 && inPlace === 0 ? h("span", { class: "nbl-muted" }, "none above the threshold") : null,
    );
    const chosen = new Set([...(entry?.rows.values() ?? [])].filter((r) => r.kind === "label").map((r) => r.label));
    for (const b of labelButtons) {
      const on = chosen.has(b.dataset.label ?? "");
      b.setAttribute("aria-pressed", String(on));
      b.classList.toggle("nbl-on", on);
    }
  };
  for (const trait of ["n_done", "n_errors", "n_items", "threshold", "order_error", "finished", "team_complete"])
    cleanup.on(model, `change:${trait}`, update);
  return { root, stage, update, help };
}

/**
 * The keyboard help: a table of [keys, action] rows, hidden until asked for.
 * @param {() => void} onClose
 */
function helpOverlay(onClose) {
  const close = h("button", { type: "button", class: "nbl-button", onclick: () => toggle(false) }, "Close");
  const body = h("tbody");
  const el = h(
    "div",
    { class: "nbl-help", role: "dialog", "aria-label": "Keyboard shortcuts", hidden: true },
    h("h3", {}, "Keyboard shortcuts"),
    h("table", {}, body),
    close,
  );
  /** @param {boolean} [show] */
  const toggle = (show) => {
    el.hidden = !(show ?? el.hidden);
    if (el.hidden) onClose();
  };
  /** @param {HelpRow[]} rows */
  const setRows = (rows) =>
    replace(body, ...rows.map(([keys, action]) => h("tr", {}, h("td", {}, h("kbd", {}, keys)), h("td", {}, action))));
  return {
    el,
    toggle,
    setRows,
    get open() {
      return !el.hidden;
    },
  };
}
