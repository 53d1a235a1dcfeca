import { assert } from "./assert.ts";
import { randn, rng, shuffle } from "../lib/random.ts";

Deno.test("rng: same seed gives the same sequence, another seed another one", () => {
  const a = rng(42), b = rng(42), c = rng(43);
  const sa = Array.from({ length: 5 }, a);
  assert.deepEqual(sa, Array.from({ length: 5 }, b));
  assert(sa.some((x, i) => x !== Array.from({ length: 5 }, c)[i]));
});

Deno.test("rng: uniform in [0, 1) with mean 1/2 and variance 1/12", () => {
  const r = rng(1);
  const xs = Array.from({ length: 100_000 }, r);
  assert(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  assert(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  assert(Math.abs(variance - 1 / 12) < 0.005, `variance ${variance}`);
});

Deno.test("randn: mean 0 and variance 1", () => {
  const r = rng(7);
  const xs = Array.from({ length: 100_000 }, () => randn(r));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  assert(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
  assert(xs.every(Number.isFinite));
});

Deno.test("shuffle: a permutation, reproducible", () => {
  const xs = shuffle(Array.from({ length: 100 }, (_, i) => i), rng(3));
  assert.deepEqual([...xs].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(xs, shuffle(Array.from({ length: 100 }, (_, i) => i), rng(3)));
});

Deno.test("rng: a non-integer seed is refused", () => {
  assert.throws(() => rng(0.5), /seed must be an integer, got 0.5/);
});

Deno.test("shuffle: bad arguments are named", () => {
  assert.throws(
    () => shuffle(undefined as unknown as number[], rng(1)),
    /shuffle: expected an array, got undefined/,
  );
  assert.throws(
    () => shuffle([1, 2], undefined as unknown as () => number),
    /expected a generator from rng\(seed\)/,
  );
});
