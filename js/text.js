// TextAnnotator's page: a document with stacked span marks; select by mouse or
// keys, tag with 1-9, document labels with Shift+1-9. Offsets are UTF-16 units
// here; the kernel converts them to Python str indices (see widgets/text.py).

import "./nblabel.css";
import "./text.css";
import { h, replace } from "./lib/dom.js";
import { layoutLanes } from "./lib/lanes.js";
import { colourOf, rgbTriplet } from "./lib/palette.js";
import { reviewPanel } from "./lib/review.js";
import { pageShell } from "./lib/shell.js";
import { acceptSuggestion, cycle, tagSelection, toggleDocLabel } from "./text/edits.js";
import { marksAt } from "./text/layout.js";
import { charUnits, moveSelection, snapToChars, snapToTokens, tokenUnits } from "./text/offsets.js";
import { withRelations } from "./text/relate.js";
import { relationTool } from "./text/relations.js";
import { documentView } from "./text/view.js";

/**
 * @typedef {import("./lib/session.js").Session} Session
 * @typedef {import("./lib/session.js").Row} Row
 * @typedef {import("./lib/session.js").Suggestion} Suggestion
 * @typedef {import("./lib/session.js").ItemInfo} ItemInfo
 * @typedef {import("./text/offsets.js").Range} Range
 * @typedef {import("./text/view.js").Mark} Mark
 * @typedef {{text: string, tokens: Int32Array}} Doc
 */

/**
 * The text and tokens of an item, from its two binary buffers.
 * @param {ItemInfo} _item
 * @param {DataView[]} buffers
 * @returns {Promise<Doc>}
 */
async function decode(_item, buffers) {
  const [t, k] = buffers;
  const text = t
    ? new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array(t.buffer, t.byteOffset, t.byteLength))
    : "";
  const tokens =
    k && k.byteLength >= 4
      ? new Int32Array(k.buffer.slice(k.byteOffset, k.byteOffset + k.byteLength))
      : new Int32Array(0);
  return { text, tokens };
}

/** @param {string} text */
function quote(text) {
  const flat = text.replace(/\s+/g, " ");
  return `“${flat.length > 80 ? `${flat.slice(0, 79)}…` : flat}”`;
}

export default {
  /** @type {import("@anywidget/types").Render} */
  render({ model, el }) {
    const shell = pageShell(model, el, {
      decode,
      noun: "document",
      // `0` clears whole-item labels in every widget (here: the document's labels); the
      // Clear button removes every span too, with an Undo toast.
      clear: { action: () => onClear(), title: "remove all of this document's spans and labels" },
      onLabel: (index) => onLabel(index),
      onAccept: (s) => onAccept(s),
      onHistory: () => {
        dirty = true;
        update();
      },
      hint: "Click here, select text, then tag it with 1–9 · Shift+1–9 label the document · n/p to move · ? for help",
    });
    const { session, ui, root, stage, keys, cleanup } = shell;
    // review=True: the annotators' spans beside the reviewer's (before the keys below)
    // (an accept or a take is an edit of the page: the spans are drawn again)
    const review = reviewPanel(shell, { noun: "document", onEdit: () => (dirty = true) });
    /** the annotators' spans drawn, by mark id: a click on one takes it (a merge) */
    /** @type {Map<string, {m: import("./lib/review.js").Member, r: Row}>} */
    const teamSpans = new Map();
    if (model.get("review")) keys.note(["click an annotator's span", "review: take it into your spans"]);
    /** @type {unknown} */
    let lastTeam = null;
    /** @type {Range | null} */
    let sel = null;
    /** @type {string | null} */
    let activeId = null;
    let caret = 0;
    /** @type {Mark[]} */
    let marks = [];
    /** @type {Map<string, number>} */
    let lanes = new Map();
    let dirty = true;
    /** @type {any} */
    let shownMedia = null;
    let shownPosition = -1;
    /** @type {unknown} */
    let lastRows = null;
    /** @type {unknown} */
    let lastSuggestions = null;

    const rowsOf = () => session.current?.rows ?? new Map();
    const doc = () => /** @type {Doc | null} */ (session.current?.media ?? null);
    const labels = () => /** @type {string[]} */ (model.get("labels"));
    /** @param {string} label the label's colour as the "r, g, b" of --nbl-rgb */
    const tint = (label) => rgbTriplet(colourOf(labels(), label, model.get("label_specs")));
    const activeRow = () => (activeId ? rowsOf().get(activeId) : undefined);
    const activeSuggestion = () => (activeId ? session.current?.suggestions.get(activeId) : undefined);

    /** @param {import("./lib/session.js").Change | null} change */
    const edit = (change) => {
      if (!change) return;
      session.edit(withRelations(rowsOf(), change)); // a span's relations go with it
      dirty = true;
    };

    /** @param {number} index */
    const onLabel = (index) => {
      const names = labels();
      if (index >= names.length || !session.current || !doc()) return;
      const row = activeRow();
      const suggestion = activeSuggestion();
      const change = tagSelection(rowsOf(), sel, names[index], { row, suggestion });
      if (!change) {
        // Already tagged so: show that span selected rather than do nothing.
        const range = sel;
        const same =
          range &&
          [...rowsOf().values()].find(
            (r) => r.kind === "span" && r.label === names[index] && r.start === range.start && r.end === range.end,
          );
        if (same && !row) {
          activeId = same.id;
          update();
        }
        return;
      }
      edit(change);
      const made = change.upsert[0];
      if (made) {
        activeId = made.id;
        sel = { start: made.start, end: made.end };
        caret = sel.end;
      } else {
        activeId = null;
      }
      update();
    };
    /** @param {number} index */
    const onDocLabel = (index) => {
      /** @type {string[]} */
      const names = model.get("doc_labels");
      if (index >= names.length || !session.current) return;
      const multi = model.get("multi_label");
      edit(toggleDocLabel(rowsOf(), names[index], multi));
      if (model.get("advance") && !multi) session.advance();
      update();
    };
    /** @param {(row: import("./lib/session.js").Row) => boolean} which */
    const removeRows = (which) => {
      const gone = [...rowsOf().values()].filter(which);
      if (!gone.length) return;
      edit({ upsert: [], delete: gone.map((r) => r.id) });
      const spans = gone.filter((r) => r.kind === "span").length;
      const links = gone.filter((r) => r.kind === "relation").length;
      const other = gone.length - spans - links;
      const parts = [];
      if (spans) parts.push(spans === 1 ? "1 span" : `${spans} spans`);
      if (links) parts.push(links === 1 ? "1 relation" : `${links} relations`);
      if (other) parts.push(other === 1 ? "1 document label" : `${other} document labels`);
      shell.toast(`Removed ${parts.join(" and ")}`);
      if (activeId && gone.some((r) => r.id === activeId)) activeId = null;
      update();
    };
    const onClear = () => removeRows((r) => r.kind === "span" || r.kind === "label" || r.kind === "relation");
    const onClearDocLabels = () => removeRows((r) => r.kind === "label");
    /** @param {Suggestion} s */
    const onAccept = (s) => {
      const change = acceptSuggestion(rowsOf(), s, model.get("multi_label"));
      edit(change);
      if (activeId === s.id) activeId = null;
      const made = s.kind === "span" ? change.upsert[0] : undefined;
      if (made) {
        activeId = made.id;
        sel = { start: made.start, end: made.end };
        caret = sel.end;
      }
      update();
    };
    /** @param {Suggestion} s */
    const onReject = (s) => {
      edit({ upsert: [], delete: [], rejected: [s.id] });
      if (activeId === s.id) activeId = null;
      update();
    };
    const onDelete = () => {
      const row = activeRow();
      const s = activeSuggestion();
      if (row) edit({ upsert: [], delete: [row.id] });
      else if (s) onReject(s);
      else return;
      activeId = null;
      sel = null;
      update();
    };

    root.classList.add("nbl-text");
    const scroller = h("div", { class: "nbl-doc", role: "document", "aria-label": "document" });
    const empty = h("div", { class: "nbl-empty", hidden: true });
    stage.append(scroller, empty);
    const view = documentView(scroller);
    const relations = relationTool({
      model,
      shell,
      view,
      scroller,
      rows: rowsOf,
      text: () => doc()?.text ?? "",
      spans: () => marks,
      activeSpan: () => (activeRow()?.kind === "span" ? activeRow() : undefined),
      clearSpan: () => {
        activeId = null;
        sel = null;
      },
      edit: (change) => edit(change),
      update: () => update(),
    });

    const info = h("div", { class: "nbl-info", "aria-live": "polite" });
    const docButtons = h("span", { class: "nbl-doclabel-list" });
    const snapBox = h("input", {
      type: "checkbox",
      class: "nbl-snap",
      onchange: () => {
        model.set("snap", snapBox.checked);
        model.save_changes();
        root.focus({ preventScroll: true });
      },
    });
    const docBar = h(
      "div",
      { class: "nbl-docbar", role: "toolbar", "aria-label": "document labels" },
      h("span", { class: "nbl-muted nbl-doclabel-title" }, "Document:"),
      docButtons,
      h("span", { class: "nbl-spacer" }),
      h("label", { class: "nbl-muted", title: "Snap selections to whole tokens (s)" }, snapBox, " snap to tokens"),
    );
    const labelBar = root.querySelector(".nbl-labels");
    labelBar?.before(info);
    labelBar?.after(docBar);

    /** @type {HTMLButtonElement[]} */
    let docLabelButtons = [];
    const drawDocLabels = () => {
      /** @type {string[]} */
      const names = model.get("doc_labels");
      docLabelButtons = names.map((label, i) =>
        h(
          "button",
          {
            type: "button",
            class: "nbl-label nbl-doclabel",
            "data-label": label,
            "aria-pressed": "false",
            title: i < 9 ? `Shift+${i + 1}` : "",
            onclick: () => onDocLabel(i),
          },
          i < 9 ? h("kbd", {}, `⇧${i + 1}`) : null,
          label,
        ),
      );
      replace(docButtons, ...docLabelButtons);
      docBar.hidden = false;
      docBar.classList.toggle("nbl-no-doclabels", names.length === 0);
    };
    drawDocLabels();
    cleanup.on(model, "change:doc_labels", drawDocLabels);

    const computeMarks = () => {
      const entry = session.current;
      /** @type {Mark[]} */
      const out = [];
      for (const r of entry?.rows.values() ?? []) {
        if (r.kind !== "span") continue;
        out.push({
          id: r.id,
          start: r.start,
          end: r.end,
          label: r.label,
          rgb: tint(r.label),
          suggestion: false,
          lane: 0,
        });
      }
      for (const s of session.visibleSuggestions("span")) {
        out.push({
          id: s.id,
          start: s.start,
          end: s.end,
          label: s.label,
          rgb: tint(s.label),
          suggestion: true,
          lane: 0,
        });
      }
      // A reviewer's page: every annotator's spans too, in their colour (never selected).
      /** @type {Mark[]} */
      const team = [];
      teamSpans.clear();
      for (const m of review.members())
        for (const r of m.rows)
          if (r.kind === "span" && teamSpans.set(`team:${m.name}:${r.id}`, { m, r }))
            team.push({
              id: `team:${m.name}:${r.id}`,
              start: r.start,
              end: r.end,
              label: r.label,
              rgb: m.rgb,
              suggestion: false,
              lane: 0,
              team: m.name,
            });
      const layout = layoutLanes([...out, ...team]);
      for (const m of [...out, ...team]) m.lane = layout.lanes.get(m.id) ?? 0;
      marks = out;
      lanes = layout.lanes;
      view.setMarks([...out, ...team], layout.depth);
    };

    const drawInfo = () => {
      const d = doc();
      const row = activeRow();
      const s = activeSuggestion();
      const piece = (/** @type {Range} */ r) => (d ? quote(d.text.slice(r.start, r.end)) : "");
      const linking = relations.info();
      if (linking) {
        replace(info, ...linking);
      } else if (row) {
        replace(
          info,
          h("span", { class: "nbl-chip nbl-tinted", style: `--nbl-rgb:${tint(row.label)}` }, row.label),
          ` ${piece(sel ?? row)} `,
          h("span", { class: "nbl-muted" }, "· 1–9 relabel · Shift+←/→ resize · "),
          h(
            "button",
            { type: "button", class: "nbl-button nbl-delete", title: "Remove this span (Delete)", onclick: onDelete },
            "Delete",
          ),
          relations.startButton(),
        );
      } else if (s) {
        replace(
          info,
          h("span", { class: "nbl-muted" }, "Suggestion "),
          h("span", { class: "nbl-chip nbl-tinted", style: `--nbl-rgb:${tint(s.label)}` }, s.label),
          s.score === undefined ? null : h("span", { class: "nbl-score" }, s.score.toFixed(2)),
          typeof s.rule === "string" ? h("span", { class: "nbl-muted nbl-rule" }, ` rule ${s.rule}`) : null,
          ` ${piece({ start: s.start, end: s.end })} `,
          h(
            "button",
            {
              type: "button",
              class: "nbl-button nbl-accept-span",
              title: "Accept (Enter or a)",
              onclick: () => onAccept(s),
            },
            "✓ Accept",
          ),
          h(
            "button",
            { type: "button", class: "nbl-button nbl-reject-span", title: "Reject (x)", onclick: () => onReject(s) },
            "✗ Reject",
          ),
          h("span", { class: "nbl-muted" }, " · 1–9 accept with another label"),
        );
      } else if (sel) {
        replace(
          info,
          h("span", { class: "nbl-muted" }, "Selected "),
          piece(sel),
          h("span", { class: "nbl-muted" }, " · press 1–9 or click a label"),
        );
      } else {
        replace(
          info,
          h(
            "span",
            { class: "nbl-muted" },
            d?.text.length ? "Select text with the mouse or → / ←, then press 1–9" : "",
          ),
        );
      }
    };

    let drawnPosition = -1;
    const update = () => {
      ui.update();
      const entry = session.current;
      const d = doc();
      snapBox.checked = model.get("snap");
      if (!entry || entry.item.error || !d) {
        scroller.hidden = true;
        empty.hidden = true;
        stage.classList.toggle("nbl-loading", !entry?.item.error);
        if (entry?.item.error && drawnPosition !== session.position) markDrawn();
      } else {
        stage.classList.remove("nbl-loading");
        if (shownMedia !== d || shownPosition !== session.position) {
          shownMedia = d;
          shownPosition = session.position;
          sel = null;
          activeId = null;
          caret = 0;
          view.open(d.text);
          relations.reset();
          dirty = true;
        }
        scroller.hidden = d.text.length === 0;
        const notes = /** @type {string[]} */ (entry.item.notes ?? []);
        empty.hidden = notes.length === 0;
        replace(empty, ...notes.map((n) => h("div", {}, n)));
        if (dirty || entry.rows !== lastRows || entry.suggestions !== lastSuggestions || entry.team !== lastTeam) {
          lastTeam = entry.team;
          lastRows = entry.rows;
          lastSuggestions = entry.suggestions;
          dirty = false;
          if (activeId && !entry.rows.has(activeId) && !entry.suggestions.has(activeId)) activeId = null;
          computeMarks();
        }
        view.setSelection(sel, activeId);
        relations.draw();
        if (drawnPosition !== session.position) markDrawn();
      }
      const chosen = new Set([...(entry?.rows.values() ?? [])].filter((r) => r.kind === "label").map((r) => r.label));
      for (const b of docLabelButtons) {
        const on = chosen.has(b.dataset.label ?? "");
        b.setAttribute("aria-pressed", String(on));
        b.classList.toggle("nbl-on", on);
      }
      const current = activeRow()?.label;
      for (const b of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll(".nbl-labels .nbl-label"))) {
        const on = b.dataset.label === current;
        b.setAttribute("aria-pressed", String(on));
        b.classList.toggle("nbl-on", on);
      }
      root.dataset.selection = sel ? `${sel.start}-${sel.end}` : "";
      root.dataset.active = activeId ?? "";
      root.dataset.relation = relations.selected ?? "";
      drawInfo();
      root.dispatchEvent(new CustomEvent("nblabel:status", { detail: { status: session.status } }));
    };
    const markDrawn = () => {
      drawnPosition = session.position;
      root.dataset.drawn = String(drawnPosition);
      root.dispatchEvent(new CustomEvent("nblabel:drawn", { detail: { position: drawnPosition } }));
    };

    /** @param {Range | null} range */
    const select = (range) => {
      relations.leave();
      sel = range;
      if (range) {
        caret = range.end;
        view.reveal(range);
      }
      update();
    };
    /** @param {Mark} mark */
    const activate = (mark) => {
      activeId = mark.id;
      select({ start: mark.start, end: mark.end });
    };
    /** @param {number} a @param {number} b */
    const snapped = (a, b) => {
      const d = doc();
      if (!d) return null;
      return model.get("snap") ? snapToTokens(d.tokens, a, b) : snapToChars(d.text, a, b);
    };
    const units = () => {
      const d = /** @type {Doc} */ (doc());
      return model.get("snap") ? tokenUnits(d.tokens) : charUnits(d.text);
    };

    // A drag may end outside the document: listen on the window for the release.
    let pressed = false;
    /** @type {{offset: number | null, x: number, y: number} | null} where the drag began */
    let down = null;
    cleanup.listen(scroller, "mousedown", (/** @type {MouseEvent} */ event) => {
      pressed = event.button === 0;
      down = pressed
        ? { offset: view.offsetAt(event.clientX, event.clientY), x: event.clientX, y: event.clientY }
        : null;
    });
    const onMouseUp = (/** @type {MouseEvent} */ event) => {
      if (!pressed || event.button !== 0 || !doc()) return;
      pressed = false;
      const selected = view.selectedOffsets();
      if (selected) {
        activeId = null;
        select(snapped(selected.anchor, selected.focus));
        return;
      }
      // No selection the page can read (a host that hides it): the drag itself says what.
      const start = down;
      down = null;
      if (start && start.offset !== null && Math.hypot(event.clientX - start.x, event.clientY - start.y) > 4) {
        const end = view.offsetAt(event.clientX, event.clientY);
        if (end !== null && end !== start.offset) {
          activeId = null;
          select(snapped(start.offset, end));
          return;
        }
      }
      const ids = view.barsAt(event.clientX, event.clientY);
      const offset = view.offsetAt(event.clientX, event.clientY);
      let found = ids.length ? marks.filter((m) => ids.includes(m.id)) : [];
      if (found.length === 0 && offset !== null) found = marksAt(marks, lanes, offset);
      found.sort((x, y) => x.end - x.start - (y.end - y.start));
      if (relations.pick(found)) return; // the second end of a relation being made
      const theirs = found.length ? undefined : teamSpanAt(event.clientX, event.clientY);
      if (theirs) return review.take(theirs.m, theirs.r); // a reviewer takes an annotator's span
      if (found.length === 0) {
        activeId = null;
        sel = null;
        if (offset !== null) caret = offset;
        update();
        return;
      }
      const at = found.findIndex((m) => m.id === activeId);
      activate(found[(at + 1) % found.length]);
    };
    cleanup.listen(window, "mouseup", onMouseUp);
    /** A reviewer's click on an annotator's span (its bar or its tag). @param {number} x @param {number} y */
    const teamSpanAt = (x, y) => {
      const tagsFirst = [".nbl-team-mark.nbl-tag", ".nbl-team-mark.nbl-bar"].flatMap((q) => [
        ...root.querySelectorAll(q),
      ]);
      for (const el of tagsFirst) {
        const b = el.getBoundingClientRect();
        if (x >= b.left && x <= b.right && y >= b.top - 2 && y <= b.bottom + 2)
          return teamSpans.get(/** @type {HTMLElement} */ (el).dataset.id ?? "");
      }
      return undefined;
    };
    // A double-click selects its word even where the page cannot read the host's selection.
    cleanup.listen(scroller, "dblclick", (/** @type {MouseEvent} */ event) => {
      if (sel || !doc()) return;
      const offset = view.offsetAt(event.clientX, event.clientY);
      if (offset === null) return;
      activeId = null;
      select(snapped(offset, offset));
    });
    cleanup.listen(root, "pointerdown", (event) => {
      if (!(event.target instanceof HTMLInputElement)) root.focus({ preventScroll: true });
    });

    // -- keys --------------------------------------------------------------------------
    keys.note(["drag / double-click", "select text (snaps to whole tokens unless snapping is off)"]);
    keys.intercept((_key, event) => {
      // Shift+digit by its physical key: "Shift+1" is "!" on one layout and "1" on another.
      const digit = /^Digit([1-9])$/.exec(event.code);
      if (!digit || !event.shiftKey || event.ctrlKey || event.metaKey || event.altKey) return false;
      onDocLabel(Number(digit[1]) - 1);
      return true;
    });
    const arrows = { ArrowRight: "right", ArrowLeft: "left", "Shift+ArrowRight": "grow", "Shift+ArrowLeft": "shrink" };
    keys.bind(
      Object.keys(arrows),
      [
        ["→ / ←", "select the next / previous token (a character with snapping off)"],
        ["Shift+→ / Shift+←", "grow / shrink the selection (resizes a selected span)"],
      ],
      (_event, key) => {
        if (!doc()) return false;
        const how = /** @type {"right" | "left" | "grow" | "shrink"} */ (
          arrows[/** @type {keyof typeof arrows} */ (key)]
        );
        if (how === "right" || how === "left") activeId = null;
        select(moveSelection(units(), sel, caret, how));
        return true;
      },
    );
    keys.bind(["Home", "End"], ["Home / End", "select the first / last token"], (_event, key) => {
      const d = doc();
      if (!d) return false;
      activeId = null;
      const u = units();
      select((key === "Home" ? u.after(0) : u.before(d.text.length)) ?? sel);
      return true;
    });
    keys.bind(
      ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
      ["1 – 9", "tag the selection with the k-th label; with a span selected, relabel it"],
      (event) => onLabel(Number(event.key) - 1),
    );
    keys.bind(
      ["Tab", "Shift+Tab"],
      ["click a span / Tab", "select a span (click again for the next stacked one); Shift+Tab backwards"],
      (_event, key) => {
        const next = cycle(marks, activeId, caret, key === "Tab" ? 1 : -1);
        if (next) activate(next);
      },
    );
    keys.bind(
      ["Delete", "Backspace"],
      ["Delete / Backspace", "remove the selected span (or reject the selected suggestion)"],
      () => onDelete(),
    );
    keys.note(["Shift+1 – Shift+9", "choose the k-th document label (toggles with several allowed)"]);
    keys.bind(["Enter", "a"], ["Enter / a", "accept the selected (or best) suggestion"], () => {
      const s = activeSuggestion() ?? session.visibleSuggestions()[0];
      if (s) onAccept(s);
    });
    keys.bind(["x"], ["x", "reject the selected suggestion"], () => {
      const s = activeSuggestion();
      if (s) onReject(s);
    });
    keys.bind(["Ctrl+c"], ["Ctrl+c", "copy the selected text"], () => {
      const d = doc();
      const range = sel ?? (activeRow() ? { start: activeRow()?.start, end: activeRow()?.end } : null);
      if (!d || !range) return false;
      const piece = d.text.slice(range.start, range.end);
      // the page's selection is its own (not the browser's): put its text on the clipboard
      const copy = (/** @type {ClipboardEvent} */ event) => {
        event.clipboardData?.setData("text/plain", piece);
        event.preventDefault();
      };
      document.addEventListener("copy", copy, { once: true });
      const done = document.execCommand("copy");
      document.removeEventListener("copy", copy);
      if (!done) navigator.clipboard?.writeText(piece).catch(() => {});
      shell.announce(`Copied ${piece.length} characters`);
      return true;
    });
    keys.bind(["0"], ["0", "remove the document's labels (the Clear button removes its spans too)"], () =>
      onClearDocLabels(),
    );
    keys.bind(["s"], ["s", "snapping to tokens on / off"], () => {
      model.set("snap", !model.get("snap"));
      model.save_changes();
      update();
    });
    keys.bind(["Escape"], ["Esc", "clear the selection"], () => {
      activeId = null;
      select(null);
    });

    const onThreshold = () => {
      dirty = true;
      update();
    };
    cleanup.on(model, "change:threshold", onThreshold);
    cleanup.on(model, "change:snap", update);
    let width = 0;
    cleanup.observeSize(scroller, () => {
      if (scroller.clientWidth !== width) {
        width = scroller.clientWidth;
        view.redraw();
        relations.schedule();
      }
    });
    cleanup.add(() => view.close());
    return shell.start(update);
  },
};
