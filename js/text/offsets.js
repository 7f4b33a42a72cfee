// Offsets in the page's text (UTF-16 units): token snapping, moving a selection
// by token or by character, and cutting a document into blocks. DOM-free.

/**
 * @typedef {{start: number, end: number}} Range a half-open range of UTF-16 units
 * @typedef {Int32Array | number[]} Tokens token offsets as [s0, e0, s1, e1, ...], sorted
 */

/**
 * Index of the first token whose end is > offset (tokens.length / 2 if none).
 * @param {Tokens} tokens
 * @param {number} offset
 */
export function firstEndingAfter(tokens, offset) {
  let lo = 0;
  let hi = tokens.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[2 * mid + 1] > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Index of the last token whose start is < offset (-1 if none).
 * @param {Tokens} tokens
 * @param {number} offset
 */
export function lastStartingBefore(tokens, offset) {
  let lo = 0;
  let hi = tokens.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[2 * mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Grow a selection to whole tokens and drop the whitespace at its ends.
 * A collapsed range (a caret) becomes the token it is in.
 * @param {Tokens} tokens
 * @param {number} start
 * @param {number} end
 * @returns {Range | null} null when the selection holds no token
 */
export function snapToTokens(tokens, start, end) {
  if (end < start) [start, end] = [end, start];
  if (start === end) {
    const i = firstEndingAfter(tokens, start);
    if (i >= tokens.length >> 1 || tokens[2 * i] > start) return null;
    return { start: tokens[2 * i], end: tokens[2 * i + 1] };
  }
  const i = firstEndingAfter(tokens, start);
  const j = lastStartingBefore(tokens, end);
  if (i > j) return null;
  return { start: tokens[2 * i], end: tokens[2 * j + 1] };
}

/** @param {string} text @param {number} i */
function isHigh(text, i) {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff;
}

/** @param {string} text @param {number} i */
function isLow(text, i) {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Whether a UTF-16 offset falls between the two halves of a surrogate pair.
 * @param {string} text
 * @param {number} offset
 */
export function splitsPair(text, offset) {
  return offset > 0 && offset < text.length && isLow(text, offset) && isHigh(text, offset - 1);
}

/**
 * A character-precise selection that never cuts a character (surrogate pair) in two.
 * @param {string} text
 * @param {number} start
 * @param {number} end
 * @returns {Range | null}
 */
export function snapToChars(text, start, end) {
  if (end < start) [start, end] = [end, start];
  start = Math.max(0, Math.min(text.length, start));
  end = Math.max(0, Math.min(text.length, end));
  if (splitsPair(text, start)) start -= 1;
  if (splitsPair(text, end)) end += 1;
  if (start === end) {
    if (start >= text.length) return null;
    end = start + (isHigh(text, start) && isLow(text, start + 1) ? 2 : 1);
  }
  return { start, end };
}

/**
 * The units a keyboard selection moves by: tokens, or characters.
 * @typedef {{after: (offset: number) => Range | null, before: (offset: number) => Range | null}} Units
 */

/**
 * @param {Tokens} tokens
 * @returns {Units}
 */
export function tokenUnits(tokens) {
  const n = tokens.length >> 1;
  return {
    after(offset) {
      // The first token that starts at or after offset.
      const i = lastStartingBefore(tokens, offset) + 1;
      return i < n ? { start: tokens[2 * i], end: tokens[2 * i + 1] } : null;
    },
    before(offset) {
      // The last token that ends at or before offset.
      const i = firstEndingAfter(tokens, offset) - 1;
      return i >= 0 ? { start: tokens[2 * i], end: tokens[2 * i + 1] } : null;
    },
  };
}

/**
 * @param {string} text
 * @returns {Units}
 */
export function charUnits(text) {
  return {
    after(offset) {
      if (splitsPair(text, offset)) offset += 1;
      if (offset >= text.length) return null;
      return { start: offset, end: offset + (isHigh(text, offset) && isLow(text, offset + 1) ? 2 : 1) };
    },
    before(offset) {
      if (splitsPair(text, offset)) offset -= 1;
      if (offset <= 0) return null;
      return { start: offset - (isLow(text, offset - 1) && isHigh(text, offset - 2) ? 2 : 1), end: offset };
    },
  };
}

/**
 * Move or resize a selection with the arrow keys.
 * "right"/"left": select the next/previous unit. "grow": add the next unit at the end.
 * "shrink": drop the last unit, or with one unit left, add the previous one at the start.
 * @param {Units} units
 * @param {Range | null} sel
 * @param {number} caret where to start from when nothing is selected
 * @param {"right" | "left" | "grow" | "shrink"} how
 * @returns {Range | null} the new selection (the old one when nothing can move)
 */
export function moveSelection(units, sel, caret, how) {
  if (!sel) {
    const u = how === "right" || how === "grow" ? units.after(caret) : units.before(caret);
    return u ?? null;
  }
  if (how === "right") return units.after(sel.end) ?? sel;
  if (how === "left") return units.before(sel.start) ?? sel;
  if (how === "grow") {
    const u = units.after(sel.end);
    return u ? { start: sel.start, end: u.end } : sel;
  }
  const last = units.before(sel.end);
  if (last && last.start > sel.start) {
    const previous = units.before(last.start);
    if (previous && previous.end > sel.start) return { start: sel.start, end: previous.end };
  }
  const first = units.before(sel.start);
  return first ? { start: first.start, end: sel.end } : sel;
}

/**
 * Cut a text into blocks for display: after a newline once a block holds `min`
 * units, else after whitespace once it holds `max`, else at `hard` (never inside
 * a surrogate pair). Returns the start offsets; the last block ends at text.length.
 * @param {string} text
 * @param {{min?: number, max?: number, hard?: number}} [sizes]
 * @returns {number[]}
 */
export function blockStarts(text, sizes = {}) {
  const min = sizes.min ?? 1500;
  const max = sizes.max ?? 4000;
  const hard = sizes.hard ?? 8000;
  const starts = [0];
  let start = 0;
  while (text.length - start > min) {
    let cut = text.indexOf("\n", start + min - 1);
    if (cut < 0 || cut >= start + max) {
      cut = -1;
      const window = text.slice(start + min, start + max);
      const space = window.search(/\s[^\s]*$/);
      if (space >= 0) cut = start + min + space;
    }
    let next = cut >= 0 ? cut + 1 : start + hard;
    if (next >= text.length) break;
    if (splitsPair(text, next)) next += 1;
    starts.push(next);
    start = next;
  }
  return starts;
}

/**
 * The block holding an offset.
 * @param {number[]} starts
 * @param {number} offset
 */
export function blockOf(starts, offset) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
