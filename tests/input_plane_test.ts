/** lib/input_plane.ts: the grid as one batch, its outputs back as heatmap rows, marked panels. */
import { assert } from "./assert.ts";
import { inputPlane, overPlane, planeHeatmaps } from "../lib/input_plane.ts";
import { Matrix } from "../lib/matrix.ts";
import { setLanguage } from "../lib/language.ts";

Deno.test("inputPlane: every grid point once, as a column (x1 across, x2 by rows)", () => {
  const plane = inputPlane(-1, 1, 3);
  assert.deepEqual(plane.ticks, [-1, 0, 1]);
  assert.deepEqual(plane.X.shape, [2, 9]);
  const points = Array.from({ length: 9 }, (_, k) => [plane.X.get(0, k), plane.X.get(1, k)]);
  // Written out by hand: row r of the grid holds x2 = ticks[r], x1 running along it.
  assert.deepEqual(points, [[-1, -1], [0, -1], [1, -1], [-1, 0], [0, 0], [1, 0], [-1, 1], [0, 1], [1, 1]]);
  assert.throws(() => inputPlane(1, -1, 3), /lo < hi/);
  assert.throws(() => inputPlane(0, 1, 1), /side >= 2/);
});

Deno.test("overPlane: output row i at each grid point, back on the grid (row = x2)", () => {
  const plane = inputPlane(0, 1, 2);
  // A "network" with two outputs: y1 = x1 + 10 x2 and y2 = -x1, one column per grid point.
  const Y = new Matrix(2, 4);
  for (let k = 0; k < 4; k++) {
    Y.set(0, k, plane.X.get(0, k) + 10 * plane.X.get(1, k));
    Y.set(1, k, -plane.X.get(0, k));
  }
  assert.deepEqual(overPlane(plane, Y), [[0, 1], [10, 11]]);
  assert.deepEqual(overPlane(plane, Y, 1), [[-0, -1], [-0, -1]]);
  assert.throws(() => overPlane(plane, new Matrix(1, 3)), /4 columns/);
  assert.throws(() => overPlane(plane, Y, 2), /row i < its rows/);
});

Deno.test("planeHeatmaps: panels on one 0-1 scale, x2 upward, marks on their own panel", () => {
  const plane = inputPlane(0, 1, 2);
  const fig = planeHeatmaps(plane, [
    { z: [[0, 0.5], [0.5, 1]], title: "A" },
    { z: [[1, 1], [0, 0]], title: "B", marks: [{ x: [0, 1], text: "here" }] },
  ], { title: "T" });
  assert.deepEqual(fig.data.map((t) => t.type), ["heatmap", "heatmap", "scatter"]);
  const mark = fig.data[2];
  assert.deepEqual([mark.x, mark.y, mark.text, mark.xaxis, mark.yaxis], [[0], [1], ["here"], "x2", "y2"]);
  const coloraxis = fig.layout.coloraxis as Record<string, unknown>;
  assert.deepEqual([coloraxis.cmin, coloraxis.cmax], [0, 1]);
  assert.equal((fig.layout.yaxis as Record<string, unknown>).autorange, true);
  assert.deepEqual(fig.data[0].x, [0, 1]);
});

Deno.test("planeHeatmaps: the axes and the colour bar follow the language", () => {
  const texts = () => {
    const fig = planeHeatmaps(inputPlane(0, 1, 2), [{ z: [[0, 1], [1, 0]], title: "A" }], { title: "T" });
    const title = (a: unknown) => (a as { title: { text: string } }).title.text;
    return [
      title(fig.layout.xaxis),
      title(fig.layout.yaxis),
      title((fig.layout.coloraxis as { colorbar: unknown }).colorbar),
    ];
  };
  assert.deepEqual(texts(), ["input x1", "input x2", "output"]);
  setLanguage("zh");
  try {
    assert.deepEqual(texts(), ["输入 x1", "输入 x2", "输出"]);
  } finally {
    setLanguage("en");
  }
});
