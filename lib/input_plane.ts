/**
 * A function of two inputs drawn over the input plane: a network with inputs (x1, x2) is one function, and
 * the whole function shows at once as a heatmap of its output over a grid of inputs. The grid goes through
 * the network as ONE batch (one grid point per column, as every batch of the course), so drawing a
 * function is one forward pass; the heatmaps put x1 across and x2 upward, as a plane is drawn in maths.
 */
import { Matrix } from "./matrix.ts";
import { heatmaps } from "./heatmap.ts";
import type { Figure, Trace } from "./plot.ts";
import { messages } from "./language.ts";

/** A side x side grid over [lo, hi]^2 as one batch X (2 x side^2): column r * side + c is (ticks[c], ticks[r]). */
export interface InputPlane {
  X: Matrix;
  ticks: number[];
  side: number;
}

/** The grid of inputs over [lo, hi] x [lo, hi], side points on each axis, as one batch (see InputPlane). */
export function inputPlane(lo: number, hi: number, side: number): InputPlane {
  if (!Number.isInteger(side) || side < 2 || !(hi > lo)) {
    throw new Error(`inputPlane: need lo < hi and side >= 2 points, got [${lo}, ${hi}] and side = ${side}`);
  }
  const ticks = Array.from({ length: side }, (_, i) => lo + ((hi - lo) * i) / (side - 1));
  const X = new Matrix(2, side * side);
  ticks.forEach((x2, r) =>
    ticks.forEach((x1, c) => {
      X.set(0, r * side + c, x1);
      X.set(1, r * side + c, x2);
    })
  );
  return { X, ticks, side };
}

/** Row `i` of a batch output Y over the plane (one column per grid point) as heatmap rows: row r is x2 = ticks[r]. */
export function overPlane(plane: InputPlane, Y: Matrix, i = 0): number[][] {
  const { side } = plane;
  if (!(Y instanceof Matrix) || Y.cols !== side * side || !(i >= 0 && i < Y.rows)) {
    throw new Error(
      `overPlane: expected a matrix with ${
        side * side
      } columns (one per grid point) and a row i < its rows, ` +
        `got ${Y instanceof Matrix ? `(${Y.rows} x ${Y.cols})` : typeof Y} and i = ${i}`,
    );
  }
  return Array.from(
    { length: side },
    (_, r) => Array.from(Y.data.subarray((i * side + r) * side, (i * side + r + 1) * side)),
  );
}

/** A point marked on a panel, with a label written above it (e.g. an input and the output there). */
export interface PlaneMark {
  x: [number, number];
  text: string;
}

/** One panel of `planeHeatmaps`: a function over the plane (from `overPlane`), its title, marked points. */
export interface FunctionPanel {
  z: number[][];
  title: string;
  marks?: PlaneMark[];
}

/** Functions over the plane side by side (x1 across, x2 up), on one colour scale from 0 to 1 (sigmoid outputs). */
export function planeHeatmaps(
  plane: InputPlane,
  panels: FunctionPanel[],
  opts: { title: string; cols?: number; colorbarTitle?: string },
): Figure {
  const fig = heatmaps(panels.map((p) => ({ z: p.z, title: p.title, x: plane.ticks, y: plane.ticks })), {
    title: opts.title,
    xTitle: messages().plotInput("x1"),
    yTitle: messages().plotInput("x2"),
    zmin: 0,
    zmax: 1,
    cols: opts.cols ?? 2,
    colorbarTitle: opts.colorbarTitle ?? messages().plotOutput(),
    yUp: true,
  });
  panels.forEach((p, k) => {
    if (!p.marks?.length) return;
    const axes = k === 0 ? "" : String(k + 1);
    const marks: Trace = {
      type: "scatter",
      mode: "markers+text",
      x: p.marks.map((m) => m.x[0]),
      y: p.marks.map((m) => m.x[1]),
      text: p.marks.map((m) => m.text),
      textposition: "top center",
      textfont: { color: "black" },
      marker: { color: "white", size: 8, line: { color: "black", width: 1 } },
      xaxis: `x${axes}`,
      yaxis: `y${axes}`,
      showlegend: false,
      hoverinfo: "text",
    };
    fig.data.push(marks);
  });
  return fig;
}
