/**
 * sparq: WebAssembly SIMD kernels for model compression (quantization, pruning masks, sparse and
 * integer matrix products). The default entry: every Wasm build is embedded as bytes (each in a
 * module imported when first needed), so it loads in Node, Deno, Bun, browsers and bundlers with no
 * file access.
 * @module
 */
import { instantiate, type WasmSource } from './runtime/load.js';
import type { InitOptions } from './runtime/types.js';
import { Sparq } from './sparq.js';
export * from './api.js';

/**
 * Base64 to bytes: the runtime's native decoder where there is one (`Uint8Array.fromBase64`, or
 * Node's and Bun's `Buffer`), else atob and a loop (which, run cold, took most of the first
 * `init()`).
 */
function decode(b64: string): Uint8Array<ArrayBuffer> {
  const U8 = Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> };
  if (typeof U8.fromBase64 === 'function') return U8.fromBase64(b64);
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B && typeof B.from === 'function') return new Uint8Array(B.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// Each build's bytes live in a module of their own, imported the first time init() needs that
// build: a runtime that runs the relaxed build never parses the others, and a bundler that splits
// chunks ships each build as its own file.
let simdBytes: Uint8Array<ArrayBuffer> | undefined;
let scalarBytes: Uint8Array<ArrayBuffer> | undefined;
let relaxedBytes: Uint8Array<ArrayBuffer> | undefined;
let threadsBytes: Uint8Array<ArrayBuffer> | undefined;
const source: WasmSource = {
  simd: async () => (simdBytes ??= decode((await import('./wasm/simd.js')).wasmSimdBase64)),
  scalar: async () => (scalarBytes ??= decode((await import('./wasm/scalar.js')).wasmScalarBase64)),
  relaxed: async () => (relaxedBytes ??= decode((await import('./wasm/relaxed.js')).wasmRelaxedBase64)),
  threads: async () => (threadsBytes ??= decode((await import('./wasm/threads.js')).wasmThreadsBase64)),
};

/** Load sparq. Every call gives an independent instance; its methods are synchronous. */
export async function init(options?: InitOptions): Promise<Sparq> {
  const { rt } = await instantiate(source, options);
  return new Sparq(rt);
}
