/**
 * Notebook 05 (the playground): the key results on the executed notebook, in both editions, read from the
 * numbers each playground output carries (its own MIME type, lib/playground.ts) and from the notebook's
 * variables (tests/notebooks.ts value), never from its printed sentences: XOR learned, the circles need at
 * least three ReLU neurons, three layers beat one on the spiral with the same parameters, a deep sigmoid
 * network stays behind a deep ReLU one with a vanishing gradient, a learning rate too large kills neurons
 * (recounted here from the trained weights) or diverges with the contract's error, the replays carry their
 * frames and play button, the live redraws stayed under ~10 a second, and every exercise's solution is right.
 * Timings are printed, never asserted.
 */
import { assert } from "./assert.ts";
import {
  errorOutputs,
  type ExecutedNotebook,
  exerciseResults,
  outputsText,
  outputsWithMime,
  testEditions,
  value,
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

/** A matrix as the notebook's variables hold it (lib/matrix.ts: row-major). */
type Matrix = { rows: number; cols: number; data: number[] };

/** A run of `playground` as a notebook variable holds it (lib/playground.ts PlaygroundRun), in part. */
interface Run {
  sizes: number[];
  trainAccuracy: number;
  testAccuracy: number;
  frames: unknown[];
  updates: number;
  seconds: number;
  net: { W: Matrix[]; b: Matrix[]; hidden: string };
  data: { train: { X: Matrix } };
}

/** The playground outputs of the notebook, in order. */
function records(nb: ExecutedNotebook): Record[] {
  return outputsWithMime(nb, PLAYGROUND_MIME) as Record[];
}

/** The one record of a run with these layer sizes and learning rate. */
function find(all: Record[], sizes: number[], eta?: number): Record {
  const found = all.filter((r) =>
    r.sizes.join("-") === sizes.join("-") && (eta === undefined || r.eta === eta)
  );
  assert.equal(found.length, 1, `expected one playground output of ${sizes.join("-")}, got ${found.length}`);
  return found[0];
}

testEditions("05", "runs without error outputs, with plots and five playground outputs", (nb) => {
  assert.deepEqual(errorOutputs(nb), []);
  assert.ok(outputsWithMime(nb, PLOTLY).length >= 10, "expected at least 10 plotly figures");
  assert.equal(records(nb).length, 5);
  console.log(`${nb.run.name} ran in ${nb.run.seconds.toFixed(1)} s`);
});

testEditions(
  "05",
  "XOR is learned by 2-4-2 tanh; the live output redrew at most ~10 times a second",
  async (nb) => {
    const record = find(records(nb), [2, 4, 2]);
    assert.equal(record.data, "xor");
    assert.ok(record.trainAccuracy >= 0.95 && record.testAccuracy >= 0.9, JSON.stringify(record));
    assert.ok(record.frames >= 10);
    assert.ok(record.updates <= 10 * record.seconds + 1, `${record.updates} redraws in ${record.seconds} s`);
    // What the notebook reports of the run is what its output recorded.
    const xor = await value<Run>(nb, "xor");
    assert.equal(xor.updates, record.updates);
    assert.equal(xor.frames.length, record.frames);
    assert.equal(xor.seconds, record.seconds);
    assert.ok(xor.seconds > 0);
  },
);

testEditions("05", "the circles need at least three ReLU neurons; eight fit them", async (nb) => {
  const circles = await value<Run[]>(nb, "circles");
  assert.deepEqual(circles.map((run) => run.sizes), [[2, 1, 2], [2, 2, 2], [2, 3, 2], [2, 8, 2]]);
  // The fewest neurons reaching 95% training accuracy, read off the four runs here.
  const fewest = circles.find((run) => run.trainAccuracy >= 0.95)?.sizes[1];
  assert.equal((await value<Run>(nb, "enough")).sizes[1], fewest);
  assert.ok(fewest !== undefined && fewest >= 3 && fewest <= 8, `fewest ${fewest}`);
  const eight = circles[3].trainAccuracy;
  assert.ok(eight >= 0.95, `2-8-2 on the circles: ${100 * eight}%`);
});

testEditions(
  "05",
  "on the spiral three hidden layers beat one with the same number of parameters",
  async (nb) => {
    const all = records(nb);
    const shallow = find(all, [2, 125, 2]), deep = find(all, [2, 16, 16, 16, 2], 0.1);
    assert.ok(deep.trainAccuracy >= 0.9, `deep: ${deep.trainAccuracy}`);
    assert.ok(
      deep.trainAccuracy - shallow.trainAccuracy >= 0.2,
      `${deep.trainAccuracy} vs ${shallow.trainAccuracy}`,
    );
    assert.ok(deep.testAccuracy > shallow.testAccuracy);
    assert.equal(await value(nb, "shallowParameters"), 2 * 125 + 125 + 125 * 2 + 2);
    assert.equal(await value(nb, "deepParameters"), 2 * 16 + 16 + 2 * (16 * 16 + 16) + 16 * 2 + 2);
  },
);

testEditions(
  "05",
  "six sigmoid layers stay behind six ReLU layers, with a vanishing gradient",
  async (nb) => {
    const sigmoid = await value<Run>(nb, "deepSigmoid"), relu = await value<Run>(nb, "deepRelu");
    for (const run of [sigmoid, relu]) assert.deepEqual(run.sizes, [2, 12, 12, 12, 12, 12, 12, 2]);
    assert.ok(
      relu.trainAccuracy - sigmoid.trainAccuracy >= 0.25,
      `${sigmoid.trainAccuracy} vs ${relu.trainAccuracy}`,
    );
    // |dL/dW^l| per layer of the starting network, first layer to last: the last's over the first's.
    const gradients = await value<{ sigmoid: number[]; relu: number[] }>(nb, "gradientsAtStart");
    const ratio = (sizes: number[]) => sizes.at(-1)! / sizes[0];
    assert.equal(gradients.sigmoid.length, 7);
    assert.equal(gradients.relu.length, 7);
    const sigmoidRatio = ratio(gradients.sigmoid), reluRatio = ratio(gradients.relu);
    assert.ok(sigmoidRatio > 100 && reluRatio < 10, `${sigmoidRatio} vs ${reluRatio}`);
  },
);

/**
 * The hidden neurons that output 0 for every training point, per hidden layer, recomputed here from a ReLU
 * network's weights in float64: [fewest, most], where a neuron whose largest z is within 1e-4 of 0 (float32
 * rounding could tip it) counts in `most` only.
 */
function deadRange(run: Run): [number[], number[]] {
  const { W, b, hidden } = run.net;
  assert.equal(hidden, "relu");
  const X = run.data.train.X;
  let a = Array.from({ length: X.rows }, (_, i) => X.data.slice(i * X.cols, (i + 1) * X.cols));
  const fewest: number[] = [], most: number[] = [];
  for (let l = 0; l < W.length - 1; l++) {
    const z = Array.from(
      { length: W[l].rows },
      (_, i) =>
        a[0].map((_, n) => a.reduce((s, row, j) => s + W[l].data[i * W[l].cols + j] * row[n], b[l].data[i])),
    );
    const largest = z.map((row) => Math.max(...row));
    fewest.push(largest.filter((m) => m < -1e-4).length);
    most.push(largest.filter((m) => m <= 1e-4).length);
    a = z.map((row) => row.map((v) => Math.max(0, v)));
  }
  return [fewest, most];
}

testEditions(
  "05",
  "a learning rate too large: dead ReLU neurons at η = 1, the divergence error at η = 300",
  async (nb) => {
    const tooLarge = await value<Run>(nb, "tooLarge");
    assert.deepEqual(tooLarge.sizes, [2, 16, 16, 16, 2]);
    const dead = await value<number[]>(nb, "dead");
    assert.equal(dead.length, 3, "one count per hidden layer");
    assert.equal(dead[2], 16, `the last hidden layer is dead: ${dead}`);
    const [fewest, most] = deadRange(tooLarge);
    dead.forEach((n, l) =>
      assert.ok(fewest[l] <= n && n <= most[l], `layer ${l + 1}: ${n}, not ${fewest[l]}`)
    );
    // η = 300 diverges: the run stops early, and the cell prints the error, which names the η and one 10 times
    // smaller to try (its numbers, whatever the language).
    const diverged = find(records(nb), [2, 16, 16, 16, 2], 300);
    assert.equal(diverged.diverged, true);
    assert.ok(diverged.epochsDone < diverged.epochs);
    // The library's DivergenceError, read by its fields (its message is in the notebook's language).
    const error = await value<{ who: string; eta: number; smaller: number; at: { epochs: number } }>(
      nb,
      "divergence",
    );
    assert.deepEqual([error.who, error.eta, error.smaller, error.at.epochs], [
      "SGD",
      300,
      30,
      diverged.epochs,
    ]);
  },
);

testEditions(
  "05",
  "each playground output is the replay: a slider step per frame and a play button",
  (nb) => {
    const outputs = nb.cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.data?.[PLAYGROUND_MIME]));
    assert.equal(outputs.length, 5);
    for (const o of outputs) {
      const record = o.data![PLAYGROUND_MIME] as Record;
      const fig = o.data![PLOTLY] as { layout: { sliders: { steps: unknown[] }[] } };
      assert.equal(fig.layout.sliders[0].steps.length, record.frames);
      const html = Array.isArray(o.data!["text/html"])
        ? o.data!["text/html"].join("")
        : String(o.data!["text/html"]);
      assert.match(html, /class="course-play"/);
    }
  },
);

testEditions("05", "every exercise's solution is right", (nb) => {
  assert.deepEqual(exerciseResults(nb), [1, 2, 3].map((n) => ({ number: n, verdict: "right" })));
});

testEditions("05", "printed lines hold no engine names and no machine paths", (nb) => {
  const text = outputsText(nb);
  assert.doesNotMatch(text, /\b(backend|wasm|webgpu|WebAssembly|tfjs|tensor)\b/i);
  assert.doesNotMatch(text, /\/(work|home|tmp|root|usr)\//);
});
