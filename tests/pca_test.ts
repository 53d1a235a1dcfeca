/**
 * lib/pca.ts: principal components from scratch. References: mathjs (the covariance by matrix products,
 * the eigenvectors by its own eigen-solver), and points on a line, whose one component is known by hand.
 */
import * as math from "mathjs";
import { assert, assertClose } from "./assert.ts";
import { covariance, leadingEigenvector, principalComponents } from "../lib/pca.ts";
import { rng } from "../lib/random.ts";

/** n x d seeded points with different spreads along the axes, then mixed by a fixed rotation-like matrix. */
function cloud(n: number, d: number, seed: number): Float64Array {
  const random = rng(seed);
  const X = new Float64Array(n * d);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < d; i++) X[k * d + i] = (random() - 0.5) * (d - i) + (i === 0 ? 3 : 0);
  }
  return X;
}

/** The rows of X as nested arrays, for mathjs. */
const rows = (X: ArrayLike<number>, n: number, d: number) =>
  Array.from({ length: n }, (_, k) => Array.from({ length: d }, (_, i) => X[k * d + i]));

Deno.test("covariance: (1/n) (X - m)^T (X - m), as mathjs computes it", () => {
  const [n, d] = [40, 5];
  const X = cloud(n, d, 3);
  const m = math.mean(rows(X, n, d), 0) as unknown as number[];
  const centred = rows(X, n, d).map((r) => r.map((v, i) => v - m[i]));
  const expected = math.divide(math.multiply(math.transpose(centred), centred), n) as number[][];
  assertClose(covariance(X, n, d), expected.flat(), 1e-12);
});

Deno.test("principalComponents: mathjs's leading eigenvectors and eigenvalues of the covariance", () => {
  const [n, d] = [60, 6];
  const X = cloud(n, d, 7);
  const p = principalComponents(X, n, d, 3);
  const S = rows(covariance(X, n, d), d, d);
  const { eigenvectors } = math.eigs(S) as unknown as {
    eigenvectors: { value: number; vector: number[] }[];
  };
  const sorted = [...eigenvectors].sort((a, b) => b.value - a.value);
  const trace = S.reduce((s, r, i) => s + r[i], 0);
  for (let c = 0; c < 3; c++) {
    assertClose(p.variances[c], sorted[c].value, 1e-8, `lambda_${c + 1}`);
    // Eigenvectors agree up to sign: |v . u| = 1 for unit vectors.
    const dot = sorted[c].vector.reduce((s, u, i) => s + u * p.components[c][i], 0) /
      Math.hypot(...sorted[c].vector);
    assertClose(Math.abs(dot), 1, 1e-6, `component ${c + 1}`);
  }
  assertClose(p.explained, (sorted[0].value + sorted[1].value + sorted[2].value) / trace, 1e-8);
  // Coordinates: (x_k - m) . v_c.
  const m = math.mean(rows(X, n, d), 0) as unknown as number[];
  const expected = rows(X, n, d).map((r) => r.reduce((s, v, i) => s + (v - m[i]) * p.components[1][i], 0));
  assertClose(p.coords[1], expected, 1e-10);
});

Deno.test("principalComponents: points on the line y = 2x have one component, (1, 2) / sqrt 5", () => {
  const xs = [-2, -1, 0, 1, 3, 5];
  const X = Float64Array.from(xs.flatMap((x) => [x, 2 * x + 1]));
  const p = principalComponents(X, xs.length, 2, 1);
  assertClose(p.components[0], [1 / Math.sqrt(5), 2 / Math.sqrt(5)], 1e-9);
  assertClose(p.explained, 1, 1e-9);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  // Variance along the line: the variance of x times |(1, 2)|^2 = 5.
  assertClose(p.variances[0], 5 * xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length, 1e-9);
  assertClose(p.coords[0], xs.map((x) => Math.sqrt(5) * (x - mean)), 1e-9);
});

Deno.test("leadingEigenvector: a diagonal matrix's largest entry, with the sign fixed", () => {
  const S = Float64Array.from([1, 0, 0, 0, 4, 0, 0, 0, 2]);
  const { vector, value } = leadingEigenvector(S, 3);
  assertClose(value, 4, 1e-9);
  assertClose(vector, [0, 1, 0], 1e-6);
});

Deno.test("principalComponents: refuses a wrong shape, a bad k, a non-finite value", () => {
  assert.throws(() => principalComponents([1, 2, 3], 2, 2), /2 x 2 = 4 numbers, got 3/);
  assert.throws(() => principalComponents([1, 2, 3, 4], 2, 2, 3), /k must be a whole number in 1..2/);
  assert.throws(() => principalComponents([1, NaN, 3, 4], 2, 2), /X\[1\] \(row 0\) is NaN/);
});
