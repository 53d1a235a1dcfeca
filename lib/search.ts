/**
 * Beyond one hand-designed dense network (notebook 04, 手写数字例子): "can the structure be learned
 * automatically?" and "not fully connected, e.g. convolutional networks".
 *
 * - `successiveHalving`: a seeded automatic search over depth, width and activation. Every candidate
 *   trains briefly, only the best fraction (by validation accuracy) continues, with more epochs, and so
 *   on; the budget is fixed in advance. Dense networks are trained by lib/train.ts (`trainTf`).
 * - `trainModel`: training any tfjs model (here a small CNN) with tfjs's automatic differentiation,
 *   seeded: the order of the examples in every epoch comes from lib/random.ts, not Math.random.
 * - `installWasmConvGradFix`: the wasm backend of tfjs 4.22 cannot train convolutions without it.
 */
import * as tf from "@tensorflow/tfjs";
import type { Split } from "./data.ts";
import { rng, shuffle } from "./random.ts";
import { type TfWeights, trainTf } from "./train.ts";

/** Number of parameters of a dense network with these layer sizes: sum over l of n_l n_{l-1} + n_l. */
export function parameterCount(sizes: number[]): number {
  return sizes.slice(1).reduce((sum, n, l) => sum + n * sizes[l] + n, 0);
}

// ---------------------------------------------------------------------------------------------------
// Automatic structure search

/** One network structure the search may pick: hidden layers, neurons per hidden layer, activation. */
export interface Structure {
  depth: number;
  width: number;
  hidden: "sigmoid" | "relu";
}

/** The set of structures to search: every combination of these values. */
export interface SearchSpace {
  depths: number[];
  widths: number[];
  hiddens: ("sigmoid" | "relu")[];
}

/** Throws unless `s` is a structure: depth an integer >= 0, width an integer >= 1, hidden sigmoid or relu. */
function checkStructure(what: string, s: Structure): void {
  if (!s || typeof s !== "object") {
    throw new Error(`${what}: expected a structure { depth, width, hidden }, got ${s}`);
  }
  if (!Number.isInteger(s.depth) || s.depth < 0) {
    throw new Error(`${what}: depth must be an integer >= 0, got ${s.depth}`);
  }
  if (!Number.isInteger(s.width) || s.width < 1) {
    throw new Error(`${what}: width must be an integer >= 1, got ${s.width}`);
  }
  if (s.hidden !== "sigmoid" && s.hidden !== "relu") {
    throw new Error(`${what}: hidden must be "sigmoid" or "relu", got ${s.hidden}`);
  }
}

/** Layer sizes of a structure for `inputs` inputs and `classes` outputs, e.g. [256, 128, 128, 10]. */
export function structureSizes(s: Structure, inputs = 256, classes = 10): number[] {
  checkStructure("structureSizes", s);
  return [inputs, ...Array(s.depth).fill(s.width), classes];
}

/** A short name for a structure, e.g. "256-128-128-10 ReLU". */
export function structureName(s: Structure, inputs = 256, classes = 10): string {
  checkStructure("structureName", s);
  return `${structureSizes(s, inputs, classes).join("-")} ${s.hidden === "relu" ? "ReLU" : "sigmoid"}`;
}

/** `count` different structures drawn at random (seeded) from the space: random search's candidates. */
export function sampleStructures(space: SearchSpace, count: number, seed: number): Structure[] {
  const all: Structure[] = [];
  for (const depth of space.depths) {
    for (const width of space.widths) {
      for (const hidden of space.hiddens) all.push({ depth, width, hidden });
    }
  }
  if (!Number.isInteger(count) || count < 1 || count > all.length) {
    throw new Error(
      `sampleStructures: count must be an integer in 1..${all.length} (the space's size), got ${count}`,
    );
  }
  return shuffle(all, rng(seed)).slice(0, count);
}

/** One candidate after one rung: its structure, epochs trained so far, validation accuracy, weights. */
export interface Trial {
  structure: Structure;
  name: string;
  parameters: number;
  rung: number;
  epochs: number;
  validationAccuracy: number;
  weights: TfWeights[];
  ms: number;
}

/** Options of `successiveHalving`. */
export interface HalvingOptions {
  /** Epochs added at each rung, e.g. [1, 2]: everyone trains 1 epoch, the survivors 2 more. */
  rungEpochs: number[];
  /** Fraction of candidates kept after each rung (1/3: the best third continues). */
  keep: number;
  /** Adam's learning rate. */
  lr: number;
  batchSize?: number;
  seed?: number;
  /** Told after every candidate of every rung (e.g. to print it or move a progress bar). */
  onTrial?: (trial: Trial) => void | Promise<void>;
}

/** Every trial of every rung, and the best candidate of the last rung. */
export interface HalvingResult {
  trials: Trial[];
  best: Trial;
  /** Epochs of training spent, summed over all candidates (the budget). */
  epochsSpent: number;
}

/**
 * Successive halving (Jamieson and Talwalkar 2016): train every candidate for rungEpochs[0] epochs, keep
 * the best `keep` fraction by validation accuracy, train those rungEpochs[1] more epochs (continuing from
 * their weights), and so on. The validation set must not be the test set: choosing by test accuracy would
 * make the test accuracy of the winner an optimistic guess.
 */
export async function successiveHalving(
  data: { train: Split; validation: Split },
  candidates: Structure[],
  options: HalvingOptions,
): Promise<HalvingResult> {
  const { rungEpochs, keep, lr, batchSize = 100, seed = 0 } = options;
  if (!data?.train || !data?.validation) {
    throw new Error(
      "successiveHalving: data.train and data.validation are required (a held-out validation Split: see holdOut)",
    );
  }
  if (!Array.isArray(candidates) || candidates.length < 1) {
    throw new Error("successiveHalving: no candidates given");
  }
  candidates.forEach((c, i) => checkStructure(`successiveHalving: candidate ${i}`, c));
  if (rungEpochs.length < 1 || rungEpochs.some((e) => !Number.isInteger(e) || e < 1)) {
    throw new Error(`successiveHalving: rungEpochs must list positive integers, got [${rungEpochs}]`);
  }
  if (!(keep > 0 && keep < 1)) throw new Error(`successiveHalving: keep must be in (0, 1), got ${keep}`);
  const inputs = data.train.x.length / data.train.n;
  const trials: Trial[] = [];
  let alive: { structure: Structure; last?: Trial }[] = candidates.map((structure) => ({ structure }));
  let epochsSpent = 0;
  for (let rung = 0; rung < rungEpochs.length; rung++) {
    const results: Trial[] = [];
    for (const [k, { structure, last }] of alive.entries()) {
      const sizes = structureSizes(structure, inputs);
      const start = performance.now();
      const run = await trainTf({ train: data.train, test: data.validation }, {
        sizes,
        hidden: structure.hidden,
        optimizer: "adam",
        lr,
        batchSize,
        epochs: rungEpochs[rung],
        seed: seed + 1000 * rung + k,
        initial: last?.weights,
      });
      epochsSpent += rungEpochs[rung];
      const trial: Trial = {
        structure,
        name: structureName(structure, inputs),
        parameters: parameterCount(sizes),
        rung,
        epochs: (last?.epochs ?? 0) + rungEpochs[rung],
        validationAccuracy: run.testAccuracy[run.testAccuracy.length - 1]!,
        weights: run.weights,
        ms: performance.now() - start,
      };
      results.push(trial);
      trials.push(trial);
      await options.onTrial?.(trial);
    }
    // Best first; ties go to the smaller network (fewer parameters), then to the earlier candidate.
    results.sort((p, q) => q.validationAccuracy - p.validationAccuracy || p.parameters - q.parameters);
    const survivors = rung === rungEpochs.length - 1 ? 1 : Math.max(1, Math.round(results.length * keep));
    alive = results.slice(0, survivors).map((t) => ({ structure: t.structure, last: t }));
  }
  return { trials, best: alive[0].last!, epochsSpent };
}

/** Splits off the last `size` examples of a split as a validation set: { train, validation }. */
export function holdOut(split: Split, size: number): { train: Split; validation: Split } {
  if (!split || !(split.x instanceof Float32Array) || !(split.y instanceof Uint8Array)) {
    throw new Error(`holdOut: expected a Split { x: Float32Array, y: Uint8Array, n }, got ${split}`);
  }
  if (!Number.isInteger(size) || size < 1 || size >= split.n) {
    throw new Error(`holdOut: size must be an integer in 1..${split.n - 1}, got ${size}`);
  }
  const dim = split.x.length / split.n;
  const cut = split.n - size;
  return {
    train: { x: split.x.slice(0, cut * dim), y: split.y.slice(0, cut), n: cut },
    validation: { x: split.x.slice(cut * dim), y: split.y.slice(cut), n: size },
  };
}

// ---------------------------------------------------------------------------------------------------
// Training any tfjs model (a CNN) with automatic differentiation

/** Options of `trainModel`. `lr` may change per epoch (a schedule): lr(epoch) with epoch = 1, 2, ... */
export interface ModelTrainOptions {
  epochs: number;
  batchSize?: number;
  lr: number | ((epoch: number) => number);
  seed?: number;
  onBatch?: (info: { epoch: number; step: number; steps: number }) => void | Promise<void>;
  onEpoch?: (info: ModelEpochInfo) => void | Promise<void>;
}

/** Told after every epoch: mean training loss C and accuracy over its batches, test loss and accuracy. */
export interface ModelEpochInfo {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  testLoss: number;
  testAccuracy: number;
  ms: number;
}

/** Per-epoch history and the final test probabilities (n x 10, row-major). */
export interface ModelTrainResult {
  loss: number[];
  accuracy: number[];
  testLoss: number[];
  testAccuracy: number[];
  testProbabilities: Float32Array;
  ms: number[];
}

/** Smallest probability used inside a logarithm, so that C = -ln y stays finite (at most 16.1). */
const EPSILON = 1e-7;
/** Half the largest possible loss per example: a mean above it means the training has diverged. */
const SATURATED = -Math.log(EPSILON) / 2;

/** Mean cross-entropy C and accuracy of `model` on (xs, labels), with its softmax outputs (batches of 500). */
function evaluate(model: tf.LayersModel, xs: tf.Tensor, labels: Uint8Array) {
  const n = xs.shape[0];
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < n; start += 500) {
    const size = Math.min(500, n - start);
    parts.push(tf.tidy(() => model.predict(tf.slice(xs, start, size)) as tf.Tensor));
  }
  const probs = tf.concat(parts);
  tf.dispose(parts);
  const p = probs.dataSync() as Float32Array;
  probs.dispose();
  const classes = p.length / n;
  let loss = 0, correct = 0;
  for (let k = 0; k < n; k++) {
    const row = p.subarray(k * classes, (k + 1) * classes);
    loss -= Math.log(Math.max(row[labels[k]], EPSILON)); // C = -ln y_label, never ln 0
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
    if (best === labels[k]) correct++;
  }
  return { loss: loss / n, accuracy: correct / n, probabilities: p };
}

/**
 * Trains a tfjs model with softmax outputs by mini-batch Adam on the mean cross-entropy, with gradients
 * from tfjs's automatic differentiation. `xs` holds the inputs in the model's input shape (examples along
 * the first axis). The example order of every epoch is drawn from `seed`. The caller keeps and disposes
 * the model and `xs`; everything else is disposed here (tensor count back to where it was).
 */
export async function trainModel(
  model: tf.LayersModel,
  data: { xs: tf.Tensor; labels: Uint8Array; testXs: tf.Tensor; testLabels: Uint8Array },
  options: ModelTrainOptions,
): Promise<ModelTrainResult> {
  const { epochs, batchSize = 64, seed = 0 } = options;
  const n = data.xs.shape[0];
  if (data.labels.length !== n || data.testLabels.length !== data.testXs.shape[0]) {
    throw new Error(
      `trainModel: ${n} training inputs need ${n} labels (got ${data.labels.length}); ` +
        `${data.testXs.shape[0]} test inputs need as many labels (got ${data.testLabels.length})`,
    );
  }
  if (n < 1) throw new Error("trainModel: the training set is empty");
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new Error(`trainModel: epochs must be an integer >= 1, got ${epochs}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`trainModel: batchSize must be an integer >= 1, got ${batchSize}`);
  }
  const lrOf = (epoch: number) => {
    const lr = typeof options.lr === "number" ? options.lr : options.lr(epoch);
    if (typeof lr !== "number" || !Number.isFinite(lr) || lr <= 0) {
      const which = typeof options.lr === "number" ? "lr is" : `lr(${epoch}) returned`;
      throw new Error(`trainModel: the learning rate must be a positive finite number, but ${which} ${lr}`);
    }
    return lr;
  };
  const classes = (model.outputs[0].shape as number[])[1];
  for (const [what, labels] of [["training", data.labels], ["test", data.testLabels]] as const) {
    const k = labels.findIndex((label) => label >= classes);
    if (k >= 0) {
      throw new Error(`trainModel: ${what} label ${labels[k]} (example ${k}) is outside 0..${classes - 1}`);
    }
  }
  const finite = tf.tidy(() => tf.all(tf.isFinite(data.xs)).dataSync()[0] === 1);
  if (!finite) {
    throw new Error("trainModel: the training inputs xs hold NaN or Infinity: expected finite numbers");
  }
  lrOf(1); // checks the learning rate (or the schedule's first value) before anything is allocated
  const baseline = tf.memory().numTensors;
  const random = rng(seed);
  const optimizer = tf.train.adam(lrOf(1));
  const labels = tf.tensor1d(data.labels, "int32");
  const steps = Math.ceil(n / batchSize);
  const result: ModelTrainResult = {
    loss: [],
    accuracy: [],
    testLoss: [],
    testAccuracy: [],
    testProbabilities: new Float32Array(0),
    ms: [],
  };
  let live: tf.Tensor[] = [];
  let saturatedBefore = false;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const start = performance.now();
      // Adam's step size for this epoch (a schedule lowers it towards the end).
      (optimizer as unknown as { learningRate: number }).learningRate = lrOf(epoch);
      const order = tf.tensor1d(shuffle(Array.from({ length: n }, (_, k) => k), random), "int32");
      live = [order];
      for (let s = 0; s < steps; s++) {
        const size = Math.min(batchSize, n - s * batchSize);
        const stats = tf.tidy(() => {
          const pick = order.slice(s * batchSize, size);
          const x = tf.gather(data.xs, pick);
          const y = tf.gather(labels, pick);
          const yhat = tf.oneHot(y, classes).toFloat();
          let correct: tf.Scalar | undefined;
          const loss = optimizer.minimize(() => {
            const out = model.apply(x, { training: true }) as tf.Tensor;
            correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(out, 1), y), "float32")));
            // C = -sum_i yhat_i ln y_i (softmax of ln y is y again, so the log-probabilities serve as logits).
            return tf.losses.softmaxCrossEntropy(yhat, tf.log(tf.maximum(out, EPSILON))) as tf.Scalar;
          }, true)!;
          const both = tf.stack([tf.mul(loss, size), correct!]);
          correct!.dispose(); // kept out of minimize's scope above, so no tidy frees it
          return both;
        });
        live.push(stats);
        await options.onBatch?.({ epoch, step: s + 1, steps });
      }
      // One read-back per epoch.
      const sums = tf.tidy(() => tf.sum(tf.stack(live.slice(1)), 0));
      const [lossSum, correct] = await sums.data();
      tf.dispose([sums, ...live]);
      live = [];
      const meanLoss = lossSum / n;
      if (!Number.isFinite(meanLoss)) {
        throw new Error(
          `trainModel: training diverged: the mean loss became ${meanLoss} at epoch ${epoch}; ` +
            `try a smaller learning rate than ${lrOf(epoch)}`,
        );
      }
      // Stuck far above a random guess (ln classes): half the largest loss, -ln(1e-7) / 2 = 8.06 per example,
      // two epochs in a row or at the end (lib/network.ts uses the same rule).
      const saturated = meanLoss > SATURATED;
      if (saturated && (saturatedBefore || epoch === epochs)) {
        throw new Error(
          `trainModel: training diverged: the mean loss per example stayed above ${SATURATED.toFixed(2)} ` +
            `(a random guess scores ln ${classes} = ${Math.log(classes).toFixed(2)}), reaching ` +
            `${meanLoss.toFixed(2)} at epoch ${epoch}; try a smaller learning rate than ${lrOf(epoch)}`,
        );
      }
      saturatedBefore = saturated;
      const test = evaluate(model, data.testXs, data.testLabels);
      const ms = performance.now() - start;
      result.loss.push(lossSum / n);
      result.accuracy.push(correct / n);
      result.testLoss.push(test.loss);
      result.testAccuracy.push(test.accuracy);
      result.testProbabilities = test.probabilities;
      result.ms.push(ms);
      await options.onEpoch?.({
        epoch,
        epochs,
        loss: lossSum / n,
        accuracy: correct / n,
        testLoss: test.loss,
        testAccuracy: test.accuracy,
        ms,
      });
    }
    return result;
  } finally {
    tf.dispose([labels, ...live]);
    optimizer.dispose();
    const leaked = tf.memory().numTensors - baseline;
    if (leaked !== 0) console.warn(`trainModel: ${leaked} tensors left behind (a bug in lib/search.ts)`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Convolutions on the wasm backend

/** Marker on our kernels, so that installing twice changes nothing. */
const CONV_FIXED = Symbol.for("course.convGradFix");

type Info = tf.TensorInfo;

/**
 * Makes convolutions trainable (and fast) on tfjs-backend-wasm 4.22, which has no `Conv2DBackpropFilter`
 * kernel and a slow `Conv2DBackpropInput`. Both gradients are written as ordinary forward convolutions,
 * which run on the fast XNNPACK kernel (stride 1, NHWC; other cases fall back to tfjs's own kernels):
 *   dC/dW[i,j,c,o] = sum_{n,y,x} xpad[n, y+i, x+j, c] dy[n,y,x,o]  = a convolution of x by dy
 *                    (x's channels as the batch, its examples as channels; dy as the filter),
 *   dC/dx = dy (padded) convolved with W rotated by 180 degrees, input and output channels swapped.
 * Returns false when the wasm backend's kernels are not there (another backend: nothing to fix).
 */
export function installWasmConvGradFix(): boolean {
  const get = (name: string) => tf.getKernel(name, "wasm");
  const conv = get("Conv2D"), transpose = get("Transpose"), reverse = get("Reverse"), pad = get("PadV2");
  const baseInput = get("Conv2DBackpropInput");
  if (!conv || !transpose || !reverse || !pad || !baseInput) return false;
  if ((baseInput as unknown as Record<symbol, boolean>)[CONV_FIXED]) return true;
  const baseFilter = get("Conv2DBackpropFilter");
  const geometry = (xShape: number[], filterShape: number[], attrs: Record<string, unknown>) =>
    tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      attrs.strides as number,
      1,
      attrs.pad as "same",
      attrs.dimRoundingMode as "round",
      false,
      "channelsLast",
    );
  const simple = (attrs: Record<string, unknown>, g: tf.backend_util.Conv2DInfo) =>
    (attrs.dataFormat ?? "NHWC") === "NHWC" && g.strideHeight === 1 && g.strideWidth === 1 &&
    (attrs.dilations === undefined || attrs.dilations === 1 ||
      (Array.isArray(attrs.dilations) && attrs.dilations.every((d) => d === 1)));
  const free = (backend: unknown, infos: Info[]) =>
    infos.forEach((t) => (backend as { disposeData(id: tf.DataId): void }).disposeData(t.dataId));

  const filterGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info, dy = inputs.dy as Info;
    const a = attrs as Record<string, unknown>;
    const g = geometry(x.shape, a.filterShape as number[], a);
    if (!simple(a, g)) {
      if (baseFilter) return baseFilter.kernelFunc({ inputs, backend, attrs });
      throw new Error(
        `Conv2DBackpropFilter on wasm: only stride 1, dilation 1 and NHWC are supported, ` +
          `got strides ${a.strides}, dilations ${a.dilations}, ${a.dataFormat}`,
      );
    }
    const { top, bottom, left, right } = g.padInfo;
    const run = (k: tf.KernelConfig, ins: tf.NamedTensorInfoMap, at: tf.NamedAttrMap) =>
      k.kernelFunc({ inputs: ins, backend, attrs: at }) as Info;
    const xp = run(pad, { x }, {
      paddings: [[0, 0], [top, bottom], [left, right], [0, 0]],
      constantValue: 0,
    });
    const xT = run(transpose, { x: xp }, { perm: [3, 1, 2, 0] }); // (c, h, w, n)
    const dyT = run(transpose, { x: dy }, { perm: [1, 2, 0, 3] }); // (h, w, n, o)
    const out = run(conv, { x: xT, filter: dyT }, {
      strides: 1,
      pad: "valid",
      dataFormat: "NHWC",
      dilations: 1,
    });
    const dW = run(transpose, { x: out }, { perm: [1, 2, 0, 3] }); // (i, j, c, o)
    free(backend, [xp, xT, dyT, out]);
    return dW;
  };
  const inputGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const dy = inputs.dy as Info, filter = inputs.filter as Info;
    const a = attrs as Record<string, unknown>;
    const g = geometry(a.inputShape as number[], filter.shape, a);
    if (!simple(a, g)) return baseInput.kernelFunc({ inputs, backend, attrs });
    const [kh, kw] = filter.shape;
    const { top, bottom, left, right } = g.padInfo;
    const run = (k: tf.KernelConfig, ins: tf.NamedTensorInfoMap, at: tf.NamedAttrMap) =>
      k.kernelFunc({ inputs: ins, backend, attrs: at }) as Info;
    const rotated = run(reverse, { x: filter }, { dims: [0, 1] });
    const w = run(transpose, { x: rotated }, { perm: [0, 1, 3, 2] });
    const dx = run(conv, { x: dy, filter: w }, {
      strides: 1,
      dataFormat: "NHWC",
      dilations: 1,
      pad: [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]],
    } as unknown as tf.NamedAttrMap);
    free(backend, [rotated, w]);
    return dx;
  };
  if (baseFilter) tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: filterGrad,
    [CONV_FIXED]: true,
  } as tf.KernelConfig);
  tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel({ ...baseInput, kernelFunc: inputGrad, [CONV_FIXED]: true } as tf.KernelConfig);
  return true;
}
