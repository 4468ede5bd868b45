// Turns the JSON of `npm run bench -- --json FILE` into the README's markdown tables, one per
// family:   node scripts/bench-md.mjs bench/results/2026-11-30.json
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/bench-md.mjs <bench json>');
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const m = r.machine;
console.log(`Measured ${m.date} on ${m.cpu} (${m.cores} cores), Node ${m.node}, one thread: 16 MiB copy ${r.copyMs.toFixed(3)} ms, first init() ${r.startupMs.toFixed(2)} ms.\n`);
const families = [...new Set(r.rows.map((x) => x.family))];
for (const fam of families) {
  const rows = r.rows.filter((x) => x.family === fam);
  const cols = [...new Set(rows.flatMap((x) => Object.keys(x)))].filter((k) => !['family', 'name', 'ms', 'rme'].includes(k));
  console.log(`#### ${fam}\n`);
  console.log(`| case | ms | ${cols.join(' | ')} |`);
  console.log(`| --- | ---: | ${cols.map(() => '---:').join(' | ')} |`);
  for (const x of rows) console.log(`| ${x.name.replace(/\|/g, '\\|')} | ${x.ms} | ${cols.map((c) => (x[c] ?? '')).join(' | ')} |`);
  console.log();
}
