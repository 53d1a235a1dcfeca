/**
 * Notebook 03 (gradient descent, step 3): the key results on the executed notebook.
 * Gradient descent lowers the loss; only the too-large learning rate diverges (and it is detected);
 * backpropagation agrees with finite differences and with tf.grads; training lowers the loss and reaches
 * a sensible test accuracy on both engines. Timings are printed, never asserted.
 */
import { assert } from "./assert.ts";
import { errorOutputs, executedNotebook, numbersAfter, outputsText, outputsWithMime } from "./notebooks.ts";

const PLOTLY = "application/vnd.plotly.v1+json";

Deno.test("03: runs without error outputs, with plots", async () => {
  const nb = await executedNotebook("03");
  assert.deepEqual(errorOutputs(nb), []);
  assert.ok(outputsWithMime(nb, PLOTLY).length >= 7, "expected at least 7 plotly figures");
});

Deno.test("03: gradient descent on one and two parameters goes downhill", async () => {
  const text = outputsText(await executedNotebook("03"));
  // L(0, 0) = 200 ln 2 for a 50/50 guess on 200 images: the notebook's loss is the lecture's total loss.
  const [l00, ln2] = numbersAfter(text, "L(w = 0, b = 0) =").filter((_, i) => i === 0 || i === 3);
  assert.ok(Math.abs(l00 - 200 * Math.LN2) < 1e-3 && Math.abs(ln2 - 200 * Math.LN2) < 1e-3, `${l00} ${ln2}`);
  // One parameter: each printed step has L lower than the one before.
  const stepLosses = [1, 2, 3, 4].map((k) => numbersAfter(text, `step ${k}: w =`).at(-1)!);
  stepLosses.forEach((l, k) => k > 0 && assert.ok(l < stepLosses[k - 1], `1-D: ${stepLosses}`));
  // Two parameters: 30 steps from (1, -3) end far lower.
  const path = numbersAfter(text, "from (w, b) = (");
  const [startL, endL] = [path[2], path.at(-3)!];
  assert.ok(endL < startL / 4, `2-D: L ${startL} -> ${endL}`);
});

Deno.test("03: learning rates: only the too-large one diverges, and the right one gets lowest", async () => {
  const text = outputsText(await executedNotebook("03"));
  const small = text.match(/^η = [\d.]+ \(too small\):.*$/m)?.[0] ?? "";
  const right = text.match(/^η = [\d.]+ \(right\):.*$/m)?.[0] ?? "";
  const large = text.match(/^η = [\d.]+ \(too large\):.*$/m)?.[0] ?? "";
  assert.match(small, /the loss fell at every step/);
  assert.match(right, /the loss fell at every step/);
  assert.match(large, /diverging: at step \d+ the loss rose from [\d.]+ to [\d.]+/);
  const finalOf = (line: string) => Number(line.match(/-> ([\d.]+) after/)![1]);
  assert.ok(
    finalOf(right) < finalOf(small) && finalOf(right) < finalOf(large),
    `${small}\n${right}\n${large}`,
  );
  const [from, to] = numbersAfter(large, "the loss rose from");
  assert.ok(to > from, `${from} -> ${to}`);
});

Deno.test("03: the learning-rate slider is a client-side plotly figure with one step per rate", async () => {
  const figures = outputsWithMime(await executedNotebook("03"), PLOTLY) as {
    layout?: { sliders?: { steps?: unknown[] }[]; title?: { text?: string } };
  }[];
  const explorer = figures.find((f) => (f.layout?.sliders?.length ?? 0) > 0);
  assert.ok(explorer, "no plotly figure with a slider");
  assert.equal(explorer.layout!.sliders![0].steps!.length, 10, "one slider step per learning rate");
});

Deno.test("03: a far too large learning rate on the real network is detected by SGD", async () => {
  const text = outputsText(await executedNotebook("03"));
  assert.match(text, /^η = 50: SGD diverged: .* at epoch 1 of 1/m);
});

Deno.test("03: backpropagation agrees with finite differences and tf.grads (< 1e-3)", async () => {
  const text = outputsText(await executedNotebook("03"));
  const [fd] = numbersAfter(text, "gradient check vs finite differences: max relative error");
  const [tfg] = numbersAfter(text, "gradient check vs tf.grads: max relative error");
  assert.ok(fd >= 0 && fd < 1e-3, `vs finite differences: ${fd}`);
  assert.ok(tfg >= 0 && tfg < 1e-4, `vs tf.grads: ${tfg}`);
  // Every layer of the 256-6-6-10 network is checked: W and b of each of its 3 layers.
  assert.equal(text.match(/^dL\/d[Wb]\^\d .*vs finite differences/gm)?.length, 6);
  assert.match(text, /256-6-6-10 network: 1654 parameters, 3308 forward passes/);
});

Deno.test("03: training lowers the loss and reaches a sensible test accuracy", async () => {
  const text = outputsText(await executedNotebook("03"));
  const epochLoss = [1, 2, 3, 4, 5].map((e) => numbersAfter(text, `epoch ${e}: mean training loss C =`)[0]);
  epochLoss.forEach((l, k) => k > 0 && assert.ok(l < epochLoss[k - 1], `from scratch: ${epochLoss}`));
  assert.match(text, /the training loss fell every epoch: from scratch true, tfjs true/);
  const accuracies = [...text.matchAll(/^test accuracy: ([\d.]+)% \((.*)\)$/gm)].map((m) => ({
    value: Number(m[1]),
    model: m[2],
  }));
  assert.equal(accuracies.length, 3, JSON.stringify(accuracies));
  for (const { value, model } of accuracies) assert.ok(value > 88, `${model}: ${value}%`);
  assert.match(accuracies[0].model, /from scratch/);
  assert.match(accuracies[1].model, /tfjs/);
  assert.match(accuracies[2].model, /256-100-100-100-10/);
});

Deno.test("03: backprop's cost against finite differences is counted; exercises check", async () => {
  const text = outputsText(await executedNotebook("03"));
  assert.match(text, /one gradient of the 256-30-10 network \(8020 parameters, 100 digits\)/);
  assert.match(text, /finite differences: 16040 forward passes/);
  const [times] = numbersAfter(text, "backpropagation is about");
  assert.ok(times > 100, `backprop only ${times} times faster than finite differences?`);
  for (const k of [1, 2]) assert.match(text, new RegExp(`exercise ${k} \\(solution\\): correct\\.`));
});

Deno.test("03: every tfjs tensor the notebook made is freed", async () => {
  const text = outputsText(await executedNotebook("03"));
  const [now, atStart] = numbersAfter(text, "tfjs tensors still allocated:");
  assert.equal(now, atStart, `${now} tensors now, ${atStart} after setup`);
});
