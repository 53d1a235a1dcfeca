/**
 * A fully connected feed-forward network in the lecture's notation, and how it learns.
 *
 * Layer l = 1 .. L has weights W^l (n_l x n_{l-1}, one row per neuron) and a bias b^l (n_l x 1):
 *
 *   z^l = W^l a^{l-1} + b^l,   a^l = sigma(z^l),   a^0 = x,   y = a^L.
 *
 * In code the layers are counted from 0, like every JavaScript array: `W[l - 1]` is the lecture's W^l,
 * `b[l - 1]` is b^l. A batch X holds one example per COLUMN, so the same formulas compute all at once.
 *
 * Learning (the lecture's step 3): backpropagation gives every partial derivative of the total loss
 * L = sum_n C^n, and gradient descent moves each parameter a little against its derivative.
 */
import {
  add,
  hadamard,
  map,
  matmul,
  Matrix,
  scale,
  selectColumns,
  sub,
  sumRows,
  transpose,
} from "./matrix.ts";
import { relu, reluPrime, sigmoid, sigmoidPrime, softmax, tanh, tanhPrime } from "./activations.ts";
import { messages } from "./language.ts";
import { accuracy, checkLabels, oneHot, totalLoss } from "./loss.ts";
import { randn, rng, shuffle } from "./random.ts";
import {
  checkEpochLoss,
  checkEta,
  checkHidden,
  checkWhole,
  divergence,
  firstNotFinite,
  type Hidden,
  type History,
  Interrupt,
  newHistory,
  record,
  reportStop,
  type TrainingCallbacks,
} from "./training.ts";

/** The activation of the output layer: softmax (classes compete) or sigmoid (the lecture's example). */
export type Output = "softmax" | "sigmoid";

/** Each hidden activation sigma beside its derivative sigma', which backpropagation needs. */
const HIDDEN = {
  sigmoid: { sigma: sigmoid, sigmaPrime: sigmoidPrime },
  relu: { sigma: relu, sigmaPrime: reluPrime },
  tanh: { sigma: tanh, sigmaPrime: tanhPrime },
} as const;

/** Every layer's values from a forward pass: z[l] = z^l and a[l] = a^l (a[0] = X; z[0] = X too, see forward). */
export interface Layers {
  z: Matrix[];
  a: Matrix[];
}

/** dL/dW^l in dW[l - 1] and dL/db^l in db[l - 1] (shapes of W and b); the batch's loss L and outputs y. */
export interface Gradient {
  dW: Matrix[];
  db: Matrix[];
  loss: number;
  /** The outputs y = a^L of the forward pass the gradient was computed from (one column per example). */
  y: Matrix;
}

/** Options of SGD: eta, mini-batch size m, epochs, a seed for the order, a test set to measure after each epoch. */
export interface SGDOptions extends TrainingCallbacks {
  epochs: number;
  batchSize: number;
  eta: number;
  seed?: number;
  test?: { X: Matrix; labels: ArrayLike<number> };
}

/** The activations of a network: hidden layers, output layer. */
export interface NetworkOptions {
  hidden?: Hidden;
  output?: Output;
}

/**
 * delta^L = dL/dz^L at the output, for C = -sum_i yhat_i ln y_i. Softmax: delta^L = y - yhat.
 * Sigmoid: dC/dy_i = -yhat_i / y_i and dy_i/dz_i = y_i (1 - y_i), so delta^L = -yhat ⊙ (1 - y).
 */
export function outputDelta(output: Output, y: Matrix, yhat: Matrix): Matrix {
  if (output !== "softmax" && output !== "sigmoid") {
    throw new Error(messages().outputKind("outputDelta", output));
  }
  if (output === "softmax") return sub(y, yhat);
  return hadamard(scale(yhat, -1), map(y, (v) => 1 - v));
}

/** A fully connected feed-forward network: W[l - 1] = W^l, b[l - 1] = b^l for layers l = 1 .. L. */
export class Network {
  /** Neurons per layer, input first: [n_0, n_1, ..., n_L]. */
  readonly sizes: number[];
  W: Matrix[];
  b: Matrix[];
  readonly hidden: Hidden;
  readonly output: Output;

  /** A network from its weight matrices and bias columns (checked to chain: W^l is n_l x n_{l-1}). */
  constructor(W: Matrix[], b: Matrix[], { hidden = "sigmoid", output = "softmax" }: NetworkOptions = {}) {
    checkHidden("Network", hidden);
    if (output !== "softmax" && output !== "sigmoid") {
      throw new Error(messages().outputKind("Network", output));
    }
    if (!Array.isArray(W) || W.length === 0 || !Array.isArray(b) || W.length !== b.length) {
      throw new Error(messages().layerCount(String(W?.length), String(b?.length)));
    }
    W.forEach((Wl, k) => {
      const l = k + 1;
      if (!(Wl instanceof Matrix) || !(b[k] instanceof Matrix)) {
        throw new Error(messages().layerNotMatrix(l));
      }
      if (b[k].rows !== Wl.rows || b[k].cols !== 1) {
        throw new Error(messages().biasShape(l, Wl.rows, Wl.cols, b[k].rows, b[k].cols));
      }
      if (k > 0 && Wl.cols !== W[k - 1].rows) {
        throw new Error(messages().weightColumns(l - 1, W[k - 1].rows, l, Wl.rows, Wl.cols));
      }
    });
    W.forEach((Wl, k) => {
      checkFinite("Network", `W^${k + 1}`, Wl);
      checkFinite("Network", `b^${k + 1}`, b[k]);
    });
    this.W = W;
    this.b = b;
    this.sizes = [W[0].cols, ...W.map((Wl) => Wl.rows)];
    this.hidden = hidden;
    this.output = output;
  }

  /** Random weights W^l_ij ~ N(0, 1) / sqrt(n_{l-1}) (seeded) and zero biases; sizes = [n_0, ..., n_L]. */
  static random(sizes: number[], options: { seed: number } & NetworkOptions): Network {
    if (!options || !Number.isInteger(options.seed)) {
      const got = options ? `seed ${options.seed}` : "no options";
      throw new Error(messages().randomSeed(got));
    }
    const { seed, hidden, output } = options;
    if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1)) {
      throw new Error(messages().randomSizes(JSON.stringify(sizes)));
    }
    const r = rng(seed);
    const W = sizes.slice(1).map((n, k) => {
      // Dividing by sqrt(n_in) keeps z = W a of order 1 however many inputs a neuron has,
      // so that the sigmoids start in their sensitive middle rather than saturated.
      const std = 1 / Math.sqrt(sizes[k]);
      return new Matrix(n, sizes[k], Float32Array.from({ length: n * sizes[k] }, () => std * randn(r)));
    });
    const b = sizes.slice(1).map((n) => Matrix.zeros(n, 1));
    return new Network(W, b, { hidden, output });
  }

  /** A network from explicit layers, one {W, b} per layer, rows of W = neurons (e.g. the lecture's example). */
  static fromWeights(layers: { W: number[][]; b: number[] }[], options: NetworkOptions = {}): Network {
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new Error(messages().fromWeightsList);
    }
    layers.forEach((layer, k) => {
      if (!layer || !Array.isArray(layer.W) || !Array.isArray(layer.b)) {
        throw new Error(messages().fromWeightsLayer(k + 1, JSON.stringify(layer)));
      }
    });
    return new Network(
      layers.map((layer) => Matrix.from(layer.W)),
      layers.map((layer) => Matrix.column(layer.b)),
      options,
    );
  }

  /** The number of layers L (the input does not count). */
  get L(): number {
    return this.W.length;
  }

  /** The network as a function: y = sigma(W^L ... sigma(W^2 sigma(W^1 x + b^1) + b^2) ... + b^L). */
  feedforward(X: Matrix | ArrayLike<number> | number[][]): Matrix {
    let a = this.input("feedforward", X); // a^0 = x: one example per column
    for (let l = 1; l <= this.L; l++) {
      const z = add(matmul(this.W[l - 1], a), this.b[l - 1]); // z^l = W^l a^{l-1} + b^l
      a = this.sigma(l)(z); // a^l = sigma(z^l)
    }
    return a;
  }

  /** The forward pass keeping every layer: z[l] = z^l, a[l] = a^l; a[0] = X (z[0] = X as well: no z^0). */
  forward(X: Matrix | ArrayLike<number> | number[][]): Layers {
    const x = this.input("forward", X);
    const z = [x], a = [x];
    for (let l = 1; l <= this.L; l++) {
      z[l] = add(matmul(this.W[l - 1], a[l - 1]), this.b[l - 1]); // z^l = W^l a^{l-1} + b^l
      a[l] = this.sigma(l)(z[l]); // a^l = sigma(z^l)
    }
    return { z, a };
  }

  /** The total loss L = sum_n C^n of the network's outputs on X against the labels. */
  loss(X: Matrix | ArrayLike<number> | number[][], labels: ArrayLike<number>): number {
    return totalLoss(this.feedforward(X), labels);
  }

  /** The fraction of examples (columns of X) whose largest output is their label. */
  accuracy(X: Matrix | ArrayLike<number> | number[][], labels: ArrayLike<number>): number {
    return accuracy(this.feedforward(X), labels);
  }

  /**
   * Backpropagation: the gradient of L = sum_n C^n over the batch X. With delta^l = dL/dz^l, the chain
   * rule run backwards through each forward rule (z^l = W^l a^{l-1} + b^l, a^{l-1} = sigma(z^{l-1})) gives
   * dL/dW^l = delta^l (a^{l-1})^T, dL/db^l = delta^l summed over the examples, and
   * delta^{l-1} = (W^l)^T delta^l ⊙ sigma'(z^{l-1}), starting from delta^L (see outputDelta).
   */
  backprop(X: Matrix | ArrayLike<number> | number[][], labels: ArrayLike<number>): Gradient {
    const { z, a } = this.forward(this.input("backprop", X)); // every z^l and a^l, kept for the way back
    const L = this.L;
    checkLabels("backprop", labels, this.sizes[L], a[0].cols);
    const dW: Matrix[] = new Array(L), db: Matrix[] = new Array(L);
    let delta = outputDelta(this.output, a[L], oneHot(labels, this.sizes[L])); // delta^L
    for (let l = L; l >= 1; l--) {
      dW[l - 1] = matmul(delta, transpose(a[l - 1])); // dL/dW^l = delta^l (a^{l-1})^T
      db[l - 1] = sumRows(delta); // dL/db^l = sum over the examples of delta^l
      if (l > 1) {
        // delta^{l-1} = (W^l)^T delta^l ⊙ sigma'(z^{l-1})
        delta = hadamard(matmul(transpose(this.W[l - 1]), delta), HIDDEN[this.hidden].sigmaPrime(z[l - 1]));
      }
    }
    // An output holding NaN (weights blown up) has no loss: report NaN, which SGD names with its step.
    const loss = a[L].data.some(Number.isNaN) ? NaN : totalLoss(a[L], labels);
    return { dW, db, loss, y: a[L] };
  }

  /**
   * One gradient-descent step: W^l <- W^l - eta dL/dW^l, b^l <- b^l - eta dL/db^l. Throws, keeping the old
   * weights, if the step would make a weight NaN or Infinity (a gradient of NaN, or eta far too large).
   */
  step(grad: { dW: Matrix[]; db: Matrix[] }, eta: number): void {
    checkEta("step", eta);
    if (!grad || grad.dW?.length !== this.L || grad.db?.length !== this.L) {
      throw new Error(`step: the gradient must have dW and db for each of the ${this.L} layers`);
    }
    this.W.forEach((Wl, k) => {
      const [dW, db, l] = [grad.dW[k], grad.db[k], k + 1];
      if (!(dW instanceof Matrix) || !(db instanceof Matrix)) {
        throw new Error(`step: dW[${k}] and db[${k}] must be Matrix objects (the gradient of layer ${l})`);
      }
      if (dW.rows !== Wl.rows || dW.cols !== Wl.cols || db.rows !== Wl.rows || db.cols !== 1) {
        const got = `dW^${l} is (${dW.rows} x ${dW.cols}) and db^${l} (${db.rows} x ${db.cols})`;
        const want = `W^${l} is (${Wl.rows} x ${Wl.cols}) and b^${l} (${Wl.rows} x 1)`;
        throw new Error(`step: layer ${l}: ${got}, but ${want}: a gradient has its weights' shape`);
      }
    });
    const { W, b } = this.stepped(grad, eta);
    W.forEach((Wl, k) => {
      checkFinite("step", `W^${k + 1} after the step (eta = ${eta})`, Wl);
      checkFinite("step", `b^${k + 1} after the step (eta = ${eta})`, b[k]);
    });
    this.W = W;
    this.b = b;
  }

  /** The weights after a step, W^l - eta dW^l and b^l - eta db^l (not checked for NaN or Infinity). */
  private stepped(grad: { dW: Matrix[]; db: Matrix[] }, eta: number): { W: Matrix[]; b: Matrix[] } {
    return {
      W: this.W.map((W, k) => sub(W, scale(grad.dW[k], eta))),
      b: this.b.map((b, k) => sub(b, scale(grad.db[k], eta))),
    };
  }

  /**
   * Mini-batch stochastic gradient descent: each epoch shuffles the examples (seeded), then for each
   * mini-batch of m examples runs backprop and takes a step with the batch's mean gradient, eta / m times
   * dL_batch/dW (as PyTorch and tfjs do). Reports and returns, per epoch, the mean C and the accuracy over
   * its mini-batches (each measured just before its step, as tfjs and Keras report them) and, given a
   * test set, the test set's after the epoch. Throws if training diverges (see checkEpochLoss; a NaN is
   * named with its batch). Kernel > Interrupt stops it after the current mini-batch, keeping the weights.
   */
  async SGD(X: Matrix, labels: ArrayLike<number>, options: SGDOptions): Promise<History> {
    const { epochs, batchSize, eta, seed = 0, test, onBatch, onEpoch } = options ?? {};
    const x = this.input("SGD", X);
    checkLabels("SGD", labels, this.sizes[this.L], x.cols);
    checkWhole("SGD", "epochs", epochs, 1);
    checkWhole("SGD", "batchSize", batchSize, 1);
    checkEta("SGD", eta);
    const xTest = test ? this.input("SGD (test.X)", test.X) : undefined;
    if (test) checkLabels("SGD (test.labels)", test.labels, this.sizes[this.L], xTest!.cols);
    // NaN in the data (checked by input) or the weights would poison every step: say so now, not later.
    this.W.forEach((W, k) => {
      checkFinite("SGD", `W^${k + 1} (before training)`, W);
      checkFinite("SGD", `b^${k + 1} (before training)`, this.b[k]);
    });
    const N = x.cols, steps = Math.ceil(N / batchSize), classes = this.sizes[this.L];
    const random = rng(seed);
    const order = Array.from({ length: N }, (_, n) => n);
    const history = newHistory();
    const interrupt = Interrupt.watch();
    try {
      for (let epoch = 1; epoch <= epochs && !history.stopped; epoch++) {
        const start = performance.now();
        shuffle(order, random);
        let L = 0, correct = 0, seen = 0;
        for (let step = 1; step <= steps; step++) {
          const batch = order.slice((step - 1) * batchSize, step * batchSize);
          const batchLabels = batch.map((n) => labels[n]);
          const where = { epoch, epochs, step, steps };
          const grad = this.backprop(selectColumns(x, batch), batchLabels); // backprop ...
          if (!Number.isFinite(grad.loss)) {
            throw divergence("SGD", { kind: "loss", value: grad.loss }, where, eta);
          }
          try {
            this.step(grad, eta / batch.length); // ... then step, with the batch's mean gradient
          } catch {
            throw divergence("SGD", { kind: "weights" }, where, eta);
          }
          L += grad.loss;
          correct += accuracy(grad.y, batchLabels) * batch.length;
          seen += batch.length;
          history.batchLoss.push(grad.loss / batch.length);
          if (onBatch) await onBatch({ epoch, epochs, step, steps });
          if (step < steps && await interrupt.requested()) history.stopped = { epoch, epochs, step, steps };
          if (history.stopped) break;
        }
        if (epoch < epochs && !history.stopped && await interrupt.requested()) {
          history.stopped = { epoch, epochs, step: steps, steps };
        }
        checkEpochLoss("SGD", L / seen, history.loss.at(-1), { epoch, epochs, eta, classes });
        // Finite but huge weights can still overflow to NaN on inputs the training batches did not show.
        const yTest = xTest ? this.feedforward(xTest) : undefined;
        if (yTest?.data.some(Number.isNaN)) {
          throw divergence("SGD", { kind: "testOutputs" }, { epoch, epochs }, eta);
        }
        const report = {
          epoch,
          epochs,
          loss: L / seen,
          accuracy: correct / seen,
          testLoss: yTest ? totalLoss(yTest, test!.labels) / yTest.cols : null,
          testAccuracy: yTest ? accuracy(yTest, test!.labels) : null,
          ms: performance.now() - start,
        };
        record(history, report);
        if (onEpoch) await onEpoch(report);
      }
    } finally {
      interrupt.close();
    }
    if (history.stopped) await reportStop("SGD", history.stopped);
    return history;
  }

  /** The activation of layer l: the hidden one, or the output one for l = L. */
  private sigma(l: number): (z: Matrix) => Matrix {
    if (l < this.L) return HIDDEN[this.hidden].sigma;
    return this.output === "softmax" ? softmax : sigmoid;
  }

  /** X as a finite matrix with n_0 rows: a Matrix, nested rows (as Matrix.from), or one example's n_0 numbers. */
  private input(what: string, X: Matrix | ArrayLike<number> | number[][]): Matrix {
    if (!(X instanceof Matrix) && !(X && typeof X === "object" && typeof X.length === "number")) {
      throw new Error(messages().inputNotMatrix(what, this.sizes[0], String(X)));
    }
    const x = X instanceof Matrix
      ? X
      : Array.isArray(X[0])
      ? Matrix.from(X as number[][])
      : Matrix.column(X as ArrayLike<number>);
    checkFinite(what, "X", x);
    if (x.rows !== this.sizes[0]) {
      throw new Error(messages().inputSize(what, x.rows, x.cols, this.sizes[0]));
    }
    return x;
  }
}

/** Throws unless every entry of m is a finite number, naming the first that is not. */
function checkFinite(what: string, name: string, m: Matrix): void {
  const k = firstNotFinite(m.data);
  if (k >= 0) {
    const i = Math.floor(k / m.cols), j = k % m.cols;
    throw new Error(messages().holdsNotFinite(what, name, m.data[k], i, j));
  }
}
