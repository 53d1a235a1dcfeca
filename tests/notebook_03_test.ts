/**
 * Notebook 03 (gradient descent, step 3): the key results on the executed notebook (run with every exercise
 * answered by its folded solution), in both editions. Gradient descent lowers the loss; the first-order rule
 * holds for small steps and fails for large ones; only the too-large learning rate diverges (and it is
 * detected); the derivation on the lecture's network matches a float64 chain rule written here, `backprop`
 * and `tf.grads`; backpropagation agrees with finite differences and with tf.grads on a real network; the sum
 * with eta/m and the mean with eta train alike; training lowers the loss on both engines; every exercise's
 * solution is right. Results are read from the notebook's variables and figures, never from its sentences.
 * Timings are printed, never asserted.
 */
import { assert } from "./assert.ts";
import {
  cellText,
  errorOutputs,
  type ExecutedNotebook,
  exerciseVerdicts,
  outputsText,
  outputsWithMime,
  testEditions,
  value,
} from "./notebooks.ts";
import { PLOTLY_MIME as PLOTLY, sourceText } from "../tools/notebook.ts";

/** A Matrix as the notebook's values hold it. */
interface Mat {
  rows: number;
  cols: number;
  data: number[];
}

/** A plotly figure as an output holds it (the parts these tests read). */
interface Figure {
  data: { x?: number[]; y?: number[] }[];
  layout: { sliders?: { steps?: unknown[] }[] };
}

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

/**
 * The toy's total loss L(w, b) in float64 from its data: output softmax(w x + b, 0), so the label-0 output
 * is sigmoid(w x + b) and C = ln(1 + e^(-z)) for label 0, ln(1 + e^z) for label 1.
 */
function toyLossReference(x: number[], labels: number[], w: number, b: number): number {
  return x.reduce((L, xn, n) => L + Math.log1p(Math.exp(labels[n] === 0 ? -(w * xn + b) : w * xn + b)), 0);
}

/** Whether `actual` is within `relative` of `expected`, relative to its size. */
const near = (actual: number, expected: number, relative: number) =>
  Math.abs(actual - expected) <= relative * Math.abs(expected);

/** The number of weights and biases of a fully connected network with these layer sizes. */
const parameterCount = (sizes: number[]) => sizes.slice(1).reduce((s, n, l) => s + n * sizes[l] + n, 0);

/** Every step lower than the one before. */
const falling = (losses: number[]) => losses.every((l, k) => k === 0 || l < losses[k - 1]);

const figures = (nb: ExecutedNotebook) => outputsWithMime(nb, PLOTLY) as Figure[];

testEditions(
  "03",
  "runs without error outputs, with plots, and prints no machine path or engine detail",
  (nb) => {
    assert.deepEqual(errorOutputs(nb), []);
    assert.ok(figures(nb).length >= 11, "expected at least 11 plotly figures");
    const text = outputsText(nb);
    assert.doesNotMatch(text, /file:\/\/|\/work\/|\/home\/|\/tmp\/|\.bin\b/, "a machine path in the output");
    assert.doesNotMatch(text, /backend|wasm|webgpu|OpenBLAS/i, "engine jargon in the output");
  },
);

testEditions(
  "03",
  "gradient descent on one and two parameters goes downhill on the total loss",
  async (nb) => {
    const x = (await value<Mat>(nb, "xToy")).data, labels = await value<number[]>(nb, "toyLabels");
    const L = (w: number, b: number) => toyLossReference(x, labels, w, b);
    // L(0, 0) = 200 ln 2 for a 50/50 guess on 200 images: the notebook's loss is the lecture's total loss.
    const [L00, ln2] = [Number(await value(nb, "L00")), Number(await value(nb, "ln2"))];
    assert.ok(
      Math.abs(L00 - 200 * Math.LN2) < 1e-3 && Math.abs(ln2 - 200 * Math.LN2) < 1e-3,
      `${L00} ${ln2}`,
    );
    // One parameter: the loss after each of the 10 steps, right by the reference, lower than the one before.
    const path = await value<number[]>(nb, "oneParamPath"),
      losses = await value<number[]>(nb, "oneParamLosses");
    assert.equal(path.length, 11);
    assert.equal(losses.length, 10);
    losses.forEach((l, k) => assert.ok(near(l, L(path[k + 1], 0), 1e-4), `1-D step ${k + 1}: L ${l}`));
    assert.ok(L(path[0], 0) > losses[0] && falling(losses), `1-D: ${losses}`);
    // Two parameters: 30 steps from (1, -3) end far lower.
    const twoParam = await value<number[][]>(nb, "twoParam"),
      twoLosses = await value<number[]>(nb, "twoLosses");
    assert.deepEqual(twoParam[0], [1, -3]);
    assert.equal(twoLosses.length, 31);
    for (const k of [0, 30]) {
      assert.ok(
        near(twoLosses[k], L(twoParam[k][0], twoParam[k][1]), 1e-4),
        `2-D ${k}`,
      );
    }
    assert.ok(twoLosses[30] < twoLosses[0] / 4, `2-D: L ${twoLosses[0]} -> ${twoLosses[30]}`);
  },
);

testEditions("03", "the first-order rule holds for small steps and fails for large ones", async (nb) => {
  const etas = await value<number[]>(nb, "etas"), ratio = await value<number[]>(nb, "ratio");
  const actual = await value<number[]>(nb, "actual"), predicted = await value<number[]>(nb, "predicted");
  // The prediction is −η|g|², with |g|² added up here from the probe network's gradient.
  const g = await value<{ dW: Mat[]; db: Mat[] }>(nb, "g");
  const squaredNorm = [...g.dW, ...g.db].reduce((s, m) => s + m.data.reduce((t, v) => t + v * v, 0), 0);
  predicted.forEach((p, k) => assert.ok(near(p, -etas[k] * squaredNorm, 1e-9), `predicted at η ${etas[k]}`));
  assert.ok(
    Math.abs(etas[0] - 1e-5) < 1e-12 && predicted[0] < 0 && actual[0] < 0,
    `${predicted[0]} ${actual[0]}`,
  );
  assert.ok(Math.abs(ratio[0] - 1) < 0.01, `first order at the smallest η: ratio ${ratio[0]}`);
  const [kBest, kUp] = [await value<number>(nb, "kBest"), await value<number>(nb, "kUp")];
  assert.equal(actual[kBest], Math.min(...actual), "kBest is the lowest L along −g");
  // A curved loss: at the best step the gain is a fraction of the first-order prediction; beyond it, uphill.
  assert.ok(ratio[kBest] > 0.2 && ratio[kBest] < 0.8, `ratio at the best step ${ratio[kBest]}`);
  assert.ok(
    kUp > kBest && actual[kUp] > 0,
    `best η ${etas[kBest]}, uphill from ${etas[kUp]} (+${actual[kUp]})`,
  );
  assert.ok(actual.slice(0, kUp).every((change) => change <= 0), "kUp is the first step uphill");
});

testEditions(
  "03",
  "learning rates: only the too-large one diverges, and the right one gets lowest",
  async (nb) => {
    const runs = await value<{ eta: number; losses: (number | string)[]; diverged: number }[]>(nb, "runs");
    assert.equal(runs.length, 3);
    const [small, right, large] = runs.map((run) => ({ ...run, losses: run.losses.map(Number) }));
    assert.ok(small.eta < right.eta && right.eta < large.eta, `${runs.map((r) => r.eta)}`);
    assert.equal(right.eta, await value(nb, "ETA"));
    // The notebook's verdicts, and the losses behind them.
    assert.deepEqual(runs.map((r) => r.diverged), [-1, -1, large.diverged]);
    assert.ok(falling(small.losses) && falling(right.losses), "the loss fell at every step");
    const k = large.diverged;
    assert.ok(k > 0 && falling(large.losses.slice(0, k)), `too large: diverged at step ${k}`);
    assert.ok(
      large.losses[k] > large.losses[k - 1],
      `at step ${k}: ${large.losses[k - 1]} -> ${large.losses[k]}`,
    );
    const last = [small, right, large].map((r) => r.losses[30]);
    assert.ok(last[1] < last[0] && last[1] < last[2], `after 30 steps: ${last}`);
  },
);

testEditions("03", "the learning-rate slider is a client-side plotly figure with one step per rate", (nb) => {
  const explorer = figures(nb).find((f) => (f.layout.sliders?.length ?? 0) > 0);
  assert.ok(explorer, "no plotly figure with a slider");
  assert.equal(explorer.layout.sliders![0].steps!.length, 10, "one slider step per learning rate");
});

testEditions(
  "03",
  "the lecture's network: forward pass, sigma', delta^3 against a float64 reference",
  async (nb) => {
    const ref = lectureReference();
    const [z, a] = [await value<Mat[]>(nb, "z"), await value<Mat[]>(nb, "a")];
    for (let l = 1; l <= 3; l++) {
      const [zl, al] = [z[l].data, a[l].data];
      assert.ok(zl.every((v, i) => Math.abs(v - ref.z[l - 1][i]) < 1e-4), `z^${l}: ${zl}`);
      assert.ok(al.every((v, i) => Math.abs(v - ref.a[l][i]) < 1e-4), `a^${l}: ${al}`);
    }
    const [fromA, central] = [await value<number[][]>(nb, "fromA"), await value<number[][]>(nb, "central")];
    for (const l of [1, 2]) {
      const [s, c] = [fromA[l - 1], central[l - 1]];
      assert.ok(s.every((v, i) => Math.abs(v - c[i]) < 2e-5), `σ' layer ${l}: ${s} against ${c}`);
      assert.ok(
        s.every((v, i) => Math.abs(v - ref.a[l][i] * (1 - ref.a[l][i])) < 1e-5),
        `σ' layer ${l}: ${s}`,
      );
    }
    const delta3 = (await value<Mat>(nb, "delta3")).data, nudged = await value<number[]>(nb, "nudged");
    assert.ok(delta3.every((v, i) => Math.abs(v - ref.delta3[i]) < 1e-4), `δ³ ${delta3}`);
    assert.ok(nudged.every((v, i) => Math.abs(v - delta3[i]) < 2e-4), `nudged ${nudged}`);
  },
);

testEditions(
  "03",
  "the chain rule for w²₁₁ equals backprop's and tf.grads' to float32 precision",
  async (nb) => {
    const ref = lectureReference();
    for (const name of ["byChainRule", "fromBackprop", "fromTf"]) {
      const v = await value<number>(nb, name);
      assert.ok(Math.abs(v - ref.dw2_11) < 2e-6, `${name} ${v} against the float64 chain rule ${ref.dw2_11}`);
    }
    const relative = Number(await value(nb, "gap"));
    assert.ok(relative >= 0 && relative < 1e-6, `chain rule vs backprop: ${relative}`);
    const [vsBackprop, vsTf] = [await value<number>(nb, "vsBackprop"), await value<number>(nb, "vsTfGrads")];
    assert.ok(vsBackprop < 1e-6 && vsTf < 1e-6, `the derived recursion: ${vsBackprop}, ${vsTf}`);
  },
);

testEditions("03", "exercise 1's answer (dC/dw¹₁₂) is printed nowhere above its exercise", (nb) => {
  const ref = lectureReference();
  const at = nb.cells.findIndex((c) => c.cell_type === "code" && sourceText(c).includes("const answer1"));
  assert.ok(at > 0, "no exercise 1");
  const above = outputsText({ ...nb, cells: nb.cells.slice(0, at) });
  for (const digits of [3, 4, 5]) {
    assert.ok(!above.includes(ref.dw1_12.toFixed(digits)), `${ref.dw1_12.toFixed(digits)} printed above`);
  }
});

testEditions("03", "a far too large learning rate on the real network is detected by SGD", async (nb) => {
  // The library's DivergenceError, read by its fields (its message is in the notebook's language).
  const divergence = await value<{ who: string; at: { epoch: number; epochs: number }; eta: number }>(
    nb,
    "divergence",
  );
  assert.equal(divergence.who, "SGD");
  assert.deepEqual([divergence.at.epoch, divergence.at.epochs, divergence.eta], [1, 1, 50]);
});

testEditions("03", "backpropagation agrees with finite differences and tf.grads (< 1e-3)", async (nb) => {
  const [vsFinite, vsTf] = [await value<number[]>(nb, "vsFinite"), await value<number[]>(nb, "vsTf")];
  // Every layer of the 256-6-6-10 network is checked: W and b of each of its 3 layers.
  assert.equal(vsFinite.length, 6);
  assert.equal(vsTf.length, 6);
  assert.ok(vsFinite.every((e) => e >= 0 && e < 1e-3), `vs finite differences: ${vsFinite}`);
  assert.ok(vsTf.every((e) => e >= 0 && e < 1e-4), `vs tf.grads: ${vsTf}`);
  const parameters = parameterCount([256, 6, 6, 10]);
  assert.equal(await value(nb, "parameterTotal"), parameters);
  assert.equal((await value<{ forwardPasses: number }>(nb, "fd")).forwardPasses, 2 * parameters);
});

testEditions(
  "03",
  "sum vs mean: the sum's gradient grows with m, and sum with η/m trains as mean with η",
  async (nb) => {
    const batchSizes = await value<number[]>(nb, "batchSizes"); // m = 1, 3, 10, 30, 100, 300, 1000
    const lengths = figures(nb).find((f) =>
      f.data.length === 2 && f.data.every((t) => `${t.x}` === `${batchSizes}`)
    );
    assert.ok(lengths, "no gradient-length figure (two traces over the mini-batch sizes)");
    const [sum, mean] = lengths.data.map((t) => t.y!);
    assert.ok(sum[6] / sum[2] > 20, `the sum's gradient over 1000 vs 10 digits: ${sum[6]} / ${sum[2]}`);
    assert.ok(mean[6] / mean[2] > 0.2 && mean[6] / mean[2] < 2, `the mean's: ${mean[6]} / ${mean[2]}`);
    const gaps = await value<number[]>(nb, "gaps");
    assert.equal(gaps.length, 4); // W and b of both layers
    assert.ok(Math.max(...gaps) < 1e-5, `sum with η/m against mean with η: ${gaps}`);
    // The problem's scale: along −g the toy tolerates far larger steps (on the mean's scale) than the network.
    type Along = { best: string; uphill: string };
    const [toy, net] = [await value<Along>(nb, "toy"), await value<Along>(nb, "net")];
    const [toyBest, toyUp, netBest, netUp] = [toy.best, toy.uphill, net.best, net.uphill].map(Number);
    assert.ok(
      toyBest > 2 * netBest && toyUp > netUp,
      `toy ${toyBest}, ${toyUp}; network ${netBest}, ${netUp}`,
    );
  },
);

testEditions("03", "training lowers the loss and reaches a sensible test accuracy", async (nb) => {
  const scratchLoss = await value<number[]>(nb, "scratchLoss");
  const tfLoss = (await value<{ loss: number[] }>(nb, "tfRun")).loss;
  assert.equal(scratchLoss.length, 5);
  assert.ok(falling(scratchLoss), `from scratch: ${scratchLoss}`);
  assert.ok(falling(tfLoss), `tfjs: ${tfLoss}`);
  assert.deepEqual(await value(nb, "lossFell"), { scratch: true, tfjs: true });
  // The progress bar shows the epoch's mean C: the same as the last epoch's.
  const bar = [...cellText(nb, "const scratchBar").matchAll(/\d+\.\d+/g)].map((m) => Number(m[0]));
  assert.ok(bar.some((v) => Math.abs(v - scratchLoss[4]) < 1e-3), `bar ${bar} vs epoch 5 ${scratchLoss[4]}`);
  // The printed test accuracies (%), each the last epoch's of its run.
  for (
    const [printed, run] of [["scratchFinal", "scratchRun"], ["tfFinal", "tfRun"], [
      "deepAccuracy",
      "deepRun",
    ]]
  ) {
    const accuracy = Number(await value(nb, printed));
    const last = (await value<{ testAccuracy: number[] }>(nb, run)).testAccuracy.at(-1)!;
    assert.ok(Math.abs(accuracy - 100 * last) < 0.006, `${printed} ${accuracy}% vs ${run}'s ${100 * last}%`);
    assert.ok(accuracy > 88, `${printed}: ${accuracy}%`);
  }
});

testEditions(
  "03",
  "backprop's cost against finite differences is counted; every exercise is right",
  async (nb) => {
    const cost = await value<{ parameters: number; forwardPasses: number }>(nb, "cost");
    assert.equal(cost.parameters, parameterCount([256, 30, 10]));
    assert.equal(cost.forwardPasses, 2 * cost.parameters);
    const speedup = await value<number>(nb, "speedup");
    assert.ok(speedup > 100, `backprop only ${speedup} times faster than finite differences?`);
    const verdicts = exerciseVerdicts(nb);
    assert.equal(verdicts.length, 3, JSON.stringify(verdicts));
    for (const v of verdicts) assert.equal(v.verdict, "right", `${v.name}: ${v.verdict}`);
  },
);

testEditions("03", "every tfjs tensor the notebook made is freed", async (nb) => {
  const [now, atStart] = [await value(nb, "tensorsAtEnd"), await value(nb, "tensorsAtStart")];
  assert.equal(now, atStart, `${now} tensors now, ${atStart} after setup`);
});
