/** Tests of lib/descent.ts: descent paths against closed forms, gradients against hand-derived formulas. */
import { assert, assertClose } from "./assert.ts";
import { descentPath, numericGrad, valleyGrad, valleyLoss } from "../lib/descent.ts";

/**
 * Where descent on the valley is after t updates, in closed form: each coordinate's distance to the
 * minimum (1, -0.5) shrinks by (1 - eta * curvature) per update, with curvature 1 along and 10 across.
 */
function valleyAt(start: [number, number], eta: number, t: number): [number, number] {
  return [1 + (1 - eta) ** t * (start[0] - 1), -0.5 + (1 - 10 * eta) ** t * (start[1] + 0.5)];
}

Deno.test("descentPath: w <- w - eta grad L, the start first, one point per update", () => {
  // L = a^2 + b^2: grad 2w, so eta 0.25 halves w each update.
  assert.deepEqual(descentPath(([a, b]) => [2 * a, 2 * b], [1, 1], 0.25, 2), [[1, 1], [0.5, 0.5], [
    0.25,
    0.25,
  ]]);
  const start: [number, number] = [-3.5, 1.5];
  for (const eta of [0.01, 0.1, 0.19]) {
    const path = descentPath(valleyGrad, start, eta, 30);
    assert.equal(path.length, 31);
    path.forEach((w, t) => assertClose(w, valleyAt(start, eta, t), 1e-9));
  }
});

Deno.test("descentPath: stops at the first update that blows up, keeping the path drawn so far", () => {
  const start: [number, number] = [-3.5, 1.5], eta = 0.5; // across the valley: x (1 - 10 eta) = x -4 per update
  const path = descentPath(valleyGrad, start, eta, 40);
  let first = 1;
  while (Math.abs(valleyAt(start, eta, first)[0]) + Math.abs(valleyAt(start, eta, first)[1]) <= 1e6) first++;
  assert.equal(path.length, first, "every update up to the one beyond 1e6");
  path.forEach((w, t) => assertClose(w, valleyAt(start, eta, t), 1e-9 * Math.max(1, Math.abs(w[1]))));
  assert.deepEqual(descentPath(() => [NaN, 0], [0, 0], 0.1, 5), [[0, 0]], "a NaN gradient ends the path");
});

Deno.test("numericGrad: central differences agree with the gradient worked out by hand", () => {
  const loss = ([a, b]: [number, number]) => Math.sin(a) * Math.exp(b) + a ** 3 * b;
  const byHand = (
    [a, b]: [number, number],
  ) => [Math.cos(a) * Math.exp(b) + 3 * a * a * b, Math.sin(a) * Math.exp(b) + a ** 3];
  const grad = numericGrad(loss);
  for (const w of [[0, 0], [1.3, -0.7], [-2, 0.4]] as [number, number][]) {
    assertClose(grad(w), byHand(w), 1e-6);
  }
});

Deno.test("valleyLoss and valleyGrad: minimum 0 at (1, -0.5), ten times steeper across, gradient matching", () => {
  assert.equal(valleyLoss([1, -0.5]), 0);
  assert.deepEqual(valleyGrad([1, -0.5]), [0, 0]);
  // A step d along w1 costs d^2 / 2, the same step along w2 costs 5 d^2: ten times the curvature.
  assertClose(valleyLoss([1.2, -0.5]), 0.02, 1e-12);
  assertClose(valleyLoss([1, -0.3]), 0.2, 1e-12);
  const fromLoss = numericGrad(valleyLoss);
  for (const w of [[-3.5, 1.5], [0, 0], [2, -1]] as [number, number][]) {
    assertClose(valleyGrad(w), fromLoss(w), 1e-6);
  }
});
