/**
 * `searchCompression(layers, evaluate, opts)`: per-layer (sparsity, bits) choices under a size
 * budget, with the exact stored size of each candidate in sparq's formats, and the Pareto front of
 * (bytes, metric) over the evaluated candidates.
 * @module
 */
import { type ObjectiveResult, type SearchOptions, type Trial, type TrialContext, search } from './search.js';

/** A linear layer's weight W [rows x cols] = [out x in] (as `sparseLinear` takes it). */
export interface CompressionLayer {
  name?: string;
  rows: number;
  cols: number;
  /** The layer has an f32 bias of `rows` values (counted in every size). Default false. */
  bias?: boolean;
}

/** An N:M pattern: n kept of every m consecutive weights along a row (the input dimension). */
export interface NmPattern { n: number; m: number }

/** How a layer's weight is stored. */
export type StorageFormat = 'dense-f32' | 'csr' | 'nm' | 'dense-int8' | 'csr-int8' | 'int4';

/** The choice for one layer and its stored size. */
export interface LayerPlan {
  name: string;
  rows: number;
  cols: number;
  /** Fraction of weights pruned (an N:M pattern: 1 - n / m). */
  sparsity: number;
  /** The N:M pattern when the sparsity is one, else null (magnitude pruning of the whole weight). */
  nm: NmPattern | null;
  /** Weight bits: 8 (int8 per output channel), 4 (int4 blocks) or null (f32). */
  bits: 8 | 4 | null;
  /** The smallest of sparq's formats that stores the choice. */
  format: StorageFormat;
  /** Stored weights (nonzeros of a sparse format; every weight of a dense one). */
  nnz: number;
  /** Bytes of the stored weight and its scales / indices, plus the bias. */
  bytes: number;
}

/** A candidate: one plan per layer and the total. */
export interface CompressionPlan {
  layers: LayerPlan[];
  bytes: number;
  /** bytes / the dense f32 bytes. */
  ratio: number;
}

/** Options of `searchCompression`. */
export interface CompressionOptions extends Omit<SearchOptions<CompressionPlan>, 'constraint' | 'onTrial'> {
  /** At most this many bytes, or this fraction of the dense f32 bytes (0 < ratio <= 1). */
  budget: { bytes: number } | { ratio: number };
  choices?: {
    /** Magnitude-pruning fractions in [0, 1). Default [0, 0.5, 0.75, 0.9, 0.95]. */
    sparsity?: number[];
    /** Default [null, 8, 4]. */
    bits?: (8 | 4 | null)[];
    /** N:M patterns offered besides the fractions (every layer's cols must be a multiple of m). */
    nm?: NmPattern[];
    /** int4 block length along the input dimension: 32 (default), 64 or 128. */
    int4Block?: 32 | 64 | 128;
  };
  onTrial?: (trial: Trial<CompressionPlan>, done: number) => void;
}

/** The result of `searchCompression`. */
export interface CompressionResult {
  /** The highest metric (fewer bytes, then the lower index, on ties). */
  best: Trial<CompressionPlan> | undefined;
  trials: Trial<CompressionPlan>[];
  /** Evaluated trials no other beats on both bytes (fewer) and metric (higher), by increasing bytes. */
  pareto: Trial<CompressionPlan>[];
  /** Bytes of every layer dense in f32 (biases included). */
  denseBytes: number;
  /** The budget in bytes. */
  budgetBytes: number;
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Python's round(): half to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x), d = x - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

/**
 * Stored bytes of a weight [rows x cols] in one format (no alignment padding; see docs/search.md):
 * - dense-f32: 4 rows cols
 * - csr: indptr 4 (rows + 1) + column indices 2 nnz (4 nnz when cols > 65536) + values 4 nnz
 * - nm: values 4 rows cols n / m + positions rows ceil(cols n / m * b / 8), b = 2 (m <= 4), 4 (m <= 16), 8
 * - dense-int8: rows cols + one f32 scale per row 4 rows (symmetric, zero point 0 not stored)
 * - csr-int8: 4 (rows + 1) + 2 nnz (or 4 nnz) + nnz + 4 rows
 * - int4: packedInt4 (k = cols, n = rows) as toOnnx gives it, symmetric: rows ceil(cols / bs) bs / 2 + 4 rows ceil(cols / bs)
 */
export function storedBytes(format: StorageFormat, rows: number, cols: number, nnz: number, opts: { nm?: NmPattern; int4Block?: number } = {}): number {
  const idx = cols <= 65536 ? 2 : 4;
  switch (format) {
    case 'dense-f32': return 4 * rows * cols;
    case 'csr': return 4 * (rows + 1) + (idx + 4) * nnz;
    case 'nm': {
      const { n, m } = opts.nm!;
      const per = (cols * n) / m;
      const b = m <= 4 ? 2 : m <= 16 ? 4 : 8;
      return 4 * rows * per + rows * Math.ceil((per * b) / 8);
    }
    case 'dense-int8': return rows * cols + 4 * rows;
    case 'csr-int8': return 4 * (rows + 1) + (idx + 1) * nnz + 4 * rows;
    case 'int4': {
      const bs = opts.int4Block ?? 32;
      const blocks = Math.ceil(cols / bs);
      return (rows * blocks * bs) / 2 + 4 * rows * blocks;
    }
  }
}

/** The plan of one layer: the formats that can hold the choice, the smallest one (the first listed on ties). */
export function planLayer(layer: Required<CompressionLayer>, sparsity: number | NmPattern, bits: 8 | 4 | null, int4Block = 32): LayerPlan {
  const { rows, cols } = layer;
  const total = rows * cols;
  const nm = typeof sparsity === 'number' ? null : sparsity;
  const s = nm ? 1 - nm.n / nm.m : sparsity as number;
  const nnz = nm ? (total * nm.n) / nm.m : total - roundHalfEven(s * total);
  const formats: StorageFormat[] = bits === 8 ? ['dense-int8', ...(nnz < total ? ['csr-int8' as const] : [])]
    : bits === 4 ? ['int4']
      : ['dense-f32', ...(nnz < total ? ['csr' as const] : []), ...(nm ? ['nm' as const] : [])];
  let format = formats[0], bytes = Infinity;
  for (const f of formats) {
    const b = storedBytes(f, rows, cols, nnz, { nm: nm ?? undefined, int4Block });
    if (b < bytes) { bytes = b; format = f; }
  }
  const dense = format === 'dense-f32' || format === 'dense-int8' || format === 'int4';
  return { name: layer.name, rows, cols, sparsity: s, nm, bits, format, nnz: dense ? total : nnz, bytes: bytes + (layer.bias ? 4 * rows : 0) };
}

function checkLayers(layers: unknown): Required<CompressionLayer>[] {
  if (!Array.isArray(layers)) throw new TypeError(`layers: expected an array, got ${typeName(layers)}`);
  if (layers.length === 0) throw new RangeError('layers: expected at least one layer');
  return layers.map((l, i) => {
    if (typeof l !== 'object' || l === null) throw new TypeError(`layers[${i}]: expected { rows, cols }, got ${typeName(l)}`);
    const { rows, cols, name, bias } = l as CompressionLayer;
    for (const [k, v] of [['rows', rows], ['cols', cols]] as const) {
      if (typeof v !== 'number') throw new TypeError(`layers[${i}].${k}: expected a number, got ${typeName(v)}`);
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`layers[${i}].${k}: expected an integer >= 1, got ${v}`);
    }
    if (name !== undefined && typeof name !== 'string') throw new TypeError(`layers[${i}].name: expected a string, got ${typeName(name)}`);
    if (bias !== undefined && typeof bias !== 'boolean') throw new TypeError(`layers[${i}].bias: expected a boolean, got ${typeName(bias)}`);
    return { name: name ?? `layer${i}`, rows, cols, bias: bias ?? false };
  });
}

/**
 * Searches per-layer (sparsity, bits) for the highest `evaluate(plan)` under a size budget. Each
 * layer contributes two integer dimensions to the search: the index into its sparsity options
 * (fractions and N:M patterns together, by increasing sparsity, fractions first on ties) and the
 * index into the bits options (f32, 8, 4 in that order). Candidates over the budget are never
 * evaluated.
 */
export async function searchCompression(
  layers: readonly CompressionLayer[],
  evaluate: (plan: CompressionPlan, ctx: TrialContext) => ObjectiveResult | Promise<ObjectiveResult>,
  opts: CompressionOptions,
): Promise<CompressionResult> {
  const L = checkLayers(layers);
  if (typeof evaluate !== 'function') throw new TypeError(`evaluate: expected a function, got ${typeName(evaluate)}`);
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`opts: expected an object, got ${typeName(opts)}`);
  const ch = opts.choices ?? {};
  if (typeof ch !== 'object' || ch === null) throw new TypeError(`opts.choices: expected an object, got ${typeName(ch)}`);
  const fr = ch.sparsity ?? [0, 0.5, 0.75, 0.9, 0.95];
  if (!Array.isArray(fr)) throw new TypeError(`opts.choices.sparsity: expected an array, got ${typeName(fr)}`);
  fr.forEach((s, i) => {
    if (typeof s !== 'number') throw new TypeError(`opts.choices.sparsity[${i}]: expected a number, got ${typeName(s)}`);
    if (!(s >= 0 && s < 1)) throw new RangeError(`opts.choices.sparsity[${i}]: expected a fraction in [0, 1), got ${s}`);
  });
  const nms = ch.nm ?? [];
  if (!Array.isArray(nms)) throw new TypeError(`opts.choices.nm: expected an array, got ${typeName(nms)}`);
  nms.forEach((p, i) => {
    if (typeof p !== 'object' || p === null || typeof p.n !== 'number' || typeof p.m !== 'number') throw new TypeError(`opts.choices.nm[${i}]: expected { n, m }`);
    if (!Number.isInteger(p.n) || !Number.isInteger(p.m) || p.n < 1 || p.m > 256 || p.n > p.m) throw new RangeError(`opts.choices.nm[${i}]: expected integers 1 <= n <= m <= 256, got ${p.n}:${p.m}`);
    for (const l of L) if (l.cols % p.m) throw new RangeError(`opts.choices.nm[${i}]: ${p.n}:${p.m} needs cols a multiple of ${p.m}; layer ${l.name} has ${l.cols}`);
  });
  const bitsRaw = ch.bits ?? [null, 8, 4];
  if (!Array.isArray(bitsRaw)) throw new TypeError(`opts.choices.bits: expected an array, got ${typeName(bitsRaw)}`);
  bitsRaw.forEach((b, i) => { if (b !== null && b !== 8 && b !== 4) throw new RangeError(`opts.choices.bits[${i}]: expected 8, 4 or null, got ${String(b)}`); });
  const order = (b: 8 | 4 | null) => (b === null ? 0 : b === 8 ? 1 : 2);
  const bits = [...new Set(bitsRaw)].sort((a, b) => order(a) - order(b));
  const int4Block = ch.int4Block ?? 32;
  if (int4Block !== 32 && int4Block !== 64 && int4Block !== 128) throw new RangeError(`opts.choices.int4Block: expected 32, 64 or 128, got ${String(int4Block)}`);
  const sp: (number | NmPattern)[] = [...new Set(fr)].sort((a, b) => a - b);
  for (const p of nms) {
    const s = 1 - p.n / p.m;
    let at = sp.findIndex((q) => (typeof q === 'number' ? q : 1 - q.n / q.m) > s);
    if (at < 0) at = sp.length;
    sp.splice(at, 0, { n: p.n, m: p.m });
  }
  if (sp.length === 0) throw new RangeError('opts.choices.sparsity: expected at least one choice');
  if (bits.length === 0) throw new RangeError('opts.choices.bits: expected at least one choice');

  const denseBytes = L.reduce((s, l) => s + 4 * l.rows * l.cols + (l.bias ? 4 * l.rows : 0), 0);
  const b = opts.budget as { bytes?: unknown; ratio?: unknown };
  if (typeof b !== 'object' || b === null) throw new TypeError(`opts.budget: expected { bytes } or { ratio }, got ${typeName(b)}`);
  let budgetBytes: number;
  if (b.bytes !== undefined && b.ratio === undefined) {
    if (typeof b.bytes !== 'number') throw new TypeError(`opts.budget.bytes: expected a number, got ${typeName(b.bytes)}`);
    if (!(b.bytes > 0)) throw new RangeError(`opts.budget.bytes: expected a number > 0, got ${b.bytes}`);
    budgetBytes = Math.floor(b.bytes);
  } else if (b.ratio !== undefined && b.bytes === undefined) {
    if (typeof b.ratio !== 'number') throw new TypeError(`opts.budget.ratio: expected a number, got ${typeName(b.ratio)}`);
    if (!(b.ratio > 0 && b.ratio <= 1)) throw new RangeError(`opts.budget.ratio: expected a fraction of the f32 size in (0, 1], got ${b.ratio} (a 10x smaller model is 0.1)`);
    budgetBytes = Math.floor(b.ratio * denseBytes);
  } else throw new TypeError('opts.budget: expected exactly one of bytes, ratio');

  const space: Record<string, { int: [number, number] }> = {};
  L.forEach((l, i) => {
    space[`${i}.sparsity`] = { int: [0, sp.length - 1] };
    space[`${i}.bits`] = { int: [0, bits.length - 1] };
  });
  const toPlan = (c: Record<string, number>): CompressionPlan => {
    const lp = L.map((l, i) => planLayer(l, sp[c[`${i}.sparsity`]], bits[c[`${i}.bits`]], int4Block));
    const bytes = lp.reduce((s, p) => s + p.bytes, 0);
    return { layers: lp, bytes, ratio: bytes / denseBytes };
  };
  const smallest = L.reduce((s, l) => s + Math.min(...sp.flatMap((q) => bits.map((bb) => planLayer(l, q, bb, int4Block).bytes))), 0);
  if (smallest > budgetBytes) throw new RangeError(`opts.budget: ${budgetBytes} bytes is below the smallest candidate (${smallest} bytes)`);

  const { onTrial, budget: _b, choices: _c, ...rest } = opts;
  const r = await search(space, (c, ctx) => evaluate(toPlan(c as Record<string, number>), ctx), {
    ...rest,
    constraint: (c) => toPlan(c as Record<string, number>).bytes <= budgetBytes,
    onTrial: onTrial ? (t, done) => onTrial({ ...t, config: toPlan(t.config as Record<string, number>) }, done) : undefined,
  } as SearchOptions<Record<string, number>>);
  const trials = r.trials.map((t) => ({ ...t, config: toPlan(t.config as Record<string, number>) }));
  let best: Trial<CompressionPlan> | undefined;
  for (const t of trials) {
    if (t.value === undefined) continue;
    if (!best || t.value > best.value! || (t.value === best.value && t.config.bytes < best.config.bytes)) best = t;
  }
  const ok = trials.filter((t) => t.value !== undefined).sort((a, b) => a.config.bytes - b.config.bytes || b.value! - a.value! || a.index - b.index);
  const pareto: Trial<CompressionPlan>[] = [];
  for (const t of ok) if (pareto.length === 0 || t.value! > pareto[pareto.length - 1].value!) pareto.push(t);
  return { best, trials, pareto, denseBytes, budgetBytes };
}
