// Threads: init({ threads }) in this runtime (Node, Deno and Bun all run worker threads), the same
// bits as one thread for the whole golden battery at 2 and 3 threads, faults, and cleanup.
// (Chromium has its own page, test/runtimes/browser/threads-page.js: its renderer crashes on a
// Wasm out-of-bounds trap, which the fault test below provokes on purpose.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { availableParallelism } from 'node:os';
import { init } from 'sparq';
import { poolOf } from '../dist/runtime/threads.js';
import { runBattery } from './golden/index.js';
import expected from './golden/hashes.js';
import { bitsEqual, rng, randF32 } from './_util.js';

const t = suite('threads');

t('options.threads: a whole number from 1 to 256 or "auto"; 1 by default', async () => {
  const sq = await init();
  assert.is(sq.threads, 1);
  assert.is(sq.threadsUnavailable, undefined);
  const one = await init({ threads: 1 });
  assert.is(one.threads, 1);
  assert.is(poolOf(one.rt), undefined);
  for (const bad of [0, -1, 1.5, 257, NaN]) {
    try {
      await init({ threads: bad });
      assert.unreachable(`threads: ${bad}`);
    } catch (e) {
      assert.instance(e, RangeError);
      assert.match(e.message, /options\.threads/);
    }
  }
  for (const bad of ['2', null, true]) {
    try {
      await init({ threads: bad });
      assert.unreachable(`threads: ${bad}`);
    } catch (e) {
      assert.instance(e, TypeError);
      assert.match(e.message, /options\.threads/);
    }
  }
  const auto = await init({ threads: 'auto' });
  assert.is(auto.threads, availableParallelism());
  await auto.close();
});

t('threads that cannot run give one thread and the reason, never an error', async () => {
  const a = await init({ threads: 2, simd: false });
  assert.is(a.threads, 1);
  assert.is(a.simd, false);
  assert.match(a.threadsUnavailable, /scalar build/);
  const b = await init({ threads: 2, relaxed: true }).catch((e) => e);
  // relaxed: true is a TypeError only where the relaxed build does not run (Node 20)
  if (b instanceof Error) assert.match(b.message, /options\.relaxed/);
  else assert.match(b.threadsUnavailable, /relaxed/);
});

for (const n of [2, 3]) {
  t(`${n} threads: every golden case gives the one-thread hash, with every call split`, async () => {
    const sq = await init({ threads: n });
    assert.is(sq.threads, n);
    assert.is(sq.threadsUnavailable, undefined);
    const pool = poolOf(sq.rt);
    pool.thresholdScale = 0;
    const got = runBattery(sq);
    const wrong = Object.keys(expected).filter((k) => got[k] !== expected[k]).map((k) => `${k}: ${got[k]} != ${expected[k]}`);
    assert.equal(wrong, []);
    assert.ok(pool.partsRun > 100, `only ${pool.partsRun} parts ran`);
    assert.ok(pool.workerParts > 0, 'no part ran on a worker');
    assert.is(pool.callerParts + pool.workerParts, pool.partsRun, 'every posted part ran exactly once');
    await sq.close();
  });
}

t('large calls split, small calls stay on the calling thread; the bits do not change', async () => {
  const one = await init();
  const sq = await init({ threads: 2 });
  const pool = poolOf(sq.rt);
  const r = rng(71);
  const small = randF32(r, 1024, 3);
  const p = { scale: 0.02, zeroPoint: -3, dtype: 'int8' };
  let before = pool.partsRun;
  assert.ok(bitsEqual(sq.quantize(small, p), one.quantize(small, p)));
  assert.is(pool.partsRun, before, 'a 1 K-element quantize was split');
  const big = sq.wasmArray(randF32(r, 1 << 20, 3));
  const q = sq.quantize(big, p);
  assert.ok(pool.partsRun > before, 'a 1 M-element quantize was not split');
  assert.ok(bitsEqual(q, one.quantize(big.toArray(), p)));
  before = pool.partsRun;
  const y = sq.dequantize(sq.wasmArray(q), p);
  assert.ok(pool.partsRun > before);
  assert.ok(bitsEqual(y, one.dequantize(q, p)));
  // per-channel parameters along an axis: parts of whole channels
  const pc = { scale: new Float32Array(64).map((_, i) => 0.01 + i / 1000), zeroPoint: new Int32Array(64).map((_, i) => (i % 7) - 3), axis: 0, shape: [64, 16384], dtype: 'int8' };
  before = pool.partsRun;
  assert.ok(bitsEqual(sq.quantize(big, pc), one.quantize(big.toArray(), pc)));
  assert.ok(pool.partsRun > before);
  // the reductions: dynamicQuantize's range pass, magnitudeMask's selection (sampled, and the
  // histogram select that a prior mask takes), joined in part order
  before = pool.partsRun;
  const dq = sq.dynamicQuantize(big), dq1 = one.dynamicQuantize(big.toArray());
  assert.equal([dq.scale, dq.zeroPoint], [dq1.scale, dq1.zeroPoint]);
  assert.ok(bitsEqual(dq.data, dq1.data));
  assert.ok(pool.partsRun > before, 'dynamicQuantize was not split');
  const withNaN = big.toArray();
  withNaN[777777] = NaN;
  assert.throws(() => sq.dynamicQuantize(withNaN), (e) => e instanceof RangeError && /NaN/.test(e.message));
  for (const amount of [0.1, 0.5, 0.93]) {
    before = pool.partsRun;
    assert.ok(bitsEqual(sq.magnitudeMask(big, { amount }), one.magnitudeMask(big.toArray(), { amount })), `amount ${amount}`);
    assert.ok(pool.partsRun > before, 'magnitudeMask was not split');
  }
  const prior = new Uint8Array(1 << 20).map((_, i) => (i % 3 ? 1 : 0));
  before = pool.partsRun;
  assert.ok(bitsEqual(sq.magnitudeMask(big, { amount: 0.4 }, { prior }), one.magnitudeMask(big.toArray(), { amount: 0.4 }, { prior })));
  assert.ok(pool.partsRun > before);
  // ties everywhere: the order of the gathered candidates decides which equal keys are pruned
  const ties = new Float32Array(1 << 20).map((_, i) => (i % 5) * 0.25);
  assert.ok(bitsEqual(sq.magnitudeMask(ties, { amount: 0.5 }), one.magnitudeMask(ties, { amount: 0.5 })));
  assert.ok(bitsEqual(sq.magnitudeMask(ties, { count: 300001 }, { prior }), one.magnitudeMask(ties, { count: 300001 }, { prior })));
  const m = 37, k = 300, n = 250;
  const a = randF32(r, m * k), b = randF32(r, k * n);
  before = pool.partsRun;
  assert.ok(bitsEqual(sq.matmul(sq.wasmArray(a), sq.wasmArray(b), m, k, n), one.matmul(a, b, m, k, n)));
  assert.ok(pool.partsRun > before);
  const a8 = new Int8Array(m * 4 * k).map(() => (r.next() * 256) - 128), b8 = new Int8Array(k * 2 * n).map(() => (r.next() * 256) - 128);
  before = pool.partsRun;
  assert.ok(bitsEqual(sq.matmulInteger(a8, b8, m * 4, k, 2 * n), one.matmulInteger(a8, b8, m * 4, k, 2 * n)));
  assert.ok(pool.partsRun > before);
  // quantizedLinear: the rows' dynamic quantization, the int8 product and the dequantization in parts
  const xb = randF32(r, 64 * 512, 2), wf = randF32(r, 512 * 384, 0.1), bias = randF32(r, 384);
  const w1 = one.packedInt8(wf, 512, 384), w2 = sq.packedInt8(wf, 512, 384);
  before = pool.partsRun;
  pool.thresholdScale = 0; // these sizes are below the thresholds of the row passes
  assert.ok(bitsEqual(sq.quantizedLinear(xb, 64, w2, bias), one.quantizedLinear(xb, 64, w1, bias)));
  pool.thresholdScale = 1;
  assert.ok(pool.partsRun >= before + 6, `quantizedLinear ran ${pool.partsRun - before} parts`);
  await sq.close();
});

t('a worker late for one call never claims a part of the next: every part runs once, the bits stay', async () => {
  // quantizedLinear 9 x 16 x 15 at 3 threads is three calls of 3, 2 and 3 parts: a worker that
  // wakes for a call only after the caller finished it meets the next call being posted
  const one = await init();
  const sq = await init({ threads: 3 });
  const pool = poolOf(sq.rt);
  pool.thresholdScale = 0;
  const r = rng(11);
  const m = 9, k = 16, n = 15, wf = randF32(r, k * n, 0.3);
  const w1 = one.packedInt8(wf, k, n), w3 = sq.packedInt8(wf, k, n);
  const before = pool.partsRun - pool.callerParts - pool.workerParts;
  for (let i = 0; i < 20000; i++) {
    const x = randF32(r, m * k, 2);
    const y3 = sq.quantizedLinear(x, m, w3);
    if (!bitsEqual(y3, one.quantizedLinear(x, m, w1))) assert.unreachable(`call ${i}: not the one-thread bits`);
    if (pool.partsRun - pool.callerParts - pool.workerParts !== before) assert.unreachable(`call ${i}: ${pool.callerParts + pool.workerParts} parts ran, ${pool.partsRun} were posted`);
  }
  // how many parts the workers take depends on the machine's load (the caller claims parts too)
  assert.ok(pool.workerParts > 0, 'no part ran on a worker');
  w3.dispose();
  await sq.close();
});

t('a kernel fault on a worker reaches the caller as the one-thread error; the instance keeps working', async () => {
  const one = await init();
  const sq = await init({ threads: 2 });
  poolOf(sq.rt).thresholdScale = 0;
  // C's second half lies past the end of memory: the worker's part traps
  const m = 16, k = 8, n = 1024;
  const fault = (s) => {
    const a = s.alloc('f32', m * k), b = s.alloc('f32', k * n);
    try {
      s.rt.exports.gemm_f32(a.ptr, b.ptr, s.memoryBytes - (m / 2) * n * 4, m, k, n);
    } catch (e) {
      return e;
    }
    return undefined;
  };
  const e1 = fault(one), e2 = fault(sq);
  assert.instance(e1, WebAssembly.RuntimeError);
  assert.instance(e2, WebAssembly.RuntimeError);
  // JavaScriptCore appends the expression it was evaluating; the message itself is the same
  const plain = (m) => m.replace(/\s*\(evaluating .*\)$/, '');
  assert.is(plain(e2.message), plain(e1.message));
  const a = randF32(rng(5), 64 * 64);
  assert.ok(bitsEqual(sq.matmul(a, a, 64, 64, 64), one.matmul(a, a, 64, 64, 64)));
  // argument errors are thrown by the caller before any part runs: the same TypeError / RangeError
  for (const s of [one, sq]) {
    assert.throws(() => s.matmul(a, a, 64, 63, 64), (e) => e instanceof RangeError && /a: expected m x k/.test(e.message));
    assert.throws(() => s.quantize(a, { scale: 0, zeroPoint: 0, dtype: 'int8' }), (e) => e instanceof RangeError);
  }
  await sq.close();
});

t('a worker that dies makes the next call throw instead of hanging', async () => {
  const sq = await init({ threads: 3 });
  const pool = poolOf(sq.rt);
  await pool.killWorker(1);
  await new Promise((r) => setTimeout(r, 50));
  const a = randF32(rng(6), 256 * 256);
  assert.throws(() => sq.matmul(a, a, 256, 256, 256), /worker thread of this instance stopped/);
  assert.throws(() => sq.quantize(a, { scale: 0.1, zeroPoint: 0, dtype: 'int8' }), /close\(\) it and init\(\) a new instance/);
  await sq.close();
});

t('two threaded instances used alternately stay correct', async () => {
  const one = await init();
  const A = await init({ threads: 2 }), B = await init({ threads: 3 });
  poolOf(A.rt).thresholdScale = 0;
  poolOf(B.rt).thresholdScale = 0;
  const r = rng(9);
  for (let i = 0; i < 6; i++) {
    const m = 8 + 4 * i, k = 64 + i, n = 40 + 3 * i;
    const a = randF32(r, m * k), b = randF32(r, k * n);
    const want = one.matmul(a, b, m, k, n);
    const sq = i % 2 ? A : B;
    assert.ok(bitsEqual(sq.matmul(a, b, m, k, n), want), `call ${i}`);
    const x = randF32(r, 5000 + i, 2), p = { scale: 0.03, zeroPoint: 7, dtype: 'uint8' };
    assert.ok(bitsEqual((i % 2 ? B : A).quantize(x, p), one.quantize(x, p)));
  }
  await A.close();
  await B.close();
});


t('a sparse product whose row pointers lie past the memory of an earlier call splits by its own nonzeros', async () => {
  const one = await init();
  const sq = await init({ threads: 2 });
  const pool = poolOf(sq.rt);
  pool.thresholdScale = 0;
  const rows = 64, cols = 64, indptr = new Int32Array(rows + 1), idx = [], val = [];
  for (let i = 0; i < rows; i++) {
    // rows of growing length, so that a split by stale counts would be unbalanced but still run
    for (let j = i % 3; j < cols; j += 1 + (i % 5)) {
      idx.push(j);
      val.push(((i * 7 + j) % 11) - 5);
    }
    indptr[i + 1] = idx.length;
  }
  const sp = { rows, cols, indptr, indices: Int32Array.from(idx), data: Float32Array.from(val) };
  const x = Float32Array.from({ length: cols * 4 }, (_, i) => (i % 13) - 6);
  const want = one.spmm(one.sparseMatrix(sp), x, 4);
  assert.ok(bitsEqual(sq.spmm(sq.sparseMatrix(sp), x, 4), want));
  const before = sq.rt.memory.buffer.byteLength;
  const grow = sq.alloc('f32', 1 << 23);
  const A = sq.sparseMatrix(sp);
  assert.ok(A._ptr > before, 'the matrix was not placed past the earlier memory');
  const parts = pool.partsRun;
  assert.ok(bitsEqual(sq.spmm(A, x, 4), want));
  assert.ok(pool.partsRun > parts, 'the product was not split');
  grow.dispose();
  await sq.close();
});
t('close() and Symbol.asyncDispose end the workers; the instance then runs on one thread', async () => {
  const sq = await init({ threads: 2 });
  assert.is(sq.threads, 2);
  await sq.close();
  assert.is(sq.threads, 1);
  await sq.close(); // twice is fine
  const a = randF32(rng(3), 128 * 128);
  const one = await init();
  assert.ok(bitsEqual(sq.matmul(a, a, 128, 128, 128), one.matmul(a, a, 128, 128, 128)));
  const sq2 = await init({ threads: 2 });
  assert.is(typeof sq2[Symbol.asyncDispose], 'function');
  await sq2[Symbol.asyncDispose]();
  assert.is(sq2.threads, 1);
});

t.run();
