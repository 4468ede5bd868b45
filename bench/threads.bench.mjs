// Threads: the same calls at each thread count of `--threads 1,2` (default 1,2), one instance per
// count, resident data, in alternation (one timing per count per round) so that the ratios compare
// calls made moments apart on a machine whose load drifts. `x 1 thread` is the median over rounds
// of (time at 1 thread) / (time at T threads): above 1 is faster. Sizes below each family's
// threshold stay on the calling thread and must not get slower. The side-by-side rows are
// onnxruntime-web with numThreads 1 and 2 (separate module instances) on the same products.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { init } from 'sparq';
import { QUICK, argv, median, record } from './harness.mjs';
import { session } from './peers/ort.mjs';

const at = argv.indexOf('--threads');
const COUNTS = at >= 0 && argv[at + 1] && !argv[at + 1].startsWith('--') ? argv[at + 1].split(',').map(Number) : [1, 2];

function fill(n, seed, scale = 1) {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = ((s >>> 8) / 16777216 - 0.5) * scale;
  }
  return x;
}

/** A CSR of rows x cols with about `density` of the entries kept (seeded). */
function csr(rows, cols, density, seed) {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  const indptr = new Int32Array(rows + 1), idx = [], val = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) if (rnd() < density) { idx.push(j); val.push(rnd() - 0.5); }
    indptr[i + 1] = idx.length;
  }
  return { rows, cols, indptr, indices: Int32Array.from(idx), data: Float32Array.from(val) };
}

/** Time fn once, or `reps` times for short calls; ms per call. */
function once(fn, reps) {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

/** Cases: name, work description, family, and make(sq) -> the call. */
function cases() {
  const M = 64, K = 4096, N = 4096, E = 1 << 22;
  const a = fill(M * K, 1), b = fill(K * N, 2), x = fill(E, 3, 6);
  const a8 = new Int8Array(M * K).map((_, i) => ((i * 37) % 255) - 127), b8 = new Int8Array(K * N).map((_, i) => ((i * 91) % 255) - 127);
  const sp = csr(4096, 4096, 0.1, 4), xs = fill(4096 * 64, 5);
  const p = { scale: 0.02, zeroPoint: 3, dtype: 'int8' };
  const q = new Int8Array(E).map((_, i) => (i * 13) % 256 - 128);
  const big = [
    { name: `matmul f32 ${M}x${K}x${N}`, target: 1.8, make: (sq) => { const A = sq.wasmArray(a), B = sq.wasmArray(b), C = sq.alloc('f32', M * N); return () => sq.matmul(A, B, M, K, N, C); } },
    { name: `matmulInteger int8 ${M}x${K}x${N} (packed B)`, target: 1.8, make: (sq) => { const A = sq.wasmArray(a8), B = sq.packedInt8(b8, K, N), C = sq.alloc('i32', M * N); return () => sq.matmulInteger(A, B, M, K, N, undefined, C); } },
    { name: 'spmm 4096x4096 90% sparse x 64', target: 1.8, make: (sq) => { const A = sq.sparseMatrix(sp), X = sq.wasmArray(xs), Y = sq.alloc('f32', 4096 * 64); return () => sq.spmm(A, X, 64, Y); } },
    { name: 'quantize 16 MiB f32 -> int8', target: 1.3, make: (sq) => { const X = sq.wasmArray(x), Q = sq.alloc('i8', E); return () => sq.quantize(X, p, Q); } },
    { name: 'dequantize 4 M int8 -> 16 MiB f32', target: 1.3, make: (sq) => { const Q = sq.wasmArray(q), Y = sq.alloc('f32', E); return () => sq.dequantize(Q, p, Y); } },
    { name: 'magnitudeMask 16 MiB (prune 50%)', target: 1.3, make: (sq) => { const X = sq.wasmArray(x), O = sq.alloc('u8', E); return () => sq.magnitudeMask(X, { amount: 0.5 }, undefined, O); } },
  ];
  // below the thresholds: must not be slower with threads on (they stay on the calling thread)
  const x1k = fill(1024, 6), x64k = fill(65536, 7), s16 = fill(16 * 64, 8), s64 = fill(64 * 64, 9);
  const small = [
    { name: 'quantize 1 K', reps: 2000, make: (sq) => { const X = sq.wasmArray(x1k), Q = sq.alloc('i8', 1024); return () => sq.quantize(X, p, Q); } },
    { name: 'quantize 64 K', reps: 200, make: (sq) => { const X = sq.wasmArray(x64k), Q = sq.alloc('i8', 65536); return () => sq.quantize(X, p, Q); } },
    { name: 'matmul 16x64x64', reps: 500, make: (sq) => { const A = sq.wasmArray(s16), B = sq.wasmArray(s64), C = sq.alloc('f32', 16 * 64); return () => sq.matmul(A, B, 16, 64, 64, C); } },
    { name: 'spmm 256x256 90% sparse x 8', reps: 200, make: (sq) => { const A = sq.sparseMatrix(csr(256, 256, 0.1, 10)), X = sq.wasmArray(fill(256 * 8, 11)), Y = sq.alloc('f32', 256 * 8); return () => sq.spmm(A, X, 8, Y); } },
  ];
  return { big, small };
}

/** onnxruntime-web with numThreads = n: its own module instance (the setting is global to one). */
async function ortWith(n) {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('onnxruntime-web');
  const ort = await import(`${pathToFileURL(entry).href}?threads=${n}`);
  ort.env.wasm.numThreads = n;
  ort.env.wasm.simd = true;
  ort.env.wasm.wasmPaths = pathToFileURL(join(dirname(entry), '/')).href;
  return ort;
}

export async function run() {
  const fam = 'threads';
  const rounds = QUICK ? 3 : 9;
  const inst = {};
  for (const n of COUNTS) inst[n] = await init({ threads: n });
  for (const n of COUNTS) {
    const why = inst[n].threadsUnavailable ? ` (${inst[n].threadsUnavailable})` : '';
    console.log(`  init({ threads: ${n} }): ${inst[n].threads} thread(s), ${inst[n].build} build${why}`);
  }
  const { big, small } = cases();
  const summary = [];
  for (const c of [...big, ...small]) {
    const calls = Object.fromEntries(COUNTS.map((n) => [n, c.make(inst[n])]));
    const reps = c.reps ?? 1;
    for (const n of COUNTS) once(calls[n], reps); // warm up
    const ms = Object.fromEntries(COUNTS.map((n) => [n, []]));
    // CPU time / wall time of each count's calls: how many cores the process really got (the
    // machine is shared: when another process holds a core, two threads share one)
    const cores = Object.fromEntries(COUNTS.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (const n of COUNTS) {
        const c0 = process.cpuUsage(), t0 = performance.now();
        ms[n].push(once(calls[n], reps));
        const c = process.cpuUsage(c0);
        cores[n].push((c.user + c.system) / 1000 / (performance.now() - t0));
      }
    }
    for (const n of COUNTS) {
      const row = record(fam, `${c.name} [${n} thread${n > 1 ? 's' : ''}]`, { ms: median(ms[n]), rme: 0 });
      row['cores used'] = +median(cores[n]).toFixed(2);
      if (n > 1) console.log(`    cores used (CPU time / wall time): median ${median(cores[n]).toFixed(2)}, best ${Math.max(...cores[n]).toFixed(2)}`);
      if (n !== COUNTS[0]) {
        const ratio = median(ms[n].map((t, r) => ms[COUNTS[0]][r] / t));
        // on a shared machine the fastest round of each is the closest to an idle one
        const best = Math.min(...ms[COUNTS[0]]) / Math.min(...ms[n]);
        row[`x ${COUNTS[0]} thread`] = +ratio.toFixed(3);
        row[`x ${COUNTS[0]} thread (best rounds)`] = +best.toFixed(3);
        console.log(`    ${n} threads vs ${COUNTS[0]}: ${ratio.toFixed(2)}x faster (median of ${rounds} alternated rounds), ${best.toFixed(2)}x best round against best round${c.target ? `, target ${c.target}x` : ', must not be slower'}`);
        summary.push({ name: c.name, threads: n, ratio, best, target: c.target, cores: median(cores[n]) });
      }
    }
  }
  // onnxruntime-web at numThreads 1 and 2 on the f32 and uint8 x int8 products
  try {
    const M = 64, K = 4096, N = 4096;
    const x = fill(M * K, 1), w = fill(K * N, 2);
    const au = new Uint8Array(M * K).map((_, i) => (i * 37) % 256), b8 = new Int8Array(K * N).map((_, i) => ((i * 91) % 255) - 127);
    for (const n of COUNTS) {
      const ort = await ortWith(n);
      const f = await session(ort, { node: { op: 'MatMul', inputs: ['A', 'B'], outputs: ['Y'] }, inputs: [{ name: 'A', type: 'float', shape: [M, K] }], outputs: [{ name: 'Y', type: 'float', shape: [M, N] }], initializers: [{ name: 'B', type: 'float', dims: [K, N], data: w }] });
      const i8 = await session(ort, { node: { op: 'MatMulInteger', inputs: ['A', 'B'], outputs: ['Y'] }, inputs: [{ name: 'A', type: 'uint8', shape: [M, K] }], outputs: [{ name: 'Y', type: 'int32', shape: [M, N] }], initializers: [{ name: 'B', type: 'int8', dims: [K, N], data: b8 }] });
      const ff = { A: new ort.Tensor('float32', x, [M, K]) }, fi = { A: new ort.Tensor('uint8', au, [M, K]) };
      const tf = [], ti = [];
      await f.run(ff);
      await i8.run(fi);
      for (let r = 0; r < Math.max(3, rounds >> 1); r++) {
        let t0 = performance.now();
        await f.run(ff);
        tf.push(performance.now() - t0);
        t0 = performance.now();
        await i8.run(fi);
        ti.push(performance.now() - t0);
      }
      record(fam, `ORT-web MatMul f32 ${M}x${K}x${N} (numThreads ${n})`, { ms: median(tf), rme: 0 });
      record(fam, `ORT-web MatMulInteger u8 x i8 ${M}x${K}x${N} (numThreads ${n})`, { ms: median(ti), rme: 0 });
      await f.release();
      await i8.release();
    }
  } catch (e) {
    console.log(`  onnxruntime-web with threads: cannot run here (${String(e && e.message || e).split('\n')[0]})`);
  }
  console.log('\n  summary:');
  const load = () => { try { return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '); } catch { return 'n/a'; } };
  console.log(`  (load average now: ${load()}; the machine's other users share its cores)`);
  for (const s of summary) console.log(`    ${s.name.padEnd(48)} ${s.threads} threads: ${s.ratio.toFixed(2)}x median, ${s.best.toFixed(2)}x best, ${s.cores.toFixed(2)} cores used${s.target ? ` (target ${s.target}x)` : ' (under threshold: >= ~1)'}`);
  for (const n of COUNTS) await inst[n].close();
}
