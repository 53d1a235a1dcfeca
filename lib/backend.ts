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
 * Two repairs to tfjs 4.22 happen here, because the course depends on them:
 * - wasm: `matMul(a, b, transposeA, transposeB)` with a transpose flag is 9-18x slower than
 *   transposing first, and every backward pass of a dense layer uses it. We re-register the
 *   matrix-product kernels so that they transpose explicitly and then call the fast kernel.
 * - webgpu: tfjs asks for `requiredFeatures: ["timestamp-query", ["bgra8unorm-storage"]]` (an
 *   array inside the list), which Deno rejects; we create the device ourselves with a flat list.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/** The backends the course knows, fastest first. */
export const BACKENDS = ["webgpu", "wasm", "cpu"] as const;

/** One of the course's backends. */
export type BackendName = typeof BACKENDS[number];

/** What `setupBackend` chose: the backend's name, why, and the GPU adapter's description for webgpu. */
export interface BackendInfo {
  name: BackendName;
  reason: string;
  adapter?: string;
}

/** The folder holding the package's `.wasm` files, as a `file://` URL ending in `/` (works from any cwd). */
export const WASM_DIR: string = new URL(
  "../node_modules/@tensorflow/tfjs-backend-wasm/dist/",
  import.meta.url,
).href;

const FIX_NOTE = "transposed matrix products fixed";
let current: BackendInfo | undefined;
let wasmPathsSet = false;

/** What the last successful `setupBackend` chose, or undefined before the first call. */
export function currentBackend(): BackendInfo | undefined {
  return current && tf.getBackend() === current.name ? current : undefined;
}

/** Checks a backend name and returns it typed; an unknown name throws an error listing the valid ones. */
export function parseBackendName(name: string, where = "backend"): BackendName {
  const lower = name.trim().toLowerCase();
  if ((BACKENDS as readonly string[]).includes(lower)) return lower as BackendName;
  throw new Error(`unknown ${where} '${name}': expected one of ${BACKENDS.join(", ")}`);
}

/** Reads `COURSE_BACKEND` (undefined when unset, empty, or when the environment may not be read). */
function backendFromEnv(): string | undefined {
  try {
    const value = Deno.env.get("COURSE_BACKEND");
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
  if (!gpu) return { why: "no WebGPU in this runtime (navigator.gpu is missing)" };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" }) as GPUAdapter | null;
  } catch (err) {
    return { why: `navigator.gpu.requestAdapter failed: ${(err as Error).message}` };
  }
  if (!adapter) return { why: "no GPU adapter found" };
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const description = [info?.vendor, info?.architecture, info?.device, info?.description]
    .filter((s) => s && s !== "0").join(" ").trim() || "unknown adapter";
  // Newer WebGPU puts the flag on adapter.info, older on the adapter itself.
  const fallback = Boolean(
    (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ??
      (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter,
  );
  if (fallback && !allowFallback) {
    return { why: `the only GPU adapter is a software fallback (${description}), slower than wasm` };
  }
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
    return `the wasm binaries are missing (${file.pathname}: ${(err as Error).name}); run \`deno install\``;
  }
}

/** Marker on our kernel wrappers, so that installing twice does not wrap twice. */
const FIXED = Symbol.for("course.transposeFix");

/**
 * Re-registers the wasm matrix-product kernels (`BatchMatMul`, `_FusedMatMul`) so that a product with
 * `transposeA` / `transposeB` transposes its operand explicitly (a fast copy) and then runs the fast
 * untransposed kernel. Same numbers, 5-10x faster backward passes. Returns true when it is installed.
 */
export function installWasmMatMulFix(): boolean {
  for (const kernelName of ["BatchMatMul", "_FusedMatMul"]) {
    const base = tf.getKernel(kernelName, "wasm");
    if (!base) return false;
    if ((base as unknown as Record<symbol, boolean>)[FIXED]) continue;
    const transpose = tf.getKernel("Transpose", "wasm");
    if (!transpose) return false;
    const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as { transposeA?: boolean; transposeB?: boolean };
      if (!transposeA && !transposeB) return base.kernelFunc({ inputs, backend, attrs });
      // Swap the last two axes: (..., m, k) -> (..., k, m).
      const swapLast = (x: tf.TensorInfo): tf.TensorInfo => {
        const perm = x.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const a = inputs.a as tf.TensorInfo;
      const b = inputs.b as tf.TensorInfo;
      const at = transposeA ? swapLast(a) : a;
      const bt = transposeB ? swapLast(b) : b;
      const out = base.kernelFunc({
        inputs: { ...inputs, a: at, b: bt },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
      // The explicit transposes are temporaries of this kernel: free their memory now.
      const data = backend as unknown as { disposeData(id: tf.DataId): void };
      if (at !== a) data.disposeData(at.dataId);
      if (bt !== b) data.disposeData(bt.dataId);
      return out;
    };
    const fixed = { ...base, kernelFunc, [FIXED]: true };
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel(fixed);
  }
  return true;
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

/** Starts the wasm backend from the package's own files (offline) with the transposed-product fix. */
async function startWasm(): Promise<string | undefined> {
  const missing = wasmFilesPresent();
  if (missing) return missing;
  if (!wasmPathsSet) {
    // setWasmPaths throws once the wasm backend has been initialised; set it only once.
    setWasmPaths(WASM_DIR);
    wasmPathsSet = true;
  }
  const failed = await trySetBackend("wasm");
  if (failed) return failed;
  if (!installWasmMatMulFix()) return "could not install the transposed-product fix";
  return undefined;
}

/** Options of `setupBackend` beyond the preferred name (for tests: a fake `navigator.gpu`). */
export interface SetupOptions {
  gpu?: GpuLike;
}

/**
 * Chooses and starts the tfjs backend: the argument, else `COURSE_BACKEND`, else the fastest that works
 * here (webgpu on a real GPU, wasm, cpu). Resolves to `{ name, reason, adapter? }`. Calling it again with
 * the same choice returns at once. A forced backend that cannot start throws (it names the reason).
 */
export async function setupBackend(prefer?: BackendName, options: SetupOptions = {}): Promise<BackendInfo> {
  tf.env().set("PROD", true); // no "install tfjs-node" banner, no debug checks
  const fromEnv = backendFromEnv();
  const forced = prefer !== undefined
    ? parseBackendName(prefer, "backend (argument of setupBackend)")
    : fromEnv !== undefined
    ? parseBackendName(fromEnv, "backend in COURSE_BACKEND")
    : undefined;
  const how = prefer !== undefined ? "asked for" : "forced by COURSE_BACKEND";
  const gpu = options.gpu ?? (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;

  // Same choice as last time and still active: nothing to do.
  if (
    !options.gpu && current && tf.getBackend() === current.name &&
    (forced === undefined || forced === current.name)
  ) {
    if (current.name !== "wasm" || installWasmMatMulFix()) return current;
  }

  if (forced === "webgpu") {
    const found = await findGpuAdapter(gpu, true);
    if ("why" in found) throw new Error(`webgpu ${how}, but ${found.why}`);
    await registerWebgpu(found.adapter);
    const failed = await trySetBackend("webgpu");
    if (failed) throw new Error(`webgpu ${how}, but it failed to start: ${failed}`);
    return current = { name: "webgpu", reason: `${how}`, adapter: found.description };
  }
  if (forced === "wasm") {
    const failed = await startWasm();
    if (failed) throw new Error(`wasm ${how}, but it failed to start: ${failed}`);
    return current = { name: "wasm", reason: `${how}; ${FIX_NOTE}` };
  }
  if (forced === "cpu") {
    const failed = await trySetBackend("cpu");
    if (failed) throw new Error(`cpu ${how}, but it failed to start: ${failed}`);
    return current = { name: "cpu", reason: `${how} (plain JavaScript, the slowest)` };
  }

  // Automatic choice: fastest first, each failure noted in the reason.
  const skipped: string[] = [];
  const found = await findGpuAdapter(gpu, false);
  if ("adapter" in found) {
    let failed: string | undefined;
    try {
      await registerWebgpu(found.adapter);
      failed = await trySetBackend("webgpu");
    } catch (err) {
      failed = (err as Error).message;
    }
    if (!failed) {
      return current = { name: "webgpu", reason: "a real GPU adapter", adapter: found.description };
    }
    skipped.push(`webgpu failed to start (${failed})`);
  } else {
    skipped.push(`no webgpu: ${found.why}`);
  }
  const wasmFailed = await startWasm();
  if (!wasmFailed) return current = { name: "wasm", reason: `${skipped.join("; ")}; ${FIX_NOTE}` };
  skipped.push(`wasm failed to start (${wasmFailed})`);
  const cpuFailed = await trySetBackend("cpu");
  if (cpuFailed) throw new Error(`no tfjs backend could start: ${skipped.join("; ")}; ${cpuFailed}`);
  return current = { name: "cpu", reason: skipped.join("; ") };
}
