/**
 * The `workerd` / `worker` entry (Cloudflare Workers and other edge runtimes that refuse to compile
 * Wasm from bytes): the three builds are imported as `.wasm` modules, which the runtime compiles at
 * deploy time and hands over as `WebAssembly.Module`s. Same API as the default entry.
 * @module
 */
import simdModule from '../wasm/sparq.simd.wasm';
import scalarModule from '../wasm/sparq.scalar.wasm';
import relaxedModule from '../wasm/sparq.relaxed.wasm';
import { instantiate, type WasmSource } from './runtime/load.js';
import type { InitOptions } from './runtime/types.js';
import { Sparq } from './sparq.js';

export * from './api.js';

function asModule(m: unknown, name: string): WebAssembly.Module {
  if (m instanceof WebAssembly.Module) return m;
  throw new TypeError(`${name}: this runtime did not import the .wasm file as a WebAssembly.Module; use the default entry of sparq instead`);
}

const source: WasmSource = {
  simd: () => asModule(simdModule, 'sparq.simd.wasm'),
  scalar: () => asModule(scalarModule, 'sparq.scalar.wasm'),
  relaxed: () => asModule(relaxedModule, 'sparq.relaxed.wasm'),
};

/** Load sparq. Every call gives an independent instance; its methods are synchronous. */
export async function init(options?: InitOptions): Promise<Sparq> {
  const { rt } = await instantiate(source, options);
  return new Sparq(rt);
}
