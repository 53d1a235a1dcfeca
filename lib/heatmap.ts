/**
 * Grids of values drawn as coloured cells: a matrix as a heatmap (weights, a neuron's output over the
 * input plane), several side by side on one colour scale, the confusion matrix of a classifier, and
 * images (a 16 x 16 digit is a grid of ink values). Rows and columns stay as the matrix is written, so
 * that a learner can read off row i, column j.
 */
import { PLOT_HEIGHT } from "./jupyter.ts";
import { messages } from "./language.ts";
import {
  axesLayout,
  type AxesOptions,
  axis,
  type ChartOptions,
  digitColors,
  Figure,
  figure,
  type Layout,
  MAX_PLOT_WIDTH,
  type Numbers,
  requireText,
  titleLayout,
  toArray,
  type Trace,
  wrapText,
} from "./plot.ts";

/** A matrix as nested rows, or anything with `toArray()` (the course's Matrix). */
export type MatrixLike = Numbers[] | { toArray(): number[][] };

/** Options of a heatmap. */
export interface HeatmapOptions extends AxesOptions {
  /** Column labels (default 0, 1, ...). */
  x?: (number | string)[];
  /** Row labels (default 0, 1, ...). */
  y?: (number | string)[];
  zmin?: number;
  zmax?: number;
  /** Centre of a diverging colour scale (0 for weights: negative blue, positive red). */
  zmid?: number;
  /** A plotly colour scale name ("Viridis", "RdBu", "Blues", "Greys") or stops. */
  colorscale?: string | [number, string][];
  /** Write each value in its cell: true (up to 2 decimals) or the number of decimals. */
  annotate?: boolean | number;
  /** Title of the colour bar. */
  colorbarTitle?: string;
  /** Square cells (default false). */
  square?: boolean;
  /**
   * Row 0 at the bottom and y increasing upward, as for a function drawn over the input plane (x1 across,
   * x2 up). Default false: row 0 at the top, as a matrix is written.
   */
  yUp?: boolean;
}

/** The rows of a matrix as arrays of numbers, checked rectangular and non-empty. */
export function matrixRows(z: MatrixLike, name = "heatmap"): number[][] {
  const nested = (z && typeof (z as { toArray?: unknown }).toArray === "function")
    ? (z as { toArray(): number[][] }).toArray()
    : z;
  if (!Array.isArray(nested) || nested.length === 0) {
    throw new Error(
      `${name}: expected a non-empty array of rows (number[][]), got ${JSON.stringify(nested)}`,
    );
  }
  const rows = nested.map((row, i) => toArray(row, `${name}: row ${i}`));
  const cols = rows[0].length;
  if (cols === 0) throw new Error(`${name}: row 0 is empty`);
  rows.forEach((row, i) => {
    if (row.length !== cols) {
      throw new Error(
        `${name}: ragged matrix: row ${i} has ${row.length} values, expected ${cols} (as row 0)`,
      );
    }
  });
  return rows;
}

function formatCell(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return "";
  return Number.isInteger(v) ? String(v) : v.toFixed(decimals);
}

function heatmapTrace(rows: number[][], opts: HeatmapOptions, name: string): Trace {
  const cols = rows[0].length;
  if (opts.x && opts.x.length !== cols) {
    throw new Error(`${name}: ${opts.x.length} column labels (x) for ${cols} columns`);
  }
  if (opts.y && opts.y.length !== rows.length) {
    throw new Error(`${name}: ${opts.y.length} row labels (y) for ${rows.length} rows`);
  }
  const trace: Trace = {
    type: "heatmap",
    z: rows,
    x: opts.x ?? rows[0].map((_, j) => j),
    y: opts.y ?? rows.map((_, i) => i),
    colorscale: opts.colorscale ?? (opts.zmid !== undefined ? "RdBu" : "Viridis"),
    hovertemplate: `${messages().heatCell}<extra></extra>`,
    xgap: cols <= 30 ? 1 : 0,
    ygap: rows.length <= 30 ? 1 : 0,
  };
  if (opts.zmin !== undefined) trace.zmin = opts.zmin;
  if (opts.zmax !== undefined) trace.zmax = opts.zmax;
  if (opts.zmid !== undefined) trace.zmid = opts.zmid;
  if (opts.colorbarTitle) trace.colorbar = { title: { text: opts.colorbarTitle } };
  if (opts.annotate !== undefined && opts.annotate !== false) {
    const decimals = opts.annotate === true ? 2 : opts.annotate;
    trace.text = rows.map((row) => row.map((v) => formatCell(v, decimals)));
    trace.texttemplate = "%{text}";
    trace.textfont = { size: cols > 12 ? 9 : 12 };
  }
  return trace;
}

function categoryAxis(n: number): Layout {
  // Few rows or columns: a tick for each, so that a learner can read off row i; up to 20, every other.
  return n <= 12 ? { dtick: 1 } : n <= 20 ? { dtick: 2 } : {};
}

/** Digits as ink on paper: 0 white, 1 black (the colour scale of imageGrid; use it for a digit's heatmap too). */
export const INK: [number, string][] = [[0, "#ffffff"], [1, "#000000"]];

/** White to dark blue (ColorBrewer "Blues"): counts, 0 = white. plotly's own "Blues" runs the other way. */
export const BLUES: [number, string][] = [[0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [
  0.75,
  "#2171b5",
], [
  1,
  "#08306b",
]];

/** Heatmap of a matrix (weights, a confusion matrix): row 0 at the top, as the matrix is written. */
export function heatmap(z: MatrixLike, opts: HeatmapOptions): Figure {
  const rows = matrixRows(z, "heatmap");
  const layout = axesLayout("heatmap", opts, 1);
  layout.showlegend = false;
  const xaxis = layout.xaxis as Layout, yaxis = layout.yaxis as Layout;
  Object.assign(xaxis, categoryAxis(rows[0].length), { showgrid: false });
  Object.assign(yaxis, categoryAxis(rows.length), {
    showgrid: false,
    autorange: opts.yUp ? true : "reversed",
  });
  if (opts.square) {
    xaxis.constrain = "domain";
    Object.assign(yaxis, { scaleanchor: "x", constrain: "domain" });
    if (opts.width === undefined) {
      // As wide as the square cells need (plus the colour bar), not the whole output area: otherwise the
      // matrix sits in the middle and its colour bar far off at the right edge.
      const height = opts.height ?? PLOT_HEIGHT;
      const cell = (height - 60 - 55) / rows.length;
      layout.width = Math.min(MAX_PLOT_WIDTH, Math.round(cell * rows[0].length + 65 + 25 + 110));
    }
  }
  return figure([heatmapTrace(rows, opts, "heatmap")], layout);
}

/** One panel of `heatmaps`. */
export interface Panel {
  z: MatrixLike;
  title: string;
  x?: (number | string)[];
  y?: (number | string)[];
}

/** Several heatmaps side by side with one shared colour scale (e.g. a neuron's output for 4 weight sets). */
export function heatmaps(
  panels: Panel[],
  opts: Omit<HeatmapOptions, "x" | "y" | "annotate"> & { cols?: number },
): Figure {
  if (!Array.isArray(panels) || panels.length === 0) {
    throw new Error("heatmaps: expected a non-empty array of panels");
  }
  const all = panels.map((p, i) => matrixRows(p?.z, `heatmaps: panel ${i}`));
  const cols = Math.min(opts.cols ?? panels.length, panels.length);
  const gridRows = Math.ceil(panels.length / cols);
  const values = all.flat(2).filter(Number.isFinite);
  const cmin = opts.zmin ?? Math.min(...values), cmax = opts.zmax ?? Math.max(...values);
  const base = axesLayout("heatmaps", opts, 1);
  const layout: Layout = {
    title: base.title,
    showlegend: false,
    // Gaps wide enough for tick labels and the panel titles between panels.
    grid: {
      rows: gridRows,
      columns: cols,
      pattern: "independent",
      xgap: 0.15,
      ygap: gridRows > 1 ? 0.3 : 0.25,
    },
    coloraxis: {
      colorscale: opts.colorscale ?? (opts.zmid !== undefined ? "RdBu" : "Viridis"),
      cmin,
      cmax,
      ...(opts.zmid !== undefined ? { cmid: opts.zmid } : {}),
      ...(opts.colorbarTitle ? { colorbar: { title: { text: opts.colorbarTitle } } } : {}),
    },
    height: opts.height ?? Math.max(PLOT_HEIGHT, 60 + gridRows * 260),
    annotations: [] as Layout[],
  };
  if (opts.width !== undefined) layout.width = opts.width;
  const data = panels.map((p, i) => {
    const k = i === 0 ? "" : String(i + 1);
    const trace = heatmapTrace(all[i], { ...opts, x: p.x, y: p.y }, `heatmaps: panel ${i}`);
    delete trace.colorscale;
    delete trace.zmin;
    delete trace.zmax;
    delete trace.zmid;
    Object.assign(trace, { name: p.title, coloraxis: "coloraxis", xaxis: `x${k}`, yaxis: `y${k}` });
    // Axis titles once: x under the bottom row, y left of the first column (repeated, they overlap panels).
    const bottom = i + cols >= panels.length, left = i % cols === 0;
    layout[`xaxis${k}`] = axis(bottom ? opts.xTitle : "", {
      showgrid: false,
      ...categoryAxis(all[i][0].length),
    });
    layout[`yaxis${k}`] = axis(left ? opts.yTitle : "", {
      showgrid: false,
      autorange: opts.yUp ? true : "reversed",
      ...categoryAxis(all[i].length),
    });
    if (opts.square) {
      (layout[`xaxis${k}`] as Layout).constrain = "domain";
      Object.assign(layout[`yaxis${k}`] as Layout, { scaleanchor: `x${k}`, constrain: "domain" });
    }
    (layout.annotations as Layout[]).push({
      text: `<b>${requireText(p.title, `heatmaps: panel ${i} title`)}</b>`,
      xref: `x${k} domain`,
      yref: `y${k} domain`,
      x: 0.5,
      y: 1.02,
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
    });
    return trace;
  });
  return figure(data, layout);
}

/** Confusion matrix: how often each true digit (row) was predicted as each digit (column), counts written in. */
export function confusion(
  labels: Numbers,
  predictions: Numbers,
  opts: Partial<ChartOptions> & { classes?: number } = {},
): Figure {
  const t = toArray(labels, "confusion labels"), p = toArray(predictions, "confusion predictions");
  if (t.length !== p.length) {
    throw new Error(`confusion: ${t.length} labels but ${p.length} predictions`);
  }
  if (t.length === 0) throw new Error("confusion: no examples");
  const classes = opts.classes ?? 10;
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < t.length; i++) {
    for (const [what, v] of [["label", t[i]], ["prediction", p[i]]] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw new Error(`confusion: ${what} ${i} is ${v}, expected an integer in 0..${classes - 1}`);
      }
    }
    counts[t[i]][p[i]] += 1;
  }
  const correct = counts.reduce((s, row, i) => s + row[i], 0);
  const digits = counts.map((_, i) => i);
  return heatmap(counts, {
    title: opts.title ?? messages().confusionTitle((100 * correct / t.length).toFixed(1), t.length),
    xTitle: messages().confusionPredicted,
    yTitle: messages().confusionTrue,
    x: digits,
    y: digits,
    colorscale: BLUES,
    annotate: 0,
    square: true,
    colorbarTitle: messages().confusionCount,
    height: opts.height ?? 480,
    width: opts.width ?? 560,
  });
}

// ---------------------------------------------------------------------------------------------
// Images

/** Options of an image grid. */
export interface ImageGridOptions extends ChartOptions {
  /** Pixels per side (16 for the course's digits). */
  side?: number;
  /** A caption under each image (a digit is drawn in that digit's colour). */
  labels?: (string | number)[];
  /** Colours of the captions (default: digitColors for digit labels, black otherwise). */
  labelColors?: string[];
  /** Images per row (default up to 10). */
  cols?: number;
  /** Value range drawn white to black (default [0, 1]). */
  range?: [number, number];
}

/**
 * Images (e.g. 16 x 16 digits, one row-major array each, or one typed array holding several) in a grid:
 * square pixels, grey map (0 white, 1 black ink), an optional caption under each.
 */
export function imageGrid(images: Numbers[] | Numbers, opts: ImageGridOptions): Figure {
  const side = opts?.side ?? 16;
  if (!Number.isInteger(side) || side <= 0) {
    throw new Error(`imageGrid: side must be a positive integer, got ${side}`);
  }
  const size = side * side;
  let list: Numbers[];
  if (Array.isArray(images) && images.length > 0 && typeof images[0] === "object") list = images as Numbers[];
  else if (ArrayBuffer.isView(images)) {
    const flat = images as unknown as Float32Array;
    if (flat.length === 0 || flat.length % size !== 0) {
      throw new Error(`imageGrid: ${flat.length} values is not a whole number of ${side} x ${side} images`);
    }
    list = Array.from({ length: flat.length / size }, (_, i) => flat.subarray(i * size, (i + 1) * size));
  } else {throw new Error(
      "imageGrid: expected a non-empty array of images (each an array of side*side values)",
    );}
  list.forEach((img, i) => {
    const n = toArray(img, `imageGrid: image ${i}`).length;
    if (n !== size) {
      throw new Error(`imageGrid: image ${i} has ${n} values, expected ${size} (${side} x ${side})`);
    }
  });
  const labels = opts.labels;
  if (labels && labels.length !== list.length) {
    throw new Error(`imageGrid: ${labels.length} labels for ${list.length} images`);
  }
  const cols = Math.max(1, Math.min(opts.cols ?? 10, list.length));
  const rows = Math.ceil(list.length / cols);
  const gap = Math.max(1, Math.round(side / 8)); // blank pixels between images
  // Screen pixels per image pixel: about 4, fewer when the grid would not fit the notebook's width.
  const gridWidth = cols * (side + gap) - gap;
  const scale = Math.min(4, (Math.min(opts.width ?? MAX_PLOT_WIDTH, MAX_PLOT_WIDTH) - 20) / gridWidth);
  // Captions must fit under their image: 13 px text, else 11 px, wrapped onto as many lines as needed.
  const room = (side + gap) * scale - 6; // screen pixels of one caption line, a little air on each side
  const texts = (labels ?? []).map(String);
  const charWidth = 0.62; // a bold sans-serif character's width, in font sizes (an estimate, a bit generous)
  const fontSize = texts.every((t) => t.length * charWidth * 13 <= room) ? 13 : 11;
  const captions = texts.map((t) => wrapText(t, Math.max(3, Math.floor(room / (charWidth * fontSize)))));
  const lineCount = Math.max(1, ...captions.map((c) => c.length));
  // Blank image rows under each image for its caption.
  const captionRows = labels ? Math.ceil((lineCount * fontSize * 1.3 + 8) / scale) : 0;
  const tileW = side + gap, tileH = side + captionRows + gap;
  const width = cols * tileW - gap, height = rows * tileH - gap;
  // One heatmap for all images: nulls between them are drawn as blank paper.
  const z: (number | null)[][] = Array.from({ length: height }, () => new Array(width).fill(null));
  list.forEach((img, i) => {
    const r0 = Math.floor(i / cols) * tileH, c0 = (i % cols) * tileW;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const v = img[r * side + c];
        if (!Number.isFinite(v)) {
          throw new Error(`imageGrid: image ${i} has a non-finite value ${v} at (${r}, ${c})`);
        }
        z[r0 + r][c0 + c] = v;
      }
    }
  });
  const [lo, hi] = opts.range ?? [0, 1];
  const annotations = (labels ?? []).map((label, i) => {
    const digit = typeof label === "number" && Number.isInteger(label) && label >= 0 && label <= 9;
    return {
      // Bold: the light digit colours stay readable.
      text: captions[i].map((line) => `<b>${line.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</b>`).join(
        "<br>",
      ),
      x: (i % cols) * tileW + (side - 1) / 2,
      y: Math.floor(i / cols) * tileH + side - 0.5 + captionRows / 2,
      xref: "x",
      yref: "y",
      showarrow: false,
      font: {
        size: fontSize,
        color: opts.labelColors?.[i] ?? (digit ? digitColors[label as number] : "#222"),
      },
    };
  });
  // Wide enough for the title (about 8.5 px per character at 16 px); a title wider than that wraps.
  const title = requireText(opts.title, "imageGrid title");
  const figureWidth = opts.width ??
    Math.round(Math.max(width * scale + 20, Math.min(MAX_PLOT_WIDTH, title.length * 8.5 + 30)));
  const titleLines = wrapText(title, Math.floor((figureWidth - 30) / 8.5));
  const hidden = { visible: false, showgrid: false, zeroline: false };
  return figure([{
    type: "heatmap",
    z,
    colorscale: INK,
    zmin: lo,
    zmax: hi,
    showscale: false,
    hovertemplate: `${messages().heatPixel}<extra></extra>`,
  }], {
    title: titleLayout(titleLines.join("<br>")),
    // Square pixels (scaleanchor); the grid keeps to the left, under the title.
    xaxis: { ...hidden, range: [-0.5, width - 0.5], constrain: "domain", constraintoward: "left" },
    yaxis: {
      ...hidden,
      range: [height - 0.5, -0.5],
      scaleanchor: "x",
      constrain: "domain",
      constraintoward: "top",
    },
    annotations,
    width: figureWidth,
    height: opts.height ?? Math.round(height * scale + 40 + 20 * titleLines.length),
    margin: { l: 10, r: 10, t: 30 + 20 * titleLines.length, b: 10 },
    showlegend: false,
    plot_bgcolor: "#ffffff",
  });
}
