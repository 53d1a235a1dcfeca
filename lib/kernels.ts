/**
 * Repairs to tfjs-backend-wasm 4.22's kernels, all in one place: every `registerKernel` of the course is
 * here, and `setupBackend` installs them when it starts wasm (a notebook never has to).
 *
 * - Matrix products with a transpose flag (`matMul(a, b, transposeA, transposeB)`, which every backward
 *   pass of a dense layer calls) run far slower than transposing first and calling the plain product:
 *   `BatchMatMul` and `_FusedMatMul` are re-registered to do exactly that.
 * - Convolutions cannot be trained: there is no `Conv2DBackpropFilter`, and `Conv2DBackpropInput` is
 *   slow. Both gradients are re-registered as ordinary forward convolutions.
 *
 * Each repaired kernel carries a marker, so that installing twice changes nothing.
 */
import * as tf from "@tensorflow/tfjs";

/** Installs every repair on the wasm backend; false when its kernels are not there (nothing to repair). */
export function installKernelRepairs(): boolean {
  return installWasmMatMulFix() && installWasmConvGradFix();
}

/** Marker on our matrix-product kernels. */
const FIXED = Symbol.for("course.transposeFix");

/**
 * Re-registers the wasm matrix-product kernels (`BatchMatMul`, `_FusedMatMul`) so that a product with
 * `transposeA` / `transposeB` transposes its operand explicitly (a fast copy) and then runs the fast
 * untransposed kernel: the same numbers, much faster backward passes. Returns true when it is installed.
 */
function installWasmMatMulFix(): boolean {
  for (const kernelName of ["BatchMatMul", "_FusedMatMul"]) {
    const base = tf.getKernel(kernelName, "wasm");
    if (!base) return false;
    if ((base as unknown as Record<symbol, boolean>)[FIXED]) continue;
    const transpose = tf.getKernel("Transpose", "wasm");
    if (!transpose) return false;
    const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as { transposeA?: boolean; transposeB?: boolean };
      if (!transposeA && !transposeB) return base.kernelFunc({ inputs, backend, attrs });
      // Swap the last two axes: (..., m, k) -> (..., k, m).
      const swapLast = (x: tf.TensorInfo): tf.TensorInfo => {
        const perm = x.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const a = inputs.a as tf.TensorInfo;
      const b = inputs.b as tf.TensorInfo;
      const at = transposeA ? swapLast(a) : a;
      const bt = transposeB ? swapLast(b) : b;
      const out = base.kernelFunc({
        inputs: { ...inputs, a: at, b: bt },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
      // The explicit transposes are temporaries of this kernel: free their memory now.
      const data = backend as unknown as { disposeData(id: tf.DataId): void };
      if (at !== a) data.disposeData(at.dataId);
      if (bt !== b) data.disposeData(bt.dataId);
      return out;
    };
    const fixed = { ...base, kernelFunc, [FIXED]: true };
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel(fixed);
  }
  return true;
}

/** Marker on our kernels, so that installing twice changes nothing. */
const CONV_FIXED = Symbol.for("course.convGradFix");

type Info = tf.TensorInfo;

/**
 * Makes convolutions trainable (and fast) on tfjs-backend-wasm 4.22, which has no `Conv2DBackpropFilter`
 * kernel and a slow `Conv2DBackpropInput`. Both gradients are written as ordinary forward convolutions,
 * which run on the fast XNNPACK kernel (stride 1, NHWC; other cases fall back to tfjs's own kernels):
 *   dC/dW[i,j,c,o] = sum_{n,y,x} xpad[n, y+i, x+j, c] dy[n,y,x,o]  = a convolution of x by dy
 *                    (x's channels as the batch, its examples as channels; dy as the filter),
 *   dC/dx = dy (padded) convolved with W rotated by 180 degrees, input and output channels swapped.
 * Returns false when the wasm backend's kernels are not there (another backend: nothing to fix).
 */
function installWasmConvGradFix(): boolean {
  const get = (name: string) => tf.getKernel(name, "wasm");
  const conv = get("Conv2D"), transpose = get("Transpose"), reverse = get("Reverse"), pad = get("PadV2");
  const baseInput = get("Conv2DBackpropInput");
  if (!conv || !transpose || !reverse || !pad || !baseInput) return false;
  if ((baseInput as unknown as Record<symbol, boolean>)[CONV_FIXED]) return true;
  const baseFilter = get("Conv2DBackpropFilter");
  const geometry = (xShape: number[], filterShape: number[], attrs: Record<string, unknown>) =>
    tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      attrs.strides as number,
      1,
      attrs.pad as "same",
      attrs.dimRoundingMode as "round",
      false,
      "channelsLast",
    );
  const simple = (attrs: Record<string, unknown>, g: tf.backend_util.Conv2DInfo) =>
    (attrs.dataFormat ?? "NHWC") === "NHWC" && g.strideHeight === 1 && g.strideWidth === 1 &&
    (attrs.dilations === undefined || attrs.dilations === 1 ||
      (Array.isArray(attrs.dilations) && attrs.dilations.every((d) => d === 1)));
  const free = (backend: unknown, infos: Info[]) =>
    infos.forEach((t) => (backend as { disposeData(id: tf.DataId): void }).disposeData(t.dataId));

  const filterGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info, dy = inputs.dy as Info;
    const a = attrs as Record<string, unknown>;
    const g = geometry(x.shape, a.filterShape as number[], a);
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
    const g = geometry(a.inputShape as number[], filter.shape, a);
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
  if (baseFilter) tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: filterGrad,
    [CONV_FIXED]: true,
  } as tf.KernelConfig);
  tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel({ ...baseInput, kernelFunc: inputGrad, [CONV_FIXED]: true } as tf.KernelConfig);
  return true;
}
