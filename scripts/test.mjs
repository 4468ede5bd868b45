// `npm test`: every test runner in turn (Node; Deno and Bun on the same suites; the runtime matrix
// of Chromium, workerd, the no-SIMD fallback and the size budgets), then the runtime table and one
// plain `N passed, N failed` line summed from the runners' own uvu counts. Exit code 1 if anything
// failed. `npm test -- --only node,deno` runs a subset; `--update-readme` writes the table into README.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
const RUN = 'test/runtimes/uvu-run.mjs';
const runners = [
  { id: 'node', cmd: process.execPath, args: [RUN] },
  // Node 20 validates relaxed SIMD behind this flag but computes the relaxed dot wrongly: init()
  // must detect that and keep the SIMD build, with every suite passing
  { id: 'node-relaxed-flag', cmd: process.execPath, args: ['--experimental-wasm-relaxed-simd', RUN] },
  { id: 'deno', cmd: bin('deno'), args: ['run', '-A', RUN] },
  { id: 'bun', cmd: bin('bun'), args: [RUN] },
  { id: 'matrix', cmd: process.execPath, args: [RUN, 'runtimes'] },
];
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1].split(',') : undefined;

const env = { ...process.env, NO_COLOR: '1' };
delete env.FORCE_COLOR; // npm may set it; uvu's counts are parsed without colour codes
rmSync('build/runtime-report', { recursive: true, force: true });

let passed = 0, failed = 0, bad = false;
const rows = [];
for (const r of runners) {
  if (only && !only.includes(r.id)) continue;
  const t0 = Date.now();
  const res = spawnSync(r.cmd, r.args, { env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 15 * 60 * 1000 });
  process.stdout.write(res.stdout ?? '');
  process.stderr.write(res.stderr ?? '');
  const out = res.stdout ?? '';
  // the runner's own summary is the last one (an in-page suite's failure message may quote another)
  const last = (re) => [...out.matchAll(re)].pop();
  const total = last(/^\s*Total:\s+(\d+)/gm);
  const pass = last(/^\s*Passed:\s+(\d+)/gm);
  if (!total || !pass) {
    console.log(`# ${r.id}: no uvu summary (exit ${res.status}${res.error ? `, ${res.error.message}` : ''})`);
    failed += 1;
    bad = true;
    continue;
  }
  const p = Number(pass[1]), f = Number(total[1]) - p;
  passed += p;
  failed += f;
  if (res.status !== 0) bad = true;
  console.log(`# ${r.id}: ${p} passed, ${f} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const head = /# runtime (\S+) (\S+): .* picks the (relaxed|SIMD|scalar) build/.exec(out);
  if (head && r.id !== 'matrix') {
    rows.push({ runtime: { node: 'Node', 'node-relaxed-flag': 'Node, --experimental-wasm-relaxed-simd', deno: 'Deno', bun: 'Bun' }[r.id], version: head[2].replace(/^v/, ''), loads: "default entry (`import 'sparq'`), embedded bytes", simd: head[3] !== 'scalar', build: head[3], threads: /^threads\.test\.js$/m.test(out) ? '1 / 2 / 3, same hashes' : 'not tested', identical: f === 0 && res.status === 0, tests: `${p}/${p + f} tests, all suites (golden battery x ${head[3] === 'relaxed' ? 3 : 2} builds included)` });
  }
}
try {
  for (const f of readdirSync('build/runtime-report').sort()) rows.push(JSON.parse(readFileSync(`build/runtime-report/${f}`, 'utf8')));
} catch { /* the matrix did not run */ }
if (rows.length) {
  const table = ['| runtime | version tested | how it loads sparq | SIMD | build | threads | result identical | tests |', '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((w) => `| ${w.runtime} | ${w.version}${w.source ? ` (${w.source})` : ''} | ${w.loads} | ${w.simd ? 'yes' : 'no'} | ${w.build ?? (w.simd ? 'SIMD' : 'scalar')} | ${w.threads ?? '-'} | ${w.identical ? 'yes' : 'NO'} | ${w.tests} |`)].join('\n');
  mkdirSync('build', { recursive: true });
  writeFileSync('build/runtime-table.md', `${table}\n`);
  console.log(`\n${table}\n`);
  if (process.argv.includes('--update-readme')) {
    // rewrite the README's runtime table from this run (between its two marker comments): the short
    // form (how each runtime loads sparq is in the README's bullets; the whole table is printed above
    // and kept in build/runtime-table.md)
    const short = (s) => String(s ?? '-').replace(/ \(.*$/, '');
    const brief = ['| runtime | version | build | threads | same bits | tests |', '| --- | --- | --- | --- | --- | --- |',
      ...rows.map((w) => `| ${w.runtime} | ${short(w.version)}${w.source ? ` (${w.source.replace(/ from npm.*/, '')})` : ''} | ${w.build ?? (w.simd ? 'SIMD' : 'scalar')} | ${short(w.threads).replace(/:.*$/, '')} | ${w.identical ? 'yes' : 'NO'} | ${short(w.tests)} |`)].join('\n');
    const readme = readFileSync('README.md', 'utf8');
    const next = readme.replace(/(<!-- runtime-table -->\n)[\s\S]*?(<!-- \/runtime-table -->)/, `$1${brief}\n$2`);
    writeFileSync('README.md', next);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(bad || failed > 0 ? 1 : 0);
