/**
 * Search spaces: checking a space, drawing points, the grid, and the encoding of a point into the
 * unit cube that the Gaussian process works in.
 *
 * A point is held as one number per dimension: the integer itself (`int`), the value (`float`) or
 * the index of the choice (`choice`). Encoded, `int` and `float` become one coordinate in [0, 1]
 * (log-scaled when `log`), a `choice` of k options becomes k one-hot coordinates.
 * @module
 */
import type { Rng } from './rng.js';

/** An integer dimension, both ends included. */
export interface IntDim { int: readonly [number, number] }
/** A real dimension, both ends included; `log` samples and models it on a log scale (lo > 0). */
export interface FloatDim { float: readonly [number, number]; log?: boolean }
/** One of a list of values (any values; compared by position, never by value). */
export interface ChoiceDim<T = unknown> { choice: readonly T[] }
/** One dimension of a search space. */
export type Dim = IntDim | FloatDim | ChoiceDim;
/** A search space: a name for every dimension. */
export type Space = { readonly [name: string]: Dim };
/** The configuration a space describes: numbers for `int` / `float`, the chosen value for `choice`. */
export type Config<S extends Space> = { -readonly [K in keyof S]: S[K] extends ChoiceDim<infer T> ? T : number };

/** A checked dimension (used inside the search modules). */
export interface DimInfo {
  name: string;
  kind: 'int' | 'float' | 'choice';
  lo: number;
  hi: number;
  log: boolean;
  values: readonly unknown[];
  /** Encoded coordinates. */
  width: number;
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Checks a space and lists its dimensions in key order. */
export function checkSpace(space: unknown): DimInfo[] {
  if (typeof space !== 'object' || space === null || Array.isArray(space)) throw new TypeError(`space: expected an object of dimensions, got ${typeName(space)}`);
  const dims: DimInfo[] = [];
  for (const name of Object.keys(space)) {
    const d = (space as Record<string, unknown>)[name] as Record<string, unknown>;
    const where = `space.${name}`;
    if (typeof d !== 'object' || d === null) throw new TypeError(`${where}: expected { int }, { float } or { choice }, got ${typeName(d)}`);
    const keys = ['int', 'float', 'choice'].filter((k) => k in d);
    if (keys.length !== 1) throw new TypeError(`${where}: expected exactly one of int, float, choice`);
    if (keys[0] === 'choice') {
      const c = d.choice;
      if (!Array.isArray(c)) throw new TypeError(`${where}.choice: expected an array, got ${typeName(c)}`);
      if (c.length === 0) throw new RangeError(`${where}.choice: expected at least one value`);
      dims.push({ name, kind: 'choice', lo: 0, hi: c.length - 1, log: false, values: c.slice(), width: c.length });
      continue;
    }
    const kind = keys[0] as 'int' | 'float';
    const r = d[kind];
    if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'number' || typeof r[1] !== 'number') throw new TypeError(`${where}.${kind}: expected [lo, hi] numbers`);
    const [lo, hi] = r as [number, number];
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new RangeError(`${where}.${kind}: expected finite lo <= hi, got [${lo}, ${hi}]`);
    if (kind === 'int' && (!Number.isInteger(lo) || !Number.isInteger(hi))) throw new RangeError(`${where}.int: expected integer ends, got [${lo}, ${hi}]`);
    const log = kind === 'float' && d.log === true;
    if (kind === 'float' && d.log !== undefined && typeof d.log !== 'boolean') throw new TypeError(`${where}.log: expected a boolean, got ${typeName(d.log)}`);
    if (log && lo <= 0) throw new RangeError(`${where}.float: a log dimension needs lo > 0, got ${lo}`);
    dims.push({ name, kind, lo, hi, log, values: [], width: 1 });
  }
  if (dims.length === 0) throw new RangeError('space: expected at least one dimension');
  return dims;
}

/** Where u in [0, 1] falls in a numeric dimension (integers: equal-width bins). */
export function fromUnit(d: DimInfo, u: number): number {
  if (d.kind === 'int') return Math.min(d.hi, d.lo + Math.floor(u * (d.hi - d.lo + 1)));
  if (d.kind === 'choice') return Math.min(d.hi, Math.floor(u * d.values.length));
  const v = d.log ? Math.exp(Math.log(d.lo) + u * (Math.log(d.hi) - Math.log(d.lo))) : d.lo + u * (d.hi - d.lo);
  return Math.min(d.hi, Math.max(d.lo, v));
}

/** A numeric dimension's value as a coordinate in [0, 1] (a single-valued dimension is 0.5). */
export function toUnit(d: DimInfo, v: number): number {
  if (d.hi === d.lo) return 0.5;
  if (d.log) return (Math.log(v) - Math.log(d.lo)) / (Math.log(d.hi) - Math.log(d.lo));
  return (v - d.lo) / (d.hi - d.lo);
}

/** A uniform random point (log-uniform on log dimensions). */
export function randomPoint(dims: DimInfo[], rng: Rng): number[] {
  return dims.map((d) => fromUnit(d, rng.next()));
}

/** The point's encoding for the Gaussian process. */
export function encode(dims: DimInfo[], p: readonly number[]): number[] {
  const x: number[] = [];
  dims.forEach((d, i) => {
    if (d.kind === 'choice') for (let j = 0; j < d.values.length; j++) x.push(j === p[i] ? 1 : 0);
    else x.push(toUnit(d, p[i]));
  });
  return x;
}

/** The configuration object of a point. */
export function decode(dims: DimInfo[], p: readonly number[]): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  dims.forEach((d, i) => { c[d.name] = d.kind === 'choice' ? d.values[p[i]] : p[i]; });
  return c;
}

/** A key that identifies a point (equal keys: the same configuration). */
export const pointKey = (p: readonly number[]): string => p.join(',');

/**
 * A point near `p`: numeric coordinates moved by a normal step of `sigma` (in unit coordinates,
 * clamped, integers rounded), each choice redrawn with probability `flip`.
 */
export function perturb(dims: DimInfo[], p: readonly number[], sigma: number, flip: number, rng: Rng): number[] {
  return dims.map((d, i) => {
    if (d.kind === 'choice') return rng.next() < flip ? rng.int(d.values.length) : p[i];
    const u = Math.min(1, Math.max(0, toUnit(d, p[i]) + sigma * rng.normal()));
    if (d.kind === 'int') return d.hi === d.lo ? d.lo : Math.round(d.lo + u * (d.hi - d.lo));
    return d.hi === d.lo ? d.lo : fromUnit(d, u);
  });
}

/** Levels of one dimension on a grid of `levels` values per numeric dimension. */
export function gridLevels(d: DimInfo, levels: number): number[] {
  if (d.kind === 'choice') return d.values.map((_, j) => j);
  if (d.kind === 'int') {
    const n = d.hi - d.lo + 1;
    if (n <= levels) return Array.from({ length: n }, (_, j) => d.lo + j);
    if (levels === 1) return [Math.round((d.lo + d.hi) / 2)];
    const out: number[] = [];
    for (let j = 0; j < levels; j++) {
      const v = Math.round(d.lo + (j * (d.hi - d.lo)) / (levels - 1));
      if (out[out.length - 1] !== v) out.push(v);
    }
    return out;
  }
  if (levels === 1 || d.hi === d.lo) return [d.hi === d.lo ? d.lo : fromUnit(d, 0.5)];
  return Array.from({ length: levels }, (_, j) => (j === levels - 1 ? d.hi : fromUnit(d, j / (levels - 1))));
}

/** Points of the full grid with `levels` values per numeric dimension. */
export function gridSize(dims: DimInfo[], levels: number): number {
  return dims.reduce((s, d) => s * gridLevels(d, levels).length, 1);
}

/** The full grid with `levels` values per numeric dimension, the first dimension varying slowest. */
export function grid(dims: DimInfo[], levels: number): number[][] {
  const lv = dims.map((d) => gridLevels(d, levels));
  const out: number[][] = [];
  const p = new Array<number>(dims.length);
  const walk = (i: number) => {
    if (i === dims.length) { out.push(p.slice()); return; }
    for (const v of lv[i]) { p[i] = v; walk(i + 1); }
  };
  walk(0);
  return out;
}
