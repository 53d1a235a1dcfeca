/** Matrix operations against mathjs (float64) on hundreds of seeded random shapes, and bad input. */
import * as math from "mathjs";
import { assert, assertClose } from "./assert.ts";
import {
  add,
  argmaxCols,
  argmaxRows,
  hadamard,
  map,
  matmul,
  Matrix,
  scale,
  selectColumns,
  sub,
  sumCols,
  sumRows,
  transpose,
} from "../lib/matrix.ts";
import { type Rng, rng } from "../lib/random.ts";

/** A random size 1..max, often 1 so that 1 x n and n x 1 shapes come up. */
function size(r: Rng, max = 12): number {
  return r() < 0.2 ? 1 : 1 + Math.floor(r() * max);
}

/** Nested arrays of float32-representable values in [-2, 2). */
function randomArray(r: Rng, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround(4 * r() - 2)));
}

const flat = (m: number[][]) => m.flat();

/** mathjs returns a number for 1 x 1 sums etc.; this makes every result a flat number list. */
function flatOf(x: unknown): number[] {
  return Array.isArray(x) ? (x as unknown[]).flat(Infinity) as number[] : [x as number];
}

Deno.test("matrix: 600 random shapes agree with mathjs (product, sum, difference, transpose, ...)", () => {
  const r = rng(2026);
  let shapes = 0, vectors = 0, nonSquare = 0;
  for (let t = 0; t < 600; t++) {
    const m = size(r), n = size(r), p = size(r);
    if (m === 1 || n === 1 || p === 1) vectors++;
    if (m !== n) nonSquare++;
    const a = randomArray(r, m, n), b = randomArray(r, n, p), c = randomArray(r, m, n);
    const bias = randomArray(r, m, 1);
    const A = Matrix.from(a), B = Matrix.from(b), C = Matrix.from(c);
    const where = `case ${t}: (${m} x ${n}), (${n} x ${p})`;

    assert.deepEqual(A.shape, [m, n]);
    assert.deepEqual(A.toArray(), a, where);
    // Float32 products of n <= 12 terms of size <= 4: the rounding error stays far below 1e-4.
    const product = matmul(A, B);
    assert.deepEqual(product.shape, [m, p], where);
    assertClose(product.data, flat(math.multiply(a, b) as number[][]), 1e-4, `matmul ${where}`);
    assertClose(add(A, C).data, flat(math.add(a, c) as number[][]), 1e-6, `add ${where}`);
    assertClose(sub(A, C).data, flat(math.subtract(a, c) as number[][]), 1e-6, `sub ${where}`);
    // A column (m x 1) is added to every column: mathjs broadcasts it the same way.
    assertClose(add(A, Matrix.from(bias)).data, flat(math.add(a, bias) as number[][]), 1e-6, `bias ${where}`);
    assertClose(sub(A, Matrix.from(bias)).data, flat(math.subtract(a, bias) as number[][]), 1e-6, where);
    assertClose(hadamard(A, C).data, flat(math.dotMultiply(a, c) as number[][]), 1e-6, `hadamard ${where}`);
    assertClose(scale(A, -1.5).data, flat(math.multiply(a, -1.5) as number[][]), 1e-6, `scale ${where}`);
    assertClose(map(A, Math.tanh).data, flat(math.map(a, Math.tanh) as number[][]), 1e-6, `map ${where}`);
    assert.deepEqual(transpose(A).toArray(), math.transpose(a), `transpose ${where}`);
    assertClose(sumRows(A).data, flatOf(math.sum(a, 1)), 1e-5, `sumRows ${where}`);
    assert.deepEqual(sumRows(A).shape, [m, 1]);
    assertClose(sumCols(A).data, flatOf(math.sum(a, 0)), 1e-5, `sumCols ${where}`);
    assert.deepEqual(sumCols(A).shape, [1, n]);
    // argmax: the index of the first maximum, found here through mathjs's max of each row / column.
    const rowMax = flatOf(math.max(a, 1)), colMax = flatOf(math.max(a, 0));
    assert.deepEqual(Array.from(argmaxRows(A)), a.map((row, i) => row.indexOf(rowMax[i])), where);
    const at = math.transpose(a);
    assert.deepEqual(Array.from(argmaxCols(A)), at.map((col, j) => col.indexOf(colMax[j])), where);
    const picks = Array.from({ length: size(r, 6) }, () => Math.floor(r() * n));
    assert.deepEqual(selectColumns(A, picks).toArray(), a.map((row) => picks.map((j) => row[j])), where);
    for (let j = 0; j < n; j++) assert.deepEqual(Array.from(A.column(j)), at[j]);
    shapes++;
  }
  assert.equal(shapes, 600);
  assert(vectors > 100 && nonSquare > 300, `coverage: ${vectors} with a 1, ${nonSquare} non-square`);
});

Deno.test("matmul: larger products (unrolled loop and its remainder) agree with mathjs", () => {
  const r = rng(5);
  for (const [m, n, p] of [[33, 65, 17], [64, 128, 3], [1, 257, 1], [70, 7, 90]]) {
    const a = randomArray(r, m, n), b = randomArray(r, n, p);
    const expected = flat(math.multiply(a, b) as number[][]);
    assertClose(matmul(Matrix.from(a), Matrix.from(b)).data, expected, 1e-3, `${m} x ${n} x ${p}`);
  }
});

Deno.test("matrix: constructors, get, set and column vectors", () => {
  const A = Matrix.from([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(A.shape, [2, 3]);
  assert.equal(A.get(1, 2), 6);
  A.set(0, 1, -7);
  assert.deepEqual(A.toArray(), [[1, -7, 3], [4, 5, 6]]);
  assert.deepEqual(Matrix.column([1, 2, 3]).shape, [3, 1]);
  assert.deepEqual(Matrix.zeros(2, 2).toArray(), [[0, 0], [0, 0]]);
  const rows = Matrix.fromRows(new Float32Array([1, 2, 3, 4, 5, 6]), 3, 2);
  assert.deepEqual(rows.toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(new Matrix(1, 2, [0.5, 1]).toArray(), [[0.5, 1]]);
  assert.match(String(A), /Matrix \(2 x 3\)/);
  assert.match(Deno.inspect(A), /Matrix \(2 x 3\)/);
});

Deno.test("matrix: shape mismatches name both shapes", () => {
  const A = Matrix.zeros(2, 3);
  assert.throws(
    () => matmul(A, A),
    {
      message: "matmul: cannot multiply (2 x 3) by (2 x 3): columns of A (3) must equal rows of B (2)",
    },
  );
  assert.throws(() => add(A, Matrix.zeros(3, 2)), /add: shapes \(2 x 3\) and \(3 x 2\)/);
  assert.throws(() => add(A, Matrix.zeros(3, 1)), /\(2 x 3\) and \(3 x 1\).*column \(2 x 1\)/);
  assert.throws(() => sub(A, Matrix.zeros(2, 2)), /sub: shapes \(2 x 3\) and \(2 x 2\)/);
  assert.throws(() => hadamard(A, Matrix.zeros(2, 1)), /hadamard: shapes differ: \(2 x 3\) and \(2 x 1\)/);
  assert.throws(() => new Matrix(2, 2, [1, 2, 3]), /2 x 2 matrix needs 4 values, got 3/);
  assert.throws(() => new Matrix(-1, 2), /whole numbers >= 0/);
  assert.throws(() => Matrix.fromRows(new Float32Array(5), 2, 3), /needs 6 values, got 5/);
});

Deno.test("matrix: ragged rows, NaN, Infinity and bad indices are rejected", () => {
  assert.throws(() => Matrix.from([[1, 2], [3]]), /ragged rows: row 1 has 1 values but row 0 has 2/);
  assert.throws(() => Matrix.from([[1], [2], [3, 4]]), /row 2 has 2 values/);
  assert.throws(() => Matrix.from([]), /at least one row/);
  assert.throws(() => Matrix.from([[1, NaN]]), /finite number at row 0, column 1, got NaN/);
  assert.throws(() => Matrix.from([[1], [Infinity]]), /row 1, column 0, got Infinity/);
  assert.throws(() => Matrix.from([[1, "2" as unknown as number]]), /finite number/);
  assert.throws(() => Matrix.column([1, -Infinity]), /entry 1, got -Infinity/);
  assert.throws(() => Matrix.fromRows([1, NaN], 1, 2), /row 0, column 1, got NaN/);
  const A = Matrix.zeros(2, 3);
  assert.throws(() => A.get(2, 0), /\(2, 0\) is outside a 2 x 3 matrix/);
  assert.throws(() => A.set(0, 3, 1), /outside a 2 x 3 matrix/);
  assert.throws(() => A.column(3), /column: index 3 is outside a 2 x 3 matrix/);
  assert.throws(() => selectColumns(A, [0, 3]), /index 3 \(position 1\) is outside a 2 x 3 matrix/);
  assert.throws(() => scale(A, NaN), /finite number at the factor s/);
  assert.throws(() => matmul([[1]] as unknown as Matrix, A), /A must be a Matrix/);
  assert.throws(() => argmaxRows(Matrix.zeros(2, 0)), /no columns/);
});
