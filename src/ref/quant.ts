/**
 * Plain-TS reference of the quantization family: written for clarity, one element at a time,
 * straight from the definitions (ONNX QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear,
 * PyTorch quantize_per_tensor / per_channel and MinMaxObserver). The oracle of the tests.
 * @module
 */
import { checkAxis, checkObject, checkShape } from '../runtime/check.js';
import {
  type DynamicQuantized, type ObserverOptions, type QuantError, type QuantParams,
  dynamicParams, errorFromSums, observerParams, observerRange, qrange, resolveQuantParams, roundHalfEven,
} from '../quant.js';

const f = Math.fround;

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

export function quantize(x: Float32Array, p: QuantParams, out?: Int8Array | Uint8Array): Int8Array | Uint8Array {
  const L = resolveQuantParams(p, x.length);
  const res = out ?? (L.signed ? new Int8Array(x.length) : new Uint8Array(x.length));
  for (let e = 0; e < x.length; e++) {
    const k = paramIndex(e, L.shape, L.axis, p.blockSize);
    res[e] = quantizeValue(x[e], L.scale[k], L.zeroPoint[k], L.dtype, L.torch);
  }
  return res;
}

export function dequantize(q: Int8Array | Uint8Array, p: QuantParams, out?: Float32Array): Float32Array {
  const L = resolveQuantParams(p, q.length);
  const res = out ?? new Float32Array(q.length);
  for (let e = 0; e < q.length; e++) {
    const k = paramIndex(e, L.shape, L.axis, p.blockSize);
    res[e] = f((q[e] - L.zeroPoint[k]) * L.scale[k]);
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
