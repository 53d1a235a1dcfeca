/**
 * lib/kernels.ts: the wasm kernel repairs that setupBackend installs. Reference: the cpu backend's own
 * convolution gradients (tfjs autodiff with its reference kernels). The matrix-product repair is checked
 * against the cpu backend in tests/backend_test.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { assert } from "./assert.ts";
import { setupBackend } from "../lib/backend.ts";
import { installKernelRepairs } from "../lib/kernels.ts";

Deno.test('setupBackend("wasm") repairs convolution gradients: they equal the cpu backend\'s', async () => {
  type Shape4 = [number, number, number, number];
  const cases: { x: Shape4; w: Shape4; pad: "same" | "valid" }[] = [
    { x: [3, 7, 7, 2], w: [3, 3, 2, 4], pad: "same" },
    { x: [3, 7, 7, 2], w: [3, 3, 2, 4], pad: "valid" },
    { x: [2, 8, 6, 3], w: [5, 2, 3, 2], pad: "same" }, // non-square kernel, non-square image
    { x: [2, 9, 9, 1], w: [4, 4, 1, 3], pad: "same" }, // even kernel: padding differs top / bottom
  ];
  const gradients = () =>
    cases.map(({ x, w, pad }) =>
      tf.tidy(() => {
        const xs = tf.randomNormal(x, 0, 1, "float32", 1) as tf.Tensor4D;
        const ws = tf.randomNormal(w, 0, 1, "float32", 2) as tf.Tensor4D;
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad)));
        return tf.grads(f)([xs, ws]).map((g) => Array.from(g.dataSync()));
      })
    );
  await setupBackend("cpu");
  const reference = gradients();
  await setupBackend("wasm");
  assert.equal(installKernelRepairs(), true, "a second install changes nothing");
  for (const kernel of ["Conv2DBackpropFilter", "Conv2DBackpropInput"]) {
    const config = tf.getKernel(kernel, "wasm") as unknown as Record<symbol, boolean>;
    assert.ok(config[Symbol.for("course.convGradFix")], `${kernel} on wasm is the repaired kernel`);
  }
  const before = tf.memory().numTensors;
  const got = gradients();
  assert.equal(tf.memory().numTensors, before, "tensors left behind");
  got.forEach((pair, c) =>
    pair.forEach((values, k) => {
      const ref = reference[c][k];
      const scale = Math.max(...ref.map(Math.abs));
      const err = Math.max(...values.map((v, i) => Math.abs(v - ref[i])));
      assert.ok(err <= 1e-5 * scale, `case ${c} ${k === 0 ? "dx" : "dW"}: max error ${err} (scale ${scale})`);
    })
  );
  // Stride 2 is not covered by the fix and wasm has no kernel of its own for it: a clear error.
  assert.throws(
    () =>
      tf.tidy(() =>
        tf.grad((w: tf.Tensor) =>
          tf.sum(tf.conv2d(tf.ones([1, 6, 6, 1]) as tf.Tensor4D, w as tf.Tensor4D, 2, "same"))
        )(tf.ones([3, 3, 1, 1]))
      ),
    /stride 1/,
  );
});
