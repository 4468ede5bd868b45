/**
 * Graph helpers shared by quantizeOnnx, pruneOnnx and compressionReport: which input of a node is
 * its weight and along which axes, constant lookup, node selection, fresh names.
 * @module
 */
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor } from './onnx.js';

/** Where a node keeps its weight and how the weight's axes map to output / input channels. */
export interface WeightSlot {
  /** Input index of the weight. */
  input: number;
  /** The output-channel axis of a weight of rank `rank`. */
  outAxis(rank: number): number;
  /** The input (reduction) axis, or -1 when the input axes are all axes but the output one (Conv). */
  inAxis(rank: number): number;
}

/** An attribute's int value (or `dflt`). */
export function attrInt(n: OnnxNode, name: string, dflt: number): number {
  const a = n.attribute.find((x) => x.name === name);
  return a?.i === undefined ? dflt : Number(a.i);
}

/** An attribute's float value (or `dflt`). */
export function attrFloat(n: OnnxNode, name: string, dflt: number): number {
  const a = n.attribute.find((x) => x.name === name);
  return a?.f === undefined ? dflt : a.f;
}

/** The weight input of the node types the model entry compresses (undefined for others). */
export function weightSlot(n: OnnxNode): WeightSlot | undefined {
  if (n.domain && n.domain !== 'ai.onnx') return undefined;
  switch (n.opType) {
    case 'MatMul':
      return { input: 1, outAxis: (r) => r - 1, inAxis: (r) => r - 2 };
    case 'Gemm': {
      const tb = attrInt(n, 'transB', 0) !== 0;
      return { input: 1, outAxis: () => (tb ? 0 : 1), inAxis: () => (tb ? 1 : 0) };
    }
    case 'Conv':
      return { input: 1, outAxis: () => 0, inAxis: () => -1 };
    case 'ConvTranspose':
      return { input: 1, outAxis: () => 1, inAxis: () => 0 };
    case 'Gather':
      return { input: 0, outAxis: () => 0, inAxis: () => 1 };
    default:
      return undefined;
  }
}

/** Node selection: `nodes` (names or op types; all when absent) minus `exclude`. */
export function selector(nodes?: readonly string[], exclude?: readonly string[], name = 'options'): (n: OnnxNode) => boolean {
  for (const [k, v] of [['nodes', nodes], ['exclude', exclude]] as const) {
    if (v !== undefined && (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))) throw new TypeError(`${name}.${k}: expected an array of node names or op types`);
  }
  const inc = nodes ? new Set(nodes) : undefined;
  const exc = new Set(exclude ?? []);
  return (n) => (!inc || inc.has(n.name ?? '') || inc.has(n.opType)) && !exc.has(n.name ?? '') && !exc.has(n.opType);
}

/** True when `n` was named in `nodes` (by name, not by op type). */
export function namedIn(n: OnnxNode, nodes?: readonly string[]): boolean {
  return !!nodes && !!n.name && nodes.includes(n.name);
}

/** The graph's initializers by name. */
export function initializerMap(g: OnnxGraph): Map<string, OnnxTensor> {
  return new Map(g.initializer.map((t) => [t.name ?? '', t]));
}

/** How many times each value name is read by a node of the graph, its subgraphs included, or is a graph output. */
export function useCounts(g: OnnxGraph): Map<string, number> {
  const c = new Map<string, number>();
  const add = (s: string) => c.set(s, (c.get(s) ?? 0) + 1);
  const walk = (gr: OnnxGraph) => {
    for (const n of gr.node) {
      for (const i of n.input) if (i) add(i);
      for (const a of n.attribute) for (const sub of subgraphs(a)) walk(sub);
    }
    for (const o of gr.output) add(o.name);
  };
  walk(g);
  return c;
}

function subgraphs(a: OnnxAttribute): OnnxGraph[] {
  return [...(a.g ? [a.g] : []), ...(a.graphs ?? [])];
}

/** A name not yet used in the graph: `base`, else `base_1`, `base_2`, ... */
export function fresh(taken: Set<string>, base: string): string {
  let s = base;
  for (let i = 1; taken.has(s); i++) s = `${base}_${i}`;
  taken.add(s);
  return s;
}

/** Every value, node and initializer name of the graph. */
export function names(g: OnnxGraph): Set<string> {
  const s = new Set<string>();
  for (const t of g.initializer) if (t.name) s.add(t.name);
  for (const v of [...g.input, ...g.output, ...(g.valueInfo ?? [])]) s.add(v.name);
  for (const n of g.node) {
    if (n.name) s.add(n.name);
    for (const x of [...n.input, ...n.output]) if (x) s.add(x);
  }
  return s;
}

/** The version of the default (ai.onnx) opset. */
export function onnxOpset(m: OnnxModel): number {
  const o = m.opsetImport.find((x) => !x.domain || x.domain === 'ai.onnx');
  return o?.version === undefined ? 1 : Number(o.version);
}

/** A float32 weight's values (FLOAT initializers only). */
export function floatData(t: OnnxTensor): Float32Array | undefined {
  return t.dataType === 1 && t.data instanceof Float32Array ? t.data : undefined;
}

/** Drop initializers no node or output reads any more (and their graph inputs). */
export function dropUnused(g: OnnxGraph, candidates: Set<string>): void {
  if (!candidates.size) return;
  const uses = useCounts(g);
  const dead = new Set([...candidates].filter((n) => !uses.get(n)));
  if (!dead.size) return;
  g.initializer = g.initializer.filter((t) => !dead.has(t.name ?? ''));
  g.input = g.input.filter((v) => !dead.has(v.name));
  if (g.valueInfo) g.valueInfo = g.valueInfo.filter((v) => !dead.has(v.name));
}

/** Shallow copy of a model with its own graph arrays (tensors are shared, never modified). */
export function cloneModel(m: OnnxModel): OnnxModel {
  const g = m.graph;
  return {
    ...m,
    opsetImport: m.opsetImport.map((o) => ({ ...o })),
    graph: { ...g, node: g.node.map((n) => ({ ...n, input: n.input.slice(), output: n.output.slice() })), initializer: g.initializer.slice(), input: g.input.slice(), output: g.output.slice(), ...(g.valueInfo ? { valueInfo: g.valueInfo.slice() } : {}) },
  };
}

/** A FLOAT / INT attribute. */
export const intAttr = (name: string, i: number): OnnxAttribute => ({ name, type: 2, i });

/** Weights held by `Constant` nodes that feed a weight slot become initializers (the Constant node goes). */
export function constantsToInitializers(g: OnnxGraph, want: (n: OnnxNode) => boolean): void {
  const consts = new Map<string, OnnxNode>();
  for (const n of g.node) {
    if (n.opType === 'Constant' && (!n.domain || n.domain === 'ai.onnx') && n.output.length === 1 && n.attribute.length === 1 && n.attribute[0].name === 'value' && n.attribute[0].t) consts.set(n.output[0], n);
  }
  if (!consts.size) return;
  const taken = new Set(g.initializer.map((t) => t.name));
  const moved = new Set<OnnxNode>();
  for (const n of g.node) {
    const slot = weightSlot(n);
    if (!slot || !want(n)) continue;
    const c = consts.get(n.input[slot.input]);
    if (!c || moved.has(c) || taken.has(c.output[0])) continue;
    const t = c.attribute[0].t as OnnxTensor;
    if (t.dataType !== 1) continue;
    g.initializer.push({ ...t, name: c.output[0] });
    moved.add(c);
  }
  if (moved.size) g.node = g.node.filter((n) => !moved.has(n));
}
