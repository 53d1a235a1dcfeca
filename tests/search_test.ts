/**
 * lib/search.ts: network structures and the structure search (and lib/data.ts's holdOut, which feeds it).
 * References: hand-counted parameters, and the search's documented rules (which candidates survive, how
 * many epochs).
 */
import * as tf from "@tensorflow/tfjs";
import { assert } from "./assert.ts";
import { setupBackend } from "../lib/backend.ts";
import { holdOut, loadDigits, type Split } from "../lib/data.ts";
import {
  parameterCount,
  sampleStructures,
  structureName,
  structureSizes,
  successiveHalving,
} from "../lib/search.ts";

/** The first n examples of a split. */
function head(split: Split, n: number): Split {
  return { x: split.x.slice(0, n * 256), y: split.y.slice(0, n), n };
}

Deno.test("parameterCount: weights and biases, counted by hand", () => {
  // 256*500 + 500 weights and biases into layer 1, 500*500 + 500 into layer 2, 500*10 + 10 into the output.
  assert.equal(parameterCount([256, 500, 500, 10]), 128000 + 500 + 250000 + 500 + 5000 + 10);
  assert.equal(parameterCount([2, 2, 2, 2]), 3 * (4 + 2)); // the lecture's worked example
  assert.equal(parameterCount([256, 10]), 2570);
});

Deno.test("structures: sizes, names, seeded sampling without repeats", () => {
  assert.deepEqual(structureSizes({ depth: 2, width: 128, hidden: "relu" }), [256, 128, 128, 10]);
  assert.equal(structureName({ depth: 1, width: 64, hidden: "sigmoid" }), "256-64-10 sigmoid");
  const space = {
    depths: [1, 2, 3],
    widths: [64, 128],
    hiddens: ["sigmoid", "relu"] as ("sigmoid" | "relu")[],
  };
  const a = sampleStructures(space, 5, 7), b = sampleStructures(space, 5, 7);
  assert.deepEqual(a, b, "same seed, same candidates");
  assert.equal(new Set(a.map((s) => JSON.stringify(s))).size, 5, "no candidate twice");
  assert.equal(sampleStructures(space, 12, 1).length, 12);
  assert.throws(() => sampleStructures(space, 13, 1), /1\.\.12/);
  assert.throws(() => sampleStructures(space, 0, 1), /count/);
});

Deno.test("holdOut: the last examples become the validation set", () => {
  const x = Float32Array.from({ length: 5 * 256 }, (_, i) => Math.floor(i / 256));
  const split = { x, y: Uint8Array.from([0, 1, 2, 3, 4]), n: 5 };
  const { train, validation } = holdOut(split, 2);
  assert.equal(train.n, 3);
  assert.deepEqual(Array.from(train.y), [0, 1, 2]);
  assert.deepEqual(Array.from(validation.y), [3, 4]);
  assert.equal(validation.x[0], 3);
  assert.equal(validation.x.length, 2 * 256);
  assert.throws(() => holdOut(split, 5), /1\.\.4/);
});

Deno.test("successiveHalving: the best by validation accuracy continue, budget as documented", async () => {
  await setupBackend("wasm");
  const digits = await loadDigits({ log: () => {} });
  const data = { train: head(digits.train, 400), validation: head(digits.test, 200) };
  const candidates = [
    { depth: 1, width: 16, hidden: "relu" as const },
    { depth: 1, width: 32, hidden: "sigmoid" as const },
    { depth: 2, width: 16, hidden: "relu" as const },
  ];
  const before = tf.memory().numTensors;
  const seen: string[] = [];
  const result = await successiveHalving(data, candidates, {
    rungEpochs: [1, 2],
    keep: 1 / 3,
    eta: 2e-3,
    seed: 3,
    onTrial: (t) => {
      seen.push(`${t.rung} ${t.name}`);
    },
  });
  assert.equal(tf.memory().numTensors, before, "tensors left behind");
  assert.equal(result.trials.length, 3 + 1);
  assert.equal(seen.length, 4);
  assert.equal(result.epochsSpent, 3 * 1 + 1 * 2);
  const first = result.trials.filter((t) => t.rung === 0);
  const bestFirst = Math.max(...first.map((t) => t.validationAccuracy));
  const survivor = result.trials.find((t) => t.rung === 1)!;
  assert.equal(first.find((t) => t.name === survivor.name)!.validationAccuracy, bestFirst);
  assert.equal(survivor.epochs, 3);
  assert.equal(result.best, survivor);
  assert.equal(survivor.parameters, parameterCount(structureSizes(survivor.structure)));
  assert.equal(survivor.weights.length, survivor.structure.depth + 1);
  await assert.rejects(
    () => successiveHalving(data, [], { rungEpochs: [1], keep: 0.5, eta: 1e-3 }),
    /no candidates/,
  );
  await assert.rejects(
    () => successiveHalving(data, candidates, { rungEpochs: [1], keep: 1, eta: 1e-3 }),
    /keep/,
  );
});

Deno.test("bad input: errors that name what was wrong and what was expected, nothing leaked", async () => {
  await setupBackend("wasm");
  assert.throws(
    () => structureSizes({ depth: -1, width: 8, hidden: "relu" }),
    /depth must be an integer >= 0, got -1/,
  );
  assert.throws(() => structureSizes({ depth: 1.5, width: 8, hidden: "relu" }), /depth/);
  assert.throws(
    () => structureName({ depth: 1, width: 8, hidden: "softsign" as "relu" }),
    /hidden must be one of "sigmoid", "relu", "tanh", got softsign/,
  );
  assert.throws(() => holdOut(undefined as unknown as Split, 3), /expected a Split/);
  const tiny = { x: new Float32Array(4 * 256), y: new Uint8Array(4), n: 4 };
  await assert.rejects(
    () =>
      successiveHalving({ train: tiny } as { train: Split; validation: Split }, [
        { depth: 1, width: 4, hidden: "relu" },
      ], { rungEpochs: [1], keep: 0.5, eta: 1e-3 }),
    /validation are required/,
  );
});
