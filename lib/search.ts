/**
 * "Can the structure be learned automatically?" (notebook 04, 手写数字例子): network structures (depth,
 * width, activation) and a seeded automatic search over them, successive halving. Every candidate trains
 * briefly, only the best fraction (by validation accuracy) continues, with more epochs, and so on; the
 * budget is fixed in advance. The dense networks are trained by lib/train.ts (`trainTf`).
 */
import { print } from "./jupyter.ts";
import { messages } from "./language.ts";
import type { Split } from "./data.ts";
import { rng, shuffle } from "./random.ts";
import { type TfWeights, trainTf } from "./train.ts";
import { checkEta, checkHidden, type Hidden, type Stopped } from "./training.ts";

/** Number of parameters of a dense network with these layer sizes: sum over l of n_l n_{l-1} + n_l. */
export function parameterCount(sizes: number[]): number {
  return sizes.slice(1).reduce((sum, n, l) => sum + n * sizes[l] + n, 0);
}

/** One network structure the search may pick: hidden layers, neurons per hidden layer, activation. */
export interface Structure {
  depth: number;
  width: number;
  hidden: Hidden;
}

/** The set of structures to search: every combination of these values. */
export interface SearchSpace {
  depths: number[];
  widths: number[];
  hiddens: Hidden[];
}

/** Throws unless `s` is a structure: depth an integer >= 0, width an integer >= 1, hidden sigmoid or relu. */
function checkStructure(what: string, s: Structure): void {
  if (!s || typeof s !== "object") {
    throw new Error(`${what}: expected a structure { depth, width, hidden }, got ${s}`);
  }
  if (!Number.isInteger(s.depth) || s.depth < 0) {
    throw new Error(`${what}: depth must be an integer >= 0, got ${s.depth}`);
  }
  if (!Number.isInteger(s.width) || s.width < 1) {
    throw new Error(`${what}: width must be an integer >= 1, got ${s.width}`);
  }
  checkHidden(what, s.hidden);
}

/** Layer sizes of a structure for `inputs` inputs and `classes` outputs, e.g. [256, 128, 128, 10]. */
export function structureSizes(s: Structure, inputs = 256, classes = 10): number[] {
  checkStructure("structureSizes", s);
  return [inputs, ...Array(s.depth).fill(s.width), classes];
}

/** A short name for a structure, e.g. "256-128-128-10 ReLU". */
export function structureName(s: Structure, inputs = 256, classes = 10): string {
  checkStructure("structureName", s);
  return `${structureSizes(s, inputs, classes).join("-")} ${s.hidden === "relu" ? "ReLU" : "sigmoid"}`;
}

/** `count` different structures drawn at random (seeded) from the space: random search's candidates. */
export function sampleStructures(space: SearchSpace, count: number, seed: number): Structure[] {
  const all: Structure[] = [];
  for (const depth of space.depths) {
    for (const width of space.widths) {
      for (const hidden of space.hiddens) all.push({ depth, width, hidden });
    }
  }
  if (!Number.isInteger(count) || count < 1 || count > all.length) {
    throw new Error(
      `sampleStructures: count must be an integer in 1..${all.length} (the space's size), got ${count}`,
    );
  }
  return shuffle(all, rng(seed)).slice(0, count);
}

/** One candidate after one rung: its structure, epochs trained so far, validation accuracy, weights. */
export interface Trial {
  structure: Structure;
  name: string;
  parameters: number;
  rung: number;
  epochs: number;
  validationAccuracy: number;
  weights: TfWeights[];
  ms: number;
}

/** Options of `successiveHalving`. */
export interface HalvingOptions {
  /** Epochs added at each rung, e.g. [1, 2]: everyone trains 1 epoch, the survivors 2 more. */
  rungEpochs: number[];
  /** Fraction of candidates kept after each rung (1/3: the best third continues). */
  keep: number;
  /** Adam's learning rate eta. */
  eta: number;
  batchSize?: number;
  seed?: number;
  /** Told after every candidate of every rung (e.g. to print it or move a progress bar). */
  onTrial?: (trial: Trial) => void | Promise<void>;
}

/** Every trial of every rung, and the best candidate of the last rung (or of the rung an interrupt stopped). */
export interface HalvingResult {
  trials: Trial[];
  best: Trial;
  /** Epochs of training spent, summed over all candidates (the budget). */
  epochsSpent: number;
  /** Where Kernel > Interrupt stopped the search (the candidate's training), or null. */
  stopped: Stopped | null;
}

/**
 * Successive halving (Jamieson and Talwalkar 2016): train every candidate for rungEpochs[0] epochs, keep
 * the best `keep` fraction by validation accuracy, train those rungEpochs[1] more epochs (continuing from
 * their weights), and so on. The validation set must not be the test set: choosing by test accuracy would
 * make the test accuracy of the winner an optimistic guess. Kernel > Interrupt stops the candidate in
 * training and the search with it; the best of the round so far is returned.
 */
export async function successiveHalving(
  data: { train: Split; validation: Split },
  candidates: Structure[],
  options: HalvingOptions,
): Promise<HalvingResult> {
  const { rungEpochs, keep, eta, batchSize = 100, seed = 0 } = options;
  if (!data?.train || !data?.validation) {
    throw new Error(
      "successiveHalving: data.train and data.validation are required (a held-out validation Split: see holdOut)",
    );
  }
  if (!Array.isArray(candidates) || candidates.length < 1) {
    throw new Error("successiveHalving: no candidates given");
  }
  candidates.forEach((c, i) => checkStructure(`successiveHalving: candidate ${i}`, c));
  if (rungEpochs.length < 1 || rungEpochs.some((e) => !Number.isInteger(e) || e < 1)) {
    throw new Error(`successiveHalving: rungEpochs must list positive integers, got [${rungEpochs}]`);
  }
  if (!(keep > 0 && keep < 1)) throw new Error(`successiveHalving: keep must be in (0, 1), got ${keep}`);
  checkEta("successiveHalving", eta);
  const inputs = data.train.x.length / data.train.n;
  const trials: Trial[] = [];
  let alive: { structure: Structure; last?: Trial }[] = candidates.map((structure) => ({ structure }));
  let epochsSpent = 0;
  let stopped: Stopped | null = null;
  for (let rung = 0; rung < rungEpochs.length && !stopped; rung++) {
    const results: Trial[] = [];
    for (const [k, { structure, last }] of alive.entries()) {
      const sizes = structureSizes(structure, inputs);
      const start = performance.now();
      const run = await trainTf({ train: data.train, test: data.validation }, {
        sizes,
        hidden: structure.hidden,
        optimizer: "adam",
        eta,
        batchSize,
        epochs: rungEpochs[rung],
        seed: seed + 1000 * rung + k,
        initial: last?.weights,
      });
      const epochs = run.stopped ? run.loss.length : rungEpochs[rung];
      epochsSpent += epochs;
      const trial: Trial = {
        structure,
        name: structureName(structure, inputs),
        parameters: parameterCount(sizes),
        rung,
        epochs: (last?.epochs ?? 0) + epochs,
        validationAccuracy: run.testAccuracy[run.testAccuracy.length - 1]!,
        weights: run.weights,
        ms: performance.now() - start,
      };
      results.push(trial);
      trials.push(trial);
      await options.onTrial?.(trial);
      stopped = run.stopped;
      if (stopped) break;
    }
    // Best first; ties go to the smaller network (fewer parameters), then to the earlier candidate.
    results.sort((p, q) => q.validationAccuracy - p.validationAccuracy || p.parameters - q.parameters);
    const survivors = rung === rungEpochs.length - 1 || stopped
      ? 1
      : Math.max(1, Math.round(results.length * keep));
    alive = results.slice(0, survivors).map((t) => ({ structure: t.structure, last: t }));
  }
  if (stopped) {
    await print(messages().searchStopped(trials.length, alive[0].last!.name));
  }
  return { trials, best: alive[0].last!, epochsSpent, stopped };
}
