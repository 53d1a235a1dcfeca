/**
 * The network against independent references: the lecture's numbers, float64 finite differences computed
 * by a separate float64 forward pass written here, and tfjs autodiff (tf.grads) on random networks.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertClose } from "./assert.ts";
import { Matrix } from "../lib/matrix.ts";
import { Network, type Output } from "../lib/network.ts";
import type { Hidden } from "../lib/training.ts";
import { randn, type Rng, rng } from "../lib/random.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

const LECTURE = [
  { W: [[1, -2], [-1, 1]], b: [1, 0] },
  { W: [[2, -1], [-2, -1]], b: [0, 0] },
  { W: [[3, -1], [-1, 4]], b: [-2, 2] },
];

Deno.test("network: the lecture's worked example, layer by layer, to two decimals", () => {
  const net = Network.fromWeights(LECTURE, { hidden: "sigmoid", output: "sigmoid" });
  const slides = [
    { x: [1, -1], layers: [[0.98, 0.12], [0.86, 0.11], [0.62, 0.83]] },
    { x: [0, 0], layers: [[0.73, 0.5], [0.72, 0.12], [0.51, 0.85]] },
  ];
  for (const { x, layers } of slides) {
    const { a } = net.forward(Matrix.column(x));
    assert.equal(a.length, 4);
    layers.forEach((expected, k) => assertClose(a[k + 1].data, expected, 0.005, `[${x}] layer ${k + 1}`));
    assertClose(net.feedforward(x).data, layers[2], 0.005);
  }
  // Both inputs at once, one per column: the same numbers.
  const Y = net.feedforward(Matrix.from([[1, 0], [-1, 0]]));
  assertClose(Y.toArray().flat(), [0.62, 0.51, 0.83, 0.85], 0.005);
  assert.deepEqual(net.sizes, [2, 2, 2, 2]);
  assert.equal(net.L, 3);
});

/** A random network given as plain arrays: layers[l] = {W, b}, for both the lib and the references. */
interface Case {
  layers: { W: number[][]; b: number[] }[];
  hidden: Hidden;
  output: Output;
  X: number[][]; // one example per column, like the lib
  labels: number[];
}

/** Random float32-representable values (the lib stores float32; the references get the same numbers). */
function randomCase(r: Rng, t: number): Case {
  const depth = 1 + (t % 4); // every depth 1-4 in turn
  const sizes = Array.from({ length: depth + 1 }, () => 1 + Math.floor(r() * 6));
  sizes[depth] = 2 + Math.floor(r() * 4); // 2-5 classes
  const f = (v: number) => Math.fround(v);
  const layers = sizes.slice(1).map((n, k) => ({
    W: Array.from(
      { length: n },
      () => Array.from({ length: sizes[k] }, () => f(1.5 * randn(r) / Math.sqrt(sizes[k]))),
    ),
    b: Array.from({ length: n }, () => f(0.5 * randn(r))),
  }));
  const N = 1 + Math.floor(r() * 5);
  return {
    layers,
    hidden: (["sigmoid", "relu", "tanh"] as const)[Math.floor(t / 4) % 3],
    output: Math.floor(t / 8) % 2 === 0 ? "softmax" : "sigmoid",
    X: Array.from({ length: sizes[0] }, () => Array.from({ length: N }, () => f(randn(r)))),
    labels: Array.from({ length: N }, () => Math.floor(r() * sizes[depth])),
  };
}

/** The total loss L in float64, written independently: one example at a time, plain loops. */
function lossF64(c: Case): number {
  let L = 0;
  for (let n = 0; n < c.labels.length; n++) {
    let a = c.X.map((row) => row[n]);
    let z: number[] = [];
    c.layers.forEach(({ W, b }, k) => {
      z = W.map((w, i) => w.reduce((s, wij, j) => s + wij * a[j], b[i]));
      const last = k === c.layers.length - 1;
      const sigma = {
        relu: (v: number) => Math.max(0, v),
        sigmoid: (v: number) => 1 / (1 + Math.exp(-v)),
        tanh: Math.tanh,
      }[c.hidden];
      a = last ? z : z.map(sigma);
    });
    const zy = z[c.labels[n]];
    if (c.output === "softmax") {
      const m = Math.max(...z);
      L += Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) + m - zy; // -ln softmax(z)_y
    } else {
      L += Math.log1p(Math.exp(-zy)); // -ln sigma(z_y)
    }
  }
  return L;
}

/** Central differences dL/dp = (L(p + h) - L(p - h)) / 2h for every weight and bias, in float64. */
function finiteDifferences(c: Case, h = 1e-5): { dW: number[][]; db: number[][] } {
  const d = (get: () => number, put: (v: number) => void) => {
    const p = get();
    put(p + h);
    const up = lossF64(c);
    put(p - h);
    const down = lossF64(c);
    put(p);
    return (up - down) / (2 * h);
  };
  return {
    dW: c.layers.map(({ W }) => W.flatMap((row) => row.map((_, j) => d(() => row[j], (v) => (row[j] = v))))),
    db: c.layers.map(({ b }) => b.map((_, i) => d(() => b[i], (v) => (b[i] = v)))),
  };
}

/** The gradient by tfjs autodiff, in tfjs's own row convention (one example per ROW: h = x W^T + b). */
function tfGradients(c: Case): { dW: number[][]; db: number[][] } {
  return tf.tidy(() => {
    const params = c.layers.flatMap(({ W, b }) => [tf.tensor2d(W), tf.tensor1d(b)]);
    const xRows = tf.tensor2d(c.X).transpose();
    const classes = c.layers[c.layers.length - 1].b.length;
    const yhat = tf.oneHot(tf.tensor1d(c.labels, "int32"), classes);
    const loss = (...p: tf.Tensor[]) => {
      let a: tf.Tensor = xRows;
      for (let k = 0; k < c.layers.length; k++) {
        const z = tf.add(tf.matMul(a, p[2 * k] as tf.Tensor2D, false, true), p[2 * k + 1]);
        a = k < c.layers.length - 1 ? { relu: tf.relu, sigmoid: tf.sigmoid, tanh: tf.tanh }[c.hidden](z) : z;
      }
      // ln sigma(z) = -softplus(-z). (tf.logSigmoid itself fails under tf.grads in tfjs 4.22: a disposed tensor.)
      const logY = c.output === "softmax" ? tf.logSoftmax(a) : tf.neg(tf.softplus(tf.neg(a)));
      return tf.neg(tf.sum(tf.mul(yhat, logY))) as tf.Scalar;
    };
    const grads = tf.grads(loss)(params);
    return {
      dW: c.layers.map((_, k) => Array.from(grads[2 * k].dataSync())),
      db: c.layers.map((_, k) => Array.from(grads[2 * k + 1].dataSync())),
    };
  });
}

/** max_i |g_i - ref_i| / max_i |ref_i|: the error relative to the size of that layer's gradient. */
function relativeError(g: ArrayLike<number>, ref: ArrayLike<number>): number {
  let err = 0, size = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(g[i] - ref[i]));
    size = Math.max(size, Math.abs(ref[i]));
  }
  return size === 0 ? err : err / Math.max(size, 1e-7);
}

function compare(c: Case, ref: { dW: number[][]; db: number[][] }, what: string, tolerance: number): number {
  const net = Network.fromWeights(c.layers, { hidden: c.hidden, output: c.output });
  const grad = net.backprop(Matrix.from(c.X), c.labels);
  let worst = 0;
  c.layers.forEach((_, k) => {
    worst = Math.max(
      worst,
      relativeError(grad.dW[k].data, ref.dW[k]),
      relativeError(grad.db[k].data, ref.db[k]),
    );
    assert.deepEqual(grad.dW[k].shape, net.W[k].shape);
    assert.deepEqual(grad.db[k].shape, net.b[k].shape);
  });
  const where = `${what}: sizes ${
    net.sizes.join("-")
  }, ${c.hidden} hidden, ${c.output} output, N = ${c.labels.length}`;
  assert(worst < tolerance, `${where}: relative error ${worst}`);
  // The loss backprop reports is the lib's float32 forward; it must match the float64 reference too.
  assertClose(grad.loss, lossF64(c), 1e-4 * Math.max(1, lossF64(c)), where);
  return worst;
}

Deno.test("backprop: 64 random networks agree with float64 central differences (rel. error < 1e-3)", () => {
  const r = rng(31);
  let worst = 0;
  const kinds = new Set<string>();
  for (let t = 0; t < 64; t++) {
    const c = randomCase(r, t);
    kinds.add(`${c.layers.length} ${c.hidden} ${c.output}`);
    worst = Math.max(worst, compare(c, finiteDifferences(c), `case ${t}`, 1e-3));
  }
  assert.equal(kinds.size, 24, "every depth 1-4 x hidden x output combination");
  assert(worst < 1e-3, `worst ${worst}`);
});

Deno.test("backprop: 64 random networks agree with tfjs autodiff tf.grads (rel. error < 1e-3)", () => {
  const r = rng(32);
  for (let t = 0; t < 64; t++) {
    const c = randomCase(r, t);
    compare(c, tfGradients(c), `case ${t}`, 1e-3);
  }
});

Deno.test("backprop: the all-sigmoid lecture network's output delta is -yhat (1 - y)", () => {
  const net = Network.fromWeights(LECTURE, { output: "sigmoid" });
  const x = [1, -1];
  const { a } = net.forward(x);
  const grad = net.backprop(x, [1]);
  // dL/db^3 = delta^3 for one example: label 1, so delta = [-0 (1 - y_0), -1 (1 - y_1)].
  assertClose(grad.db[2].data, [0, -(1 - a[3].data[1])], 1e-7);
  const c: Case = { layers: LECTURE, hidden: "sigmoid", output: "sigmoid", X: [[1], [-1]], labels: [1] };
  compare(c, finiteDifferences(c), "lecture", 1e-4);
});

Deno.test("Network.random: seeded, N(0, 1) / sqrt(n_in) weights, zero biases", () => {
  const a = Network.random([30, 200, 10], { seed: 3 }), b = Network.random([30, 200, 10], { seed: 3 });
  assert.deepEqual(a.W[0].data, b.W[0].data);
  assert.notDeepEqual(a.W[0].data, Network.random([30, 200, 10], { seed: 4 }).W[0].data);
  assert.deepEqual(a.W.map((W) => W.shape), [[200, 30], [10, 200]]);
  assert.deepEqual(a.b.map((b) => b.shape), [[200, 1], [10, 1]]);
  const w = a.W[0].data;
  const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
  assert(Math.abs(variance - 1 / 30) < 0.1 / 30, `variance ${variance}, expected 1/30`);
  assert(a.b.every((b) => b.data.every((v) => v === 0)));
  assert.equal(a.hidden, "sigmoid");
  assert.equal(a.output, "softmax");
  assert.equal(Network.random([2, 3], { seed: 1, hidden: "relu", output: "sigmoid" }).output, "sigmoid");
});

/** Three seeded Gaussian blobs in 2-D, one example per column. */
function blobs(seed: number, perClass: number): { X: Matrix; labels: number[] } {
  const r = rng(seed);
  const centres = [[-2, 0], [2, 0], [0, 2.5]];
  const labels = Array.from({ length: 3 * perClass }, (_, n) => n % 3);
  const X = new Matrix(2, labels.length);
  labels.forEach((c, n) => {
    X.set(0, n, centres[c][0] + 0.7 * randn(r));
    X.set(1, n, centres[c][1] + 0.7 * randn(r));
  });
  return { X, labels };
}

Deno.test("SGD: lowers the loss on a seeded problem, reproducibly, and awaits its callbacks", async () => {
  const { X, labels } = blobs(1, 40);
  const net = Network.random([2, 8, 3], { seed: 5 });
  const before = net.loss(X, labels) / labels.length;
  const events: string[] = [];
  const epochLosses: number[] = [];
  const history = await net.SGD(X, labels, {
    epochs: 15,
    batchSize: 16,
    eta: 0.5,
    seed: 9,
    onBatch: async ({ epoch, step, steps }) => {
      await new Promise((resolve) => setTimeout(resolve, 0)); // async, like a progress bar update
      events.push(`b${epoch}.${step}/${steps}`);
    },
    onEpoch: ({ epoch, epochs, loss }) => {
      events.push(`e${epoch}/${epochs}`);
      epochLosses.push(loss);
    },
  });
  const { loss } = history;
  assert.equal(loss.length, 15);
  assert.equal(history.stopped, null);
  assert.deepEqual(epochLosses, loss);
  assert.equal(history.batchLoss.length, 15 * 8);
  assert(history.batchLoss.every(Number.isFinite));
  // The epoch's loss is the mean C per example over its batches (the last batch has 8 examples, not 16).
  const sizes = [16, 16, 16, 16, 16, 16, 16, 8];
  const firstEpoch = history.batchLoss.slice(0, 8).reduce((s, l, k) => s + l * sizes[k], 0) / 120;
  assertClose(loss[0], firstEpoch, 1e-9);
  assert.equal(history.testLoss[0], null);
  assert.equal(events.length, 15 * (8 + 1)); // 120 examples / 16 = 8 batches (the last one has 8)
  assert.deepEqual(events.slice(0, 9), [...Array.from({ length: 8 }, (_, k) => `b1.${k + 1}/8`), "e1/15"]);
  const after = net.loss(X, labels) / labels.length;
  assert(after < 0.3 * before, `loss per example ${before} -> ${after}`);
  assert(loss[14] < 0.5 * loss[0], `history ${loss}`);
  assert(net.accuracy(X, labels) > 0.9, `accuracy ${net.accuracy(X, labels)}`);

  // Same seeds: identical losses and weights. Another shuffling seed: different losses.
  const again = Network.random([2, 8, 3], { seed: 5 });
  assert.deepEqual((await again.SGD(X, labels, { epochs: 15, batchSize: 16, eta: 0.5, seed: 9 })).loss, loss);
  assert.deepEqual(again.W[0].data, net.W[0].data);
  const other = Network.random([2, 8, 3], { seed: 5 });
  assert.notDeepEqual(
    (await other.SGD(X, labels, { epochs: 15, batchSize: 16, eta: 0.5, seed: 10 })).loss,
    loss,
  );

  // ReLU hidden layers learn too.
  const reluNet = Network.random([2, 8, 3], { seed: 5, hidden: "relu" });
  const relu = (await reluNet.SGD(X, labels, { epochs: 15, batchSize: 16, eta: 0.2, seed: 9 })).loss;
  assert(relu[14] < 0.5 * relu[0], `relu history ${relu}`);
});

Deno.test("SGD: accuracy and the test set per epoch, against the network's own forward pass", async () => {
  const { X, labels } = blobs(1, 40);
  const test = blobs(2, 20);
  const net = Network.random([2, 8, 3], { seed: 5 });
  const reports: { testLoss: number | null; testAccuracy: number | null }[] = [];
  const history = await net.SGD(X, labels, {
    epochs: 3,
    batchSize: 120, // one batch per epoch: its accuracy is the network's before the epoch's step
    eta: 0.5,
    test,
    onEpoch: ({ testLoss, testAccuracy }) => void reports.push({ testLoss, testAccuracy }),
  });
  // After the last epoch the test numbers are those of the trained network.
  assertClose(history.testLoss[2]!, net.loss(test.X, test.labels) / test.labels.length, 1e-9);
  assert.equal(history.testAccuracy[2], net.accuracy(test.X, test.labels));
  assert.deepEqual(reports.map((r) => r.testAccuracy), history.testAccuracy);
  // Training accuracy of epoch 1 = the accuracy of the untouched network (measured before the step).
  const fresh = Network.random([2, 8, 3], { seed: 5 });
  assert.equal(history.accuracy[0], fresh.accuracy(X, labels));
});

Deno.test("step: W <- W - eta dW, checked", () => {
  const net = Network.fromWeights([{ W: [[1, 2]], b: [3] }], { output: "sigmoid" });
  net.step({ dW: [Matrix.from([[10, -10]])], db: [Matrix.column([1])] }, 0.1);
  assertClose(net.W[0].data, [0, 3], 1e-6);
  assertClose(net.b[0].data, [2.9], 1e-6);
  assert.throws(
    () => net.step({ dW: [Matrix.zeros(2, 1)], db: [Matrix.zeros(1, 1)] }, 0.1),
    /step: layer 1: dW\^1 is \(2 x 1\) .* but W\^1 is \(1 x 2\)/,
  );
  assert.throws(() => net.step({ dW: [], db: [] }, 0.1), /dW and db for each of the 1 layers/);
  for (const eta of [0, -1, NaN, Infinity]) {
    assert.throws(
      () => net.step({ dW: [Matrix.zeros(1, 2)], db: [Matrix.zeros(1, 1)] }, eta),
      /positive finite/,
    );
  }
});

Deno.test("SGD: a far too large learning rate is caught, naming the epoch and mini-batch", async () => {
  const { X, labels } = blobs(2, 20);
  const net = Network.random([2, 16, 16, 3], { seed: 1, hidden: "relu" });
  await assert.rejects(
    () => net.SGD(X, labels, { epochs: 50, batchSize: 10, eta: 1e30, seed: 0 }),
    /SGD diverged: the (loss|weights) became .* at epoch \d+ of 50, mini-batch \d+ of 6 \(eta = 1e\+30\)/,
  );
  for (const eta of [0, -0.1, NaN, Infinity, "0.1" as unknown as number]) {
    await assert.rejects(
      () => net.SGD(X, labels, { epochs: 1, batchSize: 10, eta }),
      /SGD: the learning rate eta must be a positive finite number/,
    );
  }
  await assert.rejects(() => net.SGD(X, labels, { epochs: 0, batchSize: 10, eta: 0.1 }), /epochs must be/);
  // Matrix's constructor and set() refuse NaN; writing into .data is the one way left to smuggle it in.
  const poisoned = new Matrix(2, 60, X.data.slice());
  poisoned.data[1 * 60 + 7] = NaN;
  await assert.rejects(
    () => net.SGD(poisoned, labels, { epochs: 1, batchSize: 10, eta: 0.1 }),
    /SGD: X holds NaN at row 1, column 7: expected finite numbers/,
  );
  await assert.rejects(
    () => net.SGD(X, labels, { epochs: 1, batchSize: 0.5, eta: 0.1 }),
    /batchSize must be/,
  );
  await assert.rejects(
    () => net.SGD(X, labels.slice(1), { epochs: 1, batchSize: 10, eta: 0.1 }),
    /59 labels for 60/,
  );
});

Deno.test("network: bad input is rejected with the shapes involved", () => {
  const net = Network.fromWeights(LECTURE);
  assert.throws(
    () => net.feedforward(Matrix.zeros(3, 5)),
    /input is \(3 x 5\) but the network takes 2 inputs/,
  );
  assert.throws(() => net.feedforward([1, 2, 3]), /\(3 x 1\)/);
  assert.throws(() => net.backprop(Matrix.zeros(2, 2), [0, 2]), /label 2 \(example 1\).*0 to 1/);
  assert.throws(() => net.backprop(Matrix.zeros(2, 2), [0]), /1 labels for 2 examples/);
  assert.throws(() => net.backprop(Matrix.zeros(2, 0), []), /empty batch/);
  assert.throws(() => net.loss(Matrix.zeros(2, 1), [1.5]), /label 1.5/);
  assert.throws(
    () => Network.fromWeights([{ W: [[1, 2]], b: [0] }, { W: [[1, 2]], b: [0] }]),
    /layer 1 has 1 neurons, so W\^2 needs 1 columns .* got \(1 x 2\)/,
  );
  assert.throws(
    () => Network.fromWeights([{ W: [[1, 2], [3, 4]], b: [0] }]),
    /b\^1 must be \(2 x 1\), got \(1 x 1\)/,
  );
  assert.throws(() => Network.fromWeights([{ W: [[1, 2], [3]], b: [0, 0] }]), /ragged rows/);
  assert.throws(() => Network.fromWeights([{ W: [[1, NaN]], b: [0] }]), /NaN/);
  assert.throws(() => Network.fromWeights([]), /list of layers/);
  assert.throws(() => Network.random([3], { seed: 1 }), /at least 2 layer sizes/);
  assert.throws(() => Network.random([3, 0], { seed: 1 }), /at least 2 layer sizes/);
  assert.throws(() => Network.random([3, 2], { seed: 1.5 }), /give an integer seed .* got seed 1.5/);
  assert.throws(
    () => Network.random([3, 2], { seed: 1, hidden: "softsign" as Hidden }),
    /hidden must be one of "sigmoid", "relu", "tanh", got softsign/,
  );
  assert.throws(
    () => Network.random([3, 2], { seed: 1, output: "linear" as Output }),
    /output must be "softmax"/,
  );
  assert.throws(() => Network.random([3, 2], { seed: 1, hidden: "toString" as Hidden }), /hidden must be/);
});

Deno.test("SGD: a test set whose outputs overflow to NaN is reported as divergence, not as a loss error", async () => {
  // Weights that are finite but huge: z = W x overflows float32 on a test input far outside the training data.
  const net = Network.fromWeights([{ W: [[1e30, 0], [0, 0]], b: [0, 0] }]); // z = 1e40 is Infinity in float32
  const X = Matrix.from([[0, 0], [0, 0]]);
  await assert.rejects(
    () =>
      net.SGD(X, [0, 1], {
        epochs: 1,
        batchSize: 2,
        eta: 1e-30,
        test: { X: Matrix.from([[1e10], [0]]), labels: [0] },
      }),
    /SGD diverged: the outputs on the test set became NaN at epoch 1 of 1/,
  );
});
