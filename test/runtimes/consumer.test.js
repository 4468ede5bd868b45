// The package as a consumer gets it: `npm pack`, installed offline into a fresh project, then used
// from plain JS and from small TypeScript and Deno projects. Each project type-checks sparq's
// published declarations with skipLibCheck off, under its own `lib` and `types` (Node without DOM,
// CommonJS, a bundler with DOM, Cloudflare's workers-types, Deno), and runs a call where it can.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = `${ROOT}build/consumer`;
const PKG = `${DIR}/node_modules/sparq`;
const TSC = `${ROOT}node_modules/typescript/bin/tsc`;
const DENO = `${ROOT}node_modules/.bin/deno`;
const TYPES = `${ROOT}node_modules/@types`;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// The call every project makes, and its answer: int8 quantization at scale 1 (ties to even, saturated).
const X = '[0.5, 1.5, -2.5, 300]';
const Q = [0, 2, -2, 127];

/** Run a command; on failure the error carries its output (tsc prints its diagnostics to stdout). */
function sh(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
  } catch (e) {
    throw new Error(`${[cmd, ...args].join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** A project directory under build/consumer (its node_modules is the parent's). */
function project(name, files) {
  const dir = `${DIR}/${name}`;
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(`${dir}/${f}`, typeof text === 'string' ? text : JSON.stringify(text, null, 2));
  return dir;
}

/** Type-check (and emit, unless noEmit) a project; returns the files the program read. */
function tsc(dir) {
  try {
    return execFileSync(process.execPath, [TSC, '-p', '.', '--listFiles'], { cwd: dir, encoding: 'utf8' }).split('\n').filter((l) => l.includes('node_modules/sparq/'));
  } catch (e) {
    throw new Error(`tsc in ${dir}:\n${String(e.stdout).split('\n').filter((l) => !l.startsWith('/')).join('\n')}`);
  }
}

const json = (out) => JSON.parse(out.trim().split('\n').pop());
const strict = { strict: true, skipLibCheck: false, target: 'ES2022' };

const t = suite('consumer project');

/** sparq's runtime dependencies and theirs, as the repo has them installed. */
function dependencies() {
  const seen = new Set();
  const todo = Object.keys(JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).dependencies ?? {});
  while (todo.length) {
    const name = todo.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    todo.push(...Object.keys(JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')).dependencies ?? {}));
  }
  return [...seen];
}

// the other tests use the project this one installs (a failure in a `before` hook would be silent)
t('npm pack -> npm install --offline into a fresh project', () => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  // sparq and its dependencies, each packed from the repo, are installed together: the install
  // needs neither the registry nor npm's cache
  const packed = JSON.parse(sh(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', DIR, '.', ...dependencies().map((d) => `./node_modules/${d}`)], ROOT));
  writeFileSync(`${DIR}/package.json`, JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  sh(npm, ['install', '--offline', '--no-audit', '--no-fund', '--silent', ...packed.map((p) => `./${p.filename}`)], DIR);
  assert.ok(existsSync(`${PKG}/wasm/sparq.simd.wasm`), 'raw SIMD .wasm shipped');
  assert.ok(existsSync(`${PKG}/wasm/sparq.scalar.wasm`), 'raw scalar .wasm shipped');
});

t('JavaScript: import from the package name (default entry, sparq/ref)', () => {
  const dir = project('js', {
    'main.js': `import { init } from 'sparq';
import { ref } from 'sparq/ref';
const sq = await init();
const x = new Float32Array(${X});
const p = { dtype: 'int8', scale: 1 };
console.log(JSON.stringify({ simd: sq.simd, q: Array.from(sq.quantize(x, p)), r: Array.from(ref.quantize(x, p)) }));
`,
  });
  assert.equal(json(sh(process.execPath, ['main.js'], dir)), { simd: true, q: Q, r: Q });
});

t('TypeScript, Node ESM (nodenext; lib es2022 + esnext.disposable, no DOM; @types/node): type-check, run', () => {
  const dir = project('node-esm', {
    'package.json': { type: 'module' },
    'tsconfig.json': { compilerOptions: { ...strict, module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'esnext.disposable'], types: ['node'], typeRoots: [TYPES] }, files: ['main.ts'] },
    'main.ts': `import { readFileSync } from 'node:fs';
import { init, type InitOptions, type QuantParams, type WasmArray } from 'sparq';
import { readSafetensors, writeSafetensors } from 'sparq/model';
import { ref } from 'sparq/ref';
import { search } from 'sparq/search';

const x = new Float32Array(${X});
const file = readSafetensors(writeSafetensors({ x: { dtype: 'F32', shape: [4], data: x } }));
const p: QuantParams = { dtype: 'int8', scale: 1 };
const sq = await init();
// a Node Buffer as the raw bytes of a build
const opts: InitOptions = { bytes: readFileSync(new URL(import.meta.resolve('sparq/wasm/sparq.scalar.wasm'))) };
const scalar = await init(opts);
let held: WasmArray<'f32'>;
let resident: number[];
{
  using w = sq.wasmArray(x);
  held = w;
  resident = Array.from(sq.quantize(w, p));
}
const found = await search({ a: { int: [0, 4] } }, ({ a }) => -(((a as number) - 3) ** 2), { strategy: 'grid', trials: 5, seed: 1 });
console.log(JSON.stringify({ simd: sq.simd, q: Array.from(sq.quantize(x, p)), scalar: scalar.simd, qs: Array.from(scalar.quantize(x, p)), resident, disposed: held.disposed, r: Array.from(ref.quantize(x, p)), file: Array.from(file.tensors.x.data as Float32Array), best: found.best?.config.a }));
`,
  });
  const read = tsc(dir);
  assert.ok(read.some((f) => f.endsWith('/dist/index.d.ts')), 'the default entry types');
  assert.equal(json(sh(process.execPath, ['main.js'], dir)), { simd: true, q: Q, scalar: false, qs: Q, resident: Q, disposed: true, r: Q, file: [0.5, 1.5, -2.5, 300], best: 3 });
});

t('TypeScript, CommonJS (import = require, nodenext; lib es2022, no DOM; @types/node): type-check, run', () => {
  const dir = project('cjs', {
    'package.json': { type: 'commonjs' },
    'tsconfig.json': { compilerOptions: { ...strict, module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022'], types: ['node'], typeRoots: [TYPES] }, files: ['main.ts'] },
    'main.ts': `import sparq = require('sparq');

const x = new Float32Array(${X});
const p: sparq.QuantParams = { dtype: 'int8', scale: 1 };
sparq.init({ simd: false }).then((sq: sparq.Sparq) => {
  const w: sparq.WasmArray<'f32'> = sq.wasmArray(x);
  const q = Array.from(sq.quantize(w, p));
  w.dispose();
  console.log(JSON.stringify({ simd: sq.simd, q, disposed: w.disposed }));
});
`,
  });
  tsc(dir);
  assert.match(readFileSync(`${dir}/main.js`, 'utf8'), /require\("sparq"\)/);
  assert.equal(json(sh(process.execPath, ['main.js'], dir)), { simd: false, q: Q, disposed: true });
});

t('TypeScript, bundler (moduleResolution bundler; lib es2022 + DOM, no esnext.disposable): type-check, bundle with esbuild, run', async () => {
  const dir = project('bundler', {
    'tsconfig.json': { compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [], noEmit: true, isolatedModules: true }, files: ['main.ts'] },
    'main.ts': `import { init, type Sparq } from 'sparq';
import type { OnnxModel } from 'sparq/model';
import { ref } from 'sparq/ref';
import type { Space } from 'sparq/search';

export type Model = OnnxModel;
export const space: Space = { lr: { float: [1e-4, 1e-1], log: true } };
/** The DOM library's WebAssembly.Module is what init takes as a precompiled build. */
export const fromModule = (module: WebAssembly.Module): Promise<Sparq> => init({ module });
/** So are a fetched ArrayBuffer and a typed array. */
export const fromBytes = async (res: Response): Promise<Sparq> => init({ bytes: await res.arrayBuffer() });

const x = new Float32Array(${X});
const sq = await init();
const mask: Uint8Array = sq.magnitudeMask(x, { amount: 0.5 });
console.log(JSON.stringify({ simd: sq.simd, q: Array.from(sq.quantize(x, { dtype: 'int8', scale: 1 })), r: Array.from(ref.quantize(x, { dtype: 'int8', scale: 1 })), kept: mask.reduce((a, b) => a + b, 0) }));
`,
  });
  tsc(dir);
  await build({ entryPoints: [`${dir}/main.ts`], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: `${dir}/out.mjs`, logLevel: 'error' });
  assert.equal(json(sh(process.execPath, ['out.mjs'], dir)), { simd: true, q: Q, r: Q, kept: 2 });
});

t('TypeScript, Cloudflare Workers (@cloudflare/workers-types, customConditions workerd): the workerd entry type-checks', () => {
  const dir = project('workerd', {
    'tsconfig.json': { compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler', customConditions: ['workerd'], lib: ['es2022'], types: ['@cloudflare/workers-types'], typeRoots: [`${ROOT}node_modules`], noEmit: true }, files: ['main.ts'] },
    'main.ts': `import { init, type InitOptions } from 'sparq';
import type { OnnxModel } from 'sparq/model';
import type { Space } from 'sparq/search';

export type Model = OnnxModel;
export const space: Space = { bits: { choice: [4, 8] } };

/** A module the runtime compiled at deploy time is what init takes. */
export const options = (module: WebAssembly.Module): InitOptions => ({ module });

export default {
  async fetch(): Promise<Response> {
    const sq = await init();
    using w = sq.wasmArray(new Float32Array(${X}));
    return Response.json({ simd: sq.simd, q: Array.from(sq.quantize(w, { dtype: 'int8', scale: 1 })) });
  },
} satisfies ExportedHandler;
`,
  });
  const read = tsc(dir);
  assert.ok(read.some((f) => f.endsWith('/dist/workerd.d.ts')), 'the workerd condition selects the workerd entry types');
  assert.not.ok(read.some((f) => f.endsWith('/dist/index.d.ts')), 'not the default entry types');
});

t('Deno: deno check --all (npm package types included), deno run', () => {
  const dir = project('deno', {
    'main.ts': `import { init, type Sparq } from 'sparq';
import { ref } from 'sparq/ref';

const x = new Float32Array(${X});
const p = { dtype: 'int8', scale: 1 } as const;
const sq: Sparq = await init();
const module = await WebAssembly.compile(await Deno.readFile(new URL('../node_modules/sparq/wasm/sparq.scalar.wasm', import.meta.url)));
const scalar = await init({ module });
console.log(JSON.stringify({ simd: sq.simd, q: Array.from(sq.quantize(x, p)), scalar: scalar.simd, qs: Array.from(scalar.quantize(x, p)), r: Array.from(ref.quantize(x, p)) }));
`,
  });
  sh(DENO, ['check', '--all', '--no-lock', 'main.ts'], dir);
  assert.equal(json(sh(DENO, ['run', '--no-lock', '--allow-read', 'main.ts'], dir)), { simd: true, q: Q, scalar: false, qs: Q, r: Q });
});

t('published declarations: no internal members, no Wasm or DOM library types', () => {
  const files = [];
  const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(`${d}/${e.name}`) : e.name.endsWith('.d.ts') && files.push(`${d}/${e.name}`); };
  walk(`${PKG}/dist`);
  assert.ok(files.length > 10, `${files.length} .d.ts files`);
  for (const f of files) {
    const name = f.slice(PKG.length + 1);
    const text = readFileSync(f, 'utf8');
    assert.not.match(text, '@internal', `${name}: an @internal member was published`);
    // code only from here: doc comments may speak of WebAssembly and of ONNX Runtime
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    assert.not.match(code, /\bWebAssembly\./, `${name}: names the WebAssembly namespace`);
    assert.not.match(code, /\bBufferSource\b/, `${name}: names the DOM's BufferSource`);
    assert.not.match(code, /^\s+(?:readonly |protected |get |set |static )*_\w+/m, `${name}: a member named _... was published`);
    // every declared class: no runtime handle, no internal constructor
    for (const [, cls, body] of code.matchAll(/^export declare (?:abstract )?class (\w+)[^{]*\{([\s\S]*?)^\}/gm)) {
      if (cls === 'Runtime') {
        assert.equal(body.trim(), '', `${name}: class Runtime is opaque (no members)`);
        continue;
      }
      assert.not.match(body, /\bRuntime\b|\brt\b/, `${name}: class ${cls} shows the runtime`);
    }
    // the runtime appears only as a parameter of module-level functions (the families' kernels)
    for (const line of code.split('\n').filter((l) => /\bRuntime\b|\brt\b/.test(l))) {
      const ok = /^import (?:type )?\{[^}]*\bRuntime\b[^}]*\} from '\.\/(?:runtime\/)?runtime\.js';$/.test(line) ||
        /^export declare class Runtime \{$/.test(line) ||
        /^export declare function \w+(?:<[^>]*>)?\(.*\brt\??: Runtime\b/.test(line);
      assert.ok(ok, `${name}: the runtime appears outside a module-level function's parameters: ${line.trim()}`);
    }
  }
  for (const f of ['index.d.ts', 'workerd.d.ts', 'api.d.ts', 'sparq.d.ts', 'runtime/types.d.ts', 'runtime/resident.d.ts', 'runtime/load.d.ts']) {
    assert.not.match(readFileSync(`${PKG}/dist/${f}`, 'utf8').replace(/\/\*[\s\S]*?\*\//g, ''), /\bRuntime\b|\brt\b/, `dist/${f} names the runtime`);
  }
});

t.run();
