/**
 * The system's BLAS through Deno FFI: one float32 matrix product, `cblas_sgemm`, from an optimised library
 * (OpenBLAS or any `libblas.so.3` with CBLAS on Linux, the Accelerate framework on macOS).
 *
 * Why: tfjs's wasm matrix product is limited by WebAssembly's 128-bit SIMD, while a native BLAS uses the
 * processor's widest vectors (AVX2 / AVX-512, Apple's matrix units), as PyTorch does. lib/kernels.ts runs
 * tfjs's matrix-product kernels through `sgemm` on the tensors' wasm memory in place; this module only
 * finds, opens and describes the library.
 *
 * The library is opened once per process and never closed: the kernels hold on to it. Opening needs FFI
 * permission (`--allow-ffi`, or `-A`; the Deno Jupyter kernel has all permissions).
 *
 * The texts of the note a learner sees (threads, no library found) follow the notebook's language; the
 * library's name and the FFI permission's complaint (never seen in the Jupyter kernel) stay as they are.
 */
import { messages } from "./language.ts";

/** Row-major layout, "no transpose" and "transpose" in CBLAS's enums (cblas.h). */
const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

/** Most BLAS threads we accept (OpenBLAS caps the count at its build's maximum anyway). */
export const MAX_BLAS_THREADS = 64;

/** The symbols we use; every one but `cblas_sgemm` may be missing (a reference BLAS has no thread API). */
const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void", optional: true },
  openblas_get_num_threads: { parameters: [], result: "i32", optional: true },
  openblas_get_config: { parameters: [], result: "pointer", optional: true },
  // Accelerate (macOS 15+): per calling thread; 0 = multi-threaded, 1 = single-threaded (vecLib thread_api.h).
  BLASSetThreading: { parameters: ["u32"], result: "i32", optional: true },
} as const;

/** An opened BLAS library. */
export interface Blas {
  /** Which library, for messages: e.g. "OpenBLAS 0.3.21 (libopenblas.so.0)". */
  name: string;
  /** The file or name that was opened. */
  path: string;
  /** Threads its products run on, as set by `setThreads` (undefined where the library cannot be told). */
  threads: number | undefined;
  /** Sets the number of threads (1 = single-threaded); returns false where the library has no way to. */
  setThreads(threads: number): boolean;
  /**
   * C = alpha op(A) op(B) + beta C, row-major, float32 (CBLAS's `cblas_sgemm`): op(A) is m x k, op(B) k x n,
   * C m x n; lda, ldb, ldc are the row lengths of A, B, C as stored.
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
}

/** Where to look, in order, on this operating system (names for the dynamic loader, or full paths). */
export function blasCandidates(os: string = Deno.build.os): string[] {
  if (os === "darwin") {
    return [
      "/System/Library/Frameworks/Accelerate.framework/Accelerate",
      "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
      "/usr/local/opt/openblas/lib/libopenblas.dylib",
    ];
  }
  if (os === "linux") return ["libopenblas.so.0", "libopenblas.so", "libblas.so.3"];
  if (os === "windows") return ["libopenblas.dll", "openblas.dll"];
  return [];
}

/** Checks a BLAS thread count (a whole number from 1 to MAX_BLAS_THREADS); bad values throw, naming `where`. */
export function parseBlasThreads(value: number | string, where = "BLAS threads"): number {
  const n = typeof value === "string" ? Number(value.trim()) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_BLAS_THREADS) {
    throw new Error(`${where} must be a whole number from 1 to ${MAX_BLAS_THREADS}, got '${value}'`);
  }
  return n;
}

/**
 * Reads a BLAS choice: true / "on" / "auto" (find one), false / "off" (wasm), or a library's path.
 * Anything else throws, naming `where`.
 */
export function parseBlasChoice(value: boolean | string, where = "blas"): { off: boolean; path?: string } {
  if (value === true) return { off: false };
  if (value === false) return { off: true };
  const text = typeof value === "string" ? value.trim() : "";
  const lower = text.toLowerCase();
  if (["off", "0", "false", "no", "none", "wasm"].includes(lower)) return { off: true };
  if (["on", "1", "true", "yes", "auto"].includes(lower)) return { off: false };
  if (/[\\/]|\.(so|dylib|dll)(\.|$)/.test(text)) return { off: false, path: text };
  throw new Error(`${where} must be off, on, or the path of a BLAS library, got '${value}'`);
}

/** A BLAS and its threads, for messages: "OpenBLAS 0.3.21 for Haswell (libopenblas.so.0), 1 thread". */
export function describeBlas(blas: Blas): string {
  return messages().blasThreads(blas.name, blas.threads);
}

/** A C string at `pointer` (for `openblas_get_config`), or undefined. */
function cString(pointer: Deno.PointerValue): string | undefined {
  if (!pointer) return undefined;
  try {
    return new Deno.UnsafePointerView(pointer).getCString();
  } catch {
    return undefined;
  }
}

/** The libraries opened so far in this process, by path (a library is never opened twice). */
const opened = new Map<string, Blas>();

/** Opens one library; throws when it cannot be opened or has no `cblas_sgemm`. */
function openLibrary(path: string): Blas {
  const known = opened.get(path);
  if (known) return known;
  const lib = Deno.dlopen(path, SYMBOLS).symbols;
  const file = path.slice(path.lastIndexOf("/") + 1);
  let name: string;
  if (lib.openblas_get_config) {
    // e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64": the version and the kernel
    // it picked for this processor.
    const config = cString(lib.openblas_get_config())?.split(" ") ?? [];
    const version = config[0] === "OpenBLAS" ? ` ${config[1]}` : "";
    const core = config.find((w) => /^[A-Z][a-z]+[A-Za-z0-9]*$/.test(w) && w !== "OpenBLAS");
    name = `OpenBLAS${version}${core ? ` for ${core}` : ""} (${file})`;
  } else if (path.includes("Accelerate")) {
    name = "Apple Accelerate";
  } else {
    name = `BLAS (${file})`;
  }
  const blas: Blas = {
    name,
    path,
    threads: lib.openblas_get_num_threads ? lib.openblas_get_num_threads() : undefined,
    setThreads(threads: number): boolean {
      parseBlasThreads(threads);
      if (lib.openblas_set_num_threads) {
        lib.openblas_set_num_threads(threads);
        blas.threads = lib.openblas_get_num_threads ? lib.openblas_get_num_threads() : threads;
        return true;
      }
      if (lib.BLASSetThreading) {
        // Accelerate only knows one thread or "as many as it likes"; the setting is per calling thread,
        // and all our products are called from this one.
        const ok = lib.BLASSetThreading(threads === 1 ? 1 : 0) === 0;
        if (ok) blas.threads = threads;
        return ok;
      }
      return false;
    },
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      lib.cblas_sgemm(
        ROW_MAJOR,
        transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        alpha,
        a,
        lda,
        b,
        ldb,
        beta,
        c,
        ldc,
      );
    },
  };
  opened.set(path, blas);
  return blas;
}

/**
 * The loader's complaint without Deno's wrapping and the repeated file name: "cannot open shared object
 * file: No such file or directory", "undefined symbol: cblas_sgemm".
 */
function loaderMessage(message: string): string {
  const line = message.split("\n")[0];
  const parts = line.split(": ");
  const file = parts.findLastIndex((part) => /^\S+\.(so|dylib|dll)(\.\S*)?$|^\S*\/\S+$/.test(part));
  return file >= 0 && file < parts.length - 1 ? parts.slice(file + 1).join(": ") : line;
}

/** Why FFI cannot be used in this process, or undefined when it can. */
export function ffiUnavailable(): string | undefined {
  if (typeof Deno?.dlopen !== "function") return "this runtime has no Deno.dlopen";
  try {
    const state = Deno.permissions.querySync({ name: "ffi" }).state;
    if (state !== "granted") return "Deno runs without FFI permission (start it with --allow-ffi or -A)";
  } catch (err) {
    return `the FFI permission cannot be checked: ${(err as Error).message}`;
  }
  return undefined;
}

/**
 * Opens the system BLAS: `path` if given, else the first of `blasCandidates()` that opens and has
 * `cblas_sgemm`, with its products on `threads` threads (default 1). Returns `{ blas }` or `{ why }` (what
 * was tried and why none was taken); never throws for a missing library. A bad thread count throws.
 */
export function openBlas(
  options: { path?: string; threads?: number; candidates?: string[] } = {},
): { blas: Blas } | { why: string } {
  const threads = parseBlasThreads(options.threads ?? 1, "BLAS threads");
  const noFfi = ffiUnavailable();
  if (noFfi) return { why: noFfi };
  const candidates = options.path ? [options.path] : options.candidates ?? blasCandidates();
  if (candidates.length === 0) return { why: messages().blasNoneKnown(Deno.build.os) };
  const failures: string[] = [];
  for (const path of candidates) {
    let blas: Blas;
    try {
      blas = openLibrary(path);
    } catch (err) {
      failures.push(`${path}: ${loaderMessage((err as Error).message)}`);
      continue;
    }
    // A library without a thread API (the reference BLAS) runs on one thread whatever was asked.
    blas.setThreads(threads);
    return { blas };
  }
  return { why: messages().blasNoneOpened(failures.join("; ")) };
}
