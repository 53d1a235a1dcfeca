/**
 * Charts for the course, with the same conventions everywhere: a title, axis titles, a legend when there
 * is more than one series, one colour per digit 0-9 (`digitColors`), and a size that fits a notebook cell.
 * A chart is a plotly `Figure` built in the kernel; lib/jupyter.ts carries it to the front end, which
 * draws it. Line, scatter and bar charts live here, with what every chart shares; grids of values
 * (heatmaps, images) are in lib/heatmap.ts, the slider widgets in lib/widgets.ts.
 */
import { type Bundle, bundle, PLOT_HEIGHT, type PlotlyFigure } from "./jupyter.ts";

/** One plotly trace (`{ type: "scatter", x, y, ... }`): see https://plotly.com/javascript/reference/. */
export type Trace = Record<string, unknown>;
/** The plotly layout: titles, axes, size, legend. */
export type Layout = Record<string, unknown>;
/** The plotly config: interaction options. */
export type Config = Record<string, unknown>;
/** Numbers as a plain array or a typed array (`Float32Array` from the data loader). */
export type Numbers = ArrayLike<number>;

/** One colour per digit 0-9, used for that digit in every chart of the course. */
export const digitColors: readonly string[] = Object.freeze([
  "#1f77b4", // 0 blue
  "#ff7f0e", // 1 orange
  "#2ca02c", // 2 green
  "#d62728", // 3 red
  "#9467bd", // 4 purple
  "#8c564b", // 5 brown
  "#e377c2", // 6 pink
  "#7f7f7f", // 7 grey
  "#bcbd22", // 8 olive
  "#17becf", // 9 cyan
]);

/** Widest a fixed-width figure gets: the output area of a notebook at its usual width. */
export const MAX_PLOT_WIDTH = 820;

const FONT = {
  family: "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
  size: 13,
};
const DEFAULT_CONFIG: Config = { responsive: true, displaylogo: false };

/** A plotly figure: the traces (`data`), the `layout` and the `config`. Shown by `show(fig)`. */
export class Figure implements PlotlyFigure {
  constructor(public data: Trace[], public layout: Layout = {}, public config: Config = {}) {}

  /** Lets a figure left as a cell's last expression display itself (Deno's Jupyter protocol). */
  [Symbol.for("Jupyter.display")](): Bundle {
    return bundle(this);
  }
}

/** A figure from plotly traces and layout, with the course's font, margins and default height added. */
export function figure(data: Trace[], layout: Layout = {}, config: Config = {}): Figure {
  if (!Array.isArray(data)) throw new Error(`figure: data must be an array of traces, got ${typeof data}`);
  const base: Layout = {
    font: FONT,
    height: PLOT_HEIGHT,
    margin: { l: 65, r: 25, t: 60, b: 55 },
    showlegend: data.length > 1,
    legend: { bgcolor: "rgba(255,255,255,0.6)" },
  };
  const full = { ...base, ...layout };
  if (full.showlegend && layout.legend === undefined && data.some(hasColorbar)) {
    // A legend at its usual place (right) would sit on the colour bar: put it in a row above the plot.
    full.legend = {
      orientation: "h",
      x: 0,
      xanchor: "left",
      y: 1.02,
      yanchor: "bottom",
      bgcolor: "rgba(0,0,0,0)",
    };
    const margin = full.margin as { t?: number };
    full.margin = { ...margin, t: Math.max(margin.t ?? 0, 90) };
  }
  return new Figure(data, full, { ...DEFAULT_CONFIG, ...config });
}

/** Whether a trace draws a colour bar (heatmaps and contours do unless told not to, or share a colour axis). */
function hasColorbar(trace: Trace): boolean {
  const type = String(trace.type ?? "");
  if (["heatmap", "contour", "histogram2d", "histogram2dcontour", "surface"].includes(type)) {
    return trace.showscale !== false && trace.coloraxis === undefined;
  }
  return (trace.marker as Trace | undefined)?.showscale === true;
}

/** Ticks for a log axis: one per decade when the values span one or more, else 1-2-5 in between. */
export function logTicks(values: number[]): Layout {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  if (positive.length === 0) return {};
  const decades = Math.log10(Math.max(...positive) / Math.min(...positive));
  // Up to 2.5 decades: 1, 2, 5 in each (a single "0.1" says too little); beyond: one tick per decade.
  // Powers of ten as 10^-4, never plotly's SI prefixes ("100μ" means nothing on a loss axis).
  return decades > 2.5 ? { dtick: 1, exponentformat: "power" } : { dtick: "D2", exponentformat: "power" };
}

/** Whole-number x values (epochs, steps) over a short range: a tick at each, no "1.5". */
function integerTicks(values: unknown[]): Layout {
  const nums = values.filter((v): v is number => typeof v === "number");
  if (nums.length !== values.length || nums.length === 0 || !nums.every(Number.isInteger)) return {};
  return Math.max(...nums) - Math.min(...nums) <= 20 ? { dtick: 1 } : { tickformat: "d" };
}

// ---------------------------------------------------------------------------------------------
// What every chart shares: checked inputs, axes and titles

/** The values as a plain array, or an error naming `what` when they are not an array of numbers. */
export function toArray(values: Numbers, what: string): number[] {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new Error(`${what}: expected an array of numbers, got ${values === null ? "null" : typeof values}`);
  }
  return Array.from(values);
}

/** The text, or an error naming `what`: a chart without its title or an axis title reads as nothing. */
export function requireText(value: unknown, what: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new Error(`${what}: a chart needs a title and axis titles (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** An axis with its title, laid out the course's way (room for long tick labels, no zero line). */
export function axis(title: string, extra: Layout = {}): Layout {
  return { title: { text: title }, automargin: true, zeroline: false, ...extra };
}

/** A chart title at the top left, where a reader's eye starts. */
export function titleLayout(title: string): Layout {
  return { text: title, x: 0.02, xanchor: "left", font: { size: 16 } };
}

/** Options every chart takes. */
export interface ChartOptions {
  /** The chart's title (required). */
  title: string;
  /** Height in pixels (default 380). */
  height?: number;
  /** Width in pixels (default: the width of the output area). */
  width?: number;
}

/** Options of a chart with two axes. */
export interface AxesOptions extends ChartOptions {
  /** The x axis title, with units where there are any (required). */
  xTitle: string;
  /** The y axis title (required). */
  yTitle: string;
  /** A logarithmic y axis. */
  yLog?: boolean;
  /** A logarithmic x axis (e.g. numbers of parameters). */
  xLog?: boolean;
  /** Fixed axis ranges. */
  xRange?: [number, number];
  yRange?: [number, number];
}

/** The layout of a chart with two axes, after checking that its titles are there. */
export function axesLayout(name: string, opts: AxesOptions, nTraces: number): Layout {
  if (!opts || typeof opts !== "object") {
    throw new Error(`${name}: options { title, xTitle, yTitle } are required`);
  }
  const layout: Layout = {
    title: titleLayout(requireText(opts.title, `${name} title`)),
    xaxis: axis(
      requireText(opts.xTitle, `${name} xTitle`),
      { ...(opts.xLog ? { type: "log" } : {}), ...(opts.xRange ? { range: opts.xRange } : {}) },
    ),
    yaxis: axis(
      requireText(opts.yTitle, `${name} yTitle`),
      { ...(opts.yLog ? { type: "log" } : {}), ...(opts.yRange ? { range: opts.yRange } : {}) },
    ),
    showlegend: nTraces > 1,
  };
  if (opts.height !== undefined) layout.height = opts.height;
  if (opts.width !== undefined) layout.width = opts.width;
  return layout;
}

/** Lines of at most `width` characters, split at spaces where possible, so that a title or caption fits. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (let word of text.split(/\s+/).filter((w) => w !== "")) {
    while (word.length > width) {
      // A word longer than a line: cut it.
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = "";
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += " " + word;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Line and scatter charts

/** One line of a line chart: `y` against `x` (default x = 1, 2, ..., n: epochs count from 1). */
export interface Series {
  name: string;
  x?: Numbers | string[];
  y: Numbers;
  color?: string;
  /** "solid" (default), "dash", "dot". */
  dash?: string;
  /** Hover text per point. */
  text?: string[];
}

function seriesXY(s: Series, i: number, name: string): { x: (number | string)[]; y: number[] } {
  if (!s || typeof s !== "object") throw new Error(`${name}: series ${i} must be an object { name, y }`);
  const y = toArray(s.y, `${name}: series ${i} ("${s.name}") y`);
  if (y.length === 0) throw new Error(`${name}: series ${i} ("${s.name}") is empty`);
  const x = s.x === undefined ? y.map((_, k) => k + 1) : Array.from(s.x as ArrayLike<number | string>);
  if (x.length !== y.length) {
    throw new Error(`${name}: series ${i} ("${s.name}") has ${x.length} x values but ${y.length} y values`);
  }
  return { x, y };
}

function checkSeriesList(series: Series[], name: string): void {
  if (!Array.isArray(series) || series.length === 0) {
    throw new Error(
      `${name}: expected a non-empty array of series { name, y }, got ${JSON.stringify(series)}`,
    );
  }
}

/** Line chart, e.g. loss curves: one line per series, markers when the lines are short. */
export function lines(series: Series[], opts: AxesOptions & { markers?: boolean }): Figure {
  checkSeriesList(series, "lines");
  const data = series.map((s, i) => {
    const { x, y } = seriesXY(s, i, "lines");
    const markers = opts?.markers ?? y.length <= 30;
    return {
      type: "scatter",
      mode: markers ? "lines+markers" : "lines",
      name: s.name,
      x,
      y,
      line: { width: 2, ...(s.color ? { color: s.color } : {}), ...(s.dash ? { dash: s.dash } : {}) },
      ...(s.text ? { text: s.text } : {}),
    };
  });
  const layout = axesLayout("lines", opts, data.length);
  Object.assign(
    layout.xaxis as Layout,
    opts.xLog ? logTicks(data.flatMap((t) => t.x as number[])) : integerTicks(data.flatMap((t) => t.x)),
  );
  if (opts.yLog) Object.assign(layout.yaxis as Layout, logTicks(data.flatMap((t) => t.y)));
  return figure(data, { ...layout, hovermode: "x unified" });
}

/** Scatter chart: one point per value pair, one colour per series (see `groupByLabel` for digits). */
export function scatter(series: Series[], opts: AxesOptions & { markerSize?: number }): Figure {
  checkSeriesList(series, "scatter");
  const total = series.reduce((n, s) => n + (s?.y?.length ?? 0), 0);
  const size = opts?.markerSize ?? (total > 2000 ? 4 : total > 300 ? 6 : 8);
  const data = series.map((s, i) => {
    const { x, y } = seriesXY(s, i, "scatter");
    return {
      type: "scatter",
      mode: "markers",
      name: s.name,
      x,
      y,
      marker: { size, opacity: total > 300 ? 0.7 : 0.9, ...(s.color ? { color: s.color } : {}) },
      ...(s.text ? { text: s.text } : {}),
    };
  });
  const layout = axesLayout("scatter", opts, data.length);
  if (opts.xLog) Object.assign(layout.xaxis as Layout, logTicks(data.flatMap((t) => t.x as number[])));
  if (opts.yLog) Object.assign(layout.yaxis as Layout, logTicks(data.flatMap((t) => t.y)));
  return figure(data, { ...layout, hovermode: "closest" });
}

/** Splits points by their digit label into one series per digit ("0" to "9"), coloured with digitColors. */
export function groupByLabel(x: Numbers, y: Numbers, labels: Numbers): Series[] {
  const xs = toArray(x, "groupByLabel x"),
    ys = toArray(y, "groupByLabel y"),
    ls = toArray(labels, "groupByLabel labels");
  if (xs.length !== ys.length || xs.length !== ls.length) {
    throw new Error(
      `groupByLabel: x, y and labels differ in length: ${xs.length}, ${ys.length}, ${ls.length}`,
    );
  }
  const groups = new Map<number, { x: number[]; y: number[] }>();
  ls.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0) {
      throw new Error(`groupByLabel: label ${i} is ${label}, expected an integer class 0, 1, 2, ...`);
    }
    const g = groups.get(label) ?? { x: [], y: [] };
    g.x.push(xs[i]);
    g.y.push(ys[i]);
    groups.set(label, g);
  });
  return [...groups.keys()].sort((a, b) => a - b).map((label) => ({
    name: String(label),
    x: groups.get(label)!.x,
    y: groups.get(label)!.y,
    color: digitColors[label % 10],
  }));
}

// ---------------------------------------------------------------------------------------------
// Bars

/** One series of bars. */
export interface BarSeries {
  name: string;
  x: (number | string)[];
  y: Numbers;
  /** A text on each bar (e.g. "16.4%"). */
  text?: string[];
  /** One colour for the series... */
  color?: string;
  /** ...or one per bar (e.g. digitColors). */
  colors?: string[];
}

/** Bar chart: one bar per category; several series are grouped side by side. */
export function bars(
  series: BarSeries[],
  opts: AxesOptions & { horizontal?: boolean; stacked?: boolean },
): Figure {
  if (!Array.isArray(series) || series.length === 0) {
    throw new Error("bars: expected a non-empty array of series { name, x, y }");
  }
  const data = series.map((s, i) => {
    const y = toArray(s?.y, `bars: series ${i} y`);
    if (!Array.isArray(s.x) || s.x.length !== y.length) {
      throw new Error(
        `bars: series ${i} ("${s.name}") has ${s.x?.length} categories (x) but ${y.length} values (y)`,
      );
    }
    if (s.text && s.text.length !== y.length) {
      throw new Error(`bars: series ${i} ("${s.name}") has ${s.text.length} texts for ${y.length} bars`);
    }
    // Categories as strings: digits 0-9 become ten labelled bars, not a numeric axis.
    const cats = s.x.map(String);
    const color = s.colors ?? s.color;
    return {
      type: "bar",
      name: s.name,
      ...(opts?.horizontal ? { x: y, y: cats, orientation: "h" } : { x: cats, y }),
      ...(color ? { marker: { color } } : {}),
      ...(s.text ? { text: s.text, textposition: "auto" } : {}),
    };
  });
  const layout = axesLayout("bars", opts, data.length);
  const cat = { type: "category" };
  Object.assign((opts.horizontal ? layout.yaxis : layout.xaxis) as Layout, cat);
  if (opts.horizontal) {
    // Horizontal bars read top-down in the order given; the value axis is x then.
    Object.assign(layout.yaxis as Layout, { autorange: "reversed" });
    const xaxis = layout.xaxis as Layout;
    if (opts.yLog) {
      (layout.yaxis as Layout).type = "category";
      xaxis.type = "log";
    }
  }
  if (opts.yLog) {
    const values = series.flatMap((s) => Array.from(s.y));
    Object.assign((opts.horizontal ? layout.xaxis : layout.yaxis) as Layout, logTicks(values));
  }
  layout.barmode = opts.stacked ? "stack" : "group";
  return figure(data, layout);
}
