/**
 * Every notebook in notebooks/ executes top to bottom with the Deno kernel, without an error output, and its
 * saved outputs carry no ANSI colour codes (the course's kernel spec sets NO_COLOR=1).
 * Key results of each notebook are asserted in tests/notebook_<nn>_test.ts with the helpers of ./notebooks.ts.
 */
import { assert } from "./assert.ts";
import { describeFailure, listNotebooks } from "../tools/course.ts";
import { findJupyter, kernelSpecInstalled } from "../tools/setup.ts";
import { errorOutputs, outputsText, runNotebookOnce } from "./notebooks.ts";

Deno.test("Jupyter and the course's Deno kernel spec are installed (deno task setup)", () => {
  assert.ok(findJupyter(), "Jupyter (jupyter + jupyter-nbconvert) not found: run `deno task setup`");
  assert.ok(
    kernelSpecInstalled(),
    "the Deno kernel spec with NO_COLOR=1 is not installed: run `deno task setup`",
  );
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
