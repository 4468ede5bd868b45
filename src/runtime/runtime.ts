/**
 * The only code that touches Wasm memory: the instance's exports, the allocator, typed-array views
 * that are re-derived whenever memory has grown, per-call scratch and caller-owned Wasm arrays.
 * @module
 */

import { Resident } from './resident.js';
import type { KernelExports } from '../wasm/exports.js';

/** @internal The raw Wasm export surface (pointers and sizes only), generated from the AssemblyScript exports. */
export type Exports = KernelExports;

/** Element types a Wasm-resident array can hold. */
export type DType = 'f32' | 'f64' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32';

/** Typed-array constructor for each element type. */
export const CTORS = {
  f32: Float32Array, f64: Float64Array, i8: Int8Array, u8: Uint8Array,
  i16: Int16Array, u16: Uint16Array, i32: Int32Array, u32: Uint32Array,
} as const;

/** The typed array of a dtype. */
export type ArrayOf<T extends DType> = InstanceType<(typeof CTORS)[T]>;
/** Any typed array sparq reads or writes. */
export type AnyTypedArray = ArrayOf<DType>;
/** The dtype of a typed-array type (each typed array has its own `Symbol.toStringTag` type). */
export type DTypeOf<A extends AnyTypedArray> = { [D in DType]: A extends InstanceType<(typeof CTORS)[D]> ? D : never }[DType];

/**
 * An array that lives in Wasm memory. Pass it to any kernel, as input or as `out`, and no copy is
 * made. `view` is a fresh typed-array view each time it is read (memory growth detaches old views).
 */
export class WasmArray<T extends DType = DType> extends Resident {
  /** Element type. */
  readonly dtype: T;
  /** Number of elements. */
  readonly length: number;
  /** @internal */ readonly _ptr: number;

  /** @internal Use `sq.alloc` / `sq.wasmArray`. */
  constructor(rt: Runtime, dtype: T, length: number) {
    super(rt);
    this.dtype = dtype;
    this.length = length;
    this._ptr = this._alloc(length * CTORS[dtype].BYTES_PER_ELEMENT);
    this._guard();
  }

  /** @internal */
  get _kind(): string {
    return 'WasmArray';
  }

  /** Byte address inside the module's memory. Throws once disposed. */
  get ptr(): number {
    if (this.disposed) throw new TypeError(`this WasmArray<${this.dtype}> was disposed`);
    return this._ptr;
  }

  /** Size in bytes. */
  get byteLength(): number {
    return this.length * CTORS[this.dtype].BYTES_PER_ELEMENT;
  }

  /** A typed-array view of the data, valid until the next sparq call that may grow memory. */
  get view(): ArrayOf<T> {
    return this.rt.view(this.dtype, this.ptr, this.length) as ArrayOf<T>;
  }

  /** Copy `src` in (it must have this array's length); returns this. */
  set(src: ArrayLike<number>): this {
    if (ArrayBuffer.isView(src) && !(src instanceof DataView)) {
      if ((src as unknown) instanceof BigInt64Array || (src as unknown) instanceof BigUint64Array) throw new TypeError(`src: expected numbers, got ${typeName(src)}`);
    } else if (Array.isArray(src)) {
      for (let i = 0; i < src.length; i++) {
        if (typeof src[i] !== 'number') throw new TypeError(`src[${i}]: expected a number, got ${typeName(src[i])}`);
      }
    } else throw new TypeError(`src: expected a typed array or an array of numbers, got ${typeName(src)}`);
    if (src.length !== this.length) throw new RangeError(`src: expected length ${this.length}, got ${src.length}`);
    this.view.set(src);
    return this;
  }

  /** A copy of the data as an ordinary typed array. */
  toArray(): ArrayOf<T> {
    return this.view.slice() as ArrayOf<T>;
  }
}

/**
 * The largest block the allocator hands out: AssemblyScript's TLSF keeps block sizes below 2^30
 * (its size field), less the block header.
 */
export const MAX_BLOCK = 0x3ffffff0;

/** A pointer that a kernel reads or writes, and whether this call owns (must free) it. */
export interface Slot {
  ptr: number;
  length: number;
  owned: boolean;
}

/** The state of one instance (opaque outside sparq: its members are internal). */
export class Runtime {
  /** @internal */ readonly exports: Exports;
  /** @internal */ readonly memory: WebAssembly.Memory;
  /** @internal */ readonly simd: boolean;
  /** @internal */ private buf: ArrayBuffer;
  /** @internal */ private views: Partial<Record<DType, AnyTypedArray>> = {};
  /** @internal Buffers that memory growth detached: a view of one of them is a stale view of this instance. */
  private readonly retired = new WeakSet<ArrayBuffer>();
  /** @internal Live blocks from `alloc` (tests check that a failing call frees its scratch). */
  liveBlocks = 0;

  /** @internal */
  constructor(instance: WebAssembly.Instance, simd: boolean) {
    this.exports = instance.exports as unknown as Exports;
    this.memory = this.exports.memory;
    this.simd = simd;
    this.buf = this.memory.buffer;
  }

  /** @internal The whole memory as `dtype`, re-derived if memory grew since the last call. */
  heap<T extends DType>(dtype: T): ArrayOf<T> {
    const buf = this.memory.buffer;
    if (buf !== this.buf) this.grown(buf);
    let v = this.views[dtype];
    if (v === undefined) {
      v = new CTORS[dtype](buf);
      this.views[dtype] = v;
    }
    return v as ArrayOf<T>;
  }

  /** @internal Memory grew: the old buffer is detached; forget its views and remember it as retired. */
  private grown(buf: ArrayBuffer): void {
    this.retired.add(this.buf);
    this.buf = buf;
    this.views = {};
  }

  /** @internal Whether `buf` is this instance's memory now (0) or was before memory grew (1); else -1. */
  owns(buf: ArrayBufferLike): number {
    if (buf === this.memory.buffer) return 0;
    return this.retired.has(buf as ArrayBuffer) ? 1 : -1;
  }

  /** @internal A view of `length` elements at byte address `ptr`. */
  view<T extends DType>(dtype: T, ptr: number, length: number): ArrayOf<T> {
    const shift = Math.log2(CTORS[dtype].BYTES_PER_ELEMENT);
    return this.heap(dtype).subarray(ptr >>> shift, (ptr >>> shift) + length) as ArrayOf<T>;
  }

  /**
   * @internal Allocate `bytes` (16-byte aligned). A block larger than MAX_BLOCK, or more than memory can
   * still hold, is a RangeError naming the size and the limit, never a trap.
   */
  alloc(bytes: number): number {
    if (bytes === 0) return 0;
    if (!(bytes > 0 && bytes <= MAX_BLOCK)) {
      throw new RangeError(`cannot allocate ${bytes} bytes: one Wasm block holds at most ${MAX_BLOCK} bytes (1 GiB - 16 B; Wasm memory holds 4 GiB in all). Split the tensor into parts below that size (quantize / dequantize / dynamicQuantize stream ordinary typed arrays of any size)`);
    }
    let ptr: number;
    try {
      ptr = this.exports.alloc(bytes) >>> 0;
    } catch {
      throw new RangeError(`out of Wasm memory: cannot allocate ${bytes} bytes more (memory is ${this.memory.buffer.byteLength} bytes of at most 4 GiB; dispose resident arrays and matrices that are no longer needed)`);
    }
    if (this.memory.buffer !== this.buf) this.grown(this.memory.buffer);
    this.liveBlocks++;
    return ptr;
  }

  /** @internal */
  free(ptr: number): void {
    if (ptr > 0) {
      this.exports.free(ptr);
      this.liveBlocks--;
    }
  }

  /**
   * @internal Resolve a kernel input: a WasmArray of this instance is used in place, a typed array is copied
   * into fresh scratch. Anything else is a TypeError naming the argument.
   */
  input<T extends DType>(name: string, x: unknown, dtypes: readonly T[]): Slot & { dtype: T } {
    if (x instanceof WasmArray) {
      x._check(name, this);
      if (!dtypes.includes(x.dtype as T)) throw new TypeError(`${name}: expected ${describe(dtypes)}, got WasmArray<${x.dtype}>`);
      return { ptr: x.ptr, length: x.length, owned: false, dtype: x.dtype as T };
    }
    for (const dt of dtypes) {
      if (x instanceof CTORS[dt]) {
        const a = x as AnyTypedArray;
        const ptr = this.alloc(a.byteLength);
        if (a.length > 0) this.heap('u8').set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), ptr);
        return { ptr, length: a.length, owned: true, dtype: dt };
      }
    }
    throw new TypeError(`${name}: expected ${describe(dtypes)}, got ${typeName(x)}`);
  }

  /** @internal Copy a small parameter array into fresh scratch. */
  scratchFrom<T extends DType>(dtype: T, data: ArrayLike<number>): Slot {
    const ptr = this.alloc(data.length * CTORS[dtype].BYTES_PER_ELEMENT);
    if (data.length > 0) this.view(dtype, ptr, data.length).set(data);
    return { ptr, length: data.length, owned: true };
  }

  /** @internal Check a caller's `out` (a typed array of `dtype` or a WasmArray of this instance) of `length`. */
  checkOut<T extends DType>(name: string, out: unknown, dtype: T, length: number): ArrayOf<T> | WasmArray<T> | undefined {
    if (out === undefined) return undefined;
    if (out instanceof WasmArray) {
      out._check(name, this);
      if (out.dtype !== dtype) throw new TypeError(`${name}: expected WasmArray<${dtype}>, got WasmArray<${out.dtype}>`);
      if (out.length !== length) throw new RangeError(`${name}: expected length ${length}, got ${out.length}`);
      return out as WasmArray<T>;
    }
    if (!(out instanceof CTORS[dtype])) throw new TypeError(`${name}: expected ${CTORS[dtype].name} or WasmArray<${dtype}>, got ${typeName(out)}`);
    if ((out as AnyTypedArray).length !== length) throw new RangeError(`${name}: expected length ${length}, got ${(out as AnyTypedArray).length}`);
    return out as ArrayOf<T>;
  }

  /**
   * @internal Resolve a kernel output of `length` elements. A WasmArray is written in place; a typed array
   * (or nothing) gets scratch that `finish` copies back.
   */
  output<T extends DType>(name: string, out: unknown, dtype: T, length: number): Slot & { target: ArrayOf<T> | WasmArray<T> | undefined } {
    const target = this.checkOut(name, out, dtype, length);
    if (target instanceof WasmArray) return { ptr: target.ptr, length, owned: false, target };
    return { ptr: this.alloc(length * CTORS[dtype].BYTES_PER_ELEMENT), length, owned: true, target };
  }

  /** @internal Hand back an output slot: copy scratch into the caller's array (or a new one). */
  finish<T extends DType>(dtype: T, slot: Slot & { target: ArrayOf<T> | WasmArray<T> | undefined }): ArrayOf<T> | WasmArray<T> {
    if (slot.target instanceof WasmArray) return slot.target;
    const res = slot.target ?? (new CTORS[dtype](slot.length) as ArrayOf<T>);
    if (slot.length > 0) res.set(this.view(dtype, slot.ptr, slot.length));
    return res;
  }

  /** @internal Free every owned slot. */
  release(...slots: (Slot | undefined)[]): void {
    for (const s of slots) if (s && s.owned) this.free(s.ptr);
  }

  /** @internal Bytes of linear memory now. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }
}

function describe(dtypes: readonly DType[]): string {
  return dtypes.map((d) => `${CTORS[d].name} or WasmArray<${d}>`).join(' or ');
}

/** A short name of a value's type for error messages. */
export function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}
