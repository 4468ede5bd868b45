// The gemm family. matmul (C = A B): small exact products, a sweep across the tile and k-block
// edges against float64, bad input, ref == scalar == SIMD to the bit, WasmArrays. gemm (BLAS / ONNX
// Gemm with transposes): one suite per implementation [ref, scalar, simd] on seeded shapes that
// cross every tile and k-block edge, bit-equal to matmul on explicitly transposed inputs; alpha /
// beta / C broadcast rules; WasmArrays; bad input.
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

/** float64 product of A [m x k] and B [k x n]; also sum |terms| per element. */
function dense64(a, m, k, b, n) {
  const y = new Float64Array(m * n), mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const v = a[i * k + p];
    if (v === 0) continue;
    for (let j = 0; j < n; j++) { y[i * n + j] += v * b[p * n + j]; mag[i * n + j] += Math.abs(v * b[p * n + j]); }
  }
  return { y, mag };
}

/** Normwise relative error against float64: max |y - y64| <= 1e-6 * max sum |terms|. */
function assertClose(y, ref64, what) {
  let err = 0, scale = 0;
  for (let i = 0; i < y.length; i++) { err = Math.max(err, Math.abs(y[i] - ref64.y[i])); scale = Math.max(scale, ref64.mag[i]); }
  assert.ok(err <= 1e-6 * scale + 1e-30, `${what}: error ${err} vs scale ${scale}`);
}

for (const { name, sq } of IMPLS) {
  const t = suite(`matmul [${name}]`);

  t('k = 1 and 1 x 1 products are exact', () => {
    assert.equal(Array.from(sq.matmul(new Float32Array([2, 3]), new Float32Array([4, 5]), 2, 1, 2)), [8, 10, 12, 15]);
    assert.equal(Array.from(sq.matmul(new Float32Array([7]), new Float32Array([3]), 1, 1, 1)), [21]);
  });

  t('sweep: m, k, n across the 4 x 8 tile and the k block, within 1e-6 of float64', () => {
    const r = rng(SEED ^ 0x56);
    for (const m of [1, 3, 4, 5, 9]) for (const k of [1, 2, 17, 300]) for (const n of [1, 3, 4, 5, 8, 9, 17, 33]) {
      if (k === 300 && m * n > 100) continue;
      const a = randF32(r, m * k), b = randF32(r, k * n);
      assertClose(sq.matmul(a, b, m, k, n), dense64(a, m, k, b, n), `matmul ${m}x${k}x${n}`);
    }
  });

  t('bad sizes name the argument', () => {
    throwsLike(assert, () => sq.matmul(new Float32Array(6), new Float32Array(5), 2, 3, 2), RangeError, /^b: expected k x n = 3 x 2 = 6/);
    throwsLike(assert, () => sq.matmul(new Float32Array(5), new Float32Array(6), 2, 3, 2), RangeError, /^a: expected m x k = 2 x 3 = 6/);
    throwsLike(assert, () => sq.matmul(new Float32Array(6), new Float32Array(6), 2, 3, 0), RangeError, /^n: /);
    throwsLike(assert, () => sq.matmul(new Float32Array(6), new Float32Array(6), 2, NaN, 2), RangeError, /^k: /);
  });

  t.run();
}

const mb = suite('matmul: builds');
mb('ref, scalar and SIMD agree to the bit (k across the 256 block, ragged edges, Inf / NaN / -0)', () => {
  const r = rng(SEED ^ 0x700);
  for (const [m, k, n] of [[1, 1, 1], [4, 8, 8], [7, 300, 13], [9, 520, 33], [5, 257, 64], [13, 31, 65]]) {
    const a = randF32(r, m * k), b = randF32(r, k * n);
    if (m * k > 10) { a[3] = -0; a[7] = Infinity; b[5] = NaN; }
    const c0 = ref.matmul(a, b, m, k, n);
    assertBits(assert, scalar.matmul(a, b, m, k, n), c0, `scalar ${m}x${k}x${n}`);
    assertBits(assert, simd.matmul(a, b, m, k, n), c0, `simd ${m}x${k}x${n}`);
  }
  // -0 products: +0 + (-0) = +0 in every build
  const z = [ref, scalar, simd].map((sq) => sq.matmul(new Float32Array([-0]), new Float32Array([1]), 1, 1, 1)[0]);
  assert.ok(z.every((v) => Object.is(v, 0)));
});
mb('WasmArray inputs and outputs give the bits of typed arrays', () => {
  const r = rng(SEED ^ 0x800);
  const m = 12, k = 20, n = 9;
  const a = randF32(r, m * k), b = randF32(r, k * n);
  for (const sq of [scalar, simd]) {
    const aw = sq.wasmArray(a), bw = sq.wasmArray(b), cw = sq.alloc('f32', m * n);
    assert.is(sq.matmul(aw, bw, m, k, n, cw), cw);
    assertBits(assert, cw.toArray(), sq.matmul(a, b, m, k, n), 'matmul WasmArray');
    for (const x of [aw, bw, cw]) x.dispose();
  }
});
mb.run();

const COMBOS = [[false, false], [true, false], [false, true], [true, true]];
// m across the 4-row tile and the 64-row group, n across the 64 / 16 / 8 / 4 / scalar columns,
// k across the k block
const SHAPES = [[1, 1, 1], [2, 3, 4], [4, 8, 8], [5, 7, 9], [3, 256, 12], [6, 257, 13], [9, 300, 17], [13, 513, 31], [8, 64, 3], [1, 600, 40],
  [67, 131, 155], [6, 130, 64]];

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
