// Size budgets, in gzip bytes: each .wasm build and the default JS entry (bundled and minified with
// esbuild, embedded bytes included). Raise a budget only on purpose, in the same commit as the
// growth, and say why.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Budgets: the size when set plus about 20% headroom. History (gzip B, SIMD / scalar / entry):
// four families 11 324 / 7 051 / 42 220; then the SIMD select, N:M and spmv paths of the
// performance work 15 078 / 8 932 / 50 217 (raised on purpose: those paths are the speed-ups);
// then the exact reciprocal-bracket quantize, the byte-offset spmv and the blocked-quantization
// loops 18 671 / 9 492 / 57 005 (SIMD budget raised on purpose: each is a measured speed-up).
const BUDGET = {
  'wasm/sparq.simd.wasm': 22000,
  'wasm/sparq.scalar.wasm': 11000,
  'default entry (dist/index.js bundled, minified)': 60000,
};

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const t = suite('size budgets (gzip bytes)');
const sizes = {};

for (const f of ['wasm/sparq.simd.wasm', 'wasm/sparq.scalar.wasm']) {
  t(`${f} within ${BUDGET[f]} B`, () => {
    sizes[f] = gz(readFileSync(`${ROOT}${f}`));
    assert.ok(sizes[f] <= BUDGET[f], `${f}: ${sizes[f]} B gzip > budget ${BUDGET[f]} B`);
  });
}
t('default JS entry within its budget', async () => {
  const key = 'default entry (dist/index.js bundled, minified)';
  const r = await build({ entryPoints: [`${ROOT}dist/index.js`], bundle: true, minify: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error' });
  sizes[key] = gz(r.outputFiles[0].contents);
  assert.ok(sizes[key] <= BUDGET[key], `${key}: ${sizes[key]} B gzip > budget ${BUDGET[key]} B`);
  console.log(`# sizes (gzip): ${JSON.stringify(sizes)}`);
});
t.run();
