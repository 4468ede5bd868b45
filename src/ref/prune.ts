/**
 * Plain-TS reference of the pruning family, written for clarity from the definitions (PyTorch
 * torch.nn.utils.prune: l1_unstructured, global_unstructured, ln_structured, random_unstructured
 * and PruningContainer; N:M sparsity; Zhu & Gupta 2017). Selections here *sort* (by key, then
 * index), which is the definition the kernels' radix select must reproduce. The oracle of the tests.
 * @module
 */
import { checkAxis, checkIntIn, checkObject, checkShape } from '../runtime/check.js';
import {
  type BlockOptions, type GlobalOptions, type MagnitudeOptions, type NMOptions, type RandomOptions, type StructuredOptions,
  aroundAxis, blockParams, blockView, pruneCount,
} from '../prune.js';

const f = Math.fround;

/** The rank key of an f32: its bit pattern with the sign cleared (|x| order, NaN above +Inf). */
export function rankKey(x: number): number {
  const b = new Float32Array([x]);
  return new Uint32Array(b.buffer)[0] & 0x7fffffff;
}

function checkLen(name: string, a: { length: number }, n: number): void {
  if (a.length !== n) throw new RangeError(`${name}: expected length ${n}, got ${a.length}`);
}

/** Prune the k smallest (key, position) among `items`; writes 0 into mask for each. */
function pruneSmallestKeys(items: { key: number; at: number }[], k: number, where: (at: number) => [Uint8Array, number]): void {
  const order = items.slice().sort((a, b) => a.key - b.key || a.at - b.at);
  for (let j = 0; j < k; j++) {
    const [m, i] = where(order[j].at);
    m[i] = 0;
  }
}

export function magnitudeMask(w: Float32Array, sel: { amount?: number; count?: number }, opts?: MagnitudeOptions, out?: Uint8Array): Uint8Array {
  const o = checkObject<MagnitudeOptions>('opts', opts, true);
  const n = w.length;
  const scores = (o.scores ?? w) as Float32Array;
  checkLen('scores', scores, n);
  const prior = o.prior as Uint8Array | undefined;
  if (prior) checkLen('prior', prior, n);
  const mask = out ?? new Uint8Array(n);
  const items: { key: number; at: number }[] = [];
  for (let i = 0; i < n; i++) {
    const live = !prior || prior[i] !== 0;
    mask[i] = live ? 1 : 0;
    if (live) items.push({ key: rankKey(scores[i]), at: i });
  }
  const k = pruneCount(sel, items.length);
  pruneSmallestKeys(items, k, (at) => [mask, at]);
  return mask;
}

export function globalMagnitudeMask(ws: Float32Array[], sel: { amount?: number; count?: number }, opts?: GlobalOptions): Uint8Array[] {
  const o = checkObject<GlobalOptions>('opts', opts, true);
  const masks = ws.map((w) => new Uint8Array(w.length));
  const items: { key: number; at: number }[] = [];
  const loc: [number, number][] = [];
  for (let t = 0; t < ws.length; t++) {
    const scores = (o.scores ? o.scores[t] : ws[t]) as Float32Array;
    const prior = o.prior ? (o.prior[t] as Uint8Array) : undefined;
    for (let i = 0; i < ws[t].length; i++) {
      const live = !prior || prior[i] !== 0;
      masks[t][i] = live ? 1 : 0;
      if (live) {
        items.push({ key: rankKey(scores[i]), at: loc.length }); // position in the concatenation
        loc.push([t, i]);
      }
    }
  }
  const k = pruneCount(sel, items.length);
  pruneSmallestKeys(items, k, (at) => [masks[loc[at][0]], loc[at][1]]);
  return masks;
}

export function thresholdMask(w: Float32Array, t: number, out?: Uint8Array): Uint8Array {
  if (Number.isNaN(t)) throw new RangeError('t: expected a number, got NaN');
  const mask = out ?? new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) mask[i] = Number.isNaN(w[i]) || Math.abs(w[i]) >= t ? 1 : 0;
  return mask;
}

/** MurmurHash3's 32-bit finaliser. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The random key of element i: fmix32(i * 0x9e3779b9 ^ fmix32(seed ^ 0x6a09e667)) >>> 1. */
export function randomKey(i: number, seed: number): number {
  const S = fmix32((seed ^ 0x6a09e667) >>> 0);
  return fmix32((Math.imul(i, 0x9e3779b9) ^ S) >>> 0) >>> 1;
}

export function randomMask(n: number, opts: RandomOptions, out?: Uint8Array): Uint8Array {
  const seed = opts.seed ?? 0;
  const mask = out ?? new Uint8Array(n);
  mask.fill(1);
  const items = Array.from({ length: n }, (_, i) => ({ key: randomKey(i, seed), at: i }));
  pruneSmallestKeys(items, pruneCount(opts, n, 'opts'), (at) => [mask, at]);
  return mask;
}

export function nmMask(w: Float32Array, shape: number[], opts: NMOptions, out?: Uint8Array): Uint8Array {
  const m = checkIntIn('m', opts.m, 1, 0x7fffffff);
  const nk = checkIntIn('n', opts.n, 0, m);
  const dims = checkShape('shape', shape, w.length);
  if (dims.length === 0 || dims[dims.length - 1] % m !== 0) throw new RangeError('shape: the last dimension is not a multiple of m');
  const mask = out ?? new Uint8Array(w.length);
  for (let g = 0; g < w.length; g += m) {
    // largest key first; equal keys: lower index first
    const idx = Array.from({ length: m }, (_, e) => g + e).sort((a, b) => rankKey(w[b]) - rankKey(w[a]) || a - b);
    for (let j = 0; j < m; j++) mask[idx[j]] = j < nk ? 1 : 0;
  }
  return mask;
}

/** Add one element to a norm: p = 1 |x|, p = 2 x^2 (in f64), p = 0 max |x| (NaN sticks). */
function normStep(acc: number, x: number, p: number): number {
  const a = Math.abs(x);
  if (p === 0) return Number.isNaN(acc) || !(a > acc || Number.isNaN(a)) ? acc : a;
  return acc + (p === 2 ? a * a : a);
}

/** Indices sorted by (norm, index), NaN above every number; the first k are pruned. */
function keepLargest(norms: number[], k: number): Uint8Array {
  const rank = (v: number) => (Number.isNaN(v) ? Infinity : v);
  const nan = (v: number) => (Number.isNaN(v) ? 1 : 0);
  const order = norms.map((_, j) => j).sort((a, b) => nan(norms[a]) - nan(norms[b]) || rank(norms[a]) - rank(norms[b]) || a - b);
  const keep = new Uint8Array(norms.length).fill(1);
  for (let j = 0; j < k; j++) keep[order[j]] = 0;
  return keep;
}

export function structuredMask(w: Float32Array, shape: number[], opts: StructuredOptions, out?: Uint8Array): Uint8Array {
  const dims = checkShape('shape', shape, w.length);
  const d = checkAxis('dim', opts.dim, dims.length);
  const p = opts.n === Infinity ? 0 : opts.n;
  const [, D, inner] = aroundAxis(dims, d);
  // ||slice j||: every element whose index along dim is j, in memory order
  const norms = new Array<number>(D).fill(0);
  for (let e = 0; e < w.length; e++) {
    const j = Math.floor(e / inner) % D;
    norms[j] = normStep(norms[j], w[e], p);
  }
  const keep = keepLargest(norms, pruneCount(opts, D, 'opts'));
  const mask = out ?? new Uint8Array(w.length);
  for (let e = 0; e < w.length; e++) mask[e] = keep[Math.floor(e / inner) % D];
  return mask;
}

export function blockMask(w: Float32Array, shape: number[], opts: BlockOptions, out?: Uint8Array): Uint8Array {
  const { bh, bw, p } = blockParams(opts);
  const [R, C] = blockView(checkShape('shape', shape, w.length));
  const nbc = Math.ceil(C / bw);
  const nb = Math.ceil(R / bh) * nbc;
  const blockOf = (e: number) => Math.floor(Math.floor(e / C) / bh) * nbc + Math.floor((e % C) / bw);
  const norms = new Array<number>(nb).fill(0);
  for (let e = 0; e < w.length; e++) norms[blockOf(e)] = normStep(norms[blockOf(e)], w[e], p);
  const keep = keepLargest(norms, pruneCount(opts, nb, 'opts'));
  const mask = out ?? new Uint8Array(w.length);
  for (let e = 0; e < w.length; e++) mask[e] = keep[blockOf(e)];
  return mask;
}

export function taylorScores(w: Float32Array, g: Float32Array, out?: Float32Array): Float32Array {
  checkLen('g', g, w.length);
  const r = out ?? new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) r[i] = Math.abs(f(w[i] * g[i]));
  return r;
}

export function obdScores(w: Float32Array, h: Float32Array, out?: Float32Array): Float32Array {
  checkLen('h', h, w.length);
  const r = out ?? new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) r[i] = f(f(f(w[i] * w[i]) * h[i]) * 0.5);
  return r;
}

export function applyMask(w: Float32Array, mask: Uint8Array, out?: Float32Array): Float32Array {
  checkLen('mask', mask, w.length);
  const r = out ?? new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) r[i] = w[i] * (mask[i] !== 0 ? 1 : 0);
  return r;
}

export function sparsity(x: Float32Array | Uint8Array): number {
  if (x.length === 0) return 0;
  let z = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === 0) z++;
  return z / x.length;
}

export function packMask(mask: Uint8Array, out?: Uint8Array): Uint8Array {
  const r = out ?? new Uint8Array(Math.ceil(mask.length / 8));
  r.fill(0);
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) r[i >> 3] |= 1 << (i & 7);
  return r;
}

export function unpackMask(bits: Uint8Array, n: number, out?: Uint8Array): Uint8Array {
  if (bits.length !== Math.ceil(n / 8)) throw new RangeError(`bits: expected ${Math.ceil(n / 8)} bytes`);
  const r = out ?? new Uint8Array(n);
  for (let i = 0; i < n; i++) r[i] = (bits[i >> 3] >> (i & 7)) & 1;
  return r;
}
