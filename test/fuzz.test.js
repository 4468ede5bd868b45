// Bad input, at random: every public method called with seeded combinations of wrong arguments
// must throw a TypeError or RangeError whose message starts with the argument's name, never a
// Wasm trap or another error, and the failed calls must leave no memory behind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simd, scalar, rng, SEED } from './_util.js';

const VALUES = () => [undefined, null, 0, -1, 1.5, NaN, Infinity, 2 ** 31, 'x', {}, [], [2, 2], [0, 4],
  new Float32Array(4), new Int8Array(4), new Uint8Array(4), new Int32Array(3), new Float64Array(4),
  { amount: 0.5 }, { amount: 2 }, { count: 2 }, { count: -1 }, { n: 2, m: 4 }, { n: 3, m: 2 },
  { dtype: 'int8', scale: 1 }, { dtype: 'int8', scale: 0 }, { block: [2, 2], amount: 0.5, norm: 1 },
  { rows: 2, cols: 2, indptr: new Int32Array([0, 1, 2]), indices: new Int32Array([0, 5]), data: new Float32Array(2) },
  { rows: 2, cols: 2, indptr: new Int32Array([0, 2, 1]), indices: new Int32Array([0, 1]), data: new Float32Array(2) }];
const NAMED = /^[A-Za-z_$][\w$]*(\[\d+\])?(\.[A-Za-z_$][\w$]*(\[\d+\])?)*: /;

for (const sq of [scalar, simd]) {
  const t = suite(`random bad input [${sq.simd ? 'simd' : 'scalar'}]`);
  t('every method: TypeError / RangeError naming the argument, no trap, no leak', () => {
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(sq)).filter((m) => m !== 'constructor' && typeof sq[m] === 'function');
    assert.ok(methods.length >= 30, `only ${methods.length} methods`);
    const round = () => {
      const r = rng(SEED ^ 0xf022); // the same calls every round
      const problems = [];
      let thrown = 0;
      for (const m of methods) {
        for (let k = 0; k < 150; k++) {
          const vals = VALUES();
          const args = Array.from({ length: r.int(0, 5) }, () => vals[r.int(0, vals.length - 1)]);
          try {
            const res = sq[m](...args);
            if (res && typeof res.dispose === 'function') res.dispose();
          } catch (e) {
            thrown++;
            if (!(e instanceof TypeError || e instanceof RangeError)) problems.push(`${m}: ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
            else if (!NAMED.test(e.message)) problems.push(`${m}: message names no argument: ${e.message}`);
          }
        }
      }
      return { problems, thrown };
    };
    const first = round();
    assert.equal(first.problems.slice(0, 10), []);
    assert.ok(first.thrown > methods.length * 100, `only ${first.thrown} calls threw`);
    // the first rounds may grow memory once for the largest scratch any path needs; after that,
    // more rounds of the same calls must not grow it (a leak would)
    round();
    const before = sq.memoryBytes;
    for (let k = 0; k < 3; k++) assert.equal(round().problems.slice(0, 10), []);
    assert.is(sq.memoryBytes, before, 'failed calls left memory behind');
  });
  t.run();
}
