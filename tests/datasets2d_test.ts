/** Tests of lib/datasets2d.ts: the four data sets' shapes, labels and geometry, seeding, noise and bad arguments. */
import { assert } from "./assert.ts";
import { dataset2d, DATASET_EXTENT, DATASETS, type Points2d } from "../lib/datasets2d.ts";

/** The points as [x1, x2, label] triples. */
function triples(p: Points2d): [number, number, number][] {
  const n = p.labels.length;
  return p.labels.map((label, k) => [p.X.data[k], p.X.data[n + k], label]);
}

Deno.test("dataset2d: every data set splits its points in half, both labels equally often, 2 x N", () => {
  for (const name of DATASETS) {
    const d = dataset2d(name, { points: 400, seed: 3 });
    assert.equal(d.name, name);
    assert.equal(d.train.X.rows, 2);
    assert.equal(d.train.X.cols, 200);
    assert.equal(d.test.X.cols, 200);
    assert.equal(d.train.labels.length, 200);
    const all = [...d.train.labels, ...d.test.labels];
    assert.equal(all.filter((l) => l === 1).length, 200, `${name}: half of the points have label 1`);
    assert.ok(all.every((l) => l === 0 || l === 1));
    // Both halves hold both labels (a seeded shuffle, not the generation order).
    for (const half of [d.train, d.test]) {
      const ones = half.labels.filter((l) => l === 1).length;
      assert.ok(ones > 70 && ones < 130, `${name}: ${ones} of 200 with label 1 in one half`);
    }
    assert.ok([...d.train.X.data, ...d.test.X.data].every(Number.isFinite));
  }
});

Deno.test("dataset2d: the labels follow each data set's geometry (no noise)", () => {
  const at = (name: (typeof DATASETS)[number]) =>
    triples(dataset2d(name, { noise: 0, seed: 5 }).train).concat(
      triples(dataset2d(name, { noise: 0, seed: 5 }).test),
    );
  for (const [x1, x2, label] of at("xor")) {
    assert.equal(x1 * x2 > 0 ? 1 : 0, label, `xor: (${x1}, ${x2}) has label ${label}`);
    assert.ok(Math.abs(x1) <= DATASET_EXTENT && Math.abs(x2) <= DATASET_EXTENT);
  }
  for (const [x1, x2, label] of at("circles")) {
    const r = Math.hypot(x1, x2);
    assert.ok(
      label === 0 ? r <= 0.5 + 1e-6 : r >= 0.7 - 1e-6 && r <= 1 + 1e-6,
      `circles: r ${r}, label ${label}`,
    );
  }
  const mean = (points: [number, number, number][], label: number, i: number) => {
    const mine = points.filter((p) => p[2] === label);
    return mine.reduce((s, p) => s + p[i], 0) / mine.length;
  };
  const g = at("gaussians");
  assert.ok(mean(g, 1, 0) > 0.4 && mean(g, 1, 1) > 0.4, "gaussians: label 1 around (0.5, 0.5)");
  assert.ok(mean(g, 0, 0) < -0.4 && mean(g, 0, 1) < -0.4, "gaussians: label 0 around (-0.5, -0.5)");
  // Spiral: the two arms are the same curve turned by half a turn, so (x1, x2) on arm 0 is (-x1, -x2) on arm 1.
  const s = at("spiral");
  assert.ok(s.every(([x1, x2]) => Math.hypot(x1, x2) <= DATASET_EXTENT + 1e-6));
  const arm1 = s.filter((p) => p[2] === 1);
  for (const [x1, x2] of s.filter((p) => p[2] === 0)) {
    const nearest = Math.min(...arm1.map(([y1, y2]) => Math.hypot(y1 + x1, y2 + x2)));
    assert.ok(
      nearest < 1e-5,
      `spiral: (${x1}, ${x2}) turned by half a turn is on the other arm (${nearest})`,
    );
  }
});

Deno.test("dataset2d: the same seed gives the same points, another seed others; noise moves points across", () => {
  for (const name of DATASETS) {
    const a = dataset2d(name, { seed: 7 }),
      b = dataset2d(name, { seed: 7 }),
      c = dataset2d(name, { seed: 8 });
    assert.deepEqual(Array.from(a.train.X.data), Array.from(b.train.X.data));
    assert.deepEqual(a.test.labels, b.test.labels);
    assert.notDeepEqual(Array.from(a.train.X.data), Array.from(c.train.X.data));
  }
  // XOR with much noise: some points lie in a quadrant of the other label; without noise none does.
  const wrongSide = (noise: number) => {
    const d = dataset2d("xor", { noise, seed: 2 });
    return triples(d.train).filter(([x1, x2, label]) => (x1 * x2 > 0 ? 1 : 0) !== label).length;
  };
  assert.equal(wrongSide(0), 0);
  assert.ok(wrongSide(0.3) > 10, `noise 0.3: ${wrongSide(0.3)} points across`);
});

Deno.test("dataset2d: bad arguments get an error naming them", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => dataset2d("moons" as never), /unknown data set "moons": expected one of "xor", "circles"/],
    [() => dataset2d("xor", { points: 3 }), /points must be an even whole number >= 4/],
    [() => dataset2d("xor", { points: 101 }), /points must be an even whole number/],
    [() => dataset2d("xor", { noise: -0.1 }), /noise must be a number with 0 <= noise <= 1, got -0.1/],
    [() => dataset2d("xor", { noise: NaN }), /noise must be a number/],
    [() => dataset2d("xor", { seed: 1.5 }), /seed must be an integer, got 1.5/],
    [() => dataset2d("xor", { testFraction: 1 }), /testFraction must be a number with 0 <= testFraction < 1/],
  ];
  for (const [f, message] of cases) assert.throws(f, message);
});
