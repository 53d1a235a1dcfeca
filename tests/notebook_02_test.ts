/**
 * Notebook 02 (goodness of a function, step 2): the key results on the executed notebook (run with every
 * exercise answered by its folded solution). Cross-entropy by hand, by the lib and by tfjs agree; C falls
 * towards the label and grows away from it; why a random network's L is above a blind 1/10 guess's; the
 * better function has the lower total loss L and the higher accuracy; cross-entropy's gradient on a
 * confidently wrong output is many times the squared error's (checked here by finite differences); every
 * exercise's solution is right.
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
import { loadDigits, Matrix, Network, transpose } from "../lib/mod.ts";

import { PLOTLY_MIME as PLOTLY } from "../tools/notebook.ts";
const N = 500;

Deno.test("02: runs without error outputs, with plots, and prints no machine path or engine detail", async () => {
  const nb = await executedNotebook("02");
  assert.deepEqual(errorOutputs(nb), []);
  assert.ok(outputsWithMime(nb, PLOTLY).length >= 9, "expected at least 9 plotly figures");
  const text = outputsText(nb);
  assert.doesNotMatch(text, /file:\/\/|\/work\/|\/home\/|\/tmp\/|\.bin\b/, "a machine path in the output");
  assert.doesNotMatch(text, /backend|wasm|webgpu|OpenBLAS/i, "engine jargon in the output");
});

Deno.test("02: cross-entropy by hand, lib and tfjs agree to 1e-6", async () => {
  const text = outputsText(await executedNotebook("02"));
  const [hand, lib, tfjs] = numbersAfter(text, "example 0: C by hand").filter((_, i) => i < 3);
  assert.ok(hand > 0, `C must be positive, got ${hand}`);
  assert.ok(Math.abs(hand - lib) <= 1e-6 && Math.abs(hand - tfjs) <= 1e-6, `${hand} ${lib} ${tfjs}`);
  const [digits, diff] = numbersAfter(text, "cross-entropy agreement (by hand, lib, tfjs) over");
  assert.equal(digits, N);
  assert.ok(diff >= 0 && diff < 1e-6, `max difference ${diff}`);
});

Deno.test("02: C falls towards the label and grows away from it", async () => {
  const text = outputsText(await executedNotebook("02"));
  const at = (t: string) => numbersAfter(text, `t = ${t}: towards the label C =`);
  const [towards0, away0] = at("0.00");
  const [towards99, away99] = at("0.99");
  assert.ok(Math.abs(towards0 - away0) < 1e-9, "both paths start at the network's output");
  assert.ok(towards99 < 0.02 && towards99 < towards0, `towards the label: ${towards0} -> ${towards99}`);
  assert.ok(away99 > towards0 + 2, `away from the label: ${away0} -> ${away99}`);
});

Deno.test("02: total loss three ways, and the better function has the lower L", async () => {
  const text = outputsText(await executedNotebook("02"));
  const [hand, lib, net] = numbersAfter(text, "L by hand");
  assert.ok(Math.abs(hand - lib) < 1e-3 && Math.abs(hand - net) < 1e-4 * hand, `${hand} ${lib} ${net}`);
  // A random 10-class network is about as good as guessing 1/10: L near N ln 10.
  assert.ok(Math.abs(hand / (N * Math.log(10)) - 1) < 0.5, `random network L = ${hand}`);
  const [randomL, , randomAcc, , randomTest] = numbersAfter(text, "random network (seed 1): total loss L =");
  const [trainedL, , trainedAcc, , trainedTest] = numbersAfter(text, "after 3 epochs of SGD: total loss L =");
  assert.ok(trainedL < randomL, `L: trained ${trainedL} vs random ${randomL}`);
  assert.ok(trainedAcc > randomAcc + 30, `accuracy: trained ${trainedAcc}% vs random ${randomAcc}%`);
  assert.ok(trainedTest > 60, `trained network on unseen digits: ${trainedTest}%`);
  assert.ok(randomTest < 30, `random network on unseen digits: ${randomTest}%`);
  // Exercise 2's solution says that the 100%-accurate "0.2 on the right digit" outputs have the higher L.
  assert.ok(trainedL < N * Math.log(5), `trained L ${trainedL} vs N ln 5`);
});

Deno.test("02: the random network pays more than the blind guess, and the printed split adds up", async () => {
  const text = outputsText(await executedNotebook("02"));
  // An independent reference: the same random network's outputs, summed here with plain loops.
  const digits = await loadDigits({ log: () => {} });
  const X = transpose(Matrix.fromRows(digits.train.x.subarray(0, N * 256), N, 256));
  const labels = Array.from(digits.train.y.subarray(0, N));
  const Y = Network.random([256, 30, 10], { seed: 1 }).feedforward(X);
  const ln10 = Math.log(10);
  const costs = labels.map((label, n) => -Math.log(Y.get(label, n)));
  const L = costs.reduce((s, c) => s + c, 0);
  const [uniform] = numbersAfter(text, "whatever the image: L = N ln 10 =");
  const [excess] = numbersAfter(text, "random network minus the guess:");
  assert.ok(Math.abs(uniform - N * ln10) < 1e-3, `N ln 10 = ${uniform}`);
  assert.ok(
    L > N * ln10 && Math.abs(excess - (L - N * ln10)) < 1e-2,
    `excess ${excess}, reference ${L - N * ln10}`,
  );
  assert.ok(excess < 0.1 * N * ln10, `the text says "a little worse than the blind guess": ${excess}`);

  const [above, more, below, less] = parseSplit(text);
  assert.equal(above, costs.filter((c) => c > ln10).length);
  assert.equal(above + below, N);
  const moreRef = costs.filter((c) => c > ln10).reduce((s, c) => s + c - ln10, 0);
  const lessRef = costs.filter((c) => c <= ln10).reduce((s, c) => s + ln10 - c, 0);
  assert.ok(Math.abs(more - moreRef) < 0.06 && Math.abs(less - lessRef) < 0.06, `${more} ${less}`);
  assert.ok(more > less, "the examples above ln 10 cost more than the ones below save");

  const mean = numbersAfter(text, "mean output per digit, over all 500 images:");
  assert.equal(mean.length, 10);
  assert.ok(Math.abs(mean.reduce((s, v) => s + v, 0) - 1) < 0.01, `mean outputs ${mean}`);
  assert.ok(Math.max(...mean) - Math.min(...mean) > 0.05, `the random network is uneven: ${mean}`);

  const [total, meanPart, spread, guess] = parseDecomposition(text);
  const yMean = labels.reduce((s, label, n) => s + Y.get(label, n), 0) / N;
  assert.ok(
    Math.abs(total - L) < 0.06 && Math.abs(meanPart + N * Math.log(yMean)) < 0.06,
    `${total} ${meanPart}`,
  );
  assert.ok(spread >= 0 && Math.abs(meanPart + spread - total) < 0.11, `spread ${spread}`);
  assert.ok(Math.abs(guess - N * ln10) < 0.06);
});

/** [examples above ln 10, how much more, examples below, how much less] from the printed line. */
function parseSplit(text: string): number[] {
  const line = text.split("\n").find((l) => / examples pay more than ln 10: /.test(l));
  assert.ok(line, "the line about examples paying more than ln 10");
  const [above, , more, below, less] = [...line!.matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
  return [above, more, below, less];
}

/** [L, the mean's cost, the spread's cost, N ln 10] from the printed decomposition. */
function parseDecomposition(text: string): number[] {
  const line = text.split("\n").find((l) => l.startsWith("L = ") && l.includes("cost of the spread"));
  assert.ok(line, "the line splitting L into the cost of the mean and of the spread");
  const numbers = [...line!.matchAll(/\d+\.\d+/g)].map((m) => Number(m[0]));
  return [...numbers.slice(0, 3), numbers[numbers.length - 1]];
}

Deno.test("02: along training, every epoch lowers L and raises the accuracy", async () => {
  const text = outputsText(await executedNotebook("02"));
  const points = [0, 1, 2, 3].map((e) => numbersAfter(text, `during training, epoch ${e}: L =`));
  for (let e = 1; e < points.length; e++) {
    assert.ok(points[e][0] < points[e - 1][0], `L: ${points.map((p) => p[0])}`);
    assert.ok(points[e][1] > points[e - 1][1], `accuracy: ${points.map((p) => p[1])}`);
  }
  const [agree, pairs, share] = numbersAfter(text, "the lower L is the more accurate in");
  assert.ok(pairs > 0 && pairs <= 435 && agree <= pairs, `${agree} of ${pairs}`);
  assert.ok(Math.abs(share - 100 * agree / pairs) <= 0.5, `share ${share}%`);
  // The text calls the relation loose: not far from a coin toss.
  assert.ok(share > 35 && share < 75, `share ${share}%`);
});

Deno.test("02: the goal: L falls along the line towards the trained parameters, and beyond", async () => {
  const text = outputsText(await executedNotebook("02"));
  const [l0, , l1, alphaBest, lBest] = numbersAfter(text, "L at α = 0:");
  assert.ok(l1 < l0, `L(α = 1) = ${l1} should be below L(α = 0) = ${l0}`);
  assert.ok(
    alphaBest > 1 && lBest < l1,
    `the text says L keeps falling past α = 1: lowest at α = ${alphaBest}`,
  );
  assert.match(text, /256-30-10 network: 8020 parameters/);
});

/** Softmax in float64, the two losses, and their gradients by central differences: the test's own reference. */
function softmax64(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
function numericGradient(f: (z: number[]) => number, z: number[], h = 1e-5): number[] {
  return z.map((_, i) => {
    const up = [...z], down = [...z];
    up[i] += h;
    down[i] -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

Deno.test("02: on a confidently wrong output, cross-entropy pushes thousands of times harder than squared error", async () => {
  const text = outputsText(await executedNotebook("02"));
  const [wrong, yWrong, label, yLabel] = numbersAfter(text, "s = -5: y_");
  const z = Array.from({ length: 10 }, (_, i) => (i === label ? -5 : i === wrong ? 5 : 0));
  const y = softmax64(z);
  assert.ok(
    Math.abs(y[wrong] - yWrong) < 1e-3 && Math.abs(y[label] / yLabel - 1) < 1e-3,
    `${yWrong} ${yLabel}`,
  );
  const ce = (z: number[]) => -Math.log(softmax64(z)[label]);
  const se = (z: number[]) => softmax64(z).reduce((a, v, i) => a + (v - (i === label ? 1 : 0)) ** 2, 0);
  const gCE = numericGradient(ce, z), gSE = numericGradient(se, z);

  const [k, ceK, seK, ratio] = numbersAfter(text, "∂C/∂z_");
  assert.equal(k, label);
  assert.ok(Math.abs(ceK / gCE[label] - 1) < 1e-3 && Math.abs(seK / gSE[label] - 1) < 1e-3, `${ceK} ${seK}`);
  assert.ok(Math.abs(ratio / (gCE[label] / gSE[label]) - 1) < 1e-3, `printed ratio ${ratio}`);
  assert.ok(ratio > 1000, `cross-entropy's push on the label's input is ${ratio} times the squared error's`);

  const [normCE, normSE, normRatio] = numbersAfter(text, "whole gradient |∂C/∂z|: cross-entropy");
  const norm = (v: number[]) => Math.hypot(...v);
  assert.ok(Math.abs(normCE / norm(gCE) - 1) < 1e-3 && Math.abs(normSE / norm(gSE) - 1) < 1e-3);
  assert.ok(normRatio > 5, `whole-gradient ratio ${normRatio}`);

  const [outputs, diff] = numbersAfter(text, "hand-derived ∂C/∂z against tf.grad,");
  assert.equal(outputs, 121);
  assert.ok(diff >= 0 && diff < 1e-5, `hand-derived gradients vs tf.grad: ${diff}`);

  const [stepsCE, stepsSE] = numbersAfter(text, "steps until y_label > 0.5: cross-entropy");
  assert.ok(stepsCE >= 1 && stepsCE < 20, `cross-entropy: ${stepsCE} steps`);
  assert.ok(stepsSE > 10 * stepsCE, `squared error: ${stepsSE} steps, cross-entropy ${stepsCE}`);
});

Deno.test("02: every exercise's folded solution is right; tfjs tensors are all freed", async () => {
  const nb = await executedNotebook("02");
  const verdicts = exerciseVerdicts(nb);
  assert.deepEqual(verdicts.map((v) => v.name), ["exercise 1", "exercise 2", "exercise 3", "exercise 4"]);
  assert.deepEqual(verdicts.map((v) => v.verdict), ["right", "right", "right", "right"]);
  const text = outputsText(nb);
  const [now, atStart] = numbersAfter(text, "tfjs tensors still allocated:");
  assert.equal(now, atStart, `${now} tensors now, ${atStart} after setup`);
});
