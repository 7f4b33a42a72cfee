// The document on screen: its text in blocks (one text node each, so the page's
// offsets are exact), marks for spans drawn only for the blocks on screen, and
// the mapping from mouse positions and DOM selections back to offsets.

import { h } from "../lib/dom.js";
import { marksByBlock } from "./layout.js";
import { blockOf, blockStarts } from "./offsets.js";

/**
 * @typedef {import("./offsets.js").Range} Range
 * @typedef {{id: string, start: number, end: number, label: string, rgb: string,
 *   suggestion: boolean, lane: number, team?: string}} Mark `rgb`: the label's colour as "r, g, b"
 *   (an annotator's colour for `team`: another annotator's span on a reviewer's page)
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const LANE_GAP = 4; // px between the bars of stacked spans
const MAX_LANES = 6; // bars drawn; deeper ones share the top lane
const STRONG = /\p{L}/u;
const RTL_SCRIPT = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

/**
 * Whether a block reads right to left, as `unicode-bidi: plaintext` lays it out: by its
 * first strong (letter) character.
 * @param {string} text
 */
function readsRightToLeft(text) {
  const first = STRONG.exec(text);
  return first !== null && RTL_SCRIPT.test(first[0]);
}

/**
 * @param {HTMLElement} scroller the scrolling container the document lives in
 */
export function documentView(scroller) {
  /** @type {string} */
  let text = "";
  /** @type {number[]} */
  let starts = [];
  /** @type {HTMLDivElement[]} */
  let blocks = [];
  /** @type {Text[]} */
  let nodes = [];
  /** @type {Mark[][]} */
  let byBlock = [];
  /** @type {Set<number>} */
  const visible = new Set();
  /** @type {Range | null} */
  let selection = null;
  /** @type {string | null} */
  let active = null;

  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const i = Number(/** @type {HTMLElement} */ (e.target).dataset.block);
        if (e.isIntersecting) {
          visible.add(i);
          queue(i);
        } else {
          visible.delete(i);
          clearBlock(i);
        }
      }
    },
    { root: scroller, rootMargin: "400px 0px" },
  );

  /** Blocks waiting for their marks: drawn a few per frame, so scrolling stays smooth. */
  const waiting = new Set();
  let drawing = 0;
  /** @param {number} i */
  function queue(i) {
    waiting.add(i);
    if (!drawing) drawing = requestAnimationFrame(drain);
  }
  function drain() {
    drawing = 0;
    const t0 = performance.now();
    for (const i of waiting) {
      waiting.delete(i);
      if (visible.has(i)) drawBlock(i);
      if (performance.now() - t0 > 6) break;
    }
    if (waiting.size) drawing = requestAnimationFrame(drain);
  }

  /** @param {number} i */
  function clearBlock(i) {
    waiting.delete(i);
    const layer = /** @type {HTMLElement} */ (blocks[i]?.firstChild);
    if (layer) layer.replaceChildren();
  }

  /**
   * Rects of a range of the document inside block i, relative to the block.
   * @param {number} i @param {number} start @param {number} end
   */
  function rects(i, start, end, base = blocks[i].getBoundingClientRect(), range = document.createRange()) {
    const b0 = starts[i];
    const b1 = i + 1 < starts.length ? starts[i + 1] : text.length;
    const s = Math.max(start, b0) - b0;
    const e = Math.min(end, b1) - b0;
    if (e <= s) return [];
    range.setStart(nodes[i], s);
    range.setEnd(nodes[i], e);
    return [...range.getClientRects()]
      .filter((r) => r.width > 0 || r.height > 0)
      .map((r) => ({ left: r.left - base.left, top: r.top - base.top, width: r.width, height: r.height }));
  }

  let retry = 0;
  let retries = 0;
  /** Draw again on the next frame: the block had no layout yet (hidden, not attached). */
  function later() {
    if (retry || retries > 120) return;
    retries += 1;
    retry = requestAnimationFrame(() => {
      retry = 0;
      redraw();
    });
  }

  /** @param {number} i */
  function drawBlock(i) {
    const block = blocks[i];
    if (!block) return;
    if (block.getClientRects().length === 0 || block.getBoundingClientRect().width === 0) {
      later();
      return;
    }
    const layer = /** @type {HTMLElement} */ (block.firstChild);
    /** @type {HTMLElement[]} */
    const out = [];
    const base = block.getBoundingClientRect();
    const range = document.createRange();
    /** @type {{el: HTMLElement, left: number, right: number, top: number}[]} */
    const tags = [];
    for (const mark of byBlock[i] ?? []) {
      const lane = Math.min(mark.lane, MAX_LANES - 1);
      const cls = `nbl-mark${mark.suggestion ? " nbl-sugg" : ""}${mark.id === active ? " nbl-active" : ""}${mark.team === undefined ? "" : " nbl-team-mark"}`;
      const who = mark.team === undefined ? {} : { "data-annotator": mark.team };
      const tint = `--nbl-rgb:${mark.rgb};`;
      const boxes = rects(i, mark.start, mark.end, base, range);
      for (const r of boxes) {
        out.push(
          h("div", {
            class: `${cls} nbl-fill`,
            style: `${tint}left:${r.left}px;top:${r.top}px;width:${r.width}px;height:${r.height}px`,
          }),
          h("div", {
            class: `${cls} nbl-bar`,
            "data-id": mark.id,
            ...who,
            style: `${tint}left:${r.left}px;top:${r.top + r.height + 1 + lane * LANE_GAP}px;width:${r.width}px`,
          }),
        );
      }
      // every span's label, nested ones too, at the span's start on its first line (the
      // boxes of that line, zero-width caret boxes left out; tags are moved apart below)
      const first = boxes.find((r) => r.width > 0);
      if (first && mark.start >= starts[i]) {
        const line = boxes.filter((r) => r.width > 0 && Math.abs(r.top - first.top) < 2);
        const left = Math.min(...line.map((r) => r.left));
        const right = Math.max(...line.map((r) => r.left + r.width));
        const tag = h(
          "div",
          { class: `${cls} nbl-tag`, "data-id": mark.id, ...who, style: `${tint}left:${left}px;top:${first.top}px` },
          mark.team === undefined ? mark.label : `${mark.team}: ${mark.label}`,
        );
        out.push(tag);
        tags.push({ el: tag, left, right, top: first.top });
      }
    }
    // Control characters draw nothing: mark each with its Unicode control picture.
    const own = nodes[i].data;
    for (const m of own.matchAll(CONTROL)) {
      const at = starts[i] + (m.index ?? 0);
      const r = rects(i, at, at + 1, base, range)[0];
      if (!r) continue;
      const code = m[0].charCodeAt(0);
      out.push(
        h(
          "div",
          {
            class: "nbl-ctl",
            "aria-hidden": "true",
            style: `left:${r.left}px;top:${r.top}px`,
            title: `U+${code.toString(16).toUpperCase().padStart(4, "0")}`,
          },
          String.fromCharCode(code === 0x7f ? 0x2421 : 0x2400 + code),
        ),
      );
    }
    if (selection) {
      for (const r of rects(i, selection.start, selection.end, base, range)) {
        out.push(
          h("div", {
            class: "nbl-sel",
            style: `left:${r.left}px;top:${r.top}px;width:${r.width}px;height:${r.height}px`,
          }),
        );
      }
    }
    layer.replaceChildren(...out);
    spreadTags(tags, readsRightToLeft(own));
  }

  /**
   * Move tags on one line apart so that none covers another (a stack of nested spans, or
   * short spans side by side). A tag sits at its span's start: the left end on a
   * left-to-right line, the right end on a right-to-left one, and tags make way in the
   * line's reading direction, kept inside the line.
   * @param {{el: HTMLElement, left: number, right: number, top: number}[]} tags
   * @param {boolean} rtl the block reads right to left (its first strong character)
   */
  function spreadTags(tags, rtl) {
    const widths = tags.map((t) => t.el.offsetWidth);
    if (rtl) {
      tags.forEach((t, k) => {
        t.left = t.right - widths[k];
        t.el.style.left = `${t.left}px`;
      });
    }
    if (tags.length < 2 && !rtl) return;
    const sign = rtl ? -1 : 1;
    // by line, then in reading order (right to left: the rightmost start first)
    const order = tags
      .map((_t, k) => k)
      .sort((a, b) => tags[a].top - tags[b].top || sign * (tags[a].left - tags[b].left));
    let lineTop = -Infinity;
    let edge = 0;
    for (const k of order) {
      const t = tags[k];
      if (Math.abs(t.top - lineTop) > 2) {
        lineTop = t.top;
        edge = rtl ? Infinity : -Infinity;
      }
      const left = rtl ? Math.min(t.left, edge - 2 - widths[k]) : Math.max(t.left, edge + 2);
      if (left !== t.left) t.el.style.left = `${left}px`;
      edge = rtl ? left : left + widths[k];
    }
  }

  function redraw() {
    for (const i of visible) drawBlock(i);
  }

  return {
    /** @returns {string} */
    get text() {
      return text;
    },
    /** @returns {number[]} */
    get starts() {
      return starts;
    },

    /**
     * Show a new document.
     * @param {string} value
     */
    open(value) {
      observer.disconnect();
      visible.clear();
      text = value;
      starts = blockStarts(text);
      nodes = [];
      blocks = starts.map((s, i) => {
        const end = i + 1 < starts.length ? starts[i + 1] : text.length;
        const node = document.createTextNode(text.slice(s, end));
        nodes.push(node);
        const t = h("span", { class: "nbl-t" });
        t.append(node);
        return h(
          "div",
          { class: "nbl-block", "data-block": i, "data-start": s },
          // not aria-hidden: its span tags are the spans' labels in the accessible text
          h("div", { class: "nbl-layer" }),
          t,
        );
      });
      byBlock = starts.map(() => []);
      scroller.replaceChildren(...blocks);
      scroller.scrollTop = 0;
      retries = 0;
      for (const b of blocks) observer.observe(b);
    },

    /**
     * Replace the marks (spans and suggestions) and redraw the blocks on screen.
     * @param {Mark[]} marks
     * @param {number} depth lanes in use
     */
    setMarks(marks, depth) {
      byBlock = marksByBlock(marks, starts, text.length);
      scroller.style.setProperty("--nbl-lanes", String(Math.min(Math.max(depth, 1), MAX_LANES)));
      redraw();
    },

    /**
     * @param {Range | null} sel
     * @param {string | null} activeId
     */
    setSelection(sel, activeId) {
      const changed = activeId !== active;
      selection = sel;
      active = activeId;
      if (changed) redraw();
      else for (const i of visible) drawBlock(i);
    },

    /** Bring an offset range into view (keyboard moves). @param {Range} range */
    reveal(range) {
      // Blocks off screen have estimated heights until laid out: settle over two frames.
      this.scrollTo(range);
      requestAnimationFrame(() => {
        this.scrollTo(range);
        requestAnimationFrame(() => this.scrollTo(range));
      });
    },

    /** @param {Range} range */
    scrollTo(range) {
      const i = blockOf(starts, range.start);
      const boxes = rects(i, range.start, Math.min(range.end, i + 1 < starts.length ? starts[i + 1] : text.length));
      const block = blocks[i];
      if (!block) return;
      const top = block.offsetTop + (boxes[0]?.top ?? 0);
      const bottom = top + (boxes[0]?.height ?? 20);
      if (top < scroller.scrollTop + 8) scroller.scrollTop = Math.max(0, top - 24);
      else if (bottom > scroller.scrollTop + scroller.clientHeight - 8)
        scroller.scrollTop = bottom - scroller.clientHeight + 24;
    },

    /**
     * The page's text selection as document offsets (anchor, focus), or null when there is
     * none in the document. Reads the selection of the view's own root: inside a shadow
     * root (marimo renders widgets in one) `window.getSelection()` does not see it.
     * @returns {{anchor: number, focus: number} | null}
     */
    selectedOffsets() {
      const s = selectionIn(scroller);
      if (!s || s.isCollapsed || s.rangeCount === 0 || !s.anchorNode || !s.focusNode) return null;
      const anchor = this.offsetOf(s.anchorNode, s.anchorOffset);
      let focus = this.offsetOf(s.focusNode, s.focusOffset);
      if (anchor !== null && focus === null) {
        // Dragged out of the document: the selection runs to its start or end.
        const after = s.anchorNode.compareDocumentPosition(s.focusNode) & Node.DOCUMENT_POSITION_FOLLOWING;
        focus = after ? text.length : 0;
      }
      s.removeAllRanges();
      if (anchor === null || focus === null) return null;
      return { anchor, focus };
    },

    /**
     * The document offset of a DOM point (from a Selection or a caret position).
     * @param {Node} node @param {number} offset
     * @returns {number | null}
     */
    offsetOf(node, offset) {
      if (node.nodeType === Node.TEXT_NODE) {
        const i = nodes.indexOf(/** @type {Text} */ (node));
        if (i >= 0) return starts[i] + Math.min(offset, nodes[i].length);
        node = /** @type {Node} */ (node.parentNode);
        offset = 0;
      }
      if (node === scroller) {
        return offset >= blocks.length ? text.length : (starts[offset] ?? text.length);
      }
      const block = /** @type {HTMLElement | null} */ (node instanceof Element ? node.closest(".nbl-block") : null);
      if (!block || !scroller.contains(block)) return null;
      const i = Number(block.dataset.block);
      const end = i + 1 < starts.length ? starts[i + 1] : text.length;
      if (node === block) return offset >= 2 ? end : starts[i];
      if (/** @type {Element} */ (node).classList.contains("nbl-t")) return offset >= 1 ? end : starts[i];
      return starts[i];
    },

    /**
     * The offset under a point of the screen (for clicks), or null.
     * @param {number} x @param {number} y
     */
    offsetAt(x, y) {
      const doc = /** @type {any} */ (document);
      if (typeof doc.caretPositionFromPoint === "function") {
        // Inside a shadow root (marimo) the caret is found only when the root is named.
        const shadow = scroller.getRootNode();
        const options = shadow instanceof ShadowRoot ? { shadowRoots: [shadow] } : undefined;
        const pos = doc.caretPositionFromPoint(x, y, options);
        const found = pos ? this.offsetOf(pos.offsetNode, pos.offset) : null;
        if (found !== null || typeof doc.caretRangeFromPoint !== "function") return found;
      }
      const range = doc.caretRangeFromPoint?.(x, y);
      return range ? this.offsetOf(range.startContainer, range.startOffset) : null;
    },

    /** The ids of marks whose bars are under a point (a click on a span's underline). @param {number} x @param {number} y */
    barsAt(x, y) {
      /** @type {string[]} */
      const ids = [];
      for (const el of scroller.querySelectorAll(".nbl-bar")) {
        const r = el.getBoundingClientRect();
        if (x >= r.left && x <= r.right && y >= r.top - 2 && y <= r.bottom + 2)
          ids.push(/** @type {HTMLElement} */ (el).dataset.id ?? "");
      }
      return ids;
    },

    /**
     * The boxes a range of the document takes on screen (viewport coordinates), line by
     * line, in document order: where relation arrows start and end (js/text/relations.js).
     * @param {number} start @param {number} end
     * @returns {DOMRect[]}
     */
    rangeRects(start, end) {
      /** @type {DOMRect[]} */
      const out = [];
      if (end <= start || !blocks.length) return out;
      const range = document.createRange();
      for (let i = blockOf(starts, start); i <= blockOf(starts, end - 1); i++) {
        const b0 = starts[i];
        const b1 = i + 1 < starts.length ? starts[i + 1] : text.length;
        const s = Math.max(start, b0) - b0;
        const e = Math.min(end, b1) - b0;
        if (e <= s) continue;
        range.setStart(nodes[i], s);
        range.setEnd(nodes[i], e);
        out.push(...[...range.getClientRects()].filter((r) => r.width > 0 || r.height > 0));
      }
      return out;
    },

    /** Redraw after a resize. */
    redraw,

    close() {
      observer.disconnect();
      cancelAnimationFrame(drawing);
      cancelAnimationFrame(retry);
    },
  };
}

/**
 * The selection that can see `node`: its shadow root's where the browser has one
 * (Chromium's `ShadowRoot.getSelection`), else a composed range of the window's selection
 * (`getComposedRanges`), else the window's.
 * @param {Node} node
 * @returns {Selection | null}
 */
export function selectionIn(node) {
  const root = /** @type {any} */ (node.getRootNode());
  if (typeof ShadowRoot !== "undefined" && node.getRootNode() instanceof ShadowRoot) {
    if (typeof root.getSelection === "function") return root.getSelection();
    const s = /** @type {any} */ (window.getSelection());
    if (s && typeof s.getComposedRanges === "function") {
      const [range] = s.getComposedRanges({ shadowRoots: [root] });
      if (range && !range.collapsed) return composedSelection(s, range);
    }
  }
  return window.getSelection();
}

/**
 * A Selection-like view of a composed (static) range, for the readers above.
 * @param {Selection} s the window's selection (cleared through it)
 * @param {StaticRange} range
 * @returns {Selection}
 */
function composedSelection(s, range) {
  return /** @type {any} */ ({
    isCollapsed: range.collapsed,
    rangeCount: 1,
    anchorNode: range.startContainer,
    anchorOffset: range.startOffset,
    focusNode: range.endContainer,
    focusOffset: range.endOffset,
    removeAllRanges: () => s.removeAllRanges(),
  });
}
