// Drawing the audio widget's canvas: time axis, waveform, segments in lanes, suggestions,
// the start mark and the playhead. Text on the canvas is drawn with fillText (never HTML).

import { colourOf } from "../lib/palette.js";
import { columns, formatTime, ticks, timeToX } from "./timeline.js";

/**
 * @typedef {import("./timeline.js").View} View
 * @typedef {import("./timeline.js").Peaks} Peaks
 * @typedef {{id: string, start: number, end: number, label: string, text?: string, suggestion?: boolean}} DrawSeg
 * @typedef {{view: View, peaks: Peaks | null, segments: DrawSeg[], laneOf: Map<string, number>,
 *   laneCount: number, selected: string | null, draft: {start: number, end: number} | null,
 *   mark: number | null, playhead: number, labels: string[], loop: {start: number, end: number} | null}} Scene
 */

export const AXIS_H = 18;
export const LANE_H = 18;
export const WAVE_H = 150;

/** @param {number} lanes @returns {number} CSS height of the canvas */
export function sceneHeight(lanes) {
  return AXIS_H + Math.max(1, lanes) * LANE_H + WAVE_H;
}

/**
 * Draw the scene on a canvas whose backing store is `dpr` times its CSS size.
 * @param {CanvasRenderingContext2D} g
 * @param {Scene} scene
 * @param {number} dpr
 */
export function drawScene(g, scene, dpr) {
  const { view } = scene;
  const width = view.width;
  const lanesH = Math.max(1, scene.laneCount) * LANE_H;
  const height = AXIS_H + lanesH + WAVE_H;
  const waveTop = AXIS_H + lanesH;
  const mid = waveTop + WAVE_H / 2;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, width, height);
  g.fillStyle = "#fafafa";
  g.fillRect(0, AXIS_H, width, lanesH + WAVE_H);

  // Time axis.
  g.fillStyle = "#555";
  g.strokeStyle = "#bbb";
  g.font = "11px sans-serif";
  g.textBaseline = "middle";
  const { step, ticks: marks } = ticks(view);
  const digits = step < 0.01 ? 3 : step < 0.1 ? 2 : step < 1 ? 1 : 0;
  g.beginPath();
  for (const t of marks) {
    const x = Math.round(timeToX(view, t)) + 0.5;
    g.moveTo(x, AXIS_H - 5);
    g.lineTo(x, AXIS_H);
    g.fillText(formatTime(t, digits), x + 3, AXIS_H / 2 - 1);
  }
  g.stroke();

  // Segment fills behind the waveform.
  for (const s of scene.segments) {
    const x0 = timeToX(view, s.start);
    const x1 = timeToX(view, s.end);
    if (x1 < 0 || x0 > width) continue;
    const colour = colourOf(scene.labels, s.label);
    const lane = scene.laneOf.get(s.id) ?? 0;
    const y = AXIS_H + lane * LANE_H;
    g.globalAlpha = s.suggestion ? 0.08 : s.id === scene.selected ? 0.28 : 0.16;
    g.fillStyle = colour;
    g.fillRect(x0, waveTop, Math.max(1, x1 - x0), WAVE_H);
    g.globalAlpha = s.suggestion ? 0.35 : 0.85;
    g.fillRect(x0, y + 1, Math.max(1, x1 - x0), LANE_H - 2);
    g.globalAlpha = 1;
    if (s.suggestion) {
      g.setLineDash([4, 3]);
      g.strokeStyle = colour;
      g.strokeRect(x0 + 0.5, waveTop + 0.5, Math.max(1, x1 - x0 - 1), WAVE_H - 1);
      g.setLineDash([]);
    }
    if (x1 - x0 > 24) {
      g.save();
      g.beginPath();
      g.rect(Math.max(0, x0), y, Math.min(width, x1) - Math.max(0, x0), LANE_H);
      g.clip();
      g.fillStyle = s.suggestion ? "#333" : "#fff";
      const text = s.text ? `${s.label}: ${s.text}` : s.label;
      g.fillText(s.suggestion ? `? ${text}` : text, Math.max(0, x0) + 4, y + LANE_H / 2);
      g.restore();
    }
  }

  // Waveform.
  if (scene.peaks) {
    const cols = columns(scene.peaks, view);
    g.fillStyle = "#3b4a5a";
    const half = WAVE_H / 2 - 4;
    for (let x = 0; x < width; x++) {
      const lo = cols[2 * x];
      if (Number.isNaN(lo)) continue;
      const hi = cols[2 * x + 1];
      const y0 = mid - hi * half;
      const y1 = mid - lo * half;
      g.fillRect(x, y0, 1, Math.max(1, y1 - y0));
    }
  }
  g.strokeStyle = "#ccd";
  g.beginPath();
  g.moveTo(0, mid + 0.5);
  g.lineTo(width, mid + 0.5);
  g.stroke();

  // Selected segment outline and edge handles.
  const selected = scene.segments.find((s) => s.id === scene.selected);
  const outline = scene.draft ?? selected;
  if (outline) {
    const x0 = timeToX(view, outline.start);
    const x1 = timeToX(view, outline.end);
    g.strokeStyle = "#111";
    g.lineWidth = 2;
    g.strokeRect(x0, AXIS_H + 1, Math.max(1, x1 - x0), lanesH + WAVE_H - 2);
    g.fillStyle = "#111";
    g.fillRect(x0 - 2, waveTop + WAVE_H / 2 - 12, 4, 24);
    g.fillRect(x1 - 2, waveTop + WAVE_H / 2 - 12, 4, 24);
    g.lineWidth = 1;
  }
  if (scene.loop) {
    g.fillStyle = "rgba(0,0,0,0.06)";
    const x0 = timeToX(view, scene.loop.start);
    g.fillRect(x0, waveTop, timeToX(view, scene.loop.end) - x0, WAVE_H);
  }
  if (scene.mark !== null) {
    const x = Math.round(timeToX(view, scene.mark)) + 0.5;
    g.strokeStyle = "#009E73";
    g.setLineDash([3, 3]);
    g.beginPath();
    g.moveTo(x, AXIS_H);
    g.lineTo(x, height);
    g.stroke();
    g.setLineDash([]);
  }
  const px = Math.round(timeToX(view, scene.playhead)) + 0.5;
  if (px >= 0 && px <= width) {
    g.strokeStyle = "#d00";
    g.beginPath();
    g.moveTo(px, 0);
    g.lineTo(px, height);
    g.stroke();
  }
}
