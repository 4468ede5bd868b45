// The bench harness shared by every family: benchmark.js for timing (medians of its samples), a
// 16 MiB copy timed in the same process as the memory reference, and one table / JSON format.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';

const require = createRequire(import.meta.url);
const Benchmark = require('benchmark');

export const argv = process.argv.slice(2);
export const QUICK = argv.includes('--quick');
const jsonAt = argv.indexOf('--json');
export const JSON_OUT = jsonAt >= 0 ? (argv[jsonAt + 1] && !argv[jsonAt + 1].startsWith('--') ? argv[jsonAt + 1] : 'bench/results/bench.json') : undefined;
const onlyAt = argv.indexOf('--only');
export const ONLY = onlyAt >= 0 ? argv[onlyAt + 1].split(',') : undefined;

/** The median of a list of numbers. */
export function median(a) {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Time fn with benchmark.js; returns the median and mean in milliseconds. */
export function time(fn, { maxTime = QUICK ? 0.4 : 2, minSamples = QUICK ? 5 : 15 } = {}) {
  let result;
  const b = new Benchmark({ fn, maxTime, minSamples, initCount: 1, onComplete() { result = this; } });
  b.run({ async: false });
  if (b.error) throw b.error;
  return { ms: median(result.stats.sample) * 1000, meanMs: result.stats.mean * 1000, rme: result.stats.rme, samples: result.stats.sample.length };
}

/** The 16 MiB copy reference: Float32Array.prototype.set of 4 194 304 floats. */
export function timeCopy(opts) {
  const { src, dst } = copyBuffers();
  return time(() => dst.set(src), opts);
}

/** One 16 MiB copy (the reference), for callers that time it among other cases. */
export function copy16() {
  const { src, dst } = copyBuffers();
  dst.set(src);
}

let copyBufs;
/** The two 16 MiB arrays of the copy reference, made once. */
function copyBuffers() {
  copyBufs ??= { src: new Float32Array(1 << 22).map((_, i) => i), dst: new Float32Array(1 << 22) };
  return copyBufs;
}

/**
 * Time fn and the 16 MiB copy in alternation (copy, fn, copy, fn, ..., copy) and return fn's
 * median over the rounds with `copyMs`, the median of the copies around it. This machine's speed
 * drifts by 10-40% over tens of seconds, so a ratio to a copy timed minutes earlier moves with
 * the drift; a ratio to copies timed around the case does not.
 */
export function timePaired(fn) {
  const rounds = QUICK ? 2 : 4;
  const opts = { maxTime: QUICK ? 0.2 : 0.6, minSamples: QUICK ? 5 : 10 };
  const copies = [timeCopy(opts)];
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    runs.push(time(fn, opts));
    copies.push(timeCopy(opts));
  }
  return { ms: median(runs.map((t) => t.ms)), meanMs: median(runs.map((t) => t.meanMs)), rme: Math.max(...runs.map((t) => t.rme)), samples: runs.reduce((a, t) => a + t.samples, 0), copyMs: median(copies.map((t) => t.ms)) };
}

const rows = [];
export function machine() {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, node: process.version, date: new Date().toISOString().slice(0, 10) };
}

/**
 * Record one case. `bytes`: memory traffic (GB/s); `flops`: operations (GFLOP/s or GOP/s);
 * `ratios`: { name: ms } to print a ratio against (the copy, a baseline, ...); `extraFlops`: further
 * rates of the same timing ({ column: operations }).
 */
export function record(family, name, t, { bytes, flops, opsName = 'GFLOP/s', ratios = {}, extraFlops = {} } = {}) {
  const row = { family, name, ms: +t.ms.toFixed(4), rme: +t.rme.toFixed(1) };
  if (bytes) row['GB/s'] = +(bytes / t.ms / 1e6).toFixed(2);
  if (flops) row[opsName] = +(flops / t.ms / 1e6).toFixed(2);
  // further rates of the same timing, e.g. { 'dense-eq GFLOP/s': 2 * m * k * n }
  for (const [k, f] of Object.entries(extraFlops)) row[k] = +(f / t.ms / 1e6).toFixed(2);
  for (const [k, refMs] of Object.entries(ratios)) row[`x ${k}`] = +(t.ms / refMs).toFixed(3);
  rows.push(row);
  printRow(row);
  return row;
}

function printRow(r) {
  const extras = Object.entries(r).filter(([k]) => !['family', 'name', 'ms', 'rme'].includes(k)).map(([k, v]) => `${k} ${v}`).join('  ');
  console.log(`  ${r.name.padEnd(52)} ${r.ms.toFixed(3).padStart(10)} ms ±${String(r.rme).padStart(4)}%  ${extras}`);
}

export function results() {
  return rows;
}
