// The video page's frame ranges and a model's suggested tracks, as DOM: a lane under the
// timeline with one band per range (its label as text), the list of ranges (select, relabel,
// delete) and the list of suggested tracks and ranges (accept / reject whole). Every text
// from a user or a model reaches the page as text (textContent), never HTML.

import { h, replace } from "../lib/dom.js";
import { colourOf } from "../lib/palette.js";
import { acceptedRange, moveEdge, newRange, placeRanges, rangeOf, rangeRows } from "./ranges.js";
import { acceptTrack, rejectTrack, suggestedTracks } from "./suggested.js";

/**
 * @typedef {import("../lib/session.js").Session} Session
 * @typedef {import("./ranges.js").RangeRow} RangeRow
 * @typedef {import("./suggested.js").SuggestedTrack} SuggestedTrack
 * @typedef {{selectedRange: string | null, markIn: number | null, rangeLabel: number,
 *   suggested: string | null, selected: string | null, frame: number}} PanelState
 */

/**
 * @param {{model: import("@anywidget/types").AnyModel, session: Session, state: PanelState,
 *   nFrames: () => number, seek: (k: number) => void, update: () => void, newId: () => string,
 *   newTrackId: () => string}} o
 */
export function videoPanel(o) {
  const { model, session, state } = o;
  /** @returns {string[]} */
  const frameLabels = () => model.get("frame_labels") ?? [];
  const rows = () => /** @type {RangeRow[]} */ (rangeRows(session.current?.rows.values() ?? []));
  const rangeSuggestions = () => /** @type {RangeRow[]} */ (rangeRows(session.visibleSuggestions("segment")));
  /** @returns {SuggestedTrack[]} */
  const tracks = () => suggestedTracks(session.visibleSuggestions("box"));
  const byId = (/** @type {string | null} */ id) => rows().find((r) => r.id === id) ?? null;

  const lane = h("div", { class: "nbl-range-lane", role: "list", "aria-label": "frame ranges on the timeline" });
  const labelPick = /** @type {HTMLSelectElement} */ (
    h("select", {
      class: "nbl-range-label",
      title: "Label of the next frame range, or of the selected one (l cycles)",
      "aria-label": "frame range label",
      onchange: () => chooseLabel(Number(labelPick.value)),
    })
  );
  const mark = h("span", { class: "nbl-muted nbl-mark-in" });
  const rangeList = h("ul", { class: "nbl-range-list", "aria-label": "frame ranges" });
  const rangeBox = h(
    "div",
    { class: "nbl-ranges" },
    h("span", { class: "nbl-muted" }, "Frame ranges ([ in, ] out): "),
    labelPick,
    mark,
    rangeList,
  );
  const suggestionList = h("ul", { class: "nbl-suggested-list", "aria-label": "suggested tracks and ranges" });
  const suggestionBox = h(
    "div",
    { class: "nbl-suggested", hidden: true },
    h("span", { class: "nbl-muted" }, "Suggested (a accepts, x rejects the selected one): "),
    suggestionList,
  );

  /** @param {number} i */
  const chooseLabel = (i) => {
    const labels = frameLabels();
    if (!labels.length) return;
    state.rangeLabel = ((i % labels.length) + labels.length) % labels.length;
    const selected = byId(state.selectedRange);
    if (selected && selected.label !== labels[state.rangeLabel]) {
      session.edit({ upsert: [{ ...selected, label: labels[state.rangeLabel] }], delete: [] });
    }
    o.update();
  };

  /** `[`: the selected range starts here; else a new range will start here. */
  const markIn = () => {
    if (!frameLabels().length) return;
    const selected = byId(state.selectedRange);
    if (selected) session.edit({ upsert: [moveEdge(selected, "in", state.frame)], delete: [] });
    else state.markIn = state.frame;
  };
  /** `]`: the selected range ends here; else the range marked in with `[` is made, ending here. */
  const markOut = () => {
    const labels = frameLabels();
    if (!labels.length) return;
    const selected = byId(state.selectedRange);
    if (selected) {
      session.edit({ upsert: [moveEdge(selected, "out", state.frame)], delete: [] });
    } else if (state.markIn !== null) {
      const row = newRange(o.newId(), labels[state.rangeLabel] ?? labels[0], state.markIn, state.frame);
      state.markIn = null;
      session.edit({ upsert: [row], delete: [] });
      state.selectedRange = row.id;
      state.selected = null;
    }
  };
  /** @returns {boolean} whether a range was deleted */
  const deleteSelected = () => {
    const selected = byId(state.selectedRange);
    if (!selected) return false;
    session.edit({ upsert: [], delete: [selected.id] });
    state.selectedRange = null;
    return true;
  };

  /** @param {SuggestedTrack} t */
  const accept = (t) => {
    session.edit(acceptTrack(t, o.newTrackId(), o.newId));
    state.suggested = null;
    o.update();
  };
  /** @param {SuggestedTrack} t */
  const reject = (t) => {
    session.edit(rejectTrack(t));
    state.suggested = null;
    o.update();
  };
  /** @param {RangeRow} s */
  const acceptRange = (s) => {
    const row = acceptedRange(s, o.newId());
    session.edit({ upsert: [row], delete: [], accepted: [s.id] });
    state.suggested = null;
    o.update();
  };
  /** @param {RangeRow} s */
  const rejectRange = (s) => {
    session.edit({ upsert: [], delete: [], rejected: [s.id] });
    state.suggested = null;
    o.update();
  };
  /** @returns {boolean} whether a selected suggestion was accepted */
  const acceptSelected = () => {
    const t = tracks().find((x) => x.key === state.suggested);
    if (t) accept(t);
    const r = rangeSuggestions().find((x) => x.id === state.suggested);
    if (r) acceptRange(r);
    return Boolean(t || r);
  };
  const rejectSelected = () => {
    const t = tracks().find((x) => x.key === state.suggested);
    if (t) reject(t);
    const r = rangeSuggestions().find((x) => x.id === state.suggested);
    if (r) rejectRange(r);
    return Boolean(t || r);
  };

  /** @param {string} text @param {string} title @param {() => void} act @param {string} [cls] */
  const button = (text, title, act, cls = "") =>
    h("button", { type: "button", class: `nbl-button ${cls}`, title, "aria-label": title, onclick: () => act() }, text);
  const framesText = (/** @type {number} */ a, /** @type {number} */ b) =>
    a === b ? `frame ${a}` : `frames ${a}–${b}`;

  const render = () => {
    const n = Math.max(1, o.nFrames());
    const labels = frameLabels();
    rangeBox.hidden = labels.length === 0;
    if (labelPick.options.length !== labels.length || [...labelPick.options].some((op, i) => op.text !== labels[i])) {
      replace(labelPick, ...labels.map((l, i) => h("option", { value: i }, l)));
    }
    labelPick.value = String(state.rangeLabel);
    replace(mark, state.markIn === null ? "" : ` in at frame ${state.markIn}: ] ends it `);
    const mine = rows();
    if (state.selectedRange && !mine.some((r) => r.id === state.selectedRange)) state.selectedRange = null;
    const suggestedRanges = rangeSuggestions();
    const placed = placeRanges([...mine, ...suggestedRanges]);
    const lanes = Math.max(1, ...placed.map((p) => p.lane + 1));
    lane.style.height = `${lanes * 16 + 2}px`;
    lane.hidden = labels.length === 0 && suggestedRanges.length === 0;
    const suggestedIds = new Set(suggestedRanges.map((s) => s.id));
    replace(
      lane,
      ...placed.map(({ row, first, last, lane: i }) => {
        const isSuggestion = suggestedIds.has(row.id);
        const selected = row.id === state.selectedRange || row.id === state.suggested;
        const band = h(
          "div",
          {
            class: `nbl-range-band${isSuggestion ? " nbl-range-suggested" : ""}${selected ? " nbl-selected" : ""}`,
            role: "listitem",
            title: `${row.label}: ${framesText(first, last)}${isSuggestion ? " (suggested)" : ""}`,
            "data-range": row.id,
            onclick: () => {
              if (isSuggestion) state.suggested = row.id;
              else {
                state.selectedRange = row.id;
                state.selected = null;
              }
              o.seek(first);
            },
          },
          row.label,
        );
        band.style.left = `${(first / n) * 100}%`;
        band.style.width = `${Math.max(0.5, ((last + 1 - first) / n) * 100)}%`;
        band.style.top = `${i * 16 + 1}px`;
        band.style.borderColor = colourOf(labels, row.label);
        band.style.background = isSuggestion ? "transparent" : `${colourOf(labels, row.label)}55`;
        return band;
      }),
    );
    replace(
      rangeList,
      ...mine.map((row) => {
        const { first, last } = rangeOf(row);
        return h(
          "li",
          { class: row.id === state.selectedRange ? "nbl-selected" : "", "data-range": row.id },
          button(
            `${row.label}: ${framesText(first, last)}`,
            `select and go to frame ${first}`,
            () => {
              state.selectedRange = row.id;
              state.selected = null;
              o.seek(first);
            },
            "nbl-range-item",
          ),
          button("✗", `delete the range ${row.label} (${framesText(first, last)})`, () => {
            session.edit({ upsert: [], delete: [row.id] });
            if (state.selectedRange === row.id) state.selectedRange = null;
            o.update();
          }),
        );
      }),
    );
    const suggested = tracks();
    suggestionBox.hidden = suggested.length === 0 && suggestedRanges.length === 0;
    const score = (/** @type {number | null | undefined} */ s) => (s == null ? "" : ` (${s.toFixed(2)})`);
    replace(
      suggestionList,
      ...suggested.map((t) =>
        h(
          "li",
          { class: t.key === state.suggested ? "nbl-selected" : "", "data-suggested-track": t.key },
          button(
            `${t.label} track, ${framesText(t.first, t.last)}${score(t.score)}`,
            `select the suggested ${t.label} track and go to frame ${t.first}`,
            () => {
              state.suggested = t.key;
              state.selected = null;
              o.seek(t.first);
            },
            "nbl-suggested-item",
          ),
          button("✓", `accept the suggested ${t.label} track`, () => accept(t), "nbl-accept"),
          button("✗", `reject the suggested ${t.label} track`, () => reject(t), "nbl-reject"),
        ),
      ),
      ...suggestedRanges.map((s) => {
        const { first, last } = rangeOf(s);
        return h(
          "li",
          { class: s.id === state.suggested ? "nbl-selected" : "", "data-suggested-range": s.id },
          button(
            `${s.label}: ${framesText(first, last)}${score(s.score)}`,
            `select the suggested range and go to frame ${first}`,
            () => {
              state.suggested = s.id;
              o.seek(first);
            },
            "nbl-suggested-item",
          ),
          button("✓", `accept the suggested range ${s.label}`, () => acceptRange(s), "nbl-accept"),
          button("✗", `reject the suggested range ${s.label}`, () => rejectRange(s), "nbl-reject"),
        );
      }),
    );
  };

  return {
    lane,
    rangeBox,
    suggestionBox,
    render,
    tracks,
    markIn,
    markOut,
    deleteSelected,
    acceptSelected,
    rejectSelected,
    cycleLabel: () => chooseLabel(state.rangeLabel + 1),
  };
}
