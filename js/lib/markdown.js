// A small, safe markdown for instructions: paragraphs, "#" headings, "-" / "*" / "1." list
// items, **bold**, *italic* and `code`. Everything becomes DOM nodes with text children
// (dom.js `h`): no HTML is ever parsed, so a "<script>" in the text shows as text.

import { h } from "./dom.js";

/**
 * Inline markup of one line as nodes.
 * @param {string} line
 * @returns {(string | HTMLElement)[]}
 */
export function inline(line) {
  /** @type {(string | HTMLElement)[]} */
  const out = [];
  const pattern = /(\*\*([^*]+)\*\*|`([^`]+)`|\*([^*\s][^*]*)\*)/g;
  let last = 0;
  for (const m of line.matchAll(pattern)) {
    const at = m.index ?? 0;
    if (at > last) out.push(line.slice(last, at));
    if (m[2] !== undefined) out.push(h("strong", {}, m[2]));
    else if (m[3] !== undefined) out.push(h("code", {}, m[3]));
    else out.push(h("em", {}, m[4]));
    last = at + m[0].length;
  }
  if (last < line.length) out.push(line.slice(last));
  return out;
}

/**
 * Markdown (or plain text) as DOM blocks.
 * @param {string} text
 * @returns {HTMLElement[]}
 */
export function markdown(text) {
  /** @type {HTMLElement[]} */
  const blocks = [];
  /** @type {HTMLElement | null} */
  let list = null;
  /** @type {string[]} */
  let para = [];
  const flush = () => {
    if (para.length) blocks.push(h("p", {}, ...inline(para.join(" "))));
    para = [];
  };
  for (const raw of text.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^([-*]|\d+[.)])\s+(.*)$/.exec(line);
    if (!line) {
      flush();
      list = null;
    } else if (heading) {
      flush();
      list = null;
      blocks.push(h("h4", {}, ...inline(heading[2])));
    } else if (item) {
      flush();
      const ordered = /\d/.test(item[1][0]);
      if (!list || (list.tagName === "OL") !== ordered) {
        list = h(ordered ? "ol" : "ul", {});
        blocks.push(list);
      }
      list.append(h("li", {}, ...inline(item[2])));
    } else {
      list = null;
      para.push(line);
    }
  }
  flush();
  return blocks;
}
