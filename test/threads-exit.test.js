// A process that starts threads and never calls close() still exits (the workers are unref'd):
// a child process of this runtime (Node, Deno or Bun) runs a threaded call and returns.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

const t = suite('threads: exit without close()');

t('a process that never calls close() still exits', () => {
  const dir = new URL('../build/tmp/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL('forgotten-threads.mjs', dir);
  writeFileSync(file, `import { init } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};\n` +
    `const sq = await init({ threads: 3 });\nconst x = sq.wasmArray(new Float32Array(1 << 20).fill(1.5));\n` +
    `const q = sq.quantize(x, { scale: 0.5, zeroPoint: 0, dtype: 'int8' });\nconsole.log('threads', sq.threads, q[5]);\n`);
  const path = file.pathname;
  const args = globalThis.Deno ? ['run', '-A', path] : [path];
  const t0 = Date.now();
  const res = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20000 });
  assert.is(res.status, 0, res.stderr);
  assert.match(res.stdout, /threads 3 3/);
  assert.ok(Date.now() - t0 < 15000, `took ${Date.now() - t0} ms`);
});

t.run();
