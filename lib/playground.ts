/**
 * A playground in the spirit of TensorFlow Playground: the course's own from-scratch network
 * (`Network.SGD`, lib/network.ts) learns a two-class data set on the plane (lib/datasets2d.ts), and ONE output
 * shows it happening, updated in place while it trains:
 *
 * - the plane: the points (filled: training, hollow: held out) over the network's output P(label 1) at every
 *   point of a grid, so that the decision boundary is where the colour turns from blue to red;
 * - the loss per epoch, on the training points and on the held-out points;
 * - for a small network, the network itself: one line per weight, red positive, blue negative, thicker for a
 *   larger size |w|.
 *
 * Live (in a Jupyter kernel), the output is redrawn at most once per `minInterval` ms (200 ms: 5 times a
 * second) however fast the training goes. Along the way it records frames (the same picture at a few
 * epochs); when training ends the output is replaced by the recorded frames with a slider and a play button,
 * which run in the page: that is what an exported HTML page or a reopened notebook shows, without a kernel.
 *
 * Kernel > Interrupt stops the training at its next mini-batch (lib/training.ts): the playground keeps the
 * network trained so far and shows its frames up to there. A training that diverges (learning rate too
 * large) throws the training contract's error, after showing the frames up to the failure.
 *
 * This module is the run; drawing one state of it is lib/playground_view.ts, and the side-by-side planes of
 * trained runs are lib/playground_planes.ts.
 */
import {
  checkDatasetName,
  type Dataset2d,
  dataset2d,
  type DatasetName,
  type Points2d,
} from "./datasets2d.ts";
import { bundle, display as kernelDisplay, jupyterApi, type PlotSession, print } from "./jupyter.ts";
import { Network } from "./network.ts";
import type { Figure } from "./plot.ts";
import { messages } from "./language.ts";
import { checkEta, checkHidden, checkWhole, type Hidden, type History } from "./training.ts";
import {
  drawableNetwork,
  percent,
  playButton,
  type PlaygroundFrame,
  probabilityGrid,
  replayFigure,
  round3,
  viewFigure,
} from "./playground_view.ts";

/** What `playground` takes: the data, the network, the training, and how it is shown. */
export interface PlaygroundOptions {
  /** A data set's name ("xor", "circles", "gaussians", "spiral") or one made by `dataset2d`. */
  data: DatasetName | Dataset2d;
  /** For a named data set: the noise (default 0.05) and the number of points (default 400, half held out). */
  noise?: number;
  points?: number;
  /** Hidden layers (>= 1) and neurons in each (>= 1): depth 3, width 16 is 2-16-16-16-2. */
  depth: number;
  width: number;
  /** The hidden layers' activation (default "relu"). */
  hidden?: Hidden;
  /** The learning rate eta, the mini-batch size (default 10) and the number of epochs. */
  eta: number;
  batchSize?: number;
  epochs: number;
  /** One seed for everything random: the points, the initial weights, the order of the mini-batches (default 1). */
  seed?: number;
  /** Frames recorded for the replay (default 21, the first one before training; 2 to 200). */
  frames?: number;
  /** Show the figure (default true); false trains silently (for side-by-side comparisons). */
  show?: boolean;
  /** Least time between two live redraws, in ms (default 200: at most 5 a second). */
  minInterval?: number;
  /** Clock in ms (default performance.now): injected by tests. */
  now?: () => number;
  /**
   * How outputs are shown (default: the kernel's display, live only in a kernel). Given one, the view is
   * live wherever it runs: tests count its calls.
   */
  display?: PlaygroundDisplay;
}

/** A display function like lib/jupyter.ts's `display`. */
export type PlaygroundDisplay = (
  bundle: Record<string, unknown>,
  options: { display_id: string; update: boolean; settle: boolean },
) => Promise<void>;

/** What `playground` returns. */
export interface PlaygroundRun {
  data: Dataset2d;
  /** The trained network (the weights when it stopped, if interrupted). */
  net: Network;
  /** The training's history (lib/training.ts): losses per epoch, `stopped` after Kernel > Interrupt. */
  history: History;
  sizes: number[];
  hidden: Hidden;
  eta: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Accuracy on the training points and on the held-out points, with the final weights. */
  trainAccuracy: number;
  testAccuracy: number;
  /** Mean loss per point, training and held out, with the final weights. */
  trainLoss: number;
  testLoss: number;
  frames: PlaygroundFrame[];
  /** Live redraws sent while training (the first drawing and the final replay not counted). */
  updates: number;
  /** Seconds the training took (drawing included). */
  seconds: number;
  /** One line: the data, the network, the result. */
  summary: string;
}

const OPTION_NAMES = [
  "data",
  "noise",
  "points",
  "depth",
  "width",
  "hidden",
  "eta",
  "batchSize",
  "epochs",
  "seed",
  "frames",
  "show",
  "minInterval",
  "now",
  "display",
];

/** The checked options, with defaults filled in; a bad one throws an error naming it. */
function checkOptions(options: PlaygroundOptions) {
  const what = "playground";
  if (!options || typeof options !== "object") {
    throw new Error(
      `${what}: expected options { data, depth, width, eta, epochs, ... }, got ${String(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new Error(`${what}: unknown option "${key}": expected some of ${OPTION_NAMES.join(", ")}`);
    }
  }
  const { depth, width, eta, epochs, hidden = "relu", batchSize = 10, seed = 1, frames = 21 } = options;
  if (typeof options.data !== "object" || options.data === null) {
    checkDatasetName(`${what} (data)`, options.data);
  } else if (!options.data.train?.X || !options.data.test?.X) {
    throw new Error(`${what}: data must be a data set's name or a data set made by dataset2d`);
  } else if (options.noise !== undefined || options.points !== undefined) {
    throw new Error(`${what}: noise and points make a named data set; a data set from dataset2d has its own`);
  }
  checkWhole(what, "depth (the number of hidden layers)", depth, 1);
  checkWhole(what, "width (the neurons per hidden layer)", width, 1);
  checkHidden(what, hidden);
  checkEta(what, eta);
  checkWhole(what, "epochs", epochs, 1);
  checkWhole(what, "batchSize", batchSize, 1);
  if (!Number.isInteger(seed)) throw new Error(`${what}: seed must be an integer, got ${String(seed)}`);
  checkWhole(what, "frames", frames, 2);
  if (frames > 200) throw new Error(`${what}: frames must be at most 200, got ${frames}`);
  const minInterval = options.minInterval ?? 200;
  if (typeof minInterval !== "number" || !(minInterval >= 0)) {
    throw new Error(`${what}: minInterval must be a number of milliseconds >= 0, got ${String(minInterval)}`);
  }
  return { depth, width, eta, epochs, hidden, batchSize, seed, frames, minInterval };
}

/** Fraction of points whose larger output is their label (a NaN output counts as wrong). */
function accuracyOf(net: Network, points: Points2d): number {
  const y = net.feedforward(points.X), n = points.labels.length;
  let correct = 0;
  for (let k = 0; k < n; k++) {
    const predicted = y.data[n + k] > y.data[k] ? 1 : 0;
    if (predicted === points.labels[k]) correct++;
  }
  return correct / n;
}

/** Mean loss C = -ln y_label per point (NaN when an output is NaN). */
function lossOf(net: Network, points: Points2d): number {
  const y = net.feedforward(points.X), n = points.labels.length;
  let total = 0;
  for (let k = 0; k < n; k++) total -= Math.log(Math.max(y.data[points.labels[k] * n + k], 1e-7));
  return total / n;
}

/** The epochs at which frames are recorded: 0 (before training), then evenly spaced up to the last. */
export function frameEpochs(epochs: number, frames: number): number[] {
  const n = Math.min(frames, epochs + 1);
  return [...new Set(Array.from({ length: n }, (_, k) => Math.round(k * epochs / (n - 1))))];
}

/** The live output: one display id, redrawn at most every minInterval ms; then replaced by the replay. */
class LiveView {
  readonly id = `course-playground-${crypto.randomUUID()}`;
  updates = 0;
  #last = -Infinity;
  #shown = false;
  /** plotly.js, when the first drawing carried it (the first plot of the kernel): the replay must too. */
  #plotlyPrefix = "";
  /** Live redraws get their own div counter, so that the course's plot numbering does not depend on timing. */
  #session: PlotSession = { count: 0, injected: true };

  constructor(
    readonly display: PlaygroundDisplay,
    readonly minInterval: number,
    readonly now: () => number,
  ) {}

  /** Whether a redraw is due now (and if so, the clock starts over). */
  due(): boolean {
    const t = this.now();
    if (t - this.#last < this.minInterval) return false;
    this.#last = t;
    return true;
  }

  /** Shows the live figure: the first time as a new output, then in its place. */
  async draw(fig: Figure): Promise<void> {
    if (!this.#shown) {
      const first = bundle(fig);
      const html = first["text/html"] as string;
      this.#plotlyPrefix = html.slice(0, Math.max(0, html.indexOf('<div id="course-plot-')));
      await this.display(first, { display_id: this.id, update: false, settle: false });
      this.#shown = true;
      return;
    }
    this.updates += 1;
    await this.display(bundle(fig, this.#session), { display_id: this.id, update: true, settle: false });
  }

  /** Replaces the live figure by the replay (or shows it, if nothing was drawn live), with its play button. */
  async finish(fig: Figure, extra: Record<string, unknown>): Promise<void> {
    const b = bundle(fig);
    const html = b["text/html"] as string;
    const divId = /<div id="([^"]+)"/.exec(html)?.[1] ?? "";
    const prefix = html.startsWith("<script") ? "" : this.#plotlyPrefix;
    const final = { ...b, ...extra, "text/html": prefix + html + "\n" + playButton(divId) };
    await this.display(final, { display_id: this.id, update: this.#shown, settle: true });
  }
}

/** The kernel's display, in the shape PlaygroundDisplay has. */
const defaultDisplay: PlaygroundDisplay = (b, options) => kernelDisplay(b, options);

/**
 * Trains a fully connected network on a data set of the plane and shows it learning (see the top of this
 * file). One call holds every choice: `playground({ data: "spiral", depth: 3, width: 16, hidden: "relu",
 * eta: 0.1, epochs: 300 })`. Returns the trained network, its history, its accuracies and the frames.
 */
export async function playground(options: PlaygroundOptions): Promise<PlaygroundRun> {
  const o = checkOptions(options);
  const data = typeof options.data === "string"
    ? dataset2d(options.data, { noise: options.noise, points: options.points, seed: o.seed })
    : options.data;
  const sizes = [2, ...Array.from({ length: o.depth }, () => o.width), 2];
  const net = Network.random(sizes, { seed: o.seed, hidden: o.hidden, output: "softmax" });
  const drawn = drawableNetwork(sizes);
  const show = options.show ?? true;
  const live = show && (options.display !== undefined || jupyterApi() !== undefined)
    ? new LiveView(options.display ?? defaultDisplay, o.minInterval, options.now ?? (() => performance.now()))
    : undefined;
  const base = {
    title: messages().playTitle(
      messages().datasetTitle(data.name),
      sizes.join("-"),
      o.hidden,
      o.eta,
      o.batchSize,
    ),
    sizes,
    epochs: o.epochs,
    data,
  };
  const trainLoss = [lossOf(net, data.train)], testLoss = [lossOf(net, data.test)];
  let epoch = 0;
  /** The picture now: the output over the plane, the accuracies, the losses so far, the weights. */
  const snapshot = (): PlaygroundFrame => ({
    epoch,
    z: probabilityGrid(net),
    trainAccuracy: accuracyOf(net, data.train),
    testAccuracy: accuracyOf(net, data.test),
    trainLoss: trainLoss.slice(),
    testLoss: testLoss.slice(),
    ...(drawn ? { weights: net.W.map((W) => W.toArray().map((row) => row.map(round3))) } : {}),
  });
  const frames: PlaygroundFrame[] = [snapshot()];
  const wanted = new Set(frameEpochs(o.epochs, o.frames));
  const redraw = async () => {
    if (live?.due()) await live.draw(viewFigure({ ...base, frame: snapshot(), mode: "live" }));
  };
  const started = performance.now();
  await redraw();
  let history: History | null = null;
  let failure: Error | null = null;
  try {
    history = await net.SGD(data.train.X, data.train.labels, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      eta: o.eta,
      seed: o.seed,
      test: data.test,
      onBatch: redraw,
      onEpoch: async (report) => {
        epoch = report.epoch;
        trainLoss.push(report.loss);
        testLoss.push(report.testLoss ?? NaN);
        if (wanted.has(epoch)) frames.push(snapshot());
        await redraw();
      },
    });
  } catch (e) {
    failure = e instanceof Error ? e : new Error(String(e));
  }
  // The last frame shows where training ended: at its last epoch, where Kernel > Interrupt stopped it (the
  // interrupted epoch counts, with its mini-batches done), or in the epoch that failed (its weights then).
  if (failure) {
    epoch += 1;
    frames.push(snapshot());
  } else if (frames.at(-1)!.epoch !== epoch) frames.push(snapshot());
  const seconds = (performance.now() - started) / 1000;
  const last = frames.at(-1)!;
  const note = failure
    ? messages().playDiverged(last.epoch)
    : history?.stopped
    ? messages().playInterrupted(history.stopped.epoch)
    : undefined;
  const result = {
    trainAccuracy: last.trainAccuracy,
    testAccuracy: last.testAccuracy,
    trainLoss: lossOf(net, data.train),
    testLoss: lossOf(net, data.test),
  };
  const summary = messages().playSummary(
    messages().datasetTitle(data.name),
    `${sizes.join("-")} ${o.hidden}`,
    o.eta,
    last.epoch,
    percent(result.trainAccuracy),
    percent(result.testAccuracy),
    note,
  );
  if (show) {
    const fig = replayFigure(base, frames, note);
    const extra = {
      "text/plain": messages().playDescription(summary),
      // The run's numbers for tools and tests, whatever language the page is written in.
      [PLAYGROUND_MIME]: {
        data: data.name,
        noise: data.noise,
        sizes,
        hidden: o.hidden,
        eta: o.eta,
        batchSize: o.batchSize,
        epochs: o.epochs,
        epochsDone: last.epoch,
        seed: o.seed,
        ...result,
        frames: frames.length,
        // Live redraws and the seconds they happened in (timing: they differ from run to run).
        updates: live?.updates ?? 0,
        seconds,
        stopped: history?.stopped ?? null,
        diverged: failure !== null,
      },
    };
    if (live) await live.finish(fig, extra);
    else await kernelDisplay({ ...bundle(fig), ...extra });
    await print(summary);
  }
  if (failure) throw failure;
  return {
    data,
    net,
    history: history!,
    sizes,
    hidden: o.hidden,
    eta: o.eta,
    batchSize: o.batchSize,
    epochs: o.epochs,
    seed: o.seed,
    ...result,
    frames,
    updates: live?.updates ?? 0,
    seconds,
    summary,
  };
}

/** The MIME type of the numbers a playground output carries beside its figure. */
export const PLAYGROUND_MIME = "application/vnd.course.playground+json";
