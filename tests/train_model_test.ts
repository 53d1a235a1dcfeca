/**
 * lib/train_model.ts: training a tfjs model (a small CNN) seeded and leak-free, under the training contract.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, maxRelativeError } from "./assert.ts";
import { setupBackend } from "../lib/backend.ts";
import { loadDigits, type Split } from "../lib/data.ts";
import { trainModel } from "../lib/train_model.ts";

/** The first n examples of a split. */
function head(split: Split, n: number): Split {
  return { x: split.x.slice(0, n * 256), y: split.y.slice(0, n), n };
}

/** A small seeded CNN: two convolutions (each filter is read again after every update), pooling, softmax. */
function smallCnn(): tf.Sequential {
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  const convolution = (filters: number, kernelSize: number, seed: number, inputShape?: number[]) =>
    tf.layers.conv2d({
      ...(inputShape ? { inputShape } : {}),
      filters,
      kernelSize,
      padding: "same",
      activation: "relu",
      kernelInitializer: seeded(seed),
    });
  return tf.sequential({
    layers: [
      convolution(4, 5, 1, [16, 16, 1]),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      convolution(8, 3, 2),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: seeded(3) }),
    ],
  });
}

Deno.test("trainModel: seeded, leak-free, probabilities per test example", async () => {
  await setupBackend("wasm");
  const digits = await loadDigits({ log: () => {} });
  const train = head(digits.train, 300), test = head(digits.test, 100);
  const xs = tf.tensor4d(train.x, [train.n, 16, 16, 1]);
  const testXs = tf.tensor4d(test.x, [test.n, 16, 16, 1]);
  const run = async () => {
    const model = smallCnn();
    const before = tf.memory().numTensors;
    const result = await trainModel(model, { xs, labels: train.y, testXs, testLabels: test.y }, {
      epochs: 2,
      batchSize: 50,
      eta: (epoch) => (epoch === 1 ? 1e-2 : 1e-3),
      seed: 5,
    });
    assert.equal(tf.memory().numTensors, before, "tensors left behind by trainModel");
    model.dispose();
    return result;
  };
  const a = await run(), b = await run();
  assert.deepEqual(a.loss, b.loss, "same seed, same training");
  assert.deepEqual(a.testAccuracy, b.testAccuracy);
  assert.ok(a.loss[1] < a.loss[0], `the loss should fall: ${a.loss}`);
  assert.equal(a.testProbabilities.length, test.n * 10);
  for (let k = 0; k < test.n; k++) {
    const sum = a.testProbabilities.subarray(k * 10, (k + 1) * 10).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4, `example ${k}: probabilities sum to ${sum}`);
  }
  // The reported test accuracy is the share of argmax predictions equal to the label.
  let correct = 0;
  for (let k = 0; k < test.n; k++) {
    const row = Array.from(a.testProbabilities.subarray(k * 10, (k + 1) * 10));
    if (row.indexOf(Math.max(...row)) === test.y[k]) correct++;
  }
  assert.equal(a.testAccuracy[1], correct / test.n);
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 10, inputShape: [256], activation: "softmax" })],
  });
  await assert.rejects(
    () =>
      trainModel(model, { xs, labels: train.y.slice(1), testXs, testLabels: test.y }, {
        epochs: 1,
        eta: 1e-3,
      }),
    /labels/,
  );
  model.dispose();
  tf.dispose([xs, testXs]);
});

Deno.test("trainModel: the course's engine (wasm, BLAS, its Adam) trains a CNN as tfjs's cpu backend does", async () => {
  const digits = await loadDigits({ log: () => {} });
  const train = head(digits.train, 300), test = head(digits.test, 100);
  /** Three epochs of the small CNN on a backend. */
  const run = async (backend: "wasm" | "cpu") => {
    await setupBackend(backend);
    const model = smallCnn();
    const xs = tf.tensor4d(train.x, [train.n, 16, 16, 1]), testXs = tf.tensor4d(test.x, [test.n, 16, 16, 1]);
    const result = await trainModel(model, { xs, labels: train.y, testXs, testLabels: test.y }, {
      epochs: 3,
      batchSize: 50,
      eta: 1e-2,
      seed: 5,
    });
    tf.dispose([xs, testXs]);
    model.dispose();
    return result;
  };
  const reference = await run("cpu"), course = await run("wasm");
  const error = maxRelativeError(course.testLoss, reference.testLoss);
  assert.ok(error < 1e-3, `test loss per epoch ${course.testLoss} vs ${reference.testLoss}`);
  assert.ok(maxRelativeError(course.loss, reference.loss) < 1e-3, `loss ${course.loss} vs ${reference.loss}`);
  assert.ok(reference.testAccuracy[2] > 0.5, `the reference learns: ${reference.testAccuracy}`);
});

Deno.test("trainModel: bad input gets errors that name what was wrong, nothing leaked", async () => {
  await setupBackend("wasm");
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 3, inputShape: [4], activation: "softmax", kernelInitializer: "zeros" }),
    ],
  });
  const xs = tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]);
  const labels = Uint8Array.from([0, 1, 2]);
  const data = { xs, labels, testXs: xs, testLabels: labels };
  const withNaN = tf.tensor2d([[NaN, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]);
  const empty = tf.zeros([0, 4]) as tf.Tensor2D;
  const big = tf.tensor2d(Array.from({ length: 30 }, (_, k) => [k % 3, (k * 7) % 5, k % 2, 1]));
  const before = tf.memory().numTensors;
  const fails = async (options: Parameters<typeof trainModel>[2], pattern: RegExp, d = data) => {
    await assert.rejects(() => trainModel(model, d, options), pattern);
    assert.equal(tf.memory().numTensors, before, `tensors leaked after ${pattern}`);
  };
  await fails({ epochs: 1, eta: 1e-3, batchSize: 0 }, /batchSize must be a whole number >= 1, got 0/);
  await fails({ epochs: 0, eta: 1e-3 }, /epochs must be a whole number >= 1, got 0/);
  for (const eta of [0, -1, NaN]) {
    await fails({ epochs: 1, eta }, /learning rate must be a positive finite number/);
  }
  await fails({ epochs: 2, eta: (e) => (e === 2 ? NaN : 1e-3) }, /eta\(2\) returned NaN/);
  await fails({ epochs: 1, eta: 1e-3 }, /training label 12 \(example 1\) is outside 0\.\.2/, {
    ...data,
    labels: Uint8Array.from([0, 12, 2]),
  });
  await fails({ epochs: 1, eta: 1e-3 }, /NaN or Infinity/, { ...data, xs: withNaN });
  await fails({ epochs: 1, eta: 1e-3 }, /training set is empty/, {
    xs: empty,
    labels: new Uint8Array(0),
    testXs: xs,
    testLabels: labels,
  });
  // A learning rate far too large: the loss saturates near -ln(1e-7) = 16.1 per example and training stops.
  const bigLabels = Uint8Array.from({ length: 30 }, (_, k) => k % 3);
  await fails({ epochs: 4, eta: 1e6, batchSize: 5 }, /diverged/, {
    xs: big,
    labels: bigLabels,
    testXs: big,
    testLabels: bigLabels,
  });
  tf.dispose([withNaN, empty, big, xs]);
  model.dispose();
});
