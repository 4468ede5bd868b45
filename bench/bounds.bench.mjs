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
import asc from 'assemblyscript/asc';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * The bounds entry, compiled in a copy of assembly/ beside the value-free copies of two kernel
 * files: the shipped CSR spmv / spmm kernels, their value-free versions and the quant floors.
 */
const ENTRY = `
export { sparse_csr_spmm_f32, sparse_csrq8_spmm_f32 } from './sparse/csr-spmm';
export { sparse_csr_spmv_f32, sparse_csrq8_spmv_f32 } from './sparse/csr-spmv';
import { csrSpmvOffNV } from './sparse/csr-spmv-offsets-nv';
import { csrSpmmNV } from './sparse/csr-spmm-nv';
${QUANT_FLOORS}
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
}
