/**
 * Integer matrix products: argument checks, resident packed weights and the calls into the Wasm
 * kernels of assembly/int.ts.
 * Semantics: ONNX MatMulInteger (exact, wrapping in 32 bits), ONNX QLinearMatMul requantized as
 * ONNX Runtime's MlasRequantizeOutput does, ONNX Runtime's DynamicQuantizeLinear + MatMulInteger +
 * dequantize (the dynamic-quantized linear layer) and int4 blocked weights shaped like ONNX
 * Runtime's MatMulNBits.
 * @module
 */
import { INT_MR, QUANT_SIGNED } from './runtime/consts.js';
import { checkCount, checkEnum, checkIntIn, checkObject } from './runtime/check.js';
import { Resident } from './runtime/resident.js';
import { type Runtime, type Slot, WasmArray, typeName } from './runtime/runtime.js';
import { minmax } from './quant.js';

/** 8-bit matrix input. */
export type Int8In = Int8Array | Uint8Array | WasmArray<'i8'> | WasmArray<'u8'>;
/** A zero point per tensor (a number) or per row of a / per column of b (an array of integers). */
export type ZeroPoint = number | ArrayLike<number>;
/** A scale per tensor (a number) or per row of a / per column of b. */
export type Scale = number | ArrayLike<number>;

/** Options of `matmulInteger`. */
export interface MatMulIntegerOptions {
  /** Per tensor, or one per row of a (length m). Default 0. */
  aZeroPoint?: ZeroPoint;
  /** Per tensor, or one per column of b (length n). Default 0. Not allowed with a packed `b`. */
  bZeroPoint?: ZeroPoint;
}

/** Options of `qlinearMatmul`. */
export interface QLinearMatmulOptions {
  /** Per tensor, or one per row of a. */
  aScale: Scale;
  aZeroPoint?: ZeroPoint;
  /** Per tensor, or one per column of b; taken from a packed `b` instead. */
  bScale?: Scale;
  bZeroPoint?: ZeroPoint;
  /** Per tensor. */
  yScale: number;
  /** Default 0. */
  yZeroPoint?: number;
  /** Default: the dtype of `a`. */
  yDtype?: 'int8' | 'uint8';
}

/** Options of `packedInt8`. */
export interface PackedInt8Options {
  /** Per tensor, or one per column (length n). Default 0. */
  zeroPoint?: ZeroPoint;
  /** Per tensor, or one per column; needed by qlinearMatmul and quantizedLinear. */
  scale?: Scale;
}

/** Options of `packedInt4`. */
export interface PackedInt4Options {
  /** Block length along k: 32 (default), 64 or 128. */
  blockSize?: 32 | 64 | 128;
  /** Symmetric (default; zero point 8) or asymmetric (a zero point per block). */
  symmetric?: boolean;
}

/** int4 weights in the layout of ONNX Runtime's MatMulNBits (bits = 4). */
export interface OnnxInt4 {
  /** [n][ceil(k / blockSize)][blockSize / 2] bytes, two values per byte, low nibble first (uint4). */
  data: Uint8Array;
  /** [n][ceil(k / blockSize)] f32. */
  scales: Float32Array;
  /** [n][ceil(ceil(k / blockSize) / 2)] packed uint4 zero points; absent when symmetric (zero point 8). */
  zeroPoints?: Uint8Array;
}

// ------------------------------------------------------------------------------------------------
// Shared checks (also used by the reference)
// ------------------------------------------------------------------------------------------------

/** Resolved zero points: `values` holds one (stride 0) or `count` (stride 1). */
export interface ZP {
  values: Int32Array;
  stride: 0 | 1;
}

/** A zero point per tensor or `count` of them, each in the dtype's range. */
export function checkZeroPoint(name: string, v: unknown, count: number, signed: boolean, what: string): ZP {
  const lo = signed ? -128 : 0, hi = signed ? 127 : 255;
  if (v === undefined) return { values: new Int32Array(1), stride: 0 };
  if (typeof v === 'number') return { values: new Int32Array([checkIntIn(name, v, lo, hi)]), stride: 0 };
  if (typeof v !== 'object' || v === null || typeof (v as ArrayLike<number>).length !== 'number' || v instanceof WasmArray) {
    throw new TypeError(`${name}: expected a number or an array of ${count} integers, got ${typeName(v)}`);
  }
  const a = v as ArrayLike<unknown>;
  if (a.length !== count) throw new RangeError(`${name}: expected ${count} zero points (one per ${what}), got ${a.length}`);
  const values = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const x = a[i];
    // the element's name is built only for an error (a template string per element costs more than the check)
    values[i] = typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi ? x : checkIntIn(`${name}[${i}]`, x, lo, hi);
  }
  return { values, stride: 1 };
}

/** Resolved scales (f32, finite, > 0). */
export interface SC {
  values: Float32Array;
  stride: 0 | 1;
}

function scaleValue(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${name}: expected a number, got ${typeName(v)}`);
  const f = Math.fround(v);
  if (!(f > 0) || f === Infinity) throw new RangeError(`${name}: expected a finite scale > 0 (as f32), got ${v}`);
  return f;
}

/** A scale per tensor or `count` of them. */
export function checkScale(name: string, v: unknown, count: number, what: string): SC {
  if (typeof v === 'number') return { values: new Float32Array([scaleValue(name, v)]), stride: 0 };
  if (typeof v !== 'object' || v === null || typeof (v as ArrayLike<number>).length !== 'number' || v instanceof WasmArray) {
    throw new TypeError(`${name}: expected a number or an array of ${count} scales, got ${typeName(v)}`);
  }
  const a = v as ArrayLike<unknown>;
  if (a.length !== count) throw new RangeError(`${name}: expected ${count} scales (one per ${what}), got ${a.length}`);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const x = a[i], f = typeof x === 'number' ? Math.fround(x) : NaN;
    values[i] = f > 0 && f !== Infinity ? f : scaleValue(`${name}[${i}]`, x);
  }
  return { values, stride: 1 };
}

/** The three dimensions, each a count; their products must stay addressable. */
export function checkDims(m: unknown, k: unknown, n: unknown, mName = 'm'): [number, number, number] {
  const M = checkCount(mName, m), K = checkCount('k', k), N = checkCount('n', n);
  if (M * K > 0x7fffffff) throw new RangeError(`${mName}: ${mName} * k = ${M * K} elements is too many`);
  if (K * N > 0x7fffffff) throw new RangeError(`n: k * n = ${K * N} elements is too many`);
  if (M * N > 0x7fffffff) throw new RangeError(`n: ${mName} * n = ${M * N} elements is too many`);
  return [M, K, N];
}

/** The largest |b - zb| the dtype range allows, over the zero points. */
export function maxAbsOf(signed: boolean, zp: ZP): number {
  const lo = signed ? -128 : 0, hi = signed ? 127 : 255;
  let mx = 0;
  for (const z of zp.values) mx = Math.max(mx, Math.abs(lo - z), Math.abs(hi - z));
  return mx;
}

/**
 * The largest k for which the quantized linear layer's i32 sums cannot overflow:
 * k * 255 * max|w - zw| <= 2^31 - 1 (activations minus their zero point lie in [-255, 255]).
 */
export function maxExactK(maxAbsB: number): number {
  return Math.floor(0x7fffffff / (255 * Math.max(1, maxAbsB)));
}

/** f32 multiplier of QLinearMatMul, as ONNX Runtime computes it: (aScale * bScale) / yScale. */
export function requantMultiplier(as: number, bs: number, ys: number): number {
  return Math.fround(Math.fround(as * bs) / ys);
}

const BLOCK_SIZES = [32, 64, 128] as const;

/** Validated packedInt4 options. */
export function checkInt4Options(opts: unknown): { blockSize: 32 | 64 | 128; symmetric: boolean } {
  const o = checkObject<PackedInt4Options>('opts', opts, true);
  let blockSize: 32 | 64 | 128 = 32;
  if (o.blockSize !== undefined) {
    if (typeof o.blockSize !== 'number') throw new TypeError(`opts.blockSize: expected 32, 64 or 128, got ${typeName(o.blockSize)}`);
    if (!(BLOCK_SIZES as readonly number[]).includes(o.blockSize)) throw new RangeError(`opts.blockSize: expected 32, 64 or 128, got ${o.blockSize}`);
    blockSize = o.blockSize;
  }
  if (o.symmetric !== undefined && typeof o.symmetric !== 'boolean') throw new TypeError(`opts.symmetric: expected a boolean, got ${typeName(o.symmetric)}`);
  return { blockSize, symmetric: o.symmetric ?? true };
}

function checkLength(name: string, len: number, expected: number, what: string): void {
  if (len !== expected) throw new RangeError(`${name}: expected ${expected} elements (${what}), got ${len}`);
}

// ------------------------------------------------------------------------------------------------
// Resident handles
// ------------------------------------------------------------------------------------------------

/**
 * B (k x n, int8 or uint8) packed once for the int8 kernels: (b - zeroPoint) widened to i16, in
 * panels of 8 columns with k-pairs contiguous (4 bytes per element: 2 x the int8 size, so the
 * kernel's inner loop is loads and dot products only).
 */
export class PackedInt8 extends Resident {
  /** @internal */
  get _kind(): string {
    return 'PackedInt8';
  }
  readonly k: number;
  readonly n: number;
  /** The element type of the original B. */
  readonly dtype: 'int8' | 'uint8';
  /** Per tensor (a number) or per column (an Int32Array). */
  readonly zeroPoint: number | Int32Array;
  /** Per tensor, per column, or undefined when none was given. */
  readonly scale: number | Float32Array | undefined;
  /** @internal */ readonly _zp: ZP;
  /** @internal */ readonly _sc: SC | undefined;
  /** @internal */ readonly _maxAbs: number;
  /** @internal */ _packed = 0;
  /** @internal */ _scalePtr = 0;
  /** @internal The weights as bytes too (int_pack_b8), with column sums and zero points: the kernels of m <= 8 rows and the 7-bit kernel. */ _b8 = 0;
  /** @internal */ _colsum = 0;
  /** @internal */ _z8 = 0;

  /** @internal Use `sq.packedInt8`. */
  constructor(rt: Runtime, k: number, n: number, dtype: 'int8' | 'uint8', zp: ZP, sc: SC | undefined) {
    super(rt);
    this.k = k;
    this.n = n;
    this.dtype = dtype;
    this._zp = zp;
    this._sc = sc;
    this.zeroPoint = zp.stride ? zp.values.slice() : zp.values[0];
    this.scale = sc === undefined ? undefined : sc.stride ? sc.values.slice() : sc.values[0];
    this._maxAbs = maxAbsOf(dtype === 'int8', zp);
  }
}

/**
 * int4 weights (k x n) quantized per block of `blockSize` along k: 4 bits per weight, in panels of
 * 8 columns (the kernel's order), plus f32 scales and zero points per block and column.
 */
export class PackedInt4 extends Resident {
  /** @internal */
  get _kind(): string {
    return 'PackedInt4';
  }
  readonly k: number;
  readonly n: number;
  readonly blockSize: 32 | 64 | 128;
  readonly symmetric: boolean;
  /** @internal */ _w4 = 0;
  /** @internal */ _sc = 0;
  /** @internal */ _zp = 0;

  /** @internal Use `sq.packedInt4`. */
  constructor(rt: Runtime, k: number, n: number, blockSize: 32 | 64 | 128, symmetric: boolean) {
    super(rt);
    this.k = k;
    this.n = n;
    this.blockSize = blockSize;
    this.symmetric = symmetric;
  }

  /** The weights in ONNX Runtime's MatMulNBits layout (B, scales, zero_points). */
  toOnnx(): OnnxInt4 {
    this._check('this', this.rt);
    const { k, n, blockSize: bs } = this;
    const KB = Math.ceil(k / bs), NP = Math.ceil(n / 8), qpb = bs / 4;
    const w4 = this.rt.view('u8', this._w4, NP * KB * qpb * 16);
    const relaxed = isRelaxed(this.rt); // the relaxed build's nibble order (assembly/int.ts, nibblePos)
    const sc = this.rt.view('f32', this._sc, NP * KB * 8);
    const zp = this.rt.view('i32', this._zp, NP * KB * 8);
    const data = new Uint8Array(n * KB * (bs / 2));
    const scales = new Float32Array(n * KB);
    const zpb = Math.ceil(KB / 2);
    const zeroPoints = this.symmetric ? undefined : new Uint8Array(n * zpb);
    for (let j = 0; j < n; j++) {
      const p = j >> 3, c = j & 7;
      for (let b = 0; b < KB; b++) {
        const pb = p * KB + b;
        scales[j * KB + b] = sc[pb * 8 + c];
        const z = zp[pb * 8 + c];
        if (zeroPoints) zeroPoints[j * zpb + (b >> 1)] |= z << ((b & 1) * 4);
        for (let t = 0; t < bs; t++) {
          const kk = b * bs + t;
          const r = t & 3;
          const byte = w4[(pb * qpb + (t >> 2)) * 16 + (relaxed ? ((c & 3) << 2) + r : ((r >> 1) << 3) + ((c & 3) << 1) + (r & 1))];
          const q = kk < k ? (byte >> ((c >> 2) * 4)) & 15 : 0;
          data[(j * KB + b) * (bs / 2) + (t >> 1)] |= q << ((t & 1) * 4);
        }
      }
    }
    return zeroPoints ? { data, scales, zeroPoints } : { data, scales };
  }
}

// ------------------------------------------------------------------------------------------------
// Calls
// ------------------------------------------------------------------------------------------------

const MR = INT_MR; // rows per kernel tile: A is padded to a multiple of it
const padRows = (m: number) => Math.ceil(m / MR) * MR;
const FEW_ROWS = 8; // products of at most this many rows read the weights as bytes (int_b8_s16_i32)

/** Pack B (typed array or WasmArray) into a handle. */
export function packedInt8(rt: Runtime, b: unknown, k: unknown, n: unknown, opts?: unknown): PackedInt8 {
  const K = checkCount('k', k), N = checkCount('n', n);
  if (K * N > 0x7fffffff) throw new RangeError(`n: k * n = ${K * N} elements is too many`);
  const o = checkObject<PackedInt8Options>('opts', opts, true);
  const isF32 = b instanceof Float32Array || (b instanceof WasmArray && b.dtype === 'f32');
  const bs = rt.input('b', b, ['i8', 'u8', 'f32'] as const);
  let zp: ZP, sc: SC | undefined;
  let mn: Slot | undefined, mx: Slot | undefined, q: Slot | undefined, zs: Slot | undefined, ss: Slot | undefined;
  let h: PackedInt8 | undefined;
  try {
    checkLength('b', bs.length, K * N, `k * n = ${K} * ${N}`);
    let src = bs.ptr, signed = bs.dtype === 'i8';
    if (isF32) {
      if (o.zeroPoint !== undefined) throw new TypeError('opts.zeroPoint: f32 weights are quantized symmetrically (zero point 0); pass int8 data to choose one');
      if (o.scale !== undefined) throw new TypeError('opts.scale: f32 weights get their per-column scales from the data; pass int8 data to choose them');
      // Symmetric per output column: scale = f32(max |w| / 127) (1 for an all-zero column), then
      // QuantizeLinear (round half to even) with the quantization family's kernel.
      mn = rt.scratchFrom('f32', new Float32Array(N).fill(Infinity));
      mx = rt.scratchFrom('f32', new Float32Array(N).fill(-Infinity));
      rt.exports.quant_minmax_axis_f32(bs.ptr, K, N, 1, mn.ptr, mx.ptr);
      const scales = columnScales(rt.view('f32', mn.ptr, N), rt.view('f32', mx.ptr, N), K);
      sc = { values: scales, stride: 1 };
      zp = { values: new Int32Array(1), stride: 0 };
      q = { ptr: rt.alloc(K * N), length: K * N, owned: true };
      ss = rt.scratchFrom('f32', scales);
      zs = rt.scratchFrom('i32', new Int32Array(N));
      rt.exports.quant_quantize_f32_q8(bs.ptr, q.ptr, K, N, 1, 1, ss.ptr, zs.ptr, 0, 1, 0, QUANT_SIGNED);
      src = q.ptr;
      signed = true;
    } else {
      zp = checkZeroPoint('opts.zeroPoint', o.zeroPoint, N, signed, 'column');
      sc = o.scale === undefined ? undefined : checkScale('opts.scale', o.scale, N, 'column');
    }
    h = new PackedInt8(rt, K, N, signed ? 'int8' : 'uint8', zp, sc);
    const KP = (K + 1) >> 1, NP = (N + 7) >> 3;
    h._packed = h._alloc(NP * KP * 32);
    h._scalePtr = h._alloc(sc ? sc.values.length * 4 : 0);
    if (sc) rt.view('f32', h._scalePtr, sc.values.length).set(sc.values);
    const z = rt.scratchFrom('i32', zp.values);
    try {
      rt.exports.int_pack_b(src, K, N, signed ? 1 : 0, z.ptr, zp.stride, h._packed);
      // the bytes too (1 more byte per weight): few-row products stream half the bytes of the i16 panels
      h._b8 = h._alloc(NP * ((K + 3) >> 2) * 32);
      h._colsum = h._alloc(NP * 32);
      h._z8 = h._alloc(NP * 32);
      rt.exports.int_pack_b8(src, K, N, signed ? 1 : 0, z.ptr, zp.stride, h._b8, h._colsum, h._z8);
    } finally {
      rt.release(z);
    }
    h._guard();
    const done = h;
    h = undefined;
    return done;
  } finally {
    if (h) h.dispose();
    rt.release(bs, mn, mx, q, zs, ss);
  }
}

/** Per-column symmetric scales from min / max: f32(max(-min, max) / 127), 1 when that is 0. */
export function columnScales(mn: ArrayLike<number>, mx: ArrayLike<number>, k: number): Float32Array {
  const s = new Float32Array(mn.length);
  for (let j = 0; j < s.length; j++) {
    if (k === 0) { s[j] = 1; continue; }
    if (!Number.isFinite(mn[j]) || !Number.isFinite(mx[j])) throw new RangeError(`b: column ${j} holds NaN or Infinity`);
    const a = Math.max(-mn[j], mx[j]);
    const v = Math.fround(a / 127);
    s[j] = v === 0 ? 1 : v;
  }
  return s;
}

/** A resolved B operand: the packed pointer and the handle (or scratch) that owns it. */
interface BOperand {
  /** The i16 panels (0 when only the bytes were packed). */
  ptr: number;
  /** The byte panels and their zero points (0 when only the i16 panels were packed). */
  b8: number;
  z8: number;
  handle: PackedInt8 | undefined;
  slots: Slot[];
  signed: boolean;
  zp: ZP;
  sc: SC | undefined;
  scalePtr: number;
}

function resolveB(rt: Runtime, b: unknown, M: number, K: number, N: number, zpOpt: unknown, zpName: string, scOpt: unknown, scName: string | undefined): BOperand {
  if (b instanceof PackedInt8) {
    b._check('b', rt);
    if (b.k !== K || b.n !== N) throw new RangeError(`b: packed for k x n = ${b.k} x ${b.n}, but k x n = ${K} x ${N}`);
    if (zpOpt !== undefined) throw new TypeError(`${zpName}: b is packed and carries its own zero point`);
    if (scName && scOpt !== undefined) throw new TypeError(`${scName}: b is packed and carries its own scale`);
    return { ptr: b._packed, b8: b._b8, z8: b._z8, handle: b, slots: [], signed: b.dtype === 'int8', zp: b._zp, sc: b._sc, scalePtr: b._scalePtr };
  }
  const bs = rt.input('b', b, ['i8', 'u8'] as const);
  const slots: Slot[] = [bs];
  try {
    checkLength('b', bs.length, K * N, `k * n = ${K} * ${N}`);
    const signed = bs.dtype === 'i8';
    const zp = checkZeroPoint(zpName, zpOpt, N, signed, 'column of b');
    const sc = scName && scOpt !== undefined ? checkScale(scName, scOpt, N, 'column of b') : undefined;
    const KP = (K + 1) >> 1, KQ = (K + 3) >> 2, NP = (N + 7) >> 3;
    const z = rt.scratchFrom('i32', zp.values);
    slots.push(z);
    // one layout, the one the product of M rows uses
    let ptr = 0, b8 = 0, z8 = 0;
    if (M <= FEW_ROWS) {
      const p8: Slot = { ptr: rt.alloc(NP * KQ * 32 + NP * 64), length: 0, owned: true };
      slots.push(p8);
      b8 = p8.ptr;
      z8 = b8 + NP * KQ * 32 + NP * 32;
      rt.exports.int_pack_b8(bs.ptr, K, N, signed ? 1 : 0, z.ptr, zp.stride, b8, b8 + NP * KQ * 32, z8);
    } else {
      const packed: Slot = { ptr: rt.alloc(NP * KP * 32), length: 0, owned: true };
      slots.push(packed);
      ptr = packed.ptr;
      rt.exports.int_pack_b(bs.ptr, K, N, signed ? 1 : 0, z.ptr, zp.stride, ptr);
    }
    let scalePtr = 0;
    if (sc) {
      const s = rt.scratchFrom('f32', sc.values);
      slots.push(s);
      scalePtr = s.ptr;
    }
    return { ptr, b8, z8, handle: undefined, slots, signed, zp, sc, scalePtr };
  } catch (e) {
    rt.release(...slots);
    throw e;
  }
}

/**
 * C (M x N i32) = A16 x B: up to FEW_ROWS rows from the byte panels (each weight read once, half
 * the bytes of the i16 panels; measured 3.8x faster at 1 x 4096 x 4096, 1.2x at 8 rows, slower
 * from 16), more rows from the i16 panels. Both give the same integers.
 */
function product(rt: Runtime, a16: number, M: number, K: number, B: { ptr: number; b8: number; z8: number }, N: number, c: number): void {
  const KP = (K + 1) >> 1;
  if (M <= FEW_ROWS && B.b8 !== 0) {
    const rowS = rt.alloc(M * 4);
    try {
      rt.exports.int_b8_s16_i32(a16, M, KP, B.b8, B.z8, N, rowS, c);
    } finally {
      rt.free(rowS);
    }
  } else rt.exports.int_s16_i32(a16, M, padRows(M), KP, B.ptr, N, c);
}

/** A as A16 scratch (zero point subtracted, rows padded to the tile, 16 bytes of slack for the byte-panel kernel). */
function widenA(rt: Runtime, as: Slot & { dtype: 'i8' | 'u8' }, M: number, K: number, zp: ZP): Slot {
  const KP = (K + 1) >> 1, mPad = padRows(M);
  const a16: Slot = { ptr: rt.alloc(mPad * KP * 4 + 16), length: 0, owned: true };
  const z = rt.scratchFrom('i32', zp.values);
  try {
    rt.exports.int_widen_a(as.ptr, M, K, as.dtype === 'i8' ? 1 : 0, z.ptr, zp.stride, mPad, a16.ptr);
  } catch (e) {
    rt.release(a16);
    throw e;
  } finally {
    rt.release(z);
  }
  return a16;
}

/** ONNX MatMulInteger. */
export function matmulInteger(rt: Runtime, a: unknown, b: unknown, m: unknown, k: unknown, n: unknown, opts?: unknown, out?: unknown): Int32Array | WasmArray<'i32'> {
  const [M, K, N] = checkDims(m, k, n);
  const o = checkObject<MatMulIntegerOptions>('opts', opts, true);
  const as = rt.input('a', a, ['i8', 'u8'] as const);
  let B: BOperand | undefined, a16: Slot | undefined, c: ReturnType<Runtime['output']> | undefined;
  try {
    checkLength('a', as.length, M * K, `m * k = ${M} * ${K}`);
    const azp = checkZeroPoint('opts.aZeroPoint', o.aZeroPoint, M, as.dtype === 'i8', 'row of a');
    B = resolveB(rt, b, M, K, N, o.bZeroPoint, 'opts.bZeroPoint', undefined, undefined);
    c = rt.output('out', out, 'i32', M * N);
    a16 = widenA(rt, as, M, K, azp);
    product(rt, a16.ptr, M, K, B, N, c.ptr);
    return rt.finish('i32', c) as Int32Array | WasmArray<'i32'>;
  } finally {
    rt.release(as, a16, c, ...(B ? B.slots : []));
  }
}

/** ONNX QLinearMatMul, requantized as ONNX Runtime does. */
export function qlinearMatmul(rt: Runtime, a: unknown, b: unknown, m: unknown, k: unknown, n: unknown, opts: unknown, out?: unknown): Int8Array | Uint8Array | WasmArray<'i8' | 'u8'> {
  const [M, K, N] = checkDims(m, k, n);
  const o = checkObject<QLinearMatmulOptions>('opts', opts);
  const as = rt.input('a', a, ['i8', 'u8'] as const);
  let B: BOperand | undefined, a16: Slot | undefined, c: Slot | undefined, y: ReturnType<Runtime['output']> | undefined;
  let asl: Slot | undefined;
  try {
    checkLength('a', as.length, M * K, `m * k = ${M} * ${K}`);
    const aSigned = as.dtype === 'i8';
    const azp = checkZeroPoint('opts.aZeroPoint', o.aZeroPoint, M, aSigned, 'row of a');
    if (o.aScale === undefined) throw new TypeError('opts.aScale: required');
    const asc = checkScale('opts.aScale', o.aScale, M, 'row of a');
    if (o.yScale === undefined) throw new TypeError('opts.yScale: required');
    const ys = checkScale('opts.yScale', o.yScale, 1, 'tensor').values[0];
    const yDtype = o.yDtype === undefined ? (aSigned ? 'int8' : 'uint8') : checkEnum('opts.yDtype', o.yDtype, ['int8', 'uint8'] as const);
    const ySigned = yDtype === 'int8';
    const yzp = o.yZeroPoint === undefined ? 0 : checkIntIn('opts.yZeroPoint', o.yZeroPoint, ySigned ? -128 : 0, ySigned ? 127 : 255);
    if (!(b instanceof PackedInt8) && o.bScale === undefined) throw new TypeError('opts.bScale: required (or pack b with a scale)');
    B = resolveB(rt, b, M, K, N, o.bZeroPoint, 'opts.bZeroPoint', o.bScale, 'opts.bScale');
    if (B.sc === undefined) throw new TypeError('b: this PackedInt8 has no scale; pass opts.scale to packedInt8');
    // f32 rounding is monotonic, so the largest multiplier comes from the largest scales.
    const big = requantMultiplier(Math.max(...asc.values), Math.max(...B.sc.values), ys);
    if (!Number.isFinite(big)) throw new RangeError(`opts.yScale: the multiplier aScale * bScale / yScale = ${big} is not finite in f32`);
    const odt = ySigned ? 'i8' : 'u8';
    y = rt.output('out', out, odt, M * N);
    c = { ptr: rt.alloc(M * N * 4), length: 0, owned: true };
    a16 = widenA(rt, as, M, K, azp);
    product(rt, a16.ptr, M, K, B, N, c.ptr);
    asl = rt.scratchFrom('f32', asc.values);
    rt.exports.int_requant(c.ptr, M, N, asl.ptr, asc.stride, B.scalePtr, B.sc.stride, ys, yzp, ySigned ? 1 : 0, y.ptr);
    return rt.finish(odt, y) as Int8Array | Uint8Array | WasmArray<'i8' | 'u8'>;
  } finally {
    rt.release(as, a16, c, y, asl, ...(B ? B.slots : []));
  }
}

function checkBias(rt: Runtime, bias: unknown, N: number): Slot | undefined {
  if (bias === undefined || bias === null) return undefined;
  const s = rt.input('bias', bias, ['f32'] as const);
  if (s.length !== N) {
    rt.release(s);
    throw new RangeError(`bias: expected ${N} elements (one per output column), got ${s.length}`);
  }
  return s;
}

/** Options of `quantizedLinear`. */
export interface QuantizedLinearOptions {
  /**
   * Quantize the activations to [0, 127] instead of [0, 255] (reduce range: 127 in place of 255 in
   * every DynamicQuantizeLinear formula). The relaxed build then multiplies with one relaxed int8
   * dot product per 16 products, exactly; every build gives the same bits.
   */
  reduceRange?: boolean;
}

/** Whether this instance runs the relaxed-SIMD build. */
export function isRelaxed(rt: Runtime): boolean {
  return (rt.exports as { RELAXED_BUILD?: { value: number } }).RELAXED_BUILD?.value === 1;
}

/** The dynamic-quantized linear layer: DynamicQuantizeLinear rows x int8 weights -> f32. */
export function quantizedLinear(rt: Runtime, x: unknown, batch: unknown, w: unknown, bias?: unknown, out?: unknown, opts?: unknown): Float32Array | WasmArray<'f32'> {
  const o = checkObject<QuantizedLinearOptions>('opts', opts, true);
  if (o.reduceRange !== undefined && typeof o.reduceRange !== 'boolean') throw new TypeError(`opts.reduceRange: expected a boolean, got ${typeName(o.reduceRange)}`);
  const reduce = o.reduceRange === true;
  if (!(w instanceof PackedInt8)) throw new TypeError(`w: expected a PackedInt8 from sq.packedInt8, got ${typeName(w)}`);
  w._check('w', rt);
  if (w._sc === undefined) throw new TypeError('w: this PackedInt8 has no scale; pack f32 weights, or pass opts.scale to packedInt8');
  const [M, K, N] = checkDims(batch, w.k, w.n, 'batch');
  const kmax = maxExactK(w._maxAbs);
  if (K > kmax) throw new RangeError(`k: ${K} is too large for exact int32 sums with these weights (at most ${kmax})`);
  const xs = rt.input('x', x, ['f32'] as const);
  let bs: Slot | undefined, a16: Slot | undefined, sx: Slot | undefined, zx: Slot | undefined, tmp: Slot | undefined;
  let c: Slot | undefined, y: ReturnType<Runtime['output']> | undefined, rowT: Slot | undefined;
  try {
    checkLength('x', xs.length, M * K, `batch * k = ${M} * ${K}`);
    bs = checkBias(rt, bias, N);
    y = rt.output('out', out, 'f32', M * N);
    // the relaxed build's 7-bit kernel takes the activation bytes and handles any row count itself
    // full-range activations keep the plain path in the relaxed build too: split into two 7-bit
    // halves (two relaxed dots per 16 products) they measured 1.03x at 1 and 2 rows, 0.73x at 4 and 8
    const r7 = reduce && isRelaxed(rt);
    const mPad = r7 ? M : padRows(M), KP = (K + 1) >> 1, KQ = (K + 3) >> 2;
    a16 = { ptr: rt.alloc(r7 ? mPad * KQ * 4 : mPad * KP * 4 + 16), length: 0, owned: true };
    sx = { ptr: rt.alloc(mPad * 4), length: 0, owned: true };
    zx = { ptr: rt.alloc(mPad * 4), length: 0, owned: true };
    tmp = { ptr: rt.alloc(16 + K), length: 0, owned: true };
    c = { ptr: rt.alloc(M * N * 4), length: 0, owned: true };
    if (r7) {
      rowT = { ptr: rt.alloc(mPad * 4), length: 0, owned: true };
      rt.exports.int_dynq_rows_u7(xs.ptr, M, K, mPad, 0, sx.ptr, zx.ptr, tmp.ptr, a16.ptr, KQ * 4, rowT.ptr);
    } else if (reduce) {
      rt.exports.int_dynq_rows_u7(xs.ptr, M, K, mPad, a16.ptr, sx.ptr, zx.ptr, tmp.ptr, 0, 0, 0);
    } else {
      rt.exports.int_dynq_rows(xs.ptr, M, K, mPad, a16.ptr, sx.ptr, zx.ptr, tmp.ptr);
    }
    const scales = rt.view('f32', sx.ptr, M);
    for (let i = 0; i < M; i++) {
      if (Number.isNaN(scales[i])) throw new RangeError(`x: row ${i} holds NaN or Infinity (dynamic quantization needs finite values)`);
      if (scales[i] === Infinity) throw new RangeError(`x: row ${i}'s range is wider than the largest float32 (max - min overflows), so no scale represents it; scale the values down first`);
    }
    if (r7 && rowT) rt.exports.int_b8_u7_i32(a16.ptr, M, KQ, w._b8, w._colsum, w._z8, N, zx.ptr, rowT.ptr, c.ptr);
    else product(rt, a16.ptr, M, K, { ptr: w._packed, b8: w._b8, z8: w._z8 }, N, c.ptr);
    rt.exports.int_dequant(c.ptr, M, N, sx.ptr, w._scalePtr, w._sc.stride, bs ? bs.ptr : 0, y.ptr);
    return rt.finish('f32', y) as Float32Array | WasmArray<'f32'>;
  } finally {
    rt.release(xs, bs, a16, sx, zx, tmp, c, y, rowT);
  }
}

/** Quantize f32 weights (k x n) to int4 blocks along k. */
export function packedInt4(rt: Runtime, w: unknown, k: unknown, n: unknown, opts?: unknown): PackedInt4 {
  const K = checkCount('k', k), N = checkCount('n', n);
  if (K * N > 0x7fffffff) throw new RangeError(`n: k * n = ${K * N} elements is too many`);
  const { blockSize, symmetric } = checkInt4Options(opts);
  const ws = rt.input('w', w, ['f32'] as const);
  let h: PackedInt4 | undefined;
  try {
    checkLength('w', ws.length, K * N, `k * n = ${K} * ${N}`);
    if (ws.length) {
      const [mn, mx] = minmax(rt, ws);
      if (!Number.isFinite(mn) || !Number.isFinite(mx)) throw new RangeError('w: holds NaN or Infinity');
    }
    h = new PackedInt4(rt, K, N, blockSize, symmetric);
    const KB = Math.ceil(K / blockSize), NP = (N + 7) >> 3;
    h._w4 = h._alloc(NP * KB * blockSize * 4);
    h._sc = h._alloc(NP * KB * 32);
    h._zp = h._alloc(NP * KB * 32);
    rt.exports.int_pack_int4(ws.ptr, K, N, blockSize, symmetric ? 1 : 0, KB, h._w4, h._sc, h._zp);
    h._guard();
    const done = h;
    h = undefined;
    return done;
  } finally {
    if (h) h.dispose();
    rt.release(ws);
  }
}

/** f32 activations x int4 weights -> f32 (activations quantized to int8 per block). */
export function matmulInt4(rt: Runtime, x: unknown, batch: unknown, w: unknown, bias?: unknown, out?: unknown): Float32Array | WasmArray<'f32'> {
  if (!(w instanceof PackedInt4)) throw new TypeError(`w4: expected a PackedInt4 from sq.packedInt4, got ${typeName(w)}`);
  w._check('w4', rt);
  const [M, K, N] = checkDims(batch, w.k, w.n, 'batch');
  const xs = rt.input('x', x, ['f32'] as const);
  let bs: Slot | undefined, a16: Slot | undefined, sx: Slot | undefined, sums: Slot | undefined, tile: Slot | undefined;
  let y: ReturnType<Runtime['output']> | undefined;
  try {
    checkLength('x', xs.length, M * K, `batch * k = ${M} * ${K}`);
    bs = checkBias(rt, bias, N);
    y = rt.output('out', out, 'f32', M * N);
    const bsz = w.blockSize, KB = Math.ceil(K / bsz), mPad = padRows(M);
    a16 = { ptr: rt.alloc(mPad * KB * bsz * 2), length: 0, owned: true };
    sx = { ptr: rt.alloc(mPad * KB * 4), length: 0, owned: true };
    sums = { ptr: rt.alloc(mPad * KB * 4), length: 0, owned: true };
    tile = { ptr: rt.alloc(128 + KB * 32 + (isRelaxed(rt) ? mPad * KB * bsz : 0)), length: 0, owned: true }; // + a row's block terms, + the rows as bytes (relaxed build)
    rt.exports.int_quant_rows_blocked(xs.ptr, M, K, bsz, KB, mPad, a16.ptr, sx.ptr, sums.ptr);
    const s = rt.view('f32', sx.ptr, M * KB);
    for (let i = 0; i < s.length; i++) if (!Number.isFinite(s[i])) throw new RangeError(`x: row ${Math.floor(i / KB)} holds NaN or Infinity`);
    rt.exports.int_int4_f32(a16.ptr, M, mPad, KB, bsz, sx.ptr, sums.ptr, w._w4, w._sc, w._zp, w.symmetric ? 1 : 0, N, bs ? bs.ptr : 0, y.ptr, tile.ptr);
    return rt.finish('f32', y) as Float32Array | WasmArray<'f32'>;
  } finally {
    rt.release(xs, bs, a16, sx, sums, tile, y);
  }
}
