/**
 * Principal component analysis (PCA), from scratch: the directions along which a cloud of points varies
 * most. Notebook 04 uses it to look at 256 pixels, or 500 hidden-layer outputs, in two dimensions.
 *
 * For points x_1..x_n (rows of X, each of d numbers) with mean m, the covariance is
 *   S = (1/n) sum_k (x_k - m)(x_k - m)^T   (d x d, symmetric),
 * and the first principal component is the unit vector v that maximises the variance v^T S v of the
 * points projected on it: the eigenvector of S with the largest eigenvalue lambda_1 (the variance along v).
 * Power iteration finds it: v <- S v / |S v| turns any start towards it. Subtracting lambda_1 v v^T from S
 * (deflation) leaves the next component as the leading one, and so on. Plain loops, no tfjs.
 */
import { rng } from "./random.ts";

/** The first k principal components of a set of points, and the points' coordinates along them. */
export interface Projection {
  /** The components v_1..v_k (unit vectors of d numbers), largest variance first. */
  components: Float64Array[];
  /** The variance of the points along each component: the eigenvalues lambda_1 >= ... >= lambda_k. */
  variances: number[];
  /** The fraction of the total variance (trace of S) that the k components keep. */
  explained: number;
  /** The coordinates of every point along each component: coords[c][k] = (x_k - m) . v_c. */
  coords: Float64Array[];
}

/**
 * The covariance S = (1/n) sum_k (x_k - m)(x_k - m)^T of the n rows of X (n x d, row-major), computed as
 * (1/n) X^T X - m m^T: rows are added one at a time, skipping zeros (blank paper, silent ReLU neurons).
 */
export function covariance(X: ArrayLike<number>, n: number, d: number): Float64Array {
  checkShape("covariance", X, n, d);
  const S = new Float64Array(d * d);
  const mean = new Float64Array(d);
  for (let k = 0; k < n; k++) {
    const row = k * d;
    for (let i = 0; i < d; i++) {
      const xi = X[row + i];
      if (xi === 0) continue;
      mean[i] += xi / n;
      for (let j = i; j < d; j++) S[i * d + j] += xi * X[row + j]; // upper triangle; mirrored below
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const s = S[i * d + j] / n - mean[i] * mean[j];
      S[i * d + j] = s;
      S[j * d + i] = s;
    }
  }
  return S;
}

/** S v for a symmetric d x d matrix S. */
function times(S: Float64Array, v: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += S[i * d + j] * v[j];
    out[i] = s;
  }
  return out;
}

/** The unit vector in the direction of v (v itself when it is zero). */
function unit(v: Float64Array): Float64Array {
  const norm = Math.hypot(...v);
  return norm > 0 ? v.map((x) => x / norm) : v;
}

/**
 * The leading eigenvector of a symmetric positive semi-definite S and its eigenvalue, by power iteration
 * from a seeded random start, until the direction changes by less than `tol` (or `maxIterations`).
 */
export function leadingEigenvector(
  S: Float64Array,
  d: number,
  seed = 1,
  maxIterations = 2000,
  tol = 1e-10,
): { vector: Float64Array; value: number } {
  const random = rng(seed);
  // A random start has a part along the leading eigenvector (a fixed start such as all ones may not).
  let v = unit(Float64Array.from({ length: d }, () => random() - 0.5));
  for (let it = 0; it < maxIterations; it++) {
    const next = unit(times(S, v, d));
    const change = Math.hypot(...next.map((x, i) => x - v[i]));
    v = next;
    if (change < tol) break;
  }
  // Sign: an eigenvector's sign is arbitrary; fix it (largest entry positive) so that runs agree.
  let big = 0;
  for (let i = 1; i < d; i++) if (Math.abs(v[i]) > Math.abs(v[big])) big = i;
  if (v[big] < 0) v = v.map((x) => -x);
  const Sv = times(S, v, d);
  return { vector: v, value: v.reduce((s, x, i) => s + x * Sv[i], 0) }; // lambda = v^T S v
}

/** The first k principal components of the n rows of X (n x d, row-major), with every row's coordinates. */
export function principalComponents(X: ArrayLike<number>, n: number, d: number, k = 2): Projection {
  if (!Number.isInteger(k) || k < 1 || k > d) {
    throw new Error(`principalComponents: k must be a whole number in 1..${d}, got ${k}`);
  }
  const S = covariance(X, n, d);
  let total = 0;
  for (let i = 0; i < d; i++) total += S[i * d + i]; // trace = total variance
  const components: Float64Array[] = [], variances: number[] = [];
  for (let c = 0; c < k; c++) {
    const { vector, value } = leadingEigenvector(S, d, c + 1);
    components.push(vector);
    variances.push(value);
    // Deflation: S <- S - lambda v v^T removes this direction; the next component leads what is left.
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) S[i * d + j] -= value * vector[i] * vector[j];
    }
  }
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) mean[i] += X[r * d + i] / n;
  const coords = components.map((v) => {
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += (X[r * d + i] - mean[i]) * v[i];
      out[r] = s;
    }
    return out;
  });
  const explained = total > 0 ? variances.reduce((a, b) => a + b, 0) / total : 0;
  return { components, variances, explained, coords };
}

/** Throws unless X holds n rows of d finite numbers. */
function checkShape(what: string, X: ArrayLike<number>, n: number, d: number): void {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || d < 1) {
    throw new Error(`${what}: n and d must be positive whole numbers, got n = ${n}, d = ${d}`);
  }
  if (X?.length !== n * d) {
    throw new Error(`${what}: X should hold n x d = ${n} x ${d} = ${n * d} numbers, got ${X?.length}`);
  }
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) {
      throw new Error(`${what}: X[${i}] (row ${Math.floor(i / d)}) is ${X[i]}, not a finite number`);
    }
  }
}
