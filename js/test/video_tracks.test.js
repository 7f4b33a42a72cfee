import assert from "node:assert/strict";
import { test } from "node:test";
import {
  allShownAt,
  byTrack,
  endKeyframe,
  extents,
  newTrackId,
  nextKeyframe,
  putKeyframe,
  shownAt,
} from "../video/tracks.js";

/** @param {string} id @param {number} frame @param {number | null} x @param {boolean} [outside] */
const key = (id, frame, x, outside = false) => ({
  id,
  track_id: "1",
  frame,
  label: "person",
  x,
  y: x === null ? null : 10,
  width: x === null ? null : 20,
  height: x === null ? null : 40,
  outside,
});

test("boxes move linearly between keyframes and hold after the last one", () => {
  const keys = [key("a", 0, 0), key("b", 10, 100)];
  assert.equal(shownAt(keys, 0, 50)?.box.x, 0);
  assert.equal(shownAt(keys, 0, 50)?.keyframe?.id, "a");
  assert.equal(shownAt(keys, 3, 50)?.box.x, 30);
  assert.equal(shownAt(keys, 3, 50)?.keyframe, null);
  assert.equal(shownAt(keys, 10, 50)?.keyframe?.id, "b");
  assert.equal(shownAt(keys, 49, 50)?.box.x, 100); // held to the end
  assert.equal(shownAt(keys, 50, 50), null); // past the video
  assert.equal(shownAt([key("a", 5, 0)], 4, 50), null); // before the track starts
});

test("an outside keyframe ends the track until its next keyframe", () => {
  const keys = [key("a", 0, 0), key("b", 4, 40, true), key("c", 8, 200)];
  assert.equal(shownAt(keys, 2, 20)?.box.x, 20); // towards the box it left with
  assert.equal(shownAt(keys, 4, 20), null);
  assert.equal(shownAt(keys, 7, 20), null);
  assert.equal(shownAt(keys, 8, 20)?.box.x, 200);
  const bare = [key("a", 0, 0), key("b", 4, null, true)];
  assert.equal(shownAt(bare, 3, 20)?.box.x, 0); // held when the outside keyframe has no box
  assert.deepEqual(extents(keys, 20), [
    [0, 4],
    [8, 20],
  ]);
  assert.deepEqual(extents(bare, 20), [[0, 4]]);
});

test("the same numbers as nblabel.video.interpolate (tests/unit/test_video_interpolate.py)", () => {
  const keys = [key("k0", 0, 0), key("k4", 4, 40)];
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((f) => shownAt(keys, f, 5)?.box.x),
    [0, 10, 20, 30, 40],
  );
});

test("edits: a keyframe is added or updated, a track ended where it shows", () => {
  let n = 0;
  const newId = () => `new${++n}`;
  const keys = [key("a", 0, 0), key("b", 10, 100)];
  const moved = putKeyframe(
    keys,
    { track_id: "1", label: "person" },
    5,
    { x: 70, y: 10, width: 20, height: 40 },
    newId,
  );
  assert.deepEqual(moved, {
    id: "new1",
    track_id: "1",
    frame: 5,
    label: "person",
    x: 70,
    y: 10,
    width: 20,
    height: 40,
    outside: false,
  });
  const same = putKeyframe(keys, { track_id: "1", label: "person" }, 10, { x: 1, y: 2, width: 3, height: 4 }, newId);
  assert.equal(same.id, "b");
  const end = endKeyframe(keys, 3, 20, newId);
  assert.deepEqual(end, {
    id: "new2",
    track_id: "1",
    frame: 3,
    label: "person",
    x: 30,
    y: 10,
    width: 20,
    height: 40,
    outside: true,
  });
  assert.equal(endKeyframe([key("a", 5, 0)], 2, 20, newId), null);
});

test("tracks, keyframe jumps and new ids", () => {
  const rows = [key("a", 10, 0), { ...key("b", 3, 0), track_id: "7" }, key("c", 0, 5)];
  const tracks = byTrack(rows);
  assert.deepEqual([...tracks.keys()], ["1", "7"]);
  assert.deepEqual(
    tracks.get("1")?.map((k) => k.frame),
    [0, 10],
  );
  assert.equal(allShownAt(tracks, 4, 20).length, 2);
  assert.equal(nextKeyframe(tracks, 3, 1), 10);
  assert.equal(nextKeyframe(tracks, 3, -1), 0);
  assert.equal(nextKeyframe(tracks, 10, 1), null);
  assert.equal(newTrackId(["1", "7", "car"]), "8");
  assert.equal(newTrackId([]), "1");
});
