/**
 * The nearest class centre: the simplest classifier there is, used in notebook 04 to measure how well a
 * set of features separates the classes (隐藏层-特征提取: "a simple classifier separates them well").
 * Each class's centre is the mean of its points; a point is assigned the class whose centre is nearest
 * (Euclidean distance). It learns nothing but the means, so a high accuracy says the features did the work.
 */

/** The mean point of each class 0..classes-1: centres[c][j] = mean of coordinate j over class c's points. */
export function classCentres(
  coords: ArrayLike<number>[],
  labels: ArrayLike<number>,
  classes = 10,
): number[][] {
  checkPoints("classCentres", coords, labels, classes);
  const sums = Array.from({ length: classes }, () => new Array<number>(coords.length).fill(0));
  const counts = new Array<number>(classes).fill(0);
  for (let k = 0; k < labels.length; k++) {
    counts[labels[k]] += 1;
    coords.forEach((axis, j) => (sums[labels[k]][j] += axis[k]));
  }
  return sums.map((s, c) => s.map((v) => (counts[c] > 0 ? v / counts[c] : NaN)));
}

/** The class of the nearest centre for every point (a class without points is never chosen). */
export function nearestCentre(coords: ArrayLike<number>[], centres: number[][]): Uint8Array {
  const n = coords[0]?.length ?? 0;
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    let best = -1, bestDistance = Infinity;
    centres.forEach((centre, c) => {
      const distance = centre.reduce((s, m, j) => s + (coords[j][k] - m) ** 2, 0); // squared distance
      if (distance < bestDistance) [best, bestDistance] = [c, distance];
    });
    out[k] = best;
  }
  return out;
}

/**
 * Fraction of points whose nearest class centre is their own class's (centres from the same points).
 * `coords` holds one array per coordinate (e.g. a PCA projection's [PC 1, PC 2]), `labels` the classes.
 */
export function nearestCentreAccuracy(
  coords: ArrayLike<number>[],
  labels: ArrayLike<number>,
  classes = 10,
): number {
  const predicted = nearestCentre(coords, classCentres(coords, labels, classes));
  let correct = 0;
  for (let k = 0; k < labels.length; k++) if (predicted[k] === labels[k]) correct++;
  return correct / labels.length;
}

/** Throws unless there is at least one coordinate, all of one length with the labels, labels in 0..classes-1. */
function checkPoints(what: string, coords: ArrayLike<number>[], labels: ArrayLike<number>, classes: number) {
  if (!Array.isArray(coords) || coords.length === 0) {
    throw new Error(`${what}: coords must list at least one coordinate array (e.g. [x, y])`);
  }
  coords.forEach((axis, j) => {
    if (axis?.length !== labels.length) {
      throw new Error(`${what}: coordinate ${j} has ${axis?.length} values for ${labels.length} labels`);
    }
  });
  for (let k = 0; k < labels.length; k++) {
    if (!Number.isInteger(labels[k]) || labels[k] < 0 || labels[k] >= classes) {
      throw new Error(`${what}: label ${k} is ${labels[k]}, expected a whole number in 0..${classes - 1}`);
    }
  }
}
