import { init } from 'sparq';
const sq = await init();
const M = 64, K = 4096, N = 4096;
const a = new Int8Array(M*K).map((_, i) => (i * 7919) % 256 - 128);
const b = new Int8Array(K*N).map((_, i) => (i * 104729) % 256 - 128);
let t = performance.now();
const pb = sq.packedInt8(b, K, N);
console.log('pack ms', (performance.now() - t).toFixed(1));
const aw = sq.wasmArray(a), out = sq.alloc('i32', M*N);
for (let r = 0; r < 5; r++) { t = performance.now(); sq.matmulInteger(aw, pb, M, K, N, undefined, out); const ms = performance.now() - t; console.log('int8 ms', ms.toFixed(2), 'GOP/s', (2*M*K*N/ms/1e6).toFixed(1)); }
const wf = new Float32Array(K*N).map((_, i) => Math.sin(i));
const x = new Float32Array(M*K).map((_, i) => Math.cos(i));
const w8 = sq.packedInt8(wf, K, N); const w4 = sq.packedInt4(wf, K, N);
const xw = sq.wasmArray(x), yo = sq.alloc('f32', M*N);
for (let r = 0; r < 3; r++) { t = performance.now(); sq.quantizedLinear(xw, M, w8, null, yo); const ms = performance.now() - t; console.log('qlin ms', ms.toFixed(2)); }
for (let r = 0; r < 3; r++) { t = performance.now(); sq.matmulInt4(xw, M, w4, null, yo); const ms = performance.now() - t; console.log('int4 ms', ms.toFixed(2)); }
