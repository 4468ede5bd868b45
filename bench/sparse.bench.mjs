// Sparse products, single thread, resident matrices: W 4096 x 4096 at 50 / 90 / 95% uniform random
// sparsity times X 4096 x 64 and times a vector; 2:4 N:M; 4x4 blocks at 90%; sparse int8 at 90%;
// plain-JS loops; TensorFlow.js's Wasm backend (XNNPACK, SIMD binary, one thread) as the dense
// peer. Ratios divide by sparq's dense matmul and TF.js on the same shape (the gemm bench's dense
// product). GFLOP/s over nonzeros (2 nnz n / t) and dense-equivalent GFLOP/s (2 rows cols n / t).
// Ends with the targets, met or not.
import { denseProduct, tfjs } from './gemm.bench.mjs';
import { QUICK, record, time, timePaired } from './harness.mjs';

const R = 4096, C = 4096, N = 64;
const SLOW = { maxTime: 0.05, minSamples: 2 }; // the slowest plain-JS loops: seconds per run

let seed = 0x5eed;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);

/** Uniform random sparsity: each entry kept with probability density. */
function randomCsr(density) {
  const indptr = new Int32Array(R + 1), idx = [], val = [];
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < C; j++) if (rnd() < density) { idx.push(j); val.push(rnd() - 0.5); }
    indptr[i + 1] = idx.length;
  }
  return { rows: R, cols: C, indptr, indices: Int32Array.from(idx), data: Float32Array.from(val) };
}

function dense24() {
  const w = new Float32Array(R * C);
  for (let g = 0; g < w.length; g += 4) {
    const a = Math.floor(rnd() * 4);
    const b = (a + 1 + Math.floor(rnd() * 3)) % 4;
    w[g + a] = rnd() - 0.5;
    w[g + b] = rnd() - 0.5;
  }
  return w;
}

function denseBlocks(bh, bw, density) {
  const w = new Float32Array(R * C);
  for (let I = 0; I < R / bh; I++) for (let J = 0; J < C / bw; J++) {
    if (rnd() >= density) continue;
    for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) w[(I * bh + y) * C + J * bw + x] = rnd() - 0.5;
  }
  return w;
}

// Plain-JS baselines.
function jsSpmm(a, x, n, y) {
  const { indptr, indices, data } = a;
  y.fill(0);
  for (let i = 0; i < a.rows; i++) {
    const yo = i * n;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const v = data[p], xo = indices[p] * n;
      for (let c = 0; c < n; c++) y[yo + c] += v * x[xo + c];
    }
  }
}
function jsSpmv(a, x, y) {
  const { indptr, indices, data } = a;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) s += data[p] * x[indices[p]];
    y[i] = s;
  }
}
export async function run({ simd, scalar, copyMs }) {
  const builds = [['simd', simd], ['scalar', scalar]];
  const x = new Float32Array(C * N).map(() => rnd() - 0.5);
  const xv = new Float32Array(C).map(() => rnd() - 0.5);
  const yJs = new Float32Array(R * N), yvJs = new Float32Array(R);
  const res = {};
  const denseFlops = 2 * R * C * N;
  const io = {}; // per build: resident X, x, Y, y
  for (const [name, sq] of builds) io[name] = { x: sq.wasmArray(x), xv: sq.wasmArray(xv), y: sq.alloc('f32', R * N), yv: sq.alloc('f32', R) };

  const csr90 = randomCsr(0.1);
  const w90 = simd.csrToDense(csr90);

  // ---- the dense references: sparq's matmul and TF.js (gemm rows), TF.js times a vector --------
  const { simdMs: denseMs, tfMs } = await denseProduct({ simd, scalar });
  const { tf } = await tfjs();
  const ta = tf.tensor2d(w90, [R, C]), tv = tf.tensor2d(xv, [C, 1]);
  res.tfv = record('sparse', 'TF.js wasm dense matMul times a vector', time(() => { const c = tf.matMul(ta, tv); c.dataSync(); c.dispose(); }), { flops: 2 * R * C, ratios: { copy: copyMs } });
  ta.dispose(); tv.dispose();

  // ---- CSR at 50 / 90 / 95% ---------------------------------------------------------------------
  for (const sparsity of [50, 90, 95]) {
    const a = sparsity === 90 ? csr90 : randomCsr(1 - sparsity / 100);
    const nnz = a.indices.length;
    console.log(`# CSR ${sparsity}% sparse (nnz ${nnz}), times X 4096 x 64 and times a vector`);
    const opt = { flops: 2 * nnz * N, opsName: 'GFLOP/s nnz', extraFlops: { 'dense-eq GFLOP/s': denseFlops } };
    for (const [name, sq] of builds) {
      const M = sq.sparseMatrix(a);
      res[`spmm${sparsity}_${name}`] = record('sparse', `spmm ${sparsity}% x 64, resident [${name}]`, time(() => sq.spmm(M, io[name].x, N, io[name].y)),
        { ...opt, ratios: { 'sparq dense': denseMs, 'TF.js dense': tfMs } });
      // the SIMD spmv against copies timed around it (the target is a ratio to the copy)
      const tv = name === 'simd' ? timePaired(() => sq.spmv(M, io[name].xv, io[name].yv)) : time(() => sq.spmv(M, io[name].xv, io[name].yv));
      res[`spmv${sparsity}_${name}`] = record('sparse', `spmv ${sparsity}%, resident [${name}]`, tv,
        { flops: 2 * nnz, opsName: 'GFLOP/s nnz', bytes: 6 * nnz + 4 * R + 4 * C + 4 * R, ratios: { copy: tv.copyMs ?? copyMs, 'TF.js dense': res.tfv.ms } });
      if (name === 'simd' && sparsity === 90) {
        record('sparse', 'spmm 90% x 64, raw CSR (validate + pack per call) [simd]', time(() => sq.spmm(a, io[name].x, N, io[name].y)), opt);
        const xb = sq.wasmArray(x), yb = sq.alloc('f32', R * N); // X [64 x 4096]: the same data as a batch
        res.lin90 = record('sparse', 'sparseLinear 90%, batch 64 (transposes included) [simd]', time(() => sq.sparseLinear(xb, N, M, undefined, yb)), opt);
        xb.dispose(); yb.dispose();
      }
      M.dispose();
    }
    res[`js${sparsity}`] = record('sparse', `plain-JS CSR loop spmm ${sparsity}% x 64`, time(() => jsSpmm(a, x, N, yJs), sparsity === 50 ? SLOW : {}), opt);
    record('sparse', `plain-JS CSR loop spmv ${sparsity}%`, time(() => jsSpmv(a, xv, yvJs)), { flops: 2 * nnz, opsName: 'GFLOP/s nnz', ratios: { copy: copyMs } });
    if (sparsity === 90) {
      // sparse int8 of the same matrix
      for (const [name, sq] of builds) {
        const Q = sq.sparseInt8Matrix(a);
        res[`q8mm_${name}`] = record('sparse', `sparse int8 spmm 90% x 64, resident [${name}]`, time(() => sq.spmm(Q, io[name].x, N, io[name].y)),
          { ...opt, ratios: { 'f32 CSR': res[`spmm90_${name}`].ms } });
        const tq = name === 'simd' ? timePaired(() => sq.spmv(Q, io[name].xv, io[name].yv)) : time(() => sq.spmv(Q, io[name].xv, io[name].yv));
        res[`q8mv_${name}`] = record('sparse', `sparse int8 spmv 90%, resident [${name}]`, tq,
          { flops: 2 * nnz, opsName: 'GFLOP/s nnz', ratios: { 'f32 CSR': res[`spmv90_${name}`].ms, copy: tq.copyMs ?? copyMs } });
        Q.dispose();
      }
    }
  }

  // ---- 2:4 ----------------------------------------------------------------------------------------
  {
    const w = dense24();
    const nnz = R * C / 2;
    console.log('# N:M 2:4 (50%), times X 4096 x 64');
    const opt = { flops: 2 * nnz * N, opsName: 'GFLOP/s nnz', extraFlops: { 'dense-eq GFLOP/s': denseFlops } };
    for (const [name, sq] of builds) {
      const M = sq.nmMatrix(w, R, C, { n: 2, m: 4 });
      res[`nm_${name}`] = record('sparse', `2:4 spmm x 64, resident [${name}] (${(M.bytes / 2 ** 20).toFixed(1)} MiB)`, time(() => sq.spmm(M, io[name].x, N, io[name].y)),
        { ...opt, ratios: { 'sparq dense': denseMs } });
      if (name === 'simd') record('sparse', '2:4 spmv, resident [simd]', time(() => sq.spmv(M, io[name].xv, io[name].yv)), { flops: 2 * nnz, opsName: 'GFLOP/s nnz', ratios: { copy: copyMs } });
      M.dispose();
    }
    const a = simd.csrFromDense(w, R, C);
    record('sparse', 'plain-JS CSR loop spmm 2:4 x 64', time(() => jsSpmm(a, x, N, yJs), SLOW), opt);
  }

  // ---- BSR 4x4 at 90% ----------------------------------------------------------------------------
  {
    const w = denseBlocks(4, 4, 0.1);
    const a = simd.csrFromDense(w, R, C);
    const nnz = a.indices.length;
    console.log(`# BSR 4x4 blocks, 90% of blocks empty (nnz ${nnz}), times X 4096 x 64`);
    const opt = { flops: 2 * nnz * N, opsName: 'GFLOP/s nnz', extraFlops: { 'dense-eq GFLOP/s': denseFlops } };
    for (const [name, sq] of builds) {
      const M = sq.bsrMatrix(w, R, C, { block: [4, 4] });
      const Cm = sq.sparseMatrix(a);
      const tc = time(() => sq.spmm(Cm, io[name].x, N, io[name].y));
      res[`bsr_${name}`] = record('sparse', `BSR 4x4 spmm 90% x 64, resident [${name}]`, time(() => sq.spmm(M, io[name].x, N, io[name].y)),
        { ...opt, ratios: { 'sparq dense': denseMs, 'CSR same matrix': tc.ms } });
      M.dispose(); Cm.dispose();
    }
    record('sparse', 'plain-JS CSR loop spmm, 4x4-block matrix x 64', time(() => jsSpmm(a, x, N, yJs)), opt);
  }
  for (const name of ['simd', 'scalar']) for (const k of Object.keys(io[name])) io[name][k].dispose();

  // ---- targets ---------------------------------------------------------------------------------
  const t = [
    ['spmm 90% x 64 >= 14 GFLOP/s over nonzeros', res.spmm90_simd['GFLOP/s nnz'], res.spmm90_simd['GFLOP/s nnz'] >= 14],
    ['spmm 90% x 64 >= 4.5x faster than TF.js dense', +(tfMs / res.spmm90_simd.ms).toFixed(2), tfMs / res.spmm90_simd.ms >= 4.5],
    ['spmm 50% x 64 no slower than 1.2x sparq dense', +(res.spmm50_simd.ms / denseMs).toFixed(2), res.spmm50_simd.ms <= 1.2 * denseMs],
    ['spmv 90% within 0.8x a 16 MiB copy (timed around it)', res.spmv90_simd['x copy'], res.spmv90_simd['x copy'] <= 0.8],
    ['2:4 >= 1.6x faster than sparq dense', +(denseMs / res.nm_simd.ms).toFixed(2), denseMs / res.nm_simd.ms >= 1.6],
    ['sparse int8 spmm 90% >= 1.3x faster than f32 CSR', +(res.spmm90_simd.ms / res.q8mm_simd.ms).toFixed(2), res.spmm90_simd.ms / res.q8mm_simd.ms >= 1.3],
    ['sparse int8 spmv 90% >= 1.3x faster than f32 CSR', +(res.spmv90_simd.ms / res.q8mv_simd.ms).toFixed(2), res.spmv90_simd.ms / res.q8mv_simd.ms >= 1.3],
  ];
  console.log(`# targets${QUICK ? ' (quick mode: noisy)' : ''}`);
  for (const [what, v, ok] of t) console.log(`  ${ok ? 'MET    ' : 'NOT MET'} ${what}: ${v}`);
}
