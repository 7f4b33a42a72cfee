import assert from "node:assert/strict";
import { test } from "node:test";
import { decimals, parseCard, placeValues } from "../records/align.js";

/** @param {string} text @param {string} kind */
const field = (text, kind) => ({ name: text, text, kind, highlight: false });

test("decimals counts the digits after the point", () => {
  assert.equal(decimals("1,234.5"), 1);
  assert.equal(decimals("12"), 0);
  assert.equal(decimals("-0.125"), 3);
});

test("numbers share one right edge with their decimal points lined up", () => {
  const places = placeValues([
    field("1,234.5", "float"),
    field("12", "int"),
    field("0.125", "float"),
    field("Corner café", "text"),
  ]);
  // most decimals: 3; "1,234.5" pads 2, "12" pads the point and 3 digits, "0.125" none
  assert.deepEqual(
    places.map((p) => p.padRight),
    [2, 4, 0, 0],
  );
  const right = places.slice(0, 3).map((p, i) => ["1,234.5", "12", "0.125"][i].length + p.padRight);
  assert.deepEqual(right, [9, 6, 5]);
  assert.equal(places[0].width, 9);
  assert.ok(places.slice(0, 3).every((p) => p.numeric && p.width === 9));
  assert.deepEqual(places[3], { numeric: false, padRight: 0, width: 0 });
});

test("whole numbers alone need no padding", () => {
  const places = placeValues([field("1", "int"), field("1,000", "int")]);
  assert.deepEqual(
    places.map((p) => [p.padRight, p.width]),
    [
      [0, 5],
      [0, 5],
    ],
  );
});

test("missing values and booleans are not aligned as numbers", () => {
  const places = placeValues([field("—", "missing"), field("yes", "bool")]);
  assert.ok(places.every((p) => !p.numeric));
});

test("a card is parsed from its UTF-8 JSON buffer, and a wrong shape is refused", () => {
  const card = { fields: [field("Électro <b>", "text")], context: [], flag: "online" };
  const bytes = new TextEncoder().encode(JSON.stringify(card));
  assert.deepEqual(parseCard(bytes), card);
  assert.throws(() => parseCard(new TextEncoder().encode('{"fields": 3}')), /not a record card/);
});
