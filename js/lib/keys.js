// Keyboard handling shared by the widgets: normalised key names and isolation
// from the host page's shortcuts (JupyterLab binds single keys in command mode).

/**
 * A key event as a short name: "1", "n", "ArrowRight", "Shift+Z", "Ctrl+z", "?".
 * Shift is named only for letters and named keys, since it already shaped
 * the character of symbols ("?" is Shift+/ on most layouts).
 * @param {KeyboardEvent} event
 * @returns {string}
 */
export function keyName(event) {
  const parts = [];
  if (event.ctrlKey || event.metaKey) parts.push("Ctrl");
  if (event.altKey) parts.push("Alt");
  let key = event.key;
  const isLetter = key.length === 1 && key.toLowerCase() !== key.toUpperCase();
  if (event.shiftKey && (isLetter || key.length > 1)) parts.push("Shift");
  if (isLetter) key = event.shiftKey ? key.toUpperCase() : key.toLowerCase();
  parts.push(key);
  return parts.join("+");
}

/**
 * Make `root` the keyboard target of a widget: focusable, and keys pressed
 * inside it never reach the host's shortcuts (JupyterLab's command mode, VS Code's
 * and Colab's key handlers, a page listening at the document).
 *
 * The widget takes its keys at `root` in the capture phase, before any element inside
 * it and before any handler a host put on an inner node; a key it uses is cancelled and
 * goes no further (Lumino also skips events already cancelled and those inside
 * `data-lm-suppress-shortcuts`). In the bubble phase, `root` stops every other single
 * key and every key typed in a text field, so no host listening at the document sees a
 * key meant for the widget. Tab and keys with Ctrl or Meta it does not use pass.
 * @param {HTMLElement} root
 * @param {(name: string, event: KeyboardEvent) => boolean} handle returns true if it used the key
 * @returns {() => void} removes the listeners
 */
export function captureKeys(root, handle) {
  root.tabIndex = 0;
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  /** @param {KeyboardEvent} event */
  const typing = (event) => {
    const target = /** @type {HTMLElement | null} */ (event.target);
    return !!target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  };
  // A part of the widget that handles some keys itself (a list moved through with the
  // arrows, say) carries data-nbl-keys="own": it hears them first, the widget the rest.
  /** @param {KeyboardEvent} event */
  const own = (event) => !!(/** @type {HTMLElement | null} */ (event.target)?.closest?.('[data-nbl-keys="own"]'));
  /** @param {KeyboardEvent} event */
  const onCapture = (event) => {
    if (typing(event) || event.isComposing || own(event)) return;
    if (handle(keyName(event), event)) {
      event.preventDefault();
      event.stopPropagation();
    }
  };
  /** @param {KeyboardEvent} event */
  const onBubble = (event) => {
    if (own(event) && !event.defaultPrevented && !event.isComposing && handle(keyName(event), event)) {
      event.preventDefault();
      event.stopPropagation();
    } else if (typing(event)) {
      event.stopPropagation();
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey) {
      // An unbound single key: keep it from reaching the notebook's shortcuts anyway.
      event.stopPropagation();
    }
  };
  root.addEventListener("keydown", onCapture, true);
  root.addEventListener("keydown", onBubble);
  return () => {
    root.removeEventListener("keydown", onCapture, true);
    root.removeEventListener("keydown", onBubble);
  };
}
