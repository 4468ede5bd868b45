// Runs in the page: init({ threads }) for 1, 2 and 3 threads on the page's main thread (where
// Atomics.wait is not allowed), the golden battery with every call split, and the fallback where
// the page is not cross-origin isolated. Results land on window.__sparq.
import { init } from 'sparq';
import { poolOf } from '/dist/runtime/threads.js';
import { runBattery } from '../../golden/index.js';

const report = { hashes: {}, threads: {}, unavailable: {}, partsRun: {}, partsDone: {} };
window.__sparq = report;
try {
  report.crossOriginIsolated = globalThis.crossOriginIsolated;
  for (const n of [1, 2, 3]) {
    const sq = await init({ threads: n });
    report.threads[n] = sq.threads;
    report.unavailable[n] = sq.threadsUnavailable ?? null;
    const pool = poolOf(sq.rt);
    if (pool) pool.thresholdScale = 0;
    report.hashes[n] = runBattery(sq);
    report.partsRun[n] = pool ? pool.partsRun : 0;
    // every posted part ran exactly once (by the page or a worker)
    report.partsDone[n] = pool ? pool.callerParts + pool.workerParts : 0;
    await sq.close();
  }
} catch (e) {
  report.error = String(e && e.stack || e);
}
report.done = true;
