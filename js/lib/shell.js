// The page shell every widget view is built in: the session, the frame (header, label
// bar, navigation, help), one key registry, and one cleanup for everything the view adds.
//
// The keys every widget shares live here once, with their help rows: next and previous
// item, undo, redo, help, and the widget's "clear" when it has a key for it. A widget
// registers only its own keys (`shell.keys.bind`) and the help rows for them; binding a
// key twice, its own or a shared one, is an error when the view is built.
//
//   const shell = pageShell(model, el, {decode, noun: "document", clear: {...}, ...});
//   shell.keys.bind(["x"], ["x", "reject the selected suggestion"], () => ...);
//   ...
//   return shell.start(update);   // what anywidget's render returns: the view's cleanup

import { Cleanup } from "./cleanup.js";
import { captureKeys } from "./keys.js";
import { leaveSession, sessionFor } from "./session.js";
import { frame } from "./ui.js";

/**
 * @typedef {import("@anywidget/types").AnyModel} AnyModel
 * @typedef {import("./session.js").Session} Session
 * @typedef {import("./session.js").Suggestion} Suggestion
 * @typedef {import("./session.js").Decode} Decode
 * @typedef {import("./session.js").Release} Release
 * @typedef {import("./ui.js").HelpRow} HelpRow
 * @typedef {(event: KeyboardEvent, key: string) => boolean | void} Action
 *   returns false when it did not use the key (then the key passes on)
 * @typedef {(key: string, event: KeyboardEvent) => boolean | undefined} Intercept
 *   sees every key first; returns true when it used it
 */

/** How keys read in help rows and tooltips. */
const KEY_WORDS = /** @type {Record<string, string>} */ ({
  ArrowRight: "→",
  ArrowLeft: "←",
  ArrowUp: "↑",
  ArrowDown: "↓",
  Escape: "Esc",
  " ": "Space",
});

/** @param {string} key a key name (see keys.js keyName) @returns {string} as people read it */
export function keyWord(key) {
  return KEY_WORDS[key] ?? key;
}

/** One key map: key name -> action, with the help rows that describe them, in order. */
export class Keymap {
  constructor() {
    /** @type {Map<string, {action: Action, what: string}>} */
    this.bindings = new Map();
    /** @type {HelpRow[]} */
    this.rows = [];
    /** @type {Intercept[]} */
    this.intercepts = [];
  }

  /**
   * Bind `keys` (names as keys.js `keyName` gives them: "n", "Shift+Z", "Ctrl+z",
   * "ArrowRight") to `action`.
   * @param {string[]} keys
   * @param {HelpRow | HelpRow[] | string} help the help row(s) shown for these keys, or
   *   only a description when another row already tells of them
   * @param {Action} action
   * @throws {Error} when one of `keys` is already bound (naming both actions)
   */
  bind(keys, help, action) {
    const rows =
      typeof help === "string"
        ? []
        : typeof help[0] === "string"
          ? [/** @type {HelpRow} */ (help)]
          : /** @type {HelpRow[]} */ (help);
    const what = typeof help === "string" ? help : rows.map((r) => r[1]).join("; ");
    for (const key of keys) {
      const old = this.bindings.get(key);
      if (old) throw new Error(`nblabel keys: "${key}" is bound twice, to "${old.what}" and to "${what}"`);
    }
    for (const key of keys) this.bindings.set(key, { action, what });
    this.rows.push(...rows);
  }

  /**
   * A help row for what is not a key binding here (a mouse gesture, keys an intercept handles).
   * @param {...HelpRow} rows
   */
  note(...rows) {
    this.rows.push(...rows);
  }

  /**
   * Let `intercept` see every key before the bindings (a mode of the widget that takes
   * some keys while it lasts: a selected shape takes the arrows).
   * @param {Intercept} intercept
   */
  intercept(intercept) {
    this.intercepts.push(intercept);
  }

  /**
   * @param {string} key
   * @param {KeyboardEvent} event
   * @returns {boolean} whether the key was used
   */
  handle(key, event) {
    for (const intercept of this.intercepts) if (intercept(key, event)) return true;
    const binding = this.bindings.get(key);
    if (!binding) return false;
    return binding.action(event, key) !== false;
  }
}

/**
 * Build a widget view's shell in `el`.
 * @param {AnyModel} model
 * @param {HTMLElement} el
 * @param {{decode: Decode, release?: Release, noun?: string,
 *   next?: string[], previous?: string[],
 *   clear?: {action: () => void, title: string, keys?: string[], help?: HelpRow},
 *   onLabel: (index: number) => void, onAccept: (s: Suggestion) => void,
 *   onHistory?: () => void, hint?: string}} options
 *   `noun`: what an item is called ("item", "document"); `next`/`previous`: their keys
 *   (default n and p); `clear`: the Clear button's action, its tooltip and its keys;
 *   `onHistory`: runs after undo or redo.
 */
export function pageShell(model, el, options) {
  const cleanup = new Cleanup();
  const session = sessionFor(model, options.decode, options.release);
  cleanup.add(() => leaveSession(session));
  const noun = options.noun ?? "item";
  const next = options.next ?? ["n"];
  const previous = options.previous ?? ["p"];
  const or = (/** @type {string[]} */ keys) => keys.map(keyWord).join(" or ");
  const clear = options.clear ?? null;
  const ui = frame(session, {
    cleanup,
    onLabel: options.onLabel,
    onAccept: options.onAccept,
    onClear: () => clear?.action(),
    words: {
      hint: options.hint,
      next: `Next ${noun} (${or(next)})`,
      prev: `Previous ${noun} (${or(previous)})`,
      clear: clear
        ? `${clear.title[0].toUpperCase()}${clear.title.slice(1)}${clear.keys?.length ? ` (${or(clear.keys)})` : ""}`
        : undefined,
    },
  });
  const keys = new Keymap();
  const { root } = ui;
  el.append(root);
  cleanup.add(() => root.remove());

  /** Bind the shared keys (after the widget's own, so their help rows come last). */
  const bindShared = () => {
    if (clear?.keys?.length)
      keys.bind(clear.keys, clear.help ?? [clear.keys.map(keyWord).join(" / "), clear.title], () => clear.action());
    keys.bind(next, [next.map(keyWord).join(" / "), `next ${noun}`], () => session.goto(session.position + 1));
    keys.bind(previous, [previous.map(keyWord).join(" / "), `previous ${noun}`], () =>
      session.goto(session.position - 1),
    );
    keys.bind(["z", "Ctrl+z"], ["z / Ctrl+z", "undo"], () => {
      session.undo();
      options.onHistory?.();
    });
    keys.bind(["Shift+Z", "y", "Ctrl+y", "Ctrl+Shift+Z"], ["Shift+z / y / Ctrl+y", "redo"], () => {
      session.redo();
      options.onHistory?.();
    });
    keys.bind(["?"], ["?", "show or hide this help"], () => ui.help.toggle());
    keys.note(["Esc", "close this help"]);
  };

  return {
    model,
    session,
    ui,
    root,
    stage: ui.stage,
    keys,
    cleanup,
    /**
     * Finish the view: bind the shared keys, show the help, start listening to keys and
     * to the session, draw, and ask the kernel for the item.
     * @param {() => void} update draws the view from the session
     * @returns {() => void} the view's cleanup (what `render` returns to anywidget)
     */
    start(update) {
      bindShared();
      ui.help.setRows(keys.rows);
      cleanup.add(
        captureKeys(root, (key, event) => {
          if (ui.help.open) {
            if (key === "Escape" || key === "?") ui.help.toggle(false);
            return true;
          }
          return keys.handle(key, event);
        }),
      );
      cleanup.add(session.subscribe(update));
      update();
      session.start();
      return () => cleanup.run();
    },
  };
}
