// onnxruntime-web in Node: the Wasm execution provider, one thread, Wasm files from node_modules.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { oneNodeModel } from './onnx-model.mjs';

const require = createRequire(import.meta.url);
let ortP;
/** Load onnxruntime-web once (undefined and a reason if it cannot run here). */
export async function loadOrt() {
  ortP ??= (async () => {
    try {
      const entry = require.resolve('onnxruntime-web');
      const ort = await import(pathToFileURL(entry).href);
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.simd = true;
      ort.env.wasm.wasmPaths = pathToFileURL(join(dirname(entry), '/')).href;
      return { ort };
    } catch (e) {
      return { error: String(e && e.message || e) };
    }
  })();
  return ortP;
}

/** A session over a one-node model (see onnx-model.mjs). */
export async function session(ort, spec) {
  return ort.InferenceSession.create(oneNodeModel(spec), { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
}
