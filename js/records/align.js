// Where each value of a record card goes: numbers right-aligned on their decimal point,
// everything else as text. DOM-free, so it is tested on its own (js/test/records_align.test.js).

/**
 * @typedef {{name: string, text: string, kind: string, highlight: boolean}} Field
 * one value of a card, formatted by the kernel (see widgets/records.py): `kind` is
 * "int", "float", "bool", "date", "datetime", "timedelta", "text" or "missing"
 * @typedef {{fields: Field[], context: Field[], flag: string | null}} Card
 * @typedef {{numeric: boolean, padRight: number, width: number}} Place
 * `padRight` (in digit widths) lines the decimal point up with the other numbers;
 * `width` is the common width of the numbers' box, so they share one right edge
 */

const NUMERIC = new Set(["int", "float"]);

/** @param {Field} field */
export function isNumeric(field) {
  return NUMERIC.has(field.kind);
}

/**
 * The decimals of a formatted number ("1,234.5" -> 1, "12" -> 0).
 * @param {string} text
 */
export function decimals(text) {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * Places for the values of one group of a card (its fields, or its context).
 * @param {Field[]} fields
 * @returns {Place[]}
 */
export function placeValues(fields) {
  const numbers = fields.filter(isNumeric);
  const most = Math.max(0, ...numbers.map((f) => decimals(f.text)));
  /** @param {Field} f */
  const pad = (f) => {
    const d = decimals(f.text);
    // a whole number leaves room for the point and the decimals of the others
    return d === 0 && most > 0 ? most + 1 : most - d;
  };
  const width = Math.max(0, ...numbers.map((f) => f.text.length + pad(f)));
  return fields.map((f) =>
    isNumeric(f) ? { numeric: true, padRight: pad(f), width } : { numeric: false, padRight: 0, width: 0 },
  );
}

/**
 * The card of an item from its binary buffer (UTF-8 JSON), checked for shape.
 * @param {Uint8Array} bytes
 * @returns {Card}
 */
export function parseCard(bytes) {
  const card = JSON.parse(new TextDecoder("utf-8").decode(bytes));
  if (!card || !Array.isArray(card.fields) || !Array.isArray(card.context)) throw new Error("not a record card");
  return { fields: card.fields, context: card.context, flag: card.flag ?? null };
}
