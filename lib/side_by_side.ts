/**
 * Two charts side by side in one figure: the same digits before and after (raw pixels and the last hidden
 * layer), accuracy beside loss. Side by side, with one shared legend, the eye compares the two panels
 * directly; two charts one under the other would need scrolling and a second legend.
 */
import { Figure, figure, type Layout, titleLayout, type Trace } from "./plot.ts";

/** Options of `sideBySide`: the figure's title (each panel keeps its own title above it), its height. */
export interface SideBySideOptions {
  title: string;
  height?: number;
  /** Title of the shared legend (e.g. "digit"): the legend then lists its entries at the right; without a
   * title, a few entries (training, test) go in one row above the panels, leaving them the full width. */
  legendTitle?: string;
}

/** The text of a chart's title, whether given as text or as plotly's { text }. */
function titleOf(layout: Layout): string {
  const t = layout.title;
  return typeof t === "string" ? t : String((t as { text?: string } | undefined)?.text ?? "");
}

/**
 * One figure with `left` and `right` (charts from lines, scatter, bars) in two panels. Traces of the same
 * name share one legend entry and toggle together (legendgroup); each panel keeps its axes and its title.
 */
export function sideBySide(left: Figure, right: Figure, opts: SideBySideOptions): Figure {
  if (!(left instanceof Figure) || !(right instanceof Figure)) {
    throw new Error("sideBySide: expected two charts (from lines, scatter or bars)");
  }
  if (typeof opts?.title !== "string" || opts.title.trim() === "") {
    throw new Error("sideBySide: a title is required");
  }
  const leftNames = new Set(left.data.map((t) => t.name));
  const data: Trace[] = [
    ...left.data.map((t) => ({ ...t, legendgroup: t.name })),
    ...right.data.map((t) => ({
      ...t,
      legendgroup: t.name,
      showlegend: !leftNames.has(t.name), // a name already in the legend is not listed twice
      xaxis: "x2",
      yaxis: "y2",
    })),
  ];
  // Each panel's own title, centred above it (plotly has one figure title; panel titles are annotations).
  const panelTitle = (text: string, axis: string) => ({
    text,
    xref: `${axis} domain`,
    yref: "y domain",
    x: 0.5,
    y: 1.02,
    xanchor: "center",
    yanchor: "bottom",
    showarrow: false,
    font: { size: 13 },
  });
  return figure(data, {
    title: titleLayout(opts.title),
    grid: { rows: 1, columns: 2, pattern: "independent", xgap: 0.2 }, // room for the right panel's y title
    xaxis: left.layout.xaxis,
    yaxis: left.layout.yaxis,
    xaxis2: right.layout.xaxis,
    yaxis2: right.layout.yaxis,
    annotations: [panelTitle(titleOf(left.layout), "x"), panelTitle(titleOf(right.layout), "x2")],
    showlegend: true,
    legend: opts.legendTitle
      ? { title: { text: opts.legendTitle } }
      : { orientation: "h", x: 0, xanchor: "left", y: 1.1, yanchor: "bottom" },
    hovermode: left.layout.hovermode ?? "closest",
    margin: { l: 65, r: 25, t: opts.legendTitle ? 90 : 115, b: 55 },
    height: opts.height ?? 420,
  });
}
