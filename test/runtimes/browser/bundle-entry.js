// Entry of the esbuild-bundled page: the package as a bundler resolves it (exports map, default
// condition), the battery on both builds.
import { init } from 'sparq';
import { batteryReport } from './battery.js';

const report = {};
window.__sparq = report;
(async () => {
  try {
    await batteryReport(init, report);
  } catch (e) {
    report.error = String(e && e.stack || e);
  }
  report.done = true;
})();
