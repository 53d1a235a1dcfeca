/**
 * Notebook 04 (handwritten digits): the key results on the executed notebook.
 * Accuracy thresholds from issue 4 (best fully connected >= 96%, CNN >= 97.5%, the searched network at least as
 * good as the hand-designed one), the split checked against lib/data.ts loaded independently here, the
 * vanishing-gradient finding, the grid's trend lines against the grid's own numbers, the exercises' verdicts
 * with their solutions in place, and no leaked tensors. Timings are printed, never asserted.
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
import { loadDigits, sha256 } from "../lib/data.ts";

import { PLOTLY_MIME as PLOTLY } from "../tools/notebook.ts";

/** Every `test accuracy: NN.NN% (<model name>)` line: the accuracy in percent and the model's name. */
function accuracyLines(text: string): { percent: number; name: string }[] {
  return [...text.matchAll(/^test accuracy: (\d+\.\d\d)% \((.+)\)$/gm)].map((m) => ({
    percent: Number(m[1]),
    name: m[2],
  }));
}

/** The one accuracy line whose model name starts with `prefix`. */
function accuracyOf(text: string, prefix: string): number {
  const found = accuracyLines(text).filter((l) => l.name.startsWith(prefix));
  assert.equal(found.length, 1, `expected one "test accuracy" line for "${prefix}", got ${found.length}`);
  return found[0].percent;
}

Deno.test("04: runs without error outputs, with plots", async () => {
  const nb = await executedNotebook("04");
  assert.deepEqual(errorOutputs(nb), []);
  assert.ok(outputsWithMime(nb, PLOTLY).length >= 15, "expected at least 15 plotly figures");
});

Deno.test("04: the split is lib/data.ts's seeded 8,000 / 2,000 split", async () => {
  const text = outputsText(await executedNotebook("04"));
  const digits = await loadDigits({ log: () => {} });
  assert.match(
    text,
    new RegExp(`^digits: ${digits.train.n} for training, ${digits.test.n} for testing`, "m"),
  );
  assert.equal(digits.train.n, 8000);
  assert.equal(digits.test.n, 2000);
  const first = text.match(/^split check: first 20 test labels (\d{20})$/m)?.[1];
  assert.equal(first, Array.from(digits.test.y.slice(0, 20)).join(""));
  const hash = text.match(/^split check: SHA-256 of the test labels ([0-9a-f]{64})$/m)?.[1];
  assert.equal(hash, await sha256(digits.test.y));
});

Deno.test("04: every trained model prints one well-formed test accuracy line", async () => {
  const text = outputsText(await executedNotebook("04"));
  const all = text.split("\n").filter((line) => line.startsWith("test accuracy:"));
  const parsed = accuracyLines(text);
  assert.equal(parsed.length, all.length, `malformed lines: ${all.join("\n")}`);
  // 1 hand-designed + 24 grid + 12 search candidates + the search winner + the CNN.
  assert.equal(parsed.length, 39, parsed.map((l) => l.name).join("\n"));
  assert.equal(new Set(parsed.map((l) => l.name)).size, parsed.length, "model names must be unique");
  parsed.forEach((l) => assert.ok(l.percent >= 0 && l.percent <= 100, `${l.name}: ${l.percent}`));
});

Deno.test("04: accuracy thresholds (issue 4)", async () => {
  const text = outputsText(await executedNotebook("04"));
  const hand = accuracyOf(text, "hand-designed");
  const searched = accuracyOf(text, "search winner");
  const cnn = accuracyOf(text, "CNN");
  const bestDense = Math.max(
    ...accuracyLines(text).filter((l) => !l.name.startsWith("CNN")).map((l) => l.percent),
  );
  assert.ok(bestDense >= 96, `best fully connected network: ${bestDense}% < 96%`);
  assert.ok(hand >= 96, `hand-designed 256-500-500-10: ${hand}% < 96%`);
  assert.ok(searched >= hand, `search winner ${searched}% is worse than the hand-designed ${hand}%`);
  assert.ok(cnn >= 97.5, `CNN: ${cnn}% < 97.5%`);
  assert.ok(
    cnn > bestDense,
    `the CNN (${cnn}%) should beat the best fully connected network (${bestDense}%)`,
  );
  // The CNN has fewer parameters than the hand-designed network.
  const [handParameters] = numbersAfter(text, "compare: hand-designed 256-500-500-10:");
  const [cnnParameters] = numbersAfter(text, "compare: CNN:");
  assert.equal(handParameters, 256 * 500 + 500 + 500 * 500 + 500 + 500 * 10 + 10);
  assert.ok(cnnParameters < handParameters, `${cnnParameters} vs ${handParameters}`);
});

Deno.test("04: the grid shows deep sigmoid + SGD failing and ReLU + Adam fixing it", async () => {
  const text = outputsText(await executedNotebook("04"));
  const grid = accuracyLines(text).filter((l) => l.name.startsWith("grid:"));
  assert.equal(grid.length, 24);
  const depthOf = (name: string) => name.match(/256-([\d-]+)-10 /)![1].split("-").length;
  const sigmoid = grid.filter((l) => l.name.includes("sigmoid, SGD"));
  const relu = grid.filter((l) => l.name.includes("ReLU, Adam"));
  // Deep sigmoid networks with plain gradient descent stay near chance (10%) ...
  sigmoid.filter((l) => depthOf(l.name) >= 3).forEach((l) =>
    assert.ok(l.percent < 20, `${l.name}: ${l.percent}%`)
  );
  // ... while one sigmoid layer learns, and every ReLU + Adam network learns, deep ones included.
  sigmoid.filter((l) => depthOf(l.name) === 1).forEach((l) =>
    assert.ok(l.percent > 70, `${l.name}: ${l.percent}%`)
  );
  relu.forEach((l) => assert.ok(l.percent > 80, `${l.name}: ${l.percent}%`));
  const [sigmoidRatio, reluRatio] = numbersAfter(
    text,
    "vanishing gradient: with sigmoid the first layer's gradient is",
  )
    .filter((_, i) => i === 0 || i === 1);
  assert.ok(sigmoidRatio > 100, `sigmoid: first layer's gradient only ${sigmoidRatio} times smaller`);
  assert.ok(reluRatio < 10, `ReLU: first layer's gradient ${reluRatio} times smaller`);
});

Deno.test("04: the last hidden layer separates the digits better than the raw pixels", async () => {
  const text = outputsText(await executedNotebook("04"));
  const raw = numbersAfter(text, "raw pixels: the 2-D projection keeps").at(-1)!;
  const hidden = numbersAfter(text, "last hidden layer: the 2-D projection keeps").at(-1)!;
  assert.ok(hidden > raw + 10, `nearest class centre in 2-D: raw ${raw}%, hidden ${hidden}%`);
});

Deno.test("04: the softmax outputs are probabilities and the tensors are freed", async () => {
  const text = outputsText(await executedNotebook("04"));
  const outputs = [...text.matchAll(/^test digit (\d+) \(label \d\): y = \[([^\]]+)\]/gm)];
  assert.equal(outputs.length, 3, "expected the softmax outputs of 3 test digits");
  for (const [, k, values] of outputs) {
    const y = values.split(",").map(Number);
    assert.equal(y.length, 10);
    assert.ok(
      Math.abs(y.reduce((a, b) => a + b, 0) - 1) < 0.01,
      `test digit ${k}: y = ${y} does not sum to 1`,
    );
  }
  const [atStart, now] = numbersAfter(text, "tensors:");
  assert.equal(now, atStart, "tensors left behind");
});

Deno.test("04: every exercise is right with its folded solution in place", async () => {
  const verdicts = exerciseVerdicts(await executedNotebook("04"));
  assert.deepEqual(verdicts.map((v) => v.name), ["exercise 1", "exercise 2", "exercise 3", "exercise 4"]);
  verdicts.forEach((v) => assert.equal(v.verdict, "right", `${v.name}: ${v.verdict}`));
});

Deno.test("04: printed lines hold no engine names, no machine paths, no '1 epochs'", async () => {
  const text = outputsText(await executedNotebook("04"));
  assert.doesNotMatch(text, /\b(backend|wasm|webgpu|WebAssembly)\b/i);
  assert.doesNotMatch(text, /\/(work|home|tmp|root)\//);
  assert.doesNotMatch(text, /(^|[^\d])1 epochs/);
});

Deno.test("04: each trend line says what the grid's own accuracy lines show", async () => {
  const text = outputsText(await executedNotebook("04"));
  const grid = accuracyLines(text).filter((l) => l.name.startsWith("grid:")).map((l) => {
    const [, hidden, setting] = l.name.match(/^grid: 256-([\d-]+)-10 (.+), \d+ epochs$/)!;
    const layers = hidden.split("-").map(Number);
    return { setting, depth: layers.length, width: layers[0], percent: l.percent };
  });
  const lines = [
    ...text.matchAll(/^(.+), (\d+) (neurons per layer|hidden layers?): ([\d. >-]+)% for .+: (.+)$/gm),
  ];
  assert.equal(
    lines.length,
    2 * 3 + 2 * 4,
    "one trend line per setting and width, and per setting and depth",
  );
  for (const [line, setting, fixed, kind, numbers, says] of lines) {
    const alongDepth = kind === "neurons per layer";
    const expected = grid
      .filter((g) => g.setting === setting && (alongDepth ? g.width : g.depth) === Number(fixed))
      .sort((p, q) => (alongDepth ? p.depth - q.depth : p.width - q.width))
      .map((g) => g.percent);
    const printed = numbers.split(" -> ").map(Number);
    assert.deepEqual(printed, expected, line);
    const first = printed[0], last = printed.at(-1)!;
    const spread = Math.max(...printed) - Math.min(...printed);
    if (says.startsWith("rises")) assert.ok(last - first > 1, line);
    else if (says.startsWith("falls")) assert.ok(first - last > 1, line);
    else if (says.startsWith("stays within 1 point")) assert.ok(spread <= 1 + 1e-9, line);
    else assert.match(says, /^goes up and down/, line);
  }
});
