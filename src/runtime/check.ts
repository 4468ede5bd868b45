/**
 * Argument checks shared by every family: each failure is a TypeError (wrong kind) or RangeError
 * (wrong value) that names the argument and says what was expected.
 * @module
 */
import { typeName } from './runtime.js';

/** A non-negative safe integer. */
export function checkCount(name: string, v: unknown, min = 0): number {
  if (typeof v !== 'number') throw new TypeError(`${name}: expected an integer, got ${typeName(v)}`);
  if (!Number.isInteger(v)) throw new RangeError(`${name}: expected an integer, got ${v}`);
  if (v < min || v > 0x7fffffff) throw new RangeError(`${name}: expected an integer in [${min}, 2147483647], got ${v}`);
  return v;
}

/** An integer in [lo, hi]. */
export function checkIntIn(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number') throw new TypeError(`${name}: expected an integer, got ${typeName(v)}`);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name}: expected an integer in [${lo}, ${hi}], got ${v}`);
  return v;
}

/** A finite number. */
export function checkFinite(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${name}: expected a number, got ${typeName(v)}`);
  if (!Number.isFinite(v)) throw new RangeError(`${name}: expected a finite number, got ${v}`);
  return v;
}

/** One of a fixed set of strings. */
export function checkEnum<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new TypeError(`${name}: expected ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${typeof v === 'string' ? `'${v}'` : typeName(v)}`);
  }
  return v as T;
}

/** A plain options object (or undefined -> {}). */
export function checkObject<T extends object>(name: string, v: unknown, optional = false): T {
  if (v === undefined && optional) return {} as T;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw new TypeError(`${name}: expected an options object, got ${typeName(v)}`);
  }
  return v as T;
}

/** A shape whose product is `length` (when given). Returns a copy. */
export function checkShape(name: string, shape: unknown, length?: number): number[] {
  if (!Array.isArray(shape) && !(ArrayBuffer.isView(shape) && !(shape instanceof DataView))) {
    throw new TypeError(`${name}: expected an array of dimension sizes, got ${typeName(shape)}`);
  }
  const dims = Array.from(shape as ArrayLike<unknown>, (d, i) => checkCount(`${name}[${i}]`, d));
  if (length !== undefined) {
    const prod = dims.reduce((a, b) => a * b, 1);
    if (prod !== length) throw new RangeError(`${name}: [${dims.join(', ')}] holds ${prod} elements, but the data has ${length}`);
  }
  return dims;
}

/** An axis in [-rank, rank) -> [0, rank). */
export function checkAxis(name: string, axis: unknown, rank: number): number {
  const a = checkIntIn(name, axis, -rank, rank - 1);
  return a < 0 ? a + rank : a;
}
