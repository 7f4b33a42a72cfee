// The review view (review=True in Python): every annotator's version of the item, coloured
// and named by annotator, and one key to accept a version.
//
// The kernel sends a reviewer's item with `team` (see widgets/_base.py):
// {annotators: [name, ...], rows: {name: [row, ...]}, gold_accuracy?: {name: share}}.
// This module draws the legend (each annotator's colour, name, gold accuracy and
// annotations as text, so the accessible DOM reads them) and binds Shift+a then 1–9
// ("accept annotator k's version"). An accept is built in the page as one ordinary edit
// (js/lib/merge.js), so `z` undoes it; so is a take (a merge): each annotation in the
// legend has a Take button, and Enter or t on the focused line takes it. Each widget
// draws the annotators' shapes, spans or segments in its own view from `members()`;
// nothing is shown unless the model is a reviewer's (the `review` trait) and the item
// carries a team.
//
//   const review = reviewPanel(shell, {describe: (row) => ...});   // before the widget's intercepts
//   review.members()   // [{name, colour, rgb, index, rows, accuracy}] of the item shown, or []
//   review.take(member, row)   // copy one annotation into the reviewer's rows (a click on it)

import { h, replace } from "./dom.js";
import { acceptChange, takeChange } from "./merge.js";
import { rgbTriplet } from "./palette.js";

/**
 * @typedef {import("./session.js").Session} Session
 * @typedef {import("./session.js").Row} Row
 * @typedef {{annotators: string[], rows: Record<string, Row[]>, gold_accuracy?: Record<string, number>}} Team
 * @typedef {{name: string, index: number, colour: string, rgb: string, rows: Row[], accuracy: number | null}} Member
 *   one annotator's version of the item: `index` 0-based, as the legend numbers them from 1
 */

/** Annotators' colours: far from each other, and drawn dashed so they are not read as labels. */
export const ANNOTATOR_COLOURS = Object.freeze([
  "#d62728",
  "#1f77b4",
  "#2ca02c",
  "#9467bd",
  "#ff7f0e",
  "#17becf",
  "#e377c2",
  "#8c564b",
  "#7f7f7f",
]);

/** How many annotators the keys reach (1–9). */
const KEYED = 9;

/**
 * The team of the item shown, when this page is a reviewer's; else null.
 * @param {Session} session
 * @returns {Team | null}
 */
export function teamOf(session) {
  if (!session.model.get("review")) return null;
  const team = /** @type {any} */ (session.current)?.team;
  return team && Array.isArray(team.annotators) ? /** @type {Team} */ (team) : null;
}

/**
 * Every annotator's version of the item shown (empty for an annotator's page).
 * @param {Session} session
 * @returns {Member[]}
 */
export function membersOf(session) {
  const team = teamOf(session);
  if (!team) return [];
  return team.annotators.map((name, index) => {
    const colour = ANNOTATOR_COLOURS[index % ANNOTATOR_COLOURS.length];
    const accuracy = team.gold_accuracy?.[name];
    return {
      name,
      index,
      colour,
      rgb: rgbTriplet(colour),
      rows: team.rows[name] ?? [],
      accuracy: typeof accuracy === "number" ? accuracy : null,
    };
  });
}

/**
 * Make `name`'s version of the item shown the reviewer's, as one edit of the page (undone
 * by `z`): the reviewer's rows of the item deleted, copies of the annotator's upserted.
 * @param {Session} session
 * @param {string} name
 * @returns {boolean} false when there is no such annotator on the item
 */
export function acceptInPage(session, name) {
  const entry = session.current;
  const team = teamOf(session);
  if (!(entry && team?.annotators.includes(name))) return false;
  session.edit(acceptChange(entry.rows.values(), team.rows[name] ?? []));
  return true;
}

/**
 * Copy one annotation of an annotator's into the reviewer's rows, as one edit of the page.
 * @param {Session} session
 * @param {Member} member whose annotation it is
 * @param {Row} row the annotation
 * @returns {string} what the status line says
 */
export function takeAnnotation(session, member, row) {
  const entry = session.current;
  if (!entry) return "";
  const what = describeRow(row);
  const result = takeChange(entry.rows.values(), row, member.rows);
  if ("skipped" in result)
    return `not taken: you already have ${describeRow(result.skipped)} there (edit yours instead)`;
  session.edit(result.change);
  return `took ${member.name}'s ${what}`;
}

/**
 * Send the kernel's `accept` message (kept for pages and callers that use it; the review
 * panel builds an accept in the page instead, see `acceptInPage`): the kernel stores `name`'s version of the item shown as the reviewer's
 * (source "review"), answers "saved" (or "rejected"), then sends the item again.
 * @param {Session} session
 * @param {string} name
 */
export function acceptVersion(session, name) {
  const entry = session.current;
  if (!entry) return;
  const seq = ++session.seq;
  session.pending.set(seq, entry.item.id);
  session.error = null;
  session.model.send({
    type: "accept",
    seq,
    item_id: entry.item.id,
    annotator: name,
    elapsed: (performance.now() - session.shownAt) / 1000,
  });
  session.notify();
}

/** @param {number} n */
const fixed = (n) => (Number.isFinite(n) ? String(Math.round(n * 100) / 100) : "?");

/**
 * An annotation as a line of text (what the legend lists under each annotator).
 * @param {Row} row
 * @returns {string}
 */
export function describeRow(row) {
  const text = typeof row.text === "string" && row.text ? ` “${row.text}”` : "";
  switch (row.kind) {
    case "label":
      return `label ${row.label}`;
    case "box":
      return `box ${row.label} at ${fixed(row.x)}, ${fixed(row.y)} size ${fixed(row.width)} × ${fixed(row.height)}`;
    case "polygon":
      return `polygon ${row.label} (${Array.isArray(row.points) ? row.points.length : 0} points)`;
    case "point":
      return `point ${row.label} at ${fixed(row.x)}, ${fixed(row.y)}`;
    case "mask":
      return `mask ${row.label}`;
    case "span":
      return `span ${row.label}${text} (${row.start}–${row.end})`;
    case "segment":
      return `segment ${row.label} ${fixed(row.start)}–${fixed(row.end)} s${text}`;
    case "skip":
      return `skipped${text}`;
    case "comment":
      return `comment${text}`;
    default:
      return `${row.kind} ${row.label ?? ""}`.trim();
  }
}

/**
 * The review panel of a widget's page: the legend, the accept buttons and keys.
 * Make it right after `pageShell`, before the widget's own key intercepts, so that the
 * digit after Shift+a reaches it first.
 * @param {ReturnType<typeof import("./shell.js").pageShell>} shell
 * @param {{describe?: (row: Row) => string, noun?: string, onEdit?: () => void}} [hooks]
 *   `describe`: a row as text (default `describeRow`); `noun`: what an item is called;
 *   `onEdit`: called before an accept or a take changes the reviewer's rows
 * @returns {{el: HTMLElement, members: () => Member[], update: () => void,
 *   take: (member: Member, row: Row) => void}}
 */
export function reviewPanel(shell, hooks = {}) {
  const { session, keys, announce } = shell;
  const model = session.model;
  const describe = hooks.describe ?? describeRow;
  const noun = hooks.noun ?? "item";
  const list = h("ol", { class: "nbl-team-list" });
  const title = h("div", { class: "nbl-team-title" });
  const el = h("section", { class: "nbl-team", "aria-label": "annotators' versions", hidden: true }, title, list);
  shell.stage.before(el);
  shell.cleanup.add(() => el.remove());

  let choosing = false;
  /** @param {number} index */
  const accept = (index) => {
    const member = membersOf(session)[index];
    if (!member) {
      announce(`no annotator ${index + 1} on this ${noun}`);
      return;
    }
    hooks.onEdit?.();
    acceptInPage(session, member.name);
    announce(`accepted ${member.name}'s version`);
  };
  /** @param {Member} member @param {Row} row */
  const take = (member, row) => {
    hooks.onEdit?.();
    announce(takeAnnotation(session, member, row));
  };
  /**
   * A line of the legend: one annotation, focusable; Enter or t takes it, ↑/↓ move.
   * @param {Member} m
   * @param {Row} r
   */
  const rowItem = (m, r) => {
    const text = describe(r);
    const li = h(
      "li",
      {
        class: "nbl-team-row",
        tabindex: "0",
        "data-kind": r.kind,
        "data-label": r.label ?? "",
        title: `Enter or t: take ${m.name}'s ${text}`,
        onkeydown: (/** @type {Event} */ e) => {
          const event = /** @type {KeyboardEvent} */ (e);
          const key = event.key;
          if (event.ctrlKey || event.metaKey || event.altKey) return;
          if (key === "Enter" || key === "t") take(m, r);
          else if (key === "ArrowDown" || key === "ArrowUp") {
            const all = [...el.querySelectorAll(".nbl-team-row[tabindex]")];
            const next = all[all.indexOf(li) + (key === "ArrowDown" ? 1 : -1)];
            if (next instanceof HTMLElement) next.focus();
          } else return;
          event.preventDefault();
          event.stopPropagation();
        },
      },
      h("span", { class: "nbl-team-row-text" }, text),
      " ",
      h(
        "button",
        {
          type: "button",
          class: "nbl-button nbl-team-take",
          tabindex: "-1",
          title: `Take ${m.name}'s ${text} into your rows (Enter or t on the line)`,
          onclick: () => take(m, r),
        },
        "Take",
      ),
    );
    return li;
  };
  // The keys are a reviewer's only (the trait is set when the widget is made): an
  // annotator's help does not list them, and Shift+a stays free there.
  if (model.get("review")) {
    keys.note(["Take / Enter / t", "review: take one annotation of the legend (focused line) into yours"]);
    keys.bind(
      ["Shift+A"],
      ["Shift+a then 1 – 9", `review: accept annotator k's version of this ${noun} (numbered in the legend)`],
      () => {
        choosing = true;
        announce("Accept whose version? 1 – 9 (Esc cancels)");
      },
    );
  }
  keys.intercept((key, event) => {
    if (!choosing) return false;
    choosing = false;
    const digit = /^[1-9]$/.test(key) ? key : /^Digit([1-9])$/.exec(event.code)?.[1];
    if (digit && !event.ctrlKey && !event.metaKey && !event.altKey) {
      accept(Number(digit) - 1);
      return true;
    }
    announce("");
    return key === "Escape"; // another key does what it does
  });

  const update = () => {
    const members = membersOf(session);
    el.hidden = members.length === 0;
    if (el.hidden) {
      replace(list);
      return;
    }
    replace(
      title,
      `Review · ${members.length} annotator${members.length === 1 ? "" : "s"} · your edits are stored as the review`,
    );
    replace(
      list,
      ...members.map((m) =>
        h(
          "li",
          { class: "nbl-team-member", "data-annotator": m.name, style: `--nbl-rgb: ${m.rgb}` },
          h("span", { class: "nbl-swatch", "aria-hidden": "true" }),
          m.index < KEYED ? h("kbd", { title: `Shift+a then ${m.index + 1}` }, String(m.index + 1)) : null,
          h("span", { class: "nbl-team-name" }, m.name),
          m.accuracy === null
            ? null
            : h(
                "span",
                { class: "nbl-team-gold", title: "accuracy on gold items" },
                `gold ${Math.round(m.accuracy * 100)}%`,
              ),
          h(
            "button",
            {
              type: "button",
              class: "nbl-button nbl-team-accept",
              title: `Accept ${m.name}'s version${m.index < KEYED ? ` (Shift+a then ${m.index + 1})` : ""}`,
              onclick: () => accept(m.index),
            },
            "Accept",
          ),
          h(
            "ul",
            { class: "nbl-team-rows", "data-nbl-keys": "own" },
            ...(m.rows.length ? m.rows.map((r) => rowItem(m, r)) : [h("li", { class: "nbl-muted" }, "nothing")]),
          ),
        ),
      ),
    );
  };
  shell.cleanup.add(session.subscribe(update));
  return { el, members: () => membersOf(session), update, take };
}
