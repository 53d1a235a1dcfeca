/**
 * Vanishing gradients (notebook 04, section 5): how large dC/dW^l is for each layer l of a deep network
 * at its starting point. Backpropagation carries delta back one layer at a time,
 *   delta^{l-1} = ((W^l)^T delta^l) * sigma'(z^{l-1}),
 * so each sigmoid layer multiplies it by sigma'(z) = sigma(z)(1 - sigma(z)) <= 0.25 on the way: the first
 * layers of a deep sigmoid network get tiny gradients and barely move. ReLU's slope is 1 wherever a neuron
 * is active. The gradients come from tfjs's automatic differentiation (tf.grads), not from lib/train.ts's
 * hand-written backward pass, so the measurement does not rest on the code it explains.
 */
import * as tf from "@tensorflow/tfjs";
import type { Split } from "./data.ts";
import { rng } from "./random.ts";
import type { TfWeights } from "./train.ts";
import { checkHidden, type Hidden } from "./training.ts";

/**
 * Starting weights as lib/train.ts draws them (like PyTorch's nn.Linear): every W^l and b^l uniform in
 * [-1/sqrt(n_{l-1}), 1/sqrt(n_{l-1})], from a seed. `sizes` = neurons per layer, input first.
 */
export function startingWeights(sizes: number[], seed: number): TfWeights[] {
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`startingWeights: sizes must list at least two positive whole numbers, got [${sizes}]`);
  }
  const random = rng(seed);
  return sizes.slice(1).map((n, l) => {
    const bound = 1 / Math.sqrt(sizes[l]);
    const draw = (count: number) => Float32Array.from({ length: count }, () => (2 * random() - 1) * bound);
    return { W: draw(n * sizes[l]), b: draw(n), shape: [n, sizes[l]] as [number, number] };
  });
}

/** The hidden activations on the engine. */
const SIGMA: Record<Hidden, (z: tf.Tensor) => tf.Tensor> = {
  sigmoid: (z) => tf.sigmoid(z),
  relu: (z) => tf.relu(z),
  tanh: (z) => tf.tanh(z),
};

/**
 * |dC/dW^l| (the Frobenius norm: the square root of the sum of squared entries) for every layer l = 1..L,
 * where C is the mean cross-entropy over the examples of `batch` and the network has these weights, hidden
 * activation `hidden` and a softmax output. Index 0 is the first layer (next to the input).
 */
export function gradientNorms(weights: TfWeights[], hidden: Hidden, batch: Split): number[] {
  checkHidden("gradientNorms", hidden);
  const inputs = weights[0]?.shape[1];
  if (!inputs || batch.x.length !== batch.n * inputs) {
    throw new Error(
      `gradientNorms: the batch should hold ${batch.n} x ${inputs} inputs, got ${batch.x.length}`,
    );
  }
  return tf.tidy(() => {
    const X = tf.transpose(tf.tensor2d(batch.x, [batch.n, inputs])); // one example per column
    const Yhat = tf.oneHot(tf.tensor1d(batch.y, "int32"), weights.at(-1)!.shape[0]);
    const bs = weights.map(({ b }) => tf.tensor2d(b, [b.length, 1]));
    const loss = (...W: tf.Tensor[]) => {
      let a: tf.Tensor = X;
      W.forEach((w, l) => {
        const z = tf.add(tf.matMul(w, a), bs[l]); // z^l = W^l a^{l-1} + b^l
        a = l === W.length - 1 ? z : SIGMA[hidden](z);
      });
      return tf.losses.softmaxCrossEntropy(Yhat, tf.transpose(a)) as tf.Scalar; // mean C over the batch
    };
    const Ws = weights.map(({ W, shape }) => tf.tensor2d(W, shape));
    return tf.grads(loss)(Ws).map((g) => tf.norm(g).dataSync()[0]);
  });
}
