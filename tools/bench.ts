/**
 * `deno task bench`: how fast the course trains, engine by engine, against PyTorch on the same machine.
 *
 * Measures, in one run: float32 matrix products (n = 128 ... 1024) in GFLOP/s for the from-scratch lib,
 * tfjs cpu / wasm / webgpu (where an adapter exists) and PyTorch; one training epoch of the lecture's
 * 256-500-500-10 sigmoid network (plain SGD, batch 100, the 8,000 training digits) for the same engines
 * (PyTorch with 1 thread and with all threads); the time a fresh process needs to import the lib and have
 * a backend ready. Medians after a warm-up. PyTorch runs beside us in one long-lived process and the
 * repetitions alternate between engines, so that a change in the machine's load hits all of them alike,
 * each after a pause of SETTLE_MS (a multi-threaded engine's spinning workers must not take the next one's
 * core); a repetition of a product times PRODUCTS products back to back, as training runs them.
 *
 * The wasm engines (tools/bench_engines.ts): "tfjs-wasm-blas" is the course's default, matrix products in
 * the system BLAS on one thread (lib/blas.ts); "tfjs-wasm-blas-Nthreads" the same with a BLAS thread per
 * core; "tfjs-wasm" plain wasm (COURSE_BLAS=off); "tfjs-wasm-2threads" tfjs's threaded SIMD wasm build,
 * without the BLAS, in a child process.
 *
 * Prints a table and writes build/bench.json. Options: --quick (fewer repetitions, no 1024 products on
 * slow engines), --reps N (epoch repetitions of the fast engines, default 5), --engines LIST (only the
 * engines whose names contain one of the comma-separated parts, e.g. `--engines webgpu,wasm,pytorch` for a
 * short check on a machine with a GPU), --wasm-threads N (threads of the "tfjs-wasm-Nthreads" engine,
 * default 2).
 */
import * as tf from "@tensorflow/tfjs";
import { findGpuAdapter, setupBackend } from "../lib/backend.ts";
import { openBlas } from "../lib/blas.ts";
import { blasInUse } from "../lib/kernels.ts";
import { loadDigits, toTensors } from "../lib/data.ts";
import { matmul, Matrix, transpose } from "../lib/matrix.ts";
import { Network } from "../lib/network.ts";
import {
  type Child,
  cpuMs,
  type EpochTime,
  SIZES,
  startThreadedWasm,
  startTorch,
  type TfEngine,
  tfEpoch,
  tfMatmul,
  torchMissing,
  useEngine,
  values,
  writeTorchData,
} from "./bench_engines.ts";
import { ROOT_URL as ROOT } from "./paths.ts";

const args = Deno.args;
const quick = args.includes("--quick");
const repsArg = args.indexOf("--reps");
const REPS = repsArg >= 0 ? Number(args[repsArg + 1]) : quick ? 3 : 5;
const enginesArg = args.indexOf("--engines");
const ONLY = enginesArg >= 0 ? args[enginesArg + 1].split(",") : undefined;
/** Whether an engine was asked for (--engines wasm,blas,webgpu,pytorch,lib,cpu,fit: names containing one). */
const wanted = (name: string) => !ONLY || ONLY.some((part) => name.includes(part));
const threadsArg = args.indexOf("--wasm-threads");
const THREADS = threadsArg >= 0 ? Number(args[threadsArg + 1]) : 2;
const THREADED = `tfjs-wasm-${THREADS}threads`;
const CORES = navigator.hardwareConcurrency;
/** The course's default engine, and the same with a BLAS thread per core. */
const BLAS = "tfjs-wasm-blas", BLAS_ALL = `tfjs-wasm-blas-${CORES}threads`;
/** The tfjs engines that run in this process. */
const TF: Record<string, TfEngine> = {
  "tfjs-cpu": { backend: "cpu" },
  "tfjs-wasm": { backend: "wasm", blas: false },
  [BLAS]: { backend: "wasm", blas: true, blasThreads: 1 },
  [BLAS_ALL]: { backend: "wasm", blas: true, blasThreads: CORES },
  "tfjs-webgpu": { backend: "webgpu" },
};
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

function log(message: string): void {
  console.error(message); // progress on stderr, the table on stdout
}

// ---------------------------------------------------------------- matrix products
/** PyTorch with one thread and with all threads, in two processes; the threaded wasm engine in a third. */
interface Children {
  single?: Child;
  all?: Child;
  threaded?: Child;
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

/**
 * A pause before each timed run of the alternating engines: a multi-threaded engine (OpenBLAS's workers,
 * PyTorch's) keeps its worker threads spinning for a while after its last call, and on a 2-core machine a
 * spinning thread takes the core the next engine would use. After the pause they sleep.
 */
const SETTLE_MS = 300;
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** Products timed back to back in each repetition of a fast engine (the time is per product). */
const PRODUCTS = 4;

/**
 * GFLOP/s of an n x n product, n = 128 ... 1024, engine by engine. The fast engines (wasm with and without
 * the BLAS, the child processes) alternate repetition by repetition, so that a change in the machine's
 * load hits them alike, with a pause before each (see settle); the slow ones (seconds per product, or another tfjs backend) run one by one.
 */
async function benchMatmul(
  engines: string[],
  children: Children,
): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const engine of engines) out[engine] = {};
  const record = (engine: string, n: number, ms: number) => {
    out[engine][n] = round(2 * n * n * n / ms / 1e6);
    log(`matmul ${n}: ${engine} ${ms.toFixed(2)} ms = ${out[engine][n]} GFLOP/s`);
  };
  const child: Record<string, Child | undefined> = {
    [THREADED]: children.threaded,
    "pytorch-1thread": children.single,
    "pytorch-all-threads": children.all,
  };
  for (const n of [128, 256, 512, 1024]) {
    const slowSkip = quick && n === 1024;
    const data = values(n);
    await useEngine(TF["tfjs-wasm"]);
    // The same operands for every repetition and wasm engine (wasm caches a packed right operand).
    const a = tf.tensor2d(data, [n, n]), b = tf.tensor2d(data.slice().reverse(), [n, n]);
    const fast: [string, () => Promise<number>][] = [];
    for (const engine of engines) {
      const which = child[engine];
      if (which && !(slowSkip && engine === THREADED)) {
        fast.push([engine, async () => (await which.ask(`matmul ${n} ${PRODUCTS}`)).ms]);
      } else if (TF[engine]?.backend === "wasm") {
        fast.push([engine, async () => (await useEngine(TF[engine]), await tfMatmul(a, b, PRODUCTS))]);
      }
    }
    const times = new Map(fast.map(([name]) => [name, [] as number[]]));
    for (const [, run] of fast) await run(); // warm-up
    for (let rep = 0; rep < REPS; rep++) {
      for (const [name, run] of fast) {
        await settle();
        times.get(name)!.push(await run());
      }
    }
    for (const [name, list] of times) record(name, n, median(list));
    tf.dispose([a, b]);
    for (const engine of engines.filter((e) => !times.has(e) && !child[e])) {
      if (slowSkip) continue;
      if (engine === "lib") {
        const A = new Matrix(n, n, data), B = new Matrix(n, n, data.slice().reverse());
        record(
          engine,
          n,
          await timeIt(() => {
            const t = performance.now();
            matmul(A, B);
            return performance.now() - t;
          }, REPS),
        );
      } else if (TF[engine]) {
        await useEngine(TF[engine]);
        const a = tf.tensor2d(data, [n, n]), b = tf.tensor2d(data.slice().reverse(), [n, n]);
        record(engine, n, await timeIt(() => tfMatmul(a, b), REPS));
        tf.dispose([a, b]);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- one training epoch
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
  // The course's default engine: with the BLAS, on the threads COURSE_BLAS_THREADS may have asked for.
  const blasThreads = blasInUse()?.threads ?? 1;
  const courseEngine = defaultBackend !== "wasm" || auto.matmul === "wasm"
    ? `tfjs-${defaultBackend}`
    : blasThreads === 1
    ? BLAS
    : `tfjs-wasm-blas-${blasThreads}threads`;
  TF[courseEngine] ??= { backend: "wasm", blas: true, blasThreads };
  const blas = openBlas();
  const blasName = "blas" in blas ? blas.blas.name : null;
  if (!("blas" in blas)) console.log(`no BLAS (${blas.why}): the BLAS engines are skipped`);
  const gpu = await findGpuAdapter(undefined, true);
  const webgpu = "adapter" in gpu ? gpu.description : null;
  const webgpuFallback = webgpu !== null && "why" in await findGpuAdapter(undefined, false);
  const digits = await loadDigits();
  const train = digits.train;
  const noTorch = await torchMissing();
  const children: Children = {};
  if (wanted(THREADED)) children.threaded = await startThreadedWasm(THREADS);
  if (noTorch) {
    console.log(`${noTorch}: ratio skipped`);
  } else {
    const dataFile = await writeTorchData(train);
    Object.assign(children, {
      single: await startTorch(dataFile, true),
      all: await startTorch(dataFile, false),
    });
  }

  const blasEngines = blasName ? [...new Set([BLAS, courseEngine, ...(CORES > 1 ? [BLAS_ALL] : [])])] : [];
  const engines = ["lib", "tfjs-cpu", ...blasEngines, "tfjs-wasm", THREADED];
  if (webgpu) engines.push("tfjs-webgpu");
  if (!noTorch) engines.push("pytorch-1thread", "pytorch-all-threads");
  const gflops = await benchMatmul(engines.filter(wanted), children);

  // Epochs. Fast engines alternate rep by rep; slow ones (minutes in all) run fewer reps.
  const epoch: Record<string, EpochTime[]> = {};
  const X = transpose(Matrix.fromRows(train.x, train.n, 256));
  const fast: [string, () => Promise<EpochTime>][] = [...blasEngines, "tfjs-wasm"].map((name) => [
    name,
    () => tfEpoch(train, TF[name]),
  ]);
  const ask = async (which: Child) => {
    const answer = await which.ask("epoch");
    return { ms: answer.ms, cpu: answer.cpu_ms };
  };
  const { single, all, threaded } = children;
  if (threaded) fast.push([THREADED, () => ask(threaded)]);
  if (single && all) {
    fast.push(["pytorch-1thread", () => ask(single)], ["pytorch-all-threads", () => ask(all)]);
  }
  await useEngine(TF["tfjs-wasm"]);
  const { xs, ys } = toTensors(train);
  for (const name of blasName ? [BLAS, "tfjs-wasm"] : ["tfjs-wasm"]) {
    fast.push([`${name} model.fit`, async () => (await useEngine(TF[name]), await fitEpoch(xs, ys))]);
  }
  fast.splice(0, fast.length, ...fast.filter(([name]) => wanted(name)));
  for (const [name, run] of fast) {
    log(`epoch warm-up: ${name}`);
    await run();
    epoch[name] = [];
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, run] of fast) {
      await settle();
      const time = await run();
      epoch[name].push(time);
      log(`epoch ${rep + 1}/${REPS}: ${name} ${time.ms.toFixed(0)} ms (CPU ${time.cpu.toFixed(0)} ms)`);
    }
  }
  tf.dispose([xs, ys]);
  const notes: string[] = [];
  const slow: [string, () => Promise<EpochTime>, number][] = [
    ["lib", () => libEpoch(X, train.y), quick ? 1 : 2],
    ["tfjs-cpu", () => tfEpoch(train, TF["tfjs-cpu"]), 1],
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
      const t = await tfEpoch(part, TF["tfjs-webgpu"]);
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
  await useEngine(TF[courseEngine]);

  const epochMs: Record<string, number> = {}, epochCpuMs: Record<string, number> = {};
  for (const [name, times] of Object.entries(epoch)) {
    epochMs[name] = round(median(times.map((t) => t.ms)));
    epochCpuMs[name] = round(median(times.map((t) => t.cpu)));
  }
  const pytorch = epochMs["pytorch-1thread"], pytorchAll = epochMs["pytorch-all-threads"];
  const ratioAll = pytorchAll && epochMs[BLAS_ALL] ? round(epochMs[BLAS_ALL] / pytorchAll) : null;
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
      `\n${BLAS_ALL} vs PyTorch with all threads: ${ratioAll ?? "skipped"}` +
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
    engine: courseEngine,
    matmul_engine: auto.matmul ?? null,
    blas: blasName,
    ratio_vs_pytorch_all_threads: ratioAll,
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

await main();
