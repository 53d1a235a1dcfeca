/** Tests of lib/plot.ts: charts draw what they are asked, with titles, ticks and legends, and refuse bad input. */
import { assert } from "./assert.ts";
import { bars, digitColors, figure, groupByLabel, lines, scatter, wrapText } from "../lib/plot.ts";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const axes = { title: "T", xTitle: "x", yTitle: "y" };

/** The text of a layout title ({ text } in plotly.js 3+). */
function text(title: unknown): string {
  return (title as { text: string }).text;
}

Deno.test("Figure displays itself as a cell's last expression (Jupyter.display symbol)", () => {
  const fig = lines([{ name: "a", y: [1] }], axes);
  const method =
    (fig as unknown as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")];
  assert.equal(typeof method, "function");
  const b = method.call(fig);
  assert.ok(b[PLOTLY_MIME] && b["text/html"] && b["text/plain"]);
});

Deno.test("lines: one trace per series, x defaults to 1..n, legend only for several series", () => {
  const one = lines([{ name: "train", y: [0.9, 0.5, 0.3] }], {
    title: "Loss",
    xTitle: "epoch",
    yTitle: "loss",
  });
  assert.equal(one.data.length, 1);
  assert.deepEqual(one.data[0].x, [1, 2, 3]);
  assert.deepEqual(one.data[0].y, [0.9, 0.5, 0.3]);
  assert.equal(one.layout.showlegend, false);
  assert.equal(text((one.layout.xaxis as Record<string, unknown>).title), "epoch");
  assert.equal(text((one.layout.yaxis as Record<string, unknown>).title), "loss");
  const two = lines([{ name: "a", x: [0, 5], y: new Float32Array([1, 2]) }, {
    name: "b",
    y: [3, 4],
    dash: "dash",
  }], {
    ...axes,
    yLog: true,
  });
  assert.equal(two.layout.showlegend, true);
  assert.deepEqual(two.data[0].x, [0, 5]);
  assert.deepEqual(two.data[0].y, [1, 2], "typed arrays become plain arrays");
  assert.equal((two.layout.yaxis as Record<string, unknown>).type, "log");
  assert.equal((two.data[1].line as Record<string, unknown>).dash, "dash");
});

Deno.test("lines: refuses missing titles, empty and mismatched series", () => {
  assert.throws(() => lines([{ name: "a", y: [1] }], { title: "", xTitle: "x", yTitle: "y" }), /title/);
  assert.throws(() => lines([{ name: "a", y: [1] }], { title: "t", xTitle: "x" } as never), /yTitle/);
  assert.throws(() => lines([], axes), /non-empty/);
  assert.throws(() => lines([{ name: "a", y: [] }], axes), /\("a"\) is empty/);
  assert.throws(() => lines([{ name: "a", x: [1, 2], y: [1] }], axes), /2 x values but 1 y values/);
});

Deno.test("scatter and groupByLabel: one series per digit in that digit's colour", () => {
  const series = groupByLabel([1, 2, 3, 4], [5, 6, 7, 8], [3, 0, 3, 9]);
  assert.deepEqual(series.map((s) => s.name), ["0", "3", "9"]);
  assert.deepEqual(series[1].x, [1, 3]);
  assert.deepEqual(series[1].y, [5, 7]);
  assert.deepEqual(series.map((s) => s.color), [digitColors[0], digitColors[3], digitColors[9]]);
  const fig = scatter(series, { title: "Features", xTitle: "h1", yTitle: "h2" });
  assert.equal(fig.data.length, 3);
  assert.equal(fig.data[0].mode, "markers");
  assert.equal((fig.data[2].marker as Record<string, unknown>).color, digitColors[9]);
  assert.equal(fig.layout.showlegend, true);
  assert.throws(() => groupByLabel([1], [2, 3], [0]), /differ in length/);
  assert.throws(() => groupByLabel([1], [2], [0.5]), /label 0 is 0.5/);
});

Deno.test("digitColors: ten distinct colours", () => {
  assert.equal(digitColors.length, 10);
  assert.equal(new Set(digitColors).size, 10);
  for (const c of digitColors) assert.match(c, /^#[0-9a-f]{6}$/);
});

Deno.test("wrapText: lines of at most n characters, split at spaces, long words cut", () => {
  assert.deepEqual(wrapText("7 (100%), is 1", 9), ["7 (100%),", "is 1"]);
  assert.deepEqual(wrapText("neuron 372", 20), ["neuron 372"]);
  assert.deepEqual(wrapText("abcdefghij", 4), ["abcd", "efgh", "ij"]);
  assert.deepEqual(wrapText("", 5), [""]);
});

Deno.test("bars: categories as text, grouped series, per-bar colours and texts", () => {
  const fig = bars([
    { name: "z", x: [0, 1, 2], y: [1, -1, 2], colors: digitColors.slice(0, 3) },
    { name: "y", x: [0, 1, 2], y: [0.3, 0.1, 0.6], text: ["30%", "10%", "60%"] },
  ], { title: "Softmax", xTitle: "digit", yTitle: "value" });
  assert.deepEqual(fig.data[0].x, ["0", "1", "2"]);
  assert.deepEqual((fig.data[0].marker as Record<string, unknown>).color, digitColors.slice(0, 3));
  assert.deepEqual(fig.data[1].text, ["30%", "10%", "60%"]);
  assert.equal(fig.layout.barmode, "group");
  assert.equal(fig.layout.showlegend, true);
  const h = bars([{ name: "err", x: ["AlexNet"], y: [16.4] }], { ...axes, horizontal: true });
  assert.equal(h.data[0].orientation, "h");
  assert.deepEqual(h.data[0].y, ["AlexNet"]);
  assert.throws(() => bars([{ name: "a", x: [1, 2], y: [1] }], axes), /2 categories \(x\) but 1 values/);
});

Deno.test("axes: whole-number x gets a tick per value, log axes a tick per decade, legends avoid colour bars", () => {
  const epochs = lines([{ name: "a", y: [3, 2, 1] }], axes);
  assert.equal((epochs.layout.xaxis as Record<string, unknown>).dtick, 1, "no epoch 1.5");
  const fractional = lines([{ name: "a", x: [0, 0.5], y: [3, 2] }], axes);
  assert.equal((fractional.layout.xaxis as Record<string, unknown>).dtick, undefined);
  const wide = lines([{ name: "a", y: [20000, 300, 40, 9] }], { ...axes, yLog: true });
  assert.equal((wide.layout.yaxis as Record<string, unknown>).dtick, 1, "3.3 decades: one tick per decade");
  assert.equal((wide.layout.yaxis as Record<string, unknown>).exponentformat, "power", "10^-4, not 100μ");
  const two = lines([{ name: "a", y: [1.2, 0.3, 0.02] }], { ...axes, yLog: true });
  assert.equal((two.layout.yaxis as Record<string, unknown>).dtick, "D2", "1.8 decades: 1, 2, 5 in each");
  const narrow = bars([{ name: "t", x: ["a", "b"], y: [20, 90] }], { ...axes, yLog: true });
  assert.equal((narrow.layout.yaxis as Record<string, unknown>).dtick, "D2", "under a decade: 2 and 5 too");
  const surface = figure([{ type: "contour", z: [[1, 2], [3, 4]] }, { type: "scatter", y: [1] }], {});
  assert.equal((surface.layout.legend as Record<string, unknown>).orientation, "h");
  const plain = figure([{ type: "scatter", y: [1] }, { type: "scatter", y: [2] }], {});
  assert.equal((plain.layout.legend as Record<string, unknown>).orientation, undefined);
});

Deno.test("xLog: log x axis with decade ticks", () => {
  const fig = scatter([{ name: "a", x: [5e3, 2e4, 9e5], y: [90, 92, 95] }], { ...axes, xLog: true });
  assert.equal((fig.layout.xaxis as Record<string, unknown>).type, "log");
  assert.equal((fig.layout.xaxis as Record<string, unknown>).dtick, "D2", "2.3 decades");
});
