/**
 * The instance that `init()` returns: every kernel as a synchronous method, plus Wasm-resident
 * arrays. Methods check their arguments, then call the family modules.
 * @module
 */
import { checkCount, checkEnum } from './runtime/check.js';
import { CTORS, type ArrayOf, type DType, type Runtime, WasmArray } from './runtime/runtime.js';
import * as quant from './quant.js';
import type { DynamicQuantized, ObserverOptions, QuantError, QuantParams } from './quant.js';
import * as prune from './prune.js';
import type { BlockOptions, GlobalOptions, MagnitudeOptions, NMOptions, RandomOptions, Selection, StructuredOptions } from './prune.js';

/** A 0/1 mask (1 = kept): an ordinary array (copied in) or a Wasm-resident one (used in place). */
export type MaskIn = Uint8Array | WasmArray<'u8'>;
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

  // ---- pruning masks ------------------------------------------------------------------------

  /** PyTorch l1_unstructured: prune round_half_even(amount * n) (or count) smallest |w| (or |opts.scores|) among the entries opts.prior keeps; ties: lower index pruned first. */
  magnitudeMask(w: F32In, sel: Selection, opts?: MagnitudeOptions): Uint8Array;
  magnitudeMask<O extends MaskIn>(w: F32In, sel: Selection, opts: MagnitudeOptions | undefined, out: O): O;
  magnitudeMask(w: F32In, sel: Selection, opts?: MagnitudeOptions, out?: unknown): unknown {
    return prune.magnitudeMask(this.rt, w, sel, opts, out);
  }

  /** Keep |w| >= t (NaN is kept). */
  thresholdMask(w: F32In, t: number): Uint8Array;
  thresholdMask<O extends MaskIn>(w: F32In, t: number, out: O): O;
  thresholdMask(w: F32In, t: number, out?: unknown): unknown {
    return prune.thresholdMask(this.rt, w, t, out);
  }

  /** PyTorch global_unstructured (L1Unstructured): one magnitude ranking over every tensor; one mask per tensor. */
  globalMagnitudeMask(ws: F32In[], sel: Selection, opts?: GlobalOptions): Uint8Array[] {
    return prune.globalMagnitudeMask(this.rt, ws, sel, opts);
  }

  /** PyTorch ln_structured: prune the slices along dim with the smallest Ln norms (n = 1, 2, Infinity); full-size mask. */
  structuredMask(w: F32In, shape: readonly number[], opts: StructuredOptions): Uint8Array;
  structuredMask<O extends MaskIn>(w: F32In, shape: readonly number[], opts: StructuredOptions, out: O): O;
  structuredMask(w: F32In, shape: readonly number[], opts: StructuredOptions, out?: unknown): unknown {
    return prune.structuredMask(this.rt, w, shape, opts, out);
  }

  /** N:M sparsity along the last dimension: keep the n largest |w| of every m; equal |w|: lower index kept. */
  nmMask(w: F32In, shape: readonly number[], opts: NMOptions): Uint8Array;
  nmMask<O extends MaskIn>(w: F32In, shape: readonly number[], opts: NMOptions, out: O): O;
  nmMask(w: F32In, shape: readonly number[], opts: NMOptions, out?: unknown): unknown {
    return prune.nmMask(this.rt, w, shape, opts, out);
  }

  /** Prune whole block[0] x block[1] blocks of the [shape[0], rest] matrix by L1 or L2 norm (edge blocks are smaller). */
  blockMask(w: F32In, shape: readonly number[], opts: BlockOptions): Uint8Array;
  blockMask<O extends MaskIn>(w: F32In, shape: readonly number[], opts: BlockOptions, out: O): O;
  blockMask(w: F32In, shape: readonly number[], opts: BlockOptions, out?: unknown): unknown {
    return prune.blockMask(this.rt, w, shape, opts, out);
  }

  /** Seeded random_unstructured: exactly round_half_even(amount * n) (or count) entries pruned, the same in every runtime. */
  randomMask(n: number, opts: RandomOptions): Uint8Array;
  randomMask<O extends MaskIn>(n: number, opts: RandomOptions, out: O): O;
  randomMask(n: number, opts: RandomOptions, out?: unknown): unknown {
    return prune.randomMask(this.rt, n, opts, out);
  }

  /** First-order Taylor importance |w * g| (f32). */
  taylorScores(w: F32In, g: F32In): Float32Array;
  taylorScores<O extends Float32Array | WasmArray<'f32'>>(w: F32In, g: F32In, out: O): O;
  taylorScores(w: F32In, g: F32In, out?: unknown): unknown {
    return prune.taylorScores(this.rt, w, g, out);
  }

  /** Optimal Brain Damage saliency w^2 * h / 2 (f32, in that order). */
  obdScores(w: F32In, h: F32In): Float32Array;
  obdScores<O extends Float32Array | WasmArray<'f32'>>(w: F32In, h: F32In, out: O): O;
  obdScores(w: F32In, h: F32In, out?: unknown): unknown {
    return prune.obdScores(this.rt, w, h, out);
  }

  /** w * mask as PyTorch computes orig * mask (pruned entries become +-0; NaN / Inf become NaN). */
  applyMask(w: F32In, mask: MaskIn): Float32Array;
  applyMask<O extends Float32Array | WasmArray<'f32'>>(w: F32In, mask: MaskIn, out: O): O;
  applyMask(w: F32In, mask: MaskIn, out?: unknown): unknown {
    return prune.applyMask(this.rt, w, mask, out);
  }

  /** Fraction of zeros of an f32 tensor or a mask (0 for an empty one). */
  sparsity(x: F32In | MaskIn): number {
    return prune.sparsity(this.rt, x);
  }

  /** Pack a mask 8 entries per byte, least significant bit first. */
  packMask(mask: MaskIn): Uint8Array;
  packMask<O extends MaskIn>(mask: MaskIn, out: O): O;
  packMask(mask: MaskIn, out?: unknown): unknown {
    return prune.packMask(this.rt, mask, out);
  }

  /** Unpack n mask entries from packMask's bytes. */
  unpackMask(bits: MaskIn, n: number): Uint8Array;
  unpackMask<O extends MaskIn>(bits: MaskIn, n: number, out: O): O;
  unpackMask(bits: MaskIn, n: number, out?: unknown): unknown {
    return prune.unpackMask(this.rt, bits, n, out);
  }
}
