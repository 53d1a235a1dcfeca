/** Cross-entropy, total loss, one-hot and accuracy against tfjs, on extreme logits, and on bad labels. */
import * as tf from "@tensorflow/tfjs";
import { assert, assertClose } from "./assert.ts";
import { accuracy, checkLabels, crossEntropy, oneHot, totalLoss } from "../lib/loss.ts";
import { EPSILON } from "../lib/training.ts";
import { softmax } from "../lib/activations.ts";
import { Matrix, transpose } from "../lib/matrix.ts";
import { rng } from "../lib/random.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

Deno.test("oneHot: one column per example with a 1 at its label", () => {
  assert.deepEqual(oneHot([2, 0, 1], 3).toArray(), [[0, 1, 0], [0, 0, 1], [1, 0, 0]]);
  assert.deepEqual(oneHot(new Uint8Array([9])).shape, [10, 1]);
  const expected = tf.tidy(() => tf.oneHot(tf.tensor1d([3, 7, 0], "int32"), 10).transpose().arraySync());
  assert.deepEqual(oneHot([3, 7, 0]).toArray(), expected);
});

Deno.test("totalLoss of softmax outputs agrees with tfjs softmaxCrossEntropy (summed)", () => {
  const r = rng(21);
  for (let t = 0; t < 50; t++) {
    const classes = 2 + Math.floor(r() * 9), N = 1 + Math.floor(r() * 8);
    // Logits in [-5, 5): every probability stays above e^-10 / 10, far from the floor EPSILON.
    const z = new Matrix(classes, N, Float32Array.from({ length: classes * N }, () => 5 * (2 * r() - 1)));
    const labels = Array.from({ length: N }, () => Math.floor(r() * classes));
    const expected = tf.tidy(() =>
      tf.losses.softmaxCrossEntropy(
        tf.oneHot(tf.tensor1d(labels, "int32"), classes),
        tf.tensor2d(transpose(z).data, [N, classes]),
        undefined,
        undefined,
        tf.Reduction.SUM,
      ).dataSync()[0]
    );
    const y = softmax(z);
    assertClose(totalLoss(y, labels), expected, 1e-4 * Math.max(1, expected), `case ${t}`);
    // One example at a time gives the same, summed: L = sum_n C^n.
    let sum = 0;
    for (let n = 0; n < N; n++) sum += crossEntropy(y.column(n), labels[n]);
    assertClose(sum, totalLoss(y, labels), 1e-9);
  }
});

Deno.test("crossEntropy agrees with tfjs categoricalCrossentropy, which floors at the same epsilon", () => {
  const cases: [number[], number][] = [[[0.7, 0.2, 0.1], 0], [[0.7, 0.2, 0.1], 2], [[0, 1, 0], 0], [
    [1e-9, 1],
    0,
  ]];
  for (const [y, label] of cases) {
    const expected = tf.tidy(() =>
      tf.metrics.categoricalCrossentropy(tf.oneHot([label], y.length), tf.tensor2d([y])).dataSync()[0]
    );
    assertClose(crossEntropy(y, label), expected, 1e-5, `${y} label ${label}`);
  }
  assertClose(crossEntropy([0.25, 0.75], 1), -Math.log(0.75), 1e-12);
});

Deno.test("loss: finite on extreme logits (+-1e4), never log(0)", () => {
  const y = softmax(Matrix.from([[1e4, -1e4], [-1e4, 1e4]]));
  assertClose(totalLoss(y, [0, 1]), 0, 1e-7); // right by a mile: no loss
  assertClose(totalLoss(y, [1, 0]), -2 * Math.log(EPSILON), 1e-9); // wrong by a mile: floored, finite
  assert(Number.isFinite(crossEntropy([0, 1], 0)));
  assertClose(crossEntropy([0, 1], 0), -Math.log(EPSILON), 0);
});

Deno.test("accuracy: the share of columns whose largest output is the label", () => {
  const Y = Matrix.from([[0.9, 0.1, 0.3, 0.5], [0.1, 0.9, 0.7, 0.5]]);
  assert.equal(accuracy(Y, [0, 1, 0, 0]), 0.75); // the tie in the last column goes to class 0
  const expected = tf.tidy(() =>
    tf.metrics.categoricalAccuracy(tf.oneHot([0, 1, 0, 0], 2), tf.tensor2d(transpose(Y).data, [4, 2])).mean()
      .dataSync()[0]
  );
  assert.equal(accuracy(Y, [0, 1, 0, 0]), expected);
});

Deno.test("loss: bad labels and empty batches throw clearly", () => {
  const Y = Matrix.from([[0.5, 0.5], [0.5, 0.5]]);
  assert.throws(
    () => totalLoss(Y, [0, 2]),
    /label 2 \(example 1\) is not a class index: expected a whole number 0 to 1/,
  );
  assert.throws(() => totalLoss(Y, [0, 0.5]), /label 0.5 \(example 1\)/);
  assert.throws(() => totalLoss(Y, [0, -1]), /label -1/);
  assert.throws(() => totalLoss(Y, [0]), /1 labels for 2 examples/);
  assert.throws(() => totalLoss(Matrix.zeros(10, 0), []), /empty batch/);
  assert.throws(() => accuracy(Matrix.zeros(10, 0), []), /empty batch/);
  assert.throws(() => oneHot([]), /empty batch/);
  assert.throws(() => oneHot([10]), /label 10 \(example 0\).*0 to 9/);
  assert.throws(() => oneHot([1], 0), /classes must be a whole number >= 1/);
  assert.throws(() => crossEntropy([0.5, 0.5], 2), /label 2/);
  assert.throws(() => crossEntropy([], 0), /y is empty/);
  assert.throws(() => checkLabels("f", [NaN], 3), /label NaN/);
});
