import assert from "node:assert/strict";
import { test } from "node:test";
import {
  blockOf,
  blockStarts,
  charUnits,
  moveSelection,
  snapToChars,
  snapToTokens,
  splitsPair,
  tokenUnits,
} from "../text/offsets.js";

// "Ada 👩‍💻 met  Bob." in UTF-16: Ada 0-3, 👩‍💻 4-9, met 10-13, Bob 15-18, "." 18-19
const TEXT = "Ada 👩\u200d💻 met  Bob.";
const TOKENS = new Int32Array([0, 3, 4, 9, 10, 13, 15, 18, 18, 19]);
const piece = (/** @type {{start: number, end: number} | null} */ r) => (r ? TEXT.slice(r.start, r.end) : null);

test("selections snap outwards to whole tokens and drop the spaces at their ends", () => {
  assert.equal(piece(snapToTokens(TOKENS, 1, 2)), "Ada");
  assert.equal(piece(snapToTokens(TOKENS, 2, 11)), "Ada 👩\u200d💻 met");
  assert.equal(piece(snapToTokens(TOKENS, 3, 4)), null); // only a space
  assert.equal(piece(snapToTokens(TOKENS, 13, 16)), "Bob");
  assert.equal(piece(snapToTokens(TOKENS, 16, 13)), "Bob"); // backwards drag
  assert.equal(piece(snapToTokens(TOKENS, 5, 5)), "👩\u200d💻"); // a caret inside a token
  assert.equal(piece(snapToTokens(TOKENS, 3, 3)), null);
  assert.equal(piece(snapToTokens(TOKENS, 0, 19)), "Ada 👩\u200d💻 met  Bob.");
  assert.equal(snapToTokens(new Int32Array(0), 0, 3), null);
});

test("every snapped selection starts and ends on token edges and covers the chosen tokens", () => {
  for (let a = 0; a <= TEXT.length; a++) {
    for (let b = a; b <= TEXT.length; b++) {
      const r = snapToTokens(TOKENS, a, b);
      if (!r) continue;
      const edges = [...TOKENS];
      assert.ok(edges.includes(r.start) && edges.includes(r.end), `${a}-${b}`);
      assert.ok(r.start <= Math.max(a, r.start) && r.end >= Math.min(b, r.end));
      assert.ok(!/^\s|\s$/.test(piece(r) ?? ""));
    }
  }
});

test("character selections never cut a surrogate pair", () => {
  const text = "a😀b";
  assert.equal(splitsPair(text, 2), true);
  assert.equal(splitsPair(text, 1), false);
  assert.deepEqual(snapToChars(text, 2, 3), { start: 1, end: 3 });
  assert.deepEqual(snapToChars(text, 0, 2), { start: 0, end: 3 });
  assert.deepEqual(snapToChars(text, 1, 1), { start: 1, end: 3 });
  assert.deepEqual(snapToChars(text, 4, 4), null);
  assert.deepEqual(snapToChars(text, 3, 0), { start: 0, end: 3 });
});

test("arrow keys walk tokens; Shift grows and shrinks the selection", () => {
  const units = tokenUnits(TOKENS);
  let sel = moveSelection(units, null, 0, "right");
  assert.equal(piece(sel), "Ada");
  sel = moveSelection(units, sel, 0, "right");
  assert.equal(piece(sel), "👩\u200d💻");
  sel = moveSelection(units, sel, 0, "grow");
  assert.equal(piece(sel), "👩\u200d💻 met");
  sel = moveSelection(units, sel, 0, "grow");
  assert.equal(piece(sel), "👩\u200d💻 met  Bob");
  sel = moveSelection(units, sel, 0, "shrink");
  assert.equal(piece(sel), "👩\u200d💻 met");
  sel = moveSelection(units, sel, 0, "shrink");
  assert.equal(piece(sel), "👩\u200d💻");
  sel = moveSelection(units, sel, 0, "shrink"); // one token left: grows to the left instead
  assert.equal(piece(sel), "Ada 👩\u200d💻");
  assert.equal(piece(moveSelection(units, sel, 0, "left")), "Ada 👩\u200d💻"); // nothing before: stays
  assert.equal(piece(moveSelection(units, { start: 10, end: 13 }, 0, "left")), "👩\u200d💻");
  assert.equal(piece(moveSelection(units, { start: 18, end: 19 }, 0, "right")), ".");
  assert.equal(piece(moveSelection(units, null, 14, "left")), "met");
  assert.equal(piece(moveSelection(units, null, 14, "right")), "Bob");
});

test("with snapping off the keys move by whole characters", () => {
  const text = "a😀\u0301b";
  const units = charUnits(text);
  let sel = moveSelection(units, null, 0, "right");
  assert.equal(text.slice(sel?.start, sel?.end), "a");
  sel = moveSelection(units, sel, 0, "right");
  assert.equal(text.slice(sel?.start, sel?.end), "😀");
  sel = moveSelection(units, sel, 0, "grow");
  assert.equal(text.slice(sel?.start, sel?.end), "😀\u0301");
  sel = moveSelection(units, sel, 0, "shrink");
  assert.equal(text.slice(sel?.start, sel?.end), "😀");
  assert.deepEqual(units.before(2), { start: 0, end: 1 }); // from inside the pair
});

test("blocks cover the text in order, cut after newlines, never inside a pair", () => {
  const para = "word ".repeat(50).trim();
  const text = Array.from({ length: 40 }, (_, i) => `${i} ${para}${i % 3 ? "\n" : "\r\n\n"}`).join("");
  const starts = blockStarts(text, { min: 500, max: 1000, hard: 2000 });
  assert.equal(starts[0], 0);
  for (let i = 1; i < starts.length; i++) {
    assert.ok(starts[i] > starts[i - 1]);
    assert.equal(text[starts[i] - 1], "\n");
  }
  assert.ok(starts.length > 5);
  // No newline at all: cut after whitespace; no whitespace: hard cut, but not in a pair.
  const oneLine = "ab ".repeat(2000);
  for (const s of blockStarts(oneLine, { min: 500, max: 1000, hard: 2000 }).slice(1)) assert.equal(oneLine[s - 1], " ");
  const emoji = "😀".repeat(3000);
  const hard = blockStarts(emoji, { min: 500, max: 1000, hard: 1001 });
  assert.ok(hard.length > 2);
  for (const s of hard) assert.equal(splitsPair(emoji, s), false);
  assert.equal(blockOf(hard, 0), 0);
  assert.equal(blockOf(hard, hard[1]), 1);
  assert.equal(blockOf(hard, hard[1] - 1), 0);
  assert.equal(blockOf(hard, emoji.length), hard.length - 1);
  assert.deepEqual(blockStarts(""), [0]);
});
