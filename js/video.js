// VideoAnnotator's page: the frame on a canvas with its tracks' boxes, a transport bar
// (play, step, jump, speed, go to frame), a scrubber and a timeline of the tracks.
// Frames are asked of the kernel by number ({"type": "frames"}) and arrive as JPEG
// ({"type": "frame"}); see src/nblabel/widgets/video.py. The pieces: video/frames.js
// (which frames to hold and ask for), video/tracks.js (keyframes and interpolation),
// image/shapes.js (box geometry), video/panel.js (frame ranges and a model's suggested
// tracks: the lane under the timeline and the lists).

import "./nblabel.css";
import "./video.css";
import { boxFromCorners, hitBox, moveBox, resizeBox, snapBox } from "./image/shapes.js";
import { h, replace } from "./lib/dom.js";
import { newId } from "./lib/ids.js";
import { acceptItemLabel, chooseItemLabel } from "./lib/labels.js";
import { colourOf } from "./lib/palette.js";
import { pageShell } from "./lib/shell.js";
import { FrameCache, frameAt, wishList } from "./video/frames.js";
import { videoPanel } from "./video/panel.js";
import { allShownAt, byTrack, endKeyframe, extents, newTrackId, nextKeyframe, putKeyframe } from "./video/tracks.js";

/**
 * @typedef {import("./lib/session.js").Session} Session
 * @typedef {import("./lib/session.js").Row} Row
 * @typedef {import("./lib/session.js").ItemInfo} ItemInfo
 * @typedef {import("./video/tracks.js").Keyframe} Keyframe
 * @typedef {import("./video/tracks.js").Shown} Shown
 * @typedef {import("./image/shapes.js").Box} Box
 * @typedef {import("./image/shapes.js").Handle} Handle
 * @typedef {{times: Float64Array, frames: FrameCache<ImageBitmap>}} Media
 */

const SPEEDS = [0.25, 0.5, 1, 2, 4];

/**
 * The item's times and frame 0, decoded off the main thread.
 * @param {ItemInfo} item @param {DataView[]} buffers
 * @returns {Promise<Media>}
 */
async function decode(item, buffers) {
  const t = buffers[0];
  const times = new Float64Array(t.buffer.slice(t.byteOffset, t.byteOffset + t.byteLength));
  const frames = new FrameCache(/** @type {number} */ (240), (/** @type {ImageBitmap} */ b) => b.close());
  frames.set(0, await bitmap(buffers[1], item.mime), 0);
  return { times, frames };
}

/** @param {DataView} view @param {string} mime */
function bitmap(view, mime) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  return createImageBitmap(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)], { type: mime }));
}

/** @param {Media} media */
function release(media) {
  media.frames.clear();
}

export default {
  /** @type {import("@anywidget/types").Render} */
  render({ model, el }) {
    const shell = pageShell(model, el, {
      decode,
      release,
      noun: "video",
      notes: false, // k and c are the video's own keys (keyframes); it takes no skips or comments
      clear: { action: () => clearClips(), title: "remove this video's whole-video labels" },
      onLabel: (i) => chooseLabel(i),
      onAccept: (s) => acceptLabel(s),
      hint: "Click here, then draw boxes; Space plays, . and , step · ? for help",
    });
    const { session, ui, root, stage, keys, cleanup } = shell;
    /** @param {import("./lib/session.js").Suggestion} s a suggested whole-video label */
    const acceptLabel = (s) => {
      const entry = session.current;
      if (!entry) return;
      const change = acceptItemLabel(entry.rows.values(), s.label, { multi: Boolean(model.get("multi_label")) });
      session.edit({ ...change, accepted: [s.id] });
    };
    const state = {
      frame: 0,
      playing: false,
      speed: 1,
      /** @type {string | null} */ selected: null,
      labelIndex: 0,
      /** @type {string | null} */ itemId: null,
      /** @type {string | null} */ frameError: null,
      playStart: 0,
      playFrom: 0,
      dropped: 0,
      /** @type {string | null} the selected frame range */ selectedRange: null,
      /** @type {number | null} where `[` marked a new range's start */ markIn: null,
      rangeLabel: 0,
      /** @type {string | null} the selected suggested track (or range) */ suggested: null,
    };

    /** @returns {Media | null} */
    const media = () => session.current?.media ?? null;
    const info = () => session.current?.item;
    const nFrames = () => Number(info()?.frames ?? 0);
    /** @returns {Keyframe[]} */
    const boxRows = () =>
      /** @type {Keyframe[]} */ (
        /** @type {unknown} */ ([...(session.current?.rows.values() ?? [])].filter((r) => r.kind === "box"))
      );
    const tracks = () => byTrack(boxRows());

    // -- the frame and its boxes --------------------------------------------------------
    const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "nbl-video-canvas" }));
    const ctx = canvas.getContext("2d"); // null where there is no canvas (tests in happy-dom)
    const clock = h("span", { class: "nbl-clock" });
    const play = h(
      "button",
      { type: "button", class: "nbl-button nbl-play", title: "Play / pause (Space)", onclick: () => toggle() },
      "▶ Play",
    );
    const speed = /** @type {HTMLSelectElement} */ (
      h(
        "select",
        {
          class: "nbl-speed",
          title: "Playback speed (- and =)",
          onchange: () => {
            state.speed = Number(speed.value);
            restartClock();
          },
        },
        ...SPEEDS.map((s) => h("option", { value: s, selected: s === 1 }, `${s}×`)),
      )
    );
    const goto = /** @type {HTMLInputElement} */ (
      h("input", {
        type: "number",
        class: "nbl-goto",
        min: 0,
        step: 1,
        title: "Go to frame (g, then Enter)",
        "aria-label": "go to frame",
        onkeydown: (/** @type {Event} */ e) => {
          const ev = /** @type {KeyboardEvent} */ (e);
          if (ev.key === "Enter") {
            seek(Number(goto.value));
            root.focus();
          } else if (ev.key === "Escape") root.focus();
        },
      })
    );
    const scrub = /** @type {HTMLInputElement} */ (
      h("input", {
        type: "range",
        class: "nbl-scrub",
        min: 0,
        max: 0,
        step: 1,
        value: 0,
        "aria-label": "frame",
        oninput: () => seek(Number(scrub.value)),
      })
    );
    const button = (/** @type {string} */ text, /** @type {string} */ title, /** @type {() => void} */ act) =>
      h("button", { type: "button", class: "nbl-button", title, onclick: () => act() }, text);
    const clips = h("span", { class: "nbl-clip-labels" });
    const toolbar = h(
      "div",
      { class: "nbl-video-toolbar" },
      button("|◀", "First frame (Home)", () => seek(0)),
      button("−1 s", "One second back (Shift+←)", () => jump(-1)),
      button("◀", "Previous frame (, or ←)", () => seek(state.frame - 1)),
      play,
      button("▶|", "Next frame (. or →)", () => seek(state.frame + 1)),
      button("+1 s", "One second forward (Shift+→)", () => jump(1)),
      speed,
      h("label", { class: "nbl-muted" }, "frame ", goto),
      clock,
      h("span", { class: "nbl-spacer" }),
      clips,
    );
    const timeline = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "nbl-timeline", height: 40 }));
    const tctx = timeline.getContext("2d");
    const notes = h("div", { class: "nbl-video-notes" });

    const clearClips = () => {
      const ids = [...(session.current?.rows.values() ?? [])].filter((r) => r.kind === "label").map((r) => r.id);
      if (ids.length) session.edit({ upsert: [], delete: ids });
    };
    const panel = videoPanel({
      model,
      session,
      state,
      nFrames: () => nFrames(),
      seek: (k) => seek(k),
      update: () => update(),
      newId,
      newTrackId: () => newTrackId(tracks().keys()),
    });
    /** The suggested tracks' keyframes by (prefixed) track id, drawn as the person's are. */
    const suggestedMap = () => new Map(panel.tracks().map((t) => [t.key, t.keys]));
    stage.classList.add("nbl-video-stage");
    replace(stage, toolbar, canvas, scrub, timeline, panel.lane, panel.rangeBox, panel.suggestionBox, notes);

    /** Frame display size on the page, scaled to the stage's width. */
    const layout = () => {
      const item = info();
      if (!item || item.error) return;
      const dw = Number(item.display_width);
      const dh = Number(item.display_height);
      const width = Math.min(dw, Math.max(160, stage.clientWidth - 8 || dw));
      const scale = width / dw;
      if (canvas.width !== Math.round(width) || canvas.height !== Math.round(dh * scale)) {
        canvas.width = Math.round(width);
        canvas.height = Math.round(dh * scale);
      }
      const wide = Math.round(timeline.clientWidth || canvas.width);
      if (timeline.width !== wide) timeline.width = wide; // drawn at its shown size: sharp
    };
    /** canvas pixels per original pixel */
    const scale = () => canvas.width / Math.max(1, Number(info()?.width ?? 1));

    /** @type {{mode: "draw" | "move" | "resize", start: [number, number], box: Box, handle?: Handle, track?: Shown,
     *   resume?: string | null} | null} */
    let drag = null;

    const draw = () => {
      const m = media();
      const item = info();
      layout();
      if (!ctx) return;
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      if (!m || !item || item.error) return;
      const image = m.frames.get(state.frame) ?? nearestHeld(m, state.frame);
      if (image) ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
      const exact = m.frames.has(state.frame);
      canvas.dataset.frame = String(state.frame);
      canvas.dataset.shown = exact ? String(state.frame) : "";
      /** @type {string[]} */
      const labels = model.get("labels");
      const s = scale();
      for (const shown of allShownAt(tracks(), state.frame, nFrames())) {
        const live = drag && drag.track?.track_id === shown.track_id ? drag.box : shown.box;
        const colour = colourOf(labels, shown.label);
        ctx.save();
        ctx.strokeStyle = colour;
        ctx.lineWidth = shown.track_id === state.selected ? 3 : 2;
        if (!shown.keyframe) ctx.setLineDash([6, 4]); // interpolated: dashed
        ctx.strokeRect(live.x * s, live.y * s, live.width * s, live.height * s);
        ctx.setLineDash([]);
        ctx.fillStyle = colour;
        ctx.font = "12px sans-serif";
        ctx.fillText(
          `${shown.label} #${shown.track_id}${shown.keyframe ? " ◆" : ""}`,
          live.x * s + 2,
          Math.max(12, live.y * s - 3),
        );
        if (shown.track_id === state.selected) {
          for (const [hx, hy] of [
            [0, 0],
            [1, 0],
            [0, 1],
            [1, 1],
          ]) {
            ctx.fillRect((live.x + hx * live.width) * s - 3, (live.y + hy * live.height) * s - 3, 6, 6);
          }
        }
        ctx.restore();
      }
      for (const shown of allShownAt(suggestedMap(), state.frame, nFrames())) {
        const colour = colourOf(labels, shown.label);
        ctx.save();
        ctx.strokeStyle = colour;
        ctx.globalAlpha = 0.85;
        ctx.lineWidth = shown.track_id === state.suggested ? 3 : 1.5;
        ctx.setLineDash([2, 3]); // a model's suggestion: dotted
        const b = shown.box;
        ctx.strokeRect(b.x * s, b.y * s, b.width * s, b.height * s);
        ctx.setLineDash([]);
        ctx.fillStyle = colour;
        ctx.font = "italic 12px sans-serif";
        ctx.fillText(
          `${shown.label}? (suggested)`,
          b.x * s + 2,
          Math.min(canvas.height - 2, (b.y + b.height) * s + 12),
        );
        ctx.restore();
      }
      if (drag?.mode === "draw") {
        ctx.save();
        ctx.strokeStyle = colourOf(labels, labels[state.labelIndex] ?? "");
        ctx.lineWidth = 2;
        ctx.strokeRect(drag.box.x * s, drag.box.y * s, drag.box.width * s, drag.box.height * s);
        ctx.restore();
      }
      if (exact)
        root.dispatchEvent(new CustomEvent("nblabel:drawn", { detail: { frame: state.frame, item: item.id } }));
    };

    /** @param {Media} m @param {number} k */
    const nearestHeld = (m, k) => {
      for (let d = 1; d < 60; d++) {
        const b = m.frames.get(k - d) ?? m.frames.get(k + d);
        if (b) return b;
      }
      return undefined;
    };

    const drawTimeline = () => {
      const n = nFrames();
      if (!tctx) return;
      tctx.clearRect(0, 0, timeline.width, timeline.height);
      if (!n) return;
      const all = [...tracks().entries()];
      const rowH = Math.max(3, Math.min(10, (timeline.height - 4) / Math.max(1, all.length)));
      const x = (/** @type {number} */ f) => (f / n) * timeline.width;
      /** @type {string[]} */
      const labels = model.get("labels");
      all.forEach(([id, keys], i) => {
        const y = 2 + i * rowH;
        tctx.fillStyle = colourOf(labels, keys[0].label);
        tctx.globalAlpha = id === state.selected ? 0.9 : 0.5;
        for (const [a, b] of extents(keys, n)) tctx.fillRect(x(a), y, Math.max(1, x(b) - x(a)), rowH - 1);
        tctx.globalAlpha = 1;
        tctx.fillStyle = "#000";
        for (const k of keys) tctx.fillRect(x(k.frame) - 1, y, 2, rowH - 1); // keyframes
      });
      if (state.markIn !== null) {
        tctx.fillStyle = "#06c";
        tctx.fillRect(x(state.markIn), 0, 2, timeline.height); // a range's start, marked with [
      }
      tctx.fillStyle = "#d00";
      tctx.fillRect(x(state.frame), 0, 2, timeline.height);
    };

    const update = () => {
      const entry = session.current;
      if (entry && entry.item.id !== state.itemId) {
        state.itemId = entry.item.id;
        state.frame = 0;
        state.selected = null;
        state.selectedRange = null;
        state.markIn = null;
        state.suggested = null;
        stopPlaying();
        state.frameError = null;
      }
      ui.update();
      const n = nFrames();
      scrub.max = String(Math.max(0, n - 1));
      scrub.value = String(state.frame);
      goto.max = String(Math.max(0, n - 1));
      const m = media();
      const t = m ? (m.times[state.frame] ?? 0) : 0;
      replace(
        clock,
        n ? `${state.frame} / ${n - 1} · ${t.toFixed(3)} s${info()?.variable_frame_rate ? " (VFR)" : ""}` : "",
      );
      replace(play, state.playing ? "⏸ Pause" : "▶ Play");
      /** @type {string[]} */
      const clipLabels = model.get("clip_labels") ?? [];
      const chosen = new Set([...(entry?.rows.values() ?? [])].filter((r) => r.kind === "label").map((r) => r.label));
      replace(
        clips,
        ...clipLabels.map((label, i) =>
          h(
            "button",
            {
              type: "button",
              class: `nbl-label${chosen.has(label) ? " nbl-on" : ""}`,
              "aria-pressed": String(chosen.has(label)),
              title: i < 9 ? `Shift+${i + 1}` : "",
              onclick: () => chooseClip(i),
            },
            label,
          ),
        ),
      );
      const lines = [...(info()?.notes ?? [])];
      if (state.frameError) lines.push(state.frameError);
      replace(notes, ...lines.map((line) => h("div", {}, line)));
      panel.render();
      draw();
      drawTimeline();
      ask();
      root.dispatchEvent(new CustomEvent("nblabel:status", { detail: { status: session.status } }));
    };

    // -- frames from the kernel ---------------------------------------------------------
    let lastWish = "";
    let lastAsked = { item: "", at: 0, frames: new Set() };
    const ask = () => {
      const m = media();
      const item = info();
      if (!m || !item || item.error) return;
      const wish = wishList(
        state.frame,
        nFrames(),
        (f) => m.frames.has(f),
        state.playing ? 48 : 24,
        state.playing ? 0 : 8,
      );
      const key = `${item.id}:${wish.join(",")}`;
      if (!wish.length || key === lastWish) return;
      // While playing, the playhead moves every frame: a new wish only when the last one
      // (still served in order by the kernel) no longer covers the next 24 frames, or is
      // half a second old, so the kernel gets a few messages a second, not one a frame.
      const now = performance.now();
      if (
        state.playing &&
        lastAsked.item === item.id &&
        now - lastAsked.at < 500 &&
        wish.slice(0, 24).every((f) => lastAsked.frames.has(f))
      )
        return;
      lastWish = key;
      lastAsked = { item: item.id, at: now, frames: new Set(wish) };
      // the long side the frame is drawn at, in device pixels: the kernel scales to it
      const side = Math.round(Math.max(canvas.width, canvas.height) * (globalThis.devicePixelRatio || 1));
      model.send({ type: "frames", item_id: item.id, frames: wish, ...(side > 0 ? { side } : {}) });
    };
    /** @param {any} msg @param {DataView[]} buffers */
    const onFrame = (msg, buffers) => {
      if (msg?.type !== "frame") return;
      const entry = session.byItemId(msg.item_id);
      if (msg.error) {
        if (entry === session.current) {
          state.frameError = String(msg.error);
          update();
        }
        return;
      }
      const m = /** @type {Media | null} */ (entry?.media ?? null);
      if (!m || !buffers.length) return;
      bitmap(buffers[0], msg.mime).then((b) => {
        m.frames.set(msg.frame, b, state.frame);
        if (entry === session.current && msg.frame === state.frame) draw();
        if (entry === session.current && m.frames.frames.size % 8 === 0) drawTimeline();
      });
    };
    cleanup.on(model, "msg:custom", onFrame);

    /** @param {number} k */
    const seek = (k) => {
      const n = nFrames();
      if (!n) return;
      state.frame = Math.max(0, Math.min(n - 1, Math.round(k)));
      if (state.playing) restartClock();
      ask();
      update();
    };
    /** @param {number} seconds */
    const jump = (seconds) => {
      const m = media();
      if (!m) return;
      seek(frameAt(m.times, m.times[state.frame] + seconds + 1e-9));
    };

    // -- playback: the frame shown is the one whose time has come (frames not yet here wait)
    let raf = 0;
    cleanup.add(() => stopPlaying());
    const restartClock = () => {
      const m = media();
      state.playStart = performance.now();
      state.playFrom = m ? m.times[state.frame] : 0;
    };
    const tick = () => {
      const m = media();
      if (!state.playing || !m) return;
      const t = state.playFrom + ((performance.now() - state.playStart) / 1000) * state.speed;
      const due = frameAt(m.times, t);
      if (due >= nFrames() - 1 && t > m.times[nFrames() - 1]) {
        state.frame = nFrames() - 1;
        stopPlaying();
        update();
        return;
      }
      if (due !== state.frame) {
        if (m.frames.has(due)) {
          state.frame = due;
          update();
        } else {
          state.dropped += 1; // not here yet: hold the clock on the last shown frame
          canvas.dataset.held = String(state.dropped); // how often playback waited (benchmarks)
          restartClock();
        }
        ask();
      }
      raf = requestAnimationFrame(tick);
    };
    const stopPlaying = () => {
      state.playing = false;
      cancelAnimationFrame(raf);
    };
    const toggle = () => {
      if (state.playing) {
        stopPlaying();
      } else {
        if (state.frame >= nFrames() - 1) state.frame = 0;
        state.playing = true;
        restartClock();
        ask();
        raf = requestAnimationFrame(tick);
      }
      update();
    };

    // -- edits ----------------------------------------------------------------------------
    const trackOf = (/** @type {string} */ id) => tracks().get(id) ?? [];
    /** @param {number} i */
    const chooseLabel = (i) => {
      /** @type {string[]} */
      const labels = model.get("labels");
      if (i >= labels.length) return;
      state.labelIndex = i;
      if (state.selected) {
        const keys = trackOf(state.selected);
        if (keys.length && keys[0].label !== labels[i]) {
          session.edit({ upsert: keys.map((k) => ({ ...k, kind: "box", label: labels[i] })), delete: [] });
        }
      }
      update();
    };
    /** @param {number} i */
    const chooseClip = (i) => {
      /** @type {string[]} */
      const clipLabels = model.get("clip_labels") ?? [];
      const entry = session.current;
      if (i >= clipLabels.length || !entry) return;
      const change = chooseItemLabel(entry.rows.values(), clipLabels[i], {
        multi: Boolean(model.get("multi_label")),
        toggle: true,
      });
      if (change) session.edit(change);
    };
    /** @param {Box} box @param {string} trackId @param {string} label */
    const putBox = (box, trackId, label) => {
      const row = putKeyframe(trackOf(trackId), { track_id: trackId, label }, state.frame, box, newId);
      session.edit({ upsert: [{ ...row, kind: "box" }], delete: [] });
    };
    const endSelected = () => {
      if (!state.selected) return;
      const row = endKeyframe(trackOf(state.selected), state.frame, nFrames(), newId);
      if (row) session.edit({ upsert: [{ ...row, kind: "box" }], delete: [] });
    };
    const deleteKeyframeHere = () => {
      const here = trackOf(state.selected ?? "").find((k) => k.frame === state.frame);
      if (here) session.edit({ upsert: [], delete: [here.id] });
    };
    const deleteTrack = () => {
      const keys = trackOf(state.selected ?? "");
      if (keys.length) {
        session.edit({ upsert: [], delete: keys.map((k) => k.id) });
        // a whole track's work goes at once: say so, with the way back (z works too)
        shell.toast(`Deleted a track (${keys.length === 1 ? "1 keyframe" : `${keys.length} keyframes`})`);
      }
      state.selected = null;
    };

    // -- pointer --------------------------------------------------------------------------
    /** @param {PointerEvent} e @returns {[number, number]} */
    const toImage = (e) => {
      const r = canvas.getBoundingClientRect();
      const s = scale() * (r.width / canvas.width);
      return [(e.clientX - r.left) / s, (e.clientY - r.top) / s];
    };
    cleanup.listen(canvas, "pointerdown", (/** @type {PointerEvent} */ e) => {
      const item = info();
      if (!item || item.error || !(model.get("tools") ?? []).includes("box")) return;
      root.focus({ preventScroll: true });
      const p = toImage(e);
      const tol = 6 / scale();
      const shown = allShownAt(tracks(), state.frame, nFrames());
      const order = [...shown].sort((a, b) =>
        a.track_id === state.selected ? -1 : b.track_id === state.selected ? 1 : 0,
      );
      for (const s of order) {
        // a small box is grabbed by its body: handles only reach a quarter of its side
        const hit = hitBox(s.box, p, Math.min(tol, Math.min(s.box.width, s.box.height) / 4));
        if (hit) {
          state.selected = s.track_id;
          state.selectedRange = null;
          drag =
            hit.part === "handle"
              ? { mode: "resize", start: p, box: s.box, handle: hit.handle, track: s }
              : { mode: "move", start: p, box: s.box, track: s };
          canvas.setPointerCapture(e.pointerId);
          update();
          return;
        }
      }
      for (const s of allShownAt(suggestedMap(), state.frame, nFrames())) {
        if (hitBox(s.box, p, tol)) {
          state.suggested = s.track_id; // a suggestion is accepted or rejected, not dragged
          state.selected = null;
          update();
          return;
        }
      }
      // A selected track that shows nothing here (it ended, or starts later) is resumed by the
      // box drawn now; otherwise the box starts a new track.
      const resume =
        state.selected && !shown.some((s) => s.track_id === state.selected) && trackOf(state.selected).length
          ? state.selected
          : null;
      state.selected = resume;
      state.selectedRange = null;
      drag = { mode: "draw", start: p, box: { x: p[0], y: p[1], width: 0, height: 0 }, resume };
      canvas.setPointerCapture(e.pointerId);
      update();
    });
    cleanup.listen(canvas, "pointermove", (/** @type {PointerEvent} */ e) => {
      if (!drag) return;
      const p = toImage(e);
      const w = Number(info()?.width ?? 0);
      const hh = Number(info()?.height ?? 0);
      if (drag.mode === "draw") drag.box = boxFromCorners(drag.start, p, w, hh);
      else if (drag.mode === "move" && drag.track)
        drag.box = moveBox(drag.track.box, p[0] - drag.start[0], p[1] - drag.start[1], w, hh);
      else if (drag.mode === "resize" && drag.track && drag.handle)
        drag.box = resizeBox(drag.track.box, drag.handle, p, w, hh);
      draw();
    });
    const endDrag = () => {
      if (!drag) return;
      const done = drag;
      drag = null;
      const w = Number(info()?.width ?? 0);
      const hh = Number(info()?.height ?? 0);
      const box = snapBox(done.box, w, hh);
      /** @type {string[]} */
      const labels = model.get("labels");
      if (done.mode === "draw") {
        if (box.width >= 2 && box.height >= 2 && done.resume) {
          putBox(box, done.resume, trackOf(done.resume)[0].label); // the object is back
        } else if (box.width >= 2 && box.height >= 2) {
          const id = newTrackId(tracks().keys());
          putBox(box, id, labels[state.labelIndex] ?? labels[0]);
          state.selected = id;
        }
      } else if (done.track) {
        const old = done.track.box;
        const moved = box.x !== old.x || box.y !== old.y || box.width !== old.width || box.height !== old.height;
        if (moved) putBox(box, done.track.track_id, done.track.label);
      }
      update();
    };
    cleanup.listen(canvas, "pointerup", endDrag);
    cleanup.listen(canvas, "pointercancel", () => {
      drag = null;
      update();
    });
    cleanup.listen(timeline, "pointerdown", (/** @type {PointerEvent} */ e) => {
      const r = timeline.getBoundingClientRect();
      seek(((e.clientX - r.left) / r.width) * nFrames());
    });

    // -- keys (n, p, undo, redo and help are the shell's) ---------------------------------
    /** @param {string[]} names @param {[string, string]} help @param {() => void} act */
    const bind = (names, help, act) =>
      keys.bind(names, help, () => {
        act();
        update();
      });
    bind([" "], ["Space", "play / pause"], () => toggle());
    bind([".", "ArrowRight"], [". or →", "next frame"], () => seek(state.frame + 1));
    bind([",", "ArrowLeft"], [", or ←", "previous frame"], () => seek(state.frame - 1));
    bind(["Shift+ArrowRight"], ["Shift+→", "one second forward"], () => jump(1));
    bind(["Shift+ArrowLeft"], ["Shift+←", "one second back"], () => jump(-1));
    bind(["Home"], ["Home", "first frame"], () => seek(0));
    bind(["End"], ["End", "last frame"], () => seek(nFrames() - 1));
    bind(["g"], ["g", "go to a frame: type its number, then Enter"], () => {
      goto.value = String(state.frame);
      goto.focus();
      goto.select();
    });
    bind(["="], ["=", "faster playback"], () => setSpeed(1));
    bind(["-"], ["-", "slower playback"], () => setSpeed(-1));
    bind(["["], ["[", "frame range: mark its first frame here (moves the selected range's start)"], () =>
      panel.markIn(),
    );
    bind(["]"], ["]", "frame range: mark its last frame here, making it (moves the selected range's end)"], () =>
      panel.markOut(),
    );
    bind(["l"], ["l", "next frame-range label (relabels the selected range)"], () => panel.cycleLabel());
    bind(["a"], ["a", "accept the selected suggested track or range (else the best video label)"], () => {
      if (panel.acceptSelected()) return;
      const best = session.visibleSuggestions("label")[0];
      if (best) acceptLabel(best);
    });
    bind(["x"], ["x", "reject the selected suggested track or range"], () => panel.rejectSelected());
    bind(["k"], ["k", "next keyframe (of any track)"], () => jumpKey(1));
    bind(["j"], ["j", "previous keyframe (of any track)"], () => jumpKey(-1));
    keys.note(
      ["drag on the frame", "draw a box: a new track starting on this frame"],
      ["click a box; drag it or a corner", "select its track; moving or resizing adds a keyframe here"],
      ["drag on the frame, a track selected", "where the selected track has ended: resume it here"],
      ["solid / dashed / dotted box", "a keyframe / an interpolated box / a model's suggestion"],
    );
    bind(
      ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
      ["1 – 9", "label of the selected track (all its keyframes), else of the next track"],
      () => {},
    );
    bind(["!", "@", "#", "$", "%", "^", "&", "*", "("], ["Shift+1 – 9", "toggle the k-th whole-video label"], () => {});
    bind(
      ["o"],
      ["o", "the selected track leaves the view here (keep it selected and draw it where it comes back)"],
      () => endSelected(),
    );
    bind(
      ["Delete", "Backspace"],
      ["Delete / Backspace", "delete the selected range, or the selected track's keyframe on this frame"],
      () => {
        if (!panel.deleteSelected()) deleteKeyframeHere();
      },
    );
    bind(["Shift+Delete", "Shift+Backspace"], ["Shift+Delete", "delete the whole selected track"], () => deleteTrack());
    bind(["Escape"], ["Esc", "deselect; forget a range's start marked with ["], () => {
      state.selected = null;
      state.selectedRange = null;
      state.suggested = null;
      state.markIn = null;
    });
    keys.intercept((key) => {
      if (/^[1-9]$/.test(key)) {
        chooseLabel(Number(key) - 1);
        return true;
      }
      const shifted = "!@#$%^&*(".indexOf(key);
      const digit = /^Shift\+([1-9])$/.exec(key);
      if (shifted >= 0 || digit) {
        chooseClip(shifted >= 0 ? shifted : Number(digit?.[1]) - 1);
        update();
        return true;
      }
      return false;
    });
    /** @param {number} step */
    const setSpeed = (step) => {
      const i = SPEEDS.indexOf(state.speed) + step;
      state.speed = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i))];
      speed.value = String(state.speed);
      restartClock();
    };
    /** @param {1 | -1} dir */
    const jumpKey = (dir) => {
      const f = nextKeyframe(tracks(), state.frame, dir);
      if (f !== null) seek(f);
    };

    cleanup.observeSize(stage, () => draw());
    return shell.start(update);
  },
};
