// Integer products (family `int`), one thread: A 64 x 4096 times B 4096 x 4096 with B packed once
// (resident) and A / out resident. int8 x int8 and uint8 x int8 -> int32, quantizedLinear and
// matmulInt4 (f32 in, f32 out) for the SIMD build and the scalar build; sparq's dense f32
// `sq.matmul` when this build has it; plain-JS baselines (a smaller shape, rates compared);
// onnxruntime-web (Wasm, one thread) MatMulInteger, MatMul (f32) and DynamicQuantizeMatMul as peers.
// GOP/s counts 2 * m * k * n operations.
import { spawnSync } from 'node:child_process';
import asc from 'assemblyscript/asc';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, record, time, QUICK } from './harness.mjs';
import { READ_FLOOR } from './floors.mjs';
import { decodeRounds } from './steady.mjs';
import { loadOrt, session } from './peers/ort.mjs';

const M = 64, K = 4096, N = 4096;
const OPS = 2 * M * K * N;
const SM = 16, SK = 512, SN = 512; // plain-JS shape
const SOPS = 2 * SM * SK * SN;

function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
}
const i8 = (r, n) => Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128);
const u8 = (r, n) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
const f32 = (r, n, s) => Float32Array.from({ length: n }, () => (r() + r() + r() - 1.5) * s);

// Plain-JS baselines with the same semantics.
function jsMatmulInteger(a, b, m, k, n, out) {
  out.fill(0);
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) {
    const v = a[i * k + t], row = t * n, o = i * n;
    for (let j = 0; j < n; j++) out[o + j] = (out[o + j] + v * b[row + j]) | 0;
  }
}
function jsMatmulF32(a, b, m, k, n, out) {
  out.fill(0);
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) {
    const v = a[i * k + t], row = t * n, o = i * n;
    for (let j = 0; j < n; j++) out[o + j] += v * b[row + j];
  }
}

/** Median of `runs` awaited calls (for ONNX Runtime's async run). */
async function timeAsync(fn, runs) {
  await fn();
  const s = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    s.push(performance.now() - t0);
  }
  s.sort((a, b) => a - b);
  const ms = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, s.length - 1));
  return { ms, meanMs: mean, rme: (100 * sd / Math.sqrt(s.length)) / mean, samples: s.length };
}

const SLOW = { maxTime: 0.1, minSamples: 2 }; // the scalar build: ~1-2 s a call

export async function run({ simd, scalar }) {
  const r = lcg(2024);
  const a8 = i8(r, M * K), au = u8(r, M * K), b8 = i8(r, K * N);
  const x = f32(r, M * K, 2), w = f32(r, K * N, 0.05);
  const res = {};
  const fam = 'int';
  const gop = { flops: OPS, opsName: 'GOP/s' };

  for (const [name, sq] of [['simd', simd], ['scalar', scalar]]) {
    const opts = name === 'simd' ? {} : SLOW;
    const pb = sq.packedInt8(b8, K, N);
    const w8 = sq.packedInt8(w, K, N);
    const w4 = sq.packedInt4(w, K, N, { blockSize: 32, symmetric: true });
    const aw = sq.wasmArray(a8), auw = sq.wasmArray(au), xw = sq.wasmArray(x);
    const cw = sq.alloc('i32', M * N), yw = sq.alloc('f32', M * N);
    const R = (res[name] = {});
    R.i8 = record(fam, `int8 x int8 -> int32 64x4096x4096, packed [${name}]`, time(() => sq.matmulInteger(aw, pb, M, K, N, undefined, cw), opts), gop);
    R.u8 = record(fam, `uint8 x int8 -> int32 64x4096x4096, packed [${name}]`, time(() => sq.matmulInteger(auw, pb, M, K, N, { aZeroPoint: 128 }, cw), opts), gop);
    R.ql = record(fam, `quantizedLinear f32 -> f32 64x4096x4096 [${name}]`, time(() => sq.quantizedLinear(xw, M, w8, null, yw), opts), gop);
    R.i4 = record(fam, `matmulInt4 bs 32 f32 -> f32 64x4096x4096 [${name}]`, time(() => sq.matmulInt4(xw, M, w4, null, yw), opts), gop);
    if (typeof sq.matmul === 'function') {
      const bw = sq.wasmArray(w), ow = sq.alloc('f32', M * N);
      R.f32 = record(fam, `f32 sq.matmul 64x4096x4096 [${name}]`, time(() => sq.matmul(xw, bw, M, K, N, ow), opts), { flops: OPS });
      bw.dispose(); ow.dispose();
    } else {
      console.log(`  ${`f32 sq.matmul 64x4096x4096 [${name}]`.padEnd(52)}        n/a (sq.matmul is not in this build)`);
    }
    if (name === 'simd') {
      // the copying convenience API (A and the output copied each call)
      const out = new Int32Array(M * N);
      R.i8copy = record(fam, `int8 x int8 -> int32, copying A / out [${name}]`, time(() => sq.matmulInteger(a8, pb, M, K, N, undefined, out)), gop);
      const t0 = performance.now();
      sq.packedInt8(b8, K, N).dispose();
      console.log(`  packedInt8 of B 4096x4096 (one-time): ${(performance.now() - t0).toFixed(1)} ms; packedInt4: ${(() => { const t1 = performance.now(); sq.packedInt4(w, K, N).dispose(); return (performance.now() - t1).toFixed(1); })()} ms`);
    }
    for (const h of [pb, w8, w4, aw, auw, xw, cw, yw]) h.dispose();
  }

  // plain JS on a smaller shape (GOP/s compare across shapes)
  const sa = i8(r, SM * SK), sb = i8(r, SK * SN), sx = f32(r, SM * SK, 1), sw = f32(r, SK * SN, 1);
  const jsI = record(fam, `int8 x int8 -> int32 16x512x512 [plain JS]`, time(() => jsMatmulInteger(sa, sb, SM, SK, SN, new Int32Array(SM * SN))), { flops: SOPS, opsName: 'GOP/s' });
  const jsF = record(fam, `f32 product 16x512x512 [plain JS]`, time(() => jsMatmulF32(sx, sw, SM, SK, SN, new Float32Array(SM * SN))), { flops: SOPS });

  // peers: onnxruntime-web, Wasm EP, one thread; B and the zero points / scales are initializers
  // (constant), so ORT may prepack B as sparq does.
  const peers = {};
  const { ort, error } = await loadOrt();
  if (error) {
    console.log(`  onnxruntime-web: cannot run here (${error})`);
  } else {
    const runs = QUICK ? 3 : 7;
    const mi = async (aType, aData) => {
      const s = await session(ort, {
        node: { op: 'MatMulInteger', inputs: ['A', 'B'], outputs: ['Y'] },
        inputs: [{ name: 'A', type: aType, shape: [M, K] }], outputs: [{ name: 'Y', type: 'int32', shape: [M, N] }],
        initializers: [{ name: 'B', type: 'int8', dims: [K, N], data: b8 }],
      });
      const feed = { A: new ort.Tensor(aType, aData, [M, K]) };
      const t = await timeAsync(() => s.run(feed), aType === 'int8' ? Math.min(runs, 3) : runs);
      await s.release();
      return t;
    };
    peers.u8 = record(fam, 'ORT-web MatMulInteger uint8 x int8 (Wasm, 1 thread)', await mi('uint8', au), gop);
    peers.i8 = record(fam, 'ORT-web MatMulInteger int8 x int8 (Wasm, 1 thread)', await mi('int8', a8), gop);
    {
      const s = await session(ort, {
        node: { op: 'MatMul', inputs: ['A', 'B'], outputs: ['Y'] },
        inputs: [{ name: 'A', type: 'float', shape: [M, K] }], outputs: [{ name: 'Y', type: 'float', shape: [M, N] }],
        initializers: [{ name: 'B', type: 'float', dims: [K, N], data: w }],
      });
      const feed = { A: new ort.Tensor('float32', x, [M, K]) };
      peers.f32 = record(fam, 'ORT-web MatMul f32 (Wasm, 1 thread)', await timeAsync(() => s.run(feed), runs), { flops: OPS });
      await s.release();
    }
    try {
      // com.microsoft DynamicQuantizeMatMul: the quantizedLinear of ONNX Runtime
      const wq = simd.packedInt8(w, K, N);
      const bq = new Int8Array(K * N);
      const sc = wq.scale;
      for (let i = 0; i < K * N; i++) { const v = Math.round(w[i] / sc[i % N]); bq[i] = Math.max(-127, Math.min(127, v)); }
      wq.dispose();
      const s = await session(ort, {
        node: { op: 'DynamicQuantizeMatMul', domain: 'com.microsoft', inputs: ['A', 'B', 'S'], outputs: ['Y'] },
        inputs: [{ name: 'A', type: 'float', shape: [M, K] }], outputs: [{ name: 'Y', type: 'float', shape: [M, N] }],
        initializers: [{ name: 'B', type: 'int8', dims: [K, N], data: bq }, { name: 'S', type: 'float', dims: [N], data: sc }],
        opsets: [{ domain: '', version: 21 }, { domain: 'com.microsoft', version: 1 }],
      });
      const feed = { A: new ort.Tensor('float32', x, [M, K]) };
      peers.dq = record(fam, 'ORT-web DynamicQuantizeMatMul (Wasm, 1 thread)', await timeAsync(() => s.run(feed), runs), gop);
      await s.release();
    } catch (e) {
      console.log(`  ORT-web DynamicQuantizeMatMul: not available (${String(e.message).split('\n')[0]})`);
    }
  }

  const dir = await mkdtemp(join(tmpdir(), 'sparq-floors-'));
  try {
    const floors = await compileFloors(dir);
    decodeShapes(simd, r, floors.simd);
    relaxedVsSimd(floors.relaxed);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // summary against the issue's targets
  const S = res.simd;
  const f32Ref = S.f32 ? S.f32.ms : undefined;
  const line = (txt, ok) => console.log(`  ${ok === undefined ? 'n/a ' : ok ? 'MET ' : 'NOT '} ${txt}`);
  const gops = (t) => (OPS / t.ms / 1e6).toFixed(1);
  console.log('  --- targets ---');
  line(`int8 x int8 ${gops(S.i8)} GOP/s >= 65`, OPS / S.i8.ms / 1e6 >= 65);
  line(`int8 x int8 vs sparq f32 product: ${f32Ref ? (f32Ref / S.i8.ms).toFixed(2) + 'x' : 'n/a (no sq.matmul in this build)'} (>= 2.3x)`, f32Ref ? f32Ref / S.i8.ms >= 2.3 : undefined);
  line(`quantizedLinear / int8 product: ${(S.ql.ms / S.i8.ms).toFixed(3)}x (<= 1.25x)`, S.ql.ms / S.i8.ms <= 1.25);
  line(`matmulInt4 vs sparq f32 product: ${f32Ref ? (f32Ref / S.i4.ms).toFixed(2) + 'x faster' : 'n/a'} (> 1x)`, f32Ref ? S.i4.ms < f32Ref : undefined);
  console.log(`  SIMD / scalar: int8 ${(res.scalar.i8.ms / S.i8.ms).toFixed(1)}x, quantizedLinear ${(res.scalar.ql.ms / S.ql.ms).toFixed(1)}x, int4 ${(res.scalar.i4.ms / S.i4.ms).toFixed(1)}x`);
  console.log(`  SIMD vs plain JS (GOP/s): int8 ${((OPS / S.i8.ms) / (SOPS / jsI.ms)).toFixed(1)}x; int8 vs plain-JS f32 ${((OPS / S.i8.ms) / (SOPS / jsF.ms)).toFixed(1)}x`);
  if (peers.f32) {
    console.log(`  vs ORT-web: int8 x int8 ${(peers.i8.ms / S.i8.ms).toFixed(1)}x faster, uint8 x int8 ${(peers.u8.ms / S.u8.ms).toFixed(2)}x; int8 vs ORT-web f32 MatMul ${(peers.f32.ms / S.i8.ms).toFixed(2)}x, matmulInt4 vs it ${(peers.f32.ms / S.i4.ms).toFixed(2)}x${peers.dq ? `, quantizedLinear vs DynamicQuantizeMatMul ${(peers.dq.ms / S.ql.ms).toFixed(2)}x` : ''}`);
  }
}

/**
 * Decode shapes (1 and 4 rows times 4096 x 4096), SIMD build, resident: f32 matmul, quantizedLinear
 * (with and without reduceRange) and matmulInt4, alternated with the floors, one read of the packed
 * weights each product streams (the int8 weights as bytes, the int4 panels; read in sparq's memory
 * as four streams, the fastest read measured, by bound_read4 of bench/floors.mjs). Two cache states: warm (each
 * case in its steady state of repeated calls, bench/steady.mjs, the cases in turn) and, for one
 * row, cold (one call after a read of 64 MiB that no case uses). "x f32 matmul" and "x floor" are
 * medians of the per-round ratios.
 */
function decodeShapes(sq, r, floorsFile) {
  const w = f32(r, K * N, 0.05);
  const bw = sq.wasmArray(w);
  const p8 = sq.packedInt8(w, K, N), p4 = sq.packedInt4(w, K, N, { blockSize: 32, symmetric: true });
  const ex = sq.rt.exports, scratch = sq.rt.alloc(16);
  const other = sq.alloc('f32', K * N); // 64 MiB that no case reads, read before each case
  // the floors read the packed weights in sparq's memory as four streams (bench/floors.mjs)
  const fx = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(floorsFile)), { env: { memory: ex.memory } }).exports;
  const b8Bytes = Math.ceil(N / 8) * Math.ceil(K / 4) * 32, i4Bytes = Math.ceil(N / 8) * Math.ceil(K / 32) * 32 * 4;
  for (const [m, cold] of [[1, false], [1, true], [4, false]]) {
    const xw = sq.wasmArray(f32(r, m * K, 2)), yw = sq.alloc('f32', m * N);
    const cases = {
      f32: () => sq.matmul(xw, bw, m, K, N, yw),
      ql: () => sq.quantizedLinear(xw, m, p8, null, yw),
      qlrr: () => sq.quantizedLinear(xw, m, p8, null, yw, { reduceRange: true }),
      i4: () => sq.matmulInt4(xw, m, p4, null, yw),
      floor8: () => fx.bound_read4(p8._b8, b8Bytes, scratch),
      floor4: () => fx.bound_read4(p4._w4, i4Bytes, scratch),
    };
    for (let i = 0; i < 3; i++) for (const f of Object.values(cases)) f();
    const rounds = QUICK ? 7 : 41;
    // every case starts from the same state: warm, its steady state of repeated calls; cold, one
    // call after a read of 64 MiB of other data, so that neither a product nor a floor finds its
    // weights in cache
    const ms = decodeRounds(cases, rounds, cold ? () => ex.quant_minmax_f32(other._ptr, K * N, scratch) : undefined);
    const per = (a, b) => +median(ms[a].map((t, i) => t / ms[b][i])).toFixed(3);
    const shape = `${m}x${K}x${N}`;
    const rec = (name, key, floor) => {
      const row = record('int', name, { ms: median(ms[key]), rme: 0 }, { flops: 2 * m * K * N, opsName: 'GOP/s' });
      if (key !== 'f32') row['x f32 matmul'] = per(key, 'f32');
      if (floor) row['x floor'] = per(key, floor);
      return row;
    };
    const st = cold ? ', cold cache' : '';
    const F = rec(`decode: f32 sq.matmul ${shape}, resident${st} [simd]`, 'f32');
    const Q = rec(`decode: quantizedLinear ${shape}, resident${st} [simd]`, 'ql', 'floor8');
    const QR = rec(`decode: quantizedLinear reduceRange ${shape}${st} [simd]`, 'qlrr', 'floor8');
    const I = rec(`decode: matmulInt4 bs 32 ${shape}, resident${st} [simd]`, 'i4', 'floor4');
    record('int', `decode floor${st}: one read of the int8 weights (${(b8Bytes / 2 ** 20).toFixed(0)} MiB)`, { ms: median(ms.floor8), rme: 0 }, { bytes: b8Bytes });
    record('int', `decode floor${st}: one read of the int4 weights (${(i4Bytes / 2 ** 20).toFixed(0)} MiB)`, { ms: median(ms.floor4), rme: 0 }, { bytes: i4Bytes });
    console.log(`    ${shape}${st}: f32 matmul / quantizedLinear ${(1 / Q['x f32 matmul']).toFixed(2)}x (reduceRange ${(1 / QR['x f32 matmul']).toFixed(2)}x), / matmulInt4 ${(1 / I['x f32 matmul']).toFixed(2)}x; over the floor: quantizedLinear ${Q['x floor']}x, matmulInt4 ${I['x floor']}x (f32 ${F.ms.toFixed(3)} ms)`);
    xw.dispose();
    yw.dispose();
  }
  sq.rt.free(scratch);
  for (const h of [bw, p8, p4, other]) h.dispose();
}

/**
 * The relaxed build against the SIMD build: Node 20 cannot run it, so bench/int-relaxed.mjs runs
 * in Deno (both builds alternated in that one process) and its rows are recorded here with the
 * runtime named; "x simd" is the median of the per-round ratios relaxed / SIMD.
 */
/**
 * A floor of matmulInt4's decode shape in the relaxed build, compiled here (asc, relaxed SIMD on)
 * and run by bench/int-relaxed.mjs in Deno on the relaxed instance's own memory (imported), over
 * the package's packed int4 weights: per 16 bytes the nibble split (an and; a shift and an and)
 * and two relaxed dots, nothing else (no activation loads, zero points or block scales): the
 * shipped inner loop alone, reading four streams as the package does.
 */

const RELAXED_FLOORS = READ_FLOOR + `
export function bound_i4_rsplit(w: usize, quads: i32, a: usize, out: usize): void {
  const a0 = v128.load(a), a1 = v128.load(a, 16), m8 = v128.load(a, 32);
  let c0 = i32x4.splat(0), c1 = c0;
  const qb = <usize>(quads >> 2) << 4; // four streams, as the package reads
  for (let p = w; p < w + qb; p += 16) {
    let v = v128.load(p);
    c0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a0, v128.and(v, m8), c0);
    c1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a0, v128.and(i16x8.shr_u(v, 4), m8), c1);
    v = v128.load(p + qb);
    c0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a1, v128.and(v, m8), c0);
    c1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a1, v128.and(i16x8.shr_u(v, 4), m8), c1);
    v = v128.load(p + 2 * qb);
    c0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a0, v128.and(v, m8), c0);
    c1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a0, v128.and(i16x8.shr_u(v, 4), m8), c1);
    v = v128.load(p + 3 * qb);
    c0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a1, v128.and(v, m8), c0);
    c1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a1, v128.and(i16x8.shr_u(v, 4), m8), c1);
  }
  v128.store(out, i32x4.add(c0, c1));
}
`;

/** The floors' modules, compiled once per run into dir (memory imported: they read sparq's). */
async function compileFloors(dir) {
  const build = async (name, src, features) => {
    await writeFile(join(dir, `${name}.ts`), src);
    const { error, stderr } = await asc.main([join(dir, `${name}.ts`), '-o', join(dir, `${name}.wasm`), '--runtime', 'stub', '--enable', features,
      '--use', 'abort=', '--noAssert', '-O3', '--importMemory']);
    if (error) throw new Error(`floors: asc failed: ${stderr.toString()}`);
    return join(dir, `${name}.wasm`);
  };
  return { simd: await build('floors-simd', READ_FLOOR, 'simd'), relaxed: await build('floors-relaxed', RELAXED_FLOORS, 'simd,relaxed-simd') };
}

function relaxedVsSimd(floors) {
  const res = spawnSync('node_modules/.bin/deno', ['run', '-A', 'bench/int-relaxed.mjs', ...(QUICK ? ['--quick'] : []), '--floors', floors], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 10 * 60 * 1000 });
  const line = (res.stdout ?? '').trim().split('\n').pop() ?? '';
  let out;
  try {
    out = JSON.parse(line);
  } catch {
    console.log(`  relaxed build: Deno did not run the bench (${(res.stderr ?? '').split('\n')[0] || res.error?.message})`);
    return;
  }
  if (out.error) {
    console.log(`  relaxed build: ${out.error}`);
    return;
  }
  console.log(`  relaxed build vs SIMD build, alternated in ${out.runtime}:`);
  for (const row of out.rows) {
    if (row.decode) {
      // the decode shape in the relaxed build: ratios are medians of per-round ratios in Deno
      const r = record('int', `${row.name} [relaxed, Deno]`, { ms: row.ms, rme: 0 }, row.bytes ? { bytes: row.bytes } : { flops: row.flops, opsName: 'GOP/s' });
      if (row.xf32 !== undefined) r['x f32 matmul'] = row.xf32;
      if (row.xfloor !== undefined) r['x floor'] = row.xfloor;
      if (row.xread !== undefined) r['x one read'] = row.xread;
      console.log(`    ${row.name} [relaxed, Deno]: ${row.ms} ms${row.xf32 !== undefined ? `, f32 matmul / this ${(1 / row.xf32).toFixed(2)}x, over the floor ${row.xfloor}x` : ''}`);
      continue;
    }
    const rel = record('int', `${row.name} [relaxed, Deno]`, { ms: row.relaxedMs, rme: 0 }, { flops: 2 * Number(row.name.match(/(\d+)x(\d+)x(\d+)/).slice(1).reduce((a, b) => a * b)), opsName: 'GOP/s' });
    rel['x simd'] = +(1 / row.ratio).toFixed(3);
    rel['simd ms'] = row.simdMs;
    console.log(`    ${row.name}: SIMD / relaxed ${row.ratio.toFixed(2)}x`);
  }
}
