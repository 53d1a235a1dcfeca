/**
 * Pages opened without running a kernel: the executed notebooks (build/*.ipynb) as saved, in Notebook 6, and
 * the offline HTML course (build/*.html); in both editions (the Chinese one in build/zh/).
 */
import type { Browser, Page } from "playwright-core";
import { BUILD_DIR } from "../paths.ts";
import { plotlyOutputs, snapshotNotebook } from "../snapshot.ts";
import { cjkProblems, pictureCjkProblems } from "./cjk.ts";
import { foldProblems, isChinese, oldSolutionProblems } from "./notebook_runs.ts";
import { readNotebook } from "./placement.ts";
import {
  checkSliders,
  DATA_PRINT_JS,
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

/** In the page: each plot's picture (tools/snapshot.ts), loaded or not. */
const PICTURES_JS = `[...document.querySelectorAll(".course-plot")].map((el) => {
  const img = el.querySelector("img.course-plot-image");
  return { id: el.id, img: !!img, loaded: !!(img && img.complete && img.naturalWidth > 0) }; })`;

/**
 * Opens an executed notebook (build/<name>.ipynb, pictures added first where missing) in Notebook 6 without
 * running it: it is untrusted there, so no script runs, and each plot must show its picture (what a learner
 * sees on opening a saved notebook). In the Chinese edition, the headings and a plot's picture must show
 * Chinese characters, not boxes.
 */
export async function checkSaved(
  browser: Browser,
  server: Server,
  name: string,
  chromium: string,
): Promise<PageReport> {
  const started = performance.now();
  const report = newReport(name, "saved");
  const path = `${BUILD_DIR}/${name}.ipynb`;
  // build/ may come from a run without pictures (the notebook tests skip them): add them first.
  let nb = await readNotebook(path);
  if (nb && plotlyOutputs(nb).some((o) => !o.data?.["image/png"])) {
    await snapshotNotebook(path, chromium);
    nb = await readNotebook(path);
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on("dialog", (d) => d.dismiss().catch(() => {}));
  try {
    await page.goto(`${server.url}/notebooks/build/${name}.ipynb?token=${server.token}`);
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
    if (isChinese(name) && nb) {
      report.problems.push(
        ...await cjkProblems(page, false),
        ...await pictureCjkProblems(page, nb, chromium),
      );
    }
    await pageScreenshot(page, report);
    await page.evaluate("Jupyter.notebook.session.delete()").catch(() => {});
  } catch (e) {
    await didNotFinish(page, report, e, "Jupyter.notebook.session.delete()");
  } finally {
    await page.close();
  }
  return finish(report, started);
}

/**
 * The playground's replays in a page: each play button (lib/playground.ts) must step its figure through its
 * recorded frames in the page, without a kernel: the figure after a second of playing differs from before.
 */
export async function checkReplays(page: Page, report: PageReport): Promise<string[]> {
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

/**
 * Opens one page of the offline HTML course (build/<name>.html) with the network off and reports what it
 * showed: plots drawn, sliders and replays moving them, solutions folded, no console error, no request; in
 * the Chinese edition, Chinese drawn as characters in its text and plots.
 */
export async function checkHtml(browser: Browser, name: string): Promise<PageReport> {
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
    await page.goto(`file://${BUILD_DIR}/${name}.html`, { waitUntil: "load", timeout: 120_000 });
    // Wait until every plot has been handled (drawn, or a message put in its place).
    await plotsSettled(page, 60);
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
        ...await foldProblems(page, executed, name),
        ...oldSolutionProblems(executed, "the HTML page"),
      );
    }
    if (isChinese(name)) report.problems.push(...await cjkProblems(page, report.plots > 0));
    await pageScreenshot(page, report);
  } catch (e) {
    await didNotFinish(page, report, e);
  } finally {
    await context.close();
  }
  return finish(report, started);
}
