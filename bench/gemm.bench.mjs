// gemm's four transpose cases on 64 x 4096 x 4096 (y = op(A) op(B), the shape of dW = dY^T X and
// dX = dY W in a training step) against matmul on the same shape, SIMD build, Wasm-resident data.
// The cases run in alternation, one call each per round (matmul, NN, TN, NT, TT), so the ratios
// compare calls made seconds apart; `x matmul` is the median over rounds of each round's ratio.
// A plain-JS loop (i, p, j order) is the baseline. Also the dense product of the sparse bench's
// shape (W 4096 x 4096 times X 4096 x 64): matmul in both builds, plain JS and TensorFlow.js's Wasm
// backend (XNNPACK, SIMD binary, one thread) as the peer; the sparse bench divides by these times.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { QUICK, median, record, time } from './harness.mjs';
import { loadOrt, session } from './peers/ort.mjs';

const M = 64, K = 4096, N = 4096;

function fill(n, seed) {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = (s >>> 8) / 16777216 - 0.5;
  }
  return x;
}

function jsMatmul(a, b, m, k, n, c) {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p], bo = p * n, co = i * n;
      for (let j = 0; j < n; j++) c[co + j] += av * b[bo + j];
    }
  }
}

let tfOnce;
/** TensorFlow.js with its Wasm backend on one thread, loaded once: { tf, simd }. */
export function tfjs() {
  tfOnce ??= (async () => {
    const require = createRequire(import.meta.url);
    const tf = require('@tensorflow/tfjs-core');
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setThreadsCount(1);
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
    await tf.setBackend('wasm');
    await tf.ready();
    return { tf, simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') };
  })();
  return tfOnce;
}

const DR = 4096, DC = 4096, DN = 64;
const SLOW = { maxTime: 0.05, minSamples: 2 }; // plain-JS dense and scalar dense: seconds per run
let denseOnce;
/**
 * The dense product W [4096 x 4096] X [4096 x 64]: TF.js, sparq's matmul (resident, both builds)
 * and plain JS, recorded once per process whichever bench asks first: { simdMs, tfMs }.
 */
export function denseProduct({ simd, scalar }) {
  denseOnce ??= (async () => {
    console.log('# dense W 4096 x 4096 times X 4096 x 64');
    const w = fill(DR * DC, 21), x = fill(DC * DN, 22);
    const flops = 2 * DR * DC * DN;
    const { tf, simd: tfSimd } = await tfjs();
    const ta = tf.tensor2d(w, [DR, DC]), tb = tf.tensor2d(x, [DC, DN]);
    const tfr = record('gemm', `TF.js wasm dense matMul (XNNPACK${tfSimd ? ', SIMD' : ''}, 1 thread)`, time(() => { const c = tf.matMul(ta, tb); c.dataSync(); c.dispose(); }), { flops });
    ta.dispose(); tb.dispose();
    const ms = {};
    for (const [name, sq] of [['simd', simd], ['scalar', scalar]]) {
      const W = sq.wasmArray(w), X = sq.wasmArray(x), Y = sq.alloc('f32', DR * DN);
      ms[name] = record('gemm', `sparq matmul, resident [${name}]`, time(() => sq.matmul(W, X, DR, DC, DN, Y), name === 'scalar' ? SLOW : {}), { flops, ratios: { 'TF.js': tfr.ms } }).ms;
      for (const h of [W, X, Y]) h.dispose();
    }
    const c = new Float32Array(DR * DN);
    record('gemm', 'plain-JS dense matmul (i-p-j loop)', time(() => jsMatmul(w, x, DR, DC, DN, c), SLOW), { flops, ratios: { 'TF.js': tfr.ms } });
    return { simdMs: ms.simd, tfMs: tfr.ms };
  })();
  return denseOnce;
}

export async function run(ctx) {
  const { simd: sq, scalar } = ctx;
  const dense = await denseProduct(ctx);
  const a = fill(M * K, 11), b = fill(K * N, 12);
  const aw = sq.wasmArray(a), bw = sq.wasmArray(b), cw = sq.alloc('f32', M * N);
  const cases = {
    matmul: () => sq.matmul(aw, bw, M, K, N, cw),
    'gemm NN': () => sq.gemm(aw, bw, M, K, N, {}, cw),
    'gemm TN (A stored k x m)': () => sq.gemm(aw, bw, M, K, N, { transA: true }, cw),
    'gemm NT (B stored n x k)': () => sq.gemm(aw, bw, M, K, N, { transB: true }, cw),
    'gemm TT': () => sq.gemm(aw, bw, M, K, N, { transA: true, transB: true }, cw),
  };
  for (const fn of Object.values(cases)) fn();
  const rounds = QUICK ? 3 : 9;
  const ms = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      const t0 = performance.now();
      fn();
      ms[name].push(performance.now() - t0);
    }
  }
  const flops = 2 * M * K * N;
  for (const [name, ts] of Object.entries(ms)) {
    const ratio = median(ts.map((t, r) => t / ms.matmul[r]));
    const row = record('gemm', `${name} ${M}x${K}x${N} [simd]`, { ms: median(ts), rme: 0 }, { flops });
    row['x matmul'] = +ratio.toFixed(3);
    console.log(`    x matmul (median of ${rounds} alternated rounds): ${ratio.toFixed(3)}`);
  }
  // the scalar build on one case, and the plain-JS baseline (single runs: each takes seconds)
  const as = scalar.wasmArray(a), bs = scalar.wasmArray(b), cs = scalar.alloc('f32', M * N);
  let t0 = performance.now();
  scalar.gemm(as, bs, M, K, N, { transB: true }, cs);
  record('gemm', `gemm NT ${M}x${K}x${N} [scalar], one run`, { ms: performance.now() - t0, rme: 0 }, { flops });
  const c = new Float32Array(M * N);
  t0 = performance.now();
  jsMatmul(a, b, M, K, N, c);
  const js = performance.now() - t0;
  record('gemm', `matmul ${M}x${K}x${N} [plain JS], one run`, { ms: js, rme: 0 }, { flops, ratios: { 'simd matmul': median(ms.matmul) } });
  for (const x of [aw, bw, cw, as, bs, cs]) x.dispose();
  await versusOrt(sq);
  const ok = dense.simdMs <= 1.2 * dense.tfMs;
  console.log(`# targets${QUICK ? ' (quick mode: noisy)' : ''}`);
  console.log(`  ${ok ? 'MET    ' : 'NOT MET'} sparq dense matmul within 1.2x of TF.js: ${+(dense.simdMs / dense.tfMs).toFixed(2)}`);
}

/**
 * matmul against onnxruntime-web's MatMul (Wasm EP, SIMD, one thread; B an initializer, so ORT may
 * prepack it) on four shapes, alternated call by call (ORT, sparq resident, sparq copying) after a
 * warm-up; "x ORT" is the median of the per-round ratios sparq / ORT (below 1: sparq faster).
 */
async function versusOrt(sq) {
  const { ort, error } = await loadOrt();
  if (error) {
    console.log(`  onnxruntime-web: cannot run here (${error})`);
    return;
  }
  console.log('# matmul vs onnxruntime-web MatMul (Wasm, SIMD, 1 thread), alternated');
  for (const [m, k, n] of [[64, 4096, 4096], [4096, 4096, 64], [1, 4096, 4096], [512, 512, 512]]) {
    const a = fill(m * k, 31), b = fill(k * n, 32);
    const s = await session(ort, {
      node: { op: 'MatMul', inputs: ['A', 'B'], outputs: ['Y'] },
      inputs: [{ name: 'A', type: 'float', shape: [m, k] }], outputs: [{ name: 'Y', type: 'float', shape: [m, n] }],
      initializers: [{ name: 'B', type: 'float', dims: [k, n], data: b }],
    });
    const feed = { A: new ort.Tensor('float32', a, [m, k]) };
    const aw = sq.wasmArray(a), bw = sq.wasmArray(b), cw = sq.alloc('f32', m * n), out = new Float32Array(m * n);
    const cases = { ort: () => s.run(feed), resident: () => sq.matmul(aw, bw, m, k, n, cw), copying: () => sq.matmul(a, b, m, k, n, out) };
    for (let i = 0; i < 2; i++) for (const f of Object.values(cases)) await f();
    const rounds = QUICK ? 3 : m * k * n >= 1 << 30 ? 11 : 31;
    const ms = { ort: [], resident: [], copying: [] };
    for (let r = 0; r < rounds; r++) {
      for (const [name, f] of Object.entries(cases)) {
        const t0 = performance.now();
        await f();
        ms[name].push(performance.now() - t0);
      }
    }
    const shape = `${m}x${k}x${n}`, flops = 2 * m * k * n;
    record('gemm', `ORT-web MatMul ${shape} (Wasm, SIMD, 1 thread)`, { ms: median(ms.ort), rme: 0 }, { flops });
    for (const name of ['resident', 'copying']) {
      const row = record('gemm', `matmul ${shape}, ${name} [simd]`, { ms: median(ms[name]), rme: 0 }, { flops });
      row['x ORT'] = +median(ms[name].map((t, i) => t / ms.ort[i])).toFixed(3);
    }
    console.log(`    ${shape}: ORT / sparq resident ${(1 / median(ms.resident.map((t, i) => t / ms.ort[i]))).toFixed(2)}x, ORT / sparq copying ${(1 / median(ms.copying.map((t, i) => t / ms.ort[i]))).toFixed(2)}x`);
    await s.release();
    for (const h of [aw, bw, cw]) h.dispose();
  }
}
