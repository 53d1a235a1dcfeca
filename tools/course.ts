/**
 * `deno task course [filter...] [--no-snapshot]`: executes every notebook in notebooks/ headless with the Deno kernel and
 * writes build/<name>.ipynb (executed) and build/<name>.html (plots included, viewable offline).
 * Prints a table (notebook, cells, seconds, status); exits non-zero naming the notebook and the cell that
 * failed, with its error. A filter argument runs only the notebooks whose name contains it. Then, where Chromium
 * is installed, tools/snapshot.ts adds a PNG picture beside each plot in build/<name>.ipynb (for GitHub and other
 * viewers that run no scripts); `--no-snapshot` skips that.
 *
 * The executor is Jupyter's own (nbclient, the library behind `jupyter nbconvert --execute`), driven by the
 * small Python program below, so that a failure names its cell and the partial notebook is still saved.
 */
import { findJupyter, findPython, setup } from "./setup.ts";
import { snapshot } from "./snapshot.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
/** The course's notebooks directory (absolute). */
export const NOTEBOOKS_DIR = `${ROOT}/notebooks`;
/** Where executed notebooks and HTML pages go (absolute). */
export const BUILD_DIR = `${ROOT}/build`;

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
  /** File name without .ipynb, e.g. "00_setup". */
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
  ok: boolean;
  failure?: CellFailure;
  /** A failure outside any cell (kernel did not start, Jupyter missing, ...). */
  problem?: string;
}

// Runs inside Jupyter's Python. argv: source, executed.ipynb, page.html ("" = none), timeout, kernel, cwd, result.json
const EXECUTOR_PY = String.raw`
import json, os, re, sys, time
from queue import Empty
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async

src, out_nb, out_html, timeout, kernel, cwd, result_path = sys.argv[1:8]
ansi = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
try:
    nb = nbformat.read(src, as_version=4)
except Exception as e:
    with open(result_path, "w") as f:
        json.dump({"ok": False, "problem": "not a readable notebook (%s: %s)" % (type(e).__name__, e)}, f)
    sys.exit(0)
state = {"cell": None, "t0": 0.0, "times": []}

def on_cell_start(cell, cell_index):
    state["cell"] = cell_index
    state["t0"] = time.monotonic()
    if cell.cell_type == "code":
        print("  cell %d: %s" % (cell_index, first_line(cell.source)), file=sys.stderr, flush=True)

def on_cell_executed(cell, cell_index, execute_reply):
    state["times"].append(round(time.monotonic() - state["t0"], 3))

def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:100]
    return ""

class Client(NotebookClient):
    """nbclient's executor, plus: output that the Deno kernel sends after a cell's "idle" status still lands
    in that cell. The kernel forwards console.log output asynchronously, so a fast cell's stream message can
    arrive just after "idle", which plain nbclient (nbconvert --execute) silently drops."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cell_of_msg = {}
        self.last_code_index = max([i for i, c in enumerate(self.nb.cells) if c.cell_type == "code"] or [-1])

    def route(self, msg):
        target = self.cell_of_msg.get(msg["parent_header"].get("msg_id"))
        if target and msg["msg_type"] in ("stream", "display_data", "update_display_data", "execute_result"):
            try:
                self.process_message(msg, *target)
            except CellExecutionComplete:
                pass

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self.cell_of_msg[parent_msg_id] = (cell, cell_index)
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return
            else:
                self.route(msg)

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        result = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        if cell_index == self.last_code_index:  # collect what arrives late for the last cells
            while True:
                try:
                    msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.5))
                except Empty:
                    break
                self.route(msg)
        return result

result = {"ok": True}
# iopub_timeout: how long to wait for a cell's outputs after its reply (nbclient's 4 s default drops outputs
# on a busy 2-core machine).
client = Client(nb, kernel_name=kernel, timeout=int(timeout), startup_timeout=120, iopub_timeout=120,
                resources={"metadata": {"path": cwd}},
                on_cell_start=on_cell_start, on_cell_executed=on_cell_executed)
try:
    client.execute()
except BaseException as e:  # report any failure, then still save what ran
    result["ok"] = False
    index = state["cell"]
    if isinstance(e, CellExecutionError):
        error = "%s: %s" % (e.ename, e.evalue)
        tb = ansi.sub("", e.traceback)
    elif isinstance(e, CellTimeoutError):
        error = "TimeoutError: the cell ran longer than %s s (COURSE_CELL_TIMEOUT)" % timeout
        tb = ""
    elif isinstance(e, DeadKernelError):
        error = "DeadKernelError: the Deno kernel died (out of memory?) %s" % e
        tb = ""
    else:
        error = "%s: %s" % (type(e).__name__, e)
        tb = ""
    if index is None:
        result["problem"] = error
    else:
        cell = nb.cells[index]
        code_cell = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                error = "%s: %s" % (out.get("ename", "Error"), out.get("evalue", ""))
                tb = ansi.sub("", "\n".join(out.get("traceback", [])))
        result["failure"] = {"index": index, "codeCell": code_cell, "firstLine": first_line(cell.source),
                             "error": ansi.sub("", error), "traceback": tb}
result["cellSeconds"] = state["times"]
result["cells"] = sum(1 for c in nb.cells if c.cell_type == "code")
# Written to a temporary file, then renamed: a reader never sees half a notebook.
nbformat.write(nb, out_nb + ".%d.tmp" % os.getpid())
os.replace(out_nb + ".%d.tmp" % os.getpid(), out_nb)
if out_html:
    try:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter().from_notebook_node(nb)
        with open(out_html + ".%d.tmp" % os.getpid(), "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(out_html + ".%d.tmp" % os.getpid(), out_html)
        result["html"] = out_html
    except Exception as e:
        result["htmlError"] = "%s: %s" % (type(e).__name__, e)
with open(result_path, "w") as f:
    json.dump(result, f)
`;

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

/** The notebooks in notebooks/, sorted by name; with filters, only those whose name contains one of them. */
export function listNotebooks(filters: string[] = []): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(NOTEBOOKS_DIR)) {
    if (entry.isFile && entry.name.endsWith(".ipynb")) names.push(entry.name.slice(0, -".ipynb".length));
  }
  return names.filter((n) => filters.length === 0 || filters.some((f) => n.includes(f))).sort();
}

/**
 * Executes one notebook (a name in notebooks/, or a path) with the Deno kernel, the kernel's working directory
 * being the notebook's own directory (so `../lib/mod.ts` resolves). Never throws for a failing cell: the
 * result says which cell failed and why.
 */
export async function executeNotebook(
  notebook: string,
  options: { outDir?: string; html?: boolean; timeoutS?: number; quiet?: boolean } = {},
): Promise<NotebookRun> {
  const source = notebook.endsWith(".ipynb")
    ? await Deno.realPath(notebook)
    : `${NOTEBOOKS_DIR}/${notebook}.ipynb`;
  const name = source.slice(source.lastIndexOf("/") + 1, -".ipynb".length);
  const cwd = source.slice(0, source.lastIndexOf("/"));
  const outDir = options.outDir ?? BUILD_DIR;
  await Deno.mkdir(outDir, { recursive: true });
  const executed = `${outDir}/${name}.ipynb`;
  const html = options.html === false ? "" : `${outDir}/${name}.html`;
  // Unique per call: a course run and a test run may execute the same notebook at the same time.
  const resultPath = `${outDir}/.${name}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.result.json`;
  await Deno.remove(resultPath).catch(() => {});
  const start = performance.now();
  const child = new Deno.Command(jupyterPython(), {
    args: [
      "-c",
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
    name,
    source,
    executed,
    html: result.html,
    cells: result.cells ?? 0,
    seconds,
    cellSeconds: result.cellSeconds ?? [],
    ok: result.ok === true,
    failure: result.failure,
    problem: result.problem ?? (result.htmlError ? `HTML not written: ${result.htmlError}` : undefined),
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

/** The summary table printed at the end of `deno task course`. */
export function table(runs: NotebookRun[]): string {
  const rows = runs.map((r) => [
    `${r.name}.ipynb`,
    String(r.cells),
    r.seconds.toFixed(1),
    r.ok ? "ok" : r.failure ? `FAILED at cell ${r.failure.index} (In [${r.failure.codeCell}])` : "FAILED",
  ]);
  const header = ["notebook", "cells", "seconds", "status"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]) =>
    cols.map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

if (import.meta.main) {
  const filters = Deno.args.filter((a) => !a.startsWith("-"));
  try {
    await setup({ quiet: true });
  } catch (e) {
    console.error(`course: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
  const names = listNotebooks(filters);
  if (names.length === 0) {
    console.error(`course: no notebook in notebooks/ matches ${filters.join(", ")}`);
    Deno.exit(1);
  }
  const runs: NotebookRun[] = [];
  for (const name of names) {
    console.error(`\n${name}.ipynb`);
    const run = await executeNotebook(name);
    runs.push(run);
    const f = run.failure;
    console.error(
      run.ok
        ? `  ok, ${run.seconds.toFixed(1)} s`
        : f
        ? `  FAILED at cell ${f.index} (In [${f.codeCell}]): ${f.error}`
        : `  FAILED: ${run.problem}`,
    );
  }
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
  console.log(`\n${table(runs)}\n`);
  const failed = runs.filter((r) => !r.ok);
  for (const r of failed) console.log(describeFailure(r) + "\n");
  const rel = (p: string) => p.replace(`${ROOT}/`, "");
  console.log(
    failed.length === 0
      ? `${runs.length === 1 ? "The notebook" : `All ${runs.length} notebooks`} ran. Open ${
        rel(BUILD_DIR)
      }/<name>.html in a browser, or the executed ` +
        `notebooks ${rel(BUILD_DIR)}/<name>.ipynb.`
      : `${failed.length} of ${runs.length} notebooks failed (executed up to the failing cell in ${
        rel(BUILD_DIR)
      }/).`,
  );
  Deno.exit(failed.length === 0 ? 0 : 1);
}
