// The decode benches' timing, shared by bench/int.bench.mjs (Node) and bench/int-relaxed.mjs
// (Deno), which imports nothing but sparq and this file.

/**
 * One warm measurement of fn: `calls` calls in a row, each timed, and the median of the last
 * `keep`. The first calls after another case re-fill the caches that case took (on this machine
 * a 16 MiB read needs two or three calls to reach its steady time); the median of the rest is
 * the steady state of repeated calls, as benchmark.js times the bounds family's cases.
 */
export function steadyMs(fn, calls = 8, keep = 5) {
  const t = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  const last = t.slice(calls - keep).sort((a, b) => a - b);
  return last[last.length >> 1];
}

/**
 * The decode cases in turn for `rounds` rounds, each measured warm (steadyMs) or, when `evict` is
 * given, cold (one call after evict()). Returns each case's times, one per round, so that ratios
 * can be taken round by round.
 */
export function decodeRounds(cases, rounds, evict) {
  const ms = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [k, f] of Object.entries(cases)) {
      if (!evict) {
        ms[k].push(steadyMs(f));
        continue;
      }
      evict();
      const t0 = performance.now();
      f();
      ms[k].push(performance.now() - t0);
    }
  }
  return ms;
}
