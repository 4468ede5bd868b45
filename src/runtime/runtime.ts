/**
 * The only code that touches Wasm memory: the instance's exports, the allocator, typed-array views
 * that are re-derived whenever memory has grown, per-call scratch and caller-owned Wasm arrays.
 * @module
 */

import { Resident } from './resident.js';

/** The raw Wasm export surface (pointers and sizes only). */
export interface Exports {
  readonly memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number): void;
  [kernel: string]: unknown;
}

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
    if (src.length !== this.length) throw new RangeError(`src: expected length ${this.length}, got ${src.length}`);
    this.view.set(src);
    return this;
  }

  /** A copy of the data as an ordinary typed array. */
  toArray(): ArrayOf<T> {
    return this.view.slice() as ArrayOf<T>;
  }
}

/** A pointer that a kernel reads or writes, and whether this call owns (must free) it. */
export interface Slot {
  ptr: number;
  length: number;
  owned: boolean;
}

/** The state of one instance. */
export class Runtime {
  readonly exports: Exports;
  readonly memory: WebAssembly.Memory;
  readonly simd: boolean;
  private buf: ArrayBuffer;
  private views: Partial<Record<DType, AnyTypedArray>> = {};

  constructor(instance: WebAssembly.Instance, simd: boolean) {
    this.exports = instance.exports as unknown as Exports;
    this.memory = this.exports.memory;
    this.simd = simd;
    this.buf = this.memory.buffer;
  }

  /** The whole memory as `dtype`, re-derived if memory grew since the last call. */
  heap<T extends DType>(dtype: T): ArrayOf<T> {
    const buf = this.memory.buffer;
    if (buf !== this.buf) {
      this.buf = buf;
      this.views = {};
    }
    let v = this.views[dtype];
    if (v === undefined) {
      v = new CTORS[dtype](buf);
      this.views[dtype] = v;
    }
    return v as ArrayOf<T>;
  }

  /** A view of `length` elements at byte address `ptr`. */
  view<T extends DType>(dtype: T, ptr: number, length: number): ArrayOf<T> {
    const shift = Math.log2(CTORS[dtype].BYTES_PER_ELEMENT);
    return this.heap(dtype).subarray(ptr >>> shift, (ptr >>> shift) + length) as ArrayOf<T>;
  }

  /** Allocate `bytes` (16-byte aligned). Out of memory is a RangeError, never a trap. */
  alloc(bytes: number): number {
    if (bytes === 0) return 0;
    if (!(bytes > 0 && bytes <= 0xfff00000)) throw new RangeError(`cannot allocate ${bytes} bytes in Wasm memory`);
    let ptr: number;
    try {
      ptr = this.exports.alloc(bytes) >>> 0;
    } catch (e) {
      throw new RangeError(`out of Wasm memory allocating ${bytes} bytes (${(e as Error).message})`);
    }
    return ptr;
  }

  free(ptr: number): void {
    if (ptr > 0) this.exports.free(ptr);
  }

  /**
   * Resolve a kernel input: a WasmArray of this instance is used in place, a typed array is copied
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

  /** Copy a small parameter array into fresh scratch. */
  scratchFrom<T extends DType>(dtype: T, data: ArrayLike<number>): Slot {
    const ptr = this.alloc(data.length * CTORS[dtype].BYTES_PER_ELEMENT);
    if (data.length > 0) this.view(dtype, ptr, data.length).set(data);
    return { ptr, length: data.length, owned: true };
  }

  /** Check a caller's `out` (a typed array of `dtype` or a WasmArray of this instance) of `length`. */
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
   * Resolve a kernel output of `length` elements. A WasmArray is written in place; a typed array
   * (or nothing) gets scratch that `finish` copies back.
   */
  output<T extends DType>(name: string, out: unknown, dtype: T, length: number): Slot & { target: ArrayOf<T> | WasmArray<T> | undefined } {
    const target = this.checkOut(name, out, dtype, length);
    if (target instanceof WasmArray) return { ptr: target.ptr, length, owned: false, target };
    return { ptr: this.alloc(length * CTORS[dtype].BYTES_PER_ELEMENT), length, owned: true, target };
  }

  /** Hand back an output slot: copy scratch into the caller's array (or a new one). */
  finish<T extends DType>(dtype: T, slot: Slot & { target: ArrayOf<T> | WasmArray<T> | undefined }): ArrayOf<T> | WasmArray<T> {
    if (slot.target instanceof WasmArray) return slot.target;
    const res = slot.target ?? (new CTORS[dtype](slot.length) as ArrayOf<T>);
    if (slot.length > 0) res.set(this.view(dtype, slot.ptr, slot.length));
    return res;
  }

  /** Free every owned slot. */
  release(...slots: (Slot | undefined)[]): void {
    for (const s of slots) if (s && s.owned) this.free(s.ptr);
  }

  /** Bytes of linear memory now. */
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
