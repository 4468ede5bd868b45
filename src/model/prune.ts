/**
 * pruneOnnx: sparq's pruning masks applied to a model's weights; the result is the same dense
 * model with zeros (smaller once compressed, and ready for sparse kernels).
 * @module
 */
import type { Sparq } from '../sparq.js';
import type { OnnxModel, OnnxNode, OnnxTensor } from './onnx.js';
import { cloneModel, constantsToInitializers, floatData, initializerMap, namedIn, selector, weightSlot } from './graph.js';
import { sparqInstance } from './quantize.js';

/** Options of `pruneOnnx`. */
export interface PruneOnnxOptions {
  /**
   * 'magnitude': the `amount` smallest |w| of each weight. 'global': the `amount` smallest |w| over
   * all chosen weights together. 'nm': the `n` largest |w| of every `m` consecutive weights along
   * the input dimension. 'structured': the `amount` output channels (rows) of smallest L2 norm.
   */
  method: 'magnitude' | 'global' | 'nm' | 'structured';
  /** Fraction pruned, in [0, 1] (magnitude, global, structured). */
  amount?: number;
  /** N:M (method 'nm'), e.g. n 2, m 4. */
  n?: number;
  m?: number;
  nodes?: string[];
  exclude?: string[];
  /** Skip weights with fewer elements (default 0). */
  minElements?: number;
  sq?: Sparq;
}

interface Target {
  t: OnnxTensor;
  node: OnnxNode;
  out: number;
  inAxis: number;
}

/** Prune the chosen weights (MatMul, Gemm, Conv, ConvTranspose); a new model, the given one is not modified. */
export async function pruneOnnx(model: OnnxModel, options: PruneOnnxOptions): Promise<OnnxModel> {
  if (typeof model !== 'object' || model === null || typeof model.graph !== 'object') throw new TypeError('model: expected an OnnxModel (from readOnnx)');
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object with a method');
  const o = options;
  if (!['magnitude', 'global', 'nm', 'structured'].includes(o.method)) throw new TypeError(`options.method: expected 'magnitude', 'global', 'nm' or 'structured', got ${JSON.stringify(o.method)}`);
  if (o.method === 'nm') {
    if (!Number.isInteger(o.n) || !Number.isInteger(o.m) || (o.n as number) < 0 || (o.m as number) < 1 || (o.n as number) > (o.m as number)) throw new RangeError(`options.n / options.m: expected integers 0 <= n <= m, m >= 1, got ${o.n}:${o.m}`);
    if (o.amount !== undefined) throw new TypeError("options.amount: does not apply to method 'nm' (give n and m)");
  } else if (typeof o.amount !== 'number' || !(o.amount >= 0 && o.amount <= 1)) throw new RangeError(`options.amount: expected a fraction in [0, 1], got ${o.amount}`);
  const sq = await sparqInstance(o.sq);
  const out = cloneModel(model);
  const g = out.graph;
  const want = selector(o.nodes, o.exclude);
  constantsToInitializers(g, want);
  const inits = initializerMap(g);
  const targets = new Map<string, Target>();
  for (const node of g.node) {
    const slot = weightSlot(node);
    if (!slot || node.opType === 'Gather' || !want(node)) continue;
    const name = node.input[slot.input];
    const t = inits.get(name);
    if (!t || !floatData(t)) {
      if (namedIn(node, o.nodes)) throw new TypeError(`node '${node.name}' (${node.opType}): its weight '${name}' is not a constant float32 initializer`);
      continue;
    }
    if (t.data.length < (o.minElements ?? 0) || t.dims.length < 2 || targets.has(name)) continue;
    targets.set(name, { t, node, out: slot.outAxis(t.dims.length), inAxis: slot.inAxis(t.dims.length) });
  }
  const masks = new Map<string, Uint8Array>();
  const list = [...targets.values()];
  if (o.method === 'global') {
    const ms = sq.globalMagnitudeMask(list.map((x) => floatData(x.t) as Float32Array), { amount: o.amount as number });
    list.forEach((x, i) => masks.set(x.t.name as string, ms[i]));
  } else {
    for (const x of list) {
      const w = floatData(x.t) as Float32Array;
      if (o.method === 'magnitude') masks.set(x.t.name as string, sq.magnitudeMask(w, { amount: o.amount as number }));
      else if (o.method === 'structured') masks.set(x.t.name as string, sq.structuredMask(w, x.t.dims, { amount: o.amount as number, dim: x.out, n: 2 }));
      else {
        const mk = nmAlongInput(sq, w, x, o.n as number, o.m as number);
        if (mk) masks.set(x.t.name as string, mk);
        else if (namedIn(x.node, o.nodes)) throw new RangeError(`node '${x.node.name}' (${x.node.opType}): weight '${x.t.name}' [${x.t.dims.join(', ')}] has no input dimension that is a multiple of m = ${o.m}`);
      }
    }
  }
  g.initializer = g.initializer.map((t) => {
    const mk = masks.get(t.name ?? '');
    return mk ? { ...t, data: sq.applyMask(floatData(t) as Float32Array, mk) } : t;
  });
  return out;
}

/** N:M groups along the input dimension: [K, N] MatMul weights are transposed for the mask and back. */
function nmAlongInput(sq: Sparq, w: Float32Array, x: Target, n: number, m: number): Uint8Array | undefined {
  const dims = x.t.dims;
  const r = dims.length;
  if (x.inAxis === -1 || x.inAxis === r - 1) {
    // input axes last (Conv: everything after the output channel, flattened)
    const rows = x.inAxis === -1 ? dims[0] : dims.slice(0, r - 1).reduce((a, b) => a * b, 1);
    const cols = w.length / Math.max(rows, 1);
    if (cols % m !== 0) return undefined;
    return sq.nmMask(w, [rows, cols], { n, m });
  }
  if (r === 2 && x.inAxis === 0) {
    const [K, N] = dims;
    if (K % m !== 0) return undefined;
    const t = new Float32Array(K * N);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) t[j * K + k] = w[k * N + j];
    const mt = sq.nmMask(t, [N, K], { n, m });
    const mk = new Uint8Array(K * N);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) mk[k * N + j] = mt[j * K + k];
    return mk;
  }
  return undefined;
}
