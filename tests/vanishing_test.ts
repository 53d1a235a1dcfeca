/**
 * lib/vanishing.ts: per-layer gradient sizes. Reference: finite differences of the mean cross-entropy,
 * computed here in float64 plain loops (no tfjs), on a small network with every entry of every W^l.
 */
import { assert, assertClose } from "./assert.ts";
import { setupBackend } from "../lib/backend.ts";
import type { Split } from "../lib/data.ts";
import { rng } from "../lib/random.ts";
import type { TfWeights } from "../lib/train.ts";
import type { Hidden } from "../lib/training.ts";
import { gradientNorms, startingWeights } from "../lib/vanishing.ts";

await setupBackend("wasm");

const SIGMA: Record<Hidden, (z: number) => number> = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  relu: (z) => Math.max(0, z),
  tanh: Math.tanh,
};

/** Mean cross-entropy of the network on the batch, float64, one example at a time. */
function meanC(
  weights: { W: Float64Array; b: Float32Array; shape: [number, number] }[],
  hidden: Hidden,
  s: Split,
) {
  const inputs = weights[0].shape[1];
  let total = 0;
  for (let k = 0; k < s.n; k++) {
    let a = Array.from(s.x.subarray(k * inputs, (k + 1) * inputs));
    weights.forEach(({ W, b, shape: [rows, cols] }, l) => {
      const z = Array.from({ length: rows }, (_, i) => {
        let sum = b[i];
        for (let j = 0; j < cols; j++) sum += W[i * cols + j] * a[j];
        return sum;
      });
      a = l === weights.length - 1 ? z : z.map(SIGMA[hidden]);
    });
    const max = Math.max(...a);
    const logSum = max + Math.log(a.reduce((t, z) => t + Math.exp(z - max), 0));
    total += logSum - a[s.y[k]]; // C = -ln softmax(z)_label
  }
  return total / s.n;
}

/** |dC/dW^l| by central differences, for every layer. */
function finiteDifferenceNorms(weights: TfWeights[], hidden: Hidden, s: Split): number[] {
  const w64 = weights.map(({ W, b, shape }) => ({ W: Float64Array.from(W), b, shape }));
  const h = 1e-5;
  return w64.map(({ W }) => {
    let squares = 0;
    for (let i = 0; i < W.length; i++) {
      const keep = W[i];
      W[i] = keep + h;
      const up = meanC(w64, hidden, s);
      W[i] = keep - h;
      const down = meanC(w64, hidden, s);
      W[i] = keep;
      squares += ((up - down) / (2 * h)) ** 2;
    }
    return Math.sqrt(squares);
  });
}

Deno.test("startingWeights: seeded, within +-1/sqrt(n_{l-1}), in the lecture's layout", () => {
  const w = startingWeights([9, 4, 3], 2);
  assert.deepEqual(w.map((l) => l.shape), [[4, 9], [3, 4]]);
  assert.ok(w[0].W.every((v) => Math.abs(v) <= 1 / 3) && w[0].b.every((v) => Math.abs(v) <= 1 / 3));
  assert.ok(w[1].W.every((v) => Math.abs(v) <= 1 / 2));
  assert.deepEqual(startingWeights([9, 4, 3], 2), w);
  assert.notDeepEqual(startingWeights([9, 4, 3], 3), w);
  assert.throws(() => startingWeights([9], 1), /at least two/);
});

for (const hidden of ["sigmoid", "relu", "tanh"] as Hidden[]) {
  Deno.test(`gradientNorms (${hidden}): tfjs autodiff agrees with finite differences`, () => {
    const r = rng(4);
    const batch: Split = {
      x: Float32Array.from({ length: 12 * 6 }, () => r()),
      y: Uint8Array.from({ length: 12 }, () => Math.floor(r() * 3)),
      n: 12,
    };
    const weights = startingWeights([6, 5, 5, 4, 3], 11);
    const norms = gradientNorms(weights, hidden, batch);
    const reference = finiteDifferenceNorms(weights, hidden, batch);
    assert.equal(norms.length, 4);
    reference.forEach((ref, l) => assertClose(norms[l], ref, 2e-4 * ref + 1e-7, `layer ${l + 1}`));
  });
}

Deno.test("gradientNorms: deep sigmoid gradients shrink towards the input, ReLU's much less", () => {
  const r = rng(9);
  const batch: Split = {
    x: Float32Array.from({ length: 50 * 32 }, () => r()),
    y: Uint8Array.from({ length: 50 }, () => Math.floor(r() * 10)),
    n: 50,
  };
  const weights = startingWeights([32, 32, 32, 32, 32, 10], 1);
  const sigmoid = gradientNorms(weights, "sigmoid", batch), relu = gradientNorms(weights, "relu", batch);
  assert.ok(sigmoid.at(-1)! / sigmoid[0] > 10 * (relu.at(-1)! / relu[0]), `${sigmoid} vs ${relu}`);
  assert.throws(() => gradientNorms(weights, "sigmoid", { ...batch, n: 49 }), /49 x 32 inputs/);
});
