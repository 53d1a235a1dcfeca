/**
 * Same seed, same numbers, in a fresh process; no tensor and no memory left behind (issue 7).
 *
 * tests/fixtures/train_run.ts trains on a seeded subset of the digits (from scratch with Network.SGD, and
 * with tfjs's trainTf) and prints every metric as JSON; two separate `deno` processes must print exactly
 * the same thing. A third process trains for 50 epochs and samples memory after each one.
 */
import * as tf from "@tensorflow/tfjs";
import { assert } from "./assert.ts";
import { setupBackend } from "../lib/backend.ts";
import type { Split } from "../lib/data.ts";
import { rng } from "../lib/random.ts";
import { trainTf } from "../lib/train.ts";
import { ROOT } from "../tools/paths.ts";

const FIXTURE = new URL("./fixtures/train_run.ts", import.meta.url).pathname;

/** Runs the fixture in a new deno process; returns the text after `RESULT ` and the parsed JSON. */
async function run(mode: "train" | "memory"): Promise<{ text: string; json: unknown }> {
  const flags = mode === "memory" ? ["--v8-flags=--expose-gc"] : [];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...flags, FIXTURE, mode],
    cwd: ROOT,
    // The course's defaults (single-threaded wasm), whatever this shell sets: empty means unset.
    env: { COURSE_BACKEND: "", COURSE_WASM_THREADS: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout), stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `train_run.ts ${mode} failed:\n${stderr}`);
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  assert(line, `train_run.ts ${mode}: no RESULT line in\n${stdout}`);
  const text = line.slice("RESULT ".length);
  return { text, json: JSON.parse(text) };
}

// Started at once, so that the three processes run side by side while the tests below wait.
const firstRun = run("train"), secondRun = run("train"), memoryRun = run("memory");
// A failure is reported by the test that awaits it, not as an unhandled rejection before that test runs.
for (const p of [firstRun, secondRun, memoryRun]) p.catch(() => {});

const decreasing = (v: number[]) => v.every((x, i) => i === 0 || x < v[i - 1]);

Deno.test("reproducible: two processes give bit-identical losses, accuracies and weights", async () => {
  const [a, b] = await Promise.all([firstRun, secondRun]);
  // JSON writes each double in its shortest exact form, so equal text means equal bits.
  assert.equal(a.text, b.text);
  assert.deepEqual(a.json, b.json);
  // And the run is a real one (not two identical failures): it learned, far above chance (10%).
  const { scratch, tfjs } = a.json as {
    scratch: { history: number[]; batchLoss: number[]; testAccuracy: number; weights: string };
    tfjs: { backend: string; loss: number[]; testAccuracy: number[]; batchLoss: number[]; weights: string };
  };
  assert.equal(scratch.history.length, 2);
  assert.equal(scratch.batchLoss.length, 2 * 60); // 600 examples in batches of 10, two epochs
  assert(decreasing(scratch.history) && scratch.history.every(Number.isFinite), `${scratch.history}`);
  assert(scratch.testAccuracy > 0.5, `from scratch: test accuracy ${scratch.testAccuracy}`);
  assert.match(scratch.weights, /^[0-9a-f]{64}$/);
  assert.equal(tfjs.backend, "wasm");
  assert.equal(tfjs.batchLoss.length, 2 * 60);
  assert(decreasing(tfjs.loss) && tfjs.loss.every(Number.isFinite), `${tfjs.loss}`);
  assert(tfjs.testAccuracy[1] > 0.5, `tfjs: test accuracy ${tfjs.testAccuracy}`);
});

Deno.test("memory: 50 epochs do not grow the heap or tfjs's tensors", async () => {
  const m = (await memoryRun).json as {
    scratchHeap: number[];
    tfHeap: number[];
    tfBytes: number[];
    tfTensors: number[];
    tensorsBefore: number;
    tensorsAfter: number;
  };
  for (const [side, heap] of [["from scratch", m.scratchHeap], ["tfjs", m.tfHeap]] as const) {
    assert.equal(heap.length, 50);
    // After a garbage collection, from epoch 10 to 50. Measured here: +0.1 MB (scratch) and +0.3 MB (tfjs),
    // compiled code settling, flat after a few hundred epochs. A leak of one 256 x 50 float32 batch per
    // epoch (51 kB) would add 2 MB.
    const growth = Math.max(...heap.slice(10)) - heap[9];
    assert(growth < 1e6, `${side}: the heap grew by ${(growth / 1e6).toFixed(2)} MB over 40 epochs`);
  }
  // tfjs's own accounting is exact: the same tensors and bytes after every epoch.
  assert.deepEqual(new Set(m.tfBytes).size, 1, `tfjs bytes per epoch: ${m.tfBytes}`);
  assert.deepEqual(new Set(m.tfTensors).size, 1, `tfjs tensors per epoch: ${m.tfTensors}`);
  assert.equal(m.tensorsAfter, m.tensorsBefore);
});

/** A random set: n examples of `inputs` values in [0, 1), labels 0..classes-1. */
function randomSplit(n: number, inputs: number, classes: number, seed: number): Split {
  const r = rng(seed);
  return {
    x: Float32Array.from({ length: n * inputs }, () => r()),
    y: Uint8Array.from({ length: n }, () => Math.floor(r() * classes)),
    n,
  };
}

Deno.test("tensors: trainTf returns tfjs to its tensor count, also when it stops with an error", async () => {
  await setupBackend("wasm", { threads: 1 }); // the course's default, even where COURSE_WASM_THREADS is set
  const split = randomSplit(120, 12, 4, 1);
  const baseline = tf.memory().numTensors;
  const counts: number[] = [];
  const options = { sizes: [12, 10, 4], eta: 0.2, batchSize: 16, epochs: 2 };
  await trainTf({ train: split, test: split }, options);
  counts.push(tf.memory().numTensors);
  await trainTf({ train: split }, { ...options, optimizer: "adam", eta: 0.01 });
  counts.push(tf.memory().numTensors);
  // A callback that throws (a learner's bug in a progress bar), and training that diverges.
  await assert.rejects(() =>
    trainTf({ train: split }, {
      ...options,
      onEpoch: () => {
        throw new Error("callback failed");
      },
    }), /callback failed/);
  counts.push(tf.memory().numTensors);
  await assert.rejects(
    () => trainTf({ train: split }, { ...options, sizes: [12, 30, 30, 4], hidden: "relu", eta: 1e30 }),
    /diverged/,
  );
  counts.push(tf.memory().numTensors);
  assert.deepEqual(counts, [baseline, baseline, baseline, baseline]);
});
