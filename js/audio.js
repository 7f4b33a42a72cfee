// AudioAnnotator's page: a zoomable waveform with playback, segments drawn by mouse or
// marked with keys, a label per segment (speaker or class), a transcript per segment,
// and clip labels. Times are seconds of the original file, rounded to the millisecond.
// The pieces: audio/view.js (state, actions, drawing), audio/panel.js (toolbar and the
// selected segment's panel), audio/pointer.js (mouse), audio/keys.js (keys),
// audio/player.js (playback), audio/segments.js, audio/timeline.js and audio/wave.js.

import "./nblabel.css";
import "./audio.css";
import { bindAudioKeys } from "./audio/keys.js";
import { audioPanel } from "./audio/panel.js";
import { bindPointer } from "./audio/pointer.js";
import { teamStrips } from "./audio/team.js";
import { AudioView } from "./audio/view.js";
import { acceptItemLabel } from "./lib/labels.js";
import { reviewPanel } from "./lib/review.js";
import { pageShell } from "./lib/shell.js";

/**
 * @typedef {import("./lib/session.js").ItemInfo} ItemInfo
 * @typedef {import("./lib/session.js").Suggestion} Suggestion
 * @typedef {import("./audio/view.js").Media} Media
 */

/**
 * Peak levels from the item's binary buffers.
 * @param {ItemInfo} _item @param {DataView[]} buffers @returns {Promise<Media>}
 */
function decode(_item, buffers) {
  return Promise.resolve({ levels: buffers.map((v) => new Int8Array(v.buffer, v.byteOffset, v.byteLength)) });
}

export default {
  /** @type {import("@anywidget/types").Render} */
  render({ model, el }) {
    /** @param {Suggestion} s accept a suggested clip label */
    const onAccept = (s) => {
      const rows = shell.session.current?.rows.values() ?? [];
      const change = acceptItemLabel(rows, s.label, { multi: Boolean(model.get("multi_label")) });
      shell.session.edit({ ...change, accepted: [s.id] });
    };
    const shell = pageShell(model, el, {
      decode,
      clear: {
        title: "remove this clip's clip labels",
        keys: ["0"],
        action: () => {
          const ids = [...(shell.session.current?.rows.values() ?? [])]
            .filter((r) => r.kind === "label")
            .map((r) => r.id);
          if (ids.length) {
            shell.session.edit({ upsert: [], delete: ids });
            shell.toast(`Removed ${ids.length === 1 ? "1 clip label" : `${ids.length} clip labels`}`);
          }
        },
      },
      onLabel: (i) => v.setLabel(i),
      onAccept,
      hint: "Click here, then: Space play · drag or [ ] to mark a segment · 1–9 label · n/p next item · ? help",
    });
    const { session, ui, root, stage, cleanup } = shell;
    // review=True: the annotators' versions (before the audio keys, so Shift+a then 1–9 works)
    const review = reviewPanel(shell, { noun: "clip" });
    const v = new AudioView(session, root, stage, cleanup);
    const strips = teamStrips(stage, { members: () => review.members(), duration: () => v.duration(), cleanup });
    const panel = audioPanel(v, cleanup);
    v.onPanel = panel.update;
    bindPointer(v);
    bindAudioKeys(shell.keys, v, {
      transcript: panel.transcript,
      acceptBestLabel: () => {
        const best = session.visibleSuggestions("label")[0];
        if (best) onAccept(best);
      },
    });
    cleanup.observeSize(stage, () => v.requestDraw());

    return shell.start(() => {
      ui.update();
      v.sync();
      panel.update();
      strips.update();
      v.draw();
      root.dispatchEvent(new CustomEvent("nblabel:status", { detail: { status: session.status } }));
    });
  },
};
