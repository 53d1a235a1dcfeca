/**
 * A progress bar for training loops, wherever the loop runs:
 * - in a notebook: one output, updated in place (a Jupyter `display_id` with `update: true`);
 * - in a terminal: one line, redrawn with a carriage return;
 * - in a log (output piped to a file, CI): a few plain lines, at 0%, 25%, 50%, 75% and 100%.
 *
 * It shows the step of the total, the latest loss and accuracy, the time elapsed and an estimate of
 * the time left: remaining = elapsed / step * (total - step), i.e. assuming the steps to come take as
 * long on average as the steps so far.
 */
import { display, jupyterApi } from "./jupyter.ts";
import type { BatchReport, EpochReport, TrainingCallbacks } from "./training.ts";
import { messages } from "./language.ts";

/** Where a progress bar draws itself. */
export type ProgressMode = "notebook" | "terminal" | "log";

/** Numbers shown beside the bar. */
export interface ProgressValues {
  /** Latest loss (e.g. the epoch's mean C); null or absent: not shown. */
  loss?: number | null;
  /** Latest accuracy, a fraction in [0, 1] (shown as a percentage); null or absent: not shown. */
  accuracy?: number | null;
}

/** Options of a progress bar; `mode`, `write`, `display` and `now` are there so tests can watch it. */
export interface ProgressOptions {
  /** Text before the bar, e.g. "epoch 3". */
  label?: string;
  /** Where to draw (default: notebook in a Jupyter kernel, terminal on a TTY, log otherwise). */
  mode?: ProgressMode;
  /** Where terminal and log text goes (default: standard output). */
  write?: (text: string) => void;
  /** How notebook output is shown (default: the kernel's display). */
  display?: (
    bundle: Record<string, unknown>,
    options: { display_id: string; update: boolean; settle: boolean },
  ) => Promise<void>;
  /** Clock in milliseconds (default: performance.now). */
  now?: () => number;
  /** Least time between two redraws in milliseconds (default 100); the final state is always drawn. */
  minInterval?: number;
  /** What the two numbers are called on the bar (default "loss" and "accuracy"). */
  names?: { loss?: string; accuracy?: string };
}

/** Fractions of the total at which a log gets a line. */
const LOG_MILESTONES = [0, 0.25, 0.5, 0.75, 1];
/** Characters of the text bar. */
const BAR_WIDTH = 20;

let progressCount = 0;

/** A progress bar over `total` steps: `await p.update(step, { loss, accuracy })`, then `await p.done()`. */
export class Progress {
  readonly total: number;
  readonly label: string;
  readonly mode: ProgressMode;
  /** Steps done so far. */
  step = 0;
  values: ProgressValues = {};
  #write: (text: string) => void;
  #display: NonNullable<ProgressOptions["display"]>;
  #now: () => number;
  #minInterval: number;
  #start: number;
  #lastDrawn = -Infinity;
  #drawnOnce = false;
  #lineLength = 0;
  #milestone = 0;
  #finished = false;
  #displayId: string;
  /** What the two numbers are called on the bar. */
  names: { loss: string; accuracy: string };

  constructor(total: number, options: ProgressOptions = {}) {
    if (!Number.isInteger(total) || total <= 0) {
      throw new Error(`Progress: total must be a positive whole number of steps, got ${total}`);
    }
    this.total = total;
    this.label = options.label ?? "";
    this.mode = options.mode ?? defaultMode();
    this.#write = options.write ?? ((text) => Deno.stdout.writeSync(new TextEncoder().encode(text)));
    this.#display = options.display ?? display;
    this.#now = options.now ?? (() => performance.now());
    this.#minInterval = options.minInterval ?? 100;
    this.names = {
      loss: options.names?.loss ?? messages().progressLoss,
      accuracy: options.names?.accuracy ?? messages().progressAccuracy,
    };
    this.#start = this.#now();
    progressCount += 1;
    // Unique within the kernel's life: Jupyter updates every output that shares a display_id.
    this.#displayId = `course-progress-${progressCount}-${Date.now().toString(36)}`;
  }

  /** Seconds since the bar was created. */
  get elapsed(): number {
    return (this.#now() - this.#start) / 1000;
  }

  /** Estimated seconds left: elapsed / step * (total - step); undefined before the first step. */
  get remaining(): number | undefined {
    return remainingSeconds(this.elapsed, this.step, this.total);
  }

  /** Records that `step` of `total` steps are done (with the latest loss, accuracy) and redraws if due. */
  async update(step: number, values: ProgressValues = {}): Promise<void> {
    if (this.#finished) throw new Error("Progress: update() after done()");
    if (!Number.isFinite(step) || step < 0 || step > this.total) {
      throw new Error(`Progress: step must be between 0 and ${this.total}, got ${step}`);
    }
    this.step = step;
    this.values = { ...this.values, ...values };
    const now = this.#now();
    if (this.mode === "log") {
      this.#logMilestones();
      return;
    }
    // Redraw at most every minInterval ms: a redraw costs a message to the front end.
    if (step < this.total && now - this.#lastDrawn < this.#minInterval) return;
    this.#lastDrawn = now;
    await this.#draw(false);
  }

  /** Draws the final state (step = total unless stopped early) and ends the line. */
  async done(values: ProgressValues = {}): Promise<void> {
    if (this.#finished) return;
    this.values = { ...this.values, ...values };
    if (this.mode === "log") {
      this.#logMilestones(true);
    } else {
      await this.#draw(true);
    }
    this.#finished = true;
  }

  /** The progress as one line of text, e.g. `epoch 1 [#####...] 25/100 25% | loss 0.512 | 1.2s, ~3.6s left`. */
  text(final = false): string {
    const fraction = this.step / this.total;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
    const parts = [
      `${this.label ? this.label + " " : ""}${bar} ${this.step}/${this.total} ${Math.floor(100 * fraction)}%`,
      ...this.#valueTexts(),
      final ? messages().progressDoneIn(formatSeconds(this.elapsed)) : this.#timeText(),
    ];
    return parts.join(" | ");
  }

  /** The notebook view: a real bar (a div filled to the fraction done) with the text beside it. */
  html(final = false): string {
    const percent = (100 * this.step / this.total).toFixed(1);
    const colour = final ? "#2ca02c" : "#1f77b4";
    const label = this.label ? `<span style="font-weight:600">${escapeHtml(this.label)}</span>` : "";
    const info = [
      `${this.step}/${this.total} (${Math.floor(100 * this.step / this.total)}%)`,
      ...this.#valueTexts(),
      final ? messages().progressDoneIn(formatSeconds(this.elapsed)) : this.#timeText(),
    ].map(escapeHtml).join(" &middot; ");
    return `<div class="course-progress" style="display:flex;align-items:center;gap:10px;` +
      `font-family:system-ui,sans-serif;font-size:13px;padding:2px 0">${label}` +
      `<div style="flex:0 0 260px;height:14px;background:#e6e6e6;border-radius:4px;overflow:hidden">` +
      `<div style="width:${percent}%;height:100%;background:${colour}"></div></div>` +
      `<span style="font-variant-numeric:tabular-nums">${info}</span></div>`;
  }

  #valueTexts(): string[] {
    const out: string[] = [];
    if (this.values.loss != null) out.push(`${this.names.loss} ${formatNumber(this.values.loss)}`);
    if (this.values.accuracy != null) {
      out.push(`${this.names.accuracy} ${(100 * this.values.accuracy).toFixed(1)}%`);
    }
    return out;
  }

  #timeText(): string {
    const left = this.remaining;
    const m = messages();
    return m.progressElapsed(formatSeconds(this.elapsed)) +
      (left === undefined ? "" : `, ${m.progressLeft(formatSeconds(left))}`);
  }

  async #draw(final: boolean): Promise<void> {
    const line = this.text(final);
    if (this.mode === "terminal") {
      // Pad with spaces so that a shorter line fully covers the previous one.
      this.#write("\r" + line.padEnd(this.#lineLength) + (final ? "\n" : ""));
      this.#lineLength = line.length;
      return;
    }
    await this.#display(
      { "text/html": this.html(final), "text/plain": line },
      // Only the final state must wait to reach the front end before the cell ends (see jupyter.ts display).
      { display_id: this.#displayId, update: this.#drawnOnce, settle: final },
    );
    this.#drawnOnce = true;
  }

  #logMilestones(final = false): void {
    const fraction = this.step / this.total;
    // One line per milestone crossed (several if a step jumps over more than one); the last on done().
    while (this.#milestone < LOG_MILESTONES.length && fraction >= LOG_MILESTONES[this.#milestone]) {
      const isLast = LOG_MILESTONES[this.#milestone] === 1;
      this.#write(this.text(isLast) + "\n");
      this.#milestone += 1;
    }
    if (final && this.#milestone < LOG_MILESTONES.length) {
      // Stopped early: one last line with where it got to.
      this.#write(this.text(true) + "\n");
      this.#milestone = LOG_MILESTONES.length;
    }
  }
}

/** The mode for this process: notebook in a Jupyter kernel, terminal on a TTY, log otherwise. */
export function defaultMode(): ProgressMode {
  if (jupyterApi()) return "notebook";
  try {
    return Deno.stdout.isTerminal() ? "terminal" : "log";
  } catch {
    return "log";
  }
}

/** Time left if the remaining steps take as long as the average step so far: elapsed / step * (total - step). */
export function remainingSeconds(elapsed: number, step: number, total: number): number | undefined {
  if (step <= 0) return undefined;
  return elapsed / step * (total - step);
}

/** Seconds as "4.2s", "3m 05s" or "1h 02m". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** A loss with 4 significant digits ("0.5124", "1234", "NaN"). */
function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e4 ? x.toExponential(3) : Number(x.toPrecision(4)).toString();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A training loop's callbacks wired to one progress bar, and `done()` to draw its final state. */
export interface TrainingProgress extends Required<TrainingCallbacks> {
  done(): Promise<void>;
}

/**
 * A progress bar for one training call, in one line: `const bar = trainingProgress("256-30-10");` then
 * `await net.SGD(X, labels, { ...options, ...bar });` and `await bar.done();`. It moves with every
 * mini-batch; after each epoch it shows that epoch's mean training C and the test accuracy (the training
 * accuracy where there is no test set), and says so on the bar.
 */
export function trainingProgress(label: string, options: ProgressOptions = {}): TrainingProgress {
  let bar: Progress | undefined;
  const start = (epochs: number, steps: number) =>
    bar ??= new Progress(epochs * steps, { label, names: { loss: messages().progressMeanC }, ...options });
  return {
    onBatch: async ({ epoch, epochs, step, steps }: BatchReport) => {
      await start(epochs, steps).update((epoch - 1) * steps + step);
    },
    onEpoch: async (r: EpochReport) => {
      const b = bar ?? start(r.epochs, 1);
      b.names.accuracy = r.testAccuracy !== null
        ? messages().progressTestAccuracy
        : messages().progressTrainingAccuracy;
      await b.update(Math.round(r.epoch / r.epochs * b.total), {
        loss: r.loss,
        accuracy: r.testAccuracy ?? r.accuracy,
      });
    },
    done: async () => await bar?.done(),
  };
}
