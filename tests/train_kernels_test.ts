/**
 * lib/train_kernels.ts: the training step's softmax with cross-entropy, and its backward step through an
 * activation, as one wasm kernel each, against tfjs's own autodiff and losses on the cpu backend (untouched
 * by the course), and the same functions' fallback (plain tfjs operations) on cpu.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, maxRelativeError } from "./assert.ts";
import { setupBackend } from "../lib/backend.ts";
import { rng } from "../lib/random.ts";
import { ACTIVATION_BACKWARD, activationBackward, softmaxCrossEntropy } from "../lib/train_kernels.ts";
import type { Hidden } from "../lib/training.ts";

/** Random values in [-spread, spread) from a seed. */
function values(n: number, seed: number, spread = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => spread * (2 * r() - 1));
}

/** Runs f on a backend and returns the values of its tensors (all disposed; none may be left behind). */
async function on(backend: "cpu" | "wasm", f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await setupBackend(backend);
  const before = tf.memory().numTensors;
  const tensors = f();
  const out = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(tensors);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors left behind`);
  return out;
}

Deno.test("softmaxCrossEntropy: delta, loss and correct count equal tfjs's autodiff and loss", async () => {
  const [B, K] = [37, 10];
  // Logits from mild to extreme (a difference of 200 overflows exp without the max subtracted).
  for (const spread of [1, 30, 200]) {
    const z = values(B * K, spread, spread);
    const labels = Int32Array.from(values(B, 9), (v) => Math.floor((v + 1) / 2 * K));
    const scale = 0.3 / B;
    // The reference: d(sum of C^n)/dz from autodiff, the summed loss, and argmax = label counted.
    const [gradRef, lossRef, correctRef] = await on("cpu", () =>
      tf.tidy(() => {
        const Z = tf.tensor2d(z, [B, K]), Y = tf.oneHot(tf.tensor1d(labels, "int32"), K);
        const C = (x: tf.Tensor) =>
          tf.losses.softmaxCrossEntropy(Y, x as tf.Tensor2D, undefined, 0, tf.Reduction.SUM);
        const grad = tf.mul(tf.grad(C)(Z), scale);
        const correct = tf.sum(tf.cast(tf.equal(tf.argMax(Z, 1), tf.tensor1d(labels, "int32")), "float32"));
        return [grad, C(Z), correct];
      }));
    for (const backend of ["wasm", "cpu"] as const) {
      const [delta, stats] = await on(backend, () => {
        const Z = tf.tensor2d(z, [B, K]), y = tf.tensor1d(labels, "int32");
        const out = softmaxCrossEntropy(Z, y, scale);
        tf.dispose([Z, y]);
        return out;
      });
      const where = `${backend}, logits within ±${spread}`;
      assert.ok(maxRelativeError(delta, gradRef, 1e-4) < 1e-4, `${where}: delta`);
      assert.ok(
        Math.abs(stats[0] - lossRef[0]) <= 1e-4 * Math.max(1, lossRef[0]),
        `${where}: ${stats[0]} vs ${lossRef[0]}`,
      );
      assert.equal(stats[1], correctRef[0], `${where}: correct`);
    }
  }
});

Deno.test("activationBackward: g * sigma'(z) equals tfjs's autodiff through sigmoid, ReLU and tanh", async () => {
  const shape: [number, number] = [23, 17];
  const z = values(23 * 17, 3, 4), g = values(23 * 17, 4);
  const sigma = { sigmoid: tf.sigmoid, relu: tf.relu, tanh: tf.tanh } as const;
  await setupBackend("wasm");
  assert.ok(tf.getKernel(ACTIVATION_BACKWARD, "wasm"), "the kernel is registered on wasm");
  for (const hidden of ["sigmoid", "relu", "tanh"] as Hidden[]) {
    // The reference: the gradient of sum(g * sigma(z)) with respect to z.
    const [expected] = await on("cpu", () =>
      tf.tidy(() => {
        const G = tf.tensor2d(g, shape);
        return [tf.grad((x: tf.Tensor) => tf.sum(tf.mul(G, sigma[hidden](x))))(tf.tensor2d(z, shape))];
      }));
    for (const backend of ["wasm", "cpu"] as const) {
      const [delta] = await on(
        backend,
        () =>
          tf.tidy(
            () => [
              activationBackward(
                tf.tensor2d(g, shape),
                sigma[hidden](tf.tensor2d(z, shape)) as tf.Tensor2D,
                hidden,
              ),
            ],
          ),
      );
      assert.ok(maxRelativeError(delta, expected, 1e-4) < 1e-4, `${backend} ${hidden}`);
    }
  }
});

Deno.test("train kernels: mismatched shapes are errors that name them", async () => {
  await setupBackend("wasm");
  tf.tidy(() => {
    assert.throws(
      () => softmaxCrossEntropy(tf.zeros([4, 3]), tf.tensor1d([0, 1, 2], "int32"), 1),
      /softmaxCrossEntropy: z must be \(B x K\) and labels B class indices, got z 4,3 and labels 3/,
    );
    assert.throws(
      () => activationBackward(tf.zeros([4, 3]), tf.zeros([3, 4]), "relu"),
      /activationBackward: g \(4,3\) and a \(3,4\) must have the same shape/,
    );
  });
});
