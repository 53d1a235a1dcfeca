/**
 * Learning curves: how a training went, epoch by epoch, on the training digits and on the test digits
 * (never trained on). Accuracy on the left, the mean cross-entropy C on the right (log scale: late epochs
 * change C by small factors). The gap between the two curves is what the network memorised about its
 * training digits that does not carry over to new ones.
 */
import { lines } from "./plot.ts";
import { sideBySide } from "./side_by_side.ts";
import type { Figure } from "./plot.ts";
import { messages } from "./language.ts";

/** What a learning curve needs from a training's History: per-epoch values, test ones null when absent. */
export interface Curves {
  loss: number[];
  accuracy: number[];
  testLoss: (number | null)[];
  testAccuracy: (number | null)[];
}

/** A test value per epoch, NaN (a gap in the line) where there was none. */
const orGap = (values: (number | null)[]) => values.map((v) => v ?? NaN);

/** Accuracy (left) and mean C (right) after each epoch, training digits solid, test digits dashed. */
export function learningCurves(run: Curves, title: string): Figure {
  if (!run || !Array.isArray(run.loss) || run.loss.length === 0) {
    throw new Error("learningCurves: expected a training's History with at least one epoch");
  }
  const m = messages();
  const training = m.curvesTraining, testing = m.curvesTest;
  const accuracy = lines([
    { name: training, y: run.accuracy.map((a) => 100 * a), color: "#1f77b4" },
    { name: testing, y: orGap(run.testAccuracy).map((a) => 100 * a), color: "#ff7f0e", dash: "dash" },
  ], { title: m.curvesAccuracy, xTitle: m.playEpoch, yTitle: m.curvesAccuracy });
  const loss = lines([
    { name: training, y: run.loss, color: "#1f77b4" },
    { name: testing, y: orGap(run.testLoss), color: "#ff7f0e", dash: "dash" },
  ], { title: m.curvesLossTitle, xTitle: m.playEpoch, yTitle: m.curvesLossAxis, yLog: true });
  return sideBySide(accuracy, loss, { title });
}
