// Quick A/B timing of the int family on a busy machine: the minimum of 12 calls each (medians
// swing with other load). node bench/int-min.mjs
import { init } from 'sparq';
const sq = await init();
const M = 64, K = 4096, N = 4096;
const a = new Int8Array(M*K).map((_, i) => (i * 7919) % 256 - 128);
const b = new Int8Array(K*N).map((_, i) => (i * 104729) % 256 - 128);
const pb = sq.packedInt8(b, K, N);
const aw = sq.wasmArray(a), out = sq.alloc('i32', M*N);
const wf = new Float32Array(K*N).map((_, i) => Math.sin(i) * 0.05);
const x = new Float32Array(M*K).map((_, i) => Math.cos(i));
const w8 = sq.packedInt8(wf, K, N); const w4 = sq.packedInt4(wf, K, N);
const xw = sq.wasmArray(x), yo = sq.alloc('f32', M*N);
const mins = { i8: 1e9, ql: 1e9, i4: 1e9 };
for (let r = 0; r < 12; r++) {
  let t = performance.now(); sq.matmulInteger(aw, pb, M, K, N, undefined, out); mins.i8 = Math.min(mins.i8, performance.now() - t);
  t = performance.now(); sq.quantizedLinear(xw, M, w8, null, yo); mins.ql = Math.min(mins.ql, performance.now() - t);
  t = performance.now(); sq.matmulInt4(xw, M, w4, null, yo); mins.i4 = Math.min(mins.i4, performance.now() - t);
}
console.log(Object.entries(mins).map(([k, v]) => `${k} ${v.toFixed(2)} ms`).join('  '), ' ql/i8', (mins.ql/mins.i8).toFixed(3));
