/** Tests of tools/snapshot.ts: plotly outputs found, pictures sized, PNGs added (with Chromium, where present). */
import { assert } from "./assert.ts";
import {
  findChromium,
  pictureSize,
  plotlyOutputs,
  snapshotNotebook,
  snapshotPage,
  withPicture,
} from "../tools/snapshot.ts";
import { type Notebook, PLOTLY_MIME } from "../tools/notebook.ts";
import { bundle, newPlotSession } from "../lib/jupyter.ts";
import { lines } from "../lib/plot.ts";

/** A small executed notebook: one plot, one text output, one plot as a cell's result. */
function notebook(): Notebook {
  const session = newPlotSession();
  const plot = (title: string, height?: number) =>
    bundle(lines([{ name: "a", y: [3, 1, 2] }], { title, xTitle: "x", yTitle: "y", height }), session);
  return {
    cells: [
      { cell_type: "markdown", source: ["# t"], metadata: {} },
      {
        cell_type: "code",
        source: [],
        metadata: {},
        outputs: [{ output_type: "display_data", data: plot("first"), metadata: {} }],
      },
      {
        cell_type: "code",
        source: [],
        metadata: {},
        outputs: [{ output_type: "stream", name: "stdout", text: ["hi\n"] }],
      },
      {
        cell_type: "code",
        source: [],
        metadata: {},
        outputs: [{ output_type: "execute_result", data: plot("second", 300), metadata: {} }],
      },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
}

Deno.test("snapshot: finds every plotly output, display or result", () => {
  const outputs = plotlyOutputs(notebook());
  assert.equal(outputs.length, 2);
  assert.ok(outputs.every((o) => o.data?.[PLOTLY_MIME]));
});

Deno.test("snapshot: picture size from the figure's layout, defaults otherwise", () => {
  assert.deepEqual(pictureSize({ data: [], layout: { width: 560, height: 480 } }), {
    width: 560,
    height: 480,
  });
  assert.deepEqual(pictureSize({ data: [], layout: {} }), { width: 800, height: 380 });
});

Deno.test("snapshot: a second run replaces the picture instead of adding another", () => {
  const html = '<div id="p"><p class="course-plot-placeholder" style="x">text</p></div><script></script>';
  const once = withPicture(html, "AAAA", { data: [], layout: { title: { text: "T" } } });
  assert.match(once, /<div id="p"><img class="course-plot-image" src="data:image\/png;base64,AAAA" alt="T"/);
  const twice = withPicture(once, "BBBB", { data: [] });
  assert.equal(twice.split("course-plot-image").length - 1, 1);
  assert.ok(twice.includes("base64,BBBB"));
});

Deno.test("snapshot: the page loads plotly.js from disk and cannot be broken by a title", () => {
  const page = snapshotPage([{ data: [], layout: { title: { text: "</script><script>alert(1)" } } }]);
  assert.match(page, /<script src="file:\/\/[^"]+plotly\.min\.js"><\/script>/);
  assert.ok(!page.includes("</script><script>alert"), "the JSON is escaped");
});

Deno.test({
  name: "snapshot: headless Chromium adds a PNG beside each plotly output",
  ignore: findChromium() === undefined,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/nb.ipynb`;
      await Deno.writeTextFile(path, JSON.stringify(notebook()));
      const result = await snapshotNotebook(path, findChromium()!);
      assert.deepEqual(result.errors, []);
      assert.equal(result.added, 2);
      const outputs = plotlyOutputs(JSON.parse(await Deno.readTextFile(path)));
      for (const [i, o] of outputs.entries()) {
        const png = Uint8Array.from(atob(o.data!["image/png"] as string), (c) => c.charCodeAt(0));
        assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47], "a PNG file");
        // PNG header: width and height, big-endian, at bytes 16 and 20.
        const view = new DataView(png.buffer);
        assert.deepEqual([view.getUint32(16), view.getUint32(20)], [800, i === 0 ? 380 : 300]);
        assert.ok(o.data!["text/html"] && o.data![PLOTLY_MIME], "the interactive views stay");
        const html = o.data!["text/html"] as string;
        assert.ok(
          html.includes('<img class="course-plot-image" src="data:image/png;base64,'),
          "picture in the HTML",
        );
        assert.ok(!html.includes("course-plot-placeholder"), "in place of the placeholder");
        assert.ok(html.includes("Plotly.newPlot"), "the live plot still replaces it");
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
