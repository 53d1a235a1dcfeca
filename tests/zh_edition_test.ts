/**
 * The Chinese edition (notebooks/zh/) is the English course's code with Chinese text (issue 14):
 *
 * (a) code: for every Chinese notebook, the English one of the same name exists and, with string literals
 *     (a template literal's text parts too; its `${...}` expressions stay) and comments removed, their code
 *     cells are equal one to one, in order (tests/code_tokens.ts, a small scanner, says what else counts as
 *     layout); the same for the folded solutions' fenced code, one to one, in order;
 * (b) language: Han characters are at least 60% of the letters of its markdown (code, formulas, HTML tags and
 *     link addresses not counted);
 * (c) results: both editions executed (tests/notebooks.ts, solutions in place, each once per test run) run
 *     without error, and cell by cell give the same exercise verdicts and the same numbers in their text
 *     outputs (as a multiset per cell: Chinese orders words, and so the numbers in a sentence, differently).
 *     Numbers that are text, not results, are not compared: a value that occurs in the text of the cell's
 *     string literals, in either edition ("2-D" may become 二维, "PC 1" 第一主成分). Nor are timings, by
 *     this rule:
 *     - a time is not compared: a number followed by s, ms, µs, 秒, 毫秒 or 微秒 (as a unit: "2.1s", "15.4 s",
 *       "117.8 ms", "3m 05s"), nor a speed ratio written with x ("58.3x");
 *     - a line that reports a time and no percentage (a timing line: "timing: loop per neuron: 117.8 ms",
 *       "trained in 8.4 s"; progress bars and accuracies carry a %) is not compared at all, nor a line that
 *       reports a speed-up ("faster", 快), which is the ratio of two timings.
 *
 * A Chinese notebook that does not exist yet has its tests skipped with a message; at least one must exist.
 */
import { assert } from "./assert.ts";
import { codeTokens, literalTexts } from "./code_tokens.ts";
import { type ExecutedNotebook, executedNotebook, exerciseVerdicts, outputText } from "./notebooks.ts";
import { type Cell, type Notebook, sourceText, ZH_NOTEBOOKS_DIR } from "../tools/notebook.ts";
import { isFile, listFiles, NOTEBOOKS_DIR } from "../tools/paths.ts";
import { EXERCISE_MIME } from "../lib/exercise.ts";

const english = listFiles(NOTEBOOKS_DIR, ".ipynb").map((f) => f.slice(0, -".ipynb".length));
const chinese = listFiles(ZH_NOTEBOOKS_DIR, ".ipynb").map((f) => f.slice(0, -".ipynb".length));

const read = (path: string): Notebook => JSON.parse(Deno.readTextFileSync(path));
const codeCells = (nb: { cells: Cell[] }) => nb.cells.filter((c) => c.cell_type === "code");
const markdown = (nb: Notebook) =>
  nb.cells.filter((c) => c.cell_type === "markdown").map(sourceText).join("\n\n");

/** The fenced code of each folded solution (`<details>` ... ```ts ... ``` ... `</details>`), in order. */
export function solutionCodes(nb: Notebook): string[] {
  const SOLUTION = /<details>[\s\S]*?```(?:ts|typescript)\n([\s\S]*?)```[\s\S]*?<\/details>/g;
  return [...markdown(nb).matchAll(SOLUTION)].map((m) => m[1]);
}

/** Han characters / all letters of markdown text, with code, formulas, tags and link addresses left out. */
export function hanShare(text: string): { han: number; letters: number } {
  const prose = text
    .replace(/```[\s\S]*?```/g, " ") // fenced code
    .replace(/`[^`\n]*`/g, " ") // inline code
    .replace(/\$\$[\s\S]*?\$\$/g, " ") // display formulas
    .replace(/\$[^$\n]+\$/g, " ") // inline formulas
    .replace(/<[^>\n]*>/g, " ") // HTML tags (their text stays)
    .replace(/\]\([^)\s]*\)/g, "]") // link addresses
    .replace(/https?:\/\/\S+/g, " ");
  const letters = prose.match(/\p{L}/gu)?.length ?? 0;
  const han = prose.match(/\p{Script=Han}/gu)?.length ?? 0;
  return { han, letters };
}

/** One unit of time after a number: s, ms, µs, 秒, 毫秒, 微秒 (not the start of a word: "2 steps" is no time). */
const TIME = /(?:\d+m \d+s\b|\d+h \d+m\b|\d+(?:\.\d+)?(?:e[-+]?\d+)? ?(?:ms|µs|s|毫秒|微秒|秒)(?![A-Za-z]))/g;
const RATIO = /\d+(?:\.\d+)?[x×](?![A-Za-z\d])/g;
const NUMBER = /\d{1,3}(?:,\d{3})+(?![\d])|\d+(?:\.\d+)?(?:e[-+]?\d+)?|\.\d+/g;

/**
 * The numbers a cell's text outputs show, by the rule in the module's comment, sorted: what must be the same
 * in both editions.
 */
export function comparedNumbers(text: string, textNumbers: Set<number> = new Set()): number[] {
  const out: number[] = [];
  for (const line of text.split("\n")) {
    const times = line.match(TIME) ?? [];
    if (times.length > 0 && !line.includes("%")) continue; // a timing line
    if (/faster|快/.test(line)) continue; // a speed-up: the ratio of two timings
    const kept = line.replace(TIME, " ").replace(RATIO, " ");
    for (const m of kept.matchAll(NUMBER)) {
      const value = Number(m[0].replaceAll(",", ""));
      if (!textNumbers.has(value)) out.push(value);
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * Where two executed editions of a notebook differ, code cell by code cell: exercise verdicts, and the numbers
 * of the text outputs by the rule in the module's comment. Empty when they agree.
 */
export function resultDifferences(en: Notebook, zh: Notebook): string[] {
  const a = codeCells(en), b = codeCells(zh);
  const verdicts = (c: Cell) =>
    (c.outputs ?? []).flatMap((o) => {
      const v = o.data?.[EXERCISE_MIME] as { verdict: string } | undefined;
      return v ? [v.verdict] : [];
    });
  const problems: string[] = [];
  a.forEach((cell, k) => {
    const first = sourceText(cell).split("\n")[0];
    const va = verdicts(cell), vb = verdicts(b[k]);
    if (JSON.stringify(va) !== JSON.stringify(vb)) {
      problems.push(`code cell ${k + 1} (${first}): verdicts en ${va} / zh ${vb}`);
    }
    const text = (c: Cell) => (c.outputs ?? []).map(outputText).join("\n");
    // The numbers written in either edition's texts (labels, titles) are text, not results.
    const written = new Set(
      [...literalTexts(sourceText(cell)), ...literalTexts(sourceText(b[k]))].flatMap((t) =>
        [...t.matchAll(NUMBER)].map((m) => Number(m[0].replaceAll(",", "")))
      ),
    );
    const na = comparedNumbers(text(cell), written), nb = comparedNumbers(text(b[k]), written);
    if (JSON.stringify(na) !== JSON.stringify(nb)) {
      const onlyEn = na.filter((x) => !nb.includes(x)), onlyZh = nb.filter((x) => !na.includes(x));
      problems.push(
        `code cell ${k + 1} (${first}): numbers differ: only in en [${onlyEn}], only in zh [${onlyZh}]` +
          (onlyEn.length + onlyZh.length === 0 ? ` (counts differ: ${na.length} / ${nb.length})` : "") +
          `\n  en: ${text(cell).slice(0, 300)}\n  zh: ${text(b[k]).slice(0, 300)}`,
      );
    }
  });
  return problems;
}

Deno.test("zh edition: the scanner takes out texts and comments, and nothing else", () => {
  const same = (a: string, b: string) => assert.deepEqual(codeTokens(a), codeTokens(b), `${a}\n${b}`);
  const differ = (a: string, b: string) => assert.notDeepEqual(codeTokens(a), codeTokens(b), `${a}\n${b}`);
  same(`await print("loss", L); // the loss`, `await print("损失", L); // 损失`);
  same(`import { a } from "../lib/mod.ts";`, `import { a } from "../../lib/mod.ts";`);
  same(
    "print(`epoch ${e} of ${n}: ${f(x, `a ${y}`)}`)",
    "print(`第 ${e} 轮（共 ${n} 轮）：${f(x, `甲 ${y}`)}`)",
  );
  same("f(`a ${x}`)", "f(`${x} 甲`)"); // the words around the value move
  same(`f("a" + "b")`, `f("ab")`);
  same(`f(\n  "a",\n)`, `f("很长")`); // deno fmt's trailing comma
  same(`/* a "quote */ x = 'it\\'s' / 2`, `x = "它" / 2`);
  same(`const r = /"[a-z]"/g.test(s); // "`, `const r = /"[a-z]"/g.test(s);`);
  same(`const q = a.at(-1)! / b[0]; f("x")`, `const q = a.at(-1)! / b[0]; f("甲")`);
  same(`if (!/"/.test(s)) f("x");`, `if (!/"/.test(s)) f("甲");`);
  differ(`f(a, b)`, `f(b, a)`);
  differ("f(`${x}`)", "f(`${y}`)");
  differ("f(`${x}`)", "f(`${x} ${x}`)");
  differ(`const r = /a/g;`, `const r = /b/g;`);
  differ(`x = a / b / c`, `x = a / c / b`);
  differ(`f("a", x)`, `f("a" + x)`);
  differ(`if (ok) { f(); }`, `if (!ok) { f(); }`);
  assert.throws(() => codeTokens(`f("open`), Error, "unterminated string");
  assert.deepEqual(literalTexts('f(`a ${x + `b ${y}`} c`, \'d\', "e") // "f"'), [
    "a ",
    "b ",
    "",
    " c",
    "d",
    "e",
  ]);
});

Deno.test("zh edition: timings are left out of the compared numbers, nothing else", () => {
  assert.deepEqual(
    comparedNumbers(
      "tfjs [####] 4000/4000 100% | epoch's mean C 0.1947 | test accuracy 93.2% | done in 1.1s",
    ),
    [0.1947, 93.2, 100, 4000, 4000],
  );
  assert.deepEqual(comparedNumbers("test accuracy: 93.05% (256-30-10 sigmoid, 5 epochs, 2.1 s)"), [
    5,
    10,
    30,
    93.05,
    256,
  ]);
  assert.deepEqual(comparedNumbers("timing: tfjs matrix product: 2.0 ms (58.3x the loop's speed)"), []);
  assert.deepEqual(comparedNumbers("backpropagation is about 8057 times faster here"), []);
  assert.deepEqual(comparedNumbers("反向传播在这里大约快 8057 倍"), []);
  assert.deepEqual(comparedNumbers("搜索 + 训练用了 27 秒；手工设计 96.55%，搜索到的 97.10%"), [96.55, 97.1]);
  assert.deepEqual(comparedNumbers("8,000 training and 2,000 test images, 3m 05s"), []);
  assert.deepEqual(comparedNumbers("8,000 training and 2,000 test images; 2 steps"), [2, 2000, 8000]);
  assert.deepEqual(comparedNumbers("a = [0.9820, 0.1192], largest difference 3.2e-8"), [
    3.2e-8,
    0.1192,
    0.982,
  ]);
});

Deno.test("zh edition: numbers of the cell's own texts are left out of the compared numbers", () => {
  assert.deepEqual(comparedNumbers("the 2-D projection keeps 21.6% of the variance", new Set([2])), [21.6]);
  assert.deepEqual(comparedNumbers("二维投影保留了 21.6% 的方差", new Set([2])), [21.6]);
});

Deno.test("zh edition: there are Chinese notebooks to check", () => {
  assert.ok(
    chinese.length >= 1,
    `no notebook in notebooks/zh/ (the Chinese edition of ${english.join(", ")})`,
  );
  const orphans = chinese.filter((name) => !english.includes(name));
  assert.deepEqual(orphans, [], "Chinese notebooks without an English one of the same name in notebooks/");
});

for (const name of english) {
  const zhPath = `${ZH_NOTEBOOKS_DIR}/${name}.ipynb`;
  const missing = !isFile(zhPath);
  const skip = missing ? ` (skipped: no notebooks/zh/${name}.ipynb yet)` : "";

  Deno.test({
    name: `zh/${name}: the same code as the English notebook, cell by cell${skip}`,
    ignore: missing,
    fn() {
      const en = read(`${NOTEBOOKS_DIR}/${name}.ipynb`), zh = read(zhPath);
      const a = codeCells(en).map(sourceText), b = codeCells(zh).map(sourceText);
      assert.equal(b.length, a.length, `zh/${name}: ${b.length} code cells, the English one has ${a.length}`);
      const problems: string[] = [];
      a.forEach((source, k) => {
        const x = codeTokens(source), y = codeTokens(b[k]);
        const at = x.findIndex((t, j) => t !== y[j]);
        if (at >= 0 || x.length !== y.length) {
          const where = at >= 0 ? at : Math.min(x.length, y.length);
          problems.push(
            `code cell ${k + 1} (first line: ${source.split("\n")[0]}): differs at token ${where}:\n` +
              `  en: ${x.slice(Math.max(0, where - 8), where + 8).join(" ")}\n` +
              `  zh: ${y.slice(Math.max(0, where - 8), where + 8).join(" ")}`,
          );
        }
      });
      assert.deepEqual(problems, [], `zh/${name}:\n${problems.join("\n")}`);
      assert.ok(
        codeCells(zh).some((c) => /setLanguage\(\s*"zh"\s*\)/.test(sourceText(c))),
        `zh/${name}: its first code cell must choose setLanguage("zh")`,
      );
    },
  });

  Deno.test({
    name: `zh/${name}: the same solutions' code as the English notebook${skip}`,
    ignore: missing,
    fn() {
      const a = solutionCodes(read(`${NOTEBOOKS_DIR}/${name}.ipynb`)), b = solutionCodes(read(zhPath));
      assert.equal(
        b.length,
        a.length,
        `zh/${name}: ${b.length} folded solutions, the English one has ${a.length}`,
      );
      a.forEach((code, k) =>
        assert.deepEqual(codeTokens(b[k]), codeTokens(code), `zh/${name}: solution ${k + 1}`)
      );
    },
  });

  Deno.test({
    name: `zh/${name}: Han characters are at least 60% of the letters of its markdown${skip}`,
    ignore: missing,
    fn() {
      const { han, letters } = hanShare(markdown(read(zhPath)));
      assert.ok(letters > 0, `zh/${name}: no markdown text`);
      assert.ok(
        han / letters >= 0.6,
        `zh/${name}: Han characters are ${(100 * han / letters).toFixed(1)}% of the markdown's letters ` +
          `(${han} of ${letters}), below 60%`,
      );
    },
  });

  Deno.test({
    name: `zh/${name}: both editions run and give the same verdicts and numbers, cell by cell${skip}`,
    ignore: missing,
    async fn() {
      const en = await executedNotebook(name), zh = await executedNotebook(`zh/${name}`);
      const a = codeCells(en), b = codeCells(zh);
      assert.equal(b.length, a.length);
      for (const nb of [en, zh]) {
        const errors = codeCells(nb).flatMap((c) =>
          (c.outputs ?? []).filter((o) => o.output_type === "error")
        );
        assert.deepEqual(errors, [], `${nb.run.name}: error outputs`);
      }
      const problems = resultDifferences(en, zh);
      assert.deepEqual(problems, [], `zh/${name} against ${name}:\n${problems.join("\n")}`);
      assert.deepEqual(
        exerciseVerdicts(zh as ExecutedNotebook).map((v) => v.verdict),
        exerciseVerdicts(en as ExecutedNotebook).map((v) => v.verdict),
      );
    },
  });
}
