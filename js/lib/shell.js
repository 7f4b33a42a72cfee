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
 *   onHistory?: () => void, hint?: string, notes?: boolean}} options
 *   `noun`: what an item is called ("item", "document"); `next`/`previous`: their keys
 *   (default n and p); `clear`: the Clear button's action, its tooltip and its keys;
 *   `onHistory`: runs after undo or redo; `notes`: false for a widget that takes no
 *   skips and comments (then `k` and `c` are its own).
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

  /** Next item; past the last one, the end of the queue says how far the annotator is. */
  const nextItem = () => {
    if (session.position >= model.get("n_items") - 1) session.gotoUnlabeled(1, { wrap: false });
    else session.goto(session.position + 1);
  };

  /** Bind the shared keys (after the widget's own, so their help rows come last). */
  const bindShared = () => {
    // the labels' own hotkeys (labels={"cat": {"hotkey": "q"}} in Python), and their descriptions
    /** @type {string[]} */
    const labelNames = model.get("labels");
    /** @type {Record<string, import("./ui.js").LabelSpec>} */
    const specs = model.get("label_specs") ?? {};
    labelNames.forEach((label, i) => {
      const spec = specs[label];
      if (spec?.hotkey) {
        const row = /** @type {HelpRow} */ ([
          spec.hotkey,
          `label "${label}"${spec.description ? `: ${spec.description}` : ""}`,
        ]);
        const key = /^[A-Z]$/.test(spec.hotkey) ? `Shift+${spec.hotkey}` : spec.hotkey; // as keyName names it
        keys.bind([key], row, () => options.onLabel(i));
      } else if (spec?.description) {
        keys.note([i < 9 ? String(i + 1) : "/", `label "${label}": ${spec.description}`]);
      }
    });
    keys.bind(["/"], ["/", "find a label by typing a few letters (Enter chooses)"], () => ui.picker.open());
    keys.bind(["u"], ["u", `next ${noun} not labeled yet (after the last, from the first)`], () =>
      session.gotoUnlabeled(1),
    );
    keys.bind(["Shift+U"], ["Shift+u", `previous ${noun} not labeled yet`], () => session.gotoUnlabeled(-1));
    if (options.notes !== false) {
      keys.bind(["k"], ["k", `skip this ${noun} (with an optional reason; Enter confirms)`], () => ui.skip.open());
      keys.bind(["c"], ["c", `write a comment on this ${noun} (Enter saves, Esc leaves)`], () => ui.comment.focus());
    }
    if (clear?.keys?.length)
      keys.bind(clear.keys, clear.help ?? [clear.keys.map(keyWord).join(" / "), clear.title], () => clear.action());
    keys.bind(next, [next.map(keyWord).join(" / "), `next ${noun}`], () => nextItem());
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

  // Keys pressed while the item is loading wait for it and apply to it once it is drawn,
  // in the order pressed: a key is never dropped and never lands on another item. A key
  // after a waiting "next" waits for the next item in turn. When the item changes by
  // other means (a click on Next), or too many keys wait, the waiting keys are refused
  // and the status line says so.
  /** @type {{key: string, event: KeyboardEvent}[]} */
  const waiting = [];
  let waitingFor = -1;
  /** the keys began to wait while the page asked the kernel where to go (see gotoUnlabeled) */
  let waitingSeek = false;
  let draining = false;
  const ready = () => {
    const entry = session.current;
    return Boolean(!session.seeking && entry && !entry.loading && (entry.media !== null || entry.item.error));
  };
  /** @param {string} why */
  const refuse = (why) => {
    const n = waiting.length;
    waiting.length = 0;
    ui.announce(`${n === 1 ? "1 key" : `${n} keys`} not used: ${why}`);
  };
  const drain = () => {
    if (draining || waiting.length === 0) return;
    if (waitingSeek && !session.seeking) {
      waitingSeek = false;
      if (session.queueEnd) {
        refuse(`no ${noun} is left to label`);
        return;
      }
      waitingFor = session.position;
    }
    if (session.position !== waitingFor) {
      refuse(`the ${noun} changed before it arrived`);
      return;
    }
    if (!ready()) return;
    draining = true;
    try {
      while (waiting.length > 0 && ready()) {
        const { key, event } = /** @type {{key: string, event: KeyboardEvent}} */ (waiting.shift());
        keys.handle(key, event);
      }
    } finally {
      draining = false;
    }
    waitingFor = session.position;
    waitingSeek = session.seeking;
    ui.announce(waiting.length ? `Loading… ${waiting.length} key(s) wait for this ${noun}` : "");
  };
  /** More keys than this waiting means the page is far behind: the key is refused (and said). */
  const MAX_WAITING = 2000;
  /** Keys that never wait: modifiers alone, Tab (focus), the help. */
  const NEVER_WAIT = new Set(["Shift", "Control", "Alt", "Meta", "CapsLock", "Tab", "?", "Escape"]);
  /**
   * @param {string} key @param {KeyboardEvent} event
   * @returns {boolean | undefined} true when the key waits (or was refused) for the item
   */
  const wait = (key, event) => {
    if (NEVER_WAIT.has(event.key) || (waiting.length === 0 && ready())) return undefined;
    if (!keys.bindings.has(key) && keys.intercepts.length === 0) return undefined;
    if (waiting.length === 0) {
      waitingFor = session.position;
      waitingSeek = session.seeking;
    }
    if (waiting.length >= MAX_WAITING) {
      refuse("too many keys wait for the item to load");
      return true;
    }
    waiting.push({ key, event });
    ui.announce(`Loading… ${waiting.length} key(s) wait for this ${noun}`);
    return true;
  };

  return {
    model,
    session,
    ui,
    root,
    stage: ui.stage,
    keys,
    /** @param {string} message shown with an Undo button (after a destructive edit) */
    toast: (message) => ui.toast(message),
    /** @param {string} message said in the status line (an ARIA live region) */
    announce: (message) => ui.announce(message),
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
          if (key === "Escape" && session.queueEnd) {
            ui.closeEnd();
            return true;
          }
          if (wait(key, event)) return true;
          return keys.handle(key, event);
        }),
      );
      cleanup.add(session.subscribe(update));
      cleanup.add(session.subscribe(drain));
      update();
      session.start();
      return () => cleanup.run();
    },
  };
}
