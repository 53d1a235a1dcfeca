/** Tests of lib/train.ts against tfjs autodiff and optimizers (independent references), plus hygiene. */
import * as tf from "@tensorflow/tfjs";
import { assert, maxRelativeError } from "./assert.ts";
import { setupBackend } from "../lib/backend.ts";
import type { Split } from "../lib/data.ts";
import { loadDigits } from "../lib/data.ts";
import { type TfWeights, trainTf } from "../lib/train.ts";
import { DivergenceError, firstNotFinite, type Hidden } from "../lib/training.ts";
import { rng } from "../lib/random.ts";

await setupBackend("wasm");

/** A random data set: n examples of `inputs` values in [0, 1), labels 0..classes-1. */
function randomSplit(n: number, inputs: number, classes: number, seed: number): Split {
  const r = rng(seed);
  return {
    x: Float32Array.from({ length: n * inputs }, () => r()),
    y: Uint8Array.from({ length: n }, () => Math.floor(r() * classes)),
    n,
  };
}

/** Random weights in the lecture layout (W^l: n_l x n_{l-1}). */
function randomWeights(sizes: number[], seed: number): TfWeights[] {
  const r = rng(seed);
  return sizes.slice(1).map((n, l) => ({
    W: Float32Array.from({ length: n * sizes[l] }, () => (2 * r() - 1) / Math.sqrt(sizes[l])),
    b: Float32Array.from({ length: n }, () => 0.2 * (2 * r() - 1)),
    shape: [n, sizes[l]] as [number, number],
  }));
}

/**
 * Reference: one optimizer step on the whole set with tfjs autodiff, examples in rows as tfjs's layers do:
 * loss = mean softmax cross-entropy of a^L = x W^T + b. Returns the initial loss and the new weights.
 */
async function referenceStep(
  split: Split,
  weights: TfWeights[],
  hidden: Hidden,
  optimizer: tf.Optimizer,
): Promise<{ loss: number; weights: Float32Array[] }> {
  const inputs = split.x.length / split.n;
  const classes = weights[weights.length - 1].shape[0];
  const vars = weights.flatMap((
    { W, b, shape },
  ) => [tf.variable(tf.tensor2d(W, shape)), tf.variable(tf.tensor1d(b))]);
  const x = tf.tensor2d(split.x, [split.n, inputs]);
  const y = tf.oneHot(tf.tensor1d(split.y, "int32"), classes);
  const loss = optimizer.minimize(() => {
    let a: tf.Tensor = x;
    for (let l = 0; l < weights.length; l++) {
      a = tf.add(tf.matMul(a, vars[2 * l], false, true), vars[2 * l + 1]);
      if (l < weights.length - 1) a = { sigmoid: tf.sigmoid, relu: tf.relu, tanh: tf.tanh }[hidden](a);
    }
    return tf.losses.softmaxCrossEntropy(y, a) as tf.Scalar;
  }, true)!;
  const result = {
    loss: (await loss.data())[0],
    weights: await Promise.all(vars.map(async (v) => (await v.data()) as Float32Array)),
  };
  tf.dispose([...vars, x, y, loss]);
  optimizer.dispose();
  return result;
}

for (
  const [hidden, sizes] of [["sigmoid", [7, 5, 4, 3]], ["relu", [6, 8, 3]], ["tanh", [6, 7, 5, 3]], [
    "sigmoid",
    [5, 3],
  ], ["relu", [
    4,
    6,
    5,
    4,
    3,
  ]]] as const
) {
  for (const optimizer of ["sgd", "adam"] as const) {
    Deno.test(`hand-written backprop = tfjs autodiff: ${sizes.join("-")} ${hidden} ${optimizer}, one step`, async () => {
      const split = randomSplit(23, sizes[0], sizes[sizes.length - 1], sizes.length);
      const initial = randomWeights([...sizes], 7 * sizes.length);
      const eta = optimizer === "sgd" ? 0.5 : 0.01;
      await setupBackend("cpu"); // the reference runs on another backend than the code under test
      const reference = await referenceStep(
        split,
        initial,
        hidden,
        optimizer === "sgd" ? tf.train.sgd(eta) : tf.train.adam(eta),
      );
      await setupBackend("wasm");
      const result = await trainTf({ train: split }, {
        sizes: [...sizes],
        hidden,
        optimizer,
        eta,
        batchSize: 23,
        epochs: 1,
        initial,
      });
      assert.ok(
        Math.abs(result.loss[0] - reference.loss) < 1e-5 * Math.max(1, reference.loss),
        `loss ${result.loss[0]} vs ${reference.loss}`,
      );
      result.weights.forEach(({ W, b }, l) => {
        assert.ok(
          maxRelativeError(W, reference.weights[2 * l], 1e-3) < 1e-3,
          `W${l + 1}: ${maxRelativeError(W, reference.weights[2 * l], 1e-3)}`,
        );
        assert.ok(maxRelativeError(b, reference.weights[2 * l + 1], 1e-3) < 1e-3, `b${l + 1}`);
      });
    });
  }
}

Deno.test("trainTf learns the digits (256-64-10, ReLU, Adam, 2 epochs) and reports every epoch", async () => {
  const digits = await loadDigits({ log: () => {} });
  const epochs: number[] = [];
  let batches = 0;
  const result = await trainTf(digits, {
    sizes: [256, 64, 10],
    hidden: "relu",
    optimizer: "adam",
    eta: 0.003,
    epochs: 2,
    seed: 1,
    onBatch: () => void batches++,
    onEpoch: async (info) => {
      await new Promise((resolve) => setTimeout(resolve, 1)); // an async callback is awaited
      epochs.push(info.epoch);
    },
  });
  assert.deepEqual(epochs, [1, 2]);
  assert.equal(batches, 160);
  assert.equal(result.batchLoss.length, 160);
  assert.ok(result.loss[1] < result.loss[0], `loss falls: ${result.loss}`);
  assert.ok(result.testAccuracy[1]! > 0.85, `test accuracy ${result.testAccuracy}`);
  assert.equal(result.testPredictions!.length, 2000);
  assert.deepEqual(result.weights.map((w) => w.shape), [[64, 256], [10, 64]]);
  // The last test loss against tfjs's own softmax cross-entropy on the returned weights (examples in rows).
  const reference = tf.tidy(() => {
    const [l1, l2] = result.weights;
    const x = tf.tensor2d(digits.test.x, [digits.test.n, 256]);
    const h = tf.relu(tf.add(tf.matMul(x, tf.tensor2d(l1.W, l1.shape), false, true), tf.tensor1d(l1.b)));
    const logits = tf.add(tf.matMul(h, tf.tensor2d(l2.W, l2.shape), false, true), tf.tensor1d(l2.b));
    const labels = tf.oneHot(tf.tensor1d(digits.test.y, "int32"), 10);
    return tf.losses.softmaxCrossEntropy(labels, logits).dataSync()[0]; // mean over the examples
  });
  assert.equal(result.testLoss.length, 2);
  assert.ok(
    Math.abs(result.testLoss[1]! - reference) < 1e-4,
    `test loss ${result.testLoss[1]} vs tfjs ${reference}`,
  );
});

Deno.test("trainTf is reproducible: same seed, same numbers", async () => {
  const split = randomSplit(250, 16, 4, 3);
  const options = { sizes: [16, 12, 4], eta: 0.3, batchSize: 32, epochs: 3, seed: 5 };
  const a = await trainTf({ train: split, test: split }, options);
  const b = await trainTf({ train: split, test: split }, options);
  assert.deepEqual(a.batchLoss, b.batchLoss);
  assert.deepEqual(a.testAccuracy, b.testAccuracy);
  assert.deepEqual(a.weights, b.weights);
  const c = await trainTf({ train: split }, { ...options, seed: 6 });
  assert.notDeepEqual(c.batchLoss, a.batchLoss);
});

Deno.test("trainTf leaves no tensor behind, also when it throws", async () => {
  const split = randomSplit(60, 8, 3, 4);
  const before = tf.memory().numTensors;
  await trainTf({ train: split, test: split }, { sizes: [8, 6, 3], eta: 0.1, batchSize: 7, epochs: 2 });
  await trainTf({ train: split }, { sizes: [8, 6, 3], optimizer: "adam", eta: 0.1, batchSize: 7, epochs: 2 });
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(() =>
    trainTf({ train: split }, {
      sizes: [8, 6, 3],
      eta: 0.1,
      batchSize: 7,
      onBatch: ({ step }) => {
        if (step === 3) throw new Error("stop");
      },
    }), /stop/);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("trainTf reports divergence with the epoch and batch where the loss became NaN or infinite", async () => {
  const split = randomSplit(200, 8, 3, 5);
  const before = tf.memory().numTensors;
  await assert.rejects(
    () =>
      trainTf({ train: split }, {
        sizes: [8, 30, 30, 3],
        hidden: "relu",
        eta: 1e30,
        batchSize: 10,
        epochs: 3,
      }),
    /trainTf diverged: the loss became (NaN|Infinity) at epoch \d+ of 3, mini-batch \d+ of \d+ \(eta = 1e\+30\)\..* try eta = 1e\+29\./,
  );
  assert.equal(tf.memory().numTensors, before);
  // The same facts as fields, for code that must not read the (translated) message.
  const error = await trainTf({ train: split }, {
    sizes: [8, 30, 30, 3],
    hidden: "relu",
    eta: 1e30,
    batchSize: 10,
    epochs: 3,
  })
    .catch((e) => e);
  assert.ok(error instanceof DivergenceError, String(error));
  assert.equal(error.who, "trainTf");
  assert.equal(error.divergence.kind, "loss");
  assert.ok(!Number.isFinite((error.divergence as { value: number }).value));
  assert.equal(error.at.epochs, 3);
  assert.equal(error.at.steps, 20);
  assert.ok(error.at.epoch >= 1 && error.at.step! >= 1 && error.at.step! <= 20, JSON.stringify(error.at));
  assert.deepEqual([error.eta, error.smaller], [1e30, 1e29]);
  assert.deepEqual(
    JSON.parse(JSON.stringify(error)).at,
    error.at,
    "the fields are data (a notebook's values show them)",
  );
});

Deno.test("trainTf reports a learning rate so large that the loss stays finite but huge (saturated)", async () => {
  const digits = await loadDigits();
  const train: Split = {
    x: digits.train.x.subarray(0, 1000 * 256),
    y: digits.train.y.subarray(0, 1000),
    n: 1000,
  };
  const before = tf.memory().numTensors;
  await assert.rejects(
    () => trainTf({ train }, { sizes: [256, 30, 10], eta: 50, epochs: 3, seed: 1 }),
    /trainTf diverged: the mean loss per example stayed above 8\.06, .* at epoch 2 of 3 \(eta = 50\)\..*a random guess scores ln 10 = 2\.30/,
  );
  assert.equal(tf.memory().numTensors, before);
  // A sensible learning rate on the same data is not reported.
  const ok = await trainTf({ train }, { sizes: [256, 30, 10], eta: 0.5, epochs: 2, seed: 1 });
  assert.ok(ok.loss[1] < Math.log(10), `loss ${ok.loss}`);
});

Deno.test("trainTf rejects bad input with an error naming it", async () => {
  const split = randomSplit(10, 4, 3, 6);
  const ok = { sizes: [4, 5, 3], eta: 0.1 };
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ eta: 0 }, /learning rate eta must be a positive finite number, got 0/],
    [{ eta: -1 }, /positive finite number, got -1/],
    [{ eta: NaN }, /got NaN/],
    [{ eta: Infinity }, /got Infinity/],
    [{ sizes: [5, 5, 3] }, /10 x 5 = 50 inputs \(sizes\[0\] = 5\).*got 40 inputs/],
    [{ sizes: [4] }, /at least 2 layer sizes/],
    [{ sizes: [4, 2.5, 3] }, /sizes\[1\] must be a whole number >= 1, got 2.5/],
    [{ sizes: [4, 5, 2] }, /label 2 at \d+ is outside 0..1/],
    [{ hidden: "softsign" }, /hidden must be one of "sigmoid", "relu", "tanh", got softsign/],
    [{ optimizer: "rmsprop" }, /optimizer must be "sgd" or "adam"/],
    [{ epochs: 0 }, /epochs must be a whole number >= 1/],
    [{ batchSize: 0 }, /batchSize must be a whole number >= 1/],
    [{ initial: randomWeights([4, 6, 3], 1) }, /initial\[0\] should be W 5 x 4 and b 5, got W 6 x 4/],
  ];
  for (const [change, message] of bad) {
    await assert.rejects(
      () => trainTf({ train: split }, { ...ok, ...change } as typeof ok),
      message,
      JSON.stringify(change),
    );
  }
  const poisoned = { ...split, x: split.x.map((v, i) => (i === 13 ? NaN : v)) };
  await assert.rejects(() => trainTf({ train: poisoned }, ok), /training input 13 \(example 3\) is NaN/);
  await assert.rejects(
    () => trainTf({ train: { x: new Float32Array(0), y: new Uint8Array(0), n: 0 } }, ok),
    /empty/,
  );
});

Deno.test("firstNotFinite: the index of the first NaN or infinity, else -1", () => {
  assert.equal(firstNotFinite(new Float32Array([1, 2, 3])), -1);
  assert.equal(firstNotFinite([0, Infinity, NaN]), 1);
  assert.equal(firstNotFinite(new Float64Array([0, 1, NaN])), 2);
  assert.equal(firstNotFinite([]), -1);
});
