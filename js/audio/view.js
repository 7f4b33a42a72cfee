// The audio widget's view state and actions: the current item, the visible time range,
// the selected segment, the start mark, playback, and the canvas that draws them.
// The panel (panel.js), the mouse (pointer.js) and the keys (keys.js) act through it.

import { h, replace } from "../lib/dom.js";
import { newId } from "../lib/ids.js";
import { chooseItemLabel } from "../lib/labels.js";
import { Player } from "./player.js";
import { atOrAfter, lanes, moveEdge, neighbour, span } from "./segments.js";
import { clampView, fitView, follow, formatTime, roundMs, zoomAt } from "./timeline.js";
import { drawScene, sceneHeight } from "./wave.js";

/**
 * @typedef {import("../lib/session.js").Session} Session
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/session.js").Entry} Entry
 * @typedef {import("../lib/session.js").Suggestion} Suggestion
 * @typedef {import("../lib/cleanup.js").Cleanup} Cleanup
 * @typedef {import("./timeline.js").View} View
 * @typedef {import("./wave.js").DrawSeg} DrawSeg
 * @typedef {{levels: Int8Array[]}} Media
 * @typedef {Suggestion & {start: number, end: number}} SegSuggestion
 * @typedef {Row & {start: number, end: number}} SegRow
 * @typedef {{mode: "edge" | "create" | "click", id: string | null, edge: "start" | "end",
 *   x0: number, t0: number, moved: boolean}} Drag
 */

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];

export class AudioView {
  /**
   * @param {Session} session
   * @param {HTMLElement} root the widget's root (its data-* attributes are the page's state for tests)
   * @param {HTMLElement} stage
   * @param {Cleanup} cleanup
   */
  constructor(session, root, stage, cleanup) {
    this.session = session;
    this.model = session.model;
    this.root = root;
    this.stage = stage;
    this.canvas = h("canvas", { class: "nbl-wave", "aria-label": "waveform" });
    this.g = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d"));
    this.waveWrap = h("div", { class: "nbl-wave-wrap" }, this.canvas);
    this.scroll = h("input", {
      type: "range",
      class: "nbl-scroll",
      min: 0,
      max: 1,
      step: "any",
      "aria-label": "scroll along the timeline",
      oninput: () => this.scrollTo(Number(this.scroll.value)),
    });
    this.playButton = h(
      "button",
      { type: "button", class: "nbl-button nbl-play", title: "Play / pause (Space)", onclick: () => this.togglePlay() },
      "▶ Play",
    );
    this.clock = h("span", { class: "nbl-clock" });
    /** @type {View | null} the visible time range */
    this.view = null;
    /** @type {string | null} */
    this.itemId = null;
    /** @type {string | null} the selected segment or suggestion */
    this.selected = null;
    /** @type {number | null} a segment's start, marked with [ */
    this.mark = null;
    /** index of the label new segments get */
    this.activeLabel = 0;
    /** @type {{start: number, end: number} | null} the segment being drawn or adjusted */
    this.draft = null;
    /** @type {Drag | null} */
    this.drag = null;
    this.drawn = -1;
    this.raf = 0;
    /** @type {number[]} draw times (ms), read by the benchmark */
    this.frames = [];
    /** @type {any} */ (root).nblFrames = this.frames;
    /** called when the selection or playback state changes what the panel shows */
    this.onPanel = () => {};
    this.player = new Player(
      (item, chunk) => this.model.send({ type: "audio", item_id: item, chunk }),
      () => this.requestDraw(),
    );
    cleanup.on(this.model, "msg:custom", (/** @type {any} */ msg, /** @type {DataView[]} */ buffers) => {
      if (msg?.type !== "audio") return;
      if (msg.error) this.player.fail(msg.item_id, String(msg.error));
      else if (buffers.length) this.player.receive(msg.item_id, msg.chunk, msg.rate, buffers[0]);
      this.onPanel();
    });
    cleanup.add(() => {
      this.player.close();
      if (this.raf) cancelAnimationFrame(this.raf);
    });
  }

  // -- the current item ------------------------------------------------------------------

  /** @returns {Entry | null} the current item, when it is audio that can be drawn */
  item() {
    const entry = this.session.current;
    return entry && !entry.item.error && entry.item.peaks ? entry : null;
  }

  duration() {
    return Number(this.item()?.item.duration ?? 0);
  }

  /** @returns {number} the least seconds per pixel (zoomed in all the way) */
  minSpp() {
    const entry = this.item();
    return entry ? entry.item.peaks.buckets[0] / entry.item.sample_rate / 4 : 1e-4;
  }

  /** @returns {SegRow[]} */
  segments() {
    return /** @type {SegRow[]} */ ([...(this.item()?.rows.values() ?? [])].filter((r) => r.kind === "segment"));
  }

  /** @returns {SegSuggestion[]} */
  suggestions() {
    return /** @type {SegSuggestion[]} */ (this.session.visibleSuggestions("segment"));
  }

  /** @returns {SegRow | undefined} */
  selectedRow() {
    return this.selected ? /** @type {SegRow | undefined} */ (this.item()?.rows.get(this.selected)) : undefined;
  }

  /** @returns {SegSuggestion | undefined} */
  selectedSuggestion() {
    return /** @type {SegSuggestion | undefined} */ (
      this.selected ? this.item()?.suggestions.get(this.selected) : undefined
    );
  }

  /** @returns {string[]} */
  labels() {
    return this.model.get("labels");
  }

  /** The segments and suggestions as the hit test sees them. */
  hitSegs() {
    return [...this.segments(), ...this.suggestions()].map((s) => ({ id: s.id, start: s.start, end: s.end }));
  }

  // -- drawing ---------------------------------------------------------------------------

  requestDraw() {
    if (!this.raf) this.raf = requestAnimationFrame(() => this.tick());
  }

  tick() {
    this.raf = 0;
    const { player } = this;
    player.tick();
    if (this.item() && this.view && player.playing && !this.drag)
      this.view = follow(this.view, player.time, this.duration(), this.minSpp());
    this.draw();
    if (player.playing) this.requestDraw();
  }

  draw() {
    const { root, stage, player, canvas, waveWrap } = this;
    const entry = this.item();
    const media = /** @type {Media | null} */ (entry?.media ?? null);
    root.dataset.playing = String(player.playing);
    root.dataset.time = String(roundMs(player.time));
    this.playButton.textContent = player.playing ? "❚❚ Pause" : "▶ Play";
    if (!entry || !media) {
      waveWrap.hidden = true;
      stage.classList.toggle("nbl-loading", !this.session.current?.item.error);
      return;
    }
    waveWrap.hidden = false;
    stage.classList.remove("nbl-loading");
    const duration = this.duration();
    const width = Math.max(100, Math.floor(waveWrap.clientWidth || stage.clientWidth || 640));
    const view =
      !this.view || this.view.width !== width
        ? this.view
          ? clampView({ ...this.view, width }, duration, this.minSpp())
          : fitView(duration, width)
        : this.view;
    this.view = view;
    /** @type {DrawSeg[]} */
    const segs = [
      ...this.segments().map((r) => ({ id: r.id, start: r.start, end: r.end, label: r.label, text: r.text })),
      ...this.suggestions().map((s) => ({
        id: s.id,
        start: s.start,
        end: s.end,
        label: s.label,
        text: s.text,
        suggestion: true,
      })),
    ];
    const drag = this.drag;
    if (this.draft && drag?.mode === "edge" && drag.id) {
      const i = segs.findIndex((s) => s.id === drag.id);
      if (i >= 0) segs[i] = { ...segs[i], ...this.draft };
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
      this.g,
      {
        view,
        peaks: {
          buckets: entry.item.peaks.buckets,
          sampleRate: entry.item.sample_rate,
          levels: media.levels,
          scale: entry.item.peaks.scale,
        },
        segments: segs,
        laneOf: stack.lane,
        laneCount: stack.count,
        selected: this.selected,
        draft: drag?.mode === "create" ? this.draft : null,
        mark: this.mark,
        playhead: player.time,
        labels: this.labels(),
        loop: player.loop,
      },
      dpr,
    );
    this.frames.push(performance.now() - t0);
    if (this.frames.length > 2000) this.frames.splice(0, 1000);
    const shown = view.width * view.spp;
    this.scroll.hidden = shown >= duration - 1e-9;
    this.scroll.max = String(Math.max(0, duration - shown));
    this.scroll.value = String(view.start);
    replace(this.clock, `${formatTime(player.time)} / ${formatTime(duration)}`);
    root.dataset.start = String(view.start);
    root.dataset.spp = String(view.spp);
    if (this.drawn !== this.session.position) {
      this.drawn = this.session.position;
      root.dataset.drawn = String(this.drawn);
      root.dispatchEvent(new CustomEvent("nblabel:drawn", { detail: { position: this.drawn } }));
    }
  }

  /** Follow the session: a new item resets the view, the selection and playback. */
  sync() {
    const entry = this.item();
    const current = this.session.current;
    if (entry && entry.item.id !== this.itemId) {
      this.itemId = entry.item.id;
      this.player.setItem(entry.item.id, entry.item.playback, this.duration());
      this.view = null;
      this.selected = null;
      this.mark = null;
      this.draft = null;
      this.drag = null;
    } else if (!entry && current && current.item.id !== this.itemId) {
      this.itemId = current.item.id;
      this.player.pause();
    }
    if (this.selected && !this.selectedRow() && !this.selectedSuggestion()) this.selected = null;
  }

  // -- playback and the visible range ------------------------------------------------------

  togglePlay() {
    if (!this.item()) return;
    if (this.player.playing) this.player.pause();
    else this.player.play();
    this.requestDraw();
  }

  /** @param {number} s */
  setSpeed(s) {
    this.player.setSpeed(s);
    this.onPanel();
  }

  /** @param {number} dir */
  stepSpeed(dir) {
    const i = SPEEDS.indexOf(this.player.speed);
    this.setSpeed(SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 2 : i) + dir))]);
  }

  /** @param {number} t */
  seek(t) {
    this.player.seek(Math.max(0, Math.min(this.duration(), t)));
    if (this.view) this.view = follow(this.view, this.player.time, this.duration(), this.minSpp());
    this.requestDraw();
  }

  /** @param {number} factor zoom in (> 1) or out around the playhead (or the middle) */
  zoom(factor) {
    const view = this.view;
    if (!view) return;
    const t = this.player.time;
    const anchor =
      t >= view.start && t <= view.start + view.width * view.spp ? t : view.start + (view.width * view.spp) / 2;
    this.view = zoomAt(view, factor, anchor, this.duration(), this.minSpp());
    this.requestDraw();
  }

  /**
   * @param {number} factor
   * @param {number} anchor the time that stays put
   */
  zoomAround(factor, anchor) {
    if (!this.view) return;
    this.view = zoomAt(this.view, factor, anchor, this.duration(), this.minSpp());
    this.requestDraw();
  }

  fit() {
    if (!this.view) return;
    this.view = fitView(this.duration(), this.view.width);
    this.requestDraw();
  }

  /** @param {number} start */
  scrollTo(start) {
    if (!this.view) return;
    this.view = clampView({ ...this.view, start }, this.duration(), this.minSpp());
    this.requestDraw();
  }

  // -- segments ----------------------------------------------------------------------------

  /** @param {string | null} id */
  select(id) {
    this.selected = id;
    this.onPanel();
    this.requestDraw();
  }

  /** @param {number} a @param {number} b two times, any order */
  createSegment(a, b) {
    const { start, end } = span(a, b, this.duration());
    if (end - start < 0.001) return;
    const labels = this.labels();
    const label = labels[this.activeLabel] ?? labels[0];
    const row = { id: newId(), kind: "segment", label, start, end };
    this.session.edit({ upsert: [row], delete: [] });
    this.select(row.id);
  }

  /** @param {string} id @param {Record<string, any>} patch */
  updateSegment(id, patch) {
    const row = this.item()?.rows.get(id);
    if (!row) return;
    const next = { ...row, ...patch };
    if (Object.keys(patch).every((k) => next[k] === row[k])) return;
    this.session.edit({ upsert: [next], delete: [] });
  }

  /** @param {"start" | "end"} edge move the selected segment's edge to the playhead */
  moveSelectedEdge(edge) {
    const row = this.selectedRow();
    if (row) this.updateSegment(row.id, moveEdge(row, edge, this.player.time, this.duration()));
  }

  /** @param {number} index the label of the selected segment, and of new ones */
  setLabel(index) {
    const label = this.labels()[index];
    if (label === undefined) return;
    this.activeLabel = index;
    const row = this.selectedRow();
    if (row) this.updateSegment(row.id, { label });
    else if (this.selectedSuggestion()) this.acceptSuggestion(label);
    this.onPanel();
    this.requestDraw();
  }

  /** @param {number} index toggle the k-th clip label (the whole item's) */
  chooseClipLabel(index) {
    const { model, session } = this;
    /** @type {string[]} */
    const clips = model.get("clip_labels") ?? [];
    const entry = session.current;
    if (index >= clips.length || !entry) return;
    const change = chooseItemLabel(entry.rows.values(), clips[index], {
      multi: Boolean(model.get("multi_label")),
      toggle: true,
    });
    if (change) session.edit(change);
    if (model.get("advance") && !model.get("multi_label")) session.goto(session.position + 1);
  }

  markStart() {
    if (!this.item()) return;
    this.mark = roundMs(this.player.time);
    this.onPanel();
    this.requestDraw();
  }

  markEnd() {
    if (!this.item()) return;
    if (this.mark === null) {
      this.markStart();
      return;
    }
    const a = this.mark;
    this.mark = null;
    this.createSegment(a, this.player.time);
    this.onPanel();
  }

  deleteSelected() {
    const row = this.selectedRow();
    if (row) {
      this.session.edit({ upsert: [], delete: [row.id] });
      this.select(null);
    } else if (this.mark !== null) {
      this.mark = null;
      this.onPanel();
      this.requestDraw();
    }
  }

  /** @param {boolean} loop */
  playSegment(loop) {
    const seg = this.selectedRow() ?? this.selectedSuggestion();
    if (!seg) return;
    const { player } = this;
    if (loop && player.loop && player.playing) {
      player.pause();
      player.loop = null;
    } else {
      player.play(seg.start, loop ? { loop: { start: seg.start, end: seg.end } } : { until: seg.end });
    }
    this.requestDraw();
  }

  /** @returns {SegSuggestion | null} the selected suggestion, else the one at (or after) the playhead */
  targetSuggestion() {
    return this.selectedSuggestion() ?? atOrAfter(this.suggestions(), this.player.time);
  }

  /** @param {string} [label] accept with another label */
  acceptSuggestion(label) {
    const s = this.targetSuggestion();
    if (!s) return;
    /** @type {Row} */
    const row = { id: newId(), kind: "segment", label: label ?? s.label, start: s.start, end: s.end };
    if (typeof s.text === "string") row.text = s.text;
    this.session.edit({ upsert: [row], delete: [], accepted: [s.id] });
    this.select(row.id);
  }

  rejectSuggestion() {
    const s = this.targetSuggestion();
    if (!s) return;
    this.session.edit({ upsert: [], delete: [], rejected: [s.id] });
    this.select(null);
  }

  /** @param {1 | -1} dir select the next (or previous) segment in time */
  selectNeighbour(dir) {
    const next = neighbour(this.hitSegs(), this.selected, dir);
    if (!next) return;
    this.select(next.id);
    const view = this.view;
    if (view && (next.start < view.start || next.start > view.start + view.width * view.spp)) {
      this.view = clampView(
        { ...view, start: next.start - view.width * view.spp * 0.1 },
        this.duration(),
        this.minSpp(),
      );
    }
    if (!this.player.playing) this.player.seek(next.start);
    this.requestDraw();
  }
}
