// Relations between spans on the text page (TextAnnotator(relations=[...])):
//   - making one: a span selected, `r` (or the "→ Relation" button), then the second span
//     (Tab / arrows and Enter, or a click), then its label (1–9, a relation's hotkey, `/`,
//     or a button); stored as one edit;
//   - arrows over the document (SVG, each with its label and an aria-label), and the same
//     relations as a list of buttons under it (the accessible text; a click selects);
//   - a selected relation (Shift+R, a click on its arrow or its line in the list): Delete
//     removes it, 1–9 relabel it, Esc leaves it.
// The DOM-free rules (rows, cascade on delete, pick order, geometry) are in relate.js.

import { h, replace } from "../lib/dom.js";
import { colourOf, rgbTriplet } from "../lib/palette.js";
import { labelPicker } from "../lib/ui.js";
import { arrowGeometry, nextEnd, relationRow, relationsOf } from "./relate.js";
import "./relations.css";

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/session.js").Change} Change
 * @typedef {import("./view.js").Mark} Mark
 * @typedef {{stage: "end", from: string, to: string | null} | {stage: "label", from: string, to: string}} Making
 */

const SVG = "http://www.w3.org/2000/svg";
/** px above a span where its label tag ends (text.css .nbl-tag): arrows start above it */
const TAG_HEIGHT = 14;
/** px above and below the part of the document on screen whose arrows are drawn */
const NEAR = 600;

/**
 * @param {string} tag @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
function svg(tag, attrs = {}) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** @param {string} text */
function clip(text) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 30 ? `${flat.slice(0, 29)}…` : flat;
}

/**
 * The relation part of a text page. Nothing is bound when the widget has no relations.
 * @param {{
 *   model: import("@anywidget/types").AnyModel,
 *   shell: ReturnType<typeof import("../lib/shell.js").pageShell>,
 *   view: ReturnType<typeof import("./view.js").documentView>,
 *   scroller: HTMLElement,
 *   rows: () => Map<string, Row>,
 *   text: () => string,
 *   spans: () => Mark[],
 *   activeSpan: () => Row | undefined,
 *   clearSpan: () => void,
 *   edit: (change: Change) => void,
 *   update: () => void,
 * }} ctx
 */
export function relationTool(ctx) {
  const { model, shell, view, scroller } = ctx;
  /** @type {() => string[]} */
  const names = () => model.get("relations") ?? [];
  const specs = () => model.get("relation_specs") ?? {};
  const enabled = names().length > 0;
  /** @type {Making | null} */
  let making = null;
  /** @type {string | null} */
  let selected = null;

  const layer = /** @type {SVGSVGElement} */ (
    svg("svg", { class: "nbl-relations-layer", width: 0, height: 0, "aria-label": "relations between spans" })
  );
  layer.setAttribute("role", "group");
  const list = h("ul", { class: "nbl-relation-list", "aria-label": "relations", hidden: true });
  scroller.after(list);
  // room above each line for the arrows and their labels
  if (enabled) scroller.classList.add("nbl-with-relations");
  const picker = labelPicker(
    model,
    (i) => choose(names()[i]),
    () => shell.root.focus({ preventScroll: true }),
    { labels: "relations", specs: "relation_specs", noun: "relation" },
  );
  shell.root.append(picker.el);

  const tint = (/** @type {string} */ label) => colourOf(names(), label, specs());
  /** @param {string} id */
  const clipped = (id) => {
    const r = ctx.rows().get(id);
    return r ? clip(ctx.text().slice(r.start, r.end)) : null;
  };
  const spanText = (/** @type {string} */ id) => {
    const text = clipped(id);
    return text === null ? `(${id})` : `“${text}”`;
  };
  /** A span's text for the list and the info line, isolated from the text around it (bidi). */
  const spanNode = (/** @type {string} */ id) => {
    const text = clipped(id);
    return text === null ? `(${id})` : h("span", {}, "“", h("bdi", {}, text), "”");
  };
  /** @param {Row} r */
  const describe = (r) => `${spanText(r.from_id)} → ${r.label} → ${spanText(r.to_id)}`;

  const reset = () => {
    making = null;
    selected = null;
    retries = 0;
    drawn = "";
    schedule(); // the new document's layout comes in a frame or two
  };
  /** @param {string | null} id */
  const select = (id) => {
    making = null;
    selected = id;
    if (id) {
      ctx.clearSpan();
      const r = ctx.rows().get(id);
      if (r) shell.announce(`Relation ${describe(r)}`);
    }
    ctx.update();
  };

  const start = () => {
    const from = ctx.activeSpan();
    if (!from) {
      shell.announce("Select a span first (click it or Tab), then press r");
      return;
    }
    selected = null;
    making = { stage: "end", from: from.id, to: null };
    move(1);
  };
  /** @param {1 | -1} step */
  const move = (step) => {
    if (!making) return;
    const spans = ctx.spans().filter((m) => !m.suggestion);
    const next = nextEnd(spans, making.from, making.to, step);
    making = { stage: "end", from: making.from, to: next?.id ?? null };
    if (next) view.reveal({ start: next.start, end: next.end });
    shell.announce(next ? `Relation to ${spanText(next.id)}?` : "No other span to link to");
    ctx.update();
  };
  /** The second end is chosen: the label next (at once when there is one label). */
  const confirmEnd = () => {
    if (!making?.to) return;
    if (names().length === 1) {
      choose(names()[0]);
      return;
    }
    making = { stage: "label", from: making.from, to: making.to };
    shell.announce("Choose the relation's label: 1–9, or / to find it");
    ctx.update();
  };
  /** @param {string | undefined} label */
  const choose = (label) => {
    if (label === undefined) return;
    if (selected && !making) {
      relabel(label);
      return;
    }
    if (!making?.to) return;
    const { from, to } = making;
    making = null;
    const twin = relationsOf(ctx.rows()).find((r) => r.from_id === from && r.to_id === to && r.label === label);
    if (twin) {
      select(twin.id);
      shell.announce(`That relation is there already: ${describe(twin)}`);
      return;
    }
    const row = relationRow(label, from, to);
    ctx.edit({ upsert: [row], delete: [] });
    select(row.id);
  };
  /** @param {string} label */
  const relabel = (label) => {
    const r = selected ? ctx.rows().get(selected) : undefined;
    if (!r || r.label === label) return;
    ctx.edit({ upsert: [relationRow(label, r.from_id, r.to_id, r.id)], delete: [] });
    ctx.update();
  };
  const remove = () => {
    const r = selected ? ctx.rows().get(selected) : undefined;
    if (!r) return;
    ctx.edit({ upsert: [], delete: [r.id] });
    selected = null;
    shell.toast(`Removed the relation ${describe(r)}`);
    ctx.update();
  };
  /** @param {1 | -1} step */
  const cycleRelations = (step) => {
    const all = relationsOf(ctx.rows());
    if (all.length === 0) {
      shell.announce("No relations on this document");
      return;
    }
    const at = all.findIndex((r) => r.id === selected);
    const next = at < 0 ? (step > 0 ? all[0] : all[all.length - 1]) : all[(at + step + all.length) % all.length];
    const from = ctx.rows().get(next.from_id);
    if (from) view.reveal({ start: from.start, end: from.end });
    select(next.id);
  };

  /** The label a key names (1–9, or a relation's own hotkey), if any. @param {string} key */
  const labelOfKey = (key) => {
    if (/^[1-9]$/.test(key)) return names()[Number(key) - 1];
    const own = Object.entries(specs()).find(([, s]) => {
      const k = /** @type {{hotkey?: string}} */ (s).hotkey;
      return k && (/^[A-Z]$/.test(k) ? `Shift+${k}` : k) === key;
    });
    return own?.[0];
  };

  if (enabled) {
    // blocks far from view settle their height as they come near: the arrows follow
    let height = 0;
    shell.cleanup.listen(scroller, "scroll", () => {
      const moved = Math.abs(scroller.scrollTop - drawnTop) > NEAR / 2;
      if (scroller.scrollHeight === height && !moved) return;
      height = scroller.scrollHeight;
      schedule();
    });
    // one listener for every arrow: a press on one selects it (and is not a click on the text)
    layer.addEventListener("mousedown", (event) => {
      const g = /** @type {Element} */ (event.target).closest?.(".nbl-arrow");
      const id = g instanceof SVGElement ? g.dataset.id : undefined;
      if (!id) return;
      event.stopPropagation();
      event.preventDefault();
      select(id);
    });
    shell.cleanup.add(() => cancelAnimationFrame(frame));
    shell.keys.intercept((key) => {
      if (making?.stage === "end") {
        if (key === "Tab" || key === "ArrowRight" || key === "ArrowDown") move(1);
        else if (key === "Shift+Tab" || key === "ArrowLeft" || key === "ArrowUp") move(-1);
        else if (key === "Enter") confirmEnd();
        else if (key === "Escape" || key === "r") {
          making = null;
          shell.announce("No relation made");
          ctx.update();
        } else if (key === "/" && making.to) {
          making = { stage: "label", from: making.from, to: making.to };
          ctx.update();
          picker.open();
        } else if (making.to && labelOfKey(key)) choose(labelOfKey(key));
        else {
          making = null; // any other key leaves the relation unmade and does its own work
          return false;
        }
        return true;
      }
      if (making?.stage === "label") {
        if (key === "Escape") {
          making = { stage: "end", from: making.from, to: making.to };
          ctx.update();
        } else if (key === "/") picker.open();
        else if (labelOfKey(key)) choose(labelOfKey(key));
        else if (key !== "Enter") {
          making = null;
          return false;
        }
        return true;
      }
      if (selected) {
        if (key === "Delete" || key === "Backspace") remove();
        else if (key === "Escape") select(null);
        else if (key === "/") picker.open();
        else if (labelOfKey(key)) relabel(/** @type {string} */ (labelOfKey(key)));
        else {
          if (key !== "Shift+R") selected = null; // the key goes on to the spans
          return false;
        }
        return true;
      }
      return false;
    });
    shell.keys.bind(
      ["r"],
      [
        ["r", "relation from the selected span: Tab / arrows pick the second span, Enter; then 1–9 or / its label"],
        ["click a span", "while making a relation: take it as the second span"],
      ],
      () => start(),
    );
    shell.keys.bind(
      ["Shift+R"],
      ["Shift+r", "select the next relation (Delete removes it, 1–9 relabel it, Esc leaves it)"],
      () => cycleRelations(1),
    );
  }

  /**
   * A click while a relation is made: on spans while its second end is picked, the first
   * of them that can be it (true: the click is used); anywhere else, the relation is left.
   */
  const pick = (/** @type {Mark[]} */ found) => {
    if (making?.stage !== "end" || found.length === 0) {
      making = null;
      return false;
    }
    const from = making.from;
    const target = found.find((m) => !m.suggestion && m.id !== from);
    if (!target) return true; // a click on the first end itself: nothing
    making = { stage: "end", from, to: target.id };
    confirmEnd();
    ctx.update();
    return true;
  };

  // -- drawing --------------------------------------------------------------------------
  let frame = 0;
  let retries = 0;
  const schedule = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      draw(true);
    });
  };
  /** @param {string} id the first box of a span, in the scroller's content coordinates */
  const boxOf = (id, base = scroller.getBoundingClientRect()) => {
    const r = ctx.rows().get(id);
    if (r?.kind !== "span") return null;
    const rect = view.rangeRects(r.start, r.end)[0];
    if (!rect) return null;
    return {
      left: rect.left - base.left - scroller.clientLeft + scroller.scrollLeft,
      top: rect.top - base.top - scroller.clientTop + scroller.scrollTop,
      width: rect.width,
      height: rect.height,
    };
  };

  /** What the drawing shows: drawn again only when this changes (or the layout may have). */
  let drawn = "";
  /** the scroll position the arrows were drawn for (those near it are drawn) */
  let drawnTop = 0;
  /** @param {boolean} [force] draw even if nothing drawn changed (the layout did) */
  const draw = (force = false) => {
    if (!enabled) return;
    const rows = ctx.rows();
    if (selected && !rows.has(selected)) selected = null;
    if (making && (!rows.has(making.from) || (making.to && !rows.has(making.to)))) making = null;
    const all = relationsOf(rows);
    const at = (/** @type {string} */ id) => `${rows.get(id)?.start}-${rows.get(id)?.end}`;
    const state = JSON.stringify([
      all.map((r) => [r.id, r.label, r.from_id, at(r.from_id), r.to_id, at(r.to_id)]),
      selected,
      making,
      making?.to ? at(making.to) : null,
      ctx.text().length,
    ]);
    if (!force && state === drawn) return;
    drawn = state;
    // the list: the accessible text of every relation, each a button that selects it
    list.hidden = all.length === 0;
    replace(
      list,
      ...all.map((r) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: `nbl-relation${r.id === selected ? " nbl-on" : ""}`,
              "data-id": r.id,
              "aria-pressed": String(r.id === selected),
              style: `--nbl-rgb:${rgbTriplet(tint(r.label))}`,
              onclick: () => select(r.id === selected ? null : r.id),
            },
            spanNode(r.from_id),
            " → ",
            h("bdi", { class: "nbl-relation-label" }, r.label),
            " → ",
            spanNode(r.to_id),
          ),
        ),
      ),
    );
    // the arrows: every box read first (one layout), then the arrows built off the page and
    // put in at once; only those near the part of the document on screen
    if (layer.parentNode !== scroller) scroller.append(layer);
    layer.setAttribute("width", "0");
    layer.setAttribute("height", "0");
    const width = scroller.scrollWidth;
    const height = scroller.scrollHeight;
    layer.setAttribute("width", String(width));
    layer.setAttribute("height", String(height));
    const base = scroller.getBoundingClientRect();
    const top = scroller.scrollTop - NEAR;
    const bottom = scroller.scrollTop + scroller.clientHeight + NEAR;
    drawnTop = scroller.scrollTop;
    const boxes = all.map((r) => [boxOf(r.from_id, base), boxOf(r.to_id, base)]);
    const target = making?.to ? boxOf(making.to, base) : null;
    const out = document.createDocumentFragment();
    all.forEach((r, k) => {
      const [a, b] = boxes[k];
      if (!a || !b) {
        // an end not laid out yet (hidden, far off screen): the list still names it
        if (retries++ < 60) schedule();
        return;
      }
      if (Math.max(a.top, b.top) < top || Math.min(a.top, b.top) > bottom) return;
      const geo = arrowGeometry(a, b, 8 * (k % 4), TAG_HEIGHT);
      const colour = tint(r.label);
      const g = svg("g", {
        class: `nbl-arrow${r.id === selected ? " nbl-on" : ""}`,
        "data-id": r.id,
        role: "img",
        "aria-label": describe(r),
        style: `--nbl-rgb:${rgbTriplet(colour)}`,
      });
      const { x, y } = geo.to;
      const tag = svg("text", { x: geo.label.x, y: geo.label.y, class: "nbl-arrow-tag", stroke: colour });
      tag.textContent = r.label;
      g.append(
        svg("path", { d: geo.d, class: "nbl-arrow-hit" }),
        svg("path", { d: geo.d, class: "nbl-arrow-line", stroke: colour }),
        svg("path", {
          d: `M ${x - 4} ${y - 7} L ${x + 4} ${y - 7} L ${x} ${y} Z`,
          class: "nbl-arrow-head",
          fill: colour,
        }),
        tag,
      );
      out.append(g);
    });
    // the second end being picked
    if (target) {
      const b = target;
      out.append(
        svg("rect", {
          class: "nbl-rel-target",
          x: b.left - 2,
          y: b.top - 2,
          width: b.width + 4,
          height: b.height + 4,
        }),
      );
    }
    layer.replaceChildren(out);
  };

  /** What the info line says while a relation is made or selected (null: the spans' own). */
  const info = () => {
    if (!enabled) return null;
    const labelButtons = () =>
      names().map((label, i) =>
        h(
          "button",
          {
            type: "button",
            class: "nbl-button nbl-relation-choice",
            "data-label": label,
            style: `--nbl-rgb:${rgbTriplet(tint(label))}`,
            title: specs()[label]?.description ?? "",
            onclick: () => choose(label),
          },
          i < 9 ? h("kbd", {}, String(i + 1)) : null,
          ` ${label}`,
        ),
      );
    if (making?.stage === "end") {
      return [
        h("span", { class: "nbl-muted" }, "Relation from "),
        spanNode(making.from),
        making.to ? [" to ", spanNode(making.to)] : null,
        h(
          "span",
          { class: "nbl-muted" },
          making.to
            ? " · Enter or a click takes it · Tab / arrows another · Esc cancels"
            : " · click the second span, or Tab / arrows · Esc cancels",
        ),
      ].flat();
    }
    if (making?.stage === "label") {
      return [
        h("span", { class: "nbl-muted" }, "Relation "),
        spanNode(making.from),
        " → ",
        spanNode(making.to),
        h("span", { class: "nbl-muted" }, " · label: "),
        ...labelButtons(),
        h("span", { class: "nbl-muted" }, " · / to find · Esc back"),
      ];
    }
    const r = selected ? ctx.rows().get(selected) : undefined;
    if (r) {
      return [
        h("span", { class: "nbl-muted" }, "Relation "),
        spanNode(r.from_id),
        " → ",
        h("bdi", {}, r.label),
        " → ",
        spanNode(r.to_id),
        " ",
        ...labelButtons(),
        h(
          "button",
          { type: "button", class: "nbl-button nbl-delete", title: "Remove this relation (Delete)", onclick: remove },
          "Delete",
        ),
      ];
    }
    return null;
  };

  /** The button beside a selected span's info. */
  const startButton = () =>
    enabled
      ? h(
          "button",
          { type: "button", class: "nbl-button nbl-relate", title: "Link this span to another (r)", onclick: start },
          "→ Relation",
        )
      : null;

  return {
    draw,
    schedule,
    info,
    pick,
    reset,
    startButton,
    /** @returns {string | null} the selected relation's id */
    get selected() {
      return selected;
    },
    /** The person selected text or a span: a relation being made or selected is left. */
    leave() {
      selected = null;
      making = null;
    },
  };
}
