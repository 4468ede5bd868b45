/**
 * Loading: choose the build, compile once per build (cached), instantiate per `init`.
 * The default entry hands in embedded bytes; the workerd / worker entry hands in modules imported
 * as `.wasm` (Cloudflare refuses to compile from bytes).
 * @module
 */
import { Runtime } from './runtime.js';
import type { InitOptions } from './types.js';
import { noteUnavailable, threaded } from './threads.js';

/** @internal A build's bytes or precompiled module. */
export type Built = Uint8Array<ArrayBuffer> | WebAssembly.Module;

/**
 * @internal Where an entry point finds each build: a function giving its bytes or module, now or
 * later (the default entry imports each build's module only when it is first needed).
 */
export interface WasmSource {
  /** The SIMD build. */
  simd: () => Built | Promise<Built>;
  /** The scalar build. */
  scalar: () => Built | Promise<Built>;
  /** The relaxed-SIMD build (SIMD plus the relaxed int8 dot product on 7-bit operands). */
  relaxed?: () => Built | Promise<Built>;
  /** The threaded build (SIMD, shared memory), run by a worker pool: see runtime/threads.ts. */
  threads?: () => Built | Promise<Built>;
}

/**
 * Whether an instance of the relaxed build computes the relaxed int8 dot product exactly: one
 * known-answer call of the 7-bit kernel (weights -128 and 127, activations 0..127). Node 20 with
 * --experimental-wasm-relaxed-simd validates the build but returns twice the right sums.
 */
function relaxedExact(instance: WebAssembly.Instance): boolean {
  const ex = instance.exports as unknown as {
    memory: WebAssembly.Memory;
    alloc(size: number): number;
    free(ptr: number): void;
    int_b8_u7_i32(a8: number, m: number, KQ: number, bp: number, colsum: number, z8: number, n: number, za: number, rowT: number, c: number): void;
  };
  if (typeof ex.int_b8_u7_i32 !== 'function') return false;
  const p = ex.alloc(160);
  try {
    const mem = () => new DataView(ex.memory.buffer);
    // B8: one k-quad x 8 columns (32 bytes at p), A8: 4 bytes at p + 32; colsum, z8 at p + 48 / 80
    // (zero), za and rowT at p + 36 / 40 (zero), C at p + 112 .. p + 144.
    const want: number[] = [];
    const a = [127, 1, 64, 0];
    for (let i = 0; i < 160; i++) mem().setUint8(p + i, 0);
    for (let c = 0; c < 8; c++) {
      let s = 0;
      for (let r = 0; r < 4; r++) {
        const w = (c + r) & 1 ? -128 : 127 - c;
        mem().setInt8(p + 16 * (c >> 2) + 4 * (c & 3) + r, w);
        s += w * a[r];
      }
      want.push(s);
    }
    for (let r = 0; r < 4; r++) mem().setUint8(p + 32 + r, a[r]);
    ex.int_b8_u7_i32(p + 32, 1, 1, p, p + 48, p + 80, 8, p + 36, p + 40, p + 112);
    for (let c = 0; c < 8; c++) if (mem().getInt32(p + 112 + 4 * c, true) !== want[c]) return false;
    return true;
  } catch {
    return false;
  } finally {
    ex.free(p);
  }
}

/** Whether the bytes (or module) of the relaxed build validate here. */
const relaxedOk = new WeakMap<object, boolean>();
async function relaxedValid(get: () => Built | Promise<Built>): Promise<boolean> {
  let ok = relaxedOk.get(get);
  if (ok === undefined) {
    try {
      const got = await get();
      ok = got instanceof WebAssembly.Module || WebAssembly.validate(got);
    } catch {
      ok = false;
    }
    relaxedOk.set(get, ok);
  }
  return ok;
}

/** The relaxed build's probe result per source (the probe needs an instance, made once). */
const relaxedExactOk = new WeakMap<object, boolean>();

/** Whether this runtime accepts the SIMD build (validated once, from its real bytes). */
const simdOk = new WeakMap<object, boolean>();
async function simdAvailable(source: WasmSource): Promise<boolean> {
  let ok = simdOk.get(source.simd);
  if (ok === undefined) {
    try {
      const got = await source.simd();
      ok = got instanceof WebAssembly.Module || WebAssembly.validate(got);
    } catch {
      ok = false;
    }
    simdOk.set(source.simd, ok);
  }
  return ok;
}

const cache = new WeakMap<object, Promise<WebAssembly.Module>>();

function compileCached(key: object, bytes: Uint8Array<ArrayBuffer>): Promise<WebAssembly.Module> {
  let p = cache.get(key);
  if (!p) {
    p = WebAssembly.compile(bytes);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/**
 * @internal Build the `init` of an entry point around its source of Wasm: a threaded instance when
 * `options.threads` asks for more than one thread and the platform allows it, else one thread
 * (with the reason recorded where threads were asked for).
 */
export async function instantiate(source: WasmSource, options: InitOptions = {}): Promise<{ rt: Runtime }> {
  const th = await threaded(source, options);
  if (th !== undefined && 'rt' in th) return th;
  const one = await instantiateOne(source, options);
  if (th !== undefined) noteUnavailable(one.rt, th.reason);
  return one;
}

async function instantiateOne(source: WasmSource, options: InitOptions): Promise<{ rt: Runtime }> {
  if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object, got ${options === null ? 'null' : typeof options}`);
  const { simd, relaxed, module, bytes } = options;
  if (simd !== undefined && typeof simd !== 'boolean') throw new TypeError(`options.simd: expected a boolean, got ${typeof simd}`);
  if (relaxed !== undefined && typeof relaxed !== 'boolean') throw new TypeError(`options.relaxed: expected a boolean, got ${typeof relaxed}`);
  if (relaxed === true && simd === false) throw new TypeError('options.relaxed: the relaxed build is a SIMD build, but simd: false was asked for');
  if (module !== undefined && bytes !== undefined) throw new TypeError('options: give either module or bytes, not both');
  let mod: WebAssembly.Module;
  if (module !== undefined) {
    if (!(module instanceof WebAssembly.Module)) throw new TypeError('options.module: expected a WebAssembly.Module');
    mod = module;
  } else if (bytes !== undefined) {
    if (!(bytes instanceof ArrayBuffer || ArrayBuffer.isView(bytes))) throw new TypeError('options.bytes: expected an ArrayBuffer or a typed array');
    try {
      mod = await WebAssembly.compile(bytes);
    } catch (e) {
      throw new TypeError(`options.bytes: not a valid Wasm module (${(e as Error).message})`);
    }
  } else {
    const get = source.relaxed;
    if ((relaxed ?? simd !== false) && get && relaxedExactOk.get(get) !== false && (await relaxedValid(get))) {
      const got = await get();
      try {
        const m = got instanceof WebAssembly.Module ? got : await compileCached(get, got);
        const instance = await WebAssembly.instantiate(m, {});
        const exact = relaxedExact(instance);
        relaxedExactOk.set(get, exact);
        if (exact) return { rt: new Runtime(instance, true) };
      } catch {
        relaxedExactOk.set(get, false);
      }
    }
    if (relaxed === true) throw new TypeError('options.relaxed: this runtime does not run the relaxed-SIMD build exactly (not validated, or its relaxed int8 dot product gave a wrong known answer)');
    const useSimd = simd ?? (await simdAvailable(source));
    if (useSimd && !(await simdAvailable(source))) throw new TypeError('options.simd: this runtime does not support Wasm SIMD');
    const key = useSimd ? source.simd : source.scalar;
    const got = await key();
    mod = got instanceof WebAssembly.Module ? got : await compileCached(key, got);
  }
  const exportNames = WebAssembly.Module.exports(mod).map((e) => e.name);
  if (!exportNames.includes('alloc') || !exportNames.includes('SIMD_BUILD')) {
    throw new TypeError('options: the given Wasm module is not a sparq build');
  }
  const instance = await WebAssembly.instantiate(mod, {});
  const isSimd = (instance.exports.SIMD_BUILD as WebAssembly.Global).value === 1;
  const isRelaxed = (instance.exports.RELAXED_BUILD as WebAssembly.Global | undefined)?.value === 1;
  if (relaxed !== undefined && (module !== undefined || bytes !== undefined) && relaxed !== isRelaxed) {
    throw new TypeError(`options.relaxed: ${relaxed} was asked for, but the given module is ${isRelaxed ? 'the relaxed' : 'not the relaxed'} build`);
  }
  if (isRelaxed && !relaxedExact(instance)) throw new TypeError('options.module: this runtime computes the relaxed int8 dot product wrongly (a known-answer probe failed); use the SIMD build');
  if (simd !== undefined && (module !== undefined || bytes !== undefined) && simd !== isSimd) {
    throw new TypeError(`options.simd: ${simd} was asked for, but the given module is the ${isSimd ? 'SIMD' : 'scalar'} build`);
  }
  return { rt: new Runtime(instance, isSimd) };
}
