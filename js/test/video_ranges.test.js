import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptedRange, moveEdge, newRange, placeRanges, rangeOf, rangeRows } from "../video/ranges.js";
import { acceptTrack, rejectTrack, SUGGESTED, suggestedExtents, suggestedTracks } from "../video/suggested.js";

test("a new range runs from the lesser frame to the greater, both inclusive", () => {
  const row = newRange("r", "crossing", 180, 120);
  assert.deepEqual(row, { id: "r", kind: "segment", label: "crossing", frame: 120, extra: { last_frame: 180 } });
  assert.deepEqual(rangeOf(row), { first: 120, last: 180 });
  assert.deepEqual(rangeOf({ id: "x", kind: "segment", label: "a", frame: 4 }), { first: 4, last: 4 });
});

test("moving an edge past the other end takes the other end along", () => {
  const row = newRange("r", "crossing", 10, 20);
  assert.deepEqual(rangeOf(moveEdge(row, "in", 15)), { first: 15, last: 20 });
  assert.deepEqual(rangeOf(moveEdge(row, "in", 25)), { first: 25, last: 25 });
  assert.deepEqual(rangeOf(moveEdge(row, "out", 12)), { first: 10, last: 12 });
  assert.deepEqual(rangeOf(moveEdge(row, "out", 5)), { first: 5, last: 5 });
  assert.equal(moveEdge({ ...row, extra: { last_frame: 20, note: "kept" } }, "out", 30).extra?.note, "kept");
});

test("ranges are listed in order and overlapping ones get lanes of their own", () => {
  const rows = rangeRows([
    newRange("c", "b", 30, 40),
    { id: "box", kind: "box", label: "p", frame: 1 },
    { id: "clip", kind: "segment", label: "no frame", start: 0, end: 1 },
    newRange("a", "a", 0, 10),
    newRange("b", "a", 5, 35),
  ]);
  assert.deepEqual(
    rows.map((r) => r.id),
    ["a", "b", "c"],
  );
  assert.deepEqual(
    placeRanges(rows).map((p) => [p.row.id, p.lane]),
    [
      ["a", 0],
      ["b", 1],
      ["c", 0],
    ],
  );
});

test("an accepted range suggestion keeps its frames, label and text, not its score", () => {
  const s = { id: "s1", kind: "segment", label: "crossing", frame: 3, extra: { last_frame: 9 }, score: 0.7, text: "t" };
  assert.deepEqual(acceptedRange(s, "new"), {
    id: "new",
    kind: "segment",
    label: "crossing",
    frame: 3,
    extra: { last_frame: 9 },
    text: "t",
  });
});

/** @param {string} id @param {number} frame @param {string | undefined} track @param {number} score */
const box = (id, frame, track, score, outside = false) => ({
  id,
  kind: "box",
  label: "car",
  frame,
  track_id: track,
  x: frame,
  y: 1,
  width: 5,
  height: 5,
  outside,
  score,
});

test("suggested keyframes are grouped into tracks, best first; a box without a track is one", () => {
  const tracks = suggestedTracks([
    box("a2", 20, "7", 0.5, true),
    box("a0", 0, "7", 0.6),
    box("b", 4, "8", 0.9),
    box("lone", 2, undefined, 0.1),
    { id: "lab", kind: "label", label: "day" },
  ]);
  assert.deepEqual(
    tracks.map((t) => [t.key, t.ids, t.first, t.last, t.score]),
    [
      [`${SUGGESTED}8`, ["b"], 4, 4, 0.9],
      [`${SUGGESTED}7`, ["a0", "a2"], 0, 20, 0.6],
      [`${SUGGESTED}lone`, ["lone"], 2, 2, 0.1],
    ],
  );
  assert.deepEqual(suggestedExtents(tracks[1], 50), [[0, 20]]);
});

test("accepting a track makes new rows of a new track of the person's; rejecting names every keyframe", () => {
  const [track] = suggestedTracks([box("a0", 0, "7", 0.6), box("a2", 20, "7", 0.5, true)]);
  let n = 0;
  const change = acceptTrack(track, "3", () => `n${++n}`);
  assert.deepEqual(change.accepted, ["a0", "a2"]);
  assert.deepEqual(
    change.upsert.map((r) => [r.id, r.kind, r.track_id, r.frame, r.x, r.outside, "score" in r]),
    [
      ["n1", "box", "3", 0, 0, false, false],
      ["n2", "box", "3", 20, 20, true, false],
    ],
  );
  assert.deepEqual(rejectTrack(track), { upsert: [], delete: [], rejected: ["a0", "a2"] });
});
