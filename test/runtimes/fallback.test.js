// A runtime without Wasm SIMD gets the scalar build automatically, and it gives the same hashes.
// Simulated in a child Node process whose WebAssembly.validate rejects every SIMD module.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { batteryDiff } from './report.js';
import expected from '../golden/hashes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const CHILD = `
const validate = WebAssembly.validate;
// a runtime without SIMD: the SIMD build does not validate (identified by its exact bytes)
const { readFileSync } = await import('node:fs');
const simdBytes = readFileSync('wasm/sparq.simd.wasm');
WebAssembly.validate = (bytes) => {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer || bytes);
  return b.length === simdBytes.length && simdBytes.equals(b) ? false : validate(bytes);
};
const { init } = await import('sparq');
const { runBattery } = await import('./test/golden/index.js');
const sq = await init();
let forced = 'none';
try { await init({ simd: true }); forced = 'accepted'; } catch (e) { forced = e.constructor.name + ': ' + e.message; }
console.log(JSON.stringify({ simd: sq.simd, hashes: runBattery(sq), forced }));
`;

const t = suite('no-SIMD fallback');
t('init() picks the scalar build when SIMD does not validate; same golden hashes', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: ROOT, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.is(out.simd, false, 'scalar build chosen');
  assert.equal(batteryDiff(out.hashes, expected), [], 'scalar build hashes');
  assert.match(out.forced, /^TypeError: options\.simd: this runtime does not support Wasm SIMD/);
});
t.run();
