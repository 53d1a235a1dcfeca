/** lib/curves.ts and lib/side_by_side.ts: the learning curves' panels, traces and shared legend. */
import { assert } from "./assert.ts";
import { learningCurves } from "../lib/curves.ts";
import { lines } from "../lib/plot.ts";
import { sideBySide } from "../lib/side_by_side.ts";
import { setLanguage } from "../lib/language.ts";

Deno.test("learningCurves: accuracy left, mean C right, training and test digits, one legend", () => {
  const fig = learningCurves(
    { loss: [0.5, 0.2], accuracy: [0.8, 0.95], testLoss: [0.3, null], testAccuracy: [0.9, null] },
    "a run",
  );
  assert.equal(fig.data.length, 4);
  assert.deepEqual(fig.data[0].y, [80, 95]);
  assert.deepEqual(fig.data[1].y, [90, NaN], "a missing test value is a gap");
  assert.deepEqual(fig.data[2].y, [0.5, 0.2]);
  assert.deepEqual(fig.data.map((t) => [t.xaxis, t.yaxis]), [
    [undefined, undefined],
    [undefined, undefined],
    ["x2", "y2"],
    ["x2", "y2"],
  ]);
  assert.deepEqual(fig.data.map((t) => t.showlegend), [undefined, undefined, false, false]);
  assert.equal((fig.layout.yaxis2 as { type: string }).type, "log");
  const panels = (fig.layout.annotations as { text: string }[]).map((a) => a.text);
  assert.deepEqual(panels, ["accuracy (%)", "mean cross-entropy C per digit"]);
  assert.throws(
    () => learningCurves({ loss: [], accuracy: [], testLoss: [], testAccuracy: [] }, "x"),
    /one epoch/,
  );
});

Deno.test("sideBySide: names only in the right panel get their own legend entry; a title is required", () => {
  const a = lines([{ name: "p", y: [1, 2] }], { title: "A", xTitle: "x", yTitle: "y" });
  const b = lines([{ name: "p", y: [3, 4] }, { name: "q", y: [5, 6] }], {
    title: "B",
    xTitle: "x",
    yTitle: "y",
  });
  const fig = sideBySide(a, b, { title: "both", legendTitle: "series" });
  assert.deepEqual(fig.data.map((t) => t.showlegend), [undefined, false, true]);
  assert.deepEqual(fig.data.map((t) => t.legendgroup), ["p", "p", "q"]);
  assert.equal((fig.layout.grid as { columns: number }).columns, 2);
  assert.throws(() => sideBySide(a, b, { title: "" }), /title is required/);
});

Deno.test("learningCurves: the legend, panel titles and axes follow the language", () => {
  const run = { loss: [0.5], accuracy: [0.8], testLoss: [0.3], testAccuracy: [0.9] };
  const texts = () => {
    const fig = learningCurves(run, "a run");
    const title = (a: unknown) => (a as { title: { text: string } }).title.text;
    return [
      ...fig.data.slice(0, 2).map((t) => t.name),
      ...(fig.layout.annotations as { text: string }[]).map((a) => a.text),
      title(fig.layout.xaxis),
      title(fig.layout.yaxis2),
    ];
  };
  assert.deepEqual(texts(), [
    "training digits",
    "test digits (never trained on)",
    "accuracy (%)",
    "mean cross-entropy C per digit",
    "epoch",
    "mean C (log scale)",
  ]);
  setLanguage("zh");
  try {
    assert.deepEqual(texts(), [
      "训练数字",
      "测试数字（从未用来训练）",
      "准确率（%）",
      "每个数字的平均交叉熵 C",
      "轮次",
      "平均 C（对数坐标）",
    ]);
  } finally {
    setLanguage("en");
  }
});
