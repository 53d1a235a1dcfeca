/**
 * How good is a function? The lecture's step 2: cross-entropy between the network's output y and the
 * one-hot target y-hat, and the total loss L = sum_n C^n over the examples.
 *
 * Outputs are columns (one per example); labels are class indices 0 .. classes - 1.
 */
import { messages } from "./language.ts";
import { argmaxCols, Matrix } from "./matrix.ts";
import { EPSILON } from "./training.ts"; // ln(max(y, EPSILON)): a loss never becomes Infinity

/** Throws unless labels has n entries, each a whole number 0 .. classes - 1 (n = 0 is an empty batch). */
export function checkLabels(what: string, labels: ArrayLike<number>, classes: number, n?: number): void {
  if (!labels || typeof labels.length !== "number") {
    throw new Error(messages().labelsNotList(what, String(labels)));
  }
  if (labels.length === 0) throw new Error(messages().noLabels(what));
  if (n !== undefined && labels.length !== n) throw new Error(messages().labelCount(what, labels.length, n));
  for (let k = 0; k < labels.length; k++) {
    const c = labels[k];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(messages().notClassIndex(what, c, k, classes - 1));
    }
  }
}

/** Whether v is a probability, 0 <= v <= 1 (a rounding error above 1 allowed; false for NaN). */
function isProbability(v: number): boolean {
  return typeof v === "number" && v >= 0 && v <= 1 + 1e-6;
}

/** The error for an output that is not a probability: where it was, and the likely cause. */
function notProbability(what: string, v: number, where: string): Error {
  return new Error(messages().notProbability(what, where, v, Number.isNaN(v)));
}

/** The one-hot targets y-hat (classes x N): column n is 1 in row labels[n], 0 elsewhere. */
export function oneHot(labels: ArrayLike<number>, classes = 10): Matrix {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(messages().oneHotClasses(classes));
  }
  checkLabels("oneHot", labels, classes);
  const Y = new Matrix(classes, labels.length);
  for (let n = 0; n < labels.length; n++) Y.data[labels[n] * labels.length + n] = 1;
  return Y;
}

/** The cross-entropy of one example: C = -sum_i yhat_i ln y_i = -ln y_label (y-hat one-hot, y probabilities). */
export function crossEntropy(y: ArrayLike<number>, label: number): number {
  if (!y || y.length === 0) throw new Error(messages().emptyY);
  checkLabels("crossEntropy", [label], y.length);
  for (let i = 0; i < y.length; i++) {
    if (!isProbability(y[i])) throw notProbability("crossEntropy", y[i], `y[${i}]`);
  }
  // Only the label's term of the sum survives, because y-hat is 0 everywhere else.
  return -Math.log(Math.max(y[label], EPSILON));
}

/** The total loss over a batch: L = sum_n C^n, Y has one column y^n per example. */
export function totalLoss(Y: Matrix, labels: ArrayLike<number>): number {
  if (!(Y instanceof Matrix)) throw new Error(messages().lossNotMatrix("totalLoss", typeof Y));
  if (Y.cols === 0) throw new Error(messages().emptyBatch("totalLoss", Y.rows));
  checkLabels("totalLoss", labels, Y.rows, Y.cols);
  const bad = Y.data.findIndex((v) => !isProbability(v));
  if (bad >= 0) {
    const n = bad % Y.cols;
    throw notProbability("totalLoss", Y.data[bad], messages().atOutput(Math.floor(bad / Y.cols), n));
  }
  let L = 0;
  for (let n = 0; n < Y.cols; n++) L -= Math.log(Math.max(Y.data[labels[n] * Y.cols + n], EPSILON));
  return L;
}

/** The fraction of examples whose largest output is at their label: correct / N. */
export function accuracy(Y: Matrix, labels: ArrayLike<number>): number {
  if (!(Y instanceof Matrix)) throw new Error(messages().lossNotMatrix("accuracy", typeof Y));
  if (Y.cols === 0) throw new Error(messages().emptyBatch("accuracy", Y.rows));
  checkLabels("accuracy", labels, Y.rows, Y.cols);
  const nan = Y.data.findIndex(Number.isNaN); // outputs need not be probabilities here, only comparable
  if (nan >= 0) {
    throw new Error(messages().accuracyNaN(Math.floor(nan / Y.cols), nan % Y.cols));
  }
  const predicted = argmaxCols(Y);
  let correct = 0;
  for (let n = 0; n < Y.cols; n++) if (predicted[n] === labels[n]) correct++;
  return correct / Y.cols;
}
