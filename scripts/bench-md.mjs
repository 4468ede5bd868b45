// Markdown tables from the JSON of `npm run bench -- --json FILE`, and what the doc scripts share:
// loading a run, the command that wrote it, one table per family, the headline rows.
//   node scripts/bench-md.mjs bench/results/2026-12-06.json      prints every family's table
// scripts/bench-docs.mjs (docs/benchmarks.md, the README's headline table) and
// scripts/bench-svg.mjs (docs/bench.svg) import it.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The families of the main run, in the order bench/run.mjs runs them; `bounds` runs only when named. */
export const FAMILIES = ['quant', 'prune', 'sparse', 'int', 'distill', 'calib', 'half', 'fusion', 'gemm'];
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The committed runs the docs are generated from: the main run first (the headline run, which
 * holds every family), then later runs of single families, whose tables replace the main run's.
 */
export const DEFAULT_RUNS = [
  'bench/results/2026-12-06.json',
  'bench/results/2026-12-06d-int.json',
  'bench/results/2026-12-06-gemm.json',
  'bench/results/2026-12-06-model.json',
  'bench/results/2026-12-06-half.json',
  'bench/results/2026-12-06c-bounds.json',
];

/** A run: its JSON, its path relative to the repository, its families and the command that wrote it. */
export function loadRun(file) {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  if (!json.machine || !Array.isArray(json.rows)) throw new Error(`${file}: not the JSON of bench/run.mjs (no machine / rows)`);
  const path = relative(ROOT, file).split('\\').join('/');
  const families = [...new Set(json.rows.map((r) => r.family))];
  return { ...json, path, families, command: commandOf(path, families, json.quick) };
}

/**
 * The command that writes such a file: the whole bench when it holds every family of the main
 * run, else `--only` the families it holds (bench/run.mjs records nothing else about its flags).
 */
export function commandOf(path, families, quick) {
  const q = quick ? ' --quick' : '';
  if (FAMILIES.every((f) => families.includes(f)) && families.length === FAMILIES.length) return `npm run bench --${q} --json ${path}`;
  return `node bench/run.mjs --only ${families.join(',')}${q} --json ${path}`;
}

/** One line naming a run: command, machine, date, the copy reference and the start-up times. */
export function runLine(run) {
  const m = run.machine;
  return `Run \`${run.command}\`: ${m.cpu} (${m.cores} cores), Node ${m.node}, ${m.date}, one thread. ` +
    `16 MiB copy at the start of the run: ${run.copyMs.toFixed(3)} ms; first \`init()\` after import ` +
    `${run.startupMs.toFixed(2)} ms, another instance ${run.againMs.toFixed(2)} ms.`;
}

const esc = (s) => String(s).replace(/\|/g, '\\|');

/** The markdown table of one family of a run: every row, every measured column. */
export function familyTable(run, family) {
  const rows = run.rows.filter((x) => x.family === family);
  const cols = [...new Set(rows.flatMap((x) => Object.keys(x)))].filter((k) => !['family', 'name', 'ms', 'rme'].includes(k));
  return [
    `| case | ms | ± % | ${cols.join(' | ')} |`,
    `| --- | ---: | ---: | ${cols.map(() => '---:').join(' | ')} |`,
    ...rows.map((x) => `| ${esc(x.name)} | ${x.ms} | ${x.rme} | ${cols.map((c) => x[c] ?? '').join(' | ')} |`),
  ].join('\n');
}

/** The row of a run with this exact name (undefined when the run lacks it). */
export function row(run, name) {
  return name ? run.rows.find((x) => x.name === name) : undefined;
}

/**
 * The headline rows: sparq's SIMD build, its scalar build, a plain-JS loop with the same semantics
 * and a peer, on the same inputs, by the row names the bench records. `js` is absent where the
 * plain-JS baseline ran on another shape (the integer products); `jsRate` names that row instead.
 */
export const HEADLINE = [
  { op: 'quantize, int8 per tensor', size: '4M floats', simd: 'quantize per tensor, resident [simd]', scalar: 'quantize per tensor, resident [scalar]', js: 'quantize per tensor [plain JS]' },
  { op: 'dequantize, int8 per tensor', size: '4M values', simd: 'dequantize per tensor, resident [simd]', scalar: 'dequantize per tensor, resident [scalar]', js: 'dequantize per tensor [plain JS]' },
  { op: 'dynamicQuantize (uint8)', size: '4M floats', simd: 'dynamicQuantize, resident [simd]', scalar: 'dynamicQuantize, resident [scalar]', js: 'dynamicQuantize [plain JS]' },
  { op: 'magnitudeMask, keep 10%', size: '4M weights', simd: 'magnitudeMask keep 10%, resident [simd]', scalar: 'magnitudeMask keep 10%, resident [scalar]', js: 'magnitude keep 10% [plain JS quickselect]', jsNote: 'quickselect' },
  { op: 'nmMask 2:4', size: '4M weights', simd: 'nmMask 2:4, resident [simd]', scalar: 'nmMask 2:4, resident [scalar]', js: 'nmMask 2:4 [plain JS]' },
  { op: 'spmv, 90% sparse', size: '4096 x 4096', simd: 'spmv 90%, resident [simd]', scalar: 'spmv 90%, resident [scalar]', js: 'plain-JS CSR loop spmv 90%', peer: 'TF.js wasm dense matMul times a vector', peerLabel: 'TF.js dense' },
  { op: 'spmm, 90% sparse', size: '4096 x 4096 x 64', simd: 'spmm 90% x 64, resident [simd]', scalar: 'spmm 90% x 64, resident [scalar]', js: 'plain-JS CSR loop spmm 90% x 64', peer: 'TF.js wasm dense matMul (XNNPACK, SIMD, 1 thread)', peerLabel: 'TF.js dense' },
  { op: 'dense f32 matmul', size: '4096 x 4096 x 64', simd: 'sparq matmul, resident [simd]', scalar: 'sparq matmul, resident [scalar]', js: 'plain-JS dense matmul (i-p-j loop)', peer: 'TF.js wasm dense matMul (XNNPACK, SIMD, 1 thread)', peerLabel: 'TF.js' },
  { op: 'matmulInteger int8 x int8', size: '64 x 4096 x 4096', simd: 'int8 x int8 -> int32 64x4096x4096, packed [simd]', scalar: 'int8 x int8 -> int32 64x4096x4096, packed [scalar]', jsRate: 'int8 x int8 -> int32 16x512x512 [plain JS]', peer: 'ORT-web MatMulInteger int8 x int8 (Wasm, 1 thread)', peerLabel: 'ORT-web' },
  { op: 'matmulInteger uint8 x int8', size: '64 x 4096 x 4096', simd: 'uint8 x int8 -> int32 64x4096x4096, packed [simd]', scalar: 'uint8 x int8 -> int32 64x4096x4096, packed [scalar]', peer: 'ORT-web MatMulInteger uint8 x int8 (Wasm, 1 thread)', peerLabel: 'ORT-web' },
  { op: 'quantizedLinear', size: '64 x 4096 x 4096', simd: 'quantizedLinear f32 -> f32 64x4096x4096 [simd]', scalar: 'quantizedLinear f32 -> f32 64x4096x4096 [scalar]', peer: 'ORT-web DynamicQuantizeMatMul (Wasm, 1 thread)', peerLabel: 'ORT-web DynamicQuantizeMatMul' },
  { op: 'matmulInt4, blocks of 32', size: '64 x 4096 x 4096', simd: 'matmulInt4 bs 32 f32 -> f32 64x4096x4096 [simd]', scalar: 'matmulInt4 bs 32 f32 -> f32 64x4096x4096 [scalar]' },
];

/** The headline rows of a run with their times (ms; undefined where the run lacks the row). */
export function headline(run) {
  return HEADLINE.map((h) => ({
    ...h,
    simdMs: row(run, h.simd)?.ms,
    scalarMs: row(run, h.scalar)?.ms,
    jsMs: row(run, h.js)?.ms,
    peerMs: row(run, h.peer)?.ms,
  }));
}

/** A time for reading: three significant digits, whole milliseconds from 100 ms on. */
export function fmtMs(ms) {
  if (ms === undefined) return '';
  if (ms >= 100) return ms.toFixed(0);
  return String(Number(ms.toPrecision(3)));
}

/** A ratio for reading: 1.53, 13.9, 76. */
export function fmtRatio(r) {
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

/** The headline table in markdown, and a footnote for rows whose plain-JS baseline ran on another shape. */
export function headlineTable(run) {
  const hs = headline(run);
  const cell = (ms, label) => (ms === undefined ? '' : `${fmtMs(ms)}${label ? ` (${label})` : ''}`);
  const lines = [
    '| operation | size | sparq SIMD | sparq scalar | plain JS | peer |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...hs.map((h) => `| ${esc(h.op)} | ${h.size} | ${cell(h.simdMs)} | ${cell(h.scalarMs)} | ${h.jsRate && row(run, h.jsRate) ? 'see below' : cell(h.jsMs, h.jsNote)} | ${cell(h.peerMs, h.peerLabel)} |`),
  ];
  const notes = [];
  for (const h of hs) {
    const js = row(run, h.jsRate), simd = row(run, h.simd);
    if (!js || !simd) continue;
    const unit = Object.keys(js).find((k) => /\/s$/.test(k));
    notes.push(`Plain JS ran the ${h.op} product on a smaller shape: ${js.name.replace(/ \[plain JS\]$/, '')}, ${js[unit]} ${unit}, against ${simd[unit]} ${unit} for sparq SIMD at ${h.size}.`);
  }
  return { table: lines.join('\n'), notes };
}

// CLI: print every family's table of one run.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node scripts/bench-md.mjs <bench json>');
    process.exit(1);
  }
  const run = loadRun(file);
  console.log(`${runLine(run)}\n`);
  for (const fam of run.families) console.log(`#### ${fam}\n\n${familyTable(run, fam)}\n`);
}
