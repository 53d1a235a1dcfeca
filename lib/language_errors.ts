/**
 * The errors of common mistakes, in both languages: part of lib/language.ts's table (`Messages` extends
 * `ErrorMessages`), kept in its own file so that each stays short. A learner meets them in normal use of
 * the notebooks' code: a matrix product or sum of mismatched shapes, a label outside the classes or a
 * wrong number of labels, an input of the wrong size for a Network, a wrong layer list, a learning rate
 * that is not a positive number. Each keeps its first words, the function's name (`matmul:`), in both.
 *
 * Left in English where they are thrown: misuse that a notebook's code does not lead to, rare enough not
 * to need a translation: an internal invariant, a gradient of the wrong shape handed to `step`, `map`
 * without a function, `selectColumns` without a list, an empty matrix handed to `argmax...`, trainTf
 * called without arguments or with `initial` weights of the wrong shapes, `holdOut` given no Split, the
 * digits' files and cache (lib/data.ts), and setupBackend's settings from the environment (thread counts,
 * a BLAS path). The names inside a text (`W^2`, `y[3]`, `sizes[0]`) are code and stay as they are.
 */

/** The texts of the errors of common mistakes (a function where the text has values). */
export interface ErrorMessages {
  // lib/matrix.ts
  /** A value as an error shows it: an array (its first items, `more` when longer), a matrix (its shape). */
  valueArray: (items: string, more: boolean) => string;
  valueMatrix: (shape: string) => string;
  atRowColumn: (i: number, j: number) => string;
  atEntry: (i: number) => string;
  scaleFactor: string;
  notFinite: (what: string, where: string, got: string) => string;
  matrixSize: (rows: number, cols: number) => string;
  matrixValues: (rows: number, cols: number, given: number) => string;
  fromRowsValues: (rows: number, cols: number, given: number) => string;
  fromEmpty: string;
  fromNotRows: string;
  /** Row i has `length` values (undefined: it is missing) where row 0 has `cols`. */
  fromRagged: (i: number, length: number | undefined, cols: number) => string;
  columnNotList: (got: string) => string;
  fromRowsNotList: (got: string) => string;
  outsideMatrix: (what: string, i: number, j: number, shape: string) => string;
  columnOutside: (j: number, shape: string, last: number) => string;
  selectOutside: (j: number, position: number, shape: string, last: number) => string;
  notMatrix: (what: string, name: string, got: string) => string;
  shapesDiffer: (what: string, a: string, b: string) => string;
  cannotMultiply: (a: string, b: string, aCols: number, bRows: number) => string;
  shapesMismatch: (what: string, a: string, b: string, rows: number) => string;
  nanNoLargest: (what: string, shape: string, i: number, j: number) => string;
  // lib/loss.ts
  labelsNotList: (what: string, got: string) => string;
  noLabels: (what: string) => string;
  labelCount: (what: string, labels: number, examples: number) => string;
  notClassIndex: (what: string, label: number, example: number, last: number) => string;
  /** An output that is not a probability; `nan`: it is NaN (training diverged), else probably z, not y. */
  notProbability: (what: string, where: string, value: number, nan: boolean) => string;
  /** Where in Y an output is: row, column, and the example (the column). */
  atOutput: (row: number, column: number) => string;
  oneHotClasses: (classes: number) => string;
  emptyY: string;
  lossNotMatrix: (what: string, got: string) => string;
  emptyBatch: (what: string, rows: number) => string;
  accuracyNaN: (i: number, j: number) => string;
  // lib/network.ts
  inputNotMatrix: (what: string, inputs: number, got: string) => string;
  inputSize: (what: string, rows: number, cols: number, inputs: number) => string;
  holdsNotFinite: (what: string, name: string, value: number, i: number, j: number) => string;
  outputKind: (what: string, got: string) => string;
  layerCount: (W: string, b: string) => string;
  layerNotMatrix: (l: number) => string;
  biasShape: (l: number, rows: number, cols: number, bRows: number, bCols: number) => string;
  weightColumns: (previous: number, neurons: number, l: number, rows: number, cols: number) => string;
  randomSeed: (got: string) => string;
  randomSizes: (got: string) => string;
  fromWeightsList: string;
  fromWeightsLayer: (k: number, got: string) => string;
  // lib/training.ts, lib/train.ts, lib/train_model.ts
  badEta: (what: string, got: string) => string;
  /** A learning-rate schedule's bad value: `epoch` set when the schedule eta(epoch) returned it. */
  modelEta: (value: string, epoch?: number) => string;
  notWhole: (what: string, name: string, min: number, got: string) => string;
  badHidden: (what: string, list: string, got: string) => string;
  sizesList: (got: string) => string;
  badOptimizer: (got: string) => string;
  /** `test`: the test set, else the training set. */
  setEmpty: (what: string, test: boolean) => string;
  splitSize: (test: boolean, n: number, inputs: number, gotX: number, gotY: number) => string;
  splitInput: (test: boolean, index: number, example: number, value: number) => string;
  splitLabel: (test: boolean, label: number, index: number, last: number) => string;
  modelLabelCount: (n: number, got: number, nTest: number, gotTest: number) => string;
  modelLabel: (test: boolean, label: number, example: number, last: number) => string;
  modelInputs: string;
  // lib/data.ts
  holdOutSize: (last: number, got: string) => string;
  digitsSeed: (got: string) => string;
}

/** The errors in English. */
export const EN_ERRORS: ErrorMessages = {
  valueArray: (items, more) => `an array [${items}${more ? ", ..." : ""}]`,
  valueMatrix: (shape) => `a (${shape}) Matrix`,
  atRowColumn: (i, j) => `row ${i}, column ${j}`,
  atEntry: (i) => `entry ${i}`,
  scaleFactor: "the factor s",
  notFinite: (what, where, got) => `${what}: expected a finite number at ${where}, got ${got}`,
  matrixSize: (r, c) => `Matrix: rows and cols must be whole numbers >= 0, got ${r} x ${c}`,
  matrixValues: (r, c, given) => `Matrix: a ${r} x ${c} matrix needs ${r * c} values, got ${given}`,
  fromRowsValues: (r, c, given) => `Matrix.fromRows: ${r} x ${c} needs ${r * c} values, got ${given}`,
  fromEmpty: "Matrix.from: expected at least one row, e.g. [[1, 2], [3, 4]], got an empty list",
  fromNotRows: "Matrix.from: expected an array of rows (number[][]), row 0 is not an array",
  fromRagged: (i, length, cols) =>
    `Matrix.from: ragged rows: row ${i} has ${length ?? "no"} values but row 0 has ${cols}`,
  columnNotList: (got) => `Matrix.column: expected a list of numbers, e.g. [1, -1], got ${got}`,
  fromRowsNotList: (got) => `Matrix.fromRows: expected a flat list of numbers, got ${got}`,
  outsideMatrix: (what, i, j, shape) => `${what}: (${i}, ${j}) is outside a ${shape} matrix`,
  columnOutside: (j, shape, last) => `column: index ${j} is outside a ${shape} matrix (0 to ${last})`,
  selectOutside: (j, k, shape, last) =>
    `selectColumns: index ${j} (position ${k}) is outside a ${shape} matrix (0 to ${last})`,
  notMatrix: (what, name, got) => `${what}: ${name} must be a Matrix (use Matrix.from([[...]])), got ${got}`,
  shapesDiffer: (what, a, b) => `${what}: shapes differ: (${a}) and (${b}); they must be equal`,
  cannotMultiply: (a, b, aCols, bRows) =>
    `matmul: cannot multiply (${a}) by (${b}): columns of A (${aCols}) must equal rows of B (${bRows})`,
  shapesMismatch: (what, a, b, rows) =>
    `${what}: shapes (${a}) and (${b}) do not match: B must be (${a}) or a column (${rows} x 1) applied ` +
    `to every column of A`,
  nanNoLargest: (what, shape, i, j) =>
    `${what}: the (${shape}) matrix holds NaN at (${i}, ${j}), so no element is the largest ` +
    "(NaN usually means training diverged)",
  labelsNotList: (what, got) => `${what}: labels must be a list of class indices, got ${got}`,
  noLabels: (what) => `${what}: empty batch: there are no labels (need at least one)`,
  labelCount: (what, labels, n) =>
    `${what}: ${labels} labels for ${n} examples (columns); need one label per example`,
  notClassIndex: (what, c, k, last) =>
    `${what}: label ${c} (example ${k}) is not a class index: expected a whole number 0 to ${last}`,
  notProbability: (what, where, v, nan) =>
    `${what}: ${where} is ${v}, expected a probability in [0, 1]: ` +
    (nan
      ? "NaN usually means training diverged (learning rate too large)"
      : "pass the output y = softmax(z) (or sigmoid(z)), not z"),
  atOutput: (row, column) => `Y at row ${row}, column ${column} (example ${column})`,
  oneHotClasses: (classes) => `oneHot: classes must be a whole number >= 1, got ${classes}`,
  emptyY: "crossEntropy: y is empty: expected one probability per class",
  lossNotMatrix: (what, got) => `${what}: Y must be a Matrix, got ${got}`,
  emptyBatch: (what, rows) => `${what}: empty batch: Y is (${rows} x 0), need at least one column`,
  accuracyNaN: (i, j) =>
    `accuracy: Y holds NaN at row ${i}, column ${j}: no prediction can be read from it ` +
    "(NaN usually means training diverged)",
  inputNotMatrix: (what, n, got) =>
    `${what}: X must be a Matrix (${n} x N, one example per column), nested rows (number[][]) or a list ` +
    `of ${n} numbers (one example), got ${got}`,
  inputSize: (what, rows, cols, n) =>
    `${what}: the input is (${rows} x ${cols}) but the network takes ${n} inputs: X must be (${n} x N), ` +
    "one example per column",
  holdsNotFinite: (what, name, v, i, j) =>
    `${what}: ${name} holds ${v} at row ${i}, column ${j}: expected finite numbers`,
  outputKind: (what, got) => `${what}: output must be "softmax" or "sigmoid", got "${got}"`,
  layerCount: (W, b) => `Network: need one W and one b per layer (at least one layer), got ${W} and ${b}`,
  layerNotMatrix: (l) => `Network: W^${l} and b^${l} must be Matrix objects`,
  biasShape: (l, rows, cols, bRows, bCols) =>
    `Network: W^${l} is (${rows} x ${cols}), so b^${l} must be (${rows} x 1), got (${bRows} x ${bCols})`,
  weightColumns: (previous, neurons, l, rows, cols) =>
    `Network: layer ${previous} has ${neurons} neurons, so W^${l} needs ${neurons} columns ` +
    `(one weight per input), got (${rows} x ${cols})`,
  randomSeed: (got) =>
    "Network.random: give an integer seed (the same seed gives the same weights), e.g. " +
    `Network.random([256, 30, 10], { seed: 1 }), got ${got}`,
  randomSizes: (got) =>
    `Network.random: sizes must list at least 2 layer sizes >= 1, e.g. [256, 500, 10], got ${got}`,
  fromWeightsList: "Network.fromWeights: expected a list of layers [{ W: number[][], b: number[] }, ...]",
  fromWeightsLayer: (k, got) =>
    `Network.fromWeights: layer ${k} must be { W: number[][] (one row per neuron), b: number[] }, got ${got}`,
  badEta: (what, got) => `${what}: the learning rate eta must be a positive finite number, got ${got}`,
  modelEta: (value, epoch) =>
    `trainModel: the learning rate must be a positive finite number, but ${
      epoch === undefined ? "eta is" : `eta(${epoch}) returned`
    } ${value}`,
  notWhole: (what, name, min, got) => `${what}: ${name} must be a whole number >= ${min}, got ${got}`,
  badHidden: (what, list, got) => `${what}: hidden must be one of ${list}, got ${got}`,
  sizesList: (got) => `trainTf: sizes must list at least 2 layer sizes (input, ..., output), got ${got}`,
  badOptimizer: (got) => `trainTf: optimizer must be "sgd" or "adam", got ${got}`,
  setEmpty: (what, test) => `${what}: the ${test ? "test" : "training"} set is empty`,
  splitSize: (test, n, inputs, gotX, gotY) =>
    `trainTf: the ${test ? "test" : "training"} set should hold ${n} x ${inputs} = ${n * inputs} inputs ` +
    `(sizes[0] = ${inputs}) and ${n} labels, got ${gotX} inputs and ${gotY} labels`,
  splitInput: (test, index, example, v) =>
    `trainTf: ${test ? "test" : "training"} input ${index} (example ${example}) is ${v}`,
  splitLabel: (test, label, index, last) =>
    `trainTf: ${test ? "test" : "training"} label ${label} at ${index} is outside 0..${last}`,
  modelLabelCount: (n, got, nTest, gotTest) =>
    `trainModel: ${n} training inputs need ${n} labels (got ${got}); ` +
    `${nTest} test inputs need as many labels (got ${gotTest})`,
  modelLabel: (test, label, k, last) =>
    `trainModel: ${test ? "test" : "training"} label ${label} (example ${k}) is outside 0..${last}`,
  modelInputs: "trainModel: the training inputs xs hold NaN or Infinity: expected finite numbers",
  holdOutSize: (last, got) => `holdOut: size must be an integer in 1..${last}, got ${got}`,
  digitsSeed: (got) => `loadDigits: the seed must be an integer, got ${got}`,
};

/** The errors in Chinese: the same values, the function's name first, as in English. */
export const ZH_ERRORS: ErrorMessages = {
  valueArray: (items, more) => `数组 [${items}${more ? ", ..." : ""}]`,
  valueMatrix: (shape) => `一个 (${shape}) 的矩阵`,
  atRowColumn: (i, j) => `第 ${i} 行第 ${j} 列`,
  atEntry: (i) => `第 ${i} 项`,
  scaleFactor: "因子 s",
  // A space between a Latin letter, a digit or a bracket and the Chinese that follows.
  notFinite: (what, where, got) =>
    `${what}: ${where}${/[\w)]$/.test(where) ? " " : ""}应是一个有限的数，收到的是 ${got}`,
  matrixSize: (r, c) => `Matrix: 行数和列数必须是 >= 0 的整数，收到的是 ${r} x ${c}`,
  matrixValues: (r, c, given) => `Matrix: ${r} x ${c} 的矩阵需要 ${r * c} 个数，收到 ${given} 个`,
  fromRowsValues: (r, c, given) => `Matrix.fromRows: ${r} x ${c} 需要 ${r * c} 个数，收到 ${given} 个`,
  fromEmpty: "Matrix.from: 至少需要一行，例如 [[1, 2], [3, 4]]，收到的是空列表",
  fromNotRows: "Matrix.from: 应是由行组成的数组（number[][]），第 0 行不是数组",
  fromRagged: (i, length, cols) =>
    `Matrix.from: 各行长短不一：第 ${i} 行${
      length === undefined ? "没有数" : `有 ${length} 个数`
    }，而第 0 行有 ${cols} 个`,
  columnNotList: (got) => `Matrix.column: 应是一组数，例如 [1, -1]，收到的是 ${got}`,
  fromRowsNotList: (got) => `Matrix.fromRows: 应是一组平铺的数，收到的是 ${got}`,
  outsideMatrix: (what, i, j, shape) => `${what}: (${i}, ${j}) 超出了 ${shape} 矩阵的范围`,
  columnOutside: (j, shape, last) => `column: 下标 ${j} 超出了 ${shape} 矩阵的范围（0 到 ${last}）`,
  selectOutside: (j, k, shape, last) =>
    `selectColumns: 下标 ${j}（位置 ${k}）超出了 ${shape} 矩阵的范围（0 到 ${last}）`,
  notMatrix: (what, name, got) =>
    `${what}: ${name} 必须是 Matrix（请用 Matrix.from([[...]])），收到的是 ${got}`,
  shapesDiffer: (what, a, b) => `${what}: 形状不同：(${a}) 和 (${b})；两者必须相同`,
  cannotMultiply: (a, b, aCols, bRows) =>
    `matmul: 无法将 (${a}) 乘以 (${b})：A 的列数（${aCols}）必须等于 B 的行数（${bRows}）`,
  shapesMismatch: (what, a, b, rows) =>
    `${what}: 形状 (${a}) 和 (${b}) 不匹配：B 必须是 (${a})，或是加到 A 每一列上的一个列向量 (${rows} x 1)`,
  nanNoLargest: (what, shape, i, j) =>
    `${what}: 这个 (${shape}) 矩阵在 (${i}, ${j}) 处是 NaN，所以没有最大的元素（NaN 通常说明训练发散了）`,
  labelsNotList: (what, got) => `${what}: 标签必须是一组类别编号，收到的是 ${got}`,
  noLabels: (what) => `${what}: 批次是空的：没有标签（至少需要一个）`,
  labelCount: (what, labels, n) => `${what}: ${labels} 个标签对应 ${n} 个样本（列）；每个样本需要一个标签`,
  notClassIndex: (what, c, k, last) =>
    `${what}: 标签 ${c}（样本 ${k}）不是类别编号：应是 0 到 ${last} 的整数`,
  notProbability: (what, where, v, nan) =>
    `${what}: ${where} 是 ${v}，应是 [0, 1] 之间的概率：` +
    (nan ? "NaN 通常说明训练发散了（学习率太大）" : "请传入输出 y = softmax(z)（或 sigmoid(z)），而不是 z"),
  atOutput: (row, column) => `Y 的第 ${row} 行第 ${column} 列（样本 ${column}）`,
  oneHotClasses: (classes) => `oneHot: 类别数必须是 >= 1 的整数，收到的是 ${classes}`,
  emptyY: "crossEntropy: y 是空的：每个类别需要一个概率",
  lossNotMatrix: (what, got) => `${what}: Y 必须是 Matrix，收到的是 ${got}`,
  emptyBatch: (what, rows) => `${what}: 批次是空的：Y 是 (${rows} x 0)，至少需要一列`,
  accuracyNaN: (i, j) =>
    `accuracy: Y 的第 ${i} 行第 ${j} 列是 NaN：无法从中读出预测（NaN 通常说明训练发散了）`,
  inputNotMatrix: (what, n, got) =>
    `${what}: X 必须是 Matrix（${n} x N，每列一个样本）、嵌套的行（number[][]）或 ${n} 个数的列表` +
    `（一个样本），收到的是 ${got}`,
  inputSize: (what, rows, cols, n) =>
    `${what}: 输入是 (${rows} x ${cols})，但网络有 ${n} 个输入：X 必须是 (${n} x N)，每列一个样本`,
  holdsNotFinite: (what, name, v, i, j) => `${what}: ${name} 的第 ${i} 行第 ${j} 列是 ${v}：应是有限的数`,
  outputKind: (what, got) => `${what}: output 必须是 "softmax" 或 "sigmoid"，收到的是 "${got}"`,
  layerCount: (W, b) => `Network: 每层需要一个 W 和一个 b（至少一层），收到的是 ${W} 个和 ${b} 个`,
  layerNotMatrix: (l) => `Network: W^${l} 和 b^${l} 必须是 Matrix 对象`,
  biasShape: (l, rows, cols, bRows, bCols) =>
    `Network: W^${l} 是 (${rows} x ${cols})，所以 b^${l} 必须是 (${rows} x 1)，收到的是 (${bRows} x ${bCols})`,
  weightColumns: (previous, neurons, l, rows, cols) =>
    `Network: 第 ${previous} 层有 ${neurons} 个神经元，所以 W^${l} 需要 ${neurons} 列（每个输入一个权重），` +
    `收到的是 (${rows} x ${cols})`,
  randomSeed: (got) =>
    "Network.random: 请给一个整数种子（同一个种子给出同样的权重），例如 " +
    `Network.random([256, 30, 10], { seed: 1 })，收到的是 ${got}`,
  randomSizes: (got) =>
    `Network.random: sizes 必须列出至少 2 层、每层 >= 1 的大小，例如 [256, 500, 10]，收到的是 ${got}`,
  fromWeightsList: "Network.fromWeights: 应是一组层 [{ W: number[][], b: number[] }, ...]",
  fromWeightsLayer: (k, got) =>
    `Network.fromWeights: 第 ${k} 层必须是 { W: number[][]（每个神经元一行）, b: number[] }，收到的是 ${got}`,
  badEta: (what, got) => `${what}: 学习率 eta 必须是一个有限的正数，收到的是 ${got}`,
  modelEta: (value, epoch) =>
    `trainModel: 学习率必须是一个有限的正数，但 ${
      epoch === undefined ? "eta 是" : `eta(${epoch}) 返回了`
    } ${value}`,
  notWhole: (what, name, min, got) => `${what}: ${name} 必须是 >= ${min} 的整数，收到的是 ${got}`,
  badHidden: (what, list, got) => `${what}: hidden 必须是 ${list} 之一，收到的是 ${got}`,
  sizesList: (got) => `trainTf: sizes 必须列出至少 2 层的大小（输入, ..., 输出），收到的是 ${got}`,
  badOptimizer: (got) => `trainTf: optimizer 必须是 "sgd" 或 "adam"，收到的是 ${got}`,
  setEmpty: (what, test) => `${what}: ${test ? "测试集" : "训练集"}是空的`,
  splitSize: (test, n, inputs, gotX, gotY) =>
    `trainTf: ${test ? "测试集" : "训练集"}应有 ${n} x ${inputs} = ${n * inputs} 个输入` +
    `（sizes[0] = ${inputs}）和 ${n} 个标签，收到的是 ${gotX} 个输入和 ${gotY} 个标签`,
  splitInput: (test, index, example, v) =>
    `trainTf: ${test ? "测试集" : "训练集"}的第 ${index} 个输入（样本 ${example}）是 ${v}`,
  splitLabel: (test, label, index, last) =>
    `trainTf: ${test ? "测试集" : "训练集"}的标签 ${label}（位置 ${index}）超出了 0..${last}`,
  modelLabelCount: (n, got, nTest, gotTest) =>
    `trainModel: ${n} 个训练输入需要 ${n} 个标签（收到 ${got} 个）；` +
    `${nTest} 个测试输入需要同样多的标签（收到 ${gotTest} 个）`,
  modelLabel: (test, label, k, last) =>
    `trainModel: ${test ? "测试集" : "训练集"}的标签 ${label}（样本 ${k}）超出了 0..${last}`,
  modelInputs: "trainModel: 训练输入 xs 里有 NaN 或 Infinity：应是有限的数",
  holdOutSize: (last, got) => `holdOut: size 必须是 1..${last} 之间的整数，收到的是 ${got}`,
  digitsSeed: (got) => `loadDigits: 种子必须是整数，收到的是 ${got}`,
};
