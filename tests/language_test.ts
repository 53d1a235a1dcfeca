/**
 * lib/language.ts: the library's learner-facing text in English (the default) and Chinese, chosen once with
 * setLanguage; a bad value is an error that names it. Each test sets the language back to English.
 */
import { assert } from "./assert.ts";
import { language, LANGUAGES, MESSAGES, setLanguage } from "../lib/language.ts";
import { check } from "../lib/exercise.ts";
import { Progress, trainingProgress } from "../lib/progress.ts";
import { datasetsFigure } from "../lib/playground_planes.ts";
import { dataset2d } from "../lib/datasets2d.ts";
import { type GpuLike, setupBackend } from "../lib/backend.ts";
import { type Blas, describeBlas } from "../lib/blas.ts";

const hint = "each example costs ln 10";
const han = /\p{Script=Han}/u;

/** Runs `body` in `lang`, then back in English whatever happens. */
async function inLanguage(lang: "en" | "zh", body: () => void | Promise<void>): Promise<void> {
  setLanguage(lang);
  try {
    await body();
  } finally {
    setLanguage("en");
  }
}

Deno.test("language: English by default; setLanguage switches, language() says which", async () => {
  assert.equal(language(), "en");
  await inLanguage("zh", () => assert.equal(language(), "zh"));
  assert.equal(language(), "en");
  assert.deepEqual([...LANGUAGES], ["en", "zh"]);
});

Deno.test("language: a bad value is an error that names it and the languages there are", () => {
  for (const bad of ["fr", "ZH", "", "zh-CN", undefined, 1]) {
    assert.throws(
      () => setLanguage(bad as unknown as "en"),
      Error,
      `unknown language ${JSON.stringify(bad)}: expected one of "en", "zh"`,
    );
  }
  assert.equal(language(), "en", "a refused value leaves the language as it was");
});

Deno.test("language: both tables have the same texts, and the Chinese ones are Chinese", () => {
  assert.deepEqual(Object.keys(MESSAGES.zh).sort(), Object.keys(MESSAGES.en).sort());
  for (const [key, value] of Object.entries(MESSAGES.zh)) {
    // These take a Divergence or a plot's parts: checked in their own tests (here, tests/jupyter_test.ts).
    if (key === "diverged" || key === "plotDescription") continue;
    const text = typeof value === "function"
      ? (value as (...a: unknown[]) => string)("x", 1, 2, "3", "4")
      : value;
    // Chinese, or nothing to translate: code-like words, or punctuation between the values given ("x").
    const bare = !/\p{L}/u.test(text.replaceAll("x", ""));
    assert.ok(han.test(text) || /^[\w\s()]*$/.test(text) || bare, `${key}: ${text}`);
  }
});

Deno.test("language: exercise feedback in both languages; the hint is the notebook's own string", async () => {
  const right = () => check("exercise 2", 1.386, Math.log(4), { hint }).text;
  const wrong = () => check("exercise 2", 1.38, Math.log(4), { hint }).text;
  const list = () => check("exercise 3", [1, 3], [1, 2], { hint: "提示" }).text;
  const count = () => check("exercise 3", [1], [1, 2], { hint }).text;
  const none = () => check("exercise 4", undefined, 1, { hint }).text;
  const text = () => check("exercise 5", "1" as unknown as number, 1, { hint }).text;
  assert.equal(right(), "exercise 2: right.");
  assert.equal(wrong(), `exercise 2: not yet. Hint: ${hint}`);
  assert.equal(list(), "exercise 3: not yet (number 2 of 2). Hint: 提示");
  assert.equal(count(), "exercise 3: not yet: the answer is 2 numbers, you gave 1.");
  assert.match(none(), /^exercise 4: no answer yet/);
  assert.equal(text(), 'exercise 5: not yet: expected a number (or a list of numbers), got the text "1".');
  await inLanguage("zh", () => {
    assert.equal(right(), "exercise 2：正确。");
    assert.equal(wrong(), `exercise 2：还不对。提示：${hint}`);
    assert.equal(list(), "exercise 3：还不对（共 2 个数，第 2 个不对）。提示：提示");
    assert.equal(count(), "exercise 3：还不对：答案是 2 个数，你给了 1 个。");
    assert.match(none(), /^exercise 4：还没有答案/);
    assert.equal(text(), 'exercise 5：还不对：答案应是一个数（或一组数），收到的是 文本 "1"。');
    // The verdict the tests read does not depend on the language.
    assert.equal(check("exercise 2", 1.386, Math.log(4), { hint }).verdict, "right");
  });
});

Deno.test("language: progress-bar labels in both languages", async () => {
  const lines = async () => {
    const out: string[] = [];
    let t = 0;
    const p = new Progress(2, { label: "a", mode: "log", write: (s) => void out.push(s), now: () => t });
    t = 1000;
    await p.update(1, { loss: 0.5, accuracy: 0.25 });
    t = 2000;
    await p.done();
    return out.join("");
  };
  const bar = async () => {
    const out: string[] = [];
    const b = trainingProgress("256-30-10", {
      mode: "terminal",
      write: (s) => void out.push(s),
      minInterval: 0,
      now: () => 0,
    });
    await b.onBatch({ epoch: 1, epochs: 1, step: 1, steps: 1 } as Parameters<typeof b.onBatch>[0]);
    await b.onEpoch(
      { epoch: 1, epochs: 1, loss: 0.5, accuracy: 0.5, testAccuracy: 0.75 } as Parameters<
        typeof b.onEpoch
      >[0],
    );
    await b.done();
    return out.join("");
  };
  const en = await lines(), enBar = await bar();
  assert.match(en, /loss 0\.5 \| accuracy 25\.0% \| done in 2\.0s/);
  assert.match(enBar, /epoch's mean C 0\.5 \| test accuracy 75\.0%/);
  await inLanguage("zh", async () => {
    const zh = await lines(), zhBar = await bar();
    assert.match(zh, /损失 0\.5 \| 准确率 25\.0% \| 完成，用时 2\.0s/);
    assert.match(zhBar, /本轮平均 C 0\.5 \| 测试准确率 75\.0%/);
  });
});

Deno.test("language: the playground's titles follow the language, the data sets' names too", async () => {
  const sets = [dataset2d("xor", { points: 20, seed: 1 }), dataset2d("spiral", { points: 20, seed: 1 })];
  const title = (f: ReturnType<typeof datasetsFigure>) => JSON.stringify(f.layout.title);
  const panels = (f: ReturnType<typeof datasetsFigure>) =>
    (f.layout.annotations as { text: string }[]).map((a) => a.text);
  assert.match(title(datasetsFigure(sets)), /The four data sets/);
  assert.deepEqual(panels(datasetsFigure(sets)), ["<b>xor</b>", "<b>spiral</b>"]);
  await inLanguage("zh", () => {
    assert.match(title(datasetsFigure(sets)), /四个数据集/);
    assert.deepEqual(panels(datasetsFigure(sets)), ["<b>XOR</b>", "<b>螺旋</b>"]);
  });
});

Deno.test("language: the divergence error follows the language, with the same numbers", async () => {
  const { divergence } = await import("../lib/training.ts");
  const saturated = { kind: "saturated", threshold: 8.06, value: 14.5, classes: 10 } as const;
  const en = divergence("SGD", saturated, { epoch: 2, epochs: 10 }, 1e4).message;
  assert.equal(
    en,
    "SGD diverged: the mean loss per example stayed above 8.06, half the largest possible, reaching 14.50 at " +
      "epoch 2 of 10 (eta = 10000). The neurons saturated: the network is confidently wrong on most examples " +
      "(a random guess scores ln 10 = 2.30). The learning rate is probably too large: try eta = 1000.",
  );
  await inLanguage("zh", () => {
    const zh = divergence("SGD", saturated, { epoch: 2, epochs: 10 }, 1e4).message;
    assert.ok(han.test(zh), zh);
    assert.deepEqual(
      zh.match(/\d+(\.\d+)?/g),
      en.match(/\d+(\.\d+)?/g),
      "the same numbers in the same order",
    );
    const nan = divergence("trainTf", { kind: "loss", value: NaN }, {
      epoch: 1,
      epochs: 3,
      step: 4,
      steps: 9,
    }, 50);
    assert.match(
      nan.message,
      /^trainTf 发散了：损失变成了 NaN，发生在第 1 轮（共 3 轮）第 4 个小批量（共 9 个）（eta = 50）。/,
    );
  });
});

/** The numbers of a text, sorted: the two editions of a notebook are compared by them, in any order. */
const numbers = (text: string) => (text.match(/\d+(\.\d+)?/g) ?? []).sort();

Deno.test("language: the backend's reason follows the language; engine and library names stay", async () => {
  const software = { info: { description: "llvmpipe 15.0.6", isFallbackAdapter: true }, features: new Set() };
  const gpu: GpuLike = { requestAdapter: () => Promise.resolve(software) };
  const en = (await setupBackend(undefined, { gpu })).reason;
  assert.match(
    en,
    /^no webgpu: the only GPU adapter is a software fallback \(llvmpipe 15\.0\.6\), slower than wasm; matrix products in /,
  );
  await inLanguage("zh", async () => {
    const zh = (await setupBackend(undefined, { gpu })).reason;
    assert.match(
      zh,
      /^没有用 webgpu：唯一的 GPU 适配器是软件模拟的（llvmpipe 15\.0\.6），比 wasm 还慢；矩阵乘法/,
    );
    assert.ok(!/matrix products|thread|slower|no BLAS/.test(zh), zh);
    assert.deepEqual(numbers(zh), numbers(en));
    // The same choice asked again (as a second notebook cell would) is said in the language of then.
    assert.equal((await setupBackend()).reason, zh);
  });
  assert.equal((await setupBackend()).reason, en);
});

Deno.test("language: the BLAS's threads in the note; the library's name as it is", async () => {
  const blas = (threads: number | undefined) =>
    ({ name: "OpenBLAS 0.3.21 (libopenblas.so.0)", threads }) as Blas;
  assert.equal(describeBlas(blas(1)), "OpenBLAS 0.3.21 (libopenblas.so.0), 1 thread");
  assert.equal(describeBlas(blas(2)), "OpenBLAS 0.3.21 (libopenblas.so.0), 2 threads");
  await inLanguage("zh", () => {
    assert.equal(describeBlas(blas(1)), "OpenBLAS 0.3.21 (libopenblas.so.0)，1 个线程");
    assert.equal(describeBlas(blas(undefined)), "OpenBLAS 0.3.21 (libopenblas.so.0)，线程数由库决定");
  });
});
