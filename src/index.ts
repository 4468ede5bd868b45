/**
 * sparq: WebAssembly SIMD kernels for model compression (quantization, pruning masks, sparse and
 * integer matrix products). The default entry: both Wasm builds are embedded as bytes, so it
 * loads in Node, Deno, Bun, browsers and bundlers with no file access.
 * @module
 */
import { instantiate, type InitOptions, type WasmSource } from './runtime/load.js';
import { Sparq } from './sparq.js';
import { wasmSimdBase64 } from './wasm/simd.js';
import { wasmScalarBase64 } from './wasm/scalar.js';

export type { InitOptions } from './runtime/load.js';
export * from './api.js';

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let simdBytes: Uint8Array<ArrayBuffer> | undefined;
let scalarBytes: Uint8Array<ArrayBuffer> | undefined;
const source: WasmSource = {
  simd: () => (simdBytes ??= decode(wasmSimdBase64)),
  scalar: () => (scalarBytes ??= decode(wasmScalarBase64)),
};

/** Load sparq. Every call gives an independent instance; its methods are synchronous. */
export async function init(options?: InitOptions): Promise<Sparq> {
  const { rt } = await instantiate(source, options);
  return new Sparq(rt);
}
