// Model-fusion family: one suite per implementation [ref, scalar, simd] against PyTorch fixtures
// (test/fixtures/fusion.json from scripts/fixtures/fusion_vectors.py), seeded random cases against
// the reference, edge values, WasmArrays and bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IMPLS, simd, scalar, rng, randF32, assertBits, throwsLike, EDGE_LENGTHS, SEED } from './_util.js';
import { ref } from 'sparq/ref';

import fx from './fixtures/fusion.json' with { type: 'json' };
const f32 = (bits) => (bits === null ? null : new Float32Array(Uint32Array.from(bits).buffer));
const f = Math.fround;

for (const { name, sq } of IMPLS) {
  const t = suite(`fusion [${name}]`);

  for (const c of fx.foldBatchNorm) {
    t(`foldBatchNorm = torch ${fx.torch} ${c.shape.length === 2 ? 'fuse_linear_bn_weights' : 'fuse_conv_bn_weights'}: ${c.name}`, () => {
      const bn = { mean: f32(c.mean), var: f32(c.var), gamma: f32(c.gamma), beta: f32(c.beta), eps: c.eps };
      const r = sq.foldBatchNorm(f32(c.weight), f32(c.bias), bn, c.shape);
      assertBits(assert, r.weight, f32(c.outWeight), 'weight');
      assertBits(assert, r.bias, f32(c.outBias), 'bias');
    });
  }

  t('averageWeights = torch float32 acc = t0 * c0; acc += ti * ci (uniform: 1 / m)', () => {
    for (const s of fx.averageWeights) {
      const ts = s.tensors.map(f32);
      assertBits(assert, sq.averageWeights(ts, s.coefficients ?? undefined), f32(s.out), `${ts.length} models`);
    }
  });

  t('averageWeights: the documented order, uniform coefficients f32(1 / m), signed zeros, Inf and NaN', () => {
    const a = new Float32Array([1, -0, 3e38, -Infinity, 0.1]), b = new Float32Array([2, -0, 3e38, Infinity, 0.2]), c = new Float32Array([4, 0, 0, 1, 0.3]);
    const r = sq.averageWeights([a, b, c]);
    const third = f(1 / 3);
    for (let i = 0; i < 3; i++) {
      const want = f(f(f(third * a[i]) + f(third * b[i])) + f(third * c[i]));
      assert.ok(Object.is(r[i], want), `element ${i}: ${r[i]} vs ${want}`);
    }
    assert.ok(Number.isNaN(r[3]));
    assert.is(r[4], f(f(f(third * a[4]) + f(third * b[4])) + f(third * c[4])));
    // two models, weights 0.25 / 0.75 (exact in f32); one model is itself times its coefficient
    assert.equal(Array.from(sq.averageWeights([a.slice(0, 1), b.slice(0, 1)], [0.25, 0.75])), [1.75]);
    assert.equal(Array.from(sq.averageWeights([new Float32Array([3, -5])], [2])), [6, -10]);
    assert.equal(Array.from(sq.averageWeights([new Float32Array([3, -5])])), [3, -5]);
  });

  t('foldBatchNorm: zero variance with eps, no bias (0 - mean), no gamma / beta, any kernel rank', () => {
    const w = new Float32Array([1, 2, 3, 4]);
    const r = sq.foldBatchNorm(w, null, { mean: new Float32Array([0, -0]), var: new Float32Array([0, 3]), eps: 0.25 }, [2, 2, 1]);
    // conv: rs = 1 / sqrt(var + eps); w * (1 * rs); (0 - mean) * rs * 1 + 0
    const rs1 = f(1 / f(Math.sqrt(f(3 + 0.25))));
    assert.equal(Array.from(r.weight), [2, 4, f(3 * rs1), f(4 * rs1)]);
    assert.ok(Object.is(r.bias[0], 0) && Object.is(r.bias[1], 0), 'bias +0 for a +-0 mean (0 - mean, then + 0)');
    const lin = sq.foldBatchNorm(w, new Float32Array([1, 1]), { mean: new Float32Array([1, 0]), var: new Float32Array([1, 1]), gamma: new Float32Array([2, 3]), beta: new Float32Array([5, 6]), eps: 0 }, [2, 2]);
    assert.equal([Array.from(lin.weight), Array.from(lin.bias)], [[2, 4, 9, 12], [5, 9]]);
    const k5 = sq.foldBatchNorm(new Float32Array(2 * 3 * 2 * 2 * 2 * 1).fill(1), null, { mean: new Float32Array(2), var: new Float32Array([4, 16]), eps: 0 }, [2, 3, 2, 2, 2, 1]);
    assert.equal(Array.from(k5.weight), [...new Array(24).fill(0.5), ...new Array(24).fill(0.25)]);
  });

  t('seeded random shapes and lengths across the SIMD edges: equal to the reference', () => {
    const r = rng(SEED ^ 0xf05e);
    for (const n of EDGE_LENGTHS) {
      for (const m of [1, 2, 3, 5]) {
        const ts = Array.from({ length: m }, () => randF32(r, n, 10));
        const cs = Array.from({ length: m }, () => r.uniform(-2, 2));
        assertBits(assert, sq.averageWeights(ts, cs), ref.averageWeights(ts, cs), `average m=${m} n=${n}`);
        assertBits(assert, sq.averageWeights(ts), ref.averageWeights(ts), `uniform m=${m} n=${n}`);
      }
    }
    for (const shape of [[1, 1], [3, 17], [8, 3, 3, 3], [5, 33, 1], [7, 2, 5, 1, 3], [64, 100]]) {
      const size = shape.reduce((a, b) => a * b, 1), oc = shape[0];
      const w = randF32(r, size), b = randF32(r, oc);
      const bn = { mean: randF32(r, oc), var: new Float32Array(oc).map(() => r.uniform(0, 3)), gamma: randF32(r, oc), beta: randF32(r, oc), eps: 1e-5 };
      const got = sq.foldBatchNorm(w, b, bn, shape), want = ref.foldBatchNorm(w, b, bn, shape);
      assertBits(assert, got.weight, want.weight, `fold ${shape} weight`);
      assertBits(assert, got.bias, want.bias, `fold ${shape} bias`);
    }
  });

  t('bad input: errors name the argument', () => {
    if (name === 'ref') return;
    const a = new Float32Array(4);
    throwsLike(assert, () => sq.averageWeights([]), RangeError, /^tensors/);
    throwsLike(assert, () => sq.averageWeights(a), TypeError, /^tensors/);
    throwsLike(assert, () => sq.averageWeights([a, new Float32Array(3)]), RangeError, /^tensors\[1\]/);
    throwsLike(assert, () => sq.averageWeights([a, a], [1]), RangeError, /^coefficients/);
    throwsLike(assert, () => sq.averageWeights([a, a], [1, NaN]), RangeError, /^coefficients\[1\]/);
    throwsLike(assert, () => sq.averageWeights([a, new Int8Array(4)]), TypeError, /^tensors\[1\]/);
    throwsLike(assert, () => sq.averageWeights([a], undefined, new Float32Array(3)), RangeError, /^out/);
    const bn = { mean: new Float32Array(2), var: new Float32Array(2) };
    throwsLike(assert, () => sq.foldBatchNorm(a, null, bn, [4]), RangeError, /^shape/);
    throwsLike(assert, () => sq.foldBatchNorm(a, null, bn, [2, 3]), RangeError, /^shape/);
    throwsLike(assert, () => sq.foldBatchNorm(a, null, { ...bn, var: new Float32Array(3) }, [2, 2]), RangeError, /^bn\.var/);
    throwsLike(assert, () => sq.foldBatchNorm(a, new Float32Array(3), bn, [2, 2]), RangeError, /^bias/);
    throwsLike(assert, () => sq.foldBatchNorm(a, null, { ...bn, eps: -1 }, [2, 2]), RangeError, /^bn\.eps/);
    throwsLike(assert, () => sq.foldBatchNorm(a, null, null, [2, 2]), TypeError, /^bn/);
  });

  t.run();
}

const w = suite('fusion: Wasm-resident arrays, in place, both builds');
w('WasmArray tensors and out, out aliasing a tensor (in-place folding / averaging)', () => {
  const r = rng(SEED ^ 0xa11);
  const x = randF32(r, 1000), y = randF32(r, 1000), z = randF32(r, 1000);
  const want = ref.averageWeights([x, y, z], [0.5, 0.25, 0.25]);
  const want2 = ref.averageWeights([x, y]);
  for (const sq of [simd, scalar]) {
    const xw = sq.wasmArray(x), yw = sq.wasmArray(y), out = sq.alloc('f32', 1000);
    assert.is(sq.averageWeights([xw, yw, z], [0.5, 0.25, 0.25], out), out);
    assertBits(assert, out.toArray(), want, 'resident');
    assert.is(sq.averageWeights([xw, yw], undefined, xw), xw);
    assertBits(assert, xw.toArray(), want2, 'in place into the first model');
    const wt = randF32(r, 24), bn = { mean: randF32(r, 4), var: new Float32Array(4).fill(2) };
    const wantF = ref.foldBatchNorm(wt, null, bn, [4, 6]);
    const ww = sq.wasmArray(wt);
    const res = sq.foldBatchNorm(ww, null, bn, [4, 6], ww);
    assert.is(res.weight, ww);
    assertBits(assert, ww.toArray(), wantF.weight, 'fold in place');
    assertBits(assert, res.bias, wantF.bias, 'fold bias');
    for (const a of [xw, yw, out, ww]) a.dispose();
  }
});
w.run();
