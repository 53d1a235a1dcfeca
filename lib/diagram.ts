/**
 * A drawing of a small fully connected network, as on the lecture's slides: a circle per neuron with its
 * output written in it, a line per weight from every neuron of one layer to every neuron of the next
 * (red positive, blue negative, as in the playground; thicker for a larger |w|). Only the drawing lives
 * here: the notebook computes the values it shows.
 */
import { type Figure, figure, titleLayout, type Trace } from "./plot.ts";
import { messages } from "./language.ts";

/** Colours of a weight's line: positive, negative. */
export const WEIGHT_COLORS = { positive: "#b2182b", negative: "#2166ac" } as const;

/**
 * The network with layers[l].W (row i = neuron i's weights, one per input) drawn left to right; values[0]
 * is the input x and values[l] the outputs of layer l (one more entry than layers), written in the circles.
 */
export function networkDiagram(layers: { W: number[][] }[], values: number[][], title: string): Figure {
  if (!Array.isArray(layers) || !Array.isArray(values) || values.length !== layers.length + 1) {
    throw new Error(
      `networkDiagram: need the input and every layer's outputs (${(layers?.length ?? 0) + 1} lists), ` +
        `got ${values?.length}`,
    );
  }
  layers.forEach(({ W }, l) => {
    if (W.length !== values[l + 1].length || W.some((row) => row.length !== values[l].length)) {
      throw new Error(
        `networkDiagram: layer ${l + 1} has ${W.length} neurons with ${W[0]?.length} weights each, but ` +
          `${values[l + 1].length} outputs after ${values[l].length} inputs`,
      );
    }
  });
  const y = (n: number, i: number) => (n - 1) / 2 - i; // a layer's neurons centred on 0, first at the top
  const traces: Trace[] = [];
  layers.forEach(({ W }, l) =>
    W.forEach((row, i) =>
      row.forEach((w, j) =>
        traces.push({
          type: "scatter",
          mode: "lines",
          x: [l, l + 1],
          y: [y(row.length, j), y(W.length, i)],
          line: {
            color: w >= 0 ? WEIGHT_COLORS.positive : WEIGHT_COLORS.negative,
            width: 1 + 1.5 * Math.abs(w),
          },
          hoverinfo: "text",
          text: `w = ${w}`,
          showlegend: false,
        })
      )
    )
  );
  const nodes = values.flatMap((a, l) => a.map((v, i) => ({ l, i, v, n: a.length })));
  traces.push({
    type: "scatter",
    mode: "markers+text",
    x: nodes.map((p) => p.l),
    y: nodes.map((p) => y(p.n, p.i)),
    text: nodes.map((p) => (p.l === 0 ? String(p.v) : p.v.toFixed(2))),
    textposition: "middle center",
    marker: { size: 44, color: "white", line: { width: 2, color: "#333" } },
    showlegend: false,
    hoverinfo: "none",
  });
  const widest = Math.max(...values.map((a) => a.length));
  const m = messages();
  const name = (
    l: number,
  ) => (l === 0 ? m.plotInput("x") : l === layers.length ? m.plotOutputLayer(l) : m.plotLayer(l));
  return figure(traces, {
    title: titleLayout(title),
    xaxis: {
      tickvals: values.map((_, l) => l),
      ticktext: values.map((_, l) => name(l)),
      zeroline: false,
      showgrid: false,
    },
    yaxis: { visible: false, range: [-(widest + 0.6) / 2, (widest + 0.6) / 2] },
    height: Math.max(320, 90 * widest + 140),
  });
}
