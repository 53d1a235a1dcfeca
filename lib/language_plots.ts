/**
 * The texts of the library's plots, in both languages: part of lib/language.ts's table (`Messages` extends
 * `PlotMessages`), kept in its own file so that each stays short. They are the defaults a learner sees in
 * the notebooks' plots: axis titles, legend names, hover lines and slider labels of the learning curves
 * (lib/curves.ts), the heatmaps and confusion matrix (lib/heatmap.ts), the input plane (lib/input_plane.ts),
 * the network diagram (lib/diagram.ts), the loss surfaces (lib/surface.ts), the explorers with sliders
 * (lib/widgets.ts), the playground's summary line (lib/playground.ts), and what a plot shows where no script
 * draws it: its one-line description and its placeholder (lib/jupyter.ts).
 *
 * A title or name the notebook gives is the notebook's own text; symbols (w₁, L(w, b), η) stay as they are.
 * A hover text keeps plotly's `%{...}` fields; `<extra></extra>` is added where it is used.
 */

/** What a plot's one-line description (text/plain) holds. */
export interface PlotParts {
  title: string;
  /** How many traces, and their kinds (plotly's trace types: "scatter", "heatmap"). */
  traces: number;
  kinds: string[];
  /** The traces' names when there are several (the first 10), `more` when there are more. */
  names: string[];
  more: boolean;
  /** The axis titles; "" where there is none. */
  x: string;
  y: string;
  /** The sliders' names. */
  sliders: string[];
}

/** The texts of the library's plots (a function where the text has values). */
export interface PlotMessages {
  // lib/jupyter.ts
  /** A figure's one-line description, its text/plain form: "[plot] Loss (2 traces, scatter: ...)". */
  plotDescription: (p: PlotParts) => string;
  plotUntitled: string;
  /** Where no script runs (an untrusted notebook, GitHub): what the plot's place says; `title`, HTML, may be "". */
  plotPlaceholder: (title: string) => string;
  plotFailed: string;
  // lib/input_plane.ts, lib/widgets.ts, lib/diagram.ts
  /** An input's axis or node: `x` is its symbol ("x1", "x₁", "x"). */
  plotInput: (x: string) => string;
  /** The output's colour bar: "output", or "output a" with a symbol. */
  plotOutput: (symbol?: string) => string;
  plotLayer: (l: number) => string;
  plotOutputLayer: (l: number) => string;
  // lib/curves.ts (the epoch axis: `playEpoch`)
  curvesTraining: string;
  curvesTest: string;
  curvesAccuracy: string;
  curvesLossTitle: string;
  curvesLossAxis: string;
  // lib/heatmap.ts
  heatCell: string;
  heatPixel: string;
  /** The confusion matrix's title: `percent` correct ("93.1") of `n` digits. */
  confusionTitle: (percent: string, n: number) => string;
  confusionPredicted: string;
  confusionTrue: string;
  confusionCount: string;
  // lib/surface.ts, lib/widgets.ts
  /** The hover of a point of a descent path; `a` and `b` are the parameters' symbols ("w", "b"). */
  updateHover: (a: string, b: string) => string;
  zoomedOut: (axis: string) => string;
  neuronTitle: string;
  descentTitle: string;
  descentParameter: (w: string) => string;
  descentLoss: string;
  descentLossSurface: string;
  descentUpdates: string;
  descentStart: string;
  descentLossPerUpdate: string;
  descentLossHover: string;
  descentUpdateAxis: string;
  descentLossAxis: string;
  descentRate: string;
  // lib/playground.ts, lib/playground_planes.ts
  /** A data set of lib/datasets2d.ts as a title names it ("spiral"; the name given to `dataset2d` in code). */
  datasetTitle: (name: string) => string;
  /** A playground run in one line: data, network, eta, epochs done, accuracies, and a note (stopped). */
  playSummary: (
    data: string,
    network: string,
    eta: number,
    epochs: number,
    train: string,
    heldOut: string,
    note?: string,
  ) => string;
  /** The playground figure's text/plain form. */
  playDescription: (summary: string) => string;
}

/** The plots' texts in English. */
export const EN_PLOTS: PlotMessages = {
  plotDescription: (p) => {
    const series = p.names.length > 1 ? `: ${p.names.join(", ")}${p.more ? ", ..." : ""}` : "";
    const axes = p.x || p.y ? `; x: ${p.x || "-"}, y: ${p.y || "-"}` : "";
    const sliders = p.sliders.length > 0 ? `; sliders: ${p.sliders.join(", ")}` : "";
    const traces = `${p.traces} ${p.traces === 1 ? "trace" : "traces"}`;
    return `[plot] ${p.title} (${traces}, ${p.kinds.join(", ")}${series}${axes}${sliders})`;
  },
  plotUntitled: "untitled",
  plotPlaceholder: (title) =>
    `Interactive plot "${
      title || "plot"
    }": drawn by JavaScript when this cell runs (in Jupyter Notebook: trust the ` +
    `notebook or run the cell).`,
  plotFailed: "The plot could not be drawn: ",
  plotInput: (x) => `input ${x}`,
  plotOutput: (symbol) => symbol ? `output ${symbol}` : "output",
  plotLayer: (l) => `layer ${l}`,
  plotOutputLayer: (l) => `output (layer ${l})`,
  curvesTraining: "training digits",
  curvesTest: "test digits (never trained on)",
  curvesAccuracy: "accuracy (%)",
  curvesLossTitle: "mean cross-entropy C per digit",
  curvesLossAxis: "mean C (log scale)",
  heatCell: "row %{y}, column %{x}: %{z}",
  heatPixel: "pixel value %{z:.2f}",
  confusionTitle: (percent, n) => `Confusion matrix (${percent}% correct of ${n})`,
  confusionPredicted: "predicted digit",
  confusionTrue: "true digit",
  confusionCount: "count",
  updateHover: (a, b) => `update %{pointNumber}: ${a} %{x:.3f}, ${b} %{y:.3f}`,
  zoomedOut: (axis) => `${axis} (zoomed out)`,
  neuronTitle: "One neuron: a = σ(w₁x₁ + w₂x₂ + b)",
  descentTitle: "Gradient descent: w ← w − η ∂L/∂w",
  descentParameter: (w) => `parameter ${w}`,
  descentLoss: "loss L",
  descentLossSurface: "loss L(w)",
  descentUpdates: "updates",
  descentStart: "start",
  descentLossPerUpdate: "loss per update",
  descentLossHover: "update %{x}: L = %{y:.4g}",
  descentUpdateAxis: "update t",
  descentLossAxis: "loss L (log scale)",
  descentRate: "learning rate η = ",
  datasetTitle: (name) => name,
  playSummary: (data, network, eta, epochs, train, heldOut, note) =>
    `${data}, network ${network}, η = ${eta}, ${epochs} epochs: training accuracy ${train}, ` +
    `held-out accuracy ${heldOut}${note ? ` (${note})` : ""}`,
  playDescription: (summary) => `[plot] playground: ${summary}`,
};

/** plotly's trace types, as a Chinese description names them. */
const ZH_KINDS: Record<string, string> = {
  scatter: "曲线或散点",
  heatmap: "热图",
  bar: "柱状图",
  contour: "等高线图",
};

/** The data sets of lib/datasets2d.ts, as a Chinese title names them. */
const ZH_DATASETS: Record<string, string> = {
  xor: "XOR",
  circles: "圆环",
  gaussians: "高斯",
  spiral: "螺旋",
};

/** The plots' texts in Simplified Chinese (the numbers of the English ones, in any order). */
export const ZH_PLOTS: PlotMessages = {
  plotDescription: (p) => {
    const series = p.names.length > 1 ? `：${p.names.join("、")}${p.more ? "……" : ""}` : "";
    const axes = p.x || p.y ? `；横轴：${p.x || "-"}，纵轴：${p.y || "-"}` : "";
    const sliders = p.sliders.length > 0 ? `；滑块：${p.sliders.join("、")}` : "";
    const kinds = p.kinds.map((k) => ZH_KINDS[k] ?? k).join("、");
    return `[图] ${p.title}（${p.traces} 组数据，${kinds}${series}${axes}${sliders}）`;
  },
  plotUntitled: "无标题",
  plotPlaceholder: (title) =>
    `交互图“${
      title || "图"
    }”：运行这个单元格时由 JavaScript 绘制（在 Jupyter Notebook 中：请信任这个笔记本，或运行这个单元格）。`,
  plotFailed: "无法绘制这张图：",
  plotInput: (x) => `输入 ${x}`,
  plotOutput: (symbol) => symbol ? `输出 ${symbol}` : "输出",
  plotLayer: (l) => `第 ${l} 层`,
  plotOutputLayer: (l) => `输出（第 ${l} 层）`,
  curvesTraining: "训练数字",
  curvesTest: "测试数字（从未用来训练）",
  curvesAccuracy: "准确率（%）",
  curvesLossTitle: "每个数字的平均交叉熵 C",
  curvesLossAxis: "平均 C（对数坐标）",
  heatCell: "第 %{y} 行，第 %{x} 列：%{z}",
  heatPixel: "像素值 %{z:.2f}",
  confusionTitle: (percent, n) => `混淆矩阵（${n} 个中 ${percent}% 正确）`,
  confusionPredicted: "预测的数字",
  confusionTrue: "真实的数字",
  confusionCount: "个数",
  updateHover: (a, b) => `第 %{pointNumber} 次更新：${a} %{x:.3f}，${b} %{y:.3f}`,
  zoomedOut: (axis) => `${axis}（缩小视图）`,
  neuronTitle: "一个神经元：a = σ(w₁x₁ + w₂x₂ + b)",
  descentTitle: "梯度下降：w ← w − η ∂L/∂w",
  descentParameter: (w) => `参数 ${w}`,
  descentLoss: "损失 L",
  descentLossSurface: "损失 L(w)",
  descentUpdates: "更新路径",
  descentStart: "起点",
  descentLossPerUpdate: "每次更新后的损失",
  descentLossHover: "第 %{x} 次更新：L = %{y:.4g}",
  descentUpdateAxis: "更新次数 t",
  descentLossAxis: "损失 L（对数坐标）",
  descentRate: "学习率 η = ",
  datasetTitle: (name) => ZH_DATASETS[name] ?? name,
  playSummary: (data, network, eta, epochs, train, heldOut, note) =>
    `${data}，网络 ${network}，η = ${eta}，训练 ${epochs} 轮：训练准确率 ${train}，` +
    `留出准确率 ${heldOut}${note ? `（${note}）` : ""}`,
  playDescription: (summary) => `[图] 游乐场：${summary}`,
};
