// The display window of 16-bit and DICOM images: the same grey levels as Python's
// nblabel.medical.apply_window, drags, keys and presets; values and sizes untouched.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  clampWindow,
  dragWindow,
  keyWindow,
  presetsFor,
  renderRgba,
  valuesOf,
  windowLut,
  windowText,
} from "../image/window.js";

/** A CT slice's window info as the kernel sends it (int values -1024..1059, exact). */
const CT = { min: -1024, max: 1059, center: 40, width: 400, offset: -1024, scale: 1, invert: false, unit: "HU" };

test("the lookup table is the documented formula (medical.apply_window)", () => {
  const lut = windowLut(CT, { center: 40, width: 400 });
  const grey = (/** @type {number} */ hu) => lut[hu - CT.offset];
  // the same five values as tests/unit/test_medical.py: [0, 0, 128, 255, 255]
  assert.deepEqual([-1000, -160, 40, 240, 1059].map(grey), [0, 0, 128, 255, 255]);
  const inverted = windowLut({ ...CT, invert: true }, { center: 40, width: 400 });
  assert.equal(inverted[40 - CT.offset], 127);
});

test("float data maps through offset and scale", () => {
  const info = {
    min: -3.5,
    max: 12.25,
    center: 4.375,
    width: 15.75,
    offset: -3.5,
    scale: 15.75 / 65535,
    invert: false,
    unit: "",
  };
  const lut = windowLut(info, { center: info.center, width: info.width });
  assert.equal(lut[0], 0);
  assert.equal(lut[65535], 255);
  assert.equal(lut[32768], 128);
});

test("rendering writes opaque grey RGBA and leaves the values alone", () => {
  const values = new Uint16Array([0, 1064, 2083]);
  const before = [...values];
  const rgba = renderRgba(values, windowLut(CT, { center: 40, width: 400 }));
  assert.deepEqual([...rgba], [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
  assert.deepEqual([...values], before);
});

test("values are read from an odd offset by copying", () => {
  const bytes = new Uint8Array([9, 1, 0, 2, 0]);
  assert.deepEqual([...valuesOf(new DataView(bytes.buffer, 1, 4))], [1, 2]);
  assert.deepEqual([...valuesOf(new DataView(new Uint8Array([3, 0, 4, 0]).buffer))], [3, 4]);
});

test("a drag right widens, down raises the level; 500 px is the whole range", () => {
  const start = { center: 40, width: 400 };
  const moved = dragWindow(CT, start, 100, -50);
  const range = CT.max - CT.min;
  assert.ok(Math.abs(moved.width - (400 + (100 * range) / 500)) < 1e-9);
  assert.ok(Math.abs(moved.center - (40 - (50 * range) / 500)) < 1e-9);
  const narrow = dragWindow(CT, start, -10000, 0);
  assert.equal(narrow.width, clampWindow(CT, { center: 40, width: 0 }).width);
  assert.ok(narrow.width > 0);
});

test("presets: the file's default, the full range, CT windows for HU", () => {
  const names = presetsFor(CT).map((p) => p.name);
  assert.deepEqual(names, ["default", "full range", "brain", "soft tissue", "lung", "bone"]);
  assert.deepEqual(
    presetsFor({ ...CT, unit: "", center: 17.5, width: 2083 }).map((p) => p.name),
    ["default"],
  );
});

test("keys cycle presets, reset, and nudge the window", () => {
  let state = keyWindow(CT, { center: 40, width: 400 }, "w", 0);
  assert.deepEqual(state, { win: { center: 17.5, width: 2083 }, preset: 1 });
  state = keyWindow(CT, state?.win ?? CT, "w", 1);
  assert.deepEqual(state?.win, { center: 40, width: 80 });
  assert.deepEqual(keyWindow(CT, { center: 0, width: 10 }, "Shift+W", 3), {
    win: { center: 40, width: 400 },
    preset: 0,
  });
  assert.deepEqual(keyWindow(CT, { center: 40, width: 400 }, ".", 0)?.win, { center: 40, width: 480 });
  assert.deepEqual(keyWindow(CT, { center: 40, width: 400 }, "<", 0)?.win, { center: 0, width: 400 });
  assert.equal(keyWindow(CT, { center: 40, width: 400 }, "b", 0), null);
});

test("the window reads as text", () => {
  assert.equal(windowText({ center: 40, width: 400 }, "HU"), "L 40 W 400 HU");
  assert.equal(windowText({ center: 0.5, width: 0.25 }, ""), "L 0.5 W 0.25");
});
