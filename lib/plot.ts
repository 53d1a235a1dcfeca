/**
 * Plots for the course: plotly figures built in the kernel, drawn by the front end.
 *
 * The kernel has no screen, so a plot travels as a Jupyter display bundle with three views of the
 * same figure; each front end picks the one it can draw:
 * - `application/vnd.plotly.v1+json`: the figure as JSON (VS Code, JupyterLab with plotly support);
 * - `text/html`: a div plus a script calling `Plotly.newPlot` (classic Notebook 6, nbconvert HTML).
 *   plotly.js itself (the npm package, read from disk, no network) rides along once per kernel,
 *   inline in the first figure's HTML;
 * - `text/plain`: one line describing the plot (terminals, `deno run`, logs).
 *
 * Helpers build the course's charts with the same conventions everywhere: a title, axis titles, a
 * legend when there is more than one series, and one colour per digit 0-9 (`digitColors`).
 */

/** One plotly trace (`{ type: "scatter", x, y, ... }`): see https://plotly.com/javascript/reference/. */
export type Trace = Record<string, unknown>;
/** The plotly layout: titles, axes, size, legend. */
export type Layout = Record<string, unknown>;
/** The plotly config: interaction options. */
export type Config = Record<string, unknown>;
/** Numbers as a plain array or a typed array (`Float32Array` from the data loader). */
export type Numbers = ArrayLike<number>;
/** A Jupyter display bundle: one entry per MIME type. */
export type Bundle = Record<string, unknown> & { "text/plain": string };

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

/** Default height in pixels: fits a notebook cell without scrolling. */
const DEFAULT_HEIGHT = 380;
/** Widest a fixed-width figure gets: the output area of a notebook at its usual width. */
const MAX_WIDTH = 820;

const FONT = {
  family: "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
  size: 13,
};
const DEFAULT_CONFIG: Config = { responsive: true, displaylogo: false };

/** A plotly figure: the traces (`data`), the `layout` and the `config`. Shown by `show(fig)`. */
export class Figure {
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
    height: DEFAULT_HEIGHT,
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
function logTicks(values: number[]): Layout {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  if (positive.length === 0) return {};
  const decades = Math.log10(Math.max(...positive) / Math.min(...positive));
  // Up to 2.5 decades: 1, 2, 5 in each (a single "0.1" says too little); beyond: one tick per decade.
  return decades > 2.5 ? { dtick: 1 } : { dtick: "D2" };
}

/** Whole-number x values (epochs, steps) over a short range: a tick at each, no "1.5". */
function integerTicks(values: unknown[]): Layout {
  const nums = values.filter((v): v is number => typeof v === "number");
  if (nums.length !== values.length || nums.length === 0 || !nums.every(Number.isInteger)) return {};
  return Math.max(...nums) - Math.min(...nums) <= 20 ? { dtick: 1 } : { tickformat: "d" };
}

// ---------------------------------------------------------------------------------------------
// Display bundle

/** What a kernel session has shown so far: the counter behind the div ids, and whether plotly.js went out. */
export interface PlotSession {
  count: number;
  injected: boolean;
}

/** The session of this kernel (module state lives as long as the kernel does). */
const kernelSession: PlotSession = { count: 0, injected: false };

/** A fresh session (tests use one to see what a new kernel would send). */
export function newPlotSession(): PlotSession {
  return { count: 0, injected: false };
}

/**
 * The display bundle of a figure: plotly JSON, HTML (plotly.js inline the first time in a session) and
 * a text line. Div ids count up per session (`course-plot-1`, ...) so that rerunning a notebook in a fresh
 * kernel gives the same HTML.
 */
export function bundle(fig: Figure, session: PlotSession = kernelSession): Bundle {
  const json = figureJson(fig);
  session.count += 1;
  const id = `course-plot-${session.count}-${hash(json)}`;
  let html = figureHtml(json, id, fig.layout);
  if (!session.injected) {
    html = plotlyScript() + "\n" + html;
    session.injected = true;
  }
  return {
    "application/vnd.plotly.v1+json": JSON.parse(json),
    "text/html": html,
    "text/plain": describe(fig),
  };
}

/** Shows a figure in the notebook (awaited: the output lands in this cell); prints one line elsewhere. */
export async function show(fig: Figure): Promise<void> {
  if (!jupyterApi()) {
    console.log(describe(fig));
    return;
  }
  await display(bundle(fig));
}

/**
 * Displays a MIME bundle in the notebook and waits until it has left the kernel; prints its text/plain
 * elsewhere. `display_id` + `update: true` replace an earlier output in place (a progress bar);
 * `settle: false` skips the wait below (for an output that a later one replaces).
 *
 * Why the wait: Deno 2.9's kernel can report "idle" before a display message it has accepted is on the
 * wire, and headless runners (nbconvert, nbclient) then drop that output: measured here, a 5 MB output was
 * up to 55 ms late, a small one 0-3 ms. A pause proportional to the size (50 ms + 60 ms/MB, a margin for
 * a loaded machine) keeps it in its cell; tools/course.ts also routes late output to its cell.
 */
export async function display(
  mimeBundle: Record<string, unknown>,
  options: { display_id?: string; update?: boolean; settle?: boolean } = {},
): Promise<void> {
  const jupyter = jupyterApi();
  if (!jupyter) {
    console.log(String(mimeBundle["text/plain"] ?? "[output for a notebook]"));
    return;
  }
  const { settle: wait = true, ...rest } = options;
  await jupyter.display(mimeBundle, { raw: true, ...rest });
  // Skippable for outputs that a later one replaces anyway (a progress bar's intermediate states).
  if (wait) await settle(bundleSize(mimeBundle));
}

/** Approximate size in bytes of a bundle's contents. */
function bundleSize(mimeBundle: Record<string, unknown>): number {
  let size = 0;
  for (const value of Object.values(mimeBundle)) {
    size += typeof value === "string" ? value.length : JSON.stringify(value ?? null).length;
  }
  return size;
}

/** Waits 50 ms plus 60 ms per MB: time for the kernel to put a display message on the wire. */
export function settle(bytes = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50 + Math.ceil(60 * bytes / 1e6)));
}

/**
 * Prints like console.log, but as a display output of the cell that runs it. In Deno's kernel console.log
 * output travels separately and can land under a later cell (or be lost by headless runs); a display is
 * attributed to its cell. For key result lines (each call waits ~50 ms); outside a kernel, console.log.
 */
export async function print(...values: unknown[]): Promise<void> {
  const text = values.map((v) => typeof v === "string" ? v : Deno.inspect(v, { colors: false })).join(" ");
  if (!jupyterApi()) {
    console.log(text);
    return;
  }
  await display({ "text/plain": text });
}

/**
 * Sends plotly.js to the page again (for a notebook reopened without it, where plots say so); then rerun
 * the cells with plots. Outside a kernel it does nothing.
 */
export async function injectPlotly(): Promise<void> {
  kernelSession.injected = true;
  if (!jupyterApi()) return;
  await display({
    "text/html": plotlyScript() +
      `\n<div style="font-size:12px;color:#666">plotly.js ${plotlyVersion()} loaded.</div>`,
    "text/plain": `plotly.js ${plotlyVersion()} loaded (for classic Notebook and HTML pages)`,
  });
}

/** `Deno.jupyter` when running in the Deno kernel, else undefined (outside a kernel it throws on access). */
export function jupyterApi(): typeof Deno.jupyter | undefined {
  try {
    const api = Deno.jupyter;
    return typeof api?.display === "function" ? api : undefined;
  } catch {
    return undefined;
  }
}

/** One line describing a figure: its title, what it draws and the axes. */
export function describe(fig: Figure): string {
  const title = titleText(fig.layout.title) || "untitled";
  const kinds = [...new Set(fig.data.map((t) => String(t.type ?? "scatter")))].join(", ");
  const names = fig.data.map((t) => t.name).filter((n) => n !== undefined && n !== "");
  const series = names.length > 1
    ? `: ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", ..." : ""}`
    : "";
  const x = titleText((fig.layout.xaxis as Layout | undefined)?.title);
  const y = titleText((fig.layout.yaxis as Layout | undefined)?.title);
  const axes = x || y ? `; x: ${x || "-"}, y: ${y || "-"}` : "";
  const n = fig.data.length;
  const sliders = ((fig.layout.sliders ?? []) as { currentvalue?: { prefix?: string } }[])
    .map((sl) => (sl.currentvalue?.prefix ?? "").replace(/[=:]\s*$/, "").trim()).filter((p) => p);
  const interactive = sliders.length > 0 ? `; sliders: ${sliders.join(", ")}` : "";
  return `[plot] ${title} (${n} ${n === 1 ? "trace" : "traces"}, ${kinds}${series}${axes}${interactive})`;
}

function titleText(title: unknown): string {
  if (typeof title === "string") return title;
  if (title && typeof title === "object" && "text" in title) return String((title as { text: unknown }).text);
  return "";
}

/**
 * The figure as JSON: typed arrays become arrays, non-finite numbers null (a gap for plotly), and
 * fractions keep 6 significant digits (plenty for a screen, and it keeps notebooks small).
 */
export function figureJson(fig: Figure): string {
  return JSON.stringify({ data: fig.data, layout: fig.layout, config: fig.config }, (_key, value) => {
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as Float32Array);
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return null;
      return Number.isInteger(value) ? value : Number(value.toPrecision(6));
    }
    return value;
  });
}

/** A short, stable hash of a string (FNV-1a, 32 bits, hex): makes div ids unique yet deterministic. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** Text made safe for HTML. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JSON that is safe inside a <script> element (no "</script>", no line separators). */
function scriptSafe(json: string): string {
  return json.replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** The message a plot shows instead of a JavaScript error when plotly.js is not in the page. */
const MISSING_PLOTLY = "This plot needs plotly.js, which is not loaded in this page (the first plot of a " +
  "kernel session carries it). Run all cells again (Kernel &gt; Restart &amp; Run All), or run " +
  "<code>await injectPlotly()</code> in a cell and rerun this one.";

function figureHtml(json: string, id: string, layout: Layout): string {
  const height = typeof layout.height === "number" ? layout.height : DEFAULT_HEIGHT;
  const width = typeof layout.width === "number" ? `${layout.width}px` : "100%";
  // Look the div up by id, newest first, skipping ones already drawn: after a kernel restart the same id
  // can exist twice in a page; the figure belongs to the div next to this script, the latest one.
  // The placeholder shows where no script runs (an untrusted notebook, GitHub); tools/snapshot.ts puts a
  // picture of the plot in it. The script clears it before drawing.
  const title = escapeHtml(titleText(layout.title) || "plot");
  return `<div id="${id}" class="course-plot" style="width:${width};max-width:100%;height:${height}px;">` +
    `<p class="course-plot-placeholder" style="color:#666;font-size:12px;margin:4px 0;">Interactive plot ` +
    `"${title}": drawn by JavaScript when this cell runs (in Jupyter Notebook: trust the notebook or run ` +
    `the cell).</p></div>
<script type="text/javascript">
(function () {
  var els = document.querySelectorAll('div[id="${id}"]'), el = null;
  for (var i = els.length - 1; i >= 0; i--) { if (!els[i].getAttribute("data-plotted")) { el = els[i]; break; } }
  if (!el) { return; }
  el.setAttribute("data-plotted", "1");
  if (typeof window.Plotly === "undefined" || typeof window.Plotly.newPlot !== "function") {
    el.style.height = "auto";
    el.innerHTML = '<p class="course-plot-missing" style="padding:8px 12px;border:1px solid #e0b050;' +
      'background:#fff8e5;color:#5a4500;font-size:13px;">${MISSING_PLOTLY}</p>';
    return;
  }
  var fig = ${scriptSafe(json)};
  el.innerHTML = "";
  window.Plotly.newPlot(el, fig.data, fig.layout, fig.config).catch(function (e) {
    el.textContent = "The plot could not be drawn: " + e;
  });
})();
</script>`;
}

let plotlySource: string | undefined;

/** Where the npm package's plotly.js lies, relative to this file (node_modules next to lib/). */
export const plotlyPath = new URL("../node_modules/plotly.js-dist-min/plotly.min.js", import.meta.url);

/** plotly.js as an inline script that defines `window.Plotly` once (evaluating it again is skipped). */
function plotlyScript(): string {
  if (plotlySource === undefined) {
    try {
      plotlySource = Deno.readTextFileSync(plotlyPath);
    } catch (e) {
      throw new Error(
        `plot: cannot read plotly.js at ${plotlyPath.pathname} (${(e as Error).message}); ` +
          "run `deno install` in the repository to fetch the npm packages",
      );
    }
  }
  // The bundle checks `module.exports` (CommonJS), not `define` (AMD), so Notebook 6's requirejs does not
  // swallow it: it sets window.Plotly. "</script" never occurs in it, but guard anyway.
  const body = plotlySource.replace(/<\/script/gi, "<\\/script");
  return `<script type="text/javascript">\nif (typeof window.Plotly === "undefined") {\n${body}\n}\n</script>`;
}

/** The version of the plotly.js that is injected (from its banner). */
export function plotlyVersion(): string {
  plotlyScript();
  return /plotly\.js v([0-9.]+)/.exec(plotlySource!.slice(0, 200))?.[1] ?? "unknown";
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the helpers

function toArray(values: Numbers, what: string): number[] {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new Error(`${what}: expected an array of numbers, got ${values === null ? "null" : typeof values}`);
  }
  return Array.from(values);
}

function requireText(value: unknown, what: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new Error(`${what}: a chart needs a title and axis titles (got ${JSON.stringify(value)})`);
  }
  return value;
}

function axis(title: string, extra: Layout = {}): Layout {
  return { title: { text: title }, automargin: true, zeroline: false, ...extra };
}

function titleLayout(title: string): Layout {
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

function axesLayout(name: string, opts: AxesOptions, nTraces: number): Layout {
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
// Heatmaps

/** A matrix as nested rows, or anything with `toArray()` (the course's Matrix). */
export type MatrixLike = Numbers[] | { toArray(): number[][] };

/** Options of a heatmap. */
export interface HeatmapOptions extends AxesOptions {
  /** Column labels (default 0, 1, ...). */
  x?: (number | string)[];
  /** Row labels (default 0, 1, ...). */
  y?: (number | string)[];
  zmin?: number;
  zmax?: number;
  /** Centre of a diverging colour scale (0 for weights: negative blue, positive red). */
  zmid?: number;
  /** A plotly colour scale name ("Viridis", "RdBu", "Blues", "Greys") or stops. */
  colorscale?: string | [number, string][];
  /** Write each value in its cell: true (up to 2 decimals) or the number of decimals. */
  annotate?: boolean | number;
  /** Title of the colour bar. */
  colorbarTitle?: string;
  /** Square cells (default false). */
  square?: boolean;
  /**
   * Row 0 at the bottom and y increasing upward, as for a function drawn over the input plane (x1 across,
   * x2 up). Default false: row 0 at the top, as a matrix is written.
   */
  yUp?: boolean;
}

/** The rows of a matrix as arrays of numbers, checked rectangular and non-empty. */
export function matrixRows(z: MatrixLike, name = "heatmap"): number[][] {
  const nested = (z && typeof (z as { toArray?: unknown }).toArray === "function")
    ? (z as { toArray(): number[][] }).toArray()
    : z;
  if (!Array.isArray(nested) || nested.length === 0) {
    throw new Error(
      `${name}: expected a non-empty array of rows (number[][]), got ${JSON.stringify(nested)}`,
    );
  }
  const rows = nested.map((row, i) => toArray(row, `${name}: row ${i}`));
  const cols = rows[0].length;
  if (cols === 0) throw new Error(`${name}: row 0 is empty`);
  rows.forEach((row, i) => {
    if (row.length !== cols) {
      throw new Error(
        `${name}: ragged matrix: row ${i} has ${row.length} values, expected ${cols} (as row 0)`,
      );
    }
  });
  return rows;
}

function formatCell(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return "";
  return Number.isInteger(v) ? String(v) : v.toFixed(decimals);
}

function heatmapTrace(rows: number[][], opts: HeatmapOptions, name: string): Trace {
  const cols = rows[0].length;
  if (opts.x && opts.x.length !== cols) {
    throw new Error(`${name}: ${opts.x.length} column labels (x) for ${cols} columns`);
  }
  if (opts.y && opts.y.length !== rows.length) {
    throw new Error(`${name}: ${opts.y.length} row labels (y) for ${rows.length} rows`);
  }
  const trace: Trace = {
    type: "heatmap",
    z: rows,
    x: opts.x ?? rows[0].map((_, j) => j),
    y: opts.y ?? rows.map((_, i) => i),
    colorscale: opts.colorscale ?? (opts.zmid !== undefined ? "RdBu" : "Viridis"),
    hovertemplate: "row %{y}, column %{x}: %{z}<extra></extra>",
    xgap: cols <= 30 ? 1 : 0,
    ygap: rows.length <= 30 ? 1 : 0,
  };
  if (opts.zmin !== undefined) trace.zmin = opts.zmin;
  if (opts.zmax !== undefined) trace.zmax = opts.zmax;
  if (opts.zmid !== undefined) trace.zmid = opts.zmid;
  if (opts.colorbarTitle) trace.colorbar = { title: { text: opts.colorbarTitle } };
  if (opts.annotate !== undefined && opts.annotate !== false) {
    const decimals = opts.annotate === true ? 2 : opts.annotate;
    trace.text = rows.map((row) => row.map((v) => formatCell(v, decimals)));
    trace.texttemplate = "%{text}";
    trace.textfont = { size: cols > 12 ? 9 : 12 };
  }
  return trace;
}

function categoryAxis(n: number): Layout {
  // Few rows or columns: a tick for each, so that a learner can read off row i; up to 20, every other.
  return n <= 12 ? { dtick: 1 } : n <= 20 ? { dtick: 2 } : {};
}

/** Digits as ink on paper: 0 white, 1 black (the colour scale of imageGrid; use it for a digit's heatmap too). */
export const INK: [number, string][] = [[0, "#ffffff"], [1, "#000000"]];

/** White to dark blue (ColorBrewer "Blues"): counts, 0 = white. plotly's own "Blues" runs the other way. */
export const BLUES: [number, string][] = [[0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [
  0.75,
  "#2171b5",
], [
  1,
  "#08306b",
]];

/** Heatmap of a matrix (weights, a confusion matrix): row 0 at the top, as the matrix is written. */
export function heatmap(z: MatrixLike, opts: HeatmapOptions): Figure {
  const rows = matrixRows(z, "heatmap");
  const layout = axesLayout("heatmap", opts, 1);
  layout.showlegend = false;
  const xaxis = layout.xaxis as Layout, yaxis = layout.yaxis as Layout;
  Object.assign(xaxis, categoryAxis(rows[0].length), { showgrid: false });
  Object.assign(yaxis, categoryAxis(rows.length), {
    showgrid: false,
    autorange: opts.yUp ? true : "reversed",
  });
  if (opts.square) {
    xaxis.constrain = "domain";
    Object.assign(yaxis, { scaleanchor: "x", constrain: "domain" });
    if (opts.width === undefined) {
      // As wide as the square cells need (plus the colour bar), not the whole output area: otherwise the
      // matrix sits in the middle and its colour bar far off at the right edge.
      const height = opts.height ?? DEFAULT_HEIGHT;
      const cell = (height - 60 - 55) / rows.length;
      layout.width = Math.min(MAX_WIDTH, Math.round(cell * rows[0].length + 65 + 25 + 110));
    }
  }
  return figure([heatmapTrace(rows, opts, "heatmap")], layout);
}

/** One panel of `heatmaps`. */
export interface Panel {
  z: MatrixLike;
  title: string;
  x?: (number | string)[];
  y?: (number | string)[];
}

/** Several heatmaps side by side with one shared colour scale (e.g. a neuron's output for 4 weight sets). */
export function heatmaps(
  panels: Panel[],
  opts: Omit<HeatmapOptions, "x" | "y" | "annotate"> & { cols?: number },
): Figure {
  if (!Array.isArray(panels) || panels.length === 0) {
    throw new Error("heatmaps: expected a non-empty array of panels");
  }
  const all = panels.map((p, i) => matrixRows(p?.z, `heatmaps: panel ${i}`));
  const cols = Math.min(opts.cols ?? panels.length, panels.length);
  const gridRows = Math.ceil(panels.length / cols);
  const values = all.flat(2).filter(Number.isFinite);
  const cmin = opts.zmin ?? Math.min(...values), cmax = opts.zmax ?? Math.max(...values);
  const base = axesLayout("heatmaps", opts, 1);
  const layout: Layout = {
    title: base.title,
    showlegend: false,
    // Gaps wide enough for tick labels and the panel titles between panels.
    grid: {
      rows: gridRows,
      columns: cols,
      pattern: "independent",
      xgap: 0.15,
      ygap: gridRows > 1 ? 0.3 : 0.25,
    },
    coloraxis: {
      colorscale: opts.colorscale ?? (opts.zmid !== undefined ? "RdBu" : "Viridis"),
      cmin,
      cmax,
      ...(opts.zmid !== undefined ? { cmid: opts.zmid } : {}),
      ...(opts.colorbarTitle ? { colorbar: { title: { text: opts.colorbarTitle } } } : {}),
    },
    height: opts.height ?? Math.max(DEFAULT_HEIGHT, 60 + gridRows * 260),
    annotations: [] as Layout[],
  };
  if (opts.width !== undefined) layout.width = opts.width;
  const data = panels.map((p, i) => {
    const k = i === 0 ? "" : String(i + 1);
    const trace = heatmapTrace(all[i], { ...opts, x: p.x, y: p.y }, `heatmaps: panel ${i}`);
    delete trace.colorscale;
    delete trace.zmin;
    delete trace.zmax;
    delete trace.zmid;
    Object.assign(trace, { name: p.title, coloraxis: "coloraxis", xaxis: `x${k}`, yaxis: `y${k}` });
    // Axis titles once: x under the bottom row, y left of the first column (repeated, they overlap panels).
    const bottom = i + cols >= panels.length, left = i % cols === 0;
    layout[`xaxis${k}`] = axis(bottom ? opts.xTitle : "", {
      showgrid: false,
      ...categoryAxis(all[i][0].length),
    });
    layout[`yaxis${k}`] = axis(left ? opts.yTitle : "", {
      showgrid: false,
      autorange: opts.yUp ? true : "reversed",
      ...categoryAxis(all[i].length),
    });
    if (opts.square) {
      (layout[`xaxis${k}`] as Layout).constrain = "domain";
      Object.assign(layout[`yaxis${k}`] as Layout, { scaleanchor: `x${k}`, constrain: "domain" });
    }
    (layout.annotations as Layout[]).push({
      text: `<b>${requireText(p.title, `heatmaps: panel ${i} title`)}</b>`,
      xref: `x${k} domain`,
      yref: `y${k} domain`,
      x: 0.5,
      y: 1.02,
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
    });
    return trace;
  });
  return figure(data, layout);
}

/** Confusion matrix: how often each true digit (row) was predicted as each digit (column), counts written in. */
export function confusion(
  labels: Numbers,
  predictions: Numbers,
  opts: Partial<ChartOptions> & { classes?: number } = {},
): Figure {
  const t = toArray(labels, "confusion labels"), p = toArray(predictions, "confusion predictions");
  if (t.length !== p.length) {
    throw new Error(`confusion: ${t.length} labels but ${p.length} predictions`);
  }
  if (t.length === 0) throw new Error("confusion: no examples");
  const classes = opts.classes ?? 10;
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < t.length; i++) {
    for (const [what, v] of [["label", t[i]], ["prediction", p[i]]] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw new Error(`confusion: ${what} ${i} is ${v}, expected an integer in 0..${classes - 1}`);
      }
    }
    counts[t[i]][p[i]] += 1;
  }
  const correct = counts.reduce((s, row, i) => s + row[i], 0);
  const digits = counts.map((_, i) => i);
  return heatmap(counts, {
    title: opts.title ??
      `Confusion matrix (${(100 * correct / t.length).toFixed(1)}% correct of ${t.length})`,
    xTitle: "predicted digit",
    yTitle: "true digit",
    x: digits,
    y: digits,
    colorscale: BLUES,
    annotate: 0,
    square: true,
    colorbarTitle: "count",
    height: opts.height ?? 480,
    width: opts.width ?? 560,
  });
}

// ---------------------------------------------------------------------------------------------
// Images

/** Options of an image grid. */
export interface ImageGridOptions extends ChartOptions {
  /** Pixels per side (16 for the course's digits). */
  side?: number;
  /** A caption under each image (a digit is drawn in that digit's colour). */
  labels?: (string | number)[];
  /** Colours of the captions (default: digitColors for digit labels, black otherwise). */
  labelColors?: string[];
  /** Images per row (default up to 10). */
  cols?: number;
  /** Value range drawn white to black (default [0, 1]). */
  range?: [number, number];
}

/**
 * Images (e.g. 16 x 16 digits, one row-major array each, or one typed array holding several) in a grid:
 * square pixels, grey map (0 white, 1 black ink), an optional caption under each.
 */
export function imageGrid(images: Numbers[] | Numbers, opts: ImageGridOptions): Figure {
  const side = opts?.side ?? 16;
  if (!Number.isInteger(side) || side <= 0) {
    throw new Error(`imageGrid: side must be a positive integer, got ${side}`);
  }
  const size = side * side;
  let list: Numbers[];
  if (Array.isArray(images) && images.length > 0 && typeof images[0] === "object") list = images as Numbers[];
  else if (ArrayBuffer.isView(images)) {
    const flat = images as unknown as Float32Array;
    if (flat.length === 0 || flat.length % size !== 0) {
      throw new Error(`imageGrid: ${flat.length} values is not a whole number of ${side} x ${side} images`);
    }
    list = Array.from({ length: flat.length / size }, (_, i) => flat.subarray(i * size, (i + 1) * size));
  } else {throw new Error(
      "imageGrid: expected a non-empty array of images (each an array of side*side values)",
    );}
  list.forEach((img, i) => {
    const n = toArray(img, `imageGrid: image ${i}`).length;
    if (n !== size) {
      throw new Error(`imageGrid: image ${i} has ${n} values, expected ${size} (${side} x ${side})`);
    }
  });
  const labels = opts.labels;
  if (labels && labels.length !== list.length) {
    throw new Error(`imageGrid: ${labels.length} labels for ${list.length} images`);
  }
  const cols = Math.max(1, Math.min(opts.cols ?? 10, list.length));
  const rows = Math.ceil(list.length / cols);
  const gap = Math.max(1, Math.round(side / 8)); // blank pixels between images
  // Screen pixels per image pixel: about 4, fewer when the grid would not fit the notebook's width.
  const gridWidth = cols * (side + gap) - gap;
  const scale = Math.min(4, (Math.min(opts.width ?? MAX_WIDTH, MAX_WIDTH) - 20) / gridWidth);
  // Captions must fit under their image: 13 px text, else 11 px, wrapped onto as many lines as needed.
  const room = (side + gap) * scale - 6; // screen pixels of one caption line, a little air on each side
  const texts = (labels ?? []).map(String);
  const charWidth = 0.62; // a bold sans-serif character's width, in font sizes (an estimate, a bit generous)
  const fontSize = texts.every((t) => t.length * charWidth * 13 <= room) ? 13 : 11;
  const captions = texts.map((t) => wrapText(t, Math.max(3, Math.floor(room / (charWidth * fontSize)))));
  const lineCount = Math.max(1, ...captions.map((c) => c.length));
  // Blank image rows under each image for its caption.
  const captionRows = labels ? Math.ceil((lineCount * fontSize * 1.3 + 8) / scale) : 0;
  const tileW = side + gap, tileH = side + captionRows + gap;
  const width = cols * tileW - gap, height = rows * tileH - gap;
  // One heatmap for all images: nulls between them are drawn as blank paper.
  const z: (number | null)[][] = Array.from({ length: height }, () => new Array(width).fill(null));
  list.forEach((img, i) => {
    const r0 = Math.floor(i / cols) * tileH, c0 = (i % cols) * tileW;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const v = img[r * side + c];
        if (!Number.isFinite(v)) {
          throw new Error(`imageGrid: image ${i} has a non-finite value ${v} at (${r}, ${c})`);
        }
        z[r0 + r][c0 + c] = v;
      }
    }
  });
  const [lo, hi] = opts.range ?? [0, 1];
  const annotations = (labels ?? []).map((label, i) => {
    const digit = typeof label === "number" && Number.isInteger(label) && label >= 0 && label <= 9;
    return {
      // Bold: the light digit colours stay readable.
      text: captions[i].map((line) => `<b>${line.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</b>`).join(
        "<br>",
      ),
      x: (i % cols) * tileW + (side - 1) / 2,
      y: Math.floor(i / cols) * tileH + side - 0.5 + captionRows / 2,
      xref: "x",
      yref: "y",
      showarrow: false,
      font: {
        size: fontSize,
        color: opts.labelColors?.[i] ?? (digit ? digitColors[label as number] : "#222"),
      },
    };
  });
  // Wide enough for the title (about 8.5 px per character at 16 px); a title wider than that wraps.
  const title = requireText(opts.title, "imageGrid title");
  const figureWidth = opts.width ??
    Math.round(Math.max(width * scale + 20, Math.min(MAX_WIDTH, title.length * 8.5 + 30)));
  const titleLines = wrapText(title, Math.floor((figureWidth - 30) / 8.5));
  const hidden = { visible: false, showgrid: false, zeroline: false };
  return figure([{
    type: "heatmap",
    z,
    colorscale: INK,
    zmin: lo,
    zmax: hi,
    showscale: false,
    hovertemplate: "pixel value %{z:.2f}<extra></extra>",
  }], {
    title: titleLayout(titleLines.join("<br>")),
    // Square pixels (scaleanchor); the grid keeps to the left, under the title.
    xaxis: { ...hidden, range: [-0.5, width - 0.5], constrain: "domain", constraintoward: "left" },
    yaxis: {
      ...hidden,
      range: [height - 0.5, -0.5],
      scaleanchor: "x",
      constrain: "domain",
      constraintoward: "top",
    },
    annotations,
    width: figureWidth,
    height: opts.height ?? Math.round(height * scale + 40 + 20 * titleLines.length),
    margin: { l: 10, r: 10, t: 30 + 20 * titleLines.length, b: 10 },
    showlegend: false,
    plot_bgcolor: "#ffffff",
  });
}

/** Splits text into lines of at most `width` characters, at spaces where possible. */
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

// ---------------------------------------------------------------------------------------------
// Interactive figures: plotly sliders whose steps restyle precomputed data, so that they run in the
// page (Notebook 6, the HTML course, VS Code) without a round trip to the kernel, which has no widgets.

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
      title: { text: "output a" },
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
    title: titleLayout(opts.title ?? "One neuron: a = σ(w₁x₁ + w₂x₂ + b)"),
    xaxis: axis("input x₁", { range: [lo, hi], constrain: "domain", zeroline: true, showgrid: false }),
    yaxis: axis("input x₂", {
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

/** The default loss of gradientDescentExplorer: L = (w1 - 1)^2 / 2 + 5 (w2 + 0.5)^2, ten times steeper across. */
function valleyLoss([w1, w2]: [number, number]): number {
  return 0.5 * (w1 - 1) ** 2 + 5 * (w2 + 0.5) ** 2;
}

function valleyGrad([w1, w2]: [number, number]): [number, number] {
  return [w1 - 1, 10 * (w2 + 0.5)];
}

/** Gradient descent path from `start`: w <- w - eta * grad L(w), `steps` times (stops early if it blows up). */
export function descentPath(
  grad: (w: [number, number]) => [number, number],
  start: [number, number],
  eta: number,
  steps: number,
): [number, number][] {
  const path: [number, number][] = [start];
  let w = start;
  for (let t = 0; t < steps; t++) {
    const g = grad(w);
    w = [w[0] - eta * g[0], w[1] - eta * g[1]];
    if (!w.every(Number.isFinite) || Math.abs(w[0]) + Math.abs(w[1]) > 1e6) break; // diverged
    path.push(w);
  }
  return path;
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
      colorbar: { title: { text: "loss L" }, x: 0.42, xanchor: "left", len: 0.9, thickness: 14 },
      hovertemplate: "w₁ %{x:.2f}, w₂ %{y:.2f}: L = %{z:.3f}<extra></extra>",
      name: "loss L(w)",
    },
    {
      type: "scatter",
      mode: "lines+markers",
      x: paths[active].map((w) => w[0]),
      y: paths[active].map((w) => w[1]),
      line: { color: "#d62728", width: 2 },
      marker: { size: 5, color: "#d62728" },
      name: "updates",
      hovertemplate: "update %{pointNumber}: w₁ %{x:.3f}, w₂ %{y:.3f}<extra></extra>",
    },
    {
      type: "scatter",
      mode: "markers",
      x: [start[0]],
      y: [start[1]],
      marker: { size: 13, symbol: "star", color: "#ffffff", line: { color: "#000000", width: 1 } },
      name: "start",
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
      name: "loss per update",
      hovertemplate: "update %{x}: L = %{y:.4g}<extra></extra>",
    },
  ];
  // The loss panel's range covers every rate's losses (it stays put while the slider moves).
  const finite = losses.flat().filter((v) => Number.isFinite(v) && v > 0);
  const top = Math.max(...finite, 1e-12), bottom = Math.min(...finite, top);
  return figure(traces, {
    title: titleLayout(opts.title ?? "Gradient descent: w ← w − η ∂L/∂w"),
    xaxis: axis(opts.xTitle ?? "parameter w₁", { domain: [0, 0.4], range: range.x }),
    yaxis: axis(opts.yTitle ?? "parameter w₂", { range: range.y }),
    xaxis2: axis("update t", { domain: [0.63, 1], anchor: "y2", range: [0, steps] }),
    yaxis2: axis("loss L (log scale)", {
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
      currentvalue: { prefix: "learning rate η = ", font: { size: 13 } },
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

/** Central differences: dL/dw_i ~ (L(w + h e_i) - L(w - h e_i)) / 2h. */
function numericGrad(loss: (w: [number, number]) => number): (w: [number, number]) => [number, number] {
  const h = 1e-5;
  return ([a, b]) => [
    (loss([a + h, b]) - loss([a - h, b])) / (2 * h),
    (loss([a, b + h]) - loss([a, b - h])) / (2 * h),
  ];
}
