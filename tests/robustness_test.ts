/**
 * Issue 7 in one place: every kind of bad input a learner is likely to type, tried against the library,
 * and the error asserted to say what was wrong AND what was expected. Then the numerical edge cases
 * (logits of +-1e4, saturated sigmoids) and divergence (a learning rate far too large).
 *
 * Expectations are written here by hand (the message a learner should read, the value a formula gives),
 * never taken from the code's own output.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertClose } from "./assert.ts";
import {
  add,
  argmaxCols,
  hadamard,
  map,
  matmul,
  Matrix,
  scale,
  selectColumns,
  sub,
  transpose,
} from "../lib/matrix.ts";
import { sigmoid, sigmoidPrime, sigmoidScalar, softmax } from "../lib/activations.ts";
import { accuracy, crossEntropy, oneHot, totalLoss } from "../lib/loss.ts";
import { EPSILON } from "../lib/training.ts";
import { Network } from "../lib/network.ts";
import { randn, rng, shuffle } from "../lib/random.ts";
import { check } from "../lib/exercise.ts";
import { type BackendName, parseBackendName, setupBackend } from "../lib/backend.ts";
import { holdOut, loadDigits, type Split } from "../lib/data.ts";
import { trainTf } from "../lib/train.ts";
import { structureName, structureSizes, successiveHalving } from "../lib/search.ts";
import { trainModel } from "../lib/train_model.ts";

/** A bad call and the message it must give: a regular expression naming the problem and the expectation. */
type Case = [what: string, run: () => unknown, message: RegExp];

/** Runs every case; each must throw (or reject) an Error whose message matches. */
async function expectErrors(cases: Case[]): Promise<void> {
  for (const [what, run, message] of cases) {
    let error: unknown;
    try {
      await run();
    } catch (err) {
      error = err;
    }
    assert(
      error instanceof Error,
      `${what}: expected an Error, got ${error === undefined ? "no error" : error}`,
    );
    assert(!(error instanceof TypeError), `${what}: a raw TypeError does not teach: ${error.message}`);
    assert.match(error.message, message, what);
  }
}

/** A matrix with NaN written straight into its data: the one way past the constructor's and set's checks. */
function withNaN(rows: number, cols: number, at: number, value = NaN): Matrix {
  const m = Matrix.zeros(rows, cols);
  m.data[at] = value;
  return m;
}

const LECTURE = [
  { W: [[1, -2], [-1, 1]], b: [1, 0] },
  { W: [[2, -1], [-2, -1]], b: [0, 0] },
  { W: [[3, -1], [-1, 4]], b: [-2, 2] },
];
const any = (v: unknown) => v as never; // a learner's wrong type, past the type checker

await setupBackend("cpu"); // for tf.memory(); trainTf refuses bad input before it touches tfjs anyway

Deno.test("robustness: mismatched shapes name both shapes and the rule", async () => {
  const A = Matrix.zeros(2, 3);
  const net = Network.fromWeights(LECTURE);
  await expectErrors([
    [
      "matmul (2 x 3)(2 x 3)",
      () => matmul(A, A),
      /cannot multiply \(2 x 3\) by \(2 x 3\): columns of A \(3\) must equal rows of B \(2\)/,
    ],
    [
      "add (2 x 3) + (3 x 2)",
      () => add(A, Matrix.zeros(3, 2)),
      /\(2 x 3\) and \(3 x 2\).*B must be \(2 x 3\)/,
    ],
    ["add a bias of the wrong length", () => add(A, Matrix.zeros(3, 1)), /\(3 x 1\).*a column \(2 x 1\)/],
    ["sub (2 x 3) - (2 x 2)", () => sub(A, Matrix.zeros(2, 2)), /\(2 x 3\) and \(2 x 2\).*must be \(2 x 3\)/],
    ["hadamard", () => hadamard(A, Matrix.zeros(3, 2)), /\(2 x 3\) and \(3 x 2\); they must be equal/],
    ["Matrix with too few values", () => new Matrix(2, 2, [1, 2, 3]), /2 x 2 matrix needs 4 values, got 3/],
    ["Matrix.fromRows", () => Matrix.fromRows(new Float32Array(5), 2, 3), /2 x 3 needs 6 values, got 5/],
    ["selectColumns", () => selectColumns(A, [0, 3]), /index 3 \(position 1\) is outside .* \(0 to 2\)/],
    [
      "feedforward (3 x 5) into 2 inputs",
      () => net.feedforward(Matrix.zeros(3, 5)),
      /input is \(3 x 5\) but the network takes 2 inputs: X must be \(2 x N\)/,
    ],
    [
      "feedforward of rows instead of columns",
      () => net.feedforward([[1, -1], [0, 0], [2, 2]]),
      /input is \(3 x 2\) .* X must be \(2 x N\), one example per column/,
    ],
    ["labels for fewer examples", () => net.backprop(Matrix.zeros(2, 3), [0, 1]), /2 labels for 3 examples/],
    [
      "layers that do not chain",
      () => Network.fromWeights([{ W: [[1, 2]], b: [0] }, { W: [[1, 2]], b: [0] }]),
      /layer 1 has 1 neurons, so W\^2 needs 1 columns .* got \(1 x 2\)/,
    ],
    [
      "bias of the wrong length",
      () => Network.fromWeights([{ W: [[1], [2]], b: [0] }]),
      /b\^1 must be \(2 x 1\)/,
    ],
    [
      "a gradient of another network",
      () => net.step({ dW: [Matrix.zeros(3, 2), ...net.W.slice(1)], db: net.b }, 0.1),
      /dW\^1 is \(3 x 2\) .* but W\^1 is \(2 x 2\)/,
    ],
  ]);
});

Deno.test("robustness: ragged nested arrays and wrong kinds of input are named", async () => {
  const net = Network.fromWeights(LECTURE);
  await expectErrors([
    ["ragged rows", () => Matrix.from([[1, 2], [3]]), /ragged rows: row 1 has 1 values but row 0 has 2/],
    ["a missing row", () => Matrix.from(any([[1, 2], null])), /row 1 has no values but row 0 has 2/],
    [
      "a flat list to Matrix.from",
      () => Matrix.from(any([1, 2])),
      /expected an array of rows \(number\[\]\[\]\)/,
    ],
    ["ragged weights", () => Network.fromWeights([{ W: [[1, 2], [3]], b: [0, 0] }]), /ragged rows: row 1/],
    ["ragged input", () => net.feedforward([[1, 2], [3]]), /ragged rows: row 1 has 1 values but row 0 has 2/],
    ["nested column", () => Matrix.column(any([[1], [2]])), /finite number at entry 0, got an array \[1\]/],
    ["no input at all", () => net.feedforward(any(undefined)), /X must be a Matrix \(2 x N/],
    [
      "a layer without b",
      () => Network.fromWeights(any([{ W: [[1]] }])),
      /layer 1 must be \{ W: number\[\]\[\]/,
    ],
    [
      "no seed",
      () => (Network.random as (s: number[]) => Network)([2, 3]),
      /give an integer seed .* \{ seed: 1 \}/,
    ],
    [
      "a nested list to matmul",
      () => matmul(any([[1]]), Matrix.zeros(1, 1)),
      /A must be a Matrix .* got an array/,
    ],
    ["map without a function", () => map(Matrix.zeros(1, 1), any(2)), /f must be a function/],
    ["sigmoidScalar of a string", () => sigmoidScalar(any("2")), /x must be a number, got string/],
    ["a seed that is not an integer", () => rng(1.5), /rng: the seed must be an integer, got 1.5/],
    [
      "shuffle of nothing",
      () => shuffle(any(undefined), rng(1)),
      /shuffle: expected an array, got undefined/,
    ],
    [
      "an exercise check without a hint",
      () => check("ex", 1, 1, any({})),
      /ex: check needs a hint to give on a wrong answer/,
    ],
  ]);
});

Deno.test("robustness: NaN and Infinity are stopped where they would enter training, naming where", async () => {
  const net = Network.fromWeights(LECTURE);
  const X = Matrix.from([[0, 1, 2], [1, 0, 1]]);
  const tfBefore = tf.memory().numTensors;
  const bad = { x: new Float32Array(3 * 256), y: Uint8Array.from([0, 1, 2]), n: 3 };
  bad.x[300] = NaN;
  await expectErrors([
    ["Matrix.from", () => Matrix.from([[1, NaN]]), /expected a finite number at row 0, column 1, got NaN/],
    ["new Matrix", () => new Matrix(1, 2, [1, Infinity]), /finite number at row 0, column 1, got Infinity/],
    ["Matrix.column", () => Matrix.column([0, -Infinity]), /finite number at entry 1, got -Infinity/],
    ["Matrix.fromRows", () => Matrix.fromRows([1, 2, NaN, 4], 2, 2), /finite number at row 1, column 0/],
    ["set", () => Matrix.zeros(2, 2).set(1, 1, NaN), /set: expected a finite number at \(1, 1\), got NaN/],
    ["scale", () => scale(X, Infinity), /finite number at the factor s, got Infinity/],
    [
      "feedforward",
      () => net.feedforward(withNaN(2, 3, 4)),
      /feedforward: X holds NaN at row 1, column 1: expected finite/,
    ],
    ["backprop", () => net.backprop(withNaN(2, 3, 0), [0, 1, 1]), /backprop: X holds NaN at row 0, column 0/],
    [
      "SGD data",
      () => net.SGD(withNaN(2, 3, 5, Infinity), [0, 1, 1], { epochs: 1, batchSize: 1, eta: 0.1 }),
      /SGD: X holds Infinity at row 1, column 2: expected finite numbers/,
    ],
    [
      "weights",
      () => new Network([withNaN(2, 2, 3), Matrix.zeros(1, 2)], [Matrix.zeros(2, 1), Matrix.zeros(1, 1)]),
      /W\^1 holds NaN at row 1, column 1: expected finite numbers/,
    ],
    ["crossEntropy", () => crossEntropy([0.5, NaN], 0), /y\[1\] is NaN, expected a probability in \[0, 1\]/],
    [
      "totalLoss",
      () => totalLoss(withNaN(2, 2, 1), [0, 1]),
      /row 0, column 1 \(example 1\) is NaN, expected a prob/,
    ],
    ["accuracy", () => accuracy(withNaN(3, 2, 5), [0, 1]), /Y holds NaN at row 2, column 1/],
    ["argmax", () => argmaxCols(withNaN(3, 2, 2)), /holds NaN at \(1, 0\), so no element is the largest/],
    // A classic slip: the logits z instead of the probabilities softmax(z).
    ["logits as y", () => crossEntropy([2.5, -1], 0), /y\[0\] is 2.5, expected a probability .* not z/],
    [
      "logits as Y",
      () => totalLoss(Matrix.from([[3], [-2]]), [0]),
      /is 3, expected a probability in \[0, 1\]/,
    ],
    [
      "trainTf data",
      () => trainTf({ train: bad }, { sizes: [256, 10], eta: 0.1 }),
      /input 300 \(example 1\) is NaN/,
    ],
  ]);
  assert.equal(tf.memory().numTensors, tfBefore, "a refused trainTf creates no tensor");
});

Deno.test("robustness: labels outside 0-9 name the label, its example and the range", async () => {
  const net = Network.random([4, 3, 10], { seed: 1 });
  const X = Matrix.zeros(4, 2);
  const split: Split = { x: new Float32Array(2 * 256), y: Uint8Array.from([3, 10]), n: 2 };
  await expectErrors([
    [
      "oneHot 10",
      () => oneHot([10]),
      /label 10 \(example 0\) is not a class index: expected a whole number 0 to 9/,
    ],
    ["oneHot -1", () => oneHot([1, -1]), /label -1 \(example 1\) .* 0 to 9/],
    ["oneHot 2.5", () => oneHot([2.5]), /label 2.5 .* expected a whole number 0 to 9/],
    ["oneHot '3'", () => oneHot(any(["3"])), /label 3 \(example 0\) is not a class index/],
    ["totalLoss", () => totalLoss(Matrix.from([[0.5], [0.5]]), [2]), /label 2 .* 0 to 1/],
    ["crossEntropy", () => crossEntropy(new Array(10).fill(0.1), 10), /label 10 .* 0 to 9/],
    ["network loss", () => net.loss(X, [0, 10]), /label 10 \(example 1\) .* 0 to 9/],
    ["network accuracy", () => net.accuracy(X, [-1, 0]), /label -1 \(example 0\) .* 0 to 9/],
    [
      "SGD",
      () => net.SGD(X, [0, 12], { epochs: 1, batchSize: 2, eta: 0.1 }),
      /SGD: label 12 \(example 1\) .* 0 to 9/,
    ],
    [
      "trainTf",
      () => trainTf({ train: split }, { sizes: [256, 10], eta: 0.1 }),
      /label 10 at 1 is outside 0\.\.9/,
    ],
  ]);
});

Deno.test("robustness: empty batches say there is nothing and what is needed", async () => {
  const net = Network.fromWeights(LECTURE);
  const empty: Split = { x: new Float32Array(0), y: new Uint8Array(0), n: 0 };
  await expectErrors([
    ["oneHot", () => oneHot([]), /empty batch: there are no labels \(need at least one\)/],
    [
      "totalLoss",
      () => totalLoss(Matrix.zeros(10, 0), []),
      /empty batch: Y is \(10 x 0\), need at least one column/,
    ],
    ["accuracy", () => accuracy(Matrix.zeros(10, 0), []), /empty batch: Y is \(10 x 0\), need at least one/],
    ["crossEntropy", () => crossEntropy([], 0), /y is empty: expected one probability per class/],
    [
      "backprop",
      () => net.backprop(Matrix.zeros(2, 0), []),
      /empty batch: there are no labels \(need at least one\)/,
    ],
    ["SGD", () => net.SGD(Matrix.zeros(2, 0), [], { epochs: 1, batchSize: 1, eta: 1 }), /SGD: empty batch/],
    ["softmax of no classes", () => softmax(Matrix.zeros(0, 3)), /a \(0 x 3\) matrix has no classes/],
    ["trainTf", () => trainTf({ train: empty }, { sizes: [256, 10], eta: 0.1 }), /the training set is empty/],
  ]);
});

Deno.test("robustness: a learning rate that is not a positive finite number is refused", async () => {
  const net = Network.fromWeights(LECTURE);
  const grad = net.backprop([1, -1], [0]);
  const X = Matrix.from([[1, 0], [0, 1]]);
  const split: Split = { x: new Float32Array(256), y: Uint8Array.from([1]), n: 1 };
  const cases: Case[] = [];
  for (const eta of [0, -0.1, NaN, Infinity, "0.1", undefined]) {
    const shown = typeof eta === "string" ? "0.1" : String(eta);
    const wanted = (f: string) =>
      new RegExp(`${f}: the learning rate .* must be a positive finite number, got ${shown}`);
    cases.push([`step eta ${shown}`, () => net.step(grad, any(eta)), wanted("step")]);
    cases.push([
      `SGD eta ${shown}`,
      () => net.SGD(X, [0, 1], { epochs: 1, batchSize: 1, eta: any(eta) }),
      wanted("SGD"),
    ]);
    if (eta !== undefined) {
      cases.push([
        `trainTf eta ${shown}`,
        () => trainTf({ train: split }, { sizes: [256, 2], eta: any(eta) }),
        wanted("trainTf"),
      ]);
    }
  }
  await expectErrors(cases);
  // Refused steps leave the weights as they were.
  assert.deepEqual(net.W[0].toArray(), LECTURE[0].W);
});

Deno.test("robustness: an unknown backend name lists the valid ones", async () => {
  const wanted = /unknown backend.*'(gpu|tpu|webgl)': expected one of webgpu, wasm, cpu/;
  const saved = Deno.env.get("COURSE_BACKEND");
  try {
    await expectErrors([
      ["parseBackendName", () => parseBackendName("tpu"), wanted],
      ["setupBackend", () => setupBackend("gpu" as BackendName), wanted],
      [
        "trainTf",
        () =>
          trainTf({ train: { x: new Float32Array(256), y: Uint8Array.from([0]), n: 1 } }, {
            sizes: [256, 2],
            eta: 0.1,
            backend: "webgl" as BackendName,
          }),
        wanted,
      ],
    ]);
    Deno.env.set("COURSE_BACKEND", "tpu");
    await expectErrors([[
      "COURSE_BACKEND=tpu",
      () => setupBackend(),
      /COURSE_BACKEND 'tpu': expected one of webgpu/,
    ]]);
  } finally {
    if (saved === undefined) Deno.env.delete("COURSE_BACKEND");
    else Deno.env.set("COURSE_BACKEND", saved);
  }
});

Deno.test("robustness: a corrupt data cache is rebuilt from the npm package, with a message", async () => {
  const reference = await loadDigits({ log: () => {} });
  const dir = await Deno.makeTempDir();
  try {
    const cacheFile = new URL(`file://${dir}/digits16.bin`);
    await Deno.writeTextFile(cacheFile, "not a cache: a learner's stray file");
    const messages: string[] = [];
    const digits = await loadDigits({ cacheFile, log: (m) => messages.push(m) });
    assert.equal(messages.length, 1);
    // What was wrong (which file, truncated or altered) and what happens (rebuilt from the package).
    assert.match(
      messages[0],
      /the digits file digits16\.bin: .*truncated or altered.*building it from the mnist package/,
    );
    assert.deepEqual(digits.train.y, reference.train.y);
    assert.deepEqual(digits.test.x, reference.test.x);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("numerics: softmax, cross-entropy and sigmoid stay finite for logits up to +-1e4 (and float32's limits)", () => {
  const big = 1e4, f32max = 3.4e38;
  // Column by column: [1e4, 1e4 - 1] is softmax([1, 0]) = [1, e^-1] / (1 + e^-1) (shift invariance).
  const z = Matrix.from([[big, -big, big, -f32max, f32max], [big - 1, big, -big, f32max, -f32max]]);
  const y = softmax(z);
  assert(y.data.every(Number.isFinite), String(y));
  const p = 1 / (1 + Math.exp(-1));
  assertClose(transpose(y).data, [p, 1 - p, 0, 1, 1, 0, 0, 1, 1, 0], 1e-7);
  // Cross-entropy: right by a mile costs 0, wrong by a mile the floor -ln(EPSILON) = 16.12, never Infinity.
  const L = totalLoss(y, [0, 1, 1, 1, 1]);
  assertClose(L, -Math.log(p) + 0 - Math.log(EPSILON) + 0 - Math.log(EPSILON), 1e-6);
  assertClose(-Math.log(EPSILON), 16.118, 1e-3);
  // Sigmoid saturates to exactly 0 and 1; its slope to 0; no NaN anywhere.
  const s = Matrix.from([[-f32max, -big, -1000, 0, 1000, big, f32max]]);
  assert.deepEqual(Array.from(sigmoid(s).data), [0, 0, 0, 0.5, 1, 1, 1]);
  assert.deepEqual(Array.from(sigmoidPrime(s).data), [0, 0, 0, 0.25, 0, 0, 0]);
  // A whole network with weights of 1e4 still gives probabilities and a finite loss (at most 16.12 each).
  const huge = Network.fromWeights([{ W: [[big, -big], [-big, big]], b: [0, 0] }, {
    W: [[big, 0], [0, big]],
    b: [0, 0],
  }]);
  const out = huge.feedforward(Matrix.from([[1, -1], [-1, 1]]));
  assert(out.data.every((v) => v >= 0 && v <= 1), String(out));
  const loss = huge.loss(Matrix.from([[1, -1], [-1, 1]]), [1, 0]);
  assert(Number.isFinite(loss) && loss <= 2 * -Math.log(EPSILON) + 1e-9, `loss ${loss}`);
  // relu networks with large inputs: float32 overflows to Infinity, which softmax turns to NaN; the
  // loss must then not pretend to be a number: backprop reports NaN (SGD names the step).
  const overflow = Network.fromWeights([{ W: [[1e38, 0], [0, 1]], b: [0, 0] }, {
    W: [[1e38, 0], [0, 1]],
    b: [0, 0],
  }], {
    hidden: "relu",
  });
  assert(Number.isNaN(overflow.backprop([1e3, 0], [1]).loss));
});

/** Gaussian blobs, one per class, in `dim` dimensions: an easy problem (one example per column). */
function blobs(classes: number, dim: number, n: number, seed: number): { X: Matrix; labels: number[] } {
  const r = rng(seed);
  const labels = Array.from({ length: n }, (_, k) => k % classes);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => 2 * randn(r)));
  const X = Matrix.zeros(dim, n);
  labels.forEach((c, k) => centres[c].forEach((m, i) => X.set(i, k, m + 0.5 * randn(r))));
  return { X, labels };
}

Deno.test("divergence: NaN or Infinity named with epoch and step; a network stuck saturated too", async () => {
  const { X, labels } = blobs(10, 8, 200, 7);
  // ReLU and a huge eta: the numbers overflow. The error names where, and suggests a smaller eta.
  await assert.rejects(
    () =>
      Network.random([8, 16, 10], { seed: 1, hidden: "relu" }).SGD(X, labels, {
        epochs: 10,
        batchSize: 10,
        eta: 300,
      }),
    /SGD diverged: the (loss|weights) became .* at epoch 1 of 10, mini-batch \d+ of 20 \(eta = 300\)\..* try eta = 30\./,
  );
  // Sigmoid and a huge eta: no NaN, the neurons saturate. Random labels cannot be learned, so the
  // network stays confidently wrong (about 0.9 x 16.1 per example): reported after two such epochs.
  const r = rng(99);
  const noise = labels.map(() => Math.floor(r() * 10));
  const stuck: number[] = [];
  await assert.rejects(
    () =>
      Network.random([8, 16, 10], { seed: 1 }).SGD(X, noise, {
        epochs: 10,
        batchSize: 10,
        eta: 1e4,
        onEpoch: ({ loss }) => void stuck.push(loss),
      }),
    /SGD diverged: the mean loss per example stayed above 8\.06, half the largest possible, reaching 1\d\.\d\d at epoch 2 of 10 \(eta = 10000\)\. The neurons saturated/,
  );
  assert.equal(stuck.length, 1, "epoch 1 reported, epoch 2 refused");
  assert(stuck[0] > -Math.log(EPSILON) / 2, `epoch 1: ${stuck[0]}`);
  // One saturated epoch is not enough: on the easy blobs the same kind of run recovers, and is left alone.
  const { loss: history } = await Network.random([8, 16, 10], { seed: 1 }).SGD(X, labels, {
    epochs: 10,
    batchSize: 10,
    eta: 1000,
    seed: 0,
  });
  assert(history[0] > -Math.log(EPSILON) / 2 && history[9] < 2, `history ${history}`);
  // Sensible training never comes near the threshold.
  const { loss: good } = await Network.random([8, 16, 10], { seed: 1 }).SGD(X, labels, {
    epochs: 5,
    batchSize: 10,
    eta: 0.5,
  });
  assert(good.every((v) => v < Math.log(10) + 0.5), `history ${good}`);
  // The tfjs side follows the same rule (its loss is not floored, so it grows far beyond 16.1).
  const tfBefore = tf.memory().numTensors;
  const randomSplit: Split = { x: new Float32Array(transpose(X).data), y: Uint8Array.from(noise), n: 200 };
  await assert.rejects(
    () => trainTf({ train: randomSplit }, { sizes: [8, 16, 10], eta: 1e4, batchSize: 10, epochs: 10 }),
    /trainTf diverged: the mean loss per example stayed above 8\.06, half the largest possible, reaching \S+ at epoch 2 of 10 \(eta = 10000\)\..* try eta = 1000\./,
  );
  assert.equal(tf.memory().numTensors, tfBefore);
  // A single step that would blow the weights up is refused and the weights are kept.
  const net = Network.fromWeights(LECTURE);
  const before = net.W.map((W) => W.toArray());
  const grad = { dW: net.W.map((W) => map(W, () => 1e30)), db: net.b };
  assert.throws(
    () => net.step(grad, 1e10),
    /step: W\^1 after the step \(eta = 10000000000\) holds -Infinity/,
  );
  assert.deepEqual(net.W.map((W) => W.toArray()), before);
});

Deno.test("robustness: lib/search (structure search, trainModel) names bad input; no tensor left behind", async () => {
  await setupBackend("cpu");
  const r = rng(3);
  const n = 20, classes = 3;
  const x = Float32Array.from({ length: n * 4 }, () => r());
  const labels = Uint8Array.from({ length: n }, (_, k) => k % classes);
  const split: Split = { x, y: labels, n };
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [4],
        units: classes,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
    ],
  });
  const xs = tf.tensor2d(x, [n, 4]), nanXs = tf.tensor2d(x.map((v, k) => (k === 5 ? NaN : v)), [n, 4]);
  const empty = tf.zeros([0, 4]);
  const data = { xs, labels, testXs: xs, testLabels: labels };
  const before = tf.memory().numTensors;
  const ok = { epochs: 1, eta: 0.01 };
  const cases: Case[] = [
    [
      "structureSizes depth -1",
      () => structureSizes({ depth: -1, width: 3, hidden: "relu" }),
      /depth must be an integer >= 0, got -1/,
    ],
    [
      "structureName softsign",
      () => structureName({ depth: 1, width: 3, hidden: any("softsign") }),
      /hidden must be one of "sigmoid", "relu", "tanh", got softsign/,
    ],
    [
      "holdOut of nothing",
      () => holdOut(any(undefined), 3),
      /holdOut: expected a Split \{ x: Float32Array, y: Uint8Array, n \}/,
    ],
    ["holdOut everything", () => holdOut(split, n), /holdOut: size must be an integer in 1\.\.19, got 20/],
    [
      "search without a validation set",
      () =>
        successiveHalving(any({ train: split }), [{ depth: 1, width: 3, hidden: "relu" }], {
          rungEpochs: [1],
          keep: 0.5,
          eta: 0.01,
        }),
      /data\.train and data\.validation are required \(a held-out validation Split: see holdOut\)/,
    ],
    [
      "trainModel batchSize 0",
      () => trainModel(model, data, { ...ok, batchSize: 0 }),
      /batchSize must be a whole number >= 1, got 0/,
    ],
    [
      "trainModel eta 0",
      () => trainModel(model, data, { ...ok, eta: 0 }),
      /learning rate must be a positive finite number, but eta is 0/,
    ],
    [
      "trainModel eta NaN",
      () => trainModel(model, data, { ...ok, eta: NaN }),
      /positive finite number, but eta is NaN/,
    ],
    [
      "trainModel eta schedule",
      () => trainModel(model, data, { ...ok, eta: () => -1 }),
      /but eta\(1\) returned -1/,
    ],
    [
      "trainModel label 12",
      () => trainModel(model, { ...data, labels: labels.map((v, k) => (k === 4 ? 12 : v)) }, ok),
      /label 12 \(example 4\) is outside 0\.\.2/,
    ],
    [
      "trainModel NaN",
      () => trainModel(model, { ...data, xs: nanXs }, ok),
      /xs hold NaN or Infinity: expected finite numbers/,
    ],
    [
      "trainModel empty",
      () => trainModel(model, { ...data, xs: empty, labels: new Uint8Array(0) }, ok),
      /the training set is empty/,
    ],
    [
      "trainModel eta 1e6",
      () => trainModel(model, data, { epochs: 3, eta: 1e6 }),
      /trainModel diverged: the mean loss per example stayed above 8\.06, .* at epoch \d of 3 \(eta = 1000000\)\..* try eta = 100000\./,
    ],
  ];
  try {
    await expectErrors(cases);
    assert.equal(tf.memory().numTensors, before, "refused and diverged runs leave no tensor behind");
  } finally {
    tf.dispose([xs, nanXs, empty]);
    model.dispose();
  }
});

Deno.test("robustness: backend name, digit split and trainTf without arguments say what was expected", async () => {
  const { parseBackendName } = await import("../lib/backend.ts");
  const { splitDigits, trainCounts } = await import("../lib/data.ts");
  const { trainTf } = await import("../lib/train.ts");
  assert.throws(
    () => parseBackendName(undefined as unknown as string),
    /unknown backend 'undefined': expected one of webgpu, wasm, cpu/,
  );
  assert.throws(
    () => splitDigits(new Float32Array(2 * 256), Uint8Array.from([3, 12])),
    /splitDigits: label 12 \(example 1\) is outside 0\.\.9/,
  );
  assert.throws(
    () => splitDigits(new Float32Array(10), Uint8Array.from([3])),
    /x holds 10 values, expected 256 per label/,
  );
  assert.throws(() => trainCounts([-1, 5]), /trainCounts: class 0 has -1 examples/);
  await assert.rejects(
    () => trainTf(undefined as unknown as { train: never }, undefined as unknown as never),
    /trainTf: expected trainTf\(\{ train, test\? \}/,
  );
});
