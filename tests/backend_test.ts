/** Tests of lib/backend.ts: forcing each backend, the wasm transposed-product fix, webgpu fallback, threads. */
import * as tf from "@tensorflow/tfjs";
import { assert, maxRelativeError } from "./assert.ts";
import {
  findGpuAdapter,
  flattenFeatures,
  type GpuLike,
  MAX_WASM_THREADS,
  setupBackend,
  wasmThreads,
} from "../lib/backend.ts";
import { rng } from "../lib/random.ts";

/** Random values in [-1, 1) from a seed, as a plain array. */
function values(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => 2 * r() - 1);
}

/** Runs f on the named backend and returns the result's values (tensors disposed). */
async function on(name: "cpu" | "wasm", f: () => tf.Tensor): Promise<Float32Array> {
  await setupBackend(name);
  const t = f();
  const out = (await t.data()) as Float32Array;
  t.dispose();
  return out;
}

Deno.test("forcing cpu and wasm works, and both compute the same numbers", async () => {
  const cpu = await setupBackend("cpu");
  assert.equal(cpu.name, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  const wasm = await setupBackend("wasm");
  assert.equal(wasm.name, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  for (const kernel of ["BatchMatMul", "_FusedMatMul"]) {
    const config = tf.getKernel(kernel, "wasm") as unknown as Record<symbol, boolean>;
    assert.ok(config[Symbol.for("course.transposeFix")], `${kernel} on wasm is the fixed kernel`);
  }
  const a = values(37 * 53, 1), b = values(53 * 29, 2), bias = values(29, 3);
  const f = () =>
    tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(tf.tensor2d(a, [37, 53]), tf.tensor2d(b, [53, 29])), bias)));
  const onCpu = await on("cpu", f);
  const onWasm = await on("wasm", f);
  assert.ok(maxRelativeError(onWasm, onCpu) < 1e-5, `wasm vs cpu: ${maxRelativeError(onWasm, onCpu)}`);
});

Deno.test("wasm fix: every transpose combination equals the product of explicitly transposed inputs", async () => {
  // Reference: the cpu backend (untouched by the fix) multiplies the transposed copies made on cpu.
  const [m, k, n] = [23, 41, 17];
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      for (const batch of [0, 3]) {
        const lead = batch ? [batch] : [];
        const aShape = [...lead, ...(transposeA ? [k, m] : [m, k])];
        const bShape = [...lead, ...(transposeB ? [n, k] : [k, n])];
        const a = values(aShape.reduce((p, q) => p * q, 1), 10 + aShape.length);
        const b = values(bShape.reduce((p, q) => p * q, 1), 20 + bShape.length);
        const swap = batch ? [0, 2, 1] : [1, 0];
        const expected = await on("cpu", () =>
          tf.tidy(() => {
            const A = tf.tensor(a, aShape), B = tf.tensor(b, bShape);
            return tf.matMul(transposeA ? tf.transpose(A, swap) : A, transposeB ? tf.transpose(B, swap) : B);
          }));
        const actual = await on(
          "wasm",
          () => tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transposeA, transposeB)),
        );
        const fused = await on(
          "wasm",
          () =>
            tf.tidy(() =>
              tf.fused.matMul({ a: tf.tensor(a, aShape), b: tf.tensor(b, bShape), transposeA, transposeB })
            ),
        );
        const what = `transposeA=${transposeA} transposeB=${transposeB} batch=${batch}`;
        assert.ok(maxRelativeError(actual, expected, 1e-3) < 1e-4, `matMul ${what}`);
        assert.ok(maxRelativeError(fused, expected, 1e-3) < 1e-4, `fused.matMul ${what}`);
      }
    }
  }
});

Deno.test("wasm fix: fused product with bias and activation, and gradients, agree with cpu", async () => {
  const a = values(8 * 5, 4), b = values(6 * 5, 5), bias = values(6, 6);
  const f = () =>
    tf.tidy(() => {
      const A = tf.tensor2d(a, [8, 5]), B = tf.tensor2d(b, [6, 5]), c = tf.tensor1d(bias);
      const loss = (x: tf.Tensor) =>
        tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: B, transposeB: true, bias: c, activation: "relu" }));
      const out = tf.fused.matMul({ a: A, b: B, transposeB: true, bias: c, activation: "relu" });
      return tf.concat([out.flatten(), tf.grad(loss)(A).flatten()]);
    });
  const expected = await on("cpu", f);
  const actual = await on("wasm", f);
  assert.ok(maxRelativeError(actual, expected, 1e-3) < 1e-4, `${maxRelativeError(actual, expected, 1e-3)}`);
});

Deno.test("setupBackend is idempotent and leaks no tensors", async () => {
  const first = await setupBackend("wasm");
  const before = tf.memory().numTensors;
  const second = await setupBackend("wasm");
  assert.deepEqual(second, first);
  const again = await setupBackend();
  assert.equal(again.name, tf.getBackend());
  const x = tf.tensor2d(values(6, 7), [2, 3]);
  const y = tf.matMul(x, x, false, true); // goes through the fix once, still one wrapper
  assert.deepEqual(y.shape, [2, 2]);
  tf.dispose([x, y]);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("an unknown backend name throws and lists the valid ones", async () => {
  await assert.rejects(() => setupBackend("tpu" as "cpu"), /unknown backend.*'tpu'.*webgpu, wasm, cpu/);
  const saved = Deno.env.get("COURSE_BACKEND");
  try {
    Deno.env.set("COURSE_BACKEND", "cuda");
    await assert.rejects(() => setupBackend(), /COURSE_BACKEND 'cuda'.*webgpu, wasm, cpu/);
    Deno.env.set("COURSE_BACKEND", "cpu");
    assert.equal((await setupBackend()).name, "cpu");
  } finally {
    if (saved === undefined) Deno.env.delete("COURSE_BACKEND");
    else Deno.env.set("COURSE_BACKEND", saved);
  }
});

/** A fake navigator.gpu whose one adapter is described by `info` (null: no adapter). */
function fakeGpu(adapter: unknown): GpuLike {
  return { requestAdapter: () => Promise.resolve(adapter) };
}

Deno.test("webgpu: no GPU, a software fallback, or a device that fails -> wasm, with the reason", async () => {
  const noAdapter = await setupBackend(undefined, { gpu: fakeGpu(null) });
  assert.equal(noAdapter.name, "wasm");
  assert.match(noAdapter.reason, /no GPU adapter/);

  const software = { info: { description: "llvmpipe", isFallbackAdapter: true }, features: new Set() };
  const fallback = await setupBackend(undefined, { gpu: fakeGpu(software) });
  assert.equal(fallback.name, "wasm");
  assert.match(fallback.reason, /software fallback \(llvmpipe\)/);

  // A "real" adapter whose device cannot be created: tfjs fails to start webgpu, we fall back.
  const broken = {
    info: { vendor: "acme", description: "GPU 9000", isFallbackAdapter: false },
    features: new Set(["timestamp-query"]),
    limits: {},
    requestDevice: () => Promise.reject(new Error("device lost")),
  };
  const failed = await setupBackend(undefined, { gpu: fakeGpu(broken) });
  assert.equal(failed.name, "wasm");
  assert.match(failed.reason, /webgpu failed to start/);

  // This machine: whatever navigator.gpu offers, auto never picks a fallback adapter.
  const here = await findGpuAdapter();
  const auto = await setupBackend();
  if ("why" in here) assert.equal(auto.name, "wasm");
});

Deno.test("webgpu: the found adapter is described; requiredFeatures are flattened", async () => {
  const real = { info: { vendor: "acme", device: "", description: "GPU 9000" }, features: new Set() };
  const found = await findGpuAdapter(fakeGpu(real));
  assert.ok("adapter" in found && found.description === "acme GPU 9000");
  const old = { isFallbackAdapter: true, features: new Set() }; // the flag where older WebGPU put it
  assert.ok("why" in await findGpuAdapter(fakeGpu(old)));
  assert.ok("why" in await findGpuAdapter(undefined));
  assert.deepEqual(flattenFeatures(["timestamp-query", ["bgra8unorm-storage"]]), [
    "timestamp-query",
    "bgra8unorm-storage",
  ]);
});

Deno.test({
  name: "webgpu forced on this machine's adapter (software here) computes what cpu computes",
  ignore: !(globalThis.navigator as { gpu?: unknown }).gpu,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const found = await findGpuAdapter(undefined, true);
    if ("why" in found) return; // no adapter at all: nothing to run
    const info = await setupBackend("webgpu");
    assert.equal(info.name, "webgpu");
    const a = values(30 * 20, 8), b = values(20 * 10, 9);
    const f = () => tf.tidy(() => tf.matMul(tf.tensor2d(a, [30, 20]), tf.tensor2d(b, [20, 10])));
    const t = f();
    const onGpu = (await t.data()) as Float32Array;
    t.dispose();
    const onCpu = await on("cpu", f);
    assert.ok(maxRelativeError(onGpu, onCpu, 1e-3) < 1e-4);
    await setupBackend("wasm");
  },
});

Deno.test("wasm threads: bad counts throw, and the count cannot change once wasm runs", async () => {
  await assert.rejects(() => setupBackend("wasm", { threads: 0 }), /threads.*integer from 1 to 8.*'0'/);
  await assert.rejects(() => setupBackend("wasm", { threads: 1.5 }), /threads.*'1.5'/);
  await assert.rejects(() => setupBackend("wasm", { threads: MAX_WASM_THREADS + 1 }), /from 1 to 8/);
  const saved = Deno.env.get("COURSE_WASM_THREADS");
  try {
    Deno.env.set("COURSE_WASM_THREADS", "two");
    await assert.rejects(() => setupBackend("wasm"), /COURSE_WASM_THREADS must be.*'two'/);
  } finally {
    if (saved === undefined) Deno.env.delete("COURSE_WASM_THREADS");
    else Deno.env.set("COURSE_WASM_THREADS", saved);
  }
  await setupBackend("wasm");
  const running = wasmThreads()!;
  const other = running === 1 ? 2 : 1;
  await assert.rejects(
    () => setupBackend("wasm", { threads: other }),
    new RegExp(`${other} asked for, but wasm already runs on ${running}.*restart`),
  );
  assert.equal((await setupBackend("wasm", { threads: running })).name, "wasm");
});

Deno.test("wasm on 2 threads (COURSE_WASM_THREADS=2) computes what cpu does, and its process exits", async () => {
  // A fresh process: the thread count is fixed once wasm starts. It prints its results and must then
  // exit by itself (the pool's workers must not keep it alive; killed after 60 s = a hang).
  const lib = (file: string) => JSON.stringify(new URL(`../lib/${file}`, import.meta.url).href);
  const a = values(64 * 300, 11), b = values(50 * 300, 12); // the child draws the same ones
  const code = `import * as tf from "@tensorflow/tfjs";
    import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
    import { setupBackend, wasmThreads } from ${lib("backend.ts")};
    import { rng } from ${lib("random.ts")};
    const values = (n, seed) => { const r = rng(seed); return Float32Array.from({ length: n }, () => 2 * r() - 1); };
    const info = await setupBackend("wasm");
    const a = tf.tensor2d(values(64 * 300, 11), [64, 300]);
    const b = tf.tensor2d(values(50 * 300, 12), [50, 300]);
    const product = Array.from(await tf.sigmoid(tf.matMul(a, b, false, true)).data());
    console.log(JSON.stringify({ info, threads: wasmThreads(), pool: getThreadsCount(), product }));`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    cwd: new URL("..", import.meta.url).pathname,
    // The products on wasm's threads (XNNPACK), not in the BLAS.
    env: { COURSE_WASM_THREADS: "2", COURSE_BLAS: "off", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const out = await child.output();
  clearTimeout(timer);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(
    out.code,
    0,
    `the 2-thread process ended with code ${out.code} (137 = killed: hung): ${stderr}`,
  );
  const result = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(result.info.name, "wasm");
  assert.match(result.info.reason, /2 wasm threads/);
  assert.equal(result.threads, 2);
  assert.equal(result.pool, 2, "XNNPACK's pool has 2 threads");
  const expected = await on(
    "cpu",
    () =>
      tf.tidy(() => tf.sigmoid(tf.matMul(tf.tensor2d(a, [64, 300]), tf.tensor2d(b, [50, 300]), false, true))),
  );
  const error = maxRelativeError(Float32Array.from(result.product), expected);
  assert.ok(error < 1e-5, `2-thread wasm vs cpu: max relative error ${error}`);
});
