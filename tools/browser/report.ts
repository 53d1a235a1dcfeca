/** What one page showed (the browser test's report), and what every check reads from a page: plots, sliders, screenshots. */
import type { Page } from "playwright-core";
import { BUILD_DIR } from "../paths.ts";
import { textTable } from "../table.ts";

/** Where the screenshots go: build/screens/<name>.<kind>.png, the Chinese edition's in build/screens/zh/. */
export const SCREENS = `${BUILD_DIR}/screens`;

/** What one page showed. */
export interface PageReport {
  /** The notebook ("00_setup", "zh/00_setup" in the Chinese edition) or the check. */
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
export function newReport(name: string, kind: PageReport["kind"]): PageReport {
  return { name, kind, ok: false, runs: 0, seconds: 0, plots: 0, drawn: 0, sliders: 0, problems: [] };
}

/** The report once the page is done: ok when nothing was found wrong, and its time since `started`. */
export function finish(report: PageReport, started: number): PageReport {
  report.ok = report.problems.length === 0;
  report.seconds = (performance.now() - started) / 1000;
  return report;
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

/** In the page: each course plot, whether plotly drew it (an SVG and at least one trace), or why not. */
export const PLOT_STATE_JS = `(() => [...document.querySelectorAll(".course-plot")].map((el) => {
  const missing = el.querySelector(".course-plot-missing");
  const svg = el.querySelectorAll("svg.main-svg").length;
  const traces = el.querySelectorAll("g.trace, g.hm, g.contour, g.imagelayer image, .barlayer g.point").length;
  const data = el._fullData ? el._fullData.length : 0;
  return { id: el.id, svg, traces, data, missing: missing ? missing.textContent : "", text: svg ? "" :
    (el.textContent || "").slice(0, 200) };
}))()`;

/** One plot as PLOT_STATE_JS sees it. */
export interface PlotState {
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

/** Every plot of the page handled: drawn, or a message in its place (the placeholder waits for its script). */
export const PLOTS_SETTLED_JS = `[...document.querySelectorAll(".course-plot")].every((el) =>
  el.querySelector("svg.main-svg") || el.querySelector(".course-plot-missing") ||
  (el.textContent && !el.querySelector(".course-plot-placeholder")))`;

/** Waits until the page's plots are drawn or failed (at most `seconds`; what is still undrawn then is reported). */
export async function plotsSettled(page: Page, seconds = 30): Promise<void> {
  await page.waitForFunction(PLOTS_SETTLED_JS, undefined, { timeout: seconds * 1000, polling: 250 }).catch(
    () => {},
  );
  await page.waitForTimeout(300);
}

/** In the page: a fingerprint of what each plot shows (its traces' data and colour ranges), by plot id. */
export const DATA_PRINT_JS =
  `Object.fromEntries([...document.querySelectorAll(".course-plot")].filter((el) => el.data)
  .map((el) => [el.id, JSON.stringify(el.data.map((t) => [t.x, t.y, t.zmin, t.zmax]))]))`;

/**
 * The interactive figures: each slider is clicked at both ends of its rail; the plot must show something
 * different at the two ends (its steps restyle the data in the page) and raise no errors.
 */
export async function checkSliders(page: Page, report: PageReport): Promise<string[]> {
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

/** The screenshot's path for a report (or one part of its check): build/screens/<name>.<part>.png. */
export async function screenshotPath(name: string, part: string): Promise<string> {
  const path = `${SCREENS}/${name}.${part}.png`;
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  return path;
}

/** A full-page screenshot of a page, noted in the report; Notebook 6's page is unscrolled first. */
export async function pageScreenshot(page: Page, report: PageReport): Promise<void> {
  // Notebook 6 scrolls inside #site: make the whole notebook visible to a full-page screenshot.
  await page.addStyleTag({
    content: "html, body, #site { height: auto !important; overflow: visible !important; }" +
      " #header { position: static !important; }",
  });
  report.screenshot = await screenshotPath(report.name, report.kind);
  await page.screenshot({ path: report.screenshot, fullPage: true });
}

/**
 * A check that stopped on `error`: noted in the report ("did not finish: ..."), then, as far as the page still
 * answers, a screenshot of where it stood and the page code `shutdown` run (the notebook's kernel shut down).
 */
export async function didNotFinish(
  page: Page,
  report: PageReport,
  error: unknown,
  shutdown?: string,
): Promise<void> {
  report.problems.push(`did not finish: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
  await pageScreenshot(page, report).catch(() => {});
  if (shutdown) await page.evaluate(shutdown).catch(() => {});
}
