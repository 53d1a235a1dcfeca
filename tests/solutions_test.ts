/**
 * tools/notebook.ts withSolutions: each folded solution takes the place of its exercise's answer line, so
 * the tests run every notebook with its exercises answered.
 */
import { assert } from "./assert.ts";
import { type Cell, type Notebook, sourceText, withSolutions } from "../tools/notebook.ts";

const code = (source: string): Cell => ({ cell_type: "code", source, metadata: {}, outputs: [] });
const markdown = (source: string): Cell => ({ cell_type: "markdown", source, metadata: {} });
const notebook = (cells: Cell[]): Notebook => ({ cells, metadata: {} });

Deno.test("withSolutions: the solution's code replaces the answer line of the exercise above it", () => {
  const nb = notebook([
    markdown("**Exercise 1.** What is 2 + 2?"),
    code(
      'const answer1: number | undefined = undefined; // your answer\ncheck("exercise 1", answer1, 4, { hint });',
    ),
    markdown(
      "<details><summary>Solution</summary>\n\nAdd.\n\n```ts\nconst answer1 = 2 + 2;\n```\n\n</details>",
    ),
  ]);
  const solved = withSolutions(nb);
  assert.equal(
    sourceText(solved.cells[1]),
    'const answer1 = 2 + 2;\ncheck("exercise 1", answer1, 4, { hint });',
  );
  assert.equal(sourceText(nb.cells[1]).startsWith("const answer1: number | undefined = undefined;"), true);
  assert.equal(solved.cells.length, 3);
});

Deno.test("withSolutions: a solution without an answer line above it is an error naming it", () => {
  const nb = notebook([
    code("const other = 1;"),
    markdown("<details><summary>Solution</summary>\n\n```ts\nconst answer2 = 3;\n```\n</details>"),
  ]);
  assert.throws(() => withSolutions(nb), /no "const answer2 = undefined;" above the solution in cell 1/);
  const none = notebook([
    markdown("<details><summary>Solution</summary>\n\n```ts\nconst x = 3;\n```\n</details>"),
  ]);
  assert.throws(() => withSolutions(none), /defines no answer/);
});
