// The record card: the fields with their names, numbers aligned, long text wrapped,
// highlighted fields emphasised, context columns smaller. Every value goes in as text.

import { h, replace } from "../lib/dom.js";
import { placeValues } from "./align.js";

/**
 * @typedef {import("./align.js").Card} Card
 * @typedef {import("./align.js").Field} Field
 */

/**
 * @param {HTMLElement} parent
 */
export function cardView(parent) {
  const flag = h("div", { class: "nbl-card-flag", hidden: true });
  const fields = h("dl", { class: "nbl-fields" });
  const context = h("dl", { class: "nbl-context" });
  const el = h("div", { class: "nbl-card" }, flag, fields, context);
  parent.append(el);

  /**
   * @param {HTMLElement} list
   * @param {Field[]} group
   */
  const fill = (list, group) => {
    const places = placeValues(group);
    replace(
      list,
      ...group.flatMap((field, i) => {
        const place = places[i];
        const value = h("span", { class: "nbl-value" }, field.text);
        if (place.numeric) {
          value.style.minWidth = `${place.width}ch`;
          value.style.paddingRight = `${place.padRight}ch`;
        }
        const cls = `nbl-k-${field.kind}${place.numeric ? " nbl-numeric" : ""}${field.highlight ? " nbl-hl" : ""}`;
        return [
          h("dt", { class: field.highlight ? "nbl-hl" : "", "data-field": field.name }, field.name),
          h("dd", { class: cls, "data-field": field.name }, value),
        ];
      }),
    );
    list.hidden = group.length === 0;
  };

  return {
    el,
    /** @param {Card | null} card */
    show(card) {
      el.hidden = card === null;
      if (!card) return;
      fill(fields, card.fields);
      fill(context, card.context);
      flag.hidden = !card.flag;
      replace(flag, card.flag ? `⚑ ${card.flag}` : "");
      el.dataset.flag = card.flag ?? "";
    },
  };
}
