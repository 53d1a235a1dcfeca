/**
 * "A network can fit any curve" (可以拟合任意曲线), from scratch: a network with one input x, one hidden
 * layer of `width` neurons and one output neuron WITHOUT activation (a curve takes any value, not only
 * (0, 1)):
 *
 *   f(x) = sum_k v_k sigma(w_k x + b_k) + c,
 *
 * fitted to the points (x_n, y_n) of a curve by gradient descent on the mean squared error
 * E = (1/N) sum_n (f(x_n) - y_n)^2. Squared error rather than the lecture's cross-entropy because the
 * output is a number to hit, not a probability over classes.
 *
 * The gradient is the chain rule written out (backpropagation for this one small network):
 *   e_n = 2 (f(x_n) - y_n) / N,   dE/dc = sum_n e_n,   dE/dv_k = sum_n e_n a_kn,
 *   dE/dw_k = sum_n e_n v_k sigma'(z_kn) x_n,   dE/db_k = sum_n e_n v_k sigma'(z_kn),
 * with z_kn = w_k x_n + b_k and a_kn = sigma(z_kn). The step is Adam's (a gradient step with a per-parameter
 * scale, notebook 03 explains gradient descent), which reaches a good fit in far fewer steps than plain
 * gradient descent on this problem. Whole batch, a few thousand steps, well under a second: synchronous,
 * so it has no mini-batches to report and nothing for Kernel > Interrupt to stop.
 *
 * It never imports tfjs (tests/approximation_test.ts checks the gradient against tfjs autodiff).
 */
import { randn, rng } from "./random.ts";
import { checkEta, checkHidden, checkWhole, type Hidden } from "./training.ts";

/** The parameters of f(x) = sum_k v_k sigma(w_k x + b_k) + c: one entry of w, b, v per hidden neuron. */
export interface CurveNet {
  w: Float64Array;
  b: Float64Array;
  v: Float64Array;
  c: number;
  hidden: Hidden;
}

/** dE/dw, dE/db, dE/dv, dE/dc (shapes of the parameters) and the mean squared error E itself. */
export interface CurveGradient {
  dw: Float64Array;
  db: Float64Array;
  dv: Float64Array;
  dc: number;
  error: number;
}

/** Options of `fitCurve`. */
export interface FitOptions {
  /** Hidden neurons. */
  width: number;
  /** The seed of the starting parameters. */
  seed: number;
  /** Gradient steps over all the points (default 4000). */
  steps?: number;
  /** Adam's step size eta (default 0.02). */
  eta?: number;
  /** The hidden activation (default sigmoid, the lecture's). */
  hidden?: Hidden;
}

/** What `fitCurve` returns: the fitted network and the mean squared error before each step and at the end. */
export interface Fit {
  net: CurveNet;
  /** E before step 1, 2, ..., and after the last step (steps + 1 values). */
  errors: number[];
}

/** sigma and sigma' of one number, for each hidden activation. */
const ACTIVATIONS: Record<Hidden, { f: (z: number) => number; df: (z: number, a: number) => number }> = {
  sigmoid: { f: (z) => 1 / (1 + Math.exp(-z)), df: (_z, a) => a * (1 - a) },
  tanh: { f: Math.tanh, df: (_z, a) => 1 - a * a },
  relu: { f: (z) => (z > 0 ? z : 0), df: (z) => (z > 0 ? 1 : 0) },
};

/**
 * Random starting parameters (seeded): w_k ~ N(0, 2^2) and b_k ~ N(0, 2^2), so that the neurons' steps
 * -b_k / w_k spread over the inputs of a curve on a few units around 0; v_k ~ N(0, 1 / width), c = 0.
 */
export function curveNet(width: number, seed: number, hidden: Hidden = "sigmoid"): CurveNet {
  checkWhole("curveNet", "width", width, 1);
  checkWhole("curveNet", "seed", seed, 0);
  checkHidden("curveNet", hidden);
  const r = rng(seed);
  const draw = (std: number) => Float64Array.from({ length: width }, () => std * randn(r));
  return { w: draw(2), b: draw(2), v: draw(1 / Math.sqrt(width)), c: 0, hidden };
}

/** f(x) for each x: sum_k v_k sigma(w_k x + b_k) + c. */
export function curveOutput(net: CurveNet, xs: ArrayLike<number>): number[] {
  const { f } = ACTIVATIONS[net.hidden];
  return Array.from(xs, (x) => {
    let y = net.c;
    for (let k = 0; k < net.w.length; k++) y += net.v[k] * f(net.w[k] * x + net.b[k]);
    return y;
  });
}

/** The mean squared error E = (1/N) sum_n (f(x_n) - y_n)^2 of the network on the points. */
export function curveError(net: CurveNet, xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  checkPoints("curveError", xs, ys);
  const out = curveOutput(net, xs);
  return out.reduce((s, o, n) => s + (o - ys[n]) ** 2, 0) / out.length;
}

/** The gradient of E by the chain rule (see the module comment), with E itself. */
export function curveGradient(net: CurveNet, xs: ArrayLike<number>, ys: ArrayLike<number>): CurveGradient {
  checkPoints("curveGradient", xs, ys);
  const { f, df } = ACTIVATIONS[net.hidden];
  const K = net.w.length, N = xs.length;
  const dw = new Float64Array(K), db = new Float64Array(K), dv = new Float64Array(K);
  const z = new Float64Array(K), a = new Float64Array(K);
  let dc = 0, error = 0;
  for (let n = 0; n < N; n++) {
    const x = xs[n];
    let y = net.c;
    for (let k = 0; k < K; k++) {
      z[k] = net.w[k] * x + net.b[k];
      a[k] = f(z[k]);
      y += net.v[k] * a[k];
    }
    const diff = y - ys[n];
    error += diff * diff / N;
    const e = 2 * diff / N; // dE/df(x_n)
    dc += e;
    for (let k = 0; k < K; k++) {
      dv[k] += e * a[k];
      const dz = e * net.v[k] * df(z[k], a[k]); // dE/dz_kn
      dw[k] += dz * x;
      db[k] += dz;
    }
  }
  return { dw, db, dv, dc, error };
}

/**
 * Fits f to the points (xs, ys) by Adam on the mean squared error, from `curveNet(width, seed)`.
 * Deterministic: the same options give the same fit. Throws if the error stops being a number.
 */
export function fitCurve(xs: ArrayLike<number>, ys: ArrayLike<number>, options: FitOptions): Fit {
  checkPoints("fitCurve", xs, ys);
  const { width, seed, steps = 4000, eta = 0.02, hidden = "sigmoid" } = options ?? {};
  checkWhole("fitCurve", "steps", steps, 1);
  checkEta("fitCurve", eta);
  const net = curveNet(width, seed, hidden);
  // Adam: running means of the gradient (m) and of its square (s), bias-corrected, per parameter.
  const beta1 = 0.9, beta2 = 0.999, tiny = 1e-8;
  const params = [net.w, net.b, net.v, Float64Array.of(net.c)];
  const m = params.map((p) => new Float64Array(p.length));
  const s = params.map((p) => new Float64Array(p.length));
  const errors: number[] = [];
  for (let t = 1; t <= steps; t++) {
    const g = curveGradient(net, xs, ys);
    if (!Number.isFinite(g.error)) {
      throw new Error(`fitCurve: the error became ${g.error} at step ${t} (eta = ${eta}); try a smaller eta`);
    }
    errors.push(g.error);
    const grads = [g.dw, g.db, g.dv, Float64Array.of(g.dc)];
    params.forEach((p, i) => {
      for (let j = 0; j < p.length; j++) {
        m[i][j] = beta1 * m[i][j] + (1 - beta1) * grads[i][j];
        s[i][j] = beta2 * s[i][j] + (1 - beta2) * grads[i][j] ** 2;
        const mHat = m[i][j] / (1 - beta1 ** t), sHat = s[i][j] / (1 - beta2 ** t);
        p[j] -= eta * mHat / (Math.sqrt(sHat) + tiny);
      }
    });
    net.c = params[3][0];
  }
  errors.push(curveError(net, xs, ys));
  return { net, errors };
}

/** Throws unless xs and ys are equally long, non-empty lists of finite numbers. */
function checkPoints(what: string, xs: ArrayLike<number>, ys: ArrayLike<number>): void {
  if (!xs || !ys || typeof xs.length !== "number" || typeof ys.length !== "number") {
    throw new Error(`${what}: expected two lists of numbers, the inputs xs and the targets ys`);
  }
  if (xs.length === 0 || xs.length !== ys.length) {
    throw new Error(
      `${what}: need as many targets as inputs (at least one), got ${xs.length} and ${ys.length}`,
    );
  }
  for (let n = 0; n < xs.length; n++) {
    if (!Number.isFinite(xs[n]) || !Number.isFinite(ys[n])) {
      throw new Error(`${what}: point ${n} is (${xs[n]}, ${ys[n]}), not two finite numbers`);
    }
  }
}
