/**
 * The engines that `deno task bench` (tools/bench.ts) times, and how each one runs: tfjs engines in this
 * process (a backend; on wasm, matrix products in the system BLAS or in wasm), PyTorch (tools/bench_torch.py)
 * and tfjs's threaded wasm build in child processes that answer "epoch" and "matmul N K", one JSON line
 * each, so that the bench can alternate engines repetition by repetition.
 *
 * A process can run only one wasm build, so the threaded one runs in a child: this file with
 * `--serve-wasm-threads N`.
 */
import * as tf from "@tensorflow/tfjs";
import { setupBackend, wasmThreads } from "../lib/backend.ts";
import { loadDigits, type Split } from "../lib/data.ts";
import { trainTf } from "../lib/train.ts";
import { ROOT_URL as ROOT } from "./paths.ts";

/** The lecture's network: 256 inputs, two hidden layers of 500 sigmoid neurons, 10 outputs. */
export const SIZES = [256, 500, 500, 10];
const BUILD = new URL("build/", ROOT);

/** An epoch's wall-clock and CPU time. */
export interface EpochTime {
  ms: number;
  cpu: number;
}

/** A tfjs engine of the bench: a backend and, on wasm, whether the BLAS runs the matrix products. */
export interface TfEngine {
  backend: "cpu" | "wasm" | "webgpu";
  blas?: boolean;
  blasThreads?: number;
}

/** Makes `engine` the one that runs tfjs from now on. */
export async function useEngine(engine: TfEngine): Promise<void> {
  const wasm = engine.backend === "wasm";
  await setupBackend(
    engine.backend,
    wasm ? { blas: engine.blas ?? false, blasThreads: engine.blasThreads ?? 1 } : {},
  );
}

/** CPU time (user + system, all threads) of this process in ms, from /proc (Linux); NaN elsewhere. */
export function cpuMs(): number {
  try {
    const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

/** Random n x n values in [0, 1), the same for every engine. */
export function values(n: number): Float32Array {
  let s = 12345;
  return Float32Array.from({ length: n * n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296));
}

/**
 * ms per product a b on the current backend, over `count` products back to back, after one untimed product
 * where count > 1 (as training runs them: a product after a pause also times the waking of a multi-threaded
 * BLAS's sleeping workers, up to three times the product itself at 512 on two threads). wasm and cpu compute
 * synchronously: a product is done when matMul returns, so nothing is read back (PyTorch's timing reads
 * nothing back either); webgpu computes asynchronously, so there the last result is read back to know that
 * all are done.
 */
export async function tfMatmul(a: tf.Tensor2D, b: tf.Tensor2D, count = 1): Promise<number> {
  const sync = tf.getBackend() === "wasm" || tf.getBackend() === "cpu";
  if (count > 1) {
    const first = tf.matMul(a, b);
    if (!sync) await first.data();
    first.dispose();
  }
  const t = performance.now();
  for (let i = 0; i < count; i++) {
    const c = tf.matMul(a, b);
    if (!sync && i === count - 1) await c.data();
    c.dispose();
  }
  return (performance.now() - t) / count;
}

/** One epoch with lib/train.ts on an engine (wall time of the epoch loop, as trainTf measures it). */
export async function tfEpoch(train: Split, engine: TfEngine): Promise<EpochTime> {
  await useEngine(engine);
  const cpu = cpuMs();
  const result = await trainTf({ train }, { sizes: SIZES, eta: 0.5, batchSize: 100, epochs: 1, seed: 1 });
  return { ms: result.ms[0], cpu: cpuMs() - cpu };
}

// ---------------------------------------------------------------- engines in child processes
/** An engine in a child process: answers one JSON line per command line ("epoch", "matmul N K", "quit"). */
export interface Child {
  version: string;
  threads: number;
  ask(command: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Writes the training digits where tools/bench_torch.py reads them; returns the file's path. */
export async function writeTorchData(train: Split): Promise<string> {
  await Deno.mkdir(BUILD, { recursive: true });
  const file = new URL("bench_train.bin", BUILD);
  const bytes = new Uint8Array(4 + train.n * 256 * 4 + train.n);
  new DataView(bytes.buffer).setUint32(0, train.n, true);
  bytes.set(new Uint8Array(train.x.buffer, train.x.byteOffset, train.x.byteLength), 4);
  bytes.set(train.y, 4 + train.n * 256 * 4);
  await Deno.writeFile(file, bytes);
  return file.pathname;
}

/** Whether PyTorch can be imported by /usr/bin/python3; otherwise the reason it cannot. */
export async function torchMissing(): Promise<string | undefined> {
  try {
    const probe = await new Deno.Command(PYTHON, { args: [TORCH_PY, "--check"], stderr: "null" }).output();
    return probe.success ? undefined : "PyTorch not found (/usr/bin/python3 cannot import torch)";
  } catch {
    return "PyTorch not found (/usr/bin/python3 is missing)";
  }
}

const PYTHON = "/usr/bin/python3";
/** The PyTorch side of the benchmark (beside this file). */
const TORCH_PY = new URL("tools/bench_torch.py", ROOT).pathname;

/**
 * Starts tools/bench_torch.py on the data file, with one thread (`single`) or all of them. One thread needs
 * OPENBLAS_NUM_THREADS=1 too: Debian's PyTorch multiplies through the system OpenBLAS, whose thread pool
 * ignores torch.set_num_threads (with it alone both cores were busy: CPU time twice the wall time).
 */
export async function startTorch(dataFile: string, single: boolean): Promise<Child> {
  const env: Record<string, string> = { OMP_WAIT_POLICY: "PASSIVE" }; // idle threads sleep, not spin
  if (single) Object.assign(env, { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" });
  return await startChild(PYTHON, [
    TORCH_PY,
    dataFile,
    ...(single ? ["1"] : []),
  ], env);
}

/** Starts a child engine (`command args`) that says hello in one JSON line, then answers commands. */
async function startChild(command: string, args: string[], env: Record<string, string>): Promise<Child> {
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    env,
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const readLine = async (): Promise<string> => {
    while (!buffer.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`${args[0]} stopped`);
      buffer += value;
    }
    const at = buffer.indexOf("\n");
    const line = buffer.slice(0, at);
    buffer = buffer.slice(at + 1);
    return line;
  };
  const hello = JSON.parse(await readLine());
  return {
    version: hello.torch ?? hello.tfjs,
    threads: hello.threads,
    ask: async (command) => {
      await writer.write(new TextEncoder().encode(command + "\n"));
      return JSON.parse(await readLine());
    },
    close: async () => {
      await writer.write(new TextEncoder().encode("quit\n"));
      await writer.close();
      await lines.cancel();
      await child.status;
    },
  };
}

/** The threaded wasm engine: this file in a child Deno process with `--serve-wasm-threads THREADS`. */
export async function startThreadedWasm(threads: number): Promise<Child> {
  const self = new URL(import.meta.url).pathname;
  return await startChild(Deno.execPath(), ["run", "-A", self, "--serve-wasm-threads", String(threads)], {
    NO_COLOR: "1",
  });
}

/**
 * Child mode (`--serve-wasm-threads N`): wasm on N threads, then "epoch" -> {ms, cpu_ms} (one trainTf
 * epoch), "matmul N K" -> {ms} (ms per N x N product, K back to back after one untimed), "quit"; one JSON line each, on stdout.
 */
async function serveWasmThreads(threads: number): Promise<void> {
  await setupBackend("wasm", { threads, blas: false }); // wasm's own products, on its threads
  const { train } = await loadDigits();
  const say = (value: unknown) =>
    Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(value) + "\n"));
  say({ ready: true, tfjs: tf.version.tfjs, threads: wasmThreads() });
  const input = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let operands: { n: number; a: tf.Tensor2D; b: tf.Tensor2D } | undefined;
  while (true) {
    while (!buffer.includes("\n")) {
      const { value, done } = await input.read();
      if (done) return;
      buffer += value;
    }
    const words = buffer.slice(0, buffer.indexOf("\n")).trim().split(/\s+/);
    buffer = buffer.slice(buffer.indexOf("\n") + 1);
    if (words[0] === "quit") return;
    if (words[0] === "epoch") {
      const time = await tfEpoch(train, { backend: "wasm", blas: false });
      say({ ms: time.ms, cpu_ms: time.cpu });
    } else if (words[0] === "matmul") {
      // The same operands for every repetition, as in the parent (wasm caches a packed right operand).
      const [n, count] = [Number(words[1]), Number(words[2] ?? 1)];
      if (operands?.n !== n) {
        if (operands) tf.dispose([operands.a, operands.b]);
        const data = values(n);
        operands = { n, a: tf.tensor2d(data, [n, n]), b: tf.tensor2d(data.slice().reverse(), [n, n]) };
      }
      say({ ms: await tfMatmul(operands.a, operands.b, count) });
    } else {
      say({ error: `unknown command ${words.join(" ")}` });
    }
  }
}

if (import.meta.main) {
  const serve = Deno.args.indexOf("--serve-wasm-threads");
  if (serve < 0) {
    throw new Error("tools/bench_engines.ts serves --serve-wasm-threads N only; run `deno task bench`");
  }
  await serveWasmThreads(Number(Deno.args[serve + 1]));
}
