import assert from "node:assert/strict";
import { test } from "node:test";
import { regionsOnFrame, sliceKey, sliceText, tagFrame } from "../image/slices.js";

const rows = [
  { id: "l", kind: "label", label: "lesion" },
  { id: "a", kind: "box", label: "lesion", x: 1, y: 1, width: 2, height: 2, frame: 0 },
  {
    id: "b",
    kind: "polygon",
    label: "lesion",
    points: [
      [0, 0],
      [1, 0],
      [1, 1],
    ],
    frame: 3,
  },
];

test("a slice shows its own regions; an image that is no stack shows all", () => {
  assert.deepEqual(
    regionsOnFrame(rows, 3).map((r) => r.id),
    ["b"],
  );
  assert.deepEqual(regionsOnFrame(rows, 1), []);
  assert.deepEqual(
    regionsOnFrame(rows, null).map((r) => r.id),
    ["a", "b"],
  );
});

test("new regions get the slice's frame; labels and framed rows keep theirs", () => {
  const change = { upsert: [rows[0], { ...rows[1], frame: undefined }, rows[2]], delete: ["x"] };
  const tagged = tagFrame(change, 5);
  assert.deepEqual(
    tagged.upsert.map((r) => r.frame),
    [undefined, 5, 3],
  );
  assert.deepEqual(tagged.delete, ["x"]);
  assert.equal(tagFrame(change, null), change);
});

test("keys move between slices within the stack", () => {
  assert.equal(sliceKey("ArrowDown", 0, 4), 1);
  assert.equal(sliceKey("ArrowUp", 0, 4), null);
  assert.equal(sliceKey("PageDown", 1, 40), 11);
  assert.equal(sliceKey("PageDown", 35, 40), 39);
  assert.equal(sliceKey("Home", 7, 40), 0);
  assert.equal(sliceKey("End", 7, 40), 39);
  assert.equal(sliceKey("n", 7, 40), null);
  assert.equal(sliceText(0, 40), "slice 1 / 40");
});
