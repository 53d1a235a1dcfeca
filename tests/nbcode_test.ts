/**
 * The notebooks' code type-checks and lints (tools/nbcode.ts extracts it, since deno check and deno lint do
 * not read .ipynb), and a problem is reported with its notebook, cell and line.
 */
import { assert } from "./assert.ts";
import {
  checkNotebookCode,
  checkNotebookFiles,
  describeProblem,
  NBCODE_DIR,
  rewriteImports,
} from "../tools/nbcode.ts";
import { NOTEBOOKS_DIR } from "../tools/paths.ts";
import { fixtureNotebook } from "./notebooks.ts";

Deno.test("nbcode: relative imports are rewritten to resolve from build/nbcode/", () => {
  assert.equal(
    rewriteImports(`import { Matrix } from "../lib/mod.ts";`),
    `import { Matrix } from "../../lib/mod.ts";`,
  );
  assert.equal(rewriteImports(`import "./local.ts";`), `import "../../notebooks/local.ts";`);
  assert.equal(
    rewriteImports(`const m = await import('../lib/plot.ts');`),
    `const m = await import('../../lib/plot.ts');`,
  );
  // bare and npm specifiers, and relative strings that are not imports, stay as they are
  const unchanged = `import * as tf from "@tensorflow/tfjs";\nconst path = "../data/digits.bin";`;
  assert.equal(rewriteImports(unchanged), unchanged);
  assert.ok(NBCODE_DIR.endsWith("/build/nbcode"));
});

Deno.test("nbcode: a type error and a lint problem are located in their notebook cell and line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const nb = fixtureNotebook([
      { markdown: "# A fixture" },
      `import { rng } from "${NOTEBOOKS_DIR}/../lib/random.ts";\nconst r = rng(1);`,
      { markdown: "text" },
      `console.log(r);\nconst s: string = 3;\nlet unused = 2;\nconsole.log(s);`,
    ]);
    const path = `${dir}/nbcode_test_fixture.ipynb`;
    await Deno.writeTextFile(path, JSON.stringify(nb));
    const problems = await checkNotebookFiles([path]);
    const lines = problems.map(describeProblem);
    const typeError = problems.find((p) => p.code === "TS2322");
    assert.ok(typeError, `expected TS2322 among:\n${lines.join("\n")}`);
    assert.equal(typeError.notebook, "nbcode_test_fixture");
    assert.equal(typeError.span?.cell, 3);
    assert.equal(typeError.span?.codeCell, 2);
    assert.equal(typeError.line, 2);
    const unused = problems.find((p) => p.code === "no-unused-vars");
    assert.ok(unused, `expected no-unused-vars among:\n${lines.join("\n")}`);
    assert.equal(unused.span?.cell, 3);
    assert.equal(unused.line, 3);
    assert.match(
      describeProblem(typeError),
      /^nbcode_test_fixture\.ipynb cell 3 \(In \[2\]: console\.log\(r\);\), line 2:7/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(`${NBCODE_DIR}/nbcode_test_fixture.ts`).catch(() => {});
  }
});

Deno.test("nbcode: every notebook's code passes deno check and deno lint", async () => {
  const problems = await checkNotebookCode();
  assert.deepEqual(problems.map(describeProblem), [], "notebook code problems");
});
