// The golden battery on both builds, as the browser pages report it.
import { runBattery } from '../../golden/index.js';

export async function batteryReport(init, report) {
  const simd = await init();
  const scalar = await init({ simd: false });
  report.simd = simd.simd;
  report.simdHashes = runBattery(simd);
  report.scalarHashes = runBattery(scalar);
}
