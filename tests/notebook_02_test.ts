/**
 * Notebook 02 (goodness of a function, step 2): the key results on the executed notebook (run with every
 * exercise answered by its folded solution), in both editions, read from the notebook's variables
 * (tests/notebooks.ts value), never from its printed sentences. Cross-entropy by hand, by the lib and by
 * tfjs agree; C falls towards the label and grows away from it; why a random network's L is above a blind
 * 1/10 guess's (against the same network's outputs summed here); the better function has the lower total
 * loss L and the higher accuracy; cross-entropy's gradient on a confidently wrong output is many times the
 * squared error's (checked here by finite differences); every exercise's solution is right.
 */
import { assert } from "./assert.ts";
import {
  errorOutputs,
  exerciseResults,
  outputsText,
  outputsWithMime,
  testEditions,
  value,
} from "./notebooks.ts";
import { loadDigits, Matrix, Network, transpose } from "../lib/mod.ts";

import { PLOTLY_MIME as PLOTLY } from "../tools/notebook.ts";

/** The notebook's small training set: its first N digits. */
const N = 500;

/** A function's score as the notebook's `measure` gives it: total loss L and accuracy (a fraction). */
type Score = { L: number; accuracy: number };

testEditions(
  "02",
  "runs without error outputs, with plots, and prints no machine path or engine detail",
  (nb) => {
    assert.deepEqual(errorOutputs(nb), []);
    assert.ok(outputsWithMime(nb, PLOTLY).length >= 9, "expected at least 9 plotly figures");
    const text = outputsText(nb);
    assert.doesNotMatch(text, /file:\/\/|\/work\/|\/home\/|\/tmp\/|\.bin\b/, "a machine path in the output");
    assert.doesNotMatch(text, /backend|wasm|webgpu|OpenBLAS/i, "engine jargon in the output");
  },
);

testEditions("02", "cross-entropy by hand, lib and tfjs agree to 1e-6", async (nb) => {
  const [hand, lib, tfjs] = [
    await value<number>(nb, "cByHand"),
    await value(nb, "cLib"),
    await value(nb, "cTf"),
  ];
  assert.ok(hand > 0, `C must be positive, got ${hand}`);
  assert.ok(
    Math.abs(hand - Number(lib)) <= 1e-6 && Math.abs(hand - Number(tfjs)) <= 1e-6,
    `${hand} ${lib} ${tfjs}`,
  );
  assert.equal(await value(nb, "N_SMALL"), N);
  const diff = await value<number>(nb, "maxDiff"); // over all N examples
  assert.ok(diff >= 0 && diff < 1e-6, `max difference ${diff}`);
});

testEditions("02", "C falls towards the label and grows away from it", async (nb) => {
  const ts = await value<number[]>(nb, "ts");
  const towards = await value<number[]>(nb, "cTowards"), away = await value<number[]>(nb, "cAway");
  assert.equal(ts[99], 0.99);
  assert.ok(Math.abs(towards[0] - away[0]) < 1e-9, "both paths start at the network's output");
  assert.ok(
    towards[99] < 0.02 && towards[99] < towards[0],
    `towards the label: ${towards[0]} -> ${towards[99]}`,
  );
  assert.ok(away[99] > towards[0] + 2, `away from the label: ${away[0]} -> ${away[99]}`);
});

testEditions("02", "total loss three ways, and the better function has the lower L", async (nb) => {
  const [hand, lib, net] = await Promise.all(["lByHand", "lLib", "lNet"].map((v) => value<number>(nb, v)));
  assert.ok(Math.abs(hand - lib) < 1e-3 && Math.abs(hand - net) < 1e-4 * hand, `${hand} ${lib} ${net}`);
  // A random 10-class network is about as good as guessing 1/10: L near N ln 10.
  assert.ok(Math.abs(hand / (N * Math.log(10)) - 1) < 0.5, `random network L = ${hand}`);
  // The random network (seed 1) and the same network after 3 epochs of SGD.
  const [random, trained] = await value<(Score & { testAccuracy: number })[]>(nb, "scores");
  assert.ok(trained.L < random.L, `L: trained ${trained.L} vs random ${random.L}`);
  assert.ok(
    trained.accuracy > random.accuracy + 0.3,
    `accuracy: trained ${trained.accuracy} vs ${random.accuracy}`,
  );
  assert.ok(trained.testAccuracy > 0.6, `trained network on unseen digits: ${trained.testAccuracy}`);
  assert.ok(random.testAccuracy < 0.3, `random network on unseen digits: ${random.testAccuracy}`);
  // Exercise 2's solution says that the 100%-accurate "0.2 on the right digit" outputs have the higher L.
  assert.ok(trained.L < N * Math.log(5), `trained L ${trained.L} vs N ln 5`);
});

testEditions("02", "the random network pays more than the blind guess, and the split adds up", async (nb) => {
  // An independent reference: the same random network's outputs, summed here with plain loops.
  const digits = await loadDigits({ log: () => {} });
  const X = transpose(Matrix.fromRows(digits.train.x.subarray(0, N * 256), N, 256));
  const labels = Array.from(digits.train.y.subarray(0, N));
  const Y = Network.random([256, 30, 10], { seed: 1 }).feedforward(X);
  const ln10 = Math.log(10);
  const costs = labels.map((label, n) => -Math.log(Y.get(label, n)));
  const L = costs.reduce((s, c) => s + c, 0);
  const num = (name: string) => value<number>(nb, name);

  const [lByHand, lUniform] = [await num("lByHand"), await num("lUniform")];
  assert.ok(Math.abs(lUniform - N * ln10) < 1e-9, `N ln 10 = ${lUniform}`);
  const excess = lByHand - lUniform;
  assert.ok(
    L > N * ln10 && Math.abs(excess - (L - N * ln10)) < 1e-2,
    `excess ${excess}, reference ${L - N * ln10}`,
  );
  assert.ok(excess < 0.1 * N * ln10, `the text says "a little worse than the blind guess": ${excess}`);

  const above = (await value<number[]>(nb, "costlier")).length,
    below = (await value<number[]>(nb, "cheaper")).length;
  assert.equal(above, costs.filter((c) => c > ln10).length);
  assert.equal(above + below, N);
  const [more, less] = [await num("paidAbove"), await num("savedBelow")];
  const moreRef = costs.filter((c) => c > ln10).reduce((s, c) => s + c - ln10, 0);
  const lessRef = costs.filter((c) => c <= ln10).reduce((s, c) => s + ln10 - c, 0);
  assert.ok(Math.abs(more - moreRef) < 1e-2 && Math.abs(less - lessRef) < 1e-2, `${more} ${less}`);
  assert.ok(more > less, "the examples above ln 10 cost more than the ones below save");

  const mean = await value<number[]>(nb, "meanOutput");
  assert.equal(mean.length, 10);
  assert.ok(Math.abs(mean.reduce((s, v) => s + v, 0) - 1) < 0.01, `mean outputs ${mean}`);
  assert.ok(Math.max(...mean) - Math.min(...mean) > 0.05, `the random network is uneven: ${mean}`);

  // L = N (-ln ȳ) + the spread's cost, with ȳ the mean probability given to the right digit.
  const yMean = labels.reduce((s, label, n) => s + Y.get(label, n), 0) / N;
  const [meanPart, spread] = [await num("meanPart"), await num("spreadPart")];
  assert.ok(Math.abs(lByHand - L) < 1e-2 && Math.abs(meanPart + N * Math.log(yMean)) < 1e-2, `${meanPart}`);
  assert.ok(spread >= 0 && Math.abs(spread - (L + N * Math.log(yMean))) < 2e-2, `spread ${spread}`);
});

testEditions("02", "along training, every epoch lowers L and raises the accuracy", async (nb) => {
  const points = await value<Score[]>(nb, "during");
  assert.equal(points.length, 4, "epochs 0 to 3");
  for (let e = 1; e < points.length; e++) {
    assert.ok(points[e].L < points[e - 1].L, `L: ${points.map((p) => p.L)}`);
    assert.ok(points[e].accuracy > points[e - 1].accuracy, `accuracy: ${points.map((p) => p.accuracy)}`);
  }
  // The 30 random networks, pair by pair: does the lower L go with the higher accuracy? Recounted here.
  const random = await value<Score[]>(nb, "randomPoints");
  assert.equal(random.length, 30);
  const pairs = random.flatMap((p, a) => random.slice(a + 1).map((q) => [p, q]))
    .filter(([p, q]) => p.accuracy !== q.accuracy);
  const agreeing = pairs.filter(([p, q]) => (p.L < q.L) === (p.accuracy > q.accuracy)).length;
  const [agree, counted] = [await value<number>(nb, "agree"), await value<number>(nb, "pairs")];
  assert.deepEqual([agree, counted], [agreeing, pairs.length]);
  assert.ok(counted > 0 && counted <= 30 * 29 / 2 && agree <= counted, `${agree} of ${counted}`);
  // The text calls the relation loose: not far from a coin toss.
  const share = 100 * agree / counted;
  assert.ok(share > 35 && share < 75, `share ${share}%`);
});

testEditions(
  "02",
  "the goal: L falls along the line towards the trained parameters, and beyond",
  async (nb) => {
    const alphas = await value<number[]>(nb, "alphas"), lAlong = await value<number[]>(nb, "lAlong");
    const at = (alpha: number) => lAlong[alphas.findIndex((a) => Math.abs(a - alpha) < 1e-9)];
    const [l0, l1] = [at(0), at(1)];
    assert.ok(l0 !== undefined && l1 !== undefined, "α = 0 and α = 1 are on the line");
    assert.ok(l1 < l0, `L(α = 1) = ${l1} should be below L(α = 0) = ${l0}`);
    const kBest = await value<number>(nb, "kBest");
    assert.equal(lAlong[kBest], Math.min(...lAlong));
    assert.ok(
      alphas[kBest] > 1 && lAlong[kBest] < l1,
      `the text says L keeps falling past α = 1: ${alphas[kBest]}`,
    );
    assert.equal(await value(nb, "nParameters"), 256 * 30 + 30 + 30 * 10 + 10);
  },
);

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

testEditions(
  "02",
  "on a confidently wrong output, cross-entropy pushes thousands of times harder than squared error",
  async (nb) => {
    const [wrong, label] = [await value<number>(nb, "wrongDigit"), await value<number>(nb, "label0")];
    assert.ok(wrong !== label);
    const z = Array.from({ length: 10 }, (_, i) => (i === label ? -5 : i === wrong ? 5 : 0));
    assert.deepEqual(await value(nb, "zWrong"), z);
    const y = softmax64(z);
    const yWrong = await value<number[]>(nb, "yWrong");
    assert.ok(
      Math.abs(y[wrong] - yWrong[wrong]) < 1e-3 && Math.abs(y[label] / yWrong[label] - 1) < 1e-3,
      `${yWrong[wrong]} ${yWrong[label]}`,
    );
    const ce = (z: number[]) => -Math.log(softmax64(z)[label]);
    const se = (z: number[]) => softmax64(z).reduce((a, v, i) => a + (v - (i === label ? 1 : 0)) ** 2, 0);
    const gCE = numericGradient(ce, z), gSE = numericGradient(se, z);

    const [ceK, seK] = [(await value<number[]>(nb, "gCE"))[label], (await value<number[]>(nb, "gSE"))[label]];
    assert.ok(
      Math.abs(ceK / gCE[label] - 1) < 1e-3 && Math.abs(seK / gSE[label] - 1) < 1e-3,
      `${ceK} ${seK}`,
    );
    const ratio = ceK / seK;
    assert.ok(Math.abs(ratio / (gCE[label] / gSE[label]) - 1) < 1e-3, `ratio ${ratio}`);
    assert.ok(
      ratio > 1000,
      `cross-entropy's push on the label's input is ${ratio} times the squared error's`,
    );

    const [normCE, normSE] = [await value<number>(nb, "nCE"), await value<number>(nb, "nSE")];
    const norm = (v: number[]) => Math.hypot(...v);
    assert.ok(Math.abs(normCE / norm(gCE) - 1) < 1e-3 && Math.abs(normSE / norm(gSE) - 1) < 1e-3);
    assert.ok(normCE / normSE > 5, `whole-gradient ratio ${normCE / normSE}`);

    assert.equal((await value<number[]>(nb, "ss")).length, 121);
    const diff = await value<number>(nb, "gradDiff");
    assert.ok(diff >= 0 && diff < 1e-5, `hand-derived gradients vs tf.grad: ${diff}`);

    const [stepsCE, stepsSE] = [await value<number>(nb, "stepsCE"), await value<number>(nb, "stepsSE")];
    assert.ok(stepsCE >= 1 && stepsCE < 20, `cross-entropy: ${stepsCE} steps`);
    assert.ok(stepsSE > 10 * stepsCE, `squared error: ${stepsSE} steps, cross-entropy ${stepsCE}`);
  },
);

testEditions("02", "every exercise's folded solution is right; tfjs tensors are all freed", async (nb) => {
  assert.deepEqual(
    exerciseResults(nb),
    [1, 2, 3, 4].map((n) => ({ number: n, verdict: "right" })),
  );
  const [now, atStart] = [await value<number>(nb, "tensorsAtEnd"), await value<number>(nb, "tensorsAtStart")];
  assert.equal(now, atStart, `${now} tensors now, ${atStart} after setup`);
});
