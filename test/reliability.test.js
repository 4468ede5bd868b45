// Regression tests for wrong answers found by an adversarial run: zero-column N:M products, views
// of sparq's own memory passed as ordinary typed arrays, `out` overlapping an input, inputs read
// twice, the per-block allocation limit, ranges a scale cannot represent, and smaller API edges.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from 'sparq';
import { ref } from 'sparq/ref';
import { assertBits, rng, randF32, throwsLike } from './_util.js';

const other = await init();
const builds = [
  { name: 'simd', sq: await init({ simd: true }) },
  { name: 'scalar', sq: await init({ simd: false }) },
];

/** Fill freed heap memory with junk: allocate a large array, write a pattern, dispose it. */
function dirty(sq, bytes = 1 << 20) {
  const j = sq.alloc('u8', bytes);
  const v = j.view;
  for (let i = 0; i < v.length; i++) v[i] = (i * 31 + 7) & 0xff;
  j.dispose();
}

/** Grow memory by allocating and freeing a block large enough to need new pages. */
function grow(sq) {
  const before = sq.memoryBytes;
  const big = sq.alloc('u8', before + (1 << 20));
  big.dispose();
  assert.ok(sq.memoryBytes > before, 'memory grew');
}

for (const { name, sq } of builds) {
  const t = suite(`reliability [${name}]`);

  t('an N:M matrix with 0 columns gives zero products (spmm, sparseLinear, spmv; typed and WasmArray out)', () => {
    for (const rows of [1, 4, 33]) {
      dirty(sq);
      const A = sq.nmMatrix(new Float32Array(0), rows, 0, { n: 2, m: 4 });
      assert.equal(Array.from(sq.spmm(A, new Float32Array(0), 3)), new Array(rows * 3).fill(0));
      assert.equal(Array.from(sq.spmv(A, new Float32Array(0))), new Array(rows).fill(0));
      assert.equal(Array.from(sq.sparseLinear(new Float32Array(0), 2, A)), new Array(2 * rows).fill(0));
      assert.equal(Array.from(sq.sparseLinear(new Float32Array(0), 1, A, new Float32Array(rows).fill(1.5))), new Array(rows).fill(1.5));
      const o = sq.alloc('f32', rows * 3);
      o.view.fill(7);
      sq.spmm(A, new Float32Array(0), 3, o);
      assert.equal(Array.from(o.view), new Array(rows * 3).fill(0));
      o.dispose();
      A.dispose();
    }
    // BSR and CSR with 0 columns for comparison
    const B = sq.bsrMatrix(new Float32Array(0), 4, 0, { block: [2, 1] });
    assert.equal(Array.from(sq.spmm(B, new Float32Array(0), 2)), new Array(8).fill(0));
    B.dispose();
  });

  t('views of sparq memory passed as typed arrays: copied before any allocation, same results', () => {
    const r = rng(11);
    // spmv with a CSR whose arrays are views of Wasm memory
    const dense = randF32(r, 64 * 40).map((v, i) => (i % 3 === 0 ? v : 0));
    const c = sq.csrFromDense(dense, 64, 40);
    const x = randF32(r, 40);
    const want = sq.spmv(c, x);
    const ind = sq.wasmArray(c.indices), ptr = sq.wasmArray(c.indptr), dat = sq.wasmArray(c.data), xw = sq.wasmArray(x);
    grow(sq);
    const got = sq.spmv({ rows: 64, cols: 40, indptr: ptr.view, indices: ind.view, data: dat.view }, xw.view);
    assertBits(assert, got, want, 'spmv with views');
    // quantize with a per-axis scale that is a view of memory, on an input large enough to grow memory
    const n = 1 << 18, ch = 256;
    const xs = randF32(r, n);
    const sc = new Float32Array(ch).map((_, i) => 0.01 + i * 1e-4);
    const scw = sq.wasmArray(sc);
    const p = { dtype: 'int8', scale: scw.view, zeroPoint: new Int32Array(ch), axis: 1, shape: [n / ch, ch] };
    const qWant = ref.quantize(xs, { ...p, scale: sc });
    const qGot = sq.quantize(xs, p);
    assertBits(assert, qGot, qWant, 'quantize with a view scale');
    // taylorScores and applyMask with both inputs views
    const w = sq.wasmArray(randF32(r, 4096)), g = sq.wasmArray(randF32(r, 4096));
    const ts = sq.taylorScores(w.view, g.view);
    assert.is(ts.length, 4096);
    assertBits(assert, ts, ref.taylorScores(w.toArray(), g.toArray()), 'taylorScores');
    const m = sq.wasmArray(new Uint8Array(4096).map((_, i) => i & 1));
    assertBits(assert, sq.applyMask(w.view, m.view), ref.applyMask(w.toArray(), m.toArray()), 'applyMask');
    for (const h of [ind, ptr, dat, xw, scw, w, g, m]) h.dispose();
  });

  t('a view detached by an earlier memory growth is a TypeError, not an empty input', () => {
    const w = sq.wasmArray(new Float32Array([1, -2, 3, -4]));
    const stale = w.view;
    grow(sq);
    throwsLike(assert, () => sq.taylorScores(stale, new Float32Array(4)), TypeError, /^w: .*detached/);
    throwsLike(assert, () => sq.quantize(new Float32Array(4), { dtype: 'int8', scale: 1 }, stale), TypeError, /^out: .*detached/);
    w.dispose();
  });

  t('an out that views sparq memory receives the result at its bytes', () => {
    const w = sq.alloc('f32', 1000);
    const x = randF32(rng(3), 1000);
    const res = sq.applyMask(x, new Uint8Array(1000).fill(1), w.view);
    assertBits(assert, w.view, x, 'written to the WasmArray bytes');
    assertBits(assert, res, x, 'returned view');
    w.dispose();
  });

  t('a Proxy posing as a typed array is a TypeError naming the field', () => {
    const c = sq.csrFromDense(new Float32Array([1, 0, 0, 2]), 2, 2);
    let reads = 0;
    const sly = new Proxy(c.indices, { get: (o, k) => (k === '0' && reads++ > 0 ? 99999 : Reflect.get(o, k)) });
    throwsLike(assert, () => sq.spmv({ ...c, indices: sly }, new Float32Array(2)), TypeError, /^a\.indices: /);
    throwsLike(assert, () => sq.sparseMatrix({ ...c, indices: sly }), TypeError, /^a\.indices: /);
  });

  t('the allocation limit: a RangeError naming it; a failed call frees its scratch', () => {
    throwsLike(assert, () => sq.alloc('f32', 2 ** 28), RangeError, /at most 1073741808 bytes/);
    const live = sq.rt.liveBlocks;
    const mem = sq.memoryBytes;
    for (let i = 0; i < 5; i++) {
      throwsLike(assert, () => sq.unpackMask(new Uint8Array(16), 129), RangeError, /^bits: /);
      throwsLike(assert, () => sq.spmv({ rows: 1, cols: 2, indptr: new Int32Array([0, 1]), indices: new Int32Array([5]), data: new Float32Array(1) }, new Float32Array(2)), RangeError, /^a\.indices/);
      throwsLike(assert, () => sq.matmul(new Float32Array(6), new Float32Array(5), 2, 3, 2), RangeError, /^b: /);
    }
    assert.is(sq.rt.liveBlocks, live, 'no block left allocated');
    assert.is(sq.memoryBytes, mem, 'memory did not grow');
  });

  t('ranges a scale cannot represent are RangeErrors naming the range', () => {
    throwsLike(assert, () => sq.dynamicQuantize(new Float32Array([3.4e38, -3.4e38, 1])), RangeError, /^x: .*range/);
    throwsLike(assert, () => sq.qparams(new Float32Array([3.4e38, -3.4e38]), { dtype: 'int8' }), RangeError, /^x: .*range/);
    // tiny ranges: a scale sparq's own functions accept, and they round-trip
    const tiny = new Float32Array([1e-45, -1e-45, 0]);
    const d = sq.dynamicQuantize(tiny);
    assert.ok(d.scale > 0 && Number.isFinite(d.scale), `scale ${d.scale}`);
    const back = sq.dequantize(d.data, { dtype: 'uint8', scale: d.scale, zeroPoint: d.zeroPoint });
    assert.is(back.length, 3);
    const p = sq.qparams(tiny, { dtype: 'int8' });
    assert.ok(sq.quantize(tiny, p).length === 3);
  });

  t('smaller API edges', () => {
    const wa = other.wasmArray(new Float32Array([1, 2, 3, 4]));
    throwsLike(assert, () => sq.magnitudeMask(new Float32Array(4), 1, { scores: wa }), TypeError, /another sparq instance/);
    throwsLike(assert, () => sq.csrFromDense(wa, 2, 2), TypeError, /another sparq instance/);
    throwsLike(assert, () => sq.nmMatrix(wa, 1, 4, { n: 2, m: 4 }), TypeError, /another sparq instance/);
    throwsLike(assert, () => sq.bsrMatrix(wa, 2, 2, { block: [1, 1] }), TypeError, /another sparq instance/);
    throwsLike(assert, () => sq.globalMagnitudeMask([new Float32Array(4)], 1, { scores: [wa] }), TypeError, /another sparq instance/);
    wa.dispose();
    const A = sq.sparseMatrix(sq.csrFromDense(new Float32Array([1, 0, 0, 2]), 2, 2));
    assert.equal(Array.from(sq.sparseLinear(new Float32Array([1, 1]), 1, A, null)), [1, 2]);
    A.dispose();
    const arr = sq.alloc('f32', 4);
    throwsLike(assert, () => arr.set(null), TypeError, /^src: /);
    throwsLike(assert, () => arr.set('abcd'), TypeError, /^src: /);
    throwsLike(assert, () => arr.set([1, 'a', 3, 4]), TypeError, /^src\[1\]: /);
    arr.set([1, 2, 3, 4]);
    assert.equal(Array.from(arr.view), [1, 2, 3, 4]);
    arr.dispose();
    const mem = sq.memoryBytes;
    assert.equal(sq.structuredMask(new Float32Array(0), [0, 2 ** 31 - 1], { amount: 0.5, dim: 1, n: 2 }).length, 0);
    assert.ok(sq.memoryBytes - mem < 1 << 20, 'no large allocation for an empty tensor');
  });

  t.run();
}

{
  const t = suite('reliability: the entry guard');
  t('every method that takes arguments goes through the entry guard (a method added without a PARAMS entry fails here)', () => {
    const proto = Object.getPrototypeOf(builds[0].sq);
    const unguarded = Object.getOwnPropertyNames(proto).filter((m) => {
      const d = Object.getOwnPropertyDescriptor(proto, m);
      // the guard's wrapper takes ...args (length 0); alloc takes a dtype and a length only
      return typeof d.value === 'function' && d.value.length > 0 && m !== 'constructor' && m !== 'alloc';
    });
    assert.equal(unguarded, []);
  });
  t.run();
}

{
  const t = suite('reliability: init');
  t('init({ bytes: garbage }) is a TypeError', async () => {
    let err;
    try {
      await init({ bytes: new Uint8Array([1, 2, 3, 4]) });
    } catch (e) {
      err = e;
    }
    assert.instance(err, TypeError);
    assert.match(err.message, /^options\.bytes: /);
  });
  t.run();
}
