/** Tests of lib/heatmap.ts: matrices, panels, confusion counts and image grids drawn cell for cell; bad input refused. */
import { assert } from "./assert.ts";
import { confusion, heatmap, heatmaps, imageGrid } from "../lib/heatmap.ts";
import { digitColors } from "../lib/plot.ts";
import { setLanguage } from "../lib/language.ts";

const axes = { title: "T", xTitle: "x", yTitle: "y" };

/** The text of a layout title ({ text } in plotly.js 3+). */
function text(title: unknown): string {
  return (title as { text: string }).text;
}

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

Deno.test("heatmap: a square matrix gets a width that fits it", () => {
  const m = heatmap(Array.from({ length: 16 }, () => new Array(16).fill(0)), { ...axes, square: true });
  const width = m.layout.width as number;
  assert.ok(width > 300 && width < 600, `about the square's side plus the colour bar, got ${width}`);
});

Deno.test("confusion, heatmap, imageGrid: default titles, axes and hover texts follow the language", () => {
  const texts = () => {
    const c = confusion([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], { classes: 3 });
    const h = heatmap([[1, 2]], axes);
    const g = imageGrid([new Float32Array(16)], { side: 4, title: "T" });
    return [
      text(c.layout.title),
      text((c.layout.xaxis as Record<string, unknown>).title),
      text((c.layout.yaxis as Record<string, unknown>).title),
      text((c.data[0].colorbar as Record<string, unknown>).title),
      h.data[0].hovertemplate,
      g.data[0].hovertemplate,
    ];
  };
  assert.deepEqual(texts(), [
    "Confusion matrix (66.7% correct of 6)",
    "predicted digit",
    "true digit",
    "count",
    "row %{y}, column %{x}: %{z}<extra></extra>",
    "pixel value %{z:.2f}<extra></extra>",
  ]);
  setLanguage("zh");
  try {
    assert.deepEqual(texts(), [
      "混淆矩阵（6 个中 66.7% 正确）",
      "预测的数字",
      "真实的数字",
      "个数",
      "第 %{y} 行，第 %{x} 列：%{z}<extra></extra>",
      "像素值 %{z:.2f}<extra></extra>",
    ]);
  } finally {
    setLanguage("en");
  }
});
