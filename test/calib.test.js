// Calibration family: PyTorch 1.13 fixtures (minmax, moving average, per channel, histogram with
// its state after every update) and ONNX Runtime calibrator fixtures (percentile, entropy: numpy 2 /
// scipy) for every implementation [ref, scalar, simd]; cross-build bit identity on seeded cases
// (typed arrays and Wasm-resident batches, tile-edge lengths, values on bin edges); bad input; the
// streaming promise (1000 batches of 64K floats hold Wasm memory and the JS heap flat).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { IMPLS, simd, scalar, rng, randF32, throwsLike, EDGE_LENGTHS, SEED } from './_util.js';
import { ref } from 'sparq/ref';

const torchFx = JSON.parse(readFileSync(new URL('./fixtures/calib-torch.json', import.meta.url), 'utf8'));
const ortFx = JSON.parse(readFileSync(new URL('./fixtures/calib-ort.json', import.meta.url), 'utf8'));

function f32(s) {
  const bin = atob(s);
  const u = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
  return new Float32Array(u.buffer);
}

/** The fixtures' compact check of a histogram: sum of (i + 1) * a[i] in float64, in order. */
function weighted(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * (i + 1);
  return s;
}

const list = (v) => (typeof v === 'number' ? [v] : Array.from(v));

for (const { name, sq } of IMPLS) {
  const t = suite(`calib [${name}]`);

  t('PyTorch 1.13 minmax / moving-average / per-channel observers: min, max, scale and zero point to the bit', () => {
    let n = 0;
    for (const c of torchFx.cases.filter((c) => c.kind !== 'histogram')) {
      const o = sq.observer(c.kind, c.opts);
      c.batches.forEach((b, i) => {
        o.update(f32(b));
        if (c.states) {
          const r = o.range();
          assert.equal([r.min, r.max], c.states[i], `${c.kind} ${JSON.stringify(c.opts)} after update ${i}`);
        }
      });
      const r = o.range();
      if (c.min !== undefined) assert.equal([list(r.min), list(r.max)], [list(c.min), list(c.max)], `${c.kind} ${JSON.stringify(c.opts)} range`);
      const p = o.qparams();
      assert.equal([list(p.scale), list(p.zeroPoint)], [list(c.scale), list(c.zeroPoint)], `${c.kind} ${JSON.stringify(c.opts)} qparams`);
      assert.is(p.rounding, 'torch');
      o.dispose();
      n++;
    }
    assert.ok(n >= 30, `${n} cases`);
  });

  t('PyTorch 1.13 HistogramObserver: the histogram after every update, the searched range and the qparams to the bit', () => {
    for (const c of torchFx.cases.filter((c) => c.kind === 'histogram')) {
      const o = sq.observer('histogram', c.opts);
      c.batches.forEach((b, i) => {
        o.update(f32(b));
        const st = o._core.th;
        const want = c.states[i];
        assert.equal([st.min, st.max], [want.min, want.max], `${c.name}: min / max after update ${i}`);
        assert.is(weighted(st.hist), want.hist, `${c.name}: histogram after update ${i}`);
      });
      const r = o.range();
      assert.equal([r.min, r.max], c.searched, `${c.name}: _non_linear_param_search`);
      const p = o.qparams();
      assert.equal([p.scale, p.zeroPoint], [c.scale, c.zeroPoint], `${c.name}: qparams`);
      o.dispose();
    }
  });

  t('ONNX Runtime percentile / entropy calibrators: thresholds, histogram and compute_scale_zp', () => {
    let n = 0;
    for (const c of ortFx.cases) {
      // every dtype / range variant on the SIMD build; the first one on the others (same histogram)
      const variants = Object.entries(c.params).slice(0, name === 'simd' ? 4 : 1);
      for (const [key, [scale, zp]] of variants) {
        const opts = { ...c.opts, dtype: key.startsWith('int8') ? 'int8' : 'uint8' };
        if (key.includes('reduceRange')) opts.reduceRange = true;
        const o = sq.observer(c.kind, opts);
        for (const b of ortFx.series[c.series]) o.update(f32(b));
        const what = `${c.series} ${c.kind} ${JSON.stringify(opts)}`;
        const h = o._core.ort ?? o._core.abs;
        assert.is(h.hist.length, c.bins, `${what}: bins`);
        assert.is(weighted(h.hist), c.counts, `${what}: counts`);
        assert.is(weighted(h.edges), c.edges, `${what}: edges`);
        const r = o.range();
        assert.equal([r.min, r.max], c.range, `${what}: thresholds`);
        const p = o.qparams();
        assert.equal([p.scale, p.zeroPoint, p.rounding], [scale, zp, 'onnx'], `${what}: compute_scale_zp`);
        o.dispose();
        n++;
      }
    }
    assert.ok(n >= (name === 'simd' ? 150 : 40), `${n} cases`);
  });

  t('mse: a grid point, the least error on the grid, ties to the narrower range', () => {
    // all mass at -1 and +1 on a 64-bin histogram: several grid ranges quantize the two bin centres
    // without error; the first of them (the narrowest) wins
    const x = new Float32Array(64).map((_, i) => (i % 2 ? 1 : -1));
    const o = sq.observer('mse', { dtype: 'int8', symmetric: true, bins: 64, steps: 10 });
    o.update(x);
    const r = o.range();
    const k = (r.max * 10) / 1;
    assert.ok(Math.abs(k - Math.round(k)) < 1e-5 && r.max > 0 && r.max <= 1, `max ${r.max} is a grid point`);
    // a wide uniform bulk with rare far outliers: clipping them costs less than the coarser step
    const y = new Float32Array(20000).map((_, i) => Math.fround(((i * 7919) % 20000) / 10000 - 1));
    y[0] = 60; y[1] = -60;
    const m = sq.observer('mse', { dtype: 'uint8' });
    m.update(y);
    const rr = m.range();
    assert.ok(rr.max < 60 && rr.min > -60, `mse range [${rr.min}, ${rr.max}]`);
    assert.is(m.qparams().rounding, 'torch');
  });

  t('empty batches change nothing; qparams before any value is a RangeError', () => {
    const o = sq.observer('histogram', { dtype: 'uint8' });
    o.update(new Float32Array(0));
    throwsLike(assert, () => o.qparams(), RangeError, /has not seen any value/);
    o.update(new Float32Array([1, 2, 3]));
    assert.is(o.count, 3);
  });

  t('a batch with NaN or Infinity is a RangeError and leaves the state unchanged', () => {
    for (const kind of ['minmax', 'moving-average-minmax', 'histogram', 'percentile', 'entropy', 'mse']) {
      const o = sq.observer(kind, { dtype: 'int8' });
      o.update(new Float32Array([-1, 0.5, 2]));
      const before = JSON.stringify(o.qparams());
      throwsLike(assert, () => o.update(new Float32Array([0, NaN, 1])), RangeError, /x: .*NaN/);
      throwsLike(assert, () => o.update(new Float32Array([0, Infinity])), RangeError, /x: .*Infinity/);
      assert.is(JSON.stringify(o.qparams()), before, kind);
      assert.is(o.count, 3);
    }
  });

  t.run();
}

// ---- the builds against each other and the reference, on seeded batches -----------------------

function runAll(sq, kind, opts, batches, resident) {
  const o = sq.observer(kind, opts);
  for (const b of batches) {
    if (resident && sq !== ref) {
      const w = sq.wasmArray(b);
      o.update(w);
      w.dispose();
    } else o.update(b);
  }
  const out = { range: o.range(), p: o.qparams(), count: o.count };
  o.dispose();
  return JSON.stringify(out, (k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v));
}

const x = suite('calib: ref == scalar == simd');
const KINDS = [
  ['minmax', {}], ['moving-average-minmax', { averagingConstant: 0.25 }], ['histogram', {}], ['histogram', { bins: 64, upsampleRate: 4 }],
  ['percentile', {}], ['percentile', { symmetric: true }], ['percentile', { symmetric: true, bins: 100, percentile: 90 }],
  ['entropy', {}], ['entropy', { bins: 300, quantizedBins: 32 }], ['mse', {}], ['mse', { symmetric: true, bins: 256, steps: 37 }],
];
x('seeded batches of tile-edge lengths with growing, shrinking and shifted ranges', () => {
  const r = rng(SEED ^ 0xca1b);
  for (const [kind, extra] of KINDS) {
    for (const dtype of ['int8', 'uint8']) {
      const batches = EDGE_LENGTHS.filter((n) => n > 0).map((n, i) => randF32(r, n, 0.5 + (i % 5)).map((v) => v + (i % 3) - 1));
      const opts = { dtype, ...extra };
      const want = runAll(ref, kind, opts, batches, false);
      assert.is(runAll(scalar, kind, opts, batches, false), want, `${kind} ${JSON.stringify(opts)} scalar`);
      assert.is(runAll(simd, kind, opts, batches, false), want, `${kind} ${JSON.stringify(opts)} simd`);
      assert.is(runAll(simd, kind, opts, batches, true), want, `${kind} ${JSON.stringify(opts)} simd resident`);
    }
  }
});
x('values exactly on bin edges, on the range ends, -0 and subnormals', () => {
  const lin = new Float32Array(4097).map((_, i) => Math.fround(-8 + i / 256));
  const special = new Float32Array([-0, 0, 1e-45, -1e-45, 1e-38, -8, 8, 7.99999952, -7.99999952]);
  const batches = [lin, special, lin.map((v) => v * 3), lin.map((v) => v * 0.25), special];
  for (const [kind, extra] of KINDS) {
    const opts = { dtype: 'int8', ...extra };
    const want = runAll(ref, kind, opts, batches, false);
    assert.is(runAll(scalar, kind, opts, batches, true), want, `${kind} scalar`);
    assert.is(runAll(simd, kind, opts, batches, true), want, `${kind} simd`);
  }
});
x('per channel: every axis, typed and resident batches', () => {
  const r = rng(SEED ^ 0x77);
  for (const [shape, axis] of [[[5, 3, 7], 0], [[5, 3, 7], 1], [[5, 3, 7], -1], [[17], 0], [[2, 33], 1]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const batches = [randF32(r, n), randF32(r, n, 3), randF32(r, n, 0.1)];
    for (const symmetric of [false, true]) {
      const opts = { dtype: 'int8', shape, axis, symmetric };
      const want = runAll(ref, 'per-channel-minmax', opts, batches, false);
      assert.is(runAll(scalar, 'per-channel-minmax', opts, batches, true), want);
      assert.is(runAll(simd, 'per-channel-minmax', opts, batches, false), want);
      assert.is(runAll(simd, 'per-channel-minmax', opts, batches, true), want);
    }
  }
});
x.run();

// ---- arguments -------------------------------------------------------------------------------

const e = suite('calib: bad input');
e('kinds, options and batches are checked, naming the argument', () => {
  throwsLike(assert, () => simd.observer('kl', { dtype: 'int8' }), TypeError, /^kind: expected 'minmax' or/);
  throwsLike(assert, () => simd.observer('minmax'), TypeError, /^opts: expected an options object/);
  throwsLike(assert, () => simd.observer('minmax', { dtype: 'int4' }), TypeError, /^opts\.dtype/);
  throwsLike(assert, () => simd.observer('minmax', { dtype: 'int8', bins: 10 }), TypeError, /^opts\.bins: only 'histogram', 'percentile', 'entropy', 'mse' take it, not 'minmax'/);
  throwsLike(assert, () => simd.observer('minmax', { dtype: 'int8', foo: 1 }), TypeError, /^opts\.foo: not an observer option/);
  throwsLike(assert, () => simd.observer('percentile', { dtype: 'int8', percentile: 101 }), RangeError, /^opts\.percentile: expected a number in \[0, 100\]/);
  throwsLike(assert, () => simd.observer('moving-average-minmax', { dtype: 'int8', averagingConstant: '0.1' }), TypeError, /^opts\.averagingConstant/);
  throwsLike(assert, () => simd.observer('histogram', { dtype: 'int8', bins: 4 }), RangeError, /^opts\.bins: expected an integer in \[8,/);
  throwsLike(assert, () => simd.observer('entropy', { dtype: 'int8', bins: 64, quantizedBins: 128 }), RangeError, /^opts\.quantizedBins/);
  throwsLike(assert, () => simd.observer('per-channel-minmax', { dtype: 'int8', shape: [2, 3] }), TypeError, /^opts\.axis: required/);
  throwsLike(assert, () => simd.observer('per-channel-minmax', { dtype: 'int8', shape: [2, 3], axis: 2 }), RangeError, /^opts\.axis/);
  throwsLike(assert, () => simd.observer('entropy', { dtype: 'int8', quantMin: -10, quantMax: 10 }), TypeError, /^opts\.quantMin/);
  throwsLike(assert, () => simd.observer('minmax', { dtype: 'int8', symmetric: 1 }), TypeError, /^opts\.symmetric: expected a boolean/);
  const o = simd.observer('minmax', { dtype: 'uint8', shape: [2, 2] });
  throwsLike(assert, () => o.update(new Int8Array(4)), TypeError, /^x: expected Float32Array or WasmArray<f32>, got Int8Array/);
  throwsLike(assert, () => o.update(new Float32Array(5)), RangeError, /^x: expected 4 elements/);
  const w = simd.alloc('i32', 4);
  throwsLike(assert, () => o.update(w), TypeError, /WasmArray<i32>/);
  const other = scalar.alloc('f32', 4);
  throwsLike(assert, () => o.update(other), TypeError, /another sparq instance/);
  o.dispose();
  throwsLike(assert, () => o.update(new Float32Array(4)), TypeError, /disposed/);
  assert.is(o.bytes, 0);
  w.dispose();
  other.dispose();
});
e('a Float32Array that views sparq\'s own memory is read before anything is allocated', () => {
  const w = simd.wasmArray(new Float32Array([1, -2, 3, 0.5]));
  const o = simd.observer('entropy', { dtype: 'int8', bins: 8, quantizedBins: 4 });
  o.update(w.view);
  const o2 = simd.observer('entropy', { dtype: 'int8', bins: 8, quantizedBins: 4 });
  o2.update(new Float32Array([1, -2, 3, 0.5]));
  assert.equal(o.qparams(), o2.qparams());
  for (const a of [w, o, o2]) a.dispose();
});
e.run();

// ---- streaming ---------------------------------------------------------------------------------

const heapUsed = () => (typeof process !== 'undefined' && process.memoryUsage ? process.memoryUsage().heapUsed
  : globalThis.Deno ? Deno.memoryUsage().heapUsed : 0);

const s = suite('calib: streaming');
s('1000 batches of 64K floats: Wasm memory and the JS heap stay flat', () => {
  const r = rng(SEED ^ 0x5a);
  const batches = Array.from({ length: 8 }, (_, i) => randF32(r, 65536, 1 + i / 4));
  for (const [kind, opts] of [['minmax', {}], ['histogram', {}], ['entropy', {}]]) {
    const o = simd.observer(kind, { dtype: 'uint8', ...opts });
    const resident = batches.map((b) => simd.wasmArray(b));
    let mem0 = 0, heap0 = 0;
    for (let i = 0; i < 1000; i++) {
      o.update(i % 2 ? batches[i % 8] : resident[i % 8]);
      if (i === 99) { mem0 = simd.memoryBytes; heap0 = heapUsed(); }
    }
    assert.is(simd.memoryBytes, mem0, `${kind}: Wasm memory grew after 100 batches`);
    assert.ok(heapUsed() - heap0 < 16 << 20, `${kind}: JS heap grew by ${((heapUsed() - heap0) / 1048576).toFixed(1)} MiB`);
    assert.is(o.count, 65536000);
    o.qparams();
    o.dispose();
    for (const w of resident) w.dispose();
  }
});
s.run();
