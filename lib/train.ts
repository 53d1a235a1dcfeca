/**
 * Fast training of a fully connected network with tfjs (the engine side of notebooks 03 and 04).
 *
 * The same network and notation as lib/network.ts and the lecture: one example per COLUMN,
 *   a^l = sigma(W^l a^{l-1} + b^l),   W^l of shape (n_l x n_{l-1}),   b^l a column (n_l x 1),
 * softmax at the output, and the loss of a mini-batch of B examples is the mean cross-entropy
 * (1/B) sum_n C^n (the mean rather than the lecture's sum L, so that the learning rate does not
 * depend on the batch size). Written for speed: about a dozen engine operations per mini-batch (one fused
 * product per layer, one kernel for the output layer and one per backward step: lib/train_kernels.ts;
 * plain SGD updates each parameter in place in the BLAS, Adam in one pass: lib/adam.ts), and nothing read
 * back until the end of an epoch.
 *
 * Backpropagation is written out by hand (no autodiff tape, fewer operations):
 *   delta^L = (y - yhat) / B                 (softmax + cross-entropy; y the output, yhat the label)
 *   dC/dW^l = delta^l (a^{l-1})^T,   dC/db^l = delta^l 1 = delta^l summed over the batch (its columns)
 *   delta^{l-1} = ((W^l)^T delta^l) * sigma'(z^{l-1}),   sigma' = a (1 - a) for sigmoid, [a > 0] for ReLU.
 *
 * Why columns, when tfjs's own layers put examples in rows: besides matching the lecture, it is faster
 * on the wasm backend. Its matrix product re-packs the right-hand operand every time that operand is a
 * new tensor, and after every update the weights are new tensors. With examples in columns the
 * right-hand operand is always the (n x B) batch, never a large weight matrix. The same rule makes the
 * OUTPUT layer (10 neurons) cheaper with examples in rows: there the packed operand is W^L (10 x n), not
 * the (n x B) batch, whose packing costs more than the 10-row product itself. Softmax wants rows anyway.
 * The input batch alone stays as the data stores it, one example per row: the first layer's product reads it
 * transposed (in the BLAS a transpose flag costs nothing), so no copy has to turn it.
 *
 * It follows the course's training contract (lib/training.ts): eta, the reports, the divergence rule,
 * and Kernel > Interrupt.
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, currentBackend, setupBackend } from "./backend.ts";
import type { Split } from "./data.ts";
import { messages } from "./language.ts";
import { rng, shuffle } from "./random.ts";
import { blasInUse, subtractProductInPlace } from "./kernels.ts";
import { activationBackward, softmaxCrossEntropy } from "./train_kernels.ts";
import { Adam } from "./adam.ts";
import {
  checkEpochLoss,
  checkEta,
  checkHidden,
  checkWhole,
  divergence,
  type EpochReport,
  firstNotFinite,
  type Hidden,
  type History,
  Interrupt,
  newHistory,
  record,
  reportStop,
  type TrainingCallbacks,
} from "./training.ts";

/** Options of `trainTf`. `sizes` = neurons per layer, input first: [256, 500, 500, 10]. */
export interface TfTrainOptions extends TrainingCallbacks {
  sizes: number[];
  hidden?: Hidden;
  optimizer?: "sgd" | "adam";
  /** The learning rate eta (SGD's step size, or Adam's). */
  eta: number;
  batchSize?: number;
  epochs?: number;
  seed?: number;
  /** Start from these weights (same layout as `TfTrainResult.weights`) instead of seeded random ones. */
  initial?: TfWeights[];
  /** Start this backend first (else the one `setupBackend` chose, or its automatic choice). */
  backend?: BackendName;
}

/** One layer's parameters: W^l (n_l x n_{l-1}, row-major, `shape` = [n_l, n_{l-1}]) and b^l (n_l values). */
export interface TfWeights {
  W: Float32Array;
  b: Float32Array;
  shape: [number, number];
}

/** The training's History, with the final test predictions and weights. */
export interface TfTrainResult extends History {
  testPredictions: Uint8Array | null;
  /** The trained W^l and b^l of every layer (lecture layout, as in lib/network.ts). */
  weights: TfWeights[];
  backend: string;
}

/** Checks a split (the test set's if `test`) against the network: N x sizes[0] finite inputs, labels 0..classes-1. */
function checkSplit(test: boolean, split: Split, inputs: number, classes: number): void {
  const text = messages();
  if (split.n < 1) throw new Error(text.setEmpty("trainTf", test));
  if (split.x.length !== split.n * inputs || split.y.length !== split.n) {
    throw new Error(text.splitSize(test, split.n, inputs, split.x.length, split.y.length));
  }
  const bad = firstNotFinite(split.x);
  if (bad >= 0) throw new Error(text.splitInput(test, bad, Math.floor(bad / inputs), split.x[bad]));
  const label = split.y.findIndex((v) => v >= classes);
  if (label >= 0) throw new Error(text.splitLabel(test, split.y[label], label, classes - 1));
}

/** The network's parameters, W^l and b^l for l = 1..L (index 0 is layer 1). */
interface Net {
  W: tf.Variable[];
  b: tf.Variable[];
}

/** Variables holding given weights, after checking their shapes against `sizes`. */
function givenWeights(sizes: number[], initial: TfWeights[]): Net {
  if (initial.length !== sizes.length - 1) {
    throw new Error(`trainTf: initial has ${initial.length} layers, sizes ${sizes} need ${sizes.length - 1}`);
  }
  initial.forEach(({ W, b, shape }, l) => {
    const [rows, cols] = [sizes[l + 1], sizes[l]];
    if (shape[0] !== rows || shape[1] !== cols || W.length !== rows * cols || b.length !== rows) {
      throw new Error(
        `trainTf: initial[${l}] should be W ${rows} x ${cols} and b ${rows}, ` +
          `got W ${shape[0]} x ${shape[1]} (${W.length} values) and b ${b.length}`,
      );
    }
  });
  return {
    W: initial.map(({ W, shape }) => tf.tidy(() => tf.variable(tf.tensor2d(W, shape)))),
    b: initial.map(({ b }) => tf.tidy(() => tf.variable(tf.tensor2d(b, [b.length, 1])))),
  };
}

/**
 * Initial weights like PyTorch's nn.Linear: W^l and b^l uniform in [-1/sqrt(n_{l-1}), 1/sqrt(n_{l-1})],
 * drawn from a seed (the course's PyTorch calibration used this initialisation).
 */
function initialWeights(sizes: number[], seed: number, initial?: TfWeights[]): Net {
  if (initial) return givenWeights(sizes, initial);
  const random = rng(seed);
  const uniform = (n: number, bound: number) =>
    Float32Array.from({ length: n }, () => (2 * random() - 1) * bound);
  const W: tf.Variable[] = [], b: tf.Variable[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const bound = 1 / Math.sqrt(sizes[l - 1]);
    const W0 = tf.tensor2d(uniform(sizes[l] * sizes[l - 1], bound), [sizes[l], sizes[l - 1]]);
    const b0 = tf.tensor2d(uniform(sizes[l], bound), [sizes[l], 1]);
    W.push(tf.variable(W0));
    b.push(tf.variable(b0));
    tf.dispose([W0, b0]); // the variables hold their own reference to the values
  }
  return { W, b };
}

/** tfjs's fused product applies sigmoid and ReLU itself; tanh follows the product as its own operation. */
const FUSED: Record<Hidden, "sigmoid" | "relu" | "linear"> = {
  sigmoid: "sigmoid",
  relu: "relu",
  tanh: "linear",
};

/**
 * sigma(op(A) op(B) + bias) as one operation (tfjs's fused product). Where the BLAS runs the products, the
 * 2-D tensors go straight to the kernel: tfjs's fused.matMul would first reshape them to 3-D and back,
 * three operations more per layer and mini-batch.
 */
function fusedProduct(
  A: tf.Tensor2D,
  B: tf.Tensor2D,
  bias: tf.Tensor,
  activation: "sigmoid" | "relu" | "linear",
  transposeA: boolean,
  transposeB: boolean,
): tf.Tensor2D {
  if (blasInUse() && tf.getBackend() === "wasm") {
    const attrs = { transposeA, transposeB, activation };
    return tf.engine().runKernel("_FusedMatMul", { a: A, b: B, bias }, attrs) as tf.Tensor2D;
  }
  return tf.fused.matMul({ a: A, b: B, bias, activation, transposeA, transposeB }) as tf.Tensor2D;
}

/**
 * Forward pass on a batch X of B examples, one example per ROW as the data stores them (B x n_0, that is
 * (a^0)^T: the product takes it transposed, so no copy has to turn it): every a^l up to the last hidden
 * layer (a[0] = X = (a^0)^T, then a^1, ... one example per column), and the output layer's z^L TRANSPOSED,
 * examples in rows (B x n_L): (z^L)^T = (a^{L-1})^T (W^L)^T + (b^L)^T. Softmax is not applied. Each layer
 * is one fused operation: the product, + b, and sigma.
 */
function forward(X: tf.Tensor2D, { W, b }: Net, hidden: Hidden) {
  const a = [X];
  const L = W.length;
  for (let l = 0; l < L - 1; l++) {
    // a = sigma(W a + b); the first layer's a^0 = X^T
    const z = fusedProduct(W[l] as tf.Tensor2D, a[l], b[l], FUSED[hidden], false, l === 0);
    a.push(hidden === "tanh" ? tf.tanh(z) : z);
  }
  const bRow = tf.reshape(b[L - 1], [1, -1]); // b^L as a row (a reshape copies nothing)
  // (a^{L-1})^T (W^L)^T: a[L-1] is already (a^0)^T where the output layer is the first (L = 1)
  const zRows = fusedProduct(a[L - 1], W[L - 1] as tf.Tensor2D, bRow, "linear", L > 1, true);
  bRow.dispose(); // so that b^L's memory is its own again, for an update in place
  return { a, zRows };
}

/**
 * A gradient left as the product it is, op(A) op(B): dC/dW = delta a^T, and dC/db = delta 1 (a bias is a
 * weight on an input that is always 1, so its gradient is delta times a column of ones: delta summed over the
 * batch). Plain SGD subtracts it from the parameter in place; Adam takes it as a tensor.
 */
interface Product {
  A: tf.Tensor2D;
  B: tf.Tensor2D;
  transposeA: boolean;
  transposeB: boolean;
}

/** The product itself, as a tensor. */
function product({ A, B, transposeA, transposeB }: Product): tf.Tensor2D {
  return tf.matMul(A, B, transposeA, transposeB);
}

/**
 * One mini-batch: forward, backward by hand, update. X is (B x n_0), labels the class indices, ones a
 * column of B ones. The gradients handed to `update`, in the order W^1, b^1, W^2, ..., are multiplied by
 * `scale` (1 for Adam; the learning rate for SGD, so that its update is W - grad). Returns [sum of C over
 * the batch, number correct] as a tensor, left on the engine (read back once per epoch).
 */
function step(
  X: tf.Tensor2D,
  labels: tf.Tensor1D,
  ones: tf.Tensor2D,
  net: Net,
  update: (grads: Product[]) => void,
  hidden: Hidden,
  scale: number,
): tf.Tensor1D {
  return tf.tidy(() => {
    const { a, zRows } = forward(X, net, hidden);
    const L = net.W.length;
    const B = X.shape[0];
    // The output layer, examples in rows: delta^L transposed (B x n_L), with the batch's loss and correct.
    const [deltaRows, lossAndCorrect] = softmaxCrossEntropy(zRows, labels, scale / B);
    const grads: Product[] = new Array(2 * L);
    // delta^L (a^{L-1})^T, where a[0] = (a^0)^T already
    grads[2 * L - 2] = { A: deltaRows, B: a[L - 1], transposeA: true, transposeB: L > 1 };
    grads[2 * L - 1] = { A: deltaRows, B: ones, transposeA: true, transposeB: false }; // delta^L 1
    let delta = L > 1 // delta^{L-1} = ((W^L)^T delta^L) * sigma'(z^{L-1})
      ? activationBackward(tf.matMul(net.W[L - 1] as tf.Tensor2D, deltaRows, true, true), a[L - 1], hidden)
      : undefined;
    for (let l = L - 2; l >= 0 && delta; l--) {
      grads[2 * l] = { A: delta, B: a[l], transposeA: false, transposeB: l > 0 }; // dC/dW = delta a^T
      grads[2 * l + 1] = { A: delta, B: ones, transposeA: false, transposeB: false }; // dC/db = delta 1
      if (l > 0) {
        delta = activationBackward(tf.matMul(net.W[l] as tf.Tensor2D, delta, true, false), a[l], hidden);
      }
    }
    update(grads); // after the backward pass: it used every W^l as it was
    return lossAndCorrect;
  });
}

/**
 * A mini-batch copied out of a split: X with one example per row (B x n_0, each row copied whole) and the
 * labels, for the examples order[start], ..., order[start + size - 1]. A plain loop: cheaper than tensor
 * gathers on the engine (and than forEach with a callback, which the JIT leaves several times slower here).
 */
function miniBatch(split: Split, order: number[], start: number, size: number) {
  const inputs = split.x.length / split.n;
  const X = new Float32Array(inputs * size), labels = new Int32Array(size);
  for (let j = 0; j < size; j++) {
    const k = order[start + j];
    X.set(split.x.subarray(k * inputs, (k + 1) * inputs), j * inputs);
    labels[j] = split.y[k];
  }
  return { X, labels, size };
}

/**
 * Predicted class of every example of a split and the sum of their cross-entropies C^n, one pair per
 * forward pass of at most 2,000 examples.
 */
function predict(split: Split, net: Net, hidden: Hidden): [tf.Tensor1D, tf.Scalar][] {
  const inputs = split.x.length / split.n;
  const parts: [tf.Tensor1D, tf.Scalar][] = [];
  for (let start = 0; start < split.n; start += 2000) {
    const n = Math.min(2000, split.n - start);
    parts.push(tf.tidy(() => {
      const rows = tf.tensor2d(split.x.subarray(start * inputs, (start + n) * inputs), [n, inputs]);
      const zRows = forward(rows, net, hidden).zRows; // one example per row
      const labels = tf.tensor1d(split.y.subarray(start, start + n), "int32");
      // C^n = -ln softmax(z^L)_label, summed over the examples of this pass
      const lossSum = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, zRows.shape[1]), tf.logSoftmax(zRows))));
      return [tf.argMax(zRows, 1) as tf.Tensor1D, lossSum as tf.Scalar];
    }));
  }
  return parts;
}

/**
 * Trains a fully connected softmax network on `data.train` with tfjs (mini-batch SGD or Adam, seeded),
 * measuring the test set after each epoch when `data.test` is given. Every tensor is disposed at the end.
 * Throws if training diverges (lib/training.ts). Kernel > Interrupt stops it after the current mini-batch,
 * returning the weights trained so far.
 */
export async function trainTf(
  data: { train: Split; test?: Split },
  options: TfTrainOptions,
): Promise<TfTrainResult> {
  if (!data?.train || !options) {
    throw new Error("trainTf: expected trainTf({ train, test? }, { sizes, eta, ... }) with a training Split");
  }
  const { sizes, hidden = "sigmoid", optimizer = "sgd", eta, batchSize = 100, epochs = 1, seed = 0 } =
    options;
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new Error(messages().sizesList(String(sizes)));
  }
  sizes.forEach((n, l) => checkWhole("trainTf", `sizes[${l}]`, n, 1));
  checkHidden("trainTf", hidden);
  if (optimizer !== "sgd" && optimizer !== "adam") {
    throw new Error(messages().badOptimizer(String(optimizer)));
  }
  checkEta("trainTf", eta);
  checkWhole("trainTf", "batchSize", batchSize, 1);
  checkWhole("trainTf", "epochs", epochs, 1);
  checkWhole("trainTf", "seed", seed, 0);
  const classes = sizes[sizes.length - 1];
  checkSplit(false, data.train, sizes[0], classes);
  if (data.test) checkSplit(true, data.test, sizes[0], classes);

  if (options.backend || !currentBackend()) await setupBackend(options.backend);
  const baseline = tf.memory().numTensors;
  const random = rng(seed);
  const net = initialWeights(sizes, seed, options.initial);
  const params = net.W.flatMap((W, l) => [W, net.b[l]]);
  // Adam writes each parameter in place only where the course's own kernels (the BLAS) run every product.
  const adam = optimizer === "adam"
    ? await Adam.create(params, eta, { inPlace: blasInUse() !== undefined }).catch((error) => {
      tf.dispose(params);
      throw error;
    })
    : undefined;
  // Plain SGD (gradients already x eta) subtracts each product from its parameter in place where the BLAS
  // can (no gradient tensor, no new parameter), else the usual way. Adam takes the gradients as tensors.
  const update = adam
    ? (grads: Product[]) => adam.update(grads.map(product))
    : (grads: Product[]) =>
      params.forEach((v, i) => {
        const { A, B, transposeA, transposeB } = grads[i];
        if (!subtractProductInPlace(v, A, B, transposeA, transposeB)) v.assign(tf.sub(v, product(grads[i])));
      });
  const scale = adam ? 1 : eta;

  const { train, test } = data;
  const inputs = sizes[0];
  const steps = Math.ceil(train.n / batchSize);
  let live: tf.Tensor[] = [];
  // A column of ones per mini-batch size (the last batch may be smaller), for the biases' gradients.
  const columns = new Map<number, tf.Tensor2D>();
  const ones = (size: number) => {
    if (!columns.has(size)) columns.set(size, tf.keep(tf.ones([size, 1]))); // kept past the batch's tidy
    return columns.get(size)!;
  };
  const result: TfTrainResult = {
    ...newHistory(),
    testPredictions: null,
    weights: [],
    backend: tf.getBackend(),
  };
  const interrupt = Interrupt.watch();
  try {
    for (let epoch = 1; epoch <= epochs && !result.stopped; epoch++) {
      const start = performance.now();
      // A new order of the examples every epoch, from the seed.
      const order = shuffle(Array.from({ length: train.n }, (_, k) => k), random);
      live = []; // [sum of C, number correct] of every batch: disposed in finally, should a callback throw
      for (let s = 0; s < steps; s++) {
        const batch = miniBatch(train, order, s * batchSize, Math.min(batchSize, train.n - s * batchSize));
        live.push(tf.tidy(() =>
          step(
            tf.tensor2d(batch.X, [batch.size, inputs]),
            tf.tensor1d(batch.labels, "int32"),
            ones(batch.size),
            net,
            update,
            hidden,
            scale,
          )
        ));
        await options.onBatch?.({ epoch, epochs, step: s + 1, steps });
        const more = s + 1 < steps || epoch < epochs;
        if (more && await interrupt.requested()) result.stopped = { epoch, epochs, step: s + 1, steps };
        if (result.stopped) break;
      }
      // One read-back per epoch: [loss sum, correct] of every batch done.
      const values = tf.tidy(() => tf.stack(live));
      const numbers = await values.data();
      tf.dispose([values, ...live]);
      let lossSum = 0, correct = 0, seen = 0;
      for (let s = 0; s < live.length; s++) {
        const size = Math.min(batchSize, train.n - s * batchSize);
        const batchLoss = numbers[2 * s] / size;
        if (!Number.isFinite(batchLoss)) {
          const where = { epoch, epochs, step: s + 1, steps };
          throw divergence("trainTf", { kind: "loss", value: batchLoss }, where, eta);
        }
        result.batchLoss.push(batchLoss);
        lossSum += numbers[2 * s];
        correct += numbers[2 * s + 1];
        seen += size;
      }
      live = [];
      let testAccuracy: number | null = null, testLoss: number | null = null;
      if (test) {
        const parts = predict(test, net, hidden);
        const [predicted, lossSums] = tf.tidy(() => [
          tf.concat(parts.map(([p]) => p)),
          tf.stack(parts.map(([, l]) => l)),
        ]);
        result.testPredictions = Uint8Array.from(await predicted.data());
        testLoss = (await lossSums.data() as Float32Array).reduce((sum, l) => sum + l, 0) / test.n;
        tf.dispose([predicted, lossSums, ...parts.flat()]);
        testAccuracy = result.testPredictions.filter((p, k) => p === test.y[k]).length / test.n;
      }
      checkEpochLoss("trainTf", lossSum / seen, result.loss.at(-1), { epoch, epochs, eta, classes });
      const report: EpochReport = {
        epoch,
        epochs,
        loss: lossSum / seen,
        accuracy: correct / seen,
        testLoss,
        testAccuracy,
        ms: performance.now() - start,
      };
      record(result, report);
      await options.onEpoch?.(report);
    }
    for (let l = 0; l < net.W.length; l++) {
      result.weights.push({
        W: (await net.W[l].data()) as Float32Array,
        b: (await net.b[l].data()) as Float32Array,
        shape: [sizes[l + 1], sizes[l]],
      });
    }
  } finally {
    interrupt.close();
    tf.dispose([...params, ...live, ...columns.values()]);
    adam?.dispose();
    const leaked = tf.memory().numTensors - baseline;
    if (leaked !== 0) console.warn(`trainTf: ${leaked} tensors left behind (a bug in lib/train.ts)`);
  }
  if (result.stopped) await reportStop("trainTf", result.stopped);
  return result;
}
