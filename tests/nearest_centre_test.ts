/** lib/nearest_centre.ts: the nearest class centre, against centres and distances worked out by hand. */
import { assert, assertClose } from "./assert.ts";
import { classCentres, nearestCentre, nearestCentreAccuracy } from "../lib/nearest_centre.ts";

// Six points in 2-D, three classes. By hand: class 0's centre (0.7, 0.5), class 1's (4, 0), class 2's (0, 5).
const x = [0, 0, 4, 4, 0, 2.1];
const y = [0, 1, -1, 1, 5, 0.5];
const labels = [0, 0, 1, 1, 2, 0];

Deno.test("classCentres: the mean point of each class (by hand)", () => {
  const centres = classCentres([x, y], labels, 3);
  assertClose(centres[0], [0.7, 0.5], 1e-12);
  assertClose(centres[1], [4, 0], 1e-12);
  assertClose(centres[2], [0, 5], 1e-12);
  assert.ok(classCentres([x, y], labels, 4)[3].every(Number.isNaN), "a class without points has no centre");
});

Deno.test("nearestCentre and its accuracy: each point goes to the nearest centre (by hand)", () => {
  // (2.1, 0.5): squared distance 1.4^2 = 1.96 to class 0's centre (0.7, 0.5), 1.9^2 + 0.5^2 = 3.86 to (4, 0).
  const predicted = nearestCentre([x, y], classCentres([x, y], labels, 3));
  assert.deepEqual(Array.from(predicted), [0, 0, 1, 1, 2, 0]);
  assert.equal(nearestCentreAccuracy([x, y], labels, 3), 1);
  // Moved to (3, 0.5), class 0's centre moves to (1, 0.5): squared distance 4 there, 1.25 to class 1's
  // centre (4, 0), so the sixth point goes to class 1: 5 of 6 right.
  const moved = [...x];
  moved[5] = 3;
  assertClose(nearestCentreAccuracy([moved, y], labels, 3), 5 / 6, 1e-12);
});

Deno.test("nearest centre: one coordinate works; lengths and labels are checked", () => {
  assert.equal(nearestCentreAccuracy([[0, 1, 10, 11]], [0, 0, 1, 1], 2), 1);
  assert.throws(() => classCentres([[0, 1], [0]], [0, 1], 2), /coordinate 1 has 1 values for 2 labels/);
  assert.throws(() => classCentres([[0, 1]], [0, 2], 2), /label 1 is 2/);
  assert.throws(() => classCentres([], [0], 2), /at least one coordinate/);
});
