/**
 * quantizeOnnx: the three weight quantizations of an ONNX model, each following the writer whose
 * files runtimes already expect (docs/model.md states every rule and its source):
 * - 'dynamic-int8': onnxruntime.quantization.quantize_dynamic with default options (MatMul with a
 *   constant weight -> DynamicQuantizeLinear + MatMulInteger + Cast + Mul; Gemm alpha = beta = 1,
 *   transA = 0 rewritten to MatMul (+ Add) first).
 * - 'int4': onnxruntime's MatMul4BitsQuantizer / MatMulNBitsQuantizer (com.microsoft MatMulNBits,
 *   weights quantized blockwise as MLAS does).
 * - 'weight-int8': weights stored as int8 per output channel with a DequantizeLinear in front.
 * @module
 */
import { init } from '../index.js';
import type { Sparq } from '../sparq.js';
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxTensor } from './onnx.js';
import {
  attrFloat, attrInt, cloneModel, constantsToInitializers, dropUnused, floatData, fresh, initializerMap, intAttr, namedIn, names, onnxOpset, selector, useCounts, weightSlot,
} from './graph.js';

/** Options of `quantizeOnnx`. */
export interface QuantizeOnnxOptions {
  mode: 'dynamic-int8' | 'int4' | 'weight-int8';
  /** Only these nodes (names or op types). */
  nodes?: string[];
  /** Never these nodes (names or op types). */
  exclude?: string[];
  /** Skip weights with fewer elements (default 0: none skipped, as onnxruntime's tools). */
  minElements?: number;
  /** dynamic-int8: one scale per output column (default false). */
  perChannel?: boolean;
  /** dynamic-int8: 7-bit weights (default false). */
  reduceRange?: boolean;
  /** dynamic-int8: weight type (default 'int8', symmetric; 'uint8' is asymmetric). */
  weightType?: 'int8' | 'uint8';
  /** int4: block length along k (default 128). */
  blockSize?: 16 | 32 | 64 | 128 | 256;
  /** int4: symmetric blocks (no zero points; default false). */
  symmetric?: boolean;
  /** int4: MatMulNBits accuracy_level 0-4 (written only when not 0, as onnxruntime does). */
  accuracyLevel?: 0 | 1 | 2 | 3 | 4;
  /** A sparq instance to use (default: one created on first use). */
  sq?: Sparq;
}

let shared: Promise<Sparq> | undefined;
/** The instance the model entry uses when none is given. */
export function sparqInstance(given?: Sparq): Promise<Sparq> {
  if (given) return Promise.resolve(given);
  shared ??= init();
  return shared;
}

const f = Math.fround;
const F32_TINY = 1.1754943508222875e-38;

/** numpy.round: half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** C roundf: half away from zero. */
export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
}

/**
 * Scale and zero point of one weight range, as onnxruntime's compute_scale_zp: the range widened
 * to hold 0 (and made symmetric), f64 division by qmax - qmin, the zero point rounded half to even
 * from the f64 scale, then the scale stored as f32. A range below f32's smallest normal gives 1, 0.
 */
export function ortScaleZp(mn: number, mx: number, qmin: number, qmax: number, symmetric: boolean): [number, number] {
  let rmin = Math.min(mn, 0), rmax = Math.max(mx, 0);
  if (symmetric) {
    const a = Math.max(Math.abs(rmin), Math.abs(rmax));
    rmin = -a;
    rmax = a;
  }
  const scale = f(rmax - rmin) / (qmax - qmin);
  if (scale < F32_TINY) return [1, 0];
  const zp = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - rmin / scale);
  return [f(scale), zp];
}

/** min and max of a Float32Array, checking every value is finite (NaN and +-Inf make `v * 0` NaN). */
function range(w: Float32Array, what: string): [number, number] {
  let mn = Infinity, mx = -Infinity, z = 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i];
    z += v * 0;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  if (z !== 0) {
    let i = 0;
    while (w[i] - w[i] === 0) i++;
    throw new RangeError(`${what}: holds NaN or Infinity at index ${i}; a weight must be finite to be quantized`);
  }
  return w.length ? [mn, mx] : [0, 0];
}

/** Per-channel min / max along `axis` of a row-major tensor. */
function channelRanges(w: Float32Array, dims: number[], axis: number): [Float32Array, Float32Array] {
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const C = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const mn = new Float32Array(C).fill(Infinity), mx = new Float32Array(C).fill(-Infinity);
  if (inner === 1) {
    // the last axis: rows in memory order
    for (let o = 0; o < outer; o++) {
      const row = o * C;
      for (let c = 0; c < C; c++) {
        const v = w[row + c];
        if (v < mn[c]) mn[c] = v;
        if (v > mx[c]) mx[c] = v;
      }
    }
    return [mn, mx];
  }
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const base = (o * C + c) * inner;
      let a = mn[c], b = mx[c];
      for (let i = 0; i < inner; i++) {
        const v = w[base + i];
        if (v < a) a = v;
        if (v > b) b = v;
      }
      mn[c] = a;
      mx[c] = b;
    }
  }
  return [mn, mx];
}

/** Weight quantized for DequantizeLinear / MatMulInteger. */
export interface Int8Weight {
  q: Int8Array | Uint8Array;
  scale: Float32Array;
  zeroPoint: Int32Array;
  axis: number;
}

/** onnxruntime's weight quantization (quantize_data / quantize_nparray): per tensor (axis -1) or per channel. */
export function quantizeWeightInt8(sq: Sparq, w: Float32Array, dims: number[], opts: { dtype: 'int8' | 'uint8'; symmetric: boolean; reduceRange: boolean; axis: number }, what: string): Int8Weight {
  const [mn, mx] = range(w, what);
  const signed = opts.dtype === 'int8';
  // quantization ranges of quant_utils: full, symmetric and reduced
  const [qmin, qmax] = opts.reduceRange ? (signed ? [-64, 64] : [0, 127]) : opts.symmetric ? (signed ? [-127, 127] : [0, 254]) : signed ? [-128, 127] : [0, 255];
  if (opts.axis < 0) {
    const [scale, zp] = ortScaleZp(mn, mx, qmin, qmax, opts.symmetric);
    const q = sq.quantize(w, { dtype: opts.dtype, scale, zeroPoint: zp });
    return { q, scale: new Float32Array([scale]), zeroPoint: new Int32Array([zp]), axis: -1 };
  }
  const [mns, mxs] = channelRanges(w, dims, opts.axis);
  const C = dims[opts.axis];
  const scale = new Float32Array(C), zeroPoint = new Int32Array(C);
  for (let c = 0; c < C; c++) [scale[c], zeroPoint[c]] = ortScaleZp(mns[c], mxs[c], qmin, qmax, opts.symmetric);
  const q = sq.quantize(w, { dtype: opts.dtype, scale, zeroPoint, shape: dims, axis: opts.axis });
  return { q, scale, zeroPoint, axis: opts.axis };
}

/** MatMulNBits weights (bits 4) of a K x N weight. */
export interface Int4Weight {
  /** [N][ceil(K / blockSize)][blockSize / 2] bytes, two values per byte, low nibble first. */
  packed: Uint8Array;
  /** [N * ceil(K / blockSize)] f32. */
  scales: Float32Array;
  /** [N * ceil(ceil(K / blockSize) / 2)] packed uint4 zero points (asymmetric only). */
  zeroPoints?: Uint8Array;
}

/**
 * MLAS blockwise 4-bit quantization (MlasQuantizeBlockwise, column-wise blocks) of a row-major
 * K x N weight, in f32 arithmetic as MLAS computes it. Symmetric: scale = -m / 8 for the block's
 * value m of largest magnitude (the minimum on a tie), zero point 8. Asymmetric: min / max widened
 * to hold 0, scale = (max - min) / 15, zero point roundf(clamp(0 - min / scale, 0, 15)). Each value
 * becomes clamp(roundf(v * (1 / scale) + zp), 0, 15) (roundf: half away from zero; a zero scale
 * gives the zero point). Blocks are handled in pairs along k, so an odd last block leaves its zero
 * point nibble pair's high half at 8, and an odd K repeats the last pair's high nibble.
 * The sparq kernel `packedInt4` divides and rounds half to even instead, so this rule lives here.
 */
export function quantizeInt4Mlas(w: Float32Array, K: number, N: number, bs: number, symmetric: boolean): Int4Weight {
  const KB = Math.ceil(K / bs);
  const qRows = (KB * bs) / 2;
  const zpCols = Math.ceil(KB / 2);
  const packed = new Uint8Array(N * qRows);
  const scales = new Float32Array(N * KB);
  const zeroPoints = symmetric ? undefined : new Uint8Array(N * zpCols);
  const FLT_MAX = 3.4028234663852886e38;
  // per column of the current pair of blocks (MLAS quantizes two blocks along k per task):
  // min / max, zero point and reciprocal scale; rows are walked in memory order
  const mn = new Float32Array(N), mx = new Float32Array(N);
  const zp = [new Uint8Array(N), new Uint8Array(N)];
  const recip = [new Float32Array(N), new Float32Array(N)];
  for (let r = 0; r < K; r += 2 * bs) {
    const rEnd = Math.min(r + 2 * bs, K);
    for (let kp = 0; kp < 2; kp++) {
      zp[kp].fill(8);
      const rs = r + kp * bs, re = Math.min(rs + bs, rEnd);
      if (rs >= re) continue;
      mn.fill(FLT_MAX);
      mx.fill(-FLT_MAX);
      for (let i = rs; i < re; i++) {
        const row = i * N;
        for (let j = 0; j < N; j++) {
          const v = w[row + j];
          if (v < mn[j]) mn[j] = v;
          if (v > mx[j]) mx[j] = v;
        }
      }
      const b = r / bs + kp;
      for (let j = 0; j < N; j++) {
        let s: number;
        if (symmetric) {
          s = f(-(Math.abs(mx[j]) > Math.abs(mn[j]) ? mx[j] : mn[j]) / 8);
        } else {
          const lo = Math.min(mn[j], 0), hi = Math.max(mx[j], 0);
          s = f(f(hi - lo) / 15);
          let zf = lo;
          if (s !== 0) zf = f(0 - f(lo / s));
          zp[kp][j] = zf < 0 ? 0 : zf > 15 ? 15 : roundHalfAway(zf);
        }
        scales[j * KB + b] = s;
        recip[kp][j] = s ? f(1 / s) : 0;
      }
    }
    if (zeroPoints) for (let j = 0; j < N; j++) zeroPoints[j * zpCols + r / (2 * bs)] = (zp[0][j] & 15) | (zp[1][j] << 4);
    for (let i = r; i < rEnd; i++) {
      const kp = Math.floor((i - r) / bs), row = i * N, shift = (i & 1) * 4, at = i >> 1;
      const rc = recip[kp], z = zp[kp];
      for (let j = 0; j < N; j++) {
        const v = f(f(w[row + j] * rc[j]) + z[j]);
        const q = v < 0 ? 0 : Math.min(Math.floor(v + 0.5), 15);
        packed[j * qRows + at] |= q << shift;
      }
    }
    // an odd count of rows: MLAS's last pair keeps its second value from the pair before
    if ((rEnd - r) & 1 && rEnd - 1 > r) {
      const at = (rEnd - 1) >> 1;
      for (let j = 0; j < N; j++) packed[j * qRows + at] |= packed[j * qRows + at - 1] & 0xf0;
    }
  }
  return zeroPoints ? { packed, scales, zeroPoints } : { packed, scales };
}

// ------------------------------------------------------------------------------------------------

function checkOptions(o: unknown): QuantizeOnnxOptions {
  if (typeof o !== 'object' || o === null) throw new TypeError('options: expected an object with a mode');
  const q = o as QuantizeOnnxOptions;
  if (!['dynamic-int8', 'int4', 'weight-int8'].includes(q.mode)) throw new TypeError(`options.mode: expected 'dynamic-int8', 'int4' or 'weight-int8', got ${JSON.stringify(q.mode)}`);
  const only = (keys: string[], mode: string) => {
    for (const k of keys) if ((q as unknown as Record<string, unknown>)[k] !== undefined && q.mode !== mode) throw new TypeError(`options.${k}: applies to mode '${mode}' only, not '${q.mode}'`);
  };
  only(['perChannel', 'reduceRange', 'weightType'], 'dynamic-int8');
  only(['blockSize', 'symmetric', 'accuracyLevel'], 'int4');
  if (q.minElements !== undefined && !(Number.isInteger(q.minElements) && q.minElements >= 0)) throw new RangeError(`options.minElements: expected an integer >= 0, got ${q.minElements}`);
  if (q.weightType !== undefined && q.weightType !== 'int8' && q.weightType !== 'uint8') throw new TypeError(`options.weightType: expected 'int8' or 'uint8', got ${JSON.stringify(q.weightType)}`);
  if (q.blockSize !== undefined && ![16, 32, 64, 128, 256].includes(q.blockSize)) throw new RangeError(`options.blockSize: expected 16, 32, 64, 128 or 256, got ${q.blockSize}`);
  if (q.accuracyLevel !== undefined && ![0, 1, 2, 3, 4].includes(q.accuracyLevel)) throw new RangeError(`options.accuracyLevel: expected 0 to 4, got ${q.accuracyLevel}`);
  for (const k of ['perChannel', 'reduceRange', 'symmetric'] as const) {
    if (q[k] !== undefined && typeof q[k] !== 'boolean') throw new TypeError(`options.${k}: expected a boolean, got ${typeof q[k]}`);
  }
  return q;
}

const tensor = (name: string, dataType: number, dims: number[], data: OnnxTensor['data']): OnnxTensor => ({ name, dataType, dims, data });

/** The node's weight as a FLOAT initializer, or an error / skip reason. */
function constWeight(n: OnnxNode, input: number, inits: Map<string, OnnxTensor>): OnnxTensor | string {
  const name = n.input[input];
  const t = name ? inits.get(name) : undefined;
  if (!t) return `its weight '${name ?? ''}' is not a constant initializer`;
  if (!floatData(t)) return `its weight '${name}' is not float32`;
  return t;
}

/**
 * Quantize the weights of a model (a new model; the one given is not modified). See
 * docs/model.md for the rules of each mode.
 */
export async function quantizeOnnx(model: OnnxModel, options: QuantizeOnnxOptions): Promise<OnnxModel> {
  if (typeof model !== 'object' || model === null || typeof model.graph !== 'object') throw new TypeError('model: expected an OnnxModel (from readOnnx)');
  const o = checkOptions(options);
  const sq = await sparqInstance(o.sq);
  const out = cloneModel(model);
  const g = out.graph;
  const want = selector(o.nodes, o.exclude);
  const minEl = o.minElements ?? 0;
  if (o.mode === 'dynamic-int8') dynamicInt8(sq, out, g, want, o, minEl);
  else {
    constantsToInitializers(g, want);
    if (o.mode === 'int4') int4(out, g, want, o, minEl);
    else weightInt8(sq, out, g, want, o, minEl);
  }
  return out;
}

/** Throws for a node the caller named whose weight cannot be quantized; else tells to skip it. */
function skip(n: OnnxNode, o: QuantizeOnnxOptions, reason: string): true {
  if (namedIn(n, o.nodes)) throw new TypeError(`node '${n.name}' (${n.opType}): ${reason}`);
  return true;
}

function addOpset(m: OnnxModel, domain: string, version: number): void {
  if (!m.opsetImport.some((x) => (x.domain ?? '') === domain)) m.opsetImport.push({ domain, version });
}

function dynamicInt8(sq: Sparq, m: OnnxModel, g: OnnxGraph, want: (n: OnnxNode) => boolean, o: QuantizeOnnxOptions, minEl: number): void {
  const opset = onnxOpset(m);
  if (opset < 11) throw new RangeError(`model: dynamic-int8 needs ai.onnx opset >= 11 (DynamicQuantizeLinear), the model has ${opset}`);
  const inits = initializerMap(g);
  const taken = names(g);
  const uses = useCounts(g);
  const dtype = o.weightType ?? 'int8';
  const symmetric = dtype === 'int8';
  const quantizedW = new Map<string, { q: string; s: string; z: string }>();
  const quantizedX = new Map<string, { q: string; s: string; z: string }>();
  const replaced = new Set<string>();
  const nodes: OnnxNode[] = [];
  for (const node0 of g.node) {
    let node = node0;
    if (!want(node) || (node.domain && node.domain !== 'ai.onnx') || (node.opType !== 'MatMul' && node.opType !== 'Gemm')) {
      nodes.push(node);
      continue;
    }
    const w0 = constWeight(node, 1, inits);
    if (typeof w0 === 'string' && skip(node, o, w0)) {
      nodes.push(node);
      continue;
    }
    let w = w0 as OnnxTensor;
    if (node.opType === 'Gemm') {
      // onnxruntime's replace_gemm_with_matmul: only alpha = beta = 1, transA = 0
      if (attrFloat(node, 'alpha', 1) !== 1 || attrFloat(node, 'beta', 1) !== 1 || attrInt(node, 'transA', 0) !== 0) {
        skip(node, o, 'a Gemm is quantized only with alpha = beta = 1 and transA = 0 (as onnxruntime rewrites it to MatMul)');
        nodes.push(node);
        continue;
      }
      if (attrInt(node, 'transB', 0) !== 0) {
        const [N, K] = w.dims;
        const src = floatData(w) as Float32Array;
        const t = new Float32Array(K * N);
        for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) t[k * N + i] = src[i * K + k];
        // the transposed weight keeps its name when nothing else reads it (as onnxruntime does)
        const name = (uses.get(w.name ?? '') ?? 0) > 1 ? fresh(taken, `${w.name}_transposed`) : (w.name as string);
        if (name === w.name) g.initializer = g.initializer.map((x) => (x === w ? tensor(name, 1, [K, N], t) : x));
        else g.initializer.push(tensor(name, 1, [K, N], t));
        w = tensor(name, 1, [K, N], t);
        inits.set(name, w);
      }
      const hasBias = node.input.length > 2 && !!node.input[2];
      const mmOut = hasBias ? `${node.output[0]}_MatMul` : node.output[0];
      const mm: OnnxNode = { input: [node.input[0], w.name as string], output: [mmOut], opType: 'MatMul', attribute: [], ...(node.name ? { name: `${node.name}_MatMul` } : {}) };
      const rest: OnnxNode[] = hasBias ? [{ input: [mmOut, node.input[2]], output: node.output.slice(), opType: 'Add', attribute: [], ...(node.name ? { name: `${node.name}_Add` } : {}) }] : [];
      node = mm;
      if (w.data.length < minEl) {
        nodes.push(mm, ...rest);
        continue;
      }
      quantizeMatMul(mm);
      nodes.push(...rest);
      continue;
    }
    if (w.data.length < minEl) {
      nodes.push(node);
      continue;
    }
    quantizeMatMul(node);
  }
  g.node = nodes;
  dropUnused(g, replaced);
  m.graph = g;

  function quantizeMatMul(node: OnnxNode): void {
    const w = inits.get(node.input[1]) as OnnxTensor;
    const wName = w.name as string;
    let qw = quantizedW.get(wName);
    if (!qw) {
      const r = quantizeWeightInt8(sq, floatData(w) as Float32Array, w.dims, { dtype, symmetric, reduceRange: !!o.reduceRange, axis: o.perChannel ? w.dims.length - 1 : -1 }, `weight '${wName}'`);
      qw = { q: `${wName}_quantized`, s: `${wName}_scale`, z: `${wName}_zero_point` };
      const qd = dtype === 'int8' ? 3 : 2;
      const pdims = o.perChannel ? [w.dims[w.dims.length - 1]] : [];
      g.initializer.push(
        tensor(qw.q, qd, w.dims.slice(), r.q),
        tensor(qw.s, 1, pdims, r.scale),
        tensor(qw.z, qd, pdims, dtype === 'int8' ? Int8Array.from(r.zeroPoint) : Uint8Array.from(r.zeroPoint)),
      );
      quantizedW.set(wName, qw);
      replaced.add(wName);
    }
    const x = node.input[0];
    let qx = quantizedX.get(x);
    if (!qx) {
      qx = { q: `${x}_quantized`, s: `${x}_scale`, z: `${x}_zero_point` };
      nodes.push({ input: [x], output: [qx.q, qx.s, qx.z], name: `${x}_QuantizeLinear`, opType: 'DynamicQuantizeLinear', attribute: [] });
      quantizedX.set(x, qx);
    }
    const out = node.output[0];
    const mmName = node.name ? `${node.name}_quant` : '';
    const mmOut = `${out}_output_quantized`;
    nodes.push({ input: [qx.q, qw.q, qx.z, qw.z], output: [mmOut], opType: 'MatMulInteger', attribute: [], ...(mmName ? { name: mmName } : {}) });
    nodes.push({ input: [mmOut], output: [`${mmOut}_cast_output`], name: `${mmOut}_cast`, opType: 'Cast', attribute: [intAttr('to', 1)] });
    const mulName = mmName ? `${mmName}_scales_mul` : `${qx.s}_${qw.s}_mul`;
    nodes.push({ input: [qx.s, qw.s], output: [`${mulName}:0`], name: mulName, opType: 'Mul', attribute: [] });
    nodes.push({ input: [`${mmOut}_cast_output`, `${mulName}:0`], output: [out], opType: 'Mul', attribute: [], ...(mmName ? { name: `${mmName}_output_scale_mul` } : {}) });
  }
}

function int4(m: OnnxModel, g: OnnxGraph, want: (n: OnnxNode) => boolean, o: QuantizeOnnxOptions, minEl: number): void {
  const inits = initializerMap(g);
  const bs = o.blockSize ?? 128;
  const symmetric = o.symmetric ?? false;
  const done = new Map<string, string[]>();
  const replaced = new Set<string>();
  let any = false;
  g.node = g.node.map((node) => {
    if (!want(node) || node.opType !== 'MatMul' || (node.domain && node.domain !== 'ai.onnx')) return node;
    const w = constWeight(node, 1, inits);
    if (typeof w === 'string') return skip(node, o, w) && node;
    if (w.dims.length !== 2) return skip(node, o, `its weight '${w.name}' is not 2-D (MatMulNBits takes a K x N weight)`) && node;
    if (w.data.length < minEl) return node;
    const [K, N] = w.dims;
    const wName = w.name as string;
    let ins = done.get(wName);
    if (!ins) {
      range(floatData(w) as Float32Array, `weight '${wName}'`);
      const r = quantizeInt4Mlas(floatData(w) as Float32Array, K, N, bs, symmetric);
      const KB = Math.ceil(K / bs);
      ins = [`${wName}_Q4`, `${wName}_scales`];
      g.initializer.push(tensor(ins[0], 2, [N, KB, bs / 2], r.packed), tensor(ins[1], 1, [N * KB], r.scales));
      if (r.zeroPoints) {
        ins.push(`${wName}_zero_points`);
        g.initializer.push(tensor(ins[2], 2, [r.zeroPoints.length], r.zeroPoints));
      }
      done.set(wName, ins);
      replaced.add(wName);
    }
    any = true;
    const attribute = [intAttr('K', K), intAttr('N', N), intAttr('bits', 4), intAttr('block_size', bs)];
    if (o.accuracyLevel) attribute.push(intAttr('accuracy_level', o.accuracyLevel));
    return { input: [node.input[0], ...ins], output: node.output.slice(), opType: 'MatMulNBits', domain: 'com.microsoft', attribute, ...(node.name ? { name: `${node.name}_Q4` } : {}) };
  });
  dropUnused(g, replaced);
  if (any) addOpset(m, 'com.microsoft', 1);
}

function weightInt8(sq: Sparq, m: OnnxModel, g: OnnxGraph, want: (n: OnnxNode) => boolean, o: QuantizeOnnxOptions, minEl: number): void {
  const opset = onnxOpset(m);
  if (opset < 6) throw new RangeError(`model: weight-int8 needs ai.onnx opset >= 6, the model has ${opset}`);
  const inits = initializerMap(g);
  const taken = names(g);
  const done = new Map<string, string>();
  const replaced = new Set<string>();
  const front: OnnxNode[] = [];
  for (const node of g.node) {
    const slot = weightSlot(node);
    if (!slot || !want(node)) continue;
    const w = constWeight(node, slot.input, inits);
    if (typeof w === 'string') {
      skip(node, o, w);
      continue;
    }
    if (w.dims.length < 1 || w.data.length < minEl) continue;
    const wName = w.name as string;
    let deq = done.get(wName);
    if (!deq) {
      const axis = slot.outAxis(w.dims.length);
      const r = quantizeWeightInt8(sq, floatData(w) as Float32Array, w.dims, { dtype: 'int8', symmetric: true, reduceRange: false, axis }, `weight '${wName}'`);
      const q = fresh(taken, `${wName}_quantized`), s = fresh(taken, `${wName}_scale`);
      deq = fresh(taken, `${wName}_DequantizeLinear_Output`);
      const C = w.dims[axis];
      if (opset >= 13) {
        const z = fresh(taken, `${wName}_zero_point`);
        g.initializer.push(tensor(q, 3, w.dims.slice(), r.q), tensor(s, 1, [C], r.scale), tensor(z, 3, [C], new Int8Array(C)));
        front.push({ input: [q, s, z], output: [deq], name: fresh(taken, `${wName}_DequantizeLinear`), opType: 'DequantizeLinear', attribute: [intAttr('axis', axis)] });
      } else {
        // below opset 13 DequantizeLinear has no axis: Cast to float, then Mul by a broadcastable scale
        const sdims = w.dims.map((d, i) => (i === axis ? d : 1)).slice(axis === w.dims.length - 1 ? w.dims.length - 1 : 0);
        const cast = fresh(taken, `${wName}_cast_output`);
        g.initializer.push(tensor(q, 3, w.dims.slice(), r.q), tensor(s, 1, sdims, r.scale));
        front.push({ input: [q], output: [cast], name: fresh(taken, `${wName}_Cast`), opType: 'Cast', attribute: [intAttr('to', 1)] });
        front.push({ input: [cast, s], output: [deq], name: fresh(taken, `${wName}_Mul`), opType: 'Mul', attribute: [] });
      }
      done.set(wName, deq);
      replaced.add(wName);
    }
    node.input[slot.input] = deq;
  }
  g.node = [...front, ...g.node];
  dropUnused(g, replaced);
}
