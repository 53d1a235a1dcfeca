/**
 * Notebook 05 (the playground): the key results on the executed notebook, read from the numbers each
 * playground output carries (its own MIME type, lib/playground.ts) and from the printed lines' numbers:
 * XOR learned, the circles need at least three ReLU neurons, three layers beat one on the spiral with the same
 * parameters, a deep sigmoid network stays behind a deep ReLU one with a vanishing gradient, a learning rate
 * too large kills neurons or diverges with the contract's error, the replays carry their frames and play
 * button, the live redraws stayed under ~10 a second, and every exercise's solution is right.
 * Timings are printed, never asserted.
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
import { PLAYGROUND_MIME } from "../lib/playground.ts";

import { PLOTLY_MIME as PLOTLY } from "../tools/notebook.ts";

/** What a playground output records about its run. */
interface Record {
  data: string;
  sizes: number[];
  hidden: string;
  eta: number;
  epochs: number;
  epochsDone: number;
  trainAccuracy: number;
  testAccuracy: number;
  frames: number;
  updates: number;
  seconds: number;
  diverged: boolean;
  stopped: unknown;
}

/** The playground outputs of the notebook, in order. */
async function records(): Promise<Record[]> {
  return outputsWithMime(await executedNotebook("05"), PLAYGROUND_MIME) as Record[];
}

/** The one record of a run with these layer sizes and learning rate. */
function find(all: Record[], sizes: number[], eta?: number): Record {
  const found = all.filter((r) =>
    r.sizes.join("-") === sizes.join("-") && (eta === undefined || r.eta === eta)
  );
  assert.equal(found.length, 1, `expected one playground output of ${sizes.join("-")}, got ${found.length}`);
  return found[0];
}

Deno.test("05: runs without error outputs, with plots and five playground outputs", async () => {
  const nb = await executedNotebook("05");
  assert.deepEqual(errorOutputs(nb), []);
  assert.ok(outputsWithMime(nb, PLOTLY).length >= 10, "expected at least 10 plotly figures");
  assert.equal((await records()).length, 5);
  console.log(`05 ran in ${nb.run.seconds.toFixed(1)} s`);
});

Deno.test("05: XOR is learned by 2-4-2 tanh; the live output redrew at most ~10 times a second", async () => {
  const xor = find(await records(), [2, 4, 2]);
  assert.equal(xor.data, "xor");
  assert.ok(xor.trainAccuracy >= 0.95 && xor.testAccuracy >= 0.9, JSON.stringify(xor));
  assert.ok(xor.frames >= 10);
  assert.ok(xor.updates <= 10 * xor.seconds + 1, `${xor.updates} redraws in ${xor.seconds} s`);
  const text = outputsText(await executedNotebook("05"));
  const [redraws, seconds, frames] = numbersAfter(text, "the live output was redrawn");
  assert.equal(redraws, xor.updates);
  assert.equal(frames, xor.frames);
  assert.ok(seconds > 0);
});

Deno.test("05: the circles need at least three ReLU neurons; eight fit them", async () => {
  const text = outputsText(await executedNotebook("05"));
  const [fewest] = numbersAfter(text, "fewest neurons with at least 95% training accuracy:");
  assert.ok(fewest >= 3 && fewest <= 8, `fewest ${fewest}`);
  const [eight] = numbersAfter(text, "circles, network 2-8-2 relu").filter((_, i) => i === 2);
  assert.ok(eight >= 95, `2-8-2 on the circles: ${eight}%`);
});

Deno.test("05: on the spiral three hidden layers beat one with the same number of parameters", async () => {
  const all = await records();
  const shallow = find(all, [2, 125, 2]), deep = find(all, [2, 16, 16, 16, 2], 0.1);
  assert.ok(deep.trainAccuracy >= 0.9, `deep: ${deep.trainAccuracy}`);
  assert.ok(
    deep.trainAccuracy - shallow.trainAccuracy >= 0.2,
    `${deep.trainAccuracy} vs ${shallow.trainAccuracy}`,
  );
  assert.ok(deep.testAccuracy > shallow.testAccuracy);
  const text = outputsText(await executedNotebook("05"));
  const [p1] = numbersAfter(text, "2-125-2:"), [p3] = numbersAfter(text, "2-16-16-16-2:");
  assert.equal(p1, 2 * 125 + 125 + 125 * 2 + 2);
  assert.equal(p3, 2 * 16 + 16 + 2 * (16 * 16 + 16) + 16 * 2 + 2);
});

Deno.test("05: six sigmoid layers stay behind six ReLU layers, with a vanishing gradient", async () => {
  const text = outputsText(await executedNotebook("05"));
  const accuracy = (hidden: string) =>
    numbersAfter(text, `spiral, network 2-12-12-12-12-12-12-2 ${hidden}, η = 0.05, 200 epochs:`)[0];
  assert.ok(accuracy("relu") - accuracy("sigmoid") >= 25, `${accuracy("sigmoid")} vs ${accuracy("relu")}`);
  const [sigmoidRatio] = numbersAfter(text, "sigmoid: the first layer's gradient is");
  const [reluRatio] = numbersAfter(text, "relu: the first layer's gradient is");
  assert.ok(sigmoidRatio > 100 && reluRatio < 10, `${sigmoidRatio} vs ${reluRatio}`);
});

Deno.test("05: a learning rate too large: dead ReLU neurons at η = 1, the divergence error at η = 300", async () => {
  const text = outputsText(await executedNotebook("05"));
  const dead = numbersAfter(text, "η = 1: neurons that output 0 for every training point, per hidden layer:");
  assert.equal(dead.at(-1), 16, "of 16 each");
  assert.equal(dead[2], 16, `the last hidden layer is dead: ${dead}`);
  assert.match(text, /^η = 300: SGD diverged: .* \(eta = 300\)\. .*try eta = 30\.$/m);
  const diverged = find(await records(), [2, 16, 16, 16, 2], 300);
  assert.equal(diverged.diverged, true);
  assert.ok(diverged.epochsDone < diverged.epochs);
});

Deno.test("05: each playground output is the replay: a slider step per frame and a play button", async () => {
  const nb = await executedNotebook("05");
  const outputs = nb.cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.data?.[PLAYGROUND_MIME]));
  for (const o of outputs) {
    const record = o.data![PLAYGROUND_MIME] as Record;
    const fig = o.data![PLOTLY] as { layout: { sliders: { steps: unknown[] }[] } };
    assert.equal(fig.layout.sliders[0].steps.length, record.frames);
    const html = Array.isArray(o.data!["text/html"])
      ? o.data!["text/html"].join("")
      : String(o.data!["text/html"]);
    assert.match(html, /class="course-play"/);
  }
});

Deno.test("05: every exercise's solution is right", async () => {
  const verdicts = exerciseVerdicts(await executedNotebook("05"));
  assert.deepEqual(verdicts.map((v) => v.name), ["exercise 1", "exercise 2", "exercise 3"]);
  assert.deepEqual(verdicts.filter((v) => v.verdict !== "right"), []);
});

Deno.test("05: printed lines hold no engine names and no machine paths", async () => {
  const text = outputsText(await executedNotebook("05"));
  assert.doesNotMatch(text, /\b(backend|wasm|webgpu|WebAssembly|tfjs|tensor)\b/i);
  assert.doesNotMatch(text, /\/(work|home|tmp|root|usr)\//);
});
