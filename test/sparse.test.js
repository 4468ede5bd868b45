// Sparse family: one suite per implementation [ref, scalar, simd], then cross-build bit identity,
// tile-edge sweeps against a float64 reference, the zero-copy paths, bad input and the memory of
// resident matrices. The dense product (matmul) is tested with gemm (test/gemm.test.js).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IMPLS, simd, scalar, rng, randF32, assertBits, throwsLike, SEED } from './_util.js';
import { ref } from 'sparq/ref';

const NS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65];

/** A random dense matrix with the given density; some rows empty, some full. */
function randSparse(r, rows, cols, density) {
  const w = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const d = i % 7 === 3 ? 0 : i % 7 === 5 ? 1 : density; // empty rows and full rows
    for (let j = 0; j < cols; j++) if (r.next() < d) w[i * cols + j] = r.normal();
  }
  return w;
}

/** float64 product of a dense W [rows x cols] and X [cols x n]; also sum |terms| per element. */
function dense64(w, rows, cols, x, n) {
  const y = new Float64Array(rows * n), mag = new Float64Array(rows * n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    const v = w[i * cols + j];
    if (v === 0) continue;
    for (let c = 0; c < n; c++) { y[i * n + c] += v * x[j * n + c]; mag[i * n + c] += Math.abs(v * x[j * n + c]); }
  }
  return { y, mag };
}

/** Normwise relative error against float64: max |y - y64| <= 1e-6 * max sum |terms|. */
function assertClose(y, ref64, what) {
  let err = 0, scale = 0;
  for (let i = 0; i < y.length; i++) { err = Math.max(err, Math.abs(y[i] - ref64.y[i])); scale = Math.max(scale, ref64.mag[i]); }
  assert.ok(err <= 1e-6 * scale + 1e-30, `${what}: error ${err} vs scale ${scale}`);
}

function nmDense(r, rows, cols, n, m, fewer = false) {
  const w = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let g = 0; g < cols / m; g++) {
    const k = fewer ? r.int(0, n) : n;
    const pos = [...Array(m).keys()].sort(() => r.next() - 0.5).slice(0, k);
    for (const p of pos) w[i * cols + g * m + p] = r.normal();
  }
  return w;
}

function bsrDense(r, rows, cols, bh, bw, density) {
  const w = new Float32Array(rows * cols);
  for (let R = 0; R < rows / bh; R++) for (let C = 0; C < cols / bw; C++) {
    if (r.next() >= density) continue;
    for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) if (r.next() < 0.9) w[(R * bh + y) * cols + C * bw + x] = r.normal();
  }
  return w;
}

const A3 = { rows: 3, cols: 4, indptr: new Int32Array([0, 2, 2, 4]), indices: new Int32Array([0, 3, 1, 2]), data: new Float32Array([1, 2, -3, 0.5]) };

for (const { name, sq } of IMPLS) {
  const t = suite(`sparse [${name}]`);

  t('csr validates and returns a copy (read once); a malformed CSR is a RangeError naming the field', () => {
    const c = sq.csr(A3);
    assert.ok(c.indptr !== A3.indptr && c.indices !== A3.indices && c.data !== A3.data, 'copies');
    assert.equal([Array.from(c.indptr), Array.from(c.indices), Array.from(c.data)], [Array.from(A3.indptr), Array.from(A3.indices), Array.from(A3.data)]);
    assert.equal([c.rows, c.cols], [3, 4]);
    const bad = (patch) => ({ ...A3, ...patch });
    throwsLike(assert, () => sq.csr(bad({ indptr: new Int32Array([1, 2, 2, 4]) })), RangeError, /^a\.indptr: must start at 0/);
    throwsLike(assert, () => sq.csr(bad({ indptr: new Int32Array([0, 3, 2, 4]) })), RangeError, /^a\.indptr: decreases at row 1/);
    throwsLike(assert, () => sq.csr(bad({ indptr: new Int32Array([0, 2, 2, 3]) })), RangeError, /^a\.indptr: must end at nnz = 4/);
    throwsLike(assert, () => sq.csr(bad({ indptr: new Int32Array([0, 2, 4]) })), RangeError, /^a\.indptr: expected rows \+ 1 = 4/);
    throwsLike(assert, () => sq.csr(bad({ indices: new Int32Array([0, 4, 1, 2]) })), RangeError, /^a\.indices: index 1 = 4 \(row 0\) is outside \[0, 4\)/);
    throwsLike(assert, () => sq.csr(bad({ indices: new Int32Array([0, 3, -1, 2]) })), RangeError, /^a\.indices: index 2 = -1/);
    throwsLike(assert, () => sq.csr(bad({ indices: new Int32Array([3, 3, 1, 2]) })), RangeError, /^a\.indices: not strictly increasing in row 0/);
    throwsLike(assert, () => sq.csr(bad({ indices: new Int32Array([3, 0, 1, 2]) })), RangeError, /^a\.indices: not strictly increasing/);
    throwsLike(assert, () => sq.csr(bad({ data: new Float32Array(3) })), RangeError, /^a\.data: expected 4 values/);
    throwsLike(assert, () => sq.csr(bad({ indices: new Float32Array(4) })), TypeError, /^a\.indices: expected Int32Array/);
    throwsLike(assert, () => sq.csr(bad({ data: [1, 2, 3, 4] })), TypeError, /^a\.data: expected Float32Array/);
    throwsLike(assert, () => sq.csr(bad({ rows: 2.5 })), RangeError, /^a\.rows: expected an integer/);
    throwsLike(assert, () => sq.csr(bad({ cols: NaN })), RangeError, /^a\.cols: expected an integer/);
    throwsLike(assert, () => sq.csr(null), TypeError, /^a: /);
    // A malformed CSR never reaches a kernel, whichever product gets it.
    const broken = bad({ indices: new Int32Array([0, 9, 1, 2]) });
    throwsLike(assert, () => sq.spmv(broken, new Float32Array(4)), RangeError, /^a\.indices/);
    throwsLike(assert, () => sq.spmm(broken, new Float32Array(8), 2), RangeError, /^a\.indices/);
    throwsLike(assert, () => sq.sparseLinear(new Float32Array(4), 1, broken), RangeError, /^w\.indices/);
    throwsLike(assert, () => sq.sparseMatrix(broken), RangeError, /^a\.indices/);
  });

  t('csrFromDense / csrToDense: w != 0 (NaN kept, -0 dropped) or mask != 0 (explicit zeros kept)', () => {
    const w = new Float32Array([0, 1, -0, NaN, 2, 0]);
    const c = sq.csrFromDense(w, 2, 3);
    assert.equal([Array.from(c.indptr), Array.from(c.indices)], [[0, 1, 3], [1, 0, 1]]);
    assert.ok(Number.isNaN(c.data[1]));
    assert.equal([c.data[0], c.data[2]], [1, 2]);
    const d = sq.csrToDense(c);
    assert.equal(Array.from(d).map((v) => (Number.isNaN(v) ? 'nan' : v)), [0, 1, 0, 'nan', 2, 0]);
    const m = sq.csrFromDense(w, 2, 3, new Uint8Array([1, 0, 1, 0, 0, 1]));
    assert.equal([Array.from(m.indptr), Array.from(m.indices), Array.from(m.data)], [[0, 2, 3], [0, 2, 2], [0, -0, 0]]);
    assert.ok(Object.is(m.data[1], -0));
    const e = sq.csrFromDense(new Float32Array(0), 0, 5);
    assert.equal([e.rows, e.cols, e.indptr.length, e.indices.length], [0, 5, 1, 0]);
    throwsLike(assert, () => sq.csrFromDense(w, 2, 2), RangeError, /^w: expected rows x cols = 4/);
    throwsLike(assert, () => sq.csrFromDense(w, 2, 3, new Uint8Array(5)), RangeError, /^mask: expected 6/);
    throwsLike(assert, () => sq.csrFromDense(w, -1, 3), RangeError, /^rows: /);
  });

  t('hand-checked products: spmv, spmm, sparseLinear with bias', () => {
    // A = [[1 0 0 2], [0 0 0 0], [0 -3 0.5 0]]
    assert.equal(Array.from(sq.spmv(A3, new Float32Array([1, 2, 3, 4]))), [9, 0, -4.5]);
    const x = new Float32Array([1, 10, 2, 20, 3, 30, 4, 40]); // [4 x 2]
    assert.equal(Array.from(sq.spmm(A3, x, 2)), [9, 90, 0, 0, -4.5, -45]);
    // X [2 x 4] W^T + b
    const y = sq.sparseLinear(new Float32Array([1, 2, 3, 4, 10, 20, 30, 40]), 2, A3, new Float32Array([1, 2, 3]));
    assert.equal(Array.from(y), [10, 2, -1.5, 91, 2, -42]);
    const M = sq.sparseMatrix(A3);
    assert.equal(Array.from(sq.spmm(M, x, 2)), [9, 90, 0, 0, -4.5, -45]);
    M.dispose();
  });

  t('empty rows, nnz = 0, all-zero matrices, 1 x 1, K = 1', () => {
    const z = sq.csrFromDense(new Float32Array(12), 3, 4);
    assert.equal(Array.from(sq.spmv(z, new Float32Array(4).fill(1))), [0, 0, 0]);
    assert.equal(Array.from(sq.spmm(z, new Float32Array(4 * 5).fill(NaN), 5)), new Array(15).fill(0));
    const one = sq.csrFromDense(new Float32Array([3]), 1, 1);
    assert.equal(Array.from(sq.spmm(one, new Float32Array([2, -1, 4, 0.5, 1]), 5)), [6, -3, 12, 1.5, 3]);
    const k1 = sq.csrFromDense(new Float32Array([2, 0, -1]), 3, 1); // K = 1
    assert.equal(Array.from(sq.spmm(k1, new Float32Array([1, 2, 3, 4]), 4)), [2, 4, 6, 8, 0, 0, 0, 0, -1, -2, -3, -4]);
    const zr = sq.csrFromDense(new Float32Array(0), 0, 3);
    assert.equal(sq.spmm(zr, new Float32Array(6), 2).length, 0);
    for (const M of [sq.sparseMatrix(z), sq.sparseInt8Matrix(z), sq.nmMatrix(new Float32Array(12), 3, 4, { n: 2, m: 4 }), sq.bsrMatrix(new Float32Array(12), 3, 4, { block: [1, 4] })]) {
      assert.equal(Array.from(sq.spmv(M, new Float32Array(4).fill(1))), [0, 0, 0], M.format);
      assert.equal(Array.from(sq.spmm(M, new Float32Array(12).fill(2), 3)), new Array(9).fill(0), M.format);
      M.dispose();
    }
  });

  t('spmm sweep across the tile edges: CSR within 1e-6 of float64', () => {
    const r = rng(SEED ^ 0x51);
    for (const [rows, cols, dens] of [[9, 13, 0.3], [4, 70, 0.6], [17, 5, 0.9]]) {
      const w = randSparse(r, rows, cols, dens);
      const a = sq.csrFromDense(w, rows, cols);
      const M = sq.sparseMatrix(a);
      for (const n of NS) {
        const x = randF32(r, cols * n);
        const y64 = dense64(w, rows, cols, x, n);
        assertClose(sq.spmm(a, x, n), y64, `raw ${rows}x${cols} n=${n}`);
        assertClose(sq.spmm(M, x, n), y64, `resident ${rows}x${cols} n=${n}`);
      }
      const x = randF32(r, cols);
      assertClose(sq.spmv(M, x), dense64(w, rows, cols, x, 1), `spmv ${rows}x${cols}`);
      M.dispose();
    }
  });

  t('N:M: 2:4 (2-bit indices), 1:4, 2:8, 4:16, 1:1; groups with fewer nonzeros; pattern check', () => {
    const r = rng(SEED ^ 0x52);
    for (const [n, m] of [[2, 4], [1, 4], [2, 8], [4, 16], [1, 1], [3, 32]]) {
      const rows = 6, cols = m * 5;
      const w = nmDense(r, rows, cols, n, m, true);
      const M = sq.nmMatrix(w, rows, cols, { n, m });
      assert.is(M.nnz, rows * cols * n / m);
      for (const nn of [1, 4, 5, 33]) {
        const x = randF32(r, cols * nn);
        assertClose(sq.spmm(M, x, nn), dense64(w, rows, cols, x, nn), `${n}:${m} n=${nn}`);
      }
      M.dispose();
    }
    // 2:4 storage: 6 values x 4 B + 2-bit indices (1 byte per 4 values) per row of 12 columns
    const M = sq.nmMatrix(nmDense(r, 4, 12, 2, 4), 4, 12, { n: 2, m: 4 });
    assert.is(M.bytes, 4 * 6 * 4 + 4 * 2);
    M.dispose();
    const w = new Float32Array(8); w[0] = 1; w[1] = 2; w[2] = 3;
    throwsLike(assert, () => sq.nmMatrix(w, 1, 8, { n: 2, m: 4 }), RangeError, /^w: not 2:4 sparse: row 0, columns 0\.\.3 hold 3 nonzeros/);
    throwsLike(assert, () => sq.nmMatrix(new Float32Array(6), 1, 6, { n: 2, m: 4 }), RangeError, /^cols: 6 is not a multiple of opts\.m = 4/);
    throwsLike(assert, () => sq.nmMatrix(new Float32Array(8), 1, 8, { n: 5, m: 4 }), RangeError, /^opts\.n: /);
    throwsLike(assert, () => sq.nmMatrix(new Float32Array(8), 1, 8, { n: 2 }), TypeError, /^opts\.m: /);
  });

  t('BSR: 1x4, 4x1, 4x4, 8x1, 2x2, 3x5 blocks; zero blocks dropped; shape check', () => {
    const r = rng(SEED ^ 0x53);
    for (const [bh, bw] of [[1, 4], [4, 1], [4, 4], [8, 1], [2, 2], [3, 5], [1, 1]]) {
      const rows = bh * 5, cols = bw * 7;
      const w = bsrDense(r, rows, cols, bh, bw, 0.4);
      const M = sq.bsrMatrix(w, rows, cols, { block: [bh, bw] });
      for (const n of [1, 3, 4, 8, 9, 17]) {
        const x = randF32(r, cols * n);
        assertClose(sq.spmm(M, x, n), dense64(w, rows, cols, x, n), `${bh}x${bw} n=${n}`);
      }
      const x = randF32(r, cols);
      assertClose(sq.spmv(M, x), dense64(w, rows, cols, x, 1), `${bh}x${bw} spmv`);
      M.dispose();
    }
    const w = new Float32Array(64); w[5] = 1; w[60] = 2; // blocks (0,1) and (3,3) of 4 x 4 in 8 x 8... of 2 x 2 blocks
    const M = sq.bsrMatrix(w, 8, 8, { block: [2, 2] });
    assert.is(M.nnz, 8); // two kept blocks of 4
    M.dispose();
    throwsLike(assert, () => sq.bsrMatrix(new Float32Array(35), 5, 7, { block: [4, 4] }), RangeError, /^opts\.block: \[4, 4\] does not divide a 5 x 7 matrix/);
    throwsLike(assert, () => sq.bsrMatrix(new Float32Array(16), 4, 4, { block: 4 }), TypeError, /^opts\.block: /);
    throwsLike(assert, () => sq.bsrMatrix(new Float32Array(16), 4, 4, { block: [0, 4] }), RangeError, /^opts\.block\[0\]: /);
  });

  t('sparse int8: per-row symmetric quantization, scale applied once per output', () => {
    const a = { rows: 2, cols: 3, indptr: new Int32Array([0, 2, 3]), indices: new Int32Array([0, 2, 1]), data: new Float32Array([1.27, -0.635, 0]) };
    const M = sq.sparseInt8Matrix(a);
    assert.is(M.format, 'csr-int8');
    // row 0: scale = f32(1.27 / 127), q = [127, -64] (-63.5 rounds half to even); row 1: all zero -> scale 1, q 0
    const s0 = Math.fround(Math.fround(1.27) / 127);
    const x = new Float32Array([1, 1, 1]);
    const expect0 = Math.fround(Math.fround(127 + -64) * s0);
    assert.equal(Array.from(sq.spmv(M, x)), [expect0, 0]);
    assert.equal(Array.from(sq.spmm(M, x, 1)), [expect0, 0]);
    M.dispose();
    // given int8 values and scales directly
    const Q = sq.sparseInt8Matrix({ rows: 2, cols: 2, indptr: new Int32Array([0, 1, 2]), indices: new Int32Array([1, 0]), data: new Int8Array([-128, 5]), scale: new Float32Array([0.5, 2]) });
    assert.equal(Array.from(sq.spmm(Q, new Float32Array([1, 2, 3, 4]), 2)), [-192, -256, 10, 20]);
    Q.dispose();
    throwsLike(assert, () => sq.sparseInt8Matrix({ ...a, data: new Int8Array(3), scale: new Float32Array(1) }), RangeError, /^a\.scale: expected one scale per row/);
    throwsLike(assert, () => sq.sparseInt8Matrix({ ...a, data: new Float32Array([1, NaN, 0]) }), RangeError, /^a\.data: sparseInt8Matrix needs finite values/);
    // within the quantization error of the f32 product
    const r = rng(SEED ^ 0x54);
    const w = randSparse(r, 12, 40, 0.3);
    const c = sq.csrFromDense(w, 12, 40);
    const Q8 = sq.sparseInt8Matrix(c);
    const xx = randF32(r, 40 * 5);
    const y8 = sq.spmm(Q8, xx, 5), y = dense64(w, 12, 40, xx, 5);
    for (let i = 0; i < y8.length; i++) assert.ok(Math.abs(y8[i] - y.y[i]) <= y.mag[i] / 127 + 1e-6, `int8 element ${i}`);
    Q8.dispose();
  });

  t('sparseLinear = X W^T + b for every format, batch 1 and more; batch-invariant', () => {
    const r = rng(SEED ^ 0x55);
    const outF = 8, inF = 12;
    const w = nmDense(r, outF, inF, 2, 4);
    const bias = randF32(r, outF);
    const mats = [sq.csrFromDense(w, outF, inF), sq.sparseMatrix(sq.csrFromDense(w, outF, inF)), sq.nmMatrix(w, outF, inF, { n: 2, m: 4 }), sq.bsrMatrix(w, outF, inF, { block: [4, 4] })];
    for (const batch of [1, 3, 4, 9]) {
      const x = randF32(r, batch * inF);
      // float64 X W^T + b
      const wt = new Float32Array(inF * outF);
      for (let o = 0; o < outF; o++) for (let j = 0; j < inF; j++) wt[j * outF + o] = w[o * inF + j];
      const ref64 = dense64(x, batch, inF, wt, outF);
      for (let i = 0; i < ref64.y.length; i++) { ref64.y[i] += bias[i % outF]; ref64.mag[i] += Math.abs(bias[i % outF]); }
      for (const W of mats) {
        const y = sq.sparseLinear(x, batch, W, bias);
        assertClose(y, ref64, `batch ${batch} ${W.format ?? 'raw csr'}`);
        // each batch row equals the batch-1 result on that row
        for (let b = 0; b < batch; b++) assertBits(assert, y.subarray(b * outF, (b + 1) * outF), sq.sparseLinear(x.slice(b * inF, (b + 1) * inF), 1, W, bias), `batch row ${b}`);
      }
    }
    for (const W of mats) if (W.dispose) W.dispose();
  });

  t('bad sizes and arguments name the argument', () => {
    throwsLike(assert, () => sq.spmm(A3, new Float32Array(8), 0), RangeError, /^n: /);
    throwsLike(assert, () => sq.spmm(A3, new Float32Array(8), 1.5), RangeError, /^n: /);
    throwsLike(assert, () => sq.spmm(A3, new Float32Array(8), NaN), RangeError, /^n: /);
    throwsLike(assert, () => sq.spmm(A3, new Float32Array(8), '2'), TypeError, /^n: /);
    throwsLike(assert, () => sq.spmm(A3, new Float32Array(7), 2), RangeError, /^x: expected cols x n = 4 x 2 = 8/);
    throwsLike(assert, () => sq.spmv(A3, new Float32Array(3)), RangeError, /^x: expected 4 elements/);
    throwsLike(assert, () => sq.spmv(A3, [1, 2, 3, 4]), TypeError, /^x: /);
    throwsLike(assert, () => sq.sparseLinear(new Float32Array(4), 2, A3), RangeError, /^x: expected batch x in = 2 x 4/);
    throwsLike(assert, () => sq.sparseLinear(new Float32Array(4), 1, A3, new Float32Array(2)), RangeError, /^bias: expected 3/);
    throwsLike(assert, () => sq.sparseLinear(new Float32Array(4), 0, A3), RangeError, /^batch: /);
    const M = sq.sparseMatrix(A3);
    M.dispose();
    M.dispose(); // harmless
    throwsLike(assert, () => sq.spmv(M, new Float32Array(4)), TypeError, /^a: this sparse matrix was disposed/);
    throwsLike(assert, () => sq.sparseLinear(new Float32Array(4), 1, M), TypeError, /^w: this sparse matrix was disposed/);
  });

  t.run();
}

// ---- the Wasm builds: bit identity with the reference, zero-copy paths, memory --------------------

const x = suite('sparse: builds');

x('ref, scalar and SIMD agree to the bit on random products of every format (seeded)', () => {
  for (let k = 0; k < 6; k++) {
    const r = rng(SEED ^ (0x600 + k));
    const rows = r.int(1, 24) * 4, cols = r.int(1, 20) * 4;
    const w = randSparse(r, rows, cols, r.uniform(0.05, 0.7));
    const a = ref.csrFromDense(w, rows, cols);
    const wn = nmDense(r, rows, cols, 2, 4, true);
    const wb = bsrDense(r, rows, cols, 4, 4, 0.5);
    const mk = (sq) => [
      sq.sparseMatrix(a), sq.sparseInt8Matrix(a), sq.nmMatrix(wn, rows, cols, { n: 2, m: 4 }),
      sq.bsrMatrix(wb, rows, cols, { block: [4, 4] }), sq.bsrMatrix(wb, rows, cols, { block: [2, 4] }),
    ];
    const mats = [ref, scalar, simd].map(mk);
    for (const n of [1, 5, 16, 33, 64, 70]) {
      const xv = randF32(r, cols * n, 3);
      const ys = [ref, scalar, simd].map((sq, s) => [sq.spmm(a, xv, n), ...mats[s].map((M) => sq.spmm(M, xv, n))]);
      for (let f = 0; f < ys[0].length; f++) {
        assertBits(assert, ys[1][f], ys[0][f], `case ${k} n=${n} format ${f} scalar vs ref`);
        assertBits(assert, ys[2][f], ys[0][f], `case ${k} n=${n} format ${f} simd vs ref`);
      }
    }
    const xv = randF32(r, cols);
    const vs = [ref, scalar, simd].map((sq, s) => [sq.spmv(a, xv), ...mats[s].map((M) => sq.spmv(M, xv))]);
    for (let f = 0; f < vs[0].length; f++) {
      assertBits(assert, vs[1][f], vs[0][f], `case ${k} spmv format ${f} scalar`);
      assertBits(assert, vs[2][f], vs[0][f], `case ${k} spmv format ${f} simd`);
    }
    const batch = r.int(1, 9), xb = randF32(r, batch * cols), bias = randF32(r, rows);
    const ls = [ref, scalar, simd].map((sq, s) => sq.sparseLinear(xb, batch, s === 0 ? mats[0][0] : mats[s][0], bias));
    assertBits(assert, ls[1], ls[0], `case ${k} sparseLinear scalar`);
    assertBits(assert, ls[2], ls[0], `case ${k} sparseLinear simd`);
    for (const ms of mats) for (const M of ms) M.dispose();
  }
});

x('wide matrices: every index encoding (u16 byte offsets <= 16384 cols, u16 <= 65536, i32 beyond) gives the same bits', () => {
  const r = rng(SEED ^ 0x650);
  for (const cols of [16384, 16385, 65536, 65537]) {
    const rows = 5;
    const indptr = new Int32Array(rows + 1), idx = [], data = [];
    for (let i = 0; i < rows; i++) {
      const cnt = [0, 1, 17, 40, 33][i];
      const set = new Set([cols - 1, 0]);
      while (set.size < cnt) set.add(r.int(0, cols - 1));
      const cs = [...set].slice(0, cnt).sort((a, b) => a - b);
      for (const c of cs) { idx.push(c); data.push(r.normal()); }
      indptr[i + 1] = idx.length;
    }
    const a = { rows, cols, indptr, indices: Int32Array.from(idx), data: Float32Array.from(data) };
    const xv = randF32(r, cols * 3, 2);
    const x1 = xv.subarray(0, cols);
    const want = [ref.spmv(a, x1), ref.spmm(a, xv, 3), ref.sparseLinear(xv.subarray(0, 2 * cols), 2, a)];
    const q = ref.sparseInt8Matrix(a);
    const wantQ = [ref.spmv(q, x1), ref.spmm(q, xv, 3)];
    for (const [name, sq] of [['scalar', scalar], ['simd', simd]]) {
      const M = sq.sparseMatrix(a), Q = sq.sparseInt8Matrix(a);
      assertBits(assert, sq.spmv(M, x1), want[0], `${name} spmv cols=${cols}`);
      assertBits(assert, sq.spmm(M, xv, 3), want[1], `${name} spmm cols=${cols}`);
      assertBits(assert, sq.sparseLinear(xv.subarray(0, 2 * cols), 2, M), want[2], `${name} sparseLinear cols=${cols}`);
      assertBits(assert, sq.spmv(Q, x1), wantQ[0], `${name} int8 spmv cols=${cols}`);
      assertBits(assert, sq.spmm(Q, xv, 3), wantQ[1], `${name} int8 spmm cols=${cols}`);
      M.dispose(); Q.dispose();
    }
    // the row holding the last column really reads x[cols - 1]
    const y = simd.spmv(a, x1);
    let s0 = 0;
    for (let p = indptr[2]; p < indptr[3]; p++) s0 += data[p] * x1[idx[p]];
    assert.ok(Math.abs(y[2] - s0) <= 1e-5 * (1 + Math.abs(s0)), `row 2 cols=${cols}: ${y[2]} vs ${s0}`);
  }
});

x('WasmArray inputs and outputs (no copies), any byteOffset for typed arrays', () => {
  for (const sq of [scalar, simd]) {
    const r = rng(SEED ^ 0x800);
    const rows = 12, cols = 20, n = 9;
    const w = randSparse(r, rows, cols, 0.4);
    const M = sq.sparseMatrix(sq.csrFromDense(w, rows, cols));
    const xv = randF32(r, cols * n);
    const expect = sq.spmm(M, xv, n);
    const xw = sq.wasmArray(xv), yw = sq.alloc('f32', rows * n);
    assert.is(sq.spmm(M, xw, n, yw), yw);
    assertBits(assert, yw.toArray(), expect, 'spmm WasmArray in/out');
    const big = new Float32Array(cols * n + 3); big.set(xv, 3);
    assertBits(assert, sq.spmm(M, big.subarray(3), n), expect, 'byteOffset input');
    const out = new Float32Array(rows * n);
    assert.is(sq.spmm(M, xv, n, out), out);
    assertBits(assert, out, expect, 'typed-array out');
    const vw = sq.alloc('f32', rows);
    sq.spmv(M, sq.wasmArray(xv.slice(0, cols)), vw);
    assertBits(assert, vw.toArray(), sq.spmv(M, xv.slice(0, cols)), 'spmv WasmArray');
    const lw = sq.alloc('f32', 2 * rows);
    sq.sparseLinear(sq.wasmArray(xv.slice(0, 2 * cols)), 2, M, sq.wasmArray(new Float32Array(rows).fill(1)), lw);
    assertBits(assert, lw.toArray(), sq.sparseLinear(xv.slice(0, 2 * cols), 2, M, new Float32Array(rows).fill(1)), 'sparseLinear WasmArray');
    // a WasmArray dense matrix for the packers
    const N = sq.nmMatrix(sq.wasmArray(nmDense(r, 4, 8, 2, 4)), 4, 8, { n: 2, m: 4 });
    assert.is(N.nnz, 16);
    throwsLike(assert, () => sq.spmm(M, xw, n, sq.alloc('f32', 3)), RangeError, /^out: expected length/);
    throwsLike(assert, () => sq.spmm(M, sq.alloc('i32', cols * n), n), TypeError, /^x: /);
    const other = sq === simd ? scalar : simd;
    throwsLike(assert, () => other.spmv(M, xv.slice(0, cols)), TypeError, /^a: this sparse matrix belongs to another sparq instance/);
    for (const h of [M, xw, yw, vw, lw, N]) h.dispose();
  }
});

x('resident matrices: bytes close to the packed size; create / dispose keeps memory stable; Symbol.dispose', () => {
  for (const sq of [scalar, simd]) {
    const r = rng(SEED ^ 0x900);
    const rows = 64, cols = 256;
    const w = randSparse(r, rows, cols, 0.1);
    const a = sq.csrFromDense(w, rows, cols);
    const nnz = a.indices.length;
    const M = sq.sparseMatrix(a);
    // indptr i32 + u16 indices + f32 values (+ alignment)
    assert.ok(M.bytes >= 4 * (rows + 1) + 6 * nnz && M.bytes <= 4 * (rows + 1) + 6 * nnz + 48, `csr bytes ${M.bytes}`);
    const Q = sq.sparseInt8Matrix(a);
    assert.ok(Q.bytes <= 4 * (rows + 1) + 3 * nnz + 4 * rows + 48, `int8 bytes ${Q.bytes}`);
    M.dispose(); Q.dispose();
    assert.is(M.bytes, 0);
    const xv = randF32(r, cols * 8);
    for (let i = 0; i < 5; i++) { const h = sq.sparseMatrix(a); sq.spmm(h, xv, 8); h.dispose(); }
    const before = sq.memoryBytes;
    for (let i = 0; i < 200; i++) {
      const h = [sq.sparseMatrix(a), sq.sparseInt8Matrix(a), sq.bsrMatrix(w, rows, cols, { block: [4, 4] })];
      for (const H of h) { sq.spmm(H, xv, 8); sq.spmv(H, xv.subarray(0, cols)); }
      sq.spmm(a, xv, 8); // raw CSR: packed per call and freed
      sq.sparseLinear(xv.subarray(0, 2 * cols), 2, h[0]);
      for (const H of h) H[Symbol.dispose]();
    }
    assert.is(sq.memoryBytes, before, 'memory grew across create / dispose cycles');
  }
});

x.run();
