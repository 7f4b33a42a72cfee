// The frame every nblabel widget shares: header (item, progress, saved mark),
// a stage for the widget's own view, label buttons, navigation and a help overlay.

import { h, replace } from "./dom.js";
import { newId } from "./ids.js";
import { markdown } from "./markdown.js";
import { colourOf, rgbTriplet } from "./palette.js";

/**
 * @typedef {import("./session.js").Session} Session
 * @typedef {[keys: string, action: string]} HelpRow
 * @typedef {{color?: string, hotkey?: string, description?: string}} LabelSpec a label's spec (labels= in Python)
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
  const left = h("span", { class: "nbl-left" });
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
    left,
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
    button("Next →", words.next ?? "Next item (n or →)", () => nextItem(), "nbl-next"),
    h("span", { class: "nbl-spacer" }),
    button("Clear", words.clear ?? "Remove this item's labels (0 or Backspace)", options.onClear, "nbl-clear"),
    button("Skip", "Skip this item, with an optional reason (k)", () => skip.open(), "nbl-skip-button"),
    button("Undo", "Undo (z)", () => session.undo(), "nbl-undo"),
    button("Redo", "Redo (Shift+z or y)", () => session.redo(), "nbl-redo"),
    button("?", "Keyboard shortcuts (?)", () => help.toggle(), "nbl-help-button"),
  );
  const hint = h(
    "div",
    { class: "nbl-hint" },
    words.hint ?? "Click here, then label with keys 1–9 · n/p to move · ? for help",
  );
  const nextItem = () => {
    if (session.position >= model.get("n_items") - 1) session.gotoUnlabeled(1, { wrap: false });
    else session.goto(session.position + 1);
  };

  // The end of the queue: how far the annotator is, and the way on or back.
  const endText = h("div", { class: "nbl-queue-end-text" });
  const endButtons = h("div", { class: "nbl-queue-end-buttons" });
  const queueEnd = h(
    "div",
    { class: "nbl-queue-end", role: "status", "aria-live": "polite", hidden: true },
    endText,
    endButtons,
  );
  stage.append(queueEnd);
  const closeEnd = () => {
    session.queueEnd = null;
    session.notify();
    root.focus({ preventScroll: true });
  };
  const drawQueueEnd = () => {
    const end = session.queueEnd;
    queueEnd.hidden = !end;
    if (!end) return;
    const count = (/** @type {number} */ k) => k.toLocaleString("en");
    const skipped = end.skipped ? ` · ${count(end.skipped)} skipped` : "";
    // team routing: the items left are those this annotator may still take
    const routed = (model.get("team_complete") ?? -1) >= 0 || model.get("review");
    replace(
      endText,
      end.left === 0 && routed
        ? `Nothing is left for you now · ${count(end.done)} labeled by you${skipped}`
        : end.left === 0
          ? `All ${count(end.items)} items labeled${skipped}`
          : `${end.step > 0 ? "End" : "Start"} of the queue · ${count(end.left)} left to label${skipped}`,
    );
    replace(
      endButtons,
      end.left > 0
        ? button(
            "Next unlabeled (u)",
            "Go to the next item not labeled yet (u)",
            () => session.gotoUnlabeled(1),
            "nbl-end-unlabeled",
          )
        : null,
      button("Back to the first item", "Review from the start", () => session.goto(0), "nbl-end-first"),
      button("Stay here", "Close this message (Esc)", closeEnd, "nbl-end-close"),
    );
  };

  // Skip, with an optional reason: a row of kind "skip" (label "skip", the reason in text).
  const skip = skipBar(session, () => root.focus({ preventScroll: true }));
  // A comment on the item ("ask the expert"): a row of kind "comment", its text in text.
  const comment = commentField(session, () => root.focus({ preventScroll: true }));

  // What the page says about keys and edits (a key waiting for its item, a key refused):
  // an ARIA live region, so that screen readers hear it too.
  const live = h("div", { class: "nbl-live", role: "status", "aria-live": "polite" });
  // "Removed 12 spans · Undo": destructive edits are undone from here (or with z).
  const toastText = h("span", { class: "nbl-toast-text" });
  const toastUndo = h(
    "button",
    { type: "button", class: "nbl-button nbl-toast-undo", title: "Undo (z)", onclick: () => undoFromToast() },
    "Undo",
  );
  const toastBox = h(
    "div",
    { class: "nbl-toast", role: "status", "aria-live": "polite", hidden: true },
    toastText,
    " ",
    toastUndo,
  );
  // The instructions (instructions= in Python): collapsible, above the item, and in the help.
  const instructionsBody = h("div", { class: "nbl-instructions-body" });
  const instructions = h(
    "details",
    { class: "nbl-instructions", open: true },
    h("summary", {}, "Instructions"),
    instructionsBody,
  );
  const drawInstructions = () => {
    const text = String(model.get("instructions") ?? "");
    instructions.hidden = !text.trim();
    replace(instructionsBody, ...markdown(text));
    help.setInstructions(text);
  };
  const root = h(
    "div",
    { class: "nbl-root" },
    instructions,
    header,
    notice,
    stage,
    suggestionBar,
    labelBar,
    nav,
    skip.el,
    comment.el,
    live,
    hint,
    toastBox,
    help.el,
  );
  let toastTimer = 0;
  const hideToast = () => {
    toastBox.hidden = true;
    window.clearTimeout(toastTimer);
  };
  cleanup.add(hideToast);
  const undoFromToast = () => {
    hideToast();
    session.undo();
    session.notify();
    root.focus({ preventScroll: true });
  };
  /**
   * Show `message` with an Undo button for a few seconds (the edit is undone by the
   * session's undo, so z does the same).
   * @param {string} message
   */
  const toast = (message) => {
    replace(toastText, message);
    toastBox.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(hideToast, 8000);
  };
  /** @param {string} message what the live status line says ("" clears it) */
  const announce = (message) => {
    replace(live, message);
    // what the line said, kept for tests and benchmarks (the line itself changes fast)
    const host = /** @type {any} */ (root);
    if (!host.nblabelSaid) host.nblabelSaid = [];
    /** @type {string[]} */
    const said = host.nblabelSaid;
    if (message) said.push(message);
    if (said.length > 200) said.shift();
  };

  /** @type {HTMLButtonElement[]} */
  let labelButtons = [];
  const drawLabels = () => {
    /** @type {string[]} */
    const labels = model.get("labels");
    /** @type {Record<string, LabelSpec>} */
    const specs = model.get("label_specs") ?? {};
    labelButtons = labels.map((label, i) => {
      const spec = specs[label] ?? {};
      const keys = [i < 9 ? String(i + 1) : null, spec.hotkey ?? null].filter((k) => k !== null);
      const tip = [spec.description, keys.length ? `key ${keys.join(" or ")}` : ""].filter(Boolean).join(" · ");
      return h(
        "button",
        {
          type: "button",
          class: "nbl-label",
          "data-label": label,
          "aria-pressed": "false",
          title: tip,
          style: `--nbl-rgb: ${rgbTriplet(colourOf(labels, label, specs))}`,
          onclick: () => options.onLabel(i),
        },
        h("span", { class: "nbl-swatch", "aria-hidden": "true" }),
        keys.length ? h("kbd", {}, spec.hotkey ?? String(i + 1)) : null,
        label,
      );
    });
    replace(labelBar, ...labelButtons);
  };
  drawLabels();
  cleanup.on(model, "change:label_specs", drawLabels);
  drawInstructions();
  cleanup.on(model, "change:instructions", drawInstructions);
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
    replace(left, `· ${Math.max(0, n - model.get("n_done")).toLocaleString("en")} left`);
    drawQueueEnd();
    comment.update();
    skip.update();
    const nErrors = model.get("n_errors");
    replace(errors, nErrors > 0 ? `⚠ ${nErrors} unreadable` : "");
    const status = session.status;
    saved.className = `nbl-saved nbl-${status}`;
    // "✓ Saved" answers an edit: before the kernel has saved one, there is nothing to say.
    const mark =
      status === "saved" ? (session.savedOnce ? "✓ Saved" : "") : status === "saving" ? "Saving…" : "⚠ Not saved";
    replace(saved, mark);
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
  const picker = labelPicker(
    model,
    (i) => options.onLabel(i),
    () => root.focus({ preventScroll: true }),
  );
  root.append(picker.el);
  return { root, stage, update, help, toast, announce, skip, comment, closeEnd, picker };
}

/**
 * The keyboard help: a table of [keys, action] rows, hidden until asked for.
 * @param {() => void} onClose
 */
function helpOverlay(onClose) {
  const close = h("button", { type: "button", class: "nbl-button", onclick: () => toggle(false) }, "Close");
  const body = h("tbody");
  const about = h("div", { class: "nbl-help-instructions" });
  const el = h(
    "div",
    { class: "nbl-help", role: "dialog", "aria-label": "Keyboard shortcuts", hidden: true },
    about,
    h("h3", {}, "Keyboard shortcuts"),
    h("table", {}, body),
    close,
  );
  /** @param {string} text */
  const setInstructions = (text) =>
    text.trim() ? replace(about, h("h3", {}, "Instructions"), ...markdown(text)) : replace(about);
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
    setInstructions,
    get open() {
      return !el.hidden;
    },
  };
}

/**
 * The item's rows of one kind.
 * @param {Session} session @param {string} kind
 * @returns {import("./session.js").Row[]}
 */
function rowsOfKind(session, kind) {
  return [...(session.current?.rows.values() ?? [])].filter((r) => r.kind === kind);
}

/**
 * The skip bar: "k" (or the Skip button) opens it with the reason field focused; Enter
 * skips (replacing an earlier skip of the item) and moves on, Esc closes it. The item's
 * skip, when there is one, is shown with a button to take it back.
 * @param {Session} session
 * @param {() => void} refocus
 */
function skipBar(session, refocus) {
  const reason = h("input", {
    type: "text",
    class: "nbl-skip-reason",
    placeholder: "why? (optional) · Enter skips · Esc cancels",
    "aria-label": "reason for skipping",
  });
  const form = h("span", { class: "nbl-skip-form", hidden: true }, reason);
  const state = h("span", { class: "nbl-skip-state" });
  const unskip = h(
    "button",
    { type: "button", class: "nbl-button nbl-unskip", title: "Take the skip back", onclick: () => take() },
    "Unskip",
  );
  const el = h("div", { class: "nbl-skip", hidden: true }, form, state, unskip);
  const take = () => {
    const old = rowsOfKind(session, "skip");
    if (old.length) session.edit({ upsert: [], delete: old.map((r) => r.id) });
    refocus();
  };
  const close = () => {
    form.hidden = true;
    update();
    refocus();
  };
  const confirm = () => {
    const text = reason.value.trim();
    const old = rowsOfKind(session, "skip");
    /** @type {import("./session.js").Row} */
    const row = { id: newId(), kind: "skip", label: "skip" };
    if (text) row.text = text;
    session.edit({ upsert: [row], delete: old.map((r) => r.id) });
    reason.value = "";
    close();
    session.advance();
  };
  reason.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      confirm();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  const update = () => {
    const skipped = rowsOfKind(session, "skip")[0];
    replace(state, skipped ? `Skipped${skipped.text ? `: ${skipped.text}` : ""}` : "");
    unskip.hidden = !skipped || !form.hidden;
    el.hidden = form.hidden && !skipped;
  };
  return {
    el,
    update,
    open() {
      if (!session.current) return;
      form.hidden = false;
      el.hidden = false;
      unskip.hidden = true;
      reason.focus();
    },
  };
}

/**
 * The comment field: Enter (or leaving the field) saves the item's comment, an empty
 * field removes it; Esc goes back to the item without saving.
 * @param {Session} session
 * @param {() => void} refocus
 */
function commentField(session, refocus) {
  const input = h("input", {
    type: "text",
    class: "nbl-comment",
    placeholder: "Comment on this item (c) · Enter saves",
    "aria-label": "comment on this item",
  });
  const el = h("div", { class: "nbl-comment-bar" }, input);
  let shownFor = "";
  const save = () => {
    const entry = session.current;
    if (!entry) return;
    const text = input.value.trim();
    const old = rowsOfKind(session, "comment")[0];
    if ((old?.text ?? "") === text) return;
    if (!text) session.edit({ upsert: [], delete: old ? [old.id] : [] });
    else session.edit({ upsert: [{ id: old?.id ?? newId(), kind: "comment", label: "comment", text }], delete: [] });
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      save();
      refocus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      shownFor = "";
      update();
      refocus();
    }
  });
  input.addEventListener("change", save);
  const update = () => {
    const entry = session.current;
    const key = entry ? `${entry.item.id}:${rowsOfKind(session, "comment")[0]?.text ?? ""}` : "";
    if (key === shownFor || document.activeElement === input) return;
    shownFor = key;
    input.value = rowsOfKind(session, "comment")[0]?.text ?? "";
  };
  return { el, update, focus: () => input.focus() };
}

/**
 * The label picker ("/"): type a few letters of a label, Enter chooses the highlighted one
 * (↑ / ↓ move, Esc closes); keyboard-only, for widgets with more labels than digit keys.
 * @param {import("@anywidget/types").AnyModel} model
 * @param {(index: number) => void} choose
 * @param {() => void} refocus
 * @param {{labels: string, specs: string, noun: string}} [source] the traits holding the
 *   names and their specs, and what a name is called (default: the widget's labels)
 */
export function labelPicker(
  model,
  choose,
  refocus,
  source = { labels: "labels", specs: "label_specs", noun: "label" },
) {
  const input = h("input", {
    type: "text",
    class: "nbl-picker-input",
    placeholder: `type to find a ${source.noun} · Enter chooses · Esc closes`,
    "aria-label": `find a ${source.noun}`,
    role: "combobox",
    "aria-expanded": "true",
    "aria-controls": "",
  });
  const list = h("ul", { class: "nbl-picker-list", role: "listbox", "aria-label": "labels" });
  const el = h("div", { class: "nbl-picker", hidden: true }, input, list);
  /** @type {number[]} label indices shown, best first */
  let shown = [];
  let active = 0;
  const draw = () => {
    /** @type {string[]} */
    const labels = model.get(source.labels);
    /** @type {Record<string, LabelSpec>} */
    const specs = model.get(source.specs) ?? {};
    const q = input.value.trim().toLowerCase();
    const score = (/** @type {string} */ label) => {
      const l = label.toLowerCase();
      if (!q) return 1;
      if (l.startsWith(q)) return 3;
      if (l.split(/[\s_-]+/).some((w) => w.startsWith(q))) return 2;
      return l.includes(q) ? 1 : 0;
    };
    shown = labels
      .map((label, i) => ({ i, s: score(label) }))
      .filter((x) => x.s > 0)
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .map((x) => x.i);
    active = Math.min(active, Math.max(0, shown.length - 1));
    replace(
      list,
      ...shown.map((i, k) =>
        h(
          "li",
          {
            class: `nbl-picker-item${k === active ? " nbl-on" : ""}`,
            role: "option",
            "aria-selected": String(k === active),
            "data-label": labels[i],
            title: specs[labels[i]]?.description ?? "",
            style: `--nbl-rgb: ${rgbTriplet(colourOf(labels, labels[i], specs))}`,
            onmousedown: (/** @type {Event} */ e) => {
              e.preventDefault();
              pick(i);
            },
          },
          h("span", { class: "nbl-swatch", "aria-hidden": "true" }),
          labels[i],
        ),
      ),
      shown.length ? null : h("li", { class: "nbl-muted" }, `no ${source.noun} matches`),
    );
  };
  const close = () => {
    el.hidden = true;
    input.value = "";
    refocus();
  };
  const pick = (/** @type {number} */ i) => {
    close();
    choose(i);
  };
  input.addEventListener("input", () => {
    active = 0;
    draw();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      if (shown.length) pick(shown[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const n = Math.max(1, shown.length);
      active = (active + (event.key === "ArrowDown" ? 1 : n - 1)) % n;
      draw();
    }
  });
  input.addEventListener("blur", () => {
    if (!el.hidden) {
      el.hidden = true;
      input.value = "";
    }
  });
  return {
    el,
    open() {
      el.hidden = false;
      active = 0;
      draw();
      input.focus();
    },
  };
}
