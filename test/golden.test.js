// The golden battery in Node: both builds produce exactly the committed hash of every case.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simd, scalar } from './_util.js';
import { runBattery, FAMILIES } from './golden/index.js';
import expected from './golden/hashes.js';

const t = suite('golden battery (node)');
for (const [name, sq] of [['simd', simd], ['scalar', scalar]]) {
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
t('every family contributes cases', () => {
  for (const [fam, cases] of Object.entries(FAMILIES)) assert.ok(cases.length >= 10, `${fam} has ${cases.length} cases`);
});
t.run();
