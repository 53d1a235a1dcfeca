/** Activations against tfjs (its cpu backend) and on extreme inputs. */
import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, maxRelativeError } from "./assert.ts";
import {
  relu,
  reluPrime,
  sigmoid,
  sigmoidPrime,
  sigmoidScalar,
  softmax,
  tanh,
  tanhPrime,
} from "../lib/activations.ts";
import { Matrix, sumCols, transpose } from "../lib/matrix.ts";
import { type Rng, rng } from "../lib/random.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

function randomMatrix(r: Rng, rows: number, cols: number, spread: number): Matrix {
  return new Matrix(rows, cols, Float32Array.from({ length: rows * cols }, () => spread * (2 * r() - 1)));
}

/** tfjs's value of f at z, and its gradient of sum(f(z)) (= f'(z) element by element). */
function tfValueAndPrime(f: (x: tf.Tensor) => tf.Tensor, z: Matrix): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const x = tf.tensor2d(z.data, [z.rows, z.cols]);
    const value = f(x).dataSync() as Float32Array;
    const prime = tf.grad((t: tf.Tensor) => f(t).sum())(x).dataSync() as Float32Array;
    return [value.slice(), prime.slice()];
  });
}

Deno.test("sigmoid, relu, tanh and their derivatives agree with tfjs and its autodiff", () => {
  const r = rng(11);
  for (let t = 0; t < 40; t++) {
    const z = randomMatrix(r, 1 + Math.floor(r() * 8), 1 + Math.floor(r() * 8), 8);
    const [s, sp] = tfValueAndPrime(tf.sigmoid, z);
    assertClose(sigmoid(z).data, s, 1e-6, "sigmoid");
    assertClose(sigmoidPrime(z).data, sp, 1e-6, "sigmoid'");
    const [q, qp] = tfValueAndPrime(tf.relu, z);
    assertClose(relu(z).data, q, 0, "relu");
    assertClose(reluPrime(z).data, qp, 0, "relu'");
    const [h, hp] = tfValueAndPrime(tf.tanh, z);
    assertClose(tanh(z).data, h, 1e-6, "tanh");
    assertClose(tanhPrime(z).data, hp, 1e-6, "tanh'");
  }
  // At exactly 0 both take ReLU'(0) = 0.
  assertClose(reluPrime(Matrix.from([[0, -0, 1e-30]])).data, [0, 0, 1], 0);
});

Deno.test("sigmoid: the lecture's values and saturation without NaN at +-1e4", () => {
  assertClose(sigmoidScalar(0), 0.5, 0);
  assertClose(sigmoidScalar(4), 0.98, 0.005); // the lecture's first neuron: 1*1 + (-1)*(-2) + 1 = 4
  assertClose(sigmoidScalar(-2), 0.12, 0.005);
  const z = Matrix.from([[-1e4, -1000, -50, 50, 1000, 1e4]]);
  assertClose(sigmoid(z).data, [0, 0, 0, 1, 1, 1], 1e-20);
  assertClose(sigmoidPrime(z).data, [0, 0, 0, 0, 0, 0], 1e-20);
  assert(sigmoid(z).data.every(Number.isFinite));
  assert(Number.isFinite(sigmoidScalar(-Number.MAX_VALUE)) && sigmoidScalar(Number.MAX_VALUE) === 1);
});

Deno.test("softmax: each column (= one example) agrees with tfjs softmax", () => {
  const r = rng(12);
  for (let t = 0; t < 60; t++) {
    const z = randomMatrix(r, 1 + Math.floor(r() * 10), 1 + Math.floor(r() * 6), 20);
    // tfjs takes softmax over the last axis, i.e. over rows: give it one example per row (z^T).
    const expected = tf.tidy(() => tf.softmax(tf.tensor2d(transpose(z).data, [z.cols, z.rows])).dataSync());
    const y = softmax(z);
    assert(maxRelativeError(transpose(y).data, expected, 1e-6) < 1e-4, `case ${t}`);
    assertClose(sumCols(y).data, new Array(z.cols).fill(1), 1e-5);
  }
});

Deno.test("softmax: finite for logits of +-1e4, and the column max does not matter", () => {
  const z = Matrix.from([[1e4, -1e4, 0], [-1e4, -1e4, 1], [0, 1e4, 2]]);
  const y = softmax(z);
  assert(y.data.every(Number.isFinite), `${y}`);
  assertClose(y.column(0), [1, 0, 0], 1e-7);
  assertClose(y.column(1), [0, 0, 1], 1e-7);
  const e = [1, Math.E, Math.E ** 2].map((v) => v / (1 + Math.E + Math.E ** 2));
  assertClose(y.column(2), e, 1e-6);
  // Shifting a column by a constant leaves its softmax unchanged (that is why subtracting the max is safe).
  const shifted = Matrix.from([[1e4], [1e4 + 1], [1e4 + 2]]);
  assertClose(softmax(shifted).data, e, 1e-6);
  // All equal, huge: uniform.
  assertClose(softmax(Matrix.from([[-1e4], [-1e4]])).data, [0.5, 0.5], 0);
  assert.throws(() => softmax([[1]] as unknown as Matrix), /z must be a Matrix/);
  assert.throws(() => sigmoid([[1]] as unknown as Matrix), /A must be a Matrix/);
});
