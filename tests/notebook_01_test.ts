/**
 * Notebook 01 (neural network, step 1): the key results on the executed notebook (run with every exercise
 * answered by its folded solution), in both editions. The lecture's published numbers are the reference for
 * the worked example; the three matrix-form computations (from-scratch, tfjs, batch) must agree with each
 * other; the demos' results are read from the notebook's variables (tests/notebooks.ts value), never from
 * its printed sentences. Timings are measured, never asserted.
 */
import { assert } from "./assert.ts";
import {
  EDITIONS,
  errorOutputs,
  executedNotebook,
  exerciseResults,
  outputsText,
  outputsWithMime,
  testEditions,
  value,
} from "./notebooks.ts";

import { PLOTLY_MIME as PLOTLY } from "../tools/notebook.ts";

/** A lib Matrix as the values probe stores it. */
type Matrix = { rows: number; cols: number; data: number[] };
const round2 = (values: number[]) => values.map((v) => Number(v.toFixed(2)));

testEditions("01", "runs without error outputs", (nb) => {
  assert.deepEqual(errorOutputs(nb), []);
});

testEditions("01", "the lecture's worked example reproduces the slides' numbers", async (nb) => {
  // The slides' values (Hung-yi Lee, Brief Introduction of Deep Learning): layers 1, 2, 3 for each input.
  const slides = [
    { x: [1, -1], layers: [[0.98, 0.12], [0.86, 0.11], [0.62, 0.83]] },
    { x: [0, 0], layers: [[0.73, 0.5], [0.72, 0.12], [0.51, 0.85]] },
  ];
  const example = await value<{ x: number[]; layers: number[][] }[]>(nb, "lectureExample");
  assert.deepEqual(example.map(({ x, layers }) => ({ x, layers: layers.map(round2) })), slides);
  assert.equal(await value(nb, "matched"), 12);
  // The matrix form (the whole batch at once) gives the same final outputs.
  const [inputs, batch] = [await value<number[][]>(nb, "inputs"), await value<number[][]>(nb, "batch")];
  assert.deepEqual(inputs.slice(0, 2), [[1, -1], [0, 0]]);
  assert.deepEqual(batch.slice(0, 2).map(round2), [[0.62, 0.83], [0.51, 0.85]]);
  // Layer 1 in matrix form: z = W1 x + b1 = (4, -2), the slide's weighted sums.
  assert.deepEqual((await value<Matrix>(nb, "z1")).data, [4, -2]);
});

testEditions("01", "the three matrix-form computations agree", async (nb) => {
  const diffs = await value<number[]>(nb, "diffs"); // lib vs tfjs, lib vs batch, lib vs neuron loop
  assert.equal(diffs.length, 3);
  for (const d of diffs) assert.ok(d >= 0 && d < 1e-5, `difference ${d} between two of the three ways`);
  const big = await value<number>(nb, "worst");
  assert.ok(big >= 0 && big < 1e-4, `256-500-500-10: the three ways differ by ${big}`);
  // Three timings are measured (their values are machine-dependent and not asserted).
  const timings = await value<{ ms: number }[]>(nb, "timings");
  assert.equal(timings.length, 3);
  for (const t of timings) assert.ok(Number.isFinite(t.ms) && t.ms > 0, `a timing of ${t.ms} ms`);
});

testEditions("01", "one structure, several parameter sets, different functions", async (nb) => {
  const functions = await value<number[][][]>(nb, "functions");
  assert.equal(functions.length, 4);
  // The smallest mean |difference| between two of the four functions, recomputed here over the grid.
  const flat = functions.map((f) => f.flat());
  let reference = Infinity;
  for (let i = 0; i < flat.length; i++) {
    for (let j = i + 1; j < flat.length; j++) {
      const d = flat[i].reduce((s, v, k) => s + Math.abs(v - flat[j][k]), 0) / flat[i].length;
      reference = Math.min(reference, d);
    }
  }
  const smallest = await value<number>(nb, "smallest");
  assert.ok(Math.abs(smallest - reference) < 1e-9, `smallest ${smallest}, recomputed ${reference}`);
  assert.ok(smallest > 0.01, `two parameter sets give almost the same function (${smallest})`);
});

testEditions(
  "01",
  "any curve: the error falls with width, built by hand and trained; starts matter",
  async (nb) => {
    const staircase = {
      widths: await value<number[]>(nb, "stairs"),
      errors: await value<number[]>(nb, "stairErrors"),
    };
    const trained = {
      widths: await value<number[]>(nb, "widths"),
      errors: await value<number[]>(nb, "fitErrors"),
    };
    assert.deepEqual(staircase.widths, [3, 10, 30, 100]);
    assert.deepEqual(trained.widths, [1, 3, 10, 30]);
    for (const [name, { widths, errors }] of [["staircase", staircase], ["trained", trained]] as const) {
      assert.equal(errors.length, widths.length);
      errors.slice(1).forEach((e, k) =>
        assert.ok(e < errors[k], `${name}: width ${widths[k + 1]} fits worse (${e}) than width ${widths[k]}`)
      );
    }
    // The text says the trained networks get closer with far fewer neurons than the staircase.
    const trained10 = trained.errors[trained.widths.indexOf(10)];
    const stairs100 = staircase.errors[staircase.widths.indexOf(100)];
    assert.ok(trained10 < stairs100, `trained width 10 (${trained10}) vs staircase of 100 (${stairs100})`);
    // Width 5 from ten random starts: gradient descent does not always find the best fit it can reach.
    const errors5 = await value<number[]>(nb, "errors5");
    const [best, worst] = [await value<number>(nb, "best5"), await value<number>(nb, "worst5")];
    assert.equal(errors5.length, 10);
    assert.deepEqual([best, worst], [Math.min(...errors5), Math.max(...errors5)]);
    assert.ok(best > 0 && worst / best > 1.5, `width 5 from ten starts: ${best} to ${worst}`);
  },
);

testEditions(
  "01",
  "without sigma two layers collapse into one, to float32 precision; XOR needs sigma",
  async (nb) => {
    const gap = await value<number>(nb, "gap");
    const largest = await value<number>(nb, "largest");
    // float32 rounds each operation to 6e-8 of its size; the terms (up to ~100) exceed the outputs: 1e-5.
    assert.ok(largest > 1, `the collapse demo's outputs are tiny (${largest}): a weak check`);
    assert.ok(
      gap >= 0 && gap <= 1e-5 * largest,
      `two linear layers vs one: ${gap} for outputs up to ${largest}`,
    );
    // The XOR network: 4 of 4 with sigma, fewer without (collapsed, it is the constant W = (0, 0), b = 370).
    assert.equal(await value(nb, "xorCorrect"), 4);
    const [l1, l2] = await value<{ W: number[][]; b: number[] }[]>(nb, "xorLayers");
    // W = W2 W1 and b = W2 b1 + b2 with plain loops (the output layer has one neuron).
    const W = l1.W[0].map((_, j) => l2.W[0].reduce((s, w, i) => s + w * l1.W[i][j], 0));
    const b = l2.W[0].reduce((s, w, i) => s + w * l1.b[i], l2.b[0]);
    assert.deepEqual([W, b], [[0, 0], 370]);
    assert.deepEqual((await value<Matrix>(nb, "Wxor")).data, W);
    assert.deepEqual((await value<Matrix>(nb, "bxor")).data, [b]);
    const linear = await value<number>(nb, "linearCorrect");
    assert.ok(linear < 4, `XOR without sigma: ${linear} of 4`);
  },
);

testEditions("01", "softmax, parameter counts", async (nb) => {
  // e^z / sum e^z for z = (3, 1, -3), computed here independently of the lib.
  const e = [3, 1, -3].map(Math.exp), s = e[0] + e[1] + e[2];
  assert.deepEqual(await value(nb, "zSoft"), [3, 1, -3]);
  const ySoft = await value<number[]>(nb, "ySoft");
  ySoft.forEach((y, i) => assert.ok(Math.abs(y - e[i] / s) < 1e-6, `softmax output ${i + 1}: ${y}`));
  assert.ok(Math.abs(await value<number>(nb, "sumSoft") - 1) < 1e-6);
  // Weights n_l x n_(l-1) plus n_l biases per layer, counted here from the sizes alone.
  const structures = await value<number[][]>(nb, "structures");
  assert.deepEqual(structures, [[2, 2, 2, 2], [2, 16, 16, 1], [1, 30, 1]]);
  const count = (sizes: number[]) => sizes.slice(1).reduce((sum, n, l) => sum + n * sizes[l] + n, 0);
  assert.deepEqual(await value(nb, "parameterCounts"), structures.map(count));
  assert.equal(count([2, 16, 16, 1]), 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1);
});

testEditions(
  "01",
  "every exercise's solution is right; no answer is printed above its exercise",
  (nb) => {
    assert.deepEqual(
      exerciseResults(nb),
      [1, 2, 3, 4, 5].map((n) => ({ number: n, verdict: "right" })),
    );
    // The answers, computed here independently, occur nowhere in the printed output.
    const text = outputsText(nb);
    const params = (sizes: number[]) => sizes.slice(1).reduce((s, n, l) => s + n * sizes[l] + n, 0);
    assert.ok(!text.includes(String(params([256, 100, 100, 100, 10]))), "exercise 2's answer is printed");
    const e = Math.exp(-1);
    assert.ok(!text.includes((e / (2 + e)).toFixed(3)), "exercise 5's answer is printed");
    assert.ok(!/\b0\.63, 0\.83\b/.test(text), "exercise 1's answer is printed");
  },
);

Deno.test("every notebook, both editions: results are displays, no cell leaves a value (Out[])", async () => {
  // A cell's last value is sent after the cell's reply and can land under the next cell (Run All in
  // Notebook 6 and JupyterLab); displays (print, show, an exercise's check(...).show()) stay under their cell.
  for (const edition of EDITIONS) {
    for (const name of ["00", "01", "02", "03", "04", "05"]) {
      const nb = await executedNotebook(`${edition}${name}`);
      const results = nb.cells.flatMap((c, i) =>
        (c.outputs ?? []).filter((o) => o.output_type === "execute_result").map(() => i)
      );
      assert.deepEqual(results, [], `${edition}${name}: cells that leave a value`);
    }
  }
});

testEditions("01", "no engine jargon or machine paths in what a learner reads", (nb) => {
  const text = outputsText(nb);
  assert.doesNotMatch(text, /\b(wasm|webgpu|backend|OpenBLAS|llvmpipe)\b/i);
  assert.doesNotMatch(text, /(^|[\s"'(])\/(work|home|tmp|usr)\//m);
});

testEditions("01", "plots are plotly figures with titles", (nb) => {
  const figures = outputsWithMime(nb, PLOTLY) as { layout?: { title?: unknown; sliders?: unknown[] } }[];
  assert.ok(figures.length >= 14, `expected at least 14 plots, found ${figures.length}`);
  for (const f of figures) assert.ok(f.layout?.title, "a plot without a title");
  // The interactive neuron: one figure with sliders for w1, w2 and b.
  assert.ok(figures.some((f) => f.layout?.sliders?.length === 3), "no figure with three sliders (w1, w2, b)");
});
