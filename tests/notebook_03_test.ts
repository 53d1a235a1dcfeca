/**
 * Notebook 03 (gradient descent, step 3): the key results on the executed notebook (run with every exercise
 * answered by its folded solution). Gradient descent lowers the loss; the first-order rule holds for small
 * steps and fails for large ones; only the too-large learning rate diverges (and it is detected); the
 * derivation on the lecture's network matches a float64 chain rule written here, `backprop` and `tf.grads`;
 * backpropagation agrees with finite differences and with tf.grads on a real network; the sum with eta/m and
 * the mean with eta train alike; training lowers the loss on both engines; every exercise's solution is right.
 * Timings are printed, never asserted.
 */
import { assert } from "./assert.ts";
import {
  cellText,
  errorOutputs,
  executedNotebook,
  exerciseVerdicts,
  numbersAfter,
  outputsText,
  outputsWithMime,
} from "./notebooks.ts";
import { sourceText } from "../tools/notebook.ts";

import { PLOTLY_MIME as PLOTLY } from "../tools/notebook.ts";

/**
 * The lecture's network (sigmoid hidden layers, softmax output) on x = [1, -1] with label class 1, in
 * float64 with plain loops: the forward pass and the chain rule for dC/dw2_11 and dC/dw1_12, written out
 * here independently of the course library.
 */
function lectureReference() {
  const W = [[[1, -2], [-1, 1]], [[2, -1], [-2, -1]], [[3, -1], [-1, 4]]];
  const b = [[1, 0], [0, 0], [-2, 2]];
  const sigma = (v: number) => 1 / (1 + Math.exp(-v));
  const z: number[][] = [], a: number[][] = [[1, -1]];
  for (let l = 0; l < 3; l++) {
    z[l] = W[l].map((row, i) => row[0] * a[l][0] + row[1] * a[l][1] + b[l][i]);
    if (l < 2) a[l + 1] = z[l].map(sigma);
    else {
      const e = z[l].map(Math.exp), sum = e[0] + e[1];
      a[l + 1] = e.map((v) => v / sum);
    }
  }
  const delta3 = [a[3][0] - 1, a[3][1]]; // y - yhat, yhat = [1, 0]
  const delta2 = [0, 1].map((j) =>
    (W[2][0][j] * delta3[0] + W[2][1][j] * delta3[1]) * a[2][j] * (1 - a[2][j])
  );
  const delta1 = [0, 1].map((j) =>
    (W[1][0][j] * delta2[0] + W[1][1][j] * delta2[1]) * a[1][j] * (1 - a[1][j])
  );
  return { z, a, delta3, dw2_11: delta2[0] * a[1][0], dw1_12: delta1[0] * a[0][1] };
}

Deno.test("03: runs without error outputs, with plots, and prints no machine path or engine detail", async () => {
  const nb = await executedNotebook("03");
  assert.deepEqual(errorOutputs(nb), []);
  assert.ok(outputsWithMime(nb, PLOTLY).length >= 11, "expected at least 11 plotly figures");
  const text = outputsText(nb);
  assert.doesNotMatch(text, /file:\/\/|\/work\/|\/home\/|\/tmp\/|\.bin\b/, "a machine path in the output");
  assert.doesNotMatch(text, /backend|wasm|webgpu|OpenBLAS/i, "engine jargon in the output");
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

Deno.test("03: the first-order rule holds for small steps and fails for large ones", async () => {
  const text = outputsText(await executedNotebook("03"));
  const [ratioSmall] = numbersAfter(text, "smallest η: actual / predicted =");
  assert.ok(Math.abs(ratioSmall - 1) < 0.01, `first order at the smallest η: ratio ${ratioSmall}`);
  const [smallPredicted, smallActual] = numbersAfter(text, "η = 1.0e-5: predicted change of L");
  assert.ok(smallPredicted < 0 && smallActual < 0, `${smallPredicted} ${smallActual}`);
  const [best, ratioBest] = numbersAfter(text, "lowest L along −g at η =");
  const [uphill, rise] = numbersAfter(text, "first η whose step goes uphill:");
  // A curved loss: at the best step the gain is a fraction of the first-order prediction; beyond it, uphill.
  assert.ok(ratioBest > 0.2 && ratioBest < 0.8, `ratio at the best step ${ratioBest}`);
  assert.ok(uphill > best && rise > 0, `best ${best}, uphill from ${uphill} (+${rise})`);
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

Deno.test("03: the lecture's network: forward pass, sigma', delta^3 against a float64 reference", async () => {
  const text = outputsText(await executedNotebook("03"));
  const ref = lectureReference();
  for (let l = 1; l <= 3; l++) {
    const values = numbersAfter(text, `layer ${l}: z^${l} =`); // z^l, then the l of "a^l =", then a^l
    const [z1, z2, , a1, a2] = values;
    assert.ok(
      Math.abs(z1 - ref.z[l - 1][0]) < 1e-4 && Math.abs(z2 - ref.z[l - 1][1]) < 1e-4,
      `z^${l}: ${values}`,
    );
    assert.ok(Math.abs(a1 - ref.a[l][0]) < 1e-4 && Math.abs(a2 - ref.a[l][1]) < 1e-4, `a^${l}: ${values}`);
  }
  for (const l of [1, 2]) {
    const [s1, s2, c1, c2] = numbersAfter(text, `layer ${l}: a(1 − a) =`);
    assert.ok(Math.abs(s1 - c1) < 2e-5 && Math.abs(s2 - c2) < 2e-5, `σ' layer ${l}: ${[s1, s2, c1, c2]}`);
    assert.ok(Math.abs(s1 - ref.a[l][0] * (1 - ref.a[l][0])) < 1e-5, `σ' layer ${l}: ${s1}`);
  }
  const [d1, d2, n1, n2] = numbersAfter(text, "δ³ = y − ŷ =");
  assert.ok(Math.abs(d1 - ref.delta3[0]) < 1e-4 && Math.abs(d2 - ref.delta3[1]) < 1e-4, `δ³ ${d1} ${d2}`);
  assert.ok(Math.abs(n1 - d1) < 2e-4 && Math.abs(n2 - d2) < 2e-4, `nudged ${n1} ${n2}`);
});

Deno.test("03: the chain rule for w²₁₁ equals backprop's and tf.grads' to float32 precision", async () => {
  const text = outputsText(await executedNotebook("03"));
  const ref = lectureReference();
  const [chain, backprop, tfGrads] = numbersAfter(text, "∂C/∂w²₁₁: chain rule");
  for (const v of [chain, backprop, tfGrads]) {
    assert.ok(Math.abs(v - ref.dw2_11) < 2e-6, `${v} against the float64 chain rule ${ref.dw2_11}`);
  }
  const [relative] = numbersAfter(text, "chain rule against backprop: relative difference");
  assert.ok(relative >= 0 && relative < 1e-6, `chain rule vs backprop: ${relative}`);
  const [vsBackprop] = numbersAfter(text, "backward against Network.backprop:");
  const [vsTf] = numbersAfter(text, "backward against tf.grads:");
  assert.ok(vsBackprop < 1e-6 && vsTf < 1e-6, `the derived recursion: ${vsBackprop}, ${vsTf}`);
});

Deno.test("03: exercise 1's answer (dC/dw¹₁₂) is printed nowhere above its exercise", async () => {
  const nb = await executedNotebook("03");
  const ref = lectureReference();
  const at = nb.cells.findIndex((c) =>
    c.cell_type === "code" && sourceText(c).includes('check("exercise 1"')
  );
  assert.ok(at > 0, "no exercise 1");
  const above = outputsText({ ...nb, cells: nb.cells.slice(0, at) });
  for (const digits of [3, 4, 5]) {
    assert.ok(!above.includes(ref.dw1_12.toFixed(digits)), `${ref.dw1_12.toFixed(digits)} printed above`);
  }
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

Deno.test("03: sum vs mean: the sum's gradient grows with m, and sum with η/m trains as mean with η", async () => {
  const nb = await executedNotebook("03");
  const figures = outputsWithMime(nb, PLOTLY) as {
    data: { y: number[] }[];
    layout: { title?: { text?: string } };
  }[];
  const lengths = figures.find((f) => /gradient over m digits/.test(f.layout.title?.text ?? ""));
  assert.ok(lengths, "no gradient-length figure");
  const [sum, mean] = lengths.data.map((t) => t.y); // m = 1, 3, 10, 30, 100, 300, 1000
  assert.ok(sum[6] / sum[2] > 20, `the sum's gradient over 1000 vs 10 digits: ${sum[6]} / ${sum[2]}`);
  assert.ok(mean[6] / mean[2] > 0.2 && mean[6] / mean[2] < 2, `the mean's: ${mean[6]} / ${mean[2]}`);
  const text = outputsText(nb);
  const [gap] = numbersAfter(text, "largest difference of any layer's weights, relative to its largest:");
  assert.ok(gap < 1e-5, `sum with η/m against mean with η: ${gap}`);
  // The problem's scale: along −g the toy tolerates far larger steps (on the mean's scale) than the network.
  const [toyBest, toyUp] = numbersAfter(text, "the toy, 2 parameters: lowest mean loss at η ≈");
  const [netBest, netUp] = numbersAfter(text, "256-30-10 on digits: lowest mean loss at η ≈");
  assert.ok(toyBest > 2 * netBest && toyUp > netUp, `toy ${toyBest}, ${toyUp}; network ${netBest}, ${netUp}`);
});

Deno.test("03: training lowers the loss and reaches a sensible test accuracy", async () => {
  const nb = await executedNotebook("03");
  const text = outputsText(nb);
  const epochLoss = [1, 2, 3, 4, 5].map((e) => numbersAfter(text, `epoch ${e}: mean training loss C =`)[0]);
  epochLoss.forEach((l, k) => k > 0 && assert.ok(l < epochLoss[k - 1], `from scratch: ${epochLoss}`));
  // The progress bar names its number: the epoch's mean C, the same as the last epoch's line.
  const bar = cellText(nb, 'trainingProgress("from scratch, 256-30-10")');
  const [barLoss] = numbersAfter(bar, "epoch's mean C");
  assert.ok(Math.abs(barLoss - epochLoss[4]) < 1e-3, `bar ${barLoss} vs epoch 5 ${epochLoss[4]}`);
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

Deno.test("03: backprop's cost against finite differences is counted; every exercise is right", async () => {
  const nb = await executedNotebook("03");
  const text = outputsText(nb);
  assert.match(text, /one gradient of the 256-30-10 network \(8020 parameters, 100 digits\)/);
  assert.match(text, /finite differences: 16040 forward passes/);
  const [times] = numbersAfter(text, "backpropagation is about");
  assert.ok(times > 100, `backprop only ${times} times faster than finite differences?`);
  const verdicts = exerciseVerdicts(nb);
  assert.equal(verdicts.length, 3, JSON.stringify(verdicts));
  for (const v of verdicts) assert.equal(v.verdict, "right", `${v.name}: ${v.verdict}`);
});

Deno.test("03: every tfjs tensor the notebook made is freed", async () => {
  const text = outputsText(await executedNotebook("03"));
  const [now, atStart] = numbersAfter(text, "tfjs tensors still allocated:");
  assert.equal(now, atStart, `${now} tensors now, ${atStart} after setup`);
});
