/**
 * Plain-TS reference of the integer products, one output element at a time, straight from the
 * definitions: ONNX MatMulInteger (int32 sums that wrap in 32 bits), ONNX QLinearMatMul with ONNX
 * Runtime's requantization (f32 multiplier (aScale * bScale) / yScale, round half to even,
 * saturate), ONNX Runtime's DynamicQuantizeLinear + MatMulInteger + dequantize, and int4 blocked
 * weights (MatMulNBits layout). The oracle of the tests.
 * @module
 */
import { checkCount, checkIntIn } from '../runtime/check.js';
import { roundHalfEven } from '../quant.js';
import { dynamicQuantize, quantizeValue } from './quant.js';
import {
  type MatMulIntegerOptions, type OnnxInt4, type PackedInt8Options, type QLinearMatmulOptions, type SC, type ZP,
  checkDims, checkInt4Options, checkScale, checkZeroPoint, maxAbsOf, maxExactK, requantMultiplier,
} from '../int.js';

const f = Math.fround;
type I8 = Int8Array | Uint8Array;

/** The reference's packed B: the original data and its parameters. */
export interface RefPackedInt8 {
  readonly kind: 'refPackedInt8';
  readonly k: number;
  readonly n: number;
  readonly dtype: 'int8' | 'uint8';
  readonly zeroPoint: number | Int32Array;
  readonly scale: number | Float32Array | undefined;
  readonly data: I8;
  readonly zp: ZP;
  readonly sc: SC | undefined;
  readonly bytes: number;
  disposed: boolean;
  dispose(): void;
}

/** The reference's int4 weights: one value q in [0, 15] per weight, with block scales / zero points. */
export interface RefPackedInt4 {
  readonly kind: 'refPackedInt4';
  readonly k: number;
  readonly n: number;
  readonly blockSize: 32 | 64 | 128;
  readonly symmetric: boolean;
  /** q[kk * n + j] */
  readonly q: Uint8Array;
  /** scales[b * n + j], zeroPoints[b * n + j] */
  readonly scales: Float32Array;
  readonly zeroPoints: Int32Array;
  readonly bytes: number;
  disposed: boolean;
  dispose(): void;
  toOnnx(): OnnxInt4;
}

function handle<T extends { disposed: boolean }>(h: Omit<T, 'disposed' | 'dispose'>): T {
  const o = { ...h, disposed: false, dispose() { o.disposed = true; } } as unknown as T & { dispose(): void };
  (o as unknown as Record<symbol, unknown>)[Symbol.dispose ?? Symbol.for('Symbol.dispose')] = () => o.dispose();
  return o;
}

function check8(name: string, x: unknown, len: number): I8 {
  if (!(x instanceof Int8Array) && !(x instanceof Uint8Array)) throw new TypeError(`${name}: expected an Int8Array or a Uint8Array`);
  if (x.length !== len) throw new RangeError(`${name}: expected ${len} elements, got ${x.length}`);
  return x;
}

function checkF32(name: string, x: unknown, len: number): Float32Array {
  if (!(x instanceof Float32Array)) throw new TypeError(`${name}: expected a Float32Array`);
  if (x.length !== len) throw new RangeError(`${name}: expected ${len} elements, got ${x.length}`);
  return x;
}

const isRef8 = (b: unknown): b is RefPackedInt8 => typeof b === 'object' && b !== null && (b as RefPackedInt8).kind === 'refPackedInt8';

export function packedInt8(b: I8 | Float32Array, k: number, n: number, opts: PackedInt8Options = {}): RefPackedInt8 {
  checkCount('k', k);
  checkCount('n', n);
  let data: I8, zp: ZP, sc: SC | undefined;
  if (b instanceof Float32Array) {
    checkF32('b', b, k * n);
    // Symmetric per column: scale = f32(max |w| / 127) (1 if that is 0), QuantizeLinear to int8.
    const scales = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      let amax = 0;
      for (let t = 0; t < k; t++) amax = Math.max(amax, Math.abs(b[t * n + j]));
      if (!Number.isFinite(amax)) throw new RangeError(`b: column ${j} holds NaN or Infinity`);
      scales[j] = f(amax / 127) || 1;
    }
    const q = new Int8Array(k * n);
    for (let t = 0; t < k; t++) for (let j = 0; j < n; j++) q[t * n + j] = quantizeValue(b[t * n + j], scales[j], 0, 'int8', false);
    data = q;
    zp = { values: new Int32Array(1), stride: 0 };
    sc = { values: scales, stride: 1 };
  } else {
    data = check8('b', b, k * n).slice();
    zp = checkZeroPoint('opts.zeroPoint', opts.zeroPoint, n, data instanceof Int8Array, 'column');
    sc = opts.scale === undefined ? undefined : checkScale('opts.scale', opts.scale, n, 'column');
  }
  return handle<RefPackedInt8>({
    kind: 'refPackedInt8', k, n, dtype: data instanceof Int8Array ? 'int8' : 'uint8',
    zeroPoint: zp.stride ? zp.values.slice() : zp.values[0],
    scale: sc === undefined ? undefined : sc.stride ? sc.values.slice() : sc.values[0],
    data, zp, sc, bytes: data.length,
  });
}

/** B, its zero points and scales, from a typed array or a reference handle. */
function bOperand(b: unknown, k: number, n: number, zpOpt: unknown, scOpt: unknown): { data: I8; zp: ZP; sc: SC | undefined } {
  if (isRef8(b)) {
    if (b.disposed) throw new TypeError('b: this packed handle was disposed');
    if (b.k !== k || b.n !== n) throw new RangeError(`b: packed for ${b.k} x ${b.n}`);
    return { data: b.data, zp: b.zp, sc: b.sc };
  }
  const data = check8('b', b, k * n);
  return {
    data,
    zp: checkZeroPoint('opts.bZeroPoint', zpOpt, n, data instanceof Int8Array, 'column of b'),
    sc: scOpt === undefined ? undefined : checkScale('opts.bScale', scOpt, n, 'column of b'),
  };
}

/** sum over t of (a[i][t] - za[i]) * (b[t][j] - zb[j]), wrapping in 32 bits. */
function dot(a: ArrayLike<number>, za: ZP, b: ArrayLike<number>, zb: ZP, i: number, j: number, k: number, n: number): number {
  const zai = za.values[i * za.stride], zbj = zb.values[j * zb.stride];
  let s = 0;
  for (let t = 0; t < k; t++) s = (s + (a[i * k + t] - zai) * (b[t * n + j] - zbj)) | 0;
  return s;
}

export function matmulInteger(a: I8, b: I8 | RefPackedInt8, m: number, k: number, n: number, opts: MatMulIntegerOptions = {}, out?: Int32Array): Int32Array {
  checkDims(m, k, n);
  check8('a', a, m * k);
  const za = checkZeroPoint('opts.aZeroPoint', opts.aZeroPoint, m, a instanceof Int8Array, 'row of a');
  const B = bOperand(b, k, n, opts.bZeroPoint, undefined);
  const y = out ?? new Int32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[i * n + j] = dot(a, za, B.data, B.zp, i, j, k, n);
  return y;
}

export function qlinearMatmul(a: I8, b: I8 | RefPackedInt8, m: number, k: number, n: number, opts: QLinearMatmulOptions, out?: I8): I8 {
  checkDims(m, k, n);
  check8('a', a, m * k);
  const signed = a instanceof Int8Array;
  const za = checkZeroPoint('opts.aZeroPoint', opts.aZeroPoint, m, signed, 'row of a');
  const sa = checkScale('opts.aScale', opts.aScale, m, 'row of a');
  const ys = checkScale('opts.yScale', opts.yScale, 1, 'tensor').values[0];
  const yDtype = opts.yDtype ?? (signed ? 'int8' : 'uint8');
  const [qmin, qmax] = yDtype === 'int8' ? [-128, 127] : [0, 255];
  const yzp = opts.yZeroPoint === undefined ? 0 : checkIntIn('opts.yZeroPoint', opts.yZeroPoint, qmin, qmax);
  const B = bOperand(b, k, n, opts.bZeroPoint, opts.bScale);
  if (!B.sc) throw new TypeError('opts.bScale: required');
  const y = out ?? (yDtype === 'int8' ? new Int8Array(m * n) : new Uint8Array(m * n));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const acc = dot(a, za, B.data, B.zp, i, j, k, n);
      const mult = requantMultiplier(sa.values[i * sa.stride], B.sc.values[j * B.sc.stride], ys);
      const v = f(f(acc) * mult);
      y[i * n + j] = Math.min(qmax, Math.max(qmin, roundHalfEven(v) + yzp));
    }
  }
  return y;
}

/**
 * DynamicQuantizeLinear with the reduce range [0, 127] (PyTorch's reduce_range for activations):
 * ONNX's formulas with qmax = 127 for 255 in f32: scale = (max(x, 0) - min(x, 0)) / 127 (1 when
 * that range is 0), zp = round_half_even(clamp(0 - min / scale, 0, 127)),
 * q = clamp(round_half_even(x / scale) + zp, 0, 127).
 */
function dynamicQuantize127(x: Float32Array): { data: Uint8Array; scale: number; zeroPoint: number } {
  let lo = 0, hi = 0;
  for (const v of x) {
    if (!Number.isFinite(v)) throw new RangeError('x: dynamic quantization needs finite values');
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  let scale = 1, zeroPoint = 0;
  if (hi - lo !== 0) {
    const width = f(hi - lo);
    if (!Number.isFinite(width)) throw new RangeError(`x: its range [${lo}, ${hi}] is wider than the largest float32`);
    scale = f(width / 127);
    if (scale === 0) scale = 2 ** -149;
    zeroPoint = roundHalfEven(Math.min(127, Math.max(0, f(0 - f(lo / scale)))));
  }
  const data = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) data[i] = Math.min(127, Math.max(0, roundHalfEven(f(x[i] / scale)) + zeroPoint));
  return { data, scale, zeroPoint };
}

export function quantizedLinear(x: Float32Array, batch: number, w: RefPackedInt8, bias?: Float32Array | null, out?: Float32Array, opts?: { reduceRange?: boolean }): Float32Array {
  if (!isRef8(w)) throw new TypeError('w: expected a packed handle');
  const reduce = opts?.reduceRange === true;
  if (!w.sc) throw new TypeError('w: no scale');
  const { k, n } = w;
  checkDims(batch, k, n, 'batch');
  if (k > maxExactK(maxAbsOf(w.dtype === 'int8', w.zp))) throw new RangeError(`k: ${k} is too large`);
  checkF32('x', x, batch * k);
  if (bias) checkF32('bias', bias, n);
  const y = out ?? new Float32Array(batch * n);
  for (let i = 0; i < batch; i++) {
    // ONNX DynamicQuantizeLinear of the row (uint8), as ONNX Runtime computes it.
    const xi = x.subarray(i * k, (i + 1) * k);
    const row = reduce ? dynamicQuantize127(xi) : dynamicQuantize(xi);
    const za: ZP = { values: new Int32Array([row.zeroPoint]), stride: 0 };
    for (let j = 0; j < n; j++) {
      const acc = dot(row.data, za, w.data, w.zp, 0, j, k, n);
      let v = f(f(acc) * f(row.scale * w.sc.values[j * w.sc.stride]));
      if (bias) v = f(v + bias[j]);
      y[i * n + j] = v;
    }
  }
  return y;
}

export function packedInt4(w: Float32Array, k: number, n: number, opts?: { blockSize?: 32 | 64 | 128; symmetric?: boolean }): RefPackedInt4 {
  checkCount('k', k);
  checkCount('n', n);
  const { blockSize: bs, symmetric } = checkInt4Options(opts);
  checkF32('w', w, k * n);
  for (let i = 0; i < w.length; i++) if (!Number.isFinite(w[i])) throw new RangeError('w: holds NaN or Infinity');
  const KB = Math.ceil(k / bs);
  const q = new Uint8Array(k * n), scales = new Float32Array(KB * n), zeroPoints = new Int32Array(KB * n);
  for (let b = 0; b < KB; b++) {
    const t0 = b * bs, t1 = Math.min(k, t0 + bs);
    for (let j = 0; j < n; j++) {
      let scale: number, zp: number;
      if (symmetric) {
        // The value of largest magnitude (the first one on ties) maps to -8: scale = v / -8.
        let amax = 0, vmax = 0;
        for (let t = t0; t < t1; t++) if (Math.abs(w[t * n + j]) > amax) { amax = Math.abs(w[t * n + j]); vmax = w[t * n + j]; }
        scale = amax === 0 ? 0 : f(vmax / -8);
        zp = 8;
        for (let t = t0; t < t1; t++) q[t * n + j] = scale === 0 ? 8 : Math.min(7, Math.max(-8, roundHalfEven(f(w[t * n + j] / scale)))) + 8;
      } else {
        let lo = 0, hi = 0;
        for (let t = t0; t < t1; t++) { lo = Math.min(lo, w[t * n + j]); hi = Math.max(hi, w[t * n + j]); }
        scale = f(f(hi - lo) / 15);
        if (lo === hi || scale === 0) { scale = 1; zp = 0; } else zp = roundHalfEven(Math.min(15, Math.max(0, f(0 - f(lo / scale)))));
        for (let t = t0; t < t1; t++) q[t * n + j] = Math.min(15, Math.max(0, roundHalfEven(f(w[t * n + j] / scale)) + zp));
      }
      scales[b * n + j] = scale;
      zeroPoints[b * n + j] = zp;
    }
  }
  return handle<RefPackedInt4>({
    kind: 'refPackedInt4', k, n, blockSize: bs, symmetric, q, scales, zeroPoints, bytes: Math.ceil(k * n / 2) + KB * n * 4,
    toOnnx(): OnnxInt4 {
      const data = new Uint8Array(n * KB * (bs / 2)), sc = new Float32Array(n * KB);
      const zpb = Math.ceil(KB / 2);
      const zps = symmetric ? undefined : new Uint8Array(n * zpb);
      for (let j = 0; j < n; j++) {
        for (let b = 0; b < KB; b++) {
          sc[j * KB + b] = scales[b * n + j];
          if (zps) zps[j * zpb + (b >> 1)] |= zeroPoints[b * n + j] << ((b & 1) * 4);
          for (let t = 0; t < bs && b * bs + t < k; t++) data[(j * KB + b) * (bs / 2) + (t >> 1)] |= q[(b * bs + t) * n + j] << ((t & 1) * 4);
        }
      }
      return zps ? { data, scales: sc, zeroPoints: zps } : { data, scales: sc };
    },
  });
}

export function matmulInt4(x: Float32Array, batch: number, w4: RefPackedInt4, bias?: Float32Array | null, out?: Float32Array): Float32Array {
  const { k, n, blockSize: bs } = w4;
  checkDims(batch, k, n, 'batch');
  checkF32('x', x, batch * k);
  if (bias) checkF32('bias', bias, n);
  const KB = Math.ceil(k / bs);
  const y = out ?? new Float32Array(batch * n);
  for (let i = 0; i < batch; i++) {
    // Each block of the row: symmetric int8, s = f32(max |x| / 127), q = round_half_even(x / s).
    const xq = new Int32Array(k), sx = new Float32Array(KB);
    for (let b = 0; b < KB; b++) {
      const t0 = b * bs, t1 = Math.min(k, t0 + bs);
      let amax = 0;
      for (let t = t0; t < t1; t++) amax = Math.max(amax, Math.abs(x[i * k + t]));
      const s = f(amax / 127);
      if (!Number.isFinite(s)) throw new RangeError(`x: row ${i} holds NaN or Infinity`);
      sx[b] = s;
      if (s !== 0) for (let t = t0; t < t1; t++) xq[t] = Math.min(127, Math.max(-127, roundHalfEven(f(x[i * k + t] / s))));
    }
    for (let j = 0; j < n; j++) {
      // f32 sum over blocks in order of f32(block dot) * f32(sx * scale), then + bias.
      let acc = 0;
      for (let b = 0; b < KB; b++) {
        let d = 0;
        for (let t = b * bs; t < Math.min(k, (b + 1) * bs); t++) d += xq[t] * (w4.q[t * n + j] - w4.zeroPoints[b * n + j]);
        acc = f(acc + f(f(d) * f(sx[b] * w4.scales[b * n + j])));
      }
      if (bias) acc = f(acc + bias[j]);
      y[i * n + j] = acc;
    }
  }
  return y;
}
