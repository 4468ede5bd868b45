// The golden battery on both builds, as the browser pages report it.
import { runBattery } from '../../golden/index.js';

export async function batteryReport(init, report) {
  const picked = await init();
  const simd = await init({ relaxed: false });
  const scalar = await init({ simd: false });
  report.simd = picked.simd;
  report.build = picked.build;
  report.simdHashes = runBattery(simd);
  report.scalarHashes = runBattery(scalar);
  if (picked.build === 'relaxed') report.relaxedHashes = runBattery(picked);
}
