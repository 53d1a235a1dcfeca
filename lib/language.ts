/**
 * The language of the text a learner sees from the library: exercise feedback, progress-bar labels, the
 * interrupt lines, the playground's titles, the backend's reason, the depth x width grid's lines and plots,
 * the errors of common mistakes (lib/language_errors.ts) and the plots' default texts (lib/language_plots.ts).
 * A notebook chooses it once, in its first code cell, right after the import: `setLanguage("en");` (the
 * English notebooks) or `setLanguage("zh");` (the Chinese ones, in notebooks/zh/). Everything else the library
 * says (errors of rare misuse) stays English.
 *
 * One table, `MESSAGES`, holds every such text in both languages; library code asks `messages()` for the
 * current language's entry, so a text is never spelled in two places. A Chinese text keeps the numbers of
 * its English one: the two editions' outputs are compared number by number.
 */
import { EN_ERRORS, type ErrorMessages, ZH_ERRORS } from "./language_errors.ts";
import { EN_PLOTS, type PlotMessages, ZH_PLOTS } from "./language_plots.ts";

/** What made a training diverge: the loss or the outputs not a number, or a loss stuck far above a guess. */
export type Divergence =
  | { kind: "loss"; value: number }
  | { kind: "meanLoss"; value: number }
  | { kind: "weights" }
  | { kind: "testOutputs" }
  | { kind: "saturated"; threshold: number; value: number; classes: number };

/** The course's languages: English and Simplified Chinese. */
export type Language = "en" | "zh";

/** Every language `setLanguage` accepts, in the order of the table. */
export const LANGUAGES: readonly Language[] = ["en", "zh"];

/** The learner-facing texts of the library, one entry per text (a function where the text has values). */
export interface Messages extends ErrorMessages, PlotMessages {
  // lib/exercise.ts
  exerciseRight: (name: string) => string;
  exerciseUnanswered: (name: string) => string;
  /** A wrong answer; `where` is set when the answer is a list: the first wrong number and the count. */
  exerciseWrong: (name: string, hint: string, where?: { index: number; count: number }) => string;
  /** A wrong number of numbers: `expected` and `given` are counts. */
  exerciseWrongCount: (name: string, expected: number, given: number) => string;
  /** An answer that is not a number (text, an object): `what` describes it. */
  exerciseNotANumber: (name: string, what: string) => string;
  /** Text given where a number was expected (an answer, a matrix entry): `json` is the text in quotes. */
  exerciseText: (json: string) => string;
  /** An answer's item that is not a number, inside a list. */
  exerciseInList: (what: string) => string;
  // lib/progress.ts
  progressLoss: string;
  progressAccuracy: string;
  progressMeanC: string;
  progressTestAccuracy: string;
  progressTrainingAccuracy: string;
  progressDoneIn: (time: string) => string;
  progressElapsed: (time: string) => string;
  progressLeft: (time: string) => string;
  // lib/training.ts, lib/search.ts
  interruptNote: string;
  trainingStopped: (
    what: string,
    s: { epoch: number; epochs: number; step: number; steps: number },
  ) => string;
  searchStopped: (trainings: number, best: string) => string;
  /** Where training diverged: an epoch, and the mini-batch when known. */
  divergedWhere: (at: { epoch: number; epochs: number; step?: number; steps?: number }) => string;
  /** The whole divergence error: who, what happened (`d`), where, eta, and a smaller eta to try. */
  diverged: (who: string, d: Divergence, where: string, eta: number, smaller: number) => string;
  // lib/playground.ts
  playLive: string;
  playRecorded: string;
  playStatus: (where: string, epoch: number, epochs: number, train: string, heldOut: string) => string;
  playTitle: (data: string, sizes: string, hidden: string, eta: number, batch: number) => string;
  playLabel: (label: number, heldOut: boolean) => string;
  playHover: (label: number, heldOut: boolean) => string;
  playOutput: string;
  playOutputHover: string;
  playTrainingLoss: string;
  playHeldOutLoss: string;
  playEpoch: string;
  playMeanLoss: string;
  playNetworkNote: string;
  playOutputNode: (label: number) => string;
  playDiverged: (epoch: number) => string;
  playInterrupted: (epoch: number) => string;
  playPlay: string;
  playPause: string;
  playFrames: string;
  playInput: (i: number) => string;
  playHiddenNode: (layer: number, i: number) => string;
  playScaled: string;
  playDatasets: string;
  playBoundaries: (title: string) => string;
  playNeuron: (i: number) => string;
  playHiddenLayer: string;
  // lib/backend.ts, lib/blas.ts: the reason setupBackend gives (engine and library names stay as they are)
  /** Between the parts of a reason. */
  reasonJoin: string;
  /** How a backend was forced: by setupBackend's argument, or by COURSE_BACKEND. */
  backendHow: (byEnv: boolean) => string;
  backendCpuForced: (how: string) => string;
  backendRealGpu: string;
  backendNoWebgpu: (why: string) => string;
  backendFailedToStart: (name: string, failed: string) => string;
  /** A forced backend that cannot start: `why` from the GPU check, else the failure when it started. */
  backendForcedFailed: (name: string, how: string, why: string, failed: boolean) => string;
  backendNone: (skipped: string, cpuFailed: string) => string;
  gpuMissing: string;
  gpuRequestFailed: (message: string) => string;
  gpuNoAdapter: string;
  gpuFallback: (description: string) => string;
  wasmMissing: (file: string, error: string) => string;
  wasmThreads: (threads: number) => string;
  blasOff: (source: string) => string;
  /** No BLAS: why, and whether `deno task setup` can install one. */
  blasMissing: (why: string, setupHelps: boolean) => string;
  blasUsed: (blas: string) => string;
  /** A BLAS and its threads (undefined: the library cannot be told). */
  blasThreads: (name: string, threads: number | undefined) => string;
  blasNoneKnown: (os: string) => string;
  blasNoneOpened: (failures: string) => string;
  // lib/depth_width.ts
  gridNeurons: (width: number) => string;
  gridHiddenLayers: (depth: number) => string;
  gridDepths: (first: number, last: number) => string;
  /** `widths` as "32, 128, 512". */
  gridWidths: (widths: string) => string;
  /** What a trend does; `along` is "depth" or "width", `noise` the points within which it is flat. */
  gridSays: (direction: string, along: string, noise: number) => string;
  /** A setting and what is fixed in it ("ReLU, Adam, 32 neurons per layer"): a line's name. */
  gridLegend: (setting: string, fixed: string) => string;
  /** One trend: its line's name, the accuracies ("89.90 -> 87.90"), over which range, what it does. */
  gridTrend: (name: string, percents: string, range: string, says: string) => string;
  gridDepthTitle: (epochs: number) => string;
  gridDepthAxis: string;
  gridAccuracyAxis: string;
  gridParameterTitle: string;
  gridParameterAxis: string;
}

const en: Messages = {
  ...EN_ERRORS,
  ...EN_PLOTS,
  exerciseRight: (name) => `${name}: right.`,
  exerciseUnanswered: (name) => `${name}: no answer yet. Fill in the answer above and run the cell again.`,
  exerciseWrong: (name, hint, where) =>
    `${name}: not yet${where ? ` (number ${where.index} of ${where.count})` : ""}. Hint: ${hint}`,
  exerciseWrongCount: (name, expected, given) =>
    `${name}: not yet: the answer is ${
      expected === 1 ? "one number" : `${expected} numbers`
    }, you gave ${given}.`,
  exerciseNotANumber: (name, what) =>
    `${name}: not yet: expected a number (or a list of numbers), got ${what}.`,
  exerciseText: (json) => `the text ${json}`,
  exerciseInList: (what) => `${what} in the list`,
  progressLoss: "loss",
  progressAccuracy: "accuracy",
  progressMeanC: "epoch's mean C",
  progressTestAccuracy: "test accuracy",
  progressTrainingAccuracy: "training accuracy",
  progressDoneIn: (t) => `done in ${t}`,
  progressElapsed: (t) => `${t} elapsed`,
  progressLeft: (t) => `~${t} left`,
  interruptNote: "Interrupt: it stops training (at the next mini-batch), nothing else; this cell runs on. " +
    "Kernel > Restart stops everything.",
  trainingStopped: (what, s) =>
    `${what}: interrupted during epoch ${s.epoch} of ${s.epochs}, after mini-batch ${s.step} of ${s.steps}; ` +
    `the parameters trained so far are kept.`,
  searchStopped: (n, best) =>
    `successiveHalving: interrupted after ${n} trainings; the best so far is ${best}`,
  divergedWhere: (at) =>
    `epoch ${at.epoch} of ${at.epochs}` +
    (at.step !== undefined ? `, mini-batch ${at.step} of ${at.steps}` : ""),
  diverged: (who, d, where, eta, smaller) => {
    const what = d.kind === "loss"
      ? `the loss became ${d.value}`
      : d.kind === "meanLoss"
      ? `the mean loss became ${d.value}`
      : d.kind === "weights"
      ? "the weights became NaN or Infinity after the update"
      : d.kind === "testOutputs"
      ? "the outputs on the test set became NaN"
      : `the mean loss per example stayed above ${d.threshold.toFixed(2)}, half the largest possible, ` +
        `reaching ${d.value.toFixed(2)}`;
    const why = d.kind === "saturated"
      ? ` The neurons saturated: the network is confidently wrong on most examples (a random guess scores ` +
        `ln ${d.classes} = ${Math.log(d.classes).toFixed(2)}).`
      : "";
    return `${who} diverged: ${what} at ${where} (eta = ${eta}).${why} The learning rate is probably too ` +
      `large: try eta = ${smaller}.`;
  },
  playLive: "<b>live</b>, training",
  playRecorded: "recorded",
  playStatus: (where, epoch, epochs, train, heldOut) =>
    `${where} · epoch ${epoch} of ${epochs} · accuracy: training ${train}, held out ${heldOut}`,
  playTitle: (data, sizes, hidden, eta, batch) =>
    `${data} · network ${sizes} ${hidden} · η = ${eta} · mini-batches of ${batch}`,
  playLabel: (label, heldOut) => heldOut ? `label ${label}, held out` : `label ${label}, training`,
  playHover: (label, heldOut) => `label ${label}${heldOut ? " (held out)" : ""}`,
  playOutput: "network output",
  playOutputHover: "P(label 1)",
  playTrainingLoss: "training loss",
  playHeldOutLoss: "held-out loss",
  playEpoch: "epoch",
  playMeanLoss: "mean loss C",
  playNetworkNote: "the network: red w > 0, blue w < 0, thicker = larger |w|",
  playOutputNode: (label) => `output: label ${label}`,
  playDiverged: (epoch) => `training diverged in epoch ${epoch}: stopped with an error`,
  playInterrupted: (epoch) => `stopped by Kernel > Interrupt in epoch ${epoch}`,
  playPlay: "play",
  playPause: "pause",
  playFrames: "recorded frames: press play, or drag the epoch slider",
  playInput: (i) => `input x${i}`,
  playHiddenNode: (layer, i) => `layer ${layer}, neuron ${i}`,
  playScaled: "output a (scaled)",
  playDatasets: "The four data sets (training points)",
  playBoundaries: (title) => `${title} (accuracy: training / held out)`,
  playNeuron: (i) => `neuron ${i}`,
  playHiddenLayer: "The first hidden layer: each neuron's own output",
  reasonJoin: "; ",
  backendHow: (byEnv) => byEnv ? "forced by COURSE_BACKEND" : "asked for",
  backendCpuForced: (how) => `${how} (plain JavaScript, the slowest)`,
  backendRealGpu: "a real GPU adapter",
  backendNoWebgpu: (why) => `no webgpu: ${why}`,
  backendFailedToStart: (name, failed) => `${name} failed to start (${failed})`,
  backendForcedFailed: (name, how, why, failed) =>
    `${name} ${how}, but ${failed ? `it failed to start: ${why}` : why}`,
  backendNone: (skipped, cpuFailed) => `no tfjs backend could start: ${skipped}; ${cpuFailed}`,
  gpuMissing: "no WebGPU in this runtime (navigator.gpu is missing)",
  gpuRequestFailed: (message) => `navigator.gpu.requestAdapter failed: ${message}`,
  gpuNoAdapter: "no GPU adapter found",
  gpuFallback: (description) =>
    `the only GPU adapter is a software fallback (${description}), slower than wasm`,
  wasmMissing: (file, error) => `the wasm binaries are missing (${file}: ${error}); run \`deno install\``,
  wasmThreads: (threads) => `${threads} wasm threads`,
  blasOff: (source) => `matrix products in wasm (${source})`,
  blasMissing: (why, setupHelps) =>
    `matrix products in wasm, slower: ${why}${setupHelps ? "; `deno task setup` installs OpenBLAS" : ""}`,
  blasUsed: (blas) => `matrix products in ${blas} (FFI)`,
  blasThreads: (name, n) =>
    `${name}, ${n === undefined ? "threads as the library decides" : `${n} thread${n === 1 ? "" : "s"}`}`,
  blasNoneKnown: (os) => `no BLAS library is known for ${os}`,
  blasNoneOpened: (failures) => `no BLAS library with cblas_sgemm could be opened (${failures})`,
  gridNeurons: (width) => `${width} neurons per layer`,
  gridHiddenLayers: (depth) => `${depth} hidden layer${depth === 1 ? "" : "s"}`,
  gridDepths: (first, last) => `${first}-${last} hidden layers`,
  gridWidths: (widths) => `${widths} neurons per layer`,
  gridSays: (direction, along, noise) =>
    direction === "flat"
      ? `stays within ${noise} point`
      : `${direction === "mixed" ? "goes up and down" : direction} with ${along}`,
  gridLegend: (setting, fixed) => `${setting}, ${fixed}`,
  gridTrend: (name, percents, range, says) => `${name}: ${percents}% for ${range}: ${says}`,
  gridDepthTitle: (epochs) =>
    `Test accuracy after ${epochs} epoch${epochs === 1 ? "" : "s"}: depth x width, two settings`,
  gridDepthAxis: "hidden layers (depth)",
  gridAccuracyAxis: "test accuracy (%)",
  gridParameterTitle: "Test accuracy against the number of parameters (each point: one depth x width)",
  gridParameterAxis: "parameters (weights and biases, log scale)",
};

const zh: Messages = {
  ...ZH_ERRORS,
  ...ZH_PLOTS,
  exerciseRight: (name) => `${name}：正确。`,
  exerciseUnanswered: (name) => `${name}：还没有答案。请在上面填入答案，再运行这个单元格。`,
  exerciseWrong: (name, hint, where) =>
    `${name}：还不对${where ? `（共 ${where.count} 个数，第 ${where.index} 个不对）` : ""}。提示：${hint}`,
  exerciseWrongCount: (name, expected, given) =>
    `${name}：还不对：答案是${expected === 1 ? "一个数" : ` ${expected} 个数`}，你给了 ${given} 个。`,
  exerciseNotANumber: (name, what) => `${name}：还不对：答案应是一个数（或一组数），收到的是 ${what}。`,
  exerciseText: (json) => `文本 ${json}`,
  exerciseInList: (what) => `列表里的 ${what}`,
  progressLoss: "损失",
  progressAccuracy: "准确率",
  progressMeanC: "本轮平均 C",
  progressTestAccuracy: "测试准确率",
  progressTrainingAccuracy: "训练准确率",
  progressDoneIn: (t) => `完成，用时 ${t}`,
  progressElapsed: (t) => `已用 ${t}`,
  progressLeft: (t) => `约剩 ${t}`,
  interruptNote: "中断：只停止训练（在下一个小批量处），不停止别的；这个单元格继续运行。" +
    "Kernel > Restart 才会停止一切。",
  trainingStopped: (what, s) =>
    `${what}：在第 ${s.epoch} 轮（共 ${s.epochs} 轮）中被中断，已完成第 ${s.step} 个小批量（共 ${s.steps} 个）；` +
    `保留到此为止训练的参数。`,
  searchStopped: (n, best) => `successiveHalving：训练 ${n} 次后被中断；目前最好的是 ${best}`,
  divergedWhere: (at) =>
    `第 ${at.epoch} 轮（共 ${at.epochs} 轮）` +
    (at.step !== undefined ? `第 ${at.step} 个小批量（共 ${at.steps} 个）` : ""),
  diverged: (who, d, where, eta, smaller) => {
    const what = d.kind === "loss"
      ? `损失变成了 ${d.value}`
      : d.kind === "meanLoss"
      ? `平均损失变成了 ${d.value}`
      : d.kind === "weights"
      ? "更新后权重变成了 NaN 或 Infinity"
      : d.kind === "testOutputs"
      ? "测试集上的输出变成了 NaN"
      : `每个样本的平均损失一直高于最大可能值的一半 ${d.threshold.toFixed(2)}，达到 ${d.value.toFixed(2)}`;
    const why = d.kind === "saturated"
      ? `神经元饱和了：网络对大多数样本都很有把握地答错（随机猜测的损失是 ln ${d.classes} = ${
        Math.log(d.classes).toFixed(2)
      }）。`
      : "";
    // The numbers in the English order: the two editions' outputs are compared number by number.
    return `${who} 发散了：${what}，发生在${where}（eta = ${eta}）。${why}学习率多半太大了：试试 eta = ${smaller}。`;
  },
  playLive: "<b>实时</b>训练中",
  playRecorded: "回放",
  playStatus: (where, epoch, epochs, train, heldOut) =>
    `${where} · 第 ${epoch} 轮（共 ${epochs} 轮）· 准确率：训练 ${train}，留出 ${heldOut}`,
  playTitle: (data, sizes, hidden, eta, batch) =>
    `${data} · 网络 ${sizes} ${hidden} · η = ${eta} · 小批量 ${batch}`,
  playLabel: (label, heldOut) => heldOut ? `标签 ${label}，留出` : `标签 ${label}，训练`,
  playHover: (label, heldOut) => `标签 ${label}${heldOut ? "（留出）" : ""}`,
  playOutput: "网络输出",
  playOutputHover: "P(标签 1)",
  playTrainingLoss: "训练损失",
  playHeldOutLoss: "留出损失",
  playEpoch: "轮次",
  playMeanLoss: "平均损失 C",
  playNetworkNote: "网络：红色 w > 0，蓝色 w < 0，越粗 |w| 越大",
  playOutputNode: (label) => `输出：标签 ${label}`,
  playDiverged: (epoch) => `训练在第 ${epoch} 轮发散：因错误而停止`,
  playInterrupted: (epoch) => `在第 ${epoch} 轮被 Kernel > Interrupt 停止`,
  playPlay: "播放",
  playPause: "暂停",
  playFrames: "记录下的帧：按播放，或拖动轮数滑块",
  playInput: (i) => `输入 x${i}`,
  playHiddenNode: (layer, i) => `第 ${layer} 层，神经元 ${i}`,
  playScaled: "输出 a（缩放后）",
  playDatasets: "四个数据集（训练点）",
  playBoundaries: (title) => `${title}（准确率：训练 / 留出）`,
  playNeuron: (i) => `神经元 ${i}`,
  playHiddenLayer: "第一个隐藏层：每个神经元自己的输出",
  reasonJoin: "；",
  backendHow: (byEnv) => byEnv ? "由 COURSE_BACKEND 指定" : "按要求选用",
  backendCpuForced: (how) => `${how}（纯 JavaScript，最慢）`,
  backendRealGpu: "有一块真正的 GPU 适配器",
  backendNoWebgpu: (why) => `没有用 webgpu：${why}`,
  backendFailedToStart: (name, failed) => `${name} 启动失败（${failed}）`,
  backendForcedFailed: (name, how, why, failed) => `${name} ${how}，但${failed ? `启动失败：${why}` : why}`,
  backendNone: (skipped, cpuFailed) => `没有一个 tfjs 后端能启动：${skipped}；${cpuFailed}`,
  gpuMissing: "这个运行环境没有 WebGPU（缺少 navigator.gpu）",
  gpuRequestFailed: (message) => `navigator.gpu.requestAdapter 失败：${message}`,
  gpuNoAdapter: "没有找到 GPU 适配器",
  gpuFallback: (description) => `唯一的 GPU 适配器是软件模拟的（${description}），比 wasm 还慢`,
  wasmMissing: (file, error) => `缺少 wasm 二进制文件（${file}：${error}）；请运行 \`deno install\``,
  wasmThreads: (threads) => `${threads} 个 wasm 线程`,
  blasOff: (source) => `矩阵乘法在 wasm 中计算（${source}）`,
  blasMissing: (why, setupHelps) =>
    `矩阵乘法在 wasm 中计算，较慢：${why}${setupHelps ? "；`deno task setup` 会安装 OpenBLAS" : ""}`,
  blasUsed: (blas) => `矩阵乘法用 ${blas}（FFI）`,
  blasThreads: (name, n) => `${name}，${n === undefined ? "线程数由库决定" : `${n} 个线程`}`,
  blasNoneKnown: (os) => `不知道 ${os} 上有哪个 BLAS 库`,
  blasNoneOpened: (failures) => `打不开任何带 cblas_sgemm 的 BLAS 库（${failures}）`,
  gridNeurons: (width) => `每层 ${width} 个神经元`,
  gridHiddenLayers: (depth) => `${depth} 个隐藏层`,
  gridDepths: (first, last) => `${first}-${last} 个隐藏层`,
  gridWidths: (widths) => `每层 ${widths.replaceAll(", ", "、")} 个神经元`,
  gridSays: (direction, along, noise) => {
    const by = along === "depth" ? "深度" : "宽度";
    return direction === "flat"
      ? `变化在 ${noise} 个百分点以内`
      : direction === "rises"
      ? `随${by}上升`
      : direction === "falls"
      ? `随${by}下降`
      : `随${by}时升时降`;
  },
  gridLegend: (setting, fixed) => `${setting}，${fixed}`,
  gridTrend: (name, percents, range, says) => `${name}：${range}时为 ${percents}%，${says}`,
  gridDepthTitle: (epochs) => `训练 ${epochs} 轮后的测试准确率：深度 x 宽度，两种设置`,
  gridDepthAxis: "隐藏层数（深度）",
  gridAccuracyAxis: "测试准确率（%）",
  gridParameterTitle: "测试准确率与参数个数（每个点：一种深度 x 宽度）",
  gridParameterAxis: "参数个数（权重和偏置，对数坐标）",
};

/** The table: every learner-facing text of the library, in each language. */
export const MESSAGES: Readonly<Record<Language, Messages>> = { en, zh };

let current: Language = "en";

/** Chooses the language of the library's learner-facing text: "en" (the default) or "zh". */
export function setLanguage(lang: Language): void {
  if (!(LANGUAGES as readonly unknown[]).includes(lang)) {
    throw new Error(
      `setLanguage: unknown language ${JSON.stringify(lang)}: expected one of ${
        LANGUAGES.map((l) => `"${l}"`).join(", ")
      }`,
    );
  }
  current = lang;
}

/** The language chosen with `setLanguage` ("en" until then). */
export function language(): Language {
  return current;
}

/** The texts of the current language. */
export function messages(): Messages {
  return MESSAGES[current];
}
