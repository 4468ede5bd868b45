// Lower bounds for the targets sparq does not meet: `node bench/run.mjs --only bounds`.
//
// Each bound is a kernel that does strictly less work than any correct kernel for the target
// could, timed in one process beside the shipped kernels, in alternation (A, B, C, A, B, C, ...)
// because this machine's speed drifts:
// - sparse int8 vs f32 CSR: the shipped spmv / spmm source with every value read replaced by a
//   constant held in a register ("no values"), generated at run time from whole kernel files
//   (assembly/sparse/csr-spmv-offsets.ts and csr-spmm.ts) in a copy of assembly/. No
//   encoding of the values (int8 or anything smaller) can beat it, so its speedup over f32 CSR
//   bounds what sparse int8 can reach with the same gathers, adds and order.
// - quantize vs the copy: a loop that only loads 16 floats, narrows them and stores 16 bytes (any
//   quantize does at least this), and one that also multiplies and rounds with no clamp, NaN
//   handling or exactness check (any quantize does at least this much arithmetic).
// - half, fusion, distill and calib vs the copy: toFloat16 / fromFloat16 floors that only load,
//   narrow or widen and store the same bytes; averageWeights of two models: load both, OR, store;
//   softmax 256 x 32000 against a copy of its input: its three row passes (max, exp, scale) as
//   loads and stores only, and again with the exp of the normal-range form and the scale multiply
//   (no max, no sums: any softmax with sparq's exp does this arithmetic); the histogram observer's
//   update: the min / max pass, then one count per float in four sub-histograms at a bin taken
//   from low bits of its pattern (no range test or division), the least a scalar counting loop
//   does without a scatter.
// - matmulInt4 at the decode shape (SIMD build) vs one read of its packed weights: a loop of the
//   widening loads and the four i32x4.dot_i16x8_s per 32 weights with nothing else (no plain-SIMD
//   op multiplies more than eight 16-bit lanes), the same with the one and per widened vector that
//   separates a byte's two nibbles, beside a plain read of the same bytes; all read four streams,
//   as the package does.
import asc from 'assemblyscript/asc';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_FLOOR } from './floors.mjs';
import { QUICK, copy16, median, record, time } from './harness.mjs';

/**
 * A copy of a kernel file whose functions (`names` renamed with the suffix NV) take a v128 `kv`
 * instead of the values pointer and use it wherever a value was read. The int8 branches stay
 * (dead: called with q8 false) but read address 0 so that they still compile.
 */
function withoutValues(block, names) {
  for (const n of names) block = block.replaceAll(`${n}(`, `${n}NV(`);
  block = block
    .replaceAll('values: usize', 'kv: v128')
    .replace(/v128\.load\(values \+ \(p << 2\)(, \d+)?\)/g, 'kv')
    .replace(/splatVal\(values, [^)]*\)/g, 'kv')
    .replace(/valAt\(values, [^)]*\)/g, 'f32x4.extract_lane(kv, 0)')
    .replaceAll('(values + p)', '(0)')
    .replaceAll('values, ', 'kv, ');
  if (/\bvalues\b/.test(block.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))) throw new Error('bounds: a value read was left in the value-free copy');
  return block;
}

const QUANT_FLOORS = `
const QF: usize = memory.data(32, 16);
/** Load 16 floats, narrow with saturation (i32 -> i16 -> i8), store 16 bytes: no arithmetic. */
export function bound_q_move(x: usize, out: usize, n: i32): void {
  for (let i = 0; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const a = i16x8.narrow_i32x4_s(v128.load(p, 0), v128.load(p, 16));
    const b = i16x8.narrow_i32x4_s(v128.load(p, 32), v128.load(p, 48));
    v128.store(out + <usize>i, i8x16.narrow_i16x8_s(a, b));
  }
}
/** As above plus one multiply and the magic-number rounding per element; no clamp, NaN or check. */
export function bound_q_round(x: usize, out: usize, n: i32, s: f32): void {
  v128.store(QF, f32x4.splat(s), 0);
  v128.store(QF, f32x4.splat(12582912.0), 16);
  const sv = v128.load(QF, 0), mg = v128.load(QF, 16);
  for (let i = 0; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const a = i32x4.sub(f32x4.add(f32x4.mul(v128.load(p, 0), sv), mg), mg);
    const b = i32x4.sub(f32x4.add(f32x4.mul(v128.load(p, 16), sv), mg), mg);
    const c = i32x4.sub(f32x4.add(f32x4.mul(v128.load(p, 32), sv), mg), mg);
    const d = i32x4.sub(f32x4.add(f32x4.mul(v128.load(p, 48), sv), mg), mg);
    v128.store(out + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)));
  }
}
`;

/** The int4 decode floors' loop (four streams, as the package reads); split: and the first dot's operand with 0x0f. */
function i4Floor(name, split) {
  const lo = (x) => (split ? `v128.and(${x}, m)` : x);
  const step = (off) => `
    v = v128.load8x8_u(p${off}); u = v128.load8x8_u(p${off}, 8);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(a0, ${lo('v')})); c1 = i32x4.add(c1, i32x4.dot_i16x8_s(a1, v));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(a2, ${lo('u')})); c3 = i32x4.add(c3, i32x4.dot_i16x8_s(a3, u));`;
  return `export function ${name}(w: usize, quads: i32, a: usize, out: usize): void {
  const a0 = v128.load(a), a1 = v128.load(a, 16), a2 = v128.load(a, 32), a3 = v128.load(a, 48);
  const m = i16x8.splat(0x0f);
  let c0 = i32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  let v = c0, u = c0;
  const qb = <usize>(quads >> 2) << 4;
  for (let p = w; p < w + qb; p += 16) {${step('')}${step(' + qb')}${step(' + 2 * qb')}${step(' + 3 * qb')}
  }
  v128.store(out, i32x4.add(i32x4.add(c0, c1), i32x4.add(c2, c3)));
}`;
}

const OTHER_FLOORS = `
/**
 * int4 decode floor for the SIMD build: per 16-byte quad (32 weights) two widening loads and four
 * i32x4.dot_i16x8_s with activations held in registers; no nibble unpacking, no zero points, no
 * block scales. No plain-SIMD op multiplies more than eight 16-bit lanes, so any kernel does at
 * least these four multiply-adds per quad.
 */
${i4Floor('bound_i4_dots', false)}
/**
 * bound_i4_dots plus what separates the two nibbles of each byte: one and per widened vector (the
 * byte is low + 16 high; a dot with the byte and one with its low nibble give both sums, and no
 * fewer operations do). Still no activation loads, zero points or block scales.
 */
${i4Floor('bound_i4_split', true)}
/** toFloat16 floor: load 8 floats, narrow them (saturating), store 8 halves. */
export function bound_h_narrow(x: usize, out: usize, n: i32): void {
  for (let i = 0; i + 8 <= n; i += 8) {
    const p = x + (<usize>i << 2);
    v128.store(out + (<usize>i << 1), i16x8.narrow_i32x4_u(v128.load(p), v128.load(p, 16)));
  }
}
/** fromFloat16 floor: load 8 halves, widen them, store 8 floats. */
export function bound_h_widen(h: usize, out: usize, n: i32): void {
  for (let i = 0; i + 8 <= n; i += 8) {
    const v = v128.load(h + (<usize>i << 1)), p = out + (<usize>i << 2);
    v128.store(p, i32x4.extend_low_i16x8_u(v));
    v128.store(p, i32x4.extend_high_i16x8_u(v), 16);
  }
}
/** averageWeights (two models) floor: load 16 floats of each, OR them, store 16. */
export function bound_avg2_move(a: usize, b: usize, n: i32, out: usize): void {
  for (let j = 0; j + 16 <= n; j += 16) {
    const o = <usize>j << 2;
    const pa = a + o, pb = b + o, po = out + o;
    v128.store(po, v128.or(v128.load(pa), v128.load(pb)));
    v128.store(po, v128.or(v128.load(pa, 16), v128.load(pb, 16)), 16);
    v128.store(po, v128.or(v128.load(pa, 32), v128.load(pb, 32)), 32);
    v128.store(po, v128.or(v128.load(pa, 48), v128.load(pb, 48)), 48);
  }
}
/** softmax floor: per row, the loads and stores of the max pass, the exp pass and the scale pass. */
export function bound_sm_move(x: usize, out: usize, rows: i32, cols: i32): void {
  const rb = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const xr = x + <usize>i * rb, orow = out + <usize>i * rb;
    let a = v128.load(xr), b = a;
    for (let j = 0; j + 8 <= cols; j += 8) { const p = xr + (<usize>j << 2); a = v128.or(a, v128.load(p)); b = v128.or(b, v128.load(p, 16)); }
    v128.store(orow, v128.or(a, b));
    for (let j = 0; j + 8 <= cols; j += 8) { const p = xr + (<usize>j << 2), d = orow + (<usize>j << 2); v128.store(d, v128.load(p)); v128.store(d, v128.load(p, 16), 16); }
    for (let j = 0; j + 8 <= cols; j += 8) { const d = orow + (<usize>j << 2); v128.store(d, v128.load(d)); v128.store(d, v128.load(d, 16), 16); }
  }
}
const SK: usize = memory.data<f32>([1.4426950408889634, 12582912.0, 0.693359375, -2.1219444005469058e-4,
  0.5, <f32>(1.0 / 6.0), <f32>(1.0 / 24.0), <f32>(1.0 / 120.0), <f32>(1.0 / 720.0), <f32>(1.0 / 5040.0), 1.0, 8.0]);
const SKV: usize = memory.data(16 * 13, 16);
/** distill's exp for -86 <= x <= 0 (the same operations: reduction, degree-7 polynomial, one scaling product). */
@inline function expFloor(x: v128): v128 {
  const sh = v128.load(SKV, 16);
  const t = f32x4.add(f32x4.mul(x, v128.load(SKV, 0)), sh);
  const n = f32x4.sub(t, sh);
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, v128.load(SKV, 32))), f32x4.mul(n, v128.load(SKV, 48)));
  let q = f32x4.add(v128.load(SKV, 128), f32x4.mul(r, v128.load(SKV, 144)));
  q = f32x4.add(v128.load(SKV, 112), f32x4.mul(r, q));
  q = f32x4.add(v128.load(SKV, 96), f32x4.mul(r, q));
  q = f32x4.add(v128.load(SKV, 80), f32x4.mul(r, q));
  q = f32x4.add(v128.load(SKV, 64), f32x4.mul(r, q));
  const p = f32x4.add(v128.load(SKV, 160), f32x4.add(r, f32x4.mul(f32x4.mul(r, r), q)));
  return f32x4.mul(p, i32x4.shl(i32x4.add(t, v128.load(SKV, 192)), 23));
}
/** softmax floor with arithmetic: the passes above with u = x - 8, its exp and the scale multiply. */
export function bound_sm_exp(x: usize, out: usize, rows: i32, cols: i32): void {
  for (let k = 0; k < 12; k++) v128.store(SKV + (<usize>k << 4), f32x4.splat(load<f32>(SK + (<usize>k << 2))));
  v128.store(SKV, i32x4.splat(127 - 0x4b400000), 192);
  const rb = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const xr = x + <usize>i * rb, orow = out + <usize>i * rb;
    let a = v128.load(xr), b = a;
    for (let j = 0; j + 8 <= cols; j += 8) { const p = xr + (<usize>j << 2); a = v128.or(a, v128.load(p)); b = v128.or(b, v128.load(p, 16)); }
    v128.store(orow, v128.or(a, b));
    const mv = v128.load(SKV, 176);
    for (let j = 0; j + 8 <= cols; j += 8) {
      const p = xr + (<usize>j << 2), d = orow + (<usize>j << 2);
      v128.store(d, expFloor(f32x4.sub(v128.load(p), mv)));
      v128.store(d, expFloor(f32x4.sub(v128.load(p, 16), mv)), 16);
    }
    const sv = v128.load(SKV, 64);
    for (let j = 0; j + 8 <= cols; j += 8) {
      const d = orow + (<usize>j << 2);
      v128.store(d, f32x4.mul(v128.load(d), sv));
      v128.store(d, f32x4.mul(v128.load(d, 16), sv), 16);
    }
  }
}
/**
 * histogram floor: the min / max pass, then one count per float in 4 sub-histograms of 2048 (float i
 * into sub-histogram i & 3, as the observer's kernel counts) at a bin from 11 low bits of its pattern
 * (spread like random bins, so counts rarely wait on each other).
 */
export function bound_hist_count(x: usize, n: i32, counts: usize, mm: usize): void {
  calib_minmax_f32(x, n, mm);
  for (let i = 0; i + 4 <= n; i += 4) {
    const q = x + (<usize>i << 2);
    const p0 = counts + (<usize>((load<u32>(q) >>> 2) & 0x1ffc)), p1 = counts + 0x2000 + (<usize>((load<u32>(q, 4) >>> 2) & 0x1ffc));
    const p2 = counts + 0x4000 + (<usize>((load<u32>(q, 8) >>> 2) & 0x1ffc)), p3 = counts + 0x6000 + (<usize>((load<u32>(q, 12) >>> 2) & 0x1ffc));
    store<u32>(p0, load<u32>(p0) + 1);
    store<u32>(p1, load<u32>(p1) + 1);
    store<u32>(p2, load<u32>(p2) + 1);
    store<u32>(p3, load<u32>(p3) + 1);
  }
}
`;

/**
 * The bounds entry, compiled in a copy of assembly/ beside the value-free copies of two kernel
 * files: the shipped CSR spmv / spmm kernels, their value-free versions and the quant floors.
 */
const ENTRY = `
export { sparse_csr_spmm_f32, sparse_csrq8_spmm_f32 } from './sparse/csr-spmm';
export { sparse_csr_spmv_f32, sparse_csrq8_spmv_f32 } from './sparse/csr-spmv';
import { csrSpmvOffNV } from './sparse/csr-spmv-offsets-nv';
import { csrSpmmNV } from './sparse/csr-spmm-nv';
import { calib_minmax_f32 } from './calib';
${QUANT_FLOORS}
${OTHER_FLOORS}
${READ_FLOOR}
export function bound_spmv_novalues(rows: i32, indptr: usize, indices: usize, kvp: usize, x: usize, y: usize, cols: i32): void {
  csrSpmvOffNV(rows, indptr, indices, v128.load(kvp), false, 0, x, y, cols);
}
export function bound_spmm_novalues(rows: i32, indptr: usize, indices: usize, kvp: usize, x: usize, n: i32, y: usize): void {
  csrSpmmNV(rows, indptr, indices, true, v128.load(kvp), false, 0, x, n, y, <usize>n);
}
`;

/** The value-free copies: file, and its functions that take `kv` (the others are unchanged). */
const NV = [
  ['csr-spmv-offsets.ts', ['offStepA', 'offStepB', 'rowSpmvOff', 'csrSpmvOff']],
  ['csr-spmm.ts', ['csrTile', 'csrRow', 'csrSpmm']],
];

async function buildBounds() {
  const dir = await mkdtemp(join(tmpdir(), 'sparq-bounds-'));
  try {
    const asm = join(dir, 'assembly'), sparse = join(asm, 'sparse');
    await cp(new URL('../assembly', import.meta.url), asm, { recursive: true });
    for (const [file, names] of NV) {
      const src = await readFile(join(sparse, file), 'utf8');
      await writeFile(join(sparse, file.replace(/\.ts$/, '-nv.ts')), withoutValues(src, names));
    }
    await writeFile(join(asm, 'bounds.ts'), ENTRY);
    // the options of asconfig.json's simd target
    const { error, stderr } = await asc.main([join(asm, 'bounds.ts'), '-o', join(dir, 'bounds.wasm'), '--runtime', 'stub', '--enable', 'simd',
      '--use', 'abort=', '--noAssert', '-O3', '--shrinkLevel', '0', '--converge', '--initialMemory', '1024']);
    if (error) throw new Error(`bounds: asc failed: ${stderr.toString()}`);
    const bytes = await readFile(join(dir, 'bounds.wasm'));
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: {} }).exports;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Median times of the cases, timed in turn for several rounds. */
function alternate(cases) {
  const rounds = QUICK ? 2 : 5;
  const opts = { maxTime: QUICK ? 0.2 : 0.5, minSamples: QUICK ? 5 : 10 };
  const runs = cases.map(() => []);
  for (let r = 0; r < rounds; r++) cases.forEach(([, fn], k) => runs[k].push(time(fn, opts)));
  return runs.map((ts) => ({ ms: median(ts.map((t) => t.ms)), rme: Math.max(...ts.map((t) => t.rme)) }));
}

export async function run({ simd }) {
  const e = await buildBounds();
  let seed = 0x5eed;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  let at = 1 << 20;
  const take = (bytes) => { const p = at; at += (bytes + 15) & ~15; return p; };
  const mem = () => e.memory.buffer;

  // ---- sparse: 4096 x 4096 at 90%, uniform random, as in the sparse bench
  const R = 4096, C = 4096, N = 64;
  const indptr = new Int32Array(R + 1), cols = [];
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < C; j++) if (rnd() < 0.1) cols.push(j);
    indptr[i + 1] = cols.length;
  }
  const nnz = cols.length;
  const P = take(4 * (R + 1)), I = take(2 * nnz + 64), VF = take(4 * nnz), VQ = take(nnz + 16), SC = take(4 * R), KV = take(16);
  const X = take(4 * C), Y = take(4 * R), XB = take(4 * C * N), YB = take(4 * R * N);
  new Int32Array(mem(), P, R + 1).set(indptr);
  const off = new Uint16Array(mem(), I, nnz), vf = new Float32Array(mem(), VF, nnz), vq = new Int8Array(mem(), VQ, nnz);
  for (let k = 0; k < nnz; k++) { off[k] = cols[k] * 4; vq[k] = Math.round(rnd() * 254) - 127; vf[k] = vq[k] / 127; }
  new Float32Array(mem(), SC, R).fill(1 / 127);
  new Float32Array(mem(), KV, 4).fill(1 / 127);
  new Float32Array(mem(), X, C).forEach((_, j, a) => { a[j] = rnd() - 0.5; });
  new Float32Array(mem(), XB, C * N).forEach((_, j, a) => { a[j] = rnd() - 0.5; });
  // the package's own resident matrices of the same CSR, to show the copies above time the same
  const csr = { rows: R, cols: C, indptr, indices: Int32Array.from(cols), data: new Float32Array(mem(), VF, nnz).slice() };
  const A = simd.sparseMatrix(csr), Q = simd.sparseInt8Matrix(csr);
  const xv = simd.wasmArray(new Float32Array(mem(), X, C).slice()), yv = simd.alloc('f32', R);
  const xb = simd.wasmArray(new Float32Array(mem(), XB, C * N).slice()), yb = simd.alloc('f32', R * N);

  const mv = alternate([
    ['f32', () => e.sparse_csr_spmv_f32(R, P, I, 2, VF, X, Y, C)],
    ['int8', () => e.sparse_csrq8_spmv_f32(R, P, I, 2, VQ, SC, X, Y, C)],
    ['none', () => e.bound_spmv_novalues(R, P, I, KV, X, Y, C)],
    ['pkg f32', () => simd.spmv(A, xv, yv)],
    ['pkg int8', () => simd.spmv(Q, xv, yv)],
  ]);
  const fl = { flops: 2 * nnz, opsName: 'GFLOP/s nnz' };
  record('bounds', 'spmv 90%, f32 CSR (shipped source)', mv[0], { ...fl, ratios: { 'f32 CSR': mv[0].ms } });
  record('bounds', 'spmv 90%, sparse int8 (shipped source)', mv[1], { ...fl, ratios: { 'f32 CSR': mv[0].ms } });
  record('bounds', 'spmv 90%, no value reads at all (bound)', mv[2], { ...fl, ratios: { 'f32 CSR': mv[0].ms } });
  record('bounds', 'spmv 90%, f32 sparseMatrix (package)', mv[3], { ...fl, ratios: { 'f32 CSR': mv[0].ms } });
  record('bounds', 'spmv 90%, sparseInt8Matrix (package)', mv[4], { ...fl, ratios: { 'f32 CSR': mv[0].ms } });
  const mm = alternate([
    ['f32', () => e.sparse_csr_spmm_f32(R, P, I, 2, VF, XB, N, YB)],
    ['int8', () => e.sparse_csrq8_spmm_f32(R, P, I, 2, VQ, SC, XB, N, YB)],
    ['none', () => e.bound_spmm_novalues(R, P, I, KV, XB, N, YB)],
    ['pkg f32', () => simd.spmm(A, xb, N, yb)],
    ['pkg int8', () => simd.spmm(Q, xb, N, yb)],
  ]);
  const fm = { flops: 2 * nnz * N, opsName: 'GFLOP/s nnz' };
  record('bounds', 'spmm 90% x 64, f32 CSR (shipped source)', mm[0], { ...fm, ratios: { 'f32 CSR': mm[0].ms } });
  record('bounds', 'spmm 90% x 64, sparse int8 (shipped source)', mm[1], { ...fm, ratios: { 'f32 CSR': mm[0].ms } });
  record('bounds', 'spmm 90% x 64, no value reads at all (bound)', mm[2], { ...fm, ratios: { 'f32 CSR': mm[0].ms } });
  record('bounds', 'spmm 90% x 64, f32 sparseMatrix (package)', mm[3], { ...fm, ratios: { 'f32 CSR': mm[0].ms } });
  record('bounds', 'spmm 90% x 64, sparseInt8Matrix (package)', mm[4], { ...fm, ratios: { 'f32 CSR': mm[0].ms } });
  for (const h of [A, Q, xv, yv, xb, yb]) h.dispose();

  // ---- int4 decode (SIMD build): 1 x 4096 x 4096, bs 32, against one read of its packed weights
  {
    const K4 = 4096, N4 = 4096;
    const wf = Float32Array.from({ length: K4 * N4 }, () => (rnd() - 0.5) * 0.1);
    const p4 = simd.packedInt4(wf, K4, N4, { blockSize: 32 }), xd = simd.wasmArray(Float32Array.from({ length: K4 }, () => rnd() - 0.5));
    const yd = simd.alloc('f32', N4), b4 = Math.ceil(N4 / 8) * Math.ceil(K4 / 32) * 32 * 4;
    const W4 = take(b4), A4 = take(64), O4 = take(16);
    if (at > mem().byteLength) e.memory.grow(Math.ceil((at - mem().byteLength) / 65536));
    new Uint8Array(mem(), W4, b4).set(simd.rt.view('u8', p4._w4, b4));
    new Int16Array(mem(), A4, 32).forEach((_, j, a) => { a[j] = Math.round(rnd() * 254) - 127; });
    const ds = alternate([
      ['read', () => e.bound_read4(W4, b4, O4)],
      ['dots', () => e.bound_i4_dots(W4, b4 >> 4, A4, O4)],
      ['split', () => e.bound_i4_split(W4, b4 >> 4, A4, O4)],
      ['pkg', () => simd.matmulInt4(xd, 1, p4, null, yd)],
    ]);
    const rd = { 'one read': ds[0].ms };
    record('bounds', `int4 decode floor: one read of the packed weights (${b4 / 2 ** 20} MiB)`, ds[0], { bytes: b4, ratios: rd });
    record('bounds', 'int4 decode floor: widening loads and 4 dots per 32 weights (bound)', ds[1], { bytes: b4, ratios: rd });
    record('bounds', 'int4 decode floor: + the nibble split, one and per widened vector (bound)', ds[2], { bytes: b4, ratios: rd });
    record('bounds', 'matmulInt4 bs 32 1x4096x4096, resident [simd] (package)', ds[3], { bytes: b4, ratios: rd });
    // the same three from a cold cache: one call each after a read of 64 MiB that none of them
    // uses (in both memories), alternated; ratios are medians of per-round ratios to the read
    const OT = take(64 << 20);
    if (at > mem().byteLength) e.memory.grow(Math.ceil((at - mem().byteLength) / 65536));
    const other = simd.alloc('f32', 16 << 20), ex = simd.rt.exports, sc4 = simd.rt.alloc(16);
    const evict = () => { e.bound_read4(OT, 64 << 20, O4); ex.quant_minmax_f32(other._ptr, 16 << 20, sc4); };
    const cold = { read: () => e.bound_read4(W4, b4, O4), dots: () => e.bound_i4_dots(W4, b4 >> 4, A4, O4), split: () => e.bound_i4_split(W4, b4 >> 4, A4, O4), pkg: () => simd.matmulInt4(xd, 1, p4, null, yd) };
    const T = { read: [], dots: [], split: [], pkg: [] };
    for (let r = 0; r < (QUICK ? 7 : 31); r++) {
      for (const [k, f] of Object.entries(cold)) {
        evict();
        const t0 = performance.now();
        f();
        T[k].push(performance.now() - t0);
      }
    }
    const per = (k) => +median(T[k].map((t, i) => t / T.read[i])).toFixed(3);
    const cr = (k) => ({ ms: median(T[k]), rme: 0 });
    record('bounds', `int4 decode floor, cold cache: one read of the packed weights (${b4 / 2 ** 20} MiB)`, cr('read'), { bytes: b4 })['x one read'] = 1;
    record('bounds', 'int4 decode floor, cold cache: widening loads and 4 dots per 32 weights (bound)', cr('dots'), { bytes: b4 })['x one read'] = per('dots');
    record('bounds', 'int4 decode floor, cold cache: + the nibble split, one and per widened vector (bound)', cr('split'), { bytes: b4 })['x one read'] = per('split');
    record('bounds', 'matmulInt4 bs 32 1x4096x4096, cold cache [simd] (package)', cr('pkg'), { bytes: b4 })['x one read'] = per('pkg');
    simd.rt.free(sc4);
    for (const h of [p4, xd, yd, other]) h.dispose();
  }

  // ---- quantize: 4M floats as in the quant bench, against the 16 MiB copy timed in the same rounds
  const n = 1 << 22;
  const XQ = take(4 * n), OQ = take(n);
  if (at > mem().byteLength) e.memory.grow(Math.ceil((at - mem().byteLength) / 65536));
  const xq = new Float32Array(mem(), XQ, n);
  for (let i = 0; i < n; i++) xq[i] = (rnd() - 0.5) * 8;
  const xw = simd.wasmArray(xq.slice()), qw = simd.alloc('i8', n);
  const p = { dtype: 'int8', scale: 0.03, zeroPoint: 0 };
  const qs = alternate([
    ['copy', copy16],
    ['move', () => e.bound_q_move(XQ, OQ, n)],
    ['round', () => e.bound_q_round(XQ, OQ, n, 1 / 0.03)],
    ['torch', () => simd.quantize(xw, { ...p, rounding: 'torch' }, qw)],
    ['onnx', () => simd.quantize(xw, p, qw)],
  ]);
  const bytes = n * 5;
  const rc = { copy: qs[0].ms };
  record('bounds', '16 MiB copy (Float32Array.set), same rounds', qs[0], { bytes: n * 8, ratios: rc });
  record('bounds', 'quantize floor: load, narrow, store (bound)', qs[1], { bytes, ratios: rc });
  record('bounds', 'quantize floor: + multiply, round (bound)', qs[2], { bytes, ratios: rc });
  record('bounds', "quantize per tensor, rounding 'torch' (package)", qs[3], { bytes, ratios: rc });
  record('bounds', 'quantize per tensor, ONNX (package)', qs[4], { bytes, ratios: rc });
  xw.dispose();
  qw.dispose();

  // ---- half, fusion (two models), calib (histogram update): 4M floats against the 16 MiB copy
  const XH = take(4 * n), HH = take(2 * n), YH = take(4 * n), BH = take(4 * n), CH = take(4 * 4 * 2048), MM = take(16);
  if (at > mem().byteLength) e.memory.grow(Math.ceil((at - mem().byteLength) / 65536));
  const xh = new Float32Array(mem(), XH, n), xh2 = new Float32Array(mem(), BH, n);
  for (let i = 0; i < n; i++) { xh[i] = (rnd() - 0.5) * 0.2; xh2[i] = (rnd() - 0.5) * 0.2; }
  const aw = simd.wasmArray(xh.slice()), bw = simd.wasmArray(xh2.slice()), hw = simd.alloc('u16', n), ow = simd.alloc('f32', n);
  simd.toFloat16(aw, hw);
  const obs = simd.observer('histogram', { dtype: 'uint8' });
  obs.update(aw);
  const hs = alternate([
    ['copy', copy16],
    ['narrow', () => e.bound_h_narrow(XH, HH, n)],
    ['to16', () => simd.toFloat16(aw, hw)],
    ['widen', () => e.bound_h_widen(HH, YH, n)],
    ['from16', () => simd.fromFloat16(hw, ow)],
    ['avg move', () => e.bound_avg2_move(XH, BH, n, YH)],
    ['avg2', () => simd.averageWeights([aw, bw], [0.5, 0.5], ow)],
    ['hist floor', () => e.bound_hist_count(XH, n, CH, MM)],
    ['hist', () => obs.update(aw)],
  ]);
  const hc = { copy: hs[0].ms };
  record('bounds', '16 MiB copy (Float32Array.set), same rounds', hs[0], { bytes: n * 8, ratios: hc });
  record('bounds', 'toFloat16 floor: load, narrow, store (bound)', hs[1], { bytes: n * 6, ratios: hc });
  record('bounds', 'toFloat16, resident (package)', hs[2], { bytes: n * 6, ratios: hc });
  record('bounds', 'fromFloat16 floor: load, widen, store (bound)', hs[3], { bytes: n * 6, ratios: hc });
  record('bounds', 'fromFloat16, resident (package)', hs[4], { bytes: n * 6, ratios: hc });
  record('bounds', 'averageWeights floor: load two, OR, store (bound)', hs[5], { bytes: n * 12, ratios: hc });
  record('bounds', 'averageWeights, 2 models, resident (package)', hs[6], { bytes: n * 12, ratios: hc });
  record('bounds', 'histogram floor: min / max, one count per float (bound)', hs[7], { bytes: n * 4, ratios: hc });
  record('bounds', 'histogram observer update, 2048 bins, resident (package)', hs[8], { bytes: n * 4, ratios: hc });
  for (const h of [aw, bw, hw, ow]) h.dispose();
  obs.dispose();

  // ---- softmax 256 x 32000 against a copy of its input (as the distill bench)
  const sr = 256, sc2 = 32000, ns = sr * sc2;
  at = 1 << 20; // the sparse and quantize buffers are done with
  const XS = take(4 * ns), OS = take(4 * ns);
  if (at > mem().byteLength) e.memory.grow(Math.ceil((at - mem().byteLength) / 65536));
  const xs = new Float32Array(mem(), XS, ns);
  for (let i = 0; i < ns; i++) xs[i] = (rnd() - 0.5) * 16;
  const sw = simd.wasmArray(xs.slice()), sow = simd.alloc('f32', ns);
  const src = new Float32Array(ns).fill(1.5), dst = new Float32Array(ns);
  const ss = alternate([
    ['input copy', () => dst.set(src)],
    ['move', () => e.bound_sm_move(XS, OS, sr, sc2)],
    ['exp', () => e.bound_sm_exp(XS, OS, sr, sc2)],
    ['softmax', () => simd.softmax(sw, sr, sc2, undefined, sow)],
  ]);
  const sc = { 'input copy': ss[0].ms };
  record('bounds', 'copy of a 256 x 32000 f32 input, same rounds', ss[0], { bytes: ns * 8, ratios: sc });
  record('bounds', 'softmax floor: three row passes, loads and stores (bound)', ss[1], { bytes: ns * 8, ratios: sc });
  record('bounds', 'softmax floor: + exp and scale, no max or sums (bound)', ss[2], { bytes: ns * 8, ratios: sc });
  record('bounds', 'softmax 256 x 32000, resident (package)', ss[3], { bytes: ns * 8, ratios: sc });
  sw.dispose();
  sow.dispose();
}
