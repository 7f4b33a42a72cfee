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
 * inside it never reach JupyterLab's command shortcuts (Lumino skips events
 * inside `data-lm-suppress-shortcuts` and events already cancelled).
 * Handled keys are cancelled; others (Tab, keys in text fields) pass.
 * @param {HTMLElement} root
 * @param {(name: string, event: KeyboardEvent) => boolean} handle returns true if it used the key
 * @returns {() => void} removes the listener
 */
export function captureKeys(root, handle) {
  root.tabIndex = 0;
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  /** @param {KeyboardEvent} event */
  const onKey = (event) => {
    const target = /** @type {HTMLElement | null} */ (event.target);
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      event.stopPropagation();
      return;
    }
    if (event.isComposing) return;
    if (handle(keyName(event), event)) {
      event.preventDefault();
      event.stopPropagation();
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey) {
      // An unbound single key: keep it from reaching the notebook's shortcuts anyway.
      event.stopPropagation();
    }
  };
  root.addEventListener("keydown", onKey);
  return () => root.removeEventListener("keydown", onKey);
}
