/**
 * A dense float32 matrix, written from scratch so that every step of a neural network can be read.
 *
 * Storage is row-major: element (i, j) of an r x c matrix lives at `data[i * c + j]`. The course follows
 * the lecture: one example per COLUMN, so a batch X of N examples with n inputs each is an n x N matrix,
 * and a layer computes `z = W a + b` with W of shape (n_out x n_in) and b a column (n_out x 1).
 *
 * Every function returns a new matrix and checks its input; a shape mismatch names both shapes, in the
 * notebook's language (lib/language_errors.ts).
 */
import { messages } from "./language.ts";

/** A dense rows x cols matrix of float32 numbers, stored row by row in `data`. */
export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;

  /** A rows x cols matrix over `data` (row-major, used as is when a Float32Array; finite numbers only), else zeros. */
  constructor(rows: number, cols: number, data?: Float32Array | ArrayLike<number>) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new Error(messages().matrixSize(rows, cols));
    }
    if (data !== undefined && data.length !== rows * cols) {
      throw new Error(messages().matrixValues(rows, cols, data.length));
    }
    if (data !== undefined) {
      // NaN or Infinity here would silently poison every product and every step of training later.
      for (let k = 0; k < data.length; k++) {
        if (!Number.isFinite(data[k])) {
          finite("Matrix", data[k], messages().atRowColumn(Math.floor(k / cols), k % cols));
        }
      }
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data === undefined
      ? new Float32Array(rows * cols)
      : data instanceof Float32Array
      ? data
      : Float32Array.from(data);
  }

  /** A matrix from nested arrays, one inner array per row: `Matrix.from([[1, 2], [3, 4]])`. */
  static from(nested: ArrayLike<ArrayLike<number>>): Matrix {
    if (!nested || nested.length === 0) {
      throw new Error(messages().fromEmpty);
    }
    const rows = nested.length;
    const cols = nested[0]?.length;
    if (typeof cols !== "number") {
      throw new Error(messages().fromNotRows);
    }
    const m = new Matrix(rows, cols);
    for (let i = 0; i < rows; i++) {
      const row = nested[i];
      if (!row || row.length !== cols) {
        throw new Error(messages().fromRagged(i, row?.length, cols));
      }
      for (let j = 0; j < cols; j++) {
        m.data[i * cols + j] = finite("Matrix.from", row[j], messages().atRowColumn(i, j));
      }
    }
    return m;
  }

  /** A column vector (n x 1) from a list of n numbers, e.g. one example x or a bias b. */
  static column(values: ArrayLike<number>): Matrix {
    if (!values || typeof values !== "object" || typeof values.length !== "number") {
      throw new Error(messages().columnNotList(describe(values)));
    }
    const m = new Matrix(values.length, 1);
    for (let i = 0; i < values.length; i++) {
      m.data[i] = finite("Matrix.column", values[i], messages().atEntry(i));
    }
    return m;
  }

  /** The rows x cols matrix of zeros. */
  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  /** A copy of a flat row-major array as a rows x cols matrix (e.g. a data set stored one example per row). */
  static fromRows(values: Float32Array | ArrayLike<number>, rows: number, cols: number): Matrix {
    if (!values || typeof values.length !== "number") {
      throw new Error(messages().fromRowsNotList(describe(values)));
    }
    if (values.length !== rows * cols) {
      throw new Error(messages().fromRowsValues(rows, cols, values.length));
    }
    return new Matrix(rows, cols, Float32Array.from(values)); // the constructor rejects NaN and Infinity
  }

  /** [rows, cols]. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /** Element (i, j), counting from 0. */
  get(i: number, j: number): number {
    return this.data[this.index("get", i, j)];
  }

  /** Sets element (i, j) to v (a finite number). */
  set(i: number, j: number, v: number): void {
    this.data[this.index("set", i, j)] = finite("set", v, `(${i}, ${j})`);
  }

  /** The matrix as nested arrays, one per row. */
  toArray(): number[][] {
    return Array.from(
      { length: this.rows },
      (_, i) => Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)),
    );
  }

  /** A copy of column j (one example, in the course's convention). */
  column(j: number): Float32Array {
    if (!Number.isInteger(j) || j < 0 || j >= this.cols) {
      throw new Error(messages().columnOutside(j, shapeOf(this), this.cols - 1));
    }
    const out = new Float32Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.data[i * this.cols + j];
    return out;
  }

  /** "Matrix (r x c)" and the values, at most 6 rows and 8 columns shown. */
  toString(): string {
    const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));
    const lines = Array.from({ length: Math.min(this.rows, 6) }, (_, i) => {
      const row = this.data.subarray(i * this.cols, i * this.cols + Math.min(this.cols, 8));
      const shown = Array.from(row, fmt).join(", ");
      return `  [${shown}${this.cols > 8 ? ", ..." : ""}]`;
    });
    if (this.rows > 6) lines.push("  ...");
    return `Matrix (${shapeOf(this)})\n${lines.join("\n")}`;
  }

  /** How Deno (and its Jupyter kernel) prints a Matrix: the shape and the first values. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  private index(what: string, i: number, j: number): number {
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= this.rows || j >= this.cols) {
      throw new Error(messages().outsideMatrix(what, i, j, shapeOf(this)));
    }
    return i * this.cols + j;
  }
}

/** "r x c", for error messages. */
function shapeOf(m: Matrix): string {
  return `${m.rows} x ${m.cols}`;
}

/** A value as an error message shows it: arrays in brackets, strings quoted, so that [1] is not read as 1. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return messages().valueArray(v.slice(0, 4).join(", "), v.length > 4);
  if (typeof v === "string") return messages().exerciseText(JSON.stringify(v));
  if (v instanceof Matrix) return messages().valueMatrix(shapeOf(v));
  return String(v);
}

/** Returns v if it is a finite number, else throws naming where it was found. */
function finite(what: string, v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new Error(messages().notFinite(what, where, describe(v)));
  }
  return v;
}

function checkMatrix(what: string, name: string, m: unknown): asserts m is Matrix {
  if (!(m instanceof Matrix)) {
    throw new Error(messages().notMatrix(what, name, describe(m)));
  }
}

function checkSameShape(what: string, A: Matrix, B: Matrix): void {
  checkMatrix(what, "A", A);
  checkMatrix(what, "B", B);
  if (A.rows !== B.rows || A.cols !== B.cols) {
    throw new Error(messages().shapesDiffer(what, shapeOf(A), shapeOf(B)));
  }
}

/**
 * The matrix product C = A B, C_ij = sum_k A_ik B_kj; A is (m x n), B must be (n x p).
 *
 * The loops run i, k, j rather than the textbook i, j, k: the same sum, but the innermost loop walks
 * row k of B and row i of C from left to right, the order in which they lie in memory (row-major), so
 * the processor reads them in sequence instead of jumping a whole row of B at every step.
 */
export function matmul(A: Matrix, B: Matrix): Matrix {
  checkMatrix("matmul", "A", A);
  checkMatrix("matmul", "B", B);
  if (A.cols !== B.rows) {
    throw new Error(messages().cannotMultiply(shapeOf(A), shapeOf(B), A.cols, B.rows));
  }
  const [m, n, p] = [A.rows, A.cols, B.cols];
  const C = new Matrix(m, p);
  const [a, b, c] = [A.data, B.data, C.data];
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      for (let j = 0; j < p; j++) c[i * p + j] += aik * b[k * p + j]; // C_ij += A_ik B_kj
    }
  }
  return C;
}

/** A and B combined element by element; B is A's shape, or a column (A.rows x 1) used for every column. */
function combine(what: string, A: Matrix, B: Matrix, op: (x: number, y: number) => number): Matrix {
  checkMatrix(what, "A", A);
  checkMatrix(what, "B", B);
  const broadcast = B.cols === 1 && B.rows === A.rows && A.cols !== 1;
  if (!broadcast && (A.rows !== B.rows || A.cols !== B.cols)) {
    throw new Error(messages().shapesMismatch(what, shapeOf(A), shapeOf(B), A.rows));
  }
  const C = new Matrix(A.rows, A.cols);
  const a = A.data, b = B.data, c = C.data, cols = A.cols;
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      c[k] = op(a[k], broadcast ? b[i] : b[k]);
    }
  }
  return C;
}

/** A + B element by element; a column B (A.rows x 1) is added to every column, as the bias b in W a + b. */
export function add(A: Matrix, B: Matrix): Matrix {
  return combine("add", A, B, (x, y) => x + y);
}

/** A - B element by element; a column B (A.rows x 1) is subtracted from every column. */
export function sub(A: Matrix, B: Matrix): Matrix {
  return combine("sub", A, B, (x, y) => x - y);
}

/** s A: every element times the number s. */
export function scale(A: Matrix, s: number): Matrix {
  checkMatrix("scale", "A", A);
  finite("scale", s, messages().scaleFactor);
  const C = new Matrix(A.rows, A.cols);
  for (let k = 0; k < A.data.length; k++) C.data[k] = s * A.data[k];
  return C;
}

/** f applied to every element: f(A)_ij = f(A_ij) (how an activation such as sigma acts on z). */
export function map(A: Matrix, f: (x: number) => number): Matrix {
  checkMatrix("map", "A", A);
  if (typeof f !== "function") throw new Error(`map: f must be a function of one number, got ${describe(f)}`);
  const C = new Matrix(A.rows, A.cols);
  for (let k = 0; k < A.data.length; k++) C.data[k] = f(A.data[k]);
  return C;
}

/** The element-wise (Hadamard) product A ⊙ B: (A ⊙ B)_ij = A_ij B_ij; shapes must be equal. */
export function hadamard(A: Matrix, B: Matrix): Matrix {
  checkSameShape("hadamard", A, B);
  const C = new Matrix(A.rows, A.cols);
  for (let k = 0; k < A.data.length; k++) C.data[k] = A.data[k] * B.data[k];
  return C;
}

/** The transpose A^T: (A^T)_ij = A_ji, shape (cols x rows). */
export function transpose(A: Matrix): Matrix {
  checkMatrix("transpose", "A", A);
  const m = A.rows, n = A.cols;
  const T = new Matrix(n, m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) T.data[j * m + i] = A.data[i * n + j];
  }
  return T;
}

/** Each row summed, a column (rows x 1): s_i = sum_j A_ij (e.g. db = delta summed over the examples). */
export function sumRows(A: Matrix): Matrix {
  checkMatrix("sumRows", "A", A);
  const s = new Matrix(A.rows, 1);
  for (let i = 0; i < A.rows; i++) {
    let total = 0;
    for (let j = 0; j < A.cols; j++) total += A.data[i * A.cols + j];
    s.data[i] = total;
  }
  return s;
}

/** Each column summed, a row (1 x cols): s_j = sum_i A_ij (one number per example). */
export function sumCols(A: Matrix): Matrix {
  checkMatrix("sumCols", "A", A);
  const totals = new Float64Array(A.cols); // sums kept in float64, rounded to float32 once at the end
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < A.cols; j++) totals[j] += A.data[i * A.cols + j];
  }
  return new Matrix(1, A.cols, Float32Array.from(totals));
}

/** NaN compares false with everything, so an argmax would silently pick index 0: say so instead. */
function checkNoNaN(what: string, A: Matrix): void {
  const k = A.data.findIndex(Number.isNaN);
  if (k >= 0) {
    throw new Error(messages().nanNoLargest(what, shapeOf(A), Math.floor(k / A.cols), k % A.cols));
  }
}

/** For each row i, the column j of its largest element (the first one on a tie). */
export function argmaxRows(A: Matrix): Int32Array {
  checkMatrix("argmaxRows", "A", A);
  if (A.cols === 0) throw new Error(`argmaxRows: a (${shapeOf(A)}) matrix has no columns to choose from`);
  checkNoNaN("argmaxRows", A);
  const out = new Int32Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let best = 0;
    for (let j = 1; j < A.cols; j++) if (A.data[i * A.cols + j] > A.data[i * A.cols + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** For each column j (one example), the row i of its largest element: the predicted class. */
export function argmaxCols(A: Matrix): Int32Array {
  checkMatrix("argmaxCols", "A", A);
  if (A.rows === 0) throw new Error(`argmaxCols: a (${shapeOf(A)}) matrix has no rows to choose from`);
  checkNoNaN("argmaxCols", A);
  const out = new Int32Array(A.cols);
  for (let j = 0; j < A.cols; j++) {
    let best = 0;
    for (let i = 1; i < A.rows; i++) if (A.data[i * A.cols + j] > A.data[best * A.cols + j]) best = i;
    out[j] = best;
  }
  return out;
}

/** The columns of A at the given indices, in that order: a mini-batch of examples. */
export function selectColumns(A: Matrix, indices: ArrayLike<number>): Matrix {
  checkMatrix("selectColumns", "A", A);
  if (!indices || typeof indices.length !== "number") {
    throw new Error(`selectColumns: indices must be a list of column numbers, got ${describe(indices)}`);
  }
  const n = indices.length;
  const C = new Matrix(A.rows, n);
  for (let k = 0; k < n; k++) {
    const j = indices[k];
    if (!Number.isInteger(j) || j < 0 || j >= A.cols) {
      throw new Error(messages().selectOutside(j, k, shapeOf(A), A.cols - 1));
    }
    for (let i = 0; i < A.rows; i++) C.data[i * n + k] = A.data[i * A.cols + j];
  }
  return C;
}
