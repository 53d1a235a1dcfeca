/**
 * lib/language_errors.ts: the errors of a learner's common mistakes follow setLanguage. Each mistake is made
 * for real (a product of mismatched shapes, a label outside the classes, an input of the wrong size...);
 * its error is the English text under "en" and the Chinese one under "zh", with the function's name first
 * and the same numbers in both. Each test sets the language back to English.
 */
import { assert } from "./assert.ts";
import { setLanguage } from "../lib/language.ts";
import { add, matmul, Matrix } from "../lib/matrix.ts";
import { crossEntropy, totalLoss } from "../lib/loss.ts";
import { Network } from "../lib/network.ts";
import { trainTf } from "../lib/train.ts";
import { holdOut } from "../lib/data.ts";

/** The message of the error `f` throws (fails if it throws none). */
async function errorOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error, got none");
}

/** The numbers of a text, sorted: the two editions of a notebook are compared by them. */
const numbers = (text: string) => (text.match(/\d+(\.\d+)?/g) ?? []).sort();

const A = Matrix.from([[1, 2], [3, 4]]), b3 = Matrix.column([1, 2, 3]);
const probabilities = new Matrix(2, 3, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);

/** Common mistakes, each with its English and its Chinese error. */
const MISTAKES: { name: string; make: () => unknown; en: string; zh: string }[] = [
  {
    name: "a matrix product of mismatched shapes",
    make: () => matmul(A, b3),
    en: "matmul: cannot multiply (2 x 2) by (3 x 1): columns of A (2) must equal rows of B (3)",
    zh: "matmul: 无法将 (2 x 2) 乘以 (3 x 1)：A 的列数（2）必须等于 B 的行数（3）",
  },
  {
    name: "a sum of mismatched shapes",
    make: () => add(A, b3),
    en: "add: shapes (2 x 2) and (3 x 1) do not match: B must be (2 x 2) or a column (2 x 1) applied to " +
      "every column of A",
    zh: "add: 形状 (2 x 2) 和 (3 x 1) 不匹配：B 必须是 (2 x 2)，或是加到 A 每一列上的一个列向量 (2 x 1)",
  },
  {
    name: "nested arrays where a Matrix is needed",
    make: () => matmul([[1, 2]] as unknown as Matrix, A),
    en: "matmul: A must be a Matrix (use Matrix.from([[...]])), got an array [1,2]",
    zh: "matmul: A 必须是 Matrix（请用 Matrix.from([[...]])），收到的是 数组 [1,2]",
  },
  {
    name: "ragged rows",
    make: () => Matrix.from([[1, 2], [3]]),
    en: "Matrix.from: ragged rows: row 1 has 1 values but row 0 has 2",
    zh: "Matrix.from: 各行长短不一：第 1 行有 1 个数，而第 0 行有 2 个",
  },
  {
    name: "a label outside the classes",
    make: () => crossEntropy([0.5, 0.5], 2),
    en: "crossEntropy: label 2 (example 0) is not a class index: expected a whole number 0 to 1",
    zh: "crossEntropy: 标签 2（样本 0）不是类别编号：应是 0 到 1 的整数",
  },
  {
    name: "a wrong number of labels",
    make: () => totalLoss(probabilities, [1, 0]),
    en: "totalLoss: 2 labels for 3 examples (columns); need one label per example",
    zh: "totalLoss: 2 个标签对应 3 个样本（列）；每个样本需要一个标签",
  },
  {
    name: "z where the probabilities y are needed",
    make: () => crossEntropy([2, -1], 0),
    en: "crossEntropy: y[0] is 2, expected a probability in [0, 1]: pass the output y = softmax(z) (or " +
      "sigmoid(z)), not z",
    zh:
      "crossEntropy: y[0] 是 2，应是 [0, 1] 之间的概率：请传入输出 y = softmax(z)（或 sigmoid(z)），而不是 z",
  },
  {
    name: "an input of the wrong size for a Network",
    make: () => Network.random([256, 30, 10], { seed: 1 }).feedforward(Matrix.zeros(16, 5)),
    en: "feedforward: the input is (16 x 5) but the network takes 256 inputs: X must be (256 x N), one " +
      "example per column",
    zh: "feedforward: 输入是 (16 x 5)，但网络有 256 个输入：X 必须是 (256 x N)，每列一个样本",
  },
  {
    name: "a wrong layer list",
    make: () => Network.fromWeights([{ W: [[1, 2], [3, 4]], b: [0, 0] }, { W: [[1, 2, 3]], b: [0] }]),
    en: "Network: layer 1 has 2 neurons, so W^2 needs 2 columns (one weight per input), got (1 x 3)",
    zh: "Network: 第 1 层有 2 个神经元，所以 W^2 需要 2 列（每个输入一个权重），收到的是 (1 x 3)",
  },
  {
    name: "a learning rate that is not a positive number",
    make: () =>
      Network.random([2, 2, 2], { seed: 1 }).SGD(Matrix.zeros(2, 4), [0, 1, 0, 1], {
        epochs: 1,
        batchSize: 2,
        eta: -0.5,
      }),
    en: "SGD: the learning rate eta must be a positive finite number, got -0.5",
    zh: "SGD: 学习率 eta 必须是一个有限的正数，收到的是 -0.5",
  },
  {
    name: "a digit label outside the classes for trainTf",
    make: () =>
      trainTf({ train: { x: new Float32Array(8), y: new Uint8Array([3, 12]), n: 2 } }, {
        sizes: [4, 10],
        eta: 0.1,
      }),
    en: "trainTf: training label 12 at 1 is outside 0..9",
    zh: "trainTf: 训练集的标签 12（位置 1）超出了 0..9",
  },
  {
    name: "a data set of the wrong input size for trainTf",
    make: () =>
      trainTf({ train: { x: new Float32Array(8), y: new Uint8Array([3, 1]), n: 2 } }, {
        sizes: [256, 10],
        eta: 0.1,
      }),
    en: "trainTf: the training set should hold 2 x 256 = 512 inputs (sizes[0] = 256) and 2 labels, got 8 " +
      "inputs and 2 labels",
    zh: "trainTf: 训练集应有 2 x 256 = 512 个输入（sizes[0] = 256）和 2 个标签，收到的是 8 个输入和 2 个标签",
  },
  {
    name: "a held-out set as large as the data",
    make: () => holdOut({ x: new Float32Array(6), y: new Uint8Array(3), n: 3 }, 3),
    en: "holdOut: size must be an integer in 1..2, got 3",
    zh: "holdOut: size 必须是 1..2 之间的整数，收到的是 3",
  },
];

for (const { name, make, en, zh } of MISTAKES) {
  Deno.test(`errors in the learner's language: ${name}`, async () => {
    assert.equal(await errorOf(make), en);
    setLanguage("zh");
    try {
      assert.equal(await errorOf(make), zh);
    } finally {
      setLanguage("en");
    }
    assert.equal(zh.split(":")[0], en.split(":")[0], "the function's name first, in both");
    assert.deepEqual(numbers(zh), numbers(en), "the same numbers");
    assert.equal(await errorOf(make), en, "English again once the language is set back");
  });
}
