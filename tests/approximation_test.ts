/**
 * lib/approximation.ts against independent references: the gradient against tfjs autodiff (tf.grads) and
 * float64 central differences, the output against a plain formula, and fitting that reduces the error.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, maxRelativeError } from "./assert.ts";
import {
  curveError,
  curveGradient,
  type CurveNet,
  curveNet,
  curveOutput,
  fitCurve,
} from "../lib/approximation.ts";
import { HIDDENS } from "../lib/training.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

const xs = [-2.5, -1, -0.2, 0.4, 1.3, 2.9];
const ys = [0.3, -1.2, 0.5, 0.9, -0.4, 1.1];

/** The gradient by tfjs autodiff of E = mean((sum_k v_k sigma(w_k x + b_k) + c - y)^2), in float32. */
function tfGradient(net: CurveNet): number[][] {
  const sigma = { sigmoid: tf.sigmoid, tanh: tf.tanh, relu: tf.relu }[net.hidden];
  return tf.tidy(() => {
    const x = tf.tensor2d(xs, [xs.length, 1]), y = tf.tensor1d(ys);
    const loss = (w: tf.Tensor, b: tf.Tensor, v: tf.Tensor, c: tf.Tensor) =>
      tf.mean(tf.square(tf.sub(tf.add(tf.sum(tf.mul(sigma(tf.add(tf.mul(x, w), b)), v), 1), c), y)));
    const grads = tf.grads(loss)([
      tf.tensor1d(Array.from(net.w)),
      tf.tensor1d(Array.from(net.b)),
      tf.tensor1d(Array.from(net.v)),
      tf.scalar(net.c),
    ]);
    return grads.map((g) => Array.from(g.dataSync()));
  });
}

Deno.test("curveOutput: sum_k v_k sigma(w_k x + b_k) + c, written out", () => {
  const net: CurveNet = {
    w: Float64Array.of(1, -2),
    b: Float64Array.of(0, 1),
    v: Float64Array.of(3, 0.5),
    c: -1,
    hidden: "sigmoid",
  };
  const s = (z: number) => 1 / (1 + Math.exp(-z));
  assertClose(curveOutput(net, [0, 2]), [3 * 0.5 + 0.5 * s(1) - 1, 3 * s(2) + 0.5 * s(-3) - 1], 1e-12);
  assertClose(curveError(net, [0], [1]), (1.5 + 0.5 * s(1) - 1 - 1) ** 2, 1e-12);
});

Deno.test("curveGradient: equals tfjs autodiff and central differences, for every activation", () => {
  for (const hidden of HIDDENS) {
    const net = curveNet(4, 3, hidden);
    net.c = 0.25;
    const g = curveGradient(net, xs, ys);
    const ours = [g.dw, g.db, g.dv, [g.dc]].map((a) => Array.from(a));
    const theirs = tfGradient(net);
    ours.forEach((a, i) => {
      const err = maxRelativeError(a, theirs[i], 1e-3);
      assert.ok(err < 1e-4, `${hidden}: parameter group ${i} differs from tf.grads by ${err}`);
    });
    // float64 central differences on c and on w_0 (E as a function of one parameter).
    const h = 1e-6;
    const around = (set: (v: number) => void, p: number) => {
      set(p + h);
      const up = curveError(net, xs, ys);
      set(p - h);
      const down = curveError(net, xs, ys);
      set(p);
      return (up - down) / (2 * h);
    };
    assertClose(g.dc, around((v) => (net.c = v), net.c), 1e-6, `${hidden} dE/dc`);
    assertClose(g.dw[0], around((v) => (net.w[0] = v), net.w[0]), 1e-6, `${hidden} dE/dw_0`);
    assertClose(g.error, curveError(net, xs, ys), 1e-12);
  }
});

Deno.test("fitCurve: the error falls, wider fits closer, the same options give the same fit", () => {
  const points = Array.from({ length: 31 }, (_, i) => -3 + i * 0.2);
  const target = points.map((x) => Math.sin(2 * x));
  const narrow = fitCurve(points, target, { width: 1, seed: 1, steps: 1500 });
  const wide = fitCurve(points, target, { width: 10, seed: 1, steps: 1500 });
  assert.equal(wide.errors.length, 1501);
  assert.ok(
    wide.errors[1500] < wide.errors[0] / 10,
    `the error did not fall: ${wide.errors[0]} -> ${wide.errors[1500]}`,
  );
  assert.ok(wide.errors[1500] < narrow.errors[1500], "10 hidden neurons fit worse than 1");
  assert.equal(wide.errors[1500], curveError(wide.net, points, target));
  const again = fitCurve(points, target, { width: 10, seed: 1, steps: 1500 });
  assert.deepEqual(Array.from(again.net.w), Array.from(wide.net.w));
  assert.notDeepEqual(Array.from(curveNet(10, 2).w), Array.from(curveNet(10, 1).w));
});

Deno.test("approximation: bad input is refused with a message naming it", () => {
  assert.throws(() => fitCurve([1, 2], [1], { width: 3, seed: 1 }), /as many targets as inputs/);
  assert.throws(() => fitCurve([1, NaN], [1, 2], { width: 3, seed: 1 }), /point 1 is \(NaN, 2\)/);
  assert.throws(() => fitCurve([1], [1], { width: 0, seed: 1 }), /width must be a whole number >= 1/);
  assert.throws(() => fitCurve([1], [1], { width: 2, seed: 1, eta: -1 }), /learning rate eta/);
  assert.throws(() => curveNet(2, 1, "step" as never), /hidden must be one of/);
  assert.throws(
    () => fitCurve([1e3, -1e3], [1e300, -1e300], { width: 2, seed: 1, eta: 1e3 }),
    /error became/,
  );
});
