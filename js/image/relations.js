// Relations between regions on the image page (ImageAnnotator(relations=[...])):
//   - making one: a region selected, `l` (or the "→ Relation" button), then the second
//     region (Tab / arrows and Enter, or a click on it), then its label (1–9, a relation's
//     hotkey, `/`, or a button); stored as one edit;
//   - arrows between the regions' centres in an SVG over the canvas (CSS pixels: the same
//     at any zoom), each with its label tag and an aria-label naming both ends;
//   - a selected relation (Shift+L, a click on its tag): Delete removes it, 1–9 relabel
//     it, Esc leaves it.
// The DOM-free rules (centres, pick order, geometry) are in relate.js; deleting a region
// takes its relations with it in the same edit (stage.js `commit`, withRelations).

import "./relations.css";
import { h, replace } from "../lib/dom.js";
import { colourOf } from "../lib/palette.js";
import { labelPicker } from "../lib/ui.js";
import { hitShape } from "./editor.js";
import {
  arrowLine,
  centreOf,
  lanes,
  nextRegion,
  RELATION_ENDS,
  regionBounds,
  relationRow,
  shownRelations,
} from "./relate.js";

/**
 * @typedef {import("../lib/session.js").Row} Row
 * @typedef {import("../lib/session.js").Change} Change
 * @typedef {{stage: "end", from: string, to: string | null} | {stage: "label", from: string, to: string}} Making
 */

const SVG = "http://www.w3.org/2000/svg";
/** Keys that change only the view (zoom, fit, hide, opacity, pan): a selected relation stays. */
const VIEW_KEYS = new Set(["+", "=", "-", "f", "h", "o", " "]);

/**
 * @param {string} tag @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
function svg(tag, attrs = {}) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Help rows for the relation keys. @type {import("../lib/ui.js").HelpRow[]} */
export const RELATION_HELP = [
  [
    "l",
    "relation from the selected region: Tab / arrows pick the second region, Enter (or click it); then 1–9 or / its label",
  ],
  ["Shift+l", "select the next relation (Delete removes it, 1–9 relabel it, Esc leaves it); or click its tag"],
];

/**
 * The relation part of the image stage; inert when the widget has no relations.
 * @param {{
 *   session: import("../lib/session.js").Session,
 *   root: HTMLElement,
 *   stage: HTMLElement,
 *   wrap: HTMLElement,
 *   editor: import("./editor.js").Editor,
 *   regions: () => Row[],
 *   screen: (x: number, y: number) => [number, number],
 *   hidden: () => boolean,
 *   commit: (change: Change) => void,
 * }} ctx
 */
export function regionRelations(ctx) {
  const { session, root, editor } = ctx;
  const model = session.model;
  /** @type {() => string[]} */
  const names = () => model.get("relations") ?? [];
  const specs = () => model.get("relation_specs") ?? {};
  const enabled = names().length > 0;
  /** @type {Making | null} */
  let making = null;
  /** @type {string | null} */
  let selected = null;

  const layer = /** @type {SVGSVGElement} */ (svg("svg", { class: "nbl-relations", "aria-label": "relations" }));
  layer.setAttribute("role", "list");
  // always there (empty when idle), so the stage below never moves as it fills
  const status = h("div", { class: "nbl-relation-status", "aria-live": "polite" });
  const picker = labelPicker(
    model,
    (i) => choose(names()[i]),
    () => root.focus({ preventScroll: true }),
    { labels: "relations", specs: "relation_specs", noun: "relation" },
  );
  if (enabled) {
    ctx.wrap.append(layer);
    ctx.stage.before(status);
    root.append(picker.el);
    // a press on a tag selects its relation (and is not a press on the image)
    layer.addEventListener("pointerdown", (event) => {
      const g = /** @type {Element} */ (event.target).closest?.(".nbl-rel");
      const id = g instanceof SVGElement ? g.dataset.id : undefined;
      if (!id) return;
      event.stopPropagation();
      event.preventDefault();
      root.focus({ preventScroll: true });
      select(id === selected ? null : id);
    });
  }

  const rows = () => session.current?.rows ?? new Map();
  const tint = (/** @type {string} */ label) => colourOf(names(), label, specs());
  /** A region as the page names it: its kind and label. @param {string} id */
  const nameOf = (id) => {
    const r = rows().get(id);
    return r ? `${r.kind} ${r.label}` : `(${id})`;
  };
  /** @param {Row} r */
  const describe = (r) => `${nameOf(r.from_id)} → ${r.label} → ${nameOf(r.to_id)}`;
  /** @param {string} text */
  const say = (text) => {
    state = text;
    refresh();
  };
  let state = "";

  const refresh = () => {
    if (!enabled) return;
    root.dataset.relation = selected ?? "";
    root.dataset.relating = making ? `${making.stage}:${making.from}:${making.to ?? ""}` : "";
    const buttons = () =>
      names().map((label, i) =>
        h(
          "button",
          {
            type: "button",
            class: "nbl-button nbl-relation-choice",
            "data-label": label,
            title: specs()[label]?.description ?? "",
            onclick: () => choose(label),
          },
          i < 9 ? h("kbd", {}, String(i + 1)) : null,
          ` ${label}`,
        ),
      );
    const rel = selected ? rows().get(selected) : undefined;
    const sel = editor.selection;
    const canStart = !making && !rel && sel && !sel.suggestion && RELATION_ENDS.has(sel.row.kind);
    replace(
      status,
      ...(making?.stage === "label" || rel ? buttons() : []),
      rel
        ? h(
            "button",
            { type: "button", class: "nbl-button nbl-delete", title: "Remove this relation (Delete)", onclick: remove },
            "Delete",
          )
        : null,
      canStart
        ? h(
            "button",
            {
              type: "button",
              class: "nbl-button nbl-relate",
              title: "Link this region to another (l)",
              onclick: start,
            },
            "→ Relation",
          )
        : null,
      h("span", { class: "nbl-muted" }, ` ${state}`),
    );
  };

  /** @param {string | null} id */
  const select = (id) => {
    making = null;
    selected = id;
    const r = id ? rows().get(id) : undefined;
    if (r) editor.selected = null;
    say(r ? `Relation ${describe(r)}` : "");
    draw();
  };
  const start = () => {
    const sel = editor.selection;
    if (!sel || sel.suggestion || !RELATION_ENDS.has(sel.row.kind)) {
      say("Select a region first (click it with the select tool, v), then press l");
      return;
    }
    selected = null;
    making = { stage: "end", from: sel.row.id, to: null };
    move(1);
  };
  /** @param {1 | -1} step */
  const move = (step) => {
    if (!making) return;
    const next = nextRegion(ctx.regions(), making.from, making.to, step);
    making = { stage: "end", from: making.from, to: next?.id ?? null };
    say(
      next
        ? `Relation from ${nameOf(making.from)} to ${nameOf(next.id)}? Enter or a click takes it · Tab / arrows another · Esc cancels`
        : "No other region to link to · Esc cancels",
    );
    draw();
  };
  const confirmEnd = () => {
    if (!making?.to) return;
    if (names().length === 1) {
      choose(names()[0]);
      return;
    }
    making = { stage: "label", from: making.from, to: making.to };
    say(`Relation ${nameOf(making.from)} → ${nameOf(making.to)}: its label? 1–9, or / to find it · Esc back`);
    draw();
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
    const twin = [...rows().values()].find(
      (r) => r.kind === "relation" && r.from_id === from && r.to_id === to && r.label === label,
    );
    if (twin) {
      select(twin.id);
      say(`That relation is there already: ${describe(twin)}`);
      return;
    }
    const row = relationRow(label, from, to);
    ctx.commit({ upsert: [row], delete: [] });
    select(row.id);
  };
  /** @param {string} label */
  const relabel = (label) => {
    const r = selected ? rows().get(selected) : undefined;
    if (!r || r.label === label) return;
    ctx.commit({ upsert: [relationRow(label, r.from_id, r.to_id, r.id)], delete: [] });
    say(`Relation ${describe({ ...r, label })}`);
    draw();
  };
  const remove = () => {
    const r = selected ? rows().get(selected) : undefined;
    if (!r) return;
    selected = null;
    ctx.commit({ upsert: [], delete: [r.id] });
    say(`Removed the relation ${describe(r)}`);
    draw();
  };
  /** @param {1 | -1} step */
  const cycle = (step) => {
    const all = shownRelations(rows().values(), ctx.regions());
    if (all.length === 0) {
      say("No relations on this image");
      return;
    }
    const at = all.findIndex((r) => r.id === selected);
    select((at < 0 ? all[step > 0 ? 0 : all.length - 1] : all[(at + step + all.length) % all.length]).id);
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
  const cancel = () => {
    making = null;
    say("No relation made");
    draw();
  };

  /**
   * A key, before the stage's own (true: used).
   * @param {string} key
   */
  const key = (key) => {
    if (!enabled) return false;
    if (making?.stage === "end") {
      if (key === "Tab" || key === "ArrowRight" || key === "ArrowDown") move(1);
      else if (key === "Shift+Tab" || key === "ArrowLeft" || key === "ArrowUp") move(-1);
      else if (key === "Enter") confirmEnd();
      else if (key === "Escape" || key === "l") cancel();
      else if (key === "/" && making.to) {
        making = { stage: "label", from: making.from, to: making.to };
        picker.open();
      } else if (making.to && labelOfKey(key)) choose(labelOfKey(key));
      else {
        making = null; // any other key leaves the relation unmade and does its own work
        say("");
        return false;
      }
      return true;
    }
    if (making?.stage === "label") {
      if (key === "Escape") {
        const { from, to } = making;
        making = { stage: "end", from, to };
        say(`Relation from ${nameOf(from)} to ${nameOf(to)}? Enter takes it · Tab / arrows another`);
        draw();
      } else if (key === "/") picker.open();
      else if (labelOfKey(key)) choose(labelOfKey(key));
      else if (key !== "Enter") {
        making = null;
        say("");
        return false;
      }
      return true;
    }
    if (selected) {
      if (key === "Delete" || key === "Backspace") remove();
      else if (key === "Escape") select(null);
      else if (key === "/") picker.open();
      else if (key === "Shift+L") cycle(1);
      else if (labelOfKey(key)) relabel(/** @type {string} */ (labelOfKey(key)));
      else {
        if (!VIEW_KEYS.has(key)) select(null); // the key goes on to the regions
        return false;
      }
      return true;
    }
    if (key === "l") {
      start();
      return true;
    }
    if (key === "Shift+L") {
      cycle(1);
      return true;
    }
    return false;
  };

  /**
   * A press on the image at `p` (image pixels): while the second end is picked, the region
   * there becomes it (true: the press is used); otherwise a selected relation is left.
   * @param {[number, number]} p @param {number} tol
   */
  const pick = (p, tol) => {
    if (!enabled) return false;
    if (making?.stage !== "end") {
      if (making || selected) {
        making = null;
        selected = null;
        say("");
      }
      return false;
    }
    const from = making.from;
    const target = [...ctx.regions()].reverse().find((r) => RELATION_ENDS.has(r.kind) && hitShape(r, p, tol));
    if (!target) {
      cancel();
      return true;
    }
    if (target.id === from) return true; // a press on the first end itself: nothing
    making = { stage: "end", from, to: target.id };
    confirmEnd();
    draw();
    return true;
  };

  // -- drawing ------------------------------------------------------------------------------
  let drawn = "";
  /** Redraw the arrows when what they show changed (called every frame by stage.js). */
  const draw = () => {
    if (!enabled) return;
    const all = rows();
    if (selected && !all.has(selected)) selected = null;
    if (making && (!all.has(making.from) || (making.to && !all.has(making.to)))) making = null;
    const regions = ctx.hidden() ? [] : ctx.regions();
    const shown = shownRelations(all.values(), regions);
    const byId = new Map(regions.map((r) => [r.id, r]));
    /** @param {string} id @returns {[number, number] | null} */
    const at = (id) => {
      const r = byId.get(id);
      const c = r ? centreOf(r) : null;
      return c ? ctx.screen(c[0], c[1]) : null;
    };
    const target = making?.to ? byId.get(making.to) : undefined;
    const box = target ? regionBounds(target) : null;
    const corners = box ? [ctx.screen(box.x, box.y), ctx.screen(box.x + box.w, box.y + box.h)] : null;
    const ends = shown.map((r) => [at(r.from_id), at(r.to_id)]);
    const key = JSON.stringify([shown.map((r) => [r.id, r.label, r.from_id, r.to_id]), ends, selected, corners]);
    if (key === drawn) return;
    drawn = key;
    const out = document.createDocumentFragment();
    const lane = lanes(shown);
    shown.forEach((r, k) => {
      const [a, b] = ends[k];
      if (!a || !b) return;
      const geo = arrowLine(a, b, lane[k]);
      const colour = tint(r.label);
      const g = svg("g", {
        class: `nbl-rel${r.id === selected ? " nbl-on" : ""}`,
        "data-id": r.id,
        "data-label": r.label,
        role: "listitem",
        "aria-label": `relation ${describe(r)}`,
      });
      const tag = svg("text", { x: geo.label.x, y: geo.label.y, class: "nbl-rel-tag", stroke: "#fff" });
      tag.setAttribute("fill", colour);
      tag.textContent = r.label;
      g.append(
        svg("line", { x1: geo.x1, y1: geo.y1, x2: geo.x2, y2: geo.y2, class: "nbl-rel-line", stroke: colour }),
        svg("path", { d: geo.head, class: "nbl-rel-head", fill: colour }),
        tag,
      );
      out.append(g);
    });
    if (corners) {
      const [[x1, y1], [x2, y2]] = corners;
      out.append(
        svg("rect", {
          class: "nbl-rel-target",
          x: x1 - 4,
          y: y1 - 4,
          width: x2 - x1 + 8,
          height: y2 - y1 + 8,
        }),
      );
    }
    layer.replaceChildren(out);
  };

  /** A new item: nothing made or selected. */
  const reset = () => {
    making = null;
    selected = null;
    state = "";
    drawn = "";
  };

  return {
    key,
    pick,
    draw,
    reset,
    refresh,
    /** @returns {string | null} the selected relation's id */
    get selected() {
      return selected;
    },
  };
}
