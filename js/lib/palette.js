// Label colours, one rule for every page (image regions, text spans, audio segments) and
// for the static views (nblabel.plot_item reads the same src/nblabel/palette.json):
// the k-th label of the widget's label list gets the k-th colour, cycling; a label not in
// the list gets the "other" colour.

import palette from "../../src/nblabel/palette.json" with { type: "json" };

/** @type {readonly string[]} "#rrggbb" colours, in label order */
export const COLOURS = Object.freeze([...palette.colours]);
/** @type {string} the colour of a label not in the list */
export const OTHER = palette.other;

/**
 * The colour of `label` given the widget's labels.
 * @param {readonly string[]} labels
 * @param {string} label
 * @returns {string} "#rrggbb"
 */
export function colourOf(labels, label) {
  const i = labels.indexOf(label);
  return i < 0 ? OTHER : COLOURS[i % COLOURS.length];
}

/**
 * A colour as the "r, g, b" triplet CSS custom properties carry (rgb(var(--x)), rgba(var(--x), a)).
 * @param {string} colour "#rrggbb"
 * @returns {string}
 */
export function rgbTriplet(colour) {
  return [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)).join(", ");
}
