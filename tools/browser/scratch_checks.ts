/**
 * The checks on scratch notebooks written for them (under build/, removed after): Kernel > Interrupt stops a
 * training, a plot draws after a page reload, the playground's figure changes while it trains.
 */
import type { Browser } from "playwright-core";
import type { Notebook } from "../notebook.ts";
import { BUILD_DIR } from "../paths.ts";
import {
  ALL_DONE_JS,
  type FrontEnd,
  JUPYTERLAB,
  KERNEL_READY_JS,
  NOTEBOOK6,
  onPageError,
  RUN_ALL_JS,
  runAndWait,
  waitFor,
} from "./front_ends.ts";
import { outputKind, type RunCell } from "./placement.ts";
import {
  didNotFinish,
  finish,
  newReport,
  type PageReport,
  pageScreenshot,
  PLOT_STATE_JS,
  plotProblems,
  plotsSettled,
  type PlotState,
  screenshotPath,
} from "./report.ts";
import { type Server, shutdownSessions } from "./server.ts";

/** The Kernel > Interrupt check's name: its row in the summary, its screenshot, the filter that selects it. */
export const INTERRUPT_CHECK = "kernel_interrupt";
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
export async function checkInterrupt(browser: Browser, server: Server): Promise<PageReport> {
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
    await pageScreenshot(page, report);
    await page.evaluate("Jupyter.notebook.session.delete()").catch(() => {});
  } catch (e) {
    await didNotFinish(page, report, e, "Jupyter.notebook.session.delete()");
  } finally {
    await page.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return finish(report, started);
}

/** The live playground check's name: its rows, its screenshots, the filter that selects it. */
export const PLAYGROUND_CHECK = "playground_live";

/**
 * The scratch notebook of the playground check: one training on the spiral long enough to watch (seconds),
 * then a cell that uses its result. Lives in build/playground_live/, away from the saved notebooks' check.
 */
function playgroundNotebook(): Notebook {
  const cells = [
    // A first plot brings plotly.js into the page, so that the live figure draws from its first redraw.
    `import { lines, playground, print, show } from "../../lib/mod.ts";
await show(lines([{ name: "a line", y: [1, 2, 3] }], { title: "plotly.js loaded", xTitle: "x", yTitle: "y" }));`,
    `const run = await playground({ data: "spiral", depth: 3, width: 16, eta: 0.1, epochs: 6000, seed: 1 });`,
    "await print(`after the training: ${run.frames.length} frames, ${run.updates} live redraws`);",
  ];
  return scratchNotebook(cells);
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

/**
 * The playground trains live, in Notebook 6 or JupyterLab (`lab`): runs the scratch notebook through the page,
 * takes two screenshots of its one output while the title says "live" (they must differ: the figure changes
 * during training), then, when the kernel is idle, a third: the recorded replay with its slider, whose plane
 * shows a boundary (the network's output on both sides of 50%, its heatmap drawn). The next cell must run.
 */
export async function checkPlaygroundLive(
  browser: Browser,
  server: Server,
  lab: boolean,
): Promise<PageReport> {
  const started = performance.now();
  const name = lab ? `${PLAYGROUND_CHECK}_jupyterlab` : PLAYGROUND_CHECK;
  const report = newReport(name, "notebook");
  const dir = `${BUILD_DIR}/${PLAYGROUND_CHECK}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/${name}.ipynb`, JSON.stringify(playgroundNotebook(), null, 1));
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  onPageError(page, lab ? JUPYTERLAB : NOTEBOOK6, report.problems);
  page.on("dialog", (d) => d.dismiss().catch(() => {}));
  const plot = async () => await page.evaluate(LIVE_PLOT_JS) as LivePlot | null;
  // The output is rebuilt at every redraw, so the picture is cut from the page where the plot is now.
  const shot = async (k: string) => {
    const path = await screenshotPath(name, k);
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
    await pageScreenshot(page, report).catch(() => {});
  } catch (e) {
    await didNotFinish(page, report, e);
  } finally {
    await page.close();
    // This notebook's kernel is not needed any more.
    await shutdownSessions(server, PLAYGROUND_CHECK);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return finish(report, started);
}

/** The page reload check's name: its row in the summary, its screenshot, the filter that selects it. */
export const RELOAD_CHECK = "plot_reload";

/**
 * A plot shown after a page reload draws: in a scratch notebook (build/plot_reload/), the first cell shows a
 * plot (the kernel's first: it carries plotly.js); then the page is reloaded, the kernel running on, so the
 * page has no plotly.js and the kernel does not send it again; the second cell's plot must draw all the same
 * (lib/jupyter.ts: from the copy the browser kept), not show the "needs plotly.js" notice.
 */
export async function checkReload(browser: Browser, server: Server, fe: FrontEnd): Promise<PageReport> {
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
    await pageScreenshot(page, report);
    await page.evaluate(fe.shutdown).catch(() => {});
  } catch (e) {
    await didNotFinish(page, report, e, fe.shutdown);
  } finally {
    await page.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return finish(report, started);
}
