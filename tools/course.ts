/**
 * `deno task course [zh|en] [filter...] [--no-snapshot] [--jobs=N]`: executes every notebook of both editions headless with
 * the Deno kernel: the English ones in notebooks/ into build/<name>.ipynb (executed) and build/<name>.html
 * (plots included, viewable offline), the Chinese ones in notebooks/zh/ into build/zh/. `zh` (or `en`) runs
 * only that edition.
 * Prints a table (notebook, cells, seconds, status); exits non-zero naming the notebook and the cell that
 * failed, with its error. A filter argument runs only the notebooks whose name contains it. Then, where Chromium
 * is installed, tools/snapshot.ts adds a PNG picture beside each plot in build/<name>.ipynb (for GitHub and other
 * viewers that run no scripts); `--no-snapshot` skips that. Notebooks run side by side, one per core
 * (`--jobs=N` or COURSE_JOBS=N to choose; 1: one after the other, with each cell's progress shown), the
 * longest first (by the times of the last run, kept in build/.course_times.json).
 *
 * The executor is Jupyter's own (nbclient, the library behind `jupyter nbconvert --execute`), driven by the
 * small Python program tools/execute_notebook.py, so that a failure names its cell and the partial notebook is
 * still saved.
 */
import {
  type Cell,
  locateNotebook,
  type Notebook,
  sourceText,
  withSolutions,
  ZH_NOTEBOOKS_DIR,
} from "./notebook.ts";
import { PROBE_KEY, probeSource, topLevelNames } from "./notebook_values.ts";
import { BUILD_DIR, fromRoot, listFiles, NOTEBOOKS_DIR } from "./paths.ts";
import { findJupyter, findPython, setupOrExit } from "./setup.ts";
import { snapshot } from "./snapshot.ts";
import { textTable } from "./table.ts";

/** The executor run by Jupyter's Python (beside this file). */
const EXECUTOR_PY = new URL("./execute_notebook.py", import.meta.url).pathname;

/** Per-cell time limit in seconds: generous, a training cell on a slow 2-core machine must fit. */
export const CELL_TIMEOUT_S = Number(Deno.env.get("COURSE_CELL_TIMEOUT") ?? 600);

/** The cell that failed: position in the notebook, first line of its source, and the error. */
export interface CellFailure {
  /** 0-based index into the notebook's cells (markdown cells included). */
  index: number;
  /** The code cell's prompt number, `In [n]`, counting code cells from 1. */
  codeCell: number;
  /** First non-empty line of the cell's source. */
  firstLine: string;
  /** Error name and message, e.g. "Error: shapes (2 x 3) and (2 x 3) do not match". */
  error: string;
  /** The kernel's traceback, ANSI codes removed. */
  traceback: string;
}

/** Result of executing one notebook. */
export interface NotebookRun {
  /** File name without .ipynb, e.g. "00_setup", preceded by "zh/" in the Chinese edition ("zh/00_setup"). */
  name: string;
  /** The source notebook (absolute path). */
  source: string;
  /** The executed notebook (absolute path); written also when a cell failed (up to that cell). */
  executed: string;
  /** The HTML page (absolute path), or undefined if it could not be written. */
  html?: string;
  /** Number of code cells in the notebook. */
  cells: number;
  /** Wall-clock seconds for the whole notebook (kernel start included). */
  seconds: number;
  /** Seconds per code cell executed, in order. */
  cellSeconds: number[];
  /** Whether every cell ran to the end (an HTML page that could not be written only sets `problem`). */
  ok: boolean;
  /** The cell that failed, when one did. */
  failure?: CellFailure;
  /** With the `values` option: the JSON file of the notebook's top-level variables (tools/notebook_values.ts). */
  values?: string;
  /** A failure outside any cell (kernel did not start, Jupyter missing, ...). */
  problem?: string;
}

/** The Python that has nbclient: the one in the `jupyter` script's first line, else Debian's or PATH's. */
function jupyterPython(): string {
  const jupyter = findJupyter();
  if (jupyter) {
    // "#!/usr/bin/python3", or pip's form for paths with spaces: "#!/bin/sh", then a line
    // starting with three quotes, exec, and the quoted python path.
    const head = Deno.readTextFileSync(jupyter).slice(0, 1000);
    const direct = head.match(/^#!\s*(\S*\/python[\d.]*)\s*$/m)?.[1];
    const viaSh = head.match(/^'''exec' "([^"]*python[\d.]*)"/m)?.[1];
    const viaEnv = head.match(/^#!\s*\S*\/env\s+(python[\d.]*)\s*$/m)?.[1]; // the one on PATH, as the script does
    const python = direct ?? viaSh ?? viaEnv;
    if (python) return python;
  }
  return findPython() ?? "python3";
}

/**
 * The notebooks of both editions, sorted by name, English first: "00_setup", ..., then "zh/00_setup", ...
 * The filters "zh" and "en" select an edition (both: both); any other filter keeps only the notebooks whose
 * name contains it (in either edition).
 */
export function listNotebooks(filters: string[] = []): string[] {
  const editions = filters.filter((f) => f === "zh" || f === "en");
  const names = filters.filter((f) => f !== "zh" && f !== "en");
  const wanted = (e: "en" | "zh") => editions.length === 0 || editions.includes(e);
  const strip = (file: string) => file.slice(0, -".ipynb".length);
  return [
    ...(wanted("en") ? listFiles(NOTEBOOKS_DIR, ".ipynb", names).map(strip) : []),
    ...(wanted("zh") ? listFiles(ZH_NOTEBOOKS_DIR, ".ipynb", names).map((f) => `zh/${strip(f)}`) : []),
  ];
}

/**
 * Executes one notebook (a name in notebooks/, "zh/<name>" in notebooks/zh/, or a path) with the Deno kernel,
 * the kernel's working directory being the notebook's own directory (so `../lib/mod.ts`, and in notebooks/zh/
 * `../../lib/mod.ts`, resolves). A Chinese notebook's outputs go to the `zh/` folder of `outDir`. Never throws
 * for a failing cell: the result says which cell failed and why.
 */
export async function executeNotebook(
  notebook: string,
  options: {
    outDir?: string;
    html?: boolean;
    timeoutS?: number;
    quiet?: boolean;
    solutions?: boolean;
    values?: boolean;
  } = {},
): Promise<NotebookRun> {
  const located = await locateNotebook(notebook);
  const { name, dir: cwd } = located;
  const outDir = `${options.outDir ?? BUILD_DIR}${located.edition === "zh" ? "/zh" : ""}`;
  await Deno.mkdir(outDir, { recursive: true });
  // With solutions: every exercise answered by its folded solution (see withSolutions); with values: a last
  // cell that writes the top-level variables (tools/notebook_values.ts). Both run from a copy.
  const copied = options.solutions || options.values;
  const source = copied ? `${outDir}/.${name}.run.ipynb` : located.path;
  const valuesPath = options.values ? `${outDir}/${name}.values.json` : undefined;
  if (copied) {
    let nb: Notebook = JSON.parse(await Deno.readTextFile(located.path));
    if (options.solutions) nb = withSolutions(nb);
    if (valuesPath) {
      await Deno.remove(valuesPath).catch(() => {});
      nb = { ...nb, cells: [...nb.cells, probeCell(nb, valuesPath)] };
    }
    await Deno.writeTextFile(source, JSON.stringify(nb, null, 1));
  }
  const executed = `${outDir}/${name}.ipynb`;
  const html = options.html === false ? "" : `${outDir}/${name}.html`;
  // Unique per call: a course run and a test run may execute the same notebook at the same time.
  const resultPath = `${outDir}/.${name}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.result.json`;
  await Deno.remove(resultPath).catch(() => {});
  const start = performance.now();
  const child = new Deno.Command(jupyterPython(), {
    args: [
      EXECUTOR_PY,
      source,
      executed,
      html,
      String(options.timeoutS ?? CELL_TIMEOUT_S),
      "deno",
      cwd,
      resultPath,
    ],
    cwd,
    stdin: "null",
    stdout: options.quiet ? "null" : "inherit",
    stderr: "piped",
    env: { NO_COLOR: "1", PYDEVD_DISABLE_FILE_VALIDATION: "1" },
  }).spawn();
  // Forward the per-cell progress lines unless quiet; keep everything for the error report.
  let stderr = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    const text = decoder.decode(chunk, { stream: true });
    stderr += text;
    // The kernel's own "unstable" warning says nothing to a learner; drop it.
    const shown = text.split("\n").filter((l) => !l.includes('"deno jupyter" is unstable')).join("\n");
    if (!options.quiet && shown !== "") await Deno.stderr.write(new TextEncoder().encode(shown));
  }
  const status = await child.status;
  const seconds = (performance.now() - start) / 1000;
  let result: Partial<NotebookRun> & { htmlError?: string };
  try {
    result = JSON.parse(await Deno.readTextFile(resultPath));
  } catch {
    const tail = stderr.split("\n").filter((l) => l.trim() !== "").slice(-15).join("\n");
    result = {
      ok: false,
      problem: `the executor exited with code ${status.code} before reporting:\n${tail}`,
    };
  }
  await Deno.remove(resultPath).catch(() => {});
  return {
    name: located.id,
    source: located.path,
    executed,
    html: result.html,
    cells: result.cells ?? 0,
    seconds,
    cellSeconds: result.cellSeconds ?? [],
    ok: result.ok === true,
    failure: result.failure,
    values: valuesPath,
    problem: result.problem ?? (result.htmlError ? `HTML not written: ${result.htmlError}` : undefined),
  };
}

/** The values probe: a code cell, marked for removal, that writes every top-level variable to `path`. */
function probeCell(nb: Notebook, path: string): Cell {
  const names = nb.cells.filter((c) => c.cell_type === "code").flatMap((c) => topLevelNames(sourceText(c)));
  return {
    cell_type: "code",
    source: probeSource(names, path),
    metadata: { [PROBE_KEY]: true },
    outputs: [],
    execution_count: null,
  };
}

/** One paragraph naming the notebook, the cell and the error. */
export function describeFailure(run: NotebookRun): string {
  if (run.failure) {
    const f = run.failure;
    // The traceback's first line repeats the error; show only the stack lines below it.
    const stack = f.traceback.trim().split("\n").filter((l, i) => !(i === 0 && l.trim() === f.error)).join(
      "\n",
    );
    // The kernel names the cell's own code "<anonymous>", with line numbers counted within the cell.
    const inCell = stack.replace(/<anonymous>:(\d+):(\d+)/g, "line $1:$2 of the cell");
    const tb = inCell.trim() ? `\n${indent(inCell)}` : "";
    return `${run.name}.ipynb failed at cell ${f.index} (In [${f.codeCell}]): ${f.firstLine}\n  ${f.error}${tb}`;
  }
  return `${run.name}.ipynb failed: ${run.problem ?? "unknown error"}`;
}

function indent(text: string): string {
  return text.split("\n").map((l) => `    ${l}`).join("\n");
}

/**
 * How many notebooks `deno task course` executes at a time: `--jobs=N`, else COURSE_JOBS, else one per core
 * (each notebook's kernel computes on one thread).
 */
export function courseJobs(args: string[] = Deno.args, env = Deno.env.get("COURSE_JOBS")): number {
  const given = args.find((a) => a.startsWith("--jobs="))?.slice("--jobs=".length) ?? env;
  if (given === undefined) return Math.max(1, navigator.hardwareConcurrency || 1);
  const jobs = Number(given);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new Error(`course: --jobs (or COURSE_JOBS) must be a whole number >= 1, got "${given}"`);
  }
  return jobs;
}

/** Where `deno task course` keeps each notebook's last time in seconds, to start the longest first. */
const TIMES_PATH = `${BUILD_DIR}/.course_times.json`;

/** Each notebook's time in seconds in its last `deno task course` run ({} when there is none). */
function readTimes(): Record<string, number> {
  try {
    return JSON.parse(Deno.readTextFileSync(TIMES_PATH));
  } catch {
    return {};
  }
}

function writeTimes(times: Record<string, number>): void {
  Deno.mkdirSync(BUILD_DIR, { recursive: true });
  Deno.writeTextFileSync(TIMES_PATH, JSON.stringify(times, null, 1));
}

/** The summary table printed at the end of `deno task course`. */
export function table(runs: NotebookRun[]): string {
  const rows = runs.map((r) => [
    `${r.name}.ipynb`,
    String(r.cells),
    r.seconds.toFixed(1),
    r.ok ? "ok" : r.failure ? `FAILED at cell ${r.failure.index} (In [${r.failure.codeCell}])` : "FAILED",
  ]);
  return textTable(["notebook", "cells", "seconds", "status"], rows, [1, 2]);
}

if (import.meta.main) {
  const filters = Deno.args.filter((a) => !a.startsWith("-"));
  await setupOrExit("course");
  const names = listNotebooks(filters);
  if (names.length === 0) {
    console.error(`course: no notebook in notebooks/ or notebooks/zh/ matches ${filters.join(", ")}`);
    Deno.exit(1);
  }
  // Several notebooks at a time, one per core by default: each runs on one thread (one BLAS thread too).
  const jobs = Math.min(courseJobs(), names.length);
  const started = performance.now();
  const runs: NotebookRun[] = new Array(names.length);
  // Longest first (by the last run's times), so that a long notebook does not start last and run alone.
  const lastTimes = readTimes();
  const order = names.map((_, k) => k).sort((i, j) =>
    (lastTimes[names[j]] ?? 0) - (lastTimes[names[i]] ?? 0)
  );
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const k = order[next++];
      console.error(jobs > 1 ? `${names[k]}.ipynb: started` : `\n${names[k]}.ipynb`);
      const run = runs[k] = await executeNotebook(names[k], { quiet: jobs > 1 });
      const f = run.failure;
      const where = jobs > 1 ? `${run.name}.ipynb: ` : "  ";
      console.error(
        where +
          (run.ok
            ? `ok, ${run.seconds.toFixed(1)} s`
            : f
            ? `FAILED at cell ${f.index} (In [${f.codeCell}]): ${f.error}`
            : `FAILED: ${run.problem}`),
      );
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  const runSeconds = (performance.now() - started) / 1000;
  writeTimes({ ...lastTimes, ...Object.fromEntries(runs.map((r) => [r.name, r.seconds])) });
  // Static pictures of the plots (image/png beside each plotly output) for viewers that run no scripts.
  if (!Deno.args.includes("--no-snapshot")) {
    console.error("\nPictures of the plots (tools/snapshot.ts):");
    const pictures = await snapshot(runs.map((r) => r.executed), (line) => console.error(`  ${line}`));
    for (const p of pictures ?? []) {
      const name = p.path.slice(p.path.lastIndexOf("/") + 1);
      console.error(
        `  ${name}: ${p.added} of ${p.figures} plots as PNG${
          p.errors.length ? ` (${p.errors.join("; ")})` : ""
        }`,
      );
    }
  }
  const pictureSeconds = (performance.now() - started) / 1000 - runSeconds;
  console.log(`\n${table(runs)}\n`);
  console.log(
    `${runs.length} notebook${runs.length === 1 ? "" : "s"} in ${
      runSeconds.toFixed(1)
    } s, ${jobs} at a time` +
      (pictureSeconds > 0.5 ? `; the plots' pictures in ${pictureSeconds.toFixed(1)} s.` : "."),
  );
  const failed = runs.filter((r) => !r.ok);
  for (const r of failed) console.log(describeFailure(r) + "\n");
  console.log(
    failed.length === 0
      ? `${runs.length === 1 ? "The notebook" : `All ${runs.length} notebooks`} ran. Open ${
        fromRoot(BUILD_DIR)
      }/<name>.html in a browser, or the executed ` +
        `notebooks ${fromRoot(BUILD_DIR)}/<name>.ipynb` +
        (runs.some((r) => r.name.startsWith("zh/"))
          ? ` (the Chinese edition: ${fromRoot(BUILD_DIR)}/zh/).`
          : ".")
      : `${failed.length} of ${runs.length} notebooks failed (executed up to the failing cell in ${
        fromRoot(BUILD_DIR)
      }/).`,
  );
  Deno.exit(failed.length === 0 ? 0 : 1);
}
