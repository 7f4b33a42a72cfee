// The audio widget's controls around the waveform: the toolbar (play, speed, zoom, marks,
// clip labels), notes about the item, and the panel of the selected segment (its label,
// times, transcript box, play/loop/delete, accept/reject for a suggestion).

import { h, replace } from "../lib/dom.js";
import { colourOf } from "../lib/palette.js";
import { formatTime } from "./timeline.js";
import { SPEEDS } from "./view.js";

/**
 * @typedef {import("./view.js").AudioView} AudioView
 * @typedef {import("../lib/cleanup.js").Cleanup} Cleanup
 */

/**
 * Build the controls in the view's stage; returns their redraw.
 * @param {AudioView} v
 * @param {Cleanup} cleanup
 * @returns {{update: () => void, transcript: HTMLInputElement}}
 */
export function audioPanel(v, cleanup) {
  const { root, session, model, player } = v;
  const speed = h(
    "select",
    {
      class: "nbl-speed",
      "aria-label": "playback speed",
      title: "Playback speed (< / >)",
      onchange: () => v.setSpeed(Number(speed.value)),
    },
    ...SPEEDS.map((s) => h("option", { value: s }, `${s}×`)),
  );
  speed.value = "1";
  const tool = (/** @type {string} */ text, /** @type {string} */ title, /** @type {() => void} */ act, cls = "") =>
    h(
      "button",
      {
        type: "button",
        class: `nbl-button ${cls}`,
        title,
        onclick: () => {
          act();
          root.focus({ preventScroll: true });
        },
      },
      text,
    );
  const info = h("span", { class: "nbl-audio-info nbl-muted" });
  const clipBar = h("span", { class: "nbl-clip-labels", role: "toolbar", "aria-label": "clip labels" });
  const toolbar = h(
    "div",
    { class: "nbl-audio-toolbar" },
    v.playButton,
    v.clock,
    speed,
    tool("−", "Zoom out (-)", () => v.zoom(1 / 2), "nbl-zoom-out"),
    tool("+", "Zoom in (+)", () => v.zoom(2), "nbl-zoom-in"),
    tool("Fit", "Show everything (0)", () => v.fit(), "nbl-zoom-fit"),
    tool("[", "Mark a segment's start at the playhead ([)", () => v.markStart(), "nbl-mark-start"),
    tool("]", "End the segment at the playhead (])", () => v.markEnd(), "nbl-mark-end"),
    info,
    h("span", { class: "nbl-spacer" }),
    clipBar,
  );
  const notes = h("div", { class: "nbl-audio-notes" });
  const segInfo = h("span", { class: "nbl-seg-info" });
  const transcript = h("input", {
    type: "text",
    class: "nbl-transcript",
    placeholder: "Transcript (Enter to save)",
    "aria-label": "transcript",
    spellcheck: "false",
  });
  const segButtons = h(
    "span",
    { class: "nbl-seg-buttons" },
    tool("▶ Segment", "Play the selected segment (s)", () => v.playSegment(false), "nbl-play-seg"),
    tool("⟳ Loop", "Loop the selected segment (l)", () => v.playSegment(true), "nbl-loop-seg"),
    tool("Delete", "Delete the selected segment (Delete)", () => v.deleteSelected(), "nbl-delete-seg"),
  );
  const suggestionButtons = h(
    "span",
    { class: "nbl-seg-suggestion" },
    tool("✓ Accept", "Accept this suggestion (a)", () => v.acceptSuggestion(), "nbl-accept-seg"),
    tool("✗ Reject", "Reject this suggestion (x)", () => v.rejectSuggestion(), "nbl-reject-seg"),
  );
  const panel = h("div", { class: "nbl-seg-panel" }, segInfo, transcript, segButtons, suggestionButtons);
  v.stage.classList.add("nbl-audio-stage");
  v.stage.append(toolbar, v.waveWrap, v.scroll, notes, panel);

  // The transcript box: Enter (or leaving it) saves, Esc restores the stored text.
  /** @type {string | null} */
  let editing = null;
  transcript.addEventListener("focus", () => {
    editing = v.selected;
  });
  const commitTranscript = () => {
    if (editing) v.updateSegment(editing, { text: transcript.value });
    editing = null;
  };
  transcript.addEventListener("blur", commitTranscript);
  transcript.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      commitTranscript();
      root.focus({ preventScroll: true });
    } else if (event.key === "Escape") {
      event.preventDefault();
      editing = null;
      transcript.value = String(v.selectedRow()?.text ?? "");
      root.focus({ preventScroll: true });
    }
  });
  cleanup.listen(root, "pointerdown", (/** @type {PointerEvent} */ e) => {
    if (e.target !== transcript && !(e.target instanceof HTMLSelectElement)) root.focus({ preventScroll: true });
  });

  const update = () => {
    const entry = v.item();
    const row = v.selectedRow();
    const sug = v.selectedSuggestion();
    const labels = v.labels();
    root.dataset.selected = v.selected ?? "";
    speed.value = String(player.speed);
    const noteText = [...(entry?.item.notes ?? [])];
    if (player.error) noteText.push(`Playback: ${player.error}`);
    replace(notes, ...noteText.map((n) => h("div", {}, n)));
    const it = entry?.item;
    replace(
      info,
      it
        ? `${it.format ? `${it.format} · ` : ""}${(it.sample_rate / 1000).toFixed(it.sample_rate % 1000 ? 1 : 0)} kHz · ${it.channels} ch`
        : "",
    );
    notes.hidden = noteText.length === 0;
    const seg = row ?? sug;
    panel.classList.toggle("nbl-empty", !seg);
    transcript.hidden = !row;
    segButtons.hidden = !seg;
    suggestionButtons.hidden = !sug;
    if (seg) {
      const all = v.segments().sort((a, b) => a.start - b.start || a.end - b.end);
      const k = all.findIndex((r) => r.id === seg.id);
      replace(
        segInfo,
        h(
          "span",
          { class: "nbl-chip nbl-seg-label", style: `border-color: ${colourOf(labels, seg.label)}` },
          seg.label,
        ),
        ` ${formatTime(seg.start)} – ${formatTime(seg.end)}`,
        sug
          ? ` (suggested${sug.score === undefined ? "" : `, score ${sug.score.toFixed(2)}`})`
          : ` · segment ${k + 1} of ${all.length}`,
      );
    } else if (v.mark !== null) {
      replace(segInfo, `Start marked at ${formatTime(v.mark)}: press ] at the end of the segment`);
    } else {
      replace(
        segInfo,
        entry
          ? `New segments: ${labels[v.activeLabel] ?? ""} · drag on the waveform or press [ and ] · ? for help`
          : "",
      );
    }
    if (row && document.activeElement !== transcript) transcript.value = String(row.text ?? "");
    // The label bar shows the selected segment's label, else the label new segments get.
    const current = row?.label ?? sug?.label ?? labels[v.activeLabel];
    for (const b of root.querySelectorAll(".nbl-labels .nbl-label")) {
      const on = /** @type {HTMLElement} */ (b).dataset.label === current;
      b.setAttribute("aria-pressed", String(on));
      b.classList.toggle("nbl-on", on);
    }
    /** @type {string[]} */
    const clips = model.get("clip_labels") ?? [];
    const chosen = new Set(
      [...(session.current?.rows.values() ?? [])].filter((r) => r.kind === "label").map((r) => r.label),
    );
    replace(
      clipBar,
      ...(clips.length ? [h("span", { class: "nbl-muted" }, "Clip:")] : []),
      ...clips.map((label, i) =>
        h(
          "button",
          {
            type: "button",
            class: `nbl-label nbl-clip${chosen.has(label) ? " nbl-on" : ""}`,
            "data-label": label,
            "aria-pressed": String(chosen.has(label)),
            title: i < 9 ? `Shift+${i + 1}` : "",
            onclick: () => v.chooseClipLabel(i),
          },
          label,
        ),
      ),
    );
  };
  // After the frame's own listeners (which mark clip labels on the label bar): ours win.
  for (const trait of ["clip_labels", "labels", "n_done", "threshold"]) cleanup.on(model, `change:${trait}`, update);
  return { update, transcript };
}
