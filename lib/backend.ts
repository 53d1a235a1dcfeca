/**
 * tfjs set-up in one call: which engine runs the tensor maths, and why.
 *
 * tfjs can run on several "backends". In Deno it believes it runs in Node, so WebGL never
 * appears and the default is the slow plain-JavaScript `cpu` backend. `setupBackend` picks:
 *
 * 1. `webgpu` when `navigator.gpu` offers a real GPU (not the software fallback `llvmpipe`,
 *    which is slower than wasm);
 * 2. else `wasm` (XNNPACK compiled to WebAssembly with SIMD), loaded offline from the npm package;
 * 3. else `cpu`.
 *
 * The argument, or else the environment variable `COURSE_BACKEND`, forces one of them.
 *
 * wasm runs on one thread unless asked otherwise: `setupBackend("wasm", { threads: 2 })` or
 * `COURSE_WASM_THREADS=2` start tfjs's threaded SIMD build (see `withWasmThreads`). It stays opt-in
 * because it only pays off on an otherwise idle machine (the README's performance section has the numbers).
 *
 * On wasm, matrix products run in the system's BLAS (OpenBLAS, a CBLAS `libblas.so.3`, or macOS's
 * Accelerate) through Deno FFI, on one thread, whenever one can be opened: the kind of library PyTorch
 * multiplies with on a CPU, far faster than wasm's SIMD. `COURSE_BLAS=off` (or `{ blas: false }`) keeps them on wasm; `COURSE_BLAS=<path>` names the
 * library; `COURSE_BLAS_THREADS=N` (or `{ blasThreads: N }`) gives them N threads. Everything else stays
 * on wasm. The reason says which engine runs the products and why.
 *
 * When wasm starts, the kernels of lib/kernels.ts are installed. For webgpu, tfjs asks for
 * `requiredFeatures: ["timestamp-query", ["bgra8unorm-storage"]]` (an array inside the list), which Deno
 * rejects; we create the device ourselves with a flat list.
 */
import * as tf from "@tensorflow/tfjs";
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { Worker as NodeWorker } from "node:worker_threads";
import os from "node:os";
import { describeBlas, ffiUnavailable, openBlas, parseBlasChoice, parseBlasThreads } from "./blas.ts";
import { installKernelRepairs, useBlas } from "./kernels.ts";
import { messages } from "./language.ts";

/** The backends the course knows, fastest first. */
export const BACKENDS = ["webgpu", "wasm", "cpu"] as const;

/** One of the course's backends. */
export type BackendName = typeof BACKENDS[number];

/**
 * What `setupBackend` chose: the backend's name, why (in the notebook's language), and the GPU adapter's
 * description for webgpu.
 */
export interface BackendInfo {
  name: BackendName;
  reason: string;
  adapter?: string;
  /** On wasm: what runs the matrix products, the BLAS (e.g. "OpenBLAS 0.3.21 ..., 1 thread") or "wasm". */
  matmul?: string;
}

/** The folder holding the package's `.wasm` files, as a `file://` URL ending in `/` (works from any cwd). */
export const WASM_DIR: string = new URL(
  "../node_modules/@tensorflow/tfjs-backend-wasm/dist/",
  import.meta.url,
).href;

let current: BackendInfo | undefined;
let wasmPathsSet = false;

/** What the last successful `setupBackend` chose, or undefined before the first call. */
export function currentBackend(): BackendInfo | undefined {
  return current && tf.getBackend() === current.name ? current : undefined;
}

/** Checks a backend name and returns it typed; an unknown name throws an error listing the valid ones. */
export function parseBackendName(name: string, where = "backend"): BackendName {
  const lower = typeof name === "string" ? name.trim().toLowerCase() : "";
  if ((BACKENDS as readonly string[]).includes(lower)) return lower as BackendName;
  throw new Error(`unknown ${where} '${name}': expected one of ${BACKENDS.join(", ")}`);
}

/** A non-empty environment variable, or undefined (also when the environment may not be read). */
function envValue(name: string): string | undefined {
  try {
    const value = Deno.env.get(name);
    return value && value.trim() !== "" ? value : undefined;
  } catch {
    return undefined; // no --allow-env: behave as if unset
  }
}

/** The minimal part of WebGPU's `navigator.gpu` we use (a fake one can be passed in tests). */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: "low-power" | "high-performance" }): Promise<unknown>;
}

/** An adapter we accept for webgpu, or why not: `{ adapter, description }` or `{ why }`. */
export async function findGpuAdapter(
  gpu: GpuLike | undefined = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu,
  allowFallback = false,
): Promise<{ adapter: GPUAdapter; description: string } | { why: string }> {
  const found = await gpuAdapter(gpu, allowFallback);
  return "no" in found ? { why: found.no() } : found;
}

/** findGpuAdapter's search; why not as a function that writes it in the language of the moment. */
async function gpuAdapter(
  gpu: GpuLike | undefined,
  allowFallback: boolean,
): Promise<{ adapter: GPUAdapter; description: string } | { no: () => string }> {
  if (!gpu) return { no: () => messages().gpuMissing };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" }) as GPUAdapter | null;
  } catch (err) {
    return { no: () => messages().gpuRequestFailed((err as Error).message) };
  }
  if (!adapter) return { no: () => messages().gpuNoAdapter };
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const description = [info?.vendor, info?.architecture, info?.device, info?.description]
    .filter((s) => s && s !== "0").join(" ").trim() || "unknown adapter";
  // Newer WebGPU puts the flag on adapter.info, older on the adapter itself.
  const fallback = Boolean(
    (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ??
      (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter,
  );
  if (fallback && !allowFallback) return { no: () => messages().gpuFallback(description) };
  return { adapter, description };
}

/** `requiredFeatures` flattened: tfjs 4.22 puts an array inside the list, which Deno's WebGPU rejects. */
export function flattenFeatures(features: Iterable<unknown> | undefined): GPUFeatureName[] {
  return [...(features ?? [])].flat(Infinity as 1) as GPUFeatureName[];
}

/** Registers a `webgpu` backend built on `adapter`, with the device requested the way Deno accepts. */
async function registerWebgpu(adapter: GPUAdapter): Promise<void> {
  const { WebGPUBackend } = await import("@tensorflow/tfjs-backend-webgpu");
  // Importing the package registered tfjs's own factory, which would ask navigator.gpu again and
  // pass the nested feature list: replace it with one that uses the adapter we checked.
  if (tf.findBackendFactory("webgpu")) tf.removeBackend("webgpu");
  tf.registerBackend("webgpu", async () => {
    const wanted = ["timestamp-query", ["bgra8unorm-storage"]].filter((f) =>
      adapter.features.has((Array.isArray(f) ? f[0] : f) as GPUFeatureName)
    );
    const limits = adapter.limits;
    const device = await adapter.requestDevice({
      requiredFeatures: flattenFeatures(wanted),
      requiredLimits: {
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      },
    });
    // deno-lint-ignore no-explicit-any
    return new WebGPUBackend(device, (adapter as any).info);
  }, 3);
}

/** The wasm files must be on disk: checks one, so that a missing install gives a clear reason. */
function wasmFilesPresent(): string | undefined {
  const file = new URL("tfjs-backend-wasm-simd.wasm", WASM_DIR);
  try {
    Deno.statSync(file);
    return undefined;
  } catch (err) {
    return messages().wasmMissing(file.pathname, (err as Error).name);
  }
}

/** Switches tfjs to `name`; resolves to undefined on success or to the reason it failed. */
async function trySetBackend(name: BackendName): Promise<string | undefined> {
  try {
    // tfjs logs its own warning and returns false when a backend fails to initialise.
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name ? undefined : `tf.setBackend('${name}') failed`;
  } catch (err) {
    return `tf.setBackend('${name}') threw: ${(err as Error).message}`;
  }
}

// ---------------------------------------------------------------- wasm with threads (opt-in)
/** Most wasm threads we allow: emscripten starts a fixed pool of 8 workers and we never add to it. */
export const MAX_WASM_THREADS = 8;

/** Thread count the wasm module was started with (fixed for the life of the process). */
let wasmThreadsStarted: number | undefined;

/** Checks a wasm thread count (1 = the single-threaded build); bad values throw, naming the source. */
export function parseWasmThreads(value: number | string, where = "threads"): number {
  const n = typeof value === "string" ? Number(value.trim()) : value;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new Error(`${where} must be an integer from 1 to ${MAX_WASM_THREADS}, got '${value}'`);
  }
  return n;
}

/**
 * Makes tfjs start its threaded SIMD wasm build in Deno, for the duration of `start()` only. tfjs switches
 * threads off when it believes it runs in Node (Deno looks like Node to it), and its emscripten glue then
 * takes Node's road: `worker_threads` workers whose script is a file. What it needs here:
 * 1. the flag `WASM_HAS_MULTITHREAD_SUPPORT` forced on, and `setThreadsCount(threads)`;
 * 2. its worker scripts, which it builds as Blobs, written to real files (a Node worker cannot load a
 *    `blob:` URL): Blob remembers its text, `URL.createObjectURL` and the `load` message get file paths;
 * 3. a prelude in those scripts: Deno refuses some of the globals the script assigns with Object.assign
 *    (so they are defined one by one), and the factory's bundler names (require$$0, commonjsGlobal...)
 *    are free variables once the factory's source runs inside a worker;
 * 4. every worker `unref()`ed once started, so that the pool never keeps a Deno process alive (not
 *    before: until its workers have answered, they are all that keeps the event loop waiting for them);
 * 5. `os.cpus()` reporting 2 x threads cores while it starts (the pool gets half the cores it reports);
 * 6. the global `Worker`, which the glue replaces with Node's, put back afterwards.
 * The emscripten pool (8 workers) is created and loaded during start-up, so nothing is patched later.
 */
async function withWasmThreads<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "course-wasm-threads-" });
  const texts = new WeakMap<Blob, string>(), files = new WeakMap<Blob, string>();
  const saved = {
    Blob: globalThis.Blob,
    createObjectURL: URL.createObjectURL,
    postMessage: NodeWorker.prototype.postMessage,
    Worker: globalThis.Worker,
    cpus: os.cpus,
  };
  class TextBlob extends saved.Blob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.every((p) => typeof p === "string")) texts.set(this, (parts as string[]).join(""));
    }
  }
  const prelude = `"use strict";{const assign=Object.assign;Object.assign=function(t,...ss){` +
    `if(t!==globalThis)return assign(t,...ss);for(const s of ss)for(const k of Object.keys(s)){` +
    `try{Object.defineProperty(globalThis,k,{value:s[k],writable:true,configurable:true})}` +
    `catch{try{globalThis[k]=s[k]}catch{}}}return t};}` +
    `globalThis.require$$0=require("fs");globalThis.require$$1=require("path");` +
    `globalThis.require$$3=require("perf_hooks");globalThis.require$$4=require("os");` +
    `globalThis.commonjsGlobal=globalThis;\n`;
  let count = 0;
  const workers = new Set<NodeWorker>();
  const fileFor = (blob: Blob): string | undefined => {
    if (files.has(blob)) return files.get(blob);
    const text = texts.get(blob);
    if (text === undefined) return undefined;
    const path = `${dir}/script${count++}.cjs`;
    Deno.writeTextFileSync(path, (text.includes("parentPort") ? prelude : "") + text);
    files.set(blob, path);
    return path;
  };
  globalThis.Blob = TextBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob) => fileFor(obj) ?? saved.createObjectURL(obj);
  NodeWorker.prototype.postMessage = function (this: NodeWorker, message: unknown, transfer?: unknown) {
    const m = message as { cmd?: string; urlOrBlob?: unknown };
    if (m?.cmd === "load" && m.urlOrBlob instanceof saved.Blob) m.urlOrBlob = fileFor(m.urlOrBlob);
    workers.add(this);
    return saved.postMessage.call(this, message, transfer as never);
  };
  // The thread pool's size ends up as (logical cores) / 2 whatever setThreadsCount says (tfjs assumes
  // two hyperthreads per core), and the glue counts cores with os.cpus(): report 2 x threads of them.
  os.cpus = () => Array.from({ length: 2 * threads }, () => saved.cpus()[0]);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  setThreadsCount(threads);
  try {
    const result = await start();
    // Only now: while it starts, the workers' replies are what keeps Deno's event loop waiting.
    for (const worker of workers) worker.unref();
    return result;
  } finally {
    globalThis.Blob = saved.Blob;
    URL.createObjectURL = saved.createObjectURL;
    NodeWorker.prototype.postMessage = saved.postMessage;
    globalThis.Worker = saved.Worker;
    os.cpus = saved.cpus;
    // The workers have read their scripts by now (start-up waits for all 8 to load).
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Thread count of the running wasm module: 1 for the single-threaded build, undefined before wasm starts. */
export function wasmThreads(): number | undefined {
  return wasmThreadsStarted;
}

/**
 * Starts the wasm backend from the package's own files (offline) with the kernels of lib/kernels.ts, on
 * `threads` threads (1: the single-threaded SIMD build; more: the threaded SIMD build, see withWasmThreads).
 */
async function startWasm(threads = 1): Promise<string | undefined> {
  const missing = wasmFilesPresent();
  if (missing) return missing;
  if (wasmThreadsStarted !== undefined && wasmThreadsStarted !== threads) {
    return `wasm already runs on ${wasmThreadsStarted} thread(s) in this process, and tfjs cannot ` +
      `restart it on ${threads}: choose the threads before the first setupBackend (restart the kernel)`;
  }
  if (!wasmPathsSet) {
    // setWasmPaths throws once the wasm backend has been initialised; set it only once.
    setWasmPaths(WASM_DIR);
    wasmPathsSet = true;
  }
  const failed = threads > 1 && wasmThreadsStarted === undefined
    ? await withWasmThreads(threads, () => trySetBackend("wasm"))
    : await trySetBackend("wasm");
  if (failed) return failed;
  wasmThreadsStarted ??= threads;
  if (!installKernelRepairs()) return "could not install the wasm kernel repairs (lib/kernels.ts)";
  return undefined;
}

// ---------------------------------------------------------------- matrix products in the system BLAS
/** Where the matrix products were asked to run: a BLAS (found, or at `path`) or wasm (`off`); threads. */
interface BlasChoice {
  off: boolean;
  path?: string;
  threads: number;
  /** Where the choice came from, for messages. */
  source: string;
  /** The options it came from, kept for later calls once the choice worked. */
  given: Pick<SetupOptions, "blas" | "blasThreads">;
}

/** The BLAS options last given to setupBackend and used: they hold until other ones are given. */
const blasOptions: Pick<SetupOptions, "blas" | "blasThreads"> = {};

/**
 * The BLAS choice of this call: this call's options, else the last ones given, else COURSE_BLAS and
 * COURSE_BLAS_THREADS, else a BLAS found automatically, on one thread. Bad values throw, naming the source.
 */
function blasChoice(options: SetupOptions): BlasChoice {
  const given = {
    blas: options.blas ?? blasOptions.blas,
    blasThreads: options.blasThreads ?? blasOptions.blasThreads,
  };
  const env = envValue("COURSE_BLAS"), threadsEnv = envValue("COURSE_BLAS_THREADS");
  const { off, path } = given.blas !== undefined
    ? parseBlasChoice(given.blas, "blas (option of setupBackend)")
    : env !== undefined
    ? parseBlasChoice(env, "COURSE_BLAS")
    : { off: false };
  const threads = given.blasThreads !== undefined
    ? parseBlasThreads(given.blasThreads, "blasThreads (option of setupBackend)")
    : threadsEnv !== undefined
    ? parseBlasThreads(threadsEnv, "COURSE_BLAS_THREADS")
    : 1;
  const source = given.blas !== undefined
    ? `option blas: ${given.blas}`
    : env !== undefined
    ? `COURSE_BLAS=${env}`
    : "";
  return { off, path, threads, source, given };
}

/**
 * Routes the wasm backend's matrix products as `choice` says. Returns what runs them and the note for the
 * reason; a library named by path that cannot be used throws (a missing one found automatically does not).
 */
function applyBlas(choice: BlasChoice): { matmul: string; note: string } {
  if (choice.off) {
    useBlas(undefined);
    return { matmul: "wasm", note: messages().blasOff(choice.source) };
  }
  const found = openBlas({ path: choice.path, threads: choice.threads });
  if ("why" in found) {
    // Before anything changes: a failed call leaves the products where they ran.
    if (choice.path) throw new Error(`the BLAS library of ${choice.source} cannot be used: ${found.why}`);
    useBlas(undefined);
    // Where FFI works, what is missing is the library, which setup can install.
    return { matmul: "wasm", note: messages().blasMissing(found.why, !ffiUnavailable()) };
  }
  useBlas(found.blas);
  return { matmul: describeBlas(found.blas), note: messages().blasUsed(describeBlas(found.blas)) };
}

/** The wasm BackendInfo: the reason for wasm, then the wasm threads and the BLAS note. */
function wasmInfo(why: string, threads: number, choice: BlasChoice): BackendInfo {
  const { matmul, note } = applyBlas(choice);
  Object.assign(blasOptions, choice.given);
  const parts = [why, threads > 1 ? messages().wasmThreads(threads) : "", note].filter((p) => p !== "");
  return { name: "wasm", reason: parts.join(messages().reasonJoin), matmul };
}

/**
 * Why the current backend runs, as the last setupBackend found it, written afresh on every call in the
 * language of that moment (for wasm, the BLAS part is appended on each call).
 */
let why: () => string = () => "";

/** Options of `setupBackend` beyond the preferred name (for tests: a fake `navigator.gpu`). */
export interface SetupOptions {
  gpu?: GpuLike;
  /**
   * wasm threads (else `COURSE_WASM_THREADS`, else 1 = the single-threaded SIMD build). More than 1 starts
   * tfjs's threaded SIMD build; fixed once wasm has started in a process. Off by default: it pays off only
   * on an otherwise idle machine (tools/bench.ts, "tfjs-wasm-2threads").
   */
  threads?: number;
  /**
   * Matrix products on wasm: in the system BLAS (true, the default; else `COURSE_BLAS`), in wasm (false),
   * or in the BLAS library at this path.
   */
  blas?: boolean | string;
  /**
   * Threads of the BLAS's products (else `COURSE_BLAS_THREADS`, else 1). Both BLAS options may change at
   * any call, and hold for later calls that do not give them.
   */
  blasThreads?: number;
}

/**
 * Chooses and starts the tfjs backend: the argument, else `COURSE_BACKEND`, else the fastest that works
 * here (webgpu on a real GPU, wasm, cpu). Resolves to `{ name, reason, adapter? }`. Calling it again with
 * the same choice returns at once. A forced backend that cannot start throws (it names the reason).
 */
export async function setupBackend(prefer?: BackendName, options: SetupOptions = {}): Promise<BackendInfo> {
  tf.env().set("PROD", true); // no "install tfjs-node" banner, no debug checks
  const fromEnv = envValue("COURSE_BACKEND");
  const forced = prefer !== undefined
    ? parseBackendName(prefer, "backend (argument of setupBackend)")
    : fromEnv !== undefined
    ? parseBackendName(fromEnv, "backend in COURSE_BACKEND")
    : undefined;
  const gpu = options.gpu ?? (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  const threadsEnv = envValue("COURSE_WASM_THREADS");
  const asked = options.threads !== undefined
    ? parseWasmThreads(options.threads, "threads (option of setupBackend)")
    : threadsEnv !== undefined
    ? parseWasmThreads(threadsEnv, "COURSE_WASM_THREADS")
    : undefined;
  if (asked !== undefined && wasmThreadsStarted !== undefined && asked !== wasmThreadsStarted) {
    throw new Error(
      `wasm threads: ${asked} asked for, but wasm already runs on ${wasmThreadsStarted} in this process ` +
        `and tfjs cannot restart it; choose the threads before the first setupBackend (restart the kernel)`,
    );
  }
  const threads = asked ?? wasmThreadsStarted ?? 1;
  const blas = blasChoice(options);

  // Same choice as last time and still active: nothing to do.
  if (
    !options.gpu && current && tf.getBackend() === current.name &&
    (forced === undefined || forced === current.name)
  ) {
    if (current.name !== "wasm") return current = { ...current, reason: why() };
    if (installKernelRepairs()) return current = wasmInfo(why(), threads, blas);
  }

  const text = messages();
  const how = () => messages().backendHow(prefer === undefined);
  if (forced === "webgpu") {
    const found = await findGpuAdapter(gpu, true);
    if ("why" in found) throw new Error(text.backendForcedFailed("webgpu", how(), found.why, false));
    await registerWebgpu(found.adapter);
    const failed = await trySetBackend("webgpu");
    if (failed) throw new Error(text.backendForcedFailed("webgpu", how(), failed, true));
    why = how;
    return current = { name: "webgpu", reason: why(), adapter: found.description };
  }
  if (forced === "wasm") {
    const failed = await startWasm(threads);
    if (failed) throw new Error(text.backendForcedFailed("wasm", how(), failed, true));
    why = how;
    return current = wasmInfo(why(), threads, blas);
  }
  if (forced === "cpu") {
    const failed = await trySetBackend("cpu");
    if (failed) throw new Error(text.backendForcedFailed("cpu", how(), failed, true));
    why = () => messages().backendCpuForced(how());
    return current = { name: "cpu", reason: why() };
  }

  // Automatic choice: fastest first, each failure noted in the reason (kept as texts to write later).
  const skipped: (() => string)[] = [];
  const skippedText = () => skipped.map((s) => s()).join(messages().reasonJoin);
  const found = await gpuAdapter(gpu, false);
  if ("adapter" in found) {
    let failed: string | undefined;
    try {
      await registerWebgpu(found.adapter);
      failed = await trySetBackend("webgpu");
    } catch (err) {
      failed = (err as Error).message;
    }
    if (!failed) {
      why = () => messages().backendRealGpu;
      return current = { name: "webgpu", reason: why(), adapter: found.description };
    }
    skipped.push(() => messages().backendFailedToStart("webgpu", failed));
  } else {
    const no = found.no;
    skipped.push(() => messages().backendNoWebgpu(no()));
  }
  const wasmFailed = await startWasm(threads);
  if (!wasmFailed) {
    why = skippedText;
    return current = wasmInfo(why(), threads, blas);
  }
  skipped.push(() => messages().backendFailedToStart("wasm", wasmFailed));
  const cpuFailed = await trySetBackend("cpu");
  if (cpuFailed) throw new Error(text.backendNone(skippedText(), cpuFailed));
  why = skippedText;
  return current = { name: "cpu", reason: why() };
}
