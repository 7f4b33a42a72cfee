// The image stage: a static canvas (image + shapes) under an overlay canvas (the shape
// being edited), pointer/wheel input mapped to original-image pixels, the region
// toolbar and keys. Drawing happens in requestAnimationFrame only; during a drag only
// the overlay is redrawn, so dragging one box among hundreds costs one box per frame.

import { h, replace } from "../lib/dom.js";
import { newId } from "../lib/ids.js";
import { ASSIST_KEYS, ASSIST_NAMES, assistTools } from "./assist.js";
import { Editor, maskBits as maskBitsOf } from "./editor.js";
import { drawSkeleton, Points } from "./points.js";
import { withRelations } from "./relate.js";
import { regionRelations } from "./relations.js";
import { drawDraft, drawHandles, drawMask, drawShape, palette } from "./render.js";
import { cornerOfShape, labelTags } from "./shapetags.js";
import { regionsOnFrame, tagFrame } from "./slices.js";
import { frameOf } from "./stack.js";
import { teamShapeAt } from "./team_take.js";
import { clampView, fitView, matrix, panBy, toCanvas, toImage, zoomAt } from "./view.js";

/**
 * @typedef {import("../lib/session.js").Session} Session
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/session.js").Change} Change
 * @typedef {import("./view.js").View} View
 * @typedef {import("./editor.js").Tool} Tool
 */

const TOOL_KEYS = /** @type {const} */ ({
  v: "select",
  b: "box",
  g: "polygon",
  r: "brush",
  d: "point",
  ...ASSIST_KEYS,
});
const TOOL_NAMES = {
  select: "Select (v)",
  box: "Box (b)",
  polygon: "Polygon (g)",
  brush: "Brush (r)",
  point: "Point (d)",
  ...ASSIST_NAMES,
};
const OPACITIES = [0.25, 0.5, 0.75, 1];
const ZOOM_STEP = 1.25;
const HANDLE_TOLERANCE = 6; // CSS pixels

/**
 * @param {Session} session
 * @param {HTMLElement} root
 * @param {HTMLElement} stage
 * @param {{tools: string[], regions: boolean, onWholeLabel: (index: number) => void,
 *   cleanup: import("../lib/cleanup.js").Cleanup,
 *   team?: () => import("../lib/review.js").Member[], onTake?: (m: any, row: Row) => void}} options
 *   `onTake`: a click (select tool) on an annotator's shape, not on one's own; `team`: a reviewer's page's
 *   annotators, whose shapes are drawn dashed in their colours, named; what the stage adds outside
 *   itself (model listeners, the root's keyup, the resize observer) is undone by `cleanup`
 */
export function regionStage(session, root, stage, options) {
  const model = session.model;
  const base = h("canvas", { class: "nbl-canvas" });
  const overlay = h("canvas", { class: "nbl-overlay" });
  // Every shape's label as a DOM tag over the canvas: the same size at any zoom, never
  // covering another tag, and read by screen readers (one list item per shape).
  const tags = h("div", { class: "nbl-shape-tags", role: "list", "aria-label": "shapes" });
  const wrap = h("div", { class: "nbl-canvas-wrap" }, base, overlay, tags);
  stage.append(wrap);
  const ctx = /** @type {CanvasRenderingContext2D} */ (base.getContext("2d"));
  const octx = /** @type {CanvasRenderingContext2D} */ (overlay.getContext("2d"));
  /** @type {string[]} */
  let labels = model.get("labels");
  let color = palette(labels, model.get("label_specs"));
  const { cleanup } = options;
  cleanup.on(model, "change:labels", () => {
    labels = model.get("labels");
    color = palette(labels, model.get("label_specs"));
    schedule(true);
  });

  let activeLabel = 0;
  let brushSize = 20; // CSS pixels across
  let hidden = false;
  let panKey = false;
  /** @type {View} */
  let view = { scale: 1, tx: 0, ty: 0 };
  let cssW = 0;
  let cssH = 0;
  let fittedFor = "";
  let drawn = -1;
  /** @type {[number, number] | null} */
  let pointer = null;
  /** @type {{x: number, y: number} | null} */
  let panning = null;
  let baseExcluded = /** @type {string | null} */ (null);

  /** Per-frame timings for benchmarks: main-thread work and pointer-to-frame delay. */
  const stats = { frames: /** @type {{t: number, work: number, lag: number}[]} */ ([]), pending: 0, eventAt: 0 };
  /** @type {any} */ (root).nblabelStats = stats;

  const size = () => {
    const item = session.current?.item;
    return /** @type {[number, number]} */ ([item?.width ?? 1, item?.height ?? 1]);
  };
  // The regions (not skips, comments or labels) of the slice shown (stack.js, slices.js).
  const REGIONS = new Set(["box", "polygon", "mask", "point"]);
  const regionRows = () =>
    regionsOnFrame(session.current?.rows.values() ?? [], frameOf(session)).filter((r) => REGIONS.has(r.kind));
  const regionSuggestions = () =>
    regionsOnFrame(session.visibleSuggestions(), frameOf(session)).filter((s) => REGIONS.has(s.kind));
  const editor = new Editor({
    rows: regionRows,
    suggestions: regionSuggestions,
    size,
    label: () => labels[Math.min(activeLabel, labels.length - 1)],
    newId,
  });
  editor.tool = /** @type {Tool} */ (
    ["box", "polygon", "brush", "point", "wand", "superpixel"].find((t) => options.tools.includes(t)) ?? "select"
  );
  // The magic wand and the superpixel brush (assist.js) take the pointer and keys first.
  const assist = assistTools({
    session,
    editor,
    tools: options.tools,
    size,
    commit: (change) => commit(change),
    schedule: (full) => schedule(full),
    brushRadius: () => brushSize / 2 / view.scale,
    frame: () => frameOf(session),
    cleanup,
  });
  // Keypoints (image/points.js): the point tool and the skeleton it places.
  const skeleton = model.get("skeleton_spec") ?? null;
  const points = options.tools.includes("point") ? new Points(skeleton, newId) : null;
  editor.points = points;
  const pointNext = h("span", { class: "nbl-point-next", "aria-live": "polite" });
  // Relations between regions (image/relations.js): arrows over the canvas, keys l / Shift+L.
  const screen = (/** @type {number} */ x, /** @type {number} */ y) => toCanvas(view, x, y);
  const relations = regionRelations({
    session,
    root,
    stage,
    wrap,
    editor,
    regions: regionRows,
    screen,
    hidden: () => hidden,
    commit: (c) => commit(c),
  });

  // -- toolbar ---------------------------------------------------------------------------
  const toolButtons = /** @type {Tool[]} */ (["select", ...options.tools]).map((tool) =>
    h(
      "button",
      {
        type: "button",
        class: "nbl-button nbl-tool",
        "data-tool": tool,
        title: TOOL_NAMES[tool],
        onclick: () => setTool(tool),
      },
      TOOL_NAMES[tool].split(" ")[0],
    ),
  );
  const eraserButton = h(
    "button",
    {
      type: "button",
      class: "nbl-button nbl-eraser",
      title: "Eraser (e; or Shift+drag)",
      onclick: () => toggleEraser(),
    },
    "Eraser",
  );
  const brushText = h("span", { class: "nbl-brush-size nbl-muted" });
  const opacity = h("input", {
    type: "range",
    min: 0.05,
    max: 1,
    step: 0.05,
    class: "nbl-opacity",
    "aria-label": "opacity",
    title: "Opacity of the regions (o)",
    oninput: () => setOpacity(Number(opacity.value)),
  });
  const activeText = h("span", { class: "nbl-active-label" });
  const toolbar = h(
    "div",
    { class: "nbl-tools", role: "toolbar", "aria-label": "tools", hidden: !options.regions },
    ...toolButtons,
    options.tools.includes("brush") ? eraserButton : null,
    options.tools.includes("brush") || options.tools.includes("superpixel") ? brushText : null,
    assist.status,
    points?.skeleton ? pointNext : null,
    h("span", { class: "nbl-spacer" }),
    activeText,
    h(
      "button",
      { type: "button", class: "nbl-button nbl-zoom-in", title: "Zoom in (+)", onclick: () => zoomCentre(ZOOM_STEP) },
      "+",
    ),
    h(
      "button",
      {
        type: "button",
        class: "nbl-button nbl-zoom-out",
        title: "Zoom out (−)",
        onclick: () => zoomCentre(1 / ZOOM_STEP),
      },
      "−",
    ),
    h("button", { type: "button", class: "nbl-button nbl-fit", title: "Fit to view (f)", onclick: () => fit() }, "Fit"),
    h(
      "button",
      { type: "button", class: "nbl-button nbl-hide", title: "Hide annotations (h)", onclick: () => toggleHidden() },
      "Hide",
    ),
    h("label", { class: "nbl-muted" }, "opacity ", opacity),
  );
  stage.before(toolbar);

  const refreshToolbar = () => {
    for (const b of toolButtons) {
      const on = b.dataset.tool === editor.tool;
      b.classList.toggle("nbl-on", on);
      b.setAttribute("aria-pressed", String(on));
    }
    eraserButton.classList.toggle("nbl-on", editor.eraser);
    eraserButton.setAttribute("aria-pressed", String(editor.eraser));
    replace(brushText, `brush ${brushSize}px`);
    assist.refresh();
    if (points) replace(pointNext, points.status(regionRows()));
    opacity.value = String(model.get("opacity") ?? 0.5);
    const label = labels[Math.min(activeLabel, labels.length - 1)];
    replace(activeText, "drawing: ", h("span", { class: "nbl-active-chip", "data-label": label }, label));
    root.dataset.tool = editor.tool;
    root.dataset.activeLabel = label;
    root.dataset.selected = editor.selected ?? "";
    relations.refresh();
    root.dataset.hidden = String(hidden);
    root.dataset.view = `${view.scale} ${view.tx} ${view.ty}`;
    for (const b of root.querySelectorAll(".nbl-label")) {
      b.classList.toggle("nbl-drawing", options.regions && /** @type {HTMLElement} */ (b).dataset.label === label);
    }
  };
  cleanup.on(model, "change:opacity", () => {
    refreshToolbar();
    schedule(true);
  });

  /** @param {Tool} tool */
  const setTool = (tool) => {
    if (tool !== "select" && !options.tools.includes(tool)) return;
    // A new tool starts a new shape: the old selection goes, so that the next label key
    // chooses the next shape's label instead of relabelling the last one.
    if (tool !== editor.tool) editor.selected = null;
    editor.tool = tool;
    editor.draft = [];
    refreshToolbar();
    schedule(false);
  };
  const toggleEraser = () => {
    editor.eraser = !editor.eraser;
    if (editor.eraser) setTool("brush");
    refreshToolbar();
  };
  /** @param {number} value */
  const setOpacity = (value) => {
    model.set("opacity", Math.min(1, Math.max(0, value)));
    model.save_changes();
  };
  const toggleHidden = () => {
    hidden = !hidden;
    refreshToolbar();
    schedule(true);
  };

  // -- view ------------------------------------------------------------------------------
  const fit = () => {
    const [W, H] = size();
    view = fitView(W, H, cssW, cssH);
    refreshToolbar();
    schedule(true);
  };
  /** @param {number} factor @param {number} cx @param {number} cy */
  const zoom = (factor, cx, cy) => {
    const [W, H] = size();
    const fitted = fitView(W, H, cssW, cssH);
    view = clampView(zoomAt(view, factor, cx, cy, fitted.scale / 4, Math.max(32, fitted.scale * 64)), W, H, cssW, cssH);
    refreshToolbar();
    schedule(true);
  };
  /** @param {number} factor */
  const zoomCentre = (factor) => zoom(factor, cssW / 2, cssH / 2);

  /** The stage's height in CSS pixels: the model's `stage_height`, else fitted to the window. */
  const stageHeight = () => {
    const set = Number(model.get("stage_height") ?? 0);
    // From the output area's own width, never the window's height (Colab's output frame
    // resizes itself to its content, so a window-based height can pin images at the minimum).
    return set > 0 ? set : Math.round(Math.max(240, Math.min((stage.clientWidth || 640) * 0.75, 720)));
  };
  cleanup.on(model, "change:stage_height", () => schedule(true));

  /** Size the canvases to the stage; refit when the item or the space changed. */
  const layout = () => {
    const entry = session.current;
    const bitmap = entry?.media;
    // A steady stage: the same height for every item (and while one loads), so the
    // buttons below never move; the image fits inside it and zoom has the whole stage.
    const hgt = stageHeight();
    stage.style.height = `${hgt}px`;
    if (!entry || !bitmap || entry.item.error) return false;
    const w = Math.max(1, Math.round(stage.clientWidth || 640));
    const dpr = window.devicePixelRatio || 1;
    const key = `${entry.position}:${w}x${hgt}`;
    if (w !== cssW || hgt !== cssH || base.width !== Math.round(w * dpr)) {
      cssW = w;
      cssH = hgt;
      for (const c of [base, overlay]) {
        c.style.width = `${w}px`;
        c.style.height = `${hgt}px`;
        c.width = Math.round(w * dpr);
        c.height = Math.round(hgt * dpr);
      }
      wrap.style.width = `${w}px`;
      wrap.style.height = `${hgt}px`;
    }
    if (key !== fittedFor) {
      fittedFor = key;
      const [W, H] = size();
      view = fitView(W, H, cssW, cssH);
      refreshToolbar();
    }
    return true;
  };

  // -- drawing ---------------------------------------------------------------------------
  let frameRequested = false;
  let frameId = 0;
  cleanup.add(() => cancelAnimationFrame(frameId));
  let fullDirty = true;
  /** @param {boolean} full redraw the static layer too */
  const schedule = (full) => {
    fullDirty = fullDirty || full;
    if (frameRequested) return;
    frameRequested = true;
    frameId = requestAnimationFrame(render);
  };

  const style = () => ({ color, scale: view.scale, opacity: model.get("opacity") ?? 0.5 });

  const renderBase = () => {
    const entry = session.current;
    const bitmap = entry?.media;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, base.width, base.height);
    if (!entry || !bitmap) return;
    const [W, H] = size();
    ctx.setTransform(...matrix(view, dpr));
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = view.scale * W > bitmap.width ? "low" : "high";
    ctx.drawImage(bitmap, 0, 0, W, H);
    const active = editor.active;
    baseExcluded = active?.id ?? null;
    if (hidden || !options.regions) return;
    const s = style();
    drawSkeleton(ctx, regionRows(), skeleton, s, active, false);
    for (const row of regionRows()) if (row.id !== baseExcluded) drawShape(ctx, row, s);
    for (const row of regionSuggestions()) if (row.id !== baseExcluded) drawShape(ctx, row, s, { suggestion: true });
    drawTeam(s);
  };

  /** A reviewer's page: every annotator's shapes, dashed in their colour, with their name. */
  const drawTeam = (/** @type {import("./render.js").Style} */ s) => {
    let count = 0;
    for (const m of options.team?.() ?? []) {
      const own = { ...s, color: () => m.colour };
      for (const row of regionsOnFrame(m.rows, frameOf(session)).filter((r) => REGIONS.has(r.kind))) {
        drawShape(ctx, row, own, { suggestion: true });
        const [x, y] = cornerOf(row);
        ctx.font = `${12 / view.scale}px sans-serif`;
        ctx.fillStyle = m.colour;
        ctx.textBaseline = "bottom";
        ctx.fillText(`${m.name}: ${row.label}`, x, y - 2 / view.scale);
        count += 1;
      }
    }
    wrap.dataset.teamShapes = String(count); // what a test or a benchmark reads
  };

  const cornerOf = (/** @type {Row} */ row) => cornerOfShape(row, maskOf);
  const shapeTags = labelTags(tags, {
    shapes: () =>
      hidden || !options.regions || !session.current?.media
        ? []
        : [
            ...regionRows().map((row) => ({ row, suggestion: false })),
            ...regionSuggestions().map((row) => ({ row, suggestion: true })),
          ],
    selected: () => editor.selected,
    color,
    anchor: (row) => toCanvas(view, ...cornerOf(row)),
    size: () => [cssW, cssH],
  });

  const renderOverlay = () => {
    const dpr = window.devicePixelRatio || 1;
    octx.setTransform(1, 0, 0, 1, 0, 0);
    octx.clearRect(0, 0, overlay.width, overlay.height);
    if (!options.regions) return;
    octx.setTransform(...matrix(view, dpr));
    const s = style();
    const d = editor.drag;
    if (assist.draw(octx, s, color(labels[activeLabel] ?? ""), pointer)) {
      // the wand's or superpixel brush's result so far
    } else if (d && d.kind === "brush") {
      const c = color(d.row.label);
      if (d.orig) drawMask(octx, d.orig.mask ? maskOf(d.orig) : d.bits, c, s);
      octx.save();
      octx.globalAlpha = d.value ? s.opacity : 1;
      octx.globalCompositeOperation = d.value ? "source-over" : "destination-out";
      octx.strokeStyle = c;
      octx.lineCap = "round";
      octx.lineJoin = "round";
      octx.lineWidth = 2 * d.radius;
      octx.beginPath();
      d.path.forEach(([x, y], i) => {
        if (i === 0) octx.moveTo(x, y);
        else octx.lineTo(x, y);
      });
      if (d.path.length === 1) octx.lineTo(d.path[0][0] + 0.01, d.path[0][1]);
      octx.stroke();
      octx.restore();
    } else if (!hidden) {
      const active = editor.active;
      drawSkeleton(octx, regionRows(), skeleton, s, active, true);
      if (active) {
        const suggestion = !d && Boolean(editor.selection?.suggestion);
        drawShape(octx, active, s, { selected: true, suggestion });
        drawHandles(octx, active, s);
      }
    }
    if (editor.tool === "polygon") drawDraft(octx, editor.draft, pointer, color(labels[activeLabel] ?? ""), s);
    if (editor.tool === "brush" && pointer) {
      octx.setLineDash([]);
      octx.lineWidth = 1 / view.scale;
      octx.strokeStyle = editor.eraser ? "#000" : "#fff";
      octx.beginPath();
      octx.arc(pointer[0], pointer[1], brushSize / 2 / view.scale, 0, 2 * Math.PI);
      octx.stroke();
    }
  };

  /** @param {number} now */
  const render = (now) => {
    frameRequested = false;
    const t0 = performance.now();
    const entry = session.current;
    if (!layout()) {
      base.hidden = true;
      overlay.hidden = true;
      shapeTags.clear();
      stage.classList.toggle("nbl-loading", !entry?.item.error);
      drawn = -1;
      return;
    }
    base.hidden = false;
    overlay.hidden = false;
    stage.classList.remove("nbl-loading");
    if (fullDirty || (editor.active?.id ?? null) !== baseExcluded) {
      renderBase();
      shapeTags.render();
    }
    fullDirty = false;
    renderOverlay();
    relations.draw();
    if (drawn !== session.position) {
      drawn = session.position;
      root.dataset.drawn = String(drawn);
      root.dispatchEvent(new CustomEvent("nblabel:drawn", { detail: { position: drawn } }));
    }
    const work = stats.pending + performance.now() - t0;
    stats.pending = 0;
    if (stats.frames.length >= 5000) stats.frames.shift();
    stats.frames.push({ t: now, work, lag: stats.eventAt ? now - stats.eventAt : 0 });
    stats.eventAt = 0;
  };

  /** @param {Row} row */
  const maskOf = (row) => /** @type {import("./mask.js").MaskBits} */ (maskBitsOf(row));

  // -- pointer ---------------------------------------------------------------------------
  /** @param {PointerEvent | WheelEvent} e @returns {[number, number]} */
  const imagePoint = (e) => toImage(view, e.offsetX, e.offsetY);
  /** @param {Change | null} change */
  const commit = (change) => {
    const rows = session.current?.rows ?? new Map(); // a region's relations go with it
    if (change) session.edit(tagFrame(withRelations(rows, change), frameOf(session)));
    refreshToolbar();
    schedule(true);
  };
  /** @param {number} t0 @param {Event} e */
  const account = (t0, e) => {
    stats.pending += performance.now() - t0;
    if (!stats.eventAt) stats.eventAt = e.timeStamp;
  };

  overlay.addEventListener("pointerdown", (e) => {
    if (!options.regions || !session.current?.media) return;
    const t0 = performance.now();
    root.focus({ preventScroll: true });
    overlay.setPointerCapture(e.pointerId);
    e.preventDefault();
    const p = imagePoint(e);
    pointer = p;
    if (e.button === 1 || panKey || e.button === 2) {
      panning = { x: e.offsetX, y: e.offsetY };
    } else {
      const tol = HANDLE_TOLERANCE / view.scale;
      if (relations.pick(p, tol)) return schedule(false); // a relation's second end, picked
      if (assist.owns(editor.tool)) {
        assist.down(p, e);
        refreshToolbar();
        schedule(false);
        account(t0, e);
        return;
      }
      const own = editor.tool !== "select" || editor.hitAt(p, tol);
      const theirs = own ? null : teamShapeAt(options.team?.() ?? [], p, tol, frameOf(session));
      if (theirs) return options.onTake?.(theirs.member, theirs.row); // a reviewer takes it
      const result = editor.down(p, { tol, alt: e.altKey, shift: e.shiftKey, radius: brushSize / 2 / view.scale });
      if (result === "pan") panning = { x: e.offsetX, y: e.offsetY };
      if (editor.pendingChange) commit(editor.up());
    }
    refreshToolbar();
    schedule(false);
    account(t0, e);
  });
  overlay.addEventListener("pointermove", (e) => {
    if (!options.regions) return;
    const t0 = performance.now();
    pointer = imagePoint(e);
    if (panning) {
      view = panBy(view, e.offsetX - panning.x, e.offsetY - panning.y);
      const [W, H] = size();
      view = clampView(view, W, H, cssW, cssH);
      panning = { x: e.offsetX, y: e.offsetY };
      refreshToolbar();
      schedule(true);
    } else if (
      assist.move(pointer, e) ||
      editor.move(pointer) ||
      editor.tool === "polygon" ||
      editor.tool === "brush"
    ) {
      schedule(false);
    }
    account(t0, e);
  });
  /** @param {PointerEvent} e */
  const onUp = (e) => {
    if (!options.regions) return;
    const t0 = performance.now();
    if (panning) {
      panning = null;
    } else if (assist.up()) {
      // committed by assist.js
    } else if (editor.drag) {
      editor.move(imagePoint(e));
      commit(editor.up());
    }
    account(t0, e);
  };
  overlay.addEventListener("pointerup", onUp);
  overlay.addEventListener("pointercancel", onUp);
  overlay.addEventListener("pointerleave", () => {
    pointer = null;
    schedule(false);
  });
  overlay.addEventListener("dblclick", () => {
    if (editor.tool === "polygon") commit(editor.closePolygon());
  });
  overlay.addEventListener("contextmenu", (e) => {
    if (options.regions) e.preventDefault();
  });
  overlay.addEventListener(
    "wheel",
    (e) => {
      if (!options.regions || !session.current?.media) return;
      e.preventDefault();
      zoom(Math.exp(-e.deltaY * 0.0015), e.offsetX, e.offsetY);
    },
    { passive: false },
  );
  const onKeyUp = (/** @type {KeyboardEvent} */ e) => {
    if (e.key === " ") panKey = false;
  };
  cleanup.listen(root, "keyup", onKeyUp);
  cleanup.observeSize(stage, () => schedule(true));

  // -- keys ------------------------------------------------------------------------------
  /** @param {number} index */
  const chooseLabel = (index) => {
    if (index >= labels.length) return;
    const change = editor.relabel(labels[index]);
    if (change) commit(change);
    // the "drawing:" chip follows the last label chosen, for the selection or not
    activeLabel = index;
    refreshToolbar();
    schedule(false);
  };

  /** The best visible region suggestion, or the selected one. */
  const targetSuggestion = () => {
    const sel = editor.selection;
    if (sel?.suggestion) return sel.row;
    return regionSuggestions()[0] ?? null;
  };

  /**
   * @param {string} key @param {KeyboardEvent} event
   * @returns {boolean} whether the key was used
   */
  const key = (key, event) => {
    if (relations.key(key)) return true;
    const sel = editor.selection;
    if (/^Digit[1-9]$/.test(event.code) && event.shiftKey && !event.ctrlKey && !event.altKey) {
      options.onWholeLabel(Number(event.code.slice(5)) - 1);
      return true;
    }
    if (assist.key(key)) return true;
    if (/^[1-9]$/.test(key)) {
      chooseLabel(Number(key) - 1);
      return true;
    }
    if (key in TOOL_KEYS) {
      setTool(TOOL_KEYS[/** @type {keyof typeof TOOL_KEYS} */ (key)]);
      return true;
    }
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const arrow = key.replace("Shift+", "");
    if (arrow in arrows && sel) {
      const [dx, dy] = arrows[/** @type {keyof typeof arrows} */ (arrow)];
      const step = key.startsWith("Shift+") ? 10 : 1;
      commit(editor.nudge(dx * step, dy * step));
      return true;
    }
    const used = points?.key(key, editor, regionRows());
    if (used) {
      commit(used === true ? null : used); // i and s (image/points.js)
      return true;
    }
    switch (key) {
      case "Delete":
      case "Backspace":
        if (editor.tool === "polygon" && editor.draft.length) {
          editor.draft.pop();
          schedule(false);
          return true;
        }
        if (sel) {
          commit(editor.deleteSelected());
          return true;
        }
        return false;
      case "Escape":
        if (assist.cancel()) {
          schedule(true);
          return true;
        }
        if (editor.drag || editor.draft.length || sel || (editor.tool === "point" && points?.instance)) {
          if (editor.tool === "point" && !editor.drag) points?.finish();
          editor.cancel();
          refreshToolbar();
          schedule(true);
          return true;
        }
        return false;
      case "Enter":
        commit(editor.closePolygon());
        return true;
      case "e":
        toggleEraser();
        return true;
      case "[":
        brushSize = Math.max(2, Math.round(brushSize / 1.25));
        refreshToolbar();
        schedule(false);
        return true;
      case "]":
        brushSize = Math.min(400, Math.round(brushSize * 1.25) + 1);
        refreshToolbar();
        schedule(false);
        return true;
      case "+":
      case "=":
        zoomCentre(ZOOM_STEP);
        return true;
      case "-":
        zoomCentre(1 / ZOOM_STEP);
        return true;
      case "f":
        fit();
        return true;
      case "h":
        toggleHidden();
        return true;
      case "o": {
        const now = model.get("opacity") ?? 0.5;
        setOpacity(OPACITIES.find((o) => o > now + 1e-9) ?? OPACITIES[0]);
        return true;
      }
      case " ":
        panKey = true;
        return true;
      case "a": {
        const s = targetSuggestion();
        if (!s) return false;
        editor.selected = s.id;
        commit(editor.accept());
        return true;
      }
      case "x": {
        const s = targetSuggestion() ?? session.visibleSuggestions("label")[0];
        if (!s) return false;
        if (editor.selected === s.id) editor.selected = null;
        commit({ upsert: [], delete: [], rejected: [s.id] });
        return true;
      }
      default:
        return false;
    }
  };

  let lastPosition = session.position;
  const update = () => {
    if (session.position !== lastPosition) {
      lastPosition = session.position;
      editor.selected = null;
      editor.draft = [];
      editor.drag = null;
      assist.reset();
      points?.finish();
      relations.reset();
    }
    refreshToolbar();
    schedule(true);
  };
  refreshToolbar();

  return {
    update,
    key,
    chooseLabel,
  };
}
