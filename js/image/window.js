// The display window (level/width) of 16-bit, float and DICOM images, DOM-free.
//
// The kernel sends such an image twice (see src/nblabel/medical.py): an 8-bit PNG with the
// file's default window applied, and the display-sized values as little-endian uint16 `q`,
// with `value = offset + scale * q`. A window (center, width) shows a value v as grey
// `255 * (v - (center - width / 2)) / width`, rounded half up and clipped to 0-255,
// inverted for MONOCHROME1, exactly as nblabel.medical.apply_window does. The window only
// changes what is drawn: the values, the image's size and every coordinate stay as they are.

/**
 * @typedef {{min: number, max: number, center: number, width: number, offset: number,
 *   scale: number, invert: boolean, unit: string}} WindowInfo what the kernel sends as
 *   `item.window`
 * @typedef {{center: number, width: number}} Win
 * @typedef {{name: string, center: number, width: number}} Preset
 */

/** Common CT windows, in Hounsfield units (level / width). */
export const CT_PRESETS = /** @type {const} */ ([
  { name: "brain", center: 40, width: 80 },
  { name: "soft tissue", center: 50, width: 400 },
  { name: "lung", center: -600, width: 1500 },
  { name: "bone", center: 400, width: 1800 },
]);

/**
 * The values of an image from its buffer (a copy when the bytes are not 2-aligned).
 * @param {DataView} view
 * @returns {Uint16Array}
 */
export function valuesOf(view) {
  const count = Math.floor(view.byteLength / 2);
  if (view.byteOffset % 2 === 0) return new Uint16Array(view.buffer, view.byteOffset, count);
  return new Uint16Array(view.buffer.slice(view.byteOffset, view.byteOffset + count * 2));
}

/**
 * A window within sensible bounds: a width of at least one step of the data, a level
 * inside the data's range widened by the width.
 * @param {WindowInfo} info
 * @param {Win} win
 * @returns {Win}
 */
export function clampWindow(info, win) {
  const range = Math.max(info.max - info.min, info.scale, 1e-9);
  const width = Math.min(Math.max(win.width, Math.max(info.scale, range / 4096)), range * 4);
  const center = Math.min(Math.max(win.center, info.min - width), info.max + width);
  return { center, width };
}

/**
 * The grey level of each possible stored value q (0-65535) under a window.
 * @param {WindowInfo} info
 * @param {Win} win
 * @returns {Uint8ClampedArray}
 */
export function windowLut(info, win) {
  const lut = new Uint8ClampedArray(65536);
  const width = Math.max(win.width, 1e-12);
  const low = win.center - width / 2;
  for (let q = 0; q < 65536; q++) {
    const value = info.offset + info.scale * q;
    const grey = Math.min(255, Math.max(0, Math.floor(((value - low) * 255) / width + 0.5)));
    lut[q] = info.invert ? 255 - grey : grey;
  }
  return lut;
}

/**
 * Grey pixels as RGBA (for an ImageData), through a lookup table.
 * @param {Uint16Array} values
 * @param {Uint8ClampedArray} lut from windowLut
 * @param {Uint8ClampedArray} [out] RGBA, 4 bytes per value
 * @returns {Uint8ClampedArray}
 */
export function renderRgba(values, lut, out = new Uint8ClampedArray(values.length * 4)) {
  for (let i = 0, j = 0; i < values.length; i++, j += 4) {
    const g = lut[values[i]];
    out[j] = g;
    out[j + 1] = g;
    out[j + 2] = g;
    out[j + 3] = 255;
  }
  return out;
}

/**
 * The window after a drag of (dx, dy) CSS pixels from `start`: right widens, left narrows
 * (the contrast falls and rises); down raises the level, up lowers it. A drag across
 * 500 pixels moves by the data's whole range.
 * @param {WindowInfo} info
 * @param {Win} start the window when the drag began
 * @param {number} dx
 * @param {number} dy
 * @returns {Win}
 */
export function dragWindow(info, start, dx, dy) {
  const perPixel = Math.max(info.max - info.min, info.scale) / 500;
  return clampWindow(info, { center: start.center + dy * perPixel, width: start.width + dx * perPixel });
}

/**
 * The presets for an image: its file's default window first, then the full range, then
 * the CT windows for Hounsfield units.
 * @param {WindowInfo} info
 * @returns {Preset[]}
 */
export function presetsFor(info) {
  /** @type {Preset[]} */
  const out = [{ name: "default", center: info.center, width: info.width }];
  const full = {
    name: "full range",
    center: (info.min + info.max) / 2,
    width: Math.max(info.max - info.min, info.scale),
  };
  if (full.center !== info.center || full.width !== info.width) out.push(full);
  if (info.unit === "HU") out.push(...CT_PRESETS);
  return out;
}

/** Keys of the window control, with their help rows. */
export const WINDOW_KEYS = /** @type {const} */ ({
  w: "next window preset",
  "Shift+W": "reset the window to the file's default",
  ",": "narrower window (more contrast)",
  ".": "wider window (less contrast)",
  "<": "lower level (brighter)",
  ">": "higher level (darker)",
});

/**
 * The window after a key of WINDOW_KEYS, or null for another key.
 * @param {WindowInfo} info
 * @param {Win} win the current window
 * @param {string} key a name from lib/keys.js keyName
 * @param {number} presetIndex the index of the preset in use (-1: none)
 * @returns {{win: Win, preset: number} | null}
 */
export function keyWindow(info, win, key, presetIndex) {
  const presets = presetsFor(info);
  switch (key) {
    case "w": {
      const next = (presetIndex + 1) % presets.length;
      return { win: { center: presets[next].center, width: presets[next].width }, preset: next };
    }
    case "Shift+W":
      return { win: { center: info.center, width: info.width }, preset: 0 };
    case ",":
      return { win: clampWindow(info, { ...win, width: win.width / 1.2 }), preset: -1 };
    case ".":
      return { win: clampWindow(info, { ...win, width: win.width * 1.2 }), preset: -1 };
    case "<":
      return { win: clampWindow(info, { ...win, center: win.center - win.width / 10 }), preset: -1 };
    case ">":
      return { win: clampWindow(info, { ...win, center: win.center + win.width / 10 }), preset: -1 };
    default:
      return null;
  }
}

/**
 * The window as text: "L 40 W 400 HU".
 * @param {Win} win
 * @param {string} unit
 */
export function windowText(win, unit) {
  const fmt = (/** @type {number} */ v) =>
    Math.abs(v) >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
  return `L ${fmt(win.center)} W ${fmt(win.width)}${unit ? ` ${unit}` : ""}`;
}
