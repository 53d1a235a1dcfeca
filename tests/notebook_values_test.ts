/**
 * tools/notebook_values.ts: the names a cell declares, and a real run of the probe in the Deno kernel.
 */
import { assert } from "./assert.ts";
import { executeNotebook } from "../tools/course.ts";
import { MAX_NUMBERS, patternNames, topLevelNames } from "../tools/notebook_values.ts";
import { fixtureNotebook, notebookValues, value } from "./notebooks.ts";
import { ROOT } from "../tools/paths.ts";

Deno.test("notebook values: the names of binding patterns", () => {
  assert.deepEqual(patternNames("x"), ["x"]);
  assert.deepEqual(patternNames("x: number[]"), ["x"]);
  assert.deepEqual(patternNames("[a, , b = 2, ...rest]"), ["a", "b", "rest"]);
  assert.deepEqual(patternNames("{ a, b: c, d: [e, f] = [1, 2], ...g }"), ["a", "c", "e", "f", "g"]);
  assert.deepEqual(patternNames("{ x }: { x: number }"), ["x"]);
});

Deno.test("notebook values: only top-level declarations, across lines, every declarator", () => {
  const source = [
    'import { Matrix } from "../lib/mod.ts";',
    "const W = Matrix.from([[1, 2]]);",
    "let eta = 0.1, unused = 2;",
    "const {",
    "  loss,",
    "  accuracy: acc,",
    "} = await train();",
    "export const [first, second] = [1, 2];",
    "for (const k of [1, 2]) {",
    "  const inner = k;",
    "}",
    "function f() {",
    "  const local = 1;",
    "}",
    "const g = (a: number) => a + 1;",
    "const typed: Map<string, number> = new Map();",
    "const many = f(",
    "  1,",
    "  [2, 3],",
    "), more = `a, ${b + \",\"}, c`, last = 'x, y';",
    "const lines = [1, 2]",
    "  .map((v) => v * 2), after = 1;",
    "foo(1, 2);",
  ].join("\n");
  assert.deepEqual(topLevelNames(source), [
    "W",
    "eta",
    "unused",
    "loss",
    "acc",
    "first",
    "second",
    "g",
    "typed",
    "many",
    "more",
    "last",
    "lines",
    "after",
  ]);
});

Deno.test("notebook values: the probe reads every top-level variable of a run, and leaves no cell", async () => {
  const dir = await Deno.makeTempDir({ dir: `${ROOT}/build` }); // under the repo: ../lib resolves from build/x/
  try {
    const nb = fixtureNotebook([
      [
        'import { Matrix, setupBackend } from "../../lib/mod.ts";',
        'import * as tf from "@tensorflow/tfjs";',
        "const W = Matrix.from([[1, 2], [3, 4]]);",
        "const [a, b] = [0.5, NaN];",
        "await setupBackend();",
      ].join("\n"),
      [
        "const t = tf.tensor2d([[1, 2, 3]]);",
        "const gone = tf.scalar(1);",
        "gone.dispose();",
        "const f = (x: number) => x;",
        "const stats = { ok: true, counts: new Map([['x', 1]]), typed: new Float32Array([0.25, 0.5]) };",
        `const big = new Array(${MAX_NUMBERS + 1}).fill(1);`,
        "let later = 1;",
        "later = 2;",
      ].join("\n"),
    ]);
    await Deno.writeTextFile(`${dir}/fixture.ipynb`, JSON.stringify(nb));
    const run = await executeNotebook(`${dir}/fixture.ipynb`, {
      outDir: `${dir}/build`,
      quiet: true,
      values: true,
      html: false,
    });
    assert.ok(run.ok, JSON.stringify(run.failure ?? run.problem));
    const executed = { ...JSON.parse(await Deno.readTextFile(run.executed)), run };
    assert.equal(executed.cells.length, 2, "the probe cell is removed from the saved notebook");
    assert.equal(run.cells, 2);
    assert.deepEqual(await value(executed, "W"), { rows: 2, cols: 2, data: [1, 2, 3, 4] });
    assert.equal(await value(executed, "a"), 0.5);
    assert.equal(await value(executed, "b"), "NaN");
    assert.deepEqual(await value(executed, "t"), [[1, 2, 3]]);
    assert.deepEqual(await value(executed, "stats"), { ok: true, counts: { x: 1 }, typed: [0.25, 0.5] });
    assert.equal(await value(executed, "later"), 2, "the value at the end of the run");
    const { skipped } = await notebookValues(executed);
    assert.deepEqual(Object.keys(skipped).sort(), ["big", "f", "gone"]);
    assert.match(skipped.big, /more than 200000 numbers/);
    await assert.rejects(
      () => value(executed, "nothing"),
      /no value for "nothing": no such top-level variable/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
