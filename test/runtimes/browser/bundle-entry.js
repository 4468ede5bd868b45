// Entry of the esbuild-bundled page: the package as a bundler resolves it (exports map, default
// condition), the battery on both builds, and init({ threads: 2 }) with one product large enough
// to run in parts (its workers start from the code embedded in the bundle).
import { init } from 'sparq';
import { batteryReport } from './battery.js';

const report = {};
window.__sparq = report;
(async () => {
  try {
    await batteryReport(init, report);
    const sq = await init({ threads: 2 });
    const one = await init();
    report.threads = sq.threads;
    report.threadsUnavailable = sq.threadsUnavailable ?? null;
    const m = 128, k = 256, n = 256;
    const a = new Float32Array(m * k).map((_, i) => Math.sin(i)), b = new Float32Array(k * n).map((_, i) => Math.cos(i));
    const x = sq.matmul(a, b, m, k, n), y = one.matmul(a, b, m, k, n);
    report.threadsSame = x.every((v, i) => Object.is(v, y[i]));
    await sq.close();
  } catch (e) {
    report.error = String(e && e.stack || e);
  }
  report.done = true;
})();
