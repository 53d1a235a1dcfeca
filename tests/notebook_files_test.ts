/**
 * The committed notebooks of both editions (notebooks/ and notebooks/zh/) are clean: outputs cleared (the executed copies live in build/), and their code
 * cells formatted by `deno fmt`.
 *
 * Why not `deno fmt --check`: Deno 2.9.6 reports every notebook with TypeScript cells as "not formatted",
 * with an empty diff, whenever its incremental cache has not seen the file (a fresh clone, a clean CI
 * machine): the ipynb formatter returns text even when nothing changed (the same bug as denoland/deno#25840
 * for YAML and HTML). So this test formats a copy and compares the bytes.
 */
import { assert } from "./assert.ts";
import type { Cell } from "../tools/notebook.ts";
import { listFiles, NOTEBOOKS_DIR, ROOT } from "../tools/paths.ts";

/** Paths relative to notebooks/: "00_setup.ipynb", ..., "zh/00_setup.ipynb", ... */
const notebooks = [
  ...listFiles(NOTEBOOKS_DIR, ".ipynb"),
  ...listFiles(`${NOTEBOOKS_DIR}/zh`, ".ipynb").map((name) => `zh/${name}`),
];

Deno.test("notebooks: there are notebooks to check", () => {
  assert.ok(notebooks.length >= 1, "no notebooks found in notebooks/");
});

for (const name of notebooks) {
  Deno.test(`notebooks/${name}: committed with outputs cleared`, () => {
    const nb = JSON.parse(Deno.readTextFileSync(`${NOTEBOOKS_DIR}/${name}`));
    const dirty = (nb.cells as Cell[])
      .map((c, i) => ({ c, i }))
      .filter(({ c }) =>
        c.cell_type === "code" && ((c.outputs?.length ?? 0) > 0 || c.execution_count != null)
      )
      .map(({ i }) => i);
    assert.deepEqual(dirty, [], `${name}: code cells ${dirty.join(", ")} hold outputs or execution counts`);
  });
}

Deno.test("notebooks: code cells formatted as deno fmt formats them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nbfmt-" });
  try {
    await Deno.copyFile(`${ROOT}/deno.json`, `${dir}/deno.json`);
    await Deno.mkdir(`${dir}/zh`);
    for (const name of notebooks) await Deno.copyFile(`${NOTEBOOKS_DIR}/${name}`, `${dir}/${name}`);
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", ...notebooks],
      cwd: dir,
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    const unformatted = notebooks.filter((name) =>
      Deno.readTextFileSync(`${dir}/${name}`) !== Deno.readTextFileSync(`${NOTEBOOKS_DIR}/${name}`)
    );
    assert.deepEqual(unformatted, [], `run \`deno fmt notebooks/\`: ${unformatted.join(", ")} not formatted`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
