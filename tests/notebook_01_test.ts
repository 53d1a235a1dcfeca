/**
 * Notebook 01 (neural network, step 1): the key results on the executed notebook.
 * The lecture's published numbers are the reference for the worked example; the three matrix-form
 * computations (from-scratch, tfjs, batch) must agree with each other. Timings are printed, never asserted.
 */
import { assert } from "./assert.ts";
import {
  cellText,
  errorOutputs,
  executedNotebook,
  numbersAfter,
  outputsText,
  outputsWithMime,
} from "./notebooks.ts";

const PLOTLY = "application/vnd.plotly.v1+json";

Deno.test("01: runs without error outputs", async () => {
  const nb = await executedNotebook("01");
  assert.deepEqual(errorOutputs(nb), []);
});

Deno.test("01: the lecture's worked example reproduces the slides' numbers", async () => {
  const text = outputsText(await executedNotebook("01"));
  // The slides' values (Hung-yi Lee, Brief Introduction of Deep Learning), layer by layer.
  assert.deepEqual(numbersAfter(text, "lecture example [1, -1]:"), [
    ...[1, 0.98, 0.12],
    ...[2, 0.86, 0.11],
    ...[3, 0.62, 0.83],
  ]);
  assert.deepEqual(numbersAfter(text, "lecture example [0, 0]:"), [
    ...[1, 0.73, 0.5],
    ...[2, 0.72, 0.12],
    ...[3, 0.51, 0.85],
  ]);
  assert.deepEqual(numbersAfter(text, "lecture check:"), [12, 12]);
  // The matrix form (the whole batch at once) gives the same final outputs.
  assert.deepEqual(numbersAfter(text, "batch output for [1, -1]:"), [0.62, 0.83, 0, 0, 0.51, 0.85]);
  // Layer 1 in matrix form: z = W1 x + b1 = (4, -2).
  assert.deepEqual(numbersAfter(text, "z1 = W1 x + b1 = "), [4, -2]);
});

Deno.test("01: the three matrix-form computations agree", async () => {
  const text = outputsText(await executedNotebook("01"));
  const [tfjs, batch, loop] = numbersAfter(text, "three ways agree: lib vs tfjs");
  for (const d of [tfjs, batch, loop]) {
    assert.ok(d >= 0 && d < 1e-5, `difference ${d} (line: three ways agree)`);
  }
  const [big] = numbersAfter(text, "on 200 inputs: the three ways agree to");
  assert.ok(big >= 0 && big < 1e-4, `256-500-500-10: the three ways differ by ${big}`);
  // Three timings are printed (their values are machine-dependent and not asserted).
  assert.equal(text.match(/^timing: /gm)?.length, 3);
});

Deno.test("01: one structure, several parameter sets, different functions", async () => {
  const text = outputsText(await executedNotebook("01"));
  const [sets, smallest] = numbersAfter(text, "function set:");
  assert.equal(sets, 4);
  assert.ok(smallest > 0.01, `two parameter sets give almost the same function (${smallest})`);
});

Deno.test("01: softmax, feature extractor, parameter counts, exercises", async () => {
  const nb = await executedNotebook("01");
  const text = outputsText(nb);
  const soft = numbersAfter(text, "softmax: z = [3, 1, -3] -> y =");
  // e^z / sum e^z for z = (3, 1, -3), computed here independently of the lib.
  const e = [3, 1, -3].map(Math.exp), s = e[0] + e[1] + e[2];
  assert.deepEqual(soft.slice(0, 3), e.map((v) => Number((v / s).toFixed(2))));
  assert.ok(Math.abs(soft[3] - 1) < 1e-6);
  assert.deepEqual(numbersAfter(text, "XOR through one hidden layer:"), [4, 4]);
  assert.deepEqual(numbersAfter(text, "structure 256-500-500-10:"), [
    2,
    256 * 500 + 500 + 500 * 500 + 500 + 500 * 10 + 10,
  ]);
  for (const n of [1, 2, 3]) assert.match(text, new RegExp(`exercise ${n}: correct\\.`));
  assert.match(cellText(nb, "const answer1"), /not attempted yet/);
});

Deno.test("01: plots are plotly figures with titles", async () => {
  const figures = outputsWithMime(await executedNotebook("01"), PLOTLY) as {
    layout?: { title?: unknown; sliders?: unknown[] };
  }[];
  assert.ok(figures.length >= 8, `expected at least 8 plots, found ${figures.length}`);
  for (const f of figures) assert.ok(f.layout?.title, "a plot without a title");
  // The interactive neuron: one figure with sliders for w1, w2 and b.
  assert.ok(figures.some((f) => f.layout?.sliders?.length === 3), "no figure with three sliders (w1, w2, b)");
});
