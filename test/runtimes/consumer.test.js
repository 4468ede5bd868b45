// The package as a consumer gets it: `npm pack`, installed into a fresh project, imported by name
// from JavaScript and type-checked from TypeScript (exports map, `types` first, raw .wasm shipped).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = `${ROOT}build/consumer`;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const t = suite('consumer project');
t('npm pack -> npm install -> import from JS and type-check from TS', () => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const tgz = execFileSync(npm, ['pack', '--ignore-scripts', '--silent', '--pack-destination', DIR], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop();
  writeFileSync(`${DIR}/package.json`, JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync(npm, ['install', '--offline', '--no-audit', '--no-fund', '--silent', `./${tgz}`], { cwd: DIR, encoding: 'utf8' });
  assert.ok(existsSync(`${DIR}/node_modules/sparq/wasm/sparq.simd.wasm`), 'raw SIMD .wasm shipped');
  assert.ok(existsSync(`${DIR}/node_modules/sparq/wasm/sparq.scalar.wasm`), 'raw scalar .wasm shipped');
  writeFileSync(`${DIR}/main.js`, `import { init } from 'sparq';
import { ref } from 'sparq/ref';
const sq = await init();
const x = new Float32Array([0.5, 1.5, -2.5, 300]);
const p = { dtype: 'int8', scale: 1 };
console.log(JSON.stringify({ simd: sq.simd, q: Array.from(sq.quantize(x, p)), r: Array.from(ref.quantize(x, p)) }));
`);
  const out = JSON.parse(execFileSync(process.execPath, ['main.js'], { cwd: DIR, encoding: 'utf8' }));
  assert.equal(out, { simd: true, q: [0, 2, -2, 127], r: [0, 2, -2, 127] });
  writeFileSync(`${DIR}/main.ts`, `import { init, type QuantParams, WasmArray } from 'sparq';
const sq = await init({ simd: false });
const p: QuantParams = { dtype: 'uint8', scale: 0.5, zeroPoint: 3 };
const q: Int8Array | Uint8Array = sq.quantize(new Float32Array(4), p);
const w: WasmArray<'f32'> = sq.alloc('f32', 4);
w.dispose();
export const n: number = q.length;
`);
  writeFileSync(`${DIR}/tsconfig.json`, JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, lib: ['ES2022', 'DOM', 'ESNext.Disposable'], types: [] }, files: ['main.ts'] }));
  execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', '.'], { cwd: DIR, encoding: 'utf8' });
});
t.run();
