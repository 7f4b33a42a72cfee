// A reviewer's page (review=True; js/lib/review.js): each annotator's segments on a strip of
// their own under the waveform, over the clip's whole length, in their colour, each
// segment's label written in it (so the accessible DOM reads them too).

import { h, replace } from "../lib/dom.js";

/**
 * @typedef {import("../lib/review.js").Member} Member
 */

/**
 * @param {HTMLElement} stage where the strips go (at its end)
 * @param {{members: () => Member[], duration: () => number, cleanup: import("../lib/cleanup.js").Cleanup}} options
 * @returns {{update: () => void}}
 */
export function teamStrips(stage, options) {
  const el = h("div", { class: "nbl-team-strips", role: "list", "aria-label": "annotators' segments", hidden: true });
  stage.append(el);
  options.cleanup.add(() => el.remove());
  const update = () => {
    const members = options.members();
    const duration = options.duration();
    el.hidden = members.length === 0 || !(duration > 0);
    if (el.hidden) {
      replace(el);
      return;
    }
    const pct = (/** @type {number} */ t) => `${Math.max(0, Math.min(100, (100 * t) / duration))}%`;
    replace(
      el,
      ...members.map((m) =>
        h(
          "div",
          {
            class: "nbl-team-strip",
            role: "listitem",
            "data-annotator": m.name,
            style: `--nbl-rgb: ${m.rgb}`,
            title: `${m.name}'s segments`,
          },
          ...m.rows
            .filter((r) => r.kind === "segment")
            .map((r) =>
              h(
                "div",
                {
                  class: "nbl-team-seg",
                  "data-label": r.label,
                  style: `left: ${pct(r.start)}; width: ${pct(r.end - r.start)}`,
                },
                `${m.name}: ${r.label}`,
              ),
            ),
        ),
      ),
    );
  };
  return { update };
}
