/**
 * `deno run -A tools/snapshot.ts [build/*.ipynb ...]`: adds a static picture (`image/png`) beside every
 * plotly output of executed notebooks, so that the plots show where scripts do not run (GitHub, nbviewer
 * without JavaScript, a PDF). The pictures are rendered by headless Chromium with the course's own
 * plotly.js (`Plotly.toImage`), offline. Without Chromium it prints one line and changes nothing: the
 * notebooks and the HTML pages still work, they just carry no pictures.
 *
 * No browser driver is needed: one page per notebook draws every figure, writes the PNGs into the page,
 * and Chromium's `--dump-dom` hands the page back.
 */
import { joinText, type Notebook, type Output, PLOTLY_MIME } from "./notebook.ts";
import { BUILD_DIR, fromRoot, isFile, listFiles, ROOT } from "./paths.ts";

/** Where plotly.js lies (the npm package). */
const PLOTLY_JS = `${ROOT}/node_modules/plotly.js-dist-min/plotly.min.js`;
/** Width of pictures of figures that fill the output area (pixels): a notebook's usual output width. */
const DEFAULT_WIDTH = 800;
const DEFAULT_HEIGHT = 380;

/** A plotly figure as the notebook holds it. */
export interface PlotlyFigure {
  data: unknown[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** Chromium's executable: $CHROMIUM, else the first of the usual names on PATH; undefined if none. */
export function findChromium(): string | undefined {
  const fromEnv = Deno.env.get("CHROMIUM");
  const candidates = [
    ...(fromEnv ? [fromEnv] : []),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
  ];
  return candidates.find(isFile);
}

/** Flags for headless Chromium in containers and CI: no sandbox, no GPU, no network chatter. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--allow-file-access-from-files",
];

/** Every plotly output of a notebook, in order. */
export function plotlyOutputs(nb: Pick<Notebook, "cells">): Output[] {
  return nb.cells.flatMap((cell) => cell.outputs ?? []).filter((o) =>
    (o.output_type === "display_data" || o.output_type === "execute_result") && o.data?.[PLOTLY_MIME]
  );
}

/** The size of a figure's picture: its own width and height, else the defaults. */
export function pictureSize(fig: PlotlyFigure): { width: number; height: number } {
  const w = fig.layout?.width, h = fig.layout?.height;
  return {
    width: typeof w === "number" ? w : DEFAULT_WIDTH,
    height: typeof h === "number" ? h : DEFAULT_HEIGHT,
  };
}

/** The page that draws each figure, turns it into a PNG and writes the list into <pre id="result">. */
export function snapshotPage(figures: PlotlyFigure[]): string {
  const json = JSON.stringify(figures.map((f) => ({ ...f, size: pictureSize(f) }))).replace(/</g, "\\u003c");
  return `<!doctype html>
<html><head><meta charset="utf-8"></head><body>
<script src="file://${PLOTLY_JS}"></script>
<script>
(async function () {
  var figures = ${json}, out = [];
  for (var i = 0; i < figures.length; i++) {
    var f = figures[i], div = document.createElement("div");
    document.body.appendChild(div);
    try {
      var layout = Object.assign({}, f.layout, { width: f.size.width, height: f.size.height });
      await Plotly.newPlot(div, f.data, layout, { staticPlot: true });
      out.push(await Plotly.toImage(div, { format: "png", width: f.size.width, height: f.size.height, scale: 1 }));
    } catch (e) {
      out.push("ERROR " + e);
    }
    Plotly.purge(div);
    div.remove();
  }
  var pre = document.createElement("pre");
  pre.id = "result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script></body></html>`;
}

/** Renders figures to PNG (base64, no data: prefix) with headless Chromium; an Error per figure that failed. */
export async function renderFigures(figures: PlotlyFigure[], chromium: string): Promise<(string | Error)[]> {
  if (figures.length === 0) return [];
  const dir = await Deno.makeTempDir({ prefix: "course-snapshot-" });
  try {
    const page = `${dir}/page.html`;
    await Deno.writeTextFile(page, snapshotPage(figures));
    const { success, stdout, stderr } = await new Deno.Command(chromium, {
      args: [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${dir}/profile`,
        // Virtual time runs the page's timers and promises to completion before the DOM is dumped.
        `--virtual-time-budget=${30_000 + 5_000 * figures.length}`,
        "--dump-dom",
        `file://${page}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dom = new TextDecoder().decode(stdout);
    const m = /<pre id="result">([^<]*)<\/pre>/.exec(dom);
    if (!success || !m) {
      const why = new TextDecoder().decode(stderr).split("\n").filter((l) => l.trim()).slice(-3).join(" / ");
      throw new Error(`snapshot: Chromium did not render the figures (${why || "no result in the page"})`);
    }
    const list = JSON.parse(unescapeHtml(m[1])) as string[];
    return list.map((s) =>
      s.startsWith("data:image/png;base64,") ? s.slice("data:image/png;base64,".length) : new Error(s)
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function unescapeHtml(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Result of snapshotting one notebook. */
export interface SnapshotResult {
  /** The notebook, as given. */
  path: string;
  /** Its plotly outputs. */
  figures: number;
  /** Pictures added (one per figure that rendered). */
  added: number;
  /** One line per figure that did not render. */
  errors: string[];
}

/** Adds `image/png` beside each plotly output of one executed notebook (rewritten in place). */
export async function snapshotNotebook(path: string, chromium: string): Promise<SnapshotResult> {
  const nb = JSON.parse(await Deno.readTextFile(path)) as Notebook;
  const outputs = plotlyOutputs(nb);
  const figures = outputs.map((o) => o.data![PLOTLY_MIME] as PlotlyFigure);
  const pictures = await renderFigures(figures, chromium);
  const errors: string[] = [];
  let added = 0;
  pictures.forEach((png, i) => {
    if (png instanceof Error) {
      errors.push(`figure ${i + 1}: ${png.message}`);
      return;
    }
    const o = outputs[i];
    o.data!["image/png"] = png;
    const html = o.data!["text/html"];
    if (typeof html === "string" || Array.isArray(html)) {
      o.data!["text/html"] = withPicture(joinText(html), png, figures[i]);
    }
    o.metadata = { ...(o.metadata ?? {}), "image/png": pictureSize(figures[i]) };
    added += 1;
  });
  if (added > 0) await Deno.writeTextFile(path, JSON.stringify(nb, null, 1) + "\n");
  return { path, figures: figures.length, added, errors };
}

const PLACEHOLDER =
  /<p class="course-plot-placeholder"[^>]*>[\s\S]*?<\/p>|<img class="course-plot-image"[^>]*>/;

/**
 * The figure's HTML with its picture in the placeholder (lib/plot.ts), so that where no script runs (an
 * untrusted notebook in Jupyter, GitHub) the plot still shows; the script replaces it with the live plot.
 */
export function withPicture(html: string, png: string, fig: PlotlyFigure): string {
  const { width } = pictureSize(fig);
  const title = String((fig.layout?.title as { text?: string } | undefined)?.text ?? "plot").replace(
    /[<>"&]/g,
    "",
  );
  const img = `<img class="course-plot-image" src="data:image/png;base64,${png}" alt="${title}" ` +
    `style="width:${width}px;max-width:100%;">`;
  return PLACEHOLDER.test(html) ? html.replace(PLACEHOLDER, () => img) : html;
}

/** Snapshots notebooks; returns the results, or undefined (after one line) when Chromium is missing. */
export async function snapshot(paths: string[], log = console.log): Promise<SnapshotResult[] | undefined> {
  const chromium = findChromium();
  if (!chromium) {
    log(
      "snapshot: Chromium not found (set CHROMIUM=/path/to/chromium): notebooks keep their plots without PNG copies",
    );
    return undefined;
  }
  const results: SnapshotResult[] = [];
  for (const path of paths) results.push(await snapshotNotebook(path, chromium));
  return results;
}

if (import.meta.main) {
  const paths = Deno.args.length > 0
    ? Deno.args
    : listFiles(BUILD_DIR, ".ipynb").map((file) => `${BUILD_DIR}/${file}`);
  if (paths.length === 0) {
    console.log("snapshot: no executed notebooks in build/ (run `deno task course` first)");
    Deno.exit(0);
  }
  const results = await snapshot(paths);
  let failed = false;
  for (const r of results ?? []) {
    console.log(`snapshot: ${fromRoot(r.path)}: ${r.added} of ${r.figures} plots as PNG`);
    for (const e of r.errors) console.log(`  ${e}`);
    failed ||= r.errors.length > 0;
  }
  Deno.exit(failed ? 1 : 0);
}
