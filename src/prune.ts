/**
 * Pruning masks: argument checks, the radix-select driver and the calls into the Wasm kernels.
 * Semantics: PyTorch torch.nn.utils.prune (l1_unstructured, global_unstructured, ln_structured,
 * random_unstructured, PruningContainer's repeated pruning), N:M sparsity, block pruning, Taylor /
 * OBD importance, and Zhu & Gupta's (2017) gradual sparsity schedule.
 *
 * A mask is a Uint8Array of 0/1, 1 = kept. Magnitudes rank by their key: the f32 bit pattern with
 * the sign cleared (|w| order; -0 == +0; NaN above +Infinity). Ties at the cut: lower index pruned
 * first.
 * @module
 */
import { PRUNE_NORM_INF, PRUNE_NORM_L1, PRUNE_NORM_L2 } from './runtime/consts.js';
import { checkAxis, checkCount, checkIntIn, checkObject, checkShape } from './runtime/check.js';
import { type Runtime, type Slot, WasmArray, typeName } from './runtime/runtime.js';
import { roundHalfEven } from './quant.js';

/** How many entries to prune: a fraction (PyTorch's float amount) or an absolute count. */
export type Selection = { amount: number; count?: undefined } | { count: number; amount?: undefined };

/** Options of `magnitudeMask`. */
export interface MagnitudeOptions {
  /** Rank by |scores| instead of |w| (PyTorch's importance_scores), same length as w. */
  scores?: Float32Array | WasmArray<'f32'>;
  /** An earlier mask: only its kept entries are ranked and `amount` applies to their number. */
  prior?: Uint8Array | WasmArray<'u8'>;
}

/** Options of `globalMagnitudeMask`: one scores / prior entry per tensor. */
export interface GlobalOptions {
  scores?: (Float32Array | WasmArray<'f32'>)[];
  prior?: (Uint8Array | WasmArray<'u8'>)[];
}

/** Options of `structuredMask` (PyTorch ln_structured). */
export type StructuredOptions = Selection & { dim: number; n: 1 | 2 | number };

/** Options of `nmMask`. */
export interface NMOptions {
  n: number;
  m: number;
}

/** Options of `blockMask`. */
export type BlockOptions = Selection & { block: readonly [number, number] | number[]; norm?: 1 | 2 | 'l1' | 'l2' };

/** Options of `randomMask`. */
export type RandomOptions = Selection & { seed?: number };

/** Options of `sparsitySchedule` (Zhu & Gupta 2017). */
export interface ScheduleOptions {
  /** Sparsity at `begin` (default 0). */
  initial?: number;
  /** Sparsity from `end` on. */
  final: number;
  /** First pruning step (default 0). */
  begin?: number;
  /** Step at which `final` is reached. */
  end: number;
  /** Pruning happens every `frequency` steps (default 1); the sparsity holds in between. */
  frequency?: number;
}

type MaskOut = Uint8Array | WasmArray<'u8'>;
type F32Out = Float32Array | WasmArray<'f32'>;
type OutSlot<T extends 'u8' | 'f32'> = ReturnType<Runtime['output']> & { dtype?: T };


// ---------------------------------------------------------------------------------------------
// Shared checks.
// ---------------------------------------------------------------------------------------------

/** Number of entries to prune out of m: amount -> round_half_even(amount * m) (Python's round). */
export function pruneCount(sel: unknown, m: number, name = 'sel'): number {
  const s = checkObject<{ amount?: unknown; count?: unknown }>(name, sel);
  if ((s.amount === undefined) === (s.count === undefined)) {
    throw new TypeError(`${name}: expected exactly one of { amount } or { count }`);
  }
  if (s.amount !== undefined) {
    if (typeof s.amount !== 'number') throw new TypeError(`amount: expected a number in [0, 1], got ${typeName(s.amount)}`);
    if (!(s.amount >= 0 && s.amount <= 1)) throw new RangeError(`amount: expected a number in [0, 1], got ${s.amount}`);
    return roundHalfEven(s.amount * m);
  }
  if (typeof s.count !== 'number') throw new TypeError(`count: expected an integer, got ${typeName(s.count)}`);
  if (!Number.isInteger(s.count) || s.count < 0 || s.count > m) {
    throw new RangeError(`count: expected an integer in [0, ${m}] (the number of prunable entries), got ${s.count}`);
  }
  return s.count;
}

/** Length of an f32 input without copying it. */
function f32Length(rt: Runtime, name: string, x: unknown): number {
  if (x instanceof Float32Array) return x.length;
  if (x instanceof WasmArray && x.dtype === 'f32') {
    x._check(name, rt);
    return x.length;
  }
  throw new TypeError(`${name}: expected Float32Array or WasmArray<f32>, got ${x instanceof WasmArray ? `WasmArray<${x.dtype}>` : typeName(x)}`);
}

function sameLength(name: string, s: Slot, n: number): void {
  if (s.length !== n) throw new RangeError(`${name}: expected length ${n}, got ${s.length}`);
}

/** The key of the smallest f32 >= t (t >= 0), so that key(w) >= tKey <=> |w| >= t. */
export function thresholdKey(t: number): number {
  if (!(t > 0)) return 0;
  const f = new Float32Array([t]);
  const u = new Uint32Array(f.buffer);
  if (f[0] < t) u[0] += 1; // t rounded down to f32: the next f32 up is the smallest one >= t
  return u[0];
}

function countZeros(rt: Runtime, kernel: 'prune_zeros_u8' | 'prune_zeros_f32', s: Slot): number {
  const io = rt.alloc(4);
  try {
    rt.exports[kernel](s.ptr, s.length, io);
    return rt.view('i32', io, 1)[0];
  } finally {
    rt.free(io);
  }
}

// ---------------------------------------------------------------------------------------------
// The radix-select driver.
// ---------------------------------------------------------------------------------------------

interface Part {
  keys: number;
  n: number;
  prior: number;
  out: number;
}

/** Sample size (runs of 16 keys) and margin (standard deviations) of the sampled select. */
const SAMPLE_RUNS = 4096;
const SAMPLE_Z = 4;

/**
 * The sampled select for one tensor without prior (n >= 16 * SAMPLE_RUNS): a sample of 4096 runs
 * of 16 keys gives a bracket [lo, hi] of ranks k +- SAMPLE_Z binomial standard deviations, one SIMD
 * pass writes the mask outside it and gathers it, and the gathered keys are resolved exactly.
 * Returns false (nothing decided) when the cut is not inside the bracket or the bracket overflows
 * its buffer; the caller then runs the histogram select (about twice as fast on normal data).
 */
function sampledSelect(rt: Runtime, p: Part, k: number): boolean {
  const n = p.n, L = SAMPLE_RUNS, S = 16 * L;
  const q = (k / n) * S, d = SAMPLE_Z * Math.sqrt(S * (k / n) * (1 - k / n)) + 8;
  const qlo = Math.floor(q - d), qhi = Math.ceil(q + d);
  const cap = Math.ceil(((qhi - qlo) / S) * n * 1.5) + 4096;
  let hist = 0, io = 0, cand = 0;
  try {
    hist = rt.alloc(65536 * 4);
    io = rt.alloc(8);
    cand = rt.alloc(cap * 8);
    rt.exports.prune_sample_bracket(p.keys, n, L, qlo, qhi, hist, io);
    const [lo, hi] = rt.view('i32', io, 2);
    rt.exports.prune_mask_range(p.keys, n, lo, hi, p.out, cand, cap, io, hist);
    const [c, ge] = rt.view('i32', io, 2);
    const below = n - ge;
    if (c > cap || !(below < k && k <= below + c)) return false;
    rt.exports.prune_resolve_range(cand, c, k - below, lo, hi - lo, hist);
    return true;
  } finally {
    rt.free(hist);
    rt.free(io);
    rt.free(cand);
  }
}

/**
 * Prune the k smallest keys among the m live entries of `parts` (live = prior != 0 or no prior):
 * writes every part's mask. Ties at the cut: earlier part, then lower index, pruned first.
 */
function selectInto(rt: Runtime, parts: Part[], k: number, m: number): void {
  const maskHi = rt.exports.prune_mask_hi;
  if (k === 0) {
    // b = -1: every key is above the bucket, so out = live
    const io = rt.alloc(4);
    try {
      rt.view('i32', io, 1)[0] = 0;
      for (const p of parts) maskHi(p.keys, p.n, p.prior, -1, p.out, 0, io);
    } finally {
      rt.free(io);
    }
    return;
  }
  if (k === m) {
    for (const p of parts) rt.view('u8', p.out, p.n).fill(0);
    return;
  }
  if (parts.length === 1 && parts[0].prior === 0 && parts[0].n >= 16 * SAMPLE_RUNS && sampledSelect(rt, parts[0], k)) return;
  let hist = 0, cand = 0, low = 0, io = 0;
  try {
    hist = rt.alloc(32768 * 4);
    rt.view('u32', hist, 32768).fill(0);
    const histHi = rt.exports.prune_hist_hi;
    for (const p of parts) histHi(p.keys, p.n, p.prior, hist);
    // The bucket b holding the k-th smallest key, and r = how many of its entries to prune.
    const h = rt.view('u32', hist, 32768);
    let below = 0, b = 0;
    while (below + h[b] < k) below += h[b++];
    const cnt = h[b];
    const r = k - below;
    cand = rt.alloc(cnt * 8);
    io = rt.alloc(4);
    rt.view('i32', io, 1)[0] = 0;
    for (const p of parts) maskHi(p.keys, p.n, p.prior, b, p.out, cand, io);
    low = rt.alloc(65536 * 4);
    rt.exports.prune_resolve(cand, cnt, r, low);
  } finally {
    rt.free(hist);
    rt.free(cand);
    rt.free(low);
    rt.free(io);
  }
}

// ---------------------------------------------------------------------------------------------
// Unstructured.
// ---------------------------------------------------------------------------------------------

/** PyTorch l1_unstructured (with importance scores and repeated pruning). */
export function magnitudeMask(rt: Runtime, w: unknown, sel: unknown, opts?: unknown, out?: unknown): MaskOut {
  const o = checkObject<MagnitudeOptions>('opts', opts, true);
  const n = f32Length(rt, 'w', w);
  let ks: Slot | undefined, ps: Slot | undefined, os: OutSlot<'u8'> | undefined;
  try {
    ks = o.scores === undefined ? rt.input('w', w, ['f32'] as const) : rt.input('scores', o.scores, ['f32'] as const);
    sameLength('scores', ks, n);
    let m = n;
    if (o.prior !== undefined) {
      ps = rt.input('prior', o.prior, ['u8'] as const);
      sameLength('prior', ps, n);
      m = n - countZeros(rt, 'prune_zeros_u8', ps);
    }
    const k = pruneCount(sel, m);
    os = rt.output('out', out, 'u8', n);
    selectInto(rt, [{ keys: ks.ptr, n, prior: ps ? ps.ptr : 0, out: os.ptr }], k, m);
    return rt.finish('u8', os) as MaskOut;
  } finally {
    rt.release(ks, ps, os);
  }
}

/** PyTorch global_unstructured with L1Unstructured: one ranking over every tensor. */
export function globalMagnitudeMask(rt: Runtime, ws: unknown, sel: unknown, opts?: unknown): Uint8Array[] {
  if (!Array.isArray(ws)) throw new TypeError(`ws: expected an array of Float32Array / WasmArray<f32>, got ${typeName(ws)}`);
  const o = checkObject<GlobalOptions>('opts', opts, true);
  for (const [key, v] of [['scores', o.scores], ['prior', o.prior]] as const) {
    if (v === undefined) continue;
    if (!Array.isArray(v)) throw new TypeError(`${key}: expected an array with one entry per tensor, got ${typeName(v)}`);
    if (v.length !== ws.length) throw new RangeError(`${key}: expected ${ws.length} entries (one per tensor), got ${v.length}`);
  }
  const ns = ws.map((w, i) => f32Length(rt, `ws[${i}]`, w));
  const slots: Slot[] = [];
  const outs: OutSlot<'u8'>[] = [];
  try {
    const parts: Part[] = [];
    let m = 0;
    for (let i = 0; i < ws.length; i++) {
      const ks = o.scores ? rt.input(`scores[${i}]`, o.scores[i], ['f32'] as const) : rt.input(`ws[${i}]`, ws[i], ['f32'] as const);
      slots.push(ks);
      sameLength(`scores[${i}]`, ks, ns[i]);
      let prior = 0;
      m += ns[i];
      if (o.prior) {
        const ps = rt.input(`prior[${i}]`, o.prior[i], ['u8'] as const);
        slots.push(ps);
        sameLength(`prior[${i}]`, ps, ns[i]);
        prior = ps.ptr;
        m -= countZeros(rt, 'prune_zeros_u8', ps);
      }
      parts.push({ keys: ks.ptr, n: ns[i], prior, out: 0 });
    }
    const k = pruneCount(sel, m);
    for (let i = 0; i < parts.length; i++) {
      const os = rt.output('out', undefined, 'u8', ns[i]);
      outs.push(os);
      parts[i].out = os.ptr;
    }
    selectInto(rt, parts, k, m);
    return outs.map((os) => rt.finish('u8', os) as Uint8Array);
  } finally {
    rt.release(...slots, ...outs);
  }
}

/** Keep |w| >= t. */
export function thresholdMask(rt: Runtime, w: unknown, t: unknown, out?: unknown): MaskOut {
  if (typeof t !== 'number') throw new TypeError(`t: expected a number, got ${typeName(t)}`);
  if (Number.isNaN(t)) throw new RangeError('t: expected a number, got NaN');
  const ws = rt.input('w', w, ['f32'] as const);
  let os: OutSlot<'u8'> | undefined;
  try {
    os = rt.output('out', out, 'u8', ws.length);
    rt.exports.prune_threshold(ws.ptr, ws.length, thresholdKey(t) - 1, os.ptr);
    return rt.finish('u8', os) as MaskOut;
  } finally {
    rt.release(ws, os);
  }
}

/** PyTorch random_unstructured, seeded: the same mask in every runtime and build. */
export function randomMask(rt: Runtime, n: unknown, opts: unknown, out?: unknown): MaskOut {
  const len = checkCount('n', n);
  const o = checkObject<RandomOptions>('opts', opts);
  const seed = o.seed === undefined ? 0 : checkIntIn('seed', o.seed, 0, 0xffffffff);
  const k = pruneCount(o, len, 'opts');
  let keys = 0, os: OutSlot<'u8'> | undefined;
  try {
    os = rt.output('out', out, 'u8', len);
    keys = rt.alloc(len * 4);
    rt.exports.prune_random_keys(len, seed | 0, keys);
    selectInto(rt, [{ keys, n: len, prior: 0, out: os.ptr }], k, len);
    return rt.finish('u8', os) as MaskOut;
  } finally {
    rt.free(keys);
    rt.release(os);
  }
}

// ---------------------------------------------------------------------------------------------
// N:M, structured and block.
// ---------------------------------------------------------------------------------------------

/** N:M sparsity along the last dimension. */
export function nmMask(rt: Runtime, w: unknown, shape: unknown, opts: unknown, out?: unknown): MaskOut {
  const o = checkObject<NMOptions>('opts', opts);
  const m = checkIntIn('m', o.m, 1, 0x7fffffff);
  const nk = checkIntIn('n', o.n, 0, m);
  const ws = rt.input('w', w, ['f32'] as const);
  let os: OutSlot<'u8'> | undefined, scratch = 0;
  try {
    const dims = checkShape('shape', shape, ws.length);
    if (dims.length === 0) throw new RangeError('shape: N:M needs at least one dimension');
    const last = dims[dims.length - 1];
    if (last % m !== 0) throw new RangeError(`shape: the last dimension (${last}) is not a multiple of m = ${m}`);
    os = rt.output('out', out, 'u8', ws.length);
    scratch = m > 4 && ws.length > 0 ? rt.alloc(32 * m) : 0;
    rt.exports.prune_nm(ws.ptr, ws.length / m, nk, m, os.ptr, scratch);
    return rt.finish('u8', os) as MaskOut;
  } finally {
    rt.release(ws, os);
    rt.free(scratch);
  }
}

/**
 * Keep flags (a u8 slot of nb bytes) for the nb f64 norms at `norms` (a scratch slot, overwritten)
 * with the k smallest pruned; ties (and NaN, which ranks above +Infinity) go to the lower index
 * first. A radix select in Wasm (prune_select_f64), O(nb).
 */
function selectNorms(rt: Runtime, norms: number, nb: number, k: number): Slot {
  const keep: Slot = { ptr: rt.alloc(Math.max(nb, 1)), length: nb, owned: true };
  if (k === 0) {
    rt.view('u8', keep.ptr, nb).fill(1);
    return keep;
  }
  let hist = 0, cand = 0;
  try {
    hist = rt.alloc(65536 * 4);
    cand = rt.alloc(nb * 4);
    rt.exports.prune_select_f64(norms, nb, k, keep.ptr, hist, cand);
    return keep;
  } catch (e) {
    rt.release(keep);
    throw e;
  } finally {
    rt.free(hist);
    rt.free(cand);
  }
}

function normCode(name: string, v: unknown, allowInf: boolean): number {
  if (v === 1 || v === 'l1') return PRUNE_NORM_L1;
  if (v === 2 || v === 'l2') return PRUNE_NORM_L2;
  if (allowInf && v === Infinity) return PRUNE_NORM_INF;
  throw new RangeError(`${name}: expected 1, 2${allowInf ? ' or Infinity' : " ('l1' or 'l2')"}, got ${typeof v === 'string' ? `'${v}'` : String(v)}`);
}

/** [outer, D, inner] around axis `dim`. */
export function aroundAxis(dims: number[], d: number): [number, number, number] {
  return [dims.slice(0, d).reduce((a, b) => a * b, 1), dims[d], dims.slice(d + 1).reduce((a, b) => a * b, 1)];
}

/** PyTorch ln_structured: prune whole slices along `dim` with the smallest Ln norms. */
export function structuredMask(rt: Runtime, w: unknown, shape: unknown, opts: unknown, out?: unknown): MaskOut {
  const o = checkObject<StructuredOptions>('opts', opts);
  const p = normCode('n', o.n, true);
  const ws = rt.input('w', w, ['f32'] as const);
  let os: OutSlot<'u8'> | undefined, ns: Slot | undefined, ks: Slot | undefined;
  try {
    const dims = checkShape('shape', shape, ws.length);
    if (dims.length < 2) throw new RangeError(`shape: structured pruning needs rank >= 2, got rank ${dims.length}`);
    if (o.dim === undefined) throw new TypeError('dim: required');
    const d = checkAxis('dim', o.dim, dims.length);
    const [outer, D, inner] = aroundAxis(dims, d);
    const k = pruneCount(o, D, 'opts');
    os = rt.output('out', out, 'u8', ws.length);
    if (ws.length === 0) return rt.finish('u8', os) as MaskOut; // no slices hold anything: nothing to rank
    ns = { ptr: rt.alloc(D * 8), length: D, owned: true };
    rt.exports.prune_slice_norms(ws.ptr, outer, D, inner, p, ns.ptr);
    ks = selectNorms(rt, ns.ptr, D, k);
    rt.exports.prune_expand_slices(ks.ptr, outer, D, inner, os.ptr);
    return rt.finish('u8', os) as MaskOut;
  } finally {
    rt.release(ws, os, ns, ks);
  }
}

/** The matrix view of a shape for block pruning: [shape[0], product of the rest] ([1, n] for rank 1). */
export function blockView(dims: number[]): [number, number] {
  if (dims.length === 1) return [1, dims[0]];
  return [dims[0], dims.slice(1).reduce((a, b) => a * b, 1)];
}

/** Resolved block options. */
export function blockParams(o: BlockOptions): { bh: number; bw: number; p: number } {
  if (!Array.isArray(o.block) || o.block.length !== 2) throw new TypeError(`block: expected [rows, cols], got ${typeName(o.block)}`);
  const bh = checkIntIn('block[0]', o.block[0], 1, 0x7fffffff);
  const bw = checkIntIn('block[1]', o.block[1], 1, 0x7fffffff);
  return { bh, bw, p: o.norm === undefined ? 1 : normCode('norm', o.norm, false) };
}

/** Prune whole bh x bw blocks by their L1 or L2 norm. */
export function blockMask(rt: Runtime, w: unknown, shape: unknown, opts: unknown, out?: unknown): MaskOut {
  const o = checkObject<BlockOptions>('opts', opts);
  const { bh, bw, p } = blockParams(o);
  const ws = rt.input('w', w, ['f32'] as const);
  let os: OutSlot<'u8'> | undefined, ns: Slot | undefined, ks: Slot | undefined;
  try {
    const dims = checkShape('shape', shape, ws.length);
    if (dims.length < 1) throw new RangeError('shape: block pruning needs rank >= 1');
    const [R, C] = blockView(dims);
    const nb = Math.ceil(R / bh) * Math.ceil(C / bw);
    const k = pruneCount(o, nb, 'opts');
    os = rt.output('out', out, 'u8', ws.length);
    ns = { ptr: rt.alloc(nb * 8), length: nb, owned: true };
    rt.exports.prune_block_norms(ws.ptr, R, C, bh, bw, p, ns.ptr);
    ks = selectNorms(rt, ns.ptr, nb, k);
    rt.exports.prune_expand_blocks(ks.ptr, R, C, bh, bw, os.ptr);
    return rt.finish('u8', os) as MaskOut;
  } finally {
    rt.release(ws, os, ns, ks);
  }
}

// ---------------------------------------------------------------------------------------------
// Scores and helpers.
// ---------------------------------------------------------------------------------------------

function binaryF32(rt: Runtime, kernel: 'prune_taylor' | 'prune_obd', w: unknown, bName: string, b: unknown, out: unknown): F32Out {
  const ws = rt.input('w', w, ['f32'] as const);
  let bs: Slot | undefined, os: OutSlot<'f32'> | undefined;
  try {
    bs = rt.input(bName, b, ['f32'] as const);
    sameLength(bName, bs, ws.length);
    os = rt.output('out', out, 'f32', ws.length);
    rt.exports[kernel](ws.ptr, bs.ptr, ws.length, os.ptr);
    return rt.finish('f32', os) as F32Out;
  } finally {
    rt.release(ws, bs, os);
  }
}

/** First-order Taylor importance |w * g|. */
export function taylorScores(rt: Runtime, w: unknown, g: unknown, out?: unknown): F32Out {
  return binaryF32(rt, 'prune_taylor', w, 'g', g, out);
}

/** Optimal Brain Damage saliency w^2 * h / 2. */
export function obdScores(rt: Runtime, w: unknown, h: unknown, out?: unknown): F32Out {
  return binaryF32(rt, 'prune_obd', w, 'h', h, out);
}

/** w * mask (PyTorch's orig * mask). */
export function applyMask(rt: Runtime, w: unknown, mask: unknown, out?: unknown): F32Out {
  const ws = rt.input('w', w, ['f32'] as const);
  let ms: Slot | undefined, os: OutSlot<'f32'> | undefined;
  try {
    ms = rt.input('mask', mask, ['u8'] as const);
    sameLength('mask', ms, ws.length);
    os = rt.output('out', out, 'f32', ws.length);
    rt.exports.prune_apply(ws.ptr, ms.ptr, ws.length, os.ptr);
    return rt.finish('f32', os) as F32Out;
  } finally {
    rt.release(ws, ms, os);
  }
}

/** Fraction of zeros of an f32 tensor (either sign of zero) or of a mask (0 for an empty x). */
export function sparsity(rt: Runtime, x: unknown): number {
  const xs = rt.input('x', x, ['f32', 'u8'] as const);
  try {
    if (xs.length === 0) return 0;
    return countZeros(rt, xs.dtype === 'f32' ? 'prune_zeros_f32' : 'prune_zeros_u8', xs) / xs.length;
  } finally {
    rt.release(xs);
  }
}

/** 8 mask entries per byte, least significant bit first (entry != 0 -> bit 1). */
export function packMask(rt: Runtime, mask: unknown, out?: unknown): MaskOut {
  const ms = rt.input('mask', mask, ['u8'] as const);
  let os: OutSlot<'u8'> | undefined;
  try {
    os = rt.output('out', out, 'u8', Math.ceil(ms.length / 8));
    rt.exports.prune_pack(ms.ptr, ms.length, os.ptr);
    return rt.finish('u8', os) as MaskOut;
  } finally {
    rt.release(ms, os);
  }
}

/** The inverse of packMask: n entries of 0/1 (the unused high bits of the last byte are ignored). */
export function unpackMask(rt: Runtime, bits: unknown, n: unknown, out?: unknown): MaskOut {
  const len = checkCount('n', n);
  const bs = rt.input('bits', bits, ['u8'] as const);
  let os: OutSlot<'u8'> | undefined;
  try {
    if (bs.length !== Math.ceil(len / 8)) throw new RangeError(`bits: expected ${Math.ceil(len / 8)} bytes for n = ${len}, got ${bs.length}`);
    os = rt.output('out', out, 'u8', len);
    rt.exports.prune_unpack(bs.ptr, len, os.ptr);
    return rt.finish('u8', os) as MaskOut;
  } finally {
    rt.release(bs, os);
  }
}

// ---------------------------------------------------------------------------------------------
// The gradual pruning schedule (no Wasm).
// ---------------------------------------------------------------------------------------------

function checkFraction(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${name}: expected a number in [0, 1], got ${typeName(v)}`);
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name}: expected a number in [0, 1], got ${v}`);
  return v;
}

/**
 * Zhu & Gupta (2017), "To prune, or not to prune", eq. 1: s_t = s_f + (s_i - s_f) (1 - (t - t0) /
 * (n dt))^3 for t in {t0, t0 + dt, ..., t0 + n dt}. Here t0 = begin, t0 + n dt = end, dt =
 * frequency: the step is rounded down to the last pruning step begin + j * frequency (and to end
 * once step >= end). Before begin: initial; from end on: final.
 */
export function sparsitySchedule(step: number, opts: ScheduleOptions): number {
  if (typeof step !== 'number') throw new TypeError(`step: expected a number, got ${typeName(step)}`);
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`step: expected an integer >= 0, got ${step}`);
  const o = checkObject<ScheduleOptions>('opts', opts);
  const si = o.initial === undefined ? 0 : checkFraction('initial', o.initial);
  const sf = checkFraction('final', o.final);
  const begin = o.begin === undefined ? 0 : checkIntIn('begin', o.begin, 0, Number.MAX_SAFE_INTEGER);
  const end = checkIntIn('end', o.end, begin, Number.MAX_SAFE_INTEGER);
  const freq = o.frequency === undefined ? 1 : checkIntIn('frequency', o.frequency, 1, Number.MAX_SAFE_INTEGER);
  if (step < begin) return si;
  if (step >= end) return sf;
  const t = begin + Math.floor((step - begin) / freq) * freq;
  const f = 1 - (t - begin) / (end - begin);
  return sf + (si - sf) * f * f * f;
}
