/**
 * The course library in one import: `import { Network, sigmoid, show } from "../lib/mod.ts";`
 *
 * Two kinds of code live here. The from-scratch maths a learner reads (matrix, activations, loss,
 * network) never imports tfjs; the instruments (backend, data, train, plot, progress) never import
 * the from-scratch maths. Notebooks put them side by side.
 */
export * from "./random.ts";
export * from "./matrix.ts";
export * from "./activations.ts";
export * from "./loss.ts";
export * from "./network.ts";
export * from "./backend.ts";
export * from "./data.ts";
export * from "./train.ts";
export * from "./search.ts";
export * from "./plot.ts";
export * from "./progress.ts";
export * from "./exercise.ts";
