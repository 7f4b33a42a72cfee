// The mouse on the audio widget's waveform: click to move the playhead or select a
// segment, drag to make a segment or move one of its edges, Ctrl+wheel to zoom and
// Shift+wheel (or a sideways wheel) to scroll.

import { hitTest, lanes, moveEdge, span } from "./segments.js";
import { xToTime } from "./timeline.js";
import { AXIS_H, LANE_H } from "./wave.js";

/**
 * @typedef {import("./view.js").AudioView} AudioView
 */

/**
 * Listen to the pointer and wheel on the view's canvas (listeners die with the canvas).
 * @param {AudioView} v
 */
export function bindPointer(v) {
  const { canvas } = v;
  /** @param {PointerEvent} e the lane row under the pointer, if any */
  const laneAt = (e) => (e.offsetY >= AXIS_H ? Math.floor((e.offsetY - AXIS_H) / LANE_H) : null);

  canvas.addEventListener("pointerdown", (e) => {
    const view = v.view;
    if (!view || e.button !== 0) return;
    v.root.focus({ preventScroll: true });
    const segs = v.hitSegs();
    const stack = lanes(segs);
    const hit = hitTest(segs, view, e.offsetX, { selected: v.selected, lane: laneAt(e), laneOf: stack.lane });
    const t = xToTime(view, e.offsetX);
    canvas.setPointerCapture(e.pointerId);
    const isRow = hit ? v.item()?.rows.has(hit.id) : false;
    if (hit && hit.part !== "body" && isRow) {
      v.drag = { mode: "edge", id: hit.id, edge: hit.part, x0: e.offsetX, t0: t, moved: false };
      v.select(hit.id);
    } else {
      v.drag = { mode: hit ? "click" : "create", id: hit?.id ?? null, edge: "end", x0: e.offsetX, t0: t, moved: false };
    }
    e.preventDefault();
  });

  canvas.addEventListener("pointermove", (e) => {
    const view = v.view;
    if (!view) return;
    const drag = v.drag;
    if (!drag) {
      const hit = hitTest(v.hitSegs(), view, e.offsetX, { selected: v.selected });
      canvas.style.cursor = hit && hit.part !== "body" && v.item()?.rows.has(hit.id) ? "ew-resize" : "crosshair";
      return;
    }
    const duration = v.duration();
    const t = Math.max(0, Math.min(duration, xToTime(view, e.offsetX)));
    if (!drag.moved && Math.abs(e.offsetX - drag.x0) < 3) return;
    drag.moved = true;
    if (drag.mode === "edge" && drag.id) {
      const row = v.item()?.rows.get(drag.id);
      if (row) v.draft = moveEdge(/** @type {any} */ (row), drag.edge, t, duration);
    } else {
      drag.mode = "create";
      v.draft = span(drag.t0, t, duration);
    }
    v.requestDraw();
  });

  /** @param {PointerEvent} e @param {boolean} [cancelled] */
  const endDrag = (e, cancelled = false) => {
    const d = v.drag;
    const view = v.view;
    if (!d || !view) return;
    const result = v.draft;
    v.drag = null;
    v.draft = null;
    if (cancelled) {
      v.requestDraw();
      return;
    }
    if (d.moved && result && d.mode === "edge" && d.id) {
      v.updateSegment(d.id, { start: result.start, end: result.end });
    } else if (d.moved && result && d.mode === "create") {
      v.createSegment(result.start, result.end);
    } else if (!d.moved) {
      v.seek(xToTime(view, e.offsetX));
      v.select(d.mode === "click" || d.mode === "edge" ? d.id : null);
    }
    v.requestDraw();
  };
  canvas.addEventListener("pointerup", (e) => endDrag(e));
  canvas.addEventListener("pointercancel", (e) => endDrag(e, true));

  canvas.addEventListener(
    "wheel",
    (e) => {
      const view = v.view;
      if (!view) return;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        v.zoomAround(Math.exp(-e.deltaY / 300), xToTime(view, e.offsetX));
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        const dx = e.shiftKey ? e.deltaY || e.deltaX : e.deltaX;
        v.scrollTo(view.start + dx * view.spp);
      }
    },
    { passive: false },
  );
}
