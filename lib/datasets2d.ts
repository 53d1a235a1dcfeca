/**
 * Two-class data on a plane, as in TensorFlow Playground: each example is a point x = (x1, x2) with a label
 * 0 or 1, so that a network's whole function can be drawn (its output over the plane) beside the points.
 *
 * - "xor": label 1 where x1 and x2 have the same sign (a line cannot separate them: two quadrants each);
 * - "circles": label 0 inside a disc, label 1 on a ring around it;
 * - "gaussians": two round clouds, one per label (a line separates them);
 * - "spiral": two arms winding around each other one and three-quarter times.
 *
 * The points lie in the square [-1, 1] x [-1, 1] (up to the noise). `noise` is the standard deviation of
 * Gaussian noise added to each coordinate after the label is chosen, so that noisy points can cross into the
 * other class's region. Every point comes from a seeded generator: the same seed gives the same points.
 * A batch holds one point per COLUMN (2 x N), as the course's Network takes it.
 */
import { Matrix } from "./matrix.ts";
import { randn, type Rng, rng, shuffle } from "./random.ts";

/** The data sets on the plane. */
export type DatasetName = "xor" | "circles" | "gaussians" | "spiral";

/** Every data set's name, in the order the notebook shows them. */
export const DATASETS: readonly DatasetName[] = Object.freeze(["xor", "circles", "gaussians", "spiral"]);

/** Points and their labels: X is 2 x N (x1 in row 0, x2 in row 1), labels[n] in {0, 1}. */
export interface Points2d {
  X: Matrix;
  labels: number[];
}

/** A data set split into training points and held-out points, with what made it. */
export interface Dataset2d {
  name: DatasetName;
  noise: number;
  seed: number;
  train: Points2d;
  test: Points2d;
}

/** Options of `dataset2d`. */
export interface Dataset2dOptions {
  /** Number of points, half of each label (default 400). */
  points?: number;
  /** Standard deviation of the noise added to each coordinate (default 0.05; 0 = none). */
  noise?: number;
  /** The seed of the points and of the split (default 1). */
  seed?: number;
  /** Fraction of the points held out for testing, never trained on (default 0.5, as TensorFlow Playground). */
  testFraction?: number;
}

/** Half the side of the square the points fill (before noise): the plane drawn is a bit larger. */
export const DATASET_EXTENT = 1;

/** A clean point of label `label` (before noise), drawn with the generator. */
type Maker = (label: number, k: number, perLabel: number, random: Rng) => [number, number];

const uniform = (random: Rng, lo: number, hi: number) => lo + (hi - lo) * random();

const MAKERS: Record<DatasetName, Maker> = {
  // Same sign (label 1): quadrant I or III; opposite signs (label 0): II or IV. A small gap along the axes
  // keeps the clean points off the boundary.
  xor: (label, _k, _n, random) => {
    const gap = 0.05;
    const a = uniform(random, gap, DATASET_EXTENT), b = uniform(random, gap, DATASET_EXTENT);
    const flip = random() < 0.5 ? -1 : 1;
    return label === 1 ? [flip * a, flip * b] : [flip * a, -flip * b];
  },
  // Label 0 in the disc of radius 0.5, label 1 on the ring from 0.7 to 1 (uniform angle and radius).
  circles: (label, _k, _n, random) => {
    const r = label === 0 ? uniform(random, 0, 0.5) : uniform(random, 0.7, DATASET_EXTENT);
    const t = uniform(random, 0, 2 * Math.PI);
    return [r * Math.cos(t), r * Math.sin(t)];
  },
  // Two round clouds of standard deviation 0.2, centred at (0.5, 0.5) (label 1) and (-0.5, -0.5) (label 0).
  gaussians: (label, _k, _n, random) => {
    const c = label === 1 ? 0.5 : -0.5;
    return [c + 0.2 * randn(random), c + 0.2 * randn(random)];
  },
  // Arm `label` at radius r turns through 1.75 turns as r goes from 0 to 1; the arms are half a turn apart.
  spiral: (label, k, n) => {
    const r = (k + 0.5) / n * DATASET_EXTENT;
    const t = 1.75 * 2 * Math.PI * r / DATASET_EXTENT + label * Math.PI;
    return [r * Math.sin(t), r * Math.cos(t)];
  },
};

/** Throws unless `value` is a finite number within [lo, hi], naming the option. */
function checkRange(name: string, value: unknown, lo: number, hi: number, hiOpen = false): number {
  if (
    typeof value !== "number" || !Number.isFinite(value) || value < lo || value > hi ||
    (hiOpen && value === hi)
  ) {
    const range = `${lo} <= ${name} ${hiOpen ? "<" : "<="} ${hi}`;
    throw new Error(`dataset2d: ${name} must be a number with ${range}, got ${String(value)}`);
  }
  return value;
}

/** Throws unless `name` is one of DATASETS (`what` names the caller). */
export function checkDatasetName(what: string, name: unknown): DatasetName {
  if (!(DATASETS as readonly unknown[]).includes(name)) {
    throw new Error(
      `${what}: unknown data set ${JSON.stringify(name) ?? String(name)}: expected one of ${
        DATASETS.map((d) => `"${d}"`).join(", ")
      }`,
    );
  }
  return name as DatasetName;
}

/**
 * A seeded two-class data set on the plane, split into training and held-out points (both classes in
 * both halves, in a seeded random order).
 */
export function dataset2d(name: DatasetName, options: Dataset2dOptions = {}): Dataset2d {
  checkDatasetName("dataset2d", name);
  if (options === null || typeof options !== "object") {
    throw new Error(`dataset2d: options must be an object { points, noise, seed, testFraction }`);
  }
  const { points = 400, noise = 0.05, seed = 1, testFraction = 0.5 } = options;
  if (!Number.isInteger(points) || points < 4 || points % 2 !== 0) {
    throw new Error(`dataset2d: points must be an even whole number >= 4 (half per label), got ${points}`);
  }
  checkRange("noise", noise, 0, 1);
  if (!Number.isInteger(seed)) throw new Error(`dataset2d: seed must be an integer, got ${String(seed)}`);
  checkRange("testFraction", testFraction, 0, 1, true);
  const random = rng(seed);
  const perLabel = points / 2;
  const all: { x: [number, number]; label: number }[] = [];
  for (let k = 0; k < perLabel; k++) {
    for (const label of [0, 1]) {
      const [x1, x2] = MAKERS[name](label, k, perLabel, random);
      // Noise after the label is chosen: a noisy point may lie in the other class's region.
      const n1 = noise > 0 ? noise * randn(random) : 0, n2 = noise > 0 ? noise * randn(random) : 0;
      all.push({ x: [x1 + n1, x2 + n2], label });
    }
  }
  shuffle(all, random);
  const nTest = Math.round(points * testFraction);
  const toPoints = (list: typeof all): Points2d => ({
    X: new Matrix(
      2,
      list.length,
      Float32Array.from([...list.map((p) => p.x[0]), ...list.map((p) => p.x[1])]),
    ),
    labels: list.map((p) => p.label),
  });
  return { name, noise, seed, train: toPoints(all.slice(nTest)), test: toPoints(all.slice(0, nTest)) };
}
