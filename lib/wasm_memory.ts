/**
 * Tensors of tfjs-backend-wasm 4.22 read and written in place, from JavaScript: what the course's own wasm
 * kernels (lib/kernels.ts: BLAS products; lib/train_kernels.ts: the training step's fused kernels; lib/adam.ts)
 * need of the backend object, which its public types do not show.
 */
import * as tf from "@tensorflow/tfjs";

/** What the kernels need of tfjs-backend-wasm's backend object (not in its public types). */
export interface WasmBackend {
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): void;
  /** How many tensors share the memory of `dataId`. */
  refCount(dataId: tf.DataId): number;
}

/**
 * A view on a tensor's wasm memory (Float32Array for float32, Int32Array for int32 and bool), made afresh
 * from the module's CURRENT memory: any allocation (makeOutput, a kernel's temporaries) may grow the memory,
 * which detaches every earlier view.
 */
export function viewOf(backend: WasmBackend, t: tf.TensorInfo): Float32Array;
export function viewOf(backend: WasmBackend, t: tf.TensorInfo, as: "int32"): Int32Array;
export function viewOf(backend: WasmBackend, t: tf.TensorInfo, as?: "int32"): Float32Array | Int32Array {
  const buffer = memoryOf(backend).buffer;
  const offset = offsetOf(backend, t);
  const size = tf.util.sizeFromShape(t.shape);
  return as === "int32" ? new Int32Array(buffer, offset, size) : new Float32Array(buffer, offset, size);
}

/** The backend's WebAssembly memory (the object stays the same when the memory grows; its buffer does not). */
export function memoryOf(backend: WasmBackend): WebAssembly.Memory {
  // The memory is exported by the single-threaded build (asm.memory) and imported by the threaded one.
  const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  if (!memory) throw new Error("tfjs-backend-wasm: its WebAssembly memory was not found");
  return memory;
}

/** Where a tensor's values start in the backend's memory, in bytes. */
export function offsetOf(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}
