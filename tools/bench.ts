/**
 * `deno task bench`: how fast the course trains, engine by engine, against PyTorch on the same machine.
 *
 * Measures, in one run: float32 matrix products (n = 128 ... 1024) in GFLOP/s for the from-scratch lib,
 * tfjs cpu / wasm / webgpu (where an adapter exists) and PyTorch; one training epoch of the lecture's
 * 256-500-500-10 sigmoid network (plain SGD, batch 100, the 8,000 training digits) for the same engines
 * (PyTorch with 1 thread and with all threads); the time a fresh process needs to import the lib and have
 * a backend ready. Medians after a warm-up. PyTorch runs beside us in one long-lived process and the
 * repetitions alternate between engines, so that a change in the machine's load hits all of them alike.
 *
 * Prints a table and writes build/bench.json. Options: --quick (fewer repetitions, no 1024 products on
 * slow engines), --reps N (epoch repetitions of the fast engines, default 5), --engines LIST (only the
 * engines whose names contain one of the comma-separated parts, e.g. `--engines webgpu,wasm,pytorch` for a
 * short check on a machine with a GPU), --wasm-threads N (threads of the "tfjs-wasm-Nthreads" engine,
 * default 2).
 *
 * "tfjs-wasm-2threads" is tfjs's threaded SIMD wasm build (lib/backend.ts, `setupBackend("wasm",
 * { threads: 2 })`). A process can run only one wasm build, so that engine runs in a child Deno process
 * (this file with `--serve-wasm-threads N`), which answers "epoch" and "matmul N" like the PyTorch one.
 */
import * as tf from "@tensorflow/tfjs";
import { findGpuAdapter, setupBackend, wasmThreads } from "../lib/backend.ts";
import { loadDigits, type Split, toTensors } from "../lib/data.ts";
import { trainTf } from "../lib/train.ts";
import { matmul, Matrix, transpose } from "../lib/matrix.ts";
import { Network } from "../lib/network.ts";
import { ROOT_URL as ROOT } from "./paths.ts";

const args = Deno.args;
const quick = args.includes("--quick");
const repsArg = args.indexOf("--reps");
const REPS = repsArg >= 0 ? Number(args[repsArg + 1]) : quick ? 3 : 5;
const enginesArg = args.indexOf("--engines");
const ONLY = enginesArg >= 0 ? args[enginesArg + 1].split(",") : undefined;
/** Whether an engine was asked for (--engines wasm,webgpu,pytorch,lib,cpu,fit: names containing one). */
const wanted = (name: string) => !ONLY || ONLY.some((part) => name.includes(part));
const threadsArg = args.indexOf("--wasm-threads");
const THREADS = threadsArg >= 0 ? Number(args[threadsArg + 1]) : 2;
const THREADED = `tfjs-wasm-${THREADS}threads`;
const serveArg = args.indexOf("--serve-wasm-threads");
const SIZES = [256, 500, 500, 10];
const BUILD = new URL("build/", ROOT);

/** Median of a list of numbers. */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Rounds for display and JSON: 3 significant digits. */
function round(x: number): number {
  return Number(x.toPrecision(3));
}

/** CPU time (user + system, all threads) of this process in ms, from /proc (Linux); NaN elsewhere. */
function cpuMs(): number {
  try {
    const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

/** An epoch's wall-clock and CPU time. */
interface EpochTime {
  ms: number;
  cpu: number;
}

function log(message: string): void {
  console.error(message); // progress on stderr, the table on stdout
}

// ---------------------------------------------------------------- PyTorch, in a process of its own
/** An engine in a child process: answers one JSON line per command line ("epoch", "matmul N", "quit"). */
interface Torch {
  version: string;
  threads: number;
  ask(command: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Writes the training digits where tools/bench_torch.py reads them; returns the file's path. */
async function writeTorchData(train: Split): Promise<string> {
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
async function torchMissing(): Promise<string | undefined> {
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
async function startTorch(dataFile: string, single: boolean): Promise<Torch> {
  const env: Record<string, string> = { OMP_WAIT_POLICY: "PASSIVE" }; // idle threads sleep, not spin
  if (single) Object.assign(env, { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" });
  return await startChild(PYTHON, [
    TORCH_PY,
    dataFile,
    ...(single ? ["1"] : []),
  ], env);
}

/** Starts a child engine (`command args`) that says hello in one JSON line, then answers commands. */
async function startChild(command: string, args: string[], env: Record<string, string>): Promise<Torch> {
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
async function startThreadedWasm(threads: number): Promise<Torch> {
  const self = new URL(import.meta.url).pathname;
  return await startChild(Deno.execPath(), ["run", "-A", self, "--serve-wasm-threads", String(threads)], {
    NO_COLOR: "1",
  });
}

/**
 * Child mode (`--serve-wasm-threads N`): wasm on N threads, then "epoch" -> {ms, cpu_ms} (one trainTf
 * epoch), "matmul N" -> {ms} (one N x N product, read back), "quit"; one JSON line each, on stdout.
 */
async function serveWasmThreads(threads: number): Promise<void> {
  await setupBackend("wasm", { threads });
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
      const time = await tfEpoch(train, "wasm");
      say({ ms: time.ms, cpu_ms: time.cpu });
    } else if (words[0] === "matmul") {
      // The same operands for every repetition, as in the parent (wasm caches a packed right operand).
      const n = Number(words[1]);
      if (operands?.n !== n) {
        if (operands) tf.dispose([operands.a, operands.b]);
        const data = values(n);
        operands = { n, a: tf.tensor2d(data, [n, n]), b: tf.tensor2d(data.slice().reverse(), [n, n]) };
      }
      say({ ms: await tfMatmul(operands.a, operands.b) });
    } else {
      say({ error: `unknown command ${words.join(" ")}` });
    }
  }
}

// ---------------------------------------------------------------- matrix products
/** PyTorch with one thread and with all threads, in two processes; the threaded wasm engine in a third. */
interface Torches {
  single?: Torch;
  all?: Torch;
  threaded?: Torch;
}

type Engine =
  | "lib"
  | "tfjs-cpu"
  | "tfjs-wasm"
  | "tfjs-webgpu"
  | "pytorch-1thread"
  | "pytorch-all-threads"
  | typeof THREADED;

/** Random n x n values in [0, 1), the same for every engine. */
function values(n: number): Float32Array {
  let s = 12345;
  return Float32Array.from({ length: n * n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296));
}

/** Median ms of `run` after one warm-up; stops early when a budget of seconds is spent (at least 2 runs). */
async function timeIt(run: () => Promise<number> | number, reps: number, budgetS = 6): Promise<number> {
  await run();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < reps && (times.length < 2 || performance.now() - start < budgetS * 1000)) {
    times.push(await run());
  }
  return median(times);
}

/** One tfjs product (result read back, as a learner would), in ms. */
async function tfMatmul(a: tf.Tensor2D, b: tf.Tensor2D): Promise<number> {
  const t = performance.now();
  const c = tf.matMul(a, b);
  await c.data();
  const ms = performance.now() - t;
  c.dispose();
  return ms;
}

async function benchMatmul(
  engines: Engine[],
  torch: Torches | undefined,
): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const engine of engines) out[engine] = {};
  for (const n of [128, 256, 512, 1024]) {
    const flop = 2 * n * n * n;
    const slowSkip = quick && n === 1024;
    const data = values(n);
    for (const engine of engines) {
      let ms: number | undefined;
      if (engine === "lib") {
        if (slowSkip) continue;
        const A = new Matrix(n, n, data), B = new Matrix(n, n, data.slice().reverse());
        ms = await timeIt(() => {
          const t = performance.now();
          matmul(A, B);
          return performance.now() - t;
        }, REPS);
      } else if (engine === THREADED) {
        if (slowSkip || !torch?.threaded) continue;
        const which = torch.threaded;
        ms = await timeIt(async () => (await which.ask(`matmul ${n}`)).ms, REPS);
      } else if (engine.startsWith("tfjs-")) {
        const backend = engine.slice(5) as "cpu" | "wasm" | "webgpu";
        if (slowSkip && backend !== "wasm") continue;
        await setupBackend(backend);
        const a = tf.tensor2d(data, [n, n]), b = tf.tensor2d(data.slice().reverse(), [n, n]);
        ms = await timeIt(() => tfMatmul(a, b), REPS);
        tf.dispose([a, b]);
      } else if (torch) {
        const which = engine === "pytorch-1thread" ? torch.single : torch.all;
        if (!which) continue;
        ms = await timeIt(async () => (await which.ask(`matmul ${n}`)).ms, REPS);
      }
      if (ms !== undefined) {
        out[engine][n] = round(flop / ms / 1e6);
        log(`matmul ${n}: ${engine} ${ms.toFixed(2)} ms = ${out[engine][n]} GFLOP/s`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- one training epoch
/** One epoch with lib/train.ts on a backend (wall time of the epoch loop, as trainTf measures it). */
async function tfEpoch(train: Split, backend: "cpu" | "wasm" | "webgpu"): Promise<EpochTime> {
  const cpu = cpuMs();
  const result = await trainTf({ train }, {
    sizes: SIZES,
    eta: 0.5,
    batchSize: 100,
    epochs: 1,
    seed: 1,
    backend,
  });
  return { ms: result.ms[0], cpu: cpuMs() - cpu };
}

/** One epoch of the from-scratch lib (lib/network.ts). */
async function libEpoch(X: Matrix, labels: Uint8Array): Promise<EpochTime> {
  const net = Network.random(SIZES, { seed: 1 });
  const t = performance.now(), cpu = cpuMs();
  await net.SGD(X, labels, { epochs: 1, batchSize: 100, eta: 0.5, seed: 1 });
  return { ms: performance.now() - t, cpu: cpuMs() - cpu };
}

/** One epoch with tfjs's own layers API (model.fit), for comparison with the hand-written step. */
async function fitEpoch(xs: tf.Tensor2D, ys: tf.Tensor2D): Promise<EpochTime> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [256], units: 500, activation: "sigmoid" }),
      tf.layers.dense({ units: 500, activation: "sigmoid" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.5), loss: "categoricalCrossentropy" });
  const t = performance.now(), cpu = cpuMs();
  await model.fit(xs, ys, { batchSize: 100, epochs: 1, verbose: 0 });
  const time = { ms: performance.now() - t, cpu: cpuMs() - cpu };
  model.dispose();
  return time;
}

// ---------------------------------------------------------------- start-up time
/** ms until a fresh Deno process has imported `module` and has a backend ready (median of 3). */
async function startupMs(module: string): Promise<number | null> {
  const code = `const t0 = performance.now(); const m = await import(${JSON.stringify(module)});` +
    ` await m.setupBackend(); console.log(JSON.stringify({ inProcess: performance.now() - t0 }));`;
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
      cwd: new URL("notebooks/", ROOT).pathname, // where the kernel runs
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (!out.success) {
      log(`startup of ${module} failed: ${new TextDecoder().decode(out.stderr).slice(0, 300)}`);
      return null;
    }
    times.push(performance.now() - start);
  }
  return round(median(times));
}

// ---------------------------------------------------------------- main
async function main() {
  const started = new Date();
  const load = Deno.loadavg();
  log(
    `bench: ${navigator.hardwareConcurrency} cores, load average ${load.map((v) => v.toFixed(2)).join(" ")}`,
  );

  const startup = {
    "lib/backend.ts": await startupMs(new URL("lib/backend.ts", ROOT).href),
    "lib/mod.ts": await startupMs(new URL("lib/mod.ts", ROOT).href),
  };
  log(`startup (fresh process, import + setupBackend): ${JSON.stringify(startup)}`);

  const auto = await setupBackend();
  const defaultBackend = auto.name;
  const gpu = await findGpuAdapter(undefined, true);
  const webgpu = "adapter" in gpu ? gpu.description : null;
  const webgpuFallback = webgpu !== null && "why" in await findGpuAdapter(undefined, false);
  const digits = await loadDigits();
  const train = digits.train;
  const noTorch = await torchMissing();
  const children: Torches = {};
  if (wanted(THREADED)) children.threaded = await startThreadedWasm(THREADS);
  const torch: Torches = children;
  if (noTorch) {
    console.log(`${noTorch}: ratio skipped`);
  } else {
    const dataFile = await writeTorchData(train);
    Object.assign(children, {
      single: await startTorch(dataFile, true),
      all: await startTorch(dataFile, false),
    });
  }

  const engines: Engine[] = ["lib", "tfjs-cpu", "tfjs-wasm", THREADED];
  if (webgpu) engines.push("tfjs-webgpu");
  if (!noTorch) engines.push("pytorch-1thread", "pytorch-all-threads");
  const gflops = await benchMatmul(engines.filter(wanted), torch);

  // Epochs. Fast engines alternate rep by rep; slow ones (minutes in all) run fewer reps.
  const epoch: Record<string, EpochTime[]> = {};
  const X = transpose(Matrix.fromRows(train.x, train.n, 256));
  const fast: [string, () => Promise<EpochTime>][] = [["tfjs-wasm", () => tfEpoch(train, "wasm")]];
  const ask = async (which: Torch) => {
    const answer = await which.ask("epoch");
    return { ms: answer.ms, cpu: answer.cpu_ms };
  };
  const { single, all, threaded } = children;
  if (threaded) fast.push([THREADED, () => ask(threaded)]);
  if (single && all) {
    fast.push(["pytorch-1thread", () => ask(single)], ["pytorch-all-threads", () => ask(all)]);
  }
  await setupBackend("wasm");
  const { xs, ys } = toTensors(train);
  fast.push(["tfjs-wasm model.fit", () => fitEpoch(xs, ys)]);
  fast.splice(0, fast.length, ...fast.filter(([name]) => wanted(name)));
  for (const [name, run] of fast) {
    log(`epoch warm-up: ${name}`);
    await run();
    epoch[name] = [];
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, run] of fast) {
      const time = await run();
      epoch[name].push(time);
      log(`epoch ${rep + 1}/${REPS}: ${name} ${time.ms.toFixed(0)} ms (CPU ${time.cpu.toFixed(0)} ms)`);
    }
  }
  tf.dispose([xs, ys]);
  const notes: string[] = [];
  const slow: [string, () => Promise<EpochTime>, number][] = [
    ["lib", () => libEpoch(X, train.y), quick ? 1 : 2],
    ["tfjs-cpu", () => tfEpoch(train, "cpu"), 1],
  ];
  if (webgpu) {
    // A software adapter (llvmpipe) needs minutes per epoch: time 1,000 examples and scale by 8.
    const part = webgpuFallback
      ? { x: train.x.subarray(0, 1000 * 256), y: train.y.subarray(0, 1000), n: 1000 }
      : train;
    const scale = train.n / part.n;
    if (scale !== 1 && wanted("tfjs-webgpu")) {
      notes.push(`tfjs-webgpu epoch: ${part.n} examples timed, scaled by ${scale} (software adapter)`);
    }
    slow.push(["tfjs-webgpu", async () => {
      const t = await tfEpoch(part, "webgpu");
      return { ms: t.ms * scale, cpu: t.cpu * scale };
    }, quick ? 1 : 2]);
  }
  for (const [name, run, reps] of slow.filter(([name]) => wanted(name))) {
    epoch[name] = [];
    for (let rep = 0; rep < reps; rep++) {
      const time = await run();
      epoch[name].push(time);
      log(`epoch ${rep + 1}/${reps}: ${name} ${time.ms.toFixed(0)} ms (CPU ${time.cpu.toFixed(0)} ms)`);
    }
  }
  await single?.close();
  await all?.close();
  await threaded?.close();
  await setupBackend(defaultBackend);

  const epochMs: Record<string, number> = {}, epochCpuMs: Record<string, number> = {};
  for (const [name, times] of Object.entries(epoch)) {
    epochMs[name] = round(median(times.map((t) => t.ms)));
    epochCpuMs[name] = round(median(times.map((t) => t.cpu)));
  }
  const courseEngine = `tfjs-${defaultBackend}`;
  const pytorch = epochMs["pytorch-1thread"];
  const ratio = pytorch && epochMs[courseEngine] ? round(epochMs[courseEngine] / pytorch) : null;
  const pytorchCpu = epochCpuMs["pytorch-1thread"];
  const ratioCpu = pytorchCpu && epochCpuMs[courseEngine]
    ? round(epochCpuMs[courseEngine] / pytorchCpu)
    : null;

  // The table.
  const rows: string[][] = [[
    "engine",
    "epoch ms",
    "vs PyTorch 1 thread",
    "epoch CPU ms",
    ...[128, 256, 512, 1024].map((n) => `GFLOP/s ${n}`),
  ]];
  const names = [...new Set([...Object.keys(epochMs), ...Object.keys(gflops)])];
  for (const name of names) {
    rows.push([
      name + (name === courseEngine ? " (course default)" : ""),
      epochMs[name] !== undefined ? String(epochMs[name]) : "-",
      epochMs[name] !== undefined && pytorch ? `${round(epochMs[name] / pytorch)}x` : "-",
      epochCpuMs[name] !== undefined && !Number.isNaN(epochCpuMs[name]) ? String(epochCpuMs[name]) : "-",
      ...[128, 256, 512, 1024].map((n) => gflops[name]?.[n] !== undefined ? String(gflops[name][n]) : "-"),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => "| " + r.map((cell, c) => cell.padEnd(widths[c])).join(" | ") + " |";
  console.log(
    `\nOne epoch of 256-500-500-10 sigmoid, SGD, batch 100, 8,000 digits (median of ${REPS}; slow engines fewer)`,
  );
  console.log(line(rows[0]));
  console.log("| " + widths.map((w) => "-".repeat(w)).join(" | ") + " |");
  for (const r of rows.slice(1)) console.log(line(r));
  console.log(
    `\ncourse default backend: ${defaultBackend} (${auto.reason})` +
      `\nratio vs PyTorch 1 thread: ${ratio ?? "skipped"} (wall clock), ${ratioCpu ?? "-"} (CPU time)` +
      (notes.length ? `\nnotes: ${notes.join("; ")}` : "") +
      `\nfresh process, import + backend ready: ${JSON.stringify(startup)} ms` +
      `\nwebgpu adapter: ${webgpu ?? "none"}; load average at start ${
        load.map((v) => v.toFixed(2)).join(" ")
      }`,
  );

  const report = {
    epoch_ms: epochMs,
    ratio_vs_pytorch_1thread: ratio,
    epoch_cpu_ms: epochCpuMs,
    ratio_vs_pytorch_1thread_cpu: ratioCpu,
    matmul_gflops: gflops,
    startup_ms: startup,
    default_backend: defaultBackend,
    backend_reason: auto.reason,
    webgpu_adapter: webgpu,
    pytorch: all ? { version: all.version, all_threads: all.threads } : null,
    wasm_threads: threaded ? threaded.threads : null,
    machine: {
      cores: navigator.hardwareConcurrency,
      load_average_at_start: load,
      deno: Deno.version.deno,
      tfjs: tf.version.tfjs,
    },
    epoch_runs_ms: Object.fromEntries(Object.entries(epoch).map(([k, v]) => [k, v.map((t) => round(t.ms))])),
    notes,
    started: started.toISOString(),
    seconds: round((Date.now() - started.getTime()) / 1000),
  };
  await Deno.mkdir(BUILD, { recursive: true });
  await Deno.writeTextFile(new URL("bench.json", BUILD), JSON.stringify(report, null, 2) + "\n");
  console.log(`written: build/bench.json (${report.seconds} s)`);
}

if (serveArg >= 0) await serveWasmThreads(Number(args[serveArg + 1]));
else await main();
