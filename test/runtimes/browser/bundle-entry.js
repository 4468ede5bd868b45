// Entry of the esbuild-bundled page: the package as a bundler resolves it (exports map, default
// condition), the battery on both builds.
import { init } from 'sparq';
import { runBattery } from '../../golden/index.js';

const report = {};
window.__sparq = report;
(async () => {
  try {
    const simd = await init();
    const scalar = await init({ simd: false });
    report.simd = simd.simd;
    report.simdHashes = runBattery(simd);
    report.scalarHashes = runBattery(scalar);
  } catch (e) {
    report.error = String(e && e.stack || e);
  }
  report.done = true;
})();
