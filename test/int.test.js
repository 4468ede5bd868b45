// Integer products (family `int`): one suite per implementation [ref, scalar, simd] checked against
// the reference, cross-build bit identity, ONNX example vectors, extremes, tile-boundary sweeps,
// the zero-copy paths, resident handles, bad input and memory behaviour.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IMPLS, simd, scalar, rng, randF32, assertBits, throwsLike, SEED } from './_util.js';
import { ref } from 'sparq/ref';

const f = Math.fround;
const SWEEP = [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 33, 64];
const COMBOS = [[Int8Array, Int8Array], [Uint8Array, Int8Array], [Int8Array, Uint8Array], [Uint8Array, Uint8Array]];

function rand8(r, T, n) {
  return T === Int8Array ? Int8Array.from({ length: n }, () => r.int(-128, 127)) : Uint8Array.from({ length: n }, () => r.int(0, 255));
}
const zpOf = (r, T) => (T === Int8Array ? r.int(-128, 127) : r.int(0, 255));
const zpsOf = (r, T, n) => Array.from({ length: n }, () => zpOf(r, T));

/** Plain f64 product of f32 matrices (for error bounds). */
function matmulF64(x, w, m, k, n) {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) { const v = x[i * k + t]; for (let j = 0; j < n; j++) y[i * n + j] += v * w[t * n + j]; }
  return y;
}

for (const { name, sq } of IMPLS) {
  const t = suite(`int [${name}]`);

  t('MatMulInteger: the ONNX example (uint8, a_zero_point 12)', () => {
    const a = new Uint8Array([11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0]);
    const b = new Uint8Array([1, 4, 2, 5, 3, 6]);
    assert.equal(Array.from(sq.matmulInteger(a, b, 4, 3, 2, { aZeroPoint: 12, bZeroPoint: 0 })), [-38, -83, -44, -98, -50, -113, -56, -128]);
  });

  t('QLinearMatMul: the ONNX example (uint8, per-tensor scales)', () => {
    const a = new Uint8Array([208, 236, 0, 238, 3, 214, 255, 29]);
    const b = new Uint8Array([152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247]);
    const y = sq.qlinearMatmul(a, b, 2, 4, 3, { aScale: 0.0066, aZeroPoint: 113, bScale: 0.00705, bZeroPoint: 114, yScale: 0.0107, yZeroPoint: 118 });
    assert.ok(y instanceof Uint8Array);
    assert.equal(Array.from(y), [168, 115, 255, 1, 66, 151]);
  });

  t('every int8 / uint8 combination, zero points per tensor and per row / column', () => {
    const r = rng(SEED ^ 1);
    for (const [A, B] of COMBOS) {
      const [m, k, n] = [5, 19, 11];
      const a = rand8(r, A, m * k), b = rand8(r, B, k * n);
      for (const opts of [{}, { aZeroPoint: zpOf(r, A), bZeroPoint: zpOf(r, B) }, { aZeroPoint: zpsOf(r, A, m), bZeroPoint: zpsOf(r, B, n) }]) {
        const y = sq.matmulInteger(a, b, m, k, n, opts);
        // straight from the definition
        const za = (i) => (Array.isArray(opts.aZeroPoint) ? opts.aZeroPoint[i] : opts.aZeroPoint ?? 0);
        const zb = (j) => (Array.isArray(opts.bZeroPoint) ? opts.bZeroPoint[j] : opts.bZeroPoint ?? 0);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let s = 0;
          for (let q = 0; q < k; q++) s += (a[i * k + q] - za(i)) * (b[q * n + j] - zb(j));
          assert.is(y[i * n + j], s, `${A.name} x ${B.name} (${i}, ${j})`);
        }
      }
    }
  });

  t('extremes: -128 x -128 over long k is exact; the int32 sum wraps as ONNX says', () => {
    const k = 4096;
    const a = new Int8Array(2 * k).fill(-128), b = new Int8Array(k * 3).fill(-128);
    assert.equal(Array.from(sq.matmulInteger(a, b, 2, k, 3)), new Array(6).fill(k * 16384));
    // 255 - 0 with zero points at the far end: (0 - 255) * (255 - 0) per term
    const ua = new Uint8Array(k).fill(0), ub = new Uint8Array(k).fill(255);
    assert.equal(Array.from(sq.matmulInteger(ua, ub, 1, k, 1, { aZeroPoint: 255, bZeroPoint: 0 })), [-255 * 255 * k]);
    // 131072 * 16384 = 2^31 wraps to -2^31; one more term gives -2^31 + 16384
    for (const [kk, want] of [[131072, -2147483648], [131073, -2147483648 + 16384]]) {
      const x = new Int8Array(kk).fill(-128);
      assert.equal(Array.from(sq.matmulInteger(x, x, 1, kk, 1)), [want], `k = ${kk}`);
    }
  });

  t('tile-boundary sweeps of m, k, n over 1..64, every dtype combination', () => {
    const r = rng(SEED ^ 2);
    const cases = [];
    for (const v of SWEEP) cases.push([v, 17, 9], [5, v, 9], [5, 17, v]);
    for (let i = 0; i < 12; i++) cases.push([SWEEP[r.int(0, 11)], SWEEP[r.int(0, 11)], SWEEP[r.int(0, 11)]]);
    for (const [m, k, n] of cases) {
      for (const [A, B] of COMBOS) {
        const a = rand8(r, A, m * k), b = rand8(r, B, k * n);
        const opts = { aZeroPoint: zpsOf(r, A, m), bZeroPoint: zpOf(r, B) };
        assertBits(assert, sq.matmulInteger(a, b, m, k, n, opts), ref.matmulInteger(a, b, m, k, n, opts), `${m}x${k}x${n} ${A.name} ${B.name}`);
      }
    }
  });

  t('empty sizes: m, k or n = 0', () => {
    assert.equal(sq.matmulInteger(new Int8Array(0), new Int8Array(0), 0, 0, 0).length, 0);
    assert.equal(Array.from(sq.matmulInteger(new Int8Array(0), new Int8Array(0), 2, 0, 3)), [0, 0, 0, 0, 0, 0]);
    assert.equal(sq.matmulInteger(new Int8Array(6), new Int8Array(0), 2, 3, 0).length, 0);
  });

  t('QLinearMatMul: ties round half to even, saturation, per-row and per-column scales, both output types', () => {
    // acc = 2 * (a - 0) * 1 with aScale 0.5 / bScale 1 / yScale 1: y = round(a) on .5 ties
    const a = new Int8Array([1, 3, 5, -1, -3, 7]);
    const b = new Int8Array([1]);
    const y = sq.qlinearMatmul(a, b, 6, 1, 1, { aScale: 0.5, bScale: 1, yScale: 1 });
    assert.equal(Array.from(y), [0, 2, 2, 0, -2, 4]);
    const sat = sq.qlinearMatmul(new Int8Array([127, -128]), new Int8Array([127]), 2, 1, 1, { aScale: 1, bScale: 1, yScale: 1, yDtype: 'uint8', yZeroPoint: 10 });
    assert.ok(sat instanceof Uint8Array);
    assert.equal(Array.from(sat), [255, 0]);
    const r = rng(SEED ^ 3);
    for (const [A, B] of COMBOS) {
      const [m, k, n] = [7, 21, 19];
      const a2 = rand8(r, A, m * k), b2 = rand8(r, B, k * n);
      const opts = {
        aScale: Float32Array.from({ length: m }, () => r.uniform(0.001, 0.05)), aZeroPoint: zpOf(r, A),
        bScale: Float32Array.from({ length: n }, () => r.uniform(0.001, 0.05)), bZeroPoint: zpsOf(r, B, n),
        yScale: r.uniform(0.01, 0.3), yZeroPoint: r.int(-20, 20), yDtype: 'int8',
      };
      const got = sq.qlinearMatmul(a2, b2, m, k, n, opts);
      assertBits(assert, got, ref.qlinearMatmul(a2, b2, m, k, n, opts), `${A.name} x ${B.name}`);
      // the definition, from the exact integers
      const acc = ref.matmulInteger(a2, b2, m, k, n, { aZeroPoint: opts.aZeroPoint, bZeroPoint: opts.bZeroPoint });
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        const mult = f(f(opts.aScale[i] * opts.bScale[j]) / f(opts.yScale));
        const v = f(f(acc[i * n + j]) * mult);
        let q = Math.round(v);
        if (q - v === 0.5 && q % 2 !== 0) q -= 1;
        assert.is(got[i * n + j], Math.max(-128, Math.min(127, q + opts.yZeroPoint)));
      }
    }
  });

  t('quantizedLinear equals the reference and stays within its error bound of the f32 product', () => {
    const r = rng(SEED ^ 4);
    for (const [m, k, n] of [[1, 1, 1], [3, 17, 9], [4, 64, 33], [9, 100, 16], [2, 257, 7]]) {
      const x = randF32(r, m * k, 1.5), wf = randF32(r, k * n, 0.2), bias = randF32(r, n, 0.5);
      const w = sq.packedInt8(wf, k, n);
      const y = sq.quantizedLinear(x, m, w, bias);
      const wr = ref.packedInt8(wf, k, n);
      assertBits(assert, y, ref.quantizedLinear(x, m, wr, bias), `${m}x${k}x${n}`);
      // |y - x w - bias| <= sum_k (|x| sw / 2 + |w| sx / 2 + sx sw / 4) + f32 slack
      const exact = matmulF64(x, wf, m, k, n);
      for (let i = 0; i < m; i++) {
        const dq = ref.dynamicQuantize(x.subarray(i * k, (i + 1) * k));
        for (let j = 0; j < n; j++) {
          const sw = w.scale[j], sx = dq.scale;
          let bound = 0;
          for (let q = 0; q < k; q++) bound += Math.abs(x[i * k + q]) * sw / 2 + Math.abs(wf[q * n + j]) * sx / 2 + sx * sw / 4;
          bound = bound * 1.001 + 1e-5 * (Math.abs(exact[i * n + j]) + Math.abs(bias[j]) + 1);
          assert.ok(Math.abs(y[i * n + j] - exact[i * n + j] - bias[j]) <= bound, `(${i}, ${j}): ${y[i * n + j]} vs ${exact[i * n + j] + bias[j]}, bound ${bound}`);
        }
      }
      w.dispose();
    }
  });

  t('quantizedLinear: relative error against the f32 product is about 1% on normal data', () => {
    const r = rng(SEED ^ 5);
    const [m, k, n] = [8, 256, 24];
    const x = randF32(r, m * k), wf = randF32(r, k * n, 0.05);
    const y = sq.quantizedLinear(x, m, sq.packedInt8(wf, k, n));
    const e = matmulF64(x, wf, m, k, n);
    let se = 0, ss = 0;
    for (let i = 0; i < e.length; i++) { se += (y[i] - e[i]) ** 2; ss += e[i] ** 2; }
    const rel = Math.sqrt(se / ss);
    assert.ok(rel < 0.02 && rel > 0, `relative RMS error ${rel}`);
  });

  t('quantizedLinear with int8 weights and explicit per-column scales / zero points', () => {
    const r = rng(SEED ^ 6);
    const [m, k, n] = [5, 33, 10];
    const b = rand8(r, Int8Array, k * n);
    const opts = { scale: Float32Array.from({ length: n }, () => r.uniform(0.001, 0.01)), zeroPoint: zpsOf(r, Int8Array, n) };
    const x = randF32(r, m * k, 3);
    const y = sq.quantizedLinear(x, m, sq.packedInt8(b, k, n, opts), null);
    assertBits(assert, y, ref.quantizedLinear(x, m, ref.packedInt8(b, k, n, opts), null), 'explicit');
    // an all-zero row: scale 1, zero point 0 -> exactly 0
    const y0 = sq.quantizedLinear(new Float32Array(k), 1, sq.packedInt8(b, k, n, opts));
    assert.equal(Array.from(y0), new Array(n).fill(0));
  });

  t('int4: every block size, symmetric and asymmetric, k not a multiple of the block', () => {
    const r = rng(SEED ^ 7);
    for (const blockSize of [32, 64, 128]) {
      for (const symmetric of [true, false]) {
        for (const [m, k, n] of [[1, 1, 1], [3, 40, 9], [4, 128, 16], [5, 200, 17], [9, 64, 8]]) {
          const x = randF32(r, m * k), wf = randF32(r, k * n, 0.1), bias = randF32(r, n);
          const w4 = sq.packedInt4(wf, k, n, { blockSize, symmetric });
          const w4r = ref.packedInt4(wf, k, n, { blockSize, symmetric });
          const what = `bs ${blockSize} ${symmetric ? 'sym' : 'asym'} ${m}x${k}x${n}`;
          assertBits(assert, sq.matmulInt4(x, m, w4, bias), ref.matmulInt4(x, m, w4r, bias), what);
          assertBits(assert, sq.matmulInt4(x, m, w4), ref.matmulInt4(x, m, w4r), `${what} no bias`);
          const on = w4.toOnnx(), onr = w4r.toOnnx();
          assertBits(assert, on.data, onr.data, `${what} data`);
          assertBits(assert, on.scales, onr.scales, `${what} scales`);
          assert.is(on.zeroPoints === undefined, symmetric);
          if (!symmetric) assertBits(assert, on.zeroPoints, onr.zeroPoints, `${what} zero points`);
        }
      }
    }
  });

  t('int4: MatMulNBits layout decodes to the weights within half a step (one at a clamped end); the product tracks f32', () => {
    const r = rng(SEED ^ 8);
    const [m, k, n, bs] = [4, 100, 6, 32];
    const x = randF32(r, m * k), wf = randF32(r, k * n, 0.1);
    for (const symmetric of [true, false]) {
      const w4 = sq.packedInt4(wf, k, n, { blockSize: bs, symmetric });
      const { data, scales, zeroPoints } = w4.toOnnx();
      const KB = Math.ceil(k / bs);
      for (let j = 0; j < n; j++) for (let t2 = 0; t2 < k; t2++) {
        const b = Math.floor(t2 / bs), within = t2 % bs;
        const byte = data[(j * KB + b) * (bs / 2) + (within >> 1)];
        const q = (within & 1) ? byte >> 4 : byte & 15;
        const zp = symmetric ? 8 : (zeroPoints[j * Math.ceil(KB / 2) + (b >> 1)] >> ((b & 1) * 4)) & 15;
        const s = scales[j * KB + b];
        // half a step, except where the clamp to [0, 15] cut (the far end of a block): one step
        const steps = q === 0 || q === 15 ? 1 : 0.5;
        assert.ok(Math.abs((q - zp) * s - wf[t2 * n + j]) <= Math.abs(s) * steps * (1 + 1e-6), `w[${t2}][${j}]`);
      }
      const y = sq.matmulInt4(x, m, w4), e = matmulF64(x, wf, m, k, n);
      let se = 0, ss = 0;
      for (let i = 0; i < e.length; i++) { se += (y[i] - e[i]) ** 2; ss += e[i] ** 2; }
      assert.ok(Math.sqrt(se / ss) < 0.15, `relative RMS error ${Math.sqrt(se / ss)}`);
    }
    // the largest-magnitude value of a symmetric block maps to -8 exactly
    const w1 = new Float32Array(32).map((_, i) => (i === 5 ? 2.5 : i / 100));
    const on = sq.packedInt4(w1, 32, 1).toOnnx();
    assert.is(on.scales[0], f(2.5 / -8));
    assert.is(on.data[2] >> 4, 0); // element 5: byte 2, high nibble
  });

  t('seeded random products: every kernel against the reference', () => {
    for (let c = 0; c < 6; c++) {
      const r = rng(SEED ^ (0x100 + c));
      const m = r.int(1, 20), k = r.int(1, 80), n = r.int(1, 40);
      const [A, B] = COMBOS[c % 4];
      const a = rand8(r, A, m * k), b = rand8(r, B, k * n);
      const mi = { aZeroPoint: zpOf(r, A), bZeroPoint: zpsOf(r, B, n) };
      assertBits(assert, sq.matmulInteger(a, b, m, k, n, mi), ref.matmulInteger(a, b, m, k, n, mi), `case ${c} matmulInteger`);
      const ql = { ...mi, aScale: r.uniform(0.001, 0.1), bScale: r.uniform(0.001, 0.1), yScale: r.uniform(0.05, 1), yZeroPoint: r.int(0, 255), yDtype: 'uint8' };
      assertBits(assert, sq.qlinearMatmul(a, b, m, k, n, ql), ref.qlinearMatmul(a, b, m, k, n, ql), `case ${c} qlinearMatmul`);
      const x = randF32(r, m * k), wf = randF32(r, k * n);
      assertBits(assert, sq.quantizedLinear(x, m, sq.packedInt8(wf, k, n)), ref.quantizedLinear(x, m, ref.packedInt8(wf, k, n)), `case ${c} quantizedLinear`);
    }
  });

  t('quantizedLinear reduceRange: activations in [0, 127], the reference to the bit over rows 1..9, every weight type', () => {
    const r = rng(SEED ^ 20);
    for (const [m, k, n] of [[1, 1, 1], [1, 7, 5], [2, 17, 9], [3, 64, 16], [4, 65, 17], [5, 33, 8], [8, 100, 23], [9, 31, 40]]) {
      const x = randF32(r, m * k, 3);
      const bias = randF32(r, n);
      for (const wt of ['f32', 'int8', 'uint8']) {
        const wdata = wt === 'f32' ? randF32(r, k * n) : rand8(r, wt === 'int8' ? Int8Array : Uint8Array, k * n);
        const opts = wt === 'f32' ? undefined : { scale: Float32Array.from({ length: n }, () => r.uniform(0.001, 0.01)), zeroPoint: zpsOf(r, wt === 'int8' ? Int8Array : Uint8Array, n) };
        const w = sq.packedInt8(wdata, k, n, opts), wr = ref.packedInt8(wdata, k, n, opts);
        assertBits(assert, sq.quantizedLinear(x, m, w, bias, undefined, { reduceRange: true }), ref.quantizedLinear(x, m, wr, bias, undefined, { reduceRange: true }), `${m}x${k}x${n} ${wt}`);
        w.dispose?.();
      }
    }
  });

  t('quantizedLinear reduceRange at the extremes: bytes 0 and 127 against weights -128 and 127, alternating signs, all -128 with k = 4096', () => {
    const k = 4096, n = 9;
    // x >= 0 with max 127 quantizes to q = x exactly (scale 1, zero point 0)
    const all127 = new Float32Array(k).fill(127);
    const alt = Float32Array.from({ length: k }, (_, i) => (i & 1 ? 127 : 0));
    // alternating signs: lo = -127, hi = 127 -> scale 2, zero point 64 (63.5 rounds to even 64), bytes 0 and 127
    const altSigns = Float32Array.from({ length: k }, (_, i) => (i & 1 ? 127 : -127));
    const x = new Float32Array(3 * k);
    x.set(all127, 0); x.set(alt, k); x.set(altSigns, 2 * k);
    const wAll = new Int8Array(k * n).fill(-128);
    const wAlt = Int8Array.from({ length: k * n }, (_, i) => ((i / n | 0) + (i % n)) & 1 ? 127 : -128);
    const wU = Uint8Array.from({ length: k * n }, (_, i) => (i % 3 === 0 ? 255 : 0));
    for (const [name, wd, opts] of [['all -128', wAll, { scale: 1 }], ['alternating', wAlt, { scale: 1 }], ['uint8 0 / 255, zp 255', wU, { scale: 1, zeroPoint: 255 }]]) {
      for (const m of [1, 2, 3]) {
        const w = sq.packedInt8(wd, k, n, opts), wr = ref.packedInt8(wd, k, n, opts);
        const xm = x.subarray(0, m * k);
        const got = sq.quantizedLinear(xm, m, w, null, undefined, { reduceRange: true });
        assertBits(assert, got, ref.quantizedLinear(xm, m, wr, null, undefined, { reduceRange: true }), `${name}, ${m} rows`);
        if (name === 'all -128') assert.is(got[0], -128 * 127 * k, 'all 127 x all -128');
        w.dispose?.();
      }
    }
  });

  t('int4 at the extremes: activations -127 / 127, alternating signs, nibbles 0 and 15, k = 4096, rows 1..5', () => {
    const k = 4096, n = 9;
    // every block's largest |x| is 127 * 0.5, so the activations quantize to exactly -127 / 127
    const all = new Float32Array(k).fill(63.5);
    const alt = Float32Array.from({ length: k }, (_, i) => (i & 1 ? 63.5 : -63.5));
    const x = new Float32Array(5 * k);
    for (let r = 0; r < 5; r++) x.set(r & 1 ? alt : all, r * k);
    // symmetric: w = +1 -> q 0, w = -1 -> q 15 (clamped from 16); asymmetric over [-1, 2]: q 0 and 15
    const wNeg = new Float32Array(k * n).fill(1);
    const wAlt = Float32Array.from({ length: k * n }, (_, i) => (((i / n) | 0) + (i % n)) & 1 ? 1 : -1);
    const wAsym = Float32Array.from({ length: k * n }, (_, i) => (i % 3 === 0 ? 2 : -1));
    for (const [name, wf, symmetric] of [['all q 0', wNeg, true], ['q 0 / 15 alternating', wAlt, true], ['asymmetric q 0 / 15', wAsym, false]]) {
      for (const blockSize of [32, 128]) {
        const w = sq.packedInt4(wf, k, n, { blockSize, symmetric }), wr = ref.packedInt4(wf, k, n, { blockSize, symmetric });
        for (const m of [1, 2, 3, 4, 5]) {
          const xm = x.subarray(0, m * k);
          const got = sq.matmulInt4(xm, m, w, null);
          assertBits(assert, got, ref.matmulInt4(xm, m, wr, null), `${name}, bs ${blockSize}, ${m} rows`);
          // all 127 x (q - zp) = -8 with scale -1/8: every weight dequantizes to 1, y = 63.5 k
          if (name === 'all q 0') assert.ok(Math.abs(got[0] - k * 63.5) < 1e-3 * k * 63.5, `${got[0]}`);
        }
        w.dispose?.();
      }
    }
  });

  t('few-row products (m = 1..8 read the weights as bytes) at the extremes, every dtype combination', () => {
    const r = rng(SEED ^ 21);
    const k = 4096;
    for (const [A, B] of COMBOS) {
      for (const m of [1, 3, 4, 5, 8]) {
        const lo = (T) => (T === Int8Array ? -128 : 0), hi = (T) => (T === Int8Array ? 127 : 255);
        const a = A.from({ length: m * k }, (_, i) => (i % 3 === 0 ? lo(A) : i % 3 === 1 ? hi(A) : r.int(lo(A), hi(A))));
        const b = B.from({ length: k * 5 }, (_, i) => ((i >> 1) & 1 ? lo(B) : hi(B)));
        const opts = { aZeroPoint: hi(A), bZeroPoint: zpsOf(r, B, 5) };
        assertBits(assert, sq.matmulInteger(a, b, m, k, 5, opts), ref.matmulInteger(a, b, m, k, 5, opts), `${m} rows ${A.name} x ${B.name}`);
      }
    }
    const all = new Int8Array(k).fill(-128);
    assert.equal(Array.from(sq.matmulInteger(all, new Int8Array(k * 3).fill(-128), 1, k, 3)), new Array(3).fill(k * 16384));
  });

  t.run();
}

// ---- cross-build identity and the Wasm-only surface ----
const x = suite('int: scalar == SIMD');
x('bit-identical on larger shapes (all four kernels)', () => {
  const r = rng(SEED ^ 9);
  const [m, k, n] = [13, 301, 45];
  for (const [A, B] of COMBOS) {
    const a = rand8(r, A, m * k), b = rand8(r, B, k * n);
    const o = { aZeroPoint: zpsOf(r, A, m), bZeroPoint: zpsOf(r, B, n) };
    assertBits(assert, simd.matmulInteger(a, b, m, k, n, o), scalar.matmulInteger(a, b, m, k, n, o), 'matmulInteger');
    const q = { ...o, aScale: 0.01, bScale: Float32Array.from({ length: n }, (_, j) => 0.001 * (j + 1)), yScale: 0.7, yZeroPoint: 5 };
    assertBits(assert, simd.qlinearMatmul(a, b, m, k, n, q), scalar.qlinearMatmul(a, b, m, k, n, q), 'qlinearMatmul');
  }
  const xf = randF32(r, m * k), wf = randF32(r, k * n), bias = randF32(r, n);
  assertBits(assert, simd.quantizedLinear(xf, m, simd.packedInt8(wf, k, n), bias), scalar.quantizedLinear(xf, m, scalar.packedInt8(wf, k, n), bias), 'quantizedLinear');
  for (const symmetric of [true, false]) {
    assertBits(assert, simd.matmulInt4(xf, m, simd.packedInt4(wf, k, n, { blockSize: 64, symmetric }), bias),
      scalar.matmulInt4(xf, m, scalar.packedInt4(wf, k, n, { blockSize: 64, symmetric }), bias), `matmulInt4 ${symmetric}`);
  }
});
x.run();

for (const sq of [scalar, simd]) {
  const w = suite(`int API [${sq.simd ? 'simd' : 'scalar'}]`);

  w('a packed handle gives the same result as plain b, reused across calls and kernels', () => {
    const r = rng(SEED ^ 10);
    const [m, k, n] = [6, 50, 21];
    const a = rand8(r, Uint8Array, m * k), b = rand8(r, Int8Array, k * n);
    const scale = Float32Array.from({ length: n }, () => r.uniform(0.01, 0.02));
    const bzp = zpsOf(r, Int8Array, n);
    const pb = sq.packedInt8(b, k, n, { zeroPoint: bzp, scale });
    assert.ok(pb.bytes >= k * n * 2);
    assert.is(pb.k, k); assert.is(pb.n, n); assert.is(pb.dtype, 'int8');
    for (let rep = 0; rep < 3; rep++) {
      assertBits(assert, sq.matmulInteger(a, pb, m, k, n, { aZeroPoint: 7 }), sq.matmulInteger(a, b, m, k, n, { aZeroPoint: 7, bZeroPoint: bzp }), 'matmulInteger');
      const q = { aScale: 0.02, aZeroPoint: 7, yScale: 0.3, yZeroPoint: 100 };
      assertBits(assert, sq.qlinearMatmul(a, pb, m, k, n, q), sq.qlinearMatmul(a, b, m, k, n, { ...q, bScale: scale, bZeroPoint: bzp }), 'qlinearMatmul');
    }
    pb[Symbol.dispose]();
    assert.ok(pb.disposed);
  });

  w('WasmArray inputs and outputs, out arrays, subarray views at any byteOffset', () => {
    const r = rng(SEED ^ 11);
    const [m, k, n] = [5, 23, 12];
    const a = rand8(r, Int8Array, m * k), b = rand8(r, Int8Array, k * n);
    const want = ref.matmulInteger(a, b, m, k, n);
    const aw = sq.wasmArray(a), bw = sq.wasmArray(b), ow = sq.alloc('i32', m * n);
    assert.is(sq.matmulInteger(aw, bw, m, k, n, undefined, ow), ow);
    assertBits(assert, ow.toArray(), want, 'wasm in / out');
    const out = new Int32Array(m * n);
    assert.is(sq.matmulInteger(a, b, m, k, n, {}, out), out);
    assertBits(assert, out, want, 'typed out');
    for (const off of [1, 3]) {
      const big = new Int8Array(m * k + 8);
      big.set(a, off);
      assertBits(assert, sq.matmulInteger(big.subarray(off, off + m * k), b, m, k, n), want, `offset ${off}`);
    }
    const xf = randF32(r, m * k), wf = randF32(r, k * n);
    const xw = sq.wasmArray(xf), yw = sq.alloc('f32', m * n);
    const w8 = sq.packedInt8(wf, k, n), w4 = sq.packedInt4(wf, k, n);
    assert.is(sq.quantizedLinear(xw, m, w8, null, yw), yw);
    assertBits(assert, yw.toArray(), sq.quantizedLinear(xf, m, w8), 'quantizedLinear wasm');
    assert.is(sq.matmulInt4(xw, m, w4, undefined, yw), yw);
    assertBits(assert, yw.toArray(), sq.matmulInt4(xf, m, w4), 'matmulInt4 wasm');
    const qo = sq.alloc('u8', m * n);
    sq.qlinearMatmul(aw, bw, m, k, n, { aScale: 0.1, bScale: 0.1, yScale: 1, yDtype: 'uint8', yZeroPoint: 128 }, qo);
    assertBits(assert, qo.toArray(), ref.qlinearMatmul(a, b, m, k, n, { aScale: 0.1, bScale: 0.1, yScale: 1, yDtype: 'uint8', yZeroPoint: 128 }), 'qlinear wasm out');
    assert.equal(Array.from(a), Array.from(aw.view), 'inputs unchanged');
    for (const h of [aw, bw, ow, xw, yw, w8, w4, qo]) h.dispose();
  });

  w('bad input: sizes, zero points, scales, types, name the argument', () => {
    const a = new Int8Array(6), b = new Int8Array(12);
    throwsLike(assert, () => sq.matmulInteger(a, b, 2, 3, 5), RangeError, /^b: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, 3, 3, 4), RangeError, /^a: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, -1, 3, 4), RangeError, /^m: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, 2, 1.5, 4), RangeError, /^k: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, 2, 3, '4'), TypeError, /^n: /);
    throwsLike(assert, () => sq.matmulInteger(new Float32Array(6), b, 2, 3, 4), TypeError, /^a: /);
    throwsLike(assert, () => sq.matmulInteger(a, new Int16Array(12), 2, 3, 4), TypeError, /^b: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, 2, 3, 4, { aZeroPoint: [1, 2, 3] }), RangeError, /^opts\.aZeroPoint: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, 2, 3, 4, { bZeroPoint: [1, 2, 3] }), RangeError, /^opts\.bZeroPoint: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, 2, 3, 4, { aZeroPoint: 200 }), RangeError, /^opts\.aZeroPoint: /);
    throwsLike(assert, () => sq.matmulInteger(new Uint8Array(6), b, 2, 3, 4, { aZeroPoint: -1 }), RangeError, /^opts\.aZeroPoint: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, 2, 3, 4, { bZeroPoint: 'x' }), TypeError, /^opts\.bZeroPoint: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, 2, 3, 4, 5), TypeError, /^opts: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, 2, 3, 4, {}, new Int32Array(7)), RangeError, /^out: /);
    throwsLike(assert, () => sq.matmulInteger(a, b, 2, 3, 4, {}, new Float32Array(8)), TypeError, /^out: /);
    const q = { aScale: 0.1, bScale: 0.1, yScale: 0.5 };
    throwsLike(assert, () => sq.qlinearMatmul(a, b, 2, 3, 4, { ...q, aScale: 0 }), RangeError, /^opts\.aScale: /);
    throwsLike(assert, () => sq.qlinearMatmul(a, b, 2, 3, 4, { ...q, bScale: [1, 2] }), RangeError, /^opts\.bScale: /);
    throwsLike(assert, () => sq.qlinearMatmul(a, b, 2, 3, 4, { aScale: 0.1, yScale: 1 }), TypeError, /^opts\.bScale: /);
    throwsLike(assert, () => sq.qlinearMatmul(a, b, 2, 3, 4, { ...q, yScale: NaN }), RangeError, /^opts\.yScale: /);
    throwsLike(assert, () => sq.qlinearMatmul(a, b, 2, 3, 4, { ...q, yScale: 1e-40, aScale: 1e30 }), RangeError, /^opts\.yScale: /);
    throwsLike(assert, () => sq.qlinearMatmul(a, b, 2, 3, 4, { ...q, yDtype: 'int4' }), TypeError, /^opts\.yDtype: /);
    throwsLike(assert, () => sq.qlinearMatmul(a, b, 2, 3, 4, { ...q, yZeroPoint: 128 }), RangeError, /^opts\.yZeroPoint: /);
    throwsLike(assert, () => sq.qlinearMatmul(a, b, 2, 3, 4), TypeError, /^opts: /);
    const pb = sq.packedInt8(b, 3, 4, { scale: 0.5 });
    throwsLike(assert, () => sq.matmulInteger(a, pb, 2, 3, 4, { bZeroPoint: 1 }), TypeError, /^opts\.bZeroPoint: /);
    throwsLike(assert, () => sq.qlinearMatmul(a, pb, 2, 3, 4, q), TypeError, /^opts\.bScale: /);
    throwsLike(assert, () => sq.matmulInteger(new Int8Array(8), pb, 2, 4, 4), RangeError, /^b: /);
    throwsLike(assert, () => sq.packedInt8(b, 3, 5), RangeError, /^b: /);
    throwsLike(assert, () => sq.packedInt8(b, 3, 4, { zeroPoint: [1] }), RangeError, /^opts\.zeroPoint: /);
    throwsLike(assert, () => sq.packedInt8(new Float32Array(12), 3, 4, { scale: 1 }), TypeError, /^opts\.scale: /);
    throwsLike(assert, () => sq.packedInt8(new Float32Array(12).fill(NaN), 3, 4), RangeError, /^b: /);
    const other = sq === simd ? scalar : simd;
    throwsLike(assert, () => other.matmulInteger(a, pb, 2, 3, 4), TypeError, /^b: .*another sparq instance/);
    pb.dispose();
    throwsLike(assert, () => sq.matmulInteger(a, pb, 2, 3, 4), TypeError, /^b: .*disposed/);
    // quantizedLinear / int4
    const w = sq.packedInt8(new Float32Array(12).fill(0.5), 3, 4);
    throwsLike(assert, () => sq.quantizedLinear(new Float32Array(5), 2, w), RangeError, /^x: /);
    throwsLike(assert, () => sq.quantizedLinear(new Float32Array(6), 2, w, new Float32Array(3)), RangeError, /^bias: /);
    throwsLike(assert, () => sq.quantizedLinear(new Float32Array(6), 2, b), TypeError, /^w: /);
    throwsLike(assert, () => sq.quantizedLinear(new Float32Array([1, 2, NaN, 4, 5, 6]), 2, w), RangeError, /^x: row 0/);
    throwsLike(assert, () => sq.quantizedLinear(new Float32Array(6), 2, sq.packedInt8(b, 3, 4)), TypeError, /^w: .*no scale/);
    w.dispose();
    throwsLike(assert, () => sq.quantizedLinear(new Float32Array(6), 2, w), TypeError, /^w: .*disposed/);
    throwsLike(assert, () => sq.packedInt4(new Float32Array(12), 3, 4, { blockSize: 16 }), RangeError, /^opts\.blockSize: /);
    throwsLike(assert, () => sq.packedInt4(new Float32Array(12), 3, 4, { symmetric: 1 }), TypeError, /^opts\.symmetric: /);
    throwsLike(assert, () => sq.packedInt4(new Float32Array(11), 3, 4), RangeError, /^w: /);
    throwsLike(assert, () => sq.packedInt4(new Float32Array(12).fill(Infinity), 3, 4), RangeError, /^w: /);
    const w4 = sq.packedInt4(new Float32Array(12).fill(1), 3, 4);
    throwsLike(assert, () => sq.matmulInt4(new Float32Array(6), 3, w4), RangeError, /^x: /);
    throwsLike(assert, () => sq.matmulInt4(new Float32Array([0, Infinity, 0]), 1, w4), RangeError, /^x: row 0/);
    throwsLike(assert, () => sq.matmulInt4(new Float32Array(3), 1, w), TypeError, /^w4: /);
    w4.dispose();
    throwsLike(assert, () => sq.matmulInt4(new Float32Array(3), 1, w4), TypeError, /^w4: .*disposed/);
  });

  w('quantizedLinear rejects a k whose int32 sums could overflow', () => {
    // int8 weights with zero point 0: |x - zx| <= 255, |w| <= 128, so k <= floor((2^31 - 1) / 32640) = 65793
    const n = 1;
    const ok = sq.packedInt8(new Int8Array(65793), 65793, n, { scale: 1 });
    assert.equal(Array.from(sq.quantizedLinear(new Float32Array(65793), 1, ok)), [0]);
    ok.dispose();
    const big = sq.packedInt8(new Int8Array(65794), 65794, n, { scale: 1 });
    throwsLike(assert, () => sq.quantizedLinear(new Float32Array(65794), 1, big), RangeError, /^k: 65794 is too large/);
    big.dispose();
    // a uint8 zero point at 0 makes |w - zw| up to 255: the limit halves
    const u = sq.packedInt8(new Uint8Array(40000), 40000, 1, { scale: 1 });
    throwsLike(assert, () => sq.quantizedLinear(new Float32Array(40000), 1, u), RangeError, /^k: /);
    u.dispose();
  });

  w('handles: dispose, Symbol.dispose, bytes; memory is stable over many calls and handles', () => {
    const r = rng(SEED ^ 12);
    const [m, k, n] = [4, 64, 16];
    const a = rand8(r, Int8Array, m * k), b = rand8(r, Int8Array, k * n), xf = randF32(r, m * k), wf = randF32(r, k * n);
    for (let i = 0; i < 20; i++) sq.packedInt8(b, k, n).dispose();
    const before = sq.memoryBytes;
    for (let i = 0; i < 2000; i++) {
      const pb = sq.packedInt8(b, k, n, { scale: 0.1 });
      sq.matmulInteger(a, pb, m, k, n);
      sq.qlinearMatmul(a, pb, m, k, n, { aScale: 0.1, yScale: 1 });
      sq.quantizedLinear(xf, m, pb);
      pb[Symbol.dispose]();
      assert.ok(pb.disposed);
      assert.is(pb.bytes, 0);
      const w4 = sq.packedInt4(wf, k, n, { blockSize: 64, symmetric: i % 2 === 0 });
      sq.matmulInt4(xf, m, w4);
      w4.dispose();
      w4.dispose(); // twice is harmless
    }
    assert.is(sq.memoryBytes, before);
  });

  w.run();
}
