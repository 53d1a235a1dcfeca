/**
 * Slider widgets: figures whose plotly sliders restyle data computed in advance, so that they run in the
 * page (Notebook 6, the HTML course, VS Code) without a round trip to the kernel, which answers no widget
 * messages. One shows a neuron's output as its weights and bias change; one shows gradient descent as the
 * learning rate changes.
 */
import { descentPath, numericGrad, valleyGrad, valleyLoss } from "./descent.ts";
import { axis, Figure, figure, logTicks, titleLayout, type Trace } from "./plot.ts";
import { messages } from "./language.ts";

/** n values from lo to hi, evenly spaced. */
function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + (hi - lo) * i / (n - 1)));
}

/** Rounds for slider labels: 0.1 + 0.2 shows as 0.3. */
function label(v: number): string {
  return String(Number(v.toPrecision(4)));
}

function checkValues(values: number[], what: string): number[] {
  if (!Array.isArray(values) || values.length === 0 || !values.every(Number.isFinite)) {
    throw new Error(`${what}: expected a non-empty array of finite numbers, got ${JSON.stringify(values)}`);
  }
  return values;
}

/** Blue (0) to white (0.5) to red (1), for an output a in [0, 1]. */
function divergingColour(a: number): string {
  const blue = [33, 102, 172], white = [247, 247, 247], red = [178, 24, 43];
  const [from, to, t] = a < 0.5 ? [blue, white, a / 0.5] : [white, red, (a - 0.5) / 0.5];
  const c = from.map((f, k) => Math.round(f + (to[k] - f) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Options of `neuronExplorer`: the values each slider offers, and the square of inputs drawn. */
export interface NeuronExplorerOptions {
  /** Values of the weight w1 (default -5, -4, ..., 5). */
  w1?: number[];
  /** Values of the weight w2 (default -5, ..., 5). */
  w2?: number[];
  /** Values of the bias b (default -5, ..., 5). */
  b?: number[];
  /** Inputs x1 and x2 drawn over [lo, hi] (default [-4, 4]). */
  range?: [number, number];
  /** Where the sliders start (default the lecture's first neuron: w1 = 1, w2 = -2, b = 1). */
  start?: { w1?: number; w2?: number; b?: number };
  title?: string;
}

/**
 * One sigmoid neuron a = sigma(w1 x1 + w2 x2 + b) over the input plane, with a slider for each of w1, w2
 * and b. The three sliders compose in the page without recomputing anything: the heatmap holds
 * s = u + v on a fixed grid, the w1 slider places column u at x1 = u / w1, the w2 slider places row v at
 * x2 = v / w2 (so s = w1 x1 + w2 x2 everywhere), and the b slider shifts the colour scale, which maps
 * s + b through the sigmoid to a colour.
 */
export function neuronExplorer(opts: NeuronExplorerOptions = {}): Figure {
  const steps = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  const w1s = checkValues(opts.w1 ?? steps(-5, 5), "neuronExplorer w1");
  const w2s = checkValues(opts.w2 ?? steps(-5, 5), "neuronExplorer w2");
  const bs = checkValues(opts.b ?? steps(-5, 5), "neuronExplorer b");
  const [lo, hi] = opts.range ?? [-4, 4];
  if (!(hi > lo)) throw new Error(`neuronExplorer: range must be [lo, hi] with lo < hi, got [${lo}, ${hi}]`);
  const R = Math.max(Math.abs(lo), Math.abs(hi));
  const S = 6; // the colour scale spans s + b in [-S, S]: sigma(6) = 0.9975, saturated beyond
  const ds = 0.2; // grid step of u and v: one colour brick per 0.2 of w x
  const grid = (wmax: number) => {
    const n = Math.ceil(R * Math.max(wmax, 1e-9) / ds);
    return Array.from({ length: 2 * n + 1 }, (_, i) => (i - n) * ds);
  };
  const us = grid(Math.max(...w1s.map(Math.abs))), vs = grid(Math.max(...w2s.map(Math.abs)));
  const z = vs.map((v) => us.map((u) => u + v));
  // Where a column u lands for a weight w: x = u / w. For w = 0 the output does not depend on the input,
  // so the u = 0 column is stretched over the whole visible range and the rest pushed out of view.
  const place = (values: number[], w: number) =>
    values.map((u) => w !== 0 ? u / w : u === 0 ? 0 : Math.sign(u) * (3 * R + Math.abs(u) * 1e-3));
  const ticks = [0.05, 0.25, 0.5, 0.75, 0.95];
  const colourRange = (b: number) => ({
    zmin: -S - b,
    zmax: S - b,
    tickvals: ticks.map((a) => Math.log(a / (1 - a)) - b), // s where sigma(s + b) = a
  });
  const colorscale = linspace(0, 1, 49).map((
    t,
  ) => [t, divergingColour(1 / (1 + Math.exp(-(-S + 2 * S * t))))]);
  const startAt = (values: number[], wanted: number | undefined, lecture: number) => {
    const i = values.indexOf(wanted ?? lecture);
    return i >= 0 ? i : Math.floor(values.length / 2);
  };
  const i1 = startAt(w1s, opts.start?.w1, 1),
    i2 = startAt(w2s, opts.start?.w2, -2),
    ib = startAt(bs, opts.start?.b, 1);
  const range0 = colourRange(bs[ib]);
  const trace: Trace = {
    type: "heatmap",
    x: place(us, w1s[i1]),
    y: place(vs, w2s[i2]),
    z,
    zsmooth: false,
    zauto: false,
    zmin: range0.zmin,
    zmax: range0.zmax,
    colorscale,
    hoverinfo: "skip",
    colorbar: {
      title: { text: messages().plotOutput("a") },
      tickvals: range0.tickvals,
      ticktext: ticks.map(String),
      len: 0.75,
      y: 1,
      yanchor: "top",
    },
  };
  const slider = (
    name: string,
    values: number[],
    active: number,
    y: number,
    args: (v: number) => unknown[],
  ) => ({
    active,
    currentvalue: { prefix: `${name} = `, font: { size: 13 } },
    pad: { t: 0, b: 0 },
    x: 0,
    len: 1,
    y,
    yanchor: "top",
    font: { size: 10 },
    steps: values.map((v) => ({ label: label(v), method: "restyle", args: args(v) })),
  });
  return figure([trace], {
    title: titleLayout(opts.title ?? messages().neuronTitle),
    xaxis: axis(messages().plotInput("x₁"), {
      range: [lo, hi],
      constrain: "domain",
      zeroline: true,
      showgrid: false,
    }),
    yaxis: axis(messages().plotInput("x₂"), {
      range: [lo, hi],
      scaleanchor: "x",
      constrain: "domain",
      zeroline: true,
      showgrid: false,
    }),
    width: 560,
    height: 720,
    margin: { l: 65, r: 25, t: 60, b: 250 },
    showlegend: false,
    sliders: [
      slider("w₁", w1s, i1, -0.13, (w) => [{ x: [place(us, w)] }, [0]]),
      slider("w₂", w2s, i2, -0.3, (w) => [{ y: [place(vs, w)] }, [0]]),
      slider("b", bs, ib, -0.47, (b) => {
        const r = colourRange(b);
        return [{ zmin: [r.zmin], zmax: [r.zmax], "colorbar.tickvals": [r.tickvals] }, [0]];
      }),
    ],
  });
}

/** Options of `gradientDescentExplorer`. */
export interface GradientDescentOptions {
  /** The loss L(w) of two parameters w = [w1, w2] (default: a long narrow valley, minimum at (1, -0.5)). */
  loss?: (w: [number, number]) => number;
  /** Its gradient [dL/dw1, dL/dw2] (default: the default loss's; with a custom loss, central differences). */
  grad?: (w: [number, number]) => [number, number];
  /** Where descent starts (default [-3.5, 1.5]). */
  start?: [number, number];
  /** Learning rates on the slider (default 0.01 to 0.21). */
  rates?: number[];
  /** Updates per path (default 40). */
  steps?: number;
  /** Parameter ranges drawn (default w1 in [-4, 4], w2 in [-2, 2]). */
  range?: { x: [number, number]; y: [number, number] };
  title?: string;
  /** Names of the two parameters' axes (default "parameter w₁", "parameter w₂"). */
  xTitle?: string;
  yTitle?: string;
}

/**
 * Gradient descent on a loss of two parameters, one learning rate per slider step: the loss as contours,
 * the path of the updates w <- w - eta dL/dw from the start, and the loss after each update. Too small a
 * rate crawls, a good one converges, too large a one zigzags across the valley and then diverges.
 */
export function gradientDescentExplorer(opts: GradientDescentOptions = {}): Figure {
  const loss = opts.loss ?? valleyLoss;
  const grad = opts.grad ?? (opts.loss ? numericGrad(loss) : valleyGrad);
  const start = opts.start ?? [-3.5, 1.5];
  const rates = checkValues(
    opts.rates ?? [0.01, 0.03, 0.06, 0.1, 0.15, 0.19, 0.205, 0.21],
    "gradientDescentExplorer rates",
  );
  const steps = opts.steps ?? 40;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`gradientDescentExplorer: steps must be >= 1, got ${steps}`);
  }
  const range = opts.range ?? { x: [-4, 4], y: [-2, 2] };
  const gx = linspace(range.x[0], range.x[1], 81), gy = linspace(range.y[0], range.y[1], 61);
  const surface = gy.map((w2) => gx.map((w1) => loss([w1, w2])));
  const paths = rates.map((eta) => descentPath(grad, start, eta, steps));
  const losses = paths.map((p) => p.map((w) => loss(w)));
  const active = Math.min(Math.floor(rates.length / 2), rates.length - 1);
  const m = messages();
  const traces: Trace[] = [
    {
      type: "contour",
      x: gx,
      y: gy,
      z: surface,
      colorscale: "Viridis",
      reversescale: true,
      ncontours: 25,
      contours: { coloring: "heatmap", showlines: true },
      line: { color: "rgba(255,255,255,0.5)", width: 0.5 },
      // The colour bar sits in the gap between the panels (0.4 to 0.63), clear of the right panel's title.
      colorbar: { title: { text: m.descentLoss }, x: 0.42, xanchor: "left", len: 0.9, thickness: 14 },
      hovertemplate: "w₁ %{x:.2f}, w₂ %{y:.2f}: L = %{z:.3f}<extra></extra>",
      name: m.descentLossSurface,
    },
    {
      type: "scatter",
      mode: "lines+markers",
      x: paths[active].map((w) => w[0]),
      y: paths[active].map((w) => w[1]),
      line: { color: "#d62728", width: 2 },
      marker: { size: 5, color: "#d62728" },
      name: m.descentUpdates,
      hovertemplate: `${m.updateHover("w₁", "w₂")}<extra></extra>`,
    },
    {
      type: "scatter",
      mode: "markers",
      x: [start[0]],
      y: [start[1]],
      marker: { size: 13, symbol: "star", color: "#ffffff", line: { color: "#000000", width: 1 } },
      name: m.descentStart,
      hoverinfo: "skip",
    },
    {
      type: "scatter",
      mode: "lines+markers",
      x: losses[active].map((_, t) => t),
      y: losses[active],
      xaxis: "x2",
      yaxis: "y2",
      line: { color: "#d62728", width: 2 },
      marker: { size: 4 },
      name: m.descentLossPerUpdate,
      hovertemplate: `${m.descentLossHover}<extra></extra>`,
    },
  ];
  // The loss panel's range covers every rate's losses (it stays put while the slider moves).
  const finite = losses.flat().filter((v) => Number.isFinite(v) && v > 0);
  const top = Math.max(...finite, 1e-12), bottom = Math.min(...finite, top);
  return figure(traces, {
    title: titleLayout(opts.title ?? m.descentTitle),
    xaxis: axis(opts.xTitle ?? m.descentParameter("w₁"), { domain: [0, 0.4], range: range.x }),
    yaxis: axis(opts.yTitle ?? m.descentParameter("w₂"), { range: range.y }),
    xaxis2: axis(m.descentUpdateAxis, { domain: [0.63, 1], anchor: "y2", range: [0, steps] }),
    yaxis2: axis(m.descentLossAxis, {
      anchor: "x2",
      type: "log",
      range: [Math.max(Math.floor(Math.log10(bottom)) - 0.2, -6), Math.log10(top) + 0.3],
      exponentformat: "power",
      ...logTicks(finite),
    }),
    height: 520,
    margin: { l: 65, r: 25, t: 60, b: 130 },
    showlegend: false,
    sliders: [{
      active,
      currentvalue: { prefix: m.descentRate, font: { size: 13 } },
      x: 0,
      len: 1,
      y: -0.2,
      yanchor: "top",
      pad: { t: 0 },
      steps: rates.map((eta, i) => ({
        label: label(eta),
        method: "restyle",
        args: [{
          x: [paths[i].map((w) => w[0]), losses[i].map((_, t) => t)],
          y: [paths[i].map((w) => w[1]), losses[i]],
        }, [1, 3]],
      })),
    }],
  });
}
