/** Tests of lib/jupyter.ts: display bundles are well-formed and safe, plotly.js goes out once, text outside a kernel. */
import { assert } from "./assert.ts";
import {
  bundle,
  describe,
  display,
  figureJson,
  injectPlotly,
  newPlotSession,
  plotlyPath,
  plotlyVersion,
  print,
  show,
} from "../lib/jupyter.ts";
import { figure, lines, type Trace } from "../lib/plot.ts";
import { heatmap } from "../lib/heatmap.ts";
import { neuronExplorer } from "../lib/widgets.ts";
import { setLanguage } from "../lib/language.ts";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const axes = { title: "T", xTitle: "x", yTitle: "y" };

/** The text of a layout title ({ text } in plotly.js 3+). */
function text(title: unknown): string {
  return (title as { text: string }).text;
}

/** The JSON object that Plotly.newPlot gets in a figure's HTML. */
function htmlFigure(html: string): { data: Trace[]; layout: Record<string, unknown> } {
  const m = /var fig = (\{.*\});\n/.exec(html);
  assert.ok(m, "figure JSON in the HTML");
  return JSON.parse(m[1]);
}

Deno.test("bundle: plotly JSON, HTML with a div and Plotly.newPlot, and a text line", () => {
  const fig = lines([{ name: "train", y: [3, 2, 1] }], { title: "Loss", xTitle: "epoch", yTitle: "L" });
  const b = bundle(fig, newPlotSession());
  assert.deepEqual(Object.keys(b).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
  // The plotly MIME holds plain JSON (what a front end receives after serialisation).
  const json = b[PLOTLY_MIME] as { data: Trace[]; layout: Record<string, unknown> };
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
  assert.deepEqual(json.data[0].y, [3, 2, 1]);
  assert.equal(text(json.layout.title), "Loss");
  const html = b["text/html"] as string;
  const id = /<div id="(course-plot-1-[0-9a-f]{8})"/.exec(html)?.[1];
  assert.ok(id, "a div with a counted id");
  assert.ok(html.includes(`querySelectorAll('div[id="${id}"]')`), "the script finds its div");
  assert.ok(html.includes("Plotly.newPlot(el, fig.data, fig.layout, fig.config)"));
  assert.match(html, /<p class="course-plot-placeholder"[^>]*>Interactive plot "Loss": drawn by JavaScript/);
  assert.ok(
    html.indexOf(`el.innerHTML = ""`) < html.indexOf("Plotly.newPlot(el"),
    "placeholder cleared first",
  );
  assert.deepEqual(htmlFigure(html).data, json.data, "the HTML draws the same figure");
  assert.match(b["text/plain"], /Loss/);
  assert.match(b["text/plain"], /1 trace/);
});

Deno.test("bundle: every script in the HTML is valid JavaScript, with no script tag inside another", () => {
  const session = newPlotSession();
  for (const fig of [lines([{ name: "a", y: [1, 2] }], axes), heatmap([[1, 2]], axes), neuronExplorer()]) {
    const html = bundle(fig, session)["text/html"] as string;
    const scripts = [...html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.ok(scripts.length >= 1);
    for (const body of scripts) {
      assert.ok(!/<script/i.test(body), "no nested <script>");
      new Function(body); // throws a SyntaxError if the browser could not run it
    }
  }
});

Deno.test("bundle: plotly.js is injected once per session, inline, with the npm package's source", () => {
  const session = newPlotSession();
  const first = bundle(lines([{ name: "a", y: [1, 2] }], axes), session)["text/html"] as string;
  const second = bundle(lines([{ name: "b", y: [1, 2] }], axes), session)["text/html"] as string;
  const source = Deno.readTextFileSync(plotlyPath);
  const marker = source.slice(0, 40); // the plotly.js banner
  assert.equal(first.split(marker).length - 1, 1, "first figure carries plotly.js once");
  assert.equal(second.split(marker).length - 1, 0, "second figure does not");
  assert.ok(first.indexOf(marker) < first.indexOf("<div id="), "plotly.js comes before the figure's div");
  assert.ok(first.length > source.length, "the whole library, inline (offline)");
  assert.ok(!/<script[^>]+src=/.test(first), "no external script");
  assert.match(second, /id="course-plot-2-/);
  // A fresh session (a new kernel) gives the same HTML again: ids are deterministic.
  const again = bundle(lines([{ name: "a", y: [1, 2] }], axes), newPlotSession())["text/html"];
  assert.equal(again, first);
});

Deno.test("bundle: a missing Plotly shows a message, not a JavaScript error", () => {
  const html = bundle(lines([{ name: "a", y: [1] }], axes), {
    count: 0,
    injected: true,
  })["text/html"] as string;
  assert.match(html, /typeof window\.Plotly !== "undefined"/);
  assert.match(html, /course-plot-missing/);
  assert.match(html, /injectPlotly\(\)/);
});

// A page reload while the kernel runs on: the kernel does not send plotly.js again, so a figure shown after
// it finds no Plotly in the page and takes the copy the first figure's HTML left in the browser (IndexedDB).
// The scripts run below in a stand-in page: a fake IndexedDB shared by the "pages" of one browser, a div,
// and a fake plotly.js in place of the real one (which needs a real DOM); tools/browser_test.ts checks the
// same in Chromium, in Notebook 6 and JupyterLab.

/** What a stand-in page shows: its window, and the figure div's state. */
interface FakePage {
  window: Record<string, unknown>;
  div: { innerHTML: string; drawn?: unknown; style: Record<string, string>; attrs: Map<string, string> };
}

/** A browser's IndexedDB holding one database with one store, kept in `kept` (key -> value). */
function fakeIndexedDB(kept: Map<string, unknown>) {
  const later = (f: () => void) => setTimeout(f, 0);
  const store = {
    put(value: unknown, key: string) {
      kept.set(key, value);
    },
    get(key: string) {
      const req: { result?: unknown; onsuccess?: () => void } = {};
      later(() => {
        req.result = kept.get(key);
        req.onsuccess?.();
      });
      return req;
    },
  };
  const db = { createObjectStore() {}, transaction: () => ({ objectStore: () => store }) };
  return {
    open() {
      const req: { result: typeof db; onupgradeneeded?: () => void; onsuccess?: () => void } = { result: db };
      later(() => req.onsuccess?.());
      return req;
    },
  };
}

/** A fake plotly.js: defines window.Plotly, whose newPlot marks the div as drawn with the figure's data. */
const FAKE_PLOTLY =
  "window.Plotly = { newPlot: function (el, data) { el.drawn = data; return Promise.resolve(); } };";

/** The first figure's HTML with the fake plotly.js in place of the real library. */
function withFakePlotly(html: string): string {
  const head = "var load = function () {\n";
  const start = html.indexOf(head) + head.length;
  const end = html.indexOf('\n  };\n  if (typeof window.Plotly === "undefined")');
  assert.ok(start >= head.length && end - start > 1e6, "plotly.js inside the load function");
  return html.slice(0, start) + FAKE_PLOTLY + html.slice(end);
}

/** Runs a figure output's scripts in a new stand-in page (a live Jupyter page unless `exported`). */
async function runInPage(html: string, idb: ReturnType<typeof fakeIndexedDB>, exported = false) {
  const page: FakePage = {
    window: exported ? {} : { Jupyter: {} },
    div: { innerHTML: "placeholder", style: {}, attrs: new Map() },
  };
  const div = {
    get innerHTML() {
      return page.div.innerHTML;
    },
    set innerHTML(v: string) {
      page.div.innerHTML = v;
    },
    set drawn(data: unknown) {
      page.div.drawn = data;
    },
    style: page.div.style,
    getAttribute: (k: string) => page.div.attrs.get(k) ?? null,
    setAttribute: (k: string, v: string) => page.div.attrs.set(k, v),
  };
  const document = {
    querySelectorAll: () => [div],
    getElementById: () => null,
    createElement: () => ({ text: "" }),
    head: { appendChild: (s: { text: string }) => run(s.text) },
  };
  const run = (body: string) =>
    new Function("window", "document", "indexedDB", body)(page.window, document, idb);
  for (const [, body] of html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)) run(body);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  return page;
}

Deno.test("bundle: after a page reload, a figure draws with the copy of plotly.js the browser kept", async () => {
  const session = newPlotSession();
  const first = withFakePlotly(
    bundle(lines([{ name: "a", y: [1, 2] }], axes), session)["text/html"] as string,
  );
  const second = bundle(lines([{ name: "b", y: [3, 4] }], axes), session)["text/html"] as string;
  const kept = new Map<string, unknown>();
  const idb = fakeIndexedDB(kept);
  const page1 = await runInPage(first, idb);
  assert.ok(page1.window.Plotly, "the first figure's HTML defines Plotly");
  assert.deepEqual((page1.div.drawn as Trace[])[0].y, [1, 2]);
  assert.equal(kept.size, 1, "a live Jupyter page keeps one copy");
  assert.ok(String(kept.get("plotly.js")).includes(FAKE_PLOTLY), "the copy is the library itself");
  // The reload: a new page, the same browser storage; the kernel sends no plotly.js with the second figure.
  const page2 = await runInPage(second, idb);
  assert.deepEqual((page2.div.drawn as Trace[])[0].y, [3, 4], "drawn with the kept copy");
  assert.ok(!page2.div.innerHTML.includes("course-plot-missing"));
});

Deno.test("bundle: after a reload in a browser that kept no copy, the figure says plotly.js is missing", async () => {
  const session = newPlotSession();
  bundle(lines([{ name: "a", y: [1, 2] }], axes), session);
  const second = bundle(lines([{ name: "b", y: [3, 4] }], axes), session)["text/html"] as string;
  const page = await runInPage(second, fakeIndexedDB(new Map()));
  assert.equal(page.div.drawn, undefined);
  assert.match(page.div.innerHTML, /course-plot-missing/);
  assert.match(page.div.innerHTML, /injectPlotly\(\)/);
});

Deno.test("bundle: an exported HTML page (no Jupyter) draws from its own plotly.js and keeps no copy", async () => {
  const first = withFakePlotly(
    bundle(lines([{ name: "a", y: [1, 2] }], axes), newPlotSession())["text/html"] as string,
  );
  const kept = new Map<string, unknown>();
  const page = await runInPage(first, fakeIndexedDB(kept), true);
  assert.deepEqual((page.div.drawn as Trace[])[0].y, [1, 2]);
  assert.equal(kept.size, 0);
});

Deno.test("bundle: JSON is script-safe and drops typed arrays and non-finite numbers", () => {
  const fig = figure([{ type: "scatter", name: "</script><b>", y: new Float32Array([0.1, NaN, Infinity]) }], {
    title: { text: "a </script> b" },
  });
  const html = bundle(fig, { count: 0, injected: true })["text/html"] as string;
  assert.equal(html.split("</script>").length - 1, 1, "only the script's own closing tag");
  const parsed = JSON.parse(figureJson(fig));
  // Float32 0.1 is 0.100000001490116...; 6 significant digits keep notebooks small.
  assert.deepEqual(parsed.data[0].y, [0.1, null, null]);
  assert.equal(htmlFigure(html).data[0].name, "</script><b>");
});

/** The lines console.log receives while `run` runs (outside a kernel, where every output is printed). */
async function logsOf(run: () => Promise<void>): Promise<string[]> {
  const logged: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    await run();
  } finally {
    console.log = original;
  }
  return logged;
}

Deno.test("show: outside a kernel prints the text line and does not throw", async () => {
  const logged = await logsOf(() =>
    show(lines([{ name: "a", y: [1, 2] }], { title: "Printed", xTitle: "x", yTitle: "y" }))
  );
  assert.equal(logged.length, 1);
  assert.match(logged[0], /^\[plot\] Printed/);
});

Deno.test("print: outside a kernel it is console.log (strings as they are, values inspected)", async () => {
  assert.deepEqual(await logsOf(() => print("loss", 0.5, [1, 2], { a: 1 })), ["loss 0.5 [ 1, 2 ] { a: 1 }"]);
});

Deno.test("display: outside a kernel prints the bundle's text, or says it was meant for a notebook", async () => {
  assert.deepEqual(await logsOf(() => display({ "text/html": "<b>7</b>", "text/plain": "7" })), ["7"]);
  assert.deepEqual(await logsOf(() => display({ "text/html": "<b>7</b>" })), ["[output for a notebook]"]);
});

Deno.test("describe: title, trace count and names, axis titles", () => {
  const fig = lines([{ name: "train", y: [1] }, { name: "test", y: [2] }], {
    title: "Loss",
    xTitle: "epoch",
    yTitle: "L",
  });
  assert.equal(describe(fig), "[plot] Loss (2 traces, scatter: train, test; x: epoch, y: L)");
});

Deno.test("bundle: any plotly figure object will do, not only the charts' Figure", () => {
  const plain = { data: [{ type: "bar", name: "a", y: [1, 2] }], layout: { title: "Plain" }, config: {} };
  const b = bundle(plain, newPlotSession());
  assert.deepEqual(b[PLOTLY_MIME], plain);
  assert.equal(b["text/plain"], "[plot] Plain (1 trace, bar)");
  assert.equal(htmlFigure(b["text/html"] as string).layout.title, "Plain");
});

Deno.test("plotlyVersion: the version of the npm package that is read from disk", async () => {
  const pkg = JSON.parse(await Deno.readTextFile(new URL("package.json", plotlyPath)));
  assert.equal(plotlyVersion(), pkg.version);
});

Deno.test("injectPlotly: outside a kernel it sends nothing and prints nothing", async () => {
  assert.deepEqual(await logsOf(injectPlotly), []);
});

Deno.test("describe and the placeholder follow the language; the numbers stay", () => {
  const fig = lines([{ name: "train", y: [1] }, { name: "test", y: [2] }], {
    title: "损失",
    xTitle: "轮次",
    yTitle: "L",
  });
  setLanguage("zh");
  try {
    assert.equal(describe(fig), "[图] 损失（2 组数据，曲线或散点：train、test；横轴：轮次，纵轴：L）");
    assert.equal(describe(figure([{ type: "bar", y: [1] }], {})), "[图] 无标题（1 组数据，柱状图）");
    const html = bundle(fig, newPlotSession())["text/html"] as string;
    assert.match(
      html,
      /<p class="course-plot-placeholder"[^>]*>交互图“损失”：运行这个单元格时由 JavaScript 绘制/,
    );
    assert.ok(html.includes(`el.textContent = "无法绘制这张图：" + e;`));
  } finally {
    setLanguage("en");
  }
  assert.equal(describe(figure([{ type: "bar", y: [1] }], {})), "[plot] untitled (1 trace, bar)");
});
