/**
 * Two steps of lib/train.ts's mini-batch, each as ONE engine operation where the engine allows it: on the
 * wasm backend a training step is dozens of small operations, and each costs the engine's bookkeeping besides
 * its arithmetic. lib/kernels.ts registers the two kernels on wasm; on any other backend (or before they are
 * registered) the same results come from tfjs's own operations.
 *
 * - The output layer's softmax and cross-entropy, for B examples in rows with labels y_n:
 *     yhat = softmax(z),  delta^L = scale (yhat - onehot(y)),  C^n = -ln yhat_{y_n} = logsumexp(z) - z_{y_n},
 *   and with them the batch's sum of C^n and its number of correct answers (argmax z = y_n).
 * - The backward step through a hidden activation, written with a = sigma(z) from the forward pass:
 *     delta = g * sigma'(z):  sigmoid a (1 - a),  ReLU [a > 0],  tanh 1 - a^2.
 */
import * as tf from "@tensorflow/tfjs";
import type { Hidden } from "./training.ts";
import { viewOf, type WasmBackend } from "./wasm_memory.ts";

/** The kernel name of the output layer's softmax and cross-entropy. */
export const SOFTMAX_CROSS_ENTROPY = "CourseSoftmaxCrossEntropy";
/** The kernel name of the backward step through a hidden activation. */
export const ACTIVATION_BACKWARD = "CourseActivationBackward";

/** sigma'(z) from a = sigma(z), one number at a time (the wasm kernel's loop). */
const SLOPE_OF: Record<Hidden, (a: number) => number> = {
  sigmoid: (a) => a * (1 - a),
  relu: (a) => (a > 0 ? 1 : 0),
  tanh: (a) => 1 - a * a,
};

/** The wasm kernel of `softmaxCrossEntropy`: one pass over the rows, in float64, written in place. */
const softmaxCrossEntropyKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackend;
  const zInfo = inputs.z as tf.TensorInfo, labelsInfo = inputs.labels as tf.TensorInfo;
  const [B, K] = zInfo.shape;
  const scale = (attrs as { scale: number }).scale;
  const deltaInfo = wasm.makeOutput([B, K], "float32");
  const statsInfo = wasm.makeOutput([2], "float32");
  // Views only now: makeOutput may have grown the memory.
  const z = viewOf(wasm, zInfo), labels = viewOf(wasm, labelsInfo, "int32");
  const delta = viewOf(wasm, deltaInfo), stats = viewOf(wasm, statsInfo);
  let lossSum = 0, correct = 0;
  for (let n = 0; n < B; n++) {
    const row = n * K, y = labels[n];
    let max = -Infinity, best = 0;
    for (let k = 0; k < K; k++) if (z[row + k] > max) [max, best] = [z[row + k], k];
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(z[row + k] - max);
    for (let k = 0; k < K; k++) {
      delta[row + k] = scale * (Math.exp(z[row + k] - max) / sum - (k === y ? 1 : 0));
    }
    lossSum += Math.log(sum) + max - z[row + y];
    if (best === y) correct++;
  }
  stats[0] = lossSum;
  stats[1] = correct;
  return [deltaInfo, statsInfo];
};

/** The wasm kernel of `activationBackward`. */
const activationBackwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackend;
  const gInfo = inputs.g as tf.TensorInfo, aInfo = inputs.a as tf.TensorInfo;
  const slope = SLOPE_OF[(attrs as { hidden: Hidden }).hidden];
  const outInfo = wasm.makeOutput(gInfo.shape, "float32");
  const g = viewOf(wasm, gInfo), a = viewOf(wasm, aInfo), out = viewOf(wasm, outInfo);
  for (let i = 0; i < out.length; i++) out[i] = g[i] * slope(a[i]);
  return outInfo;
};

/** The two kernels, for lib/kernels.ts to register on the wasm backend. */
export const TRAIN_KERNELS: { kernelName: string; kernelFunc: tf.KernelFunc }[] = [
  { kernelName: SOFTMAX_CROSS_ENTROPY, kernelFunc: softmaxCrossEntropyKernel },
  { kernelName: ACTIVATION_BACKWARD, kernelFunc: activationBackwardKernel },
];

/** Whether the current backend has the course's kernel `name`. */
function registered(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * The output layer of a mini-batch, examples in rows: z (B x K) and the labels (B, int32) give
 * [delta^L = scale (softmax(z) - onehot(labels)) (B x K), [sum of C^n, number correct] (2 values)].
 */
export function softmaxCrossEntropy(
  z: tf.Tensor2D,
  labels: tf.Tensor1D,
  scale: number,
): [tf.Tensor2D, tf.Tensor1D] {
  if (z.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== z.shape[0]) {
    throw new Error(
      `softmaxCrossEntropy: z must be (B x K) and labels B class indices, got z ${z.shape} and labels ${labels.shape}`,
    );
  }
  if (z.dtype === "float32" && labels.dtype === "int32" && registered(SOFTMAX_CROSS_ENTROPY)) {
    const [delta, stats] = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { z, labels }, {
      scale,
    }) as tf.Tensor[];
    return [delta as tf.Tensor2D, stats as tf.Tensor1D];
  }
  return tf.tidy(() => {
    const onehot = tf.oneHot(labels, z.shape[1]);
    const delta = tf.mul(tf.sub(tf.softmax(z), onehot), scale) as tf.Tensor2D;
    const lossSum = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(z))));
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), labels), "float32"));
    return [delta, tf.stack([lossSum, correct]) as tf.Tensor1D];
  });
}

/** delta = g * sigma'(z), with sigma' written through a = sigma(z): sigmoid a (1 - a), ReLU [a > 0], tanh 1 - a^2. */
export function activationBackward(g: tf.Tensor2D, a: tf.Tensor2D, hidden: Hidden): tf.Tensor2D {
  if (!tf.util.arraysEqual(g.shape, a.shape)) {
    throw new Error(`activationBackward: g (${g.shape}) and a (${a.shape}) must have the same shape`);
  }
  if (g.dtype === "float32" && a.dtype === "float32" && registered(ACTIVATION_BACKWARD)) {
    return tf.engine().runKernel(ACTIVATION_BACKWARD, { g, a }, { hidden }) as tf.Tensor2D;
  }
  return tf.tidy(() => {
    const slope = hidden === "sigmoid"
      ? tf.mul(a, tf.sub(1, a))
      : hidden === "relu"
      ? tf.step(a)
      : tf.sub(1, tf.square(a));
    return tf.mul(g, slope) as tf.Tensor2D;
  });
}
