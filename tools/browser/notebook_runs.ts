/**
 * A notebook run through a Jupyter front end's page (Notebook 6, JupyterLab): Run All on fresh kernels, each
 * output under its cell, every plot drawn, the sliders, the solutions folded, and in the Chinese edition its
 * characters drawn.
 */
import type { Browser, Page } from "playwright-core";
import { type Notebook, sourceText } from "../notebook.ts";
import { NOTEBOOKS_DIR } from "../paths.ts";
import { cjkProblems } from "./cjk.ts";
import {
  type FrontEnd,
  NOTEBOOK_TIMEOUT_S,
  onPageError,
  restartKernel,
  runAndWait,
  waitFor,
} from "./front_ends.ts";
import {
  firstLine,
  loadReference,
  placementProblems,
  readNotebook,
  type Reference,
  type RunCell,
} from "./placement.ts";
import {
  checkSliders,
  didNotFinish,
  finish,
  newReport,
  type PageReport,
  pageScreenshot,
  PLOT_STATE_JS,
  plotProblems,
  plotsSettled,
  type PlotState,
} from "./report.ts";
import type { Server } from "./server.ts";

/** How many fresh-kernel Run Alls a notebook gets per front end (command-line options of the test). */
export interface RunCounts {
  /** An English notebook: several, so that a rare misplaced output shows. */
  runs: number;
  /** An English notebook whose headless run takes longer than SLOW_S (its runs would be most of the time). */
  slowRuns: number;
  /** A notebook of the Chinese edition (the same code as the English one, so fewer). */
  zhRuns: number;
}

/** A notebook whose headless run takes longer than this (seconds) is slow: it gets RunCounts.slowRuns runs. */
const SLOW_S = 60;

/** Whether a notebook (named as tools/course.ts names it) is of the Chinese edition: "zh/<name>". */
export function isChinese(name: string): boolean {
  return name.startsWith("zh/");
}

/** The word on the summary of every folded solution, per edition. */
const SOLUTION_SUMMARY = { en: "Solution", zh: "解答" };

/** How many fresh-kernel Run Alls a notebook gets (RunCounts); a slow one at most slowRuns, in either edition. */
function runsFor(name: string, reference: Reference | undefined, counts: RunCounts): number {
  const slow = !!reference && reference.seconds > SLOW_S;
  if (isChinese(name)) return slow ? Math.min(counts.zhRuns, counts.slowRuns) : counts.zhRuns;
  return slow ? counts.slowRuns : counts.runs;
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
 * Runs one notebook ("00_setup", or "zh/00_setup" of the Chinese edition) through a front end's page, Run All
 * on a fresh kernel (RunCounts), and reports what it showed: after each run, every cell ran without an error,
 * every plot was drawn, and every output is under the cell that made it (compared with the headless run, else
 * with the first run); after the last, the sliders move their plots, the solutions are folded and, in the
 * Chinese edition, Chinese draws as characters in the text and the plots.
 */
export async function checkNotebook(
  browser: Browser,
  server: Server,
  fe: FrontEnd,
  name: string,
  counts: RunCounts,
): Promise<PageReport> {
  const started = performance.now();
  const report = newReport(name, fe.kind);
  const source = await readNotebook(`${NOTEBOOKS_DIR}/${name}.ipynb`);
  const reference = await loadReference(name);
  const runs = runsFor(name, reference, counts);
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
    await page.goto(fe.url(server, `notebooks/${name}.ipynb`));
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
      report.problems.push(...await foldProblems(page, source, name));
      if (fe.kind === "notebook") report.problems.push(...oldSolutionProblems(source, fe.label));
    }
    if (isChinese(name)) report.problems.push(...await cjkProblems(page, report.plots > 0));
    await pageScreenshot(page, report);
    // Stop this notebook's kernel: the next notebook gets a fresh one.
    await page.evaluate(fe.shutdown).catch(() => {});
  } catch (e) {
    await didNotFinish(page, report, e, fe.shutdown);
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
 * its content hidden, its summary the edition's word (SOLUTION_SUMMARY); a click on its summary shows the
 * content (and a second click folds it again).
 */
export async function foldProblems(page: Page, nb: Notebook, name: string): Promise<string[]> {
  const word = SOLUTION_SUMMARY[isChinese(name) ? "zh" : "en"];
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
    if (fold.summary !== word) problems.push(`${where}: the summary of a solution should read "${word}"`);
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
export function oldSolutionProblems(nb: Notebook, where: string): string[] {
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
