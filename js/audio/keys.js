// The audio widget's own keys, registered in the page shell's key map (js/lib/shell.js),
// which adds the shared ones (n/p, undo, redo, help) after them.

/**
 * @typedef {import("./view.js").AudioView} AudioView
 * @typedef {import("../lib/shell.js").Keymap} Keymap
 */

/**
 * @param {Keymap} keys
 * @param {AudioView} v
 * @param {{transcript: HTMLInputElement, acceptBestLabel: () => void}} parts
 *   the transcript box (Enter edits it) and what "a" does when no segment is suggested
 */
export function bindAudioKeys(keys, v, parts) {
  keys.intercept((_key, event) => {
    // Shift+digit by its physical key: "Shift+1" is "!" on one layout and "1" on another.
    if (!event.shiftKey || !/^Digit[1-9]$/.test(event.code) || event.ctrlKey || event.altKey) return false;
    v.chooseClipLabel(Number(event.code.slice(5)) - 1);
    return true;
  });
  keys.bind([" "], ["Space", "play or pause"], () => v.togglePlay());
  keys.note([
    "click / drag",
    "click the waveform to move the playhead; drag to make a segment; drag a segment's edge to adjust it",
  ]);
  keys.bind(["["], "mark a segment's start", () => v.markStart());
  keys.bind(["]"], ["[ then ]", "mark a segment's start, then its end, at the playhead (works while playing)"], () =>
    v.markEnd(),
  );
  keys.bind(["{", "}"], ["{ / }", "move the selected segment's start / end to the playhead"], (_e, key) =>
    v.moveSelectedEdge(key === "{" ? "start" : "end"),
  );
  keys.bind(
    ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
    ["1 – 9", "label the selected segment (and new ones) with the k-th label"],
    (event) => v.setLabel(Number(event.key) - 1),
  );
  keys.note(["Shift+1 – 9", "choose the k-th clip label (for the whole item)"]);
  keys.bind(["Enter"], ["Enter", "type the selected segment's transcript (Enter saves, Esc cancels)"], () => {
    // Consumed even with nothing selected, so it never reaches the notebook.
    if (v.selectedRow()) {
      parts.transcript.focus();
      parts.transcript.select();
    }
  });
  keys.bind([",", "."], [", / .", "select the previous / next segment"], (_e, key) =>
    v.selectNeighbour(key === "," ? -1 : 1),
  );
  keys.bind(["s"], "play the selected segment", () => v.playSegment(false));
  keys.bind(["l"], ["s / l", "play / loop the selected segment"], () => v.playSegment(true));
  keys.bind(["Delete", "Backspace"], ["Delete / Backspace", "delete the selected segment"], () => v.deleteSelected());
  const steps = /** @type {Record<string, number>} */ ({
    ArrowLeft: -1,
    ArrowRight: 1,
    "Shift+ArrowLeft": -5,
    "Shift+ArrowRight": 5,
  });
  keys.bind(Object.keys(steps), ["← / →", "move the playhead 1 s (Shift: 5 s); Home / End: start / end"], (_e, key) =>
    v.seek(v.player.time + steps[key]),
  );
  keys.bind(["Home"], "move the playhead to the start", () => v.seek(0));
  keys.bind(["End"], "move the playhead to the end", () => v.seek(v.duration()));
  keys.bind(["+", "="], "zoom in", () => v.zoom(2));
  keys.bind(["-"], "zoom out", () => v.zoom(1 / 2));
  keys.bind(
    ["0"],
    ["+ / - / 0", "zoom in / out around the playhead / show everything (Ctrl+wheel zooms, Shift+wheel scrolls)"],
    () => v.fit(),
  );
  keys.bind(["<", ">"], ["< / >", "slower / faster playback"], (_e, key) => v.stepSpeed(key === "<" ? -1 : 1));
  keys.bind(["a"], "accept the selected suggestion", () => {
    if (v.targetSuggestion()) v.acceptSuggestion();
    else parts.acceptBestLabel();
  });
  keys.bind(["x"], ["a / x", "accept / reject the selected suggestion (or the one at the playhead)"], () =>
    v.rejectSuggestion(),
  );
  keys.bind(["Escape"], ["Esc", "deselect"], () => {
    v.mark = null;
    v.select(null);
  });
}
