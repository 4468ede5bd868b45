// Size budgets, in gzip bytes: each .wasm build and the default JS entry (bundled and minified with
// esbuild, embedded bytes included); and the published package (`npm pack`): its file list and its
// packed and unpacked size. Raise a budget only on purpose, in the same commit as the growth, and
// say why.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Budgets: the size when set plus about 20% headroom. History (gzip B, SIMD / scalar / entry):
// four families 11 324 / 7 051 / 42 220; then the SIMD select, N:M and spmv paths of the
// performance work 15 078 / 8 932 / 50 217 (raised on purpose: those paths are the speed-ups);
// then the exact reciprocal-bracket quantize, the byte-offset spmv and the blocked-quantization
// loops 18 671 / 9 492 / 57 005 (SIMD budget raised on purpose: each is a measured speed-up); then
// five new families (calibration, distillation, half precision, fusion, gemm with transposes), the
// few-row int8 / int4 / f32 kernels and the f32 panel copies 28 968 / 13 421, the entry (its builds
// now chunks of their own) 32 918: raised on purpose for the new families and the decode kernels.
const BUDGET = {
  'wasm/sparq.simd.wasm': 33000,
  'wasm/sparq.scalar.wasm': 15500,
  // the relaxed build: the SIMD build plus the 7-bit kernel (27 245 when added)
  'wasm/sparq.relaxed.wasm': 33000,
  // the threaded build: SIMD plus shared memory (27 882 when added); its zero-filled static areas
  // are data segments (an imported memory is not known to be zero), which gzip folds away
  'wasm/sparq.threads.wasm': 33000,
  'default entry (dist/index.js bundled, minified)': 38000,
};

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const t = suite('size budgets (gzip bytes)');
const sizes = {};

for (const f of ['wasm/sparq.simd.wasm', 'wasm/sparq.scalar.wasm', 'wasm/sparq.relaxed.wasm', 'wasm/sparq.threads.wasm']) {
  t(`${f} within ${BUDGET[f]} B`, () => {
    sizes[f] = gz(readFileSync(`${ROOT}${f}`));
    assert.ok(sizes[f] <= BUDGET[f], `${f}: ${sizes[f]} B gzip > budget ${BUDGET[f]} B`);
  });
}
t('default JS entry within its budget; each build a chunk of its own', async () => {
  const key = 'default entry (dist/index.js bundled, minified)';
  // a bundler that splits chunks: the entry holds the API, and each build's bytes are a chunk that
  // init() imports only when it needs that build
  const r = await build({ entryPoints: [`${ROOT}dist/index.js`], bundle: true, minify: true, splitting: true, format: 'esm', platform: 'neutral', outdir: `${ROOT}build/size-chunks`, write: false, logLevel: 'error' });
  const entry = r.outputFiles.find((f) => /[\\/]index\.js$/.test(f.path));
  sizes[key] = gz(entry.contents);
  const chunks = r.outputFiles.filter((f) => f !== entry && /wasm[A-Z][a-z]+Base64|[A-Za-z0-9+/]{4096}/.test(f.text));
  assert.ok(chunks.length >= 4, `${chunks.length} build chunks, expected one per build`);
  assert.ok(!/[A-Za-z0-9+/]{4096}/.test(entry.text), 'no build embedded in the entry chunk');
  assert.ok(sizes[key] <= BUDGET[key], `${key}: ${sizes[key]} B gzip > budget ${BUDGET[key]} B`);
  console.log(`# sizes (gzip): ${JSON.stringify(sizes)}`);
});

// The published package, as `npm pack` reports it (bytes; `size` is the .tgz): the size when set plus
// about 15%. Both .wasm builds, raw and embedded as base64 in dist/wasm/*.js, are most of it.
// History (files, packed / unpacked B): 81, 200 223 / 710 009; then with gemm's transposed
// operands, fusion, half-precision conversion, calibration and distillation 105, 236 839 / 825 594;
// then the relaxed and threaded builds (each shipped raw and as base64, like the others), the
// model and search entries 117, 420 061 / 1 758 678.
const PACK_BUDGET = { size: 480000, unpackedSize: 2000000 };
// What a user needs and nothing else: the built JS and its declarations, both raw .wasm builds,
// README.md, LICENSE (package.json is always packed).
const PACKED = /^(?:dist\/.+\.(?:js|d\.ts)|wasm\/sparq\.(?:simd|scalar|relaxed|threads)\.wasm|README\.md|LICENSE|package\.json)$/;

t('npm pack: only dist/, wasm/, README.md, LICENSE and package.json, within the size budget', () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [p] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const files = p.files.map((f) => f.path);
  assert.equal(files.filter((f) => !PACKED.test(f)), [], 'files outside the published set');
  for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/workerd.js', 'dist/ref/index.js', 'wasm/sparq.simd.wasm', 'wasm/sparq.scalar.wasm']) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  // tsc does not delete the output of a removed source: such a file would be published
  const stale = files.filter((f) => /^dist\/.+\.js$/.test(f) && !existsSync(`${ROOT}src/${f.slice(5, -3)}.ts`));
  assert.equal(stale, [], 'dist/ files without a source in src/ (delete dist/ and rebuild)');
  console.log(`# npm pack: ${p.entryCount} files, ${p.size} B packed, ${p.unpackedSize} B unpacked`);
  assert.ok(p.size <= PACK_BUDGET.size, `packed ${p.size} B > budget ${PACK_BUDGET.size} B`);
  assert.ok(p.unpackedSize <= PACK_BUDGET.unpackedSize, `unpacked ${p.unpackedSize} B > budget ${PACK_BUDGET.unpackedSize} B`);
});
t.run();
