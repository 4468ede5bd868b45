/**
 * The instance that `init()` returns: every kernel as a synchronous method, plus Wasm-resident
 * arrays. Methods check their arguments, then call the family modules.
 * @module
 */
import { checkCount, checkEnum } from './runtime/check.js';
import { CTORS, type ArrayOf, type DType, type Runtime, WasmArray } from './runtime/runtime.js';
import * as quant from './quant.js';
import type { DynamicQuantized, ObserverOptions, QuantError, QuantParams } from './quant.js';

/** f32 input: an ordinary array (copied in) or a Wasm-resident one (used in place). */
export type F32In = Float32Array | WasmArray<'f32'>;
/** 8-bit quantized data. */
export type Q8In = Int8Array | Uint8Array | WasmArray<'i8'> | WasmArray<'u8'>;

const DTYPES = Object.keys(CTORS) as DType[];

/** A sparq instance: one Wasm instance with its own memory. */
export class Sparq {
  /** @internal */
  readonly rt: Runtime;
  /** Whether this instance runs the SIMD build. */
  readonly simd: boolean;

  /** @internal Use `init()`. */
  constructor(rt: Runtime) {
    this.rt = rt;
    this.simd = rt.simd;
  }

  /** Bytes of Wasm linear memory (it only grows). */
  get memoryBytes(): number {
    return this.rt.memoryBytes;
  }

  /** A zero-filled Wasm-resident array; free it with dispose() (or `using`). */
  alloc<T extends DType>(dtype: T, length: number): WasmArray<T> {
    checkEnum('dtype', dtype, DTYPES);
    checkCount('length', length);
    const a = new WasmArray(this.rt, dtype, length);
    a.view.fill(0);
    return a;
  }

  /** A Wasm-resident copy of a typed array. */
  wasmArray<T extends DType>(data: ArrayOf<T>): WasmArray<T> {
    const dtype = DTYPES.find((d) => data instanceof CTORS[d]);
    if (dtype === undefined) throw new TypeError('data: expected a typed array (Float32Array, Int8Array, ...)');
    const a = new WasmArray(this.rt, dtype, data.length);
    a.view.set(data as ArrayLike<number>);
    return a as unknown as WasmArray<T>;
  }

  // ---- quantization -------------------------------------------------------------------------

  /** ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zeroPoint); `rounding: 'torch'` multiplies by 1.0f / scale. */
  quantize(x: F32In, p: QuantParams): Int8Array | Uint8Array;
  quantize<O extends Int8Array | Uint8Array | WasmArray<'i8'> | WasmArray<'u8'>>(x: F32In, p: QuantParams, out: O): O;
  quantize(x: F32In, p: QuantParams, out?: unknown): unknown {
    return quant.quantize(this.rt, x, p, out);
  }

  /** ONNX DequantizeLinear: (q - zeroPoint) * scale. */
  dequantize(q: Q8In, p: QuantParams): Float32Array;
  dequantize<O extends Float32Array | WasmArray<'f32'>>(q: Q8In, p: QuantParams, out: O): O;
  dequantize(q: Q8In, p: QuantParams, out?: unknown): unknown {
    return quant.dequantize(this.rt, q, p, out);
  }

  /** ONNX DynamicQuantizeLinear (uint8), as ONNX Runtime computes it; scale 1 for an all-zero x. */
  dynamicQuantize(x: F32In, out?: Uint8Array): DynamicQuantized {
    return quant.dynamicQuantize(this.rt, x, out);
  }

  /** PyTorch MinMaxObserver (per tensor) / PerChannelMinMaxObserver (with axis) parameters. */
  qparams(x: F32In, opts: ObserverOptions): QuantParams {
    return quant.qparams(this.rt, x, opts);
  }

  /** MSE, max |error| and SQNR (dB) of q against x under p. */
  quantError(x: F32In, q: Q8In, p: QuantParams): QuantError {
    return quant.quantError(this.rt, x, q, p);
  }
}
