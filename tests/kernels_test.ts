/**
 * lib/kernels.ts: the wasm kernel repairs that setupBackend installs. Reference: the cpu backend's own
 * convolution and max-pooling gradients (tfjs autodiff with its reference kernels). The matrix-product repair is checked
 * against the cpu backend in tests/backend_test.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { assert } from "./assert.ts";
import { setupBackend } from "../lib/backend.ts";
import { installKernelRepairs } from "../lib/kernels.ts";
import { maxPoolGrad } from "../lib/conv_kernels.ts";

Deno.test("convolutions on wasm, with the BLAS on and off, and their repaired gradients equal the cpu backend's", async () => {
  type Shape4 = [number, number, number, number];
  type Case = { x: Shape4; w: Shape4; pad: "same" | "valid"; stride?: number };
  const cases: Case[] = [
    { x: [3, 7, 7, 2], w: [3, 3, 2, 4], pad: "same" },
    { x: [3, 7, 7, 2], w: [3, 3, 2, 4], pad: "valid" },
    { x: [2, 8, 6, 3], w: [5, 2, 3, 2], pad: "same" }, // non-square kernel, non-square image
    { x: [2, 9, 9, 1], w: [4, 4, 1, 3], pad: "same" }, // even kernel: padding differs top / bottom
  ];
  // The BLAS road computes the gradients of any stride; the plain-wasm road's repair is for stride 1.
  const blasOnly: Case[] = [{ x: [2, 9, 8, 2], w: [3, 3, 2, 3], pad: "same", stride: 2 }];
  const results = (list: Case[]) =>
    list.map(({ x, w, pad, stride = 1 }) =>
      tf.tidy(() => {
        const xs = tf.randomNormal(x, 0, 1, "float32", 1) as tf.Tensor4D;
        const ws = tf.randomNormal(w, 0, 1, "float32", 2) as tf.Tensor4D;
        const y = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(y(a, b)));
        return [y(xs, ws), ...tf.grads(f)([xs, ws])].map((g) => Array.from(g.dataSync()));
      })
    );
  await setupBackend("cpu");
  const reference = results([...cases, ...blasOnly]);
  for (const blas of [true, false]) {
    await setupBackend("wasm", { blas });
    assert.equal(installKernelRepairs(), true, "a second install changes nothing");
    for (const kernel of ["Conv2DBackpropFilter", "Conv2DBackpropInput"]) {
      const config = tf.getKernel(kernel, "wasm") as unknown as Record<symbol, boolean>;
      assert.ok(config[Symbol.for("course.convGradFix")], `${kernel} on wasm is the course's kernel`);
    }
    const before = tf.memory().numTensors;
    const got = results(blas ? [...cases, ...blasOnly] : cases);
    assert.equal(tf.memory().numTensors, before, "tensors left behind");
    got.forEach((triple, c) =>
      triple.forEach((values, k) => {
        const ref = reference[c][k];
        const scale = Math.max(...ref.map(Math.abs));
        const err = Math.max(...values.map((v, i) => Math.abs(v - ref[i])));
        const what = ["y", "dx", "dW"][k];
        assert.ok(err <= 1e-5 * scale, `blas ${blas}, case ${c} ${what}: max error ${err} (scale ${scale})`);
      })
    );
  }
  // Stride 2 without the BLAS is not covered by the repair and wasm has no kernel of its own: a clear error.
  assert.throws(
    () =>
      tf.tidy(() =>
        tf.grad((w: tf.Tensor) =>
          tf.sum(tf.conv2d(tf.ones([1, 6, 6, 1]) as tf.Tensor4D, w as tf.Tensor4D, 2, "same"))
        )(tf.ones([3, 3, 1, 1]))
      ),
    /stride 1/,
  );
  await setupBackend("wasm");
});

Deno.test("max pooling's gradient on wasm equals the cpu backend's, ties and overlapping windows included", async () => {
  type Shape4 = [number, number, number, number];
  const cases: { x: Shape4; size: number; stride: number; pad: "same" | "valid" }[] = [
    { x: [3, 8, 8, 4], size: 2, stride: 2, pad: "valid" }, // the CNN's pooling
    { x: [2, 7, 5, 3], size: 3, stride: 1, pad: "same" }, // overlapping windows, padding
    { x: [2, 9, 9, 2], size: 3, stride: 2, pad: "same" },
    { x: [1, 5, 6, 1], size: 2, stride: 2, pad: "valid" }, // a column left over
  ];
  const gradients = () =>
    cases.map(({ x, size, stride, pad }, k) =>
      tf.tidy(() => {
        // Rounded ReLU outputs: many windows hold ties (zeros, equal values).
        const xs = tf.round(tf.relu(tf.randomNormal(x, 0, 2, "float32", 10 + k))) as tf.Tensor4D;
        const weights = tf.randomNormal(tf.maxPool(xs, size, stride, pad).shape, 0, 1, "float32", 20 + k);
        const f = (a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, size, stride, pad), weights));
        return Array.from(tf.grad(f)(xs).dataSync());
      })
    );
  await setupBackend("cpu");
  const reference = gradients();
  await setupBackend("wasm");
  assert.equal(tf.getKernel("MaxPoolGrad", "wasm")?.kernelFunc, maxPoolGrad, "the course's kernel runs");
  const before = tf.memory().numTensors;
  const got = gradients();
  assert.equal(tf.memory().numTensors, before, "tensors left behind");
  got.forEach((values, c) => {
    const err = Math.max(...values.map((v, i) => Math.abs(v - reference[c][i])));
    assert.ok(err <= 1e-6, `case ${c}: max error ${err}`);
  });
});

Deno.test("sums over every axis but the last on wasm equal the cpu backend's; other sums are unchanged", async () => {
  const cases: { shape: number[]; axis: number | number[]; keepDims?: boolean }[] = [
    { shape: [64, 16, 16, 16], axis: [0, 1, 2] }, // the first convolution's bias gradient
    { shape: [5, 4, 3, 7], axis: [2, 0, 1], keepDims: true }, // any order, kept dimensions
    { shape: [6, 5, 3], axis: [-3, -2] },
    { shape: [6, 5, 3], axis: [0, 2] }, // not the leading axes: wasm's own kernel
    { shape: [50, 10], axis: 0 },
  ];
  const sums = () =>
    cases.map(({ shape, axis, keepDims }, k) =>
      tf.tidy(() => {
        const s = tf.sum(tf.randomNormal(shape, 0, 1, "float32", 30 + k), axis, keepDims);
        return { shape: s.shape, values: Array.from(s.dataSync()) };
      })
    );
  await setupBackend("cpu");
  const reference = sums();
  await setupBackend("wasm");
  const before = tf.memory().numTensors;
  const got = sums();
  assert.equal(tf.memory().numTensors, before, "tensors left behind");
  got.forEach(({ shape, values }, c) => {
    assert.deepEqual(shape, reference[c].shape, `case ${c}: shape`);
    const err = Math.max(...values.map((v, i) => Math.abs(v - reference[c].values[i])));
    assert.ok(err <= 1e-3, `case ${c}: max error ${err}`);
  });
});
