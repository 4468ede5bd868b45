// The generated lookup tables (assembly/sparse/nm24-tables.ts) are what scripts/gen-tables.mjs
// writes from their rules: `--check` regenerates them in memory and compares with the committed file.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const t = suite('generated tables');

t('assembly/sparse/nm24-tables.ts equals the output of scripts/gen-tables.mjs', () => {
  const r = spawnSync(process.execPath, ['scripts/gen-tables.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.match(r.stdout, 'nm24-tables.ts is up to date');
});

t.run();
