// Differential fuzz: seeded random calls of every kernel on shapes that include zero-size and
// one-element dimensions, odd sizes and sizes that straddle the SIMD tiles, on both builds against
// the plain-TS reference. Before each call on a build, freed Wasm memory is filled with junk
// (signalling-NaN bit patterns), so a kernel that reads scratch it never wrote, or leaves part of
// its output unwritten, gives a different answer. Results (typed arrays, numbers, errors) must be
// identical to the bit across the three.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ref } from 'sparq/ref';
import { simd, scalar, rng, SEED } from './_util.js';

const ROUNDS = 20;
const DIMS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64];

/** Fill the free heap with junk: take a block, write the pattern, give it back. */
function dirty(sq) {
  const j = sq.alloc('u32', 1 << 16);
  j.view.fill(0x7fa5a5a5);
  j.dispose();
}

/** A comparable picture of a result: typed arrays as bytes, handles by their bytes, errors by class and message. */
function picture(v) {
  if (v instanceof Error) return `${v.constructor.name}: ${v.message}`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}[${Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).join(',')}]`;
  if (Array.isArray(v)) return v.map(picture);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = picture(v[k]);
    return o;
  }
  return v;
}

function attempt(fn) {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
    return e;
  }
}

/** Random inputs, drawn once per case (never inside a call) and shared by the three implementations. */
function makeCases(r) {
  const dim = () => DIMS[r.int(0, DIMS.length - 1)];
  const f32 = (n, s = 2) => Float32Array.from({ length: n }, () => {
    const u = r.next();
    if (u < 0.01) return [NaN, Infinity, -Infinity, -0, 1e-40][r.int(0, 4)];
    return r.normal() * s;
  });
  const finite = (n, s = 2) => Float32Array.from({ length: n }, () => r.normal() * s);
  const sparse = (n, keep) => finite(n).map((v) => (r.next() < keep ? v : 0));
  const i8 = (n) => Int8Array.from({ length: n }, () => r.int(-128, 127));
  const u8 = (n) => Uint8Array.from({ length: n }, () => r.int(0, 255));
  const bits = (n) => Uint8Array.from({ length: n }, () => (r.next() < 0.6 ? 1 : 0));
  const C = [];
  const add = (name, call) => C.push({ name, call });

  // quantization
  {
    const a = dim(), b = dim(), n = a * b;
    const x = f32(n);
    const dtype = r.next() < 0.5 ? 'int8' : 'uint8';
    const zp = dtype === 'int8' ? r.int(-128, 127) : r.int(0, 255);
    const rounding = r.next() < 0.5 ? 'onnx' : 'torch';
    const scale = 0.01 + r.next() * 0.05;
    add(`quantize per tensor [${a}, ${b}] ${dtype} ${rounding}`, (sq) => sq.quantize(x, { dtype, scale, zeroPoint: zp, rounding }));
    const axis = r.int(0, 1), D = [a, b][axis];
    const sc = Float32Array.from({ length: D }, (_, i) => 0.005 + (i % 5) * 0.01);
    const zps = Int32Array.from({ length: D }, (_, i) => (dtype === 'int8' ? (i % 7) - 3 : 100 + (i % 9)));
    add(`quantize per axis ${axis} [${a}, ${b}]`, (sq) => sq.quantize(x, { dtype, scale: sc, zeroPoint: zps, axis, shape: [a, b], rounding }));
    const bs = [1, 2, 3, 16, 32][r.int(0, 4)];
    const nb = Math.ceil(b / bs);
    const bsc = Float32Array.from({ length: a * nb }, (_, i) => 0.01 + (i % 3) * 0.02);
    add(`quantize blocked [${a}, ${b}] block ${bs}`, (sq) => sq.quantize(x, { dtype, scale: bsc, axis: 1, blockSize: bs, shape: [a, b], rounding }));
    const q = dtype === 'int8' ? i8(n) : u8(n);
    add(`dequantize per axis [${a}, ${b}]`, (sq) => sq.dequantize(q, { dtype, scale: sc, zeroPoint: zps, axis, shape: [a, b] }));
    add(`dequantize blocked [${a}, ${b}] block ${bs}`, (sq) => sq.dequantize(q, { dtype, scale: bsc, axis: 1, blockSize: bs, shape: [a, b] }));
    const xf = finite(n);
    add(`dynamicQuantize ${n}`, (sq) => sq.dynamicQuantize(xf));
    const symmetric = r.next() < 0.5;
    add(`qparams [${a}, ${b}] per axis`, (sq) => sq.qparams(xf, { dtype, symmetric, shape: [a, b], axis }));
    add(`quantError ${n}`, (sq) => sq.quantError(xf, q, { dtype, scale: 0.05, zeroPoint: zp }));
  }
  // sparse
  {
    const rows = dim(), cols = dim() * 4, n = 1 + r.int(0, 5);
    const w = sparse(rows * cols, r.next());
    const x = finite(cols * n), xv = finite(cols);
    const c = { rows, cols, ...ref.csrFromDense(w, rows, cols) };
    add(`spmv csr ${rows}x${cols}`, (sq) => sq.spmv(c, xv));
    add(`spmm csr ${rows}x${cols} n=${n}`, (sq) => sq.spmm(c, x, n));
    add(`spmv sparse int8 ${rows}x${cols}`, (sq) => { const A = sq.sparseInt8Matrix(c); try { return sq.spmv(A, xv); } finally { A.dispose(); } });
    const nm = w.slice();
    for (let e = 0; e < nm.length; e += 4) { nm[e + 1] = 0; nm[e + 2] = 0; }
    add(`spmm N:M ${rows}x${cols} n=${n}`, (sq) => { const A = sq.nmMatrix(nm, rows, cols, { n: 2, m: 4 }); try { return [sq.spmm(A, x, n), sq.spmv(A, xv)]; } finally { A.dispose(); } });
    const br = rows - (rows % 2);
    add(`spmm BSR ${br}x${cols}`, (sq) => { const A = sq.bsrMatrix(w.subarray(0, br * cols), br, cols, { block: [2, 4] }); try { return sq.spmm(A, x, n); } finally { A.dispose(); } });
    const batch = 1 + r.int(0, 4), bias = finite(rows);
    const xl = finite(batch * cols), withBias = r.next() < 0.5;
    add(`sparseLinear ${rows}x${cols} batch ${batch}`, (sq) => { const A = sq.sparseMatrix(c); try { return sq.sparseLinear(xl, batch, A, withBias ? bias : undefined); } finally { A.dispose(); } });
  }
  // dense and integer products
  {
    const m = dim(), k = dim(), n = dim();
    const a = finite(m * k), b = finite(k * n);
    add(`matmul ${m}x${k}x${n}`, (sq) => sq.matmul(a, b, m, k, n));
    const ai = r.next() < 0.5 ? i8(m * k) : u8(m * k), bi = r.next() < 0.5 ? i8(k * n) : u8(k * n);
    const zA = ai instanceof Int8Array ? r.int(-128, 127) : r.int(0, 255), zB = bi instanceof Int8Array ? r.int(-128, 127) : r.int(0, 255);
    add(`matmulInteger ${m}x${k}x${n}`, (sq) => sq.matmulInteger(ai, bi, m, k, n, { aZeroPoint: zA, bZeroPoint: zB }));
    add(`qlinearMatmul ${m}x${k}x${n}`, (sq) => sq.qlinearMatmul(ai, bi, m, k, n, { aScale: 0.02, aZeroPoint: zA, bScale: 0.03, bZeroPoint: zB, yScale: 0.4, yZeroPoint: 3 }));
    const bias = finite(n);
    add(`quantizedLinear ${m}x${k}x${n}`, (sq) => { const P = sq.packedInt8(b, k, n); try { return sq.quantizedLinear(a, m, P, bias); } finally { P.dispose(); } });
    const bsz = [32, 64, 128][r.int(0, 2)], sym4 = r.next() < 0.5;
    add(`matmulInt4 ${m}x${k}x${n} block ${bsz}`, (sq) => { const P = sq.packedInt4(b, k, n, { blockSize: bsz, symmetric: sym4 }); try { return sq.matmulInt4(a, m, P, null); } finally { P.dispose(); } });
  }
  // pruning masks and scores
  {
    const a = dim(), b = dim(), n = a * b;
    const w = f32(n), g = f32(n), m = bits(n);
    const amount = [0, 0.3, 0.5, 1][r.int(0, 3)];
    add(`magnitudeMask ${n} ${amount}`, (sq) => sq.magnitudeMask(w, { amount }, { prior: m }));
    add(`globalMagnitudeMask [${a}, ${b}]`, (sq) => sq.globalMagnitudeMask([w, g.subarray(0, b)], { amount }));
    add(`thresholdMask ${n}`, (sq) => sq.thresholdMask(w, 0.7));
    const sopts = { amount, n: [1, 2, Infinity][r.int(0, 2)], dim: r.int(0, 1) }, wnm = f32(a * b * 4), norm = r.next() < 0.5 ? 1 : 2;
    add(`structuredMask [${a}, ${b}]`, (sq) => sq.structuredMask(w, [a, b], sopts));
    add(`nmMask [${a}, ${b * 4}]`, (sq) => sq.nmMask(wnm, [a, b * 4], { n: 2, m: 4 }));
    add(`blockMask [${a}, ${b}]`, (sq) => sq.blockMask(w, [a, b], { amount, block: [2, 3], norm }));
    add(`randomMask ${n}`, (sq) => sq.randomMask(n, { amount, seed: 7 }));
    add(`taylor / obd / applyMask / sparsity ${n}`, (sq) => [sq.taylorScores(w, g), sq.obdScores(w, g), sq.applyMask(w, m), sq.sparsity(w), sq.sparsity(m)]);
    add(`packMask / unpackMask ${n}`, (sq) => { const p = sq.packMask(m); return [p, sq.unpackMask(p, n)]; });
  }
  // distillation, half precision, fusion, dense gemm, calibration
  {
    const rows = dim(), cols = 1 + dim(), T = [1, 2, 4, 10][r.int(0, 3)];
    const s = f32(rows * cols, 5), tt = finite(rows * cols, 5), labels = Int32Array.from({ length: rows }, () => r.int(0, cols - 1));
    add(`softmax / logSoftmax ${rows}x${cols} T=${T}`, (sq) => [sq.softmax(s, rows, cols, { temperature: T }), sq.logSoftmax(s, rows, cols, { temperature: T })]);
    const sf = finite(rows * cols, 5);
    add(`distillationLoss ${rows}x${cols}`, (sq) => sq.distillationLoss(sf, tt, rows, cols, { temperature: T, alpha: 0.5, labels }));
    add(`crossEntropy / mseLoss ${rows}x${cols}`, (sq) => [sq.crossEntropy(sf, labels, rows, cols), sq.mseLoss(sf, tt)]);
    const n = dim() * dim();
    const x = f32(n, 1e4), h = Uint16Array.from({ length: n }, () => r.int(0, 65535));
    add(`half ${n}`, (sq) => [sq.toFloat16(x), sq.toBfloat16(x), sq.fromFloat16(h), sq.fromBfloat16(h)]);
    const k = 1 + r.int(0, 3);
    const ts = Array.from({ length: k }, () => finite(n));
    add(`averageWeights ${k} x ${n}`, (sq) => sq.averageWeights(ts));
    const oc = 1 + dim(), ic = dim(), kh = r.int(1, 3);
    const bn = { gamma: finite(oc), beta: finite(oc), mean: finite(oc), var: finite(oc).map(Math.abs), eps: 1e-5 };
    const cw = finite(oc * ic * kh * kh), cb = finite(oc);
    add(`foldBatchNorm [${oc}, ${ic}, ${kh}, ${kh}]`, (sq) => sq.foldBatchNorm(cw, cb, bn, [oc, ic, kh, kh]));
    const m = dim(), kk = dim(), nn = dim(), ta = r.next() < 0.5, tb = r.next() < 0.5;
    const ga = finite(m * kk), gb = finite(kk * nn), gc = finite(m * nn);
    add(`gemm ${m}x${kk}x${nn} ${ta} ${tb}`, (sq) => sq.gemm(ga, gb, m, kk, nn, { transA: ta, transB: tb, alpha: 1.5, beta: 0.5, c: gc }));
    const batches = [finite(1 + dim() * 7, 3), finite(1 + dim() * 5, 9)];
    const kind = ['minmax', 'moving-average-minmax', 'histogram', 'percentile', 'entropy', 'mse'][r.int(0, 5)];
    add(`observer ${kind}`, (sq) => {
      const o = sq.observer(kind, { dtype: 'uint8' });
      try {
        for (const b of batches) o.update(b);
        return o.qparams();
      } finally {
        o.dispose?.();
      }
    });
  }
  return C;
}

const t = suite('differential fuzz: both builds against the reference, dirty memory, zero-size shapes');
t(`${ROUNDS} rounds of every kernel`, () => {
  const r = rng(SEED ^ 0xd1ff);
  let compared = 0, zeroSized = 0, errors = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of makeCases(r)) {
      const want = picture(attempt(() => c.call(ref)));
      for (const sq of [scalar, simd]) {
        dirty(sq);
        const got = picture(attempt(() => c.call(sq)));
        assert.equal(got, want, `${c.name} on the ${sq.simd ? 'SIMD' : 'scalar'} build (seed ${SEED}, round ${round})`);
      }
      compared++;
      if (/\b0x|x0\b|\[0,|, 0\]| 0$/.test(c.name)) zeroSized++;
      if (typeof want === 'string' && /Error/.test(want)) errors++;
    }
  }
  assert.ok(compared >= ROUNDS * 25, `${compared} cases`);
  assert.ok(zeroSized > 0, 'some shapes had a zero-size dimension');
  assert.ok(errors < compared / 4, `${errors} of ${compared} cases threw (the cases should mostly be valid)`);
});
t.run();
