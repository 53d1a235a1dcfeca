/**
 * How good is a function? The lecture's step 2: cross-entropy between the network's output y and the
 * one-hot target y-hat, and the total loss L = sum_n C^n over the examples.
 *
 * Outputs are columns (one per example); labels are class indices 0 .. classes - 1.
 */
import { argmaxCols, Matrix } from "./matrix.ts";
import { EPSILON } from "./training.ts"; // ln(max(y, EPSILON)): a loss never becomes Infinity

/** Throws unless labels has n entries, each a whole number 0 .. classes - 1 (n = 0 is an empty batch). */
export function checkLabels(what: string, labels: ArrayLike<number>, classes: number, n?: number): void {
  if (!labels || typeof labels.length !== "number") {
    throw new Error(`${what}: labels must be a list of class indices, got ${String(labels)}`);
  }
  if (labels.length === 0) throw new Error(`${what}: empty batch: there are no labels (need at least one)`);
  if (n !== undefined && labels.length !== n) {
    throw new Error(
      `${what}: ${labels.length} labels for ${n} examples (columns); need one label per example`,
    );
  }
  for (let k = 0; k < labels.length; k++) {
    const c = labels[k];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(
        `${what}: label ${c} (example ${k}) is not a class index: expected a whole number 0 to ${
          classes - 1
        }`,
      );
    }
  }
}

/** Whether v is a probability, 0 <= v <= 1 (a rounding error above 1 allowed; false for NaN). */
function isProbability(v: number): boolean {
  return typeof v === "number" && v >= 0 && v <= 1 + 1e-6;
}

/** The error for an output that is not a probability: where it was, and the likely cause. */
function notProbability(what: string, v: number, where: string): Error {
  const hint = Number.isNaN(v)
    ? "NaN usually means training diverged (learning rate too large)"
    : "pass the output y = softmax(z) (or sigmoid(z)), not z";
  return new Error(`${what}: ${where} is ${v}, expected a probability in [0, 1]: ${hint}`);
}

/** The one-hot targets y-hat (classes x N): column n is 1 in row labels[n], 0 elsewhere. */
export function oneHot(labels: ArrayLike<number>, classes = 10): Matrix {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(`oneHot: classes must be a whole number >= 1, got ${classes}`);
  }
  checkLabels("oneHot", labels, classes);
  const Y = new Matrix(classes, labels.length);
  for (let n = 0; n < labels.length; n++) Y.data[labels[n] * labels.length + n] = 1;
  return Y;
}

/** The cross-entropy of one example: C = -sum_i yhat_i ln y_i = -ln y_label (y-hat one-hot, y probabilities). */
export function crossEntropy(y: ArrayLike<number>, label: number): number {
  if (!y || y.length === 0) throw new Error("crossEntropy: y is empty: expected one probability per class");
  checkLabels("crossEntropy", [label], y.length);
  for (let i = 0; i < y.length; i++) {
    if (!isProbability(y[i])) throw notProbability("crossEntropy", y[i], `y[${i}]`);
  }
  // Only the label's term of the sum survives, because y-hat is 0 everywhere else.
  return -Math.log(Math.max(y[label], EPSILON));
}

/** The total loss over a batch: L = sum_n C^n, Y has one column y^n per example. */
export function totalLoss(Y: Matrix, labels: ArrayLike<number>): number {
  if (!(Y instanceof Matrix)) throw new Error(`totalLoss: Y must be a Matrix, got ${typeof Y}`);
  if (Y.cols === 0) throw new Error(`totalLoss: empty batch: Y is (${Y.rows} x 0), need at least one column`);
  checkLabels("totalLoss", labels, Y.rows, Y.cols);
  const bad = Y.data.findIndex((v) => !isProbability(v));
  if (bad >= 0) {
    const n = bad % Y.cols;
    throw notProbability(
      "totalLoss",
      Y.data[bad],
      `Y at row ${Math.floor(bad / Y.cols)}, column ${n} (example ${n})`,
    );
  }
  let L = 0;
  for (let n = 0; n < Y.cols; n++) L -= Math.log(Math.max(Y.data[labels[n] * Y.cols + n], EPSILON));
  return L;
}

/** The fraction of examples whose largest output is at their label: correct / N. */
export function accuracy(Y: Matrix, labels: ArrayLike<number>): number {
  if (!(Y instanceof Matrix)) throw new Error(`accuracy: Y must be a Matrix, got ${typeof Y}`);
  if (Y.cols === 0) throw new Error(`accuracy: empty batch: Y is (${Y.rows} x 0), need at least one column`);
  checkLabels("accuracy", labels, Y.rows, Y.cols);
  const nan = Y.data.findIndex(Number.isNaN); // outputs need not be probabilities here, only comparable
  if (nan >= 0) {
    throw new Error(
      `accuracy: Y holds NaN at row ${Math.floor(nan / Y.cols)}, column ${nan % Y.cols}: ` +
        "no prediction can be read from it (NaN usually means training diverged)",
    );
  }
  const predicted = argmaxCols(Y);
  let correct = 0;
  for (let n = 0; n < Y.cols; n++) if (predicted[n] === labels[n]) correct++;
  return correct / Y.cols;
}
