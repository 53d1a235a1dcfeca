/**
 * How many layers, how many neurons? (需要多少层隐藏层?每个隐藏层需要多少神经元?) The lecture's answer is
 * trial and intuition; notebook 04 tries: a grid of depths x widths, every network trained alike, in two
 * settings. This module keeps the grid's bookkeeping (which networks, their results, what trend each row
 * shows) and draws it; the training loop itself stays in the notebook.
 *
 * A trend is read with the test set's noise in mind: an accuracy p measured on n digits has a standard
 * error sqrt(p (1 - p) / n), half a point near 95% on 2,000 digits, so differences of a point or less
 * say nothing either way.
 */
import { messages } from "./language.ts";
import { type Figure, lines, scatter } from "./plot.ts";
import { parameterCount } from "./search.ts";
import type { Hidden } from "./training.ts";

/** One way of training: the hidden activation, the optimiser and its learning rate eta. */
export interface GridSetting {
  name: string;
  hidden: Hidden;
  optimizer: "sgd" | "adam";
  eta: number;
}

/** One network of the grid and its test accuracy (a fraction). */
export interface GridResult {
  setting: string;
  depth: number;
  width: number;
  sizes: number[];
  parameters: number;
  accuracy: number;
}

/** Every (setting, depth, width) of the grid with its layer sizes: [256, width x depth, 10]. */
export function gridRuns(
  settings: GridSetting[],
  depths: number[],
  widths: number[],
): { setting: GridSetting; depth: number; width: number; sizes: number[]; parameters: number }[] {
  return settings.flatMap((setting) =>
    depths.flatMap((depth) =>
      widths.map((width) => {
        const sizes = [256, ...Array<number>(depth).fill(width), 10];
        return { setting, depth, width, sizes, parameters: parameterCount(sizes) };
      })
    )
  );
}

/** Differences of at most this many percentage points count as no change (about 2 standard errors). */
export const NOISE_POINTS = 1;

/** Which way a row of accuracies goes: up, down, within the noise, or up and down. */
export type Direction = "rises" | "falls" | "flat" | "mixed";

/**
 * The direction of accuracies (in percent) read in order: "flat" if all lie within NOISE_POINTS of each
 * other; "rises" if no step goes down by more than the noise and the last is higher than the first by
 * more than it; "falls" likewise downwards; "mixed" otherwise.
 */
export function trendDirection(percents: number[], noise = NOISE_POINTS): Direction {
  if (Math.max(...percents) - Math.min(...percents) <= noise) return "flat";
  const steps = percents.slice(1).map((p, i) => p - percents[i]);
  const change = percents.at(-1)! - percents[0];
  if (steps.every((s) => s >= -noise) && change > noise) return "rises";
  if (steps.every((s) => s <= noise) && change < -noise) return "falls";
  return "mixed";
}

/** One row of the grid read along depth (one width) or along width (one depth). */
export interface Trend {
  setting: string;
  /** "depth" (the width is fixed) or "width" (the depth is fixed). */
  along: "depth" | "width";
  /** The fixed width or depth. */
  fixed: number;
  /** The depths or widths, in order, and the test accuracy (percent) of each. */
  values: number[];
  percents: number[];
  direction: Direction;
}

/** Every row of the grid, per setting: along depth for each width, and along width for each depth. */
export function trends(grid: GridResult[], along: "depth" | "width"): Trend[] {
  const other = along === "depth" ? "width" : "depth";
  const out: Trend[] = [];
  for (const setting of [...new Set(grid.map((g) => g.setting))]) {
    const mine = grid.filter((g) => g.setting === setting);
    for (const fixed of [...new Set(mine.map((g) => g[other]))]) {
      const row = mine.filter((g) => g[other] === fixed).sort((p, q) => p[along] - q[along]);
      if (row.length < 2) continue; // an interrupted grid: nothing to compare
      const percents = row.map((g) => 100 * g.accuracy);
      out.push({
        setting,
        along,
        fixed,
        values: row.map((g) => g[along]),
        percents,
        direction: trendDirection(percents),
      });
    }
  }
  return out;
}

/**
 * A trend as one line in the notebook's language, e.g. "ReLU, Adam, 32 neurons per layer: 89.90 -> 87.90%
 * for 1-2 hidden layers: falls with depth".
 */
export function trendText(t: Trend): string {
  const text = messages();
  const fixed = t.along === "depth" ? text.gridNeurons(t.fixed) : text.gridHiddenLayers(t.fixed);
  const range = t.along === "depth"
    ? text.gridDepths(t.values[0], t.values.at(-1)!)
    : text.gridWidths(t.values.join(", "));
  const percents = t.percents.map((p) => p.toFixed(2)).join(" -> ");
  const says = text.gridSays(t.direction, t.along, NOISE_POINTS);
  return text.gridTrend(text.gridLegend(t.setting, fixed), percents, range, says);
}

/** Line colours: blues for the first setting's widths, oranges for the second's (narrow light, wide dark). */
const SHADES = [["#fdae6b", "#f16913", "#a63603"], ["#9ecae1", "#4292c6", "#08519c"]];

/** Test accuracy against depth, one line per (setting, width): the first setting dashed. */
export function depthChart(grid: GridResult[], epochs: number): Figure {
  const text = messages();
  const settings = [...new Set(grid.map((g) => g.setting))];
  const widths = [...new Set(grid.map((g) => g.width))].sort((a, b) => a - b);
  const series = settings.flatMap((setting, s) =>
    widths.map((width, w) => {
      const row = grid.filter((g) => g.setting === setting && g.width === width).sort((p, q) =>
        p.depth - q.depth
      );
      return {
        name: text.gridLegend(setting, text.gridNeurons(width)),
        x: row.map((g) => g.depth),
        y: row.map((g) => 100 * g.accuracy),
        color: SHADES[s % 2][Math.min(w, 2)],
        dash: s === 0 ? "dash" : "solid",
      };
    })
  ).filter((line) => line.y.length > 0);
  return lines(series, {
    title: text.gridDepthTitle(epochs),
    xTitle: text.gridDepthAxis,
    yTitle: text.gridAccuracyAxis,
    yRange: [0, 100],
    height: 440,
  });
}

/** Test accuracy against the number of parameters, one colour per setting, each point labelled depth x width. */
export function parameterChart(grid: GridResult[]): Figure {
  const text = messages();
  const settings = [...new Set(grid.map((g) => g.setting))];
  return scatter(
    settings.map((setting, s) => {
      const points = grid.filter((g) => g.setting === setting);
      return {
        name: setting,
        x: points.map((g) => g.parameters),
        y: points.map((g) => 100 * g.accuracy),
        color: s % 2 === 0 ? "#f16913" : "#2171b5",
        text: points.map((g) => `${g.depth} x ${g.width}`),
      };
    }),
    {
      title: text.gridParameterTitle,
      xTitle: text.gridParameterAxis,
      yTitle: text.gridAccuracyAxis,
      yRange: [0, 100],
      xLog: true,
    },
  );
}
