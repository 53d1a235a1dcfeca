/**
 * Outputs under the cells that made them: a cell's outputs as the checks see them (in the page or in a saved
 * notebook), their comparison with the headless run (build/<name>.ipynb), and that run kept current.
 */
import { describeFailure, executeNotebook } from "../course.ts";
import { joinText, type Notebook, type Output, PLOTLY_MIME, sourceText } from "../notebook.ts";
import { BUILD_DIR, isFile, NOTEBOOKS_DIR } from "../paths.ts";

/** One output as the checks see it: its type, its text (printed text, text/plain or the error), plot or not. */
export interface SlimOutput {
  output_type: string;
  name?: string;
  text: string;
  plotly: boolean;
  /** Length of its text/html (plotly.js inline makes it megabytes). */
  html: number;
}

/** One cell as the checks see it, in the page or in the headless run. */
export interface RunCell {
  type: string;
  source: string;
  /** Its prompt: the execution count, "*" while queued or running, null when it has not run. */
  prompt: number | string | null;
  outputs: SlimOutput[];
}

/** In the page: a function from an nbformat output (as front ends keep them) to a SlimOutput. */
export const SLIM_OUTPUT_JS = `((o) => { const d = o.data || {};
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
export function firstLine(text: string, max = 50): string {
  return (text.split("\n").find((l) => l.trim()) ?? "").trim().slice(0, max);
}

/** What kind of output: printed text (stdout, stderr), a result (Out[]), a display, a plot, or an error. */
export function outputKind(o: SlimOutput): string {
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
export function placementProblems(page: RunCell[], expected: RunCell[], against: string): string[] {
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
export interface Reference {
  cells: RunCell[];
  /** Seconds from the first code cell's start to the last one's reply. */
  seconds: number;
}

/** Cell types and sources: equal for a notebook and an executed copy of it (and for nothing else). */
function sourcesOf(nb: Notebook): string {
  return JSON.stringify(nb.cells.map((c) => [c.cell_type, sourceText(c).trim()]));
}

/** A notebook file, or undefined where it is missing or unreadable. */
export async function readNotebook(path: string): Promise<Notebook | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as Notebook;
  } catch {
    return undefined;
  }
}

/** Whether build/<name>.ipynb and .html were made from notebooks/<name>.ipynb as it is now ("zh/<name>": notebooks/zh/). */
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
export async function freshBuild(name: string): Promise<void> {
  if (await buildIsFresh(name)) return;
  console.error(
    `build/${name}.ipynb: missing or older than the notebook: running it headless (tools/course.ts)`,
  );
  const run = await executeNotebook(name, { quiet: true });
  if (!run.ok) console.error(`  ${describeFailure(run).split("\n").slice(0, 2).join("\n  ")}`);
}

/** The headless run of notebooks/<name>.ipynb as it is now, or undefined (missing, or of other sources). */
export async function loadReference(name: string): Promise<Reference | undefined> {
  const executed = await readNotebook(`${BUILD_DIR}/${name}.ipynb`);
  if (!executed || !(await buildIsFresh(name))) return undefined;
  const times = executed.cells.filter((c) => c.cell_type === "code").map((c) =>
    (c.metadata?.execution ?? {}) as Record<string, string>
  );
  const start = Date.parse(times[0]?.["iopub.execute_input"] ?? "");
  const end = Date.parse(times.at(-1)?.["shell.execute_reply"] ?? "");
  return { cells: runCells(executed), seconds: Number.isFinite(end - start) ? (end - start) / 1000 : 0 };
}
