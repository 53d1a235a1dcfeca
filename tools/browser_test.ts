/**
 * `deno task test:browser [zh|en] [filter...]`: what the learner sees, checked in a real browser (headless
 * Chromium), in both editions of the course (English in notebooks/, Chinese in notebooks/zh/).
 *
 * 1. Jupyter: starts the classic Notebook server (as `deno task lab` does) on localhost with the Deno kernel,
 *    opens every notebook and runs it through the page, each run on a freshly started kernel (Run All, then
 *    Kernel > Restart and Run All again): an English notebook 5 times (`--runs=N`), one whose headless run is
 *    over 60 s (04) twice (`--slow-runs=N`), a Chinese one once (`--zh-runs=N`; the same code as the English).
 *    After each run: no cell shows an error or stayed unrun, every plotly output was drawn (an SVG with its
 *    traces), and every output is under the cell that made it: each code cell has the outputs (kinds in
 *    order: result, display, plot, error; and whether it printed) of the same cell in the headless run,
 *    build/<name>.ipynb (build/zh/<name>.ipynb) of `deno task course`, which is executed again first where
 *    missing or older than the notebook (`--no-course`: never); an output found under another cell than in
 *    the headless run is named. The exercise solutions (`<details>` blocks in markdown cells, summary
 *    "Solution", in Chinese "解答") must show folded, their content hidden until a click on the summary shows
 *    it; an old-style solution (a code cell hidden by metadata jupyter.source_hidden, which Notebook 6 and
 *    the HTML page show in full) fails, naming its cell. Then the same runs and checks in JupyterLab
 *    (`--no-lab`: not), found as `deno task lab` finds it (tools/lab.ts: JUPYTER_LAB=/path, next to
 *    `jupyter`, build/jupyterlab) and installed into build/jupyterlab where missing (a venv reusing the
 *    system's Jupyter, then pip); where that fails, one line says so and the rest is tested. Nothing is
 *    saved: autosave is switched off, so notebooks/ stays as it is.
 * 2. The offline HTML course (build/*.html, build/zh/*.html, from `deno task course`, run first as in 1):
 *    each page opened with the network off; every plot must be drawn, the solutions folded as in 1, the
 *    console must stay free of errors and the page must request nothing from the network.
 * 3. The executed notebooks (build/*.ipynb, build/zh/*.ipynb) opened in Notebook 6 as saved, without
 *    running: untrusted there, no script runs, and each plot must show its picture (tools/snapshot.ts, added
 *    first where missing).
 * 4. In every page of the Chinese edition (1 to 3): Chinese shows as characters, not as boxes ("tofu"): the
 *    characters of a heading and of a plot's text, drawn on a canvas in the font the page uses there, must
 *    differ from what an unassigned code point draws (the font's .notdef box) and from one another; and the
 *    PNG picture of a plot with a Chinese title must be closer to that plot drawn again than to it drawn with
 *    its Chinese replaced by boxes (tools/browser/cjk.ts).
 * 5. Kernel > Interrupt (check "kernel_interrupt"): in Notebook 6, the Kernel menu's Interrupt stops a running
 *    training (Network.SGD, then trainTf) within a second, and the cells after it run on its result.
 * 6. After a page reload with the kernel still running (check "plot_reload"; it sends plotly.js once per
 *    session), a plot shown in the page is drawn, in Notebook 6 and JupyterLab.
 * 7. The live playground (check "playground_live"): in Notebook 6 and JupyterLab, the playground's one output
 *    changes while it trains (two screenshots differ) and ends as the recorded replay showing a decision
 *    boundary. In the HTML pages, each replay's play button must step its figure through the recorded frames.
 * In 1 and 2, each slider of an interactive figure is clicked at both ends and must change the plot. A
 * full-page screenshot of each page goes to build/screens/ (the Chinese edition's to build/screens/zh/).
 *
 * Options: `--only=notebook` or `--only=html`, `--runs=N`, `--slow-runs=N`, `--zh-runs=N`, `--no-lab`,
 * `--no-course`. Filters as in `deno task course` (tools/course.ts): `zh` or `en` keeps one edition, any other
 * argument the notebooks whose name contains it, in both editions; checks 5 to 7 run with no filter, with
 * `en`, or with a filter their name contains (`--only=notebook kernel_interrupt` runs check 5 alone). The last
 * line sums up like `deno test` ("ok | 53 passed | 0 failed", one test per page and front end), for CI. On
 * a 2-core machine the Chinese edition alone (`zh`, 24 pages) took 20 minutes under a load of 6-10; the
 * whole run, not timed in one piece, about 40-45 minutes (the English part took about 20 before).
 * Needs Chromium (CHROMIUM=/path, or Debian's /usr/bin/chromium) and playwright-core (npm); without Chromium
 * it says so in one line and exits 0, as nothing could be checked.
 */
import { chromium as playwright } from "playwright-core";
import { listNotebooks } from "./course.ts";
import { ensureJupyterLab } from "./lab.ts";
import { ZH_NOTEBOOKS_DIR } from "./notebook.ts";
import { BUILD_DIR, fromRoot, isFile, NOTEBOOKS_DIR, ROOT } from "./paths.ts";
import { setup } from "./setup.ts";
import { CHROMIUM_FLAGS, findChromium } from "./snapshot.ts";
import { JUPYTERLAB, NOTEBOOK6 } from "./browser/front_ends.ts";
import { checkNotebook, type RunCounts } from "./browser/notebook_runs.ts";
import { checkHtml, checkSaved } from "./browser/pages.ts";
import { freshBuild } from "./browser/placement.ts";
import { type PageReport, SCREENS, summary } from "./browser/report.ts";
import {
  checkInterrupt,
  checkPlaygroundLive,
  checkReload,
  INTERRUPT_CHECK,
  PLAYGROUND_CHECK,
  RELOAD_CHECK,
} from "./browser/scratch_checks.ts";
import { startJupyter } from "./browser/server.ts";

/** A whole-number option `--name=N` of the command line, or `fallback`. */
function countOption(name: string, fallback: number): number {
  const value = Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3));
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Whether anything is at `path`. */
function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs the notebooks through the pages (1-4), the scratch checks (5-7) and the HTML pages; the reports. */
async function main(chromium: string): Promise<PageReport[]> {
  const only = Deno.args.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const filters = Deno.args.filter((a) => !a.startsWith("--"));
  const names = listNotebooks(filters);
  const nameFilters = filters.filter((f) => f !== "zh" && f !== "en");
  const zhOnly = filters.includes("zh") && !filters.includes("en");
  // The scratch checks are of neither edition: run with no filter or `en`, or by their name.
  const selected = (check: string) =>
    nameFilters.length === 0 ? !zhOnly : nameFilters.some((f) => check.includes(f));
  const counts: RunCounts = {
    runs: countOption("runs", 5),
    slowRuns: countOption("slow-runs", 2),
    zhRuns: countOption("zh-runs", 1),
  };
  const noLab = Deno.args.includes("--no-lab");
  const reports: PageReport[] = [];
  const browser = await playwright.launch({
    executablePath: chromium,
    args: CHROMIUM_FLAGS.filter((f) => f !== "--headless"),
  });
  try {
    // The headless runs the browser runs are compared with, and the HTML pages: current with the notebooks.
    if (!Deno.args.includes("--no-course") && names.length > 0) {
      await setup({ quiet: true });
      for (const name of names) await freshBuild(name);
    }
    if (only !== "html") {
      const { jupyter } = await setup({ quiet: true });
      // Notebook 6 makes .ipynb_checkpoints beside a notebook it opens: removed again where they are new.
      const checkpoints = [NOTEBOOKS_DIR, ZH_NOTEBOOKS_DIR].map((dir) => `${dir}/.ipynb_checkpoints`)
        .filter((dir) => !exists(dir));
      const server = await startJupyter(jupyter);
      try {
        for (const name of names) {
          console.error(`notebook ${name} ...`);
          reports.push(await checkNotebook(browser, server, NOTEBOOK6, name, counts));
        }
        // The executed notebooks of `deno task course`, opened as saved (untrusted): pictures instead of scripts.
        for (const name of names.filter((n) => isFile(`${BUILD_DIR}/${n}.ipynb`))) {
          console.error(`saved notebook build/${name}.ipynb ...`);
          reports.push(await checkSaved(browser, server, name, chromium));
        }
        if (selected(INTERRUPT_CHECK)) {
          console.error(`${INTERRUPT_CHECK}: Kernel > Interrupt on two running trainings ...`);
          reports.push(await checkInterrupt(browser, server));
        }
        if (selected(RELOAD_CHECK)) {
          console.error(`${RELOAD_CHECK}: a plot after a page reload, in Notebook 6 ...`);
          reports.push(await checkReload(browser, server, NOTEBOOK6));
        }
        if (selected(PLAYGROUND_CHECK)) {
          console.error(`${PLAYGROUND_CHECK}: the playground's figure while it trains, in Notebook 6 ...`);
          reports.push(await checkPlaygroundLive(browser, server, false));
        }
      } finally {
        await server.stop();
        for (const dir of checkpoints) await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
      // The same in JupyterLab: where it is installed, else installed into build/jupyterlab where pip can.
      let lab: string | undefined;
      if (!noLab && (names.length > 0 || selected(RELOAD_CHECK) || selected(PLAYGROUND_CHECK))) {
        const installed = await ensureJupyterLab(jupyter, (line) => console.error(`test:browser: ${line}`));
        if ("lab" in installed) lab = installed.lab;
        else console.log(`test:browser: JupyterLab not tested: not installed, ${installed.why}`);
      }
      if (lab) {
        const labServer = await startJupyter(jupyter, lab);
        try {
          for (const name of names) {
            console.error(`notebook ${name} in JupyterLab ...`);
            reports.push(await checkNotebook(browser, labServer, JUPYTERLAB, name, counts));
          }
          if (selected(RELOAD_CHECK)) {
            console.error(`${RELOAD_CHECK}: a plot after a page reload, in JupyterLab ...`);
            reports.push(await checkReload(browser, labServer, JUPYTERLAB));
          }
        } finally {
          await labServer.stop();
        }
        if (selected(PLAYGROUND_CHECK)) {
          // A server of its own: a fresh JupyterLab after the notebooks' runs, as in Notebook 6's check.
          console.error(`${PLAYGROUND_CHECK}: the playground's figure while it trains, in JupyterLab ...`);
          const playServer = await startJupyter(jupyter, lab);
          try {
            reports.push(await checkPlaygroundLive(browser, playServer, true));
          } finally {
            await playServer.stop();
          }
        }
      }
    }
    if (only !== "notebook") {
      const pages = () => names.filter((n) => isFile(`${BUILD_DIR}/${n}.html`));
      if (pages().length < names.length && !Deno.args.includes("--no-course")) {
        console.error("test:browser: HTML pages missing in build/: running `deno task course` first");
        const course = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", `${ROOT}/tools/course.ts`, ...filters],
          stdout: "inherit",
          stderr: "inherit",
        }).output();
        if (!course.success) {
          console.error("test:browser: the course run failed; checking the pages it wrote");
        }
      }
      if (names.length > 0 && pages().length === 0) {
        console.error("test:browser: no HTML pages in build/ (run `deno task course` first)");
      }
      for (const name of pages()) {
        console.error(`html ${name}.html ...`);
        reports.push(await checkHtml(browser, name));
      }
    }
  } finally {
    await browser.close();
  }
  return reports;
}

if (import.meta.main) {
  const chromium = findChromium();
  if (!chromium) {
    // Nothing to test with: say so in one line (and in the summary CI reads), as tools/snapshot.ts does.
    console.log(
      "test:browser: skipped: Chromium not found (install Debian's `chromium`, or set CHROMIUM=/path)",
    );
    console.log("ok | 0 passed | 0 failed (skipped: no Chromium)");
    Deno.exit(0);
  }
  const reports = await main(chromium);
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
