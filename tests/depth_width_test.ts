/**
 * lib/depth_width.ts: the depth x width grid's bookkeeping. References: layer sizes and parameter counts by
 * hand, trend directions read by eye from small rows of numbers (including the run reported in issue 11,
 * where ReLU + Adam at width 32 fell with depth), and the charts' traces.
 */
import { assert, assertClose } from "./assert.ts";
import {
  depthChart,
  type GridResult,
  gridRuns,
  type GridSetting,
  parameterChart,
  trendDirection,
  trends,
  trendText,
} from "../lib/depth_width.ts";

const settings: GridSetting[] = [
  { name: "sigmoid, SGD", hidden: "sigmoid", optimizer: "sgd", eta: 0.5 },
  { name: "ReLU, Adam", hidden: "relu", optimizer: "adam", eta: 2e-3 },
];

Deno.test("gridRuns: every setting x depth x width, with sizes and parameters counted by hand", () => {
  const runs = gridRuns(settings, [1, 2], [32, 128]);
  assert.equal(runs.length, 8);
  assert.deepEqual(runs[0].sizes, [256, 32, 10]);
  assert.equal(runs[0].parameters, 256 * 32 + 32 + 32 * 10 + 10);
  assert.deepEqual(runs[3].sizes, [256, 128, 128, 10]);
  assert.equal(runs[3].parameters, 256 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10);
  assert.equal(runs[4].setting.name, "ReLU, Adam");
});

Deno.test("trendDirection: rises, falls, flat within the noise, or mixed", () => {
  assert.equal(trendDirection([89.9, 89.35, 87.9, 86.75]), "falls"); // issue 11's width-32 ReLU row
  assert.equal(trendDirection([94.1, 95.6, 96.2, 96.0]), "rises"); // a last step down within the noise
  assert.equal(trendDirection([95.1, 95.6, 94.9, 95.3]), "flat");
  assert.equal(trendDirection([90, 95, 88]), "mixed");
  assert.equal(trendDirection([80, 85, 83.5, 90]), "mixed"); // a step down of 1.5 points
  assert.equal(trendDirection([11.35, 10.3, 10.3, 9.8]), "falls");
});

/** A grid result from percent accuracies. */
const result = (setting: string, depth: number, width: number, percent: number): GridResult => ({
  setting,
  depth,
  width,
  sizes: [256, ...Array(depth).fill(width), 10],
  parameters: 0,
  accuracy: percent / 100,
});

Deno.test("trends: one row per width along depth, per depth along width; the text says which way", () => {
  const grid = [
    result("ReLU, Adam", 1, 32, 89.9),
    result("ReLU, Adam", 1, 512, 95),
    result("ReLU, Adam", 2, 32, 89.35),
    result("ReLU, Adam", 2, 512, 96.5),
  ];
  const byDepth = trends(grid, "depth");
  assert.deepEqual(byDepth.map((t) => [t.fixed, t.direction]), [[32, "flat"], [512, "rises"]]);
  assert.equal(
    trendText(byDepth[1]),
    "ReLU, Adam, 512 neurons per layer: 95.00 -> 96.50% for 1-2 hidden layers: rises with depth",
  );
  assert.equal(
    trendText(byDepth[0]),
    "ReLU, Adam, 32 neurons per layer: 89.90 -> 89.35% for 1-2 hidden layers: stays within 1 point",
  );
  const byWidth = trends(grid, "width");
  assert.deepEqual(byWidth.map((t) => [t.fixed, t.values, t.direction]), [[1, [32, 512], "rises"], [
    2,
    [32, 512],
    "rises",
  ]]);
  assert.match(trendText(byWidth[0]), /^ReLU, Adam, 1 hidden layer: 89\.90 -> 95\.00% for 32, 512 neurons/);
  // An interrupted grid: a row of one network has no trend.
  assert.deepEqual(trends([result("s", 1, 32, 50)], "depth"), []);
});

Deno.test("charts: one line per setting and width, one point per network", () => {
  const grid = gridRuns(settings, [1, 2, 3], [32, 128]).map((r, k) => ({
    setting: r.setting.name,
    depth: r.depth,
    width: r.width,
    sizes: r.sizes,
    parameters: r.parameters,
    accuracy: 0.5 + k / 100,
  }));
  const lines = depthChart(grid, 3);
  assert.equal(lines.data.length, 4);
  assert.deepEqual(lines.data[1].x, [1, 2, 3]);
  assertClose(lines.data[1].y as number[], [51, 53, 55], 1e-9);
  assert.equal((lines.data[0].line as { dash: string }).dash, "dash");
  const points = parameterChart(grid);
  assert.equal(points.data.length, 2);
  assert.equal((points.data[0].x as number[]).length, 6);
  assert.deepEqual((points.data[1].text as string[]).slice(0, 2), ["1 x 32", "1 x 128"]);
});

Deno.test("trend lines and charts follow the notebook's language, with the English numbers", async () => {
  const { setLanguage } = await import("../lib/language.ts");
  const grid = [
    result("ReLU、Adam", 1, 32, 89.9),
    result("ReLU、Adam", 2, 32, 87.9),
    result("ReLU、Adam", 1, 128, 91.25),
    result("ReLU、Adam", 2, 128, 91.7),
  ];
  const texts = () => [...trends(grid, "depth"), ...trends(grid, "width")].map(trendText);
  const chart = () =>
    JSON.stringify([depthChart(grid, 3), parameterChart(grid)].map((f) => [f.data, f.layout]));
  const [en, enChart] = [texts(), chart()];
  assert.deepEqual(en, [
    "ReLU、Adam, 32 neurons per layer: 89.90 -> 87.90% for 1-2 hidden layers: falls with depth",
    "ReLU、Adam, 128 neurons per layer: 91.25 -> 91.70% for 1-2 hidden layers: stays within 1 point",
    "ReLU、Adam, 1 hidden layer: 89.90 -> 91.25% for 32, 128 neurons per layer: rises with width",
    "ReLU、Adam, 2 hidden layers: 87.90 -> 91.70% for 32, 128 neurons per layer: rises with width",
  ]);
  setLanguage("zh");
  try {
    assert.deepEqual(texts(), [
      "ReLU、Adam，每层 32 个神经元：1-2 个隐藏层时为 89.90 -> 87.90%，随深度下降",
      "ReLU、Adam，每层 128 个神经元：1-2 个隐藏层时为 91.25 -> 91.70%，变化在 1 个百分点以内",
      "ReLU、Adam，1 个隐藏层：每层 32、128 个神经元时为 89.90 -> 91.25%，随宽度上升",
      "ReLU、Adam，2 个隐藏层：每层 32、128 个神经元时为 87.90 -> 91.70%，随宽度上升",
    ]);
    const zhChart = chart();
    for (
      const zh of ["训练 3 轮后的测试准确率", "ReLU、Adam，每层 32 个神经元", "隐藏层数（深度）", "参数个数"]
    ) {
      assert.ok(zhChart.includes(zh), zh);
    }
    assert.ok(!/neurons|accuracy|hidden layers|parameters/.test(zhChart), "no English words left");
    // The editions' outputs are compared by their numbers: the same ones, in any order.
    const numbers = (s: string) => (s.match(/\d+(\.\d+)?/g) ?? []).sort();
    assert.deepEqual(numbers(texts().join(" ")), numbers(en.join(" ")));
  } finally {
    setLanguage("en");
  }
  assert.equal(chart(), enChart, "English again once the language is set back");
});
