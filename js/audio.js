// AudioAnnotator's page: a zoomable waveform with playback, segments drawn by mouse or
// marked with keys, a label per segment (speaker or class), a transcript per segment,
// and clip labels. Times are seconds of the original file, rounded to the millisecond.

import "./nblabel.css";
import "./audio.css";
import { lanes, hitTest, moveEdge, neighbour, span, atOrAfter } from "./audio/segments.js";
import { Player } from "./audio/player.js";
import { clampView, fitView, follow, formatTime, roundMs, xToTime, zoomAt } from "./audio/timeline.js";
import { AXIS_H, LANE_H, drawScene, sceneHeight } from "./audio/wave.js";
import { h, replace } from "./lib/dom.js";
import { newId } from "./lib/ids.js";
import { colourOf } from "./lib/palette.js";
import { acceptItemLabel, chooseItemLabel } from "./lib/labels.js";
import { captureKeys } from "./lib/keys.js";
import { sessionFor } from "./lib/session.js";
import { frame } from "./lib/ui.js";

/**
 * @typedef {import("./lib/session.js").Session} Session
 * @typedef {import("./lib/session.js").Row} Row
 * @typedef {import("./lib/session.js").ItemInfo} ItemInfo
 * @typedef {import("./lib/session.js").Suggestion} Suggestion
 * @typedef {import("./audio/timeline.js").View} View
 * @typedef {import("./audio/wave.js").DrawSeg} DrawSeg
 * @typedef {{levels: Int8Array[]}} Media
 * @typedef {Suggestion & {start: number, end: number}} SegSuggestion
 */

/** @type {import("./lib/ui.js").HelpRow[]} */
const HELP = [
  ["Space", "play or pause"],
  ["click / drag", "click the waveform to move the playhead; drag to make a segment; drag a segment's edge to adjust it"],
  ["[ then ]", "mark a segment's start, then its end, at the playhead (works while playing)"],
  ["{ / }", "move the selected segment's start / end to the playhead"],
  ["1 – 9", "label the selected segment (and new ones) with the k-th label"],
  ["Shift+1 – 9", "choose the k-th clip label (for the whole item)"],
  ["Enter", "type the selected segment's transcript (Enter saves, Esc cancels)"],
  [", / .", "select the previous / next segment"],
  ["s / l", "play / loop the selected segment"],
  ["Delete / Backspace", "delete the selected segment"],
  ["← / →", "move the playhead 1 s (Shift: 5 s); Home / End: start / end"],
  ["+ / - / 0", "zoom in / out around the playhead / show everything (Ctrl+wheel zooms, Shift+wheel scrolls)"],
  ["< / >", "slower / faster playback"],
  ["a / x", "accept / reject the selected suggestion (or the one at the playhead)"],
  ["n / p", "next / previous item"],
  ["z", "undo"],
  ["Shift+z / y", "redo"],
  ["Esc", "deselect; close this help"],
  ["?", "show or hide this help"],
];

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];

/**
 * Peak levels from the item's binary buffers.
 * @param {ItemInfo} _item @param {DataView[]} buffers @returns {Promise<Media>}
 */
function decode(_item, buffers) {
  return Promise.resolve({ levels: buffers.map((v) => new Int8Array(v.buffer, v.byteOffset, v.byteLength)) });
}

/**
 * The clip-label rows to send when clip label `label` is chosen (toggled with multi_label).
 * @param {Session} session @param {string} label
 * @returns {import("./lib/session.js").Change | null}
 */
export function chooseClip(session, label) {
  const entry = session.current;
  if (!entry) return null;
  return chooseItemLabel(entry.rows.values(), label, { multi: Boolean(session.model.get("multi_label")), toggle: true });
}

export default {
  /** @type {import("@anywidget/types").Render} */
  render({ model, el }) {
    const session = sessionFor(model, decode);
    const canvas = h("canvas", { class: "nbl-wave", "aria-label": "waveform" });
    const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    /** @type {View | null} */
    let view = null;
    /** @type {string | null} */
    let itemId = null;
    /** @type {string | null} */
    let selected = null;
    /** @type {number | null} */
    let mark = null;
    let activeLabel = 0;
    /** @type {{start: number, end: number} | null} */
    let draft = null;
    /** @type {{mode: "edge" | "create" | "click", id: string | null, edge: "start" | "end", x0: number, t0: number, moved: boolean} | null} */
    let drag = null;
    let drawn = -1;
    let raf = 0;

    const player = new Player(
      (item, chunk) => model.send({ type: "audio", item_id: item, chunk }),
      () => requestDraw(),
    );
    /** @param {any} msg @param {DataView[]} buffers */
    const onAudio = (msg, buffers) => {
      if (!msg || msg.type !== "audio") return;
      if (msg.error) player.fail(msg.item_id, String(msg.error));
      else if (buffers.length) player.receive(msg.item_id, msg.chunk, msg.rate, buffers[0]);
      updatePanel();
    };
    model.on("msg:custom", onAudio);

    // -- the current item ----------------------------------------------------------------
    const item = () => {
      const entry = session.current;
      return entry && !entry.item.error && entry.item.peaks ? entry : null;
    };
    const duration = () => Number(item()?.item.duration ?? 0);
    const minSpp = () => {
      const entry = item();
      return entry ? entry.item.peaks.buckets[0] / entry.item.sample_rate / 4 : 1e-4;
    };
    /** @returns {(Row & {start: number, end: number})[]} */
    const segments = () => /** @type {any[]} */ ([...(item()?.rows.values() ?? [])].filter((r) => r.kind === "segment"));
    const suggestions = () => /** @type {SegSuggestion[]} */ (session.visibleSuggestions("segment"));
    const selectedRow = () => (selected ? item()?.rows.get(selected) : undefined);
    const selectedSuggestion = () => /** @type {SegSuggestion | undefined} */ (selected ? item()?.suggestions.get(selected) : undefined);
    /** @returns {string[]} */
    const labels = () => model.get("labels");

    // -- layout ----------------------------------------------------------------------------
    const playButton = h("button", { type: "button", class: "nbl-button nbl-play", title: "Play / pause (Space)", onclick: () => togglePlay() }, "▶ Play");
    const clock = h("span", { class: "nbl-clock" });
    const speed = h(
      "select",
      { class: "nbl-speed", "aria-label": "playback speed", title: "Playback speed (< / >)", onchange: () => setSpeed(Number(speed.value)) },
      ...SPEEDS.map((s) => h("option", { value: s }, `${s}×`)),
    );
    speed.value = "1";
    const tool = (/** @type {string} */ text, /** @type {string} */ title, /** @type {() => void} */ act, cls = "") =>
      h("button", { type: "button", class: `nbl-button ${cls}`, title, onclick: () => { act(); root.focus({ preventScroll: true }); } }, text);
    const info = h("span", { class: "nbl-audio-info nbl-muted" });
    const clipBar = h("span", { class: "nbl-clip-labels", role: "toolbar", "aria-label": "clip labels" });
    const toolbar = h(
      "div",
      { class: "nbl-audio-toolbar" },
      playButton,
      clock,
      speed,
      tool("−", "Zoom out (-)", () => zoom(1 / 2), "nbl-zoom-out"),
      tool("+", "Zoom in (+)", () => zoom(2), "nbl-zoom-in"),
      tool("Fit", "Show everything (0)", () => fit(), "nbl-zoom-fit"),
      tool("[", "Mark a segment's start at the playhead ([)", () => markStart(), "nbl-mark-start"),
      tool("]", "End the segment at the playhead (])", () => markEnd(), "nbl-mark-end"),
      info,
      h("span", { class: "nbl-spacer" }),
      clipBar,
    );
    const scroll = h("input", { type: "range", class: "nbl-scroll", min: 0, max: 1, step: "any", "aria-label": "scroll along the timeline", oninput: () => scrollTo(Number(scroll.value)) });
    const notes = h("div", { class: "nbl-audio-notes" });
    const segInfo = h("span", { class: "nbl-seg-info" });
    const transcript = h("input", { type: "text", class: "nbl-transcript", placeholder: "Transcript (Enter to save)", "aria-label": "transcript", spellcheck: "false" });
    const segButtons = h(
      "span",
      { class: "nbl-seg-buttons" },
      tool("▶ Segment", "Play the selected segment (s)", () => playSegment(false), "nbl-play-seg"),
      tool("⟳ Loop", "Loop the selected segment (l)", () => playSegment(true), "nbl-loop-seg"),
      tool("Delete", "Delete the selected segment (Delete)", () => deleteSelected(), "nbl-delete-seg"),
    );
    const suggestionButtons = h(
      "span",
      { class: "nbl-seg-suggestion" },
      tool("✓ Accept", "Accept this suggestion (a)", () => acceptSuggestion(), "nbl-accept-seg"),
      tool("✗ Reject", "Reject this suggestion (x)", () => rejectSuggestion(), "nbl-reject-seg"),
    );
    const panel = h("div", { class: "nbl-seg-panel" }, segInfo, transcript, segButtons, suggestionButtons);
    const waveWrap = h("div", { class: "nbl-wave-wrap" }, canvas);

    const ui = frame(session, {
      help: HELP,
      words: {
        hint: "Click here, then: Space play · drag or [ ] to mark a segment · 1–9 label · n/p next item · ? help",
        prev: "Previous item (p)",
        next: "Next item (n)",
        clear: "Remove this clip's clip labels",
      },
      onLabel: (i) => setLabel(i),
      onClear: () => {
        const ids = [...(session.current?.rows.values() ?? [])].filter((r) => r.kind === "label").map((r) => r.id);
        if (ids.length) session.edit({ upsert: [], delete: ids });
      },
      onAccept: (s) => {
        const rows = session.current?.rows.values() ?? [];
        const change = acceptItemLabel(rows, s.label, { multi: Boolean(model.get("multi_label")) });
        session.edit({ ...change, accepted: [s.id] });
      },
    });
    const { root, stage } = ui;
    stage.classList.add("nbl-audio-stage");
    stage.append(toolbar, waveWrap, scroll, notes, panel);
    el.append(root);
    /** @type {number[]} draw times (ms), read by the benchmark */
    const frames = [];
    /** @type {any} */ (root).nblFrames = frames;

    // -- drawing ---------------------------------------------------------------------------
    const requestDraw = () => {
      if (!raf) raf = requestAnimationFrame(tick);
    };
    const tick = () => {
      raf = 0;
      player.tick();
      const entry = item();
      if (entry && view && player.playing && !drag) view = follow(view, player.time, duration(), minSpp());
      draw();
      if (player.playing) requestDraw();
    };

    const draw = () => {
      const entry = item();
      const media = /** @type {Media | null} */ (entry?.media ?? null);
      root.dataset.playing = String(player.playing);
      root.dataset.time = String(roundMs(player.time));
      playButton.textContent = player.playing ? "❚❚ Pause" : "▶ Play";
      if (!entry || !media) {
        waveWrap.hidden = true;
        stage.classList.toggle("nbl-loading", !session.current?.item.error);
        return;
      }
      waveWrap.hidden = false;
      stage.classList.remove("nbl-loading");
      const width = Math.max(100, Math.floor(waveWrap.clientWidth || stage.clientWidth || 640));
      if (!view || view.width !== width) view = view ? clampView({ ...view, width }, duration(), minSpp()) : fitView(duration(), width);
      /** @type {DrawSeg[]} */
      const segs = [
        ...segments().map((r) => ({ id: r.id, start: r.start, end: r.end, label: r.label, text: r.text })),
        ...suggestions().map((s) => ({ id: s.id, start: s.start, end: s.end, label: s.label, text: s.text, suggestion: true })),
      ];
      if (draft && drag?.mode === "edge" && drag.id) {
        const i = segs.findIndex((s) => s.id === drag?.id);
        if (i >= 0) segs[i] = { ...segs[i], ...draft };
      }
      const stack = lanes(segs);
      const cssH = sceneHeight(stack.count);
      const dpr = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(cssH * dpr)) {
        canvas.width = Math.round(width * dpr);
        canvas.height = Math.round(cssH * dpr);
        canvas.style.width = `${width}px`;
        canvas.style.height = `${cssH}px`;
      }
      const t0 = performance.now();
      drawScene(
        g,
        {
          view,
          peaks: { buckets: entry.item.peaks.buckets, sampleRate: entry.item.sample_rate, levels: media.levels, scale: entry.item.peaks.scale },
          segments: segs,
          laneOf: stack.lane,
          laneCount: stack.count,
          selected,
          draft: drag?.mode === "create" ? draft : null,
          mark,
          playhead: player.time,
          labels: labels(),
          loop: player.loop,
        },
        dpr,
      );
      frames.push(performance.now() - t0);
      if (frames.length > 2000) frames.splice(0, 1000);
      const span_ = view.width * view.spp;
      scroll.hidden = span_ >= duration() - 1e-9;
      scroll.max = String(Math.max(0, duration() - span_));
      scroll.value = String(view.start);
      replace(clock, `${formatTime(player.time)} / ${formatTime(duration())}`);
      root.dataset.start = String(view.start);
      root.dataset.spp = String(view.spp);
      if (drawn !== session.position) {
        drawn = session.position;
        root.dataset.drawn = String(drawn);
        root.dispatchEvent(new CustomEvent("nblabel:drawn", { detail: { position: drawn } }));
      }
    };

    const updatePanel = () => {
      const entry = item();
      const row = selectedRow();
      const sug = selectedSuggestion();
      root.dataset.selected = selected ?? "";
      const noteText = [...(entry?.item.notes ?? [])];
      if (player.error) noteText.push(`Playback: ${player.error}`);
      replace(notes, ...noteText.map((n) => h("div", {}, n)));
      const it = entry?.item;
      replace(info, it ? `${it.format ? `${it.format} · ` : ""}${(it.sample_rate / 1000).toFixed(it.sample_rate % 1000 ? 1 : 0)} kHz · ${it.channels} ch` : "");
      notes.hidden = noteText.length === 0;
      const seg = row ?? sug;
      panel.classList.toggle("nbl-empty", !seg);
      transcript.hidden = !row;
      segButtons.hidden = !seg;
      suggestionButtons.hidden = !sug;
      if (seg) {
        const all = segments().sort((a, b) => a.start - b.start || a.end - b.end);
        const k = all.findIndex((r) => r.id === seg.id);
        replace(
          segInfo,
          h("span", { class: "nbl-chip nbl-seg-label", style: `border-color: ${colourOf(labels(), seg.label)}` }, seg.label),
          ` ${formatTime(seg.start)} – ${formatTime(seg.end)}`,
          sug ? ` (suggested${sug.score === undefined ? "" : `, score ${sug.score.toFixed(2)}`})` : ` · segment ${k + 1} of ${all.length}`,
        );
      } else if (mark !== null) {
        replace(segInfo, `Start marked at ${formatTime(mark)}: press ] at the end of the segment`);
      } else {
        replace(segInfo, entry ? `New segments: ${labels()[activeLabel] ?? ""} · drag on the waveform or press [ and ] · ? for help` : "");
      }
      if (row && document.activeElement !== transcript) transcript.value = String(row.text ?? "");
      // The label bar shows the selected segment's label, else the label new segments get.
      const current = row?.label ?? sug?.label ?? labels()[activeLabel];
      for (const b of root.querySelectorAll(".nbl-labels .nbl-label")) {
        const on = /** @type {HTMLElement} */ (b).dataset.label === current;
        b.setAttribute("aria-pressed", String(on));
        b.classList.toggle("nbl-on", on);
      }
      /** @type {string[]} */
      const clips = model.get("clip_labels") ?? [];
      const chosen = new Set([...(session.current?.rows.values() ?? [])].filter((r) => r.kind === "label").map((r) => r.label));
      replace(
        clipBar,
        ...(clips.length ? [h("span", { class: "nbl-muted" }, "Clip:")] : []),
        ...clips.map((label, i) =>
          h(
            "button",
            { type: "button", class: `nbl-label nbl-clip${chosen.has(label) ? " nbl-on" : ""}`, "data-label": label, "aria-pressed": String(chosen.has(label)), title: i < 9 ? `Shift+${i + 1}` : "", onclick: () => chooseClipLabel(i) },
            label,
          ),
        ),
      );
    };

    const update = () => {
      ui.update();
      const entry = item();
      if (entry && entry.item.id !== itemId) {
        itemId = entry.item.id;
        player.setItem(entry.item.id, entry.item.playback, duration());
        view = null;
        selected = null;
        mark = null;
        draft = null;
        drag = null;
      } else if (!entry && session.current && session.current.item.id !== itemId) {
        itemId = session.current.item.id;
        player.pause();
      }
      if (selected && !selectedRow() && !selectedSuggestion()) selected = null;
      updatePanel();
      draw();
      root.dispatchEvent(new CustomEvent("nblabel:status", { detail: { status: session.status } }));
    };

    // -- actions ---------------------------------------------------------------------------
    const togglePlay = () => {
      if (!item()) return;
      if (player.playing) player.pause();
      else player.play();
      requestDraw();
    };
    /** @param {number} s */
    const setSpeed = (s) => {
      player.setSpeed(s);
      speed.value = String(s);
    };
    /** @param {number} dir */
    const stepSpeed = (dir) => {
      const i = SPEEDS.indexOf(player.speed);
      setSpeed(SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 2 : i) + dir))]);
    };
    /** @param {number} t */
    const seek = (t) => {
      player.seek(Math.max(0, Math.min(duration(), t)));
      if (view) view = follow(view, player.time, duration(), minSpp());
      requestDraw();
    };
    /** @param {number} factor */
    const zoom = (factor) => {
      if (!view) return;
      const t = player.time;
      const anchor = t >= view.start && t <= view.start + view.width * view.spp ? t : view.start + (view.width * view.spp) / 2;
      view = zoomAt(view, factor, anchor, duration(), minSpp());
      requestDraw();
    };
    const fit = () => {
      if (!view) return;
      view = fitView(duration(), view.width);
      requestDraw();
    };
    /** @param {number} start */
    const scrollTo = (start) => {
      if (!view) return;
      view = clampView({ ...view, start }, duration(), minSpp());
      requestDraw();
    };
    /** @param {string | null} id */
    const select = (id) => {
      selected = id;
      updatePanel();
      requestDraw();
    };
    /** @param {number} a @param {number} b */
    const createSegment = (a, b) => {
      const { start, end } = span(a, b, duration());
      if (end - start < 0.001) return;
      const label = labels()[activeLabel] ?? labels()[0];
      const row = { id: newId(), kind: "segment", label, start, end };
      session.edit({ upsert: [row], delete: [] });
      select(row.id);
    };
    /** @param {string} id @param {Record<string, any>} patch */
    const updateSegment = (id, patch) => {
      const row = item()?.rows.get(id);
      if (!row) return;
      const next = { ...row, ...patch };
      if (Object.keys(patch).every((k) => next[k] === row[k])) return;
      session.edit({ upsert: [next], delete: [] });
    };
    /** @param {number} index */
    const setLabel = (index) => {
      const label = labels()[index];
      if (label === undefined) return;
      activeLabel = index;
      const row = selectedRow();
      if (row) updateSegment(row.id, { label });
      else if (selectedSuggestion()) acceptSuggestion(label);
      updatePanel();
      requestDraw();
    };
    /** @param {number} index */
    const chooseClipLabel = (index) => {
      /** @type {string[]} */
      const clips = model.get("clip_labels") ?? [];
      if (index >= clips.length || !session.current) return;
      const change = chooseClip(session, clips[index]);
      if (change) session.edit(change);
      if (model.get("advance") && !model.get("multi_label")) session.goto(session.position + 1);
    };
    const markStart = () => {
      if (!item()) return;
      mark = roundMs(player.time);
      updatePanel();
      requestDraw();
    };
    const markEnd = () => {
      if (!item()) return;
      if (mark === null) {
        markStart();
        return;
      }
      const a = mark;
      mark = null;
      createSegment(a, player.time);
      updatePanel();
    };
    const deleteSelected = () => {
      const row = selectedRow();
      if (row) {
        session.edit({ upsert: [], delete: [row.id] });
        select(null);
      } else if (mark !== null) {
        mark = null;
        updatePanel();
        requestDraw();
      }
    };
    /** @param {boolean} loop */
    const playSegment = (loop) => {
      const seg = selectedRow() ?? selectedSuggestion();
      if (!seg) return;
      if (loop && player.loop && player.playing) {
        player.pause();
        player.loop = null;
      } else {
        player.play(seg.start, loop ? { loop: { start: seg.start, end: seg.end } } : { until: seg.end });
      }
      requestDraw();
    };
    /** @returns {SegSuggestion | null} */
    const targetSuggestion = () => selectedSuggestion() ?? atOrAfter(suggestions(), player.time);
    /** @param {string} [label] */
    const acceptSuggestion = (label) => {
      const s = targetSuggestion();
      if (!s) return;
      /** @type {Row} */
      const row = { id: newId(), kind: "segment", label: label ?? s.label, start: s.start, end: s.end };
      if (typeof s.text === "string") row.text = s.text;
      session.edit({ upsert: [row], delete: [], accepted: [s.id] });
      select(row.id);
    };
    const rejectSuggestion = () => {
      const s = targetSuggestion();
      if (!s) return;
      session.edit({ upsert: [], delete: [], rejected: [s.id] });
      select(null);
    };
    /** @param {1 | -1} dir */
    const selectNeighbour = (dir) => {
      const next = neighbour([...segments(), ...suggestions()].map((s) => ({ id: s.id, start: s.start, end: s.end })), selected, dir);
      if (!next) return;
      select(next.id);
      if (view && (next.start < view.start || next.start > view.start + view.width * view.spp)) {
        view = clampView({ ...view, start: next.start - view.width * view.spp * 0.1 }, duration(), minSpp());
      }
      if (!player.playing) player.seek(next.start);
      requestDraw();
    };

    // -- transcript box --------------------------------------------------------------------
    /** @type {string | null} */
    let editing = null;
    transcript.addEventListener("focus", () => {
      editing = selected;
    });
    const commitTranscript = () => {
      if (editing) updateSegment(editing, { text: transcript.value });
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
        transcript.value = String(selectedRow()?.text ?? "");
        root.focus({ preventScroll: true });
      }
    });

    // -- mouse -----------------------------------------------------------------------------
    /** @param {PointerEvent} e */
    const laneAt = (e) => (e.offsetY >= AXIS_H ? Math.floor((e.offsetY - AXIS_H) / LANE_H) : null);
    const hitSegs = () => [...segments(), ...suggestions()].map((s) => ({ id: s.id, start: s.start, end: s.end }));
    canvas.addEventListener("pointerdown", (e) => {
      if (!view || e.button !== 0) return;
      root.focus({ preventScroll: true });
      const segs = hitSegs();
      const stack = lanes(segs);
      const hit = hitTest(segs, view, e.offsetX, { selected, lane: laneAt(e), laneOf: stack.lane });
      const t = xToTime(view, e.offsetX);
      canvas.setPointerCapture(e.pointerId);
      const isRow = hit ? item()?.rows.has(hit.id) : false;
      if (hit && hit.part !== "body" && isRow) {
        drag = { mode: "edge", id: hit.id, edge: hit.part, x0: e.offsetX, t0: t, moved: false };
        select(hit.id);
      } else {
        drag = { mode: hit ? "click" : "create", id: hit?.id ?? null, edge: "end", x0: e.offsetX, t0: t, moved: false };
      }
      e.preventDefault();
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!view) return;
      if (!drag) {
        const hit = hitTest(hitSegs(), view, e.offsetX, { selected });
        canvas.style.cursor = hit && hit.part !== "body" && item()?.rows.has(hit.id) ? "ew-resize" : "crosshair";
        return;
      }
      const t = Math.max(0, Math.min(duration(), xToTime(view, e.offsetX)));
      if (!drag.moved && Math.abs(e.offsetX - drag.x0) < 3) return;
      drag.moved = true;
      if (drag.mode === "edge" && drag.id) {
        const row = item()?.rows.get(drag.id);
        if (row) draft = moveEdge(/** @type {any} */ (row), drag.edge, t, duration());
      } else {
        drag.mode = "create";
        draft = span(drag.t0, t, duration());
      }
      requestDraw();
    });
    const endDrag = (/** @type {PointerEvent} */ e, cancelled = false) => {
      if (!drag || !view) return;
      const d = drag;
      const result = draft;
      drag = null;
      draft = null;
      if (cancelled) {
        requestDraw();
        return;
      }
      if (d.moved && result && d.mode === "edge" && d.id) {
        updateSegment(d.id, { start: result.start, end: result.end });
      } else if (d.moved && result && d.mode === "create") {
        createSegment(result.start, result.end);
      } else if (!d.moved) {
        seek(xToTime(view, e.offsetX));
        select(d.mode === "click" || d.mode === "edge" ? d.id : null);
      }
      requestDraw();
    };
    canvas.addEventListener("pointerup", (e) => endDrag(e));
    canvas.addEventListener("pointercancel", (e) => endDrag(e, true));
    canvas.addEventListener(
      "wheel",
      (e) => {
        if (!view) return;
        if (e.ctrlKey || e.metaKey) {
          e.preventDefault();
          view = zoomAt(view, Math.exp(-e.deltaY / 300), xToTime(view, e.offsetX), duration(), minSpp());
          requestDraw();
        } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
          e.preventDefault();
          const dx = e.shiftKey ? e.deltaY || e.deltaX : e.deltaX;
          scrollTo(view.start + dx * view.spp);
        }
      },
      { passive: false },
    );

    // -- keys ------------------------------------------------------------------------------
    const stopKeys = captureKeys(root, (key, event) => {
      if (ui.help.open) {
        if (key === "Escape" || key === "?") ui.help.toggle(false);
        return true;
      }
      if (event.shiftKey && /^Digit[1-9]$/.test(event.code) && !event.ctrlKey && !event.altKey) {
        chooseClipLabel(Number(event.code.slice(5)) - 1);
        return true;
      }
      const t = player.time;
      if (key === " ") togglePlay();
      else if (/^[1-9]$/.test(key)) setLabel(Number(key) - 1);
      else if (key === "[") markStart();
      else if (key === "]") markEnd();
      else if (key === "{" || key === "}") {
        const row = selectedRow();
        if (row) updateSegment(row.id, moveEdge(/** @type {any} */ (row), key === "{" ? "start" : "end", t, duration()));
      }
      else if (key === "Enter") {
        // Consumed even with nothing selected, so it never reaches the notebook.
        if (selectedRow()) {
          transcript.focus();
          transcript.select();
        }
      } else if (key === "Delete" || key === "Backspace") deleteSelected();
      else if (key === "Escape") {
        mark = null;
        select(null);
      } else if (key === ",") selectNeighbour(-1);
      else if (key === ".") selectNeighbour(1);
      else if (key === "s") playSegment(false);
      else if (key === "l") playSegment(true);
      else if (key === "ArrowLeft") seek(t - 1);
      else if (key === "ArrowRight") seek(t + 1);
      else if (key === "Shift+ArrowLeft") seek(t - 5);
      else if (key === "Shift+ArrowRight") seek(t + 5);
      else if (key === "Home") seek(0);
      else if (key === "End") seek(duration());
      else if (key === "+" || key === "=") zoom(2);
      else if (key === "-") zoom(1 / 2);
      else if (key === "0") fit();
      else if (key === "<") stepSpeed(-1);
      else if (key === ">") stepSpeed(1);
      else if (key === "a") {
        const best = session.visibleSuggestions("label")[0];
        if (targetSuggestion()) acceptSuggestion();
        else if (best) ui.root.querySelector(".nbl-suggestions .nbl-accept")?.dispatchEvent(new Event("click"));
      } else if (key === "x") rejectSuggestion();
      else if (key === "n") session.goto(session.position + 1);
      else if (key === "p") session.goto(session.position - 1);
      else if (key === "z" || key === "Ctrl+z") session.undo();
      else if (key === "Shift+Z" || key === "y" || key === "Ctrl+y" || key === "Ctrl+Shift+Z") session.redo();
      else if (key === "?") ui.help.toggle();
      else return false;
      return true;
    });
    root.addEventListener("pointerdown", (e) => {
      if (e.target !== transcript && !(e.target instanceof HTMLSelectElement)) root.focus({ preventScroll: true });
    });

    const unsubscribe = session.subscribe(update);
    const resize = new ResizeObserver(() => requestDraw());
    resize.observe(stage);
    // After the frame's own listeners (which mark clip labels on the label bar): ours win.
    const onClips = () => updatePanel();
    for (const trait of ["clip_labels", "labels", "n_done", "threshold"]) model.on(`change:${trait}`, onClips);

    update();
    session.start();
    return () => {
      unsubscribe();
      resize.disconnect();
      stopKeys();
      player.close();
      model.off("msg:custom", onAudio);
      for (const trait of ["clip_labels", "labels", "n_done", "threshold"]) model.off(`change:${trait}`, onClips);
      if (raf) cancelAnimationFrame(raf);
    };
  },
};
