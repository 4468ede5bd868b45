// Cloudflare workerd (npm package `workerd`): a worker bundled with esbuild under the `workerd`
// condition, the two .wasm builds bound as Wasm modules, served on 127.0.0.1; both builds must give
// every committed golden hash.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { batteryDiff, guardedSetup, reportRow } from './report.js';
import expected from '../golden/hashes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const OUT = `${ROOT}/build/runtimes/workerd`;
const WORKERD = `${ROOT}/node_modules/.bin/workerd`;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const t = suite('workerd');
let proc, port, stderr = '';

const checkSetup = guardedSetup(t, setup);
async function setup() {
  mkdirSync(OUT, { recursive: true });
  const wasmFiles = new Set();
  await build({
    entryPoints: [`${ROOT}/test/runtimes/workerd/worker.js`],
    outfile: `${OUT}/worker.js`,
    bundle: true, format: 'esm', platform: 'neutral', conditions: ['workerd', 'worker'], logLevel: 'error',
    plugins: [{
      name: 'wasm-modules',
      setup(b) {
        // keep `import m from '.../x.wasm'` as a module import that workerd binds by name
        b.onResolve({ filter: /\.wasm$/ }, async (args) => {
          if (args.pluginData?.inner) return undefined;
          const abs = args.path.startsWith('.')
            ? new URL(args.path, `file://${args.resolveDir}/`).pathname
            : (await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { inner: true } })).path;
          wasmFiles.add(abs);
          return { path: `./${basename(abs)}`, external: true };
        });
      },
    }],
  });
  const names = [...wasmFiles].map((f) => basename(f));
  assert.equal(names.sort(), ['sparq.relaxed.wasm', 'sparq.scalar.wasm', 'sparq.simd.wasm'], 'the workerd entry imports the three .wasm builds');
  for (const f of wasmFiles) copyFileSync(f, `${OUT}/${basename(f)}`);
  port = await freePort();
  writeFileSync(`${OUT}/config.capnp`, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .sparqWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const sparqWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
${names.map((n) => `    (name = "${n}", wasm = embed "${n}"),`).join('\n')}
  ],
  compatibilityDate = "2024-09-23",
);
`);
  proc = spawn(WORKERD, ['serve', `${OUT}/config.capnp`], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.on('data', (d) => { stderr += d; });
}
t.after(() => {
  proc?.kill('SIGTERM');
});

async function get() {
  const until = Date.now() + 60000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      return await res.json();
    } catch (e) {
      if (Date.now() > until || proc.exitCode !== null) throw new Error(`workerd did not answer: ${e.message}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

t('worker through the `workerd` condition: golden battery on both builds', async () => {
  checkSetup();
  const r = await get();
  assert.is(r.error, undefined, `worker error: ${r.error}`);
  assert.is(r.simd, true, 'workerd gets the SIMD build');
  assert.equal(batteryDiff(r.simdHashes, expected), [], 'SIMD build hashes');
  assert.equal(batteryDiff(r.scalarHashes, expected), [], 'scalar build hashes');
  assert.is(r.build, 'relaxed', 'workerd runs relaxed SIMD: init() picks the relaxed build');
  assert.equal(batteryDiff(r.relaxedHashes, expected), [], 'relaxed build hashes');
  assert.equal(batteryDiff(r.moduleHashes, expected), [], 'init({ module }) hashes');
  assert.ok(r.bytesRefused, 'workerd refuses to compile from bytes, as documented (so the module path is needed)');
  assert.is(r.threads, 1, 'init({ threads: 2 }) falls back to one thread');
  assert.match(r.threadsUnavailable, /workerd/);
  assert.equal(batteryDiff(r.threadHashes, expected), [], 'init({ threads: 2 }) hashes');
  const version = JSON.parse(readFileSync(`${ROOT}/node_modules/workerd/package.json`, 'utf8')).version;
  reportRow('workerd', { runtime: 'Cloudflare workerd', version, loads: '`workerd` export condition, .wasm imported as modules', simd: r.simd, build: r.build, threads: 'no (no worker threads): one thread, no error', identical: true, tests: `golden battery (${Object.keys(expected).length} cases x 3 builds, + init({ module }), + init({ threads: 2 }))` });
});

t.run();
