/**
 * Every notebook in notebooks/ executes top to bottom with the Deno kernel, without an error output, and its
 * saved outputs carry no ANSI colour codes (the course's kernel spec sets NO_COLOR=1).
 * Key results of each notebook are asserted in tests/notebook_<nn>_test.ts with the helpers of ./notebooks.ts.
 */
import { assert } from "./assert.ts";
import { courseJobs, describeFailure, executeNotebook, listNotebooks, table } from "../tools/course.ts";
import { findJupyter, kernelSpec, kernelSpecInstalled } from "../tools/setup.ts";
import { labArgs } from "../tools/lab.ts";
import { errorOutputs, fixtureNotebook, outputsText, runNotebookOnce } from "./notebooks.ts";

Deno.test("Jupyter and the course's Deno kernel spec are installed (deno task setup)", () => {
  assert.ok(findJupyter(), "Jupyter (jupyter + jupyter-nbconvert) not found: run `deno task setup`");
  assert.ok(
    kernelSpecInstalled(),
    "the Deno kernel spec with NO_COLOR=1 is not installed: run `deno task setup`",
  );
});

Deno.test("the kernel spec runs this deno as a Jupyter kernel with NO_COLOR=1", () => {
  const spec = kernelSpec("/opt/deno");
  assert.deepEqual(spec.argv, ["/opt/deno", "jupyter", "--kernel", "--conn", "{connection_file}"]);
  assert.deepEqual(spec.env, { NO_COLOR: "1" });
  assert.equal(spec.language, "typescript");
  assert.equal(spec.display_name, "Deno");
});

Deno.test("deno task lab: root needs --allow-root; the user's options come last", () => {
  assert.deepEqual(labArgs("notebook", ["--port", "8890"], true), [
    "notebook",
    "--allow-root",
    "--port",
    "8890",
  ]);
  assert.deepEqual(labArgs("lab", [], false), ["lab"]);
});

Deno.test("course: fast console.log cells keep their output; a failing cell is named with its error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const nb = fixtureNotebook([
      { markdown: "# fixture" },
      ...[1, 2, 3].map((k) => `console.log("line ${k}");`),
      '// a bad shape\nthrow new Error("shapes (2 x 3) and (4 x 5) do not match");',
      `console.log("never");`,
    ]);
    await Deno.writeTextFile(`${dir}/fixture.ipynb`, JSON.stringify(nb));
    const run = await executeNotebook(`${dir}/fixture.ipynb`, { outDir: `${dir}/build`, quiet: true });
    assert.equal(run.ok, false);
    assert.deepEqual(
      { index: run.failure?.index, codeCell: run.failure?.codeCell, firstLine: run.failure?.firstLine },
      { index: 4, codeCell: 4, firstLine: "// a bad shape" },
    );
    assert.equal(run.failure?.error, "Error: shapes (2 x 3) and (4 x 5) do not match");
    assert.match(describeFailure(run), /^fixture\.ipynb failed at cell 4 \(In \[4\]\): \/\/ a bad shape\n/);
    assert.match(table([run]), /fixture\.ipynb\s+5\s+[\d.]+\s+FAILED at cell 4 \(In \[4\]\)/);
    // The kernel sends a fast cell's console.log after the cell's "idle"; it must still land in that cell.
    const executed = JSON.parse(await Deno.readTextFile(run.executed));
    assert.deepEqual([1, 2, 3].map((k) => outputsText({ ...executed, run, cells: [executed.cells[k]] })), [
      "line 1\n",
      "line 2\n",
      "line 3\n",
    ]);
    assert.deepEqual(executed.cells[5].outputs, [], "cells after the failure do not run");
    assert.ok(
      (await Deno.stat(`${dir}/build/fixture.html`)).isFile,
      "the HTML page is written up to the failure",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const name of listNotebooks()) {
  Deno.test(`notebook ${name} runs without errors`, async () => {
    const run = await runNotebookOnce(name);
    assert.ok(run.ok, describeFailure(run));
    const nb = JSON.parse(await Deno.readTextFile(run.executed));
    assert.deepEqual(errorOutputs(nb), [], `${name}: error outputs`);
    const text = outputsText(nb);
    assert.ok(
      !text.includes("\x1b["),
      `${name}: outputs hold ANSI escape codes (kernel spec without NO_COLOR?)`,
    );
  });
}

Deno.test("deno task course: notebooks at a time from --jobs, else COURSE_JOBS, else one per core", () => {
  assert.equal(courseJobs(["--jobs=3"], "1"), 3);
  assert.equal(courseJobs(["zh"], "1"), 1);
  assert.equal(courseJobs([], undefined), Math.max(1, navigator.hardwareConcurrency));
  assert.throws(
    () => courseJobs(["--jobs=0"], undefined),
    /--jobs \(or COURSE_JOBS\) must be a whole number >= 1, got "0"/,
  );
  assert.throws(() => courseJobs([], "two"), /got "two"/);
});
