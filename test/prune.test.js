// Pruning-mask family: one suite per implementation [ref, scalar, simd] with hand-checked vectors
// (ties at the cut, -0, NaN, +-Inf, n = 0 / 1, amount 0 / 1), then seeded random cases compared
// across implementations to the bit, bad input, the zero-copy paths and memory behaviour.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sparsitySchedule } from 'sparq';
import { ref } from 'sparq/ref';
import { IMPLS, simd, scalar, rng, randF32, assertBits, throwsLike, EDGE_LENGTHS, SEED } from './_util.js';

const f = Math.fround;
const F = (a) => new Float32Array(a);
const U = (a) => new Uint8Array(a);
const arr = (m) => Array.from(m);
/** The f32 right above |x|. */
function nextUp(x) {
  const b = new Float32Array([x]);
  new Uint32Array(b.buffer)[0] += 1;
  return b[0];
}
/** Random weights with many exact ties (values on a coarse grid). */
function tiedF32(r, n, levels = 7) {
  return new Float32Array(n).map(() => (r.int(-levels, levels) * 0.25));
}

for (const { name, sq } of IMPLS) {
  const t = suite(`prune [${name}]`);

  t('magnitudeMask: prunes the round_half_even(amount * n) smallest |w|', () => {
    const w = F([0.5, -3, 1, -0.1, 2]);
    assert.equal(arr(sq.magnitudeMask(w, { amount: 0.4 })), [0, 1, 1, 0, 1]); // 2 pruned
    assert.equal(arr(sq.magnitudeMask(w, { amount: 0.5 })), [0, 1, 1, 0, 1]); // round(2.5) = 2
    assert.equal(arr(sq.magnitudeMask(w, { amount: 0.9 })), [0, 1, 0, 0, 0]); // round(4.5) = 4
    assert.equal(arr(sq.magnitudeMask(w, { amount: 0.3 })), [0, 1, 1, 0, 1]); // round(1.5) = 2
    assert.equal(arr(sq.magnitudeMask(F([3, 1, 2]), { amount: 0.5 })), [1, 0, 0]); // round(1.5) = 2
    assert.equal(arr(sq.magnitudeMask(w, { count: 1 })), [1, 1, 1, 0, 1]);
    assert.equal(arr(sq.magnitudeMask(w, { amount: 0 })), [1, 1, 1, 1, 1]);
    assert.equal(arr(sq.magnitudeMask(w, { amount: 1 })), [0, 0, 0, 0, 0]);
    assert.equal(arr(sq.magnitudeMask(w, { count: 5 })), [0, 0, 0, 0, 0]);
  });

  t('magnitudeMask: ties at the cut prune the lower index first; all-equal tensors', () => {
    assert.equal(arr(sq.magnitudeMask(F([1, 2, -2, 2, 3]), { count: 2 })), [0, 0, 1, 1, 1]);
    assert.equal(arr(sq.magnitudeMask(F([2, 1, 2, -2, 3]), { count: 3 })), [0, 0, 0, 1, 1]);
    assert.equal(arr(sq.magnitudeMask(new Float32Array(10).fill(0.5), { amount: 0.3 })), [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(arr(sq.magnitudeMask(new Float32Array(17).fill(-1), { count: 16 })), [...new Array(16).fill(0), 1]);
    // -0 and +0 are equal
    assert.equal(arr(sq.magnitudeMask(F([0, -0, 0, 1]), { count: 2 })), [0, 0, 1, 1]);
    assert.equal(arr(sq.magnitudeMask(F([-0, 0, 0, 1]), { count: 1 })), [0, 1, 1, 1]);
  });

  t('magnitudeMask: NaN ranks above +-Inf, which rank above every number', () => {
    const w = F([NaN, Infinity, 1, -Infinity, 0]);
    assert.equal(arr(sq.magnitudeMask(w, { count: 2 })), [1, 1, 0, 1, 0]);
    assert.equal(arr(sq.magnitudeMask(w, { count: 3 })), [1, 0, 0, 1, 0]); // +Inf and -Inf tie: index 1 first
    assert.equal(arr(sq.magnitudeMask(w, { count: 4 })), [1, 0, 0, 0, 0]);
    assert.equal(arr(sq.magnitudeMask(w, { count: 5 })), [0, 0, 0, 0, 0]);
    assert.equal(arr(sq.magnitudeMask(F([3.4e38, 1e-45, -1e-45, 0]), { count: 2 })), [1, 0, 1, 0]); // denormals
  });

  t('magnitudeMask: n = 0 and n = 1', () => {
    assert.equal(sq.magnitudeMask(F([]), { amount: 0.5 }).length, 0);
    assert.equal(sq.magnitudeMask(F([]), { count: 0 }).length, 0);
    assert.equal(arr(sq.magnitudeMask(F([-7]), { amount: 0.5 })), [1]); // round(0.5) = 0
    assert.equal(arr(sq.magnitudeMask(F([-7]), { amount: 0.51 })), [0]);
    assert.equal(arr(sq.magnitudeMask(F([NaN]), { count: 1 })), [0]);
  });

  t('magnitudeMask: importance scores rank instead of |w|; prior (repeated pruning)', () => {
    const w = F([5, 4, 3, 2, 1, 0]);
    const scores = F([0, -1, 2, -3, 4, 5]);
    assert.equal(arr(sq.magnitudeMask(w, { count: 2 }, { scores })), [0, 0, 1, 1, 1, 1]);
    // PyTorch: a second l1_unstructured(amount=0.5) on 10 weights of which 4 are pruned prunes
    // round(0.5 * 6) = 3 of the 6 kept ones, ranking only those.
    const w2 = F([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
    const prior = U([1, 0, 1, 0, 1, 0, 1, 0, 1, 1]);
    assert.equal(arr(sq.magnitudeMask(w2, { amount: 0.5 }, { prior })), [0, 0, 0, 0, 0, 0, 1, 0, 1, 1]);
    assert.equal(arr(sq.magnitudeMask(w2, { count: 6 }, { prior })), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(arr(sq.magnitudeMask(w2, { amount: 0 }, { prior })), arr(prior));
    // a prior of non-zero bytes other than 1 counts as kept
    assert.equal(arr(sq.magnitudeMask(F([1, 2, 3]), { count: 1 }, { prior: U([0, 7, 255]) })), [0, 0, 1]);
  });

  t('magnitudeMask equals the sorted definition (PyTorch topk) on distinct values', () => {
    const r = rng(SEED ^ 0x101);
    for (const n of [16, 100, 1000]) {
      const w = randF32(r, n);
      const sorted = Array.from(w, Math.abs).sort((a, b) => a - b);
      for (const amount of [0.1, 0.5, 0.9]) {
        const k = Math.round(amount * n); // no .5 ties at these sizes
        const cut = sorted[k - 1];
        const m = sq.magnitudeMask(w, { amount });
        for (let i = 0; i < n; i++) assert.is(m[i], Math.abs(w[i]) > cut ? 1 : 0, `n ${n} amount ${amount} at ${i}`);
      }
    }
  });

  t('globalMagnitudeMask: one ranking over all tensors; ties in concatenation order', () => {
    const m = sq.globalMagnitudeMask([F([1, 5]), F([3, 0.5, 2])], { amount: 0.4 });
    assert.equal(m.map(arr), [[0, 1], [1, 0, 1]]);
    assert.equal(sq.globalMagnitudeMask([F([1, 1]), F([1])], { count: 2 }).map(arr), [[0, 0], [1]]);
    assert.equal(sq.globalMagnitudeMask([F([2]), F([1, 1])], { count: 2 }).map(arr), [[1], [0, 0]]);
    assert.equal(sq.globalMagnitudeMask([], { count: 0 }), []);
    const p = sq.globalMagnitudeMask([F([1, 2, 3]), F([4, 5])], { count: 1 }, { prior: [U([0, 1, 1]), U([1, 1])], scores: [F([9, 9, 9]), F([0.5, 9])] });
    assert.equal(p.map(arr), [[0, 1, 1], [0, 1]]);
  });

  t('thresholdMask: keep |w| >= t, exactly in f32 (NaN kept)', () => {
    const w = F([0.5, -0.5, 0.49999997, NaN, Infinity, -0, -Infinity]);
    assert.equal(arr(sq.thresholdMask(w, 0.5)), [1, 1, 0, 1, 1, 0, 1]);
    assert.equal(arr(sq.thresholdMask(w, 0)), [1, 1, 1, 1, 1, 1, 1]);
    assert.equal(arr(sq.thresholdMask(w, -1)), [1, 1, 1, 1, 1, 1, 1]);
    assert.equal(arr(sq.thresholdMask(w, Infinity)), [0, 0, 0, 1, 1, 0, 1]);
    // t between two f32: a < t <= b
    const a = f(1.5), b = nextUp(a), tt = (a + b) / 2;
    assert.equal(arr(sq.thresholdMask(F([a, -a, b, -b]), tt)), [0, 0, 1, 1]);
    assert.equal(arr(sq.thresholdMask(F([f(0.1)]), 0.1)), [1]); // f32(0.1) > 0.1
    assert.equal(sq.thresholdMask(F([]), 1).length, 0);
  });

  t('nmMask: keep the n largest |w| of each group of m; ties: lower index kept', () => {
    const w = F([1, 1, 1, 1, -3, 1, 2, -0.5, 0, -0, 0, 0, NaN, 1, 2, 3, 4, -4, 4, 3]);
    assert.equal(arr(sq.nmMask(w, [5, 4], { n: 2, m: 4 })), [1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0]);
    assert.equal(arr(sq.nmMask(w, [20], { n: 1, m: 4 })), [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
    assert.equal(arr(sq.nmMask(w, [20], { n: 3, m: 4 })), [1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0]);
    assert.equal(arr(sq.nmMask(w, [20], { n: 0, m: 4 })), new Array(20).fill(0));
    assert.equal(arr(sq.nmMask(w, [20], { n: 4, m: 4 })), new Array(20).fill(1));
    const x = F([5, 1, 4, 2, 8, 3, 7, 6, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(arr(sq.nmMask(x, [2, 8], { n: 4, m: 8 })), [1, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    assert.equal(arr(sq.nmMask(F([3, 1, 2, 1, 1, 2]), [6], { n: 1, m: 3 })), [1, 0, 0, 0, 0, 1]);
    assert.equal(sq.nmMask(F([]), [0, 4], { n: 2, m: 4 }).length, 0);
  });

  t('structuredMask: prune whole slices by L1 / L2 / Inf norm along dim', () => {
    // rows: L1 4.5, 5.5, 2; L2^2 6.25, 13.25, 1.5. columns: L1 2.5, 4.5, 4, 1; Inf 1, 2, 3, 0.5
    const w = F([1, -2, 1, 0.5, -0.5, 2, 3, 0, -1, 0.5, 0, 0.5]);
    assert.equal(arr(sq.structuredMask(w, [3, 4], { amount: 1 / 3, dim: 0, n: 1 })), [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    assert.equal(arr(sq.structuredMask(w, [3, 4], { count: 2, dim: 0, n: 2 })), [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
    assert.equal(arr(sq.structuredMask(w, [3, 4], { count: 2, dim: -1, n: 1 })), [0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
    assert.equal(arr(sq.structuredMask(w, [3, 4], { count: 2, dim: 1, n: Infinity })), [0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
    assert.equal(arr(sq.structuredMask(w, [3, 4], { count: 1, dim: 1, n: Infinity })), [1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0]);
    // equal column norms: the lower index is pruned first
    assert.equal(arr(sq.structuredMask(F([1, -1, 1, 2, 2, 2]), [2, 3], { count: 1, dim: 1, n: 2 })), [0, 1, 1, 0, 1, 1]);
    // rank 3, dim 1: slices of 2 x 1 x 2
    const x = F([1, 1, 9, 9, 1, 1, 1, 1, 9, 9, 1, 1]);
    assert.equal(arr(sq.structuredMask(x, [2, 3, 2], { count: 1, dim: 1, n: 2 })), [0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1]);
    assert.equal(arr(sq.structuredMask(x, [2, 3, 2], { amount: 0, dim: 2, n: 1 })), new Array(12).fill(1));
    assert.equal(arr(sq.structuredMask(x, [2, 3, 2], { amount: 1, dim: 2, n: 1 })), new Array(12).fill(0));
    // a NaN slice ranks above every other
    assert.equal(arr(sq.structuredMask(F([NaN, 0, 5, 5]), [2, 2], { count: 1, dim: 0, n: 1 })), [1, 1, 0, 0]);
  });

  t('blockMask: whole blocks by L1 / L2, edge blocks hold what is left', () => {
    // 4 x 4, 2 x 2 blocks: L1 = [4, 40], [0.4, 8]
    const w = F([1, 1, 10, 10, 1, 1, 10, 10, 0.1, 0.1, 2, 2, 0.1, 0.1, 2, 2]);
    assert.equal(arr(sq.blockMask(w, [4, 4], { block: [2, 2], amount: 0.5 })), [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
    // 3 x 5 with 2 x 2 blocks: blocks (0,0) 2x2, (0,1) 2x2, (0,2) 2x1, (1,0) 1x2, (1,1) 1x2, (1,2) 1x1
    const x = F([1, 1, 2, 2, 5, 1, 1, 2, 2, 5, 3, 3, 4, 4, 0.5]);
    // L1: 4, 8, 10, 6, 8, 0.5 -> count 3 prunes 0.5, 4, 6
    assert.equal(arr(sq.blockMask(x, [3, 5], { block: [2, 2], count: 3, norm: 1 })), [0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0]);
    // L2^2: 4, 16, 50, 18, 32, 0.25 -> count 3 prunes 0.25, 4, 16
    assert.equal(arr(sq.blockMask(x, [3, 5], { block: [2, 2], count: 3, norm: 'l2' })), [0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0]);
    // rank 1: [1, n]; rank 3: [shape[0], rest]
    assert.equal(arr(sq.blockMask(F([1, 2, 3, 4, 5]), [5], { block: [1, 2], count: 1 })), [0, 0, 1, 1, 1]);
    assert.equal(arr(sq.blockMask(F([1, 1, 1, 1, 2, 2, 2, 2]), [2, 2, 2], { block: [1, 4], count: 1 })), [0, 0, 0, 0, 1, 1, 1, 1]);
  });

  t('randomMask: exactly round(amount * n) pruned, seeded, reproducible', () => {
    for (const n of [0, 1, 15, 16, 17, 1000]) {
      for (const amount of [0, 0.3, 0.5, 1]) {
        const m = sq.randomMask(n, { amount, seed: 42 });
        assert.is(m.length, n);
        assert.is(m.reduce((a, v) => a + (v === 0), 0), ref.magnitudeMask(new Float32Array(n), { amount }).reduce((a, v) => a + (v === 0), 0));
        assertBits(assert, m, sq.randomMask(n, { amount, seed: 42 }), 'same seed');
      }
    }
    const a = sq.randomMask(1000, { amount: 0.5, seed: 1 }), b = sq.randomMask(1000, { amount: 0.5, seed: 2 });
    assert.ok(a.some((v, i) => v !== b[i]), 'different seeds differ');
    assert.equal(arr(sq.randomMask(4, { count: 4, seed: 5 })), [0, 0, 0, 0]);
  });

  t('taylorScores |w g| and obdScores w^2 h / 2 in f32', () => {
    const w = F([1.5, -2, 0.1, 3e20, -0]), g = F([-2, 0.25, 0.3, 3e20, 5]), h = F([2, 0.5, 3, 1, -1]);
    assert.equal(arr(sq.taylorScores(w, g)), [3, 0.5, f(f(0.1) * f(0.3)), Infinity, 0]);
    assert.ok(Object.is(sq.taylorScores(w, g)[4], 0), '+0, sign cleared');
    assert.equal(arr(sq.obdScores(w, h)), [2.25, 1, f(f(f(f(0.1) * f(0.1)) * 3) * 0.5), Infinity, -0]);
  });

  t('applyMask is orig * mask: -0, NaN for pruned NaN / Inf', () => {
    const w = F([1.5, -2, NaN, Infinity, 3, -4]);
    const y = sq.applyMask(w, U([1, 0, 0, 0, 2, 1]));
    assert.is(y[0], 1.5);
    assert.ok(Object.is(y[1], -0));
    assert.ok(Number.isNaN(y[2]) && Number.isNaN(y[3]));
    assert.equal([y[4], y[5]], [3, -4]);
  });

  t('sparsity, packMask / unpackMask (least significant bit first)', () => {
    assert.is(sq.sparsity(F([0, -0, 1, NaN])), 0.5);
    assert.is(sq.sparsity(U([0, 1, 1, 1])), 0.25);
    assert.is(sq.sparsity(F([])), 0);
    assert.equal(arr(sq.packMask(U([1, 0, 0, 0, 0, 0, 0, 0, 1]))), [1, 1]);
    assert.equal(arr(sq.packMask(U([0, 1, 0, 0, 0, 0, 0, 3]))), [0x82]);
    assert.equal(arr(sq.unpackMask(U([0x82, 0xff]), 9)), [0, 1, 0, 0, 0, 0, 0, 1, 1]);
    assert.equal(sq.packMask(U([])).length, 0);
  });

  t.run();
}

// ---- across implementations: seeded random cases, to the bit ----
const x = suite('prune: ref == scalar == simd (seeded)');

function allEqual(what, run) {
  const r = run(ref), a = run(scalar), b = run(simd);
  const flat = (v) => (Array.isArray(v) ? v : [v]);
  const [fr, fa, fb] = [flat(r), flat(a), flat(b)];
  for (let i = 0; i < fr.length; i++) {
    assertBits(assert, fa[i], fr[i], `${what} scalar vs ref [${i}]`);
    assertBits(assert, fb[i], fr[i], `${what} simd vs ref [${i}]`);
  }
}

x('magnitudeMask / global / threshold / random over edge lengths, with ties and priors', () => {
  for (const n of [...EDGE_LENGTHS, 255, 256, 257, 1000, 4099]) {
    const r = rng(SEED ^ (0x200 + n));
    for (const w of [randF32(r, n), tiedF32(r, n), tiedF32(r, n, 1)]) {
      const prior = new Uint8Array(n).map(() => (r.next() < 0.3 ? 0 : 1));
      const scores = randF32(r, n);
      for (const amount of [0, 0.1, 0.5, 0.73, 0.9, 1]) {
        allEqual(`magnitude n=${n} amount=${amount}`, (sq) => sq.magnitudeMask(w, { amount }));
        allEqual(`magnitude+prior n=${n} amount=${amount}`, (sq) => sq.magnitudeMask(w, { amount }, { prior }));
        allEqual(`magnitude+scores n=${n} amount=${amount}`, (sq) => sq.magnitudeMask(w, { amount }, { scores }));
      }
      allEqual(`random n=${n}`, (sq) => sq.randomMask(n, { amount: 0.37, seed: n }));
      allEqual(`threshold n=${n}`, (sq) => sq.thresholdMask(w, 0.5));
      const cut = Math.floor(n / 3);
      allEqual(`global n=${n}`, (sq) => sq.globalMagnitudeMask([w.slice(0, cut), w.slice(cut)], { amount: 0.6 }, { prior: [prior.slice(0, cut), prior.slice(cut)] }));
    }
  }
});

x('magnitudeMask: large tensors with wide and narrow value ranges (every radix path)', () => {
  const r = rng(SEED ^ 0x333);
  const n = 200003;
  const wide = new Float32Array(n).map(() => r.normal() * 10 ** r.int(-30, 30));
  const narrow = new Float32Array(n).map(() => 1 + r.int(0, 1000) * 2 ** -23); // one top-16 bucket
  for (const w of [wide, narrow]) {
    for (const amount of [0.01, 0.5, 0.99]) allEqual(`large amount=${amount}`, (sq) => sq.magnitudeMask(w, { amount }));
  }
});

x('magnitudeMask: the sampled select, its bracket edges and its fallbacks', () => {
  const r = rng(SEED ^ 0x335);
  const n = 1 << 17; // the sample reads runs of 16 at j * 32 (4096 runs)
  const normal = randF32(r, n);
  // the sampled runs hold only large values: the bracket misses the cut, the histogram select runs
  const biased = new Float32Array(n).map((_, i) => ((i & 31) < 16 ? 100 + r.next() : r.next()));
  // nearly all equal: the bracket overflows its buffer
  const flat = new Float32Array(n).fill(0.5).map((v, i) => (i % 1000 === 7 ? r.next() : v));
  const specials = randF32(r, n).map((v, i) => (i % 97 === 0 ? [NaN, Infinity, -Infinity, -0, -NaN][i % 5] : v));
  for (const w of [normal, biased, flat, specials]) {
    for (const sel of [{ count: 2 }, { amount: 0.001 }, { amount: 0.5 }, { count: n - 1 }]) {
      allEqual(`sampled ${JSON.stringify(sel)}`, (sq) => sq.magnitudeMask(w, sel));
    }
  }
  allEqual('sampled random', (sq) => sq.randomMask(n + 5, { amount: 0.4, seed: 9 }));
});

x('blockMask / structuredMask: many blocks and slices, wide and tied norms (every select level)', () => {
  const r = rng(SEED ^ 0x334);
  const R = 120, C = 500;
  const wide = new Float32Array(R * C).map(() => r.normal() * 10 ** r.int(-20, 20));
  const tied = tiedF32(r, R * C, 3);
  const near = new Float32Array(R * C).map(() => 1 + r.int(0, 3) * 2 ** -23);
  for (const w of [wide, tied, near]) {
    for (const [block, norm] of [[[1, 2], 1], [[1, 1], 2], [[3, 4], 2], [[2, 8], 1]]) {
      for (const amount of [0.01, 0.5, 0.99]) allEqual(`block ${block} ${norm} ${amount}`, (sq) => sq.blockMask(w, [R, C], { block, amount, norm }));
    }
    allEqual('structured dim 1', (sq) => sq.structuredMask(w, [R, C], { amount: 0.3, dim: 1, n: 1 }));
  }
});

x('nmMask, structuredMask, blockMask, scores, helpers over edge sizes', () => {
  for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 65]) {
    const r = rng(SEED ^ (0x400 + n));
    for (const [nk, m] of [[2, 4], [1, 4], [3, 4], [4, 8], [2, 8], [0, 8], [8, 8], [1, 2], [2, 3], [5, 16], [3, 12], [7, 32], [3, 6], ...(n < 4 ? [[100, 300]] : [])]) {
      const w = r.next() < 0.5 ? randF32(r, n * m) : tiedF32(r, n * m, 2);
      allEqual(`nm ${nk}:${m} groups=${n}`, (sq) => sq.nmMask(w, [n, m], { n: nk, m }));
    }
    const rows = (n % 5) + 1, cols = n + 1;
    const w = randF32(r, rows * cols * 2);
    for (const dim of [0, 1, 2]) for (const p of [1, 2, Infinity]) {
      allEqual(`structured dim=${dim} n=${p}`, (sq) => sq.structuredMask(w, [rows, cols, 2], { amount: 0.5, dim, n: p }));
    }
    for (const block of [[1, 1], [2, 2], [3, 4], [1, 16], [2, 8], [5, 12], [1, 3], [4, 2]]) for (const norm of [1, 2]) {
      allEqual(`block ${block} norm ${norm}`, (sq) => sq.blockMask(w, [rows, cols * 2], { block, amount: 0.4, norm }));
    }
    const g = randF32(r, w.length), h = randF32(r, w.length);
    allEqual('taylor', (sq) => sq.taylorScores(w, g));
    allEqual('obd', (sq) => sq.obdScores(w, h));
    const mask = ref.thresholdMask(w, 0.7);
    allEqual('apply', (sq) => sq.applyMask(w, mask));
    allEqual('pack', (sq) => sq.packMask(mask));
    allEqual('unpack', (sq) => sq.unpackMask(ref.packMask(mask), mask.length));
    for (const sq of [scalar, simd]) {
      assert.is(sq.sparsity(mask), ref.sparsity(mask));
      assert.is(sq.sparsity(sq.applyMask(w, mask)), ref.sparsity(ref.applyMask(w, mask)));
    }
  }
});

x('NaN and Inf: SIMD == scalar to the bit in every kernel', () => {
  const r = rng(SEED ^ 0x555);
  const w = randF32(r, 203);
  for (let i = 0; i < w.length; i += 7) w[i] = [NaN, Infinity, -Infinity, -0, -NaN][i % 5];
  const g = randF32(r, 203);
  const a = (fn) => assertBits(assert, fn(scalar), fn(simd), fn.toString());
  a((sq) => sq.magnitudeMask(w, { amount: 0.95 }));
  a((sq) => sq.nmMask(w.subarray(0, 200), [50, 4], { n: 2, m: 4 }));
  a((sq) => sq.nmMask(w.subarray(0, 200), [25, 8], { n: 3, m: 8 }));
  a((sq) => sq.nmMask(w.subarray(0, 192), [12, 16], { n: 5, m: 16 }));
  a((sq) => sq.taylorScores(w, g));
  a((sq) => sq.obdScores(w, g));
  a((sq) => sq.applyMask(w, sq.thresholdMask(w, 1)));
  a((sq) => sq.structuredMask(w.subarray(0, 200), [10, 20], { amount: 0.5, dim: 1, n: 1 }));
  a((sq) => sq.blockMask(w.subarray(0, 200), [10, 20], { block: [3, 3], amount: 0.5, norm: 2 }));
  for (const block of [[1, 1], [2, 2], [2, 4], [1, 8]]) {
    for (const norm of [1, 2]) a((sq) => sq.blockMask(w.subarray(0, 200), [5, 40], { block, amount: 0.5, norm }));
  }
});

// ---- bad input ----
const b = suite('prune: bad input');
for (const sq of [scalar, simd]) {
  b(`amount, count, shapes, dims, lengths [${sq.simd ? 'simd' : 'scalar'}]`, () => {
    const w = F([1, 2, 3, 4]);
    throwsLike(assert, () => sq.magnitudeMask(w, { amount: 1.5 }), RangeError, /^amount:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { amount: -0.1 }), RangeError, /^amount:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { amount: NaN }), RangeError, /^amount:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { amount: '0.5' }), TypeError, /^amount:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { count: -1 }), RangeError, /^count:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { count: 5 }), RangeError, /^count:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { count: 1.5 }), RangeError, /^count:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { count: 1, amount: 0.5 }), TypeError, /^sel:/);
    throwsLike(assert, () => sq.magnitudeMask(w, {}), TypeError, /^sel:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { count: 4 }, { prior: U([1, 1, 0, 1]) }), RangeError, /^count:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { count: 1 }, { prior: U([1, 1]) }), RangeError, /^prior:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { count: 1 }, { scores: F([1]) }), RangeError, /^scores:/);
    throwsLike(assert, () => sq.magnitudeMask([1, 2], { count: 1 }), TypeError, /^w:/);
    throwsLike(assert, () => sq.magnitudeMask(w, { count: 1 }, undefined, new Uint8Array(3)), RangeError, /^out:/);
    throwsLike(assert, () => sq.globalMagnitudeMask([w, F([1])], { count: 6 }), RangeError, /^count:/);
    throwsLike(assert, () => sq.globalMagnitudeMask([w, [1]], { count: 1 }), TypeError, /^ws\[1\]:/);
    throwsLike(assert, () => sq.globalMagnitudeMask([w], { count: 1 }, { prior: [] }), RangeError, /^prior:/);
    throwsLike(assert, () => sq.thresholdMask(w, NaN), RangeError, /^t:/);
    throwsLike(assert, () => sq.thresholdMask(w, '1'), TypeError, /^t:/);
    throwsLike(assert, () => sq.nmMask(F([1, 2, 3, 4, 5, 6]), [6], { n: 2, m: 4 }), RangeError, /^shape:/);
    throwsLike(assert, () => sq.nmMask(w, [2, 3], { n: 2, m: 4 }), RangeError, /^shape:/);
    throwsLike(assert, () => sq.nmMask(w, [4], { n: 5, m: 4 }), RangeError, /^n:/);
    throwsLike(assert, () => sq.nmMask(w, [4], { n: 1, m: 0 }), RangeError, /^m:/);
    throwsLike(assert, () => sq.structuredMask(w, [2, 2], { amount: 0.5, dim: 2, n: 1 }), RangeError, /^dim:/);
    throwsLike(assert, () => sq.structuredMask(w, [2, 2], { amount: 0.5, dim: 0, n: 3 }), RangeError, /^n:/);
    throwsLike(assert, () => sq.structuredMask(w, [4], { amount: 0.5, dim: 0, n: 1 }), RangeError, /^shape:/);
    throwsLike(assert, () => sq.structuredMask(w, [2, 3], { amount: 0.5, dim: 0, n: 1 }), RangeError, /^shape:/);
    throwsLike(assert, () => sq.structuredMask(w, [2, 2], { count: 3, dim: 0, n: 1 }), RangeError, /^count:/);
    throwsLike(assert, () => sq.blockMask(w, [2, 2], { block: [0, 1], amount: 0.5 }), RangeError, /^block\[0\]:/);
    throwsLike(assert, () => sq.blockMask(w, [2, 2], { block: 2, amount: 0.5 }), TypeError, /^block:/);
    throwsLike(assert, () => sq.blockMask(w, [2, 2], { block: [1, 1], amount: 0.5, norm: 3 }), RangeError, /^norm:/);
    throwsLike(assert, () => sq.blockMask(w, [2, 2], { block: [1, 1], count: 5 }), RangeError, /^count:/);
    throwsLike(assert, () => sq.randomMask(-1, { amount: 0.5 }), RangeError, /^n:/);
    throwsLike(assert, () => sq.randomMask(4, { amount: 0.5, seed: -1 }), RangeError, /^seed:/);
    throwsLike(assert, () => sq.randomMask(4, { count: 5 }), RangeError, /^count:/);
    throwsLike(assert, () => sq.taylorScores(w, F([1])), RangeError, /^g:/);
    throwsLike(assert, () => sq.obdScores(w, F([1])), RangeError, /^h:/);
    throwsLike(assert, () => sq.applyMask(w, U([1])), RangeError, /^mask:/);
    throwsLike(assert, () => sq.applyMask(w, F([1, 1, 1, 1])), TypeError, /^mask:/);
    throwsLike(assert, () => sq.sparsity([0]), TypeError, /^x:/);
    throwsLike(assert, () => sq.unpackMask(U([1, 2]), 17), RangeError, /^bits:/);
    throwsLike(assert, () => sq.unpackMask(U([1]), 1.5), RangeError, /^n:/);
  });
}

// ---- zero-copy paths and memory ----
const z = suite('prune: WasmArray in / out and memory');

z('WasmArray inputs and outputs give the same masks', () => {
  const r = rng(SEED ^ 0x777);
  for (const sq of [scalar, simd]) {
    const w = randF32(r, 1000);
    const ww = sq.wasmArray(w), mo = sq.alloc('u8', 1000), fo = sq.alloc('f32', 1000);
    const expect = ref.magnitudeMask(w, { amount: 0.6 });
    assert.is(sq.magnitudeMask(ww, { amount: 0.6 }, undefined, mo), mo);
    assertBits(assert, mo.toArray(), expect, 'magnitude resident');
    const pw = sq.wasmArray(expect);
    assertBits(assert, sq.magnitudeMask(ww, { amount: 0.5 }, { prior: pw, scores: ww }), ref.magnitudeMask(w, { amount: 0.5 }, { prior: expect }), 'prior resident');
    sq.thresholdMask(ww, 0.5, mo);
    assertBits(assert, mo.toArray(), ref.thresholdMask(w, 0.5), 'threshold resident');
    sq.nmMask(ww, [250, 4], { n: 2, m: 4 }, mo);
    assertBits(assert, mo.toArray(), ref.nmMask(w, [250, 4], { n: 2, m: 4 }), 'nm resident');
    sq.applyMask(ww, mo, fo);
    assertBits(assert, fo.toArray(), ref.applyMask(w, ref.nmMask(w, [250, 4], { n: 2, m: 4 })), 'apply resident');
    assert.is(sq.sparsity(fo), ref.sparsity(fo.toArray()));
    assertBits(assert, sq.globalMagnitudeMask([ww, w], { amount: 0.5 })[1], ref.globalMagnitudeMask([w, w], { amount: 0.5 })[1], 'global mixed');
    const out = new Uint8Array(1000);
    assert.is(sq.structuredMask(ww, [10, 100], { amount: 0.3, dim: 1, n: 2 }, out), out);
    assertBits(assert, out, ref.structuredMask(w, [10, 100], { amount: 0.3, dim: 1, n: 2 }), 'structured out');
    // a subarray at an odd byte offset is copied correctly
    const big = new Float32Array(1001); big.set(w, 1);
    assertBits(assert, sq.magnitudeMask(big.subarray(1), { amount: 0.6 }), expect, 'subarray input');
    ww.dispose(); mo.dispose(); fo.dispose(); pw.dispose();
    throwsLike(assert, () => sq.magnitudeMask(ww, { amount: 0.5 }), TypeError, /^w:.*disposed/);
  }
});

z('memory is stable over repeated calls (scratch is freed)', () => {
  const r = rng(SEED ^ 0x888);
  const w = randF32(r, 100000);
  for (const sq of [scalar, simd]) {
    const run = () => {
      sq.magnitudeMask(w, { amount: 0.5 });
      sq.globalMagnitudeMask([w, w], { amount: 0.3 });
      sq.randomMask(100000, { amount: 0.5 });
      sq.structuredMask(w, [100, 1000], { amount: 0.5, dim: 0, n: 2 });
      sq.blockMask(w, [100, 1000], { block: [4, 4], amount: 0.5 });
      sq.nmMask(w, [25000, 4], { n: 2, m: 4 });
    };
    run();
    const before = sq.memoryBytes;
    for (let i = 0; i < 20; i++) run();
    assert.is(sq.memoryBytes, before);
  }
});

// ---- the schedule ----
const s = suite('prune: sparsitySchedule (Zhu & Gupta 2017)');
s('cubic ramp from initial to final, held between pruning steps', () => {
  const o = { initial: 0, final: 0.8, begin: 100, end: 1100, frequency: 100 };
  assert.is(sparsitySchedule(0, o), 0);
  assert.is(sparsitySchedule(100, o), 0);
  assert.is(sparsitySchedule(199, o), 0);
  const close = (a, b) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(sparsitySchedule(200, o), 0.8 - 0.8 * 0.9 ** 3);
  close(sparsitySchedule(299, o), 0.8 - 0.8 * 0.9 ** 3);
  close(sparsitySchedule(650, o), 0.7);
  assert.is(sparsitySchedule(1100, o), 0.8);
  assert.is(sparsitySchedule(5000, o), 0.8);
  assert.is(sparsitySchedule(50, { final: 0.5, end: 100 }), 0.5 - 0.5 * 0.125);
  assert.is(sparsitySchedule(7, { initial: 0.2, final: 0.2, end: 10 }), 0.2);
  assert.is(sparsitySchedule(3, { final: 0.9, begin: 3, end: 3 }), 0.9);
  // monotone
  let prev = -1;
  for (let t = 0; t < 1200; t += 13) {
    const v = sparsitySchedule(t, o);
    assert.ok(v >= prev);
    prev = v;
  }
  throwsLike(assert, () => sparsitySchedule(-1, o), RangeError, /^step:/);
  throwsLike(assert, () => sparsitySchedule(1, { ...o, final: 1.2 }), RangeError, /^final:/);
  throwsLike(assert, () => sparsitySchedule(1, { ...o, end: 50 }), RangeError, /^end:/);
  throwsLike(assert, () => sparsitySchedule(1, { ...o, frequency: 0 }), RangeError, /^frequency:/);
  throwsLike(assert, () => sparsitySchedule(1, { final: 0.5 }), TypeError, /^end:/);
});

x.run();
b.run();
z.run();
s.run();
