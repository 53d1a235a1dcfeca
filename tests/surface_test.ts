/**
 * Tests of lib/surface.ts: the charts hold the loss and the paths they are given (checked against the loss
 * evaluated here), and a panel whose path leaves the window zooms out to hold all of it.
 */
import { assert, assertClose } from "./assert.ts";
import { descentPanels, lossCurve, lossSurface, surfaceGrid, zoomOut } from "../lib/surface.ts";
import { setLanguage } from "../lib/language.ts";

const bowl = ([w, b]: [number, number]) => (w - 1) ** 2 + 3 * (b + 0.5) ** 2;
type Trace = { type: string; x: number[]; y: number[]; z?: number[][]; text?: string[]; xaxis?: string };

Deno.test("surfaceGrid: z[row][column] = L(x[column], y[row]) over the window, ends included", () => {
  const g = surfaceGrid(bowl, [-2, 4], [-1, 1]);
  assert.equal(g.x.length, 61);
  assert.equal(g.y.length, 41);
  assert.deepEqual([g.x[0], g.x[60], g.y[0], g.y[40]], [-2, 4, -1, 1]);
  for (const [r, c] of [[0, 0], [20, 30], [40, 60], [7, 13]]) {
    assertClose(g.z[r][c], bowl([g.x[c], g.y[r]]), 1e-12);
  }
  assertClose(g.x[30], 1, 1e-12);
});

Deno.test("lossCurve: the curve is L(w), the updates sit on it, the first ones numbered", () => {
  const loss = (w: number) => (w - 2) ** 2;
  const fig = lossCurve(loss, [-1, 0.5, 1.4, 1.8, 1.95], {
    range: [-2, 4],
    name: "updates",
    title: "t",
    xTitle: "w",
    yTitle: "L",
  });
  const [curve, path] = fig.data as Trace[];
  curve.x.forEach((w, k) => assertClose(curve.y[k], loss(w), 1e-12));
  assertClose(path.y, [9, 2.25, 0.36, 0.04, 0.0025], 1e-12);
  assert.deepEqual(path.text, ["0", "1", "2", "3", ""]);
  assert.throws(() => lossCurve(loss, [], { range: [0, 1], name: "", title: "t", xTitle: "x", yTitle: "y" }));
});

Deno.test("lossSurface: a contour of L over the window and each run's path", () => {
  const path = [[3, 0.5], [2, 0], [1.5, -0.3]];
  const fig = lossSurface(bowl, [{ name: "run", path }], {
    x: [-2, 4],
    y: [-1, 1],
    levels: { start: 0, end: 10, size: 1 },
    title: "t",
    xTitle: "w",
    yTitle: "b",
  });
  const [contour, line] = fig.data as Trace[];
  assert.equal(contour.type, "contour");
  assert.deepEqual(contour.z, surfaceGrid(bowl, [-2, 4], [-1, 1]).z);
  assert.deepEqual((contour as unknown as { contours: unknown }).contours, {
    coloring: "heatmap",
    start: 0,
    end: 10,
    size: 1,
  });
  assert.deepEqual([line.x, line.y], [[3, 2, 1.5], [0.5, 0, -0.3]]);
  assert.throws(() => lossSurface(bowl, [{ name: "bad", path: [[NaN, 0]] }], fig.layout as never), /finite/);
});

Deno.test("descentPanels and zoomOut: a path that leaves the window gets a zoomed-out panel with the window boxed", () => {
  const inside = { name: "small", path: [[0, 0], [0.5, -0.2]] };
  const outside = { name: "large", path: [[0, 0], [9, -3], [-5, 2]] };
  assert.deepEqual(zoomOut(inside.path, [-2, 4], [-1, 1]), { x: [-2, 4], y: [-1, 1] });
  assert.deepEqual(zoomOut(outside.path, [-2, 4], [-1, 1]), { x: [-5, 9], y: [-3, 2] });
  const fig = descentPanels(bowl, [inside, outside], {
    x: [-2, 4],
    y: [-1, 1],
    title: "t",
    xTitle: "w",
    yTitle: "b",
  });
  const traces = fig.data as Trace[];
  assert.equal(traces.length, 4, "a contour and a path per panel");
  assert.deepEqual(traces.map((t) => t.xaxis), ["x1", "x1", "x2", "x2"]);
  const wide = traces[2];
  assert.deepEqual([wide.x[0], wide.x.at(-1), wide.y[0], wide.y.at(-1)], [-5, 9, -3, 2]);
  const layout = fig.layout as { shapes: Record<string, unknown>[]; xaxis2: { range: number[] } };
  assert.equal(layout.shapes.length, 1, "only the zoomed panel has the box");
  assert.deepEqual([layout.shapes[0].x0, layout.shapes[0].x1, layout.shapes[0].y0, layout.shapes[0].y1], [
    -2,
    4,
    -1,
    1,
  ]);
  assert.deepEqual(layout.xaxis2.range, [-5, 9]);
  assert.throws(() =>
    descentPanels(bowl, [], { x: [0, 1], y: [0, 1], title: "t", xTitle: "w", yTitle: "b" })
  );
});

Deno.test("descentPanels: the zoomed-out axis and the updates' hover follow the language", () => {
  const texts = () => {
    const fig = descentPanels(bowl, [{ name: "large", path: [[0, 0], [9, -3]] }], {
      x: [-2, 4],
      y: [-1, 1],
      title: "t",
      xTitle: "w",
      yTitle: "b",
    });
    const layout = fig.layout as { xaxis1: { title: { text: string } } };
    return [layout.xaxis1.title.text, (fig.data[1] as { hovertemplate: string }).hovertemplate];
  };
  assert.deepEqual(texts(), [
    "w (zoomed out)",
    "update %{pointNumber}: w %{x:.3f}, b %{y:.3f}<extra></extra>",
  ]);
  setLanguage("zh");
  try {
    assert.deepEqual(texts(), [
      "w（缩小视图）",
      "第 %{pointNumber} 次更新：w %{x:.3f}，b %{y:.3f}<extra></extra>",
    ]);
  } finally {
    setLanguage("en");
  }
});
