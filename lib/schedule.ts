/**
 * A learning-rate schedule: training in phases (notebook 04). A few epochs at a large eta move fast
 * towards a valley of the loss; a few more at a smaller eta settle into it instead of bouncing across.
 * Each phase is one `trainTf` call (Adam) that continues from the weights the previous phase ended with;
 * the phases' epochs are reported as one run (epoch 1..total), so one progress bar covers them all
 * (`trainingProgress` from lib/progress.ts).
 */
import type { Split } from "./data.ts";
import { type TfWeights, trainTf } from "./train.ts";
import {
  checkEta,
  checkWhole,
  type Hidden,
  type History,
  newHistory,
  type TrainingCallbacks,
} from "./training.ts";

/** One stretch of training: so many epochs at one learning rate eta. */
export interface Phase {
  epochs: number;
  eta: number;
}

/** Options of `trainInPhases`: the network, the phases, and the callbacks (e.g. a progress bar's). */
export interface PhasedOptions extends TrainingCallbacks {
  /** Neurons per layer, input first: [256, 500, 500, 10]. */
  sizes: number[];
  hidden: Hidden;
  phases: Phase[];
  /** Phase k draws its example order from seed + k (and its initial weights from seed, for phase 0). */
  seed: number;
  batchSize?: number;
  /** Start from these weights instead of seeded random ones (e.g. a search's winner). */
  initial?: TfWeights[];
}

/** The phases' epochs as one History, with the final weights. */
export interface PhasedRun extends History {
  sizes: number[];
  hidden: Hidden;
  weights: TfWeights[];
}

/**
 * Trains a dense softmax network with Adam, phase after phase, each phase continuing from the weights the
 * previous one ended with at its own eta (Adam's running averages start afresh with each phase). The
 * reports count epochs over all phases. Kernel > Interrupt ends the phase that runs and skips the rest.
 */
export async function trainInPhases(
  data: { train: Split; test?: Split },
  options: PhasedOptions,
): Promise<PhasedRun> {
  const { sizes, hidden, phases, seed, batchSize = 100, initial, onBatch, onEpoch } = options;
  if (!Array.isArray(phases) || phases.length === 0) {
    throw new Error("trainInPhases: phases must list at least one { epochs, eta }");
  }
  phases.forEach((p, k) => {
    checkWhole("trainInPhases", `phases[${k}].epochs`, p?.epochs, 1);
    checkEta(`trainInPhases: phases[${k}]`, p.eta);
  });
  const total = phases.reduce((sum, p) => sum + p.epochs, 0);
  const run: PhasedRun = { ...newHistory(), sizes, hidden, weights: initial ?? [] };
  for (const [k, phase] of phases.entries()) {
    const before = run.loss.length; // epochs done in earlier phases
    const result = await trainTf(data, {
      sizes,
      hidden,
      optimizer: "adam",
      eta: phase.eta,
      epochs: phase.epochs,
      batchSize,
      seed: seed + k,
      initial: run.weights.length > 0 ? run.weights : undefined,
      // Epoch numbers of the whole run, so that a progress bar sees one training of `total` epochs.
      onBatch: async (r) => await onBatch?.({ ...r, epoch: before + r.epoch, epochs: total }),
      onEpoch: async (r) => await onEpoch?.({ ...r, epoch: before + r.epoch, epochs: total }),
    });
    run.loss.push(...result.loss);
    run.accuracy.push(...result.accuracy);
    run.testLoss.push(...result.testLoss);
    run.testAccuracy.push(...result.testAccuracy);
    run.ms.push(...result.ms);
    run.batchLoss.push(...result.batchLoss);
    run.weights = result.weights;
    if (result.stopped) {
      run.stopped = { ...result.stopped, epoch: before + result.stopped.epoch, epochs: total };
      break; // Kernel > Interrupt: keep what was trained, skip the remaining phases
    }
  }
  return run;
}
