/**
 * The loss surface and the paths of gradient descent, as charts (notebook 03): a loss curve over one
 * parameter with the updates on it, the contour map of a loss over two parameters with the path of the
 * updates, and one start under several learning rates side by side. Only the drawing lives here: the
 * loss, its gradient and the updates are computed in the notebook (lib/descent.ts for the valley).
 */
import { axis, type Figure, figure, titleLayout, type Trace } from "./plot.ts";
import { messages } from "./language.ts";

/** n values from lo to hi, evenly spaced (the grid a curve or a surface is drawn on). */
function linspace(lo: number, hi: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 2 || !(hi > lo)) {
    throw new Error(`linspace: need lo < hi and n >= 2 points, got [${lo}, ${hi}] and n = ${n}`);
  }
  return Array.from({ length: n }, (_, i) => lo + (hi - lo) * i / (n - 1));
}

/** Titles every chart here needs. */
export interface DescentChartTitles {
  title: string;
  xTitle: string;
  yTitle: string;
}

/** Options of `lossCurve`. */
export interface CurveOptions extends DescentChartTitles {
  /** The range of the parameter drawn. */
  range: [number, number];
  /** The legend name of the updates (e.g. "updates (η = 0.01)"). */
  name: string;
  /** How many updates get their number written beside them (default 4: 0, 1, 2, 3). */
  numbered?: number;
}

const PATH_COLOUR = "#d62728";

/** A loss of one parameter as a curve, with gradient descent's updates as numbered points on it. */
export function lossCurve(loss: (w: number) => number, path: number[], opts: CurveOptions): Figure {
  checkPath(path.map((w) => [w]), "lossCurve");
  const ws = linspace(opts.range[0], opts.range[1], 121);
  const numbered = opts.numbered ?? 4;
  return figure([
    { type: "scatter", mode: "lines", name: "L(w)", x: ws, y: ws.map(loss), line: { color: "#888" } },
    {
      type: "scatter",
      mode: "lines+markers+text",
      name: opts.name,
      x: path,
      y: path.map(loss),
      text: path.map((_, k) => (k < numbered ? String(k) : "")),
      textposition: "top right",
      marker: { size: 8, color: PATH_COLOUR },
      line: { color: PATH_COLOUR },
    },
  ], {
    title: titleLayout(opts.title),
    xaxis: axis(opts.xTitle),
    yaxis: axis(opts.yTitle),
  });
}

/** One run of gradient descent on two parameters: its name and the points [w, b] it visited. */
export interface DescentRun {
  name: string;
  path: number[][];
}

/** Options of `lossSurface`. */
export interface SurfaceOptions extends DescentChartTitles {
  /** The window drawn: the range of the first parameter (x) and of the second (y). */
  x: [number, number];
  y: [number, number];
  /** Contour levels (default: 25 levels chosen by plotly). */
  levels?: { start: number; end: number; size: number };
  height?: number;
}

/** The loss over a window of two parameters, as a filled contour map: `[x values, y values, z rows]`. */
export function surfaceGrid(
  loss: (p: [number, number]) => number,
  x: [number, number],
  y: [number, number],
): { x: number[]; y: number[]; z: number[][] } {
  const xs = linspace(x[0], x[1], 61), ys = linspace(y[0], y[1], 41);
  // Rows are y, columns x: plotly's contour reads z[row][column] = L(x[column], y[row]).
  return { x: xs, y: ys, z: ys.map((b) => xs.map((w) => loss([w, b]))) };
}

/** The contour trace of a loss surface, coloured low (yellow) to high (dark), lines between. */
function contourTrace(grid: { x: number[]; y: number[]; z: number[][] }, extra: Trace = {}): Trace {
  return {
    type: "contour",
    ...grid,
    colorscale: "Viridis",
    reversescale: true,
    contours: { coloring: "heatmap" },
    ncontours: 25,
    colorbar: { title: { text: "L" } },
    name: "L(w, b)",
    hovertemplate: "w %{x:.2f}, b %{y:.2f}: L = %{z:.2f}<extra></extra>",
    ...extra,
  };
}

/** The path of a run as a line through its points, the start marked. */
function pathTrace(run: DescentRun, extra: Trace = {}): Trace {
  return {
    type: "scatter",
    mode: "lines+markers",
    name: run.name,
    x: run.path.map((p) => p[0]),
    y: run.path.map((p) => p[1]),
    line: { color: PATH_COLOUR },
    marker: { size: 5, color: PATH_COLOUR },
    hovertemplate: `${messages().updateHover("w", "b")}<extra></extra>`,
    ...extra,
  };
}

/** Throws unless a path is a non-empty list of points of finite numbers. */
function checkPath(path: number[][], what: string): void {
  if (!Array.isArray(path) || path.length === 0 || !path.every((p) => p.every(Number.isFinite))) {
    throw new Error(`${what}: a path must be a non-empty list of points of finite numbers`);
  }
}

/** A loss of two parameters as a contour map over a window, with the path of each run drawn on it. */
export function lossSurface(
  loss: (p: [number, number]) => number,
  runs: DescentRun[],
  opts: SurfaceOptions,
): Figure {
  runs.forEach((r) => checkPath(r.path, "lossSurface"));
  const levels = opts.levels ? { contours: { coloring: "heatmap", ...opts.levels } } : {};
  return figure([
    contourTrace(surfaceGrid(loss, opts.x, opts.y), levels),
    ...runs.map((r) => pathTrace(r)),
  ], {
    title: titleLayout(opts.title),
    xaxis: axis(opts.xTitle, { range: opts.x }),
    yaxis: axis(opts.yTitle, { range: opts.y }),
    height: opts.height ?? 460,
  });
}

/**
 * One panel per run, side by side, each the loss surface with that run's path. A panel whose path leaves
 * the window is zoomed out to hold the whole path, with the window drawn on it as a dashed box.
 */
export function descentPanels(
  loss: (p: [number, number]) => number,
  runs: DescentRun[],
  opts: SurfaceOptions,
): Figure {
  if (!Array.isArray(runs) || runs.length === 0) throw new Error("descentPanels: give at least one run");
  runs.forEach((r) => checkPath(r.path, "descentPanels"));
  const n = runs.length, layout: Record<string, unknown> = {};
  const shapes: Record<string, unknown>[] = [], annotations: Record<string, unknown>[] = [];
  const traces = runs.flatMap((run, i) => {
    const window = zoomOut(run.path, opts.x, opts.y);
    const axes = { xaxis: `x${i + 1}`, yaxis: `y${i + 1}` };
    const zoomed = window.x !== opts.x || window.y !== opts.y;
    layout[`xaxis${i + 1}`] = axis(zoomed ? messages().zoomedOut(opts.xTitle) : opts.xTitle, {
      range: window.x,
    });
    layout[`yaxis${i + 1}`] = axis(i === 0 ? opts.yTitle : "", { range: window.y });
    if (zoomed) {
      const box = { x0: opts.x[0], x1: opts.x[1], y0: opts.y[0], y1: opts.y[1] };
      shapes.push({
        type: "rect",
        xref: `x${i + 1}`,
        yref: `y${i + 1}`,
        ...box,
        line: { dash: "dash", color: "#fff" },
      });
    }
    annotations.push({
      text: run.name,
      xref: `x${i + 1} domain`,
      yref: `y${i + 1} domain`,
      x: 0.5,
      y: 1.02,
      yanchor: "bottom",
      showarrow: false,
    });
    return [
      contourTrace(surfaceGrid(loss, window.x, window.y), { ...axes, showscale: false, showlegend: false }),
      pathTrace(run, { ...axes, showlegend: false }),
    ];
  });
  return figure(traces, {
    ...layout,
    title: titleLayout(opts.title),
    grid: { rows: 1, columns: n, pattern: "independent", xgap: 0.12 },
    shapes,
    annotations,
    margin: { l: 55, r: 20, t: 90, b: 55 },
    height: opts.height ?? 400,
  });
}

/** The window itself if the path stays inside it, else the smallest window holding both. */
export function zoomOut(
  path: number[][],
  x: [number, number],
  y: [number, number],
): { x: [number, number]; y: [number, number] } {
  const px = path.map((p) => p[0]), py = path.map((p) => p[1]);
  const inside = px.every((v) => v >= x[0] && v <= x[1]) && py.every((v) => v >= y[0] && v <= y[1]);
  if (inside) return { x, y };
  return {
    x: [Math.min(x[0], ...px), Math.max(x[1], ...px)],
    y: [Math.min(y[0], ...py), Math.max(y[1], ...py)],
  };
}
