// The golden battery in Node: both builds produce exactly the committed hash of every case.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simd, scalar, relaxed, rawWasm } from './_util.js';
import { init } from 'sparq';
import { ref } from 'sparq/ref';
import { runBattery, FAMILIES } from './golden/index.js';
import expected from './golden/hashes.js';

const t = suite('golden battery (node)');
// the relaxed build runs where init() picks it (not Node 20: see test/relaxed.test.js)
for (const [name, sq] of [['simd', simd], ['scalar', scalar], ...(relaxed ? [['relaxed', relaxed]] : [])]) {
  t(`${name} build: every case matches its committed hash`, () => {
    const got = runBattery(sq);
    const keys = Object.keys(got);
    assert.ok(keys.length > 0, 'no cases ran');
    const missing = keys.filter((k) => !(k in expected));
    assert.equal(missing, [], 'cases without a committed hash (run node scripts/golden.mjs --update)');
    const stale = Object.keys(expected).filter((k) => !(k in got));
    assert.equal(stale, [], 'committed hashes whose case no longer exists');
    const wrong = keys.filter((k) => got[k] !== expected[k]).map((k) => `${k}: ${got[k]} != ${expected[k]}`);
    assert.equal(wrong, [], 'hash mismatches');
  });
}
t('the plain-TS reference gives every committed hash too', () => {
  const got = runBattery(ref);
  const wrong = Object.keys(expected).filter((k) => got[k] !== expected[k]).map((k) => `${k}: ${got[k]} != ${expected[k]}`);
  assert.equal(wrong, []);
});
t('every family contributes cases', () => {
  for (const [fam, cases] of Object.entries(FAMILIES)) assert.ok(cases.length >= 10, `${fam} has ${cases.length} cases`);
});
t.run();

// init({ module }) and init({ bytes }) with the raw .wasm files shipped in wasm/: same hashes.
const m = suite('golden battery: init({ module }) / init({ bytes })');
for (const build of ['simd', 'scalar']) {
  m(`${build}: a precompiled module and raw bytes give the committed hashes`, async () => {
    const bytes = await rawWasm(`sparq.${build}.wasm`);
    const viaModule = await init({ module: await WebAssembly.compile(bytes) });
    const viaBytes = await init({ bytes });
    assert.is(viaModule.simd, build === 'simd');
    assert.is(viaBytes.simd, build === 'simd');
    for (const sq of [viaModule, viaBytes]) {
      const got = runBattery(sq, ['quant']);
      const wrong = Object.keys(got).filter((k) => got[k] !== expected[k]);
      assert.equal(wrong, []);
    }
  });
}
m('a module that is not a sparq build is a TypeError', async () => {
  const empty = await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  let err;
  try { await init({ module: empty }); } catch (e) { err = e; }
  assert.ok(err instanceof TypeError && /not a sparq build/.test(err.message), String(err));
});
m.run();
