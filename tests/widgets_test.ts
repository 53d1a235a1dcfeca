/** Tests of lib/widgets.ts: every slider step shows what its formula says, checked point by point. */
import { assert, assertClose } from "./assert.ts";
import { describe } from "../lib/jupyter.ts";
import { gradientDescentExplorer, neuronExplorer } from "../lib/widgets.ts";
import { setLanguage } from "../lib/language.ts";

/** The value a heatmap shows at (px, py): the brick whose centre coordinates are nearest (zsmooth false). */
function brickAt(x: number[], y: number[], z: number[][], px: number, py: number): number {
  const nearest = (axis: number[], p: number) =>
    axis.reduce((best, v, i) => (Math.abs(v - p) < Math.abs(axis[best] - p) ? i : best), 0);
  return z[nearest(y, py)][nearest(x, px)];
}

Deno.test("neuronExplorer: every slider combination shows sigma(w1 x1 + w2 x2 + b)", () => {
  const fig = neuronExplorer({ w1: [-2, 0, 1], w2: [-1, 3], b: [-1, 0, 2] });
  const [s1, s2, sb] = fig.layout.sliders as { steps: { args: [Record<string, unknown[]>, number[]] }[] }[];
  const t = fig.data[0];
  const z = t.z as number[][];
  const sigma = (s: number) => 1 / (1 + Math.exp(-s));
  // The colour scale maps z to [0, 1] over [zmin, zmax]; its stop at t has colour sigma(-6 + 12 t).
  const shown = (zv: number, zmin: number, zmax: number) => sigma(-6 + 12 * (zv - zmin) / (zmax - zmin));
  for (const [i1, w1] of [-2, 0, 1].entries()) {
    for (const [i2, w2] of [-1, 3].entries()) {
      for (const [ib, b] of [-1, 0, 2].entries()) {
        const x = s1.steps[i1].args[0].x[0] as number[], y = s2.steps[i2].args[0].y[0] as number[];
        const zmin = sb.steps[ib].args[0].zmin[0] as number, zmax = sb.steps[ib].args[0].zmax[0] as number;
        for (const [px, py] of [[0.3, -1.7], [-2.2, 2.9], [1.1, 0.4]]) {
          const expected = sigma(w1 * px + w2 * py + b);
          const got = shown(brickAt(x, y, z, px, py), zmin, zmax);
          // One brick spans 0.2 of w x, so the shown value is within sigma's slope (<= 1/4) times 0.1 per axis.
          assert.ok(
            Math.abs(got - expected) < 0.06,
            `w1 ${w1} w2 ${w2} b ${b} at (${px}, ${py}): ${got} vs ${expected}`,
          );
        }
      }
    }
  }
  assert.match(describe(fig), /sliders: w₁, w₂, b\)$/);
  assert.throws(() => neuronExplorer({ w1: [] }), /w1: expected a non-empty array/);
});

Deno.test("gradientDescentExplorer: the paths are w <- w - eta grad L (closed form on the default valley)", () => {
  const rates = [0.05, 0.15, 0.21];
  const fig = gradientDescentExplorer({ rates, steps: 10, start: [-3, 1] });
  const steps =
    (fig.layout.sliders as { steps: { args: [Record<string, number[][]>, number[]] }[] }[])[0].steps;
  assert.equal(steps.length, 3);
  for (const [i, eta] of rates.entries()) {
    const [xs, ts] = steps[i].args[0].x, [ys, ls] = steps[i].args[0].y;
    assert.deepEqual(steps[i].args[1], [1, 3]);
    for (let t = 0; t < xs.length; t++) {
      // L = (w1 - 1)^2 / 2 + 5 (w2 + 0.5)^2: w1_t - 1 = (1 - eta)^t (w1_0 - 1), w2_t + 0.5 = (1 - 10 eta)^t (w2_0 + 0.5)
      const w1 = 1 + (1 - eta) ** t * (-3 - 1), w2 = -0.5 + (1 - 10 * eta) ** t * (1 + 0.5);
      assertClose(xs[t], w1, 1e-9);
      assertClose(ys[t], w2, 1e-9);
      assertClose(ls[t], 0.5 * (w1 - 1) ** 2 + 5 * (w2 + 0.5) ** 2, 1e-9 * Math.max(1, ls[t]));
      assert.equal(ts[t], t);
    }
    assert.equal(xs.length, 11);
  }
  // A custom loss without a gradient gets central differences.
  const custom = gradientDescentExplorer({
    loss: ([a, b]) => a * a + b * b,
    rates: [0.25],
    steps: 2,
    start: [1, 1],
  });
  const xs =
    (custom.layout.sliders as { steps: { args: [Record<string, number[][]>] }[] }[])[0].steps[0].args[0].x[0];
  assertClose(xs, [1, 0.5, 0.25], 1e-6);
});

Deno.test("neuronExplorer, gradientDescentExplorer: titles, axes, legends and sliders follow the language", () => {
  const texts = () => [describe(neuronExplorer()), describe(gradientDescentExplorer())];
  const [neuron, descent] = texts();
  assert.equal(
    neuron,
    "[plot] One neuron: a = σ(w₁x₁ + w₂x₂ + b) (1 trace, heatmap; x: input x₁, y: input x₂; sliders: w₁, w₂, b)",
  );
  assert.equal(
    descent,
    "[plot] Gradient descent: w ← w − η ∂L/∂w (4 traces, contour, scatter: loss L(w), updates, start, " +
      "loss per update; x: parameter w₁, y: parameter w₂; sliders: learning rate η)",
  );
  setLanguage("zh");
  try {
    const [neuronZh, descentZh] = texts();
    assert.equal(
      neuronZh,
      "[图] 一个神经元：a = σ(w₁x₁ + w₂x₂ + b)（1 组数据，热图；横轴：输入 x₁，纵轴：输入 x₂；滑块：w₁、w₂、b）",
    );
    assert.equal(
      descentZh,
      "[图] 梯度下降：w ← w − η ∂L/∂w（4 组数据，等高线图、曲线或散点：损失 L(w)、更新路径、起点、每次更新后的损失；" +
        "横轴：参数 w₁，纵轴：参数 w₂；滑块：学习率 η）",
    );
    const fig = gradientDescentExplorer();
    const layout = fig.layout as Record<string, { title: { text: string } }>;
    assert.deepEqual([layout.xaxis2.title.text, layout.yaxis2.title.text], [
      "更新次数 t",
      "损失 L（对数坐标）",
    ]);
    assert.deepEqual(fig.data.map((t) => t.hovertemplate), [
      "w₁ %{x:.2f}, w₂ %{y:.2f}: L = %{z:.3f}<extra></extra>",
      "第 %{pointNumber} 次更新：w₁ %{x:.3f}，w₂ %{y:.3f}<extra></extra>",
      undefined,
      "第 %{x} 次更新：L = %{y:.4g}<extra></extra>",
    ]);
    assert.equal((neuronExplorer().data[0].colorbar as { title: { text: string } }).title.text, "输出 a");
  } finally {
    setLanguage("en");
  }
});
