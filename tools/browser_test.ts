/**
 * `deno task test:browser [filter...]`: what the learner sees, checked in a real browser (headless Chromium).
 *
 * 1. Jupyter: starts the classic Notebook server (as `deno task lab` does) on localhost with the Deno kernel,
 *    opens every notebook in notebooks/ and runs it through the page RUNS = 5 times (`--runs=N`), each on a
 *    freshly started kernel (Run All, then Kernel > Restart and Run All again); a slow notebook (its
 *    headless run over SLOW_S = 60 s: 04) runs SLOW_RUNS = 2 times (`--slow-runs=N`). After each run: no
 *    cell shows an error or stayed unrun, every plotly output was drawn (an SVG with its traces), and every
 *    output is under the cell that made it: each code cell has the outputs (kinds in order: result,
 *    display, plot, error; and whether it printed) of the same cell in the headless run, build/<name>.ipynb
 *    of `deno task course`, which is executed again first where missing or older than the notebook
 *    (`--no-course`: never); an output found under another cell than in the headless run is named. The
 *    exercise solutions (`<details>` blocks in markdown cells) must show folded, their content hidden until
 *    a click on the summary shows it; an old-style solution (a code cell hidden by metadata
 *    jupyter.source_hidden, which Notebook 6 and the HTML page show in full) fails, naming its cell.
 *    Then the same runs and checks in JupyterLab (`--no-lab`: not), installed where it is missing into
 *    build/jupyterlab (tools/lab.ts: a venv reusing the system's Jupyter, then pip); where that fails, one
 *    line says so and the rest is tested. And in both (check "plot_reload"): after a page reload with the
 *    kernel still running (it sends plotly.js once per session), a plot shown in the page is drawn.
 *    Nothing is saved: autosave is switched off, so notebooks/ stays as it is.
 * 2. The offline HTML course (build/*.html from `deno task course`, run first as in 1): each page opened
 *    with the network off; every plot must be drawn, the solutions folded as in 1, and the console must stay
 *    free of errors and the page must request nothing from the network.
 * 3. The executed notebooks (build/*.ipynb) opened in Notebook 6 as saved, without running: untrusted there,
 *    no script runs, and each plot must show its picture (tools/snapshot.ts, added first where missing).
 * 4. Kernel > Interrupt (check "kernel_interrupt"): in Notebook 6, the Kernel menu's Interrupt stops a running
 *    training (Network.SGD, then trainTf) within a second, and the cells after it run on its result.
 * 5. The live playground (check "playground_live"): in Notebook 6, and in JupyterLab where it is installed
 *    (next to `jupyter`, or JUPYTER_LAB=/path/to/jupyter-lab), the playground's one output changes while it
 *    trains (two screenshots differ) and ends as the recorded replay showing a decision boundary. In the HTML
 *    pages, each replay's play button must step its figure through the recorded frames.
 * In 1 and 2, each slider of an interactive figure is clicked at both ends and must change the plot. A
 * full-page screenshot of each page goes to build/screens/.
 *
 * Options: `--only=notebook` or `--only=html`, `--runs=N`, `--slow-runs=N`, `--no-lab`, `--no-course`; filter
 * arguments keep the notebooks whose name contains one of them (`--only=notebook kernel_interrupt` runs
 * check 4 alone). The last line sums up like `deno test` ("ok | 10 passed | 0 failed", one test per page
 * and front end), for CI.
 * Needs Chromium (CHROMIUM=/path, or Debian's /usr/bin/chromium) and playwright-core (npm); without Chromium
 * it says so in one line and exits 0, as nothing could be checked.
 */
import { chromium as playwright } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { describeFailure, executeNotebook } from "./course.ts";
import { ensureJupyterLab } from "./lab.ts";
import { joinText, type Notebook, type Output, PLOTLY_MIME, sourceText } from "./notebook.ts";
import { BUILD_DIR, fromRoot, isFile, listFiles, NOTEBOOKS_DIR, ROOT } from "./paths.ts";
import { jupyterBinDir, setup } from "./setup.ts";
import { CHROMIUM_FLAGS, findChromium, plotlyOutputs, snapshotNotebook } from "./snapshot.ts";
import { textTable } from "./table.ts";

const SCREENS = `${BUILD_DIR}/screens`;
/** Longest a notebook may take to run all its cells in the browser (seconds). */
const NOTEBOOK_TIMEOUT_S = Number(Deno.env.get("BROWSER_TEST_TIMEOUT") ?? 1200);

/** A whole-number option `--name=N` of the command line, or `fallback`. */
function countOption(name: string, fallback: number): number {
  const value = Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3));
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Fresh-kernel Run Alls per notebook and front end: several, so that a rare misplaced output shows. */
const RUNS = countOption("runs", 5);
/** A notebook whose headless run takes longer than this (seconds) is slow: it gets SLOW_RUNS runs. */
const SLOW_S = 60;
/** Run Alls of a slow notebook per front end (its runs would be most of the test's time). */
const SLOW_RUNS = countOption("slow-runs", 2);
/** JupyterLab's settings and workspaces for the test (autosave off, every cell in the page). */
const LAB_DIR = `${BUILD_DIR}/browser_lab`;

/** What one page showed. */
export interface PageReport {
  name: string;
  kind: "notebook" | "lab" | "saved" | "html";
  ok: boolean;
  /** Run Alls on a fresh kernel (Notebook 6, JupyterLab), else 0. */
  runs: number;
  seconds: number;
  plots: number;
  drawn: number;
  /** Sliders moved (interactive figures). */
  sliders: number;
  problems: string[];
  screenshot?: string;
}

/** A report with nothing found yet. */
function newReport(name: string, kind: PageReport["kind"]): PageReport {
  return { name, kind, ok: false, runs: 0, seconds: 0, plots: 0, drawn: 0, sliders: 0, problems: [] };
}

/** The report once the page is done: ok when nothing was found wrong, and its time since `started`. */
function finish(report: PageReport, started: number): PageReport {
  report.ok = report.problems.length === 0;
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** In the page: each course plot, whether plotly drew it (an SVG and at least one trace), or why not. */
export const PLOT_STATE_JS = `(() => [...document.querySelectorAll(".course-plot")].map((el) => {
  const missing = el.querySelector(".course-plot-missing");
  const svg = el.querySelectorAll("svg.main-svg").length;
  const traces = el.querySelectorAll("g.trace, g.hm, g.contour, g.imagelayer image, .barlayer g.point").length;
  const data = el._fullData ? el._fullData.length : 0;
  return { id: el.id, svg, traces, data, missing: missing ? missing.textContent : "", text: svg ? "" :
    (el.textContent || "").slice(0, 200) };
}))()`;

interface PlotState {
  id: string;
  svg: number;
  traces: number;
  data: number;
  missing: string;
  text: string;
}

/** Problems with the plots of a page: missing plotly.js, a plot without SVG or traces. */
export function plotProblems(states: PlotState[]): string[] {
  const problems: string[] = [];
  for (const s of states) {
    if (s.missing) problems.push(`plot ${s.id}: plotly.js missing ("${s.missing.slice(0, 60)}...")`);
    else if (s.svg === 0) problems.push(`plot ${s.id}: not drawn${s.text ? ` ("${s.text}")` : ""}`);
    else if (s.traces === 0 || s.data === 0) problems.push(`plot ${s.id}: drawn without traces`);
  }
  return problems;
}

// Code that runs in the page (strings: the page has a DOM and Notebook 6's Jupyter global, Deno has neither).

/** The notebook is open and its kernel connected and answering. */
const KERNEL_READY_JS = `(() => { const nb = window.Jupyter && Jupyter.notebook;
  return !!(nb && nb.kernel && nb.kernel.is_connected() && nb.kernel.info_reply && nb.kernel.info_reply.status === "ok"); })()`;

/** Autosave off (notebooks/ is never written), outputs cleared, all cells run. */
const RUN_ALL_JS = `(() => { const nb = Jupyter.notebook;
  nb.set_autosave_interval(0); nb.clear_all_output(); nb.execute_all_cells(); })()`;

/** No code cell queued or running ("In [*]") and the kernel idle. */
const ALL_DONE_JS = `(() => { const nb = Jupyter.notebook;
  const running = nb.get_cells().some((c) => c.cell_type === "code" && c.input_prompt_number === "*");
  return !running && !nb.kernel_busy && !!document.querySelector("#kernel_indicator_icon.kernel_idle_icon"); })()`;

/** In the page: a fingerprint of what each plot shows (its traces' data and colour ranges), by plot id. */
const DATA_PRINT_JS =
  `Object.fromEntries([...document.querySelectorAll(".course-plot")].filter((el) => el.data)
  .map((el) => [el.id, JSON.stringify(el.data.map((t) => [t.x, t.y, t.zmin, t.zmax]))]))`;

/**
 * The interactive figures: each slider is clicked at both ends of its rail; the plot must show something
 * different at the two ends (its steps restyle the data in the page) and raise no errors.
 */
async function checkSliders(page: Page, report: PageReport): Promise<string[]> {
  const problems: string[] = [];
  const plots = await page.$$(".course-plot");
  for (const plot of plots) {
    const id = await plot.getAttribute("id");
    const rails = await plot.$$(".slider-rail-rect");
    for (const [k, rail] of rails.entries()) {
      const print = async (side: "left" | "right") => {
        await rail.scrollIntoViewIfNeeded();
        const box = await rail.boundingBox();
        if (!box) return "";
        await page.mouse.click(side === "left" ? box.x + 2 : box.x + box.width - 2, box.y + box.height / 2);
        await page.waitForTimeout(300);
        return ((await page.evaluate(DATA_PRINT_JS)) as Record<string, string>)[id ?? ""] ?? "";
      };
      const left = await print("left"), right = await print("right");
      if (left === right) problems.push(`plot ${id}: slider ${k + 1} does not change the plot`);
      report.sliders += 1;
    }
  }
  return problems;
}

/** A free TCP port on localhost. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A running Jupyter Notebook server. */
interface Server {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/**
 * Writes JupyterLab's settings for the test into LAB_DIR: autosave off (notebooks/ is never written), every
 * cell kept in the page (JupyterLab 4 by default leaves cells out of view out of the page), no news fetched;
 * and empties its workspaces.
 */
async function labSettings(): Promise<void> {
  await Deno.remove(`${LAB_DIR}/workspaces`, { recursive: true }).catch(() => {});
  const settings: Record<string, unknown> = {
    "@jupyterlab/docmanager-extension/plugin": { autosave: false },
    "@jupyterlab/notebook-extension/tracker": { windowingMode: "none" },
    "@jupyterlab/apputils-extension/notification": { fetchNews: "false", checkForUpdates: false },
  };
  for (const [id, value] of Object.entries(settings)) {
    const path = `${LAB_DIR}/settings/${id}.jupyterlab-settings`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(value));
  }
}

/**
 * Starts the classic Notebook server (or, given `lab`, the path of jupyter-lab, JupyterLab) in the repository
 * root on a free port, and waits until it answers.
 */
async function startJupyter(jupyter: string, lab?: string): Promise<Server> {
  const port = freePort();
  const token = crypto.randomUUID().replaceAll("-", "");
  const root = Deno.uid() === 0 ? ["--allow-root"] : [];
  const labArgs = [
    ...root,
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    `--IdentityProvider.token=${token}`,
    // window.jupyterapp: the checks read cells and outputs from JupyterLab's model, as from Notebook 6's.
    "--LabApp.expose_app_in_browser=True",
    `--LabApp.user_settings_dir=${LAB_DIR}/settings`,
    `--LabApp.workspaces_dir=${LAB_DIR}/workspaces`,
  ];
  if (lab) await labSettings();
  const args = lab ? labArgs : [
    "notebook",
    ...(Deno.uid() === 0 ? ["--allow-root"] : []),
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    `--NotebookApp.token=${token}`,
    "--NotebookApp.open_browser=False",
  ];
  const child = new Deno.Command(lab ?? jupyter, {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { PATH: `${jupyterBinDir(lab ?? jupyter)}:${Deno.env.get("PATH") ?? ""}` },
  }).spawn();
  // Keep Jupyter's log, shown if the server does not come up.
  let log = "";
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of child.stderr) log = (log + decoder.decode(chunk)).slice(-20_000);
  })();
  (async () => {
    for await (const _ of child.stdout) { /* drain */ }
  })();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (true) {
    try {
      const res = await fetch(`${url}/api/status?token=${token}`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`Jupyter Notebook did not answer on ${url} within 60 s. Its log:\n${log.slice(-3000)}`);
    }
    await sleep(300);
  }
  return {
    url,
    token,
    async stop() {
      // Shut the kernels down through the API, then the server itself.
      try {
        const res = await fetch(`${url}/api/sessions?token=${token}`);
        for (const s of await res.json() as { id: string }[]) {
          await (await fetch(`${url}/api/sessions/${s.id}?token=${token}`, { method: "DELETE" })).body
            ?.cancel();
        }
      } catch {
        // server already gone
      }
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await child.status;
      clearTimeout(timer);
    },
  };
}

/** Makes the whole notebook visible to a full-page screenshot (Notebook 6 scrolls inside #site). */
async function unscroll(page: Page): Promise<void> {
  await page.addStyleTag({
    content: "html, body, #site { height: auto !important; overflow: visible !important; }" +
      " #header { position: static !important; }",
  });
}

/** A full-page screenshot of a notebook page, build/screens/<name>.<kind>.png, noted in the report. */
async function notebookScreenshot(page: Page, report: PageReport): Promise<void> {
  await unscroll(page);
  report.screenshot = `${SCREENS}/${report.name}.${report.kind}.png`;
  await page.screenshot({ path: report.screenshot, fullPage: true });
}

// ---------------------------------------------------------------------------------------------
// Runs through a Jupyter front end (Notebook 6, JupyterLab): Run All on fresh kernels, outputs in place

/** One output as the checks see it: its type, its text (printed text, text/plain or the error), plot or not. */
interface SlimOutput {
  output_type: string;
  name?: string;
  text: string;
  plotly: boolean;
  /** Length of its text/html (plotly.js inline makes it megabytes). */
  html: number;
}

/** One cell as the checks see it, in the page or in the headless run. */
interface RunCell {
  type: string;
  source: string;
  /** Its prompt: the execution count, "*" while queued or running, null when it has not run. */
  prompt: number | string | null;
  outputs: SlimOutput[];
}

/** In the page: a function from an nbformat output (as front ends keep them) to a SlimOutput. */
const SLIM_OUTPUT_JS = `((o) => { const d = o.data || {};
  const t = (v) => Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "";
  const text = o.output_type === "stream" ? t(o.text) : o.output_type === "error" ? o.ename + ": " + o.evalue
    : t(d["text/plain"]);
  return { output_type: o.output_type, name: o.name, text: text.slice(0, 2000),
    plotly: !!d[${JSON.stringify(PLOTLY_MIME)}], html: t(d["text/html"]).length }; })`;

/** A saved notebook's output as a SlimOutput (the same view as SLIM_OUTPUT_JS in the page). */
function slimOutput(o: Output): SlimOutput {
  const text = o.output_type === "stream"
    ? joinText(o.text)
    : o.output_type === "error"
    ? `${o.ename}: ${o.evalue}`
    : joinText(o.data?.["text/plain"]);
  return {
    output_type: o.output_type,
    name: o.name,
    text: text.slice(0, 2000),
    plotly: !!o.data?.[PLOTLY_MIME],
    html: joinText(o.data?.["text/html"]).length,
  };
}

/** A saved notebook's cells as RunCells. */
function runCells(nb: Notebook): RunCell[] {
  return nb.cells.map((c) => ({
    type: c.cell_type,
    source: sourceText(c),
    prompt: c.execution_count ?? null,
    outputs: (c.outputs ?? []).map(slimOutput),
  }));
}

/** The first non-empty line of a text, trimmed and cut to `max` characters. */
function firstLine(text: string, max = 50): string {
  return (text.split("\n").find((l) => l.trim()) ?? "").trim().slice(0, max);
}

/** What kind of output: printed text (stdout, stderr), a result (Out[]), a display, a plot, or an error. */
function outputKind(o: SlimOutput): string {
  if (o.output_type === "stream") return o.name === "stderr" ? "stderr" : "stdout";
  if (o.output_type === "error") return "error";
  if (o.plotly) return "plot";
  return o.output_type === "execute_result" ? "result" : "display";
}

/**
 * A cell's outputs in one line: the kinds of its displays, results, plots and errors in order, then the
 * printed streams it has (front ends merge and split printed text differently, so only their presence counts).
 */
function outputShape(outputs: SlimOutput[]): string {
  const kinds = outputs.filter((o) => o.output_type !== "stream").map(outputKind);
  const streams = ["stdout", "stderr"].filter((n) => outputs.some((o) => outputKind(o) === n));
  return `[${[...kinds, ...streams].join(", ")}]`;
}

/** An output's identity across runs: its kind and first line, numbers (timings, losses) left out. */
function outputKey(o: SlimOutput): string {
  const line = firstLine(o.text, 200).replace(/[-+]?\d[\d,]*(\.\d+)?(e[-+]?\d+)?/gi, "#").replace(
    /\s+/g,
    " ",
  );
  return `${outputKind(o)} "${line.slice(0, 60)}"`;
}

/**
 * Outputs not under the cell that made them: each code cell of `page` must have the outputs (kinds, in
 * order) of the same cell in `expected` (the headless run, or a first run in the page), and an output that
 * belongs to another cell there is named. Cells that did not run in `expected` are not compared.
 */
function placementProblems(page: RunCell[], expected: RunCell[], against: string): string[] {
  const problems: string[] = [];
  page.forEach((cell, k) => {
    const want = expected[k];
    if (cell.type !== "code" || !want || want.prompt === null) return;
    const here = outputShape(cell.outputs), there = outputShape(want.outputs);
    if (here === there) return;
    // An output that is not this cell's but another's: the likely misplacement, said by name (the same
    // first line elsewhere, else the same line up to its numbers).
    const strays = cell.outputs.flatMap((o) => {
      const line = `${outputKind(o)} ${firstLine(o.text, 200)}`;
      const same = (p: SlimOutput) => `${outputKind(p)} ${firstLine(p.text, 200)}` === line;
      const like = (p: SlimOutput) => outputKey(p) === outputKey(o);
      if (want.outputs.some(same)) return [];
      let owner = expected.findIndex((c, j) => j !== k && c.outputs.some(same));
      if (owner < 0 && !want.outputs.some(like)) {
        owner = expected.findIndex((c, j) => j !== k && c.outputs.some(like));
      }
      return owner < 0 ? [] : [`${outputKey(o)} is cell ${owner}'s`];
    });
    const missing = want.outputs.map(outputKey).filter((key) =>
      !cell.outputs.some((o) => outputKey(o) === key)
    );
    const detail = strays.length > 0 ? `; ${strays[0]}` : missing.length > 0 ? `; missing ${missing[0]}` : "";
    problems.push(
      `cell ${k} (${firstLine(cell.source, 40)}): outputs ${here} here, ${there} ${against}${detail}`,
    );
  });
  return problems;
}

/** The headless run a notebook's browser runs are compared with (build/<name>.ipynb), and its time. */
interface Reference {
  cells: RunCell[];
  /** Seconds from the first code cell's start to the last one's reply. */
  seconds: number;
}

/** Cell types and sources: equal for a notebook and an executed copy of it (and for nothing else). */
function sourcesOf(nb: Notebook): string {
  return JSON.stringify(nb.cells.map((c) => [c.cell_type, sourceText(c).trim()]));
}

/** A notebook file, or undefined where it is missing or unreadable. */
async function readNotebook(path: string): Promise<Notebook | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as Notebook;
  } catch {
    return undefined;
  }
}

/** Whether build/<name>.ipynb and .html were made from notebooks/<name>.ipynb as it is now. */
async function buildIsFresh(name: string): Promise<boolean> {
  const [source, executed] = await Promise.all([
    readNotebook(`${NOTEBOOKS_DIR}/${name}.ipynb`),
    readNotebook(`${BUILD_DIR}/${name}.ipynb`),
  ]);
  return !!source && !!executed && isFile(`${BUILD_DIR}/${name}.html`) &&
    sourcesOf(source) === sourcesOf(executed);
}

/**
 * Executes a notebook headless (tools/course.ts) where build/<name>.ipynb or .html is missing or older than
 * the notebook: the reference of the browser runs, and the page of the HTML check.
 */
async function freshBuild(name: string): Promise<void> {
  if (await buildIsFresh(name)) return;
  console.error(
    `build/${name}.ipynb: missing or older than the notebook: running it headless (tools/course.ts)`,
  );
  const run = await executeNotebook(name, { quiet: true });
  if (!run.ok) console.error(`  ${describeFailure(run).split("\n").slice(0, 2).join("\n  ")}`);
}

/** The headless run of notebooks/<name>.ipynb as it is now, or undefined (missing, or of other sources). */
async function loadReference(name: string): Promise<Reference | undefined> {
  const executed = await readNotebook(`${BUILD_DIR}/${name}.ipynb`);
  if (!executed || !(await buildIsFresh(name))) return undefined;
  const times = executed.cells.filter((c) => c.cell_type === "code").map((c) =>
    (c.metadata?.execution ?? {}) as Record<string, string>
  );
  const start = Date.parse(times[0]?.["iopub.execute_input"] ?? "");
  const end = Date.parse(times.at(-1)?.["shell.execute_reply"] ?? "");
  return { cells: runCells(executed), seconds: Number.isFinite(end - start) ? (end - start) / 1000 : 0 };
}

/** A Jupyter front end as the browser test drives it: page code for each step (run in the page). */
interface FrontEnd {
  /** The report's kind. */
  kind: "notebook" | "lab";
  /** Its name in the log. */
  label: string;
  /** The page of a notebook, given by its path from the repository root (the server's root). */
  url(server: Server, path: string): string;
  /** The notebook is open, its kernel connected and idle. */
  ready: string;
  /** The id of the notebook's kernel. */
  kernelId: string;
  /** A promise: the kernel restarted (a fresh process); ready tells when it answers. */
  restart: string;
  /** Autosave off, outputs cleared, every cell run. */
  runAll: string;
  /** Cells were queued (Run All or a cell run has begun). */
  started: string;
  /** No cell queued or running and the kernel idle. */
  done: string;
  /** Every cell as a RunCell. */
  cells: string;
  /** Runs one cell (by index). */
  runCell(index: number): string;
  /** Shuts the notebook's kernel down. */
  shutdown: string;
  /** Page errors of the front end itself that a learner never sees (not reported). */
  ownErrors?: RegExp;
}

/** Notebook 6, through its `Jupyter` global. */
const NOTEBOOK6: FrontEnd = {
  kind: "notebook",
  label: "Notebook 6",
  url: (server, path) => `${server.url}/notebooks/${path}?token=${server.token}`,
  ready: KERNEL_READY_JS,
  kernelId: "Jupyter.notebook.kernel.id",
  restart:
    `new Promise((resolve) => { Jupyter.notebook.events.one("kernel_ready.Kernel", () => resolve(true));
    Jupyter.notebook.kernel.restart(); })`,
  runAll: RUN_ALL_JS,
  started: "true",
  done: ALL_DONE_JS,
  cells: `Jupyter.notebook.get_cells().map((c) => ({ type: c.cell_type, source: c.get_text(),
    prompt: c.input_prompt_number === undefined ? null : c.input_prompt_number,
    outputs: ((c.output_area && c.output_area.outputs) || []).map(${SLIM_OUTPUT_JS}) }))`,
  runCell: (i) => `Jupyter.notebook.set_autosave_interval(0); Jupyter.notebook.get_cell(${i}).execute();`,
  shutdown: "Jupyter.notebook.session.delete()",
};

/** The current notebook panel of JupyterLab (its app object is exposed by the server's option). */
const LAB_PANEL = "jupyterapp.shell.currentWidget";

/** In JupyterLab: whether a code cell widget's prompt shows "*" (queued or running). */
const LAB_BUSY_CELL = `((c) => c.model.type === "code" &&
  ((c.node.querySelector(".jp-InputPrompt") || {}).textContent || "").includes("*"))`;

/** JupyterLab 4, through `window.jupyterapp` (server option expose_app_in_browser) and its commands. */
const JUPYTERLAB: FrontEnd = {
  kind: "lab",
  label: "JupyterLab",
  // A fresh workspace each time (?reset), else JupyterLab restores the tabs of an earlier page.
  url: (server, path) =>
    `${server.url}/lab/workspaces/test-${
      crypto.randomUUID().slice(0, 8)
    }/tree/${path}?reset&token=${server.token}`,
  ready: `(() => { const w = window.jupyterapp && ${LAB_PANEL};
    const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return !!(w && w.content && w.context && w.context.isReady && k && k.connectionStatus === "connected" &&
      k.status === "idle"); })()`,
  kernelId: `${LAB_PANEL}.sessionContext.session.kernel.id`,
  restart: `${LAB_PANEL}.sessionContext.restartKernel().then(() => true)`,
  // Autosave is off in the settings the test starts JupyterLab with.
  runAll: `void jupyterapp.commands.execute("notebook:clear-all-cell-outputs")
    .then(() => jupyterapp.commands.execute("notebook:run-all-cells"))`,
  started: `(() => { const w = ${LAB_PANEL}; const k = w.sessionContext.session.kernel;
    return k.status === "busy" || w.content.widgets.some(${LAB_BUSY_CELL}); })()`,
  done:
    `(() => { const w = ${LAB_PANEL}; const k = w.sessionContext.session && w.sessionContext.session.kernel;
    return !!k && k.status === "idle" && !w.content.widgets.some(${LAB_BUSY_CELL}); })()`,
  cells: `${LAB_PANEL}.content.widgets.map((c) => { const j = c.model.toJSON();
    return { type: j.cell_type, source: Array.isArray(j.source) ? j.source.join("") : j.source,
      prompt: j.cell_type !== "code" ? null : ${LAB_BUSY_CELL}(c) ? "*" : (j.execution_count ?? null),
      outputs: (j.outputs || []).map(${SLIM_OUTPUT_JS}) }; })`,
  runCell: (i) =>
    `${LAB_PANEL}.content.activeCellIndex = ${i}; void jupyterapp.commands.execute("notebook:run-cell");`,
  shutdown: `${LAB_PANEL}.sessionContext.shutdown()`,
  // The debugger extension rejects a promise for a kernel without a debugger (Deno's); only the console sees it.
  ownErrors: /No active debugger session/,
};

/** Notes the page's uncaught errors in `problems`, except the front end's own (FrontEnd.ownErrors). */
function onPageError(page: Page, fe: FrontEnd, problems: string[]): void {
  page.on("pageerror", (e) => {
    if (!fe.ownErrors?.test(e.message)) problems.push(`page error: ${e.message.slice(0, 300)}`);
  });
}

/** Every plot of the page handled: drawn, or a message in its place (the placeholder waits for its script). */
const PLOTS_SETTLED_JS = `[...document.querySelectorAll(".course-plot")].every((el) =>
  el.querySelector("svg.main-svg") || el.querySelector(".course-plot-missing") ||
  (el.textContent && !el.querySelector(".course-plot-placeholder")))`;

/** Waits until the page's plots are drawn or failed (at most 30 s; what is still undrawn then is reported). */
async function plotsSettled(page: Page): Promise<void> {
  await page.waitForFunction(PLOTS_SETTLED_JS, undefined, { timeout: 30_000, polling: 250 }).catch(() => {});
  await page.waitForTimeout(300);
}

/** Waits for `js` in the page to be true (polling), at most `seconds`; then throws "`what` within N s". */
async function waitFor(page: Page, js: string, seconds: number, what: string): Promise<void> {
  await page.waitForFunction(js, undefined, { timeout: seconds * 1000, polling: 500 }).catch(() => {
    throw new Error(`${what} within ${seconds} s`);
  });
}

/** Restarts the page's kernel (a fresh process) and waits until the new one answers. */
async function restartKernel(page: Page, fe: FrontEnd): Promise<void> {
  const restarted = page.evaluate(fe.restart);
  const timeout = sleep(120_000).then(() => false);
  if (!(await Promise.race([restarted, timeout]))) throw new Error("the kernel did not restart within 120 s");
  await waitFor(page, fe.ready, 120, "the restarted kernel did not answer");
}

/** Starts `js` (Run All, or one cell) and waits, at most `seconds`, until every cell it queued has run. */
async function runAndWait(page: Page, fe: FrontEnd, js: string, seconds = NOTEBOOK_TIMEOUT_S): Promise<void> {
  await page.evaluate(js);
  await page.waitForFunction(fe.started, undefined, { timeout: 15_000, polling: 100 }).catch(() => {});
  await waitFor(page, fe.done, seconds, "Run All did not finish");
}

/** How many fresh-kernel Run Alls a notebook gets: RUNS, or SLOW_RUNS for one whose headless run is slow. */
function runsFor(reference: Reference | undefined): number {
  return reference && reference.seconds > SLOW_S ? SLOW_RUNS : RUNS;
}

/**
 * How long one Run All may take (seconds): five times the headless run, at least 3 minutes, at most
 * NOTEBOOK_TIMEOUT_S; a run stuck on a lost message then fails in minutes, not in the whole limit.
 */
function runLimit(reference: Reference | undefined): number {
  return reference
    ? Math.min(NOTEBOOK_TIMEOUT_S, Math.max(180, Math.ceil(5 * reference.seconds)))
    : NOTEBOOK_TIMEOUT_S;
}

/**
 * Runs one notebook through a front end's page, Run All on a fresh kernel `runs` times, and reports what it
 * showed: after each run, every cell ran without an error, every plot was drawn, and every output is under
 * the cell that made it (compared with the headless run, else with the first run); after the last, the
 * sliders move their plots and the solutions are folded.
 */
async function checkNotebook(
  browser: Browser,
  server: Server,
  fe: FrontEnd,
  file: string,
): Promise<PageReport> {
  const name = file.replace(/\.ipynb$/, "");
  const started = performance.now();
  const report = newReport(name, fe.kind);
  const source = await readNotebook(`${NOTEBOOKS_DIR}/${file}`);
  const reference = await loadReference(name);
  const runs = runsFor(reference);
  report.runs = runs;
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const consoleErrors: string[] = [];
  onPageError(page, fe, consoleErrors);
  page.on("dialog", (d) => d.dismiss().catch(() => {}));
  // The same problem in several runs is said once, with the runs it was seen in.
  const seen = new Map<string, number[]>();
  const note = (run: number, problem: string) => seen.set(problem, [...(seen.get(problem) ?? []), run]);
  let first: RunCell[] | undefined;
  try {
    await page.goto(fe.url(server, `notebooks/${file}`));
    await waitFor(page, fe.ready, 120, `${fe.label}: the notebook did not open with its kernel ready`);
    for (let run = 1; run <= runs; run++) {
      const t0 = performance.now();
      if (run > 1) await restartKernel(page, fe);
      // A run that does not finish is reported with the cells it left running; the next run restarts.
      const finished = await runAndWait(page, fe, fe.runAll, runLimit(reference)).then(
        () => true,
        (e: Error) => (note(run, e.message), false),
      );
      await page.waitForTimeout(1000); // output the kernel sends late lands now, where the front end puts it
      await plotsSettled(page);
      const cells = await page.evaluate(fe.cells) as RunCell[];
      first ??= cells;
      cells.forEach((c, k) => {
        if (c.type !== "code") return;
        if (c.prompt === null) note(run, `cell ${k} (${firstLine(c.source)}) did not run`);
        if (c.prompt === "*") {
          note(run, `cell ${k} (${firstLine(c.source)}) still queued or running (In [*])`);
        }
        for (const o of c.outputs.filter((o) => o.output_type === "error")) {
          note(run, `cell ${k} (${firstLine(c.source)}): ${o.text.slice(0, 200)}`);
        }
      });
      const comparable = reference && reference.cells.length === cells.length &&
        reference.cells.every((c, k) => c.source.trim() === cells[k].source.trim());
      const misplaced = placementProblems(
        cells,
        comparable ? reference.cells : first,
        comparable ? "when run headless" : "in run 1 (no current headless run to compare with)",
      );
      for (const p of misplaced) note(run, p);
      const expected = cells.flatMap((c) => c.outputs).filter((o) => o.plotly).length;
      const states = await page.evaluate(PLOT_STATE_JS) as PlotState[];
      report.plots += expected;
      report.drawn += states.filter((s) => s.svg > 0 && s.traces > 0).length;
      if (states.length !== expected) {
        note(run, `${expected} plotly outputs but ${states.length} plot divs in the page`);
      }
      for (const p of plotProblems(states)) note(run, p);
      console.error(
        `  ${fe.label}, run ${run} of ${runs}: ${finished ? "" : "NOT FINISHED, "}${
          ((performance.now() - t0) / 1000).toFixed(0)
        } s, ${states.filter((s) => s.svg > 0).length}/${expected} plots drawn, ${
          misplaced.length === 0
            ? "every output under its cell"
            : `${misplaced.length} cells with other outputs`
        }${comparable ? "" : " (compared with run 1)"}`,
      );
    }
    report.problems.push(...await checkSliders(page, report));
    if (source) {
      report.problems.push(...await foldProblems(page, source));
      if (fe.kind === "notebook") report.problems.push(...oldSolutionProblems(source, fe.label));
    }
    await notebookScreenshot(page, report);
    // Stop this notebook's kernel: the next notebook gets a fresh one.
    await page.evaluate(fe.shutdown).catch(() => {});
  } catch (e) {
    report.problems.push(`did not finish: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
    try {
      await notebookScreenshot(page, report);
      await page.evaluate(fe.shutdown);
    } catch {
      // the page is gone
    }
  } finally {
    await page.close();
  }
  for (const [problem, inRuns] of seen) {
    const which = inRuns.length === runs ? (runs === 1 ? "" : "every run: ") : `run ${inRuns.join(", ")}: `;
    report.problems.push(`${which}${problem}`);
  }
  report.problems.push(...new Set(consoleErrors));
  return finish(report, started);
}

// ---------------------------------------------------------------------------------------------
// Folded solutions

/** Rendered `<details>` blocks of markdown cells: Notebook 6, JupyterLab, nbconvert's lab and classic pages. */
const DETAILS = ".text_cell_render details, .jp-MarkdownCell details";
/** A cell's element in the same pages. */
const CELL_ELEMENT = ".cell, .jp-Cell";

/** In the page: each rendered `<details>`, its cell's index, whether it is open and whether its content shows. */
const FOLDS_JS = `(() => { const cells = [...document.querySelectorAll(${JSON.stringify(CELL_ELEMENT)})];
  return [...document.querySelectorAll(${JSON.stringify(DETAILS)})].map((d) => {
    const summary = d.querySelector("summary");
    const content = [...d.children].filter((c) => c.tagName !== "SUMMARY");
    const visible = (c) => c.checkVisibility ? c.checkVisibility() : c.getClientRects().length > 0;
    const taller = d.getBoundingClientRect().height > (summary ? summary.getBoundingClientRect().height : 0) + 8;
    return { cell: cells.indexOf(d.closest(${JSON.stringify(CELL_ELEMENT)})), open: d.open,
      summary: summary ? summary.textContent.trim() : "", shown: content.some(visible) || taller }; }); })()`;

interface Fold {
  cell: number;
  open: boolean;
  summary: string;
  shown: boolean;
}

/**
 * Exercise solutions folded: each `<details>` block of the notebook's markdown cells is in the page, closed,
 * its content hidden; a click on its summary shows the content (and a second click folds it again).
 */
async function foldProblems(page: Page, nb: Notebook): Promise<string[]> {
  const problems: string[] = [];
  const expected = nb.cells.map((c) =>
    c.cell_type === "markdown" ? sourceText(c).split("<details").length - 1 : 0
  );
  const folds = await page.evaluate(FOLDS_JS) as Fold[];
  expected.forEach((n, k) => {
    const inPage = folds.filter((f) => f.cell === k).length;
    if (n > inPage) {
      problems.push(
        `cell ${k}: ${n} <details> in the notebook but ${inPage} in the page: the solution shows unfolded`,
      );
    }
  });
  for (const [i, fold] of folds.entries()) {
    const where = `cell ${fold.cell}, "${fold.summary}"`;
    if (fold.open || fold.shown) {
      problems.push(
        `${where}: the solution shows before its summary is clicked (${
          fold.open ? "open" : "content visible"
        })`,
      );
      continue;
    }
    const summary = page.locator(DETAILS).nth(i).locator("summary").first();
    await summary.click();
    await page.waitForTimeout(150);
    const after = (await page.evaluate(FOLDS_JS) as Fold[])[i];
    if (!after?.open || !after.shown) {
      problems.push(`${where}: a click on the summary does not show the solution`);
    }
    await summary.click(); // folded again, for the screenshot
  }
  if (folds.length > 0) {
    console.error(
      `  ${folds.length} solutions in <details>: ${
        problems.length === 0 ? "all folded, shown by a click" : "see below"
      }`,
    );
  }
  return problems;
}

/**
 * Old-style solutions: code cells hidden by metadata `jupyter.source_hidden`, which only JupyterLab folds
 * (Notebook 6 and the HTML page show them in full).
 */
function oldSolutionProblems(nb: Notebook, where: string): string[] {
  return nb.cells.flatMap((c, k) => {
    const jupyter = (c.metadata?.jupyter ?? {}) as Record<string, unknown>;
    return c.cell_type === "code" && jupyter.source_hidden
      ? [
        `cell ${k} (${firstLine(sourceText(c))}): an old-style solution, a code cell with metadata ` +
        `jupyter.source_hidden, shown in full in ${where}: make it a <details> block in a markdown cell`,
      ]
      : [];
  });
}

/** In the page: each plot's picture (tools/snapshot.ts), loaded or not. */
const PICTURES_JS = `[...document.querySelectorAll(".course-plot")].map((el) => {
  const img = el.querySelector("img.course-plot-image");
  return { id: el.id, img: !!img, loaded: !!(img && img.complete && img.naturalWidth > 0) }; })`;

/**
 * Opens an executed notebook (build/*.ipynb) in Notebook 6 without running it: it is untrusted there, so no
 * script runs, and each plot must show its picture (what a learner sees on opening a saved notebook).
 */
async function checkSaved(browser: Browser, server: Server, file: string): Promise<PageReport> {
  const name = file.replace(/\.ipynb$/, "");
  const started = performance.now();
  const report = newReport(name, "saved");
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on("dialog", (d) => d.dismiss().catch(() => {}));
  try {
    await page.goto(`${server.url}/notebooks/build/${file}?token=${server.token}`);
    await page.waitForFunction(
      "!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded)",
      undefined,
      {
        timeout: 120_000,
        polling: 500,
      },
    );
    await page.evaluate("Jupyter.notebook.set_autosave_interval(0)");
    await page.waitForTimeout(1000); // let the pictures decode
    const pictures = await page.evaluate(PICTURES_JS) as { id: string; img: boolean; loaded: boolean }[];
    report.plots = pictures.length;
    report.drawn = pictures.filter((p) => p.loaded).length;
    for (const p of pictures) {
      if (!p.img) {
        report.problems.push(`plot ${p.id}: no picture (run tools/snapshot.ts, or deno task course)`);
      } else if (!p.loaded) report.problems.push(`plot ${p.id}: its picture did not load`);
    }
    await notebookScreenshot(page, report);
    await page.evaluate("Jupyter.notebook.session.delete()").catch(() => {});
  } catch (e) {
    report.problems.push(`did not open: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
  } finally {
    await page.close();
  }
  return finish(report, started);
}

/** The Kernel > Interrupt check's name: its row in the summary, its screenshot, the filter that selects it. */
const INTERRUPT_CHECK = "kernel_interrupt";
/** Longest a training cell may run on after Kernel > Interrupt (the training contract's promise). */
const INTERRUPT_LIMIT_MS = 1000;

/**
 * The scratch notebook of the interrupt check: two trainings of hours (from scratch, then tfjs), each
 * followed by a cell that uses what it returned. Lives in build/interrupt/, not build/, so that the saved
 * notebooks' check never picks it up.
 */
function interruptNotebook(): Notebook {
  const cells = [
    `import { loadDigits, Matrix, Network, print, transpose, trainTf } from "../../lib/mod.ts";
const digits = await loadDigits();
const X = transpose(Matrix.fromRows(digits.train.x.slice(0, 1000 * 256), 1000, 256));
const labels = Array.from(digits.train.y.slice(0, 1000));
const net = Network.random([256, 30, 10], { seed: 1 });
const history = await net.SGD(X, labels, {
  epochs: 100_000, batchSize: 10, eta: 0.5, seed: 2,
  onEpoch: async ({ epoch }) => { if (epoch === 2) await print("training under way"); },
});`,
    `await print(\`after SGD: \${history.loss.length} epochs, stopped \${JSON.stringify(history.stopped)}, \` +
  \`accuracy \${net.accuracy(X, labels).toFixed(3)}\`);`,
    `const run = await trainTf({ train: digits.train }, {
  sizes: [256, 30, 10], eta: 0.5, batchSize: 10, epochs: 100_000, seed: 3,
  onEpoch: async ({ epoch }) => { if (epoch === 2) await print("training under way"); },
});`,
    `await print(\`after trainTf: \${run.loss.length} epochs, stopped \${JSON.stringify(run.stopped)}, \` +
  \`\${run.weights.length} layers of weights\`);`,
  ];
  return scratchNotebook(cells);
}

/** A notebook of code cells for the Deno kernel, as the checks with a scratch notebook write them. */
function scratchNotebook(cells: string[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: cells.map((source) => ({
      cell_type: "code",
      source,
      metadata: {},
      outputs: [],
      execution_count: null,
    })),
  };
}

/** In the page: every cell's prompt and the text of its outputs (streams, text/plain, errors). */
const CELL_TEXTS_JS = `Jupyter.notebook.get_cells().map((c) => ({ prompt: c.input_prompt_number ?? null,
  outputs: ((c.output_area && c.output_area.outputs) || []).map((o) => o.output_type === "error"
    ? "ERROR " + o.ename + ": " + o.evalue : o.text || (o.data && o.data["text/plain"]) || "") }))`;

/**
 * Kernel > Interrupt stops a running training within a second and the notebook goes on: runs the scratch
 * notebook through the Notebook 6 UI and, each time a training cell says it is under way, clicks the Kernel
 * menu's Interrupt (as a learner does; Jupyter then sends the kernel SIGINT). That cell must finish within
 * INTERRUPT_LIMIT_MS saying where it stopped, without an error, and the next cell must run on its result.
 */
async function checkInterrupt(browser: Browser, server: Server): Promise<PageReport> {
  const started = performance.now();
  const report = newReport(INTERRUPT_CHECK, "notebook");
  const dir = `${BUILD_DIR}/interrupt`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/${INTERRUPT_CHECK}.ipynb`, JSON.stringify(interruptNotebook(), null, 1));
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on("pageerror", (e) => report.problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => d.dismiss().catch(() => {}));
  const cellTexts = async () =>
    await page.evaluate(CELL_TEXTS_JS) as { prompt: unknown; outputs: string[] }[];
  try {
    await page.goto(`${server.url}/notebooks/build/interrupt/${INTERRUPT_CHECK}.ipynb?token=${server.token}`);
    await page.waitForFunction(KERNEL_READY_JS, undefined, { timeout: 120_000, polling: 500 });
    await page.evaluate(RUN_ALL_JS);
    for (const [cell, what] of [[0, "SGD"], [2, "trainTf"]] as const) {
      // Under way, or already over: a cell that ends by itself was stopped by something else.
      await page.waitForFunction(
        `Jupyter.notebook.get_cell(${cell}).input_prompt_number !== "*" ||
          Jupyter.notebook.get_cell(${cell}).output_area.outputs.some((o) =>
          ((o.data && o.data["text/plain"]) || "").includes("training under way"))`,
        undefined,
        { timeout: 180_000, polling: 250 },
      );
      const before = (await cellTexts())[cell];
      if (before.prompt !== "*") {
        throw new Error(
          `${what}: cell ${cell + 1} ended before its interrupt: ${JSON.stringify(before.outputs)}`,
        );
      }
      await page.waitForTimeout(500); // well into the training, past the message's own wait
      await page.click("#kernellink");
      const clicked = performance.now();
      await page.click("#int_kernel > a");
      const stoppedIn = await page.waitForFunction(
        `Jupyter.notebook.get_cell(${cell}).input_prompt_number !== "*"`,
        undefined,
        { timeout: 20 * INTERRUPT_LIMIT_MS, polling: 20 },
      ).then(() => performance.now() - clicked, () => Infinity);
      const ms = stoppedIn.toFixed(0);
      console.error(`  ${what}: the cell finished ${ms} ms after Kernel > Interrupt`);
      if (stoppedIn > INTERRUPT_LIMIT_MS) {
        // The training may run for hours: stop here (the kernel is shut down below), do not wait for it.
        throw new Error(
          `${what}: the cell ran on ${ms} ms after Kernel > Interrupt (limit ${INTERRUPT_LIMIT_MS})`,
        );
      }
    }
    await page.waitForFunction(ALL_DONE_JS, undefined, { timeout: 120_000, polling: 250 });
    const cells = await cellTexts();
    const expect = (cell: number, text: string) => {
      const c = cells[cell];
      if (typeof c?.prompt !== "number") {
        report.problems.push(`cell ${cell + 1} did not run (prompt ${c?.prompt})`);
      }
      for (const o of c?.outputs ?? []) {
        if (o.startsWith("ERROR")) report.problems.push(`cell ${cell + 1}: ${o.slice(0, 200)}`);
      }
      if (!c?.outputs.some((o) => o.includes(text))) {
        report.problems.push(
          `cell ${cell + 1}: no "${text}" in ${JSON.stringify(c?.outputs ?? []).slice(0, 300)}`,
        );
      }
    };
    // The interrupted cells say where they stopped; the next cells ran on what they returned.
    expect(0, "SGD: interrupted during epoch");
    expect(1, "after SGD: ");
    expect(1, 'stopped {"epoch":');
    expect(2, "trainTf: interrupted during epoch");
    expect(3, "after trainTf: ");
    expect(3, 'stopped {"epoch":');
    await notebookScreenshot(page, report);
    await page.evaluate("Jupyter.notebook.session.delete()").catch(() => {});
  } catch (e) {
    report.problems.push(`did not finish: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
    try {
      await notebookScreenshot(page, report);
      await page.evaluate("Jupyter.notebook.session.delete()");
    } catch {
      // the page is gone
    }
  } finally {
    await page.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return finish(report, started);
}

/** The live playground check's name: its rows, its screenshots, the filter that selects it. */
const PLAYGROUND_CHECK = "playground_live";

/**
 * The scratch notebook of the playground check: one training on the spiral long enough to watch (seconds),
 * then a cell that uses its result. Lives in build/playground_live/, away from the saved notebooks' check.
 */
function playgroundNotebook(): Record<string, unknown> {
  const cells = [
    // A first plot brings plotly.js into the page, so that the live figure draws from its first redraw.
    `import { lines, playground, print, show } from "../../lib/mod.ts";
await show(lines([{ name: "a line", y: [1, 2, 3] }], { title: "plotly.js loaded", xTitle: "x", yTitle: "y" }));`,
    `const run = await playground({ data: "spiral", depth: 3, width: 16, eta: 0.1, epochs: 6000, seed: 1 });`,
    "await print(`after the training: ${run.frames.length} frames, ${run.updates} live redraws`);",
  ];
  return {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: cells.map((source) => ({
      cell_type: "code",
      source,
      metadata: {},
      outputs: [],
      execution_count: null,
    })),
  };
}

/**
 * In the page: the newest course plot's title (it says "live" while training, "recorded" after), whether its
 * heatmap is drawn, whether its output has both labels' sides (a boundary), and its sliders.
 */
const LIVE_PLOT_JS =
  `(() => { const els = document.querySelectorAll(".course-plot"), el = els[els.length - 1];
  if (!el || !el.layout || !el.data) return null;
  const z = (el.data[0] && el.data[0].z ? el.data[0].z : []).flat().filter((v) => v !== null);
  return { id: el.id, title: String(el.layout.title && el.layout.title.text || ""),
    heatmap: el.querySelectorAll("g.hm, g.imagelayer image, .heatmaplayer image").length,
    blue: z.some((v) => v < 50), red: z.some((v) => v > 50), sliders: (el.layout.sliders || []).length }; })()`;

interface LivePlot {
  id: string;
  title: string;
  heatmap: number;
  blue: boolean;
  red: boolean;
  sliders: number;
}

/** Where jupyter-lab is: JUPYTER_LAB=/path, or next to `jupyter` (as `deno task lab` looks); else undefined. */
function findJupyterLab(jupyter: string): string | undefined {
  const candidates = [Deno.env.get("JUPYTER_LAB"), `${jupyterBinDir(jupyter)}/jupyter-lab`];
  return candidates.find((path) => path !== undefined && path !== "" && isFile(path));
}

/**
 * The playground trains live, in Notebook 6 or JupyterLab (`lab`): runs the scratch notebook through the page,
 * takes two screenshots of its one output while the title says "live" (they must differ: the figure changes
 * during training), then, when the kernel is idle, a third: the recorded replay with its slider, whose plane
 * shows a boundary (the network's output on both sides of 50%, its heatmap drawn). The next cell must run.
 */
async function checkPlaygroundLive(browser: Browser, server: Server, lab: boolean): Promise<PageReport> {
  const started = performance.now();
  const name = lab ? `${PLAYGROUND_CHECK}_jupyterlab` : PLAYGROUND_CHECK;
  const report = newReport(name, "notebook");
  const dir = `${BUILD_DIR}/${PLAYGROUND_CHECK}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/${name}.ipynb`, JSON.stringify(playgroundNotebook(), null, 1));
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  page.on("pageerror", (e) => {
    // JupyterLab's debugger asks every kernel for a debug session; the Deno kernel has none (not our error).
    if (!/No active debugger session/.test(e.message)) report.problems.push(`page error: ${e.message}`);
  });
  page.on("dialog", (d) => d.dismiss().catch(() => {}));
  const plot = async () => await page.evaluate(LIVE_PLOT_JS) as LivePlot | null;
  // The output is rebuilt at every redraw, so the picture is cut from the page where the plot is now.
  const shot = async (k: string) => {
    const path = `${SCREENS}/${name}.${k}.png`;
    const clip = await page.evaluate(`(() => { const els = document.querySelectorAll(".course-plot");
      const r = els[els.length - 1].getBoundingClientRect();
      return { x: Math.max(0, r.x), y: Math.max(0, r.y), width: r.width, height: r.height }; })()`) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    await page.screenshot({ path, clip });
    return await Deno.readFile(path);
  };
  try {
    const path = `build/${PLAYGROUND_CHECK}/${name}.ipynb`;
    if (lab) {
      // A session with the Deno kernel first: otherwise JupyterLab asks which kernel to start.
      await (await fetch(`${server.url}/api/sessions?token=${server.token}`, {
        method: "POST",
        body: JSON.stringify({ path, type: "notebook", name: `${name}.ipynb`, kernel: { name: "deno" } }),
      })).body?.cancel();
      await page.goto(
        `${server.url}/lab/workspaces/${name}-${Date.now()}/tree/${path}?reset&token=${server.token}`,
      );
      await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', { timeout: 120_000 });
      await page.click('.lm-MenuBar-item:has-text("Run")');
      await page.click('li.lm-Menu-item[data-command="runmenu:run-all"]');
    } else {
      await page.goto(`${server.url}/notebooks/${path}?token=${server.token}`);
      await page.waitForFunction(KERNEL_READY_JS, undefined, { timeout: 120_000, polling: 500 });
      await page.evaluate(RUN_ALL_JS);
    }
    // The title's second line says "live, training" while the kernel trains (tags removed).
    const liveTitle = (p: LivePlot | null) =>
      !!p && /live\s*,\s*training/.test(p.title.replace(/<[^>]+>/g, " "));
    await page.waitForFunction(
      `(() => { const p = ${LIVE_PLOT_JS}; return !!p && /live\\s*,\\s*training/.test(p.title.replace(/<[^>]+>/g, " ")); })()`,
      undefined,
      { timeout: 180_000, polling: 100 },
    );
    await page.waitForTimeout(300);
    const first = await shot("live1"), firstTitle = (await plot())?.title ?? "";
    // The next redraw: a new title (the epoch moves on), still live.
    await page.waitForFunction(
      `(() => { const p = ${LIVE_PLOT_JS}; return !!p && p.title !== ${JSON.stringify(firstTitle)}; })()`,
      undefined,
      { timeout: 30_000, polling: 100 },
    );
    await page.waitForTimeout(300);
    const second = await shot("live2");
    const during = await plot();
    if (!liveTitle(during)) report.problems.push("the training ended before a second live picture was taken");
    if (first.length === second.length && first.every((b, i) => b === second[i])) {
      report.problems.push("two screenshots taken during training are identical: the figure did not change");
    }
    // The end: the kernel idle, the replay in place of the live figure.
    if (lab) {
      await page.waitForFunction(
        `(() => { const p = ${LIVE_PLOT_JS}; return !!p && p.sliders > 0; })()`,
        undefined,
        {
          timeout: 300_000,
          polling: 250,
        },
      );
      await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', { timeout: 120_000 });
    } else {
      await page.waitForFunction(ALL_DONE_JS, undefined, { timeout: 300_000, polling: 250 });
    }
    await page.waitForTimeout(1500);
    await shot("final");
    const final = await plot();
    report.plots = 1;
    if (!final || final.sliders !== 1 || !/recorded/.test(final.title)) {
      report.problems.push(
        `the replay did not replace the live figure: ${JSON.stringify(final)?.slice(0, 300)}`,
      );
    } else if (!(final.heatmap > 0 && final.blue && final.red)) {
      report.problems.push(`the final figure shows no boundary: ${JSON.stringify(final)}`);
    } else report.drawn = 1;
    const text = await page.evaluate(
      `[...document.querySelectorAll(".output_area, .jp-OutputArea-output")].map((o) => o.innerText).join("\\n")`,
    ) as string;
    if (!text.includes("after the training:")) {
      report.problems.push("the cell after the training did not run");
    }
    if (/\b\w*Error\b/.test(text)) report.problems.push(`an error in the outputs: ${text.slice(0, 300)}`);
    await notebookScreenshot(page, report).catch(() => {});
  } catch (e) {
    report.problems.push(`did not finish: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
    await notebookScreenshot(page, report).catch(() => {});
  } finally {
    await page.close();
    // This notebook's kernel is not needed any more.
    try {
      const res = await fetch(`${server.url}/api/sessions?token=${server.token}`);
      for (const s of await res.json() as { id: string; path: string }[]) {
        if (!s.path.includes(PLAYGROUND_CHECK)) continue;
        await (await fetch(`${server.url}/api/sessions/${s.id}?token=${server.token}`, { method: "DELETE" }))
          .body
          ?.cancel();
      }
    } catch {
      // the server is gone
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return finish(report, started);
}

/**
 * The playground's replays in a page: each play button (lib/playground.ts) must step its figure through its
 * recorded frames in the page, without a kernel: the figure after a second of playing differs from before.
 */
async function checkReplays(page: Page, report: PageReport): Promise<string[]> {
  const problems: string[] = [];
  for (const button of await page.$$("button.course-play")) {
    const id = await button.getAttribute("data-plot") ?? "";
    const print = async () => ((await page.evaluate(DATA_PRINT_JS)) as Record<string, string>)[id] ?? "";
    const steps = await page.evaluate(
      `(() => { const els = document.querySelectorAll('div[id="${id}"]'), el = els[els.length - 1];
        return el && el.layout && el.layout.sliders ? el.layout.sliders[0].steps.length : 0; })()`,
    ) as number;
    if (steps < 2) problems.push(`replay ${id}: ${steps} recorded frames`);
    await button.scrollIntoViewIfNeeded();
    const before = await print();
    await button.click();
    // Play steps to the first frame (the slider stands at the last) after 200 ms, then on, frame by frame.
    const changed = await page.waitForFunction(
      `(${DATA_PRINT_JS})[${JSON.stringify(id)}] !== ${JSON.stringify(before)}`,
      undefined,
      { timeout: 5_000, polling: 50 },
    ).then(() => true, () => false);
    if (!changed) problems.push(`replay ${id}: pressing play does not change the plot`);
    await button.click(); // pause
    report.sliders += 1;
  }
  if (report.name.includes("playground") && (await page.$$("button.course-play")).length === 0) {
    problems.push("no recorded frames with a play button in the page");
  }
  return problems;
}

/** The page reload check's name: its row in the summary, its screenshot, the filter that selects it. */
const RELOAD_CHECK = "plot_reload";

/**
 * A plot shown after a page reload draws: in a scratch notebook (build/plot_reload/), the first cell shows a
 * plot (the kernel's first: it carries plotly.js); then the page is reloaded, the kernel running on, so the
 * page has no plotly.js and the kernel does not send it again; the second cell's plot must draw all the same
 * (lib/jupyter.ts: from the copy the browser kept), not show the "needs plotly.js" notice.
 */
async function checkReload(browser: Browser, server: Server, fe: FrontEnd): Promise<PageReport> {
  const started = performance.now();
  const report = newReport(RELOAD_CHECK, fe.kind);
  const dir = `${BUILD_DIR}/${RELOAD_CHECK}`;
  const axes = (title: string) => `{ title: "${title}", xTitle: "x", yTitle: "y" }`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/${RELOAD_CHECK}.ipynb`,
    JSON.stringify(
      scratchNotebook([
        `import { lines, show } from "../../lib/mod.ts";
await show(lines([{ name: "before", y: [1, 3, 2] }], ${axes("Before the reload")}));`,
        `await show(lines([{ name: "after", y: [2, 1, 3] }], ${axes("After the reload")}));`,
      ]),
      null,
      1,
    ),
  );
  // A new browser context: its storage starts empty, as a browser that never showed a plot of this server.
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  onPageError(page, fe, report.problems);
  // The reload leaves a notebook with unsaved outputs: leave it (nothing is saved).
  page.on("dialog", (d) => (d.type() === "beforeunload" ? d.accept() : d.dismiss()).catch(() => {}));
  const drawn = async (when: string) => {
    await plotsSettled(page);
    const states = await page.evaluate(PLOT_STATE_JS) as PlotState[];
    report.plots += 1;
    report.drawn += states.filter((s) => s.svg > 0 && s.traces > 0).length;
    if (states.length !== 1) report.problems.push(`${when}: ${states.length} plots in the page, not 1`);
    report.problems.push(...plotProblems(states).map((p) => `${when}: ${p}`));
  };
  try {
    await page.goto(fe.url(server, `build/${RELOAD_CHECK}/${RELOAD_CHECK}.ipynb`));
    await waitFor(page, fe.ready, 120, `${fe.label}: the notebook did not open with its kernel ready`);
    const kernel = await page.evaluate(fe.kernelId);
    await runAndWait(page, fe, fe.runCell(0), 120);
    await drawn("before the reload");
    await page.reload();
    await waitFor(page, fe.ready, 120, `${fe.label}: the reloaded notebook's kernel did not answer`);
    if (await page.evaluate(fe.kernelId) !== kernel) {
      report.problems.push("the reload started another kernel");
    }
    if (await page.evaluate("typeof window.Plotly !== 'undefined'")) {
      report.problems.push("the reloaded page has plotly.js already: the check proves nothing");
    }
    await runAndWait(page, fe, fe.runCell(1), 120);
    const after = (await page.evaluate(fe.cells) as RunCell[])[1]?.outputs ?? [];
    if (!after.some((o) => o.plotly && o.html < 1e6)) {
      report.problems.push(
        `after the reload: expected a plot without plotly.js inline, got ${
          JSON.stringify(after.map((o) => [outputKind(o), o.html]))
        }`,
      );
    }
    await drawn("after the reload");
    await notebookScreenshot(page, report);
    await page.evaluate(fe.shutdown).catch(() => {});
  } catch (e) {
    report.problems.push(`did not finish: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
    try {
      await notebookScreenshot(page, report);
      await page.evaluate(fe.shutdown);
    } catch {
      // the page is gone
    }
  } finally {
    await page.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return finish(report, started);
}

/** Opens one page of the offline HTML course with the network off and reports what it showed. */
async function checkHtml(browser: Browser, file: string): Promise<PageReport> {
  const name = file.replace(/\.html$/, "");
  const started = performance.now();
  const report = newReport(name, "html");
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, offline: true });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") report.problems.push(`console error: ${m.text().slice(0, 300)}`);
  });
  page.on("pageerror", (e) => report.problems.push(`page error: ${e.message.slice(0, 300)}`));
  page.on("requestfailed", (r) => report.problems.push(`request failed: ${r.url().slice(0, 120)}`));
  try {
    await page.goto(`file://${BUILD_DIR}/${file}`, { waitUntil: "load", timeout: 120_000 });
    // Wait until every plot has been handled (drawn, or a message put in its place).
    await page.waitForFunction(PLOTS_SETTLED_JS, undefined, { timeout: 60_000, polling: 250 }).catch(
      () => {},
    );
    await page.waitForTimeout(500);
    const states = await page.evaluate(PLOT_STATE_JS) as PlotState[];
    report.plots = states.length;
    report.drawn = states.filter((s) => s.svg > 0 && s.traces > 0).length;
    report.problems.push(...plotProblems(states));
    report.problems.push(...await checkSliders(page, report));
    report.problems.push(...await checkReplays(page, report));
    // Its solutions folded, as in the notebook it was made from (build/<name>.ipynb).
    const executed = await readNotebook(`${BUILD_DIR}/${name}.ipynb`);
    if (executed) {
      report.problems.push(
        ...await foldProblems(page, executed),
        ...oldSolutionProblems(executed, "the HTML page"),
      );
    }
    report.screenshot = `${SCREENS}/${name}.html.png`;
    await page.screenshot({ path: report.screenshot, fullPage: true });
  } catch (e) {
    report.problems.push(`did not load: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
  } finally {
    await context.close();
  }
  return finish(report, started);
}

/** The summary table: one row per page. */
export function summary(reports: PageReport[]): string {
  const rows = reports.map((r) => [
    r.name,
    r.kind,
    r.runs > 0 ? String(r.runs) : "-",
    `${r.drawn}/${r.plots}`,
    String(r.sliders),
    r.seconds.toFixed(0),
    r.ok ? "ok" : `FAILED (${r.problems.length})`,
  ]);
  return textTable(["page", "in", "runs", "plots drawn", "sliders moved", "s", "status"], rows);
}

if (import.meta.main) {
  const only = Deno.args.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const filters = Deno.args.filter((a) => !a.startsWith("--"));
  const chromium = findChromium();
  if (!chromium) {
    // Nothing to test with: say so in one line (and in the summary CI reads), as tools/snapshot.ts does.
    console.log(
      "test:browser: skipped: Chromium not found (install Debian's `chromium`, or set CHROMIUM=/path)",
    );
    console.log("ok | 0 passed | 0 failed (skipped: no Chromium)");
    Deno.exit(0);
  }
  await Deno.mkdir(SCREENS, { recursive: true });
  const browser = await playwright.launch({
    executablePath: chromium,
    args: CHROMIUM_FLAGS.filter((f) => f !== "--headless"),
  });
  const reports: PageReport[] = [];
  const notebooks = listFiles(NOTEBOOKS_DIR, ".ipynb", filters);
  const noLab = Deno.args.includes("--no-lab");
  const selected = (check: string) => filters.length === 0 || filters.some((f) => check.includes(f));
  try {
    // The headless runs the browser runs are compared with, and the HTML pages: current with the notebooks.
    if (!Deno.args.includes("--no-course") && notebooks.length > 0) {
      await setup({ quiet: true });
      for (const file of notebooks) await freshBuild(file.replace(/\.ipynb$/, ""));
    }
    if (only !== "html") {
      const { jupyter } = await setup({ quiet: true });
      // Notebook 6 makes notebooks/.ipynb_checkpoints when it opens a notebook: remove it again if it is new.
      const checkpoints = `${NOTEBOOKS_DIR}/.ipynb_checkpoints`;
      const hadCheckpoints = await Deno.stat(checkpoints).then(() => true, () => false);
      const server = await startJupyter(jupyter);
      try {
        for (const file of listFiles(NOTEBOOKS_DIR, ".ipynb", filters)) {
          console.error(`notebook ${file} ...`);
          reports.push(await checkNotebook(browser, server, NOTEBOOK6, file));
        }
        // The executed notebooks of `deno task course`, opened as saved (untrusted): pictures instead of scripts.
        for (const file of listFiles(BUILD_DIR, ".ipynb", filters)) {
          console.error(`saved notebook build/${file} ...`);
          // build/ may come from a run without pictures (the notebook tests skip them): add them first.
          const nb = JSON.parse(await Deno.readTextFile(`${BUILD_DIR}/${file}`));
          if (plotlyOutputs(nb).some((o) => !o.data?.["image/png"])) {
            await snapshotNotebook(`${BUILD_DIR}/${file}`, chromium);
          }
          reports.push(await checkSaved(browser, server, file));
        }
        if (filters.length === 0 || filters.some((f) => INTERRUPT_CHECK.includes(f))) {
          console.error(`${INTERRUPT_CHECK}: Kernel > Interrupt on two running trainings ...`);
          reports.push(await checkInterrupt(browser, server));
        }
        if (selected(RELOAD_CHECK)) {
          console.error(`${RELOAD_CHECK}: a plot after a page reload, in Notebook 6 ...`);
          reports.push(await checkReload(browser, server, NOTEBOOK6));
        }
        if (filters.length === 0 || filters.some((f) => PLAYGROUND_CHECK.includes(f))) {
          console.error(`${PLAYGROUND_CHECK}: the playground's figure while it trains, in Notebook 6 ...`);
          reports.push(await checkPlaygroundLive(browser, server, false));
        }
      } finally {
        await server.stop();
        if (!hadCheckpoints) await Deno.remove(checkpoints, { recursive: true }).catch(() => {});
      }
      // The same in JupyterLab: where it is installed, else installed into build/jupyterlab where pip can.
      let lab = noLab ? undefined : findJupyterLab(jupyter);
      if (!lab && !noLab && (notebooks.length > 0 || selected(RELOAD_CHECK) || selected(PLAYGROUND_CHECK))) {
        const installed = await ensureJupyterLab(jupyter, (line) => console.error(`test:browser: ${line}`));
        if ("lab" in installed) lab = installed.lab;
        else console.log(`test:browser: JupyterLab not tested: not installed, ${installed.why}`);
      }
      if (lab && (notebooks.length > 0 || selected(RELOAD_CHECK))) {
        const labServer = await startJupyter(jupyter, lab);
        try {
          for (const file of notebooks) {
            console.error(`notebook ${file} in JupyterLab ...`);
            reports.push(await checkNotebook(browser, labServer, JUPYTERLAB, file));
          }
          if (selected(RELOAD_CHECK)) {
            console.error(`${RELOAD_CHECK}: a plot after a page reload, in JupyterLab ...`);
            reports.push(await checkReload(browser, labServer, JUPYTERLAB));
          }
        } finally {
          await labServer.stop();
        }
      }
      if (filters.length === 0 || filters.some((f) => PLAYGROUND_CHECK.includes(f))) {
        if (lab) {
          console.error(`${PLAYGROUND_CHECK}: the playground's figure while it trains, in JupyterLab ...`);
          const labServer = await startJupyter(jupyter, lab);
          try {
            reports.push(await checkPlaygroundLive(browser, labServer, true));
          } finally {
            await labServer.stop();
          }
        } else {console.error(
            `${PLAYGROUND_CHECK}: no JupyterLab (set JUPYTER_LAB=/path/to/jupyter-lab): skipped there`,
          );}
      }
    }
    if (only !== "notebook") {
      if (listFiles(BUILD_DIR, ".html", filters).length === 0 && !Deno.args.includes("--no-course")) {
        console.error("test:browser: no build/*.html yet: running `deno task course` first");
        const course = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", `${ROOT}/tools/course.ts`, ...filters],
          stdout: "inherit",
          stderr: "inherit",
        }).output();
        if (!course.success) {
          console.error("test:browser: the course run failed; checking the pages it wrote");
        }
      }
      const pages = listFiles(BUILD_DIR, ".html", filters);
      if (pages.length === 0) console.error("test:browser: no build/*.html (run `deno task course` first)");
      for (const file of pages) {
        console.error(`html ${file} ...`);
        reports.push(await checkHtml(browser, file));
      }
    }
  } finally {
    await browser.close();
  }
  console.log("\n" + summary(reports));
  for (const r of reports.filter((r) => !r.ok)) {
    console.log(`\n${r.name} (${r.kind}):`);
    for (const p of r.problems.slice(0, 20)) console.log(`  - ${p}`);
  }
  console.log(`\nScreenshots in ${fromRoot(SCREENS)}/`);
  const failed = reports.filter((r) => !r.ok).length;
  const ok = failed === 0 && reports.length > 0;
  // The same summary line as `deno test` (CI greps for it).
  console.log(`\n${ok ? "ok" : "FAILED"} | ${reports.length - failed} passed | ${failed} failed`);
  Deno.exit(ok ? 0 : 1);
}
