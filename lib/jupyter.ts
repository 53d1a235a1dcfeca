/**
 * The Jupyter transport: how anything the course shows leaves the kernel. The kernel has no screen, so an
 * output travels as a display message holding a MIME bundle, several views of the same thing; each front
 * end picks the one it can draw. `display` sends one and waits until it is on the wire (else headless runs
 * can lose it or put it under a later cell); `print` sends text the same way. A plotly figure's bundle has:
 * - `application/vnd.plotly.v1+json`: the figure as JSON (VS Code, JupyterLab with plotly support);
 * - `text/html`: a div plus a script calling `Plotly.newPlot` (classic Notebook 6, nbconvert HTML).
 *   plotly.js itself (the npm package, read from disk, no network) rides along once per kernel,
 *   inline in the first figure's HTML; a Jupyter page keeps a copy in the browser, so that figures shown
 *   after a page reload (the kernel still running, plotly.js not sent again) still draw;
 * - `text/plain`: one line describing the plot (terminals, `deno run`, logs).
 *
 * Outside a kernel (`deno run`, tests) every call prints its text line instead. The charts (lib/plot.ts)
 * and the progress bar (lib/progress.ts) build on this module; it knows nothing of either.
 */
import { messages } from "./language.ts";

/** A Jupyter display bundle: one entry per MIME type. */
export type Bundle = Record<string, unknown> & { "text/plain": string };

/** What a front end needs of a plotly figure, as plotly.js takes it (lib/plot.ts's `Figure` is one). */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
}

/** Height in pixels of a plot whose layout sets none, and the charts' default: fits a cell without scrolling. */
export const PLOT_HEIGHT = 380;

// ---------------------------------------------------------------------------------------------
// Sending outputs

/** `Deno.jupyter` when running in the Deno kernel, else undefined (outside a kernel it throws on access). */
export function jupyterApi(): typeof Deno.jupyter | undefined {
  try {
    const api = Deno.jupyter;
    return typeof api?.display === "function" ? api : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Displays a MIME bundle in the notebook and waits until it has left the kernel; prints its text/plain
 * elsewhere. `display_id` + `update: true` replace an earlier output in place (a progress bar);
 * `settle: false` skips the wait below (for an output that a later one replaces).
 *
 * Why the wait: Deno 2.9's kernel can report "idle" before a display message it has accepted is on the
 * wire, and headless runners (nbconvert, nbclient) then drop that output; the larger the output, the later
 * it leaves. A pause that grows with the size (see `settle`, with a margin for a loaded machine) keeps it
 * in its cell; tools/course.ts also routes late output to its cell. A large bundle (plotly.js rides in
 * one) always waits, even with `settle: false`: while Deno 2.9's kernel writes a message of megabytes, a
 * message it sends meanwhile (the cell's "idle" status, the next output) can be written into the middle of
 * its bytes; the front end then drops both, and JupyterLab waits for that cell forever (seen in the
 * browser test: a "status: idle" message found inside the bytes of the display carrying plotly.js).
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
  // Skippable for small outputs that a later one replaces anyway (a progress bar's intermediate states).
  const size = bundleSize(mimeBundle);
  if (wait || size > LARGE_BUNDLE) await settle(size);
}

/** A bundle of more bytes than this always waits to leave the kernel (see `display`). */
export const LARGE_BUNDLE = 1e6;

/** Approximate size in bytes of a bundle's contents. */
function bundleSize(mimeBundle: Record<string, unknown>): number {
  let size = 0;
  for (const value of Object.values(mimeBundle)) {
    size += typeof value === "string" ? value.length : JSON.stringify(value ?? null).length;
  }
  return size;
}

/**
 * Waits 50 ms plus 250 ms per MB: time for the kernel to put a display message on the wire (it serialises
 * and writes a message of megabytes after the call that sent it has returned).
 */
export function settle(bytes = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50 + Math.ceil(250 * bytes / 1e6)));
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

// ---------------------------------------------------------------------------------------------
// The display bundle of a plotly figure

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
export function bundle(fig: PlotlyFigure, session: PlotSession = kernelSession): Bundle {
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
export async function show(fig: PlotlyFigure): Promise<void> {
  if (!jupyterApi()) {
    console.log(describe(fig));
    return;
  }
  await display(bundle(fig));
}

/** One line describing a figure: its title, what it draws and the axes. */
export function describe(fig: PlotlyFigure): string {
  const m = messages();
  const names = fig.data.map((t) => t.name).filter((n) => n !== undefined && n !== "").map(String);
  return m.plotDescription({
    title: titleText(fig.layout.title) || m.plotUntitled,
    traces: fig.data.length,
    kinds: [...new Set(fig.data.map((t) => String(t.type ?? "scatter")))],
    names: names.length > 1 ? names.slice(0, 10) : [],
    more: names.length > 10,
    x: titleText((fig.layout.xaxis as PlotlyFigure["layout"] | undefined)?.title),
    y: titleText((fig.layout.yaxis as PlotlyFigure["layout"] | undefined)?.title),
    sliders: ((fig.layout.sliders ?? []) as { currentvalue?: { prefix?: string } }[])
      .map((sl) => (sl.currentvalue?.prefix ?? "").replace(/[=:]\s*$/, "").trim()).filter((p) => p),
  });
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
export function figureJson(fig: PlotlyFigure): string {
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

/**
 * Where a Jupyter page keeps its copy of plotly.js: an IndexedDB database of the page's origin (the Jupyter
 * server's address), one store, one key. A reload empties the page but not this.
 */
export const PLOTLY_CACHE = { database: "course-plotly", store: "plotly", key: "plotly.js" } as const;

/** JavaScript defining `openCache(then)`: opens PLOTLY_CACHE's database, then `then(db)`, or `then(null)`. */
const OPEN_CACHE_JS = `function openCache(then) {
    try {
      var req = indexedDB.open(${JSON.stringify(PLOTLY_CACHE.database)}, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(${
  JSON.stringify(PLOTLY_CACHE.store)
}); };
      req.onsuccess = function () { then(req.result); };
      req.onerror = function () { then(null); };
    } catch (e) { then(null); }
  }`;

/**
 * JavaScript: a promise, shared by every figure of the page, that loads the browser's copy of plotly.js
 * when the page has none (reloaded while the kernel ran on: the kernel sends plotly.js once per session).
 * It resolves when done, whether or not a copy was there. Needs OPEN_CACHE_JS before it.
 */
const PLOTLY_FROM_CACHE_JS =
  `window.coursePlotlyFromCache = window.coursePlotlyFromCache || new Promise(function (resolve) {
    openCache(function (db) {
      if (!db) { resolve(); return; }
      try {
        var get = db.transaction(${JSON.stringify(PLOTLY_CACHE.store)}).objectStore(${
    JSON.stringify(PLOTLY_CACHE.store)
  }).get(${JSON.stringify(PLOTLY_CACHE.key)});
        get.onsuccess = function () {
          if (typeof get.result === "string" && !ready()) {
            var s = document.createElement("script");
            s.text = "(" + get.result + ")();";
            document.head.appendChild(s);
          }
          resolve();
        };
        get.onerror = function () { resolve(); };
      } catch (e) { resolve(); }
    });
  });`;

function figureHtml(json: string, id: string, layout: PlotlyFigure["layout"]): string {
  const height = typeof layout.height === "number" ? layout.height : PLOT_HEIGHT;
  const width = typeof layout.width === "number" ? `${layout.width}px` : "100%";
  // Look the div up by id, newest first, skipping ones already drawn: after a kernel restart the same id
  // can exist twice in a page; the figure belongs to the div next to this script, the latest one.
  // The placeholder shows where no script runs (an untrusted notebook, GitHub); tools/snapshot.ts puts a
  // picture of the plot in it. The script clears it before drawing.
  const m = messages();
  const title = escapeHtml(titleText(layout.title));
  return `<div id="${id}" class="course-plot" style="width:${width};max-width:100%;height:${height}px;">` +
    `<p class="course-plot-placeholder" style="color:#666;font-size:12px;margin:4px 0;">` +
    `${m.plotPlaceholder(title)}</p></div>
<script type="text/javascript">
(function () {
  var els = document.querySelectorAll('div[id="${id}"]'), el = null;
  for (var i = els.length - 1; i >= 0; i--) { if (!els[i].getAttribute("data-plotted")) { el = els[i]; break; } }
  if (!el) { return; }
  el.setAttribute("data-plotted", "1");
  var fig = ${scriptSafe(json)};
  function ready() { return typeof window.Plotly !== "undefined" && typeof window.Plotly.newPlot === "function"; }
  function draw() {
    el.innerHTML = "";
    window.Plotly.newPlot(el, fig.data, fig.layout, fig.config).catch(function (e) {
      el.textContent = ${scriptSafe(JSON.stringify(m.plotFailed))} + e;
    });
  }
  if (ready()) { draw(); return; }
  ${OPEN_CACHE_JS}
  ${PLOTLY_FROM_CACHE_JS}
  window.coursePlotlyFromCache.then(function () {
    if (ready()) { draw(); return; }
    el.style.height = "auto";
    el.innerHTML = '<p class="course-plot-missing" style="padding:8px 12px;border:1px solid #e0b050;' +
      'background:#fff8e5;color:#5a4500;font-size:13px;">${MISSING_PLOTLY}</p>';
  });
})();
</script>`;
}

// ---------------------------------------------------------------------------------------------
// plotly.js, sent once per kernel

let plotlySource: string | undefined;

/** Where the npm package's plotly.js lies, relative to this file (node_modules next to lib/). */
export const plotlyPath = new URL("../node_modules/plotly.js-dist-min/plotly.min.js", import.meta.url);

/**
 * plotly.js as an inline script that defines `window.Plotly` once (evaluating it again is skipped). In a
 * live Jupyter page (Notebook 6's `Jupyter` global, or JupyterLab's page configuration) it also puts the
 * library in PLOTLY_CACHE, as the source of the function that loads it (no second copy in the output), for
 * the figures shown after a reload; an exported HTML page carries plotly.js in itself and keeps nothing.
 */
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
  return `<script type="text/javascript">
(function () {
  var load = function () {
${body}
  };
  if (typeof window.Plotly === "undefined") {
    load();
  }
  if (!(window.Jupyter || document.getElementById("jupyter-config-data"))) { return; }
  ${OPEN_CACHE_JS}
  openCache(function (db) {
    if (!db) { return; }
    try {
      db.transaction(${JSON.stringify(PLOTLY_CACHE.store)}, "readwrite").objectStore(${
    JSON.stringify(PLOTLY_CACHE.store)
  }).put(String(load), ${JSON.stringify(PLOTLY_CACHE.key)});
    } catch (e) { /* no copy kept: a reloaded page shows the notice */ }
  });
})();
</script>`;
}

/** The version of the plotly.js that is injected (from its banner). */
export function plotlyVersion(): string {
  plotlyScript();
  return /plotly\.js v([0-9.]+)/.exec(plotlySource!.slice(0, 200))?.[1] ?? "unknown";
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
