/**
 * Every re-registered tfjs-backend-wasm 4.22 kernel, all in one place: every `registerKernel` of the course
 * is here, and `setupBackend` installs them when it starts wasm (a notebook never has to).
 *
 * - Matrix products (`BatchMatMul`, `_FusedMatMul`: every dense layer, forward and backward) run in the
 *   system BLAS (lib/blas.ts) when `useBlas` has given one: `cblas_sgemm` reads and writes the tensors'
 *   wasm memory in place, with the transposes, batch dimensions (broadcast) and the fused bias and
 *   activation of tfjs's kernels. Without a BLAS they stay on wasm, repaired: a product with a transpose
 *   flag runs far slower than transposing first and calling the plain product, so the kernels do exactly
 *   that.
 * - The training step's softmax with cross-entropy, and its backward step through an activation, each one
 *   kernel instead of a dozen small operations (lib/train_kernels.ts).
 * - Convolutions cannot be trained: there is no `Conv2DBackpropFilter`, and `Conv2DBackpropInput` is
 *   slow. Both gradients are re-registered as ordinary forward convolutions.
 *
 * Each re-registered kernel carries a marker, so that installing twice changes nothing.
 */
import * as tf from "@tensorflow/tfjs";
import type { Blas } from "./blas.ts";
import { blasConvolutionGradients, convGradients, maxPoolGrad, sumOverLeadingAxes } from "./conv_kernels.ts";
import { TRAIN_KERNELS } from "./train_kernels.ts";
import { viewOf, type WasmBackend } from "./wasm_memory.ts";

/** Installs every repair on the wasm backend; false when its kernels are not there (nothing to repair). */
export function installKernelRepairs(): boolean {
  return installWasmMatMulFix() && installWasmConvGradFix() && installTrainKernels();
}

/** Registers the training step's fused kernels (lib/train_kernels.ts) on wasm; true when they are there. */
function installTrainKernels(): boolean {
  for (const { kernelName, kernelFunc } of TRAIN_KERNELS) {
    if (!tf.getKernel(kernelName, "wasm")) tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
  }
  return true;
}

type Info = tf.TensorInfo;

/** The BLAS that runs the wasm backend's matrix products, or undefined: wasm's own kernels. */
let engine: Blas | undefined;

/**
 * Runs the wasm backend's matrix products in `blas` from now on (undefined: back to wasm's own kernels,
 * repaired). Takes effect at the next product; the kernels must be installed (`installKernelRepairs`).
 */
export function useBlas(blas: Blas | undefined): void {
  engine = blas;
}

/** The BLAS that runs the wasm backend's matrix products, or undefined when wasm's own kernels do. */
export function blasInUse(): Blas | undefined {
  return engine;
}

/**
 * W <- W - op(A) op(B) in place, in the BLAS (sgemm with beta = 1): a plain SGD step with its gradient as a
 * product (dC/dW = delta a^T), without a gradient tensor or a new W. Done only where the BLAS runs the
 * products, on float32 matrices in wasm memory whose W nothing else shares; otherwise nothing is done and
 * false is returned, for the caller to update W the usual way.
 */
export function subtractProductInPlace(
  W: tf.Tensor,
  A: tf.Tensor,
  B: tf.Tensor,
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  const blas = engine;
  if (!blas || tf.getBackend() !== "wasm") return false;
  if ([W, A, B].some((t) => t.rank !== 2 || t.dtype !== "float32")) return false;
  const backend = tf.backend() as unknown as WasmBackend;
  if (backend.refCount(W.dataId) !== 1) return false;
  const [m, k] = transposeA ? [A.shape[1], A.shape[0]] : A.shape;
  const [kB, n] = transposeB ? [B.shape[1], B.shape[0]] : B.shape;
  if (k !== kB || W.shape[0] !== m || W.shape[1] !== n) {
    throw new Error(
      `subtractProductInPlace: W (${W.shape}) and op(A) op(B) (${m} x ${k} by ${kB} x ${n}) do not match`,
    );
  }
  const [a, b, w] = [A, B, W].map((t) => viewOf(backend, t));
  blas.sgemm(transposeA, transposeB, m, n, k, -1, a, A.shape[1]!, b, B.shape[1]!, 1, w, n);
  return true;
}

/** Marker on our matrix-product kernels. */
const FIXED = Symbol.for("course.transposeFix");

/** For each matrix of the broadcast batch `out`, the index of the matrix of `batch` it reads (numpy rules). */
function batchIndices(out: number[], batch: number[]): Int32Array {
  const count = tf.util.sizeFromShape(out);
  const indices = new Int32Array(count);
  const shift = out.length - batch.length;
  for (let i = 0; i < count; i++) {
    let rest = i, index = 0, stride = 1;
    for (let d = out.length - 1; d >= shift; d--) {
      const coordinate = rest % out[d];
      rest = (rest - coordinate) / out[d];
      if (batch[d - shift] !== 1) index += coordinate * stride;
      stride *= batch[d - shift];
    }
    indices[i] = index;
  }
  return indices;
}

/**
 * The product op(a) op(b) of two float32 tensors (..., m, k) and (..., k, n) in BLAS, as a new wasm tensor
 * (..., m, n); batch dimensions broadcast as in tfjs. A bias of n values (or one) is written into the
 * output first and added by sgemm itself (beta = 1); `fused` says whether it was.
 */
function blasMatMul(
  blas: Blas,
  backend: WasmBackend,
  a: Info,
  b: Info,
  transposeA: boolean,
  transposeB: boolean,
  bias?: Info,
): { out: Info; fused: boolean } {
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} ` +
        `and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const batch = tf.backend_util.assertAndGetBroadcastShape(batchA, batchB);
  const out = backend.makeOutput([...batch, m, n], "float32");
  const count = tf.util.sizeFromShape(batch);
  // A bias of one row (n values, or one value), or of one column (m values: z = W a + b with examples in
  // columns), is copied into C, which sgemm then adds to.
  const biasSize = bias ? tf.util.sizeFromShape(bias.shape) : 0;
  const biasKind = bias === undefined ? undefined : biasLayout(bias.shape, batch.length, m, n);
  const fused = biasKind !== undefined;
  if (count * m * n === 0) return { out, fused };
  // Views only now: makeOutput may have grown the memory.
  const A = viewOf(backend, a), B = viewOf(backend, b), C = viewOf(backend, out);
  if (fused) {
    const values = viewOf(backend, bias!);
    if (biasSize === 1) C.fill(values[0]);
    else if (biasKind === "row") { for (let r = 0; r < count * m; r++) C.set(values, r * n); }
    else for (let r = 0; r < count * m; r++) C.fill(values[r % m], r * n, (r + 1) * n);
  }
  if (k === 0) {
    if (!fused) C.fill(0); // an empty sum (and BLAS rejects a leading dimension of 0)
    return { out, fused };
  }
  const beta = fused ? 1 : 0;
  const lda = transposeA ? m : k, ldb = transposeB ? k : n;
  if (count === 1) {
    blas.sgemm(transposeA, transposeB, m, n, k, 1, A, lda, B, ldb, beta, C, n);
    return { out, fused };
  }
  const ia = batchIndices(batch, batchA), ib = batchIndices(batch, batchB);
  for (let i = 0; i < count; i++) {
    blas.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      1,
      A.subarray(ia[i] * m * k, (ia[i] + 1) * m * k),
      lda,
      B.subarray(ib[i] * k * n, (ib[i] + 1) * k * n),
      ldb,
      beta,
      C.subarray(i * m * n, (i + 1) * m * n),
      n,
    );
  }
  return { out, fused };
}

/**
 * How a bias broadcasts over a product's (..., m, n) output, when sgemm can add it: one value or one row of n
 * values ("row"), or one column of m values ("column"); undefined for any other shape.
 */
function biasLayout(shape: number[], batchRank: number, m: number, n: number): "row" | "column" | undefined {
  if (shape.length > 2 + batchRank) return undefined;
  const size = tf.util.sizeFromShape(shape);
  const ones = (dims: number[]) => dims.every((d) => d === 1);
  if (ones(shape.slice(0, -1)) && (size === n || size === 1)) return "row";
  if (shape.length >= 2 && shape.at(-1) === 1 && shape.at(-2) === m && ones(shape.slice(0, -2))) {
    return "column";
  }
  return undefined;
}

/** The wasm kernel of each activation `_FusedMatMul` may apply after the product. */
const ACTIVATIONS: Record<string, string> = {
  relu: "Relu",
  relu6: "Relu6",
  elu: "Elu",
  sigmoid: "Sigmoid",
  leakyrelu: "LeakyRelu",
  prelu: "Prelu",
};

/**
 * What `_FusedMatMul` does after the product `out`: add the bias (unless `biasAdded`), with wasm's `Add`,
 * then apply the activation with wasm's own kernel. Intermediate tensors are freed here.
 */
function finishFused(
  backend: WasmBackend,
  product: Info,
  inputs: tf.NamedTensorInfoMap,
  attrs: FusedAttrs,
  biasAdded: boolean,
): Info {
  const { activation = "linear", leakyreluAlpha } = attrs;
  let out = product;
  const apply = (kernelName: string, more: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap = {}) => {
    const kernel = tf.getKernel(kernelName, "wasm");
    if (!kernel) throw new Error(`_FusedMatMul: the wasm backend has no ${kernelName} kernel`);
    const next = kernel.kernelFunc({
      inputs: { ...more },
      backend: backend as never,
      attrs: kernelAttrs,
    }) as Info;
    backend.disposeData(out.dataId);
    out = next;
  };
  const bias = inputs.bias as Info | undefined;
  if (bias && !biasAdded) apply("Add", { a: out, b: bias });
  if (activation === "prelu") apply("Prelu", { x: out, alpha: inputs.preluActivationWeights as Info });
  else if (activation === "leakyrelu") apply("LeakyRelu", { x: out }, { alpha: leakyreluAlpha ?? 0.2 });
  else if (activation !== "linear") apply(ACTIVATIONS[activation], { x: out });
  return out;
}

/** `_FusedMatMul`'s attributes. */
interface FusedAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/** Throws for an activation `_FusedMatMul` does not know. */
function checkActivation(activation: string): void {
  if (activation !== "linear" && !ACTIVATIONS[activation]) {
    const known = ["linear", ...Object.keys(ACTIVATIONS)].join(", ");
    throw new Error(`_FusedMatMul: unknown activation '${activation}' (expected one of ${known})`);
  }
}

/** `_FusedMatMul` in BLAS: the product, the bias in sgemm when it is one row or column, then finishFused. */
function blasFusedMatMul(
  blas: Blas,
  backend: WasmBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: FusedAttrs,
) {
  checkActivation(attrs.activation ?? "linear");
  const { out, fused } = blasMatMul(
    blas,
    backend,
    inputs.a as Info,
    inputs.b as Info,
    Boolean(attrs.transposeA),
    Boolean(attrs.transposeB),
    (inputs.bias as Info | undefined) ?? undefined,
  );
  return finishFused(backend, out, inputs, attrs, fused);
}

/**
 * Re-registers the wasm matrix-product kernels (`BatchMatMul`, `_FusedMatMul`). With a BLAS (`useBlas`)
 * they run in it. Without one, a product with `transposeA` / `transposeB` transposes its operand
 * explicitly (a fast copy) and then runs wasm's fast untransposed kernel: the same numbers, much faster
 * backward passes. Returns true when they are installed.
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
      const a = inputs.a as Info;
      const b = inputs.b as Info;
      const blas = engine;
      if (blas && a.dtype === "float32" && b.dtype === "float32") {
        const wasm = backend as unknown as WasmBackend;
        if (kernelName === "_FusedMatMul") return blasFusedMatMul(blas, wasm, inputs, attrs ?? {});
        return blasMatMul(blas, wasm, a, b, Boolean(transposeA), Boolean(transposeB)).out;
      }
      // wasm's own fused product takes only a bias of rank 1 and n values (else it throws or reads past it):
      // any other bias is added after the plain product.
      const bias = inputs.bias as Info | undefined;
      const n = transposeB ? b.shape.at(-2)! : b.shape.at(-1)!;
      if (kernelName === "_FusedMatMul" && bias && !(bias.shape.length === 1 && bias.shape[0] === n)) {
        checkActivation((attrs as FusedAttrs).activation ?? "linear");
        const product = tf.getKernel("BatchMatMul", "wasm")!.kernelFunc({
          inputs: { a, b },
          backend,
          attrs: { transposeA: Boolean(transposeA), transposeB: Boolean(transposeB) },
        }) as Info;
        return finishFused(backend as unknown as WasmBackend, product, inputs, attrs as FusedAttrs, false);
      }
      if (!transposeA && !transposeB) return base.kernelFunc({ inputs, backend, attrs });
      // Swap the last two axes: (..., m, k) -> (..., k, m).
      const swapLast = (x: Info): Info => {
        const perm = x.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as Info;
      };
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

/**
 * Makes convolutions trainable (and fast) on tfjs-backend-wasm 4.22, which has no `Conv2DBackpropFilter`
 * kernel and a slow `Conv2DBackpropInput`. Both gradients are written as ordinary forward convolutions,
 * which run on the fast XNNPACK kernel (stride 1, NHWC; other cases fall back to tfjs's own kernels):
 *   dC/dW[i,j,c,o] = sum_{n,y,x} xpad[n, y+i, x+j, c] dy[n,y,x,o]  = a convolution of x by dy
 *                    (x's channels as the batch, its examples as channels; dy as the filter),
 *   dC/dx = dy (padded) convolved with W rotated by 180 degrees, input and output channels swapped.
 * Max pooling's gradient and the sum that gives a convolution's bias gradient, slow in wasm, are replaced
 * too (lib/conv_kernels.ts).
 * Returns false when the wasm backend's kernels are not there (another backend: nothing to fix).
 */
function installWasmConvGradFix(): boolean {
  const get = (name: string) => tf.getKernel(name, "wasm");
  const conv = get("Conv2D"), transpose = get("Transpose"), reverse = get("Reverse"), pad = get("PadV2");
  const baseInput = get("Conv2DBackpropInput");
  if (!conv || !transpose || !reverse || !pad || !baseInput) return false;
  if ((baseInput as unknown as Record<symbol, boolean>)[CONV_FIXED]) return true;
  const baseFilter = get("Conv2DBackpropFilter");
  const { filterGrad, inputGrad } = blasConvolutionGradients(
    () => engine,
    convGradients({ conv, transpose, reverse, pad, baseInput, baseFilter }),
  );
  if (baseFilter) tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: filterGrad,
    [CONV_FIXED]: true,
  } as tf.KernelConfig);
  tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel({ ...baseInput, kernelFunc: inputGrad, [CONV_FIXED]: true } as tf.KernelConfig);
  const sum = get("Sum");
  if (sum) {
    tf.unregisterKernel("Sum", "wasm");
    tf.registerKernel(
      { ...sum, kernelFunc: sumOverLeadingAxes(sum.kernelFunc), [CONV_FIXED]: true } as tf.KernelConfig,
    );
  }
  const basePool = get("MaxPoolGrad");
  if (basePool) tf.unregisterKernel("MaxPoolGrad", "wasm");
  tf.registerKernel({ kernelName: "MaxPoolGrad", backendName: "wasm", kernelFunc: maxPoolGrad });
  return true;
}
