/**
 * Tests of lib/gradcheck.ts: finite differences against a gradient worked out by hand in float64
 * (a one-layer softmax network: dL/dW = (Y - Yhat) X^T, dL/db = sum over examples of Y - Yhat), the
 * relative error on hand-made cases, and the cost count.
 */
import { assert, assertClose } from "./assert.ts";
import {
  errorRelativeToLargest,
  finiteDifferences,
  gradientCost,
  namedParameters,
} from "../lib/gradcheck.ts";
import { Matrix, Network } from "../lib/mod.ts";

const W = [[0.5, -1, 0.25], [1, 0.5, -0.5], [-0.25, 0.75, 1], [0, -0.5, 0.5]]; // 4 classes, 3 inputs
const b = [0.1, -0.2, 0.3, 0];
const X = [[1, 0.5, -1, 2, 0], [0, -1, 1, 0.5, 1], [2, 1, 0, -1, 0.5]]; // 3 x 5: one example per column
const labels = [0, 3, 1, 2, 1];

/** dL/dW and dL/db of L = sum_n -ln softmax(W x_n + b)[label_n], in float64 with plain loops. */
function byHand(): { dW: number[][]; db: number[] } {
  const dW = W.map((row) => row.map(() => 0)), db = b.map(() => 0);
  for (let n = 0; n < labels.length; n++) {
    const z = W.map((row, i) => row.reduce((s, w, j) => s + w * X[j][n], b[i]));
    const e = z.map(Math.exp), sum = e.reduce((s, v) => s + v, 0);
    e.forEach((v, i) => {
      const delta = v / sum - (i === labels[n] ? 1 : 0); // y - yhat
      db[i] += delta;
      W[i].forEach((_, j) => (dW[i][j] += delta * X[j][n]));
    });
  }
  return { dW, db };
}

Deno.test("finiteDifferences: every derivative of a softmax layer, against the gradient by hand", () => {
  const net = Network.fromWeights([{ W, b }], { output: "softmax" });
  const before = Array.from(net.W[0].data);
  const fd = finiteDifferences(net, Matrix.from(X), labels, 1e-2);
  const hand = byHand();
  assertClose(fd.dW[0].data, hand.dW.flat(), 2e-3);
  assertClose(fd.db[0].data, hand.db, 2e-3);
  assert.equal(fd.forwardPasses, 2 * (12 + 4), "two forward passes per parameter");
  assert.deepEqual(Array.from(net.W[0].data), before, "every parameter is put back");
  assert.throws(() => finiteDifferences(net, Matrix.from(X), labels, 0), /h must be > 0/);
});

Deno.test("errorRelativeToLargest: the largest error over the largest reference entry", () => {
  assertClose(errorRelativeToLargest([1, 2.1, -4], [1, 2, -4]), 0.1 / 4, 1e-12);
  assert.equal(errorRelativeToLargest([0, 0], [0, 0]), 0, "all zero: no error");
  assertClose(errorRelativeToLargest([0.5, 0], [0, 0]), 0.5, 1e-12); // an all-zero reference: the plain error
  assert.throws(() => errorRelativeToLargest([1], [1, 2]), /lengths 1 and 2/);
});

Deno.test("namedParameters: W^1, b^1, W^2, b^2 in order, the network's own matrices", () => {
  const net = Network.random([3, 4, 2], { seed: 1 });
  const named = namedParameters(net);
  assert.deepEqual(named.map((p) => p.name), ["W^1", "b^1", "W^2", "b^2"]);
  assert.equal(named[2].value, net.W[1]);
  assert.deepEqual(named.map((p) => p.value.shape), [[4, 3], [4, 1], [2, 4], [2, 1]]);
});

Deno.test("gradientCost: counts 256-30-10's parameters, times both ways, leaves the weights as they were", () => {
  const net = Network.random([256, 30, 10], { seed: 5 });
  const x = new Matrix(256, 4, Float32Array.from({ length: 1024 }, (_, k) => (k % 7) / 7));
  const before = Array.from(net.W[0].data);
  const cost = gradientCost(net, x, [0, 1, 2, 3], { sample: 5 });
  assert.equal(cost.parameters, 256 * 30 + 30 + 30 * 10 + 10);
  assert.equal(cost.forwardPasses, 2 * cost.parameters);
  assert.ok(cost.backpropMs >= 0 && cost.forwardMs >= 0 && cost.finiteMs > 0, JSON.stringify(cost));
  assert.deepEqual(Array.from(net.W[0].data), before);
  assert.throws(() => gradientCost(net, x, [0, 1, 2, 3], { sample: 0 }), /sample must be 1 to 7680/);
});
