/**
 * lib/schedule.ts: training in phases. Reference: the same phases written out by hand as trainTf calls,
 * each continuing from the previous one's weights, must give the same losses and weights; the reports
 * count the epochs of all phases as one run.
 */
import { assert } from "./assert.ts";
import { setupBackend } from "../lib/backend.ts";
import { loadDigits, type Split } from "../lib/data.ts";
import { trainInPhases } from "../lib/schedule.ts";
import { trainTf } from "../lib/train.ts";
import type { BatchReport, EpochReport } from "../lib/training.ts";

await setupBackend("wasm");

/** The first n examples of a split. */
const head = (s: Split, n: number): Split => ({ x: s.x.slice(0, n * 256), y: s.y.slice(0, n), n });

Deno.test("trainInPhases: the same as trainTf phase by phase, reported as one run", async () => {
  const digits = await loadDigits({ log: () => {} });
  const data = { train: head(digits.train, 400), test: head(digits.test, 200) };
  const sizes = [256, 32, 10];
  const batches: BatchReport[] = [], epochs: EpochReport[] = [];
  const run = await trainInPhases(data, {
    sizes,
    hidden: "relu",
    phases: [{ epochs: 2, eta: 2e-3 }, { epochs: 1, eta: 2e-4 }],
    seed: 5,
    onBatch: (r) => void batches.push(r),
    onEpoch: (r) => void epochs.push(r),
  });
  // By hand: phase 0 with seed 5, then phase 1 with seed 6 from phase 0's weights.
  const first = await trainTf(data, {
    sizes,
    hidden: "relu",
    optimizer: "adam",
    eta: 2e-3,
    epochs: 2,
    seed: 5,
  });
  const second = await trainTf(data, {
    sizes,
    hidden: "relu",
    optimizer: "adam",
    eta: 2e-4,
    epochs: 1,
    seed: 6,
    initial: first.weights,
  });
  assert.deepEqual(run.loss, [...first.loss, ...second.loss]);
  assert.deepEqual(run.testAccuracy, [...first.testAccuracy, ...second.testAccuracy]);
  assert.deepEqual(run.batchLoss, [...first.batchLoss, ...second.batchLoss]);
  assert.deepEqual(run.weights, second.weights);
  assert.equal(run.stopped, null);
  assert.deepEqual(epochs.map((r) => [r.epoch, r.epochs]), [[1, 3], [2, 3], [3, 3]]);
  assert.equal(batches.length, 3 * 4); // 400 digits in batches of 100
  assert.deepEqual([batches[8].epoch, batches[8].epochs, batches[8].step], [3, 3, 1]);
});

Deno.test("trainInPhases: refuses no phases, a phase without epochs, a bad eta", async () => {
  const data = { train: { x: new Float32Array(256), y: new Uint8Array(1), n: 1 } };
  const base = { sizes: [256, 10], hidden: "relu" as const, seed: 1 };
  await assert.rejects(() => trainInPhases(data, { ...base, phases: [] }), /at least one/);
  await assert.rejects(
    () => trainInPhases(data, { ...base, phases: [{ epochs: 0, eta: 1e-3 }] }),
    /phases\[0\]\.epochs must be a whole number >= 1/,
  );
  await assert.rejects(
    () => trainInPhases(data, { ...base, phases: [{ epochs: 1, eta: -1 }] }),
    /eta must be a positive/,
  );
});
