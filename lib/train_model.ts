/**
 * Training any tfjs model (notebook 04's convolutional network) with tfjs's automatic differentiation:
 * mini-batch Adam (lib/adam.ts) on the mean cross-entropy, seeded (the order of the examples in every epoch
 * comes from lib/random.ts, not Math.random), under the course's training contract (lib/training.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { Adam } from "./adam.ts";
import { messages } from "./language.ts";
import { rng, shuffle } from "./random.ts";
import {
  checkEpochLoss,
  checkWhole,
  type EpochReport,
  EPSILON,
  type History,
  Interrupt,
  newHistory,
  record,
  reportStop,
  type TrainingCallbacks,
} from "./training.ts";

/** Options of `trainModel`. eta may change per epoch (a schedule): eta(epoch) with epoch = 1, 2, ... */
export interface ModelTrainOptions extends TrainingCallbacks {
  epochs: number;
  batchSize?: number;
  eta: number | ((epoch: number) => number);
  seed?: number;
}

/** The training's History and the final test probabilities (n x classes, row-major). */
export interface ModelTrainResult extends History {
  /** Mean C per test example after each epoch (the test set is required here, so never null). */
  testLoss: number[];
  testAccuracy: number[];
  testProbabilities: Float32Array;
}

/** Mean cross-entropy C and accuracy of `model` on (xs, labels), with its softmax outputs (batches of 500). */
function evaluate(model: tf.LayersModel, xs: tf.Tensor, labels: Uint8Array) {
  const n = xs.shape[0];
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < n; start += 500) {
    const size = Math.min(500, n - start);
    parts.push(tf.tidy(() => model.predict(tf.slice(xs, start, size)) as tf.Tensor));
  }
  const probs = tf.concat(parts);
  tf.dispose(parts);
  const p = probs.dataSync() as Float32Array;
  probs.dispose();
  const classes = p.length / n;
  let loss = 0, correct = 0;
  for (let k = 0; k < n; k++) {
    const row = p.subarray(k * classes, (k + 1) * classes);
    loss -= Math.log(Math.max(row[labels[k]], EPSILON)); // C = -ln y_label, never ln 0
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
    if (best === labels[k]) correct++;
  }
  return { loss: loss / n, accuracy: correct / n, probabilities: p };
}

/**
 * Trains a tfjs model with softmax outputs by mini-batch Adam on the mean cross-entropy, with gradients
 * from tfjs's automatic differentiation. `xs` holds the inputs in the model's input shape (examples along
 * the first axis). The example order of every epoch is drawn from `seed`. The caller keeps and disposes
 * the model and `xs`; everything else is disposed here (tensor count back to where it was). Throws if
 * training diverges; Kernel > Interrupt stops it after the current mini-batch, keeping the weights.
 */
export async function trainModel(
  model: tf.LayersModel,
  data: { xs: tf.Tensor; labels: Uint8Array; testXs: tf.Tensor; testLabels: Uint8Array },
  options: ModelTrainOptions,
): Promise<ModelTrainResult> {
  const { epochs, batchSize = 64, seed = 0 } = options ?? {};
  const n = data.xs.shape[0];
  if (data.labels.length !== n || data.testLabels.length !== data.testXs.shape[0]) {
    throw new Error(
      messages().modelLabelCount(n, data.labels.length, data.testXs.shape[0], data.testLabels.length),
    );
  }
  if (n < 1) throw new Error(messages().setEmpty("trainModel", false));
  checkWhole("trainModel", "epochs", epochs, 1);
  checkWhole("trainModel", "batchSize", batchSize, 1);
  const etaOf = (epoch: number) => {
    const eta = typeof options.eta === "function" ? options.eta(epoch) : options.eta;
    if (typeof eta !== "number" || !Number.isFinite(eta) || eta <= 0) {
      throw new Error(
        messages().modelEta(String(eta), typeof options.eta === "function" ? epoch : undefined),
      );
    }
    return eta;
  };
  const classes = (model.outputs[0].shape as number[])[1];
  for (const [test, labels] of [[false, data.labels], [true, data.testLabels]] as const) {
    const k = labels.findIndex((label) => label >= classes);
    if (k >= 0) throw new Error(messages().modelLabel(test, labels[k], k, classes - 1));
  }
  const finite = tf.tidy(() => tf.all(tf.isFinite(data.xs)).dataSync()[0] === 1);
  if (!finite) {
    throw new Error(messages().modelInputs);
  }
  etaOf(1); // checks the learning rate (or the schedule's first value) before anything is allocated
  const baseline = tf.memory().numTensors;
  const random = rng(seed);
  const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const adam = await Adam.create(params, etaOf(1), { inPlace: false }); // any layer: convolutions keep filters
  const labels = tf.tensor1d(data.labels, "int32");
  const steps = Math.ceil(n / batchSize);
  const result: ModelTrainResult = {
    ...newHistory(),
    testLoss: [],
    testAccuracy: [],
    testProbabilities: new Float32Array(0),
  };
  let live: tf.Tensor[] = [];
  const interrupt = Interrupt.watch();
  try {
    for (let epoch = 1; epoch <= epochs && !result.stopped; epoch++) {
      const start = performance.now();
      const eta = adam.eta = etaOf(epoch); // Adam's step size this epoch (a schedule lowers it towards the end)
      const order = tf.tensor1d(shuffle(Array.from({ length: n }, (_, k) => k), random), "int32");
      live = [order];
      for (let s = 0; s < steps; s++) {
        const size = Math.min(batchSize, n - s * batchSize);
        const stats = tf.tidy(() => {
          const pick = order.slice(s * batchSize, size);
          const x = tf.gather(data.xs, pick);
          const y = tf.gather(labels, pick);
          const yhat = tf.oneHot(y, classes).toFloat();
          let correct: tf.Scalar | undefined;
          // dC/dW for every parameter by automatic differentiation, then one Adam step.
          const { value: loss, grads } = tf.variableGrads(() => {
            const out = model.apply(x, { training: true }) as tf.Tensor;
            correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(out, 1), y), "float32")));
            // C = -sum_i yhat_i ln y_i (softmax of ln y is y again, so the log-probabilities serve as logits).
            return tf.losses.softmaxCrossEntropy(yhat, tf.log(tf.maximum(out, EPSILON))) as tf.Scalar;
          }, params);
          adam.update(params.map((W) => grads[W.name]));
          const both = tf.stack([tf.mul(loss, size), correct!]);
          correct!.dispose(); // kept out of variableGrads's scope above, so no tidy frees it
          return both;
        });
        live.push(stats);
        await options.onBatch?.({ epoch, epochs, step: s + 1, steps });
        const more = s + 1 < steps || epoch < epochs;
        if (more && await interrupt.requested()) result.stopped = { epoch, epochs, step: s + 1, steps };
        if (result.stopped) break;
      }
      // One read-back per epoch: [sum of C, number correct] of every batch done.
      const stacked = tf.tidy(() => tf.stack(live.slice(1)));
      const numbers = await stacked.data();
      tf.dispose([stacked, ...live]);
      live = [];
      let lossSum = 0, correct = 0, seen = 0;
      for (let s = 0; 2 * s < numbers.length; s++) {
        const size = Math.min(batchSize, n - s * batchSize);
        result.batchLoss.push(numbers[2 * s] / size);
        lossSum += numbers[2 * s];
        correct += numbers[2 * s + 1];
        seen += size;
      }
      checkEpochLoss("trainModel", lossSum / seen, result.loss.at(-1), { epoch, epochs, eta, classes });
      const test = evaluate(model, data.testXs, data.testLabels);
      result.testProbabilities = test.probabilities;
      const report: EpochReport = {
        epoch,
        epochs,
        loss: lossSum / seen,
        accuracy: correct / seen,
        testLoss: test.loss,
        testAccuracy: test.accuracy,
        ms: performance.now() - start,
      };
      record(result, report);
      await options.onEpoch?.(report);
    }
  } finally {
    interrupt.close();
    tf.dispose([labels, ...live]);
    adam.dispose();
    const leaked = tf.memory().numTensors - baseline;
    if (leaked !== 0) console.warn(`trainModel: ${leaked} tensors left behind (a bug in lib/train_model.ts)`);
  }
  if (result.stopped) await reportStop("trainModel", result.stopped);
  return result;
}
