/**
 * Every notebook in notebooks/ executes top to bottom with the Deno kernel, without an error output, and its
 * saved outputs carry no ANSI colour codes (the course's kernel spec sets NO_COLOR=1).
 * Key results of each notebook are asserted in tests/notebook_<nn>_test.ts with the helpers of ./notebooks.ts.
 */
import { assert } from "./assert.ts";
import { describeFailure, listNotebooks } from "../tools/course.ts";
import { findJupyter, kernelSpec, kernelSpecInstalled } from "../tools/setup.ts";
import { labArgs } from "../tools/lab.ts";
import { errorOutputs, outputsText, runNotebookOnce } from "./notebooks.ts";

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
