/**
 * Planes side by side, for looking at the playground's data sets and trained runs (lib/playground.ts) beyond
 * the live view: the data sets, the boundaries several networks ended with, each first-layer neuron's own
 * output and line, and the count of dead neurons. It draws on the playground's grid and colours
 * (lib/playground_view.ts).
 */
import type { Dataset2d, Points2d } from "./datasets2d.ts";
import type { Matrix } from "./matrix.ts";
import type { Network } from "./network.ts";
import { type Figure, figure, type Layout, titleLayout, type Trace } from "./plot.ts";
import { messages } from "./language.ts";
import type { PlaygroundRun } from "./playground.ts";
import {
  gridBatch,
  percent,
  PLANE_SCALE,
  PLAYGROUND_COLORS,
  PLAYGROUND_GRID,
  PLAYGROUND_GRID_N,
  PLAYGROUND_PLANE,
  round3,
} from "./playground_view.ts";

/** One small plane: its title, an output over the grid (0-100), points, and lines w1 x1 + w2 x2 + b = 0. */
export interface PlanePanel {
  title: string;
  z?: (number | null)[][];
  points?: Points2d;
  lines?: { w1: number; w2: number; b: number }[];
}

/** Planes side by side on one colour scale (0 to 100), `cols` per row (default up to 4). */
export function planePanels(
  panels: PlanePanel[],
  opts: { title: string; cols?: number; colorscale?: [number, string][]; colorbarTitle?: string },
): Figure {
  if (!Array.isArray(panels) || panels.length === 0) {
    throw new Error("planePanels: expected a non-empty array of panels { title, z?, points?, lines? }");
  }
  const cols = Math.min(opts.cols ?? 4, panels.length), rows = Math.ceil(panels.length / cols);
  const size = Math.min(260, Math.floor((760 - 30 * (cols - 1)) / cols)); // pixels per square panel
  const width = cols * size + 30 * (cols - 1) + 60, height = rows * (size + 40) + 70;
  const traces: Trace[] = [];
  const layout: Layout = {
    title: titleLayout(opts.title),
    width,
    height,
    margin: { l: 40, r: 20, t: 70, b: 20 },
    showlegend: false,
    annotations: [] as Layout[],
  };
  panels.forEach((panel, k) => {
    const a = k === 0 ? "" : String(k + 1), r = Math.floor(k / cols), c = k % cols;
    const x0 = (c * (size + 30)) / (width - 60), x1 = (c * (size + 30) + size) / (width - 60);
    const top = 1 - (r * (size + 40)) / (height - 90), bottom = top - size / (height - 90);
    layout[`xaxis${a}`] = {
      domain: [x0, x1],
      range: [-PLAYGROUND_PLANE, PLAYGROUND_PLANE],
      anchor: `y${a}`,
      showgrid: false,
      zeroline: false,
      tickfont: { size: 9 },
    };
    layout[`yaxis${a}`] = {
      domain: [Math.max(0, bottom), Math.min(1, top - 0.04)],
      range: [-PLAYGROUND_PLANE, PLAYGROUND_PLANE],
      anchor: `x${a}`,
      showgrid: false,
      zeroline: false,
      scaleanchor: `x${a}`,
      constrain: "domain",
      tickfont: { size: 9 },
    };
    (layout.annotations as Layout[]).push({
      text: `<b>${panel.title}</b>`,
      xref: `x${a} domain`,
      yref: `y${a} domain`,
      x: 0.5,
      y: 1.01,
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
      font: { size: 12 },
    });
    const on = { xaxis: `x${a}`, yaxis: `y${a}`, hoverinfo: "skip" };
    if (panel.z) {
      traces.push({
        type: "heatmap",
        x: PLAYGROUND_GRID,
        y: PLAYGROUND_GRID,
        z: panel.z,
        zmin: 0,
        zmax: 100,
        zsmooth: "best",
        colorscale: opts.colorscale ?? PLANE_SCALE,
        showscale: k === 0 && opts.colorbarTitle !== undefined,
        ...(opts.colorbarTitle ? { colorbar: { title: { text: opts.colorbarTitle }, len: 0.6 } } : {}),
        ...on,
      });
    }
    for (const line of panel.lines ?? []) traces.push({ ...lineTrace(line), ...on });
    if (panel.points) {
      const p = panel.points, n = p.labels.length;
      for (const label of [0, 1]) {
        const idx = p.labels.flatMap((l, i) => (l === label ? [i] : []));
        traces.push({
          type: "scatter",
          mode: "markers",
          x: idx.map((i) => round3(p.X.data[i])),
          y: idx.map((i) => round3(p.X.data[n + i])),
          marker: { size: 4, color: PLAYGROUND_COLORS[label], line: { color: "#ffffff", width: 0.5 } },
          ...on,
        });
      }
    }
  });
  return figure(traces, layout);
}

/** The line w1 x1 + w2 x2 + b = 0 across the plane, dashed (none if w = 0). */
function lineTrace({ w1, w2, b }: { w1: number; w2: number; b: number }): Trace {
  let x: number[] = [], y: number[] = [];
  if (Math.abs(w2) >= Math.abs(w1) && w2 !== 0) {
    x = [-PLAYGROUND_PLANE, PLAYGROUND_PLANE];
    y = x.map((v) => -(w1 * v + b) / w2);
  } else if (w1 !== 0) {
    y = [-PLAYGROUND_PLANE, PLAYGROUND_PLANE];
    x = y.map((v) => -(w2 * v + b) / w1);
  }
  return { type: "scatter", mode: "lines", x, y, line: { color: "#222222", width: 1.5, dash: "dash" } };
}

/** The training points of data sets, side by side. */
export function datasetsFigure(sets: Dataset2d[], title = messages().playDatasets): Figure {
  return planePanels(sets.map((d) => ({ title: messages().datasetTitle(d.name), points: d.train })), {
    title,
  });
}

/** The boundaries that trained networks ended with, side by side, each titled with its accuracies. */
export function boundariesFigure(runs: PlaygroundRun[], title: string): Figure {
  return planePanels(
    runs.map((r) => ({
      title: `${r.sizes.join("-")} ${r.hidden}: ${percent(r.trainAccuracy)} / ${percent(r.testAccuracy)}`,
      z: r.frames.at(-1)!.z,
      points: r.data.train,
    })),
    { title: messages().playBoundaries(title) },
  );
}

/**
 * Each neuron of the first hidden layer on its own: its output a = σ(w1 x1 + w2 x2 + b) over the plane
 * (scaled to 0-100: from its least to its largest value on the plane) and its line w1 x1 + w2 x2 + b = 0,
 * where it switches. The layers after it only combine these.
 */
export function neuronBoundaries(
  run: PlaygroundRun,
  title = messages().playHiddenLayer,
): Figure {
  const W = run.net.W[0], b = run.net.b[0];
  const z = run.net.forward(gridBatch()).a[1]; // a^1 at every grid point: one row per neuron
  const n = PLAYGROUND_GRID_N * PLAYGROUND_GRID_N;
  const [lo, hi] = run.hidden === "tanh"
    ? [-1, 1]
    : run.hidden === "sigmoid"
    ? [0, 1]
    : [0, Math.max(1e-9, ...z.data)];
  const panels = Array.from({ length: W.rows }, (_, i) => ({
    title: messages().playNeuron(i + 1),
    z: Array.from(
      { length: PLAYGROUND_GRID_N },
      (_, r) =>
        Array.from(
          { length: PLAYGROUND_GRID_N },
          (_, c) => Math.round(100 * (z.data[i * n + r * PLAYGROUND_GRID_N + c] - lo) / (hi - lo)),
        ),
    ),
    points: run.data.train,
    lines: [{ w1: W.get(i, 0), w2: W.get(i, 1), b: b.get(i, 0) }],
  }));
  return planePanels(panels, {
    title,
    colorscale: [[0, "#ffffff"], [1, "#6a3d9a"]],
    colorbarTitle: messages().playScaled,
  });
}

/**
 * The hidden neurons that output 0 for every point, per hidden layer ("dead": with ReLU, a neuron whose z
 * is negative everywhere passes no gradient back, so gradient descent can never revive it).
 */
export function deadNeurons(net: Network, X: Matrix): number[] {
  const { a } = net.forward(X);
  return a.slice(1, -1).map((layer) => {
    let dead = 0;
    for (let i = 0; i < layer.rows; i++) {
      let silent = true;
      for (let j = 0; j < layer.cols && silent; j++) silent = layer.data[i * layer.cols + j] === 0;
      if (silent) dead++;
    }
    return dead;
  });
}
