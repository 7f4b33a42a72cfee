import assert from "node:assert/strict";
import { test } from "node:test";
import { placeTags } from "../image/tags.js";

test("tags sit above their shape's corner, inside the canvas", () => {
  assert.deepEqual(placeTags([{ x: 50, y: 40, w: 30, h: 14 }], 200, 100), [{ x: 50, y: 26 }]);
  // no room above: inside the shape; no room on the right: moved left
  assert.deepEqual(placeTags([{ x: 190, y: 5, w: 30, h: 14 }], 200, 100), [{ x: 170, y: 5 }]);
});

test("tags of nested shapes with one corner do not cover each other", () => {
  const tags = [
    { x: 50, y: 40, w: 40, h: 14 },
    { x: 50, y: 40, w: 30, h: 14 },
    { x: 60, y: 45, w: 30, h: 14 },
  ];
  const at = placeTags(tags, 400, 300);
  for (let i = 0; i < at.length; i++)
    for (let j = i + 1; j < at.length; j++) {
      const a = { ...at[i], w: tags[i].w, h: tags[i].h };
      const b = { ...at[j], w: tags[j].w, h: tags[j].h };
      const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      assert.equal(overlap, false, `tags ${i} and ${j} overlap`);
    }
});
