/**
 * Activation functions sigma, each beside its derivative sigma' (what backpropagation needs).
 *
 * They act on a whole matrix z at once; softmax acts per COLUMN, because in this course a column is one
 * example.
 */
import { map, Matrix } from "./matrix.ts";

/** sigma(x) = 1 / (1 + e^-x) without checks, for the matrix versions (a Matrix holds only numbers). */
function sigma(x: number): number {
  // For x = -1e4, e^-x is Infinity and 1 / Infinity = 0: the function saturates, it never gives NaN.
  return 1 / (1 + Math.exp(-x));
}

/** The sigmoid of one number: sigma(x) = 1 / (1 + e^-x). */
export function sigmoidScalar(x: number): number {
  if (typeof x !== "number") {
    throw new Error(`sigmoidScalar: x must be a number, got ${typeof x} ${String(x)}`);
  }
  return sigma(x);
}

/** sigma(z) = 1 / (1 + e^-z), element by element: squashes any z into (0, 1). */
export function sigmoid(z: Matrix): Matrix {
  return map(z, sigma);
}

/** sigma'(z) = sigma(z) (1 - sigma(z)), element by element. */
export function sigmoidPrime(z: Matrix): Matrix {
  return map(z, (x) => {
    const s = sigma(x);
    return s * (1 - s);
  });
}

/** ReLU(z) = max(0, z), element by element. */
export function relu(z: Matrix): Matrix {
  return map(z, (x) => (x > 0 ? x : 0));
}

/** ReLU'(z) = 1 where z > 0, else 0 (at z = 0 we take 0, as tfjs and PyTorch do). */
export function reluPrime(z: Matrix): Matrix {
  return map(z, (x) => (x > 0 ? 1 : 0));
}

/** tanh(z) = (e^z - e^-z) / (e^z + e^-z), element by element: like sigmoid, but centred on 0, in (-1, 1). */
export function tanh(z: Matrix): Matrix {
  return map(z, Math.tanh);
}

/** tanh'(z) = 1 - tanh(z)^2, element by element. */
export function tanhPrime(z: Matrix): Matrix {
  return map(z, (x) => 1 - Math.tanh(x) ** 2);
}

/** softmax of each column: y_i = e^(z_i) / sum_j e^(z_j); every column of the result sums to 1. */
export function softmax(z: Matrix): Matrix {
  if (!(z instanceof Matrix)) throw new Error(`softmax: z must be a Matrix, got ${typeof z}`);
  const { rows, cols, data } = z;
  if (rows === 0) throw new Error(`softmax: a (0 x ${cols}) matrix has no classes`);
  const y = new Matrix(rows, cols);
  const e = new Float64Array(rows);
  for (let j = 0; j < cols; j++) {
    // Subtracting the column's largest z changes nothing mathematically (e^(z - m) / sum e^(z - m)),
    // but keeps every exponent <= 0: e^1e4 would be Infinity, and Infinity / Infinity is NaN.
    let max = -Infinity;
    for (let i = 0; i < rows; i++) max = Math.max(max, data[i * cols + j]);
    let total = 0;
    for (let i = 0; i < rows; i++) {
      e[i] = Math.exp(data[i * cols + j] - max);
      total += e[i];
    }
    for (let i = 0; i < rows; i++) y.data[i * cols + j] = e[i] / total;
  }
  return y;
}
