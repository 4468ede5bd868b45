/**
 * int8 / uint8 quantization: argument checks, parameter layout and the calls into the Wasm kernels.
 * Semantics: ONNX QuantizeLinear / DequantizeLinear (opset 21, per tensor, per axis, blocked),
 * DynamicQuantizeLinear as ONNX Runtime computes it, PyTorch quantize_per_tensor / per_channel
 * (`rounding: 'torch'`) and the MinMaxObserver / PerChannelMinMaxObserver parameters.
 * @module
 */
import { checkAxis, checkEnum, checkIntIn, checkObject, checkShape } from './runtime/check.js';
import { CTORS, type DType, type Runtime, type Slot, WasmArray, typeName } from './runtime/runtime.js';
import type { KernelExports } from './wasm/exports.js';
import { QUANT_MUL, QUANT_SIGNED } from './runtime/consts.js';

/** Quantized element type. */
export type QDtype = 'int8' | 'uint8';
/** `onnx`: divide by the scale (QuantizeLinear). `torch`: multiply by the f32 reciprocal. */
export type Rounding = 'onnx' | 'torch';

/** Parameters of a linear quantization. */
export interface QuantParams {
  dtype: QDtype;
  /** A number: per tensor. A Float32Array: per axis (with shape, axis) or blocked (with blockSize). */
  scale: number | Float32Array;
  /** Default 0. A number, or an Int32Array laid out like `scale`. */
  zeroPoint?: number | Int32Array;
  /** Row-major shape of the tensor (required with a Float32Array scale). */
  shape?: readonly number[];
  /** The quantization axis, in [-rank, rank). */
  axis?: number;
  /** ONNX opset 21 blocked quantization along `axis`. */
  blockSize?: number;
  /** Default 'onnx'. */
  rounding?: Rounding;
}

/** Options of `qparams` (PyTorch MinMaxObserver / PerChannelMinMaxObserver). */
export interface ObserverOptions {
  dtype: QDtype;
  /** per_tensor_symmetric / per_channel_symmetric instead of affine. */
  symmetric?: boolean;
  /** Halve the range: qint8 [-64, 63], quint8 [0, 127]. */
  reduceRange?: boolean;
  /** Tensor shape (required with axis). */
  shape?: readonly number[];
  /** Per channel along this axis (PerChannelMinMaxObserver's ch_axis). */
  axis?: number;
  /** A custom range (PyTorch's quant_min / quant_max); both or neither. */
  quantMin?: number;
  quantMax?: number;
}

/** Result of `dynamicQuantize`. */
export interface DynamicQuantized {
  data: Uint8Array;
  scale: number;
  zeroPoint: number;
}

/** Result of `quantError`. */
export interface QuantError {
  /** Mean of (x - dequantize(q))^2. */
  mse: number;
  /** Max |x - dequantize(q)|. */
  maxAbs: number;
  /** 10 log10(sum x^2 / sum (x - dequantize(q))^2) in dB; +Infinity when the error is 0. */
  sqnrDb: number;
}

/** Range of a dtype. */
export function qrange(dtype: QDtype): [number, number] {
  return dtype === 'int8' ? [-128, 127] : [0, 255];
}

/** A quantization resolved into the [outer, D, inner] layout the kernels take. */
export interface QuantLayout {
  dtype: QDtype;
  signed: boolean;
  torch: boolean;
  outer: number;
  D: number;
  inner: number;
  B: number;
  sO: number;
  sJ: number;
  sI: number;
  /** f32 scales as given. */
  scale: Float32Array;
  /** What the kernel uses: the scales (onnx) or their f32 reciprocals 1.0f / scale (torch). */
  factor: Float32Array;
  zeroPoint: Int32Array;
  /** The full shape (per axis / blocked) or [n] (per tensor). */
  shape: number[];
  /** Normalised axis, -1 for per tensor. */
  axis: number;
}

/** Index of the first scale that is not finite and > 0, or -1. */
function firstBadScale(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!(v > 0) || v === Infinity) return i;
  }
  return -1;
}

/** Index of the first value outside [lo, hi], or -1. */
function firstOutside(a: Int32Array, lo: number, hi: number): number {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v < lo || v > hi) return i;
  }
  return -1;
}

/** f32(1 / s) for each scale (PyTorch's inv_scale); a plain loop, which V8 optimises early (map with a closure does not). */
function reciprocals(a: Float32Array): Float32Array {
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = 1 / a[i];
  return r;
}

function checkScale(name: string, s: number): number {
  const f = Math.fround(s);
  if (!(f > 0) || f === Infinity) throw new RangeError(`${name}: expected a finite scale > 0 (as f32), got ${s}`);
  return f;
}

/** Validate `p` for a tensor of `n` elements and lay it out for the kernels. */
export function resolveQuantParams(p: unknown, n: number, name = 'p'): QuantLayout {
  const q = checkObject<QuantParams>(name, p);
  const dtype = checkEnum(`${name}.dtype`, q.dtype, ['int8', 'uint8'] as const);
  const rounding = q.rounding === undefined ? 'onnx' : checkEnum(`${name}.rounding`, q.rounding, ['onnx', 'torch'] as const);
  const [qmin, qmax] = qrange(dtype);
  const zpName = `${name}.zeroPoint`;
  let scale: Float32Array;
  let zeroPoint: Int32Array;
  let outer = 1, D = n, inner = 1, B = Math.max(n, 1), sO = 0, sJ = 0, sI = 0, axis = -1;
  let shape = [n];
  if (typeof q.scale === 'number') {
    scale = new Float32Array([checkScale(`${name}.scale`, q.scale)]);
    if (q.zeroPoint !== undefined && typeof q.zeroPoint !== 'number') {
      throw new TypeError(`${zpName}: expected a number with a per-tensor scale, got ${typeName(q.zeroPoint)}`);
    }
    zeroPoint = new Int32Array([q.zeroPoint === undefined ? 0 : checkIntIn(zpName, q.zeroPoint, qmin, qmax)]);
    if (q.shape !== undefined) shape = checkShape(`${name}.shape`, q.shape, n);
    if (q.blockSize !== undefined) throw new TypeError(`${name}.blockSize: needs a Float32Array scale`);
  } else if (q.scale instanceof Float32Array) {
    if (q.shape === undefined) throw new TypeError(`${name}.shape: required with a Float32Array scale`);
    shape = checkShape(`${name}.shape`, q.shape, n);
    if (shape.length === 0) throw new RangeError(`${name}.shape: a scalar tensor takes a number scale`);
    if (q.axis === undefined) throw new TypeError(`${name}.axis: required with a Float32Array scale`);
    axis = checkAxis(`${name}.axis`, q.axis, shape.length);
    outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    D = shape[axis];
    inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    let expected: number;
    if (q.blockSize === undefined) {
      expected = D;
      B = 1; sJ = 1;
    } else {
      B = checkIntIn(`${name}.blockSize`, q.blockSize, 1, 0x7fffffff);
      const nb = Math.ceil(D / B);
      expected = outer * nb * inner;
      sO = nb * inner; sJ = inner; sI = 1;
    }
    if (q.scale.length !== expected) {
      throw new RangeError(`${name}.scale: expected ${expected} scales for shape [${shape.join(', ')}], axis ${axis}${q.blockSize === undefined ? '' : `, blockSize ${B}`}; got ${q.scale.length}`);
    }
    // Checked by a small loop that V8 optimises early; the argument's name is built only for an
    // error (a template string per element costs more than the check). The arrays are not copied:
    // the call is synchronous, they are only read, and the entry guard has copied any view of
    // sparq's memory.
    scale = q.scale;
    const bad = firstBadScale(scale);
    if (bad >= 0) checkScale(`${name}.scale[${bad}]`, scale[bad]);
    if (q.zeroPoint === undefined) zeroPoint = new Int32Array(scale.length);
    else if (q.zeroPoint instanceof Int32Array) {
      if (q.zeroPoint.length !== scale.length) throw new RangeError(`${zpName}: expected ${scale.length} zero points (one per scale), got ${q.zeroPoint.length}`);
      zeroPoint = q.zeroPoint;
      const badZ = firstOutside(zeroPoint, qmin, qmax);
      if (badZ >= 0) checkIntIn(`${zpName}[${badZ}]`, zeroPoint[badZ], qmin, qmax);
    } else if (typeof q.zeroPoint === 'number') {
      zeroPoint = new Int32Array(scale.length).fill(checkIntIn(zpName, q.zeroPoint, qmin, qmax));
    } else throw new TypeError(`${zpName}: expected a number or an Int32Array, got ${typeName(q.zeroPoint)}`);
  } else {
    throw new TypeError(`${name}.scale: expected a number or a Float32Array, got ${typeName(q.scale)}`);
  }
  const torch = rounding === 'torch';
  // PyTorch: inv_scale = 1.0f / static_cast<float>(scale), then value * inv_scale in f32.
  const factor = torch ? reciprocals(scale) : scale;
  return { dtype, signed: dtype === 'int8', torch, outer, D, inner, B, sO, sJ, sI, scale, factor, zeroPoint, shape, axis };
}

type Q8 = Int8Array | Uint8Array;

/**
 * Elements per chunk when streaming typed arrays through Wasm: 256 KiB of f32 in, at most as much
 * out, within L2 (smaller chunks cost more JS per byte, larger ones leave L2).
 */
const CHUNK = 65536;

/**
 * Run a layout kernel over ordinary typed arrays in L2-sized chunks: copy a chunk in, run, copy it
 * out, so the kernel reads and writes cache instead of a scratch buffer the size of x.
 */
function streamed(rt: Runtime, kernel: KernelExports['quant_quantize_f32_q8'], L: QuantLayout, x: Float32Array | Q8, inDt: DType, out: Float32Array | Q8, outDt: DType, flags: number): void {
  const n = x.length;
  const rowLen = L.D * L.inner;
  // chunk unit: whole outer rows, or (outer == 1) whole parameter blocks along the axis
  const perTensor = L.sO === 0 && L.sJ === 0 && L.sI === 0;
  const unit = perTensor ? 1 : L.outer > 1 ? rowLen : L.B * L.inner;
  const units = Math.max(1, Math.floor(CHUNK / Math.max(unit, 1)));
  const cap = Math.min(n, units * unit);
  let xp = 0, op = 0, s: Slot | undefined, z: Slot | undefined;
  try {
    xp = rt.alloc(cap * CTORS[inDt].BYTES_PER_ELEMENT);
    op = rt.alloc(cap * CTORS[outDt].BYTES_PER_ELEMENT);
    s = rt.scratchFrom('f32', L.factor);
    z = rt.scratchFrom('i32', L.zeroPoint);
    for (let e0 = 0; e0 < n; e0 += cap) {
      const len = Math.min(cap, n - e0);
      rt.view(inDt, xp, len).set(x.subarray(e0, e0 + len) as ArrayLike<number>);
      if (perTensor) {
        kernel(xp, op, 1, len, 1, len, s.ptr, z.ptr, 0, 0, 0, flags);
      } else if (L.outer > 1) {
        const o0 = e0 / rowLen;
        const pofs = o0 * L.sO * 4;
        kernel(xp, op, len / rowLen, L.D, L.inner, L.B, s.ptr + pofs, z.ptr + pofs, L.sO, L.sJ, L.sI, flags);
      } else {
        const j0 = e0 / L.inner;
        const pofs = (j0 / L.B) * L.sJ * 4;
        kernel(xp, op, 1, len / L.inner, L.inner, L.B, s.ptr + pofs, z.ptr + pofs, L.sO, L.sJ, L.sI, flags);
      }
      out.set(rt.view(outDt, op, len) as ArrayLike<number>, e0);
    }
  } finally {
    rt.free(xp);
    rt.free(op);
    rt.release(s, z);
  }
}

/** ONNX QuantizeLinear (or PyTorch quantize_per_*, with rounding 'torch'). */
export function quantize(rt: Runtime, x: unknown, p: unknown, out?: unknown): Q8 | WasmArray<'i8' | 'u8'> {
  if (x instanceof Float32Array && x.length > CHUNK && !(out instanceof WasmArray)) {
    const L = resolveQuantParams(p, x.length);
    const odt = L.signed ? 'i8' : 'u8';
    const res = (rt.checkOut('out', out, odt, x.length) ?? new CTORS[odt](x.length)) as Q8;
    streamed(rt, rt.exports.quant_quantize_f32_q8, L, x, 'f32', res, odt, (L.signed ? QUANT_SIGNED : 0) | (L.torch ? QUANT_MUL : 0));
    return res;
  }
  const xs = rt.input('x', x, ['f32'] as const);
  let s: Slot | undefined, z: Slot | undefined, o: ReturnType<Runtime['output']> | undefined;
  try {
    const L = resolveQuantParams(p, xs.length);
    const odt = L.signed ? 'i8' : 'u8';
    o = rt.output('out', out, odt, xs.length);
    s = rt.scratchFrom('f32', L.factor);
    z = rt.scratchFrom('i32', L.zeroPoint);
    rt.exports.quant_quantize_f32_q8(xs.ptr, o.ptr, L.outer, L.D, L.inner, L.B, s.ptr, z.ptr, L.sO, L.sJ, L.sI,
      (L.signed ? QUANT_SIGNED : 0) | (L.torch ? QUANT_MUL : 0));
    return rt.finish(odt, o) as Q8 | WasmArray<'i8' | 'u8'>;
  } finally {
    rt.release(xs, s, z, o);
  }
}

/** ONNX DequantizeLinear: (q - zeroPoint) * scale. */
export function dequantize(rt: Runtime, q: unknown, p: unknown, out?: unknown): Float32Array | WasmArray<'f32'> {
  const pd = checkObject<QuantParams>('p', p);
  const dtype = checkEnum('p.dtype', pd.dtype, ['int8', 'uint8'] as const);
  const qdt = dtype === 'int8' ? 'i8' : 'u8';
  if (q instanceof CTORS[qdt] && q.length > CHUNK && !(out instanceof WasmArray)) {
    const L = resolveQuantParams(p, q.length);
    const res = (rt.checkOut('out', out, 'f32', q.length) ?? new Float32Array(q.length)) as Float32Array;
    // dequantize uses the scales themselves (factor is only for quantize's torch mode)
    streamed(rt, rt.exports.quant_dequantize_q8_f32, { ...L, factor: L.scale }, q as Q8, qdt, res, 'f32', L.signed ? QUANT_SIGNED : 0);
    return res;
  }
  const qs = rt.input('q', q, [qdt] as const);
  let s: Slot | undefined, z: Slot | undefined, o: ReturnType<Runtime['output']> | undefined;
  try {
    const L = resolveQuantParams(p, qs.length);
    o = rt.output('out', out, 'f32', qs.length);
    s = rt.scratchFrom('f32', L.scale);
    z = rt.scratchFrom('i32', L.zeroPoint);
    rt.exports.quant_dequantize_q8_f32(qs.ptr, o.ptr, L.outer, L.D, L.inner, L.B, s.ptr, z.ptr, L.sO, L.sJ, L.sI, L.signed ? QUANT_SIGNED : 0);
    return rt.finish('f32', o) as Float32Array | WasmArray<'f32'>;
  } finally {
    rt.release(qs, s, z, o);
  }
}

/** Round half to even, on a double. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** [min(0, min x), max(0, max x)], both NaN if x holds a NaN: the range every caller needs. */
export function minmax(rt: Runtime, xs: Slot): [number, number] {
  const r = rt.alloc(8);
  try {
    rt.exports.quant_minmax_f32(xs.ptr, xs.length, r);
    const v = rt.view('f32', r, 2);
    return [v[0], v[1]];
  } finally {
    rt.free(r);
  }
}

/** minmax() of an ordinary Float32Array, in L2-sized chunks (NaN if any element is NaN). */
function streamedMinmax(rt: Runtime, x: Float32Array): [number, number] {
  let xp = 0, mn = 0, mx = 0;
  try {
    xp = rt.alloc(CHUNK * 4);
    for (let e0 = 0; e0 < x.length; e0 += CHUNK) {
      const len = Math.min(CHUNK, x.length - e0);
      rt.view('f32', xp, len).set(x.subarray(e0, e0 + len));
      const [a, b] = minmax(rt, { ptr: xp, length: len, owned: false });
      mn = Math.min(mn, a); // Math.min / max propagate NaN
      mx = Math.max(mx, b);
    }
    return [mn, mx];
  } finally {
    rt.free(xp);
  }
}

/** dynamicParams after the finiteness check dynamicQuantize makes. */
function dynamicRange(mn: number, mx: number): { scale: number; zeroPoint: number } {
  if (!Number.isFinite(mn) || !Number.isFinite(mx)) {
    throw new RangeError(`x: dynamicQuantize needs finite values to set its range, found ${Number.isNaN(mn) || Number.isNaN(mx) ? 'NaN' : 'Infinity'}`);
  }
  return dynamicParams(mn, mx);
}

/** The smallest positive f32 (2^-149): the floor of a dynamic scale. */
export const MIN_SCALE = 1.401298464324817e-45;

/** The message for a range whose width overflows f32. */
export function rangeTooWide(name: string, lo: number, hi: number): string {
  return `${name}: its range [${lo}, ${hi}] is wider than the largest float32 (max - min overflows), so no scale represents it; scale the values down first`;
}

/** DynamicQuantizeLinear parameters from min / max, as ONNX Runtime computes them (f32 throughout). */
export function dynamicParams(mn: number, mx: number, name = 'x'): { scale: number; zeroPoint: number } {
  const lo = Math.min(mn, 0), hi = Math.max(mx, 0);
  if (lo === hi) return { scale: 1, zeroPoint: 0 };
  const range = Math.fround(hi - lo);
  if (range === Infinity) throw new RangeError(rangeTooWide(name, lo, hi));
  // a range too small for (max - min) / 255 to stay above 0 in f32 takes the smallest positive f32
  const scale = Math.max(Math.fround(range / 255), MIN_SCALE);
  const initial = Math.fround(0 - Math.fround(lo / scale));
  return { scale, zeroPoint: roundHalfEven(Math.max(0, Math.min(255, initial))) };
}

/** ONNX DynamicQuantizeLinear (uint8). */
export function dynamicQuantize(rt: Runtime, x: unknown, out?: unknown): DynamicQuantized {
  if (x instanceof Float32Array && x.length > CHUNK && !(out instanceof WasmArray)) {
    // Copying API: both passes stream L2-sized chunks instead of copying all of x into Wasm memory
    // first: the same time (x is read twice either way), but Wasm memory, which never shrinks,
    // does not grow by the size of x.
    const res = (rt.checkOut('out', out, 'u8', x.length) ?? new Uint8Array(x.length)) as Uint8Array;
    const [mn, mx] = streamedMinmax(rt, x);
    const { scale, zeroPoint } = dynamicRange(mn, mx);
    streamed(rt, rt.exports.quant_quantize_f32_q8, resolveQuantParams({ dtype: 'uint8', scale, zeroPoint }, x.length), x, 'f32', res, 'u8', 0);
    return { data: res, scale, zeroPoint };
  }
  const xs = rt.input('x', x, ['f32'] as const);
  let o: ReturnType<Runtime['output']> | undefined, s: Slot | undefined, z: Slot | undefined;
  try {
    const [mn, mx] = xs.length ? minmax(rt, xs) : [0, 0];
    const { scale, zeroPoint } = dynamicRange(mn, mx);
    o = rt.output('out', out, 'u8', xs.length);
    s = rt.scratchFrom('f32', [scale]);
    z = rt.scratchFrom('i32', [zeroPoint]);
    rt.exports.quant_quantize_f32_q8(xs.ptr, o.ptr, 1, xs.length, 1, Math.max(xs.length, 1), s.ptr, z.ptr, 0, 0, 0, 0);
    return { data: rt.finish('u8', o) as Uint8Array, scale, zeroPoint }; // a WasmArray when out was one
  } finally {
    rt.release(xs, o, s, z);
  }
}

/** The observer's range: PyTorch's quant_min / quant_max. */
export function observerRange(o: ObserverOptions, name: string): { qmin: number; qmax: number; custom: boolean } {
  const [lo, hi] = qrange(o.dtype);
  if ((o.quantMin === undefined) !== (o.quantMax === undefined)) throw new TypeError(`${name}.quantMin: give both quantMin and quantMax, or neither`);
  if (o.quantMin !== undefined) {
    const qmin = checkIntIn(`${name}.quantMin`, o.quantMin, lo, 0);
    const qmax = checkIntIn(`${name}.quantMax`, o.quantMax, 0, hi);
    if (qmin >= qmax) throw new RangeError(`${name}.quantMin: must be below quantMax`);
    return { qmin, qmax, custom: true };
  }
  if (o.reduceRange) return o.dtype === 'int8' ? { qmin: -64, qmax: 63, custom: false } : { qmin: 0, qmax: 127, custom: false };
  return { qmin: lo, qmax: hi, custom: false };
}

const EPS = 1.1920928955078125e-7; // torch.finfo(torch.float32).eps

/** One observer's (scale, zero point) from min / max, exactly as torch's _calculate_qparams (f32). */
export function observerParams(mn: number, mx: number, o: ObserverOptions, r: { qmin: number; qmax: number; custom: boolean }): [number, number] {
  const f = Math.fround;
  const minNeg = Math.min(mn, 0);
  let maxPos = Math.max(mx, 0);
  const { qmin, qmax } = r;
  if (o.symmetric) {
    maxPos = Math.max(-minNeg, maxPos);
    const scale = Math.max(f(maxPos / f((qmax - qmin) / 2)), EPS);
    const zp = o.dtype === 'uint8' ? (r.custom ? Math.floor((qmin + qmax) / 2) : 128) : 0;
    return [scale, zp];
  }
  const width = f(maxPos - minNeg);
  if (width === Infinity) throw new RangeError(rangeTooWide('x', minNeg, maxPos));
  const scale = Math.max(f(width / (qmax - qmin)), EPS);
  const zp = Math.min(qmax, Math.max(qmin, qmin - roundHalfEven(f(minNeg / scale))));
  return [scale, zp];
}

/** PyTorch MinMaxObserver / PerChannelMinMaxObserver -> QuantParams (rounding 'torch'). */
export function qparams(rt: Runtime, x: unknown, opts: unknown): QuantParams {
  const o = checkObject<ObserverOptions>('opts', opts);
  checkEnum('opts.dtype', o.dtype, ['int8', 'uint8'] as const);
  if (o.symmetric !== undefined && typeof o.symmetric !== 'boolean') throw new TypeError(`opts.symmetric: expected a boolean, got ${typeName(o.symmetric)}`);
  if (o.reduceRange !== undefined && typeof o.reduceRange !== 'boolean') throw new TypeError(`opts.reduceRange: expected a boolean, got ${typeName(o.reduceRange)}`);
  const range = observerRange(o, 'opts');
  const xs = rt.input('x', x, ['f32'] as const);
  let mnS: Slot | undefined, mxS: Slot | undefined;
  try {
    if (xs.length === 0) throw new RangeError('x: an observer needs at least one value');
    const finite = (a: number, b: number) => {
      if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError(`x: qparams needs finite values, found ${Number.isNaN(a) || Number.isNaN(b) ? 'NaN' : 'Infinity'}`);
    };
    if (o.axis === undefined) {
      const shape = o.shape === undefined ? [xs.length] : checkShape('opts.shape', o.shape, xs.length);
      const [mn, mx] = minmax(rt, xs);
      finite(mn, mx);
      const [scale, zeroPoint] = observerParams(mn, mx, o, range);
      return { dtype: o.dtype, scale, zeroPoint, shape, rounding: 'torch' };
    }
    if (o.shape === undefined) throw new TypeError('opts.shape: required with opts.axis');
    const shape = checkShape('opts.shape', o.shape, xs.length);
    const axis = checkAxis('opts.axis', o.axis, shape.length);
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const D = shape[axis];
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    mnS = rt.scratchFrom('f32', new Float32Array(D).fill(Infinity));
    mxS = rt.scratchFrom('f32', new Float32Array(D).fill(-Infinity));
    rt.exports.quant_minmax_axis_f32(xs.ptr, outer, D, inner, mnS.ptr, mxS.ptr);
    const mns = rt.view('f32', mnS.ptr, D).slice();
    const mxs = rt.view('f32', mxS.ptr, D).slice();
    const scale = new Float32Array(D);
    const zeroPoint = new Int32Array(D);
    for (let c = 0; c < D; c++) {
      finite(mns[c], mxs[c]);
      [scale[c], zeroPoint[c]] = observerParams(mns[c], mxs[c], o, range);
    }
    return { dtype: o.dtype, scale, zeroPoint, shape, axis, rounding: 'torch' };
  } finally {
    rt.release(xs, mnS, mxS);
  }
}

/** Error statistics from the three sums of the kernel (or of the reference). */
export function errorFromSums(n: number, se: number, maxAbs: number, ss: number): QuantError {
  const mse = n === 0 ? 0 : se / n;
  const sqnrDb = se === 0 ? Infinity : 10 * Math.log10(ss / se);
  return { mse, maxAbs, sqnrDb };
}

/** Error of q against x under p. */
export function quantError(rt: Runtime, x: unknown, q: unknown, p: unknown): QuantError {
  const xs = rt.input('x', x, ['f32'] as const);
  let y: Float32Array | WasmArray<'f32'> | undefined, r = 0;
  try {
    const qlen = (q as { length?: unknown } | null)?.length;
    if (typeof qlen === 'number' && qlen !== xs.length) throw new RangeError(`q: expected ${xs.length} elements (the length of x), got ${qlen}`);
    y = new WasmArray(rt, 'f32', xs.length);
    dequantize(rt, q, p, y);
    r = rt.alloc(24);
    rt.exports.quant_error_stats_f32(xs.ptr, (y as WasmArray<'f32'>).ptr, xs.length, r);
    const v = rt.view('f64', r, 3);
    return errorFromSums(xs.length, v[0], v[1], v[2]);
  } finally {
    rt.free(r);
    if (y instanceof WasmArray) y.dispose();
    rt.release(xs);
  }
}
