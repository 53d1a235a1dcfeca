/**
 * Adam (Kingma and Ba, 2015), the optimizer of notebooks 03 and 04, for both trainers (lib/train.ts,
 * lib/train_model.ts), with tf.train.adam's settings. For every parameter W with gradient g, at step t:
 *   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2,
 *   W = W - eta (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon).
 *
 * On the wasm backend this is one pass over each parameter, four float32 numbers at a time (WebAssembly's
 * SIMD), on the tensors' memory (in place where the caller allows): tf.train.adam takes about 14 operations
 * per parameter, each a pass over it, and the same loop in JavaScript computes one number at a time. The pass
 * is written below in WebAssembly's text format and assembled by wabt when first needed. On other backends,
 * tf.train.adam.
 */
import * as tf from "@tensorflow/tfjs";
import wabtModule from "wabt";
import { memoryOf, offsetOf, type WasmBackend } from "./wasm_memory.ts";

/**
 * The pass, for W, g, m, v of n float32 numbers each (byte offsets into the memory). m and v are updated in
 * place, the new W is written to `out` (W's own memory, or a fresh one). a1 = 1 - beta1 and a2 = 1 - beta2
 * come in already computed (in float64: 1 - beta2 in float32 would be off by 1e-5 of itself), and so do
 * step = eta / (1 - beta1^t) and root = sqrt(1 - beta2^t), so that
 *   W - eta (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
 *     = W - step m / (sqrt(v) / root + epsilon).
 */
const ADAM_WAT = (memory: string) => `
(module
  (import "tfjs" "memory" ${memory})
  (func (export "adam")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $out i32) (param $n i32)
    (param $beta1 f32) (param $beta2 f32) (param $a1 f32) (param $a2 f32)
    (param $step f32) (param $root f32) (param $epsilon f32)
    (local $i i32) (local $end4 i32) (local $end i32)
    (local $gi v128) (local $mi v128) (local $vi v128) (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    ;; four numbers at a time
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end4)))
      (local.set $gi (v128.load (i32.add (local.get $g) (local.get $i))))
      (local.set $mi (f32x4.add
        (f32x4.mul (f32x4.splat (local.get $beta1)) (v128.load (i32.add (local.get $m) (local.get $i))))
        (f32x4.mul (f32x4.splat (local.get $a1)) (local.get $gi))))
      (local.set $vi (f32x4.add
        (f32x4.mul (f32x4.splat (local.get $beta2)) (v128.load (i32.add (local.get $v) (local.get $i))))
        (f32x4.mul (f32x4.splat (local.get $a2))
                   (f32x4.mul (local.get $gi) (local.get $gi)))))
      (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mi))
      (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vi))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (f32x4.sub (v128.load (i32.add (local.get $w) (local.get $i)))
          (f32x4.div (f32x4.mul (f32x4.splat (local.get $step)) (local.get $mi))
            (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vi)) (f32x4.splat (local.get $root)))
                       (f32x4.splat (local.get $epsilon))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next)))
    ;; the last n mod 4, one at a time: the same formula
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
      (local.set $ms (f32.add (f32.mul (local.get $beta1) (f32.load (i32.add (local.get $m) (local.get $i))))
                              (f32.mul (local.get $a1) (local.get $gs))))
      (local.set $vs (f32.add (f32.mul (local.get $beta2) (f32.load (i32.add (local.get $v) (local.get $i))))
                              (f32.mul (local.get $a2)
                                       (f32.mul (local.get $gs) (local.get $gs)))))
      (f32.store (i32.add (local.get $m) (local.get $i)) (local.get $ms))
      (f32.store (i32.add (local.get $v) (local.get $i)) (local.get $vs))
      (f32.store (i32.add (local.get $out) (local.get $i))
        (f32.sub (f32.load (i32.add (local.get $w) (local.get $i)))
          (f32.div (f32.mul (local.get $step) (local.get $ms))
            (f32.add (f32.div (f32.sqrt (local.get $vs)) (local.get $root)) (local.get $epsilon)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $next)))))
`;

/** The assembled pass: (w, g, m, v, out, n, beta1, beta2, a1, a2, step, root, epsilon). */
type AdamPass = (...args: number[]) => void;

/** The pass for each wasm memory it was instantiated on (a new backend brings a new memory). */
const passes = new WeakMap<WebAssembly.Memory, AdamPass>();

/** The pass on the backend's memory, assembled and instantiated the first time. */
async function passFor(backend: WasmBackend): Promise<AdamPass> {
  const memory = memoryOf(backend);
  if (!passes.has(memory)) {
    // The threaded build shares its memory, which an import must then declare with a maximum.
    const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
    const wabt = await wabtModule();
    const wat = wabt.parseWat("adam.wat", ADAM_WAT(shared ? "(memory 1 65536 shared)" : "(memory 1)"), {
      simd: true,
      threads: shared,
    });
    const { buffer } = wat.toBinary({});
    wat.destroy();
    const { instance } = await WebAssembly.instantiate(new Uint8Array(buffer), { tfjs: { memory } });
    passes.set(memory, instance.exports.adam as AdamPass);
  }
  return passes.get(memory)!;
}

/** Adam over a fixed list of parameters; `eta` may change between steps (a schedule). */
export class Adam {
  /** Adam's default settings, as tf.train.adam's. */
  readonly beta1 = 0.9;
  readonly beta2 = 0.999;
  readonly epsilon = 1e-7;
  /** Steps taken so far (t of the formula after the next step is t + 1). */
  t = 0;
  /** The moments m and v of each parameter (wasm), or tf.train.adam (other backends). */
  private moments: { m: tf.Tensor; v: tf.Tensor }[] = [];
  private optimizer?: tf.AdamOptimizer;

  private constructor(
    readonly params: tf.Variable[],
    public eta: number,
    private inPlace: boolean,
    private pass?: AdamPass,
  ) {
    if (pass) this.moments = params.map((W) => ({ m: tf.zerosLike(W), v: tf.zerosLike(W) }));
    else this.optimizer = tf.train.adam(eta, this.beta1, this.beta2, this.epsilon);
  }

  /**
   * Adam for these parameters on the current backend, with learning rate eta. `inPlace: false` where the
   * engine may keep something made from a parameter, keyed by its memory: tfjs-backend-wasm's convolution
   * keeps each filter packed for XNNPACK, and would go on using a filter changed in place as it was (a new
   * tensor frees the packed copy). On wasm each step then writes every parameter to a new tensor.
   */
  static async create(params: tf.Variable[], eta: number, { inPlace = true } = {}): Promise<Adam> {
    const wasm = tf.getBackend() === "wasm" && params.every((W) => W.dtype === "float32");
    const pass = wasm ? await passFor(tf.backend() as unknown as WasmBackend) : undefined;
    return new Adam(params, eta, inPlace, pass);
  }

  /** One step: every parameter moves by its gradient g (same order as `params`); t counts up by one. */
  update(grads: tf.Tensor[]): void {
    if (grads.length !== this.params.length) {
      throw new Error(`Adam.update: ${grads.length} gradients for ${this.params.length} parameters`);
    }
    this.params.forEach((W, i) => {
      const g = grads[i];
      if (!g || g.dtype !== W.dtype || g.size !== W.size) {
        throw new Error(
          `Adam.update: the gradient of ${W.name} (${g?.shape ?? "none"}) must have its shape (${W.shape})`,
        );
      }
    });
    this.t++;
    if (this.optimizer) {
      (this.optimizer as unknown as { learningRate: number }).learningRate = this.eta;
      this.optimizer.applyGradients(this.params.map((W, i) => ({ name: W.name, tensor: grads[i] })));
      return;
    }
    const backend = tf.backend() as unknown as WasmBackend;
    const step = this.eta / (1 - this.beta1 ** this.t), root = Math.sqrt(1 - this.beta2 ** this.t);
    this.params.forEach((W, i) => {
      const { m, v } = this.moments[i];
      // In W's own memory, unless another tensor (a reshape) shares it: then into a new tensor.
      const inPlace = this.inPlace && backend.refCount(W.dataId) === 1;
      const out = inPlace ? W : backend.makeOutput(W.shape, "float32");
      const [w, gradient, mOffset, vOffset, outOffset] = [W, grads[i], m, v, out].map((t) =>
        offsetOf(backend, t)
      );
      this.pass!(
        w,
        gradient,
        mOffset,
        vOffset,
        outOffset,
        W.size,
        this.beta1,
        this.beta2,
        1 - this.beta1,
        1 - this.beta2,
        step,
        root,
        this.epsilon,
      );
      if (!inPlace) {
        const updated = tf.engine().makeTensorFromTensorInfo(out);
        W.assign(updated);
        updated.dispose();
      }
    });
  }

  /** Frees the moments (or tf.train.adam's). */
  dispose(): void {
    tf.dispose(this.moments.flatMap(({ m, v }) => [m, v]));
    this.optimizer?.dispose();
  }
}
