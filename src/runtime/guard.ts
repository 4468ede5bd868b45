/**
 * The entry guard of every instance method. Before the method allocates anything:
 * - a typed array that views this instance's Wasm memory is replaced by a copy (an allocation may
 *   grow memory, which detaches the caller's view; reading it afterwards would see zeros), and a
 *   view that an earlier growth already detached is a TypeError;
 * - a Proxy posing as a typed array is a TypeError (it could answer differently on each read);
 * - an `out` that overlaps any input (the same bytes of one buffer, or of Wasm memory) is replaced
 *   by a temporary that is copied into `out` once the kernel has run, so the result is what a
 *   separate `out` would hold (numpy's rule); an `out` that views Wasm memory is written back to
 *   the same bytes of the memory as it is after the call.
 * The walk looks two levels deep: arguments, and the fields / elements of plain objects and arrays
 * (a Csr, QuantParams, options, a list of tensors).
 * @module
 */
import { type AnyTypedArray, type Runtime, WasmArray } from './runtime.js';

/** %TypedArray%: a typed array of any kind is an instance of it. */
const TypedArray = Object.getPrototypeOf(Int8Array) as abstract new () => AnyTypedArray;

/** Bytes an input occupies: in an ordinary buffer, or (buf === null) in Wasm memory. */
interface Span {
  buf: ArrayBufferLike | null;
  start: number;
  end: number;
}

/** What the walk found: the inputs' spans, for the overlap test. */
interface Walk {
  spans: Span[];
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A view of sparq's memory (now or before it grew): throw if stale; else undefined / the copy. */
export function stableView(rt: Runtime, name: string, v: AnyTypedArray): AnyTypedArray | undefined {
  const own = rt.owns(v.buffer);
  if (own < 0) return undefined;
  if (own > 0) {
    throw new TypeError(`${name}: this view of sparq's memory was detached when memory grew; read WasmArray.view again after each call, or pass the WasmArray itself`);
  }
  return v.slice() as AnyTypedArray;
}

/** One input value: returns it, or a replacement; records its span. */
function input(rt: Runtime, name: string, v: unknown, w: Walk, depth: number): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView) return v;
    const t = v as AnyTypedArray;
    const copy = stableView(rt, name, t);
    if (copy !== undefined) return copy;
    w.spans.push({ buf: t.buffer, start: t.byteOffset, end: t.byteOffset + t.byteLength });
    return v;
  }
  if (v instanceof TypedArray) throw new TypeError(`${name}: expected a typed array, got an object that only inherits from one (a Proxy?)`);
  if (v instanceof WasmArray) {
    if (!v.disposed) w.spans.push({ buf: null, start: v._ptr, end: v._ptr + v.byteLength });
    return v;
  }
  if (depth >= 2) return v;
  if (Array.isArray(v)) {
    let res: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const e = v[i];
      const r = input(rt, `${name}[${i}]`, e, w, depth + 1);
      if (r !== e) (res ??= v.slice())[i] = r;
    }
    return res ?? v;
  }
  if (!isPlain(v)) return v;
  let res: Record<string, unknown> | undefined;
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    const e = o[key];
    const r = input(rt, `${name}.${key}`, e, w, depth + 1);
    if (r !== e) (res ??= { ...o })[key] = r;
  }
  return res ?? v;
}

function overlaps(spans: Span[], buf: ArrayBufferLike | null, start: number, end: number): boolean {
  if (end === start) return false;
  for (const s of spans) if (s.buf === buf && s.start < end && start < s.end && s.end > s.start) return true;
  return false;
}

/** How an `out` is stood in for, and how the result goes back to it. */
interface Standin {
  temp: AnyTypedArray | WasmArray;
  /** Copy the temporary into the real destination; returns what the caller gets as `out`. */
  back(): unknown;
  drop(): void;
}

function standin(rt: Runtime, name: string, out: unknown, spans: Span[]): Standin | undefined {
  if (typeof out !== 'object' || out === null) return undefined;
  if (out instanceof WasmArray) {
    if (out.disposed || out.rt !== rt || !overlaps(spans, null, out._ptr, out._ptr + out.byteLength)) return undefined;
    const temp = new WasmArray(rt, out.dtype, out.length);
    return {
      temp,
      back: () => {
        rt.heap('u8').copyWithin(out._ptr, temp._ptr, temp._ptr + temp.byteLength);
        return out;
      },
      drop: () => temp.dispose(),
    };
  }
  if (!ArrayBuffer.isView(out) || out instanceof DataView) {
    if (out instanceof TypedArray) throw new TypeError(`${name}: expected a typed array, got an object that only inherits from one (a Proxy?)`);
    return undefined;
  }
  const t = out as AnyTypedArray;
  const own = rt.owns(t.buffer);
  if (own > 0) throw new TypeError(`${name}: this view of sparq's memory was detached when memory grew; read WasmArray.view again after each call, or pass the WasmArray itself`);
  const Ctor = t.constructor as new (n: number) => AnyTypedArray;
  if (own === 0) {
    // written back to the same bytes of memory as it is after the call (the caller's view may be stale)
    const off = t.byteOffset, n = t.length;
    const temp = new Ctor(n);
    return {
      temp,
      back: () => {
        const view = new (Ctor as unknown as new (b: ArrayBufferLike, o: number, n: number) => AnyTypedArray)(rt.memory.buffer, off, n);
        view.set(temp as never);
        return view;
      },
      drop: () => {},
    };
  }
  if (!overlaps(spans, t.buffer, t.byteOffset, t.byteOffset + t.byteLength)) return undefined;
  const temp = new Ctor(t.length);
  return {
    temp,
    back: () => {
      t.set(temp as never);
      return t;
    },
    drop: () => {},
  };
}

/** Put the real `out` where the method's result holds the temporary (itself, or a field of it). */
function swap(res: unknown, temp: unknown, real: unknown): unknown {
  if (res === temp) return real;
  if (typeof res === 'object' && res !== null && isPlain(res)) {
    const o = res as Record<string, unknown>;
    for (const k of Object.keys(o)) if (o[k] === temp) o[k] = real;
  }
  return res;
}

/**
 * Call `fn` with `args` made safe as described at the top of this module. `names` are the
 * method's parameter names; the one called 'out' is the output.
 */
export function guarded(rt: Runtime, names: readonly string[], fn: (...a: unknown[]) => unknown, self: unknown, args: unknown[]): unknown {
  const w: Walk = { spans: [] };
  const outAt = names.indexOf('out');
  let a = args;
  for (let i = 0; i < args.length; i++) {
    if (i === outAt) continue;
    const r = input(rt, names[i] ?? `argument ${i}`, args[i], w, 0);
    if (r !== args[i]) {
      if (a === args) a = args.slice();
      a[i] = r;
    }
  }
  const s = outAt >= 0 && outAt < args.length ? standin(rt, 'out', args[outAt], w.spans) : undefined;
  if (s === undefined) return fn.apply(self, a);
  if (a === args) a = args.slice();
  a[outAt] = s.temp;
  try {
    const res = fn.apply(self, a);
    return swap(res, s.temp, s.back());
  } finally {
    s.drop();
  }
}
