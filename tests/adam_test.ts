/**
 * lib/adam.ts: Adam's one-pass update on wasm (WebAssembly SIMD) against the formula in float64 and against
 * tf.train.adam on the cpu backend (untouched by the course), for sizes with and without a remainder after
 * the groups of four, in place and into a new tensor, with a learning rate that changes between steps, across
 * a growth of the wasm memory, and on the threaded wasm build's shared memory.
 */
import * as tf from "@tensorflow/tfjs";
import { assert } from "./assert.ts";
import { Adam } from "../lib/adam.ts";
import { setupBackend } from "../lib/backend.ts";
import { rng } from "../lib/random.ts";
import { memoryOf, type WasmBackend } from "../lib/wasm_memory.ts";

/** Random values in [-spread, spread) from a seed. */
function values(n: number, seed: number, spread = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => spread * (2 * r() - 1));
}

/** max_i |a_i - b_i|. */
function maxAbsoluteError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  return Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));
}

/** The learning rate of step k (1, 2, 3): a schedule that lowers it, as trainModel's can. */
const etaAt = (k: number) => (k < 3 ? 0.05 : 0.005);

/**
 * Largest error allowed against the formula in float64: two float32 units in the last place at 1. tf.train.adam
 * is allowed more: it keeps beta2 and beta2^t as float32 numbers, which moves 1 - beta2 by 1e-5 of itself, and
 * every update by about as much (1e-6 of a step of 0.05 over three steps).
 */
const [EXACT, TFJS] = [2.4e-7, 2e-6];

/** A parameter of `size` numbers and three gradients, of mixed magnitudes (one tiny: epsilon matters). */
function problem(size: number, seed: number) {
  return {
    w0: values(size, seed),
    grads: [values(size, seed + 1), values(size, seed + 2, 3), values(size, seed + 3, 1e-6)],
  };
}

/** W after three steps of the formula, in float64. */
function exact(size: number, seed: number): Float64Array {
  const { w0, grads } = problem(size, seed);
  const W = Float64Array.from(w0), m = new Float64Array(size), v = new Float64Array(size);
  const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-7];
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < size; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      W[i] -= etaAt(t) * (m[i] / (1 - beta1 ** t)) / (Math.sqrt(v[i] / (1 - beta2 ** t)) + epsilon);
    }
  });
  return W;
}

/** W after three steps of tf.train.adam on the cpu backend. */
async function reference(size: number, seed: number): Promise<Float32Array> {
  await setupBackend("cpu");
  const { w0, grads } = problem(size, seed);
  const W = tf.tidy(() => tf.variable(tf.tensor1d(w0)));
  const optimizer = tf.train.adam(etaAt(1));
  grads.forEach((g, k) => {
    (optimizer as unknown as { learningRate: number }).learningRate = etaAt(k + 1);
    tf.tidy(() => optimizer.applyGradients([{ name: W.name, tensor: tf.tensor1d(g) }]));
  });
  const result = W.dataSync() as Float32Array;
  tf.dispose(W);
  optimizer.dispose();
  return result;
}

/** W after three steps of the course's Adam on `backend`; `shared`: a reshape shares W's memory. */
async function course(backend: "wasm" | "cpu", size: number, seed: number, shared = false, grow = false) {
  await setupBackend(backend);
  const before = tf.memory().numTensors;
  const { w0, grads } = problem(size, seed);
  const W = tf.tidy(() => tf.variable(tf.tensor1d(w0)));
  const alias = shared ? W.reshape([1, size]) : undefined;
  const adam = await Adam.create([W], etaAt(1));
  // 64 MB more than the memory holds: it grows (every earlier view of it is detached).
  const bytes = () => memoryOf(tf.backend() as unknown as WasmBackend).buffer.byteLength;
  const memoryBefore = backend === "wasm" ? bytes() : 0;
  const big = grow ? tf.zeros([16 * 1024 * 1024]) : undefined;
  if (grow) assert.ok(bytes() > memoryBefore, "the wasm memory grew");
  grads.forEach((g, k) => {
    adam.eta = etaAt(k + 1);
    tf.tidy(() => adam.update([tf.tensor1d(g)]));
  });
  assert.equal(adam.t, 3);
  const result = W.dataSync() as Float32Array;
  if (alias) assert.deepEqual(alias.dataSync(), w0, "the tensor sharing W's memory is untouched");
  tf.dispose([W, ...(alias ? [alias] : []), ...(big ? [big] : [])]);
  adam.dispose();
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors left behind`);
  return result;
}

Deno.test("Adam on wasm: three steps equal the formula's and tf.train.adam's, for sizes with and without a remainder of 4", async () => {
  for (const [size, seed] of [[1, 1], [30, 2], [1027, 3], [4096, 4]]) {
    const [formula, tfjs] = [exact(size, seed), await reference(size, seed)];
    for (const shared of [false, true]) {
      const W = await course("wasm", size, seed, shared);
      const [error, tfjsError] = [maxAbsoluteError(W, formula), maxAbsoluteError(W, tfjs)];
      assert.ok(error < EXACT && tfjsError < TFJS, `size ${size}, shared ${shared}: ${error}, ${tfjsError}`);
    }
  }
});

Deno.test("Adam on wasm: still right after the wasm memory grew", async () => {
  const error = maxAbsoluteError(await course("wasm", 999, 5, false, true), exact(999, 5));
  assert.ok(error < EXACT, `error ${error}`);
});

Deno.test("Adam elsewhere: tf.train.adam itself, the same numbers", async () => {
  const expected = await reference(30, 6);
  assert.deepEqual(await course("cpu", 30, 6), expected);
});

Deno.test("Adam: a wrong list of gradients is an error that names it", async () => {
  await setupBackend("wasm");
  const W = tf.tidy(() => tf.variable(tf.zeros([3, 2]), true, "W1"));
  const adam = await Adam.create([W], 0.01);
  tf.tidy(() => {
    assert.throws(() => adam.update([]), /Adam.update: 0 gradients for 1 parameters/);
    assert.throws(
      () => adam.update([tf.zeros([2, 2])]),
      /Adam.update: the gradient of W1 \(2,2\) must have its shape \(3,2\)/,
    );
  });
  assert.equal(adam.t, 0, "no step taken");
  tf.dispose(W);
  adam.dispose();
});

Deno.test("Adam on wasm's threaded build (COURSE_WASM_THREADS=2): its shared memory works too", async () => {
  // A fresh process: the thread count is fixed once wasm starts. One step from known numbers.
  const lib = (file: string) => JSON.stringify(new URL(`../lib/${file}`, import.meta.url).href);
  const [w0, g, eta] = [[0.5, -0.25, 1, 2, -3], [1, -2, 0.5, 0, 3e-3], 0.1];
  const code = `import * as tf from "@tensorflow/tfjs";
    import { setupBackend } from ${lib("backend.ts")};
    import { Adam } from ${lib("adam.ts")};
    await setupBackend("wasm");
    const W = tf.variable(tf.tensor1d(${JSON.stringify(w0)}));
    const adam = await Adam.create([W], ${eta});
    adam.update([tf.tensor1d(${JSON.stringify(g)})]);
    const shared = tf.backend().wasm.wasmMemory?.buffer instanceof SharedArrayBuffer;
    console.log(JSON.stringify({ shared, W: Array.from(W.dataSync()) }));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    cwd: new URL("..", import.meta.url).pathname,
    env: { COURSE_WASM_THREADS: "2", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const result = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(result.shared, true, "the threaded build's memory is shared");
  // t = 1: m / (1 - beta1) = g and v / (1 - beta2) = g^2, so W moves by eta g / (|g| + epsilon).
  const expected = w0.map((w, i) => w - eta * g[i] / (Math.abs(g[i]) + 1e-7));
  assert.ok(maxAbsoluteError(result.W, expected) < EXACT, `${result.W} vs ${expected}`);
});
