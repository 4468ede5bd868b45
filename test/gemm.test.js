// gemm (BLAS / ONNX Gemm with transposes): one suite per implementation [ref, scalar, simd] on
// seeded shapes that cross every tile and k-block edge, bit-equal to matmul on explicitly
// transposed inputs; alpha / beta / C broadcast rules; WasmArrays; bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IMPLS, simd, scalar, rng, randF32, assertBits, throwsLike, SEED } from './_util.js';
import { ref } from 'sparq/ref';

const f = Math.fround;
/** The [cols x rows] transpose of a row-major [rows x cols] matrix. */
function T(x, rows, cols) {
  const y = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[j * rows + i] = x[i * cols + j];
  return y;
}
const COMBOS = [[false, false], [true, false], [false, true], [true, true]];
// m across the 4-row tile, n across the 8 / 4 / scalar columns, k across the 256 k block
const SHAPES = [[1, 1, 1], [2, 3, 4], [4, 8, 8], [5, 7, 9], [3, 256, 12], [6, 257, 13], [9, 300, 17], [13, 513, 31], [8, 64, 3], [1, 600, 40]];

for (const { name, sq } of IMPLS) {
  const t = suite(`gemm [${name}]`);

  t('every transpose combination: the bits of matmul on the explicitly transposed inputs', () => {
    const r = rng(SEED ^ 0x9e77);
    for (const [m, k, n] of SHAPES) {
      const a = randF32(r, m * k), b = randF32(r, k * n);
      const want = ref.matmul(a, b, m, k, n);
      for (const [transA, transB] of COMBOS) {
        const got = sq.gemm(transA ? T(a, m, k) : a, transB ? T(b, k, n) : b, m, k, n, { transA, transB });
        assertBits(assert, got, want, `${m}x${k}x${n} transA=${transA} transB=${transB}`);
        if (name !== 'ref') assertBits(assert, got, sq.matmul(a, b, m, k, n), 'vs this build\'s matmul');
      }
    }
  });

  t('alpha, beta and C (m x n, a row of n broadcast down, one value): alpha * acc + beta * c, in that order', () => {
    const r = rng(SEED ^ 0xab);
    const m = 5, k = 9, n = 11;
    const a = randF32(r, m * k), b = randF32(r, k * n);
    const acc = ref.matmul(a, b, m, k, n);
    const cFull = randF32(r, m * n), cRow = randF32(r, n), cOne = new Float32Array([0.375]);
    for (const [c, at] of [[cFull, (i, j) => cFull[i * n + j]], [cRow, (i, j) => cRow[j]], [cOne, () => cOne[0]]]) {
      for (const [alpha, beta] of [[1, 1], [0.5, 2], [-1.25, 0.1], [3, 0]]) {
        const got = sq.gemm(T(a, m, k), b, m, k, n, { transA: true, alpha, beta, c });
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let want = alpha === 1 ? acc[i * n + j] : f(f(alpha) * acc[i * n + j]);
            if (beta !== 0) want = f(want + f(f(beta) * at(i, j)));
            assert.ok(Object.is(got[i * n + j], want), `c ${c.length}, alpha ${alpha}, beta ${beta}, (${i}, ${j}): ${got[i * n + j]} vs ${want}`);
          }
        }
      }
    }
  });

  t('beta = 0 does not read C (NaN and Inf in C stay out); no C: alpha only; k = 1', () => {
    const a = new Float32Array([1, 2]), b = new Float32Array([3, 4]);
    const got = sq.gemm(a, b, 2, 1, 2, { beta: 0, c: new Float32Array([NaN, Infinity, -Infinity, NaN]) });
    assert.equal(Array.from(got), [3, 4, 6, 8]);
    assert.equal(Array.from(sq.gemm(a, b, 1, 2, 1, { transB: true, alpha: -2 })), [-22]);
    assert.equal(Array.from(sq.gemm(a, b, 1, 2, 1, { transA: true, transB: true, c: new Float32Array([0.5]) })), [11.5]);
    // -0 products: 0 + (-0) = +0, as matmul
    const z = sq.gemm(new Float32Array([-0]), new Float32Array([5]), 1, 1, 1, { transA: true });
    assert.ok(Object.is(z[0], 0));
  });

  t('bad input: errors name the argument', () => {
    if (name === 'ref') return;
    const a = new Float32Array(6), b = new Float32Array(6);
    throwsLike(assert, () => sq.gemm(a, b, 2, 3, 3), RangeError, /^b/);
    throwsLike(assert, () => sq.gemm(a, b, 3, 3, 2), RangeError, /^a/);
    throwsLike(assert, () => sq.gemm(a, b, 2, 3, 2, { transA: 1 }), TypeError, /^opts\.transA/);
    throwsLike(assert, () => sq.gemm(a, b, 2, 3, 2, { alpha: NaN }), RangeError, /^opts\.alpha/);
    throwsLike(assert, () => sq.gemm(a, b, 2, 3, 2, { beta: '1' }), TypeError, /^opts\.beta/);
    throwsLike(assert, () => sq.gemm(a, b, 2, 3, 2, { c: new Float32Array(3) }), RangeError, /^opts\.c/);
    throwsLike(assert, () => sq.gemm(a, b, 2, 3, 2, {}, new Float32Array(5)), RangeError, /^out/);
    throwsLike(assert, () => sq.gemm(a, b, 0, 3, 2), RangeError, /^m/);
  });

  t.run();
}

const w = suite('gemm: Wasm-resident operands, out aliasing C, both builds');
w('WasmArrays in and out; out may be C itself (y = A B + C in place)', () => {
  const r = rng(SEED ^ 0x51);
  const m = 7, k = 300, n = 21;
  const a = randF32(r, k * m), b = randF32(r, n * k), c = randF32(r, m * n);
  const want = ref.gemm(a, b, m, k, n, { transA: true, transB: true, alpha: 0.5, c });
  for (const sq of [simd, scalar]) {
    const aw = sq.wasmArray(a), bw = sq.wasmArray(b), cw = sq.wasmArray(c);
    assert.is(sq.gemm(aw, bw, m, k, n, { transA: true, transB: true, alpha: 0.5, c: cw }, cw), cw);
    assertBits(assert, cw.toArray(), want, 'in place');
    for (const x of [aw, bw, cw]) x.dispose();
  }
});
w.run();
