/**
 * A playground in the spirit of TensorFlow Playground: the course's own from-scratch network
 * (`Network.SGD`, lib/network.ts) learns a two-class data set on the plane (lib/datasets2d.ts), and ONE output
 * shows it happening, updated in place while it trains:
 *
 * - the plane: the points (filled: training, hollow: held out) over the network's output P(label 1) at every
 *   point of a grid, so that the decision boundary is where the colour turns from blue to red;
 * - the loss per epoch, on the training points and on the held-out points;
 * - for a small network, the network itself: one line per weight, red positive, blue negative, thicker for a
 *   larger size |w|.
 *
 * Live (in a Jupyter kernel), the output is redrawn at most once per `minInterval` ms (200 ms: 5 times a
 * second) however fast the training goes. Along the way it records frames (the same picture at a few
 * epochs); when training ends the output is replaced by the recorded frames with a slider and a play button,
 * which run in the page: that is what an exported HTML page or a reopened notebook shows, without a kernel.
 *
 * Kernel > Interrupt stops the training at its next mini-batch (lib/training.ts): the playground keeps the
 * network trained so far and shows its frames up to there. A training that diverges (learning rate too
 * large) throws the training contract's error, after showing the frames up to the failure.
 */
import {
  checkDatasetName,
  type Dataset2d,
  dataset2d,
  DATASET_EXTENT,
  type DatasetName,
  type Points2d,
} from "./datasets2d.ts";
import { bundle, display as kernelDisplay, jupyterApi, type PlotSession, print } from "./jupyter.ts";
import { Matrix } from "./matrix.ts";
import { Network } from "./network.ts";
import { axis, type Figure, figure, type Layout, titleLayout, type Trace } from "./plot.ts";
import { messages } from "./language.ts";
import { checkEta, checkHidden, checkWhole, type Hidden, type History } from "./training.ts";

/** What `playground` takes: the data, the network, the training, and how it is shown. */
export interface PlaygroundOptions {
  /** A data set's name ("xor", "circles", "gaussians", "spiral") or one made by `dataset2d`. */
  data: DatasetName | Dataset2d;
  /** For a named data set: the noise (default 0.05) and the number of points (default 400, half held out). */
  noise?: number;
  points?: number;
  /** Hidden layers (>= 1) and neurons in each (>= 1): depth 3, width 16 is 2-16-16-16-2. */
  depth: number;
  width: number;
  /** The hidden layers' activation (default "relu"). */
  hidden?: Hidden;
  /** The learning rate eta, the mini-batch size (default 10) and the number of epochs. */
  eta: number;
  batchSize?: number;
  epochs: number;
  /** One seed for everything random: the points, the initial weights, the order of the mini-batches (default 1). */
  seed?: number;
  /** Frames recorded for the replay (default 21, the first one before training; 2 to 200). */
  frames?: number;
  /** Show the figure (default true); false trains silently (for side-by-side comparisons). */
  show?: boolean;
  /** Least time between two live redraws, in ms (default 200: at most 5 a second). */
  minInterval?: number;
  /** Clock in ms (default performance.now): injected by tests. */
  now?: () => number;
  /**
   * How outputs are shown (default: the kernel's display, live only in a kernel). Given one, the view is
   * live wherever it runs: tests count its calls.
   */
  display?: PlaygroundDisplay;
}

/** A display function like lib/jupyter.ts's `display`. */
export type PlaygroundDisplay = (
  bundle: Record<string, unknown>,
  options: { display_id: string; update: boolean; settle: boolean },
) => Promise<void>;

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

/** What `playground` returns. */
export interface PlaygroundRun {
  data: Dataset2d;
  /** The trained network (the weights when it stopped, if interrupted). */
  net: Network;
  /** The training's history (lib/training.ts): losses per epoch, `stopped` after Kernel > Interrupt. */
  history: History;
  sizes: number[];
  hidden: Hidden;
  eta: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Accuracy on the training points and on the held-out points, with the final weights. */
  trainAccuracy: number;
  testAccuracy: number;
  /** Mean loss per point, training and held out, with the final weights. */
  trainLoss: number;
  testLoss: number;
  frames: PlaygroundFrame[];
  /** Live redraws sent while training (the first drawing and the final replay not counted). */
  updates: number;
  /** Seconds the training took (drawing included). */
  seconds: number;
  /** One line: the data, the network, the result. */
  summary: string;
}

/** The grid of the plane the output is computed on: PLAYGROUND_GRID_N points from -PLAYGROUND_PLANE to PLAYGROUND_PLANE on each axis. */
export const PLAYGROUND_PLANE = 1.25 * DATASET_EXTENT;
export const PLAYGROUND_GRID_N = 31;
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
const PLANE_SCALE: [number, string][] = [[0, "#5b9bd5"], [0.5, "#f7f7f7"], [1, "#e06666"]];

const OPTION_NAMES = [
  "data",
  "noise",
  "points",
  "depth",
  "width",
  "hidden",
  "eta",
  "batchSize",
  "epochs",
  "seed",
  "frames",
  "show",
  "minInterval",
  "now",
  "display",
];

/** The checked options, with defaults filled in; a bad one throws an error naming it. */
function checkOptions(options: PlaygroundOptions) {
  const what = "playground";
  if (!options || typeof options !== "object") {
    throw new Error(
      `${what}: expected options { data, depth, width, eta, epochs, ... }, got ${String(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new Error(`${what}: unknown option "${key}": expected some of ${OPTION_NAMES.join(", ")}`);
    }
  }
  const { depth, width, eta, epochs, hidden = "relu", batchSize = 10, seed = 1, frames = 21 } = options;
  if (typeof options.data !== "object" || options.data === null) {
    checkDatasetName(`${what} (data)`, options.data);
  } else if (!options.data.train?.X || !options.data.test?.X) {
    throw new Error(`${what}: data must be a data set's name or a data set made by dataset2d`);
  } else if (options.noise !== undefined || options.points !== undefined) {
    throw new Error(`${what}: noise and points make a named data set; a data set from dataset2d has its own`);
  }
  checkWhole(what, "depth (the number of hidden layers)", depth, 1);
  checkWhole(what, "width (the neurons per hidden layer)", width, 1);
  checkHidden(what, hidden);
  checkEta(what, eta);
  checkWhole(what, "epochs", epochs, 1);
  checkWhole(what, "batchSize", batchSize, 1);
  if (!Number.isInteger(seed)) throw new Error(`${what}: seed must be an integer, got ${String(seed)}`);
  checkWhole(what, "frames", frames, 2);
  if (frames > 200) throw new Error(`${what}: frames must be at most 200, got ${frames}`);
  const minInterval = options.minInterval ?? 200;
  if (typeof minInterval !== "number" || !(minInterval >= 0)) {
    throw new Error(`${what}: minInterval must be a number of milliseconds >= 0, got ${String(minInterval)}`);
  }
  return { depth, width, eta, epochs, hidden, batchSize, seed, frames, minInterval };
}

/** The grid points as one 2 x N² batch, x1 varying fastest: point k is (GRID[k mod N], GRID[floor(k / N)]). */
const gridBatch = (() => {
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

/** Fraction of points whose larger output is their label (a NaN output counts as wrong). */
function accuracyOf(net: Network, points: Points2d): number {
  const y = net.feedforward(points.X), n = points.labels.length;
  let correct = 0;
  for (let k = 0; k < n; k++) {
    const predicted = y.data[n + k] > y.data[k] ? 1 : 0;
    if (predicted === points.labels[k]) correct++;
  }
  return correct / n;
}

/** Mean loss C = -ln y_label per point (NaN when an output is NaN). */
function lossOf(net: Network, points: Points2d): number {
  const y = net.feedforward(points.X), n = points.labels.length;
  let total = 0;
  for (let k = 0; k < n; k++) total -= Math.log(Math.max(y.data[points.labels[k] * n + k], 1e-7));
  return total / n;
}

/** The number of weights of a fully connected network with these layer sizes. */
function weightCount(sizes: number[]): number {
  return sizes.slice(1).reduce((s, n, l) => s + n * sizes[l], 0);
}

/** Whether the network is drawn (small enough to read one line per weight). */
export function drawableNetwork(sizes: number[]): boolean {
  return weightCount(sizes) <= MAX_DRAWN_WEIGHTS;
}

/** The epochs at which frames are recorded: 0 (before training), then evenly spaced up to the last. */
export function frameEpochs(epochs: number, frames: number): number[] {
  const n = Math.min(frames, epochs + 1);
  return [...new Set(Array.from({ length: n }, (_, k) => Math.round(k * epochs / (n - 1))))];
}

// ---------------------------------------------------------------------------------------------
// The figure

/** What the figure shows at one moment. */
interface View {
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
function viewTraces(view: View): Trace[] {
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

const round3 = (v: number) => Math.round(v * 1000) / 1000;
const round3digits = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(3)) : v);
const percent = (a: number) => `${(100 * a).toFixed(1)}%`;

/** The second title line: where the picture comes from, the epoch and the accuracies. */
function statusLine(view: View): string {
  const { frame, epochs, mode } = view;
  const m = messages();
  const where = mode === "live" ? m.playLive : m.playRecorded;
  return m.playStatus(where, frame.epoch, epochs, percent(frame.trainAccuracy), percent(frame.testAccuracy)) +
    (view.note ? ` · ${view.note}` : "");
}

/** The figure of one view: the plane at the left, the loss (and the network) at the right. */
function viewFigure(view: View): Figure {
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
function replayFigure(base: Omit<View, "frame" | "mode">, frames: PlaygroundFrame[], note?: string): Figure {
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
    currentvalue: { prefix: "epoch ", font: { size: 13 } },
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
function playButton(divId: string): string {
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
// Training with a live view

/** The live output: one display id, redrawn at most every minInterval ms; then replaced by the replay. */
class LiveView {
  readonly id = `course-playground-${crypto.randomUUID()}`;
  updates = 0;
  #last = -Infinity;
  #shown = false;
  /** plotly.js, when the first drawing carried it (the first plot of the kernel): the replay must too. */
  #plotlyPrefix = "";
  /** Live redraws get their own div counter, so that the course's plot numbering does not depend on timing. */
  #session: PlotSession = { count: 0, injected: true };

  constructor(
    readonly display: PlaygroundDisplay,
    readonly minInterval: number,
    readonly now: () => number,
  ) {}

  /** Whether a redraw is due now (and if so, the clock starts over). */
  due(): boolean {
    const t = this.now();
    if (t - this.#last < this.minInterval) return false;
    this.#last = t;
    return true;
  }

  /** Shows the live figure: the first time as a new output, then in its place. */
  async draw(fig: Figure): Promise<void> {
    if (!this.#shown) {
      const first = bundle(fig);
      const html = first["text/html"] as string;
      this.#plotlyPrefix = html.slice(0, Math.max(0, html.indexOf('<div id="course-plot-')));
      await this.display(first, { display_id: this.id, update: false, settle: false });
      this.#shown = true;
      return;
    }
    this.updates += 1;
    await this.display(bundle(fig, this.#session), { display_id: this.id, update: true, settle: false });
  }

  /** Replaces the live figure by the replay (or shows it, if nothing was drawn live), with its play button. */
  async finish(fig: Figure, extra: Record<string, unknown>): Promise<void> {
    const b = bundle(fig);
    const html = b["text/html"] as string;
    const divId = /<div id="([^"]+)"/.exec(html)?.[1] ?? "";
    const prefix = html.startsWith("<script") ? "" : this.#plotlyPrefix;
    const final = { ...b, ...extra, "text/html": prefix + html + "\n" + playButton(divId) };
    await this.display(final, { display_id: this.id, update: this.#shown, settle: true });
  }
}

/** The kernel's display, in the shape PlaygroundDisplay has. */
const defaultDisplay: PlaygroundDisplay = (b, options) => kernelDisplay(b, options);

/**
 * Trains a fully connected network on a data set of the plane and shows it learning (see the top of this
 * file). One call holds every choice: `playground({ data: "spiral", depth: 3, width: 16, hidden: "relu",
 * eta: 0.1, epochs: 300 })`. Returns the trained network, its history, its accuracies and the frames.
 */
export async function playground(options: PlaygroundOptions): Promise<PlaygroundRun> {
  const o = checkOptions(options);
  const data = typeof options.data === "string"
    ? dataset2d(options.data, { noise: options.noise, points: options.points, seed: o.seed })
    : options.data;
  const sizes = [2, ...Array.from({ length: o.depth }, () => o.width), 2];
  const net = Network.random(sizes, { seed: o.seed, hidden: o.hidden, output: "softmax" });
  const drawn = drawableNetwork(sizes);
  const show = options.show ?? true;
  const live = show && (options.display !== undefined || jupyterApi() !== undefined)
    ? new LiveView(options.display ?? defaultDisplay, o.minInterval, options.now ?? (() => performance.now()))
    : undefined;
  const base = {
    title: messages().playTitle(data.name, sizes.join("-"), o.hidden, o.eta, o.batchSize),
    sizes,
    epochs: o.epochs,
    data,
  };
  const trainLoss = [lossOf(net, data.train)], testLoss = [lossOf(net, data.test)];
  let epoch = 0;
  /** The picture now: the output over the plane, the accuracies, the losses so far, the weights. */
  const snapshot = (): PlaygroundFrame => ({
    epoch,
    z: probabilityGrid(net),
    trainAccuracy: accuracyOf(net, data.train),
    testAccuracy: accuracyOf(net, data.test),
    trainLoss: trainLoss.slice(),
    testLoss: testLoss.slice(),
    ...(drawn ? { weights: net.W.map((W) => W.toArray().map((row) => row.map(round3))) } : {}),
  });
  const frames: PlaygroundFrame[] = [snapshot()];
  const wanted = new Set(frameEpochs(o.epochs, o.frames));
  const redraw = async () => {
    if (live?.due()) await live.draw(viewFigure({ ...base, frame: snapshot(), mode: "live" }));
  };
  const started = performance.now();
  await redraw();
  let history: History | null = null;
  let failure: Error | null = null;
  try {
    history = await net.SGD(data.train.X, data.train.labels, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      eta: o.eta,
      seed: o.seed,
      test: data.test,
      onBatch: redraw,
      onEpoch: async (report) => {
        epoch = report.epoch;
        trainLoss.push(report.loss);
        testLoss.push(report.testLoss ?? NaN);
        if (wanted.has(epoch)) frames.push(snapshot());
        await redraw();
      },
    });
  } catch (e) {
    failure = e instanceof Error ? e : new Error(String(e));
  }
  // The last frame shows where training ended: at its last epoch, where Kernel > Interrupt stopped it (the
  // interrupted epoch counts, with its mini-batches done), or in the epoch that failed (its weights then).
  if (failure) {
    epoch += 1;
    frames.push(snapshot());
  } else if (frames.at(-1)!.epoch !== epoch) frames.push(snapshot());
  const seconds = (performance.now() - started) / 1000;
  const last = frames.at(-1)!;
  const note = failure
    ? messages().playDiverged(last.epoch)
    : history?.stopped
    ? messages().playInterrupted(history.stopped.epoch)
    : undefined;
  const result = {
    trainAccuracy: last.trainAccuracy,
    testAccuracy: last.testAccuracy,
    trainLoss: lossOf(net, data.train),
    testLoss: lossOf(net, data.test),
  };
  const summary =
    `${data.name}, network ${sizes.join("-")} ${o.hidden}, η = ${o.eta}, ${last.epoch} epochs: ` +
    `training accuracy ${percent(result.trainAccuracy)}, held-out accuracy ${percent(result.testAccuracy)}` +
    (note ? ` (${note})` : "");
  if (show) {
    const fig = replayFigure(base, frames, note);
    const extra = {
      "text/plain": `[plot] playground: ${summary}`,
      // The run's numbers for tools and tests, whatever language the page is written in.
      [PLAYGROUND_MIME]: {
        data: data.name,
        noise: data.noise,
        sizes,
        hidden: o.hidden,
        eta: o.eta,
        batchSize: o.batchSize,
        epochs: o.epochs,
        epochsDone: last.epoch,
        seed: o.seed,
        ...result,
        frames: frames.length,
        // Live redraws and the seconds they happened in (timing: they differ from run to run).
        updates: live?.updates ?? 0,
        seconds,
        stopped: history?.stopped ?? null,
        diverged: failure !== null,
      },
    };
    if (live) await live.finish(fig, extra);
    else await kernelDisplay({ ...bundle(fig), ...extra });
    await print(summary);
  }
  if (failure) throw failure;
  return {
    data,
    net,
    history: history!,
    sizes,
    hidden: o.hidden,
    eta: o.eta,
    batchSize: o.batchSize,
    epochs: o.epochs,
    seed: o.seed,
    ...result,
    frames,
    updates: live?.updates ?? 0,
    seconds,
    summary,
  };
}

/** The MIME type of the numbers a playground output carries beside its figure. */
export const PLAYGROUND_MIME = "application/vnd.course.playground+json";

// ---------------------------------------------------------------------------------------------
// Several planes side by side

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
  return planePanels(sets.map((d) => ({ title: d.name, points: d.train })), { title });
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
