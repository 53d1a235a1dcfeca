/**
 * Helpers for tests of the executed notebooks (not a test file itself, so importing it registers no tests).
 *
 * Every notebook is executed at most once per `deno test` run: the result is cached in build/.cache/, keyed by
 * the test run (the deno process id: `deno test` runs every test module in one process). With COURSE_REUSE=1
 * the key is instead the notebook's content and the state of lib/, data/, deno.json and deno.lock, so an
 * up-to-date result is reused across runs too (handy while writing a notebook's tests).
 *
 * Usage in tests/notebook_<nn>_test.ts: a test reads results as data, never the wording of printed text, and
 * runs on both editions (English and Chinese), which share their code and so their variables' names:
 *
 *     import { testEditions, value } from "./notebooks.ts";
 *     testEditions("01", "the lecture's example", async (nb) => {   // registers "01: ..." and "zh/01: ..."
 *       const y = await value<number[][]>(nb, "y");                   // a top-level variable at the end of the run
 *       assert.ok(Math.abs(y[0][0] - 0.62) < 0.005);                  // against the lecture's numbers
 *     });
 *
 * `exerciseResults` reads each exercise's number and verdict, `outputsWithMime` the data of plots.
 */
import { setup } from "../tools/setup.ts";
import { describeFailure, executeNotebook, listNotebooks, type NotebookRun } from "../tools/course.ts";
import { type Cell, joinText, type Notebook, type Output, sourceText } from "../tools/notebook.ts";
import { BUILD_DIR, NOTEBOOKS_DIR, ROOT } from "../tools/paths.ts";
import { EXERCISE_MIME } from "../lib/exercise.ts";
import type { NotebookValues } from "../tools/notebook_values.ts";

const CACHE_DIR = `${BUILD_DIR}/.cache`;
/** Where the tests' runs go: apart from `deno task course`'s pages, since they hold the solutions. */
const TESTED_DIR = `${BUILD_DIR}/tested`;

/** An executed notebook: nbformat's JSON plus how the run went. */
export interface ExecutedNotebook extends Notebook {
  /** How the run went (from tools/course.ts). */
  run: NotebookRun;
}

/**
 * The full name (e.g. "01_neural_network", or "zh/01_neural_network" in the Chinese edition) of the one
 * notebook whose name is or starts with `nameOrPrefix` ("01", "zh/01").
 */
export function resolveNotebook(nameOrPrefix: string): string {
  const all = listNotebooks();
  if (all.includes(nameOrPrefix)) return nameOrPrefix;
  const matches = all.filter((n) => n.startsWith(nameOrPrefix));
  if (matches.length !== 1) {
    throw new Error(
      `no single notebook in notebooks/ or notebooks/zh/ is named or starts with "${nameOrPrefix}": ` +
        (matches.length === 0 ? `found ${all.join(", ") || "none"}` : `several match: ${matches.join(", ")}`),
    );
  }
  return matches[0];
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Names, sizes and modification times of everything a notebook's run depends on besides its own text. */
function dependencyState(): string {
  const lines: string[] = [];
  const visit = (path: string) => {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(path);
    } catch {
      return;
    }
    if (info.isDirectory) {
      const names = [...Deno.readDirSync(path)].map((e) => e.name).sort();
      for (const n of names) visit(`${path}/${n}`);
    } else {
      lines.push(`${path} ${info.size} ${info.mtime?.getTime()}`);
    }
  };
  for (const p of ["lib", "data", "deno.json", "deno.lock"]) visit(`${ROOT}/${p}`);
  return lines.join("\n");
}

/** The cache key of a notebook's run: this test run; with COURSE_REUSE=1, its text and its dependencies. */
async function cacheKey(name: string): Promise<string> {
  // Within one test run, once is enough, even if files change meanwhile (an editor saving lib/ mid-run).
  if (Deno.env.get("COURSE_REUSE") !== "1") return `${name} pid ${Deno.pid}`;
  const text = await Deno.readTextFile(`${NOTEBOOKS_DIR}/${name}.ipynb`);
  return await sha256(`${text}\n${dependencyState()}`);
}

/** Whether a process is running (Linux: /proc; elsewhere assumed alive, and the lock's age decides). */
function processAlive(pid: number): boolean {
  if (Deno.build.os !== "linux") return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits for and takes a lock file holding the owner's process id, so that parallel test processes do not
 * execute one notebook twice. A lock whose owner has gone (a test run killed mid-notebook) is taken over.
 */
async function lock(path: string): Promise<() => void> {
  for (;;) {
    try {
      await Deno.writeTextFile(path, String(Deno.pid), { createNew: true });
      return () => Deno.removeSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      const owner = Number(await Deno.readTextFile(path).catch(() => ""));
      const age = Date.now() - ((await Deno.stat(path).catch(() => null))?.mtime?.getTime() ?? Date.now());
      // An empty lock is being written right now; give its owner a second.
      const stale = owner > 0 ? !processAlive(owner) : age > 2_000;
      if (stale || age > 3 * 3600_000) await Deno.remove(path).catch(() => {});
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Executes notebooks/<name>.ipynb (or notebooks/zh/<name>.ipynb for "zh/<name>"), its exercises answered by their solutions, into build/tested/ once per
 * test run (see above) and returns how it went.
 * Does not throw when a cell fails: `run.ok` is false and `run.failure` names the cell.
 */
export async function runNotebookOnce(nameOrPrefix: string): Promise<NotebookRun> {
  const name = resolveNotebook(nameOrPrefix);
  await Deno.mkdir(CACHE_DIR, { recursive: true });
  const file = name.replace("/", "_"); // zh/01_neural_network: zh_01_neural_network
  const unlock = await lock(`${CACHE_DIR}/${file}.lock`);
  try {
    const key = await cacheKey(name);
    const stampPath = `${CACHE_DIR}/${file}.json`;
    try {
      const stamp = JSON.parse(await Deno.readTextFile(stampPath));
      if (stamp.key === key && (await Deno.stat(stamp.run.executed)).isFile) return stamp.run as NotebookRun;
    } catch {
      // no stamp, or its notebook is gone: execute
    }
    await setup({ quiet: true }); // Jupyter and the kernel spec, also when `deno test` runs without the task
    // Every exercise answered by its folded solution (tools/notebook.ts withSolutions), in build/tested/
    // (the Chinese edition in build/tested/zh/).
    const run = await executeNotebook(name, {
      quiet: true,
      solutions: true,
      values: true,
      outDir: TESTED_DIR,
    });
    await Deno.writeTextFile(stampPath, JSON.stringify({ key, run }, null, 1));
    return run;
  } finally {
    unlock();
  }
}

/**
 * The executed notebook (a name or a unique prefix such as "01"), executed at most once per test run.
 * Throws, naming the cell and the error, if the notebook did not run to the end.
 */
export async function executedNotebook(nameOrPrefix: string): Promise<ExecutedNotebook> {
  const run = await runNotebookOnce(nameOrPrefix);
  if (!run.ok) throw new Error(describeFailure(run));
  const nb = JSON.parse(await Deno.readTextFile(run.executed));
  return { ...nb, run };
}

/**
 * The notebook's top-level variables at the end of its run, as plain JSON (tools/notebook_values.ts): the
 * language-neutral way for a test to read a result, since both editions share the variables' names.
 */
export async function notebookValues(nb: ExecutedNotebook): Promise<NotebookValues> {
  if (!nb.run.values) throw new Error(`${nb.run.name}: run without its values probe`);
  return JSON.parse(await Deno.readTextFile(nb.run.values));
}

/**
 * The value of one top-level variable of the executed notebook (see notebookValues); throws naming the
 * variable, and why the probe left it out, if it has none.
 */
export async function value<T = unknown>(nb: ExecutedNotebook, name: string): Promise<T> {
  const { values, skipped } = await notebookValues(nb);
  if (name in values) return values[name] as T;
  throw new Error(
    `${nb.run.name}: no value for "${name}"` +
      (name in skipped ? `: ${skipped[name]}` : ": no such top-level variable"),
  );
}

/** The course's two editions, as the prefix of a notebook's name: "" (English) and "zh/" (Chinese). */
export const EDITIONS = ["", "zh/"] as const;

/**
 * Registers one test per edition of a notebook (a name or prefix such as "03"), named "03: <name>" and
 * "zh/03: <name>", each given that edition's executed notebook: a test that passes on both reads no wording.
 */
export function testEditions(
  notebook: string,
  name: string,
  fn: (nb: ExecutedNotebook) => void | Promise<void>,
): void {
  for (const edition of EDITIONS) {
    Deno.test(`${edition}${notebook}: ${name}`, async () =>
      await fn(await executedNotebook(`${edition}${notebook}`)));
  }
}

/** The text a learner reads in one output: stream text, or the text/plain of a result or display. */
export function outputText(output: Output): string {
  if (output.output_type === "stream") return joinText(output.text);
  if (output.output_type === "error") return `${output.ename}: ${output.evalue}`;
  return joinText(output.data?.["text/plain"]);
}

/** Every exercise's verdict in the executed notebook, in order: [{ name, verdict }] (lib/exercise.ts). */
export function exerciseVerdicts(nb: ExecutedNotebook): { name: string; verdict: string }[] {
  return nb.cells.flatMap((c) =>
    (c.outputs ?? []).flatMap((o) => {
      const v = o.data?.[EXERCISE_MIME] as { name: string; verdict: string } | undefined;
      return v ? [v] : [];
    })
  );
}

/**
 * Each exercise's number and verdict, in order: the number is the digits its name ends with ("exercise 2" in
 * the English edition, "练习 2" in the Chinese one: the name itself is the notebook's text).
 */
export function exerciseResults(nb: ExecutedNotebook): { number: number; verdict: string }[] {
  return exerciseVerdicts(nb).map(({ name, verdict }) => ({
    number: Number(name.match(/(\d+)$/)?.[1]),
    verdict,
  }));
}

/** All code cells' text outputs (stream + text/plain), concatenated with newlines, in order. */
export function outputsText(nb: ExecutedNotebook): string {
  return nb.cells.flatMap((c) => (c.outputs ?? []).map(outputText)).join("\n");
}

/** The code cells whose source contains `pattern` (a string or a regular expression). */
export function findCells(nb: ExecutedNotebook, pattern: string | RegExp): Cell[] {
  return nb.cells.filter((c) =>
    c.cell_type === "code" &&
    (typeof pattern === "string" ? sourceText(c).includes(pattern) : pattern.test(sourceText(c)))
  );
}

/** The text outputs of the one code cell whose source contains `pattern`; throws if none or several match. */
export function cellText(nb: ExecutedNotebook, pattern: string | RegExp): string {
  const cells = findCells(nb, pattern);
  if (cells.length !== 1) {
    throw new Error(`${nb.run.name}: ${cells.length} code cells contain ${pattern}, expected exactly one`);
  }
  return (cells[0].outputs ?? []).map(outputText).join("\n");
}

/** All outputs that carry a given MIME type (e.g. "application/vnd.plotly.v1+json"), with their data. */
export function outputsWithMime(nb: ExecutedNotebook, mime: string): unknown[] {
  return nb.cells.flatMap((c) =>
    (c.outputs ?? []).filter((o) => o.data && mime in o.data).map((o) => o.data![mime])
  );
}

/** The error outputs of every cell, with the cell index. */
export function errorOutputs(nb: { cells: Cell[] }): { cell: number; error: string }[] {
  return nb.cells.flatMap((c, i) =>
    (c.outputs ?? []).filter((o) => o.output_type === "error").map((o) => ({
      cell: i,
      error: `${o.ename}: ${o.evalue}`,
    }))
  );
}

/**
 * A small notebook for tests of the tools: a string is a code cell, `{ markdown }` a markdown cell.
 * With the Deno kernel spec in its metadata, as the course's notebooks have.
 */
export function fixtureNotebook(cells: (string | { markdown: string })[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: cells.map((c) =>
      typeof c === "string"
        ? { cell_type: "code", source: c, metadata: {}, outputs: [], execution_count: null }
        : { cell_type: "markdown", source: c.markdown, metadata: {} }
    ),
  };
}
