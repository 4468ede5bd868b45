// `npm run bench`: every family's benchmark in one process (SIMD build, scalar build, plain-JS
// baseline and peers on the same inputs). Flags: --quick (short), --json [file], --threads 1,2
// (only the threads bench, at those counts), --only a,b
// (families: quant, prune, sparse, int, distill, calib, half, fusion, gemm, and bounds, which runs only when named).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { init } from 'sparq';
import { JSON_OUT, ONLY, QUICK, machine, results, timeCopy } from './harness.mjs';

const families = ['quant', 'prune', 'sparse', 'int', 'distill', 'calib', 'half', 'fusion', 'gemm'];
// --threads 1,2: the threaded calls at each count, A/B in one process (bench/threads.bench.mjs) instead of the families
if (process.argv.includes('--threads')) families.splice(0, families.length, 'threads');
// lower bounds for the unmet targets: only with --only bounds (it compiles its own kernels)
if (ONLY?.includes('bounds')) families.push('bounds');
// model files (a 400 MB synthetic model): only with --only model
if (ONLY?.includes('model')) families.push('model');
const m = machine();
console.log(`# sparq bench ${m.date} on ${m.cpu} (${m.cores} cores), Node ${m.node}${QUICK ? ', quick mode' : ''}`);
const t0 = performance.now();
const simd = await init();
const startupMs = performance.now() - t0;
const t1 = performance.now();
await init();
const againMs = performance.now() - t1;
console.log(`# init(): ${startupMs.toFixed(2)} ms the first time after import (decode + compile + instantiate), ${againMs.toFixed(2)} ms for another instance`);
const copy = timeCopy();
console.log(`# 16 MiB copy (Float32Array.set): ${copy.ms.toFixed(3)} ms = ${(2 * 16.777216 / copy.ms).toFixed(1)} GB/s read+write`);
const ctx = { simd, scalar: await init({ simd: false }), copyMs: copy.ms };
for (const fam of families) {
  if (ONLY && !ONLY.includes(fam)) continue;
  console.log(`\n## ${fam}`);
  const mod = await import(`./${fam}.bench.mjs`);
  await mod.run(ctx);
}
if (JSON_OUT) {
  await mkdir(dirname(JSON_OUT), { recursive: true });
  await writeFile(JSON_OUT, JSON.stringify({ machine: m, quick: QUICK, startupMs, againMs, copyMs: copy.ms, rows: results() }, null, 2));
  console.log(`\n# wrote ${JSON_OUT}`);
}
