/**
 * One state of the playground (lib/playground.ts) drawn as a figure: the plane (the points over the network's
 * output P(label 1) on a grid), the loss per epoch and, for a small network, the network itself (one line per
 * weight, red positive, blue negative, thicker for a larger |w|); and the replay of recorded frames, with a
 * slider and a play button that run in the page. The grid and the colours live here because the playground
 * and the side-by-side planes (lib/playground_planes.ts) both draw on them: imports flow one way, from those
 * modules to this one.
 */
import { type Dataset2d, DATASET_EXTENT, type Points2d } from "./datasets2d.ts";
import { Matrix } from "./matrix.ts";
import type { Network } from "./network.ts";
import { axis, type Figure, figure, type Layout, titleLayout, type Trace } from "./plot.ts";
import { messages } from "./language.ts";

/** The picture at one moment of training. */
export interface PlaygroundFrame {
  epoch: number;
  /** P(label 1) in percent (whole numbers) at each grid point: z[i][j] at x2 = PLAYGROUND_GRID[i], x1 = PLAYGROUND_GRID[j]. */
  z: (number | null)[][];
  trainAccuracy: number;
  testAccuracy: number;
  /** Mean loss C per point, epoch 0 (before training) first. */
  trainLoss: number[];
  testLoss: number[];
  /** The weights W^1..W^L (one row per neuron), when the network is small enough to draw. */
  weights?: number[][][];
}

/** The plane shown: from -PLAYGROUND_PLANE to PLAYGROUND_PLANE on each axis (the data sets and a margin). */
export const PLAYGROUND_PLANE = 1.25 * DATASET_EXTENT;
/** The number of grid points on each axis. */
export const PLAYGROUND_GRID_N = 31;
/** The grid points on each axis, from -PLAYGROUND_PLANE to PLAYGROUND_PLANE. */
export const PLAYGROUND_GRID: readonly number[] = Object.freeze(
  Array.from(
    { length: PLAYGROUND_GRID_N },
    (_, i) => Number((-PLAYGROUND_PLANE + 2 * PLAYGROUND_PLANE * i / (PLAYGROUND_GRID_N - 1)).toFixed(4)),
  ),
);

/** The largest network drawn: at most this many weights (TensorFlow Playground's largest, 2-8x6-2, has 352). */
export const MAX_DRAWN_WEIGHTS = 360;

/** The colours of the two labels (as lib/widgets.ts: blue low, red high) and of the plane behind them. */
export const PLAYGROUND_COLORS = ["#2166ac", "#b2182b"] as const;
/** The plane's colour scale behind the points: blue for P(label 1) = 0, white for 1/2, red for 1. */
export const PLANE_SCALE: [number, string][] = [[0, "#5b9bd5"], [0.5, "#f7f7f7"], [1, "#e06666"]];

/** The grid points as one 2 x N² batch, x1 varying fastest: point k is (GRID[k mod N], GRID[floor(k / N)]). */
export const gridBatch = (() => {
  let cached: Matrix | undefined;
  return () => {
    if (!cached) {
      const n = PLAYGROUND_GRID_N * PLAYGROUND_GRID_N;
      cached = new Matrix(2, n, new Float32Array(2 * n));
      for (let k = 0; k < n; k++) {
        cached.data[k] = PLAYGROUND_GRID[k % PLAYGROUND_GRID_N];
        cached.data[n + k] = PLAYGROUND_GRID[Math.floor(k / PLAYGROUND_GRID_N)];
      }
    }
    return cached;
  };
})();

/** P(label 1) in whole percent over the grid, one row per x2 value (NaN outputs become null: a gap). */
export function probabilityGrid(net: Network): (number | null)[][] {
  const y = net.feedforward(gridBatch());
  const n = PLAYGROUND_GRID_N * PLAYGROUND_GRID_N;
  return Array.from(
    { length: PLAYGROUND_GRID_N },
    (_, i) =>
      Array.from({ length: PLAYGROUND_GRID_N }, (_, j) => {
        const p = y.data[n + i * PLAYGROUND_GRID_N + j]; // row 1 of y: P(label 1)
        return Number.isFinite(p) ? Math.round(100 * p) : null;
      }),
  );
}

/** The number of weights of a fully connected network with these layer sizes. */
function weightCount(sizes: number[]): number {
  return sizes.slice(1).reduce((s, n, l) => s + n * sizes[l], 0);
}

/** Whether the network is drawn (small enough to read one line per weight). */
export function drawableNetwork(sizes: number[]): boolean {
  return weightCount(sizes) <= MAX_DRAWN_WEIGHTS;
}

// ---------------------------------------------------------------------------------------------
// The figure

/** What the figure shows at one moment. */
export interface PlaygroundView {
  title: string;
  sizes: number[];
  epochs: number;
  data: Dataset2d;
  frame: PlaygroundFrame;
  /** Where the picture comes from: training now, or the recorded frames. */
  mode: "live" | "recorded";
  /** What the second title line ends with (e.g. "stopped by Kernel > Interrupt"). */
  note?: string;
}

/** Line widths of the weights, by size |w|: below 0.25, 0.5, 1, 2, and above. */
const WIDTH_LIMITS = [0.25, 0.5, 1, 2];
const WIDTHS = [0.6, 1.2, 2.2, 3.4, 5];

/** Where neuron i of layer l is drawn in the network panel. */
function nodeXY(sizes: number[], l: number, i: number): [number, number] {
  return [l, (sizes[l] - 1) / 2 - i];
}

/** The weight lines, grouped by sign and width: one trace each (plotly draws one width per trace). */
function edgeTraces(sizes: number[], weights: number[][][]): Trace[] {
  const groups = WIDTHS.flatMap((width) =>
    [0, 1].map((sign) => ({ width, sign, x: [] as (number | null)[], y: [] as (number | null)[] }))
  );
  weights.forEach((W, l) =>
    W.forEach((row, i) =>
      row.forEach((w, j) => {
        if (!Number.isFinite(w)) return;
        const level = WIDTH_LIMITS.filter((limit) => Math.abs(w) >= limit).length;
        const group = groups[2 * level + (w > 0 ? 1 : 0)];
        const [x0, y0] = nodeXY(sizes, l, j), [x1, y1] = nodeXY(sizes, l + 1, i);
        group.x.push(x0, x1, null);
        group.y.push(y0, y1, null);
      })
    )
  );
  return groups.map((g) => ({
    type: "scatter",
    mode: "lines",
    x: g.x,
    y: g.y,
    xaxis: "x3",
    yaxis: "y3",
    line: { color: PLAYGROUND_COLORS[g.sign], width: g.width },
    opacity: 0.75,
    hoverinfo: "skip",
    showlegend: false,
  }));
}

/** The traces of one view, always in the same order (the replay's slider restyles them by index). */
function viewTraces(view: PlaygroundView): Trace[] {
  const { data, frame, sizes } = view;
  const points = (p: Points2d, label: number, heldOut: boolean): Trace => {
    const idx = p.labels.flatMap((l, k) => (l === label ? [k] : []));
    const n = p.labels.length;
    return {
      type: "scatter",
      mode: "markers",
      x: idx.map((k) => round3(p.X.data[k])),
      y: idx.map((k) => round3(p.X.data[n + k])),
      name: messages().playLabel(label, heldOut),
      marker: heldOut
        ? { symbol: "circle-open", size: 6, color: PLAYGROUND_COLORS[label], line: { width: 1.5 } }
        : { size: 6, color: PLAYGROUND_COLORS[label], line: { color: "#ffffff", width: 1 } },
      hovertemplate: `${messages().playHover(label, heldOut)}: (%{x:.2f}, %{y:.2f})<extra></extra>`,
      showlegend: true,
    };
  };
  const epochsAxis = frame.trainLoss.map((_, e) => e);
  const traces: Trace[] = [
    {
      type: "heatmap",
      x: PLAYGROUND_GRID,
      y: PLAYGROUND_GRID,
      z: frame.z,
      zmin: 0,
      zmax: 100,
      zsmooth: "best",
      colorscale: PLANE_SCALE,
      showscale: false,
      hovertemplate: `(%{x:.2f}, %{y:.2f}): ${messages().playOutputHover} = %{z}%<extra></extra>`,
      name: messages().playOutput,
    },
    points(data.train, 0, false),
    points(data.train, 1, false),
    points(data.test, 0, true),
    points(data.test, 1, true),
    {
      type: "scatter",
      mode: "lines",
      x: epochsAxis,
      y: frame.trainLoss.map(round3digits),
      name: messages().playTrainingLoss,
      xaxis: "x2",
      yaxis: "y2",
      line: { color: "#333333", width: 2 },
      hovertemplate: `${messages().playEpoch} %{x}: ${messages().playTrainingLoss} %{y:.3f}<extra></extra>`,
    },
    {
      type: "scatter",
      mode: "lines",
      x: epochsAxis,
      y: frame.testLoss.map(round3digits),
      name: messages().playHeldOutLoss,
      xaxis: "x2",
      yaxis: "y2",
      line: { color: "#ff7f0e", width: 2, dash: "dash" },
      hovertemplate: `${messages().playEpoch} %{x}: ${messages().playHeldOutLoss} %{y:.3f}<extra></extra>`,
    },
  ];
  if (frame.weights) {
    traces.push(...edgeTraces(sizes, frame.weights));
    const nodes = sizes.flatMap((n, l) => Array.from({ length: n }, (_, i) => ({ l, i })));
    traces.push({
      type: "scatter",
      mode: "markers",
      x: nodes.map(({ l, i }) => nodeXY(sizes, l, i)[0]),
      y: nodes.map(({ l, i }) => nodeXY(sizes, l, i)[1]),
      text: nodes.map(({ l, i }) =>
        l === 0
          ? messages().playInput(i + 1)
          : l === sizes.length - 1
          ? messages().playOutputNode(i)
          : messages().playHiddenNode(l, i + 1)
      ),
      hovertemplate: "%{text}<extra></extra>",
      xaxis: "x3",
      yaxis: "y3",
      marker: { size: 9, color: "#ffffff", line: { color: "#444444", width: 1.2 } },
      showlegend: false,
    });
  }
  return traces;
}

/** A coordinate rounded to 3 decimals (smaller outputs, same picture). */
export const round3 = (v: number) => Math.round(v * 1000) / 1000;
/** A loss to 3 significant digits (non-finite values kept: a gap). */
const round3digits = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(3)) : v);
/** An accuracy as a percentage with one decimal. */
export const percent = (a: number) => `${(100 * a).toFixed(1)}%`;

/** The second title line: where the picture comes from, the epoch and the accuracies. */
function statusLine(view: PlaygroundView): string {
  const { frame, epochs, mode } = view;
  const m = messages();
  const where = mode === "live" ? m.playLive : m.playRecorded;
  return m.playStatus(where, frame.epoch, epochs, percent(frame.trainAccuracy), percent(frame.testAccuracy)) +
    (view.note ? ` · ${view.note}` : "");
}

/** The figure of one view: the plane at the left, the loss (and the network) at the right. */
export function viewFigure(view: PlaygroundView): Figure {
  const drawn = view.frame.weights !== undefined;
  const losses = [...view.frame.trainLoss, ...view.frame.testLoss].filter(Number.isFinite);
  const layout: Layout = {
    title: titleLayout(`${view.title}<br><span style="font-size:13px">${statusLine(view)}</span>`),
    width: 820,
    height: 540,
    margin: { l: 55, r: 20, t: 95, b: 90 },
    showlegend: true,
    legend: { orientation: "h", x: 0, xanchor: "left", y: -0.17, yanchor: "top", font: { size: 11 } },
    xaxis: axis("x₁", {
      domain: [0, 0.5],
      range: [-PLAYGROUND_PLANE, PLAYGROUND_PLANE],
      constrain: "domain",
      showgrid: false,
    }),
    yaxis: axis("x₂", {
      range: [-PLAYGROUND_PLANE, PLAYGROUND_PLANE],
      scaleanchor: "x",
      constrain: "domain",
      showgrid: false,
    }),
    xaxis2: axis(messages().playEpoch, { domain: [0.6, 1], anchor: "y2", range: [0, view.epochs] }),
    yaxis2: axis(messages().playMeanLoss, {
      domain: drawn ? [0.62, 1] : [0, 1],
      anchor: "x2",
      // Up to the largest loss (a loss can reach -ln(1e-7) = 16.1 when training diverges).
      range: [0, Math.max(1, ...losses.map((l) => Math.min(l, 17))) * 1.05],
    }),
  };
  if (drawn) {
    const tallest = Math.max(...view.sizes);
    layout.xaxis3 = {
      domain: [0.6, 1],
      anchor: "y3",
      range: [-0.3, view.sizes.length - 0.7],
      visible: false,
      fixedrange: true,
    };
    layout.yaxis3 = {
      domain: [0, 0.36],
      anchor: "x3",
      range: [-(tallest - 1) / 2 - 0.6, (tallest - 1) / 2 + 0.6],
      visible: false,
      fixedrange: true,
    };
    layout.annotations = [{
      text: messages().playNetworkNote,
      xref: "x3 domain",
      yref: "y3 domain",
      x: 0,
      y: 1.02,
      xanchor: "left",
      yanchor: "bottom",
      showarrow: false,
      font: { size: 11, color: "#444444" },
    }];
  }
  // A fixed size: plotly need not watch the window (a live figure is drawn afresh many times).
  return figure(viewTraces(view), layout, { responsive: false });
}

/**
 * The indices of the traces a replay step changes: the plane's output (0), the two losses (5, 6) and, when
 * the network is drawn, its weight lines (7 onwards; the neurons, drawn last, do not move).
 */
function changingTraces(drawn: boolean): number[] {
  const edges = drawn ? 2 * WIDTHS.length : 0;
  return [0, 5, 6, ...Array.from({ length: edges }, (_, k) => 7 + k)];
}

/** The replay: the last frame's figure with a slider whose steps restyle it to each recorded frame. */
export function replayFigure(
  base: Omit<PlaygroundView, "frame" | "mode">,
  frames: PlaygroundFrame[],
  note?: string,
): Figure {
  const last = frames.at(-1)!;
  const fig = viewFigure({ ...base, frame: last, mode: "recorded", note });
  const indices = changingTraces(last.weights !== undefined);
  const steps = frames.map((frame) => {
    const traces = viewTraces({ ...base, frame, mode: "recorded" });
    const changing = indices.map((i) => traces[i]);
    const title = `${base.title}<br><span style="font-size:13px">${
      statusLine({ ...base, frame, mode: "recorded", note: frame === last ? note : undefined })
    }</span>`;
    return {
      label: String(frame.epoch),
      method: "update",
      args: [
        {
          x: changing.map((t) => t.x),
          y: changing.map((t) => t.y),
          z: changing.map((t) => t.z ?? null),
        },
        { "title.text": title },
        indices,
      ],
    };
  });
  fig.layout.sliders = [{
    active: frames.length - 1,
    currentvalue: { prefix: `${messages().playEpoch} `, font: { size: 13 } },
    pad: { t: 10, b: 0 },
    x: 0.6,
    len: 0.4,
    y: -0.1,
    yanchor: "top",
    font: { size: 10 },
    steps,
  }];
  // The legend moves left of the slider.
  fig.layout.legend = {
    orientation: "v",
    x: 0,
    xanchor: "left",
    y: -0.12,
    yanchor: "top",
    font: { size: 11 },
  };
  fig.layout.height = 590;
  fig.layout.margin = { l: 55, r: 20, t: 95, b: 140 };
  return fig;
}

/** A play button under the replay: steps through the slider in the page (no kernel needed). */
export function playButton(divId: string): string {
  const id = JSON.stringify(divId);
  const m = messages();
  const play = JSON.stringify(`&#9654; ${m.playPlay}`),
    pause = JSON.stringify(`&#10074;&#10074; ${m.playPause}`);
  return `<div class="course-playground-controls" style="margin:2px 0 6px 0;font:13px system-ui,sans-serif;color:#444">` +
    `<button type="button" class="course-play" data-plot="${divId}" ` +
    `style="font:13px system-ui,sans-serif;padding:2px 10px;margin-right:8px">&#9654; ${m.playPlay}</button>` +
    `${m.playFrames}</div>
<script type="text/javascript">
(function () {
  var buttons = document.querySelectorAll('button.course-play[data-plot=' + JSON.stringify(${id}) + ']');
  var button = buttons[buttons.length - 1];
  if (!button || button.getAttribute("data-ready")) { return; }
  button.setAttribute("data-ready", "1");
  var timer = null;
  function stop() { clearInterval(timer); timer = null; button.innerHTML = ${play}; }
  button.onclick = function () {
    if (timer) { stop(); return; }
    var els = document.querySelectorAll('div[id=' + JSON.stringify(${id}) + ']'), el = els[els.length - 1];
    if (!el || !el.layout || !el.layout.sliders || !window.Plotly) { return; }
    var steps = el.layout.sliders[0].steps, i = el.layout.sliders[0].active + 1;
    if (!(i < steps.length)) { i = 0; }
    button.innerHTML = ${pause};
    timer = setInterval(function () {
      if (i >= steps.length) { stop(); return; }
      var a = steps[i].args, layout = Object.assign({}, a[1], { "sliders[0].active": i });
      window.Plotly.update(el, a[0], layout, a[2]);
      i += 1;
    }, 200);
  };
})();
</script>`;
}

// ---------------------------------------------------------------------------------------------
