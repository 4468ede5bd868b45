/**
 * The instance that `init()` returns: every kernel as a synchronous method, plus Wasm-resident
 * arrays. Methods check their arguments, then call the family modules.
 * @module
 */
import { checkCount, checkEnum } from './runtime/check.js';
import { guarded } from './runtime/guard.js';
import { closeThreads, threadCount, threadsUnavailable } from './runtime/threads.js';
import { CTORS, type AnyTypedArray, type DType, type DTypeOf, type Runtime, WasmArray } from './runtime/runtime.js';
import * as quant from './quant.js';
import type { DynamicQuantized, ObserverOptions, QuantError, QuantParams } from './quant.js';
import * as sparse from './sparse.js';
import type { BsrOptions, Csr, CsrInt8, NmOptions, SparseMatrix } from './sparse.js';
import * as gemm from './gemm.js';
import * as int from './int.js';
import type { Int8In, MatMulIntegerOptions, PackedInt4, PackedInt4Options, PackedInt8, PackedInt8Options, QLinearMatmulOptions, QuantizedLinearOptions } from './int.js';
import * as prune from './prune.js';
import * as half from './half.js';
import * as fusion from './fusion.js';
import type { BatchNormParams, FoldedBatchNorm } from './fusion.js';
import * as gemmTrans from './gemm-trans.js';
import type { GemmOptions } from './gemm-trans.js';
import type { BlockOptions, GlobalOptions, MagnitudeOptions, NMOptions, RandomOptions, Selection, StructuredOptions } from './prune.js';
import * as distill from './distill.js';
import type { DistillationOptions, LossOptions, LossResult, SoftmaxOptions } from './distill.js';
import * as calib from './calib.js';
import type { CalibOptions, Observer, ObserverKind } from './calib.js';

/** A 0/1 mask (1 = kept): an ordinary array (copied in) or a Wasm-resident one (used in place). */
export type MaskIn = Uint8Array | WasmArray<'u8'>;
/** f32 input: an ordinary array (copied in) or a Wasm-resident one (used in place). */
export type F32In = Float32Array | WasmArray<'f32'>;
/** A sparse operand: a CSR (validated, packed for the call) or a resident matrix. */
export type SparseIn = Csr | SparseMatrix;
/** 8-bit quantized data. */
export type Q8In = Int8Array | Uint8Array | WasmArray<'i8'> | WasmArray<'u8'>;

const DTYPES = Object.keys(CTORS) as DType[];

/** A sparq instance: one Wasm instance with its own memory. */
export class Sparq {
  /** @internal */
  readonly rt: Runtime;
  /** Whether this instance runs the SIMD build. */
  readonly simd: boolean;
  /** The build this instance runs: the relaxed-SIMD build is a SIMD build too. */
  get build(): 'relaxed' | 'simd' | 'scalar' {
    return int.isRelaxed(this.rt) ? 'relaxed' : this.simd ? 'simd' : 'scalar';
  }

  /** @internal Use `init()`. */
  constructor(rt: Runtime) {
    this.rt = rt;
    this.simd = rt.simd;
  }

  /** Threads this instance runs large calls on, the calling thread included (1 once closed). */
  get threads(): number {
    return threadCount(this.rt);
  }

  /** Why `init({ threads })` gave one thread where more were asked for (else undefined). */
  get threadsUnavailable(): string | undefined {
    return threadsUnavailable(this.rt);
  }

  /** End this instance's worker threads; it then runs every call on the calling thread. */
  close(): Promise<void> {
    return closeThreads(this.rt);
  }

  /** `await using sq = await init({ threads })` closes the workers at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return closeThreads(this.rt);
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
  wasmArray<A extends AnyTypedArray>(data: A): WasmArray<DTypeOf<A>> {
    const dtype = DTYPES.find((d) => data instanceof CTORS[d]);
    if (dtype === undefined) throw new TypeError('data: expected a typed array (Float32Array, Int8Array, ...)');
    const a = new WasmArray(this.rt, dtype, data.length);
    a.view.set(data as ArrayLike<number>);
    return a as unknown as WasmArray<DTypeOf<A>>;
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
  dynamicQuantize(x: F32In): DynamicQuantized;
  dynamicQuantize<O extends Uint8Array | WasmArray<'u8'>>(x: F32In, out: O): Omit<DynamicQuantized, 'data'> & { data: O };
  dynamicQuantize(x: F32In, out?: unknown): unknown {
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

  // ---- sparse ----------------------------------------------------------------------------------

  /** Validate a CSR from outside (scipy layout); a malformed one is a RangeError naming the field. */
  csr(a: Csr): Csr {
    return sparse.csr(a);
  }

  /** CSR of a dense row-major [rows x cols] matrix: entries with w != 0, or with mask != 0. */
  csrFromDense(w: F32In, rows: number, cols: number, mask?: Uint8Array | WasmArray<'u8'>): Csr {
    return sparse.csrFromDense(this.rt, w, rows, cols, mask);
  }

  /** Dense row-major [rows x cols] of a CSR. */
  csrToDense(a: Csr): Float32Array {
    return sparse.csrToDense(a);
  }

  /** Pack a CSR once into Wasm memory (16-bit column indices) for many products; dispose() frees it. */
  sparseMatrix(a: Csr): SparseMatrix {
    return sparse.sparseMatrix(this.rt, a);
  }

  /** Sparse int8 matrix: CSR with int8 values and a per-row f32 scale (from an f32 Csr, quantized per row, or a CsrInt8). */
  sparseInt8Matrix(a: Csr | CsrInt8): SparseMatrix {
    return sparse.sparseInt8Matrix(this.rt, a);
  }

  /** Compress an N:M-sparse dense matrix (values plus 2-bit indices for 2:4); checks the pattern. */
  nmMatrix(w: F32In, rows: number, cols: number, opts: NmOptions): SparseMatrix {
    return sparse.nmMatrix(this.rt, w, rows, cols, opts);
  }

  /** Block-sparse matrix: the [bh x bw] blocks of a dense matrix that hold a nonzero. */
  bsrMatrix(w: F32In, rows: number, cols: number, opts: BsrOptions): SparseMatrix {
    return sparse.bsrMatrix(this.rt, w, rows, cols, opts);
  }

  /** y = A x. */
  spmv(a: SparseIn, x: F32In): Float32Array;
  spmv<O extends Float32Array | WasmArray<'f32'>>(a: SparseIn, x: F32In, out: O): O;
  spmv(a: SparseIn, x: F32In, out?: unknown): unknown {
    return sparse.spmv(this.rt, a, x, out);
  }

  /** Y[rows x n] = A X, X row-major [cols x n]. */
  spmm(a: SparseIn, x: F32In, n: number): Float32Array;
  spmm<O extends Float32Array | WasmArray<'f32'>>(a: SparseIn, x: F32In, n: number, out: O): O;
  spmm(a: SparseIn, x: F32In, n: number, out?: unknown): unknown {
    return sparse.spmm(this.rt, a, x, n, out);
  }

  /** Y[batch x out] = X W^T + bias: the pruned linear layer (X [batch x in], W [out x in] sparse). */
  sparseLinear(x: F32In, batch: number, w: SparseIn, bias?: F32In): Float32Array;
  sparseLinear<O extends Float32Array | WasmArray<'f32'>>(x: F32In, batch: number, w: SparseIn, bias: F32In | undefined, out: O): O;
  sparseLinear(x: F32In, batch: number, w: SparseIn, bias?: F32In, out?: unknown): unknown {
    return sparse.sparseLinear(this.rt, x, batch, w, bias, out);
  }

  /** Dense C[m x n] = A[m x k] B[k x n] (row-major f32), sequential over k per element. */
  matmul(a: F32In, b: F32In, m: number, k: number, n: number): Float32Array;
  matmul<O extends Float32Array | WasmArray<'f32'>>(a: F32In, b: F32In, m: number, k: number, n: number, out: O): O;
  matmul(a: F32In, b: F32In, m: number, k: number, n: number, out?: unknown): unknown {
    return gemm.matmul(this.rt, a, b, m, k, n, out);
  }

  // ---- int ----------------------------------------------------------------------------------

  /** ONNX MatMulInteger: (a - aZeroPoint) x (b - bZeroPoint) in int32, wrapping in 32 bits; b may be a PackedInt8. */
  matmulInteger(a: Int8In, b: Int8In | PackedInt8, m: number, k: number, n: number, opts?: MatMulIntegerOptions): Int32Array;
  matmulInteger<O extends Int32Array | WasmArray<'i32'>>(a: Int8In, b: Int8In | PackedInt8, m: number, k: number, n: number, opts: MatMulIntegerOptions | undefined, out: O): O;
  matmulInteger(a: Int8In, b: Int8In | PackedInt8, m: number, k: number, n: number, opts?: MatMulIntegerOptions, out?: unknown): unknown {
    return int.matmulInteger(this.rt, a, b, m, k, n, opts, out);
  }

  /** ONNX QLinearMatMul: MatMulInteger, then saturate(round_half_even(f32(acc) * f32(aScale * bScale / yScale)) + yZeroPoint) as ONNX Runtime. */
  qlinearMatmul(a: Int8In, b: Int8In | PackedInt8, m: number, k: number, n: number, opts: QLinearMatmulOptions): Int8Array | Uint8Array;
  qlinearMatmul<O extends Int8Array | Uint8Array | WasmArray<'i8'> | WasmArray<'u8'>>(a: Int8In, b: Int8In | PackedInt8, m: number, k: number, n: number, opts: QLinearMatmulOptions, out: O): O;
  qlinearMatmul(a: Int8In, b: Int8In | PackedInt8, m: number, k: number, n: number, opts: QLinearMatmulOptions, out?: unknown): unknown {
    return int.qlinearMatmul(this.rt, a, b, m, k, n, opts, out);
  }

  /** Pack B (k x n int8 / uint8, or f32 quantized per column) once into a resident handle for the int8 products. */
  packedInt8(b: Int8In | Float32Array | WasmArray<'f32'>, k: number, n: number, opts?: PackedInt8Options): PackedInt8 {
    return int.packedInt8(this.rt, b, k, n, opts);
  }

  /** Dynamic-quantized linear layer: DynamicQuantizeLinear per row of x, times int8 weights w, dequantized, plus bias. */
  quantizedLinear(x: F32In, batch: number, w: PackedInt8, bias?: F32In | null): Float32Array;
  quantizedLinear<O extends Float32Array | WasmArray<'f32'>>(x: F32In, batch: number, w: PackedInt8, bias: F32In | null | undefined, out: O, opts?: QuantizedLinearOptions): O;
  quantizedLinear(x: F32In, batch: number, w: PackedInt8, bias: F32In | null | undefined, out: undefined, opts: QuantizedLinearOptions): Float32Array;
  quantizedLinear(x: F32In, batch: number, w: PackedInt8, bias?: F32In | null, out?: unknown, opts?: QuantizedLinearOptions): unknown {
    return int.quantizedLinear(this.rt, x, batch, w, bias, out, opts);
  }

  /** Quantize f32 weights (k x n) to int4 per block along k (MatMulNBits-style), packed two per byte. */
  packedInt4(w: F32In, k: number, n: number, opts?: PackedInt4Options): PackedInt4 {
    return int.packedInt4(this.rt, w, k, n, opts);
  }

  /** x (batch x k f32) times int4 weights -> f32: activations quantized to int8 per block, exact block dots, f32 block sums. */
  matmulInt4(x: F32In, batch: number, w4: PackedInt4, bias?: F32In | null): Float32Array;
  matmulInt4<O extends Float32Array | WasmArray<'f32'>>(x: F32In, batch: number, w4: PackedInt4, bias: F32In | null | undefined, out: O): O;
  matmulInt4(x: F32In, batch: number, w4: PackedInt4, bias?: F32In | null, out?: unknown): unknown {
    return int.matmulInt4(this.rt, x, batch, w4, bias, out);
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

  // ---- half precision -----------------------------------------------------------------------

  /** f32 -> IEEE float16 bits: round half to even, overflow to Inf, subnormals; NaN: sign, top payload bits, quiet bit. */
  toFloat16(x: F32In): Uint16Array;
  toFloat16<O extends Uint16Array | WasmArray<'u16'>>(x: F32In, out: O): O;
  toFloat16(x: F32In, out?: unknown): unknown {
    return half.toFloat16(this.rt, x, out);
  }

  /** IEEE float16 bits -> f32, exact (NaN payloads kept). */
  fromFloat16(h: Uint16Array | WasmArray<'u16'>): Float32Array;
  fromFloat16<O extends Float32Array | WasmArray<'f32'>>(h: Uint16Array | WasmArray<'u16'>, out: O): O;
  fromFloat16(h: Uint16Array | WasmArray<'u16'>, out?: unknown): unknown {
    return half.fromFloat16(this.rt, h, out);
  }

  /** f32 -> bfloat16 bits: round half to even, overflow to Inf; NaN: sign, top payload bits, quiet bit. */
  toBfloat16(x: F32In): Uint16Array;
  toBfloat16<O extends Uint16Array | WasmArray<'u16'>>(x: F32In, out: O): O;
  toBfloat16(x: F32In, out?: unknown): unknown {
    return half.toBfloat16(this.rt, x, out);
  }

  /** bfloat16 bits -> f32, exact (h << 16). */
  fromBfloat16(h: Uint16Array | WasmArray<'u16'>): Float32Array;
  fromBfloat16<O extends Float32Array | WasmArray<'f32'>>(h: Uint16Array | WasmArray<'u16'>, out: O): O;
  fromBfloat16(h: Uint16Array | WasmArray<'u16'>, out?: unknown): unknown {
    return half.fromBfloat16(this.rt, h, out);
  }

  // ---- model fusion -------------------------------------------------------------------------

  /** Weighted average of same-shaped weights: acc = c0 * t0, acc += ci * ti in model order (f32, no FMA); uniform f32(1 / m) by default. */
  averageWeights(tensors: F32In[], coefficients?: number[] | null): Float32Array;
  averageWeights<O extends Float32Array | WasmArray<'f32'>>(tensors: F32In[], coefficients: number[] | null | undefined, out: O): O;
  averageWeights(tensors: F32In[], coefficients?: number[] | null, out?: unknown): unknown {
    return fusion.averageWeights(this.rt, tensors, coefficients, out);
  }

  /** Fold an inference BatchNorm into a Conv ([outC, inC / groups, ...k]) or Linear ([out, in]) weight and bias, as torch.nn.utils.fusion does in float32. */
  foldBatchNorm(weight: F32In, bias: F32In | null, bn: BatchNormParams, shape: readonly number[]): FoldedBatchNorm<Float32Array>;
  foldBatchNorm<O extends Float32Array | WasmArray<'f32'>>(weight: F32In, bias: F32In | null, bn: BatchNormParams, shape: readonly number[], out: O): FoldedBatchNorm<O>;
  foldBatchNorm(weight: F32In, bias: F32In | null, bn: BatchNormParams, shape: readonly number[], out?: unknown): unknown {
    return fusion.foldBatchNorm(this.rt, weight, bias, bn, shape, out);
  }

  // ---- gemm ---------------------------------------------------------------------------------

  /** BLAS / ONNX Gemm, row-major: alpha * op(A) op(B) + beta * C, the product summed as matmul sums it (same bits as matmul on transposed copies). */
  gemm(a: F32In, b: F32In, m: number, k: number, n: number, opts?: GemmOptions): Float32Array;
  gemm<O extends Float32Array | WasmArray<'f32'>>(a: F32In, b: F32In, m: number, k: number, n: number, opts: GemmOptions | undefined, out: O): O;
  gemm(a: F32In, b: F32In, m: number, k: number, n: number, opts?: GemmOptions, out?: unknown): unknown {
    return gemmTrans.gemm(this.rt, a, b, m, k, n, opts, out);
  }

  // ---- distillation -------------------------------------------------------------------------

  /** Row-wise softmax(x / temperature) of a [rows x cols] matrix (max-subtracted; sparq's own exp, the same bits everywhere). */
  softmax(x: F32In, rows: number, cols: number, opts?: SoftmaxOptions): Float32Array;
  softmax<O extends Float32Array | WasmArray<'f32'>>(x: F32In, rows: number, cols: number, opts: SoftmaxOptions | undefined, out: O): O;
  softmax(x: F32In, rows: number, cols: number, opts?: SoftmaxOptions, out?: unknown): unknown {
    return distill.softmax(this.rt, x, rows, cols, opts, out, false);
  }

  /** Row-wise log_softmax(x / temperature): x / T - max - ln(sum exp). */
  logSoftmax(x: F32In, rows: number, cols: number, opts?: SoftmaxOptions): Float32Array;
  logSoftmax<O extends Float32Array | WasmArray<'f32'>>(x: F32In, rows: number, cols: number, opts: SoftmaxOptions | undefined, out: O): O;
  logSoftmax(x: F32In, rows: number, cols: number, opts?: SoftmaxOptions, out?: unknown): unknown {
    return distill.softmax(this.rt, x, rows, cols, opts, out, true);
  }

  /** Hinton's loss F.kl_div(log_softmax(s/T), softmax(t/T), reduction) * T * T, times alpha, plus (1 - alpha) cross_entropy(s, labels); grad = d loss / d student. */
  distillationLoss(student: F32In, teacher: F32In, rows: number, cols: number, opts: DistillationOptions): LossResult;
  distillationLoss<O extends Float32Array | WasmArray<'f32'>>(student: F32In, teacher: F32In, rows: number, cols: number, opts: DistillationOptions, out: O): LossResult<O>;
  distillationLoss(student: F32In, teacher: F32In, rows: number, cols: number, opts: DistillationOptions, out?: unknown): unknown {
    return distill.distillationLoss(this.rt, student, teacher, rows, cols, opts, out);
  }

  /** torch F.cross_entropy(logits, labels) ('mean' over rows or 'sum') and d loss / d logits. */
  crossEntropy(logits: F32In, labels: Int32Array | WasmArray<'i32'>, rows: number, cols: number, opts?: LossOptions): LossResult;
  crossEntropy<O extends Float32Array | WasmArray<'f32'>>(logits: F32In, labels: Int32Array | WasmArray<'i32'>, rows: number, cols: number, opts: LossOptions | undefined, out: O): LossResult<O>;
  crossEntropy(logits: F32In, labels: Int32Array | WasmArray<'i32'>, rows: number, cols: number, opts?: LossOptions, out?: unknown): unknown {
    return distill.crossEntropy(this.rt, logits, labels, rows, cols, opts, out);
  }

  /** torch F.mse_loss(a, b) ('mean' or 'sum') and d loss / d a. */
  mseLoss(a: F32In, b: F32In, opts?: LossOptions): LossResult;
  mseLoss<O extends Float32Array | WasmArray<'f32'>>(a: F32In, b: F32In, opts: LossOptions | undefined, out: O): LossResult<O>;
  mseLoss(a: F32In, b: F32In, opts?: LossOptions, out?: unknown): unknown {
    return distill.mseLoss(this.rt, a, b, opts, out);
  }

  /** A calibration observer (PyTorch's minmax / moving-average / per-channel / histogram, ONNX Runtime's percentile / entropy, or an MSE search): update(x) per batch, then qparams(). */
  observer(kind: ObserverKind, opts: CalibOptions): Observer {
    return calib.observer(this.rt, kind, opts);
  }
}

/**
 * Parameter names of every instance method that takes arrays. The entry guard (runtime/guard.ts)
 * wraps each: it names arguments in its errors, copies views of sparq's own memory before anything
 * is allocated, and gives an `out` (the parameter named 'out') that overlaps an input a temporary.
 */
const PARAMS: { readonly [K in keyof Sparq]?: readonly string[] } = {
  wasmArray: ['data'],
  quantize: ['x', 'p', 'out'],
  dequantize: ['q', 'p', 'out'],
  dynamicQuantize: ['x', 'out'],
  qparams: ['x', 'opts'],
  quantError: ['x', 'q', 'p'],
  csr: ['a'],
  csrFromDense: ['w', 'rows', 'cols', 'mask'],
  csrToDense: ['a'],
  sparseMatrix: ['a'],
  sparseInt8Matrix: ['a'],
  nmMatrix: ['w', 'rows', 'cols', 'opts'],
  bsrMatrix: ['w', 'rows', 'cols', 'opts'],
  spmv: ['a', 'x', 'out'],
  spmm: ['a', 'x', 'n', 'out'],
  sparseLinear: ['x', 'batch', 'w', 'bias', 'out'],
  matmul: ['a', 'b', 'm', 'k', 'n', 'out'],
  matmulInteger: ['a', 'b', 'm', 'k', 'n', 'opts', 'out'],
  qlinearMatmul: ['a', 'b', 'm', 'k', 'n', 'opts', 'out'],
  packedInt8: ['b', 'k', 'n', 'opts'],
  quantizedLinear: ['x', 'batch', 'w', 'bias', 'out', 'opts'],
  packedInt4: ['w', 'k', 'n', 'opts'],
  matmulInt4: ['x', 'batch', 'w4', 'bias', 'out'],
  magnitudeMask: ['w', 'sel', 'opts', 'out'],
  thresholdMask: ['w', 't', 'out'],
  globalMagnitudeMask: ['ws', 'sel', 'opts'],
  structuredMask: ['w', 'shape', 'opts', 'out'],
  nmMask: ['w', 'shape', 'opts', 'out'],
  blockMask: ['w', 'shape', 'opts', 'out'],
  randomMask: ['n', 'opts', 'out'],
  taylorScores: ['w', 'g', 'out'],
  obdScores: ['w', 'h', 'out'],
  applyMask: ['w', 'mask', 'out'],
  sparsity: ['x'],
  packMask: ['mask', 'out'],
  unpackMask: ['bits', 'n', 'out'],
  toFloat16: ['x', 'out'],
  fromFloat16: ['h', 'out'],
  toBfloat16: ['x', 'out'],
  fromBfloat16: ['h', 'out'],
  averageWeights: ['tensors', 'coefficients', 'out'],
  foldBatchNorm: ['weight', 'bias', 'bn', 'shape', 'out'],
  gemm: ['a', 'b', 'm', 'k', 'n', 'opts', 'out'],
  softmax: ['x', 'rows', 'cols', 'opts', 'out'],
  logSoftmax: ['x', 'rows', 'cols', 'opts', 'out'],
  distillationLoss: ['student', 'teacher', 'rows', 'cols', 'opts', 'out'],
  crossEntropy: ['logits', 'labels', 'rows', 'cols', 'opts', 'out'],
  mseLoss: ['a', 'b', 'opts', 'out'],
  observer: ['kind', 'opts'],
};

for (const [method, names] of Object.entries(PARAMS) as [keyof Sparq, readonly string[]][]) {
  const fn = Sparq.prototype[method] as unknown as (...a: unknown[]) => unknown;
  Object.defineProperty(Sparq.prototype, method, {
    value: function (this: Sparq, ...args: unknown[]) {
      return guarded(this.rt, names, fn, this, args);
    },
    writable: true,
    configurable: true,
  });
}
