// The relaxed-SIMD build: which build init() picks, the options that choose one, and the
// known-answer probe that keeps a runtime whose relaxed int8 dot is wrong (Node 20 with
// --experimental-wasm-relaxed-simd) on the SIMD build. Its kernels run in every suite through
// IMPLS where the runtime runs it (Deno, Bun, Chromium, workerd).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from 'sparq';
import { relaxed, simd, scalar, rawWasm } from './_util.js';

async function rejects(p, Err, re) {
  let err;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Err, `expected ${Err.name}, got ${err}`);
  assert.match(err.message, re);
}

const t = suite('relaxed build: init');

t('sq.build names the build and sq.simd stays (the relaxed build is a SIMD build)', async () => {
  assert.is(simd.build, 'simd');
  assert.is(simd.simd, true);
  assert.is(scalar.build, 'scalar');
  assert.is(scalar.simd, false);
  const picked = await init();
  assert.is(picked.build, relaxed ? 'relaxed' : 'simd');
  assert.is(picked.simd, true);
  assert.is((await init({ simd: true })).build, relaxed ? 'relaxed' : 'simd');
  assert.is((await init({ relaxed: false })).build, 'simd');
});

t('options.relaxed: a boolean, not with simd: false, and true only where the build runs exactly', async () => {
  await rejects(init({ relaxed: 1 }), TypeError, /^options\.relaxed: expected a boolean/);
  await rejects(init({ simd: false, relaxed: true }), TypeError, /^options\.relaxed: .*simd: false/);
  if (relaxed) assert.is((await init({ relaxed: true })).build, 'relaxed');
  else await rejects(init({ relaxed: true }), TypeError, /^options\.relaxed: this runtime does not run the relaxed-SIMD build exactly/);
});

t('init({ bytes }) of sparq.relaxed.wasm: the relaxed build where it runs exactly, else a TypeError', async () => {
  const bytes = await rawWasm('sparq.relaxed.wasm');
  if (relaxed) {
    const sq = await init({ bytes });
    assert.is(sq.build, 'relaxed');
    await rejects(init({ bytes, relaxed: false }), TypeError, /^options\.relaxed: false was asked for/);
  } else if (WebAssembly.validate(bytes)) {
    // validates but computes the relaxed dot wrongly (Node 20 with the flag): the probe refuses it
    await rejects(init({ bytes }), TypeError, /known-answer probe failed/);
  } else {
    await rejects(init({ bytes }), TypeError, /^options\.bytes: not a valid Wasm module/);
  }
  const simdBytes = await rawWasm('sparq.simd.wasm');
  await rejects(init({ bytes: simdBytes, relaxed: true }), TypeError, /^options\.relaxed: true was asked for/);
});

t('reduceRange: the same bits on every build this runtime runs', () => {
  const [m, k, n] = [3, 257, 19];
  const x = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.7) * 5);
  const w = Int8Array.from({ length: k * n }, (_, i) => ((i * 37) % 256) - 128);
  const ys = [simd, scalar, ...(relaxed ? [relaxed] : [])].map((sq) => {
    const p = sq.packedInt8(w, k, n, { scale: 0.02, zeroPoint: -3 });
    try {
      return sq.quantizedLinear(x, m, p, null, undefined, { reduceRange: true });
    } finally {
      p.dispose();
    }
  });
  for (const y of ys.slice(1)) assert.equal(new Uint32Array(y.buffer), new Uint32Array(ys[0].buffer));
});

t.run();
