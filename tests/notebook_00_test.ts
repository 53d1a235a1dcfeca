/** Notebook 00 ("is my machine ready") reaches its verdict, with the known answer, a plot and a progress bar. */
import { assert } from "./assert.ts";
import { cellText, executedNotebook, numbersAfter, outputsText, outputsWithMime } from "./notebooks.ts";

Deno.test("00: every check says OK and the machine is declared ready", async () => {
  const nb = await executedNotebook("00");
  const text = outputsText(nb);
  assert.doesNotMatch(text, /NOT OK/);
  for (const step of ["Deno kernel", "tfjs backend", "tfjs computation", "plot", "progress bar"]) {
    assert.match(text, new RegExp(`OK  ${step}:`), `no OK line for ${step}`);
  }
  assert.match(text, /All checks passed: this machine is ready for the course\./);
});

Deno.test("00: tfjs reproduces the lecture's first layer, sigma(4) and sigma(-2)", async () => {
  const nb = await executedNotebook("00");
  const [a1, a2] = numbersAfter(cellText(nb, "tf.matMul(W, x)"), "a = ");
  assert.equal(a1.toFixed(2), "0.98");
  assert.equal(a2.toFixed(2), "0.12");
  assert.ok(Math.abs(a1 - 1 / (1 + Math.exp(-4))) < 1e-4 && Math.abs(a2 - 1 / (1 + Math.exp(2))) < 1e-4);
});

Deno.test("00: one plotly figure (with HTML for Notebook 6 and nbconvert) and a progress bar output", async () => {
  const nb = await executedNotebook("00");
  const figures = outputsWithMime(nb, "application/vnd.plotly.v1+json") as { data: unknown[] }[];
  assert.equal(figures.length, 1);
  assert.equal(figures[0].data.length, 2);
  assert.ok(outputsWithMime(nb, "text/html").some((h) => String(h).includes("Plotly.newPlot")));
  assert.match(cellText(nb, "new Progress("), /40\/40/);
});
