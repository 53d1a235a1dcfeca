/**
 * Notebook 01 (neural network, step 1): the key results on the executed notebook (run with every exercise
 * answered by its folded solution). The lecture's published numbers are the reference for the worked
 * example; the three matrix-form computations (from-scratch, tfjs, batch) must agree with each other; the
 * demos' results are read from the numbers they print. Timings are printed, never asserted.
 */
import { assert } from "./assert.ts";
import {
  errorOutputs,
  executedNotebook,
  exerciseVerdicts,
  numbersAfter,
  outputsText,
  outputsWithMime,
} from "./notebooks.ts";

import { PLOTLY_MIME as PLOTLY } from "../tools/notebook.ts";

/** Pairs "a: b, c: d" read from the numbers after a label: [[a, b], [c, d]]. */
function pairsAfter(text: string, label: string): [number, number][] {
  const numbers = numbersAfter(text, label);
  assert.equal(numbers.length % 2, 0, `${label}: expected pairs, got ${numbers}`);
  return Array.from({ length: numbers.length / 2 }, (_, k) => [numbers[2 * k], numbers[2 * k + 1]]);
}

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

Deno.test("01: any curve: the error falls with width, built by hand and trained; starts matter", async () => {
  const text = outputsText(await executedNotebook("01"));
  const staircase = pairsAfter(text, "staircase error by width:");
  const trained = pairsAfter(text, "fit error by width:");
  assert.deepEqual(staircase.map(([w]) => w), [3, 10, 30, 100]);
  assert.deepEqual(trained.map(([w]) => w), [1, 3, 10, 30]);
  for (const [name, errors] of [["staircase", staircase], ["trained", trained]] as const) {
    errors.slice(1).forEach(([w, e], k) =>
      assert.ok(e < errors[k][1], `${name}: width ${w} fits worse (${e}) than width ${errors[k][0]}`)
    );
  }
  // The text says the trained networks get closer with far fewer neurons than the staircase.
  const trained10 = trained.find(([w]) => w === 10)![1], stairs100 = staircase.find(([w]) => w === 100)![1];
  assert.ok(trained10 < stairs100, `trained width 10 (${trained10}) vs staircase of 100 (${stairs100})`);
  // Width 5 from ten random starts: gradient descent does not always find the best fit it can reach.
  const [best, worst, ratio] = numbersAfter(text, "width 5 from ten starts: fit error from");
  assert.ok(
    best > 0 && worst > best && ratio > 1.5,
    `width 5 from ten starts: ${best} to ${worst} (${ratio}x)`,
  );
});

Deno.test("01: without sigma two layers collapse into one, to float32 precision; XOR needs sigma", async () => {
  const text = outputsText(await executedNotebook("01"));
  const [gap] = numbersAfter(text, "collapse: largest |difference|");
  const [largest] = numbersAfter(text, "(outputs up to");
  // float32 rounds each operation to 6e-8 of its size; the terms (up to ~100) exceed the outputs: 1e-5.
  assert.ok(largest > 1, `the collapse demo's outputs are tiny (${largest}): a weak check`);
  assert.ok(
    gap >= 0 && gap <= 1e-5 * largest,
    `two linear layers vs one: ${gap} for outputs up to ${largest}`,
  );
  // The XOR network: 4 of 4 with sigma, fewer without (collapsed, it is the constant W = (0, 0), b = 370).
  assert.deepEqual(numbersAfter(text, "XOR through one hidden layer:"), [4, 4]);
  assert.deepEqual(numbersAfter(text, "XOR network without σ: W = W2 W1 = "), [0, 0, 2, 1, 2, 370]);
  const [linear, of, withSigma] = numbersAfter(text, "XOR without σ in the hidden layer:");
  assert.deepEqual([of, withSigma], [4, 4]);
  assert.ok(linear < 4, `XOR without sigma: ${linear} of 4`);
});

Deno.test("01: softmax, parameter counts", async () => {
  const text = outputsText(await executedNotebook("01"));
  const soft = numbersAfter(text, "softmax: z = [3, 1, -3] -> y =");
  // e^z / sum e^z for z = (3, 1, -3), computed here independently of the lib.
  const e = [3, 1, -3].map(Math.exp), s = e[0] + e[1] + e[2];
  assert.deepEqual(soft.slice(0, 3), e.map((v) => Number((v / s).toFixed(2))));
  assert.ok(Math.abs(soft[3] - 1) < 1e-6);
  assert.deepEqual(numbersAfter(text, "structure 2-16-16-1:"), [2, 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1]);
  assert.deepEqual(numbersAfter(text, "structure 1-30-1:"), [1, 30 + 30 + 30 + 1]);
});

Deno.test("01: every exercise's solution is right; no answer is printed above its exercise", async () => {
  const nb = await executedNotebook("01");
  assert.deepEqual(
    exerciseVerdicts(nb),
    [1, 2, 3, 4, 5].map((n) => ({ name: `exercise ${n}`, verdict: "right" })),
  );
  // The answers, computed here independently, occur nowhere in the printed output.
  const text = outputsText(nb);
  const params = (sizes: number[]) => sizes.slice(1).reduce((s, n, l) => s + n * sizes[l] + n, 0);
  assert.ok(!text.includes(String(params([256, 100, 100, 100, 10]))), "exercise 2's answer is printed");
  const e = Math.exp(-1);
  assert.ok(!text.includes((e / (2 + e)).toFixed(3)), "exercise 5's answer is printed");
  assert.ok(!/\b0\.63, 0\.83\b/.test(text), "exercise 1's answer is printed");
});

Deno.test("every notebook: results are displays, no cell leaves a value (Out[])", async () => {
  // A cell's last value is sent after the cell's reply and can land under the next cell (Run All in
  // Notebook 6 and JupyterLab); displays (print, show, an exercise's check(...).show()) stay under their cell.
  for (const name of ["00", "01", "02", "03", "04", "05"]) {
    const nb = await executedNotebook(name);
    const results = nb.cells.flatMap((c, i) =>
      (c.outputs ?? []).filter((o) => o.output_type === "execute_result").map(() => i)
    );
    assert.deepEqual(results, [], `${name}: cells that leave a value`);
  }
});

Deno.test("01: no engine jargon or machine paths in what a learner reads", async () => {
  const text = outputsText(await executedNotebook("01"));
  assert.doesNotMatch(text, /\b(wasm|webgpu|backend|OpenBLAS|llvmpipe)\b/i);
  assert.doesNotMatch(text, /(^|[\s"'(])\/(work|home|tmp|usr)\//m);
});

Deno.test("01: plots are plotly figures with titles", async () => {
  const figures = outputsWithMime(await executedNotebook("01"), PLOTLY) as {
    layout?: { title?: unknown; sliders?: unknown[] };
  }[];
  assert.ok(figures.length >= 14, `expected at least 14 plots, found ${figures.length}`);
  for (const f of figures) assert.ok(f.layout?.title, "a plot without a title");
  // The interactive neuron: one figure with sliders for w1, w2 and b.
  assert.ok(figures.some((f) => f.layout?.sliders?.length === 3), "no figure with three sliders (w1, w2, b)");
});
