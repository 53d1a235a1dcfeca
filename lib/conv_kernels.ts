/**
 * The convolution and pooling kernels of the course's CNN on tfjs-backend-wasm 4.22 (lib/kernels.ts registers
 * them): its convolution gradients written as forward convolutions, and max pooling's gradient.
 */
import * as tf from "@tensorflow/tfjs";
import type { Blas } from "./blas.ts";
import { viewOf, type WasmBackend } from "./wasm_memory.ts";

type Info = tf.TensorInfo;

/** The wasm kernels the convolution gradients are built from (`baseFilter` may be missing). */
export interface ConvParts {
  conv: tf.KernelConfig;
  transpose: tf.KernelConfig;
  reverse: tf.KernelConfig;
  pad: tf.KernelConfig;
  baseInput: tf.KernelConfig;
  baseFilter?: tf.KernelConfig;
}

/**
 * Both convolution gradients as ordinary forward convolutions, which run on the fast XNNPACK kernel (stride
 * 1, NHWC; other cases fall back to tfjs's own kernels):
 *   dC/dW[i,j,c,o] = sum_{n,y,x} xpad[n, y+i, x+j, c] dy[n,y,x,o]  = a convolution of x by dy
 *                    (x's channels as the batch, its examples as channels; dy as the filter),
 *   dC/dx = dy (padded) convolved with W rotated by 180 degrees, input and output channels swapped.
 */
export function convGradients(
  { conv, transpose, reverse, pad, baseInput, baseFilter }: ConvParts,
): { filterGrad: tf.KernelFunc; inputGrad: tf.KernelFunc } {
  const simple = (attrs: Record<string, unknown>, g: tf.backend_util.Conv2DInfo) =>
    (attrs.dataFormat ?? "NHWC") === "NHWC" && g.strideHeight === 1 && g.strideWidth === 1 &&
    (attrs.dilations === undefined || attrs.dilations === 1 ||
      (Array.isArray(attrs.dilations) && attrs.dilations.every((d) => d === 1)));
  const free = (backend: unknown, infos: Info[]) =>
    infos.forEach((t) => (backend as { disposeData(id: tf.DataId): void }).disposeData(t.dataId));

  const filterGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info, dy = inputs.dy as Info;
    const a = attrs as Record<string, unknown>;
    const g = convGeometry(x.shape, a.filterShape as number[], a);
    if (!simple(a, g)) {
      if (baseFilter) return baseFilter.kernelFunc({ inputs, backend, attrs });
      throw new Error(
        `Conv2DBackpropFilter on wasm: only stride 1, dilation 1 and NHWC are supported, ` +
          `got strides ${a.strides}, dilations ${a.dilations}, ${a.dataFormat}`,
      );
    }
    const { top, bottom, left, right } = g.padInfo;
    const run = (k: tf.KernelConfig, ins: tf.NamedTensorInfoMap, at: tf.NamedAttrMap) =>
      k.kernelFunc({ inputs: ins, backend, attrs: at }) as Info;
    const xp = run(pad, { x }, {
      paddings: [[0, 0], [top, bottom], [left, right], [0, 0]],
      constantValue: 0,
    });
    const xT = run(transpose, { x: xp }, { perm: [3, 1, 2, 0] }); // (c, h, w, n)
    const dyT = run(transpose, { x: dy }, { perm: [1, 2, 0, 3] }); // (h, w, n, o)
    const out = run(conv, { x: xT, filter: dyT }, {
      strides: 1,
      pad: "valid",
      dataFormat: "NHWC",
      dilations: 1,
    });
    const dW = run(transpose, { x: out }, { perm: [1, 2, 0, 3] }); // (i, j, c, o)
    free(backend, [xp, xT, dyT, out]);
    return dW;
  };
  const inputGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const dy = inputs.dy as Info, filter = inputs.filter as Info;
    const a = attrs as Record<string, unknown>;
    const g = convGeometry(a.inputShape as number[], filter.shape, a);
    if (!simple(a, g)) return baseInput.kernelFunc({ inputs, backend, attrs });
    const [kh, kw] = filter.shape;
    const { top, bottom, left, right } = g.padInfo;
    const run = (k: tf.KernelConfig, ins: tf.NamedTensorInfoMap, at: tf.NamedAttrMap) =>
      k.kernelFunc({ inputs: ins, backend, attrs: at }) as Info;
    const rotated = run(reverse, { x: filter }, { dims: [0, 1] });
    const w = run(transpose, { x: rotated }, { perm: [0, 1, 3, 2] });
    const dx = run(conv, { x: dy, filter: w }, {
      strides: 1,
      dataFormat: "NHWC",
      dilations: 1,
      pad: [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]],
    } as unknown as tf.NamedAttrMap);
    free(backend, [rotated, w]);
    return dx;
  };
  return { filterGrad, inputGrad };
}

/**
 * Max pooling's gradient: each output's dy goes to the input that was the maximum of its window (the first
 * one, in reading order, when several tie, as tfjs's reference kernels choose), summed where windows
 * overlap. One pass over the windows; wasm's own kernel is far slower.
 */
export const maxPoolGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackend;
  const input = inputs.input as Info, dy = inputs.dy as Info;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: "valid" | "same" | number;
    dimRoundingMode?: "floor" | "round" | "ceil";
  };
  const g = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const dxInfo = wasm.makeOutput(input.shape, "float32");
  // Views only now: makeOutput may have grown the memory.
  const x = viewOf(wasm, input), dyValues = viewOf(wasm, dy), dx = viewOf(wasm, dxInfo);
  dx.fill(0);
  const { inHeight: H, inWidth: W, inChannels: C, outHeight, outWidth, dilationHeight, dilationWidth } = g;
  // The window's inputs of one output position, as offsets of their first channel, in reading order.
  const window = new Int32Array(g.effectiveFilterHeight * g.effectiveFilterWidth);
  for (let b = 0; b < g.batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const top = oy * g.strideHeight - g.padInfo.top;
      for (let ox = 0; ox < outWidth; ox++) {
        const left = ox * g.strideWidth - g.padInfo.left;
        let size = 0;
        for (let y = top; y < Math.min(H, top + g.effectiveFilterHeight); y += dilationHeight) {
          if (y < 0) continue;
          for (let xx = left; xx < Math.min(W, left + g.effectiveFilterWidth); xx += dilationWidth) {
            if (xx >= 0) window[size++] = ((b * H + y) * W + xx) * C;
          }
        }
        const out = ((b * outHeight + oy) * outWidth + ox) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity, at = -1;
          for (let k = 0; k < size; k++) {
            const v = x[window[k] + c];
            if (v > best) {
              best = v;
              at = window[k] + c;
            }
          }
          if (at >= 0) dx[at] += dyValues[out + c];
        }
      }
    }
  }
  return dxInfo;
};

/**
 * A sum over every axis but the last, as a convolution's bias gradient needs (dC/db_o = sum over examples
 * and positions of dy[..., o]): one pass down the channels. wasm's own `Sum` first moves the summed axes last
 * with a slow transpose. Any other sum goes to `base`, wasm's kernel.
 */
export function sumOverLeadingAxes(base: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const rank = x.shape.length;
    // A matrix's transpose is fast in wasm: only images (rank 3 and more) take this road.
    const leading = rank >= 3 && axes.length === rank - 1 && axes.every((a, k) => a === k);
    if (!leading || x.dtype !== "float32") return base(args);
    const wasm = args.backend as unknown as WasmBackend;
    const C = x.shape[rank - 1];
    const outInfo = wasm.makeOutput(keepDims ? [...x.shape.slice(0, -1).map(() => 1), C] : [C], "float32");
    const values = viewOf(wasm, x), out = viewOf(wasm, outInfo);
    const sums = new Float64Array(C);
    for (let at = 0; at < values.length; at += C) {
      for (let c = 0; c < C; c++) sums[c] += values[at + c];
    }
    out.set(sums);
    return outInfo;
  };
}

/** A convolution's geometry from a kernel's attributes (NHWC), as tfjs computes it. */
function convGeometry(xShape: number[], filterShape: number[], attrs: Record<string, unknown>) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    (attrs.dilations ?? 1) as number | [number, number],
    attrs.pad as "same",
    attrs.dimRoundingMode as "round",
    false,
    "channelsLast",
  );
}

/** A scratch matrix in JavaScript memory, kept between calls (a convolution's patches are megabytes). */
let scratch = new Float32Array(0);
function patchesBuffer(size: number): Float32Array {
  if (scratch.length < size) scratch = new Float32Array(size);
  return scratch.subarray(0, size);
}

/**
 * The patches of x as the rows of one matrix P ("im2col"): row (n, oy, ox) holds the filter-sized window
 * that output position reads, in the filter's layout (i, j, c); outside the image, zeros. Then
 *   y = P W,   dC/dW = P^T dy,   dC/dP = dy W^T (added back into dC/dx by `addPatches`),
 * with W as a (fh fw c_in) x c_out matrix, which is how a tfjs filter lies in memory.
 */
function patches(x: Float32Array, g: tf.backend_util.Conv2DInfo, P: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: fh, filterWidth: fw } = g;
  const K = fh * fw * C, span = fw * C;
  const contiguous = g.dilationWidth === 1;
  let row = 0;
  for (let n = 0; n < g.batchSize; n++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++, row++) {
        const x0 = ox * g.strideWidth - g.padInfo.left;
        for (let i = 0; i < fh; i++) {
          const y = oy * g.strideHeight - g.padInfo.top + i * g.dilationHeight;
          const at = row * K + i * span;
          if (y < 0 || y >= H) {
            for (let t = 0; t < span; t++) P[at + t] = 0;
          } else if (contiguous && x0 >= 0 && x0 + fw <= W) {
            // The window's row lies inside the image: fw pixels of C channels, one after the other in x.
            const from = ((n * H + y) * W + x0) * C;
            for (let t = 0; t < span; t++) P[at + t] = x[from + t];
          } else {
            for (let j = 0; j < fw; j++) {
              const xx = x0 + j * g.dilationWidth, to = at + j * C;
              const from = ((n * H + y) * W + xx) * C;
              const inside = xx >= 0 && xx < W;
              for (let c = 0; c < C; c++) P[to + c] = inside ? x[from + c] : 0;
            }
          }
        }
      }
    }
  }
}

/** The reverse of `patches`: each row's window of dC/dP added into dC/dx (windows overlap). */
function addPatches(dP: Float32Array, g: tf.backend_util.Conv2DInfo, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: fh, filterWidth: fw } = g;
  const K = fh * fw * C, span = fw * C;
  const contiguous = g.dilationWidth === 1;
  dx.fill(0);
  let row = 0;
  for (let n = 0; n < g.batchSize; n++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++, row++) {
        const x0 = ox * g.strideWidth - g.padInfo.left;
        for (let i = 0; i < fh; i++) {
          const y = oy * g.strideHeight - g.padInfo.top + i * g.dilationHeight;
          if (y < 0 || y >= H) continue;
          const at = row * K + i * span;
          if (contiguous && x0 >= 0 && x0 + fw <= W) {
            const to = ((n * H + y) * W + x0) * C;
            for (let t = 0; t < span; t++) dx[to + t] += dP[at + t];
          } else {
            for (let j = 0; j < fw; j++) {
              const xx = x0 + j * g.dilationWidth;
              if (xx < 0 || xx >= W) continue;
              const from = at + j * C, to = ((n * H + y) * W + xx) * C;
              for (let c = 0; c < C; c++) dx[to + c] += dP[from + c];
            }
          }
        }
      }
    }
  }
}

/**
 * Both convolution gradients as matrix products in the BLAS (`blas()`), through the patches matrix; each
 * falls back to `fallback`'s kernel when no BLAS is in use or the layout is not NHWC. (The forward
 * convolution stays on wasm's XNNPACK kernel, which is as fast.)
 */
export function blasConvolutionGradients(
  blas: () => Blas | undefined,
  fallback: { filterGrad: tf.KernelFunc; inputGrad: tf.KernelFunc },
): { filterGrad: tf.KernelFunc; inputGrad: tf.KernelFunc } {
  const usable = (attrs: tf.NamedAttrMap, infos: Info[]) =>
    blas() !== undefined && (attrs.dataFormat ?? "NHWC") === "NHWC" &&
    infos.every((t) => t.dtype === "float32");
  const filterGrad: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x as Info, dy = inputs.dy as Info;
    if (!usable(attrs!, [x, dy])) return fallback.filterGrad(args);
    const wasm = backend as unknown as WasmBackend;
    const g = convGeometry(x.shape, attrs!.filterShape as number[], attrs as Record<string, unknown>);
    const dW = wasm.makeOutput(attrs!.filterShape as number[], "float32");
    const rows = g.batchSize * g.outHeight * g.outWidth, K = g.filterHeight * g.filterWidth * g.inChannels;
    const P = patchesBuffer(rows * K);
    patches(viewOf(wasm, x), g, P);
    blas()!.sgemm(
      true,
      false,
      K,
      g.outChannels,
      rows,
      1,
      P,
      K,
      viewOf(wasm, dy),
      g.outChannels,
      0,
      viewOf(wasm, dW),
      g.outChannels,
    );
    return dW;
  };
  const inputGrad: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const dy = inputs.dy as Info, filter = inputs.filter as Info;
    if (!usable(attrs!, [dy, filter])) return fallback.inputGrad(args);
    const wasm = backend as unknown as WasmBackend;
    const g = convGeometry(attrs!.inputShape as number[], filter.shape, attrs as Record<string, unknown>);
    const dx = wasm.makeOutput(attrs!.inputShape as number[], "float32");
    const rows = g.batchSize * g.outHeight * g.outWidth, K = g.filterHeight * g.filterWidth * g.inChannels;
    const dP = patchesBuffer(rows * K);
    blas()!.sgemm(
      false,
      true,
      rows,
      K,
      g.outChannels,
      1,
      viewOf(wasm, dy),
      g.outChannels,
      viewOf(wasm, filter),
      g.outChannels,
      0,
      dP,
      K,
    );
    addPatches(dP, g, viewOf(wasm, dx));
    return dx;
  };
  return { filterGrad, inputGrad };
}
