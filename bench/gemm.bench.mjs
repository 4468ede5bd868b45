// gemm's four transpose cases on 64 x 4096 x 4096 (y = op(A) op(B), the shape of dW = dY^T X and
// dX = dY W in a training step) against matmul on the same shape, SIMD build, Wasm-resident data.
// The cases run in alternation, one call each per round (matmul, NN, TN, NT, TT), so the ratios
// compare calls made seconds apart; `x matmul` is the median over rounds of each round's ratio.
// A plain-JS loop (i, p, j order) is the baseline.
import { QUICK, median, record } from './harness.mjs';

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

export async function run({ simd: sq, scalar }) {
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
}
