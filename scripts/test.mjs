// `npm test`: runs every test runner in turn and ends with one plain `N passed, N failed` line
// summed from the runners' own counts. Exit code is non-zero if any runner failed.
import { spawnSync } from 'node:child_process';

const runners = [
  { name: 'node', cmd: process.execPath, args: ['node_modules/uvu/bin.js', 'test', '\\.test\\.js$'] },
];

const env = { ...process.env, NO_COLOR: '1' };
delete env.FORCE_COLOR; // npm may set it; uvu's counts are parsed without colour codes
let passed = 0, failed = 0, bad = false;
for (const r of runners) {
  const t0 = Date.now();
  const res = spawnSync(r.cmd, r.args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  process.stdout.write(res.stdout);
  process.stderr.write(res.stderr);
  const total = /Total:\s+(\d+)/.exec(res.stdout);
  const pass = /Passed:\s+(\d+)/.exec(res.stdout);
  if (!total || !pass) {
    console.log(`# ${r.name}: no uvu summary (exit ${res.status})`);
    failed += 1;
    bad = true;
    continue;
  }
  const p = Number(pass[1]), f = Number(total[1]) - p;
  passed += p;
  failed += f;
  if (res.status !== 0) bad = true;
  console.log(`# ${r.name}: ${p} passed, ${f} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(bad || failed > 0 ? 1 : 0);
