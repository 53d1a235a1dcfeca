/**
 * The course library in one import: `import { Network, sigmoid, show } from "../lib/mod.ts";`
 *
 * Two kinds of code live here. The from-scratch maths a learner reads (matrix, activations, loss,
 * network, descent) never imports tfjs; the tfjs instruments (backend, data, train) never import the
 * from-scratch maths, so that each can check the other. The display side (jupyter, plot, heatmap,
 * widgets, progress) imports no tfjs; the widgets draw descent's paths. Notebooks put them side by side.
 */
export * from "./language.ts";
export * from "./random.ts";
export * from "./training.ts";
export * from "./matrix.ts";
export * from "./activations.ts";
export * from "./loss.ts";
export * from "./network.ts";
export * from "./backend.ts";
export * from "./data.ts";
export * from "./train.ts";
export * from "./train_model.ts";
export * from "./search.ts";
export * from "./datasets2d.ts";
export * from "./playground.ts";
export * from "./playground_view.ts";
export * from "./playground_planes.ts";
export * from "./schedule.ts";
export * from "./vanishing.ts";
export * from "./depth_width.ts";
export * from "./pca.ts";
export * from "./nearest_centre.ts";
export * from "./curves.ts";
export * from "./side_by_side.ts";
export * from "./descent.ts";
export * from "./surface.ts";
export * from "./gradcheck.ts";
export * from "./jupyter.ts";
export * from "./plot.ts";
export * from "./heatmap.ts";
export * from "./widgets.ts";
export * from "./progress.ts";
export * from "./exercise.ts";
export * from "./approximation.ts";
export * from "./input_plane.ts";
export * from "./diagram.ts";
export * from "./timing.ts";
