/**
 * Notebook 00 ("is my machine ready") reaches its verdict, with the known answer, a plot and a progress bar,
 * in both editions: results are read from the notebook's variables, not from its printed sentences.
 */
import { assert } from "./assert.ts";
import { findCells, outputsWithMime, testEditions, value } from "./notebooks.ts";
import { PLOTLY_MIME as PLOTLY } from "../tools/notebook.ts";

/** The checks the notebook makes, in order: Deno kernel, tfjs backend, tfjs computation, plot, progress bar. */
const CHECKS = 5;

testEditions("00", "every check passes and the machine is declared ready", async (nb) => {
  const checks = await value<{ step: string; ok: boolean; detail: string }[]>(nb, "checks");
  assert.equal(checks.length, CHECKS, `checks made: ${checks.map((c) => c.step)}`);
  for (const c of checks) assert.ok(c.ok, `check not passed: ${c.step} (${c.detail})`);
  assert.equal(new Set(checks.map((c) => c.step)).size, CHECKS, "two checks have the same name");
  // The verdict cell's list of failed checks, from which it prints "ready" or "not ready yet".
  assert.deepEqual(await value(nb, "failed"), []);
});

testEditions("00", "tfjs reproduces the lecture's first layer, sigma(4) and sigma(-2)", async (nb) => {
  const [a1, a2] = await value<number[]>(nb, "computed");
  assert.equal(a1.toFixed(2), "0.98");
  assert.equal(a2.toFixed(2), "0.12");
  assert.ok(Math.abs(a1 - 1 / (1 + Math.exp(-4))) < 1e-4 && Math.abs(a2 - 1 / (1 + Math.exp(2))) < 1e-4);
});

testEditions(
  "00",
  "one plotly figure (with HTML for Notebook 6 and nbconvert) and a progress bar",
  async (nb) => {
    const figures = outputsWithMime(nb, PLOTLY) as { data: { y?: number[] }[] }[];
    assert.equal(figures.length, 1);
    assert.equal(figures[0].data.length, 2);
    // The second trace is step 3's two neurons, at the values tfjs computed (the figure keeps 6 digits).
    const computed = await value<number[]>(nb, "computed"), y = figures[0].data[1].y ?? [];
    assert.equal(y.length, 2);
    y.forEach((v, i) => assert.ok(Math.abs(v - computed[i]) < 1e-6, `plotted ${v}, computed ${computed[i]}`));
    assert.ok(outputsWithMime(nb, "text/html").some((h) => String(h).includes("Plotly.newPlot")));
    const progress = await value<{ total: number; step: number }>(nb, "progress");
    assert.equal(progress.total, 40);
    assert.equal(progress.step, progress.total, "the progress bar did not reach its end");
    const cells = findCells(nb, "new Progress(");
    assert.equal(cells.length, 1);
    assert.ok((cells[0].outputs ?? []).length > 0, "the progress bar cell shows nothing");
  },
);
