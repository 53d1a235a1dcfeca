/** Tests of lib/plot.ts: display bundles are well-formed, helpers draw what they are asked, bad input is refused. */
import { assert, assertClose } from "./assert.ts";
import {
  bars,
  bundle,
  confusion,
  descentPath,
  describe,
  digitColors,
  figure,
  figureJson,
  gradientDescentExplorer,
  groupByLabel,
  heatmap,
  heatmaps,
  imageGrid,
  lines,
  neuronExplorer,
  newPlotSession,
  plotlyPath,
  print,
  scatter,
  show,
  type Trace,
  wrapText,
} from "../lib/plot.ts";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const axes = { title: "T", xTitle: "x", yTitle: "y" };

/** The text of a layout title ({ text } in plotly.js 3+). */
function text(title: unknown): string {
  return (title as { text: string }).text;
}

/** The JSON object that Plotly.newPlot gets in a figure's HTML. */
function htmlFigure(html: string): { data: Trace[]; layout: Record<string, unknown> } {
  const m = /var fig = (\{.*\});\n/.exec(html);
  assert.ok(m, "figure JSON in the HTML");
  return JSON.parse(m[1]);
}

Deno.test("bundle: plotly JSON, HTML with a div and Plotly.newPlot, and a text line", () => {
  const fig = lines([{ name: "train", y: [3, 2, 1] }], { title: "Loss", xTitle: "epoch", yTitle: "L" });
  const b = bundle(fig, newPlotSession());
  assert.deepEqual(Object.keys(b).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
  // The plotly MIME holds plain JSON (what a front end receives after serialisation).
  const json = b[PLOTLY_MIME] as { data: Trace[]; layout: Record<string, unknown> };
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
  assert.deepEqual(json.data[0].y, [3, 2, 1]);
  assert.equal(text(json.layout.title), "Loss");
  const html = b["text/html"] as string;
  const id = /<div id="(course-plot-1-[0-9a-f]{8})"/.exec(html)?.[1];
  assert.ok(id, "a div with a counted id");
  assert.ok(html.includes(`querySelectorAll('div[id="${id}"]')`), "the script finds its div");
  assert.ok(html.includes("Plotly.newPlot(el, fig.data, fig.layout, fig.config)"));
  assert.match(html, /<p class="course-plot-placeholder"[^>]*>Interactive plot "Loss": drawn by JavaScript/);
  assert.ok(
    html.indexOf(`el.innerHTML = ""`) < html.indexOf("Plotly.newPlot(el"),
    "placeholder cleared first",
  );
  assert.deepEqual(htmlFigure(html).data, json.data, "the HTML draws the same figure");
  assert.match(b["text/plain"], /Loss/);
  assert.match(b["text/plain"], /1 trace/);
});

Deno.test("bundle: every script in the HTML is valid JavaScript, with no script tag inside another", () => {
  const session = newPlotSession();
  for (const fig of [lines([{ name: "a", y: [1, 2] }], axes), heatmap([[1, 2]], axes), neuronExplorer()]) {
    const html = bundle(fig, session)["text/html"] as string;
    const scripts = [...html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.ok(scripts.length >= 1);
    for (const body of scripts) {
      assert.ok(!/<script/i.test(body), "no nested <script>");
      new Function(body); // throws a SyntaxError if the browser could not run it
    }
  }
});

Deno.test("bundle: plotly.js is injected once per session, inline, with the npm package's source", () => {
  const session = newPlotSession();
  const first = bundle(lines([{ name: "a", y: [1, 2] }], axes), session)["text/html"] as string;
  const second = bundle(lines([{ name: "b", y: [1, 2] }], axes), session)["text/html"] as string;
  const source = Deno.readTextFileSync(plotlyPath);
  const marker = source.slice(0, 40); // the plotly.js banner
  assert.equal(first.split(marker).length - 1, 1, "first figure carries plotly.js once");
  assert.equal(second.split(marker).length - 1, 0, "second figure does not");
  assert.ok(first.indexOf(marker) < first.indexOf("<div id="), "plotly.js comes before the figure's div");
  assert.ok(first.length > source.length, "the whole library, inline (offline)");
  assert.ok(!/<script[^>]+src=/.test(first), "no external script");
  assert.match(second, /id="course-plot-2-/);
  // A fresh session (a new kernel) gives the same HTML again: ids are deterministic.
  const again = bundle(lines([{ name: "a", y: [1, 2] }], axes), newPlotSession())["text/html"];
  assert.equal(again, first);
});

Deno.test("bundle: a missing Plotly shows a message, not a JavaScript error", () => {
  const html = bundle(lines([{ name: "a", y: [1] }], axes), {
    count: 0,
    injected: true,
  })["text/html"] as string;
  assert.match(html, /typeof window\.Plotly === "undefined"/);
  assert.match(html, /course-plot-missing/);
  assert.match(html, /injectPlotly\(\)/);
});

Deno.test("bundle: JSON is script-safe and drops typed arrays and non-finite numbers", () => {
  const fig = figure([{ type: "scatter", name: "</script><b>", y: new Float32Array([0.1, NaN, Infinity]) }], {
    title: { text: "a </script> b" },
  });
  const html = bundle(fig, { count: 0, injected: true })["text/html"] as string;
  assert.equal(html.split("</script>").length - 1, 1, "only the script's own closing tag");
  const parsed = JSON.parse(figureJson(fig));
  // Float32 0.1 is 0.100000001490116...; 6 significant digits keep notebooks small.
  assert.deepEqual(parsed.data[0].y, [0.1, null, null]);
  assert.equal(htmlFigure(html).data[0].name, "</script><b>");
});

Deno.test("show: outside a kernel prints the text line and does not throw", async () => {
  const logged: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    await show(lines([{ name: "a", y: [1, 2] }], { title: "Printed", xTitle: "x", yTitle: "y" }));
  } finally {
    console.log = original;
  }
  assert.equal(logged.length, 1);
  assert.match(logged[0], /^\[plot\] Printed/);
});

Deno.test("print: outside a kernel it is console.log (strings as they are, values inspected)", async () => {
  const logged: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    await print("loss", 0.5, [1, 2], { a: 1 });
  } finally {
    console.log = original;
  }
  assert.deepEqual(logged, ["loss 0.5 [ 1, 2 ] { a: 1 }"]);
});

Deno.test("Figure displays itself as a cell's last expression (Jupyter.display symbol)", () => {
  const fig = lines([{ name: "a", y: [1] }], axes);
  const method =
    (fig as unknown as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")];
  assert.equal(typeof method, "function");
  const b = method.call(fig);
  assert.ok(b[PLOTLY_MIME] && b["text/html"] && b["text/plain"]);
});

Deno.test("describe: title, trace count and names, axis titles", () => {
  const fig = lines([{ name: "train", y: [1] }, { name: "test", y: [2] }], {
    title: "Loss",
    xTitle: "epoch",
    yTitle: "L",
  });
  assert.equal(describe(fig), "[plot] Loss (2 traces, scatter: train, test; x: epoch, y: L)");
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

Deno.test("heatmap: rows as given, row 0 at the top, annotations, diverging scale", () => {
  const W = [[1, -2], [-1, 1]];
  const fig = heatmap(W, { title: "W1", xTitle: "input j", yTitle: "neuron i", zmid: 0, annotate: true });
  const t = fig.data[0];
  assert.equal(t.type, "heatmap");
  assert.deepEqual(t.z, W);
  assert.deepEqual(t.x, [0, 1]);
  assert.equal(t.zmid, 0);
  assert.equal(t.colorscale, "RdBu");
  assert.deepEqual(t.text, [["1", "-2"], ["-1", "1"]]);
  assert.equal((fig.layout.yaxis as Record<string, unknown>).autorange, "reversed");
  // Anything with toArray() (the course's Matrix) is accepted.
  const m = heatmap({ toArray: () => [[0.25, 0.5]] }, { ...axes, annotate: 1 });
  assert.deepEqual(m.data[0].text, [["0.3", "0.5"]]);
});

Deno.test("heatmap: refuses ragged and empty matrices and mismatched labels", () => {
  assert.throws(() => heatmap([[1, 2], [3]], axes), /row 1 has 1 values, expected 2/);
  assert.throws(() => heatmap([], axes), /non-empty/);
  assert.throws(() => heatmap([[]], axes), /row 0 is empty/);
  assert.throws(() => heatmap([[1, 2]], { ...axes, x: ["a"] }), /1 column labels \(x\) for 2 columns/);
});

Deno.test("heatmaps: panels side by side on independent axes with one shared colour scale", () => {
  const fig = heatmaps([{ z: [[0, 1]], title: "A" }, { z: [[2, 3]], title: "B" }, {
    z: [[4, 5]],
    title: "C",
  }], {
    title: "Panels",
    xTitle: "x1",
    yTitle: "x2",
    cols: 2,
  });
  assert.deepEqual(fig.data.map((t) => [t.xaxis, t.yaxis]), [["x", "y"], ["x2", "y2"], ["x3", "y3"]]);
  assert.deepEqual(fig.layout.grid, { rows: 2, columns: 2, pattern: "independent", xgap: 0.15, ygap: 0.3 });
  const coloraxis = fig.layout.coloraxis as Record<string, unknown>;
  assert.equal(coloraxis.cmin, 0);
  assert.equal(coloraxis.cmax, 5);
  assert.ok(fig.data.every((t) => t.coloraxis === "coloraxis"));
  const notes = fig.layout.annotations as { text: string }[];
  assert.deepEqual(notes.map((a) => a.text), ["<b>A</b>", "<b>B</b>", "<b>C</b>"]);
  assert.equal((fig.layout.yaxis as Record<string, unknown>).autorange, "reversed", "a matrix: row 0 on top");
  const up = heatmaps([{ z: [[0, 1]], title: "A" }], { ...axes, yUp: true });
  assert.equal(
    (up.layout.yaxis as Record<string, unknown>).autorange,
    true,
    "yUp: a function over the plane",
  );
  assert.equal(
    (heatmap([[1]], { ...axes, yUp: true }).layout.yaxis as Record<string, unknown>).autorange,
    true,
  );
  assert.throws(() => heatmaps([{ z: [[1], [2, 3]], title: "bad" }], axes), /panel 0: ragged/);
});

Deno.test("confusion: counts of true digit (row) by predicted digit (column)", () => {
  const fig = confusion([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], { classes: 3 });
  assert.deepEqual(fig.data[0].z, [[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
  assert.match(text(fig.layout.title), /66\.7% correct of 6/);
  assert.equal(text((fig.layout.xaxis as Record<string, unknown>).title), "predicted digit");
  assert.equal(text((fig.layout.yaxis as Record<string, unknown>).title), "true digit");
  assert.throws(() => confusion([0, 1], [0]), /2 labels but 1 predictions/);
  assert.throws(() => confusion([0, 10], [0, 1]), /label 1 is 10, expected an integer in 0..9/);
});

Deno.test("imageGrid: images tiled in one heatmap, square pixels, grey, captions in digit colours", () => {
  const side = 4;
  const a = Array.from({ length: 16 }, (_, i) => i / 15), b = new Float32Array(16).fill(1);
  const fig = imageGrid([a, b, a], { side, labels: [7, "x", 2], cols: 2, title: "Digits" });
  const z = fig.data[0].z as (number | null)[][];
  const gap = 1;
  assert.equal(z[0].length, 2 * side + gap);
  assert.deepEqual(z[0].slice(0, side), a.slice(0, side), "image 0's first row, top left");
  assert.equal(z[1][side + gap], 1, "image 1 beside it");
  assert.equal(z[0][side], null, "a blank column between images");
  // Two rows of tiles, each an image plus blank rows for its caption, a gap between: image 2 starts halfway.
  const second = (z.length + gap) / 2;
  assert.ok(Number.isInteger(second) && second > side, "room for a caption under each image");
  assert.deepEqual(z[second].slice(0, side), a.slice(0, side), "image 2 on the second row");
  assert.ok(z.slice(side, second).every((row) => row.every((v) => v === null)), "blank under the first row");
  assert.equal((fig.layout.yaxis as Record<string, unknown>).scaleanchor, "x", "square pixels");
  assert.deepEqual(fig.data[0].colorscale, [[0, "#ffffff"], [1, "#000000"]]);
  const notes = fig.layout.annotations as { text: string; font: { color: string } }[];
  assert.deepEqual(notes.map((n) => n.text), ["<b>7</b>", "<b>x</b>", "<b>2</b>"]);
  // A long caption wraps onto lines that fit under its image; a long title wraps too.
  const long = imageGrid([a, a, a, a, a, a, a, a, a, a, a, a], {
    side,
    labels: Array.from({ length: 12 }, (_, i) => `7 (100%), is ${i}`),
    title:
      "The 12 most confident mistakes of the network on the test digits: its answer (its confidence), then the true label",
  });
  const longNotes = long.layout.annotations as { text: string }[];
  assert.ok(longNotes.every((n) => n.text.includes("<br>")), longNotes[0].text);
  assert.match((long.layout.title as { text: string }).text, /<br>/);
  assert.equal(notes[0].font.color, digitColors[7]);
  assert.equal(notes[2].font.color, digitColors[2]);
  // One typed array holding several images works too.
  const flat = imageGrid(new Float32Array(3 * 256), { title: "flat" });
  assert.equal((flat.data[0].z as unknown[][])[0].length, 3 * 16 + 2 * 2);
});

Deno.test("wrapText: lines of at most n characters, split at spaces, long words cut", () => {
  assert.deepEqual(wrapText("7 (100%), is 1", 9), ["7 (100%),", "is 1"]);
  assert.deepEqual(wrapText("neuron 372", 20), ["neuron 372"]);
  assert.deepEqual(wrapText("abcdefghij", 4), ["abcd", "efgh", "ij"]);
  assert.deepEqual(wrapText("", 5), [""]);
});

Deno.test("imageGrid: refuses images of the wrong size and mismatched labels", () => {
  assert.throws(
    () => imageGrid([new Float32Array(784)], { title: "t" }),
    /image 0 has 784 values, expected 256/,
  );
  assert.throws(() => imageGrid([new Float32Array(256), [1, 2]], { title: "t" }), /image 1 has 2 values/);
  assert.throws(
    () => imageGrid([new Float32Array(256)], { title: "t", labels: [1, 2] }),
    /2 labels for 1 images/,
  );
  assert.throws(() => imageGrid(new Float32Array(300), { title: "t" }), /not a whole number of 16 x 16/);
  assert.throws(() => imageGrid([], { title: "t" }), /non-empty/);
  assert.throws(() => imageGrid([new Float32Array(256).fill(NaN)], { title: "t" }), /non-finite/);
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
  const path = descentPath(([a, b]) => [2 * a, 2 * b], [1, 1], 0.25, 2);
  assert.deepEqual(path, [[1, 1], [0.5, 0.5], [0.25, 0.25]]);
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

Deno.test("axes: whole-number x gets a tick per value, log axes a tick per decade, legends avoid colour bars", () => {
  const epochs = lines([{ name: "a", y: [3, 2, 1] }], axes);
  assert.equal((epochs.layout.xaxis as Record<string, unknown>).dtick, 1, "no epoch 1.5");
  const fractional = lines([{ name: "a", x: [0, 0.5], y: [3, 2] }], axes);
  assert.equal((fractional.layout.xaxis as Record<string, unknown>).dtick, undefined);
  const wide = lines([{ name: "a", y: [20000, 300, 40, 9] }], { ...axes, yLog: true });
  assert.equal((wide.layout.yaxis as Record<string, unknown>).dtick, 1, "3.3 decades: one tick per decade");
  const two = lines([{ name: "a", y: [1.2, 0.3, 0.02] }], { ...axes, yLog: true });
  assert.equal((two.layout.yaxis as Record<string, unknown>).dtick, "D2", "1.8 decades: 1, 2, 5 in each");
  const narrow = bars([{ name: "t", x: ["a", "b"], y: [20, 90] }], { ...axes, yLog: true });
  assert.equal((narrow.layout.yaxis as Record<string, unknown>).dtick, "D2", "under a decade: 2 and 5 too");
  const surface = figure([{ type: "contour", z: [[1, 2], [3, 4]] }, { type: "scatter", y: [1] }], {});
  assert.equal((surface.layout.legend as Record<string, unknown>).orientation, "h");
  const plain = figure([{ type: "scatter", y: [1] }, { type: "scatter", y: [2] }], {});
  assert.equal((plain.layout.legend as Record<string, unknown>).orientation, undefined);
});

Deno.test("xLog and square heatmaps: log x axis with decade ticks; a square matrix gets a width that fits it", () => {
  const fig = scatter([{ name: "a", x: [5e3, 2e4, 9e5], y: [90, 92, 95] }], { ...axes, xLog: true });
  assert.equal((fig.layout.xaxis as Record<string, unknown>).type, "log");
  assert.equal((fig.layout.xaxis as Record<string, unknown>).dtick, "D2", "2.3 decades");
  const m = heatmap(Array.from({ length: 16 }, () => new Array(16).fill(0)), { ...axes, square: true });
  const width = m.layout.width as number;
  assert.ok(width > 300 && width < 600, `about the square's side plus the colour bar, got ${width}`);
});
