/**
 * Plain-TS reference of the quantization family: written for clarity, one element at a time,
 * straight from the definitions (ONNX QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear,
 * PyTorch quantize_per_tensor / per_channel and MinMaxObserver). The oracle of the tests.
 * @module
 */
import { checkAxis, checkObject, checkShape } from '../runtime/check.js';
import {
  type DynamicQuantized, type ObserverOptions, type QuantError, type QuantParams,
  errorFromSums, observerRange, resolveQuantParams,
} from '../quant.js';

const f = Math.fround;

// The numeric rules below are stated here on their own, independently of the kernels' parameter
// code (src/quant.ts), so that a bug there shows up as a difference; argument validation is shared
// so that both throw the same errors, and test/rules.test.js pins it with hand-written cases.

/** Integer range of a dtype. */
function qrange(dtype: 'int8' | 'uint8'): [number, number] {
  return dtype === 'int8' ? [-128, 127] : [0, 255];
}

/** Round half to even (numpy.rint, C nearbyint in the default rounding mode). */
function roundHalfEven(v: number): number {
  const fl = Math.floor(v), d = v - fl;
  if (d < 0.5) return fl;
  if (d > 0.5) return fl + 1;
  return fl % 2 === 0 ? fl : fl + 1;
}

/**
 * ONNX DynamicQuantizeLinear as onnxruntime computes it, in f32: scale = (max(0, max x) -
 * min(0, min x)) / 255 (1 when that range is 0), zero point = saturate(round(0 - min / scale)).
 * sparq's two additions: a range whose width overflows f32 is an error, and a scale that underflows
 * to 0 becomes the smallest positive f32.
 */
function dynamicParams(mn: number, mx: number): { scale: number; zeroPoint: number } {
  const lo = Math.min(mn, 0), hi = Math.max(mx, 0);
  if (hi - lo === 0) return { scale: 1, zeroPoint: 0 };
  const width = f(hi - lo);
  if (!Number.isFinite(width)) throw new RangeError(`x: its range [${lo}, ${hi}] is wider than the largest float32`);
  let scale = f(width / 255);
  if (scale === 0) scale = 2 ** -149;
  const zp = f(0 - f(lo / scale));
  return { scale, zeroPoint: roundHalfEven(Math.min(255, Math.max(0, zp))) };
}

/**
 * torch.ao.quantization's _calculate_qparams for MinMaxObserver, in f32: affine scale =
 * (max(max, 0) - min(min, 0)) / (qmax - qmin), zero point = qmin - round(min / scale) clamped;
 * symmetric scale = max(-min, max) / ((qmax - qmin) / 2), zero point 0 (int8) or 128 (uint8; the
 * midpoint of a custom range); every scale at least float32 eps.
 */
function observerParams(mn: number, mx: number, o: ObserverOptions, r: { qmin: number; qmax: number; custom: boolean }): [number, number] {
  const eps = 2 ** -23;
  const lo = Math.min(mn, 0), hi = Math.max(mx, 0);
  if (o.symmetric) {
    const amax = Math.max(-lo, hi);
    const scale = Math.max(f(amax / f((r.qmax - r.qmin) / 2)), eps);
    const zp = o.dtype === 'int8' ? 0 : r.custom ? Math.floor((r.qmin + r.qmax) / 2) : 128;
    return [scale, zp];
  }
  const width = f(hi - lo);
  if (!Number.isFinite(width)) throw new RangeError(`x: its range [${lo}, ${hi}] is wider than the largest float32`);
  const scale = Math.max(f(width / (r.qmax - r.qmin)), eps);
  const zp = r.qmin - roundHalfEven(f(lo / scale));
  return [scale, Math.min(r.qmax, Math.max(r.qmin, zp))];
}

/** Index into the scale / zero-point arrays of flat element e (independent of the kernels' strides). */
function paramIndex(e: number, shape: number[], axis: number, blockSize: number | undefined): number {
  if (axis < 0) return 0;
  // multi-index of e in the row-major shape
  const idx = new Array<number>(shape.length);
  let r = e;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = r % shape[d];
    r = Math.floor(r / shape[d]);
  }
  if (blockSize === undefined) return idx[axis]; // ONNX per-axis: a 1-D scale indexed by the axis
  // ONNX blocked: the scale has x's shape with dim[axis] -> ceil(dim / blockSize)
  const sshape = shape.slice();
  sshape[axis] = Math.ceil(shape[axis] / blockSize);
  idx[axis] = Math.floor(idx[axis] / blockSize);
  let flat = 0;
  for (let d = 0; d < sshape.length; d++) flat = flat * sshape[d] + idx[d];
  return flat;
}

/** One element of QuantizeLinear (onnx) or quantize_val (torch). NaN -> zero point; +-Inf saturate. */
export function quantizeValue(x: number, scale: number, zp: number, dtype: 'int8' | 'uint8', torch: boolean): number {
  const [qmin, qmax] = qrange(dtype);
  const v = torch ? f(x * f(1 / scale)) : f(x / scale);
  if (Number.isNaN(v)) return zp;
  const q = roundHalfEven(v) + zp; // +-Inf stay infinite, then saturate
  return Math.min(qmax, Math.max(qmin, q));
}

/** The parameters of `p` as the ONNX operators read them: scale k, zero point k, and x's shape and axis. */
function paramsOf(p: QuantParams, n: number) {
  resolveQuantParams(p, n); // validation only (shared, so errors match); the values are read from p below
  const scales = typeof p.scale === 'number' ? [f(p.scale)] : Array.from(p.scale);
  const zp = p.zeroPoint;
  const shape = p.shape ? Array.from(p.shape) : [n];
  const axis = typeof p.scale === 'number' ? -1 : (p.axis! + shape.length) % shape.length;
  return {
    shape, axis,
    scale: (k: number) => scales[k],
    zeroPoint: (k: number) => (zp === undefined ? 0 : typeof zp === 'number' ? zp : zp[k]),
  };
}

export function quantize(x: Float32Array, p: QuantParams, out?: Int8Array | Uint8Array): Int8Array | Uint8Array {
  const P = paramsOf(p, x.length);
  const res = out ?? (p.dtype === 'int8' ? new Int8Array(x.length) : new Uint8Array(x.length));
  for (let e = 0; e < x.length; e++) {
    const k = paramIndex(e, P.shape, P.axis, p.blockSize);
    res[e] = quantizeValue(x[e], P.scale(k), P.zeroPoint(k), p.dtype, p.rounding === 'torch');
  }
  return res;
}

export function dequantize(q: Int8Array | Uint8Array, p: QuantParams, out?: Float32Array): Float32Array {
  const P = paramsOf(p, q.length);
  const res = out ?? new Float32Array(q.length);
  for (let e = 0; e < q.length; e++) {
    const k = paramIndex(e, P.shape, P.axis, p.blockSize);
    res[e] = f((q[e] - P.zeroPoint(k)) * P.scale(k));
  }
  return res;
}

function minMax(x: ArrayLike<number>): [number, number] {
  let mn = Infinity, mx = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) return [NaN, NaN];
    mn = Math.min(mn, x[i]);
    mx = Math.max(mx, x[i]);
  }
  return [mn, mx];
}

export function dynamicQuantize(x: Float32Array): DynamicQuantized {
  const [mn, mx] = x.length ? minMax(x) : [0, 0];
  if (!Number.isFinite(mn) || !Number.isFinite(mx)) throw new RangeError('x: dynamicQuantize needs finite values');
  const { scale, zeroPoint } = dynamicParams(mn, mx);
  const data = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) data[i] = quantizeValue(x[i], scale, zeroPoint, 'uint8', false);
  return { data, scale, zeroPoint };
}

export function qparams(x: Float32Array, opts: ObserverOptions): QuantParams {
  const o = checkObject<ObserverOptions>('opts', opts);
  const range = observerRange(o, 'opts');
  if (x.length === 0) throw new RangeError('x: an observer needs at least one value');
  if (o.axis === undefined) {
    const [mn, mx] = minMax(x);
    if (!Number.isFinite(mn) || !Number.isFinite(mx)) throw new RangeError('x: qparams needs finite values');
    const [scale, zeroPoint] = observerParams(mn, mx, o, range);
    return { dtype: o.dtype, scale, zeroPoint, shape: o.shape ? [...o.shape] : [x.length], rounding: 'torch' };
  }
  const shape = checkShape('opts.shape', o.shape, x.length);
  const axis = checkAxis('opts.axis', o.axis, shape.length);
  const C = shape[axis];
  const groups: number[][] = Array.from({ length: C }, () => []);
  for (let e = 0; e < x.length; e++) groups[paramIndex(e, shape, axis, undefined)].push(x[e]);
  const scale = new Float32Array(C);
  const zeroPoint = new Int32Array(C);
  for (let c = 0; c < C; c++) {
    const [mn, mx] = groups[c].length ? minMax(groups[c]) : [Infinity, -Infinity];
    if (!Number.isFinite(mn) || !Number.isFinite(mx)) throw new RangeError('x: qparams needs finite values');
    [scale[c], zeroPoint[c]] = observerParams(mn, mx, o, range);
  }
  return { dtype: o.dtype, scale, zeroPoint, shape, axis, rounding: 'torch' };
}

export function quantError(x: Float32Array, q: Int8Array | Uint8Array, p: QuantParams): QuantError {
  const y = dequantize(q, p);
  let se = 0, mx = 0, ss = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    se += d * d;
    ss += x[i] * x[i];
    mx = Math.abs(d) > mx || Number.isNaN(d) ? Math.abs(d) : mx;
  }
  return errorFromSums(x.length, se, mx, ss);
}
