// Distillation family: PyTorch fixtures (float64 and float32), one suite per implementation
// [ref, scalar, simd], cross-build bit identity on seeded cases, the exp / ln routines' accuracy
// on a sample, edge rows (NaN, +-Inf, 1e4 logits, one class), resident arrays and bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IMPLS, simd, scalar, rng, randF32, assertBits, throwsLike, EDGE_LENGTHS } from './_util.js';
import { ref } from 'sparq/ref';
import fx from './fixtures/distill-cases.json' with { type: 'json' };

function b64(s, Ctor) {
  const bin = atob(s);
  const u = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
  return new Ctor(u.buffer);
}

/** The spacing of f32 values at |v| (2^-149 below the normal range). */
function ulp(v) {
  const a = Math.abs(Math.fround(v));
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  else if (2 ** (e + 1) <= a) e += 1;
  return 2 ** (e - 23);
}

const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Run a fixture case on sq: { loss, grad } or { out }. */
function runCase(sq, c) {
  if (c.op === 'kd') {
    const o = { temperature: c.temperature, reduction: c.reduction };
    if (c.alpha !== undefined) o.alpha = c.alpha;
    if (c.labels) o.labels = b64(c.labels, Int32Array);
    return sq.distillationLoss(b64(c.student, Float32Array), b64(c.teacher, Float32Array), c.rows, c.cols, o);
  }
  if (c.op === 'ce') return sq.crossEntropy(b64(c.logits, Float32Array), b64(c.labels, Int32Array), c.rows, c.cols, { reduction: c.reduction });
  if (c.op === 'mse') return sq.mseLoss(b64(c.a, Float32Array), b64(c.b, Float32Array), { reduction: c.reduction });
  const x = b64(c.x, Float32Array);
  return { out: c.op === 'softmax' ? sq.softmax(x, c.rows, c.cols, { temperature: c.temperature }) : sq.logSoftmax(x, c.rows, c.cols, { temperature: c.temperature }) };
}

for (const { name, sq } of IMPLS) {
  const t = suite(`distill [${name}]`);

  t('PyTorch fixtures: loss and grad within 1e-6 of float64, and of torch float32 within a few ulp', () => {
    assert.ok(fx.cases.length >= 50);
    for (const c of fx.cases) {
      const r = runCase(sq, c);
      if (r.out) {
        const o64 = b64(c.out64, Float64Array), o32 = b64(c.out32, Float32Array);
        for (let i = 0; i < c.rows; i++) {
          const row = (a) => a.subarray(i * c.cols, (i + 1) * c.cols);
          const m = maxAbs(row(o64));
          assert.ok(maxDiff(row(r.out), row(o64)) <= 1e-6 * m, `${c.name} row ${i}: vs float64`);
          // softmax: every element within 2 ulp of torch; log_softmax: within 2 ulp of the row's largest |value|
          for (let j = 0; j < c.cols; j++) {
            const k = i * c.cols + j;
            const d = Math.abs(r.out[k] - o32[k]);
            assert.ok(d <= 2 * ulp(c.op === 'softmax' ? o32[k] : m), `${c.name} [${i}, ${j}]: ${r.out[k]} vs torch ${o32[k]}`);
          }
        }
        continue;
      }
      const g64 = b64(c.grad64, Float64Array), g32 = b64(c.grad32, Float32Array);
      assert.ok(Number.isFinite(r.loss), `${c.name}: loss ${r.loss}`);
      assert.ok(Math.abs(r.loss - c.loss64) <= 1e-6 * Math.abs(c.loss64) + 1e-12, `${c.name}: loss ${r.loss} vs float64 ${c.loss64}`);
      assert.ok(maxDiff(r.grad, g64) <= 1e-6 * maxAbs(g64) + 1e-12, `${c.name}: grad vs float64`);
      // torch float32: within 5 ulp, or (where torch float32 is itself further off) closer to float64 than torch
      const l32 = Math.fround(r.loss);
      assert.ok(Math.abs(l32 - c.loss32) <= 5 * ulp(c.loss32) || Math.abs(r.loss - c.loss64) < Math.abs(c.loss32 - c.loss64),
        `${c.name}: loss ${l32} vs torch float32 ${c.loss32}`);
      assert.ok(maxDiff(r.grad, g32) <= 5 * ulp(maxAbs(g32)) || maxDiff(r.grad, g64) < maxDiff(g32, g64), `${c.name}: grad vs torch float32`);
    }
  });

  t('softmax rows sum to 1; log_softmax = ln softmax; temperature divides', () => {
    const r = rng(1);
    const x = randF32(r, 6 * 50, 4);
    const p = sq.softmax(x, 6, 50);
    const lp = sq.logSoftmax(x, 6, 50);
    for (let i = 0; i < 6; i++) {
      let s = 0;
      for (let j = 0; j < 50; j++) s += p[i * 50 + j];
      assert.ok(Math.abs(s - 1) < 1e-6, `row ${i} sums to ${s}`);
    }
    for (let k = 0; k < x.length; k++) assert.ok(Math.abs(Math.exp(lp[k]) - p[k]) <= 1e-6 * Math.max(p[k], 1e-30) + 1e-12);
    // x / 2 at T = 1 is x at T = 2 (both divisions are exact)
    assertBits(assert, sq.softmax(x, 6, 50, { temperature: 2 }), sq.softmax(x.map((v) => v / 2), 6, 50), 'T = 2');
  });

  t('edge rows: 1e4 logits, one class, -Inf entries, NaN / +Inf rows', () => {
    const big = new Float32Array([1e4, -1e4, 9999, 0, -3e38, 3e38]);
    for (const T of [1, 3, 10]) {
      const p = sq.softmax(big, 1, 6, { temperature: T });
      assert.ok(p.every(Number.isFinite), `T = ${T}`);
    }
    assert.equal(Array.from(sq.softmax(new Float32Array([5, -7]), 2, 1)), [1, 1]);
    assert.equal(Array.from(sq.logSoftmax(new Float32Array([5, -7]), 2, 1)), [0, 0]);
    const withInf = sq.softmax(new Float32Array([-Infinity, 0, -Infinity, 0]), 1, 4);
    assert.equal(Array.from(withInf), [0, 0.5, 0, 0.5]);
    assert.equal(Array.from(sq.logSoftmax(new Float32Array([-Infinity, 0]), 1, 2)), [-Infinity, 0]);
    // a row with NaN, with +Inf, all -Inf, or whose x / T overflows: NaN; other rows unaffected
    const x = new Float32Array([1, NaN, 2, 3, Infinity, 0, -Infinity, -Infinity, -Infinity, 3e38, 1, 2, 0, 1, 2]);
    const p = sq.softmax(x, 5, 3, { temperature: 0.5 });
    assert.ok(p.subarray(0, 12).every(Number.isNaN));
    assertBits(assert, p.subarray(12), sq.softmax(new Float32Array([0, 1, 2]), 1, 3, { temperature: 0.5 }), 'finite row');
    const k = sq.distillationLoss(x, x.map(() => 1), 5, 3, { temperature: 0.5 });
    assert.ok(Number.isNaN(k.loss));
    assert.ok(k.grad.subarray(0, 12).every(Number.isNaN));
    assert.ok(k.grad.subarray(12).every(Number.isFinite));
    // a NaN inside the SIMD part of a long row (student, then teacher), and -0 maxima
    for (const at of [0, 5, 16, 19]) {
      const y = new Float32Array(2 * 20).map((_, i) => (i % 7) - 3);
      y[at] = NaN;
      assert.ok(sq.softmax(y, 2, 20).subarray(0, 20).every(Number.isNaN), `NaN at ${at}`);
      assert.ok(sq.logSoftmax(y, 2, 20).subarray(20).every(Number.isFinite));
      const z = y.map((v) => (Number.isNaN(v) ? 0 : v));
      const kt = sq.distillationLoss(z, y, 2, 20, { temperature: 2 });
      assert.ok(Number.isNaN(kt.loss) && kt.grad.subarray(0, 20).every(Number.isNaN) && kt.grad.subarray(20).every(Number.isFinite));
      assert.ok(Number.isNaN(sq.crossEntropy(y, new Int32Array([1, 2]), 2, 20).loss));
    }
    assertBits(assert, sq.logSoftmax(new Float32Array(17).fill(-0), 1, 17), sq.logSoftmax(new Float32Array(17), 1, 17), '-0 row');
  });

  t('distillation: 1000 classes, temperatures 1 to 10, huge logits, equal teacher rows: finite; KL >= 0', () => {
    const r = rng(2);
    const s = randF32(r, 4 * 1000, 5), te = randF32(r, 4 * 1000, 5);
    const labels = new Int32Array([0, 999, 17, 500]);
    for (let T = 1; T <= 10; T++) {
      const a = sq.distillationLoss(s, te, 4, 1000, { temperature: T });
      assert.ok(a.loss > 0 && Number.isFinite(a.loss) && a.grad.every(Number.isFinite), `T = ${T}`);
      const b = sq.distillationLoss(s.map((v) => v * 2000), te.map((v) => v * 2000), 4, 1000, { temperature: T, labels });
      assert.ok(Number.isFinite(b.loss) && b.grad.every(Number.isFinite), `1e4 logits, T = ${T}`);
    }
    const eq = sq.distillationLoss(s, new Float32Array(4000).fill(-2), 4, 1000, { temperature: 4 });
    assert.ok(eq.loss > 0 && eq.grad.every(Number.isFinite));
    // the gradient of each row sums to ~0 (softmax minus softmax)
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(eq.grad.subarray(i * 1000, (i + 1) * 1000).reduce((a, v) => a + v, 0)) < 1e-7);
    const one = sq.distillationLoss(new Float32Array([3, -2]), new Float32Array([1, 9]), 2, 1, { temperature: 2, labels: new Int32Array([0, 0]) });
    assert.is(one.loss, 0);
    assert.equal(Array.from(one.grad), [0, 0]);
    const same = sq.distillationLoss(s, s, 4, 1000, { temperature: 3 });
    assert.is(same.loss, 0);
    assert.ok(same.grad.every((v) => v === 0));
  });

  t('alpha and reductions combine as documented', () => {
    const r = rng(3);
    const s = randF32(r, 5 * 7, 2), te = randF32(r, 5 * 7, 2), labels = new Int32Array([1, 0, 6, 3, 3]);
    const kd = sq.distillationLoss(s, te, 5, 7, { temperature: 3 }).loss;
    const ce = sq.crossEntropy(s, labels, 5, 7).loss;
    assert.is(sq.distillationLoss(s, te, 5, 7, { temperature: 3, labels }).loss, 0.5 * kd + 0.5 * ce);
    assert.is(sq.distillationLoss(s, te, 5, 7, { temperature: 3, labels, alpha: 0.25 }).loss, 0.25 * kd + 0.75 * ce);
    assert.is(sq.distillationLoss(s, te, 5, 7, { temperature: 3, alpha: 0.25 }).loss, 0.25 * kd);
    const kdSum = sq.distillationLoss(s, te, 5, 7, { temperature: 3, reduction: 'sum' }).loss;
    const kdMean = sq.distillationLoss(s, te, 5, 7, { temperature: 3, reduction: 'mean' }).loss;
    assert.ok(Math.abs(kdSum / 5 - kd) <= 1e-15 * kd);
    assert.ok(Math.abs(kdMean * 7 - kd) <= 1e-15 * kd);
    assert.ok(Math.abs(sq.crossEntropy(s, labels, 5, 7, { reduction: 'sum' }).loss / 5 - ce) <= 1e-15 * ce);
    const m = sq.mseLoss(s, te), ms = sq.mseLoss(s, te, { reduction: 'sum' });
    assert.ok(Math.abs(ms.loss / 35 - m.loss) <= 1e-15 * m.loss);
  });

  t.run();
}

const x = suite('distill: builds and reference agree bit for bit');

x('seeded cases over every tail length, temperatures and labels', () => {
  const r = rng(4);
  for (const cols of EDGE_LENGTHS.filter((c) => c > 0).concat([127, 1000])) {
    const rows = 3;
    const s = randF32(r, rows * cols, 6), te = randF32(r, rows * cols, 6);
    const labels = new Int32Array(rows).map(() => r.int(0, cols - 1));
    for (const T of [1, 2.5, 7]) {
      const res = IMPLS.map(({ sq }) => [
        sq.softmax(s, rows, cols, { temperature: T }),
        sq.logSoftmax(s, rows, cols, { temperature: T }),
        sq.distillationLoss(s, te, rows, cols, { temperature: T }),
        sq.distillationLoss(s, te, rows, cols, { temperature: T, labels, alpha: 0.7, reduction: 'sum' }),
        sq.crossEntropy(s, labels, rows, cols),
        sq.mseLoss(s, te),
      ]);
      for (let k = 1; k < res.length; k++) {
        for (let o = 0; o < 6; o++) {
          const a = res[0][o], b = res[k][o], what = `${IMPLS[k].name} cols ${cols} T ${T} output ${o}`;
          if (a instanceof Float32Array) assertBits(assert, b, a, what);
          else {
            assert.ok(Object.is(a.loss, b.loss), `${what}: loss ${b.loss} vs ${a.loss}`);
            assertBits(assert, b.grad, a.grad, what);
          }
        }
      }
    }
  }
});

x('softmax in the subnormal range (the exp of the row passes, x <= 0): the bits of the reference', () => {
  const r = rng(6);
  const row = new Float32Array(4096);
  for (let j = 0; j < row.length; j++) row[j] = j === 0 ? 0 : -(80 + r.uniform(0, 26));
  row[1] = -104;
  row[2] = -103.97208;
  row[3] = -87.33655;
  row[4] = -Infinity;
  for (const sq of [simd, scalar]) {
    assertBits(assert, sq.softmax(row, 1, row.length), ref.softmax(row, 1, row.length), `${sq.simd ? 'simd' : 'scalar'}`);
    const e = sq.softmax(row, 1, row.length);
    assert.ok(e.some((v) => v > 0 && v < 2 ** -126), 'subnormal probabilities');
  }
});

x('exp: max 1 ulp against float64 on a sample of [-104, 89] (every 4099th f32 and the edges); same bits in both builds and the reference', () => {
  const xs = [];
  const lo = new Float32Array([-104]), hi = new Float32Array([89]);
  const bitsOf = (v) => new Uint32Array(new Float32Array([v]).buffer)[0];
  for (let b = 0; b <= bitsOf(89); b += 4099) xs.push(new Float32Array(new Uint32Array([b]).buffer)[0]);
  for (let b = 0x80000000; b <= bitsOf(-104); b += 4099) xs.push(new Float32Array(new Uint32Array([b >>> 0]).buffer)[0]);
  xs.push(lo[0], hi[0], 88.72283, 88.72284, -87.33654, -103.97, -103.972, -0, 0, Infinity, -Infinity, NaN, 1e-45, -1e-45);
  const xin = new Float32Array(xs);
  const outs = [simd, scalar].map((sq) => {
    const rt = sq.rt, n = xin.length;
    const a = rt.alloc(n * 4), o = rt.alloc(n * 4);
    try {
      rt.view('f32', a, n).set(xin);
      rt.exports.distill_exp_f32(a, o, n);
      return rt.view('f32', o, n).slice();
    } finally {
      rt.free(a);
      rt.free(o);
    }
  });
  assertBits(assert, outs[1], outs[0], 'scalar vs simd');
  let worst = 0;
  for (let i = 0; i < xin.length; i++) {
    const y = outs[0][i], e = Math.exp(xin[i]);
    assert.ok(Object.is(y, ref.expf(xin[i])) || (Number.isNaN(y) && Number.isNaN(ref.expf(xin[i]))), `ref at ${xin[i]}`);
    if (Number.isNaN(xin[i])) { assert.ok(Number.isNaN(y)); continue; }
    if (e >= 2 ** 128 * (1 - 2 ** -25)) { assert.is(y, Infinity, `overflow at ${xin[i]}`); continue; }
    worst = Math.max(worst, Math.abs(y - e) / ulp(e));
  }
  assert.ok(worst <= 1.03, `max error ${worst} ulp`);
  assert.ok(worst > 0.5, 'the sample reaches the worst region');
});

x('ln: within 0.5 ulp (+1e-6) of float64 on a sample of positive f32', () => {
  const n = 40000;
  const xin = new Float32Array(n);
  const u = new Uint32Array(xin.buffer);
  for (let i = 0; i < n; i++) u[i] = 1 + Math.floor((i / n) * 0x7f7fffff);
  const outs = [simd, scalar].map((sq) => {
    const rt = sq.rt;
    const a = rt.alloc(n * 4), o = rt.alloc(n * 4);
    try {
      rt.view('f32', a, n).set(xin);
      rt.exports.distill_log_f32(a, o, n);
      return rt.view('f32', o, n).slice();
    } finally {
      rt.free(a);
      rt.free(o);
    }
  });
  assertBits(assert, outs[1], outs[0], 'scalar vs simd');
  for (let i = 0; i < n; i++) {
    const e = Math.log(xin[i]);
    assert.ok(Math.abs(outs[0][i] - e) <= (0.5 + 1e-6) * ulp(e), `ln ${xin[i]}: ${outs[0][i]} vs ${e}`);
    assert.is(outs[0][i], Math.fround(ref.log64(xin[i])));
  }
});

x('resident arrays in and out, out aliasing the input', () => {
  const r = rng(5);
  const s = randF32(r, 4 * 9, 3), te = randF32(r, 4 * 9, 3);
  for (const sq of [simd, scalar]) {
    const want = sq.softmax(s, 4, 9, { temperature: 2 });
    const ws = sq.wasmArray(s), out = sq.alloc('f32', 36);
    assert.is(sq.softmax(ws, 4, 9, { temperature: 2 }, out), out);
    assertBits(assert, out.toArray(), want, 'resident softmax');
    const inPlace = s.slice();
    assert.is(sq.softmax(inPlace, 4, 9, { temperature: 2 }, inPlace), inPlace);
    assertBits(assert, inPlace, want, 'in place');
    const k = sq.distillationLoss(s, te, 4, 9, { temperature: 3 });
    const g = sq.alloc('f32', 36);
    const kr = sq.distillationLoss(ws, sq.wasmArray(te), 4, 9, { temperature: 3 }, g);
    assert.is(kr.grad, g);
    assert.is(kr.loss, k.loss);
    assertBits(assert, g.toArray(), k.grad, 'resident grad');
    const labels = sq.wasmArray(new Int32Array([0, 8, 3, 3]));
    assert.is(sq.crossEntropy(ws, labels, 4, 9).loss, sq.crossEntropy(s, new Int32Array([0, 8, 3, 3]), 4, 9).loss);
    ws.dispose();
    out.dispose();
    g.dispose();
    labels.dispose();
  }
});

x('bad input: TypeError / RangeError naming the argument', () => {
  const s = new Float32Array(6), lab = new Int32Array([0, 2]);
  for (const sq of [simd, ref]) {
    throwsLike(assert, () => sq.softmax(s, 2, 3, { temperature: 0 }), RangeError, /temperature/);
    throwsLike(assert, () => sq.softmax(s, 2, 3, { temperature: -1 }), RangeError, /temperature/);
    throwsLike(assert, () => sq.distillationLoss(s, s, 2, 3, { temperature: Infinity }), RangeError, /temperature/);
  }
  throwsLike(assert, () => simd.softmax(s, 2, 4), RangeError, /x/);
  throwsLike(assert, () => simd.softmax([1, 2], 1, 2), TypeError, /x/);
  throwsLike(assert, () => simd.softmax(s, 0, 6), RangeError, /rows/);
  throwsLike(assert, () => simd.softmax(s, 2, 3, { temperature: '2' }), TypeError, /temperature/);
  throwsLike(assert, () => simd.distillationLoss(s, s, 2, 3, {}), TypeError, /temperature/);
  throwsLike(assert, () => simd.distillationLoss(s, s, 2, 3), TypeError, /opts/);
  throwsLike(assert, () => simd.distillationLoss(s, new Float32Array(5), 2, 3, { temperature: 1 }), RangeError, /teacher/);
  throwsLike(assert, () => simd.distillationLoss(s, s, 2, 3, { temperature: 1, alpha: 1.5 }), RangeError, /alpha/);
  throwsLike(assert, () => simd.distillationLoss(s, s, 2, 3, { temperature: 1, reduction: 'none' }), TypeError, /reduction/);
  throwsLike(assert, () => simd.distillationLoss(s, s, 2, 3, { temperature: 1, labels: new Int32Array([0, 3]) }), RangeError, /labels\[1\]/);
  throwsLike(assert, () => simd.distillationLoss(s, s, 2, 3, { temperature: 1, labels: [0, 1] }), TypeError, /labels/);
  throwsLike(assert, () => simd.crossEntropy(s, new Int32Array([0]), 2, 3), RangeError, /labels/);
  throwsLike(assert, () => simd.crossEntropy(s, lab, 2, 3, { reduction: 'batchmean' }), TypeError, /reduction/);
  throwsLike(assert, () => simd.mseLoss(s, new Float32Array(5)), RangeError, /b/);
  throwsLike(assert, () => simd.mseLoss(s, s, null), TypeError, /opts/);
  const live = simd.rt.liveBlocks;
  try {
    simd.distillationLoss(s, s, 2, 3, { temperature: 1, labels: new Int32Array([0, -1]) });
  } catch {}
  assert.is(simd.rt.liveBlocks, live, 'a failed call frees its scratch');
});

x.run();
