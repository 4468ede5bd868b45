/**
 * Loading: choose the build, compile once per build (cached), instantiate per `init`.
 * The default entry hands in embedded bytes; the workerd / worker entry hands in modules imported
 * as `.wasm` (Cloudflare refuses to compile from bytes).
 * @module
 */
import { Runtime } from './runtime.js';
import type { InitOptions } from './types.js';

/** @internal Where an entry point finds each build. */
export interface WasmSource {
  /** The SIMD build: bytes or a precompiled module (or a function giving either). */
  simd: () => Uint8Array<ArrayBuffer> | WebAssembly.Module;
  /** The scalar build. */
  scalar: () => Uint8Array<ArrayBuffer> | WebAssembly.Module;
}

/** Whether this runtime accepts the SIMD build (validated once, from its real bytes). */
const simdOk = new WeakMap<object, boolean>();
function simdAvailable(source: WasmSource): boolean {
  let ok = simdOk.get(source.simd);
  if (ok === undefined) {
    try {
      const got = source.simd();
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

/** @internal Build the `init` of an entry point around its source of Wasm. */
export async function instantiate(source: WasmSource, options: InitOptions = {}): Promise<{ rt: Runtime }> {
  if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object, got ${options === null ? 'null' : typeof options}`);
  const { simd, module, bytes } = options;
  if (simd !== undefined && typeof simd !== 'boolean') throw new TypeError(`options.simd: expected a boolean, got ${typeof simd}`);
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
    const useSimd = simd ?? simdAvailable(source);
    if (useSimd && !simdAvailable(source)) throw new TypeError('options.simd: this runtime does not support Wasm SIMD');
    const key = useSimd ? source.simd : source.scalar;
    const got = key();
    mod = got instanceof WebAssembly.Module ? got : await compileCached(key, got);
  }
  const exportNames = WebAssembly.Module.exports(mod).map((e) => e.name);
  if (!exportNames.includes('alloc') || !exportNames.includes('SIMD_BUILD')) {
    throw new TypeError('options: the given Wasm module is not a sparq build');
  }
  const instance = await WebAssembly.instantiate(mod, {});
  const isSimd = (instance.exports.SIMD_BUILD as WebAssembly.Global).value === 1;
  if (simd !== undefined && (module !== undefined || bytes !== undefined) && simd !== isSimd) {
    throw new TypeError(`options.simd: ${simd} was asked for, but the given module is the ${isSimd ? 'SIMD' : 'scalar'} build`);
  }
  return { rt: new Runtime(instance, isSimd) };
}
