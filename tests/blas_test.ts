/**
 * lib/blas.ts and the BLAS-backed matrix-product kernels of lib/kernels.ts. References: a plain triple loop
 * for `sgemm` itself, and tfjs's cpu backend (its own reference kernels, untouched by the course) for the
 * kernels: transposes, batch dimensions with broadcasting, fused bias and activations, gradients. Also: no
 * tensor or wasm memory left behind, a wasm memory growth between and inside products, determinism, and
 * the plain-wasm road (COURSE_BLAS=off, no FFI permission, a library that cannot be opened).
 */
import * as tf from "@tensorflow/tfjs";
import { assert, maxRelativeError } from "./assert.ts";
import { setupBackend } from "../lib/backend.ts";
import {
  blasCandidates,
  MAX_BLAS_THREADS,
  openBlas,
  parseBlasChoice,
  parseBlasThreads,
} from "../lib/blas.ts";
import { blasInUse, subtractProductInPlace } from "../lib/kernels.ts";
import { rng } from "../lib/random.ts";
import { trainTf } from "../lib/train.ts";
import type { Split } from "../lib/data.ts";

const found = openBlas();
/** Tests that need a BLAS library are skipped where none is installed (`deno task setup` installs one). */
const noBlas = "why" in found;
if (noBlas) console.warn(`blas_test: no BLAS here, BLAS tests skipped: ${found.why}`);

/** Random values in [-1, 1) from a seed. */
function values(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => 2 * r() - 1);
}

/** The product op(A) op(B) by the definition: row-major A (m x k, or k x m transposed) and B. */
function naive(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean) {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      }
      c[i * n + j] = sum;
    }
  }
  return c;
}

/** Runs f on the cpu backend, or on wasm with the BLAS on or off; its values (tensors disposed). */
async function on(engine: "cpu" | "blas" | "wasm", f: () => tf.Tensor): Promise<Float32Array> {
  if (engine === "cpu") await setupBackend("cpu");
  else {
    await setupBackend("wasm", { blas: engine === "blas" });
    assert.equal(blasInUse() !== undefined, engine === "blas", `the products run in ${engine}`);
  }
  const t = f();
  const out = (await t.data()) as Float32Array;
  t.dispose();
  return out;
}

Deno.test("thread counts and BLAS choices are checked, with the source named", () => {
  assert.equal(parseBlasThreads("3"), 3);
  for (const bad of [0, 1.5, MAX_BLAS_THREADS + 1, "two", ""]) {
    assert.throws(
      () => parseBlasThreads(bad as number, "COURSE_BLAS_THREADS"),
      /COURSE_BLAS_THREADS must be/,
    );
  }
  assert.deepEqual(parseBlasChoice("off"), { off: true });
  assert.deepEqual(parseBlasChoice(" ON "), { off: false });
  assert.deepEqual(parseBlasChoice(false), { off: true });
  assert.deepEqual(parseBlasChoice("/opt/lib/libopenblas.so.0"), {
    off: false,
    path: "/opt/lib/libopenblas.so.0",
  });
  assert.throws(
    () => parseBlasChoice("fast", "COURSE_BLAS"),
    /COURSE_BLAS must be off, on, or the path.*'fast'/,
  );
  assert.ok(blasCandidates("linux").includes("libblas.so.3"));
  assert.ok(blasCandidates("darwin")[0].includes("Accelerate.framework"));
  assert.deepEqual(blasCandidates("plan9"), []);
  const missing = openBlas({ candidates: ["libno-such-blas.so.9"] });
  assert.ok(
    "why" in missing && /libno-such-blas\.so\.9: .*cannot open/.test(missing.why),
    JSON.stringify(missing),
  );
});

Deno.test({
  name: "sgemm equals the product by its definition, for every transpose, with alpha and beta",
  ignore: noBlas,
  fn: () => {
    const { blas } = found as Exclude<typeof found, { why: string }>;
    const [m, n, k] = [7, 5, 11];
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = values(m * k, 1), b = values(k * n, 2), c0 = values(m * n, 3);
        const c = c0.slice();
        blas.sgemm(ta, tb, m, n, k, 0.5, a, ta ? m : k, b, tb ? k : n, 2, c, n);
        const ref = naive(a, b, m, n, k, ta, tb).map((v, i) => 0.5 * v + 2 * c0[i]);
        assert.ok(maxRelativeError(c, ref, 1e-3) < 1e-5, `transA=${ta} transB=${tb}`);
      }
    }
  },
});

Deno.test({
  name: "BLAS kernels: random shapes, transposes and broadcast batches equal the cpu backend's",
  ignore: noBlas,
  fn: async () => {
    const r = rng(42);
    const dim = () => 1 + Math.floor(r() * 40);
    // Batch shapes of a and b that broadcast: none, equal, one side 1, one side missing, both ways.
    const batches: [number[], number[]][] = [[[], []], [[3], [3]], [[1], [4]], [[4], []], [[2, 1], [1, 3]]];
    for (const [batchA, batchB] of batches) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const [m, k, n] = [dim(), dim(), dim()];
          const aShape = [...batchA, ...(transposeA ? [k, m] : [m, k])];
          const bShape = [...batchB, ...(transposeB ? [n, k] : [k, n])];
          const a = values(tf.util.sizeFromShape(aShape), dim()),
            b = values(tf.util.sizeFromShape(bShape), dim());
          const f = () =>
            tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transposeA, transposeB));
          // tfjs's own kernels broadcast a batch of 1 only on one side (a [2, 1] by [1, 3] batch gives 3
          // matrices, not 6): the reference multiplies operands broadcast to the full batch first.
          const batch = tf.backend_util.assertAndGetBroadcastShape(batchA, batchB);
          const expected = await on("cpu", () =>
            tf.tidy(() => {
              const A = tf.broadcastTo(tf.tensor(a, aShape), [...batch, ...aShape.slice(-2)]);
              const B = tf.broadcastTo(tf.tensor(b, bShape), [...batch, ...bShape.slice(-2)]);
              return tf.matMul(A, B, transposeA, transposeB);
            }));
          const what = `a ${aShape} b ${bShape} transposeA=${transposeA} transposeB=${transposeB}`;
          assert.ok(maxRelativeError(await on("blas", f), expected, 1) < 1e-5, `BLAS: ${what}`);
          if (batchA.length === batchB.length && batchA.length < 2) {
            // wasm's own kernel (the road without BLAS) broadcasts only a batch of 1 against one of any size.
            assert.ok(maxRelativeError(await on("wasm", f), expected, 1) < 1e-5, `wasm: ${what}`);
          }
        }
      }
    }
  },
});

Deno.test({
  name: "fused product: every bias shape and activation, and the gradients, equal the cpu backend's",
  ignore: noBlas,
  fn: async () => {
    const [m, k, n] = [9, 6, 5];
    const a = values(m * k, 4), b = values(n * k, 5);
    const biases: number[][] = [[], [n], [1], [1, n], [m, 1], [m, n]];
    for (const biasShape of biases) {
      for (const activation of ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"] as const) {
        const f = () =>
          tf.tidy(() => {
            const A = tf.tensor2d(a, [m, k]), B = tf.tensor2d(b, [n, k]);
            const bias = biasShape.length
              ? tf.tensor(values(tf.util.sizeFromShape(biasShape), 6), biasShape)
              : undefined;
            const alpha = activation === "prelu" ? tf.tensor1d(values(n, 7)) : undefined;
            const options = (x: tf.Tensor) => ({
              a: x as tf.Tensor2D,
              b: B,
              transposeB: true,
              bias,
              activation,
              preluActivationWeights: alpha,
              leakyreluAlpha: 0.3,
            });
            const out = tf.fused.matMul(options(A));
            const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.fused.matMul(options(x)))))(A);
            return tf.concat([out.flatten(), grad.flatten()]);
          });
        const expected = await on("cpu", f);
        // wasm's own fused kernel takes a bias of n values only (of rank 2 it throws, and with one value its
        // results are wrong in tfjs-backend-wasm 4.22): lib/kernels.ts adds any other bias after the product.
        const engines = ["blas", "wasm"] as const;
        for (const engine of engines) {
          const error = maxRelativeError(await on(engine, f), expected, 1e-3);
          assert.ok(error < 1e-4, `${engine}: bias ${JSON.stringify(biasShape)} ${activation}: ${error}`);
        }
      }
    }
  },
});

Deno.test({
  name: "BLAS kernels leave no tensor and no wasm memory behind, and repeat bit for bit on 2 threads",
  ignore: noBlas,
  fn: async () => {
    await setupBackend("wasm", { blas: true, blasThreads: 2 });
    try {
      assert.equal(blasInUse()?.threads, 2);
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const a = tf.tensor2d(values(300 * 200, 8), [300, 200]),
        b = tf.tensor2d(values(200 * 250, 9), [200, 250]);
      const bias = tf.tensor1d(values(250, 10));
      const run = () =>
        tf.tidy(() => {
          const p = tf.matMul(a, b, false, false);
          const q = tf.fused.matMul({ a, b, bias, activation: "relu" });
          const g = tf.grad((x: tf.Tensor) =>
            tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b, bias, activation: "sigmoid" }))
          )(a);
          return tf.concat([p.flatten(), q.flatten(), g.flatten()]);
        });
      const first = run(), firstValues = await first.data();
      first.dispose();
      const tensors = tf.memory().numTensors, ids = backend.numDataIds();
      const second = run(), secondValues = await second.data();
      second.dispose();
      assert.equal(tf.memory().numTensors, tensors, "tensors left behind");
      assert.equal(backend.numDataIds(), ids, "wasm buffers left behind");
      assert.deepEqual(secondValues, firstValues, "two threads, the same bits twice");
      tf.dispose([a, b, bias]);
    } finally {
      await setupBackend("wasm", { blas: true, blasThreads: 1 });
    }
  },
});

/** The wasm module's memory, which tfjs grows as tensors need it. */
function wasmMemoryBytes(): number {
  const wasm = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm;
  return wasm.HEAPU8.buffer.byteLength;
}

Deno.test({
  name: "a wasm memory growth leaves no stale view: inside a product, and in the middle of a training",
  ignore: noBlas,
  fn: async () => {
    await setupBackend("wasm", { blas: true });
    // Inside a product: an output larger than all the memory there is makes the kernel's own allocation
    // grow it, after the operands' memory was found.
    const m = Math.ceil(Math.sqrt(wasmMemoryBytes() / 4)) + 64, k = 3;
    const a = values(m * k, 11), b = values(k * m, 12);
    const before = wasmMemoryBytes();
    const A = tf.tensor2d(a, [m, k]), B = tf.tensor2d(b, [k, m]);
    const C = tf.matMul(A, B);
    assert.ok(wasmMemoryBytes() > before, "the product grew the memory");
    const c = await C.data();
    tf.dispose([A, B, C]);
    for (const [i, j] of [[0, 0], [m - 1, m - 1], [m >> 1, 7], [3, m - 2]]) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p] * b[p * m + j];
      assert.ok(Math.abs(c[i * m + j] - sum) < 1e-5, `C[${i}, ${j}] = ${c[i * m + j]}, expected ${sum}`);
    }

    // In the middle of a training: after mini-batch 3 a tensor larger than the memory makes it grow; the
    // weights must be exactly those of the same training without growth.
    const n = 600, r = rng(13);
    const train: Split = {
      x: Float32Array.from({ length: n * 64 }, () => r()),
      y: Uint8Array.from({ length: n }, () => Math.floor(r() * 10)),
      n,
    };
    const options = { sizes: [64, 40, 10], eta: 0.3, batchSize: 50, epochs: 2, seed: 3 };
    const plain = await trainTf({ train }, options);
    let grown = false;
    const growing = await trainTf({ train }, {
      ...options,
      onBatch: ({ step, epoch }) => {
        if (epoch !== 1 || step !== 3) return;
        const size = wasmMemoryBytes();
        const big = tf.zeros([size / 4 + 1024]);
        grown = wasmMemoryBytes() > size;
        big.dispose();
      },
    });
    assert.ok(grown, "the memory grew during the training");
    growing.weights.forEach((w, l) => {
      assert.deepEqual(w.W, plain.weights[l].W, `W^${l + 1}`);
      assert.deepEqual(w.b, plain.weights[l].b, `b^${l + 1}`);
    });
  },
});

/** Runs `code` in a fresh Deno process (with `flags`, `env`), returning its JSON line. */
async function child(
  code: string,
  flags: string[],
  env: Record<string, string>,
): Promise<Record<string, unknown>> {
  const lib = (file: string) => JSON.stringify(new URL(`../lib/${file}`, import.meta.url).href);
  const prelude = `import { setupBackend } from ${lib("backend.ts")}; import { trainTf } from ${
    lib("train.ts")
  };\n`;
  const file = await Deno.makeTempFile({ dir: new URL("..", import.meta.url).pathname, suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, prelude + code);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, file],
      cwd: new URL("..", import.meta.url).pathname,
      env: { NO_COLOR: "1", COURSE_BACKEND: "", COURSE_BLAS: "", COURSE_BLAS_THREADS: "", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `child process failed: ${stderr}`);
    return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  } finally {
    await Deno.remove(file);
  }
}

/** A small training in the child; the same data in every process. */
const TRAIN = `const n = 300, x = new Float32Array(n * 32), y = new Uint8Array(n);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 1000) / 1000;
  for (let i = 0; i < n; i++) y[i] = (i * 31) % 10;
  const info = await setupBackend();
  const result = await trainTf({ train: { x, y, n } }, { sizes: [32, 20, 10], eta: 0.5, batchSize: 30, epochs: 2, seed: 1 });
  console.log(JSON.stringify({ info, W: Array.from(result.weights[0].W), loss: result.loss }));`;

Deno.test("without a BLAS (COURSE_BLAS=off, no FFI permission), training runs on plain wasm, as with one", async () => {
  const off = await child(TRAIN, ["-A"], { COURSE_BLAS: "off" });
  const info = off.info as { name: string; reason: string; matmul: string };
  assert.equal(info.name, "wasm");
  assert.equal(info.matmul, "wasm");
  assert.match(info.reason, /matrix products in wasm \(COURSE_BLAS=off\)/);
  const noFfi = await child(TRAIN, ["--allow-read", "--allow-env", "--allow-sys"], {});
  const why = (noFfi.info as { reason: string }).reason;
  assert.match(
    why,
    /matrix products in wasm, slower: Deno runs without FFI permission \(start it with --allow-ffi/,
  );
  assert.doesNotMatch(why, /deno task setup/, "no library to install when FFI is what is missing");
  if (noBlas) return;
  const on = await child(TRAIN, ["-A"], {});
  assert.match((on.info as { matmul: string }).matmul, /thread/);
  const error = maxRelativeError(on.W as number[], off.W as number[], 1e-3);
  assert.ok(error < 1e-3, `weights trained with and without BLAS differ by ${error}`);
});

Deno.test("a BLAS library named by path that cannot be used, or a bad COURSE_BLAS(_THREADS), is a clear error", async () => {
  const before = (await setupBackend("wasm")).matmul, running = blasInUse();
  await assert.rejects(
    () => setupBackend("wasm", { blas: "/no/such/libblas.so.3" }),
    /BLAS library of option blas: \/no\/such\/libblas.so.3 cannot be used: .*cannot open/,
  );
  // The failed choice changed nothing, and is not kept: the next call runs as before.
  assert.equal(blasInUse(), running);
  assert.equal((await setupBackend("wasm")).matmul, before);
  const errors = await child(
    `const errors = [];
    for (const [name, value] of [["COURSE_BLAS", "maybe"], ["COURSE_BLAS_THREADS", "0"], ["COURSE_BLAS", "/no/libblas.so"]]) {
      Deno.env.set(name, value);
      try { await setupBackend("wasm"); errors.push("no error"); } catch (e) { errors.push(e.message); }
      Deno.env.delete(name);
    }
    console.log(JSON.stringify({ errors }));`,
    ["-A"],
    {},
  );
  const [maybe, zero, path] = errors.errors as string[];
  assert.match(maybe, /COURSE_BLAS must be off, on, or the path of a BLAS library, got 'maybe'/);
  assert.match(zero, /COURSE_BLAS_THREADS must be a whole number from 1 to 64, got '0'/);
  assert.match(path, /BLAS library of COURSE_BLAS=\/no\/libblas.so cannot be used: .*cannot open/);
});

Deno.test({
  name: "subtractProductInPlace: W - op(A) op(B) in W's own memory, only where that is safe",
  ignore: noBlas,
  fn: async () => {
    const [m, n, k] = [7, 5, 4];
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      await setupBackend("wasm", { blas: true });
      const w0 = values(m * n, 1), a = values(m * k, 2), b = values(k * n, 3);
      const W = tf.tidy(() => tf.variable(tf.tensor2d(w0, [m, n]))); // W alone holds its memory
      const A = tf.tensor2d(a, ta ? [k, m] : [m, k]), B = tf.tensor2d(b, tb ? [n, k] : [k, n]);
      const id = W.dataId;
      assert.equal(subtractProductInPlace(W, A, B, ta, tb), true, "done in place");
      assert.equal(W.dataId, id, "the same memory");
      const product = naive(a, b, m, n, k, ta, tb);
      const expected = w0.map((v, i) => v - product[i]);
      assert.ok(maxRelativeError(W.dataSync(), expected, 1e-3) < 1e-5, `transposes ${ta} ${tb}`);
      // Memory W shares with another tensor is left alone: the caller updates the usual way.
      const alias = W.reshape([m * n]); // a reshape shares W's memory
      const before = Array.from(W.dataSync());
      assert.equal(subtractProductInPlace(W, A, B, ta, tb), false);
      assert.deepEqual(Array.from(alias.dataSync()), before);
      assert.throws(() => subtractProductInPlace(W.transpose(), A, B, ta, tb), /do not match/);
      tf.dispose([W, A, B, alias]);
    }
    // Without the BLAS: nothing is done.
    await setupBackend("wasm", { blas: false });
    const W = tf.tidy(() => tf.variable(tf.ones([2, 2])));
    assert.equal(subtractProductInPlace(W, tf.ones([2, 2]), tf.ones([2, 2]), false, false), false);
    assert.deepEqual(Array.from(W.dataSync()), [1, 1, 1, 1]);
    W.dispose();
    await setupBackend("wasm");
  },
});
