/** The Jupyter front ends as the browser test drives them (Notebook 6, JupyterLab): page code for each step. */
import type { Page } from "playwright-core";
import { SLIM_OUTPUT_JS } from "./placement.ts";
import type { Server } from "./server.ts";
import { sleep } from "./server.ts";

/** Longest a notebook may take to run all its cells in the browser (seconds). */
export const NOTEBOOK_TIMEOUT_S = Number(Deno.env.get("BROWSER_TEST_TIMEOUT") ?? 1200);

// Code that runs in the page (strings: the page has a DOM and Notebook 6's Jupyter global, Deno has neither).

/** The notebook is open and its kernel connected and answering. */
export const KERNEL_READY_JS = `(() => { const nb = window.Jupyter && Jupyter.notebook;
  return !!(nb && nb.kernel && nb.kernel.is_connected() && nb.kernel.info_reply && nb.kernel.info_reply.status === "ok"); })()`;

/** Autosave off (notebooks/ is never written), outputs cleared, all cells run. */
export const RUN_ALL_JS = `(() => { const nb = Jupyter.notebook;
  nb.set_autosave_interval(0); nb.clear_all_output(); nb.execute_all_cells(); })()`;

/** No code cell queued or running ("In [*]") and the kernel idle. */
export const ALL_DONE_JS = `(() => { const nb = Jupyter.notebook;
  const running = nb.get_cells().some((c) => c.cell_type === "code" && c.input_prompt_number === "*");
  return !running && !nb.kernel_busy && !!document.querySelector("#kernel_indicator_icon.kernel_idle_icon"); })()`;

/** A Jupyter front end as the browser test drives it: page code for each step (run in the page). */
export interface FrontEnd {
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
export const NOTEBOOK6: FrontEnd = {
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
export const JUPYTERLAB: FrontEnd = {
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
export function onPageError(page: Page, fe: FrontEnd, problems: string[]): void {
  page.on("pageerror", (e) => {
    if (!fe.ownErrors?.test(e.message)) problems.push(`page error: ${e.message.slice(0, 300)}`);
  });
}

/** Waits for `js` in the page to be true (polling), at most `seconds`; then throws "`what` within N s". */
export async function waitFor(page: Page, js: string, seconds: number, what: string): Promise<void> {
  await page.waitForFunction(js, undefined, { timeout: seconds * 1000, polling: 500 }).catch(() => {
    throw new Error(`${what} within ${seconds} s`);
  });
}

/** Restarts the page's kernel (a fresh process) and waits until the new one answers. */
export async function restartKernel(page: Page, fe: FrontEnd): Promise<void> {
  const restarted = page.evaluate(fe.restart);
  const timeout = sleep(120_000).then(() => false);
  if (!(await Promise.race([restarted, timeout]))) throw new Error("the kernel did not restart within 120 s");
  await waitFor(page, fe.ready, 120, "the restarted kernel did not answer");
}

/** Starts `js` (Run All, or one cell) and waits, at most `seconds`, until every cell it queued has run. */
export async function runAndWait(
  page: Page,
  fe: FrontEnd,
  js: string,
  seconds = NOTEBOOK_TIMEOUT_S,
): Promise<void> {
  await page.evaluate(js);
  await page.waitForFunction(fe.started, undefined, { timeout: 15_000, polling: 100 }).catch(() => {});
  await waitFor(page, fe.done, seconds, "Run All did not finish");
}
