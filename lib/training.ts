/**
 * The training contract: what every training loop of the course shares (`Network.SGD` from scratch,
 * `trainTf` and `trainModel` on tfjs, the structure search), so that all of them speak one vocabulary:
 *
 * - the learning rate is the lecture's eta, the hidden activation a `Hidden`;
 * - after every mini-batch a loop reports a `BatchReport`, after every epoch an `EpochReport`, and it
 *   returns a `History` of its epochs;
 * - one divergence rule (`checkEpochLoss`): a loss that is not a number, or one stuck far above a guess;
 * - Kernel > Interrupt (SIGINT) stops it at the next mini-batch, keeping the parameters trained so far.
 *
 * It imports neither tfjs nor the from-scratch maths: both sides build on it.
 */
import { jupyterApi, print } from "./jupyter.ts";
import { type Divergence, messages } from "./language.ts";

/** The activation of the hidden layers. */
export type Hidden = "sigmoid" | "relu" | "tanh";

/** The hidden activations the course knows. */
export const HIDDENS: readonly Hidden[] = Object.freeze(["sigmoid", "relu", "tanh"]);

/**
 * The smallest probability a loss takes a logarithm of: ln(y) is computed as ln(max(y, EPSILON)), so a
 * probability that underflowed to 0 costs -ln(1e-7) = 16.1 instead of Infinity. 1e-7 is also the floor
 * tfjs and Keras use in their cross-entropy, so the two sides of the course report the same losses.
 */
export const EPSILON = 1e-7;

/**
 * A mean loss per example above half the largest possible, -ln(EPSILON) / 2 = 8.06, means the right class
 * gets a probability below sqrt(EPSILON) = 3e-4 on (geometric) average: thousands of times worse than a
 * random guess. (The largest, 16.1, is never reached: a saturated network predicts one class for
 * everything, so its loss plateaus somewhat below.)
 */
export const SATURATED = -Math.log(EPSILON) / 2;

/** Where a training loop is, told after every mini-batch (step counts from 1 within the epoch). */
export interface BatchReport {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
}

/** Told after every epoch: mean C and accuracy on the training batches (each measured before its step), the test set's after the epoch. */
export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  /** Mean C per test example after the epoch (null without a test set). */
  testLoss: number | null;
  /** Fraction of test examples classified right after the epoch (null without a test set). */
  testAccuracy: number | null;
  ms: number;
}

/** The callbacks every training loop takes; they may be async (the loop awaits them). */
export interface TrainingCallbacks {
  onBatch?: (report: BatchReport) => void | Promise<void>;
  onEpoch?: (report: EpochReport) => void | Promise<void>;
}

/** Where an interrupted training stopped: after `step` of `steps` mini-batches of epoch `epoch`. */
export interface Stopped {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
}

/** What a training loop returns: one entry per epoch (an interrupted epoch counts with its finished batches). */
export interface History {
  loss: number[];
  accuracy: number[];
  testLoss: (number | null)[];
  testAccuracy: (number | null)[];
  ms: number[];
  /** The mean C of every mini-batch, in order, each measured before its step. */
  batchLoss: number[];
  /** Where Kernel > Interrupt stopped the training, or null when it ran to the end. */
  stopped: Stopped | null;
}

/** An empty history, to be filled epoch by epoch with `record`. */
export function newHistory(): History {
  return { loss: [], accuracy: [], testLoss: [], testAccuracy: [], ms: [], batchLoss: [], stopped: null };
}

/** Appends one epoch's report to a history. */
export function record(history: History, report: EpochReport): void {
  history.loss.push(report.loss);
  history.accuracy.push(report.accuracy);
  history.testLoss.push(report.testLoss);
  history.testAccuracy.push(report.testAccuracy);
  history.ms.push(report.ms);
}

/** Throws unless `hidden` is one of the course's hidden activations, naming `what` was called. */
export function checkHidden(what: string, hidden: unknown): Hidden {
  if (!(HIDDENS as readonly unknown[]).includes(hidden)) {
    throw new Error(messages().badHidden(what, HIDDENS.map((h) => `"${h}"`).join(", "), String(hidden)));
  }
  return hidden as Hidden;
}

/** Throws unless eta is a positive finite number. */
export function checkEta(what: string, eta: unknown): void {
  if (typeof eta !== "number" || !Number.isFinite(eta) || eta <= 0) {
    throw new Error(messages().badEta(what, String(eta)));
  }
}

/**
 * The index of the first entry that is not a finite number, or -1: a plain loop, several times faster than
 * `findIndex` with a callback on the millions of inputs a training checks.
 */
export function firstNotFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/** Throws unless `value` is a whole number >= min, naming the option. */
export function checkWhole(what: string, name: string, value: unknown, min: number): void {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new Error(messages().notWhole(what, name, min, String(value)));
  }
}

/**
 * The error a diverged training throws: its message in the notebook's language (what happened, where, a
 * smaller eta to try), and the same facts as fields, for code (and tests) that must not read the wording.
 */
export class DivergenceError extends Error {
  /** The training that diverged ("SGD", "trainTf", ...). */
  readonly who: string;
  /** What diverged: the loss, the weights, the outputs, or a loss stuck far above a guess. */
  readonly divergence: Divergence;
  /** Where: the epoch (of `epochs`), and the mini-batch (of `steps`) when known. */
  readonly at: { epoch: number; epochs: number; step?: number; steps?: number };
  /** The learning rate that diverged, and the smaller one the message suggests. */
  readonly eta: number;
  readonly smaller: number;

  constructor(who: string, what: Divergence, at: DivergenceError["at"], eta: number) {
    const text = messages();
    const smaller = Number((eta / 10).toPrecision(3));
    super(text.diverged(who, what, text.divergedWhere(at), eta, smaller));
    this.name = "DivergenceError";
    this.who = who;
    this.divergence = what;
    const { epoch, epochs, step, steps } = at;
    this.at = step === undefined ? { epoch, epochs } : { epoch, epochs, step, steps };
    this.eta = eta;
    this.smaller = smaller;
  }
}

/** The error a diverged training throws (see DivergenceError). */
export function divergence(
  who: string,
  what: Divergence,
  at: { epoch: number; epochs: number; step?: number; steps?: number },
  eta: number,
): DivergenceError {
  return new DivergenceError(who, what, at, eta);
}

/**
 * The divergence rule, applied after each epoch to its mean loss per example: a loss that is NaN or
 * infinite has diverged; so has one above SATURATED in this epoch and the one before, or in the last
 * epoch (one such epoch can recover). A learning rate far too large need not overflow: it can saturate
 * the neurons, leaving the network confidently wrong with a finite loss.
 */
export function checkEpochLoss(
  who: string,
  loss: number,
  previous: number | undefined,
  at: { epoch: number; epochs: number; eta: number; classes: number },
): void {
  if (!Number.isFinite(loss)) throw divergence(who, { kind: "meanLoss", value: loss }, at, at.eta);
  if (loss > SATURATED && ((previous ?? 0) > SATURATED || at.epoch === at.epochs)) {
    const saturated = { kind: "saturated", threshold: SATURATED, value: loss, classes: at.classes } as const;
    throw divergence(who, saturated, at, at.eta);
  }
}

/** Least time between two looks at the event loop, in ms: often enough to stop within a second. */
const YIELD_EVERY_MS = 50;
/**
 * An interrupt that arrived this recently before a training started stops it too: a loop over several
 * trainings (notebook 04's grid) must end even when the signal lands between two of them.
 */
const REMEMBER_MS = 1000;

/** When the last SIGINT arrived (performance.now()), the last one a loop stopped on, and how many loops listen. */
let lastInterrupt = -Infinity;
let answered = -Infinity;
let listeners = 0;
/** Inside a Jupyter kernel the listener stays for the kernel's life (see Interrupt). */
let persistent = false;
const onSigint = () => {
  lastInterrupt = performance.now();
  if (listeners === 0) {
    console.log(messages().interruptNote);
  }
};

/** Registers the SIGINT listener (once); false where the runtime has no signals. */
function listen(): boolean {
  if (listeners > 0 || persistent) return true;
  try {
    Deno.addSignalListener("SIGINT", onSigint);
    return true;
  } catch {
    return false; // no signals here (e.g. Windows without SIGINT support): training then runs to its end
  }
}

/**
 * Kernel > Interrupt for training loops. Jupyter interrupts a kernel by sending it SIGINT, and Deno ends
 * on SIGINT unless a listener is registered: so while a loop trains one is, and inside a kernel it stays
 * registered once the course library is loaded, so that an interrupt never kills the kernel (and what it
 * holds); it stops the training that runs (or starts within REMEMBER_MS) and nothing else. The loop asks
 * `await interrupt.requested()` between mini-batches; that also lets the event loop run (tensor maths
 * never yields), or the signal could not be delivered before the loop ended.
 */
export class Interrupt {
  #started = performance.now();
  #lastYield = performance.now();
  #listening = false;
  #stopped = false;

  private constructor() {}

  /** Starts listening for SIGINT (where the runtime allows it); call `close()` when the loop ends. */
  static watch(): Interrupt {
    const interrupt = new Interrupt();
    interrupt.#listening = listen();
    if (interrupt.#listening) listeners += 1;
    return interrupt;
  }

  /** Keeps a SIGINT listener for the life of the process: in a kernel, an interrupt then never kills it. */
  static keepListening(): void {
    if (listen()) persistent = true;
  }

  /**
   * Whether to stop: a SIGINT arrived since this loop began, or just before and no other loop stopped on it
   * (one interrupt stops one training). Every YIELD_EVERY_MS it first lets pending events in.
   */
  async requested(): Promise<boolean> {
    if (performance.now() - this.#lastYield >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.#lastYield = performance.now();
    }
    if (!this.#stopped && lastInterrupt > answered && lastInterrupt >= this.#started - REMEMBER_MS) {
      this.#stopped = true;
      answered = lastInterrupt;
    }
    return this.#stopped;
  }

  /** Stops listening (outside a kernel, SIGINT then ends the program again, as usual). */
  close(): void {
    if (!this.#listening) return;
    this.#listening = false;
    listeners -= 1;
    if (listeners === 0 && !persistent) {
      try {
        Deno.removeSignalListener("SIGINT", onSigint);
      } catch {
        // never registered (no signals here)
      }
    }
  }
}

// In a Jupyter kernel, Kernel > Interrupt must stop training, not end the kernel with everything it holds.
if (jupyterApi()) Interrupt.keepListening();

/** Says, under the cell, where an interrupted training stopped and that its parameters are kept. */
export async function reportStop(what: string, stopped: Stopped): Promise<void> {
  await print(messages().trainingStopped(what, stopped));
}
