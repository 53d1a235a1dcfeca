/**
 * Checking a gradient by finite differences, the independent check of backpropagation: nudge one
 * parameter by +h and by -h, rerun the network, and take (L(w + h) - L(w - h)) / 2h. It needs nothing but
 * the loss, so it shares no code with backprop; but it costs two forward passes per parameter, which is
 * why networks are trained with backpropagation. From scratch, no tfjs.
 */
import { Matrix } from "./matrix.ts";
import type { Network } from "./network.ts";

/** Every partial derivative of the total loss L, in backprop's layout, and how many forward passes it took. */
export interface FiniteGradient {
  dW: Matrix[];
  db: Matrix[];
  forwardPasses: number;
}

/**
 * The gradient of L = sum_n C^n on (X, labels) by central differences, one parameter at a time:
 * dL/dw ~ (L(w + h) - L(w - h)) / 2h, whose error shrinks with h^2. Each parameter is put back afterwards.
 */
export function finiteDifferences(
  net: Network,
  X: Matrix,
  labels: ArrayLike<number>,
  h: number,
): FiniteGradient {
  if (!(h > 0) || !Number.isFinite(h)) throw new Error(`finiteDifferences: h must be > 0, got ${h}`);
  let forwardPasses = 0;
  const slopes = (P: Matrix) =>
    new Matrix(
      P.rows,
      P.cols,
      Float32Array.from(P.data, (_, i) => {
        const old = P.data[i];
        P.data[i] = old + h;
        const up = net.loss(X, labels);
        P.data[i] = old - h;
        const down = net.loss(X, labels);
        P.data[i] = old; // put it back
        forwardPasses += 2;
        return (up - down) / (2 * h);
      }),
    );
  const dW = net.W.map(slopes), db = net.b.map(slopes);
  return { dW, db, forwardPasses };
}

/**
 * The largest error of `g` against a reference `ref`, relative to the largest entry of `ref`:
 * max_i |g_i - ref_i| / max_i |ref_i|. Measured per layer, so that derivatives far smaller than the
 * layer's largest (which float32 cannot resolve by finite differences) do not count as errors.
 */
export function errorRelativeToLargest(g: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (g.length !== ref.length || ref.length === 0) {
    throw new Error(`errorRelativeToLargest: lengths ${g.length} and ${ref.length} must be equal and > 0`);
  }
  let err = 0, size = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(g[i] - ref[i]));
    size = Math.max(size, Math.abs(ref[i]));
  }
  return size === 0 ? err : err / size;
}

/** The parameters of a network in the order W^1, b^1, W^2, b^2, ..., with their names. */
export function namedParameters(net: Network): { name: string; value: Matrix }[] {
  return net.W.flatMap((W, k) => [
    { name: `W^${k + 1}`, value: W },
    { name: `b^${k + 1}`, value: net.b[k] },
  ]);
}

/** What one gradient costs both ways: timed, in milliseconds. */
export interface GradientCost {
  parameters: number;
  /** One backprop (the best of 5 runs, leaving out one-off start-up costs). */
  backpropMs: number;
  /** One forward pass (the best of 5 runs). */
  forwardMs: number;
  /** Finite differences for every parameter: timed for `sample` parameters, scaled to all. */
  finiteMs: number;
  /** Forward passes finite differences need: two per parameter. */
  forwardPasses: number;
}

/** Times backprop against finite differences on one batch (finite differences timed on `sample` weights). */
export function gradientCost(
  net: Network,
  X: Matrix,
  labels: ArrayLike<number>,
  { sample = 200, h = 1e-2 } = {},
): GradientCost {
  const parameters = namedParameters(net).reduce((s, p) => s + p.value.data.length, 0);
  const W1 = net.W[0].data;
  if (!Number.isInteger(sample) || sample < 1 || sample > W1.length) {
    throw new Error(`gradientCost: sample must be 1 to ${W1.length} (the weights of W^1), got ${sample}`);
  }
  const best = (f: () => void, runs = 5) => {
    let min = Infinity;
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      f();
      min = Math.min(min, performance.now() - start);
    }
    return min;
  };
  const backpropMs = best(() => net.backprop(X, labels));
  const forwardMs = best(() => net.loss(X, labels));
  const start = performance.now();
  for (let i = 0; i < sample; i++) {
    const old = W1[i];
    W1[i] = old + h;
    net.loss(X, labels);
    W1[i] = old - h;
    net.loss(X, labels);
    W1[i] = old;
  }
  const finiteMs = (performance.now() - start) / sample * parameters;
  return { parameters, backpropMs, forwardMs, finiteMs, forwardPasses: 2 * parameters };
}
