// Helpers of the model-entry suites: the test models, onnxruntime loaded for the runtime at hand,
// a small independent protobuf writer for hand-built ONNX bytes, cosine similarity.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const FIXTURES = new URL('./fixtures/models/', import.meta.url);
export const MODELS = ['mlp', 'convnet', 'encoder'];

/** The bytes of a test model and its reference input / output (from PyTorch). */
export function fixture(name) {
  const bytes = new Uint8Array(readFileSync(new URL(`${name}.onnx`, FIXTURES)));
  const ref = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'));
  return { bytes, input: ref.input, output: ref.output };
}

const require = createRequire(import.meta.url);
/** onnxruntime-node (a native addon; it loads in Node, Deno and Bun here). */
export const ortNode = require('onnxruntime-node');
/** onnxruntime-web (its Wasm CPU backend, one thread). */
export const ortWeb = await import('onnxruntime-web');
ortWeb.env.wasm.numThreads = 1;

/** Run `bytes` in an onnxruntime with float32 feeds { name: { shape, data } }; returns { name: { dims, data } }. */
export async function run(ort, bytes, feeds) {
  const s = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 }); // errors only: the test models trip harmless warnings
  const f = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor(v.type ?? 'float32', v.data instanceof Float32Array || v.type ? v.data : Float32Array.from(v.data), v.shape);
  const r = await s.run(f);
  const out = {};
  for (const [k, v] of Object.entries(r)) out[k] = { dims: Array.from(v.dims), data: v.data };
  await s.release?.();
  return out;
}

export function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
}

export function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// ---- a minimal protobuf writer (wire format only), to build ONNX bytes by hand ----
function varint(v) {
  let b = BigInt.asUintN(64, BigInt(v));
  const out = [];
  do {
    let byte = Number(b & 0x7fn);
    b >>= 7n;
    if (b) byte |= 0x80;
    out.push(byte);
  } while (b);
  return out;
}
const key = (num, wt) => varint((num << 3) | wt);
/** A varint field. */
export const pInt = (num, v) => [...key(num, 0), ...varint(v)];
/** A length-delimited field (bytes, string, message). */
export function pLen(num, payload) {
  const p = typeof payload === 'string' ? Array.from(new TextEncoder().encode(payload)) : Array.from(payload);
  return [...key(num, 2), ...varint(p.length), ...p];
}
/** A fixed32 float field. */
export function pF32(num, v) {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...key(num, 5), ...b];
}
/** A packed repeated field of varints. */
export const pPackedInts = (num, vs) => pLen(num, vs.flatMap((v) => varint(v)));
/** A packed repeated field of f32. */
export function pPackedF32(num, vs) {
  const b = new Uint8Array(vs.length * 4);
  vs.forEach((v, i) => new DataView(b.buffer).setFloat32(i * 4, v, true));
  return pLen(num, b);
}
export const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
